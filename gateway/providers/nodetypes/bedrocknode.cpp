#include "bedrocknode.h"
#include "core/bedrockcredentials.h"
#include "providers/aws/converse.h"
#include "providers/aws/eventstream.h"
#include "providers/aws/sigv4.h"

#include <QDateTime>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

// ConverseStream: event-stream messages whose JSON payloads become OpenAI chat chunks. An
// exception or error message, or a stream that breaks the framing, is one Error event, and
// nothing comes after it.
class ConverseStream final : public NodeStream
{
public:
    explicit ConverseStream(qsizetype maxEventBytes)
    {
        m_parser.setMaxMessageBytes(maxEventBytes);
    }

    void feed(const QByteArray &bytes) override
    {
        if (m_stopped)
            return;
        const QList<EventStreamParser::Message> messages = m_parser.feed(bytes);
        for (const EventStreamParser::Message &message : messages) {
            take(message);
            if (m_stopped)
                return;
        }
        if (m_parser.failed())
            stop(m_parser.error());
    }
    void finish() override
    {
        if (m_stopped)
            return;
        m_parser.finish();
        if (m_parser.failed())
            stop(m_parser.error());
    }
    bool next(Event *event) override
    {
        if (m_next >= m_events.size()) {
            m_events.clear();
            m_next = 0;
            return false;
        }
        *event = std::move(m_events[m_next++]);
        return true;
    }
    bool overflowed() const override { return false; } // a refused message is an Error event

private:
    void take(const EventStreamParser::Message &message)
    {
        const QByteArray type = message.messageType();
        const QJsonObject payload = QJsonDocument::fromJson(message.payload).object();
        if (type == "exception") {
            const QString text = payload.value("message"_L1).toString(
                payload.value("Message"_L1).toString());
            stop(u"%1: %2"_s.arg(QString::fromUtf8(message.exceptionType()), text));
            return;
        }
        if (type == "error") {
            stop(u"%1: %2"_s.arg(QString::fromUtf8(message.header(":error-code")),
                                 QString::fromUtf8(message.header(":error-message"))));
            return;
        }
        if (type != "event")
            return;
        const QJsonObject chunk = m_converter.chunk(message.eventType(), payload);
        if (!chunk.isEmpty())
            m_events.append(Event { Event::Kind::Chunk, chunk, {} });
    }
    void stop(const QString &message)
    {
        m_stopped = true;
        m_events.append(Event { Event::Kind::Error, {}, message });
    }

    EventStreamParser m_parser;
    Converse::StreamConverter m_converter;
    QList<Event> m_events; // those before m_next already read
    qsizetype m_next = 0;
    bool m_stopped = false;
};

} // namespace

QUrl BedrockNode::endpoint(const Node &node)
{
    if (!node.baseUrl.isEmpty())
        return node.baseUrl;
    return QUrl(u"https://bedrock-runtime.%1.amazonaws.com"_s.arg(node.region));
}

bool BedrockNode::serves(Translate::ApiKind kind) const
{
    // Converse is a chat API; Bedrock's embedding models have APIs of their own.
    return kind == Translate::ApiKind::Chat || kind == Translate::ApiKind::Responses;
}

QByteArray BedrockNode::encodeRequest(Translate::ApiKind, const QJsonObject &body) const
{
    return QJsonDocument(Converse::request(body)).toJson(QJsonDocument::Compact);
}

UpstreamRequest BedrockNode::request(const Attempt &attempt, const QString &apiKey,
                                     Translate::ApiKind, const QByteArray &body,
                                     bool stream) const
{
    const Node &node = *attempt.node;
    UpstreamRequest request;
    request.method = QByteArrayLiteral("POST");
    request.url = endpoint(node);
    // The model id goes in the path percent-encoded (its ':' as %3A), as AWS's SDKs send it.
    QString path = request.url.path(QUrl::FullyEncoded);
    while (path.endsWith(u'/'))
        path.chop(1);
    path += u"/model/"_s + QString::fromLatin1(QUrl::toPercentEncoding(attempt.realModel))
        + (stream ? u"/converse-stream"_s : u"/converse"_s);
    request.url.setPath(path, QUrl::TolerantMode);
    request.body = body;
    request.headers.append(
        { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json") });
    request.headers.append({ QByteArrayLiteral("Accept"),
                             stream ? QByteArrayLiteral("application/vnd.amazon.eventstream")
                                    : QByteArrayLiteral("application/json") });

    const BedrockCredentials credentials = BedrockCredentials::fromSecret(apiKey);
    if (credentials.isIam()) {
        SigV4::Options options;
        options.region = node.region.toUtf8();
        options.service = QByteArrayLiteral("bedrock");
        options.time = QDateTime::currentDateTimeUtc();
        SigV4::signRequest(&request,
                           { credentials.accessKeyId.toUtf8(), credentials.secretAccessKey.toUtf8(),
                             credentials.sessionToken.toUtf8() },
                           options);
    } else if (!credentials.apiKey.isEmpty()) {
        request.headers.append({ QByteArrayLiteral("Authorization"),
                                 "Bearer " + credentials.apiKey.toUtf8() });
    }
    return request;
}

std::unique_ptr<NodeStream> BedrockNode::openStream(qsizetype maxEventBytes) const
{
    return std::make_unique<ConverseStream>(maxEventBytes);
}

std::optional<QJsonObject> BedrockNode::decodeAnswer(const QByteArray &body) const
{
    const QJsonObject chat = Converse::response(QJsonDocument::fromJson(body).object());
    if (chat.isEmpty())
        return std::nullopt;
    return chat;
}

QString BedrockNode::errorMessage(const QByteArray &body, int status) const
{
    // AWS errors: {"message": "..."} (or "Message"), the type in x-amzn-ErrorType.
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    for (const auto key : { "message"_L1, "Message"_L1 }) {
        if (object.value(key).isString() && !object.value(key).toString().isEmpty())
            return object.value(key).toString();
    }
    return NodeAdapter::errorMessage(body, status);
}

UpstreamRequest BedrockNode::modelsRequest(const Node &node, const QString &) const
{
    // Never sent (configuredModels() answers instead); the endpoint, should anything ask.
    UpstreamRequest request;
    request.method = QByteArrayLiteral("GET");
    request.url = endpoint(node);
    return request;
}

bool BedrockNode::parseModels(qint64, const QByteArray &, QList<NodeModel> *, QString *error) const
{
    *error = u"a Bedrock node's models are the model ids configured on it"_s;
    return false;
}

std::optional<QList<NodeModel>> BedrockNode::configuredModels(const Node &node) const
{
    QList<NodeModel> models;
    for (const QString &id : node.modelIds) {
        NodeModel model;
        model.nodeId = node.id;
        model.name = id;
        model.details = QJsonObject { { u"provider"_s, u"bedrock"_s },
                                      { u"region"_s, node.region } };
        models.append(model);
    }
    return models;
}

} // namespace Maestro

#include "anthropicnode.h"
#include "providers/anthropicupstream.h"
#include "providers/streamparsers.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

// Messages stream events (SSE, one JSON object per event, its type in "type") as OpenAI chat
// chunks. An "error" event is one Error event and nothing comes after it; message_stop is End.
class MessagesStream final : public NodeStream
{
public:
    explicit MessagesStream(qsizetype maxEventBytes) { m_parser.setMaxEventBytes(maxEventBytes); }

    void feed(const QByteArray &bytes) override
    {
        if (!m_stopped)
            take(m_parser.feed(bytes));
    }
    void finish() override
    {
        if (!m_stopped)
            take(m_parser.finish());
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
    // Bytes past an error or message_stop are not read, so an event too large among them does
    // not count, however the stream was cut into reads.
    bool overflowed() const override { return !m_stopped && m_parser.overflowed(); }

private:
    void take(const QList<SseParser::Event> &events)
    {
        for (const SseParser::Event &sse : events) {
            const QJsonObject data = QJsonDocument::fromJson(sse.data).object();
            if (data.isEmpty())
                continue; // not ours to judge keep-alive noise
            QString error;
            bool ended = false;
            const QJsonObject chunk = m_converter.chunk(data, &error, &ended);
            if (!error.isEmpty()) {
                m_stopped = true;
                m_events.append(Event { Event::Kind::Error, {}, error });
                return;
            }
            if (!chunk.isEmpty())
                m_events.append(Event { Event::Kind::Chunk, chunk, {} });
            if (ended) {
                m_stopped = true;
                m_events.append(Event { Event::Kind::End, {}, {} });
                return;
            }
        }
    }

    SseParser m_parser;
    AnthropicUpstream::StreamConverter m_converter;
    QList<Event> m_events; // those before m_next already read
    qsizetype m_next = 0;
    bool m_stopped = false; // after an error or message_stop nothing more is read
};

} // namespace

UpstreamRequest AnthropicNode::apiRequest(const Node &node, const QByteArray &method,
                                          const QByteArray &path, const QString &apiKey,
                                          const QByteArray &body)
{
    UpstreamRequest request;
    request.method = method;
    request.url = node.baseUrl.isEmpty() ? QUrl(DefaultBaseUrl) : node.baseUrl;
    QString base = request.url.path(QUrl::FullyEncoded);
    while (base.endsWith(u'/'))
        base.chop(1);
    // A base URL given with its "/v1" ("https://api.anthropic.com/v1") is not doubled.
    QString rest = QString::fromLatin1(path);
    if (base.endsWith("/v1"_L1) && rest.startsWith("/v1/"_L1))
        rest = rest.mid(3);
    const qsizetype query = rest.indexOf(u'?');
    request.url.setPath(base + (query < 0 ? rest : rest.left(query)), QUrl::TolerantMode);
    if (query >= 0)
        request.url.setQuery(rest.mid(query + 1));
    if (!apiKey.isEmpty())
        request.headers.append({ QByteArrayLiteral("x-api-key"), apiKey.toUtf8() });
    request.headers.append({ QByteArrayLiteral("anthropic-version"), QByteArray(ApiVersion.data()) });
    if (!body.isEmpty()) {
        request.body = body;
        request.headers.append(
            { QByteArrayLiteral("content-type"), QByteArrayLiteral("application/json") });
    }
    return request;
}

bool AnthropicNode::serves(Translate::ApiKind kind) const
{
    // Messages is a chat API; Anthropic has no embeddings.
    return kind == Translate::ApiKind::Chat || kind == Translate::ApiKind::Responses;
}

QByteArray AnthropicNode::encodeRequest(Translate::ApiKind, const QJsonObject &body) const
{
    return QJsonDocument(AnthropicUpstream::request(body)).toJson(QJsonDocument::Compact);
}

UpstreamRequest AnthropicNode::request(const Attempt &attempt, const QString &apiKey,
                                       Translate::ApiKind, const QByteArray &body,
                                       bool stream) const
{
    UpstreamRequest request = apiRequest(*attempt.node, QByteArrayLiteral("POST"),
                                         QByteArrayLiteral("/v1/messages"), apiKey, body);
    request.headers.append({ QByteArrayLiteral("accept"),
                             stream ? QByteArrayLiteral("text/event-stream")
                                    : QByteArrayLiteral("application/json") });
    return request;
}

std::unique_ptr<NodeStream> AnthropicNode::openStream(qsizetype maxEventBytes) const
{
    return std::make_unique<MessagesStream>(maxEventBytes);
}

std::optional<QJsonObject> AnthropicNode::decodeAnswer(const QByteArray &body) const
{
    const QJsonObject chat = AnthropicUpstream::response(QJsonDocument::fromJson(body).object());
    if (chat.isEmpty())
        return std::nullopt;
    return chat;
}

QString AnthropicNode::errorMessage(const QByteArray &body, int status) const
{
    // {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    const QJsonObject error = QJsonDocument::fromJson(body).object().value("error"_L1).toObject();
    const QString message = error.value("message"_L1).toString();
    const QString type = error.value("type"_L1).toString();
    if (!message.isEmpty())
        return type.isEmpty() ? message : type + u": "_s + message;
    return NodeAdapter::errorMessage(body, status);
}

bool AnthropicNode::isContextRefusal(int status, const QByteArray &body) const
{
    // "prompt is too long: 210000 tokens > 200000 maximum", and the context window exceeded.
    if (NodeAdapter::isContextRefusal(status, body))
        return true;
    return status == 400 && errorMessage(body, status).toLower().contains("prompt is too long"_L1);
}

UpstreamRequest AnthropicNode::modelsRequest(const Node &node, const QString &apiKey) const
{
    // Anthropic's largest page: one request lists every model it has.
    UpstreamRequest request = apiRequest(node, QByteArrayLiteral("GET"),
                                         QByteArrayLiteral("/v1/models?limit=1000"), apiKey);
    request.headers.append({ QByteArrayLiteral("accept"), QByteArrayLiteral("application/json") });
    return request;
}

std::optional<UpstreamRequest> AnthropicNode::nextModelsRequest(const Node &node,
                                                               const QString &apiKey,
                                                               const QByteArray &body) const
{
    const QJsonObject root = QJsonDocument::fromJson(body).object();
    const QString last = root.value("last_id"_L1).toString();
    if (!root.value("has_more"_L1).toBool() || last.isEmpty())
        return std::nullopt;
    UpstreamRequest request = modelsRequest(node, apiKey);
    QUrlQuery query(request.url);
    query.addQueryItem(u"after_id"_s, QString::fromLatin1(QUrl::toPercentEncoding(last)));
    request.url.setQuery(query);
    return request;
}

bool AnthropicNode::parseModels(qint64 nodeId, const QByteArray &body, QList<NodeModel> *models,
                                QString *error) const
{
    QJsonObject root;
    if (!modelListRoot(body, &root, error))
        return false;
    if (!root.value("data"_L1).isArray()) {
        *error = u"the model list has no \"data\" array"_s;
        return false;
    }
    for (const QJsonValue &value : root.value("data"_L1).toArray()) {
        const QJsonObject entry = value.toObject();
        NodeModel model;
        model.nodeId = nodeId;
        model.name = entry.value("id"_L1).toString();
        if (model.name.isEmpty())
            continue;
        const QDateTime created
            = QDateTime::fromString(entry.value("created_at"_L1).toString(), Qt::ISODate);
        if (created.isValid())
            model.modifiedAt = created.toUTC().toString(Qt::ISODate);
        QJsonObject details { { u"provider"_s, u"anthropic"_s } };
        if (entry.value("display_name"_L1).isString())
            details.insert(u"display_name"_s, entry.value("display_name"_L1));
        // Newer answers say how much the model takes in and gives out.
        if (entry.value("max_input_tokens"_L1).isDouble())
            details.insert(u"context_length"_s, entry.value("max_input_tokens"_L1));
        model.details = details;
        models->append(model);
    }
    return true;
}

} // namespace Maestro

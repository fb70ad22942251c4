#include "openainode.h"
#include "providers/noderequest.h"
#include "providers/streamparsers.h"

#include <QDateTime>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

// Server-sent events whose data is one JSON object each.
class SseStream final : public NodeStream
{
public:
    explicit SseStream(qsizetype maxEventBytes) { m_parser.setMaxEventBytes(maxEventBytes); }

    void feed(const QByteArray &bytes) override { take(m_parser.feed(bytes)); }
    void finish() override { take(m_parser.finish()); }
    bool next(Event *event) override
    {
        while (m_next < m_events.size()) {
            if (readJsonEvent(m_events.at(m_next++).data, event))
                return true;
        }
        // All read: the payloads go now rather than with the next feed.
        m_events.clear();
        m_next = 0;
        return false;
    }
    bool overflowed() const override { return m_parser.overflowed(); }

private:
    void take(QList<SseParser::Event> &&events)
    {
        if (m_next >= m_events.size()) {
            m_events = std::move(events);
            m_next = 0;
        } else {
            m_events.append(std::move(events));
        }
    }

    SseParser m_parser;
    QList<SseParser::Event> m_events; // complete events, those before m_next already read
    qsizetype m_next = 0;
};

} // namespace

UpstreamRequest OpenAiNode::request(const Attempt &attempt, const QString &apiKey,
                                    Translate::ApiKind kind, const QByteArray &body,
                                    bool stream) const
{
    UpstreamRequest request = nodeRequest(*attempt.node, QByteArrayLiteral("POST"),
                                          Translate::upstreamPath(kind, NodeType::OpenAi), apiKey);
    request.body = body;
    request.headers.append(
        { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json") });
    request.headers.append({ QByteArrayLiteral("Accept"),
                             stream ? QByteArrayLiteral("text/event-stream")
                                    : QByteArrayLiteral("application/json") });
    return request;
}

std::unique_ptr<NodeStream> OpenAiNode::openStream(qsizetype maxEventBytes) const
{
    return std::make_unique<SseStream>(maxEventBytes);
}

UpstreamRequest OpenAiNode::modelsRequest(const Node &node, const QString &apiKey) const
{
    UpstreamRequest request
        = nodeRequest(node, QByteArrayLiteral("GET"), QByteArrayLiteral("/v1/models"), apiKey);
    request.headers.append({ QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json") });
    return request;
}

bool OpenAiNode::parseModels(qint64 nodeId, const QByteArray &body, QList<NodeModel> *models,
                             QString *error) const
{
    QJsonObject root;
    if (!modelListRoot(body, &root, error))
        return false;
    for (const QJsonValue &value : root.value("data"_L1).toArray()) {
        const QJsonObject entry = value.toObject();
        NodeModel model;
        model.nodeId = nodeId;
        model.name = entry.value("id"_L1).toString();
        const qint64 created = qint64(entry.value("created"_L1).toDouble());
        if (created > 0)
            model.modifiedAt
                = QDateTime::fromSecsSinceEpoch(created, Qt::UTC).toString(Qt::ISODate);
        QJsonObject details;
        if (entry.contains("owned_by"_L1))
            details.insert(u"owned_by"_s, entry.value("owned_by"_L1));
        // vLLM reports the context window it was started with.
        if (entry.contains("max_model_len"_L1))
            details.insert(u"context_length"_s, entry.value("max_model_len"_L1));
        model.details = details;
        if (!model.name.isEmpty())
            models->append(model);
    }
    return true;
}

} // namespace Maestro

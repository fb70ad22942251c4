#include "ollamanode.h"
#include "core/modelpolicy.h"
#include "providers/noderequest.h"
#include "providers/streamparsers.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

// One JSON object per line.
class NdjsonStream final : public NodeStream
{
public:
    explicit NdjsonStream(qsizetype maxLineBytes) { m_parser.setMaxLineBytes(maxLineBytes); }

    void feed(const QByteArray &bytes) override { take(m_parser.feed(bytes)); }
    void finish() override { take(m_parser.finish()); }
    bool next(Event *event) override
    {
        while (m_next < m_lines.size()) {
            if (readJsonEvent(m_lines.at(m_next++), event))
                return true;
        }
        // All read: the payloads go now rather than with the next feed.
        m_lines.clear();
        m_next = 0;
        return false;
    }
    bool overflowed() const override { return m_parser.overflowed(); }

private:
    void take(QList<QByteArray> &&lines)
    {
        if (m_next >= m_lines.size()) {
            m_lines = std::move(lines);
            m_next = 0;
        } else {
            m_lines.append(std::move(lines));
        }
    }

    NdjsonParser m_parser;
    QList<QByteArray> m_lines; // complete lines, those before m_next already read
    qsizetype m_next = 0;
};

} // namespace

void OllamaNode::adjustRequest(const NodeRequestShape &shape, QJsonObject *body) const
{
    // Chat and generate requests only: an embedding model has a context of its own, and the
    // loaded model's lifetime is the client's business there.
    const bool generates = shape.kind == Translate::ApiKind::Chat
        || shape.kind == Translate::ApiKind::Completion || shape.kind == Translate::ApiKind::Responses;
    // Precedence: the client's num_ctx, the model configuration's default, the mapping's
    // context length, the default_context_length setting; never above the configuration's
    // maximum.
    ModelPolicy::applyContext(shape.config, shape.mappingContextLength, body,
                              generates ? shape.settings.defaultContextLength : 0);
    const QJsonValue keepAlive = body->value("keep_alive"_L1);
    if (generates && (keepAlive.isUndefined() || keepAlive.isNull())
        && !shape.settings.ollamaKeepAlive.isUndefined())
        body->insert(u"keep_alive"_s, shape.settings.ollamaKeepAlive);
}

UpstreamRequest OllamaNode::request(const Attempt &attempt, const QString &apiKey,
                                    Translate::ApiKind kind, const QByteArray &body,
                                    bool stream) const
{
    UpstreamRequest request = nodeRequest(*attempt.node, QByteArrayLiteral("POST"),
                                          Translate::upstreamPath(kind, NodeType::Ollama), apiKey);
    request.body = body;
    request.headers.append(
        { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json") });
    request.headers.append({ QByteArrayLiteral("Accept"),
                             stream ? QByteArrayLiteral("application/x-ndjson")
                                    : QByteArrayLiteral("application/json") });
    return request;
}

std::unique_ptr<NodeStream> OllamaNode::openStream(qsizetype maxEventBytes) const
{
    return std::make_unique<NdjsonStream>(maxEventBytes);
}

UpstreamRequest OllamaNode::modelsRequest(const Node &node, const QString &apiKey) const
{
    UpstreamRequest request
        = nodeRequest(node, QByteArrayLiteral("GET"), QByteArrayLiteral("/api/tags"), apiKey);
    request.headers.append({ QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json") });
    return request;
}

bool OllamaNode::parseModels(qint64 nodeId, const QByteArray &body, QList<NodeModel> *models,
                             QString *error) const
{
    QJsonObject root;
    if (!modelListRoot(body, &root, error))
        return false;
    for (const QJsonValue &value : root.value("models"_L1).toArray()) {
        const QJsonObject entry = value.toObject();
        NodeModel model;
        model.nodeId = nodeId;
        model.name = entry.value("name"_L1).toString();
        if (model.name.isEmpty())
            model.name = entry.value("model"_L1).toString();
        model.size = qint64(entry.value("size"_L1).toDouble());
        model.digest = entry.value("digest"_L1).toString();
        model.modifiedAt = entry.value("modified_at"_L1).toString();
        model.details = entry.value("details"_L1).toObject();
        // Newer Ollama versions list a model's capabilities ("vision", "tools", ...) with it:
        // kept with the details, where the request path looks for them.
        if (entry.value("capabilities"_L1).isArray() && !model.details.contains("capabilities"_L1))
            model.details.insert(u"capabilities"_s, entry.value("capabilities"_L1));
        if (!model.name.isEmpty())
            models->append(model);
    }
    return true;
}

} // namespace Maestro

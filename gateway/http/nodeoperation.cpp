#include "nodeoperation.h"
#include "gateway.h"
#include "providers/noderequest.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

QString messageOf(const QByteArray &body, int status)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    const QString error = object.value("error"_L1).toString();
    if (!error.isEmpty())
        return error;
    const QString text = QString::fromUtf8(body.trimmed().left(300));
    return text.isEmpty() ? u"HTTP %1"_s.arg(status) : text;
}

} // namespace

NodeOperation::NodeOperation(Gateway *gateway, CatalogSnapshot catalog, QByteArray method, QByteArray path,
                             QJsonObject body, bool stream, QList<Node> nodes)
    : QObject(gateway)
    , m_gateway(gateway)
    , m_method(std::move(method))
    , m_path(std::move(path))
    , m_body(std::move(body))
    , m_stream(stream)
    , m_catalog(std::move(catalog))
{
    for (const Node &node : nodes) {
        auto target = std::make_unique<Target>();
        target->node = node;
        m_targets.push_back(std::move(target));
    }
    m_gateway->callStarted(this);
}

Result<QList<Node>> NodeOperation::targets(const Catalog &catalog, std::optional<qint64> nodeId)
{
    QList<Node> targets;
    if (nodeId) {
        const Node *node = catalog.node(*nodeId);
        if (!node)
            return ApiError::notFound(u"Node not found: %1"_s.arg(*nodeId));
        if (node->type != NodeType::Ollama)
            return ApiError::badRequest(u"%1 is not an Ollama node"_s.arg(node->name));
        targets.append(*node);
    } else {
        for (const Node &node : catalog.nodes()) {
            if (node.active && node.type == NodeType::Ollama)
                targets.append(node);
        }
    }
    if (targets.isEmpty())
        return ApiError::unavailable(u"There is no active Ollama node"_s);
    return targets;
}

QJsonObject NodeOperation::withRealNames(const Catalog &catalog, QJsonObject body)
{
    for (const QString &field : {u"model"_s, u"name"_s, u"source"_s}) {
        const QJsonValue value = body.value(field);
        if (!value.isString())
            continue;
        for (const ModelMapping &mapping : catalog.mappings()) {
            if (mapping.displayName == value.toString())
                body.insert(field, mapping.realName);
        }
    }
    return body;
}

Result<NodeOperation *> NodeOperation::pull(Gateway *gateway, const QString &model,
                                            std::optional<qint64> nodeId)
{
    if (model.trimmed().isEmpty())
        return ApiError::badRequest(u"\"model\" is required"_s);
    const CatalogSnapshot catalog = gateway->catalog();
    auto nodes = targets(*catalog, nodeId);
    if (!nodes.ok())
        return nodes.error();
    const QJsonObject body = withRealNames(*catalog, {{u"model"_s, model.trimmed()}, {u"stream"_s, true}});
    return new NodeOperation(gateway, catalog, QByteArrayLiteral("POST"), QByteArrayLiteral("/api/pull"), body,
                             true, nodes.value());
}

QList<Node> NodeOperation::nodes() const
{
    QList<Node> nodes;
    for (const auto &target : m_targets)
        nodes.append(target->node);
    return nodes;
}

QList<NodeOperation::Outcome> NodeOperation::outcomes() const
{
    QList<Outcome> outcomes;
    for (const auto &target : m_targets)
        outcomes.append({target->node, target->error});
    return outcomes;
}

void NodeOperation::start()
{
    m_pending = int(m_targets.size());
    const QByteArray payload = QJsonDocument(m_body).toJson(QJsonDocument::Compact);
    for (auto &owned : m_targets) {
        Target *target = owned.get();
        UpstreamRequest request = nodeRequest(target->node, m_method, m_path, m_catalog->apiKey(target->node.id));
        request.body = payload;
        m_gateway->applyUpstreamTimeouts(target->node, &request);
        // A large pull can pause between progress lines for longer than a generation would.
        request.firstByteTimeoutMs = std::max(request.firstByteTimeoutMs, 600'000);
        request.idleTimeoutMs = std::max(request.idleTimeoutMs, 600'000);
        if (!m_stream)
            request.maxBodyBytes = m_gateway->maxUpstreamBodyBytes(); // held whole in target->body
        request.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
        addNodeHeaders(&request, m_catalog->nodeHeaders(target->node.id));
        target->reply = m_gateway->upstream()->send(request);
        target->reply->setParent(this);
        connect(target->reply, &UpstreamReply::headReceived, this,
                [target] { target->status = target->reply->status(); });
        connect(target->reply, &UpstreamReply::dataReceived, this,
                [this, target](const QByteArray &piece) { onData(target, piece); });
        connect(target->reply, &UpstreamReply::finished, this, [this, target] { onDone(target, QString()); });
        connect(target->reply, &UpstreamReply::failed, this,
                [this, target](UpstreamError, const QString &message) { onDone(target, message); });
    }
}

void NodeOperation::cancel()
{
    for (auto &target : m_targets) {
        if (target->done || !target->reply)
            continue;
        target->reply->abort();
        onDone(target.get(), u"Cancelled"_s);
    }
}

void NodeOperation::report(Target *target, const QJsonObject &object)
{
    Q_EMIT line(target->node.id, target->node.name, object);
    if (object.contains("status"_L1)) {
        Q_EMIT progress(target->node.id, target->node.name, object.value("status"_L1).toString(),
                        object.value("completed"_L1).toInteger(), object.value("total"_L1).toInteger());
    }
}

void NodeOperation::onData(Target *target, const QByteArray &piece)
{
    if (!m_stream || target->status != 200) {
        target->body += piece;
        return;
    }
    for (const QByteArray &progress : target->lines.feed(piece)) {
        const QJsonObject object = QJsonDocument::fromJson(progress).object();
        if (object.isEmpty())
            continue;
        if (object.contains("error"_L1))
            target->error = object.value("error"_L1).toString();
        report(target, object);
    }
}

void NodeOperation::onDone(Target *target, const QString &failure)
{
    if (target->done)
        return;
    target->done = true;
    if (!failure.isEmpty())
        target->error = failure;
    else if (target->status != 200 && target->error.isEmpty())
        target->error = messageOf(target->body, target->status);
    if (m_stream && target->error.isEmpty()) {
        for (const QByteArray &rest : target->lines.finish())
            report(target, QJsonDocument::fromJson(rest).object());
    }
    Q_EMIT nodeFinished(target->node.id, target->error.isEmpty(), target->error);
    if (--m_pending == 0)
        finish();
}

void NodeOperation::finish()
{
    bool ok = true;
    for (const auto &target : m_targets) {
        if (target->error.isEmpty())
            m_gateway->requestNodeCheck(target->node.id); // re-discovered on the control thread
        else
            ok = false;
    }
    Q_EMIT finished(ok);
    m_gateway->callEnded(this);
    deleteLater();
}

} // namespace Maestro

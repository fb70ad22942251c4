#include "nodescontroller.h"
#include "core/adminservice.h"
#include "http/httpwire.h"
#include "http/nodejobs.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

QByteArray jsonResponse(int status, const QJsonObject &object)
{
    return Wire::jsonResponse(status, QJsonDocument(object).toJson(QJsonDocument::Compact));
}

int modelCount(const Catalog &catalog, qint64 nodeId)
{
    const QList<NodeModel> &models = catalog.nodeModels();
    return int(std::count_if(models.cbegin(), models.cend(),
                             [nodeId](const NodeModel &model) { return model.nodeId == nodeId; }));
}

// A node's live load: requests in flight on this gateway (warmup loads included), and the
// day's requests from the request log, so every gateway on a shared database and restarts count.
QJsonObject loadJson(const Node &node, Control *control, const QHash<qint64, NodeTraffic> &traffic)
{
    return nodeLoadToJson(control->balancer().active(node.id), traffic.value(node.id));
}

} // namespace

QJsonArray NodesController::modelsOf(const Catalog &catalog, qint64 nodeId)
{
    QJsonArray models;
    for (const NodeModel &model : catalog.nodeModels()) {
        if (model.nodeId == nodeId)
            models.append(toJson(model));
    }
    return models;
}

QHash<qint64, NodeTraffic> NodesController::trafficToday(Control *control)
{
    return control->store()->nodeTraffic(control->clock()->nowUtc().date());
}

QJsonObject NodesController::nodeJson(const Node &node, Control *control, const QHash<qint64, NodeTraffic> &traffic)
{
    const CatalogSnapshot catalog = control->catalog();
    return toJson(node, modelCount(*catalog, node.id), loadJson(node, control, traffic));
}

QJsonObject NodesController::nodeJson(const Node &node, Control *control)
{
    return nodeJson(node, control, trafficToday(control));
}

void NodesController::checkThenAnswer(AdminContext &ctx, qint64 id, int status, bool withModels)
{
    const AdminReply reply = ctx.defer();
    Control *control = this->control();
    const auto answer = [control, reply, id, status, withModels](bool, const QString &) {
        const auto node = control->store()->node(id);
        if (!node) {
            reply.send(Wire::jsonResponse(404, R"({"detail":"Node not found"})"));
            return;
        }
        QJsonObject json = nodeJson(*node, control);
        if (withModels) {
            const CatalogSnapshot catalog = control->catalog();
            json.insert(u"models"_s, modelsOf(*catalog, id));
        }
        reply.send(jsonResponse(status, json));
    };
    control->checkNode(id, control, answer, false, false, [reply] { reply.resume(); });
}

void NodesController::addNode(AdminContext &ctx)
{
    const auto input
        = ctx.readBody([](const QJsonObject &body) { return nodeInputFromJson(body, true); });
    if (!input)
        return;
    const auto node = admin()->addNode(*input);
    if (ctx.failed(node))
        return;
    checkThenAnswer(ctx, node.value().id, 201, true);
}

void NodesController::listNodes(AdminContext &ctx)
{
    const auto traffic = trafficToday(control());
    QJsonArray nodes;
    for (const Node &node : store()->nodes())
        nodes.append(nodeJson(node, control(), traffic));
    ctx.sendJson(200, nodes);
}

void NodesController::nodesLoad(AdminContext &ctx)
{
    const QDate day = control()->clock()->nowUtc().date();
    const auto traffic = store()->nodeTraffic(day);
    QJsonArray nodes;
    for (const Node &node : store()->nodes()) {
        QJsonObject entry = loadJson(node, control(), traffic);
        entry.insert(u"node_id"_s, double(node.id));
        entry.insert(u"node_name"_s, node.name);
        nodes.append(entry);
    }
    ctx.sendJson(200, QJsonObject{{u"day"_s, day.toString(Qt::ISODate)}, {u"nodes"_s, nodes}});
}

void NodesController::getNode(AdminContext &ctx)
{
    const auto id = ctx.id(u"node"_s);
    if (!id)
        return;
    ctx.answer(admin()->findNode(*id), [this](const Node &node) { return nodeJson(node, control()); });
}

void NodesController::updateNode(AdminContext &ctx)
{
    const auto id = ctx.id(u"node"_s);
    if (!id)
        return;
    const auto input
        = ctx.readBody([](const QJsonObject &body) { return nodeInputFromJson(body, false); });
    if (!input)
        return;
    ctx.answer(admin()->updateNode(*id, *input), [this](const Node &node) { return nodeJson(node, control()); });
}

void NodesController::toggleNode(AdminContext &ctx)
{
    if (const auto id = ctx.id(u"node"_s))
        ctx.answer(admin()->toggleNode(*id), [this](const Node &node) { return nodeJson(node, control()); });
}

void NodesController::deleteNode(AdminContext &ctx)
{
    if (const auto id = ctx.id(u"node"_s))
        ctx.answerNoContent(admin()->deleteNode(*id));
}

void NodesController::healthCheck(AdminContext &ctx)
{
    const auto id = ctx.id(u"node"_s);
    if (!id)
        return;
    if (!store()->node(*id))
        return ctx.fail(ApiError::notFound(u"Node not found: %1"_s.arg(*id)));
    const AdminReply reply = ctx.defer();
    Control *control = this->control();
    const auto answer = [control, reply, id = *id](bool healthy, const QString &error) {
        const auto node = control->store()->node(id);
        const QJsonObject json{{u"node_id"_s, double(id)},
                               {u"node_name"_s, node ? node->name : QString()},
                               {u"health_status"_s, healthy ? u"healthy"_s : u"unhealthy"_s},
                               {u"error"_s, error.isEmpty() ? QJsonValue() : QJsonValue(error)},
                               {u"checked_at"_s, timeToJson(QDateTime::currentDateTimeUtc())}};
        reply.send(jsonResponse(200, json));
    };
    control->checkNode(*id, control, answer, false, false, [reply] { reply.resume(); });
}

void NodesController::syncModels(AdminContext &ctx)
{
    const auto id = ctx.id(u"node"_s);
    if (!id)
        return;
    if (!store()->node(*id))
        return ctx.fail(ApiError::notFound(u"Node not found: %1"_s.arg(*id)));
    checkThenAnswer(ctx, *id, 200, true);
}

void NodesController::warmNode(AdminContext &ctx)
{
    const auto id = ctx.id(u"node"_s);
    if (!id)
        return;
    auto node = admin()->findNode(*id);
    if (ctx.failed(node))
        return;
    if (node.value().type != NodeType::Ollama)
        return ctx.fail(ApiError::badRequest(u"Warmup loads models on Ollama nodes only"_s));
    QStringList models;
    const CatalogSnapshot catalog = this->catalog();
    for (const NodeModel &model : catalog->nodeModels()) {
        if (model.nodeId == node.value().id)
            models.append(model.name);
    }
    // An empty body warms every discovered model; {"models": [...]} some of them.
    if (!ctx.body().trimmed().isEmpty()) {
        auto body = ctx.jsonBody();
        if (ctx.failed(body))
            return;
        if (body.value().contains("models"_L1)) {
            const auto chosen = modelNamesFromJson(body.value());
            if (ctx.failed(chosen))
                return;
            for (const QString &model : chosen.value()) {
                if (!models.contains(model))
                    return ctx.fail(ApiError::badRequest(u"The node has no model named %1"_s.arg(model)));
            }
            models = chosen.value();
        }
    }
    const AdminReply reply = ctx.defer();
    const qint64 nodeId = node.value().id;
    const QString name = node.value().name;
    control()->jobs()->warmNow(node.value(), models, control(), [reply, nodeId, name](const QList<NodeJobs::WarmOutcome> &outcomes) {
        QJsonArray list;
        int failed = 0;
        for (const NodeJobs::WarmOutcome &outcome : outcomes) {
            failed += outcome.ok ? 0 : 1;
            list.append(QJsonObject{{u"model"_s, outcome.model},
                                    {u"ok"_s, outcome.ok},
                                    {u"error"_s, outcome.ok ? QJsonValue() : QJsonValue(outcome.error)},
                                    {u"duration_ms"_s, double(outcome.durationMs)}});
        }
        const QJsonObject json{{u"node_id"_s, double(nodeId)},
                               {u"node_name"_s, name},
                               {u"models"_s, list},
                               {u"warmed"_s, int(outcomes.size()) - failed},
                               {u"failed"_s, failed}};
        reply.send(jsonResponse(200, json));
    });
}

void NodesController::syncAllNodes(AdminContext &ctx)
{
    QList<Node> nodes = store()->nodes();
    nodes.removeIf([](const Node &node) { return !node.active; });
    if (nodes.isEmpty())
        return ctx.sendJson(200, QJsonArray());
    struct Gather
    {
        QJsonArray results; // in the order of the nodes
        qsizetype pending = 0;
    };
    auto gather = std::make_shared<Gather>();
    gather->pending = nodes.size();
    for (qsizetype i = 0; i < nodes.size(); ++i)
        gather->results.append(QJsonValue());
    const AdminReply reply = ctx.defer();
    Control *control = this->control();
    for (qsizetype i = 0; i < nodes.size(); ++i) {
        const Node &node = nodes.at(i);
        const auto collect = [control, reply, gather, i, id = node.id, name = node.name](bool ok, const QString &error) {
            const CatalogSnapshot catalog = control->catalog();
            const int models = modelCount(*catalog, id);
            gather->results.replace(i, QJsonObject{{u"success"_s, ok},
                                                   {u"node_id"_s, double(id)},
                                                   {u"node_name"_s, name},
                                                   {u"health_status"_s, ok ? u"healthy"_s : u"unhealthy"_s},
                                                   {u"synced_count"_s, models},
                                                   {u"total_models"_s, models},
                                                   {u"error"_s, error.isEmpty() ? QJsonValue() : QJsonValue(error)}});
            if (--gather->pending == 0)
                reply.send(Wire::jsonResponse(200, QJsonDocument(gather->results).toJson(QJsonDocument::Compact)));
            else
                reply.waitOnNodes(); // the others are still probing
        };
        control->checkNode(node.id, control, collect, false, false, [reply] { reply.resume(); });
    }
}

void NodesController::nodeModels(AdminContext &ctx)
{
    const auto id = ctx.id(u"node"_s);
    if (!id)
        return;
    if (!store()->node(*id))
        return ctx.fail(ApiError::notFound(u"Node not found: %1"_s.arg(*id)));
    const CatalogSnapshot catalog = this->catalog();
    ctx.sendJson(200, modelsOf(*catalog, *id));
}

} // namespace Maestro

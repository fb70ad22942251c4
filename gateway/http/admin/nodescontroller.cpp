#include "nodescontroller.h"
#include "adminjson.h"
#include "core/adminservice.h"
#include "http/httpwire.h"
#include "http/nodejobs.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <memory>

using namespace Qt::StringLiterals;

namespace Maestro {

using AdminJson::readField;
using AdminJson::timeValue;

namespace {

QByteArray jsonResponse(int status, const QJsonObject &object)
{
    return Wire::jsonResponse(status, QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject modelJson(const NodeModel &model)
{
    return {{u"name"_s, model.name},
            {u"size"_s, double(model.size)},
            {u"digest"_s, model.digest},
            {u"modified_at"_s, model.modifiedAt},
            {u"details"_s, model.details}};
}

QJsonArray modelsOf(const Catalog &catalog, qint64 nodeId)
{
    QJsonArray models;
    for (const NodeModel &model : catalog.nodeModels()) {
        if (model.nodeId == nodeId)
            models.append(modelJson(model));
    }
    return models;
}

// A node's live load: requests in flight on this gateway (warmup loads included), and the
// day's requests from the request log, so every gateway on a shared database and restarts count.
QJsonObject loadJson(const Node &node, Control *control, const QHash<qint64, NodeTraffic> &traffic)
{
    const NodeTraffic today = traffic.value(node.id);
    return {{u"active_requests"_s, control->balancer().active(node.id)},
            {u"requests_today"_s, double(today.requests)},
            {u"errors_today"_s, double(today.errors)},
            {u"avg_latency_ms_today"_s, double(today.avgLatencyMs)},
            {u"last_request_at"_s, timeValue(today.lastRequestAt)}};
}

QHash<qint64, NodeTraffic> trafficToday(Control *control)
{
    return control->store()->nodeTraffic(control->clock()->nowUtc().date());
}

QJsonObject nodeJson(const Node &node, Control *control, const QHash<qint64, NodeTraffic> &traffic)
{
    const CatalogSnapshot catalog = control->catalog();
    int models = 0;
    for (const NodeModel &model : catalog->nodeModels())
        models += model.nodeId == node.id ? 1 : 0;
    return {{u"id"_s, double(node.id)},
            {u"name"_s, node.name},
            {u"base_url"_s, node.baseUrl.toString()},
            {u"node_type"_s, nodeTypeName(node.type)},
            {u"api_key_set"_s, node.hasApiKey},
            {u"priority"_s, node.priority},
            {u"weight"_s, node.weight},
            {u"is_active"_s, node.active},
            {u"warmup_enabled"_s, node.warmupEnabled},
            {u"connect_timeout_seconds"_s, node.connectTimeoutSeconds},
            {u"first_byte_timeout_seconds"_s, node.firstByteTimeoutSeconds},
            {u"idle_timeout_seconds"_s, node.idleTimeoutSeconds},
            {u"health_status"_s, healthName(node.health)},
            {u"last_error"_s, node.lastError.isEmpty() ? QJsonValue() : QJsonValue(node.lastError)},
            {u"last_health_check"_s, timeValue(node.lastHealthCheck)},
            {u"model_count"_s, models},
            {u"load"_s, loadJson(node, control, traffic)},
            {u"created_at"_s, timeValue(node.createdAt)}};
}

QJsonObject nodeJson(const Node &node, Control *control)
{
    return nodeJson(node, control, trafficToday(control));
}

bool readNodeInput(const QJsonObject &body, AdminService::NodeInput *input, ApiError *error)
{
    return readField(body, u"name"_s, &input->name, error)
        && readField(body, u"base_url"_s, &input->baseUrl, error)
        && readField(body, u"node_type"_s, &input->nodeType, error)
        && readField(body, u"api_key"_s, &input->apiKey, error)
        && readField(body, u"priority"_s, &input->priority, error)
        && readField(body, u"weight"_s, &input->weight, error)
        && readField(body, u"is_active"_s, &input->active, error)
        && readField(body, u"warmup_enabled"_s, &input->warmupEnabled, error)
        && readField(body, u"connect_timeout_seconds"_s, &input->connectTimeoutSeconds, error)
        && readField(body, u"first_byte_timeout_seconds"_s, &input->firstByteTimeoutSeconds, error)
        && readField(body, u"idle_timeout_seconds"_s, &input->idleTimeoutSeconds, error);
}

} // namespace

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
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    AdminService::NodeInput input;
    ApiError error;
    if (!readNodeInput(body.value(), &input, &error))
        return ctx.fail(error);
    if (!input.name || !input.baseUrl)
        return ctx.fail(ApiError::badRequest(u"\"name\" and \"base_url\" are required"_s));
    auto node = admin()->addNode(input);
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
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    AdminService::NodeInput input;
    ApiError error;
    if (!readNodeInput(body.value(), &input, &error))
        return ctx.fail(error);
    ctx.answer(admin()->updateNode(*id, input), [this](const Node &node) { return nodeJson(node, control()); });
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
                               {u"checked_at"_s, timeValue(QDateTime::currentDateTimeUtc())}};
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
        const QJsonValue asked = body.value().value("models"_L1);
        if (!asked.isUndefined()) {
            if (!asked.isArray())
                return ctx.fail(ApiError::badRequest(u"\"models\" must be an array of model names"_s));
            QStringList chosen;
            for (const QJsonValue &value : asked.toArray()) {
                if (!models.contains(value.toString()))
                    return ctx.fail(ApiError::badRequest(u"The node has no model named %1"_s.arg(value.toString())));
                chosen.append(value.toString());
            }
            models = chosen;
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
            int models = 0;
            const CatalogSnapshot catalog = control->catalog();
            for (const NodeModel &model : catalog->nodeModels())
                models += model.nodeId == id ? 1 : 0;
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

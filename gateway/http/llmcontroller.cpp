#include "llmcontroller.h"
#include "admission.h"
#include "gateway.h"
#include "httpwire.h"
#include "nodeoperation.h"
#include "nodeoperationresponse.h"
#include "proxycall.h"
#include "core/modelpolicy.h"
#include "core/routeplanner.h"
#include "core/tokens.h"
#include "errorbody.h"
#include "providers/anthropic.h"
#include "providers/clientdialects/clientdialect.h"
#include "providers/nodetypes/nodeadapter.h"
#include "providers/noderequest.h"
#include "providers/upstreamclient.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <memory>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

using Translate::ApiKind;

QString timeText(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

} // namespace

LlmController::LlmController(Gateway *gateway)
    : QObject(gateway)
    , m_gateway(gateway)
{
}

RoutePlanner LlmController::planner(const Catalog &catalog) const
{
    return RoutePlanner(catalog, m_gateway->balancer(), m_gateway->routingStrategy());
}

Authenticated LlmController::authenticate(HttpContext &ctx)
{
    const QByteArray token = ctx.bearerToken();
    if (token.isEmpty()) {
        ctx.fail(ApiError::unauthorized(ClientDialect::forDialect(ctx.dialect()).missingTokenMessage()));
        return {};
    }
    Authenticated auth{m_gateway->catalog()};
    auth.user = auth.catalog->userByTokenHash(Tokens::hash(token));
    if (!auth.user) {
        // A token taken from its user (usually refused at the door already) is logged under that
        // user; an unknown one is not logged (see Gateway::logRefusal).
        const Gateway::TokenOwner owner = Gateway::tokenOwner(*auth.catalog, token);
        ctx.logSubject() = {owner.userId, owner.username, QString(), owner.revoked};
        ctx.fail(ApiError::unauthorized(u"Invalid or expired token"_s));
        return {};
    }
    // From here on a refusal is logged under this user.
    ctx.logSubject().userId = auth.user->id;
    ctx.logSubject().username = auth.user->username;
    return auth;
}

void LlmController::proxy(HttpContext &ctx, ApiKind kind, void (*adapt)(QJsonObject *body))
{
    const Authenticated auth = authenticate(ctx);
    if (!auth)
        return;
    // Every decision below comes from the snapshot the user was found in; the plan keeps it,
    // and with it the users, groups and nodes the attempts point to, until the call ends.
    const User *user = auth.user;
    const CatalogSnapshot &catalog = auth.catalog;
    auto parsed = ctx.jsonBody();
    if (!parsed.ok())
        return ctx.fail(parsed.error());
    QJsonObject body = parsed.value();
    ctx.logSubject().model = body.value("model"_L1).toString();
    if (adapt)
        adapt(&body);
    const ClientDialect &client = ClientDialect::forRequest(ctx.dialect(), kind);
    if (const auto error = client.validate(kind, body))
        return ctx.fail(*error);

    // Where it goes: group, member, nodes and failover order, or why nowhere.
    auto planned = planner(*catalog).plan(*user, body.value("model"_L1).toString(), body);
    if (!planned.ok())
        return ctx.fail(planned.error());
    RoutePlan &route = planned.value();
    // The model configuration's rules on parameters and tools.
    if (route.config) {
        if (const auto refused = ModelPolicy::apply(*route.config, catalog->toolSets(), client.dialect(), &body))
            return ctx.fail(*refused);
    }

    ProxyPlan plan;
    if (route.config && (route.config->requestsPerMinute || route.config->tokensPerMinute))
        plan.limitedModel = route.config->pattern;
    plan.kind = kind;
    plan.client = &client;
    plan.endpoint = QString::fromLatin1(ctx.path());
    plan.userId = user->id;
    plan.username = user->username;
    plan.displayModel = std::move(route.displayModel);
    plan.responseModel = std::move(route.responseModel);
    plan.group = std::move(route.group);
    plan.attempts = std::move(route.attempts);
    plan.contextFallback = std::move(route.contextFallback);
    plan.stream = client.wantsStream(kind, body);
    plan.body = std::move(body);
    plan.catalog = catalog.shared();

    admitAndProxy(m_gateway, ctx, *user, route.config, std::move(plan));
}

void LlmController::countTokens(HttpContext &ctx)
{
    const Authenticated auth = authenticate(ctx);
    if (!auth)
        return;
    const User *user = auth.user;
    const CatalogSnapshot &catalog = auth.catalog;
    auto parsed = ctx.jsonBody();
    if (!parsed.ok())
        return ctx.fail(parsed.error());
    ctx.logSubject().model = parsed.value().value("model"_L1).toString();
    if (const auto error = ClientDialect::forDialect(Dialect::Anthropic).validate(ApiKind::Chat, parsed.value()))
        return ctx.fail(*error);
    if (const auto access = planner(*catalog).access(*user, parsed.value().value("model"_L1).toString()); !access.ok())
        return ctx.fail(access.error());
    ctx.sendJson(200, QJsonObject{{u"input_tokens"_s, double(Anthropic::countTokens(parsed.value()))}});
}

void LlmController::ollamaTags(HttpContext &ctx)
{
    const Authenticated auth = authenticate(ctx);
    if (!auth)
        return;
    const User *user = auth.user;
    const CatalogSnapshot &catalog = auth.catalog;
    QJsonArray models;
    for (const Catalog::ListedModel &listed : catalog->modelsFor(*user)) {
        QJsonObject details = listed.source->details;
        QJsonObject entry{{u"name"_s, listed.name},
                          {u"model"_s, listed.name},
                          {u"modified_at"_s, listed.source->modifiedAt},
                          {u"size"_s, double(listed.source->size)},
                          {u"digest"_s, listed.source->digest},
                          {u"details"_s, details}};
        if (listed.mapping && listed.mapping->contextLength > 0)
            entry.insert(u"context_length"_s, double(listed.mapping->contextLength));
        if (listed.mapping && !listed.mapping->capabilities.isEmpty())
            entry.insert(u"capabilities"_s, QJsonArray::fromStringList(listed.mapping->capabilities));
        models.append(entry);
    }
    for (const ModelGroup *group : planner(*catalog).listedGroups(*user)) {
        models.append(QJsonObject{{u"name"_s, group->name},
                                  {u"model"_s, group->name},
                                  {u"modified_at"_s, timeText(group->updatedAt)},
                                  {u"size"_s, 0},
                                  {u"digest"_s, QString()},
                                  {u"details"_s, QJsonObject{{u"family"_s, u"model_group"_s},
                                                             {u"families"_s, QJsonArray{u"model_group"_s}},
                                                             {u"parameter_size"_s, u"group"_s},
                                                             {u"quantization_level"_s, QString()}}}});
    }
    ctx.sendJson(200, QJsonObject{{u"models"_s, models}});
}

namespace {

// One entry of a model list, as every dialect's list is formatted from it.
struct ListEntry
{
    QString id;
    QDateTime created;
    qint64 contextLength = 0; // 0 = not known
    bool vision = false;
};

// The models and listed groups the user may use, in the order the lists show them.
QList<ListEntry> visibleModels(const Catalog &catalog, const RoutePlanner &planner, const User &user)
{
    QList<ListEntry> entries;
    for (const Catalog::ListedModel &listed : catalog.modelsFor(user)) {
        ListEntry entry{listed.name, QDateTime::fromString(listed.source->modifiedAt, Qt::ISODateWithMs)};
        if (listed.mapping) {
            entry.contextLength = listed.mapping->contextLength;
            entry.vision = listed.mapping->capabilities.contains(u"vision"_s);
        }
        entries.append(entry);
    }
    for (const ModelGroup *group : planner.listedGroups(user))
        entries.append({group->name, group->createdAt});
    return entries;
}

} // namespace

void LlmController::openAiModels(HttpContext &ctx)
{
    const Authenticated auth = authenticate(ctx);
    if (!auth)
        return;
    QJsonArray data;
    for (const ListEntry &model : visibleModels(*auth.catalog, planner(*auth.catalog), *auth.user)) {
        QJsonObject entry{{u"id"_s, model.id},
                          {u"object"_s, u"model"_s},
                          {u"created"_s, double(model.created.isValid() ? model.created.toSecsSinceEpoch() : 0)},
                          {u"owned_by"_s, u"model-maestro"_s}};
        if (model.contextLength > 0)
            entry.insert(u"context_length"_s, double(model.contextLength));
        data.append(entry);
    }
    ctx.sendJson(200, QJsonObject{{u"object"_s, u"list"_s}, {u"data"_s, data}});
}

void LlmController::anthropicModels(HttpContext &ctx)
{
    const Authenticated auth = authenticate(ctx);
    if (!auth)
        return;
    QJsonArray data;
    for (const ListEntry &model : visibleModels(*auth.catalog, planner(*auth.catalog), *auth.user)) {
        data.append(QJsonObject{{u"type"_s, u"model"_s},
                                {u"id"_s, model.id},
                                {u"display_name"_s, model.id},
                                {u"created_at"_s, model.created.isValid()
                                                      ? model.created.toUTC().toString(Qt::ISODate)
                                                      : u"1970-01-01T00:00:00Z"_s}});
    }
    const auto id = [&](qsizetype i) { return data.isEmpty() ? QJsonValue() : data.at(i).toObject().value("id"_L1); };
    ctx.sendJson(200, QJsonObject{{u"data"_s, data},
                                  {u"has_more"_s, false},
                                  {u"first_id"_s, id(0)},
                                  {u"last_id"_s, id(data.size() - 1)}});
}

void LlmController::codexModels(HttpContext &ctx)
{
    const Authenticated auth = authenticate(ctx);
    if (!auth)
        return;
    QJsonArray models;
    for (const ListEntry &model : visibleModels(*auth.catalog, planner(*auth.catalog), *auth.user)) {
        // Codex rejects the whole catalog when an entry lacks a field it requires: these are those
        // fields, with values that suit a model served through chat completions.
        QJsonObject entry{{u"slug"_s, model.id},
                          {u"display_name"_s, model.id},
                          {u"supported_reasoning_levels"_s, QJsonArray()},
                          {u"shell_type"_s, u"shell_command"_s},
                          {u"visibility"_s, u"list"_s},
                          {u"supported_in_api"_s, true},
                          {u"priority"_s, models.size()},
                          {u"base_instructions"_s, u"You are Codex, a helpful coding assistant."_s},
                          {u"supports_reasoning_summaries"_s, false},
                          {u"support_verbosity"_s, false},
                          {u"truncation_policy"_s, QJsonObject{{u"mode"_s, u"bytes"_s}, {u"limit"_s, 10000}}},
                          {u"supports_parallel_tool_calls"_s, false},
                          {u"experimental_supported_tools"_s, QJsonArray()},
                          {u"input_modalities"_s, model.vision ? QJsonArray{u"text"_s, u"image"_s} : QJsonArray{u"text"_s}}};
        if (model.contextLength > 0)
            entry.insert(u"context_window"_s, double(model.contextLength));
        models.append(entry);
    }
    ctx.sendJson(200, QJsonObject{{u"models"_s, models}});
}

void LlmController::ollamaVersion(HttpContext &ctx)
{
    if (!authenticate(ctx))
        return;
    ctx.sendJson(200, QJsonObject{{u"version"_s, QStringLiteral(MAESTRO_VERSION)}});
}

namespace {

// Sends one small JSON request to a node and hands the parsed answer (or an error) back.
void fetchJson(Gateway *gateway, QObject *context, const Node &node, const QString &apiKey,
               const QByteArray &method, const QByteArray &path, const QJsonObject &body,
               std::function<void(int status, const QJsonObject &answer, const QString &error)> done)
{
    UpstreamRequest request = nodeRequest(node, method, path, apiKey);
    gateway->applyUpstreamTimeouts(node, &request);
    // Small lookups (show, ps): a node that takes longer is not going to answer.
    request.firstByteTimeoutMs = std::min(request.firstByteTimeoutMs, 30'000);
    request.idleTimeoutMs = std::min(request.idleTimeoutMs, 30'000);
    request.maxBodyBytes = gateway->maxUpstreamBodyBytes();
    if (!body.isEmpty()) {
        request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
        request.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    }
    UpstreamReply *reply = gateway->upstream()->send(request);
    auto buffer = std::make_shared<QByteArray>();
    QObject::connect(reply, &UpstreamReply::dataReceived, context,
                     [buffer](const QByteArray &piece) { buffer->append(piece); });
    QObject::connect(reply, &UpstreamReply::finished, context, [reply, buffer, done] {
        reply->deleteLater();
        done(reply->status(), QJsonDocument::fromJson(*buffer).object(), QString());
    });
    QObject::connect(reply, &UpstreamReply::failed, context,
                     [reply, done](UpstreamError, const QString &message) {
                         reply->deleteLater();
                         done(0, {}, message);
                     });
    QObject::connect(context, &QObject::destroyed, reply, [reply] {
        reply->abort();
        reply->deleteLater();
    });
}

} // namespace

void LlmController::ollamaShow(HttpContext &ctx)
{
    const Authenticated auth = authenticate(ctx);
    if (!auth)
        return;
    const User *user = auth.user;
    const CatalogSnapshot &catalog = auth.catalog;
    auto parsed = ctx.jsonBody();
    if (!parsed.ok())
        return ctx.fail(parsed.error());
    QString requested = parsed.value().value("model"_L1).toString();
    if (requested.isEmpty())
        requested = parsed.value().value("name"_L1).toString();
    if (requested.isEmpty())
        return ctx.fail(ApiError::badRequest(u"\"model\" is required"_s));
    const auto model = catalog->resolve(requested);
    if (!model)
        return ctx.fail(ApiError::notFound(u"Model '%1' is not available"_s.arg(requested)));
    if (!catalog->mayUse(*user, model->display))
        return ctx.fail(ApiError::forbidden(u"You have no access to the model '%1'"_s.arg(model->display)));
    const QList<const Node *> nodes = catalog->nodesFor(*model, *user);
    if (nodes.isEmpty())
        return ctx.fail(ApiError::unavailable(u"No healthy node serves the model '%1' right now"_s.arg(model->display)));

    // Copies of the mapping's values: the answer is enriched after the node replies, when this
    // handler's snapshot may be long gone.
    const QStringList capabilities = model->mapping ? model->mapping->capabilities : QStringList();
    const qint64 contextLength = model->mapping ? model->mapping->contextLength : 0;
    auto enrich = [capabilities, contextLength](QJsonObject answer) {
        if (!capabilities.isEmpty())
            answer.insert(u"capabilities"_s, QJsonArray::fromStringList(capabilities));
        if (contextLength > 0) {
            QJsonObject info = answer.value("model_info"_L1).toObject();
            const QString arch = info.value("general.architecture"_L1).toString(u"general"_s);
            info.insert(arch + ".context_length"_L1, double(contextLength));
            answer.insert(u"model_info"_s, info);
        }
        return answer;
    };
    const Node *node = nodes.first();
    if (!NodeAdapter::forType(node->type).hasOllamaApi()) {
        // Other nodes have no /api/show: describe the model from what is known.
        QJsonObject answer{{u"modelfile"_s, QString()},
                           {u"parameters"_s, QString()},
                           {u"template"_s, QString()},
                           {u"details"_s, QJsonObject{{u"format"_s, QString()}, {u"family"_s, QString()}}},
                           {u"model_info"_s, QJsonObject()},
                           {u"capabilities"_s, QJsonArray{u"completion"_s}}};
        return ctx.sendJson(200, enrich(answer));
    }
    QPointer<QTcpSocket> socket = ctx.socket();
    auto responder = std::make_shared<QHttpServerResponder>(std::move(ctx.responder()));
    const Dialect dialect = ctx.dialect();
    fetchJson(m_gateway, socket, *node, catalog->apiKey(node->id), QByteArrayLiteral("POST"),
              QByteArrayLiteral("/api/show"), QJsonObject{{u"model"_s, model->real}},
              [socket, responder, enrich, dialect](int status, const QJsonObject &answer, const QString &error) {
                  if (!socket)
                      return;
                  if (status == 200) {
                      socket->write(Wire::jsonResponse(200, QJsonDocument(enrich(answer)).toJson(QJsonDocument::Compact)));
                      return;
                  }
                  ApiError failure = ApiError::upstream(error.isEmpty() ? answer.value("error"_L1).toString() : error);
                  if (status == 404)
                      failure = ApiError::notFound(answer.value("error"_L1).toString());
                  socket->write(errorResponse(dialect, failure));
              });
}

void LlmController::ollamaPs(HttpContext &ctx)
{
    const Authenticated auth = authenticate(ctx);
    if (!auth)
        return;
    const User *user = auth.user;
    const CatalogSnapshot &catalog = auth.catalog;
    QList<const Node *> nodes;
    for (const Node &node : catalog->nodes()) {
        // A user limited to some nodes hears nothing of the others.
        if (!user->nodeIds.isEmpty() && !user->nodeIds.contains(node.id))
            continue;
        if (node.active && node.health != Health::Unhealthy && NodeAdapter::forType(node.type).hasOllamaApi())
            nodes.append(&node);
    }
    // Real name -> the display names this user may use for it (copies: the answers come back
    // after this handler's snapshot is gone).
    QHash<QString, QStringList> visible;
    for (const Catalog::ListedModel &listed : catalog->modelsFor(*user))
        visible[listed.source->name].append(listed.name);

    struct Gather
    {
        QJsonArray models;
        int pending = 0;
    };
    auto gather = std::make_shared<Gather>();
    gather->pending = int(nodes.size());
    QPointer<QTcpSocket> socket = ctx.socket();
    auto responder = std::make_shared<QHttpServerResponder>(std::move(ctx.responder()));
    auto finish = [socket, responder, gather] {
        if (socket)
            socket->write(Wire::jsonResponse(200, QJsonDocument(QJsonObject{{u"models"_s, gather->models}}).toJson(QJsonDocument::Compact)));
    };
    if (nodes.isEmpty())
        return finish();
    // Copies, as `visible`: the (node, model) pairs a restricted user may reach.
    const QList<NodeModelGrant> pairs = user->nodeModels;
    for (const Node *node : std::as_const(nodes)) {
        fetchJson(m_gateway, socket, *node, catalog->apiKey(node->id), QByteArrayLiteral("GET"),
                  QByteArrayLiteral("/api/ps"), {},
                  [gather, visible, finish, pairs, nodeId = node->id](int status, const QJsonObject &answer,
                                                                      const QString &) {
                      if (status == 200) {
                          for (const QJsonValue &value : answer.value("models"_L1).toArray()) {
                              QJsonObject entry = value.toObject();
                              if (!pairs.isEmpty()
                                  && !pairs.contains(NodeModelGrant{nodeId, entry.value("name"_L1).toString()}))
                                  continue;
                              for (const QString &name : visible.value(entry.value("name"_L1).toString())) {
                                  entry.insert(u"name"_s, name);
                                  entry.insert(u"model"_s, name);
                                  gather->models.append(entry);
                              }
                          }
                      }
                      if (--gather->pending == 0)
                          finish();
                  });
    }
}

void LlmController::manageModels(HttpContext &ctx, bool streams)
{
    const QByteArray token = ctx.bearerToken();
    const CatalogSnapshot catalog = m_gateway->catalog();
    if (!m_gateway->isAdminToken(token)) {
        if (!token.isEmpty() && catalog->userByTokenHash(Tokens::hash(token)))
            return ctx.fail(ApiError::forbidden(u"Changing the models on nodes needs the admin token"_s));
        return ctx.fail(ApiError::unauthorized(u"Missing or invalid admin token"_s));
    }
    auto parsed = ctx.jsonBody();
    if (!parsed.ok())
        return ctx.fail(parsed.error());
    QJsonObject body = NodeOperation::withRealNames(*catalog, parsed.value());
    if (!body.value("model"_L1).isString() && !body.value("name"_L1).isString()
        && !body.value("source"_L1).isString())
        return ctx.fail(ApiError::badRequest(u"\"model\" is required"_s));

    std::optional<qint64> only;
    if (const QString node = ctx.query(u"node"_s); !node.isEmpty()) {
        bool ok = false;
        only = node.toLongLong(&ok);
        if (!ok)
            return ctx.fail(ApiError::notFound(u"Node not found: %1"_s.arg(node)));
    }
    const auto targets = NodeOperation::targets(*catalog, only);
    if (!targets.ok())
        return ctx.fail(targets.error());
    const bool stream = streams && body.value("stream"_L1).toBool(true);
    if (streams)
        body.insert(u"stream"_s, stream);
    const QByteArray method = ctx.request().method() == QHttpServerRequest::Method::Delete
        ? QByteArrayLiteral("DELETE")
        : QByteArrayLiteral("POST");
    auto *operation = new NodeOperation(m_gateway, catalog, method, ctx.path(), body, stream, targets.value());
    new NodeOperationResponse(operation, std::move(ctx.responder()));
    operation->start();
}

} // namespace Maestro

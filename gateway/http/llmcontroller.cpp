#include "llmcontroller.h"
#include "counttokens.h"
#include "admission.h"
#include "gateway.h"
#include "httpwire.h"
#include "nodeoperation.h"
#include "nodeoperationresponse.h"
#include "proxycall.h"
#include "showanswer.h"
#include "core/modelpolicy.h"
#include "core/routeplanner.h"
#include "core/settings.h"
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

// A client's name as an error message quotes it: a body may hold megabytes of one.
QString quotedName(const QString &name)
{
    constexpr qsizetype Longest = 200;
    return name.size() <= Longest ? name : name.left(Longest) + u"…"_s;
}

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
    RoutePlanner routes = planner(*catalog);
    const QString sent = body.value("model"_L1).toString();
    // The seed's Anthropic model ids ("claude-<name>") name the model without their prefix; the
    // answer keeps the name the client sent.
    const QString requested = client.dialect() == Dialect::Anthropic ? routes.withoutClaudePrefix(sent) : sent;
    if (requested != sent)
        body.insert(u"model"_s, requested);
    auto planned = routes.plan(*user, requested, body);
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
    // Answers carry the name the client sent: an alias ("claude-<name>") or a pin
    // ("node:<node>:<model>") as it was written.
    plan.clientModel = sent;
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
    const RoutePlanner routes = planner(*catalog);
    const QString requested = routes.withoutClaudePrefix(parsed.value().value("model"_L1).toString());
    if (const auto access = routes.access(*user, requested); !access.ok())
        return ctx.fail(access.error());
    // An Anthropic node counts for itself.
    if (CountTokens::passThrough(m_gateway, ctx, *catalog, *user, requested, parsed.value()))
        return;
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

void LlmController::ollamaVersion(HttpContext &ctx)
{
    const CatalogSnapshot catalog = m_gateway->catalog();
    if (!m_gateway->ollamaVersionPublic() && !authenticate(ctx))
        return;
    ctx.sendJson(200, QJsonObject{{u"version"_s, Settings(catalog->settings()).string(u"ollama_version"_s)}});
}

namespace {

// Sends one small JSON request to a node and hands the parsed answer (or an error) back.
void fetchJson(Gateway *gateway, QObject *context, const Node &node, const QString &apiKey,
               const QList<QPair<QByteArray, QByteArray>> &nodeHeaders, const QByteArray &method, const QByteArray &path, const QJsonObject &body,
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
    addNodeHeaders(&request, nodeHeaders);
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
    // Ollama takes "model", and "name" from older clients.
    QJsonValue named = parsed.value().value("model"_L1);
    if (named.isUndefined() || named.isNull() || named == QJsonValue(QString()))
        named = parsed.value().value("name"_L1);
    if (!named.isUndefined() && !named.isNull() && !named.isString())
        return ctx.fail(ApiError::badRequest(u"\"model\" must be a string"_s));
    const QString requested = named.toString();
    if (requested.isEmpty())
        return ctx.fail(ApiError::badRequest(u"\"model\" is required"_s));
    const auto model = catalog->resolve(requested);
    if (!model)
        return ctx.fail(ApiError::notFound(u"Model '%1' is not available"_s.arg(quotedName(requested))));
    if (!catalog->mayUse(*user, model->display))
        return ctx.fail(ApiError::forbidden(u"You have no access to the model '%1'"_s.arg(model->display)));
    const QList<const Node *> nodes = catalog->nodesFor(*model, *user);
    if (nodes.isEmpty())
        return ctx.fail(ApiError::unavailable(u"No healthy node serves the model '%1' right now"_s.arg(model->display)));

    // Copies of what is known: the node's answer comes after this handler's snapshot may be gone.
    ShowAnswer::Known known;
    known.name = requested;
    if (model->mapping) {
        known.capabilities = model->mapping->capabilities;
        known.contextLength = model->mapping->contextLength;
    }
    const Node *node = nodes.first();
    for (const NodeModel &served : catalog->nodeModels()) {
        if (served.nodeId == node->id && served.name == model->real)
            known.nodeContextLength = served.details.value("context_length"_L1).toInteger();
    }
    // Other nodes have no /api/show: describe the model from what is known.
    if (!NodeAdapter::forType(node->type).hasOllamaApi())
        return ctx.sendJson(200, ShowAnswer::synthesized(known));
    QPointer<QTcpSocket> socket = ctx.socket();
    auto responder = std::make_shared<QHttpServerResponder>(std::move(ctx.responder()));
    const Dialect dialect = ctx.dialect();
    fetchJson(m_gateway, socket, *node, catalog->apiKey(node->id), catalog->nodeHeaders(node->id), QByteArrayLiteral("POST"),
              QByteArrayLiteral("/api/show"), QJsonObject{{u"model"_s, model->real}},
              [socket, responder, known, dialect](int status, const QJsonObject &answer, const QString &error) {
                  if (!socket)
                      return;
                  if (status == 200) {
                      socket->write(Wire::jsonResponse(
                          200, QJsonDocument(ShowAnswer::enriched(answer, known)).toJson(QJsonDocument::Compact)));
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
        fetchJson(m_gateway, socket, *node, catalog->apiKey(node->id), catalog->nodeHeaders(node->id), QByteArrayLiteral("GET"),
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

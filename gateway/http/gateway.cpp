#include "gateway.h"
#include "control.h"
#include "errorbody.h"
#include "guardedtcpserver.h"
#include "httpcontext.h"
#include "httpwire.h"
#include "llmcontroller.h"
#include "mailbox.h"
#include "routes.h"
#include "tlsidentity.h"
#include "core/tokens.h"
#include "providers/upstreamclient.h"
#include "storage/usagewriter.h"

#include <QHttpServer>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcGateway, "maestro.gateway")

namespace Maestro {

void GatewayShared::applyUpstreamTimeouts(const Node &node, UpstreamRequest *request) const
{
    const auto pick = [](int nodeSeconds, int gatewayMs) {
        return nodeSeconds > 0 ? nodeSeconds * 1000 : gatewayMs;
    };
    request->connectTimeoutMs = pick(node.connectTimeoutSeconds, upstreamConnectTimeoutMs.load());
    request->firstByteTimeoutMs = pick(node.firstByteTimeoutSeconds, upstreamFirstByteTimeoutMs.load());
    request->idleTimeoutMs = pick(node.idleTimeoutSeconds, upstreamIdleTimeoutMs.load());
}

Gateway::Gateway(GatewayConfig config, UsageWriter *usage, const Clock *clock, GatewayShared *shared,
                 QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_usage(usage)
    , m_clock(clock)
    , m_upstream(std::make_unique<UpstreamClient>())
    , m_shared(shared)
    , m_inbox(std::make_shared<Mailbox>(this))
{
    registerRoutes(m_router, this, new LlmController(this));
}

Gateway::~Gateway()
{
    // Admin answers still on their way are dropped; their clients are going with us.
    m_inbox->close();
    m_pendingAdmin.clear();
    // Calls log themselves when destroyed; do it while the gateway is still whole.
    const QSet<QObject *> calls = m_calls;
    for (QObject *call : calls)
        delete call;
    m_server.reset();
}

bool Gateway::listen(qintptr listeningDescriptor, QString *error)
{
    m_server = std::make_unique<QHttpServer>();
    m_server->setMissingHandler([this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        dispatch(request, std::move(responder));
    });
    m_tcp = new GuardedTcpServer(&m_shared->door, [this](const RequestParser::Head &head) { return refuseBeforeBody(head); });
    if (m_config.tls)
        m_tcp->setTls(m_config.tls->configuration);
    m_tcp->setRefusalNotice([this](const RequestParser::Head &head, int status, const QString &message) {
        logDoorRefusal(head, status, message);
    });
    if (!m_tcp->listenOn(listeningDescriptor)) {
        *error = u"cannot serve the socket listening on %1:%2: %3"_s.arg(m_config.address.toString()).arg(m_config.port).arg(m_tcp->errorString());
        delete m_tcp;
        m_tcp = nullptr;
        return false;
    }
    m_port = m_tcp->serverPort();
    m_server->bind(m_tcp);
    return true;
}

void Gateway::stopAccepting()
{
    if (m_tcp)
        m_tcp->stopListening();
}

bool Gateway::isAdminToken(const QByteArray &token) const
{
    return !m_config.adminToken.isEmpty() && Tokens::equal(token, m_config.adminToken);
}

void Gateway::callStarted(QObject *call)
{
    m_calls.insert(call);
    ++m_shared->activeCalls;
    Q_EMIT callsChanged(m_shared->activeCalls.load());
}

void Gateway::callEnded(QObject *call)
{
    if (!m_calls.remove(call))
        return;
    --m_shared->activeCalls;
    Q_EMIT callsChanged(m_shared->activeCalls.load());
}

void Gateway::dispatch(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    QTcpSocket *socket = responder.socket();
    // The body guard already refused this request and is closing the connection.
    if (!socket || socket->state() != QAbstractSocket::ConnectedState)
        return;
    const QString path = request.url().path();
    const Router::Match match = m_router.match(request.method(), path);
    const Dialect dialect = dialectForRequest(match.handler ? match.dialect : dialectForPath(path.toLatin1()),
                                              match.handler != nullptr, path.toLatin1(),
                                              !request.value(QByteArrayLiteral("anthropic-version")).isEmpty());
    HttpContext ctx(request, responder, dialect);
    if (!match.handler) {
        ApiError error = ApiError::noSuchEndpoint(u"No such endpoint: %1"_s.arg(path));
        if (match.pathKnown) {
            error = ApiError::badRequest(u"Method not allowed on %1"_s.arg(path));
            error.upstreamStatus = 405;
        }
        ctx.fail(error);
        return;
    }
    ctx.setParams(match.params);
    (*match.handler)(ctx);
    // Requests refused before reaching a node count in the metrics too (proxied ones record
    // themselves when they end).
    if (ctx.status() >= 400 && ctx.dialect() != Dialect::Admin) {
        RequestLogEntry entry;
        entry.endpoint = path;
        entry.statusCode = ctx.status();
        m_shared->metrics.record(entry, QString());
        // And in the request log, when the request named a user.
        const HttpContext::LogSubject &subject = ctx.logSubject();
        if (subject.userId) {
            entry.userId = subject.userId;
            entry.username = subject.username;
            entry.model = subject.model;
            entry.dialect = dialectName(ctx.dialect());
            entry.durationMs = ctx.elapsedMs();
            const std::optional<ApiError> &failure = ctx.failure();
            entry.reason = !subject.reason.isEmpty() ? subject.reason
                : failure                           ? failure->logReason()
                                                    : u"refused"_s;
            entry.errorMessage = failure ? failure->message : QString();
            logRefusal(entry);
        }
    }
}

Gateway::TokenOwner Gateway::tokenOwner(const Catalog &catalog, const QByteArray &token)
{
    if (token.isEmpty())
        return {};
    const QByteArray digest = Tokens::hash(token);
    if (const User *user = catalog.userByTokenHash(digest))
        return {user->id, user->username, QString()};
    if (const RevokedToken *revoked = catalog.revokedToken(digest)) {
        const User *user = catalog.user(revoked->username);
        const bool deleted = !user || user->id != revoked->userId;
        return {revoked->userId, revoked->username, deleted ? u"user_deleted"_s : u"token_revoked"_s};
    }
    return {};
}

void Gateway::logRefusal(RequestLogEntry entry)
{
    if (!entry.userId || !m_usage)
        return;
    // Parts of a refusal message can come from the request (a model name): kept short.
    if (entry.errorMessage.size() > 300)
        entry.errorMessage = entry.errorMessage.left(300) + u'…';
    if (entry.model.size() > 200)
        entry.model = entry.model.left(200);
    entry.createdAt = m_clock->nowUtc();
    logRequest(std::move(entry));
}

void Gateway::logRequest(RequestLogEntry entry)
{
    // The live log shows what the request log holds: not the refusals the writer's cap leaves out.
    if (!m_usage || m_usage->enqueue(entry, &entry.suppressed))
        m_shared->logStream.publish(entry);
    Q_EMIT requestLogged(entry);
}

namespace {

// The token of a request head: the bearer token, or for the Anthropic endpoints x-api-key.
QByteArray headToken(const RequestParser::Head &head, Dialect dialect)
{
    const QByteArray authorization = head.value("authorization");
    if (authorization.size() > 7 && authorization.left(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        return authorization.mid(7).trimmed();
    if (dialect == Dialect::Anthropic)
        return head.value("x-api-key");
    return {};
}

QString headPath(const RequestParser::Head &head)
{
    const qsizetype query = head.target.indexOf('?');
    return QUrl::fromEncoded(query < 0 ? head.target : head.target.left(query)).path();
}

} // namespace

void Gateway::logDoorRefusal(const RequestParser::Head &head, int status, const QString &message)
{
    const QString path = headPath(head);
    const Dialect dialect = dialectForPath(path.toLatin1());
    if (dialect == Dialect::Admin)
        return;
    const QByteArray token = headToken(head, dialect);
    if (token.isEmpty() || isAdminToken(token))
        return;
    const CatalogSnapshot snapshot = catalog();
    const TokenOwner owner = tokenOwner(*snapshot, token);
    RequestLogEntry entry;
    entry.userId = owner.userId;
    entry.username = owner.username;
    entry.endpoint = path;
    entry.dialect = dialectName(dialect);
    entry.statusCode = status;
    entry.reason = status == 413 ? u"body_too_large"_s : u"refused"_s;
    entry.errorMessage = message;
    logRefusal(entry);
}

QByteArray Gateway::refuseBeforeBody(const RequestParser::Head &head)
{
    // The same decisions the handlers make (they check again), taken before any of the body is
    // read: a client without a valid token cannot make the gateway buffer its body.
    static const QHash<QByteArray, QHttpServerRequest::Method> methods{
        {"GET", QHttpServerRequest::Method::Get},         {"PUT", QHttpServerRequest::Method::Put},
        {"DELETE", QHttpServerRequest::Method::Delete},   {"POST", QHttpServerRequest::Method::Post},
        {"HEAD", QHttpServerRequest::Method::Head},       {"OPTIONS", QHttpServerRequest::Method::Options},
        {"PATCH", QHttpServerRequest::Method::Patch},
    };
    const QString path = headPath(head);
    const auto method = methods.constFind(head.method);
    const Router::Match match = method == methods.cend() ? Router::Match{} : m_router.match(*method, path);
    if (!match.handler) {
        // Without a body the handler's 404/405 costs nothing; with one, it is refused before the
        // body is read, so no route can make the gateway buffer a body it will not use.
        if (!head.hasBody())
            return {};
        ApiError error = ApiError::noSuchEndpoint(u"No such endpoint: %1"_s.arg(path));
        if (match.pathKnown) {
            error = ApiError::badRequest(u"Method not allowed on %1"_s.arg(path));
            error.upstreamStatus = 405;
        }
        return errorResponse(dialectForRequest(dialectForPath(path.toLatin1()), false, path.toLatin1(),
                                               !head.value("anthropic-version").isEmpty()),
                             error);
    }
    const Dialect dialect = dialectForRequest(match.dialect, true, path.toLatin1(),
                                              !head.value("anthropic-version").isEmpty());
    const bool adminArea = path.startsWith("/admin/"_L1);
    // The probes (/, /health, /metrics, /claude/, and /api/version when the setting opens it)
    // answer without a token, and take no body.
    const bool openVersion = path == "/api/version"_L1 && m_shared->ollamaVersionPublic.load();
    if (!adminArea && (dialect == Dialect::Admin || path == "/claude/"_L1 || openVersion)) {
        if (head.hasBody())
            return errorResponse(dialect, ApiError::badRequest(u"%1 takes no request body"_s.arg(path)));
        return {};
    }
    const QByteArray token = headToken(head, dialect);
    if (token.isEmpty()) {
        const QString message = adminArea ? u"Missing authorization header"_s
            : dialect == Dialect::Anthropic
                ? u"Missing API key: send \"Authorization: Bearer <token>\" or \"x-api-key: <token>\""_s
                : u"Missing bearer token: send \"Authorization: Bearer <token>\""_s;
        return errorResponse(dialect, ApiError::unauthorized(message));
    }
    // Whether a valid token may use the route (admin token on the admin API, 403) stays the
    // handlers' decision.
    if (isAdminToken(token))
        return {};
    // The admin API answers a wrong token 403, as its handlers do, before any body is read.
    if (adminArea)
        return errorResponse(dialect, ApiError::forbidden(u"Invalid admin token"_s));
    const CatalogSnapshot catalog = m_shared->catalog();
    const TokenOwner owner = tokenOwner(*catalog, token);
    if (!owner.userId || !owner.revoked.isEmpty()) {
        // A token that once was a user's is logged under that user (a client left with an old
        // token shows up in the log); one never known is not logged at all.
        RequestLogEntry entry;
        entry.userId = owner.userId;
        entry.username = owner.username;
        entry.endpoint = path;
        entry.dialect = dialectName(dialect);
        entry.statusCode = 401;
        entry.reason = owner.revoked;
        entry.errorMessage = u"Invalid or expired token"_s;
        logRefusal(entry);
        return errorResponse(dialect, ApiError::unauthorized(u"Invalid or expired token"_s));
    }
    return {};
}

void Gateway::serveMetrics(HttpContext &ctx)
{
    if (!m_shared->metricsPublic && !isAdminToken(ctx.bearerToken())) {
        ctx.fail(ctx.bearerToken().isEmpty() ? ApiError::unauthorized(u"Missing authorization header"_s)
                                             : ApiError::forbidden(u"Invalid admin token"_s));
        return;
    }
    Metrics::Gauges gauges;
    gauges.activeRequests = m_shared->activeCalls.load();
    const CatalogSnapshot catalog = this->catalog();
    for (const Node &node : catalog->nodes())
        gauges.nodes.append({node.name, node.active && node.health == Health::Healthy, balancer().active(node.id)});
    ctx.send(Wire::fullResponse(200, "text/plain; version=0.0.4; charset=utf-8", m_shared->metrics.render(gauges)));
}

void Gateway::requestNodeCheck(qint64 nodeId)
{
    if (const std::shared_ptr<ControlPort> control = m_shared->control)
        control->call([nodeId](Control *c) { c->checkNode(nodeId, c, [](bool, QString) {}); });
}

bool Gateway::checkAdmin(HttpContext &ctx)
{
    const QByteArray token = ctx.bearerToken();
    if (token.isEmpty()) {
        ctx.fail(ApiError::unauthorized(u"Missing authorization header"_s));
        return false;
    }
    if (!isAdminToken(token)) {
        ctx.fail(ApiError::forbidden(u"Invalid admin token"_s));
        return false;
    }
    return true;
}

void Gateway::forwardAdmin(HttpContext &ctx, AdminHandler handler)
{
    if (!checkAdmin(ctx))
        return;
    const std::shared_ptr<ControlPort> control = m_shared->control;
    if (!control)
        return ctx.fail(ApiError::unavailable(u"The gateway is stopping"_s));
    if (++m_shared->adminQueued > MaxQueuedAdminRequests) {
        --m_shared->adminQueued;
        return ctx.fail(ApiError::unavailable(
            u"Too many admin requests are waiting for the gateway's database; try again later"_s));
    }
    AdminRequest request;
    request.method = ctx.request().method();
    request.path = ctx.request().url().path();
    request.params = ctx.params();
    request.query = ctx.request().query();
    request.body = ctx.request().body();
    const quint64 ticket = ++m_lastTicket;
    // Runs on the control thread: it only queues the event back to this thread, where it is
    // handled while this gateway lives (the mailbox drops it afterwards).
    AdminReply reply([inbox = m_inbox, this, ticket](AdminReply::Event event, const QByteArray &response) {
        inbox->post([this, ticket, event, response] { onAdminReply(ticket, event, response); });
    });
    const bool posted = control->call([request = std::move(request), reply, handler = std::move(handler)](Control *c) mutable {
        c->runAdmin(std::move(request), reply, handler);
    });
    if (!posted) {
        --m_shared->adminQueued;
        return ctx.fail(ApiError::unavailable(u"The gateway is stopping"_s));
    }
    PendingAdmin &pending = m_pendingAdmin[ticket];
    pending.path = ctx.request().url().path();
    pending.socket = ctx.socket();
    pending.responder = std::make_shared<QHttpServerResponder>(std::move(ctx.responder()));
    pending.timer = new QTimer(this);
    pending.timer->setSingleShot(true);
    connect(pending.timer, &QTimer::timeout, this, [this, ticket] { adminTimedOut(ticket); });
    pending.timer->start(m_config.adminTimeoutMs);
}

void Gateway::onAdminReply(quint64 ticket, AdminReply::Event event, const QByteArray &response)
{
    const auto it = m_pendingAdmin.find(ticket);
    if (it == m_pendingAdmin.end())
        return; // answered 503 already
    switch (event) {
    case AdminReply::Event::Waiting:
        it->timer->stop();
        return;
    case AdminReply::Event::Resumed:
        it->timer->start(m_config.adminTimeoutMs);
        return;
    case AdminReply::Event::Answer:
        break;
    }
    const PendingAdmin pending = *it;
    m_pendingAdmin.erase(it);
    delete pending.timer;
    if (pending.socket && pending.socket->state() == QAbstractSocket::ConnectedState)
        pending.socket->write(response);
}

void Gateway::adminTimedOut(quint64 ticket)
{
    const auto it = m_pendingAdmin.find(ticket);
    if (it == m_pendingAdmin.end())
        return;
    const PendingAdmin pending = *it;
    m_pendingAdmin.erase(it);
    pending.timer->deleteLater(); // its timeout() is running
    const int ms = m_config.adminTimeoutMs;
    const QString waited = ms % 1000 == 0 ? u"%1 s"_s.arg(ms / 1000) : u"%1 ms"_s.arg(ms);
    qCWarning(lcGateway).noquote()
        << u"the admin request for %1 got no answer within %2; is the database reachable?"_s.arg(pending.path, waited);
    if (pending.socket && pending.socket->state() == QAbstractSocket::ConnectedState) {
        pending.socket->write(errorResponse(
            Dialect::Admin,
            ApiError::unavailable(u"No answer within %1: the gateway's database is not responding (a change may still be applied once it does)"_s.arg(waited))));
    }
}

} // namespace Maestro

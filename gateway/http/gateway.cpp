#include "gateway.h"
#include "admincontroller.h"
#include "errorbody.h"
#include "guardedtcpserver.h"
#include "httpcontext.h"
#include "httpwire.h"
#include "llmcontroller.h"
#include "nodejobs.h"
#include "routes.h"
#include "core/settings.h"
#include "core/tokens.h"
#include "providers/nodeprober.h"
#include "providers/upstreamclient.h"
#include "storage/usagewriter.h"

#include <QHttpServer>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcGateway, "maestro.gateway")

namespace Maestro {

Gateway::Gateway(GatewayConfig config, Store *store, SecretStore *secrets, UsageWriter *usage,
                 const Clock *clock, GatewayShared *shared, bool primary, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_store(store)
    , m_secrets(secrets)
    , m_usage(usage)
    , m_clock(clock)
    , m_admin(std::make_unique<AdminService>(store, secrets))
    , m_upstream(std::make_unique<UpstreamClient>())
    , m_prober(std::make_unique<NodeProber>(m_upstream.get()))
    , m_jobs(std::make_unique<NodeJobs>(this, m_config.backgroundDeferLimitMs))
    , m_ownShared(shared ? nullptr : std::make_unique<GatewayShared>(clock))
    , m_shared(shared ? shared : m_ownShared.get())
    , m_primary(primary)
{
    m_uptime.start();
    if (m_primary)
        m_shared->primary = this;
    connect(m_admin.get(), &AdminService::changed, this, &Gateway::reload);
    registerRoutes(m_router, this, new LlmController(this), new AdminController(this));
    m_healthTimer.setTimerType(Qt::VeryCoarseTimer);
    connect(&m_healthTimer, &QTimer::timeout, this, &Gateway::checkAllNodes);
    connect(&m_configTimer, &QTimer::timeout, this, &Gateway::pollConfigVersion);
    if (m_primary) {
        reload();
        Limiter &counters = m_shared->limiter;
        const QDate day = counters.currentDay();
        const auto usage = m_store->usageOn(day);
        counters.restore(day, usage);
        if (m_store->isShared()) {
            m_store->seedCounters(day, usage);
            counters.shareCounters(m_store, [writer = m_usage](std::function<void(Store *)> work) {
                return writer && writer->post(std::move(work)); // the usage writer owns a connection
            });
        }
    }
}

Gateway::~Gateway()
{
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
    if (!m_tcp->listenOn(listeningDescriptor)) {
        *error = u"cannot serve the socket listening on %1:%2: %3"_s.arg(m_config.address.toString()).arg(m_config.port).arg(m_tcp->errorString());
        delete m_tcp;
        m_tcp = nullptr;
        return false;
    }
    m_port = m_tcp->serverPort();
    m_server->bind(m_tcp);
    scheduleHealthChecks();
    if (m_primary)
        m_jobs->startSchedule();
    if (m_primary && m_store->isShared() && m_config.configPollMs > 0)
        m_configTimer.start(m_config.configPollMs);
    return true;
}

void Gateway::stopAccepting()
{
    m_healthTimer.stop();
    m_configTimer.stop();
    m_jobs->stop();
    if (m_tcp)
        m_tcp->stopListening();
}

namespace {

WarmupSettings readWarmupSettings(const Settings &settings, int secondMs)
{
    WarmupSettings warmup;
    bool ok = false;
    const qint64 seconds = settings.integer(u"warmup_interval_seconds"_s);
    if (seconds > 0)
        warmup.intervalMs = int(std::min<qint64>(seconds * secondMs, std::numeric_limits<int>::max()));
    // Ollama takes a duration ("30m") or a number of seconds (-1: until it needs the memory).
    const QString keepAlive = settings.string(u"warmup_keep_alive"_s).trimmed();
    const qint64 keepSeconds = keepAlive.toLongLong(&ok);
    if (ok)
        warmup.keepAlive = double(keepSeconds);
    else
        warmup.keepAlive = keepAlive.isEmpty() ? u"30m"_s : keepAlive;
    return warmup;
}

} // namespace

bool Gateway::reload()
{
    // Taken before reading: a reload that started earlier but finishes later does not replace
    // what this one publishes.
    const quint64 generation = m_shared->beginLoad();
    QString error;
    const std::shared_ptr<const Catalog> catalog = Catalog::load(*m_store, m_secrets, &error);
    if (!catalog) {
        qCCritical(lcGateway).noquote() << "cannot read the configuration, the gateway goes on with the one it has:"
                                        << error;
        return false;
    }
    const Settings settings(catalog->settings());
    const RoutingStrategy strategy =
        routingStrategyFromName(settings.string(u"routing_strategy"_s)).value_or(RoutingStrategy::LeastBusy);
    const bool published = m_shared->publish(catalog, generation, strategy, [&] {
        // Read in the same transaction as the catalog: the poll sees a change made meanwhile as
        // a newer version, and after a failed load it tries again.
        if (m_store->isShared())
            m_shared->configVersion = catalog->configVersion();
        FrontDoorShared &door = m_shared->door;
        door.maxBodyBytes = settings.integer(u"max_body_bytes"_s);
        door.maxHeaderBytes = settings.integer(u"max_header_bytes"_s);
        door.maxHeaderFields = int(settings.integer(u"max_header_fields"_s));
        door.headerTimeoutMs = int(settings.integer(u"client_header_timeout_seconds"_s) * 1000);
        door.bodyTimeoutMs = int(settings.integer(u"client_body_timeout_seconds"_s) * 1000);
        door.keepAliveTimeoutMs = int(settings.integer(u"keepalive_timeout_seconds"_s) * 1000);
        door.sendTimeoutMs = int(settings.integer(u"send_timeout_seconds"_s) * 1000);
        door.maxConnections = int(settings.integer(u"max_connections"_s));
        m_shared->healthFailureThreshold = int(settings.integer(u"health_failure_threshold"_s));
        m_shared->metricsPublic = settings.flag(u"metrics_public"_s);
        m_shared->upstreamConnectTimeoutMs = int(settings.integer(u"upstream_connect_timeout_seconds"_s) * 1000);
        m_shared->upstreamFirstByteTimeoutMs = int(settings.integer(u"upstream_first_byte_timeout_seconds"_s) * 1000);
        m_shared->upstreamIdleTimeoutMs = int(settings.integer(u"upstream_idle_timeout_seconds"_s) * 1000);
        m_shared->maxUpstreamBodyBytes = settings.integer(u"max_upstream_body_bytes"_s);
        m_shared->maxUpstreamLineBytes = settings.integer(u"max_upstream_line_bytes"_s);
        const int interval = int(settings.integer(u"health_check_interval_seconds"_s));
        if (m_shared->healthIntervalSeconds.exchange(interval) != interval && m_shared->primary)
            QMetaObject::invokeMethod(m_shared->primary, &Gateway::scheduleHealthChecks, Qt::QueuedConnection);
        m_shared->setWarmup(readWarmupSettings(settings, m_config.warmupSecondMs));
    });
    if (published)
        Q_EMIT catalogReloaded();
    return true;
}

int Gateway::healthIntervalMs() const
{
    return m_config.healthIntervalMs >= 0 ? m_config.healthIntervalMs
                                          : m_shared->healthIntervalSeconds.load() * 1000;
}

void Gateway::scheduleHealthChecks()
{
    const int interval = healthIntervalMs();
    if (m_primary && m_tcp && m_tcp->isListening() && interval > 0)
        m_healthTimer.start(interval);
    else
        m_healthTimer.stop();
}

void Gateway::applyUpstreamTimeouts(const Node &node, UpstreamRequest *request) const
{
    const auto pick = [](int nodeSeconds, int gatewayMs) {
        return nodeSeconds > 0 ? nodeSeconds * 1000 : gatewayMs;
    };
    request->connectTimeoutMs = pick(node.connectTimeoutSeconds, m_shared->upstreamConnectTimeoutMs.load());
    request->firstByteTimeoutMs = pick(node.firstByteTimeoutSeconds, m_shared->upstreamFirstByteTimeoutMs.load());
    request->idleTimeoutMs = pick(node.idleTimeoutSeconds, m_shared->upstreamIdleTimeoutMs.load());
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
    HttpContext ctx(request, responder, match.handler ? match.dialect : dialectForPath(path.toLatin1()));
    if (!match.handler) {
        ApiError error = ApiError::notFound(u"No such endpoint: %1"_s.arg(path));
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
    }
}

QByteArray Gateway::refuseBeforeBody(const RequestParser::Head &head) const
{
    // The same decisions the handlers make (they check again), taken before any of the body is
    // read: a client without a valid token cannot make the gateway buffer its body.
    static const QHash<QByteArray, QHttpServerRequest::Method> methods{
        {"GET", QHttpServerRequest::Method::Get},         {"PUT", QHttpServerRequest::Method::Put},
        {"DELETE", QHttpServerRequest::Method::Delete},   {"POST", QHttpServerRequest::Method::Post},
        {"HEAD", QHttpServerRequest::Method::Head},       {"OPTIONS", QHttpServerRequest::Method::Options},
        {"PATCH", QHttpServerRequest::Method::Patch},
    };
    const qsizetype query = head.target.indexOf('?');
    const QString path = QUrl::fromEncoded(query < 0 ? head.target : head.target.left(query)).path();
    const auto method = methods.constFind(head.method);
    const Router::Match match = method == methods.cend() ? Router::Match{} : m_router.match(*method, path);
    if (!match.handler) {
        // Without a body the handler's 404/405 costs nothing; with one, it is refused before the
        // body is read, so no route can make the gateway buffer a body it will not use.
        if (!head.hasBody())
            return {};
        ApiError error = ApiError::notFound(u"No such endpoint: %1"_s.arg(path));
        if (match.pathKnown) {
            error = ApiError::badRequest(u"Method not allowed on %1"_s.arg(path));
            error.upstreamStatus = 405;
        }
        return errorResponse(dialectForPath(path.toLatin1()), error);
    }
    const bool adminArea = path.startsWith("/admin/"_L1);
    // The probes (/, /health, /metrics, /claude/) answer without a token, and take no body.
    if (!adminArea && (match.dialect == Dialect::Admin || path == "/claude/"_L1)) {
        if (head.hasBody())
            return errorResponse(match.dialect, ApiError::badRequest(u"%1 takes no request body"_s.arg(path)));
        return {};
    }
    QByteArray token;
    const QByteArray authorization = head.value("authorization");
    if (authorization.size() > 7 && authorization.left(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        token = authorization.mid(7).trimmed();
    else if (match.dialect == Dialect::Anthropic)
        token = head.value("x-api-key");
    if (token.isEmpty()) {
        const QString message = adminArea ? u"Missing authorization header"_s
            : match.dialect == Dialect::Anthropic
                ? u"Missing API key: send \"Authorization: Bearer <token>\" or \"x-api-key: <token>\""_s
                : u"Missing bearer token: send \"Authorization: Bearer <token>\""_s;
        return errorResponse(match.dialect, ApiError::unauthorized(message));
    }
    // Whether a valid token may use the route (admin token on the admin API, 403) stays the
    // handlers' decision.
    if (isAdminToken(token))
        return {};
    // The admin API answers a wrong token 403, as its handlers do, before any body is read.
    if (adminArea)
        return errorResponse(match.dialect, ApiError::forbidden(u"Invalid admin token"_s));
    const CatalogSnapshot catalog = m_shared->catalog();
    if (!catalog->userByTokenHash(Tokens::hash(token)))
        return errorResponse(match.dialect, ApiError::unauthorized(u"Invalid or expired token"_s));
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

void Gateway::checkNode(qint64 id, QObject *context, std::function<void(bool, QString)> done, bool periodic,
                        bool busy)
{
    const auto node = m_store->node(id);
    if (!node) {
        done(false, u"Node not found"_s);
        return;
    }
    QString apiKey;
    if (node->hasApiKey)
        apiKey = m_secrets->read(u"node/%1/api_key"_s.arg(id)).value_or(QString());
    QPointer<QObject> guard(context);
    m_prober->setMaxBodyBytes(maxUpstreamBodyBytes());
    m_prober->probe(*node, apiKey, this, [this, id, guard, done, periodic, busy, name = node->name, was = node->health](const NodeProber::Outcome &outcome) {
        if (busy && !outcome.ok) {
            qCInfo(lcGateway).noquote() << "probe of node" << name << "failed while it served requests; not counted:" << outcome.error;
            if (guard)
                done(false, outcome.error);
            return;
        }
        QStringList discovered;
        if (outcome.ok) {
            // Discovery: write only when the list changed, so periodic checks stay cheap.
            QList<NodeModel> current;
            const CatalogSnapshot catalog = this->catalog();
            for (const NodeModel &model : catalog->nodeModels()) {
                if (model.nodeId == id)
                    current.append(model);
            }
            bool same = current.size() == outcome.models.size();
            for (qsizetype i = 0; same && i < current.size(); ++i)
                same = current.at(i).name == outcome.models.at(i).name && current.at(i).digest == outcome.models.at(i).digest;
            if (!same) {
                for (const NodeModel &model : outcome.models) {
                    const bool known = std::any_of(current.cbegin(), current.cend(), [&](const NodeModel &m) {
                        return m.name == model.name && m.digest == model.digest;
                    });
                    if (!known)
                        discovered.append(model.name);
                }
                m_admin->recordNodeModels(id, outcome.models);
            }
        }
        const int failures = m_shared->noteProbe(id, outcome.ok);
        Health health = outcome.ok ? Health::Healthy : Health::Unhealthy;
        if (periodic && !outcome.ok && was == Health::Healthy && failures < m_shared->healthFailureThreshold)
            health = Health::Healthy; // one lost probe does not take a working node out
        m_admin->recordNodeHealth(id, health, outcome.error);
        if (was != Health::Unknown && was != health)
            Q_EMIT nodeHealthChanged(id, name, health == Health::Healthy);
        if (!outcome.ok)
            qCWarning(lcGateway).noquote() << "node" << name << "is unhealthy:" << outcome.error;
        m_jobs->queueWarmup(id, discovered);
        if (guard)
            done(outcome.ok, outcome.error);
    });
}

void Gateway::pollConfigVersion()
{
    const qint64 version = m_store->configVersion();
    if (version >= 0 && version != m_shared->configVersion.load())
        reload();
}

void Gateway::checkAllNodes()
{
    m_jobs->probeAll();
}

} // namespace Maestro

#pragma once

#include "core/balancer.h"
#include "core/catalog.h"
#include "core/clock.h"
#include "core/limiter.h"
#include "core/metrics.h"
#include "frontdoor.h"
#include "logstream.h"
#include "router.h"
#include "admin/admincontext.h"

#include <QDateTime>
#include <QHostAddress>
#include <QJsonValue>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>

class QHttpServer;

namespace Maestro {

class AdminApi;
class ControlPort;
class GuardedTcpServer;
class Mailbox;
class UpstreamClient;
class UsageWriter;
struct UpstreamRequest;
struct TlsIdentity;

struct GatewayConfig
{
    int ioThreads = 0; // threads serving HTTP; 0: one per core, at most 8
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 8000;
    QByteArray adminToken;
    // How often nodes are checked: -1 as the health_check_interval_seconds setting says, 0 never,
    // otherwise every this many milliseconds whatever the setting (tests use short intervals).
    int healthIntervalMs = -1;
    // With a database several gateways share: how often to look for their config changes.
    int configPollMs = 2000;
    // Background work on a node (periodic probe, warmup) waits while the node has requests in
    // flight, but no longer than this.
    int backgroundDeferLimitMs = 60'000;
    // How long one second of the warmup_interval_seconds setting lasts (tests shorten it).
    int warmupSecondMs = 1000;
    // How long an admin request may wait for the control thread (its database work) before it
    // is answered 503; the time a handler waits on nodes does not count.
    int adminTimeoutMs = 30'000;
    // Serve HTTPS with this certificate and key (null: plain HTTP). See GuardedTcpServer.
    std::shared_ptr<const TlsIdentity> tls;
    // Where the process keeps its data, for GET /admin/status (empty when unknown).
    QString dataDir;
    // The live request log (GET /admin/request-logs/stream): subscribers and their queues (see
    // LogStreamHub), how much may wait unsent on one connection, and the heartbeat comment.
    LogStreamHub::Limits logStream;
    qint64 logStreamMaxUnsent = LogStreamSubscriber::DefaultMaxUnsent;
    int logStreamHeartbeatMs = 15'000;
};

// Who this gateway is, for GET /admin/status: set once at start, read-only afterwards.
struct InstanceInfo
{
    QString id; // a new UUID per start
    QDateTime startedAt;
    QString database; // "sqlite" or "postgresql"
    QString dataDir;
    QString dataDirId; // a stable digest of the data dir's path
    int ioThreads = 0;
};

// How model warmup runs, from the settings (see Gateway::reload).
struct WarmupSettings
{
    int intervalMs = 0; // 0: no scheduled warmup
    QJsonValue keepAlive;
};

// What every I/O thread of the gateway and its control thread share: the current catalog
// (swapped whole, under a mutex held only to copy a pointer), routing state, the limit counters
// and the way to the control thread.
class GatewayShared
{
public:
    explicit GatewayShared(const Clock *clock) : limiter(clock) {}

    // Until a first load succeeds: an empty catalog (nobody is let in), never a null one.
    [[nodiscard]] CatalogSnapshot catalog() const
    {
        QMutexLocker lock(&m_mutex);
        return m_catalog;
    }
    RoutingStrategy strategy() const
    {
        QMutexLocker lock(&m_mutex);
        return m_strategy;
    }
    // Catalog loads run on the control thread, one after the other; should two ever overlap
    // (a load on another thread), they could finish out of order. A load takes a generation
    // before it reads; publish() installs its catalog only if no load that started later has
    // published yet, and then runs `apply` (what else came from the same read, such as settings)
    // under the same lock, so a stale load changes nothing.
    quint64 beginLoad() { return ++m_loadGeneration; }
    bool publish(std::shared_ptr<const Catalog> catalog, quint64 generation, RoutingStrategy strategy,
                 const std::function<void()> &apply = {})
    {
        QMutexLocker order(&m_publishMutex);
        if (generation <= m_publishedGeneration)
            return false;
        m_publishedGeneration = generation;
        if (apply)
            apply();
        QMutexLocker lock(&m_mutex);
        m_catalog = std::move(catalog);
        m_strategy = strategy;
        return true;
    }
    quint64 publishedGeneration() const
    {
        QMutexLocker order(&m_publishMutex);
        return m_publishedGeneration;
    }

    Balancer balancer;
    Limiter limiter;
    Metrics metrics;
    std::atomic<int> activeCalls{0};
    FrontDoorShared door; // limits and timeouts of the client connections, and their count
    std::atomic<int> healthFailureThreshold{2};
    std::atomic<bool> metricsPublic{false};
    std::atomic<bool> ollamaVersionPublic{false}; // GET /api/version without a token
    std::atomic<int> healthIntervalSeconds{0}; // of the periodic node checks; 0: none
    // The upstream_* settings: read per request, so a change applies to the next one.
    std::atomic<int> upstreamConnectTimeoutMs{10'000};
    std::atomic<int> upstreamFirstByteTimeoutMs{300'000};
    std::atomic<int> upstreamIdleTimeoutMs{120'000};
    std::atomic<qint64> maxUpstreamBodyBytes{64 * 1024 * 1024};
    std::atomic<qint64> maxUpstreamLineBytes{16 * 1024 * 1024};
    std::atomic<qint64> configVersion{-1}; // of the published catalog, with a shared store
    // The way to the control thread; set before the I/O threads start, reset after they ended.
    std::shared_ptr<ControlPort> control;
    // Admin requests posted to the control thread whose handler has not run yet (or still runs).
    std::atomic<int> adminQueued{0};
    LogStreamHub logStream; // the live request log's subscribers
    InstanceInfo instance; // written before the I/O threads start

    // Sets the request's connect, first-byte and idle timeouts: the node's own where it has
    // them, the upstream_*_timeout_seconds settings otherwise.
    void applyUpstreamTimeouts(const Node &node, UpstreamRequest *request) const;

    WarmupSettings warmup() const
    {
        QMutexLocker lock(&m_mutex);
        return m_warmup;
    }
    void setWarmup(WarmupSettings warmup)
    {
        QMutexLocker lock(&m_mutex);
        m_warmup = std::move(warmup);
    }

    // Consecutive failed periodic probes per node.
    int noteProbe(qint64 nodeId, bool ok)
    {
        QMutexLocker lock(&m_mutex);
        if (ok) {
            m_probeFailures.remove(nodeId);
            return 0;
        }
        return ++m_probeFailures[nodeId];
    }

private:
    mutable QMutex m_mutex;
    std::shared_ptr<const Catalog> m_catalog = std::make_shared<const Catalog>();
    mutable QMutex m_publishMutex; // orders publishes; taken before m_mutex
    quint64 m_publishedGeneration = 0;
    std::atomic<quint64> m_loadGeneration{0};
    RoutingStrategy m_strategy = RoutingStrategy::LeastBusy;
    QHash<qint64, int> m_probeFailures;
    WarmupSettings m_warmup;
};

// The gateway on one I/O thread: HTTP server, route table, upstream client. Several of these
// share one port and one GatewayShared (see GatewayThread); everything in one object runs on its
// thread. It serves LLM requests from the published catalog and never touches the database:
// admin requests are checked here, then run on the control thread (forwardAdmin), and the
// answer comes back to be written.
class Gateway final : public QObject
{
    Q_OBJECT

public:
    Gateway(GatewayConfig config, UsageWriter *usage, const Clock *clock, GatewayShared *shared,
            QObject *parent = nullptr);
    ~Gateway() override;

    // Serves a dup() of `listeningDescriptor`, a socket bound and listening already (one per
    // process, see ListenSocket); the caller keeps and closes its own descriptor.
    bool listen(qintptr listeningDescriptor, QString *error);
    quint16 port() const { return m_port; }
    // Stops accepting connections; running requests go on.
    void stopAccepting();
    int activeCalls() const { return int(m_calls.size()); }
    int activeCallsTotal() const { return m_shared->activeCalls.load(); } // all I/O threads

    // The current catalog, held: see the lifetime rule in catalog.h.
    [[nodiscard]] CatalogSnapshot catalog() const { return m_shared->catalog(); }

    const GatewayConfig &config() const { return m_config; }
    UpstreamClient *upstream() const { return m_upstream.get(); }
    Balancer &balancer() { return m_shared->balancer; }
    Limiter &limiter() { return m_shared->limiter; }
    Metrics &metrics() { return m_shared->metrics; }
    // GET /metrics: Prometheus text; admin token unless the metrics_public setting is true.
    void serveMetrics(HttpContext &ctx);
    // The ollama_version_public setting: GET /api/version answers without a token.
    bool ollamaVersionPublic() const { return m_shared->ollamaVersionPublic.load(); }
    UsageWriter *usage() const { return m_usage; }
    WarmupSettings warmupSettings() const { return m_shared->warmup(); }
    const Clock *clock() const { return m_clock; }
    RoutingStrategy routingStrategy() const { return m_shared->strategy(); }

    bool isAdminToken(const QByteArray &token) const;
    // The admin token check of the admin routes served on the I/O thread: false after answering
    // 401 or 403.
    bool checkAdmin(HttpContext &ctx);

    // Whom a user token names: its user, or the user it was taken from (rotated, or the user
    // deleted; `revoked` then says which). userId 0: a token never known.
    struct TokenOwner
    {
        qint64 userId = 0;
        QString username;
        QString revoked; // "token_revoked" or "user_deleted"; empty for a valid token
    };
    static TokenOwner tokenOwner(const Catalog &catalog, const QByteArray &token);

    // Hands a finished request's entry to the usage log, to the live log's subscribers and to
    // requestLogged. Every entry of the request log goes through here.
    void logRequest(RequestLogEntry entry);

    // GET /admin/status (admin token): who this gateway is and how it is doing, answered on the
    // I/O thread from memory (no database), so an attaching client learns it even while the
    // database is slow.
    void serveStatus(HttpContext &ctx);
    // GET /admin/request-logs/stream (admin token): the live request log as server-sent events.
    void streamRequestLogs(HttpContext &ctx);

    // Logs a request refused before it went to a node, with no tokens. Only for a known user:
    // a request with no token or an unknown one logs nothing, or anyone could fill the log (and
    // UsageWriter caps a known user's refusals). Sets the time.
    void logRefusal(RequestLogEntry entry);

    // Sets the request's connect, first-byte and idle timeouts: the node's own where it has
    // them, the upstream_*_timeout_seconds settings otherwise.
    void applyUpstreamTimeouts(const Node &node, UpstreamRequest *request) const
    {
        m_shared->applyUpstreamTimeouts(node, request);
    }
    // The max_upstream_body_bytes and max_upstream_line_bytes settings.
    qint64 maxUpstreamBodyBytes() const { return m_shared->maxUpstreamBodyBytes.load(); }
    qint64 maxUpstreamLineBytes() const { return m_shared->maxUpstreamLineBytes.load(); }

    // Requests in flight register here so shutdown can wait for them.
    void callStarted(QObject *call);
    void callEnded(QObject *call);

    // Asks the control thread to probe a node (health and model discovery) now; returns at once.
    void requestNodeCheck(qint64 nodeId);

    // An admin route: answers 401/403 unless the request carries the admin token; otherwise copies
    // what the handler needs, posts it to the control thread and returns. The handler's answer
    // is written when it comes back, if the client is still there; a request the control thread
    // has not answered within adminTimeoutMs (its database does not answer) gets 503.
    using AdminHandler = std::function<void(AdminApi &api, AdminContext &ctx)>;
    void forwardAdmin(HttpContext &ctx, AdminHandler handler);

    // Admin requests that may wait for the control thread at once (over every I/O thread); past
    // it they are refused with 503 instead of queueing behind a database that does not answer.
    static constexpr int MaxQueuedAdminRequests = 256;

Q_SIGNALS:
    void requestLogged(const Maestro::RequestLogEntry &entry);
    void callsChanged(int active);

private:
    struct PendingAdmin
    {
        QString path; // for the log
        QPointer<QTcpSocket> socket;
        std::shared_ptr<QHttpServerResponder> responder;
        QTimer *timer = nullptr; // the admin timeout; stopped while the handler waits on nodes
    };

    void dispatch(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    // The 401 for a request head without a valid token, before its body is read; empty when
    // the request may go on.
    QByteArray refuseBeforeBody(const RequestParser::Head &head);
    void logDoorRefusal(const RequestParser::Head &head, int status, const QString &message);
    void onAdminReply(quint64 ticket, AdminReply::Event event, const QByteArray &response);
    void adminTimedOut(quint64 ticket);

    GatewayConfig m_config;
    UsageWriter *m_usage;
    const Clock *m_clock;
    std::unique_ptr<UpstreamClient> m_upstream;
    std::unique_ptr<QHttpServer> m_server;
    GuardedTcpServer *m_tcp = nullptr;
    Router m_router;
    GatewayShared *m_shared;
    QSet<QObject *> m_calls;
    // The way back from the control thread (admin answers); closed first when this goes.
    std::shared_ptr<Mailbox> m_inbox;
    QHash<quint64, PendingAdmin> m_pendingAdmin;
    quint64 m_lastTicket = 0;
    quint16 m_port = 0;
};

} // namespace Maestro

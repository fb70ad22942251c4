#pragma once

#include "core/adminservice.h"
#include "core/balancer.h"
#include "core/catalog.h"
#include "core/clock.h"
#include "core/limiter.h"
#include "core/metrics.h"
#include "frontdoor.h"
#include "router.h"

#include <QElapsedTimer>
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

class Gateway;
class GuardedTcpServer;
class UpstreamClient;
class UsageWriter;
class NodeProber;
class NodeJobs;
struct UpstreamRequest;

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
};

// How model warmup runs, from the settings (see Gateway::reload).
struct WarmupSettings
{
    int intervalMs = 0; // 0: no scheduled warmup
    QJsonValue keepAlive;
};

// What every I/O thread of the gateway shares: the current catalog (swapped whole, under a
// mutex held only to copy a pointer), routing state and the limit counters.
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
    // Catalog loads run on whichever I/O thread made a change, so they can finish out of order.
    // A load takes a generation before it reads; publish() installs its catalog only if no load
    // that started later has published yet, and then runs `apply` (what else came from the same
    // read, such as settings) under the same lock, so a stale load changes nothing.
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
    std::atomic<int> healthIntervalSeconds{0}; // of the periodic node checks; 0: none
    // The upstream_* settings: read per request, so a change applies to the next one.
    std::atomic<int> upstreamConnectTimeoutMs{10'000};
    std::atomic<int> upstreamFirstByteTimeoutMs{300'000};
    std::atomic<int> upstreamIdleTimeoutMs{120'000};
    std::atomic<qint64> maxUpstreamBodyBytes{64 * 1024 * 1024};
    std::atomic<qint64> maxUpstreamLineBytes{16 * 1024 * 1024};
    // The gateway that runs the periodic node checks (it lives on its own thread).
    QPointer<Gateway> primary;
    std::atomic<qint64> configVersion{-1}; // of the published catalog, with a shared store

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

// The gateway on one I/O thread: HTTP server, route table, upstream client, and (on the primary
// thread) node monitoring. Several of these share one port and one GatewayShared (see
// GatewayThread); everything in one object runs on its thread.
class Gateway final : public QObject
{
    Q_OBJECT

public:
    // Without `shared`, the gateway owns its shared state (a single-threaded gateway). The
    // primary one restores limit counters and runs the periodic node checks.
    Gateway(GatewayConfig config, Store *store, SecretStore *secrets, UsageWriter *usage,
            const Clock *clock, GatewayShared *shared = nullptr, bool primary = true,
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
    // Rebuilds the catalog from the store and publishes it to every I/O thread, unless a reload
    // that started later got there first. When the store cannot be read, the current catalog
    // stays (and a critical message says so): returns false then.
    bool reload();

    const GatewayConfig &config() const { return m_config; }
    UpstreamClient *upstream() const { return m_upstream.get(); }
    Balancer &balancer() { return m_shared->balancer; }
    Limiter &limiter() { return m_shared->limiter; }
    Metrics &metrics() { return m_shared->metrics; }
    // GET /metrics: Prometheus text; admin token unless the metrics_public setting is true.
    void serveMetrics(HttpContext &ctx);
    AdminService *admin() const { return m_admin.get(); }
    UsageWriter *usage() const { return m_usage; }
    Store *store() const { return m_store; }
    NodeProber *prober() const { return m_prober.get(); }
    NodeJobs *jobs() const { return m_jobs.get(); }
    WarmupSettings warmupSettings() const { return m_shared->warmup(); }
    const Clock *clock() const { return m_clock; }
    RoutingStrategy routingStrategy() const { return m_shared->strategy(); }
    qint64 uptimeMs() const { return m_uptime.elapsed(); }

    bool isAdminToken(const QByteArray &token) const;

    // Sets the request's connect, first-byte and idle timeouts: the node's own where it has
    // them, the upstream_*_timeout_seconds settings otherwise.
    void applyUpstreamTimeouts(const Node &node, UpstreamRequest *request) const;
    // The max_upstream_body_bytes and max_upstream_line_bytes settings.
    qint64 maxUpstreamBodyBytes() const { return m_shared->maxUpstreamBodyBytes.load(); }
    qint64 maxUpstreamLineBytes() const { return m_shared->maxUpstreamLineBytes.load(); }

    // Requests in flight register here so shutdown can wait for them.
    void callStarted(QObject *call);
    void callEnded(QObject *call);

    // The period of the node checks now, in milliseconds; 0 when they are off.
    int healthIntervalMs() const;

    // Probes a node now (health + model discovery), records the outcome, then calls done. A check
    // someone asked for decides at once; the periodic ones (`periodic`) mark a healthy node down
    // only after health_failure_threshold failures in a row (default 2), so one lost probe does
    // not take a node out. A node that is down takes traffic again only once a probe passes.
    // A probe that ran while the node had requests in flight (`busy`) counts only if it passed:
    // those requests are the better evidence. Models discovery finds new are queued for warmup.
    void checkNode(qint64 id, QObject *context, std::function<void(bool ok, QString error)> done,
                   bool periodic = false, bool busy = false);

Q_SIGNALS:
    void requestLogged(const Maestro::RequestLogEntry &entry);
    void nodeHealthChanged(qint64 nodeId, const QString &name, bool healthy);
    void catalogReloaded();
    void callsChanged(int active);

private:
    void dispatch(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    // The 401 for a request head without a valid token, before its body is read; empty when
    // the request may go on.
    QByteArray refuseBeforeBody(const RequestParser::Head &head) const;
    void checkAllNodes();
    // (Re)starts the periodic node checks at the current interval (primary gateway only).
    void scheduleHealthChecks();
    void pollConfigVersion();

    GatewayConfig m_config;
    Store *m_store;
    SecretStore *m_secrets;
    UsageWriter *m_usage;
    const Clock *m_clock;
    std::unique_ptr<AdminService> m_admin;
    std::unique_ptr<UpstreamClient> m_upstream;
    std::unique_ptr<NodeProber> m_prober;
    std::unique_ptr<NodeJobs> m_jobs;
    std::unique_ptr<QHttpServer> m_server;
    GuardedTcpServer *m_tcp = nullptr;
    Router m_router;
    std::unique_ptr<GatewayShared> m_ownShared;
    GatewayShared *m_shared;
    bool m_primary;
    QTimer m_healthTimer;
    QTimer m_configTimer;
    QSet<QObject *> m_calls;
    QElapsedTimer m_uptime;
    quint16 m_port = 0;
};

} // namespace Maestro

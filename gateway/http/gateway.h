#pragma once

#include "core/adminservice.h"
#include "core/balancer.h"
#include "core/catalog.h"
#include "core/clock.h"
#include "core/limiter.h"
#include "router.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <memory>

class QHttpServer;

namespace Maestro {

class GuardedTcpServer;
class UpstreamClient;
class UsageWriter;
class NodeProber;

struct GatewayConfig
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 8000;
    QByteArray adminToken;
    qint64 maxBodyBytes = 32 * 1024 * 1024;
    int healthIntervalMs = 30'000;
    int upstreamConnectTimeoutMs = 10'000;
    int upstreamIdleTimeoutMs = 600'000; // an LLM may think for minutes before its first token
};

// The gateway: HTTP server, route table, catalog, routing, limits and node monitoring. Lives on
// its own thread (see GatewayThread); everything here runs on that thread.
class Gateway final : public QObject
{
    Q_OBJECT

public:
    Gateway(GatewayConfig config, Store *store, SecretStore *secrets, UsageWriter *usage,
            const Clock *clock, QObject *parent = nullptr);
    ~Gateway() override;

    bool listen(QString *error);
    quint16 port() const { return m_port; }
    // Stops accepting connections; running requests go on.
    void stopAccepting();
    int activeCalls() const { return int(m_calls.size()); }

    std::shared_ptr<const Catalog> catalog() const { return m_catalog; }
    void reload();

    const GatewayConfig &config() const { return m_config; }
    UpstreamClient *upstream() const { return m_upstream.get(); }
    Balancer &balancer() { return m_balancer; }
    Limiter &limiter() { return m_limiter; }
    AdminService *admin() const { return m_admin.get(); }
    UsageWriter *usage() const { return m_usage; }
    Store *store() const { return m_store; }
    NodeProber *prober() const { return m_prober.get(); }
    const Clock *clock() const { return m_clock; }
    RoutingStrategy routingStrategy() const { return m_strategy; }
    qint64 uptimeMs() const { return m_uptime.elapsed(); }

    bool isAdminToken(const QByteArray &token) const;

    // Requests in flight register here so shutdown can wait for them.
    void callStarted(QObject *call);
    void callEnded(QObject *call);

    // Probes a node now (health + model discovery), records the outcome, then calls done.
    void checkNode(qint64 id, QObject *context, std::function<void(bool ok, QString error)> done);

Q_SIGNALS:
    void requestLogged(const Maestro::RequestLogEntry &entry);
    void nodeHealthChanged(qint64 nodeId, const QString &name, bool healthy);
    void catalogReloaded();
    void callsChanged(int active);

private:
    void dispatch(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void checkAllNodes();
    void applySettings();

    GatewayConfig m_config;
    Store *m_store;
    SecretStore *m_secrets;
    UsageWriter *m_usage;
    const Clock *m_clock;
    std::unique_ptr<AdminService> m_admin;
    std::unique_ptr<UpstreamClient> m_upstream;
    std::unique_ptr<NodeProber> m_prober;
    std::unique_ptr<QHttpServer> m_server;
    GuardedTcpServer *m_tcp = nullptr;
    Router m_router;
    std::shared_ptr<const Catalog> m_catalog;
    Balancer m_balancer;
    Limiter m_limiter;
    RoutingStrategy m_strategy = RoutingStrategy::LeastBusy;
    QTimer m_healthTimer;
    QSet<QObject *> m_calls;
    QElapsedTimer m_uptime;
    quint16 m_port = 0;
};

} // namespace Maestro

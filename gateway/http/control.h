#pragma once

#include "gateway.h"
#include "mailbox.h"
#include "admin/admincontext.h"
#include "core/adminservice.h"
#include "core/storeexecutor.h"

#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>

namespace Maestro {

class AdminApi;
class Control;
class NodeJobs;
class NodeProber;
class UpstreamClient;

// The thread-safe way into the control thread: queues work to the Control object, from any
// thread, and refuses once it has stopped (see Mailbox). I/O threads reach it through
// GatewayShared::control, the desktop application through GatewayThread::controlPort(). As a
// StoreExecutor it runs database work with the control thread's Store.
class ControlPort final : public StoreExecutor
{
public:
    bool post(std::function<void(Store *)> work) override;
    // Runs work(control) on the control thread. False (work dropped) once it has stopped.
    bool call(std::function<void(Control *)> work);

private:
    friend class Control;
    ControlPort(Control *control, Store *store);

    Mailbox m_mailbox;
    Control *m_control;
    Store *m_store;
};

// The gateway's control thread: the one place that works with the database for the gateway.
// It owns the database connection used for admin work and catalog loads (the connection of
// its thread), the AdminService, catalog reloads and their publication to the I/O threads
// (GatewayShared::publish), the polling of a shared store for other instances' changes, the
// periodic node probes with model discovery, warmup scheduling, the admin API's handlers and
// the desktop application's calls. I/O threads read the published snapshots and post work here
// through port(); they never wait for an answer. Everything in this object runs on its thread,
// so waiting on the database here (an outage, a slow query) delays only admin work and
// background jobs, never a running stream.
class Control final : public QObject
{
    Q_OBJECT

public:
    Control(GatewayConfig config, Store *store, SecretStore *secrets, const Clock *clock,
            GatewayShared *shared, QObject *parent = nullptr);
    ~Control() override;

    // Thread-safe (it is the way in from other threads).
    std::shared_ptr<ControlPort> port() const { return m_port; }

    // Publishes the first catalog and restores the day's limit counters: before any I/O thread
    // serves.
    void start();
    // Starts and stops the background work: periodic node checks, the warmup schedule and,
    // with a shared store, the config version poll.
    void startBackground();
    void stopBackground();

    // What follows is for the control thread only.
    const GatewayConfig &config() const { return m_config; }
    AdminService *admin() const { return m_admin.get(); }
    Store *store() const { return m_store; }
    const Clock *clock() const { return m_clock; }
    GatewayShared *shared() const { return m_shared; }
    [[nodiscard]] CatalogSnapshot catalog() const { return m_shared->catalog(); }
    Balancer &balancer() { return m_shared->balancer; }
    Limiter &limiter() { return m_shared->limiter; }
    UpstreamClient *upstream() const { return m_upstream.get(); }
    NodeJobs *jobs() const { return m_jobs.get(); }
    WarmupSettings warmupSettings() const { return m_shared->warmup(); }
    int activeCallsTotal() const { return m_shared->activeCalls.load(); } // all I/O threads
    void applyUpstreamTimeouts(const Node &node, UpstreamRequest *request) const
    {
        m_shared->applyUpstreamTimeouts(node, request);
    }
    // The period of the node checks now, in milliseconds; 0 when they are off.
    int healthIntervalMs() const;
    // The period the periodic checks are running at (their timer), in milliseconds; 0 while they
    // do not run (turned off, or background work stopped).
    int runningHealthIntervalMs() const
    {
        return m_healthTimer.isActive() ? m_healthTimer.interval() : 0;
    }

    // Rebuilds the catalog from the store and publishes it to every I/O thread, unless a reload
    // that started later got there first. When the store cannot be read, the current catalog
    // stays (and a critical message says so): returns false then.
    bool reload();

    // Probes a node now (health + model discovery), records the outcome, then calls done. A check
    // someone asked for decides at once; the periodic ones (`periodic`) mark a healthy node down
    // only after health_failure_threshold failures in a row (default 2), so one lost probe does
    // not take a node out. A node that is down takes traffic again only once a probe passes.
    // A probe that ran while the node had requests in flight (`busy`) counts only if it passed:
    // those requests are the better evidence. Models discovery finds new are queued for warmup.
    // `probed`, when given, runs once the node answered (or failed to), before the outcome is
    // written to the database.
    void checkNode(qint64 id, QObject *context, std::function<void(bool ok, QString error)> done,
                   bool periodic = false, bool busy = false, std::function<void()> probed = {});

    // Runs an admin request's handler (Gateway::forwardAdmin posted it) and answers through
    // `reply`, at once or, when the handler waits on nodes, later.
    using AdminHandler = std::function<void(AdminApi &api, AdminContext &ctx)>;
    void runAdmin(AdminRequest request, AdminReply reply, const AdminHandler &handler);

Q_SIGNALS:
    void nodeHealthChanged(qint64 nodeId, const QString &name, bool healthy);
    void catalogReloaded();

private:
    // (Re)starts the periodic node checks at the current interval.
    void scheduleHealthChecks();
    void pollConfigVersion();

    GatewayConfig m_config;
    Store *m_store;
    SecretStore *m_secrets;
    const Clock *m_clock;
    GatewayShared *m_shared;
    std::unique_ptr<AdminService> m_admin;
    std::unique_ptr<UpstreamClient> m_upstream;
    std::unique_ptr<NodeProber> m_prober;
    std::unique_ptr<NodeJobs> m_jobs;
    std::unique_ptr<AdminApi> m_api;
    std::shared_ptr<ControlPort> m_port;
    QTimer m_healthTimer;
    QTimer m_configTimer;
    bool m_background = false;
};

} // namespace Maestro

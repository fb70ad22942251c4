#include "control.h"
#include "nodejobs.h"
#include "admin/adminapi.h"
#include "core/adminservice.h"
#include "core/nodeheaders.h"
#include "core/settings.h"
#include "providers/nodeprober.h"
#include "providers/upstreamclient.h"

#include <QLoggingCategory>
#include <QScopeGuard>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcGateway)

namespace Maestro {

ControlPort::ControlPort(Control *control, Store *store)
    : m_mailbox(control)
    , m_control(control)
    , m_store(store)
{
}

bool ControlPort::post(std::function<void(Store *)> work)
{
    return m_mailbox.post([store = m_store, work = std::move(work)] { work(store); });
}

bool ControlPort::call(std::function<void(Control *)> work)
{
    // m_control is dereferenced only on its thread, while it lives: the mailbox drops what it
    // did not run yet when the control object goes.
    return m_mailbox.post([control = m_control, work = std::move(work)] { work(control); });
}

Control::Control(GatewayConfig config, Store *store, SecretStore *secrets, const Clock *clock,
                 GatewayShared *shared, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_store(store)
    , m_secrets(secrets)
    , m_clock(clock)
    , m_shared(shared)
    , m_admin(std::make_unique<AdminService>(store, secrets))
    , m_upstream(std::make_unique<UpstreamClient>())
    , m_prober(std::make_unique<NodeProber>(m_upstream.get()))
    , m_jobs(std::make_unique<NodeJobs>(this, m_config.backgroundDeferLimitMs))
    , m_api(std::make_unique<AdminApi>(this))
    , m_port(new ControlPort(this, store))
{
    connect(m_admin.get(), &AdminService::changed, this, &Control::reload);
    m_healthTimer.setTimerType(Qt::VeryCoarseTimer);
    connect(&m_healthTimer, &QTimer::timeout, m_jobs.get(), &NodeJobs::probeAll);
    connect(&m_configTimer, &QTimer::timeout, this, &Control::pollConfigVersion);
}

Control::~Control()
{
    // From here on other threads' posts fail instead of reaching an object that is going.
    m_port->m_mailbox.close();
    stopBackground();
}

void Control::start()
{
    reload();
    Limiter &counters = m_shared->limiter;
    const QDate day = counters.currentDay();
    const auto usage = m_store->usageOn(day);
    counters.restore(day, usage);
    if (m_store->isShared()) {
        m_store->seedCounters(day, usage);
        // Shared counters are decided here, with this thread's connection, for requests the I/O
        // threads park; once the control thread stops, the port refuses and they are answered.
        counters.shareCounters(m_store, [port = m_port](std::function<void(Store *)> work) {
            return port->post(std::move(work));
        });
    }
}

void Control::startBackground()
{
    m_background = true;
    scheduleHealthChecks();
    m_jobs->startSchedule();
    if (m_store->isShared() && m_config.configPollMs > 0)
        m_configTimer.start(m_config.configPollMs);
}

void Control::stopBackground()
{
    m_background = false;
    m_healthTimer.stop();
    m_configTimer.stop();
    m_jobs->stop();
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

bool Control::reload()
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
        m_shared->ollamaVersionPublic = settings.flag(u"ollama_version_public"_s);
        m_shared->upstreamConnectTimeoutMs = int(settings.integer(u"upstream_connect_timeout_seconds"_s) * 1000);
        m_shared->upstreamFirstByteTimeoutMs = int(settings.integer(u"upstream_first_byte_timeout_seconds"_s) * 1000);
        m_shared->upstreamIdleTimeoutMs = int(settings.integer(u"upstream_idle_timeout_seconds"_s) * 1000);
        m_shared->maxUpstreamBodyBytes = settings.integer(u"max_upstream_body_bytes"_s);
        m_shared->maxUpstreamLineBytes = settings.integer(u"max_upstream_line_bytes"_s);
        const int interval = int(settings.integer(u"health_check_interval_seconds"_s));
        // Queued when a reload runs on another thread than this object's (tests do that).
        if (m_shared->healthIntervalSeconds.exchange(interval) != interval)
            QMetaObject::invokeMethod(this, &Control::scheduleHealthChecks, Qt::AutoConnection);
        m_shared->setWarmup(readWarmupSettings(settings, m_config.warmupSecondMs));
    });
    if (published) {
        m_shared->logStream.publishCatalog(m_shared->configVersion.load());
        Q_EMIT catalogReloaded();
    }
    return true;
}

int Control::healthIntervalMs() const
{
    return m_config.healthIntervalMs >= 0 ? m_config.healthIntervalMs
                                          : m_shared->healthIntervalSeconds.load() * 1000;
}

void Control::scheduleHealthChecks()
{
    const int interval = healthIntervalMs();
    if (m_background && interval > 0)
        m_healthTimer.start(interval);
    else
        m_healthTimer.stop();
}

void Control::pollConfigVersion()
{
    const qint64 version = m_store->configVersion();
    if (version >= 0 && version != m_shared->configVersion.load())
        reload();
}

void Control::runAdmin(AdminRequest request, AdminReply reply, const AdminHandler &handler)
{
    // Counted from the post on the I/O thread to here, so that a database that hangs bounds the
    // queue of admin requests behind it (Gateway::forwardAdmin refuses past the bound).
    const auto dequeued = qScopeGuard([this] { --m_shared->adminQueued; });
    AdminContext ctx(std::move(request), reply);
    handler(*m_api, ctx);
    if (ctx.isAnswered())
        return;
    if (ctx.isDeferred()) {
        reply.waitOnNodes();
        return;
    }
    qCCritical(lcGateway).noquote() << "an admin handler left" << ctx.request().path << "unanswered";
    ctx.fail(ApiError::internal(u"The request was not answered"_s));
}

void Control::checkNode(qint64 id, QObject *context, std::function<void(bool, QString)> done, bool periodic,
                        bool busy, std::function<void()> probed)
{
    const auto node = m_store->node(id);
    if (!node) {
        done(false, u"Node not found"_s);
        return;
    }
    QString apiKey;
    if (node->hasApiKey)
        apiKey = m_secrets->read(nodeApiKeyName(id)).value_or(QString());
    // Read here with the key, off the I/O threads.
    const auto headers = NodeHeaders::load(*node, m_secrets);
    // With auto-sync off, only a check an admin asks for replaces the model list.
    const bool discover = !periodic || node->autoSyncEnabled;
    QPointer<QObject> guard(context);
    m_prober->setMaxBodyBytes(m_shared->maxUpstreamBodyBytes.load());
    m_prober->probe(*node, apiKey, headers, discover, this, [this, id, guard, done, periodic, busy, probed, name = node->name, was = node->health](const NodeProber::Outcome &outcome) {
        if (probed && guard)
            probed();
        if (busy && !outcome.ok) {
            qCInfo(lcGateway).noquote() << "probe of node" << name << "failed while it served requests; not counted:" << outcome.error;
            if (guard)
                done(false, outcome.error);
            return;
        }
        QStringList discovered;
        if (outcome.ok && outcome.modelsListed) {
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
        if (was != Health::Unknown && was != health) {
            m_shared->logStream.publishNode(id, name, health == Health::Healthy);
            Q_EMIT nodeHealthChanged(id, name, health == Health::Healthy);
        }
        if (!outcome.ok)
            qCWarning(lcGateway).noquote() << "node" << name << "is unhealthy:" << outcome.error;
        m_jobs->queueWarmup(id, discovered);
        if (guard)
            done(outcome.ok, outcome.error);
    });
}

} // namespace Maestro

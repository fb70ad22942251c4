#include "gatewayclient.h"

#include "http/control.h"
#include "http/gateway.h"
#include "http/gatewaythread.h"
#include "http/nodeoperation.h"

#include <QSet>
#include <QThread>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro {

QStringList GatewaySnapshot::modelNames() const
{
    QStringList names;
    QSet<QString> seen;
    for (const ModelMapping &mapping : mappings) {
        if (!seen.contains(mapping.displayName)) {
            seen.insert(mapping.displayName);
            names.append(mapping.displayName);
        }
    }
    for (const ModelGroup &group : groups) {
        if (!seen.contains(group.name)) {
            seen.insert(group.name);
            names.append(group.name);
        }
    }
    QStringList real;
    for (const NodeModel &model : nodeModels) {
        if (!seen.contains(model.name)) {
            seen.insert(model.name);
            real.append(model.name);
        }
    }
    real.sort();
    return names + real;
}

QStringList GatewaySnapshot::memberModelNames() const
{
    QStringList names;
    QSet<QString> seen;
    for (const ModelMapping &mapping : mappings) {
        if (!seen.contains(mapping.displayName)) {
            seen.insert(mapping.displayName);
            names.append(mapping.displayName);
        }
    }
    QStringList real;
    for (const NodeModel &model : nodeModels) {
        if (!seen.contains(model.name)) {
            seen.insert(model.name);
            real.append(model.name);
        }
    }
    real.sort();
    return names + real;
}

namespace {

// The entry of `list` whose `field` equals `value`, or null.
template<typename T, typename Field, typename Value>
const T *findBy(const QList<T> &list, Field T::*field, const Value &value)
{
    const auto it = std::find_if(list.cbegin(), list.cend(), [&](const T &entry) { return entry.*field == value; });
    return it == list.cend() ? nullptr : &*it;
}

} // namespace

const ModelGroup *GatewaySnapshot::group(const QString &name) const
{
    return findBy(groups, &ModelGroup::name, name);
}

const ToolSet *GatewaySnapshot::toolSet(const QString &name) const
{
    return findBy(toolSets, &ToolSet::name, name);
}

const SystemPrompt *GatewaySnapshot::systemPrompt(qint64 id) const
{
    return findBy(systemPrompts, &SystemPrompt::id, id);
}

const ModelConfig *GatewaySnapshot::modelConfig(const QString &pattern) const
{
    return findBy(modelConfigs, &ModelConfig::pattern, pattern);
}

const Node *GatewaySnapshot::node(qint64 id) const
{
    return findBy(nodes, &Node::id, id);
}

int GatewaySnapshot::healthyNodes() const
{
    int count = 0;
    for (const Node &node : nodes)
        count += node.active && node.health == Health::Healthy ? 1 : 0;
    return count;
}

int GatewaySnapshot::downNodes() const
{
    int count = 0;
    for (const Node &node : nodes)
        count += node.active && node.health == Health::Unhealthy ? 1 : 0;
    return count;
}

GatewayClient::GatewayClient(GatewayThread *gateways, QObject *parent)
    : QObject(parent)
    , m_gateways(gateways)
{
    qRegisterMetaType<Maestro::RequestLogEntry>();
    // Every change reloads the catalog, and a health sweep may reload it once per node: gather
    // those into one refresh.
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(100);
    connect(&m_refreshTimer, &QTimer::timeout, this, &GatewayClient::refresh);

    if (m_gateways && m_gateways->isRunning())
        attach();
    refresh();
}

Gateway *GatewayClient::primary() const
{
    return m_primary;
}

bool GatewayClient::postToControl(std::function<void(Control *)> work)
{
    return m_control && m_control->call(std::move(work));
}

void GatewayClient::attach()
{
    m_run = Run::Running;
    m_startError.clear();
    m_port = m_gateways->port();
    m_primary = m_gateways->gateway();
    m_control = m_gateways->controlPort();
    // Requests are served (and logged) by every I/O thread; catalog reloads and node checks run
    // on the control thread.
    for (Gateway *gateway : m_gateways->gateways()) {
        connect(gateway, &Gateway::requestLogged, this, [this](const RequestLogEntry &entry) {
            if (entry.userId != 0) {
                Store::DayUsage &usage = m_snapshot.usageToday[entry.userId];
                ++usage.requests;
                usage.tokens += entry.totalTokens();
            }
            if (entry.nodeId != 0) {
                NodeTraffic &traffic = m_snapshot.nodeTraffic[entry.nodeId];
                traffic.avgLatencyMs = (traffic.avgLatencyMs * traffic.requests + entry.durationMs) / (traffic.requests + 1);
                ++traffic.requests;
                traffic.errors += entry.statusCode >= 400 ? 1 : 0;
                traffic.lastRequestAt = entry.createdAt;
            }
            Q_EMIT requestLogged(entry);
        });
        connect(gateway, &Gateway::callsChanged, this, [this](int active) {
            m_snapshot.activeCalls = active;
            Q_EMIT callsChanged(active);
        });
    }
    Control *control = m_gateways->control();
    connect(control, &Control::catalogReloaded, this, [this] { m_refreshTimer.start(); });
    connect(control, &Control::nodeHealthChanged, this, &GatewayClient::nodeHealthChanged);
}

void GatewayClient::switchGateway(Run during, std::function<bool(QString *)> operation)
{
    m_run = during;
    m_primary = nullptr;
    m_control.reset();
    Q_EMIT runningChanged(false);
    QPointer<GatewayClient> self(this);
    QThread *worker = QThread::create([self, operation = std::move(operation)] {
        QString error;
        const bool ok = operation(&error);
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, ok, error] {
                if (!self)
                    return;
                // Calls that were out when the gateways went away never answer.
                if (self->m_pending > 0) {
                    self->m_pending = 0;
                    Q_EMIT self->busyChanged(false);
                }
                self->m_snapshot.activeCalls = 0;
                if (ok && self->m_gateways->isRunning()) {
                    self->attach();
                    Q_EMIT self->runningChanged(true);
                    self->refresh();
                } else {
                    self->m_run = Run::Stopped;
                    self->m_startError = error;
                    Q_EMIT self->runningChanged(false);
                }
            },
            Qt::QueuedConnection);
    });
    connect(worker, &QThread::finished, worker, &QObject::deleteLater);
    m_switch = worker;
    worker->start();
}

void GatewayClient::stopGateway()
{
    if (!m_gateways || m_run != Run::Running)
        return;
    GatewayThread *gateways = m_gateways;
    switchGateway(Run::Stopping, [gateways](QString *) {
        gateways->stop(5000);
        return false;
    });
}

void GatewayClient::startGateway()
{
    if (!m_gateways || m_run != Run::Stopped)
        return;
    GatewayThread *gateways = m_gateways;
    switchGateway(Run::Starting, [gateways](QString *error) { return gateways->start(error); });
}

GatewayClient::~GatewayClient()
{
    // A stop or start under way must end before the application tears the gateways down.
    if (m_switch)
        m_switch->wait();
}

QString GatewayClient::baseUrl() const
{
    QString host = u"127.0.0.1"_s;
    if (Gateway *gateway = primary()) {
        const QHostAddress address = gateway->config().address;
        if (address == QHostAddress::AnyIPv4 || address == QHostAddress::Any)
            host = u"127.0.0.1"_s;
        else if (address.protocol() == QAbstractSocket::IPv6Protocol)
            host = u"[%1]"_s.arg(address.toString());
        else
            host = address.toString();
    }
    return u"http://%1:%2"_s.arg(host).arg(port());
}

void GatewayClient::beginBusy()
{
    if (m_pending++ == 0)
        Q_EMIT busyChanged(true);
}

void GatewayClient::endBusy()
{
    if (m_pending > 0 && --m_pending == 0)
        Q_EMIT busyChanged(false);
}

void GatewayClient::refresh()
{
    call(
        this,
        [](Control *control) {
            GatewaySnapshot snapshot;
            Store *store = control->store();
            snapshot.users = store->users();
            snapshot.nodes = store->nodes();
            snapshot.nodeModels = store->nodeModels();
            snapshot.mappings = store->mappings();
            snapshot.groups = store->groups();
            snapshot.toolSets = store->toolSets();
            snapshot.modelConfigs = store->modelConfigs();
            snapshot.systemPrompts = store->systemPrompts();
            snapshot.settings = Settings(store->settings());
            for (const User &user : std::as_const(snapshot.users))
                snapshot.usageToday.insert(user.id, control->limiter().today(user.id));
            for (const Node &node : std::as_const(snapshot.nodes))
                snapshot.nodeLoad.insert(node.id, control->balancer().active(node.id));
            snapshot.nodeTraffic = store->nodeTraffic(control->clock()->nowUtc().date());
            snapshot.activeCalls = control->activeCallsTotal();
            snapshot.loaded = true;
            return snapshot;
        },
        [this](const GatewaySnapshot &snapshot) {
            m_snapshot = snapshot;
            Q_EMIT snapshotChanged();
        },
        false);
}

void GatewayClient::createUser(const QString &username, QObject *context, Reply<CreatedUser> done)
{
    call(context, [username](Control *c) { return c->admin()->createUser(username); }, std::move(done));
}

void GatewayClient::rotateToken(const QString &username, QObject *context, Reply<CreatedUser> done)
{
    call(context, [username](Control *c) { return c->admin()->rotateToken(username); }, std::move(done));
}

void GatewayClient::deleteUser(const QString &username, QObject *context, Reply<bool> done)
{
    call(context, [username](Control *c) { return c->admin()->deleteUser(username); }, std::move(done));
}

void GatewayClient::setUserModels(const QString &username, bool all, const QStringList &models,
                                  QObject *context, Reply<User> done)
{
    call(context,
         [username, all, models](Control *c) {
             return all ? c->admin()->grantAllModels(username)
                        : c->admin()->setUserModels(username, models);
         },
         std::move(done));
}

void GatewayClient::setUserNodes(const QString &username, const QList<qint64> &nodeIds, QObject *context,
                                 Reply<User> done)
{
    call(context,
         [username, nodeIds](Control *c) -> Result<User> {
             const auto user = c->admin()->findUser(username);
             if (!user.ok())
                 return user.error();
             return c->admin()->setUserNodes(username, nodeIds, user.value().nodeModels);
         },
         std::move(done));
}

void GatewayClient::setUserNodeModels(const QString &username, const QList<NodeModelGrant> &pairs,
                                      QObject *context, Reply<User> done)
{
    call(context,
         [username, pairs](Control *c) -> Result<User> {
             const auto user = c->admin()->findUser(username);
             if (!user.ok())
                 return user.error();
             return c->admin()->setUserNodes(username, user.value().nodeIds, pairs);
         },
         std::move(done));
}

void GatewayClient::setUserLimits(const QString &username, const UserLimits &limits, QObject *context,
                                  Reply<User> done)
{
    call(context,
         [username, limits](Control *c) { return c->admin()->setUserLimits(username, limits); },
         std::move(done));
}

void GatewayClient::addNode(const AdminService::NodeInput &input, QObject *context, Reply<Node> done)
{
    call(context, [input](Control *c) { return c->admin()->addNode(input); }, std::move(done));
}

void GatewayClient::updateNode(qint64 id, const AdminService::NodeInput &input, QObject *context,
                               Reply<Node> done)
{
    call(context, [id, input](Control *c) { return c->admin()->updateNode(id, input); }, std::move(done));
}

void GatewayClient::toggleNode(qint64 id, QObject *context, Reply<Node> done)
{
    call(context, [id](Control *c) { return c->admin()->toggleNode(id); }, std::move(done));
}

void GatewayClient::deleteNode(qint64 id, QObject *context, Reply<bool> done)
{
    call(context, [id](Control *c) { return c->admin()->deleteNode(id); }, std::move(done));
}

void GatewayClient::checkNode(qint64 id, QObject *context,
                              std::function<void(bool, const QString &)> done)
{
    QPointer<QObject> guard(context);
    QPointer<GatewayClient> self(this);
    const bool posted = postToControl([id, done = std::move(done), guard, self](Control *control) {
        control->checkNode(id, control, [done, guard, self](bool ok, const QString &error) {
            QMetaObject::invokeMethod(
                QCoreApplication::instance(),
                [done, guard, self, ok, error] {
                    if (self)
                        self->endBusy();
                    if (guard)
                        done(ok, error);
                },
                Qt::QueuedConnection);
        });
    });
    if (posted)
        beginBusy();
}

void GatewayClient::addMapping(const AdminService::MappingInput &input, QObject *context,
                               Reply<ModelMapping> done)
{
    call(context, [input](Control *c) { return c->admin()->addMapping(input); }, std::move(done));
}

void GatewayClient::updateMapping(const QString &displayName, const AdminService::MappingInput &input,
                                  QObject *context, Reply<ModelMapping> done)
{
    call(context,
         [displayName, input](Control *c) { return c->admin()->updateMapping(displayName, input); },
         std::move(done));
}

void GatewayClient::deleteMapping(const QString &displayName, QObject *context, Reply<bool> done)
{
    call(context, [displayName](Control *c) { return c->admin()->deleteMapping(displayName); },
         std::move(done));
}

void GatewayClient::addGroup(const AdminService::GroupInput &input,
                             const QList<AdminService::MemberInput> &members, QObject *context,
                             Reply<ModelGroup> done)
{
    call(context, [input, members](Control *c) { return c->admin()->addGroup(input, members); },
         std::move(done));
}

void GatewayClient::updateGroup(const QString &name, const AdminService::GroupInput &input,
                                QObject *context, Reply<ModelGroup> done)
{
    call(context, [name, input](Control *c) { return c->admin()->updateGroup(name, input); },
         std::move(done));
}

void GatewayClient::deleteGroup(const QString &name, QObject *context, Reply<bool> done)
{
    call(context, [name](Control *c) { return c->admin()->deleteGroup(name); }, std::move(done));
}

void GatewayClient::addMember(const QString &group, const AdminService::MemberInput &input,
                              QObject *context, Reply<ModelGroup> done)
{
    call(context, [group, input](Control *c) { return c->admin()->addMember(group, input); },
         std::move(done));
}

void GatewayClient::updateMember(const QString &group, qint64 memberId,
                                 const AdminService::MemberInput &input, QObject *context,
                                 Reply<ModelGroup> done)
{
    call(context,
         [group, memberId, input](Control *c) { return c->admin()->updateMember(group, memberId, input); },
         std::move(done));
}

void GatewayClient::deleteMember(const QString &group, qint64 memberId, QObject *context,
                                 Reply<ModelGroup> done)
{
    call(context, [group, memberId](Control *c) { return c->admin()->deleteMember(group, memberId); },
         std::move(done));
}

void GatewayClient::reorderMembers(const QString &group, const QList<qint64> &memberIds,
                                   QObject *context, Reply<ModelGroup> done)
{
    call(context,
         [group, memberIds](Control *c) { return c->admin()->reorderMembers(group, memberIds); },
         std::move(done));
}

void GatewayClient::saveToolSet(const ToolSet &set, QObject *context, Reply<ToolSet> done)
{
    call(context, [set](Control *c) { return c->admin()->saveToolSet(set); }, std::move(done));
}

void GatewayClient::deleteToolSet(const QString &name, QObject *context, Reply<bool> done)
{
    call(context, [name](Control *c) { return c->admin()->deleteToolSet(name); }, std::move(done));
}

void GatewayClient::saveModelConfig(const ModelConfig &config, QObject *context,
                                    Reply<ModelConfig> done)
{
    call(context, [config](Control *c) { return c->admin()->saveModelConfig(config); },
         std::move(done));
}

void GatewayClient::addSystemPrompt(const AdminService::PromptInput &input, QObject *context,
                                    Reply<SystemPrompt> done)
{
    call(context, [input](Control *c) { return c->admin()->addSystemPrompt(input); }, std::move(done));
}

void GatewayClient::updateSystemPrompt(qint64 id, const AdminService::PromptInput &input, QObject *context,
                                       Reply<SystemPrompt> done)
{
    call(context, [id, input](Control *c) { return c->admin()->updateSystemPrompt(id, input); }, std::move(done));
}

void GatewayClient::deleteSystemPrompt(qint64 id, QObject *context, Reply<bool> done)
{
    call(context, [id](Control *c) { return c->admin()->deleteSystemPrompt(id); }, std::move(done));
}

void GatewayClient::reorderSystemPrompts(const QList<qint64> &ids, QObject *context,
                                         Reply<QList<SystemPrompt>> done)
{
    call(context, [ids](Control *c) { return c->admin()->reorderSystemPrompts(ids); }, std::move(done));
}

void GatewayClient::deleteModelConfig(const QString &pattern, QObject *context, Reply<bool> done)
{
    call(context, [pattern](Control *c) { return c->admin()->deleteModelConfig(pattern); },
         std::move(done));
}

void GatewayClient::updateSettings(const QJsonObject &values, QObject *context, Reply<QJsonObject> done)
{
    call(context, [values](Control *c) { return c->admin()->updateSettings(values); }, std::move(done));
}

ModelPullJob::ModelPullJob(Gateway *gateway, QObject *parent)
    : QObject(parent)
    , m_gateway(gateway)
    , m_operation(std::make_shared<QPointer<NodeOperation>>())
{
}

ModelPullJob::~ModelPullJob()
{
    cancel();
}

void ModelPullJob::cancel()
{
    if (!m_running || !m_gateway)
        return;
    // Queued behind the call that created the operation, so it is there unless it already ended.
    QMetaObject::invokeMethod(
        m_gateway,
        [operation = m_operation] {
            if (*operation)
                (*operation)->cancel();
        },
        Qt::QueuedConnection);
}

void ModelPullJob::end(bool ok)
{
    m_running = false;
    Q_EMIT finished(ok);
}

ModelPullJob *GatewayClient::pullModel(const QString &model, std::optional<qint64> nodeId,
                                       QObject *context)
{
    Gateway *gateway = primary();
    auto *job = new ModelPullJob(gateway, context);
    QPointer<ModelPullJob> guard(job);
    // Runs report(job) on the GUI thread unless the job is gone by then.
    const auto toGui = [guard](auto report) {
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [guard, report] {
                if (guard)
                    report(guard.data());
            },
            Qt::QueuedConnection);
    };
    if (!gateway) {
        toGui([](ModelPullJob *job) {
            Q_EMIT job->refused(tr("The gateway is not running"));
            job->end(false);
        });
        return job;
    }
    QMetaObject::invokeMethod(
        gateway,
        [gateway, model, nodeId, slot = job->m_operation, toGui] {
            const auto created = NodeOperation::pull(gateway, model, nodeId);
            if (!created.ok()) {
                toGui([error = created.error().message](ModelPullJob *job) {
                    Q_EMIT job->refused(error);
                    job->end(false);
                });
                return;
            }
            NodeOperation *operation = created.value();
            *slot = operation;
            toGui([nodes = operation->nodes()](ModelPullJob *job) { Q_EMIT job->started(nodes); });
            connect(operation, &NodeOperation::progress, operation,
                    [toGui](qint64 id, const QString &name, const QString &status, qint64 completed, qint64 total) {
                        toGui([=](ModelPullJob *job) { Q_EMIT job->progress(id, name, status, completed, total); });
                    });
            connect(operation, &NodeOperation::nodeFinished, operation,
                    [toGui](qint64 id, bool ok, const QString &error) {
                        toGui([=](ModelPullJob *job) { Q_EMIT job->nodeFinished(id, ok, error); });
                    });
            connect(operation, &NodeOperation::finished, operation,
                    [toGui](bool ok) { toGui([ok](ModelPullJob *job) { job->end(ok); }); });
            operation->start();
        },
        Qt::QueuedConnection);
    return job;
}

void GatewayClient::requestLogs(const LogQuery &query, QObject *context,
                                std::function<void(const LogPage &)> done)
{
    call(context,
         [query](Control *c) {
             LogPage page;
             page.entries = c->store()->requestLogs(query, &page.total);
             return page;
         },
         std::move(done));
}

void GatewayClient::auditLogs(const LogQuery &query, QObject *context,
                              std::function<void(const QList<AuditEntry> &)> done)
{
    call(context, [query](Control *c) { return c->store()->auditLogs(query, nullptr); },
         std::move(done));
}

void GatewayClient::requestsSince(const QDateTime &since, QObject *context,
                                  std::function<void(const QList<RequestLogEntry> &)> done)
{
    call(
        context,
        [since](Control *c) {
            QList<RequestLogEntry> recent;
            LogQuery query;
            query.limit = 1000;
            // Newest first: page back until the window is covered.
            for (int pages = 0; pages < 50; ++pages) {
                const QList<RequestLogEntry> page = c->store()->requestLogs(query, nullptr);
                for (const RequestLogEntry &entry : page) {
                    if (entry.createdAt < since)
                        return recent;
                    if (!entry.refused()) // refusals are in the log, not in the usage figures
                        recent.append(entry);
                }
                if (page.size() < query.limit)
                    break;
                query.offset += query.limit;
            }
            return recent;
        },
        std::move(done), false);
}

} // namespace Maestro

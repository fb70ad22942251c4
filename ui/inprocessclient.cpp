#include "inprocessclient.h"

#include "http/control.h"
#include "http/gateway.h"
#include "http/gatewaythread.h"
#include "http/nodeoperation.h"

#include <QCoreApplication>
#include <QThread>

using namespace Qt::StringLiterals;

namespace Maestro {

InProcessGatewayClient::InProcessGatewayClient(GatewayThread *gateways, QObject *parent)
    : GatewayClient(parent)
    , m_gateways(gateways)
{
    // Every change reloads the catalog, and a health sweep may reload it once per node: gather
    // those into one refresh.
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(100);
    connect(&m_refreshTimer, &QTimer::timeout, this, &InProcessGatewayClient::refresh);

    if (m_gateways && m_gateways->isRunning())
        attach();
    refresh();
}

Gateway *InProcessGatewayClient::primary() const
{
    return m_primary;
}

bool InProcessGatewayClient::postToControl(std::function<void(Control *)> work)
{
    return m_control && m_control->call(std::move(work));
}

void InProcessGatewayClient::attach()
{
    m_run = Run::Running;
    m_startError.clear();
    m_port = m_gateways->port();
    m_primary = m_gateways->gateway();
    m_control = m_gateways->controlPort();
    // Requests are served (and logged) by every I/O thread; catalog reloads and node checks run
    // on the control thread.
    for (Gateway *gateway : m_gateways->gateways()) {
        connect(gateway, &Gateway::requestLogged, this, &InProcessGatewayClient::noteLogged);
        connect(gateway, &Gateway::callsChanged, this, &InProcessGatewayClient::noteCalls);
    }
    Control *control = m_gateways->control();
    connect(control, &Control::catalogReloaded, this, [this] { m_refreshTimer.start(); });
    connect(control, &Control::nodeHealthChanged, this, &InProcessGatewayClient::nodeHealthChanged);
}

void InProcessGatewayClient::switchGateway(Run during, std::function<bool(QString *)> operation)
{
    m_run = during;
    m_primary = nullptr;
    m_control.reset();
    Q_EMIT runningChanged(false);
    QPointer<InProcessGatewayClient> self(this);
    QThread *worker = QThread::create([self, operation = std::move(operation)] {
        QString error;
        const bool ok = operation(&error);
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, ok, error] {
                if (!self)
                    return;
                // Calls that were out when the gateways went away never answer.
                self->resetBusy();
                self->noteCalls(0);
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

void InProcessGatewayClient::stopGateway()
{
    if (!m_gateways || m_run != Run::Running)
        return;
    GatewayThread *gateways = m_gateways;
    switchGateway(Run::Stopping, [gateways](QString *) {
        gateways->stop(5000);
        return false;
    });
}

void InProcessGatewayClient::startGateway()
{
    if (!m_gateways || m_run != Run::Stopped)
        return;
    GatewayThread *gateways = m_gateways;
    switchGateway(Run::Starting, [gateways](QString *error) { return gateways->start(error); });
}

InProcessGatewayClient::~InProcessGatewayClient()
{
    // A stop or start under way must end before the application tears the gateways down.
    if (m_switch)
        m_switch->wait();
}

QString InProcessGatewayClient::gatewayName() const
{
    return tr("this app's gateway");
}

bool InProcessGatewayClient::canStartStop() const
{
    return m_gateways != nullptr;
}

QString InProcessGatewayClient::baseUrl() const
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

void InProcessGatewayClient::refresh()
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
        [this](const GatewaySnapshot &snapshot) { replaceSnapshot(snapshot); },
        false);
}

void InProcessGatewayClient::createUser(const QString &username, QObject *context, Reply<CreatedUser> done)
{
    call(context, [username](Control *c) { return c->admin()->createUser(username); }, std::move(done));
}

void InProcessGatewayClient::rotateToken(const QString &username, QObject *context, Reply<CreatedUser> done)
{
    call(context, [username](Control *c) { return c->admin()->rotateToken(username); }, std::move(done));
}

void InProcessGatewayClient::deleteUser(const QString &username, QObject *context, Reply<bool> done)
{
    call(context, [username](Control *c) { return c->admin()->deleteUser(username); }, std::move(done));
}

void InProcessGatewayClient::setUserModels(const QString &username, bool all, const QStringList &models,
                                  QObject *context, Reply<User> done)
{
    call(context,
         [username, all, models](Control *c) {
             return all ? c->admin()->grantAllModels(username)
                        : c->admin()->setUserModels(username, models);
         },
         std::move(done));
}

void InProcessGatewayClient::setUserNodes(const QString &username, const QList<qint64> &nodeIds, QObject *context,
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

void InProcessGatewayClient::setUserNodeModels(const QString &username, const QList<NodeModelGrant> &pairs,
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

void InProcessGatewayClient::setUserLimits(const QString &username, const UserLimits &limits, QObject *context,
                                  Reply<User> done)
{
    call(context,
         [username, limits](Control *c) { return c->admin()->setUserLimits(username, limits); },
         std::move(done));
}

void InProcessGatewayClient::addNode(const AdminService::NodeInput &input, QObject *context, Reply<Node> done)
{
    call(context, [input](Control *c) { return c->admin()->addNode(input); }, std::move(done));
}

void InProcessGatewayClient::updateNode(qint64 id, const AdminService::NodeInput &input, QObject *context,
                               Reply<Node> done)
{
    call(context, [id, input](Control *c) { return c->admin()->updateNode(id, input); }, std::move(done));
}

void InProcessGatewayClient::toggleNode(qint64 id, QObject *context, Reply<Node> done)
{
    call(context, [id](Control *c) { return c->admin()->toggleNode(id); }, std::move(done));
}

void InProcessGatewayClient::deleteNode(qint64 id, QObject *context, Reply<bool> done)
{
    call(context, [id](Control *c) { return c->admin()->deleteNode(id); }, std::move(done));
}

void InProcessGatewayClient::checkNode(qint64 id, QObject *context,
                              std::function<void(bool, const QString &)> done)
{
    QPointer<QObject> guard(context);
    QPointer<InProcessGatewayClient> self(this);
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

void InProcessGatewayClient::addMapping(const AdminService::MappingInput &input, QObject *context,
                               Reply<ModelMapping> done)
{
    call(context, [input](Control *c) { return c->admin()->addMapping(input); }, std::move(done));
}

void InProcessGatewayClient::updateMapping(const QString &displayName, const AdminService::MappingInput &input,
                                  QObject *context, Reply<ModelMapping> done)
{
    call(context,
         [displayName, input](Control *c) { return c->admin()->updateMapping(displayName, input); },
         std::move(done));
}

void InProcessGatewayClient::deleteMapping(const QString &displayName, QObject *context, Reply<bool> done)
{
    call(context, [displayName](Control *c) { return c->admin()->deleteMapping(displayName); },
         std::move(done));
}

void InProcessGatewayClient::addGroup(const AdminService::GroupInput &input,
                             const QList<AdminService::MemberInput> &members, QObject *context,
                             Reply<ModelGroup> done)
{
    call(context, [input, members](Control *c) { return c->admin()->addGroup(input, members); },
         std::move(done));
}

void InProcessGatewayClient::updateGroup(const QString &name, const AdminService::GroupInput &input,
                                QObject *context, Reply<ModelGroup> done)
{
    call(context, [name, input](Control *c) { return c->admin()->updateGroup(name, input); },
         std::move(done));
}

void InProcessGatewayClient::deleteGroup(const QString &name, QObject *context, Reply<bool> done)
{
    call(context, [name](Control *c) { return c->admin()->deleteGroup(name); }, std::move(done));
}

void InProcessGatewayClient::addMember(const QString &group, const AdminService::MemberInput &input,
                              QObject *context, Reply<ModelGroup> done)
{
    call(context, [group, input](Control *c) { return c->admin()->addMember(group, input); },
         std::move(done));
}

void InProcessGatewayClient::updateMember(const QString &group, qint64 memberId,
                                 const AdminService::MemberInput &input, QObject *context,
                                 Reply<ModelGroup> done)
{
    call(context,
         [group, memberId, input](Control *c) { return c->admin()->updateMember(group, memberId, input); },
         std::move(done));
}

void InProcessGatewayClient::deleteMember(const QString &group, qint64 memberId, QObject *context,
                                 Reply<ModelGroup> done)
{
    call(context, [group, memberId](Control *c) { return c->admin()->deleteMember(group, memberId); },
         std::move(done));
}

void InProcessGatewayClient::reorderMembers(const QString &group, const QList<qint64> &memberIds,
                                   QObject *context, Reply<ModelGroup> done)
{
    call(context,
         [group, memberIds](Control *c) { return c->admin()->reorderMembers(group, memberIds); },
         std::move(done));
}

void InProcessGatewayClient::saveToolSet(const ToolSet &set, QObject *context, Reply<ToolSet> done)
{
    call(context, [set](Control *c) { return c->admin()->saveToolSet(set); }, std::move(done));
}

void InProcessGatewayClient::deleteToolSet(const QString &name, QObject *context, Reply<bool> done)
{
    call(context, [name](Control *c) { return c->admin()->deleteToolSet(name); }, std::move(done));
}

void InProcessGatewayClient::saveModelConfig(const ModelConfig &config, QObject *context,
                                    Reply<ModelConfig> done)
{
    call(context, [config](Control *c) { return c->admin()->saveModelConfig(config); },
         std::move(done));
}

void InProcessGatewayClient::addSystemPrompt(const AdminService::PromptInput &input, QObject *context,
                                    Reply<SystemPrompt> done)
{
    call(context, [input](Control *c) { return c->admin()->addSystemPrompt(input); }, std::move(done));
}

void InProcessGatewayClient::updateSystemPrompt(qint64 id, const AdminService::PromptInput &input, QObject *context,
                                       Reply<SystemPrompt> done)
{
    call(context, [id, input](Control *c) { return c->admin()->updateSystemPrompt(id, input); }, std::move(done));
}

void InProcessGatewayClient::deleteSystemPrompt(qint64 id, QObject *context, Reply<bool> done)
{
    call(context, [id](Control *c) { return c->admin()->deleteSystemPrompt(id); }, std::move(done));
}

void InProcessGatewayClient::reorderSystemPrompts(const QList<qint64> &ids, QObject *context,
                                         Reply<QList<SystemPrompt>> done)
{
    call(context, [ids](Control *c) { return c->admin()->reorderSystemPrompts(ids); }, std::move(done));
}

void InProcessGatewayClient::deleteModelConfig(const QString &pattern, QObject *context, Reply<bool> done)
{
    call(context, [pattern](Control *c) { return c->admin()->deleteModelConfig(pattern); },
         std::move(done));
}

void InProcessGatewayClient::updateSettings(const QJsonObject &values, QObject *context, Reply<QJsonObject> done)
{
    call(context, [values](Control *c) { return c->admin()->updateSettings(values); }, std::move(done));
}

ModelPullJob *InProcessGatewayClient::pullModel(const QString &model, std::optional<qint64> nodeId,
                                       QObject *context)
{
    Gateway *gateway = primary();
    // Set and read on the gateway's thread only.
    auto operationSlot = std::make_shared<QPointer<NodeOperation>>();
    QPointer<Gateway> target(gateway);
    auto *job = new ModelPullJob(
        [target, operationSlot] {
            if (!target)
                return;
            // Queued behind the call that created the operation, so it is there unless it already ended.
            QMetaObject::invokeMethod(
                target.data(),
                [operationSlot] {
                    if (*operationSlot)
                        (*operationSlot)->cancel();
                },
                Qt::QueuedConnection);
        },
        context);
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
        [gateway, model, nodeId, slot = operationSlot, toGui] {
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

void InProcessGatewayClient::requestLogs(const LogQuery &query, QObject *context,
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

void InProcessGatewayClient::auditLogs(const LogQuery &query, QObject *context,
                              std::function<void(const QList<AuditEntry> &)> done)
{
    call(context, [query](Control *c) { return c->store()->auditLogs(query, nullptr); },
         std::move(done));
}

void InProcessGatewayClient::requestsSince(const QDateTime &since, QObject *context,
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

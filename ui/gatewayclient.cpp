#include "gatewayclient.h"

#include "http/gateway.h"
#include "http/gatewaythread.h"

#include <QSet>

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

const ModelGroup *GatewaySnapshot::group(const QString &name) const
{
    for (const ModelGroup &candidate : groups) {
        if (candidate.name == name)
            return &candidate;
    }
    return nullptr;
}

const ToolSet *GatewaySnapshot::toolSet(const QString &name) const
{
    for (const ToolSet &candidate : toolSets) {
        if (candidate.name == name)
            return &candidate;
    }
    return nullptr;
}

const SystemPrompt *GatewaySnapshot::systemPrompt(qint64 id) const
{
    for (const SystemPrompt &candidate : systemPrompts) {
        if (candidate.id == id)
            return &candidate;
    }
    return nullptr;
}

const ModelConfig *GatewaySnapshot::modelConfig(const QString &pattern) const
{
    for (const ModelConfig &candidate : modelConfigs) {
        if (candidate.pattern == pattern)
            return &candidate;
    }
    return nullptr;
}

const Node *GatewaySnapshot::node(qint64 id) const
{
    for (const Node &candidate : nodes) {
        if (candidate.id == id)
            return &candidate;
    }
    return nullptr;
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

    if (!m_gateways)
        return;
    // Requests are served (and logged) by every I/O thread; node checks run on the primary.
    for (Gateway *gateway : m_gateways->gateways()) {
        connect(gateway, &Gateway::requestLogged, this, [this](const RequestLogEntry &entry) {
            if (entry.userId != 0) {
                Store::DayUsage &usage = m_snapshot.usageToday[entry.userId];
                ++usage.requests;
                usage.tokens += entry.totalTokens();
            }
            Q_EMIT requestLogged(entry);
        });
        connect(gateway, &Gateway::callsChanged, this, [this](int active) {
            m_snapshot.activeCalls = active;
            Q_EMIT callsChanged(active);
        });
        connect(gateway, &Gateway::catalogReloaded, this, [this] { m_refreshTimer.start(); });
    }
    if (Gateway *gateway = primary()) {
        connect(gateway, &Gateway::nodeHealthChanged, this, &GatewayClient::nodeHealthChanged);
    }
    refresh();
}

GatewayClient::~GatewayClient() = default;

Gateway *GatewayClient::primary() const
{
    return m_gateways ? m_gateways->gateway() : nullptr;
}

bool GatewayClient::isRunning() const
{
    return m_gateways && m_gateways->isRunning();
}

quint16 GatewayClient::port() const
{
    return m_gateways ? m_gateways->port() : 0;
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
    GatewayShared *shared = m_gateways ? m_gateways->shared() : nullptr;
    call(
        this,
        [shared](Gateway *gateway) {
            GatewaySnapshot snapshot;
            Store *store = gateway->store();
            snapshot.users = store->users();
            snapshot.nodes = store->nodes();
            snapshot.nodeModels = store->nodeModels();
            snapshot.mappings = store->mappings();
            snapshot.groups = store->groups();
            snapshot.toolSets = store->toolSets();
            snapshot.modelConfigs = store->modelConfigs();
            snapshot.systemPrompts = store->systemPrompts();
            snapshot.settings = store->settings();
            snapshot.strategy = gateway->routingStrategy();
            bool ok = false;
            snapshot.maxBodyBytes = snapshot.settings.value(u"max_body_bytes"_s).toLongLong(&ok);
            if (!ok || snapshot.maxBodyBytes <= 0)
                snapshot.maxBodyBytes = gateway->config().maxBodyBytes;
            for (const User &user : std::as_const(snapshot.users))
                snapshot.usageToday.insert(user.id, gateway->limiter().today(user.id));
            for (const Node &node : std::as_const(snapshot.nodes))
                snapshot.nodeLoad.insert(node.id, gateway->balancer().active(node.id));
            snapshot.activeCalls = shared ? shared->activeCalls.load() : gateway->activeCalls();
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
    call(context, [username](Gateway *g) { return g->admin()->createUser(username); }, std::move(done));
}

void GatewayClient::rotateToken(const QString &username, QObject *context, Reply<CreatedUser> done)
{
    call(context, [username](Gateway *g) { return g->admin()->rotateToken(username); }, std::move(done));
}

void GatewayClient::deleteUser(const QString &username, QObject *context, Reply<bool> done)
{
    call(context, [username](Gateway *g) { return g->admin()->deleteUser(username); }, std::move(done));
}

void GatewayClient::setUserModels(const QString &username, bool all, const QStringList &models,
                                  QObject *context, Reply<User> done)
{
    call(context,
         [username, all, models](Gateway *g) {
             return all ? g->admin()->grantAllModels(username)
                        : g->admin()->setUserModels(username, models);
         },
         std::move(done));
}

void GatewayClient::setUserLimits(const QString &username, std::optional<qint64> requests,
                                  std::optional<qint64> tokens, QObject *context, Reply<User> done)
{
    call(context,
         [username, requests, tokens](Gateway *g) {
             return g->admin()->setUserLimits(username, requests, tokens);
         },
         std::move(done));
}

void GatewayClient::addNode(const AdminService::NodeInput &input, QObject *context, Reply<Node> done)
{
    call(context, [input](Gateway *g) { return g->admin()->addNode(input); }, std::move(done));
}

void GatewayClient::updateNode(qint64 id, const AdminService::NodeInput &input, QObject *context,
                               Reply<Node> done)
{
    call(context, [id, input](Gateway *g) { return g->admin()->updateNode(id, input); }, std::move(done));
}

void GatewayClient::toggleNode(qint64 id, QObject *context, Reply<Node> done)
{
    call(context, [id](Gateway *g) { return g->admin()->toggleNode(id); }, std::move(done));
}

void GatewayClient::deleteNode(qint64 id, QObject *context, Reply<bool> done)
{
    call(context, [id](Gateway *g) { return g->admin()->deleteNode(id); }, std::move(done));
}

void GatewayClient::checkNode(qint64 id, QObject *context,
                              std::function<void(bool, const QString &)> done)
{
    Gateway *gateway = primary();
    if (!gateway)
        return;
    beginBusy();
    QPointer<QObject> guard(context);
    QPointer<GatewayClient> self(this);
    QMetaObject::invokeMethod(
        gateway,
        [gateway, id, done = std::move(done), guard, self]() mutable {
            gateway->checkNode(id, gateway, [done, guard, self](bool ok, const QString &error) {
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
        },
        Qt::QueuedConnection);
}

void GatewayClient::addMapping(const AdminService::MappingInput &input, QObject *context,
                               Reply<ModelMapping> done)
{
    call(context, [input](Gateway *g) { return g->admin()->addMapping(input); }, std::move(done));
}

void GatewayClient::updateMapping(const QString &displayName, const AdminService::MappingInput &input,
                                  QObject *context, Reply<ModelMapping> done)
{
    call(context,
         [displayName, input](Gateway *g) { return g->admin()->updateMapping(displayName, input); },
         std::move(done));
}

void GatewayClient::deleteMapping(const QString &displayName, QObject *context, Reply<bool> done)
{
    call(context, [displayName](Gateway *g) { return g->admin()->deleteMapping(displayName); },
         std::move(done));
}

void GatewayClient::addGroup(const AdminService::GroupInput &input,
                             const QList<AdminService::MemberInput> &members, QObject *context,
                             Reply<ModelGroup> done)
{
    call(context, [input, members](Gateway *g) { return g->admin()->addGroup(input, members); },
         std::move(done));
}

void GatewayClient::updateGroup(const QString &name, const AdminService::GroupInput &input,
                                QObject *context, Reply<ModelGroup> done)
{
    call(context, [name, input](Gateway *g) { return g->admin()->updateGroup(name, input); },
         std::move(done));
}

void GatewayClient::deleteGroup(const QString &name, QObject *context, Reply<bool> done)
{
    call(context, [name](Gateway *g) { return g->admin()->deleteGroup(name); }, std::move(done));
}

void GatewayClient::addMember(const QString &group, const AdminService::MemberInput &input,
                              QObject *context, Reply<ModelGroup> done)
{
    call(context, [group, input](Gateway *g) { return g->admin()->addMember(group, input); },
         std::move(done));
}

void GatewayClient::updateMember(const QString &group, qint64 memberId,
                                 const AdminService::MemberInput &input, QObject *context,
                                 Reply<ModelGroup> done)
{
    call(context,
         [group, memberId, input](Gateway *g) { return g->admin()->updateMember(group, memberId, input); },
         std::move(done));
}

void GatewayClient::deleteMember(const QString &group, qint64 memberId, QObject *context,
                                 Reply<ModelGroup> done)
{
    call(context, [group, memberId](Gateway *g) { return g->admin()->deleteMember(group, memberId); },
         std::move(done));
}

void GatewayClient::reorderMembers(const QString &group, const QList<qint64> &memberIds,
                                   QObject *context, Reply<ModelGroup> done)
{
    call(context,
         [group, memberIds](Gateway *g) { return g->admin()->reorderMembers(group, memberIds); },
         std::move(done));
}

void GatewayClient::saveToolSet(const ToolSet &set, QObject *context, Reply<ToolSet> done)
{
    call(context, [set](Gateway *g) { return g->admin()->saveToolSet(set); }, std::move(done));
}

void GatewayClient::deleteToolSet(const QString &name, QObject *context, Reply<bool> done)
{
    call(context, [name](Gateway *g) { return g->admin()->deleteToolSet(name); }, std::move(done));
}

void GatewayClient::saveModelConfig(const ModelConfig &config, QObject *context,
                                    Reply<ModelConfig> done)
{
    call(context, [config](Gateway *g) { return g->admin()->saveModelConfig(config); },
         std::move(done));
}

void GatewayClient::addSystemPrompt(const AdminService::PromptInput &input, QObject *context,
                                    Reply<SystemPrompt> done)
{
    call(context, [input](Gateway *g) { return g->admin()->addSystemPrompt(input); }, std::move(done));
}

void GatewayClient::updateSystemPrompt(qint64 id, const AdminService::PromptInput &input, QObject *context,
                                       Reply<SystemPrompt> done)
{
    call(context, [id, input](Gateway *g) { return g->admin()->updateSystemPrompt(id, input); }, std::move(done));
}

void GatewayClient::deleteSystemPrompt(qint64 id, QObject *context, Reply<bool> done)
{
    call(context, [id](Gateway *g) { return g->admin()->deleteSystemPrompt(id); }, std::move(done));
}

void GatewayClient::reorderSystemPrompts(const QList<qint64> &ids, QObject *context,
                                         Reply<QList<SystemPrompt>> done)
{
    call(context, [ids](Gateway *g) { return g->admin()->reorderSystemPrompts(ids); }, std::move(done));
}

void GatewayClient::deleteModelConfig(const QString &pattern, QObject *context, Reply<bool> done)
{
    call(context, [pattern](Gateway *g) { return g->admin()->deleteModelConfig(pattern); },
         std::move(done));
}

void GatewayClient::setSetting(const QString &key, const QString &value, QObject *context,
                               Reply<bool> done)
{
    call(context, [key, value](Gateway *g) { return g->admin()->setSetting(key, value); },
         std::move(done));
}

void GatewayClient::requestLogs(const LogQuery &query, QObject *context,
                                std::function<void(const LogPage &)> done)
{
    call(context,
         [query](Gateway *g) {
             LogPage page;
             page.entries = g->store()->requestLogs(query, &page.total);
             return page;
         },
         std::move(done));
}

void GatewayClient::auditLogs(const LogQuery &query, QObject *context,
                              std::function<void(const QList<AuditEntry> &)> done)
{
    call(context, [query](Gateway *g) { return g->store()->auditLogs(query, nullptr); },
         std::move(done));
}

void GatewayClient::requestsSince(const QDateTime &since, QObject *context,
                                  std::function<void(const QList<RequestLogEntry> &)> done)
{
    call(
        context,
        [since](Gateway *g) {
            QList<RequestLogEntry> recent;
            LogQuery query;
            query.limit = 1000;
            // Newest first: page back until the window is covered.
            for (int pages = 0; pages < 50; ++pages) {
                const QList<RequestLogEntry> page = g->store()->requestLogs(query, nullptr);
                for (const RequestLogEntry &entry : page) {
                    if (entry.createdAt < since)
                        return recent;
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

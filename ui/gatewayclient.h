#pragma once

#include "core/adminservice.h"
#include "core/balancer.h"
#include "core/entities.h"
#include "core/settings.h"
#include "core/store.h"

#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QThread>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>
#include <type_traits>

namespace Maestro {

class Control;
class ControlPort;
class Gateway;
class GatewayThread;
class NodeOperation;

// What the pages show, fetched in one queued call and replaced whole.
struct GatewaySnapshot
{
    QList<User> users;
    QList<Node> nodes;
    QList<NodeModel> nodeModels;
    QList<ModelMapping> mappings;
    QList<ModelGroup> groups;
    QList<ToolSet> toolSets;
    QList<ModelConfig> modelConfigs;
    Settings settings; // effective values
    QList<SystemPrompt> systemPrompts; // by priority, highest first
    QHash<qint64, Store::DayUsage> usageToday; // per user id
    QHash<qint64, int> nodeLoad;               // requests in flight per node id
    QHash<qint64, NodeTraffic> nodeTraffic;    // per node id, today's (UTC) requests
    int activeCalls = 0;
    bool loaded = false;

    // Names a user can be granted: display names of mappings, group names, then real names nodes
    // serve.
    QStringList modelNames() const;
    // Names a group member can send to: display names of mappings, then real names nodes serve
    // (a group is not a member of another group).
    QStringList memberModelNames() const;
    const Node *node(qint64 id) const;
    const ModelGroup *group(const QString &name) const;
    const ToolSet *toolSet(const QString &name) const;
    const ModelConfig *modelConfig(const QString &pattern) const;
    const SystemPrompt *systemPrompt(qint64 id) const;
    int healthyNodes() const;
    int downNodes() const; // active nodes known to be unhealthy
};

// A model pull seen from the GUI thread (GatewayClient::pullModel). The pull itself runs on an
// I/O thread of the gateway (it only talks to nodes); its reports arrive here queued, in the order the nodes sent them, so the
// gateway never waits for the GUI. Deleting a running job cancels the pull.
class ModelPullJob final : public QObject
{
    Q_OBJECT

public:
    ~ModelPullJob() override;

    bool isRunning() const { return m_running; }
    // Aborts the pull on every node still pulling: each of them finishes failed, then finished(false).
    void cancel();

Q_SIGNALS:
    // The nodes the pull goes to, before any of their progress.
    void started(const QList<Maestro::Node> &nodes);
    // Ollama's status text ("pulling manifest", "verifying sha256 digest", "success"...) and, while
    // a layer downloads, its bytes done of total (total 0: not known).
    void progress(qint64 nodeId, const QString &nodeName, const QString &status, qint64 completed,
                  qint64 total);
    void nodeFinished(qint64 nodeId, bool ok, const QString &error);
    // The pull could not start (no such node, not an Ollama node, no model...); finished(false) follows.
    void refused(const QString &error);
    void finished(bool ok);

private:
    friend class GatewayClient;
    ModelPullJob(Gateway *gateway, QObject *parent);
    void end(bool ok);

    Gateway *m_gateway;
    // Set and read on the gateway's thread only.
    std::shared_ptr<QPointer<NodeOperation>> m_operation;
    bool m_running = true;
};

// The desktop application's only way to the gateway. Every operation runs on the gateway's control
// thread (where the AdminService and its database connection live, as for the admin API) through
// a queued invocation, and its result comes back to the GUI thread the same way: the GUI thread
// never waits for the database or a node. While calls are out, busy() is true.
class GatewayClient final : public QObject
{
    Q_OBJECT

public:
    explicit GatewayClient(GatewayThread *gateways, QObject *parent = nullptr);
    ~GatewayClient() override;

    const GatewaySnapshot &snapshot() const { return m_snapshot; }
    bool isBusy() const { return m_pending > 0; }
    bool isRunning() const { return m_run == Run::Running; }
    // True between startGateway()/stopGateway() and runningChanged().
    bool isSwitching() const { return m_run == Run::Starting || m_run == Run::Stopping; }
    // Why the last start failed (empty after a successful one).
    QString startError() const { return m_startError; }
    quint16 port() const { return m_port; }
    // The address clients use, e.g. http://127.0.0.1:8000.
    QString baseUrl() const;

    // Fetches a new snapshot; snapshotChanged() follows.
    void refresh();

    // Stop lets running requests finish (up to 5 s) and start binds the listening sockets; both
    // happen off the GUI thread, and runningChanged() follows. While stopped, calls are dropped.
    void stopGateway();
    void startGateway();

    // Runs work(control) on the control thread, then done(result) on the GUI thread, unless
    // context was destroyed in between.
    template<typename Work, typename Done>
    void call(QObject *context, Work work, Done done, bool showBusy = true)
    {
        using T = std::invoke_result_t<Work, Control *>;
        if (!m_control)
            return;
        QPointer<QObject> guard(context);
        QPointer<GatewayClient> self(this);
        const bool posted = postToControl(
            [work = std::move(work), done = std::move(done), guard, self, showBusy](Control *control) mutable {
                T result = work(control);
                // The application object outlives every window, so the reply always has a home.
                QMetaObject::invokeMethod(
                    QCoreApplication::instance(),
                    [result = std::move(result), done = std::move(done), guard, self, showBusy]() mutable {
                        if (self && showBusy)
                            self->endBusy();
                        if (guard)
                            done(result);
                    },
                    Qt::QueuedConnection);
            });
        if (posted && showBusy)
            beginBusy();
    }

    using CreatedUser = AdminService::CreatedUser;
    template<typename T>
    using Reply = std::function<void(const Result<T> &)>;

    void createUser(const QString &username, QObject *context, Reply<CreatedUser> done);
    void rotateToken(const QString &username, QObject *context, Reply<CreatedUser> done);
    void deleteUser(const QString &username, QObject *context, Reply<bool> done);
    void setUserModels(const QString &username, bool all, const QStringList &models,
                       QObject *context, Reply<User> done);
    void setUserLimits(const QString &username, const UserLimits &limits, QObject *context,
                       Reply<User> done);
    // Empty nodeIds: every node; the (node, model) pairs are kept as they are.
    void setUserNodes(const QString &username, const QList<qint64> &nodeIds, QObject *context,
                      Reply<User> done);
    // Empty pairs: every model on the user's nodes; the node list is kept as it is.
    void setUserNodeModels(const QString &username, const QList<NodeModelGrant> &pairs, QObject *context,
                           Reply<User> done);

    void addNode(const AdminService::NodeInput &input, QObject *context, Reply<Node> done);
    void updateNode(qint64 id, const AdminService::NodeInput &input, QObject *context,
                    Reply<Node> done);
    void toggleNode(qint64 id, QObject *context, Reply<Node> done);
    void deleteNode(qint64 id, QObject *context, Reply<bool> done);
    // Health check and model discovery now; done(healthy, error) when the node answered or not.
    void checkNode(qint64 id, QObject *context, std::function<void(bool, const QString &)> done);

    void addMapping(const AdminService::MappingInput &input, QObject *context,
                    Reply<ModelMapping> done);
    void updateMapping(const QString &displayName, const AdminService::MappingInput &input,
                       QObject *context, Reply<ModelMapping> done);
    void deleteMapping(const QString &displayName, QObject *context, Reply<bool> done);

    void addGroup(const AdminService::GroupInput &input, const QList<AdminService::MemberInput> &members,
                  QObject *context, Reply<ModelGroup> done);
    void updateGroup(const QString &name, const AdminService::GroupInput &input, QObject *context,
                     Reply<ModelGroup> done);
    void deleteGroup(const QString &name, QObject *context, Reply<bool> done);
    void addMember(const QString &group, const AdminService::MemberInput &input, QObject *context,
                   Reply<ModelGroup> done);
    void updateMember(const QString &group, qint64 memberId, const AdminService::MemberInput &input,
                      QObject *context, Reply<ModelGroup> done);
    void deleteMember(const QString &group, qint64 memberId, QObject *context, Reply<ModelGroup> done);
    // memberIds: every member of the group, in the new fallback order.
    void reorderMembers(const QString &group, const QList<qint64> &memberIds, QObject *context,
                        Reply<ModelGroup> done);

    // Both save by their key (the tool set's name, the configuration's pattern): create or replace.
    void saveToolSet(const ToolSet &set, QObject *context, Reply<ToolSet> done);
    void deleteToolSet(const QString &name, QObject *context, Reply<bool> done);
    void saveModelConfig(const ModelConfig &config, QObject *context, Reply<ModelConfig> done);
    void deleteModelConfig(const QString &pattern, QObject *context, Reply<bool> done);

    // All or nothing, as AdminService::updateSettings; done gets the effective settings.
    void updateSettings(const QJsonObject &values, QObject *context, Reply<QJsonObject> done);

    // Pulls `model` onto the Ollama node `nodeId`, or without it onto every active Ollama node. The
    // job belongs to context. Pulled models show up in the snapshot once the nodes are re-discovered.
    ModelPullJob *pullModel(const QString &model, std::optional<qint64> nodeId, QObject *context);

    void addSystemPrompt(const AdminService::PromptInput &input, QObject *context, Reply<SystemPrompt> done);
    void updateSystemPrompt(qint64 id, const AdminService::PromptInput &input, QObject *context,
                            Reply<SystemPrompt> done);
    void deleteSystemPrompt(qint64 id, QObject *context, Reply<bool> done);
    // ids: the prompts in their new order, the first applied first.
    void reorderSystemPrompts(const QList<qint64> &ids, QObject *context, Reply<QList<SystemPrompt>> done);


    struct LogPage
    {
        QList<RequestLogEntry> entries;
        qint64 total = 0;
    };
    void requestLogs(const LogQuery &query, QObject *context, std::function<void(const LogPage &)> done);
    void auditLogs(const LogQuery &query, QObject *context,
                   std::function<void(const QList<AuditEntry> &)> done);
    // Requests logged since `since`, newest first (for the dashboard).
    void requestsSince(const QDateTime &since, QObject *context,
                       std::function<void(const QList<RequestLogEntry> &)> done);

Q_SIGNALS:
    void snapshotChanged();
    void busyChanged(bool busy);
    void requestLogged(const Maestro::RequestLogEntry &entry);
    void nodeHealthChanged(qint64 nodeId, const QString &name, bool healthy);
    void callsChanged(int active);
    void runningChanged(bool running);

private:
    enum class Run { Running, Stopping, Stopped, Starting };

    Gateway *primary() const;
    // Queues work to the control thread; false while the gateway is stopped.
    bool postToControl(std::function<void(Control *)> work);
    // Follows the gateways now running: their signals, the control thread, the port.
    void attach();
    // Runs a blocking GatewayThread operation on a thread of its own, then settles the state.
    void switchGateway(Run during, std::function<bool(QString *)> operation);
    void beginBusy();
    void endBusy();

    GatewayThread *m_gateways;
    // Set on the GUI thread only, and cleared before a stop begins, so no call reaches a gateway
    // that is going away. The port refuses work once the control thread stopped.
    QPointer<Gateway> m_primary;
    std::shared_ptr<ControlPort> m_control;
    Run m_run = Run::Stopped;
    QString m_startError;
    quint16 m_port = 0;
    QPointer<QThread> m_switch; // the thread of a stop or start under way
    GatewaySnapshot m_snapshot;
    QTimer m_refreshTimer;
    int m_pending = 0;
};

} // namespace Maestro

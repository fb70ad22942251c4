#pragma once

#include "core/adminservice.h"
#include "core/entities.h"
#include "core/settings.h"
#include "core/store.h"

#include <QHash>
#include <QList>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

namespace Maestro {

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

// A model pull seen from the GUI thread (GatewayClient::pullModel). The pull runs in the gateway
// (it only talks to nodes); its reports arrive here in the order the nodes sent them, and the
// gateway never waits for the GUI. Deleting a running job cancels the pull.
class ModelPullJob final : public QObject
{
    Q_OBJECT

public:
    // For the GatewayClient implementations: `cancel` stops the pull where it runs.
    ModelPullJob(std::function<void()> cancel, QObject *parent);
    ~ModelPullJob() override;

    bool isRunning() const { return m_running; }
    // Aborts the pull on every node still pulling: each of them finishes failed, then finished(false).
    void cancel();
    // For the implementations: the pull is over; finished(ok) follows.
    void end(bool ok);

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
    std::function<void()> m_cancel;
    bool m_running = true;
};

// The desktop application's only way to the gateway it manages. No page knows which gateway that
// is: the one inside this process (InProcessGatewayClient), or one that runs elsewhere, as a
// service on this computer or on a server, reached through its admin API (RemoteGatewayClient).
// Every operation answers later on the GUI thread, which never waits for the database, a node or
// the network; while calls are out, isBusy() is true. An answer for a `context` destroyed in
// between is dropped.
class GatewayClient : public QObject
{
    Q_OBJECT

public:
    ~GatewayClient() override;

    const GatewaySnapshot &snapshot() const { return m_snapshot; }
    bool isBusy() const { return m_pending > 0; }

    // Which gateway this is, for the window's title and status bar: "this app's gateway",
    // "the service on this computer", "gpu-server.lan:8000".
    virtual QString gatewayName() const = 0;
    // The address clients use, e.g. http://127.0.0.1:8000.
    virtual QString baseUrl() const = 0;
    // Why the gateway cannot be managed now (the token was refused, it cannot be reached); empty
    // when it can. problemChanged() follows every change.
    QString problem() const { return m_problem; }

    // Whether this app can stop and start the gateway: its own, or a service it runs through
    // systemd. Stop lets running requests finish; both happen without blocking, and
    // runningChanged() follows.
    virtual bool canStartStop() const = 0;
    virtual bool isRunning() const = 0;
    // True between startGateway()/stopGateway() and runningChanged().
    virtual bool isSwitching() const = 0;
    // Why the last start failed (empty after a successful one).
    virtual QString startError() const = 0;
    virtual void stopGateway() = 0;
    virtual void startGateway() = 0;

    // Fetches a new snapshot; snapshotChanged() follows.
    virtual void refresh() = 0;

    using CreatedUser = AdminService::CreatedUser;
    template<typename T>
    using Reply = std::function<void(const Result<T> &)>;

    virtual void createUser(const QString &username, QObject *context, Reply<CreatedUser> done) = 0;
    virtual void rotateToken(const QString &username, QObject *context, Reply<CreatedUser> done) = 0;
    virtual void deleteUser(const QString &username, QObject *context, Reply<bool> done) = 0;
    virtual void setUserModels(const QString &username, bool all, const QStringList &models, QObject *context,
                               Reply<User> done) = 0;
    virtual void setUserLimits(const QString &username, const UserLimits &limits, QObject *context,
                               Reply<User> done) = 0;
    // Empty nodeIds: every node; the (node, model) pairs are kept as they are.
    virtual void setUserNodes(const QString &username, const QList<qint64> &nodeIds, QObject *context,
                              Reply<User> done) = 0;
    // Empty pairs: every model on the user's nodes; the node list is kept as it is.
    virtual void setUserNodeModels(const QString &username, const QList<NodeModelGrant> &pairs, QObject *context,
                                   Reply<User> done) = 0;

    virtual void addNode(const AdminService::NodeInput &input, QObject *context, Reply<Node> done) = 0;
    virtual void updateNode(qint64 id, const AdminService::NodeInput &input, QObject *context, Reply<Node> done) = 0;
    virtual void toggleNode(qint64 id, QObject *context, Reply<Node> done) = 0;
    virtual void deleteNode(qint64 id, QObject *context, Reply<bool> done) = 0;
    // Health check and model discovery now; done(healthy, error) when the node answered or not.
    virtual void checkNode(qint64 id, QObject *context, std::function<void(bool, const QString &)> done) = 0;

    virtual void addMapping(const AdminService::MappingInput &input, QObject *context, Reply<ModelMapping> done) = 0;
    virtual void updateMapping(const QString &displayName, const AdminService::MappingInput &input, QObject *context,
                               Reply<ModelMapping> done) = 0;
    virtual void deleteMapping(const QString &displayName, QObject *context, Reply<bool> done) = 0;

    virtual void addGroup(const AdminService::GroupInput &input, const QList<AdminService::MemberInput> &members,
                          QObject *context, Reply<ModelGroup> done) = 0;
    virtual void updateGroup(const QString &name, const AdminService::GroupInput &input, QObject *context,
                             Reply<ModelGroup> done) = 0;
    virtual void deleteGroup(const QString &name, QObject *context, Reply<bool> done) = 0;
    virtual void addMember(const QString &group, const AdminService::MemberInput &input, QObject *context,
                           Reply<ModelGroup> done) = 0;
    virtual void updateMember(const QString &group, qint64 memberId, const AdminService::MemberInput &input,
                              QObject *context, Reply<ModelGroup> done) = 0;
    virtual void deleteMember(const QString &group, qint64 memberId, QObject *context, Reply<ModelGroup> done) = 0;
    // memberIds: every member of the group, in the new fallback order.
    virtual void reorderMembers(const QString &group, const QList<qint64> &memberIds, QObject *context,
                                Reply<ModelGroup> done) = 0;

    // Both save by their key (the tool set's name, the configuration's pattern): create or replace.
    virtual void saveToolSet(const ToolSet &set, QObject *context, Reply<ToolSet> done) = 0;
    virtual void deleteToolSet(const QString &name, QObject *context, Reply<bool> done) = 0;
    virtual void saveModelConfig(const ModelConfig &config, QObject *context, Reply<ModelConfig> done) = 0;
    virtual void deleteModelConfig(const QString &pattern, QObject *context, Reply<bool> done) = 0;

    // All or nothing, as AdminService::updateSettings; done gets the effective settings.
    virtual void updateSettings(const QJsonObject &values, QObject *context, Reply<QJsonObject> done) = 0;

    // Pulls `model` onto the Ollama node `nodeId`, or without it onto every active Ollama node. The
    // job belongs to context. Pulled models show up in the snapshot once the nodes are re-discovered.
    virtual ModelPullJob *pullModel(const QString &model, std::optional<qint64> nodeId, QObject *context) = 0;

    virtual void addSystemPrompt(const AdminService::PromptInput &input, QObject *context,
                                 Reply<SystemPrompt> done) = 0;
    virtual void updateSystemPrompt(qint64 id, const AdminService::PromptInput &input, QObject *context,
                                    Reply<SystemPrompt> done) = 0;
    virtual void deleteSystemPrompt(qint64 id, QObject *context, Reply<bool> done) = 0;
    // ids: the prompts in their new order, the first applied first.
    virtual void reorderSystemPrompts(const QList<qint64> &ids, QObject *context,
                                      Reply<QList<SystemPrompt>> done) = 0;

    struct LogPage
    {
        QList<RequestLogEntry> entries;
        qint64 total = 0;
    };
    virtual void requestLogs(const LogQuery &query, QObject *context, std::function<void(const LogPage &)> done) = 0;
    virtual void auditLogs(const LogQuery &query, QObject *context,
                           std::function<void(const QList<AuditEntry> &)> done) = 0;
    // Requests logged since `since`, newest first, refusals left out (for the dashboard).
    virtual void requestsSince(const QDateTime &since, QObject *context,
                               std::function<void(const QList<RequestLogEntry> &)> done) = 0;

Q_SIGNALS:
    void snapshotChanged();
    void busyChanged(bool busy);
    void requestLogged(const Maestro::RequestLogEntry &entry);
    void nodeHealthChanged(qint64 nodeId, const QString &name, bool healthy);
    void callsChanged(int active);
    void runningChanged(bool running);
    void problemChanged(const QString &problem);

protected:
    explicit GatewayClient(QObject *parent);

    void replaceSnapshot(const GatewaySnapshot &snapshot);
    // A request was logged: today's usage of its user and its node's traffic in the snapshot
    // count it, then requestLogged().
    void noteLogged(const RequestLogEntry &entry);
    void noteCalls(int active);
    void setProblem(const QString &problem);
    // Calls go out and come back; an implementation drops what is out when its gateway goes.
    void beginBusy();
    void endBusy();
    void resetBusy();

private:
    GatewaySnapshot m_snapshot;
    QString m_problem;
    int m_pending = 0;
};

} // namespace Maestro

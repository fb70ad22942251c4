#pragma once

#include "gatewayclient.h"

#include <QCoreApplication>
#include <QPointer>
#include <QThread>
#include <QTimer>

#include <type_traits>

namespace Maestro {

class Control;
class ControlPort;
class Gateway;
class GatewayThread;

// The gateway inside this process. Every operation runs on the gateway's control thread (where
// the AdminService and its database connection live, as for the admin API) through a queued
// invocation, and its result comes back to the GUI thread the same way.
class InProcessGatewayClient final : public GatewayClient
{
    Q_OBJECT

public:
    explicit InProcessGatewayClient(GatewayThread *gateways, QObject *parent = nullptr);
    ~InProcessGatewayClient() override;

    QString gatewayName() const override;
    QString baseUrl() const override;
    quint16 port() const { return m_port; }

    bool canStartStop() const override;
    bool isRunning() const override { return m_run == Run::Running; }
    bool isSwitching() const override { return m_run == Run::Starting || m_run == Run::Stopping; }
    QString startError() const override { return m_startError; }
    // While stopped, calls are dropped.
    void stopGateway() override;
    void startGateway() override;

    void refresh() override;

    // Runs work(control) on the control thread, then done(result) on the GUI thread, unless
    // context was destroyed in between.
    template<typename Work, typename Done>
    void call(QObject *context, Work work, Done done, bool showBusy = true)
    {
        using T = std::invoke_result_t<Work, Control *>;
        if (!m_control)
            return;
        QPointer<QObject> guard(context);
        QPointer<InProcessGatewayClient> self(this);
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

    void createUser(const QString &username, QObject *context, Reply<CreatedUser> done) override;
    void rotateToken(const QString &username, QObject *context, Reply<CreatedUser> done) override;
    void deleteUser(const QString &username, QObject *context, Reply<bool> done) override;
    void setUserModels(const QString &username, bool all, const QStringList &models, QObject *context,
                       Reply<User> done) override;
    void setUserLimits(const QString &username, const UserLimits &limits, QObject *context,
                       Reply<User> done) override;
    void setUserNodes(const QString &username, const QList<qint64> &nodeIds, QObject *context,
                      Reply<User> done) override;
    void setUserNodeModels(const QString &username, const QList<NodeModelGrant> &pairs, QObject *context,
                           Reply<User> done) override;

    void addNode(const AdminService::NodeInput &input, QObject *context, Reply<Node> done) override;
    void updateNode(qint64 id, const AdminService::NodeInput &input, QObject *context, Reply<Node> done) override;
    void toggleNode(qint64 id, QObject *context, Reply<Node> done) override;
    void deleteNode(qint64 id, QObject *context, Reply<bool> done) override;
    void checkNode(qint64 id, QObject *context, std::function<void(bool, const QString &)> done) override;

    void addMapping(const AdminService::MappingInput &input, QObject *context, Reply<ModelMapping> done) override;
    void updateMapping(const QString &displayName, const AdminService::MappingInput &input, QObject *context,
                       Reply<ModelMapping> done) override;
    void deleteMapping(const QString &displayName, QObject *context, Reply<bool> done) override;

    void addGroup(const AdminService::GroupInput &input, const QList<AdminService::MemberInput> &members,
                  QObject *context, Reply<ModelGroup> done) override;
    void updateGroup(const QString &name, const AdminService::GroupInput &input, QObject *context,
                     Reply<ModelGroup> done) override;
    void deleteGroup(const QString &name, QObject *context, Reply<bool> done) override;
    void addMember(const QString &group, const AdminService::MemberInput &input, QObject *context,
                   Reply<ModelGroup> done) override;
    void updateMember(const QString &group, qint64 memberId, const AdminService::MemberInput &input,
                      QObject *context, Reply<ModelGroup> done) override;
    void deleteMember(const QString &group, qint64 memberId, QObject *context, Reply<ModelGroup> done) override;
    void reorderMembers(const QString &group, const QList<qint64> &memberIds, QObject *context,
                        Reply<ModelGroup> done) override;

    void saveToolSet(const ToolSet &set, QObject *context, Reply<ToolSet> done) override;
    void deleteToolSet(const QString &name, QObject *context, Reply<bool> done) override;
    void saveModelConfig(const ModelConfig &config, QObject *context, Reply<ModelConfig> done) override;
    void deleteModelConfig(const QString &pattern, QObject *context, Reply<bool> done) override;

    void updateSettings(const QJsonObject &values, QObject *context, Reply<QJsonObject> done) override;

    ModelPullJob *pullModel(const QString &model, std::optional<qint64> nodeId, QObject *context) override;

    void addSystemPrompt(const AdminService::PromptInput &input, QObject *context, Reply<SystemPrompt> done) override;
    void updateSystemPrompt(qint64 id, const AdminService::PromptInput &input, QObject *context,
                            Reply<SystemPrompt> done) override;
    void deleteSystemPrompt(qint64 id, QObject *context, Reply<bool> done) override;
    void reorderSystemPrompts(const QList<qint64> &ids, QObject *context, Reply<QList<SystemPrompt>> done) override;

    void requestLogs(const LogQuery &query, QObject *context, std::function<void(const LogPage &)> done) override;
    void auditLogs(const LogQuery &query, QObject *context,
                   std::function<void(const QList<AuditEntry> &)> done) override;
    void requestsSince(const QDateTime &since, QObject *context,
                       std::function<void(const QList<RequestLogEntry> &)> done) override;

private:
    enum class Run { Running, Stopping, Stopped, Starting };

    Gateway *primary() const;
    // Queues work to the control thread; false while the gateway is stopped.
    bool postToControl(std::function<void(Control *)> work);
    // Follows the gateways now running: their signals, the control thread, the port.
    void attach();
    // Runs a blocking GatewayThread operation on a thread of its own, then settles the state.
    void switchGateway(Run during, std::function<bool(QString *)> operation);

    GatewayThread *m_gateways;
    // Set on the GUI thread only, and cleared before a stop begins, so no call reaches a gateway
    // that is going away. The port refuses work once the control thread stopped.
    QPointer<Gateway> m_primary;
    std::shared_ptr<ControlPort> m_control;
    Run m_run = Run::Stopped;
    QString m_startError;
    quint16 m_port = 0;
    QPointer<QThread> m_switch; // the thread of a stop or start under way
    QTimer m_refreshTimer;
};

} // namespace Maestro

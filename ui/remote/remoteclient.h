#pragma once

#include "gatewayclient.h"
#include "remote/adminconnection.h"
#include "remote/serviceunit.h"

#include <QJsonValue>
#include <QPointer>
#include <QTimer>

class QProcess;

namespace Maestro {

// A gateway that runs elsewhere, managed through its admin API over HTTP(S): the service on this
// computer the app attached to, or a gateway on another machine. The snapshot comes from
// GET /admin/overview in one answer; the request log and node health arrive live through the
// admin log stream; every change is the same admin request a script would send, so the gateway
// audits it as any other. Nothing blocks: each call answers later on the GUI thread.
class RemoteGatewayClient final : public GatewayClient
{
    Q_OBJECT

public:
    // `local`: the gateway serves this app's data dir (named "the service on this computer");
    // `service`: how to start and stop it, when systemd runs it.
    RemoteGatewayClient(const GatewayEndpoint &endpoint, bool local, const ServiceUnit &service,
                        QObject *parent = nullptr);
    ~RemoteGatewayClient() override;

    const GatewayEndpoint &endpoint() const { return m_connection->endpoint(); }
    // The status the gateway answered last (GET /admin/status).
    QJsonObject status() const { return m_status; }

    QString gatewayName() const override;
    QString baseUrl() const override;

    bool canStartStop() const override { return m_service.isValid(); }
    bool isRunning() const override { return m_reachable; }
    bool isSwitching() const override { return m_switching; }
    QString startError() const override { return m_startError; }
    void stopGateway() override;
    void startGateway() override;

    void refresh() override;

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

    // The query string of GET /admin/request-logs for `query` (paging included).
    static QString logQueryString(const LogQuery &query);

private:
    // A request whose answer is read into T with `read`; a failure becomes the Result's error.
    template<typename T>
    void request(const QByteArray &method, const QString &path, const QJsonValue &body, QObject *context,
                 std::function<bool(const QJsonValue &, T *, QString *)> read, Reply<T> done, bool changes = true);
    // A request that changes one user, answered with that user as GET /admin/users/{name} shows it.
    void changeUser(const QByteArray &method, const QString &path, const QJsonValue &body, const QString &username,
                    QObject *context, Reply<User> done);
    void onLogEvent(const QByteArray &name, const QJsonObject &data);
    void onFailure(const AdminFailure &failure);
    void setReachable(bool reachable);
    // GET /admin/status; on success the log stream opens and the snapshot is fetched.
    void connectToGateway();
    // Runs systemctl for `verb`, then waits for the gateway to answer (start) or go (stop).
    void runService(const QString &verb);
    void awaitService(bool running, int attemptsLeft);

    QPointer<AdminConnection> m_connection;
    bool m_local;
    ServiceUnit m_service;
    QJsonObject m_status;
    bool m_reachable = false;
    bool m_switching = false;
    QString m_startError;
    QTimer m_refreshTimer; // gathers the refreshes several changes ask for
    QTimer m_pollTimer;    // load and other admins' changes, when no event says so
    QTimer m_retryTimer;   // after the gateway could not be reached: asks again
    QPointer<QProcess> m_systemctl;
};

} // namespace Maestro

#pragma once

#include "core/store.h"
#include "database.h"

#include <atomic>

namespace Maestro {

// The Store over Qt Sql, the same SQL for SQLite and PostgreSQL. Implemented by area in
// sqlstore*.cpp.
class SqlStore final : public Store
{
public:
    // Revoked tokens the catalog knows (to name their user in the request log): the newest, of
    // the last days.
    static constexpr int RevokedTokenDays = 90;
    static constexpr int RevokedTokenMax = 10000;

    explicit SqlStore(Database *database);

    bool beginRead() override;
    bool endRead() override;
    bool beginWrite() override;
    bool endWrite(bool commit) override;

    QList<User> users() override;
    std::optional<User> user(const QString &username) override;
    QHash<QString, qint64> tokenHashes() override;
    QHash<QString, RevokedToken> revokedTokens() override;
    qint64 createUser(const QString &username, const QByteArray &tokenHash) override;
    bool setTokenHash(qint64 userId, const QByteArray &tokenHash) override;
    bool deactivateUser(qint64 userId) override;
    bool setUserModels(qint64 userId, const QStringList &models, bool allModels) override;
    bool setUserLimits(qint64 userId, const UserLimits &limits) override;
    bool setUserNodes(qint64 userId, const QList<qint64> &nodeIds,
                      const QList<NodeModelGrant> &nodeModels) override;

    QList<Node> nodes() override;
    std::optional<Node> node(qint64 id) override;
    qint64 insertNode(const Node &node) override;
    bool updateNode(const Node &node) override;
    bool deleteNode(qint64 id) override;
    bool setNodeHealth(qint64 id, Health health, const QString &error,
                       const QDateTime &at) override;
    QList<NodeModel> nodeModels() override;
    bool replaceNodeModels(qint64 nodeId, const QList<NodeModel> &models) override;

    QList<ModelMapping> mappings() override;
    bool insertMapping(const ModelMapping &mapping) override;
    bool updateMapping(const QString &displayName, const ModelMapping &mapping) override;
    bool deleteMapping(const QString &displayName) override;

    QList<ModelGroup> groups() override;
    qint64 insertGroup(const ModelGroup &group) override;
    bool updateGroup(const ModelGroup &group) override;
    bool deleteGroup(qint64 id) override;
    qint64 insertMember(const GroupMember &member) override;
    bool updateMember(const GroupMember &member) override;
    bool deleteMember(qint64 memberId) override;

    QList<ToolSet> toolSets() override;
    bool saveToolSet(const ToolSet &set) override;
    bool deleteToolSet(const QString &name) override;
    QList<ModelConfig> modelConfigs() override;
    bool saveModelConfig(const ModelConfig &config) override;
    bool deleteModelConfig(const QString &pattern) override;

    QList<SystemPrompt> systemPrompts() override;
    qint64 insertSystemPrompt(const SystemPrompt &prompt) override;
    bool updateSystemPrompt(const SystemPrompt &prompt) override;
    bool deleteSystemPrompt(qint64 id) override;
    bool setSystemPromptPriorities(const QHash<qint64, int> &priorities) override;

    bool insertRequestLogs(const QList<RequestLogEntry> &entries) override;
    QList<RequestLogEntry> requestLogs(const LogQuery &query, qint64 *total) override;
    QHash<qint64, DayUsage> usageOn(QDate utcDay) override;
    QHash<qint64, NodeTraffic> nodeTraffic(QDate utcDay) override;

    QList<ModelUsage> usageByModel(qint64 userId, const QDateTime &from, const QDateTime &to) override;
    QList<UserUsage> usageByUser(const QDateTime &from, const QDateTime &to) override;
    bool insertAudit(const AuditEntry &entry) override;
    QList<AuditEntry> auditLogs(const LogQuery &query, qint64 *total) override;

    QHash<QString, QString> settings() override;
    bool writeSettings(const QHash<QString, std::optional<QString>> &changes) override;

    bool isShared() const override { return m_database->isPostgres(); }
    Admission countRequest(qint64 userId, QDate utcDay, std::optional<qint64> requestLimit,
                           std::optional<qint64> tokenLimit) override;
    bool addCountedTokens(qint64 userId, QDate utcDay, qint64 tokens) override;
    std::optional<DayUsage> countedUsage(qint64 userId, QDate utcDay) override;
    bool seedCounters(QDate utcDay, const QHash<qint64, DayUsage> &usage) override;
    // PostgreSQL only (sqlcounters.cpp).
    bool updateCounters(QDate utcDay, const QList<qint64> &users, const QList<WindowKey> &windows, int timeoutMs,
                        const std::function<CounterChanges(const CounterState &)> &decide) override;
    std::optional<DayUsage> windowUsage(const WindowKey &window) override;
    qint64 configVersion() override;
    bool bumpConfigVersion() override;

    Database *database() const { return m_database; }

private:
    QList<User> selectUsers(const QString &where, const QVariantList &bindings);
    QList<Node> selectNodes(const QString &where, const QVariantList &bindings);

    Database *m_database;
    std::atomic<qint64> m_windowsPrunedMs{0}; // when expired window buckets were last deleted
};

} // namespace Maestro

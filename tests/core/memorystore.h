#pragma once

// Stores in memory for the core suites that build a Catalog without a database.

#include "core/store.h"

#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace Maestro::TestSupport {

using namespace Qt::StringLiterals;

// Just enough of a Store for Catalog::load(): the catalog only reads.
class MemoryStore final : public Store
{
public:
    QList<User> userList;
    QHash<QString, qint64> digests;
    QList<Node> nodeList;
    QList<NodeModel> models;
    QList<ModelMapping> mappingList;
    QList<ModelGroup> groupList;
    QList<SystemPrompt> promptList;
    QList<ToolSet> toolSetList;
    QList<ModelConfig> configList;
    QHash<QString, QString> settingValues;

    // Reads "fail" (as a lost connection or a missing table would) when set; every read of a
    // load must happen between beginRead() and endRead().
    bool failReads = false;
    bool inRead = false;
    int readsOutside = 0;
    bool beginRead() override
    {
        inRead = true;
        return true;
    }
    bool endRead() override
    {
        inRead = false;
        return !failReads;
    }
    void noteRead() { readsOutside += inRead ? 0 : 1; }

    QList<User> users() override
    {
        noteRead();
        return userList;
    }
    std::optional<User> user(const QString &username) override
    {
        for (const User &u : std::as_const(userList)) {
            if (u.username == username)
                return u;
        }
        return std::nullopt;
    }
    QHash<QString, qint64> tokenHashes() override
    {
        noteRead();
        return digests;
    }
    qint64 createUser(const QString &, const QByteArray &) override { return 0; }
    bool setTokenHash(qint64, const QByteArray &) override { return false; }
    bool deactivateUser(qint64) override { return false; }
    bool setUserModels(qint64, const QStringList &, bool) override { return false; }
    bool setUserLimits(qint64, const UserLimits &) override { return false; }
    bool setUserNodes(qint64, const QList<qint64> &, const QList<NodeModelGrant> &) override { return false; }
    QList<Node> nodes() override
    {
        noteRead();
        return nodeList;
    }
    std::optional<Node> node(qint64 id) override
    {
        for (const Node &n : std::as_const(nodeList)) {
            if (n.id == id)
                return n;
        }
        return std::nullopt;
    }
    qint64 insertNode(const Node &) override { return 0; }
    bool updateNode(const Node &) override { return false; }
    bool deleteNode(qint64) override { return false; }
    bool setNodeHealth(qint64, Health, const QString &, const QDateTime &) override
    {
        return false;
    }
    QList<NodeModel> nodeModels() override
    {
        noteRead();
        return models;
    }
    bool replaceNodeModels(qint64, const QList<NodeModel> &) override { return false; }
    QList<ModelMapping> mappings() override
    {
        noteRead();
        return mappingList;
    }
    bool insertMapping(const ModelMapping &) override { return false; }
    bool updateMapping(const QString &, const ModelMapping &) override { return false; }
    bool deleteMapping(const QString &) override { return false; }
    QList<ModelGroup> groups() override
    {
        noteRead();
        return groupList;
    }
    qint64 insertGroup(const ModelGroup &) override { return 0; }
    bool updateGroup(const ModelGroup &) override { return false; }
    bool deleteGroup(qint64) override { return false; }
    qint64 insertMember(const GroupMember &) override { return 0; }
    bool updateMember(const GroupMember &) override { return false; }
    bool deleteMember(qint64) override { return false; }
    QList<ToolSet> toolSets() override
    {
        noteRead();
        return toolSetList;
    }
    bool saveToolSet(const ToolSet &) override { return false; }
    bool deleteToolSet(const QString &) override { return false; }
    QList<ModelConfig> modelConfigs() override
    {
        noteRead();
        return configList;
    }
    bool saveModelConfig(const ModelConfig &) override { return false; }
    bool deleteModelConfig(const QString &) override { return false; }
    QList<SystemPrompt> systemPrompts() override
    {
        noteRead();
        return promptList;
    }
    qint64 insertSystemPrompt(const SystemPrompt &) override { return 0; }
    bool updateSystemPrompt(const SystemPrompt &) override { return false; }
    bool deleteSystemPrompt(qint64) override { return false; }
    bool setSystemPromptPriorities(const QHash<qint64, int> &) override { return false; }
    bool insertRequestLogs(const QList<RequestLogEntry> &) override { return false; }
    QList<RequestLogEntry> requestLogs(const LogQuery &, qint64 *total) override
    {
        if (total)
            *total = 0;
        return {};
    }
    QHash<qint64, DayUsage> usageOn(QDate) override { return {}; }
    QHash<qint64, NodeTraffic> nodeTraffic(QDate) override { return {}; }
    QList<ModelUsage> usageByModel(qint64, const QDateTime &, const QDateTime &) override
    {
        return {};
    }
    QList<UserUsage> usageByUser(const QDateTime &, const QDateTime &) override { return {}; }
    bool insertAudit(const AuditEntry &) override { return false; }
    QList<AuditEntry> auditLogs(const LogQuery &, qint64 *total) override
    {
        if (total)
            *total = 0;
        return {};
    }
    QHash<QString, QString> settings() override
    {
        noteRead();
        return settingValues;
    }
    bool writeSettings(const QHash<QString, std::optional<QString>> &) override { return false; }
};

class MemorySecretStore final : public SecretStore
{
public:
    QHash<QString, QString> values;
    std::optional<QString> read(const QString &key) override
    {
        if (!values.contains(key))
            return std::nullopt;
        return values.value(key);
    }
    bool write(const QString &key, const QString &value) override
    {
        values.insert(key, value);
        return true;
    }
    bool remove(const QString &key) override
    {
        values.remove(key);
        return true;
    }
    QString description() const override { return u"memory"_s; }
};

} // namespace Maestro::TestSupport

#pragma once

#include "apierror.h"
#include "entities.h"
#include "store.h"

#include <QJsonObject>
#include <QObject>

#include <optional>

namespace Maestro {

// Every administrative change, shared by the admin HTTP API and the desktop UI. Each change is
// validated, written, audited (without secrets) and announced with changed(), after which the
// gateway reloads its catalog. Lives on the gateway's control thread (Control owns it), which
// owns the database connection it writes with; the admin API's handlers run there, and the
// desktop app reaches it through GatewayThread::controlPort().
class AdminService final : public QObject
{
    Q_OBJECT

public:
    AdminService(Store *store, SecretStore *secrets, QObject *parent = nullptr);

    struct CreatedUser
    {
        User user;
        QString token; // the only time the token is seen in clear
    };
    // Daily limits a new user starts with. Unset: the default_daily_requests/_tokens setting
    // applies; set to nullopt: explicitly unlimited.
    struct NewUserLimits
    {
        std::optional<std::optional<qint64>> requests;
        std::optional<std::optional<qint64>> tokens;
    };
    Result<CreatedUser> createUser(const QString &username, const NewUserLimits &limits = {});
    Result<CreatedUser> rotateToken(const QString &username);
    Result<bool> deleteUser(const QString &username);
    Result<User> findUser(const QString &username);
    Result<User> setUserModels(const QString &username, const QStringList &models);
    Result<User> grantAllModels(const QString &username);
    // Takes one model off the user's list; "all" takes every grant away, the all-models one too.
    Result<User> revokeModel(const QString &username, const QString &model);
    // Daily limits may be 0 (nothing allowed); per-minute limits are positive. Empty = unlimited.
    Result<User> setUserLimits(const QString &username, const UserLimits &limits);
    // Replaces where the user's requests may go: nodes (empty = every node) and (node, real
    // model) pairs (empty = every model of those nodes). Every node must exist.
    Result<User> setUserNodes(const QString &username, const QList<qint64> &nodeIds,
                              const QList<NodeModelGrant> &nodeModels);

    struct NodeInput
    {
        std::optional<QString> name;
        std::optional<QString> baseUrl;
        std::optional<QString> nodeType;
        std::optional<QString> apiKey; // empty string clears the key
        std::optional<int> priority;
        std::optional<int> weight;
        std::optional<bool> active;
        std::optional<bool> warmupEnabled;
        // Upstream timeouts in seconds; 0 follows the gateway's settings.
        std::optional<int> connectTimeoutSeconds;
        std::optional<int> firstByteTimeoutSeconds;
        std::optional<int> idleTimeoutSeconds;
        // Bedrock nodes: the region, the model ids served, and IAM credentials (given together;
        // kept as the node's secret, see BedrockCredentials) instead of a Bedrock API key.
        std::optional<QString> region;
        std::optional<QStringList> modelIds;
        std::optional<QString> awsAccessKeyId;
        std::optional<QString> awsSecretAccessKey;
        std::optional<QString> awsSessionToken;
        // Headers sent on every request to the node. `headers` replaces the plain set.
        // `secretHeaders` changes the secret set: a value sets (or replaces) that header's, a
        // null removes it, and a secret header it does not name keeps its value.
        std::optional<QList<std::pair<QString, QString>>> headers;
        std::optional<QList<std::pair<QString, std::optional<QString>>>> secretHeaders;
        std::optional<QString> healthCheckUrl; // empty: the model list is the health check
        std::optional<bool> autoSyncEnabled;
    };
    Result<Node> addNode(const NodeInput &input);
    Result<Node> updateNode(qint64 id, const NodeInput &input);
    Result<Node> toggleNode(qint64 id);
    Result<bool> deleteNode(qint64 id);
    Result<Node> findNode(qint64 id);
    // Records a health-check or discovery outcome (not audited: it is not an admin change).
    void recordNodeHealth(qint64 id, Health health, const QString &error);
    void recordNodeModels(qint64 id, const QList<NodeModel> &models);

    struct MappingInput
    {
        std::optional<QString> displayName;
        std::optional<QString> realName;
        std::optional<qint64> contextLength;
        std::optional<QStringList> capabilities;
        std::optional<QList<qint64>> nodeIds;
    };
    Result<ModelMapping> addMapping(const MappingInput &input);
    Result<ModelMapping> updateMapping(const QString &displayName, const MappingInput &input);
    Result<bool> deleteMapping(const QString &displayName);

    struct GroupInput
    {
        std::optional<QString> name;
        std::optional<QString> description;
        std::optional<QString> strategy;
        std::optional<bool> active;
        std::optional<bool> listInCatalog;
        std::optional<int> priority;
        std::optional<int> maxFailoverRetries;
    };
    struct MemberInput
    {
        std::optional<QString> model;
        std::optional<int> priority;
        std::optional<int> weight;
        std::optional<QStringList> capabilityTags;
        std::optional<bool> active;
        std::optional<bool> contextFallback;
        std::optional<QList<qint64>> preferredNodeIds; // tried first, in this order
    };
    Result<ModelGroup> findGroup(const QString &name);
    Result<ModelGroup> addGroup(const GroupInput &input, const QList<MemberInput> &members = {});
    Result<ModelGroup> updateGroup(const QString &name, const GroupInput &input);
    Result<bool> deleteGroup(const QString &name);
    Result<ModelGroup> addMember(const QString &group, const MemberInput &input);
    Result<ModelGroup> updateMember(const QString &group, qint64 memberId, const MemberInput &input);
    Result<ModelGroup> deleteMember(const QString &group, qint64 memberId);
    // Sets the members' priorities to their positions in `memberIds` (the fallback order).
    Result<ModelGroup> reorderMembers(const QString &group, const QList<qint64> &memberIds);

    Result<ToolSet> saveToolSet(const ToolSet &set);   // create or replace by name
    Result<bool> deleteToolSet(const QString &name);
    Result<ModelConfig> saveModelConfig(const ModelConfig &config); // create or replace by pattern
    Result<bool> deleteModelConfig(const QString &pattern);

    // The effective settings, {key: typed value} (see Settings).
    QJsonObject settings();
    // Checks every value through the settings registry (JSON-typed or string forms) before
    // writing any, then writes them all at once; one audit entry per key whose effective value
    // changed. Returns the effective settings.
    Result<QJsonObject> updateSettings(const QJsonObject &values);
    // Back to the registry's default.
    Result<QJsonObject> resetSetting(const QString &key);
    struct PromptInput
    {
        std::optional<QString> scopeType;
        std::optional<QString> scopeValue;
        std::optional<QString> prompt;
        std::optional<int> priority;
        std::optional<bool> active;
        std::optional<QString> description;
    };
    Result<SystemPrompt> findSystemPrompt(qint64 id);
    Result<SystemPrompt> addSystemPrompt(const PromptInput &input);
    Result<SystemPrompt> updateSystemPrompt(qint64 id, const PromptInput &input); // partial
    Result<bool> deleteSystemPrompt(qint64 id);
    // Orders the listed prompts as given, the first applied first: their priorities are reused
    // in that order when they differ, otherwise they become count-1 ... 0. Returns every prompt.
    Result<QList<SystemPrompt>> reorderSystemPrompts(const QList<qint64> &ids);


    // A backup of the configuration: nodes (without API keys, which stay in the secret store),
    // active users with grants and limits (without tokens), mappings, groups, tool sets, model
    // configurations, system prompts and settings.
    static constexpr int BackupVersion = 1;
    QJsonObject exportBackup();
    struct ImportOutcome
    {
        QJsonObject counts; // per section, how many entries were written
        QList<std::pair<QString, QString>> createdUsers; // username, token: shown once
    };
    // Upserts a backup: nodes by name, users by username, mappings by display name, system
    // prompts by scope and text, settings by key. Every entry is read and checked as the admin
    // API reads and checks it (entityjson.h) before anything is written, and the writes are one
    // transaction: a refused backup changes nothing. One audit entry.
    Result<ImportOutcome> importBackup(const QJsonObject &backup);

    Store *store() const { return m_store; }

Q_SIGNALS:
    void changed();
    void audited(const Maestro::AuditEntry &entry);

private:
    // The implementation is split by API area (adminservice_*.cpp); what those files share is
    // in adminservice_p.h.
    void audit(const QString &action, const QString &entityType, const QString &entityId,
               const QJsonObject &details = {});
    // A change was written: audits it and announces it with changed().
    void announce(const QString &action, const QString &entityType, const QString &entityId,
                  const QJsonObject &details = {});
    // The shape of every delete: the lookup's error, or `remove` of what was found (false: the
    // store refused), then the deletion announced with the details `describe` gives of it.
    template<typename T, typename Remove, typename Describe>
    Result<bool> deleteFound(const Result<T> &found, Remove remove, const QString &action,
                             const QString &entityType, const QString &entityId, Describe describe);

    Store *m_store;
    SecretStore *m_secrets;
};

// Parses "32768", "128K", "1M", "32.5K" (K = 1024) as the seed does; nullopt when malformed.
std::optional<qint64> parseContextLength(const QString &text);

} // namespace Maestro

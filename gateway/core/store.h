#pragma once

#include "entities.h"

#include <QDate>
#include <QHash>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace Maestro {

// Persistent state. Implementations must be usable from several threads at once (each thread
// gets its own database connection). Writes return false when the database refused them.
class Store
{
public:
    virtual ~Store() = default;

    // One consistent read of several lists (Catalog::load): between beginRead() and endRead() on
    // one thread, every read sees the same state of the database. The list reads answer empty or
    // short lists when the database fails, so endRead() returns false when any statement since
    // beginRead() failed on this thread: an empty list must not pass for "none".
    virtual bool beginRead() { return true; }
    virtual bool endRead() { return true; }

    // Several writes as one (see WriteTransaction): between beginWrite() and endWrite() on one
    // thread, every write of this store joins one transaction, which endWrite(true) commits
    // unless a statement since beginWrite() failed, and endWrite(false) rolls back. A store
    // without transactions writes as it goes and answers true.
    virtual bool beginWrite() { return true; }
    virtual bool endWrite(bool commit)
    {
        Q_UNUSED(commit);
        return true;
    }

    // Users and tokens (tokens are stored as SHA-256 hex digests only).
    virtual QList<User> users() = 0;
    virtual std::optional<User> user(const QString &username) = 0;
    virtual QHash<QString, qint64> tokenHashes() = 0; // digest -> user id, active users only
    // Digest -> user of tokens taken from their users (rotated, or the user deleted), the
    // most recent ones: the request log names the user of a client that still sends one.
    virtual QHash<QString, RevokedToken> revokedTokens() { return {}; }
    // Creates a user, or reactivates a deleted one with a new token. Returns the id, 0 on failure.
    virtual qint64 createUser(const QString &username, const QByteArray &tokenHash) = 0;
    virtual bool setTokenHash(qint64 userId, const QByteArray &tokenHash) = 0;
    virtual bool deactivateUser(qint64 userId) = 0;
    virtual bool setUserModels(qint64 userId, const QStringList &models, bool allModels) = 0;
    virtual bool setUserLimits(qint64 userId, const UserLimits &limits) = 0;
    // Replaces the nodes and (node, model) pairs the user may be sent to (empty = unrestricted).
    virtual bool setUserNodes(qint64 userId, const QList<qint64> &nodeIds,
                              const QList<NodeModelGrant> &nodeModels) = 0;

    // Nodes and what they serve.
    virtual QList<Node> nodes() = 0;
    virtual std::optional<Node> node(qint64 id) = 0;
    virtual qint64 insertNode(const Node &node) = 0; // returns the new id, 0 on failure
    virtual bool updateNode(const Node &node) = 0;
    virtual bool deleteNode(qint64 id) = 0;
    virtual bool setNodeHealth(qint64 id, Health health, const QString &error,
                               const QDateTime &at) = 0;
    virtual QList<NodeModel> nodeModels() = 0;
    virtual bool replaceNodeModels(qint64 nodeId, const QList<NodeModel> &models) = 0;

    // Display name <-> real name.
    virtual QList<ModelMapping> mappings() = 0;
    virtual bool insertMapping(const ModelMapping &mapping) = 0;
    virtual bool updateMapping(const QString &displayName, const ModelMapping &mapping) = 0;
    virtual bool deleteMapping(const QString &displayName) = 0;

    // Model groups and their members (members come ordered by priority, then id).
    virtual QList<ModelGroup> groups() = 0;
    virtual qint64 insertGroup(const ModelGroup &group) = 0; // returns the id, 0 on failure
    virtual bool updateGroup(const ModelGroup &group) = 0;    // by id; members untouched
    virtual bool deleteGroup(qint64 id) = 0;
    virtual qint64 insertMember(const GroupMember &member) = 0;
    virtual bool updateMember(const GroupMember &member) = 0;
    virtual bool deleteMember(qint64 memberId) = 0;

    // Tool sets and per-model configuration.
    virtual QList<ToolSet> toolSets() = 0;
    virtual bool saveToolSet(const ToolSet &set) = 0; // insert or update by name
    virtual bool deleteToolSet(const QString &name) = 0;
    virtual QList<ModelConfig> modelConfigs() = 0;
    virtual bool saveModelConfig(const ModelConfig &config) = 0; // insert or update by pattern
    virtual bool deleteModelConfig(const QString &pattern) = 0;

    // System prompts, by priority (highest first), then id.
    virtual QList<SystemPrompt> systemPrompts() = 0;
    virtual qint64 insertSystemPrompt(const SystemPrompt &prompt) = 0; // returns the id, 0 on failure
    virtual bool updateSystemPrompt(const SystemPrompt &prompt) = 0;   // by id
    virtual bool deleteSystemPrompt(qint64 id) = 0;
    // Sets the priorities of the given prompts (id -> priority) all at once.
    virtual bool setSystemPromptPriorities(const QHash<qint64, int> &priorities) = 0;

    // Usage log.
    virtual bool insertRequestLogs(const QList<RequestLogEntry> &entries) = 0;
    virtual QList<RequestLogEntry> requestLogs(const LogQuery &query, qint64 *total) = 0;
    struct DayUsage
    {
        qint64 requests = 0;
        qint64 tokens = 0;
    };
    // Per user id, what was used on the given UTC day (to restore limit counters on start).
    virtual QHash<qint64, DayUsage> usageOn(QDate utcDay) = 0;
    // Per node id, the requests logged on the given UTC day (nodes without any are left out,
    // unless they served one on another day: then only lastRequestAt is set).
    virtual QHash<qint64, NodeTraffic> nodeTraffic(QDate utcDay) = 0;

    struct ModelUsage
    {
        QString model;
        qint64 requests = 0;
        qint64 promptTokens = 0;
        qint64 completionTokens = 0;
    };
    // Requests and tokens per model in [from, to), for one user (userId > 0) or everyone.
    virtual QList<ModelUsage> usageByModel(qint64 userId, const QDateTime &from, const QDateTime &to) = 0;

    struct UserUsage
    {
        QString username;
        qint64 requests = 0;
        qint64 promptTokens = 0;
        qint64 completionTokens = 0;
    };
    // Requests and tokens per user in [from, to), busiest first, in one query.
    virtual QList<UserUsage> usageByUser(const QDateTime &from, const QDateTime &to) = 0;

    // Audit log.
    virtual bool insertAudit(const AuditEntry &entry) = 0;
    virtual QList<AuditEntry> auditLogs(const LogQuery &query, qint64 *total) = 0;

    // System settings (string values; typed access lives in Settings). writeSettings applies
    // every change or none: a value is stored, nullopt removes the key (back to its default).
    virtual QHash<QString, QString> settings() = 0;
    virtual bool writeSettings(const QHash<QString, std::optional<QString>> &changes) = 0;

    // Several gateway processes on one database (PostgreSQL) share limit counters and learn of
    // each other's configuration changes through what follows. A store that only one process
    // uses answers false here and need not implement the rest.
    virtual bool isShared() const { return false; }

    enum class Admission { Admitted, RequestLimitReached, TokenLimitReached, Failed };
    // Counts one request of the user on the UTC day unless a limit is reached, atomically
    // across processes.
    virtual Admission countRequest(qint64 userId, QDate utcDay, std::optional<qint64> requestLimit,
                                   std::optional<qint64> tokenLimit)
    {
        Q_UNUSED(userId);
        Q_UNUSED(utcDay);
        Q_UNUSED(requestLimit);
        Q_UNUSED(tokenLimit);
        return Admission::Failed;
    }
    virtual bool addCountedTokens(qint64 userId, QDate utcDay, qint64 tokens)
    {
        Q_UNUSED(userId);
        Q_UNUSED(utcDay);
        Q_UNUSED(tokens);
        return false;
    }
    // The shared counters of a user who was counted on that day (the requests admitted, without
    // the slots leased to instances that have not used them yet).
    virtual std::optional<DayUsage> countedUsage(qint64 userId, QDate utcDay)
    {
        Q_UNUSED(userId);
        Q_UNUSED(utcDay);
        return std::nullopt;
    }
    // Starts the day's counters of users that have none yet (from the usage log) and drops
    // those of earlier days.
    virtual bool seedCounters(QDate utcDay, const QHash<qint64, DayUsage> &usage)
    {
        Q_UNUSED(utcDay);
        Q_UNUSED(usage);
        return false;
    }

    // The shared limit counters, decided and changed in one transaction (see the design in
    // limiter.h). A row per limited user and UTC day: `requests` counts the admitted requests and
    // the slots leased to instances that have not used them yet (`leased`, given out until
    // `leaseUntilMs`, the database's clock). A window per user or model configuration with
    // per-minute limits: one bucket per second, each stamped with the time of its latest
    // admission and token report, so that a bucket leaves the window only once all it holds has.
    struct CounterRow
    {
        qint64 requests = 0;
        qint64 tokens = 0;
        qint64 leased = 0;
        qint64 leaseUntilMs = 0;
    };
    struct WindowKey
    {
        enum Kind { User = 1, Model = 2 };
        int kind = User;
        qint64 id = 0; // the user's id, or a digest of the model configuration's pattern

        friend bool operator==(const WindowKey &a, const WindowKey &b) { return a.kind == b.kind && a.id == b.id; }
        friend size_t qHash(const WindowKey &key, size_t seed = 0) { return qHashMulti(seed, key.kind, key.id); }
    };
    struct WindowBucket
    {
        qint64 requests = 0;
        qint64 tokens = 0;
        qint64 requestsAtMs = 0; // the latest admission it holds
        qint64 tokensAtMs = 0;   // the latest token report it holds
    };
    struct CounterState
    {
        qint64 nowMs = 0; // the database's clock, read after every lock was taken
        QHash<qint64, CounterRow> users;
        QHash<WindowKey, QList<WindowBucket>> windows; // buckets of the last 61 s
    };
    struct CounterChanges
    {
        QHash<qint64, CounterRow> users; // added to the rows (leaseUntilMs: raised to it)
        QHash<WindowKey, WindowBucket> windows; // added to the bucket of nowMs
    };
    // Locks the `utcDay` rows of `users` (created when missing) and the `windows`, reads them,
    // writes what `decide` returns (the changes may name windows that were not locked: token
    // reports need no decision) and commits. False when the database failed or took longer than
    // `timeoutMs` to lock or answer: then nothing changed. Only a shared store implements it.
    virtual bool updateCounters(QDate utcDay, const QList<qint64> &users, const QList<WindowKey> &windows,
                                int timeoutMs, const std::function<CounterChanges(const CounterState &)> &decide)
    {
        Q_UNUSED(utcDay);
        Q_UNUSED(users);
        Q_UNUSED(windows);
        Q_UNUSED(timeoutMs);
        Q_UNUSED(decide);
        return false;
    }
    // What a shared window holds now: the requests admitted and tokens reported in the last 60 s.
    virtual std::optional<DayUsage> windowUsage(const WindowKey &window)
    {
        Q_UNUSED(window);
        return std::nullopt;
    }

    // A number that every configuration change moves; -1 when it cannot be read.
    virtual qint64 configVersion() { return 0; }
    virtual bool bumpConfigVersion() { return true; }
};

// The writes a thread makes to a store while this lives are all or nothing: rolled back when it
// goes out of scope unless commit() succeeded first.
class WriteTransaction
{
public:
    explicit WriteTransaction(Store *store)
        : m_store(store)
        , m_open(store->beginWrite())
    {
    }
    ~WriteTransaction()
    {
        if (m_open)
            m_store->endWrite(false);
    }
    WriteTransaction(const WriteTransaction &) = delete;
    WriteTransaction &operator=(const WriteTransaction &) = delete;

    // False when the transaction could not begin; nothing should be written then.
    bool isOpen() const { return m_open; }
    // True when every write since the start is stored.
    bool commit()
    {
        if (!m_open)
            return false;
        m_open = false;
        return m_store->endWrite(true);
    }

private:
    Store *m_store;
    bool m_open;
};

// Secrets (node API keys, the admin token) live outside SQL, under scoped keys such as
// "node/12/api_key". Implementations: the OS keychain, or a 0600 file when none answers.
class SecretStore
{
public:
    virtual ~SecretStore() = default;
    virtual std::optional<QString> read(const QString &key) = 0;
    virtual bool write(const QString &key, const QString &value) = 0;
    virtual bool remove(const QString &key) = 0;
    // A user-visible description of where secrets are kept, e.g. for a warning.
    virtual QString description() const = 0;
};

} // namespace Maestro

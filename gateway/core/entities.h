#pragma once

#include "dialect.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>
#include <utility>

namespace Maestro {

// A (node, real model) pair a restricted user may be sent to (the seed's user node-models).
struct NodeModelGrant
{
    qint64 nodeId = 0;
    QString model; // the real model name, as the node serves it

    bool operator==(const NodeModelGrant &other) const
    {
        return nodeId == other.nodeId && model == other.model;
    }
};

struct User
{
    qint64 id = 0;
    QString username;
    bool active = true;
    bool allModels = false;
    QStringList models; // display names (or group names) the user may request
    std::optional<qint64> requestLimit; // per UTC day; empty = unlimited
    std::optional<qint64> tokenLimit;
    std::optional<qint64> requestsPerMinute; // in any 60 s; empty = unlimited
    std::optional<qint64> tokensPerMinute;
    // Where the user's requests may go. Empty nodeIds = every node; otherwise only those. Empty
    // nodeModels = every model of an allowed node; otherwise only those pairs. Ids of deleted
    // nodes stay, so a user limited to a node that is gone reaches nothing rather than all.
    QList<qint64> nodeIds;
    QList<NodeModelGrant> nodeModels;
    QDateTime createdAt;
    QDateTime updatedAt;

    bool nodeRestricted() const { return !nodeIds.isEmpty() || !nodeModels.isEmpty(); }
    // Whether a request of this user may be sent to `nodeId` for `realModel`.
    bool mayReach(qint64 nodeId, const QString &realModel) const
    {
        if (!nodeIds.isEmpty() && !nodeIds.contains(nodeId))
            return false;
        return nodeModels.isEmpty() || nodeModels.contains(NodeModelGrant{nodeId, realModel});
    }
};

// What an administrator sets for a user in one go; empty = unlimited.
struct UserLimits
{
    std::optional<qint64> requestLimit; // per UTC day
    std::optional<qint64> tokenLimit;
    std::optional<qint64> requestsPerMinute;
    std::optional<qint64> tokensPerMinute;

    static UserLimits of(const User &user)
    {
        return {user.requestLimit, user.tokenLimit, user.requestsPerMinute, user.tokensPerMinute};
    }
    bool any() const { return requestLimit || tokenLimit || requestsPerMinute || tokensPerMinute; }
};

enum class Health { Unknown, Healthy, Unhealthy };

QString healthName(Health health);
Health healthFromName(const QString &name);
QString nodeTypeName(NodeType type);
std::optional<NodeType> nodeTypeFromName(const QString &name);
// The name a node's API key has in the secret store: "node/<id>/api_key". Every secret of a node
// is named "node/<id>/..." (SharedSecrets::NodePrefix).
QString nodeApiKeyName(qint64 nodeId);

struct Node
{
    qint64 id = 0;
    QString name;
    QUrl baseUrl;
    NodeType type = NodeType::Ollama;
    bool hasApiKey = false; // the key itself lives in the secret store, never in SQL
    int priority = 0;       // higher is preferred
    int weight = 100;
    bool active = true;
    bool warmupEnabled = false; // Ollama nodes: load discovered models ahead of requests
    // Upstream timeouts of this node in seconds; 0: the gateway's upstream_*_timeout_seconds.
    int connectTimeoutSeconds = 0;
    int firstByteTimeoutSeconds = 0;
    int idleTimeoutSeconds = 0;
    // Bedrock nodes: the AWS region (it names the endpoint when baseUrl is empty, and signs), and
    // the model ids the node serves (Bedrock has no model list to discover).
    QString region;
    QStringList modelIds;
    // Headers sent on every request to the node (LLM requests, model lists, health checks, pulls),
    // in the order given. Plain ones are stored with the node; the values of the secret ones live
    // in the secret store like the API key, and the node records only their names.
    QList<std::pair<QString, QString>> headers;
    QStringList secretHeaderNames;
    // When set, health checks GET this URL (2xx: healthy) instead of asking for the model list.
    QString healthCheckUrl;
    // Off: the periodic probe checks health only and leaves the model list as it is; a sync an
    // admin asks for still replaces it.
    bool autoSyncEnabled = true;
    Health health = Health::Unknown;
    QString lastError;
    QDateTime lastHealthCheck;
    QDateTime createdAt;
};

struct NodeModel
{
    qint64 nodeId = 0;
    QString name;
    qint64 size = 0;
    QString digest;
    QString modifiedAt;
    QJsonObject details;
};

struct ModelMapping
{
    QString displayName;
    QString realName;
    qint64 contextLength = 0; // 0 = not set
    QStringList capabilities;
    QList<qint64> nodeIds; // empty = any node that has the real model
    QDateTime createdAt;
};

// A member of a model group: a display name (or real model name) the group can send to.
struct GroupMember
{
    qint64 id = 0;
    qint64 groupId = 0;
    QString model;             // model_display_name
    int priority = 0;          // lower is tried first (the seed's convention)
    int weight = 100;
    QStringList capabilityTags; // "vision", "tools", ...
    bool active = true;
    bool contextFallback = false; // takes over when another member refuses a too-long request
    // Nodes tried first for this member, in this order; its other nodes follow in the usual
    // failover order (a preference, not a pin). Empty = no preference.
    QList<qint64> preferredNodeIds;
};

// A name clients request like a model, resolved per request to one of its members, with
// fallback to the others on failure.
struct ModelGroup
{
    qint64 id = 0;
    QString name;
    QString description;
    QString strategy = QStringLiteral("round_robin"); // round_robin | weighted | priority
    bool active = true;
    bool listInCatalog = false;
    int priority = 0;            // display order only
    int maxFailoverRetries = 0;  // 0 = the default (5)
    QList<GroupMember> members;  // ordered by priority
    QDateTime createdAt;
    QDateTime updatedAt;
};

// A named list of tools that model configurations can allow together.
struct ToolSet
{
    qint64 id = 0;
    QString name;
    QString description;
    QStringList tools;
};

// Per-model policy. `pattern` names a model exactly, or every model starting with it when it ends
// with '*' ("qwen*"); it is matched against the requested name, then the real name.
struct ModelConfig
{
    qint64 id = 0;
    QString pattern;
    bool toolsRestricted = false; // when true only allowedTools and the tool sets' tools pass
    QStringList allowedTools;
    QStringList toolSets;         // names
    QStringList strippedParams;   // parameters the upstream does not support
    qint64 defaultContextLength = 0; // Ollama options.num_ctx when the client gave none
    qint64 maxContextLength = 0;     // upper bound for options.num_ctx
    bool maintenance = false;
    QString maintenanceMessage;
    // Relay <think>…</think> in the text as the model wrote it, instead of moving it into each
    // client dialect's reasoning field (for clients that parse the tags themselves).
    bool keepThinkTags = false;
    // For every model the pattern matches, across all users, in any 60 s; empty = unlimited.
    std::optional<qint64> requestsPerMinute;
    std::optional<qint64> tokensPerMinute;
    QDateTime updatedAt;

    bool matches(const QString &model) const
    {
        return pattern.endsWith(u'*') ? model.startsWith(QStringView(pattern).chopped(1)) : model == pattern;
    }
};

// Where a system prompt applies, in the order prompts of equal priority are joined: the
// broadest scope first, the most specific (the mapping the request resolved to) last.
enum class PromptScope { Global, User, Node, Group, Model, Mapping };

QString promptScopeName(PromptScope scope);
std::optional<PromptScope> promptScopeFromName(const QString &name);

// Text the gateway puts in front of a request's own system prompt when its scope matches.
struct SystemPrompt
{
    qint64 id = 0;
    PromptScope scope = PromptScope::Global;
    QString scopeValue; // empty for Global
    QString prompt;
    int priority = 0;   // higher is applied first
    bool active = true;
    QString description;
    QDateTime createdAt;
    QDateTime updatedAt;
};

// A token taken from its user (rotated, or the user deleted), known by its digest only.
struct RevokedToken
{
    qint64 userId = 0;
    QString username;
};

// One request as written to the usage log: a proxied one, or one refused before it went to a
// node (then `reason` says why, in a few words of no secret, and it has no tokens).
struct RequestLogEntry
{
    qint64 userId = 0;
    QString username;
    QString endpoint;     // the request path, e.g. /api/chat
    QString model;        // as the client asked (display name)
    QString realModel;    // as sent upstream
    qint64 nodeId = 0;    // 0 when no node was reached
    int statusCode = 0;
    qint64 durationMs = 0;
    qint64 ttfbMs = -1;   // time to the first byte sent to the client
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
    bool streamed = false;
    QString errorMessage;
    QDateTime createdAt;
    QString dialect;      // the client's dialect: "ollama", "openai" or "anthropic"; empty for old entries
    QString reason;       // refusals only, a short code: "model_not_allowed", "limit:daily_requests"...
    qint64 suppressed = 0; // refusals of the same user left out of the log just before this one

    qint64 totalTokens() const { return promptTokens + completionTokens; }
    // Refused before it was admitted: not a request that counts as usage.
    bool refused() const { return !reason.isEmpty(); }
};

// What one node served on a UTC day, from the request log (so it includes every gateway
// process on a shared database).
struct NodeTraffic
{
    qint64 requests = 0;
    qint64 errors = 0; // status >= 400
    qint64 avgLatencyMs = 0; // whole request, streams until their end
    QDateTime lastRequestAt; // the latest request ever logged for the node
};

struct AuditEntry
{
    qint64 id = 0;
    QString action;     // e.g. user.create
    QString entityType; // user, node, model_mapping, ...
    QString entityId;
    QJsonObject details; // never a secret
    QDateTime createdAt;
};

struct LogQuery
{
    // An inclusive range of status codes: 404 is {404, 404}, 4xx is {400, 499}.
    struct StatusRange
    {
        int from = 0;
        int to = 0;
        bool operator==(const StatusRange &other) const { return from == other.from && to == other.to; }
    };

    int limit = 100;
    int offset = 0;
    QString username;
    QString model;         // exact: the name asked for or the real one
    QString modelContains; // a case-insensitive substring of either (taken literally, no wildcards)
    QList<StatusRange> statuses; // any of them; empty = every status
    QDateTime from;        // created at or after; invalid = no bound
    QDateTime to;          // created before; invalid = no bound
    QString endpoint;      // exact path, e.g. /api/chat
    QString dialect;       // "ollama", "openai" or "anthropic"

    // "404", "4xx" or a comma-separated list of them; nullopt when malformed.
    static std::optional<QList<StatusRange>> parseStatuses(const QString &text);
    // Whether an entry passes the request log's filters (paging aside): what the SQL selects,
    // for entries that arrive live.
    bool matches(const RequestLogEntry &entry) const;
    QString action;     // audit only
    QString entityType; // audit only
};

} // namespace Maestro

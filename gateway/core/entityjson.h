#pragma once

#include "adminservice.h"
#include "apierror.h"
#include "catalog.h"
#include "entities.h"
#include "store.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>

#include <optional>

// One JSON mapper per entity, used by the admin API and by backups, so that both write the same
// shapes and refuse the same input with the same words.
//
// Entity -> JSON: the objects the admin API answers with (toJson) and the entries of a backup
// (toBackupJson, without ids, times or anything that is not configuration).
// JSON -> input: a request body read into what AdminService takes. These check types, ranges and
// the presence of fields the API requires, with the messages clients are given ("\"priority\"
// must be an integer"); what a value means (a known node type, a free name) is the service's to
// check. A backup entry is read by the same functions, so an import refuses what the API refuses.

namespace Maestro {

// A time as the admin API writes it: ISO 8601 in UTC with milliseconds; null when unset.
QJsonValue timeToJson(const QDateTime &time);
// A limit: the number, or null for unlimited.
QJsonValue limitToJson(std::optional<qint64> limit);

// --- Users ---------------------------------------------------------------------------------

// {"id","username","is_active","has_all_models","models","request_limit","token_limit",
//  "requests_per_minute","tokens_per_minute","created_at","updated_at"}
QJsonObject toJson(const User &user);
// The user, with "token": the only time a token is shown.
QJsonObject toJson(const AdminService::CreatedUser &created);
// {"username","has_all_models","models"}
QJsonObject grantsToJson(const User &user);
// The limits with what was used today and in the last 60 s.
QJsonObject limitsToJson(const User &user, const Store::DayUsage &today, const Store::DayUsage &lastMinute);
QJsonObject toBackupJson(const User &user);
// {"node_ids":[ids],"node_models":[{"node_id","model_name"}]}: where a user's requests may go
// (empty = unrestricted), as the user object, backups and audit entries carry it.
QJsonObject nodesToJson(const QList<qint64> &nodeIds, const QList<NodeModelGrant> &nodeModels);
// {"username","has_restriction","node_ids","nodes":[{"id","name"}],"node_models":[{"node_id",
//  "node_name","model_name"}]} with the names `catalog` knows (null for a node that is gone).
QJsonObject userNodesToJson(const User &user, const Catalog &catalog);

// "username" of a new user, trimmed; it must be a string.
Result<QString> usernameFromJson(const QJsonObject &body);
// "request_limit" and "token_limit" of a new user: left out follows the default settings, null
// is unlimited, otherwise a whole number >= 0.
Result<AdminService::NewUserLimits> newUserLimitsFromJson(const QJsonObject &body);
// "models": an array of model names.
Result<QStringList> modelNamesFromJson(const QJsonObject &body);
// The four limits over `current`: the daily ones are replaced (left out = unlimited, as the seed
// did), the per-minute ones left out keep their value. null = unlimited; daily limits are whole
// numbers >= 0, per-minute ones >= 1.
Result<UserLimits> limitsFromJson(const QJsonObject &body, const UserLimits &current = {});
// "node_ids" (an array of node ids) and "node_models" (an array of {"node_id","model_name"}),
// each present or not; null is an empty list (unrestricted).
struct UserNodesInput
{
    std::optional<QList<qint64>> nodeIds;
    std::optional<QList<NodeModelGrant>> nodeModels;
};
Result<UserNodesInput> userNodesFromJson(const QJsonObject &body);
// The seed's single-grant bodies: {"node_id"} and {"node_id","model_name"}.
Result<qint64> nodeIdFromJson(const QJsonObject &body);
Result<NodeModelGrant> nodeModelFromJson(const QJsonObject &body);

// --- Nodes ---------------------------------------------------------------------------------

// {"name","size","digest","modified_at","details"}
QJsonObject toJson(const NodeModel &model);
// {"active_requests","requests_today","errors_today","avg_latency_ms_today","last_request_at"}:
// `activeRequests` in flight on this gateway, the rest from the request log of the day.
QJsonObject nodeLoadToJson(int activeRequests, const NodeTraffic &today);
// The node (never its API key, only "api_key_set"), with how many models it serves and its load.
QJsonObject toJson(const Node &node, int modelCount, const QJsonObject &load);
QJsonObject toBackupJson(const Node &node);

// The node fields present, typed. `creating` also requires "name" and "base_url".
Result<AdminService::NodeInput> nodeInputFromJson(const QJsonObject &body, bool creating);

// --- Model mappings ------------------------------------------------------------------------

// The mapping, with the names of its nodes as `catalog` knows them (null for unknown ids).
QJsonObject toJson(const ModelMapping &mapping, const Catalog &catalog);
QJsonObject toBackupJson(const ModelMapping &mapping);

// "context_length" may be a number or a size such as "128K"; "node_id" (the seed's) is folded
// into "node_ids".
Result<AdminService::MappingInput> mappingInputFromJson(const QJsonObject &body);

// --- Model groups --------------------------------------------------------------------------

QJsonObject toJson(const ModelGroup &group);
QJsonObject toBackupJson(const ModelGroup &group);

Result<AdminService::GroupInput> groupInputFromJson(const QJsonObject &body);
// One member; the seed's "is_fallback_413" is read as "context_fallback", its older single
// "preferred_node_id" is folded into "preferred_node_ids".
Result<AdminService::MemberInput> memberInputFromJson(const QJsonObject &body);
// The "members" of a new group: absent or null is none, otherwise an array of member objects.
Result<QList<AdminService::MemberInput>> membersFromJson(const QJsonObject &body);
// A new fallback order: {"member_ids":[ids]} or the seed's {"members":[{"id","priority"}]}
// (the lowest priority first).
Result<QList<qint64>> memberOrderFromJson(const QJsonObject &body);

// --- Tool sets and model configurations ----------------------------------------------------

QJsonObject toJson(const ToolSet &set);
QJsonObject toBackupJson(const ToolSet &set);
// A tool set to save: a new one from the body (no `current`), or `current` changed by it (the
// name cannot change).
Result<ToolSet> toolSetFromJson(const QJsonObject &body, const std::optional<ToolSet> &current = std::nullopt);

QJsonObject toJson(const ModelConfig &config);
QJsonObject toBackupJson(const ModelConfig &config);
// A model configuration to save, as toolSetFromJson; the seed's "model_prefix",
// "unsupported_params" and "maintenance_mode" are read as ours. Naming tools or tool sets
// restricts tools unless "tools_restricted" says otherwise.
Result<ModelConfig> modelConfigFromJson(const QJsonObject &body,
                                        const std::optional<ModelConfig> &current = std::nullopt);

// --- System prompts ------------------------------------------------------------------------

QJsonObject toJson(const SystemPrompt &prompt);
QJsonArray toJson(const QList<SystemPrompt> &prompts);
QJsonObject toBackupJson(const SystemPrompt &prompt);

Result<AdminService::PromptInput> promptInputFromJson(const QJsonObject &body);
// {"ids":[system prompt ids]}, the first applied first.
Result<QList<qint64>> promptOrderFromJson(const QJsonObject &body);

// --- Logs ----------------------------------------------------------------------------------

QJsonObject toJson(const RequestLogEntry &entry);
QJsonObject toJson(const AuditEntry &entry);

// --- Backups -------------------------------------------------------------------------------
// The entries of a backup are read with the functions above, so they are held to the API's rules;
// these read the fields only a backup has.

// What an import wrote: {"imported": {section: count}, "created_users": [{"username","token"}]},
// the only time the new users' tokens are shown.
QJsonObject toJson(const AdminService::ImportOutcome &outcome);

struct BackupNode
{
    std::optional<qint64> id; // how the backup's mappings name the node
    AdminService::NodeInput input; // never an API key: keys stay in each machine's secret store
};
// "name" and "base_url" are required, as when a node is created.
Result<BackupNode> backupNodeFromJson(const QJsonObject &entry);

struct BackupUser
{
    QString username;
    bool allModels = false;
    QStringList models;
    UserLimits limits; // left out = unlimited
    // As the backup names the nodes (its own node ids).
    QList<qint64> nodeIds;
    QList<NodeModelGrant> nodeModels;
};
Result<BackupUser> backupUserFromJson(const QJsonObject &entry);

struct BackupGroup
{
    AdminService::GroupInput group;
    QList<AdminService::MemberInput> members;
};
// A member's error names its position: "member 2: \"weight\" must be an integer".
Result<BackupGroup> backupGroupFromJson(const QJsonObject &entry);

} // namespace Maestro

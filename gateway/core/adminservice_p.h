#pragma once

// What the sources of AdminService (one per API area) share: how an input becomes an entity and
// what makes an entity valid, used alike by the service's own changes and by the backup import,
// so that both accept and refuse the same things with the same words. Not part of the service's
// interface.

#include "adminservice.h"

#include <QSet>

// Evaluates `expression`, a Result, and returns its error from the calling function when it
// failed; otherwise `name` is a reference to the value from here on:
//     MAESTRO_TRY(user, findUser(username));
//     m_store->setTokenHash(user.id, ...);
#define MAESTRO_TRY(name, expression)                                                              \
    auto name##Result = (expression);                                                              \
    if (!name##Result.ok())                                                                        \
        return name##Result.error();                                                               \
    auto &name = name##Result.value()

namespace Maestro {

namespace AdminSupport {

// A write the store refused (the database is down or said no).
ApiError storageFailed();
// For deleteFound() when a deletion is audited without details.
inline constexpr auto noDetails = [](const auto &) { return QJsonObject(); };

// Users
std::optional<ApiError> validateUsername(const QString &name);
std::optional<ApiError> validateLimits(const UserLimits &limits);
std::optional<ApiError> validatePerMinute(std::optional<qint64> requests, std::optional<qint64> tokens);
// The names trimmed, each once; none may be empty.
Result<QStringList> normalizeModelNames(const QStringList &models);

// Nodes. Applies the fields present (the API key aside), refusing an unknown node type.
std::optional<ApiError> applyNodeInput(Node *node, const AdminService::NodeInput &input);
std::optional<ApiError> validateNode(const Node &node);

// Mappings and groups
std::optional<ModelMapping> findMapping(Store *store, const QString &displayName);
void applyMappingInput(ModelMapping *mapping, const AdminService::MappingInput &input);
// `creating` chooses the words: a new entity lacks a field, a changed one emptied it.
std::optional<ApiError> validateMapping(const ModelMapping &mapping, bool creating);
void applyGroupInput(ModelGroup *group, const AdminService::GroupInput &input);
std::optional<ApiError> validateGroup(const ModelGroup &group, bool creating);
void applyMemberInput(GroupMember *member, const AdminService::MemberInput &input);
// 400 naming the first of `ids` that is no node of the store.
std::optional<ApiError> unknownNode(Store *store, const QList<qint64> &ids);

// Tool sets, model configurations, system prompts
// Trims the name, drops empty and repeated tools.
std::optional<ApiError> normalizeToolSet(ToolSet *set);
// Trims the pattern; `toolSets` are the names of the tool sets that exist.
std::optional<ApiError> normalizeModelConfig(ModelConfig *config, const QSet<QString> &toolSets);
// A new prompt from its input: scope_type and prompt are required.
Result<SystemPrompt> newSystemPrompt(const AdminService::PromptInput &input);
// Applies the fields present and checks the result.
std::optional<ApiError> applyPromptInput(SystemPrompt *prompt, const AdminService::PromptInput &input);

} // namespace AdminSupport

template<typename T, typename Remove, typename Describe>
Result<bool> AdminService::deleteFound(const Result<T> &found, Remove remove, const QString &action,
                                       const QString &entityType, const QString &entityId,
                                       Describe describe)
{
    if (!found.ok())
        return found.error();
    if (!remove(found.value()))
        return AdminSupport::storageFailed();
    announce(action, entityType, entityId, describe(found.value()));
    return true;
}

} // namespace Maestro

// Backups of the configuration: export, and an import that reads every entry with the admin API's
// own mappers (entityjson.h) and checks it with the service's own rules before writing anything.

#include "adminservice.h"
#include "adminservice_p.h"
#include "entityjson.h"
#include "settings.h"
#include "tokens.h"

#include <QJsonArray>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace AdminSupport;

namespace {

// A backup, read and checked whole before anything of it is written.
struct ImportPlan
{
    QList<Node> nodes;
    QHash<qint64, QString> nodeNameByBackupId;
    QList<BackupUser> users;
    QList<std::pair<ModelMapping, QStringList>> mappings; // with the names of their nodes
    QList<ModelGroup> groups;
    QList<ToolSet> toolSets;
    QList<ModelConfig> modelConfigs;
    QList<SystemPrompt> prompts;
    QHash<QString, std::optional<QString>> settings;
};

// Reads one section of a backup, an array of objects, entry by entry with `read`. A refused entry
// is named in the error by `kind` and its name (`nameKey`), or its position when it has none:
// `node "gpu-1": "priority" must be an integer`.
template<typename T, typename Read>
std::optional<ApiError> readSection(const QJsonObject &backup, QLatin1StringView section, const QString &kind,
                                    QLatin1StringView nameKey, QList<T> *out, Read read)
{
    const QJsonArray entries = backup.value(section).toArray();
    for (qsizetype i = 0; i < entries.size(); ++i) {
        if (!entries.at(i).isObject())
            return ApiError::badRequest(u"%1 %2 must be an object"_s.arg(kind).arg(i + 1));
        const QJsonObject entry = entries.at(i).toObject();
        Result<T> value = read(entry);
        if (!value.ok()) {
            const QString name = nameKey.isEmpty() ? QString() : entry.value(nameKey).toString().trimmed();
            const QString which = name.isEmpty() ? u"%1 %2"_s.arg(kind).arg(i + 1) : u"%1 \"%2\""_s.arg(kind, name);
            return ApiError::badRequest(u"%1: %2"_s.arg(which, value.error().message));
        }
        out->append(value.value());
    }
    return std::nullopt;
}

// The entries of each section, read with the admin API's mappers and checked with the rules the
// service applies to the same change made through the API.

Result<Node> readNode(const QJsonObject &entry, QHash<qint64, QString> *nodeNameByBackupId)
{
    MAESTRO_TRY(parsed, backupNodeFromJson(entry));
    Node node;
    if (auto invalid = applyNodeInput(&node, parsed.input); invalid || (invalid = validateNode(node)))
        return *invalid;
    if (parsed.id)
        nodeNameByBackupId->insert(*parsed.id, node.name);
    return node;
}

// Node ids differ between installations: users, mappings and group members name nodes by the
// backup's ids, which must be nodes of the backup; they are turned into this installation's ids
// (through the names) when written.
std::optional<ApiError> notInBackup(const QList<qint64> &ids, const QHash<qint64, QString> &nodeNameByBackupId)
{
    for (qint64 id : ids) {
        if (!nodeNameByBackupId.contains(id))
            return ApiError::badRequest(u"node %1 is not in the backup"_s.arg(id));
    }
    return std::nullopt;
}

QList<qint64> localNodeIds(const QList<qint64> &backupIds, const QHash<qint64, QString> &nodeNameByBackupId,
                           const QHash<QString, qint64> &nodeIdByName)
{
    QList<qint64> ids;
    for (qint64 id : backupIds)
        ids.append(nodeIdByName.value(nodeNameByBackupId.value(id)));
    return ids;
}

Result<BackupUser> readUser(const QJsonObject &entry, const QHash<qint64, QString> &nodeNameByBackupId)
{
    MAESTRO_TRY(user, backupUserFromJson(entry));
    if (auto invalid = validateUsername(user.username); invalid || (invalid = validateLimits(user.limits)))
        return *invalid;
    QList<qint64> named = user.nodeIds;
    for (const NodeModelGrant &grant : std::as_const(user.nodeModels))
        named.append(grant.nodeId);
    if (const auto missing = notInBackup(named, nodeNameByBackupId))
        return *missing;
    MAESTRO_TRY(models, normalizeModelNames(user.models));
    user.models = models;
    return user;
}

using MappingEntry = std::pair<ModelMapping, QStringList>;

// Node ids differ between installations: a mapping names its nodes by the backup's ids, which
// are turned into names here and into this installation's ids when it is written.
Result<MappingEntry> readMapping(const QJsonObject &entry, const QHash<qint64, QString> &nodeNameByBackupId)
{
    MAESTRO_TRY(input, mappingInputFromJson(entry));
    ModelMapping mapping;
    applyMappingInput(&mapping, input);
    if (const auto invalid = validateMapping(mapping, true))
        return *invalid;
    QStringList nodeNames;
    for (qint64 id : std::as_const(mapping.nodeIds)) {
        const QString name = nodeNameByBackupId.value(id);
        if (name.isEmpty())
            return ApiError::badRequest(u"node %1 is not in the backup"_s.arg(id));
        nodeNames.append(name);
    }
    mapping.nodeIds.clear();
    return MappingEntry{mapping, nodeNames};
}

Result<ModelGroup> readGroup(const QJsonObject &entry, const QHash<qint64, QString> &nodeNameByBackupId)
{
    MAESTRO_TRY(parsed, backupGroupFromJson(entry));
    ModelGroup group;
    applyGroupInput(&group, parsed.group);
    if (const auto invalid = validateGroup(group, true))
        return *invalid;
    for (const AdminService::MemberInput &input : std::as_const(parsed.members)) {
        GroupMember member;
        applyMemberInput(&member, input);
        if (member.model.isEmpty())
            return ApiError::badRequest(u"each member needs a model_display_name"_s);
        if (const auto missing = notInBackup(member.preferredNodeIds, nodeNameByBackupId))
            return ApiError::badRequest(u"member \"%1\": %2"_s.arg(member.model, missing->message));
        group.members.append(member);
    }
    return group;
}

Result<ToolSet> readToolSet(const QJsonObject &entry)
{
    MAESTRO_TRY(set, toolSetFromJson(entry));
    if (const auto invalid = normalizeToolSet(&set))
        return *invalid;
    return set;
}

Result<ModelConfig> readModelConfig(const QJsonObject &entry, const QSet<QString> &toolSets)
{
    MAESTRO_TRY(config, modelConfigFromJson(entry));
    if (const auto invalid = normalizeModelConfig(&config, toolSets))
        return *invalid;
    return config;
}

Result<SystemPrompt> readPrompt(const QJsonObject &entry)
{
    MAESTRO_TRY(input, promptInputFromJson(entry));
    return newSystemPrompt(input);
}

Result<ImportPlan> readBackup(Store *store, const QJsonObject &backup)
{
    ImportPlan plan;
    if (auto error = readSection(backup, "nodes"_L1, u"node"_s, "name"_L1, &plan.nodes, [&](const QJsonObject &entry) {
            return readNode(entry, &plan.nodeNameByBackupId);
        }))
        return *error;
    if (auto error = readSection(backup, "users"_L1, u"user"_s, "username"_L1, &plan.users,
                                 [&](const QJsonObject &entry) { return readUser(entry, plan.nodeNameByBackupId); }))
        return *error;
    if (auto error = readSection(backup, "mappings"_L1, u"mapping"_s, "display_name"_L1, &plan.mappings,
                                 [&](const QJsonObject &entry) { return readMapping(entry, plan.nodeNameByBackupId); }))
        return *error;
    if (auto error = readSection(backup, "groups"_L1, u"group"_s, "name"_L1, &plan.groups,
                                 [&](const QJsonObject &entry) { return readGroup(entry, plan.nodeNameByBackupId); }))
        return *error;
    if (auto error = readSection(backup, "tool_sets"_L1, u"tool set"_s, "name"_L1, &plan.toolSets, readToolSet))
        return *error;
    // A configuration may name the tool sets that exist and those the backup brings.
    QSet<QString> toolSetNames;
    for (const ToolSet &set : store->toolSets())
        toolSetNames.insert(set.name);
    for (const ToolSet &set : std::as_const(plan.toolSets))
        toolSetNames.insert(set.name);
    if (auto error = readSection(backup, "model_configs"_L1, u"model configuration"_s, "model_pattern"_L1,
                                 &plan.modelConfigs, [&](const QJsonObject &entry) { return readModelConfig(entry, toolSetNames); }))
        return *error;
    // A prompt has no name: its position names it.
    if (auto error = readSection(backup, "system_prompts"_L1, u"system prompt"_s, {}, &plan.prompts, readPrompt))
        return *error;
    const QJsonObject settings = backup.value("settings"_L1).toObject();
    for (auto it = settings.constBegin(); it != settings.constEnd(); ++it) {
        auto typed = Settings::parse(it.key(), it.value());
        if (!typed.ok())
            return ApiError::badRequest(u"settings: %1"_s.arg(typed.error().message));
        plan.settings.insert(it.key(), storedSettingForm(typed.value()));
    }
    return plan;
}

// Upserts what was read; false when the store refused a write. Called inside one transaction.
bool writeBackup(Store *store, const ImportPlan &plan, AdminService::ImportOutcome *outcome)
{
    // Node ids differ between installations: nodes are matched by name, and mappings follow.
    QHash<QString, qint64> nodeIdByName;
    for (const Node &node : store->nodes())
        nodeIdByName.insert(node.name, node.id);
    for (Node node : plan.nodes) {
        if (const auto it = nodeIdByName.constFind(node.name); it != nodeIdByName.cend()) {
            const auto existing = store->node(*it);
            node.id = *it;
            // The key and the secret headers stay where they are.
            node.hasApiKey = existing && existing->hasApiKey;
            if (existing)
                node.secretHeaderNames = existing->secretHeaderNames;
            if (!store->updateNode(node))
                return false;
        } else {
            node.hasApiKey = false;
            node.id = store->insertNode(node);
            if (node.id == 0)
                return false;
            nodeIdByName.insert(node.name, node.id);
        }
    }
    for (const BackupUser &entry : plan.users) {
        const auto existing = store->user(entry.username);
        qint64 id = existing && existing->active ? existing->id : 0;
        if (id == 0) {
            const QString token = Tokens::generate();
            id = store->createUser(entry.username, Tokens::hash(token.toLatin1()));
            if (id == 0)
                return false;
            outcome->createdUsers.append({entry.username, token});
        }
        QList<NodeModelGrant> pairs;
        for (NodeModelGrant grant : entry.nodeModels) {
            grant.nodeId = nodeIdByName.value(plan.nodeNameByBackupId.value(grant.nodeId));
            pairs.append(grant);
        }
        if (!store->setUserModels(id, entry.allModels ? QStringList() : entry.models, entry.allModels)
            || !store->setUserLimits(id, entry.limits)
            || !store->setUserNodes(id, localNodeIds(entry.nodeIds, plan.nodeNameByBackupId, nodeIdByName), pairs))
            return false;
    }
    QSet<QString> mappingNames;
    for (const ModelMapping &mapping : store->mappings())
        mappingNames.insert(mapping.displayName);
    for (auto [mapping, nodeNames] : plan.mappings) {
        for (const QString &name : std::as_const(nodeNames))
            mapping.nodeIds.append(nodeIdByName.value(name));
        mapping.createdAt = QDateTime::currentDateTimeUtc();
        const bool ok = mappingNames.contains(mapping.displayName) ? store->updateMapping(mapping.displayName, mapping)
                                                                   : store->insertMapping(mapping);
        if (!ok)
            return false;
        mappingNames.insert(mapping.displayName);
    }
    // Groups are matched by name; an imported group's members replace the existing ones.
    QHash<QString, ModelGroup> existingGroups;
    for (const ModelGroup &group : store->groups())
        existingGroups.insert(group.name, group);
    for (ModelGroup group : plan.groups) {
        if (const auto it = existingGroups.constFind(group.name); it != existingGroups.cend()) {
            group.id = it->id;
            if (!store->updateGroup(group))
                return false;
            for (const GroupMember &old : it->members) {
                if (!store->deleteMember(old.id))
                    return false;
            }
        } else {
            group.id = store->insertGroup(group);
            if (group.id == 0)
                return false;
        }
        // What the group now holds, should the backup name it twice.
        existingGroups.insert(group.name, ModelGroup{group.id, group.name});
        for (GroupMember member : std::as_const(group.members)) {
            member.groupId = group.id;
            member.preferredNodeIds = localNodeIds(member.preferredNodeIds, plan.nodeNameByBackupId, nodeIdByName);
            member.id = store->insertMember(member);
            if (member.id == 0)
                return false;
            existingGroups[group.name].members.append(member);
        }
    }
    for (const ToolSet &set : plan.toolSets) {
        if (!store->saveToolSet(set))
            return false;
    }
    for (const ModelConfig &config : plan.modelConfigs) {
        if (!store->saveModelConfig(config))
            return false;
    }
    // A prompt has no name: one with the same scope and text is the same prompt.
    QList<SystemPrompt> existingPrompts = store->systemPrompts();
    for (SystemPrompt prompt : plan.prompts) {
        const auto same = std::find_if(existingPrompts.cbegin(), existingPrompts.cend(), [&](const SystemPrompt &p) {
            return p.scope == prompt.scope && p.scopeValue == prompt.scopeValue && p.prompt == prompt.prompt;
        });
        if (same != existingPrompts.cend()) {
            prompt.id = same->id;
            if (!store->updateSystemPrompt(prompt))
                return false;
        } else {
            prompt.id = store->insertSystemPrompt(prompt);
            if (prompt.id == 0)
                return false;
            existingPrompts.append(prompt);
        }
    }
    return plan.settings.isEmpty() || store->writeSettings(plan.settings);
}

} // namespace

QJsonObject AdminService::exportBackup()
{
    QJsonArray nodes;
    for (const Node &node : m_store->nodes())
        nodes.append(toBackupJson(node));
    QJsonArray users;
    for (const User &user : m_store->users())
        users.append(toBackupJson(user));
    QJsonArray mappings;
    for (const ModelMapping &mapping : m_store->mappings())
        mappings.append(toBackupJson(mapping));
    QJsonArray groups;
    for (const ModelGroup &group : m_store->groups())
        groups.append(toBackupJson(group));
    QJsonArray toolSets;
    for (const ToolSet &set : m_store->toolSets())
        toolSets.append(toBackupJson(set));
    QJsonArray modelConfigs;
    for (const ModelConfig &config : m_store->modelConfigs())
        modelConfigs.append(toBackupJson(config));
    QJsonArray prompts;
    for (const SystemPrompt &prompt : m_store->systemPrompts())
        prompts.append(toBackupJson(prompt));
    // The settings that were set (typed); the others follow the defaults of the importing side.
    QJsonObject settings;
    const auto stored = m_store->settings();
    for (auto it = stored.cbegin(); it != stored.cend(); ++it) {
        if (auto typed = Settings::parse(it.key(), it.value()); typed.ok())
            settings.insert(it.key(), typed.value());
    }
    return {{u"version"_s, BackupVersion},
            {u"groups"_s, groups},
            {u"tool_sets"_s, toolSets},
            {u"model_configs"_s, modelConfigs},
            {u"system_prompts"_s, prompts},
            {u"exported_at"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
            {u"nodes"_s, nodes},
            {u"users"_s, users},
            {u"mappings"_s, mappings},
            {u"settings"_s, settings}};
}

Result<AdminService::ImportOutcome> AdminService::importBackup(const QJsonObject &backup)
{
    if (backup.value("version"_L1).toInt(-1) != BackupVersion)
        return ApiError::badRequest(u"not a Model Maestro backup of version %1"_s.arg(BackupVersion));
    for (const char *section : {"nodes", "users", "mappings", "groups", "tool_sets", "model_configs", "system_prompts"}) {
        const QJsonValue value = backup.value(QLatin1StringView(section));
        if (!value.isUndefined() && !value.isArray())
            return ApiError::badRequest(u"%1 must be an array"_s.arg(QLatin1StringView(section)));
    }
    if (!backup.value("settings"_L1).isUndefined() && !backup.value("settings"_L1).isObject())
        return ApiError::badRequest(u"settings must be an object"_s);

    // Everything is checked first, so a bad entry writes nothing; the writes are one transaction,
    // so a write the database refuses half-way leaves nothing either.
    MAESTRO_TRY(plan, readBackup(m_store, backup));
    ImportOutcome outcome;
    WriteTransaction transaction(m_store);
    if (!transaction.isOpen() || !writeBackup(m_store, plan, &outcome) || !transaction.commit())
        return storageFailed();

    outcome.counts = {{u"nodes"_s, int(plan.nodes.size())},
                      {u"users"_s, int(plan.users.size())},
                      {u"mappings"_s, int(plan.mappings.size())},
                      {u"groups"_s, int(plan.groups.size())},
                      {u"tool_sets"_s, int(plan.toolSets.size())},
                      {u"model_configs"_s, int(plan.modelConfigs.size())},
                      {u"system_prompts"_s, int(plan.prompts.size())},
                      {u"settings"_s, int(plan.settings.size())}};
    QJsonObject details = outcome.counts;
    QJsonArray created;
    for (const auto &[username, token] : std::as_const(outcome.createdUsers))
        created.append(username);
    details.insert(u"created_users"_s, created);
    announce(u"backup.import"_s, u"backup"_s, QString(), details);
    return outcome;
}

} // namespace Maestro

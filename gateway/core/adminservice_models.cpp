// Model mappings (display name -> real name) and model groups with their members.

#include "adminservice.h"
#include "adminservice_p.h"
#include "entityjson.h"

#include <QJsonArray>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace AdminSupport;

namespace {

QJsonObject mappingAuditDetails(const ModelMapping &mapping)
{
    // The audit shows what a backup would hold of it.
    return toBackupJson(mapping);
}

QJsonObject groupAuditDetails(const ModelGroup &group)
{
    QJsonArray members;
    for (const GroupMember &member : group.members)
        members.append(member.model);
    return {{u"name"_s, group.name},
            {u"strategy"_s, group.strategy},
            {u"is_active"_s, group.active},
            {u"list_in_catalog"_s, group.listInCatalog},
            {u"members"_s, members}};
}

QJsonObject memberAuditDetails(const GroupMember &member)
{
    return {{u"member_id"_s, double(member.id)}, {u"model_display_name"_s, member.model}};
}

Result<ModelMapping> findMappingOr404(Store *store, const QString &displayName)
{
    if (auto mapping = findMapping(store, displayName))
        return *mapping;
    return ApiError::notFound(u"Model mapping not found: %1"_s.arg(displayName));
}

} // namespace

std::optional<ModelMapping> AdminSupport::findMapping(Store *store, const QString &displayName)
{
    for (const ModelMapping &mapping : store->mappings()) {
        if (mapping.displayName == displayName)
            return mapping;
    }
    return std::nullopt;
}

void AdminSupport::applyMappingInput(ModelMapping *mapping, const AdminService::MappingInput &input)
{
    if (input.displayName)
        mapping->displayName = input.displayName->trimmed();
    if (input.realName)
        mapping->realName = input.realName->trimmed();
    if (input.contextLength)
        mapping->contextLength = *input.contextLength;
    if (input.capabilities)
        mapping->capabilities = *input.capabilities;
    if (input.nodeIds)
        mapping->nodeIds = *input.nodeIds;
}

std::optional<ApiError> AdminSupport::validateMapping(const ModelMapping &mapping, bool creating)
{
    if (mapping.displayName.isEmpty() || mapping.realName.isEmpty()) {
        return ApiError::badRequest(creating ? u"display_name and real_name are required"_s
                                             : u"display_name and real_name must not be empty"_s);
    }
    return std::nullopt;
}

Result<ModelMapping> AdminService::addMapping(const MappingInput &input)
{
    ModelMapping mapping;
    applyMappingInput(&mapping, input);
    if (const auto error = validateMapping(mapping, true))
        return *error;
    for (qint64 nodeId : std::as_const(mapping.nodeIds)) {
        if (!m_store->node(nodeId))
            return ApiError::badRequest(u"Node not found: %1"_s.arg(nodeId));
    }
    mapping.createdAt = QDateTime::currentDateTimeUtc();
    // Creating an existing display name updates it, as the seed's upsert did.
    const bool exists = findMapping(m_store, mapping.displayName).has_value();
    const bool ok = exists ? m_store->updateMapping(mapping.displayName, mapping)
                           : m_store->insertMapping(mapping);
    if (!ok)
        return storageFailed();
    announce(exists ? u"model_mapping.update"_s : u"model_mapping.create"_s, u"model_mapping"_s,
             mapping.displayName, mappingAuditDetails(mapping));
    return mapping;
}

Result<ModelMapping> AdminService::updateMapping(const QString &displayName, const MappingInput &input)
{
    MAESTRO_TRY(current, findMappingOr404(m_store, displayName));
    ModelMapping mapping = current;
    applyMappingInput(&mapping, input);
    if (const auto error = validateMapping(mapping, false))
        return *error;
    if (mapping.displayName != displayName && findMapping(m_store, mapping.displayName))
        return ApiError::conflict(u"Display name already exists"_s);
    if (!m_store->updateMapping(displayName, mapping))
        return storageFailed();
    announce(u"model_mapping.update"_s, u"model_mapping"_s, displayName, mappingAuditDetails(mapping));
    return mapping;
}

Result<bool> AdminService::deleteMapping(const QString &displayName)
{
    return deleteFound(
        findMappingOr404(m_store, displayName),
        [this](const ModelMapping &mapping) { return m_store->deleteMapping(mapping.displayName); },
        u"model_mapping.delete"_s, u"model_mapping"_s, displayName, noDetails);
}

void AdminSupport::applyGroupInput(ModelGroup *group, const AdminService::GroupInput &input)
{
    if (input.name)
        group->name = input.name->trimmed();
    if (input.description)
        group->description = *input.description;
    if (input.strategy)
        group->strategy = *input.strategy;
    if (input.active)
        group->active = *input.active;
    if (input.listInCatalog)
        group->listInCatalog = *input.listInCatalog;
    if (input.priority)
        group->priority = *input.priority;
    if (input.maxFailoverRetries)
        group->maxFailoverRetries = std::max(*input.maxFailoverRetries, 0);
}

std::optional<ApiError> AdminSupport::validateGroup(const ModelGroup &group, bool creating)
{
    if (group.name.isEmpty())
        return ApiError::badRequest(creating ? u"name is required"_s : u"name must not be empty"_s);
    if (group.strategy != "round_robin"_L1 && group.strategy != "weighted"_L1 && group.strategy != "priority"_L1)
        return ApiError::badRequest(u"strategy must be round_robin, weighted or priority"_s);
    return std::nullopt;
}

void AdminSupport::applyMemberInput(GroupMember *member, const AdminService::MemberInput &input)
{
    if (input.model)
        member->model = input.model->trimmed();
    if (input.priority)
        member->priority = *input.priority;
    if (input.weight)
        member->weight = *input.weight;
    if (input.capabilityTags)
        member->capabilityTags = *input.capabilityTags;
    if (input.active)
        member->active = *input.active;
    if (input.contextFallback)
        member->contextFallback = *input.contextFallback;
    if (input.preferredNodeIds) {
        member->preferredNodeIds.clear();
        for (qint64 id : *input.preferredNodeIds) {
            if (!member->preferredNodeIds.contains(id))
                member->preferredNodeIds.append(id);
        }
    }
}

std::optional<ApiError> AdminSupport::unknownNode(Store *store, const QList<qint64> &ids)
{
    if (ids.isEmpty())
        return std::nullopt;
    QSet<qint64> known;
    for (const Node &node : store->nodes())
        known.insert(node.id);
    for (qint64 id : ids) {
        if (!known.contains(id))
            return ApiError::badRequest(u"Node not found: %1"_s.arg(id));
    }
    return std::nullopt;
}

Result<ModelGroup> AdminService::findGroup(const QString &name)
{
    for (const ModelGroup &group : m_store->groups()) {
        if (group.name == name)
            return group;
    }
    return ApiError::notFound(u"Model group not found: %1"_s.arg(name));
}

Result<ModelGroup> AdminService::addGroup(const GroupInput &input, const QList<MemberInput> &members)
{
    ModelGroup group;
    applyGroupInput(&group, input);
    if (const auto error = validateGroup(group, true))
        return *error;
    if (findGroup(group.name).ok())
        return ApiError::conflict(u"Model group '%1' already exists"_s.arg(group.name));
    for (const MemberInput &member : members) {
        if (member.model.value_or(QString()).trimmed().isEmpty())
            return ApiError::badRequest(u"each member needs a model_display_name"_s);
        if (const auto unknown = unknownNode(m_store, member.preferredNodeIds.value_or(QList<qint64>())))
            return *unknown;
    }
    // The group and its members are stored together or not at all.
    WriteTransaction transaction(m_store);
    if (!transaction.isOpen())
        return storageFailed();
    group.id = m_store->insertGroup(group);
    if (group.id == 0)
        return storageFailed();
    int position = 0;
    for (const MemberInput &input : members) {
        GroupMember member;
        member.groupId = group.id;
        member.priority = position++; // the listed order, unless a member says otherwise
        applyMemberInput(&member, input);
        if (m_store->insertMember(member) == 0)
            return storageFailed();
    }
    if (!transaction.commit())
        return storageFailed();
    MAESTRO_TRY(created, findGroup(group.name));
    announce(u"model_group.create"_s, u"model_group"_s, group.name, groupAuditDetails(created));
    return created;
}

Result<ModelGroup> AdminService::updateGroup(const QString &name, const GroupInput &input)
{
    MAESTRO_TRY(group, findGroup(name));
    applyGroupInput(&group, input);
    if (const auto error = validateGroup(group, false))
        return *error;
    if (group.name != name && findGroup(group.name).ok())
        return ApiError::conflict(u"Model group '%1' already exists"_s.arg(group.name));
    if (!m_store->updateGroup(group))
        return storageFailed();
    announce(u"model_group.update"_s, u"model_group"_s, name, groupAuditDetails(group));
    return findGroup(group.name);
}

Result<bool> AdminService::deleteGroup(const QString &name)
{
    return deleteFound(
        findGroup(name), [this](const ModelGroup &group) { return m_store->deleteGroup(group.id); },
        u"model_group.delete"_s, u"model_group"_s, name, noDetails);
}

Result<ModelGroup> AdminService::addMember(const QString &groupName, const MemberInput &input)
{
    MAESTRO_TRY(group, findGroup(groupName));
    GroupMember member;
    member.groupId = group.id;
    member.priority = group.members.isEmpty() ? 0 : group.members.last().priority + 1;
    applyMemberInput(&member, input);
    if (member.model.isEmpty())
        return ApiError::badRequest(u"model_display_name is required"_s);
    if (const auto unknown = unknownNode(m_store, input.preferredNodeIds.value_or(QList<qint64>())))
        return *unknown;
    member.id = m_store->insertMember(member);
    if (member.id == 0)
        return storageFailed();
    announce(u"model_group.member_add"_s, u"model_group"_s, groupName, memberAuditDetails(member));
    return findGroup(groupName);
}

Result<ModelGroup> AdminService::updateMember(const QString &groupName, qint64 memberId, const MemberInput &input)
{
    MAESTRO_TRY(group, findGroup(groupName));
    const auto it = std::find_if(group.members.begin(), group.members.end(),
                                 [memberId](const GroupMember &m) { return m.id == memberId; });
    if (it == group.members.end())
        return ApiError::notFound(u"Member %1 not found in group %2"_s.arg(memberId).arg(groupName));
    GroupMember member = *it;
    applyMemberInput(&member, input);
    if (member.model.isEmpty())
        return ApiError::badRequest(u"model_display_name must not be empty"_s);
    if (const auto unknown = unknownNode(m_store, input.preferredNodeIds.value_or(QList<qint64>())))
        return *unknown;
    if (!m_store->updateMember(member))
        return storageFailed();
    announce(u"model_group.member_update"_s, u"model_group"_s, groupName, memberAuditDetails(member));
    return findGroup(groupName);
}

Result<ModelGroup> AdminService::deleteMember(const QString &groupName, qint64 memberId)
{
    MAESTRO_TRY(group, findGroup(groupName));
    const bool present = std::any_of(group.members.cbegin(), group.members.cend(),
                                     [memberId](const GroupMember &m) { return m.id == memberId; });
    if (!present)
        return ApiError::notFound(u"Member %1 not found in group %2"_s.arg(memberId).arg(groupName));
    if (!m_store->deleteMember(memberId))
        return storageFailed();
    announce(u"model_group.member_delete"_s, u"model_group"_s, groupName, {{u"member_id"_s, double(memberId)}});
    return findGroup(groupName);
}

Result<ModelGroup> AdminService::reorderMembers(const QString &groupName, const QList<qint64> &memberIds)
{
    MAESTRO_TRY(group, findGroup(groupName));
    QList<GroupMember> members = group.members;
    const ApiError notEveryMember =
        ApiError::badRequest(u"member_ids must list every member of the group exactly once"_s);
    if (memberIds.size() != members.size())
        return notEveryMember;
    for (GroupMember &member : members) {
        const qsizetype position = memberIds.indexOf(member.id);
        if (position < 0 || memberIds.count(member.id) != 1)
            return notEveryMember;
        member.priority = int(position);
    }
    // A half-applied order would mix the old one with the new.
    WriteTransaction transaction(m_store);
    if (!transaction.isOpen())
        return storageFailed();
    for (const GroupMember &member : std::as_const(members)) {
        if (!m_store->updateMember(member))
            return storageFailed();
    }
    if (!transaction.commit())
        return storageFailed();
    QJsonArray order;
    for (qint64 id : memberIds)
        order.append(double(id));
    announce(u"model_group.reorder"_s, u"model_group"_s, groupName, {{u"member_ids"_s, order}});
    return findGroup(groupName);
}

} // namespace Maestro

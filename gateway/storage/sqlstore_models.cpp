// Model mappings and model groups with their members.

#include "sqlstore.h"
#include "sqlsupport.h"

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace SqlSupport;

namespace {

// The columns a mapping is written with, in the order of the INSERT and UPDATE below.
QVariantList mappingValues(const ModelMapping &mapping)
{
    QJsonArray nodes;
    for (qint64 id : mapping.nodeIds)
        nodes.append(double(id));
    return {mapping.displayName, mapping.realName, mapping.contextLength, jsonText(mapping.capabilities),
            jsonText(nodes)};
}

QJsonArray idArray(const QList<qint64> &ids)
{
    QJsonArray array;
    for (qint64 id : ids)
        array.append(double(id));
    return array;
}

QVariantList groupValues(const ModelGroup &group)
{
    return {group.name, group.description, group.strategy, flag(group.active), flag(group.listInCatalog),
            group.priority, group.maxFailoverRetries};
}

} // namespace

QList<ModelMapping> SqlStore::mappings()
{
    QSqlQuery query(m_database->connection());
    QList<ModelMapping> mappings;
    if (!run(query, u"SELECT display_name, real_name, context_length, capabilities, node_ids, created_at "
                    "FROM model_mappings ORDER BY display_name"_s))
        return mappings;
    while (query.next()) {
        ModelMapping mapping;
        mapping.displayName = query.value(0).toString();
        mapping.realName = query.value(1).toString();
        mapping.contextLength = query.value(2).toLongLong();
        mapping.capabilities = stringList(query.value(3));
        for (const QJsonValue &v : jsonArray(query.value(4)))
            mapping.nodeIds.append(qint64(v.toDouble()));
        mapping.createdAt = fromMs(query.value(5));
        mappings.append(mapping);
    }
    return mappings;
}

bool SqlStore::insertMapping(const ModelMapping &mapping)
{
    QSqlQuery query(m_database->connection());
    const qint64 now = nowMs();
    return run(query,
               u"INSERT INTO model_mappings (display_name, real_name, context_length, capabilities, "
               "node_ids, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
               mappingValues(mapping) + QVariantList{now, now});
}

bool SqlStore::updateMapping(const QString &displayName, const ModelMapping &mapping)
{
    QSqlQuery query(m_database->connection());
    return runOne(query,
                  u"UPDATE model_mappings SET display_name = ?, real_name = ?, context_length = ?, "
                  "capabilities = ?, node_ids = ?, updated_at = ? WHERE display_name = ?"_s,
                  mappingValues(mapping) + QVariantList{nowMs(), displayName});
}

bool SqlStore::deleteMapping(const QString &displayName)
{
    QSqlQuery query(m_database->connection());
    return run(query, u"DELETE FROM model_mappings WHERE display_name = ?"_s, {displayName});
}

QList<ModelGroup> SqlStore::groups()
{
    QSqlDatabase db = m_database->connection();
    QSqlQuery query(db);
    QList<ModelGroup> groups;
    if (!run(query, u"SELECT id, name, description, strategy, is_active, list_in_catalog, priority, "
                    "max_failover_retries, created_at, updated_at FROM model_groups ORDER BY priority, name"_s))
        return groups;
    QHash<qint64, qsizetype> index;
    while (query.next()) {
        ModelGroup group;
        group.id = query.value(0).toLongLong();
        group.name = query.value(1).toString();
        group.description = query.value(2).toString();
        group.strategy = query.value(3).toString();
        group.active = query.value(4).toInt() != 0;
        group.listInCatalog = query.value(5).toInt() != 0;
        group.priority = query.value(6).toInt();
        group.maxFailoverRetries = query.value(7).toInt();
        group.createdAt = fromMs(query.value(8));
        group.updatedAt = fromMs(query.value(9));
        index.insert(group.id, groups.size());
        groups.append(group);
    }
    QSqlQuery members(db);
    if (!run(members, u"SELECT id, group_id, model_display_name, priority, weight, capability_tags, is_active, "
                      "context_fallback, preferred_node_ids FROM model_group_members ORDER BY priority, id"_s))
        return groups;
    while (members.next()) {
        GroupMember member;
        member.id = members.value(0).toLongLong();
        member.groupId = members.value(1).toLongLong();
        member.model = members.value(2).toString();
        member.priority = members.value(3).toInt();
        member.weight = members.value(4).toInt();
        member.capabilityTags = stringList(members.value(5));
        member.active = members.value(6).toInt() != 0;
        member.contextFallback = members.value(7).toInt() != 0;
        for (const QJsonValue &id : jsonArray(members.value(8)))
            member.preferredNodeIds.append(qint64(id.toDouble()));
        if (const auto it = index.constFind(member.groupId); it != index.cend())
            groups[*it].members.append(member);
    }
    return groups;
}

qint64 SqlStore::insertGroup(const ModelGroup &group)
{
    QSqlQuery query(m_database->connection());
    const qint64 now = nowMs();
    return insertReturningId(query,
                             u"INSERT INTO model_groups (name, description, strategy, is_active, list_in_catalog, "
                             "priority, max_failover_retries, created_at, updated_at) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                             groupValues(group) + QVariantList{now, now});
}

bool SqlStore::updateGroup(const ModelGroup &group)
{
    QSqlQuery query(m_database->connection());
    return runOne(query,
                  u"UPDATE model_groups SET name = ?, description = ?, strategy = ?, is_active = ?, "
                  "list_in_catalog = ?, priority = ?, max_failover_retries = ?, updated_at = ? WHERE id = ?"_s,
                  groupValues(group) + QVariantList{nowMs(), group.id});
}

bool SqlStore::deleteGroup(qint64 id)
{
    Transaction tx(m_database->connection());
    return tx.run(u"DELETE FROM model_group_members WHERE group_id = ?"_s, {id})
        && tx.run(u"DELETE FROM model_groups WHERE id = ?"_s, {id}) && tx.commit();
}

qint64 SqlStore::insertMember(const GroupMember &member)
{
    QSqlQuery query(m_database->connection());
    return insertReturningId(query,
                             u"INSERT INTO model_group_members (group_id, model_display_name, priority, weight, "
                             "capability_tags, is_active, context_fallback, preferred_node_ids, created_at) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                             {member.groupId, member.model, member.priority, member.weight,
                              jsonText(member.capabilityTags), flag(member.active), flag(member.contextFallback),
                              jsonText(idArray(member.preferredNodeIds)), nowMs()});
}

bool SqlStore::updateMember(const GroupMember &member)
{
    QSqlQuery query(m_database->connection());
    return runOne(query,
                  u"UPDATE model_group_members SET model_display_name = ?, priority = ?, weight = ?, "
                  "capability_tags = ?, is_active = ?, context_fallback = ?, preferred_node_ids = ? WHERE id = ?"_s,
                  {member.model, member.priority, member.weight, jsonText(member.capabilityTags),
                   flag(member.active), flag(member.contextFallback),
                   jsonText(idArray(member.preferredNodeIds)), member.id});
}

bool SqlStore::deleteMember(qint64 memberId)
{
    QSqlQuery query(m_database->connection());
    return runOne(query, u"DELETE FROM model_group_members WHERE id = ?"_s, {memberId});
}

} // namespace Maestro

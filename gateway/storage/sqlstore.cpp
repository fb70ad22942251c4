#include "sqlstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>

#include <limits>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcStore, "maestro.storage")

namespace Maestro {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QDateTime fromMs(const QVariant &value)
{
    if (value.isNull())
        return {};
    return QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}

QVariant toMs(const QDateTime &value)
{
    return value.isValid() ? QVariant(value.toMSecsSinceEpoch()) : QVariant(QMetaType::fromType<qint64>());
}

QVariant nullableInt(std::optional<qint64> value)
{
    return value ? QVariant(*value) : QVariant(QMetaType::fromType<qint64>());
}

QString jsonText(const QJsonArray &array)
{
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QJsonArray jsonArray(const QVariant &value)
{
    return QJsonDocument::fromJson(value.toString().toUtf8()).array();
}

// Statements that failed on this thread, so a consistent read (beginRead/endRead) learns that
// one of its list reads came back short. Per thread, as connections are.
thread_local quint64 t_failedStatements = 0;
thread_local quint64 t_failedBeforeRead = 0;

// Runs a statement with positional bindings; logs and returns false on failure (the statement
// text is logged, never the bound values, which may include token digests).
bool run(QSqlQuery &query, const QString &sql, const QVariantList &bindings = {})
{
    if (!query.prepare(sql)) {
        ++t_failedStatements;
        qCWarning(lcStore) << "prepare failed:" << query.lastError().text() << sql;
        return false;
    }
    for (const QVariant &value : bindings)
        query.addBindValue(value);
    if (!query.exec()) {
        ++t_failedStatements;
        qCWarning(lcStore) << "query failed:" << query.lastError().text() << sql;
        return false;
    }
    return true;
}

// Transaction control, unprepared: PostgreSQL cannot prepare BEGIN or COMMIT.
bool runDirect(QSqlQuery &query, const QString &sql)
{
    if (!query.exec(sql)) {
        ++t_failedStatements;
        qCWarning(lcStore) << "statement failed:" << query.lastError().text() << sql;
        return false;
    }
    return true;
}

// Declare it after the queries it covers: it must roll back before they are destroyed, since
// PostgreSQL refuses to free a prepared statement inside a failed transaction.
class Transaction
{
public:
    explicit Transaction(QSqlDatabase db) : m_db(std::move(db)) { m_active = m_db.transaction(); }
    ~Transaction()
    {
        if (m_active)
            m_db.rollback();
    }
    bool commit()
    {
        m_active = false;
        return m_db.commit();
    }

private:
    QSqlDatabase m_db;
    bool m_active = false;
};

} // namespace

SqlStore::SqlStore(Database *database)
    : m_database(database)
{
}

bool SqlStore::beginRead()
{
    t_failedBeforeRead = t_failedStatements;
    QSqlQuery query(m_database->connection());
    // PostgreSQL: one snapshot for every statement of the transaction. SQLite: a deferred
    // transaction reads one state of the file from its first SELECT on (WAL lets writers go on).
    const QString begin = m_database->isPostgres() ? u"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"_s
                                                   : u"BEGIN DEFERRED"_s;
    return runDirect(query, begin);
}

bool SqlStore::endRead()
{
    const bool readsOk = t_failedStatements == t_failedBeforeRead;
    QSqlQuery query(m_database->connection());
    // A failed statement aborts a PostgreSQL transaction: only a rollback ends it then.
    const bool ended = runDirect(query, readsOk ? u"COMMIT"_s : u"ROLLBACK"_s);
    return readsOk && ended;
}

QList<User> SqlStore::selectUsers(const QString &where, const QVariantList &bindings)
{
    QSqlDatabase db = m_database->connection();
    QSqlQuery query(db);
    QList<User> users;
    if (!run(query,
             u"SELECT u.id, u.username, u.is_active, u.has_all_models, u.created_at, u.updated_at, "
             "l.request_limit, l.token_limit, l.requests_per_minute, l.tokens_per_minute "
             "FROM users u LEFT JOIN user_limits l ON l.user_id = u.id "_s
                 + where + u" ORDER BY u.username"_s,
             bindings))
        return users;
    QHash<qint64, qsizetype> index;
    while (query.next()) {
        User user;
        user.id = query.value(0).toLongLong();
        user.username = query.value(1).toString();
        user.active = query.value(2).toInt() != 0;
        user.allModels = query.value(3).toInt() != 0;
        user.createdAt = fromMs(query.value(4));
        user.updatedAt = fromMs(query.value(5));
        if (!query.value(6).isNull())
            user.requestLimit = query.value(6).toLongLong();
        if (!query.value(7).isNull())
            user.tokenLimit = query.value(7).toLongLong();
        if (!query.value(8).isNull())
            user.requestsPerMinute = query.value(8).toLongLong();
        if (!query.value(9).isNull())
            user.tokensPerMinute = query.value(9).toLongLong();
        index.insert(user.id, users.size());
        users.append(user);
    }
    if (users.isEmpty())
        return users;
    QSqlQuery models(db);
    const QString filter = users.size() == 1 ? u" WHERE user_id = ?"_s : QString();
    const QVariantList modelBindings = users.size() == 1 ? QVariantList{users.first().id} : QVariantList{};
    if (run(models, u"SELECT user_id, model_name FROM user_models"_s + filter + u" ORDER BY model_name"_s,
            modelBindings)) {
        while (models.next()) {
            const auto it = index.constFind(models.value(0).toLongLong());
            if (it != index.cend())
                users[*it].models.append(models.value(1).toString());
        }
    }
    return users;
}

QList<User> SqlStore::users()
{
    return selectUsers(u"WHERE u.is_active = 1"_s, {});
}

std::optional<User> SqlStore::user(const QString &username)
{
    const QList<User> found = selectUsers(u"WHERE u.username = ?"_s, {username});
    if (found.isEmpty())
        return std::nullopt;
    return found.first();
}

QHash<QString, qint64> SqlStore::tokenHashes()
{
    QSqlQuery query(m_database->connection());
    QHash<QString, qint64> result;
    if (run(query, u"SELECT token_hash, id FROM users WHERE is_active = 1 AND token_hash IS NOT NULL"_s)) {
        while (query.next())
            result.insert(query.value(0).toString(), query.value(1).toLongLong());
    }
    return result;
}

qint64 SqlStore::createUser(const QString &username, const QByteArray &tokenHash)
{
    QSqlDatabase db = m_database->connection();
    QSqlQuery query(db);
    QSqlQuery cleanup(db);
    Transaction tx(db);
    const qint64 now = nowMs();
    // A deleted user keeps its row (its usage log points at it) and comes back with a new token.
    if (!run(query,
             u"INSERT INTO users (username, token_hash, is_active, has_all_models, created_at, updated_at) "
             "VALUES (?, ?, 1, 0, ?, ?) ON CONFLICT (username) DO UPDATE SET "
             "token_hash = excluded.token_hash, is_active = 1, has_all_models = 0, updated_at = excluded.updated_at "
             "RETURNING id"_s,
             {username, QString::fromLatin1(tokenHash), now, now})
        || !query.next())
        return 0;
    const qint64 id = query.value(0).toLongLong();
    query.finish();
    if (!run(cleanup, u"DELETE FROM user_models WHERE user_id = ?"_s, {id})
        || !run(cleanup, u"DELETE FROM user_limits WHERE user_id = ?"_s, {id}))
        return 0;
    return tx.commit() ? id : 0;
}

bool SqlStore::setTokenHash(qint64 userId, const QByteArray &tokenHash)
{
    QSqlQuery query(m_database->connection());
    return run(query, u"UPDATE users SET token_hash = ?, updated_at = ? WHERE id = ?"_s,
               {QString::fromLatin1(tokenHash), nowMs(), userId})
        && query.numRowsAffected() == 1;
}

bool SqlStore::deactivateUser(qint64 userId)
{
    QSqlDatabase db = m_database->connection();
    QSqlQuery query(db);
    Transaction tx(db);
    return run(query, u"UPDATE users SET is_active = 0, token_hash = NULL, updated_at = ? WHERE id = ?"_s,
               {nowMs(), userId})
        && run(query, u"DELETE FROM user_models WHERE user_id = ?"_s, {userId}) && tx.commit();
}

bool SqlStore::setUserModels(qint64 userId, const QStringList &models, bool allModels)
{
    QSqlDatabase db = m_database->connection();
    QSqlQuery query(db);
    Transaction tx(db);
    if (!run(query, u"UPDATE users SET has_all_models = ?, updated_at = ? WHERE id = ?"_s,
             {allModels ? 1 : 0, nowMs(), userId})
        || !run(query, u"DELETE FROM user_models WHERE user_id = ?"_s, {userId}))
        return false;
    for (const QString &model : models) {
        if (!run(query, u"INSERT INTO user_models (user_id, model_name) VALUES (?, ?)"_s, {userId, model}))
            return false;
    }
    return tx.commit();
}

bool SqlStore::setUserLimits(qint64 userId, const UserLimits &limits)
{
    QSqlQuery query(m_database->connection());
    if (!limits.any())
        return run(query, u"DELETE FROM user_limits WHERE user_id = ?"_s, {userId});
    return run(query,
               u"INSERT INTO user_limits (user_id, request_limit, token_limit, requests_per_minute, "
               "tokens_per_minute, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (user_id) DO UPDATE SET request_limit = excluded.request_limit, "
               "token_limit = excluded.token_limit, requests_per_minute = excluded.requests_per_minute, "
               "tokens_per_minute = excluded.tokens_per_minute, updated_at = excluded.updated_at"_s,
               {userId, nullableInt(limits.requestLimit), nullableInt(limits.tokenLimit),
                nullableInt(limits.requestsPerMinute), nullableInt(limits.tokensPerMinute), nowMs()});
}

QList<Node> SqlStore::selectNodes(const QString &where, const QVariantList &bindings)
{
    QSqlQuery query(m_database->connection());
    QList<Node> nodes;
    if (!run(query,
             u"SELECT id, name, base_url, node_type, has_api_key, priority, weight, is_active, "
             "health_status, last_error, last_health_check, created_at, warmup_enabled, "
             "connect_timeout_seconds, first_byte_timeout_seconds, idle_timeout_seconds FROM nodes "_s
                 + where + u" ORDER BY id"_s,
             bindings))
        return nodes;
    while (query.next()) {
        Node node;
        node.id = query.value(0).toLongLong();
        node.name = query.value(1).toString();
        node.baseUrl = QUrl(query.value(2).toString());
        node.type = nodeTypeFromName(query.value(3).toString()).value_or(NodeType::Ollama);
        node.hasApiKey = query.value(4).toInt() != 0;
        node.priority = query.value(5).toInt();
        node.weight = query.value(6).toInt();
        node.active = query.value(7).toInt() != 0;
        node.health = healthFromName(query.value(8).toString());
        node.lastError = query.value(9).toString();
        node.lastHealthCheck = fromMs(query.value(10));
        node.createdAt = fromMs(query.value(11));
        node.warmupEnabled = query.value(12).toInt() != 0;
        node.connectTimeoutSeconds = query.value(13).toInt();
        node.firstByteTimeoutSeconds = query.value(14).toInt();
        node.idleTimeoutSeconds = query.value(15).toInt();
        nodes.append(node);
    }
    return nodes;
}

QList<Node> SqlStore::nodes()
{
    return selectNodes(QString(), {});
}

std::optional<Node> SqlStore::node(qint64 id)
{
    const QList<Node> found = selectNodes(u"WHERE id = ?"_s, {id});
    if (found.isEmpty())
        return std::nullopt;
    return found.first();
}

qint64 SqlStore::insertNode(const Node &node)
{
    QSqlQuery query(m_database->connection());
    const qint64 now = nowMs();
    if (!run(query,
             u"INSERT INTO nodes (name, base_url, node_type, has_api_key, priority, weight, is_active, "
             "warmup_enabled, connect_timeout_seconds, first_byte_timeout_seconds, idle_timeout_seconds, "
             "health_status, created_at, updated_at) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
             {node.name, node.baseUrl.toString(), nodeTypeName(node.type), node.hasApiKey ? 1 : 0,
              node.priority, node.weight, node.active ? 1 : 0, node.warmupEnabled ? 1 : 0,
              node.connectTimeoutSeconds, node.firstByteTimeoutSeconds, node.idleTimeoutSeconds,
              healthName(node.health), now, now})
        || !query.next())
        return 0;
    return query.value(0).toLongLong();
}

bool SqlStore::updateNode(const Node &node)
{
    QSqlQuery query(m_database->connection());
    return run(query,
               u"UPDATE nodes SET name = ?, base_url = ?, node_type = ?, has_api_key = ?, priority = ?, "
               "weight = ?, is_active = ?, warmup_enabled = ?, connect_timeout_seconds = ?, "
               "first_byte_timeout_seconds = ?, idle_timeout_seconds = ?, updated_at = ? WHERE id = ?"_s,
               {node.name, node.baseUrl.toString(), nodeTypeName(node.type), node.hasApiKey ? 1 : 0,
                node.priority, node.weight, node.active ? 1 : 0, node.warmupEnabled ? 1 : 0,
                node.connectTimeoutSeconds, node.firstByteTimeoutSeconds, node.idleTimeoutSeconds, nowMs(),
                node.id})
        && query.numRowsAffected() == 1;
}

bool SqlStore::deleteNode(qint64 id)
{
    QSqlDatabase db = m_database->connection();
    QSqlQuery query(db);
    Transaction tx(db);
    return run(query, u"DELETE FROM node_models WHERE node_id = ?"_s, {id})
        && run(query, u"DELETE FROM nodes WHERE id = ?"_s, {id}) && tx.commit();
}

bool SqlStore::setNodeHealth(qint64 id, Health health, const QString &error, const QDateTime &at)
{
    QSqlQuery query(m_database->connection());
    return run(query, u"UPDATE nodes SET health_status = ?, last_error = ?, last_health_check = ? WHERE id = ?"_s,
               {healthName(health), error.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(error),
                toMs(at), id});
}

QList<NodeModel> SqlStore::nodeModels()
{
    QSqlQuery query(m_database->connection());
    QList<NodeModel> models;
    if (!run(query, u"SELECT node_id, name, size, digest, modified_at, details FROM node_models ORDER BY node_id, name"_s))
        return models;
    while (query.next()) {
        NodeModel model;
        model.nodeId = query.value(0).toLongLong();
        model.name = query.value(1).toString();
        model.size = query.value(2).toLongLong();
        model.digest = query.value(3).toString();
        model.modifiedAt = query.value(4).toString();
        model.details = QJsonDocument::fromJson(query.value(5).toString().toUtf8()).object();
        models.append(model);
    }
    return models;
}

bool SqlStore::replaceNodeModels(qint64 nodeId, const QList<NodeModel> &models)
{
    QSqlDatabase db = m_database->connection();
    QSqlQuery query(db);
    Transaction tx(db);
    if (!run(query, u"DELETE FROM node_models WHERE node_id = ?"_s, {nodeId}))
        return false;
    for (const NodeModel &model : models) {
        if (!run(query,
                 u"INSERT INTO node_models (node_id, name, size, digest, modified_at, details) "
                 "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (node_id, name) DO NOTHING"_s,
                 {nodeId, model.name, model.size, model.digest, model.modifiedAt,
                  QString::fromUtf8(QJsonDocument(model.details).toJson(QJsonDocument::Compact))}))
            return false;
    }
    return tx.commit();
}

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
        for (const QJsonValue &v : jsonArray(query.value(3)))
            mapping.capabilities.append(v.toString());
        for (const QJsonValue &v : jsonArray(query.value(4)))
            mapping.nodeIds.append(qint64(v.toDouble()));
        mapping.createdAt = fromMs(query.value(5));
        mappings.append(mapping);
    }
    return mappings;
}

namespace {

QVariantList mappingValues(const ModelMapping &mapping)
{
    QJsonArray nodes;
    for (qint64 id : mapping.nodeIds)
        nodes.append(double(id));
    return {mapping.displayName, mapping.realName, mapping.contextLength,
            jsonText(QJsonArray::fromStringList(mapping.capabilities)), jsonText(nodes)};
}

} // namespace

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
    return run(query,
               u"UPDATE model_mappings SET display_name = ?, real_name = ?, context_length = ?, "
               "capabilities = ?, node_ids = ?, updated_at = ? WHERE display_name = ?"_s,
               mappingValues(mapping) + QVariantList{nowMs(), displayName})
        && query.numRowsAffected() == 1;
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
                      "context_fallback FROM model_group_members ORDER BY priority, id"_s))
        return groups;
    while (members.next()) {
        GroupMember member;
        member.id = members.value(0).toLongLong();
        member.groupId = members.value(1).toLongLong();
        member.model = members.value(2).toString();
        member.priority = members.value(3).toInt();
        member.weight = members.value(4).toInt();
        for (const QJsonValue &tag : jsonArray(members.value(5)))
            member.capabilityTags.append(tag.toString());
        member.active = members.value(6).toInt() != 0;
        member.contextFallback = members.value(7).toInt() != 0;
        if (const auto it = index.constFind(member.groupId); it != index.cend())
            groups[*it].members.append(member);
    }
    return groups;
}

qint64 SqlStore::insertGroup(const ModelGroup &group)
{
    QSqlQuery query(m_database->connection());
    const qint64 now = nowMs();
    if (!run(query,
             u"INSERT INTO model_groups (name, description, strategy, is_active, list_in_catalog, priority, "
             "max_failover_retries, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
             {group.name, group.description, group.strategy, group.active ? 1 : 0, group.listInCatalog ? 1 : 0,
              group.priority, group.maxFailoverRetries, now, now})
        || !query.next())
        return 0;
    return query.value(0).toLongLong();
}

bool SqlStore::updateGroup(const ModelGroup &group)
{
    QSqlQuery query(m_database->connection());
    return run(query,
               u"UPDATE model_groups SET name = ?, description = ?, strategy = ?, is_active = ?, "
               "list_in_catalog = ?, priority = ?, max_failover_retries = ?, updated_at = ? WHERE id = ?"_s,
               {group.name, group.description, group.strategy, group.active ? 1 : 0, group.listInCatalog ? 1 : 0,
                group.priority, group.maxFailoverRetries, nowMs(), group.id})
        && query.numRowsAffected() == 1;
}

bool SqlStore::deleteGroup(qint64 id)
{
    QSqlDatabase db = m_database->connection();
    Transaction tx(db);
    QSqlQuery query(db);
    return run(query, u"DELETE FROM model_group_members WHERE group_id = ?"_s, {id})
        && run(query, u"DELETE FROM model_groups WHERE id = ?"_s, {id}) && tx.commit();
}

qint64 SqlStore::insertMember(const GroupMember &member)
{
    QSqlQuery query(m_database->connection());
    if (!run(query,
             u"INSERT INTO model_group_members (group_id, model_display_name, priority, weight, capability_tags, "
             "is_active, context_fallback, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
             {member.groupId, member.model, member.priority, member.weight,
              jsonText(QJsonArray::fromStringList(member.capabilityTags)), member.active ? 1 : 0,
              member.contextFallback ? 1 : 0, nowMs()})
        || !query.next())
        return 0;
    return query.value(0).toLongLong();
}

bool SqlStore::updateMember(const GroupMember &member)
{
    QSqlQuery query(m_database->connection());
    return run(query,
               u"UPDATE model_group_members SET model_display_name = ?, priority = ?, weight = ?, "
               "capability_tags = ?, is_active = ?, context_fallback = ? WHERE id = ?"_s,
               {member.model, member.priority, member.weight,
                jsonText(QJsonArray::fromStringList(member.capabilityTags)), member.active ? 1 : 0,
                member.contextFallback ? 1 : 0, member.id})
        && query.numRowsAffected() == 1;
}

bool SqlStore::deleteMember(qint64 memberId)
{
    QSqlQuery query(m_database->connection());
    return run(query, u"DELETE FROM model_group_members WHERE id = ?"_s, {memberId})
        && query.numRowsAffected() == 1;
}

namespace {

QStringList stringList(const QVariant &value)
{
    QStringList list;
    for (const QJsonValue &item : jsonArray(value))
        list.append(item.toString());
    return list;
}

} // namespace

QList<ToolSet> SqlStore::toolSets()
{
    QSqlQuery query(m_database->connection());
    QList<ToolSet> sets;
    if (!run(query, u"SELECT id, name, description, tools FROM tool_sets ORDER BY name"_s))
        return sets;
    while (query.next())
        sets.append({query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toString(),
                     stringList(query.value(3))});
    return sets;
}

bool SqlStore::saveToolSet(const ToolSet &set)
{
    QSqlQuery query(m_database->connection());
    return run(query,
               u"INSERT INTO tool_sets (name, description, tools, updated_at) VALUES (?, ?, ?, ?) "
               "ON CONFLICT (name) DO UPDATE SET description = excluded.description, tools = excluded.tools, "
               "updated_at = excluded.updated_at"_s,
               {set.name, set.description, jsonText(QJsonArray::fromStringList(set.tools)), nowMs()});
}

bool SqlStore::deleteToolSet(const QString &name)
{
    QSqlQuery query(m_database->connection());
    return run(query, u"DELETE FROM tool_sets WHERE name = ?"_s, {name}) && query.numRowsAffected() == 1;
}

QList<ModelConfig> SqlStore::modelConfigs()
{
    QSqlQuery query(m_database->connection());
    QList<ModelConfig> configs;
    if (!run(query, u"SELECT id, pattern, tools_restricted, allowed_tools, tool_sets, stripped_params, "
                    "default_context, max_context, maintenance, maintenance_message, updated_at, "
                    "requests_per_minute, tokens_per_minute FROM model_configs ORDER BY pattern"_s))
        return configs;
    while (query.next()) {
        ModelConfig config;
        config.id = query.value(0).toLongLong();
        config.pattern = query.value(1).toString();
        config.toolsRestricted = query.value(2).toInt() != 0;
        config.allowedTools = stringList(query.value(3));
        config.toolSets = stringList(query.value(4));
        config.strippedParams = stringList(query.value(5));
        config.defaultContextLength = query.value(6).toLongLong();
        config.maxContextLength = query.value(7).toLongLong();
        config.maintenance = query.value(8).toInt() != 0;
        config.maintenanceMessage = query.value(9).toString();
        config.updatedAt = fromMs(query.value(10));
        if (!query.value(11).isNull())
            config.requestsPerMinute = query.value(11).toLongLong();
        if (!query.value(12).isNull())
            config.tokensPerMinute = query.value(12).toLongLong();
        configs.append(config);
    }
    return configs;
}

bool SqlStore::saveModelConfig(const ModelConfig &c)
{
    QSqlQuery query(m_database->connection());
    return run(query,
               u"INSERT INTO model_configs (pattern, tools_restricted, allowed_tools, tool_sets, stripped_params, "
               "default_context, max_context, maintenance, maintenance_message, requests_per_minute, "
               "tokens_per_minute, updated_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (pattern) DO UPDATE SET "
               "tools_restricted = excluded.tools_restricted, allowed_tools = excluded.allowed_tools, "
               "tool_sets = excluded.tool_sets, stripped_params = excluded.stripped_params, "
               "default_context = excluded.default_context, max_context = excluded.max_context, "
               "maintenance = excluded.maintenance, maintenance_message = excluded.maintenance_message, "
               "requests_per_minute = excluded.requests_per_minute, "
               "tokens_per_minute = excluded.tokens_per_minute, updated_at = excluded.updated_at"_s,
               {c.pattern, c.toolsRestricted ? 1 : 0, jsonText(QJsonArray::fromStringList(c.allowedTools)),
                jsonText(QJsonArray::fromStringList(c.toolSets)), jsonText(QJsonArray::fromStringList(c.strippedParams)),
                c.defaultContextLength, c.maxContextLength, c.maintenance ? 1 : 0, c.maintenanceMessage,
                nullableInt(c.requestsPerMinute), nullableInt(c.tokensPerMinute), nowMs()});
}

bool SqlStore::deleteModelConfig(const QString &pattern)
{
    QSqlQuery query(m_database->connection());
    return run(query, u"DELETE FROM model_configs WHERE pattern = ?"_s, {pattern}) && query.numRowsAffected() == 1;
}

namespace {

// Qt binds a null QString as SQL NULL; a NOT NULL text column gets an empty string instead.
QVariant notNullText(const QString &text)
{
    return text.isNull() ? QVariant(u""_s) : QVariant(text);
}

} // namespace

QList<SystemPrompt> SqlStore::systemPrompts()
{
    QSqlQuery query(m_database->connection());
    QList<SystemPrompt> prompts;
    if (!run(query, u"SELECT id, scope_type, scope_value, prompt, priority, is_active, description, "
                    "created_at, updated_at FROM system_prompts ORDER BY priority DESC, id"_s))
        return prompts;
    while (query.next()) {
        // Only the admin service writes this table, and it writes known scopes only.
        const auto scope = promptScopeFromName(query.value(1).toString());
        if (!scope)
            continue;
        SystemPrompt prompt;
        prompt.id = query.value(0).toLongLong();
        prompt.scope = *scope;
        prompt.scopeValue = query.value(2).toString();
        prompt.prompt = query.value(3).toString();
        prompt.priority = query.value(4).toInt();
        prompt.active = query.value(5).toInt() != 0;
        prompt.description = query.value(6).toString();
        prompt.createdAt = fromMs(query.value(7));
        prompt.updatedAt = fromMs(query.value(8));
        prompts.append(prompt);
    }
    return prompts;
}

qint64 SqlStore::insertSystemPrompt(const SystemPrompt &p)
{
    QSqlQuery query(m_database->connection());
    const qint64 now = nowMs();
    if (!run(query,
             u"INSERT INTO system_prompts (scope_type, scope_value, prompt, priority, is_active, description, "
             "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
             {promptScopeName(p.scope), notNullText(p.scopeValue), p.prompt, p.priority, p.active ? 1 : 0, p.description,
              now, now})
        || !query.next())
        return 0;
    return query.value(0).toLongLong();
}

bool SqlStore::updateSystemPrompt(const SystemPrompt &p)
{
    QSqlQuery query(m_database->connection());
    return run(query,
               u"UPDATE system_prompts SET scope_type = ?, scope_value = ?, prompt = ?, priority = ?, is_active = ?, "
               "description = ?, updated_at = ? WHERE id = ?"_s,
               {promptScopeName(p.scope), notNullText(p.scopeValue), p.prompt, p.priority, p.active ? 1 : 0,
                p.description, nowMs(), p.id})
        && query.numRowsAffected() == 1;
}

bool SqlStore::deleteSystemPrompt(qint64 id)
{
    QSqlQuery query(m_database->connection());
    return run(query, u"DELETE FROM system_prompts WHERE id = ?"_s, {id}) && query.numRowsAffected() == 1;
}

bool SqlStore::setSystemPromptPriorities(const QHash<qint64, int> &priorities)
{
    QSqlDatabase db = m_database->connection();
    QSqlQuery query(db);
    Transaction tx(db);
    const qint64 now = nowMs();
    for (auto it = priorities.cbegin(); it != priorities.cend(); ++it) {
        if (!run(query, u"UPDATE system_prompts SET priority = ?, updated_at = ? WHERE id = ?"_s,
                 {it.value(), now, it.key()})
            || query.numRowsAffected() != 1)
            return false;
    }
    return tx.commit();
}

bool SqlStore::insertRequestLogs(const QList<RequestLogEntry> &entries)
{
    if (entries.isEmpty())
        return true;
    QSqlDatabase db = m_database->connection();
    QSqlQuery query(db);
    Transaction tx(db);
    if (!query.prepare(u"INSERT INTO request_logs (user_id, username, endpoint, model, real_model, node_id, "
                       "status_code, duration_ms, ttfb_ms, prompt_tokens, completion_tokens, total_tokens, "
                       "streamed, error_message, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s)) {
        qCWarning(lcStore) << "prepare failed:" << query.lastError().text();
        return false;
    }
    const QVariant nullInt(QMetaType::fromType<qint64>());
    for (const RequestLogEntry &e : entries) {
        query.addBindValue(e.userId ? QVariant(e.userId) : nullInt);
        query.addBindValue(e.username);
        query.addBindValue(e.endpoint);
        query.addBindValue(e.model);
        query.addBindValue(e.realModel);
        query.addBindValue(e.nodeId ? QVariant(e.nodeId) : nullInt);
        query.addBindValue(e.statusCode);
        query.addBindValue(e.durationMs);
        query.addBindValue(e.ttfbMs >= 0 ? QVariant(e.ttfbMs) : nullInt);
        query.addBindValue(e.promptTokens);
        query.addBindValue(e.completionTokens);
        query.addBindValue(e.totalTokens());
        query.addBindValue(e.streamed ? 1 : 0);
        query.addBindValue(e.errorMessage.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(e.errorMessage));
        query.addBindValue(e.createdAt.toMSecsSinceEpoch());
        if (!query.exec()) {
            qCWarning(lcStore) << "request log insert failed:" << query.lastError().text();
            return false;
        }
    }
    return tx.commit();
}

QList<RequestLogEntry> SqlStore::requestLogs(const LogQuery &filter, qint64 *total)
{
    QString where = u" WHERE 1 = 1"_s;
    QVariantList bindings;
    if (!filter.username.isEmpty()) {
        where += u" AND username = ?"_s;
        bindings.append(filter.username);
    }
    if (!filter.model.isEmpty()) {
        where += u" AND (model = ? OR real_model = ?)"_s;
        bindings << filter.model << filter.model;
    }
    QSqlQuery query(m_database->connection());
    if (total) {
        *total = 0;
        if (run(query, u"SELECT COUNT(*) FROM request_logs"_s + where, bindings) && query.next())
            *total = query.value(0).toLongLong();
    }
    QList<RequestLogEntry> logs;
    if (!run(query,
             u"SELECT user_id, username, endpoint, model, real_model, node_id, status_code, duration_ms, "
             "ttfb_ms, prompt_tokens, completion_tokens, streamed, error_message, created_at FROM request_logs"_s
                 + where + u" ORDER BY id DESC LIMIT ? OFFSET ?"_s,
             bindings + QVariantList{filter.limit, filter.offset}))
        return logs;
    while (query.next()) {
        RequestLogEntry e;
        e.userId = query.value(0).toLongLong();
        e.username = query.value(1).toString();
        e.endpoint = query.value(2).toString();
        e.model = query.value(3).toString();
        e.realModel = query.value(4).toString();
        e.nodeId = query.value(5).toLongLong();
        e.statusCode = query.value(6).toInt();
        e.durationMs = query.value(7).toLongLong();
        e.ttfbMs = query.value(8).isNull() ? -1 : query.value(8).toLongLong();
        e.promptTokens = query.value(9).toLongLong();
        e.completionTokens = query.value(10).toLongLong();
        e.streamed = query.value(11).toInt() != 0;
        e.errorMessage = query.value(12).toString();
        e.createdAt = fromMs(query.value(13));
        logs.append(e);
    }
    return logs;
}

QHash<qint64, Store::DayUsage> SqlStore::usageOn(QDate utcDay)
{
    const qint64 start = QDateTime(utcDay, QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
    const qint64 end = QDateTime(utcDay.addDays(1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
    QSqlQuery query(m_database->connection());
    QHash<qint64, DayUsage> usage;
    if (run(query,
            u"SELECT user_id, COUNT(*), CAST(SUM(total_tokens) AS BIGINT) FROM request_logs "
            "WHERE user_id IS NOT NULL AND created_at >= ? AND created_at < ? AND node_id IS NOT NULL "
            "GROUP BY user_id"_s,
            {start, end})) {
        while (query.next())
            usage.insert(query.value(0).toLongLong(), {query.value(1).toLongLong(), query.value(2).toLongLong()});
    }
    return usage;
}

QHash<qint64, NodeTraffic> SqlStore::nodeTraffic(QDate utcDay)
{
    const qint64 start = QDateTime(utcDay, QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
    const qint64 end = QDateTime(utcDay.addDays(1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
    QSqlQuery query(m_database->connection());
    QHash<qint64, NodeTraffic> traffic;
    // A range of the (node_id, created_at) index per node: the cost grows with the day's
    // requests, not with the whole log.
    if (run(query,
            u"SELECT node_id, COUNT(*), SUM(CASE WHEN status_code >= 400 THEN 1 ELSE 0 END), "
            "CAST(AVG(duration_ms) AS BIGINT) FROM request_logs "
            "WHERE node_id IS NOT NULL AND created_at >= ? AND created_at < ? GROUP BY node_id"_s,
            {start, end})) {
        while (query.next()) {
            NodeTraffic &t = traffic[query.value(0).toLongLong()];
            t.requests = query.value(1).toLongLong();
            t.errors = query.value(2).toLongLong();
            t.avgLatencyMs = query.value(3).toLongLong();
        }
    }
    // One index lookup per node.
    if (run(query,
            u"SELECT n.id, (SELECT MAX(r.created_at) FROM request_logs r WHERE r.node_id = n.id) FROM nodes n"_s)) {
        while (query.next()) {
            if (!query.value(1).isNull())
                traffic[query.value(0).toLongLong()].lastRequestAt = fromMs(query.value(1));
        }
    }
    return traffic;
}

QList<Store::ModelUsage> SqlStore::usageByModel(qint64 userId, const QDateTime &from, const QDateTime &to)
{
    QString sql = u"SELECT model, COUNT(*), CAST(SUM(prompt_tokens) AS BIGINT), CAST(SUM(completion_tokens) AS BIGINT) "
                  "FROM request_logs WHERE created_at >= ? AND created_at < ?"_s;
    QVariantList bindings{from.toMSecsSinceEpoch(), to.toMSecsSinceEpoch()};
    if (userId > 0) {
        sql += u" AND user_id = ?"_s;
        bindings.append(userId);
    }
    sql += u" GROUP BY model ORDER BY COUNT(*) DESC, model"_s;
    QSqlQuery query(m_database->connection());
    QList<ModelUsage> usage;
    if (!run(query, sql, bindings))
        return usage;
    while (query.next())
        usage.append({query.value(0).toString(), query.value(1).toLongLong(), query.value(2).toLongLong(),
                      query.value(3).toLongLong()});
    return usage;
}

QList<Store::UserUsage> SqlStore::usageByUser(const QDateTime &from, const QDateTime &to)
{
    QSqlQuery query(m_database->connection());
    QList<UserUsage> usage;
    if (!run(query,
             u"SELECT username, COUNT(*), CAST(SUM(prompt_tokens) AS BIGINT), CAST(SUM(completion_tokens) AS BIGINT) "
             "FROM request_logs WHERE created_at >= ? AND created_at < ? "
             "GROUP BY username ORDER BY COUNT(*) DESC, username"_s,
             {from.toMSecsSinceEpoch(), to.toMSecsSinceEpoch()}))
        return usage;
    while (query.next())
        usage.append({query.value(0).toString(), query.value(1).toLongLong(), query.value(2).toLongLong(),
                      query.value(3).toLongLong()});
    return usage;
}

bool SqlStore::insertAudit(const AuditEntry &entry)
{
    QSqlQuery query(m_database->connection());
    return run(query,
               u"INSERT INTO audit_logs (action, entity_type, entity_id, details, created_at) VALUES (?, ?, ?, ?, ?)"_s,
               {entry.action, entry.entityType, entry.entityId,
                QString::fromUtf8(QJsonDocument(entry.details).toJson(QJsonDocument::Compact)),
                entry.createdAt.isValid() ? entry.createdAt.toMSecsSinceEpoch() : nowMs()});
}

QList<AuditEntry> SqlStore::auditLogs(const LogQuery &filter, qint64 *total)
{
    QString where = u" WHERE 1 = 1"_s;
    QVariantList bindings;
    if (!filter.action.isEmpty()) {
        where += u" AND action = ?"_s;
        bindings.append(filter.action);
    }
    if (!filter.entityType.isEmpty()) {
        where += u" AND entity_type = ?"_s;
        bindings.append(filter.entityType);
    }
    QSqlQuery query(m_database->connection());
    if (total) {
        *total = 0;
        if (run(query, u"SELECT COUNT(*) FROM audit_logs"_s + where, bindings) && query.next())
            *total = query.value(0).toLongLong();
    }
    QList<AuditEntry> logs;
    if (!run(query,
             u"SELECT id, action, entity_type, entity_id, details, created_at FROM audit_logs"_s + where
                 + u" ORDER BY id DESC LIMIT ? OFFSET ?"_s,
             bindings + QVariantList{filter.limit, filter.offset}))
        return logs;
    while (query.next()) {
        AuditEntry e;
        e.id = query.value(0).toLongLong();
        e.action = query.value(1).toString();
        e.entityType = query.value(2).toString();
        e.entityId = query.value(3).toString();
        e.details = QJsonDocument::fromJson(query.value(4).toString().toUtf8()).object();
        e.createdAt = fromMs(query.value(5));
        logs.append(e);
    }
    return logs;
}

QHash<QString, QString> SqlStore::settings()
{
    QSqlQuery query(m_database->connection());
    QHash<QString, QString> values;
    if (run(query, u"SELECT key, value FROM settings"_s)) {
        while (query.next())
            values.insert(query.value(0).toString(), query.value(1).toString());
    }
    return values;
}

bool SqlStore::writeSettings(const QHash<QString, std::optional<QString>> &changes)
{
    QSqlDatabase db = m_database->connection();
    QSqlQuery query(db);
    Transaction tx(db);
    const qint64 now = nowMs();
    for (auto it = changes.cbegin(); it != changes.cend(); ++it) {
        const bool ok = it.value()
            ? run(query,
                  u"INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
                  "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"_s,
                  {it.key(), *it.value(), now})
            : run(query, u"DELETE FROM settings WHERE key = ?"_s, {it.key()});
        if (!ok)
            return false;
    }
    return tx.commit();
}

namespace {

QString dayKey(QDate day)
{
    return day.toString(Qt::ISODate);
}

} // namespace

Store::Admission SqlStore::countRequest(qint64 userId, QDate utcDay, std::optional<qint64> requestLimit,
                                        std::optional<qint64> tokenLimit)
{
    // A first row is inserted without the WHERE below, so a zero limit is decided here.
    if (requestLimit && *requestLimit <= 0)
        return Admission::RequestLimitReached;
    if (tokenLimit && *tokenLimit <= 0)
        return Admission::TokenLimitReached;
    const qint64 noLimit = std::numeric_limits<qint64>::max();
    QSqlQuery query(m_database->connection());
    // One statement, so concurrent requests of all processes serialise on the row: the update
    // re-checks the limits against the row as the previous writer left it.
    if (!run(query,
             u"INSERT INTO usage_counters (user_id, day, requests, tokens) VALUES (?, ?, 1, 0) "
             "ON CONFLICT (user_id, day) DO UPDATE SET requests = usage_counters.requests + 1 "
             "WHERE usage_counters.requests < ? AND usage_counters.tokens < ? RETURNING requests"_s,
             {userId, dayKey(utcDay), requestLimit.value_or(noLimit), tokenLimit.value_or(noLimit)})) {
        return Admission::Failed;
    }
    if (query.next())
        return Admission::Admitted;
    const auto usage = countedUsage(userId, utcDay);
    if (!usage)
        return Admission::Failed;
    return requestLimit && usage->requests >= *requestLimit ? Admission::RequestLimitReached
                                                            : Admission::TokenLimitReached;
}

bool SqlStore::addCountedTokens(qint64 userId, QDate utcDay, qint64 tokens)
{
    QSqlQuery query(m_database->connection());
    return run(query,
               u"INSERT INTO usage_counters (user_id, day, requests, tokens) VALUES (?, ?, 0, ?) "
               "ON CONFLICT (user_id, day) DO UPDATE SET tokens = usage_counters.tokens + excluded.tokens"_s,
               {userId, dayKey(utcDay), tokens});
}

std::optional<Store::DayUsage> SqlStore::countedUsage(qint64 userId, QDate utcDay)
{
    QSqlQuery query(m_database->connection());
    if (!run(query, u"SELECT requests - leased, tokens FROM usage_counters WHERE user_id = ? AND day = ?"_s,
             {userId, dayKey(utcDay)})
        || !query.next()) {
        return std::nullopt;
    }
    return DayUsage{query.value(0).toLongLong(), query.value(1).toLongLong()};
}

bool SqlStore::seedCounters(QDate utcDay, const QHash<qint64, DayUsage> &usage)
{
    QSqlQuery query(m_database->connection());
    bool ok = run(query, u"DELETE FROM usage_counters WHERE day < ?"_s, {dayKey(utcDay)});
    for (auto it = usage.cbegin(); it != usage.cend(); ++it) {
        ok = run(query,
                 u"INSERT INTO usage_counters (user_id, day, requests, tokens) VALUES (?, ?, ?, ?) "
                 "ON CONFLICT (user_id, day) DO NOTHING"_s,
                 {it.key(), dayKey(utcDay), it->requests, it->tokens})
            && ok;
    }
    return ok;
}

qint64 SqlStore::configVersion()
{
    QSqlQuery query(m_database->connection());
    if (!run(query, u"SELECT version FROM config_version WHERE id = 1"_s) || !query.next())
        return -1;
    return query.value(0).toLongLong();
}

bool SqlStore::bumpConfigVersion()
{
    QSqlQuery query(m_database->connection());
    return run(query, u"UPDATE config_version SET version = version + 1 WHERE id = 1"_s);
}

} // namespace Maestro

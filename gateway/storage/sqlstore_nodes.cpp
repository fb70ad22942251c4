// Nodes, their health and the models they serve. API keys and secret header values are not here:
// they live in the secret store, and a node only records whether it has a key and the names of
// its secret headers.

#include "sqlstore.h"
#include "sqlsupport.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace SqlSupport;

namespace {

// Plain headers as a JSON array of [name, value] pairs: an object would lose their order.
QString headersText(const QList<std::pair<QString, QString>> &headers)
{
    QJsonArray pairs;
    for (const auto &[name, value] : headers)
        pairs.append(QJsonArray{name, value});
    return QString::fromUtf8(QJsonDocument(pairs).toJson(QJsonDocument::Compact));
}

QList<std::pair<QString, QString>> headersFromText(const QString &text)
{
    QList<std::pair<QString, QString>> headers;
    for (const QJsonValue &pair : QJsonDocument::fromJson(text.toUtf8()).array())
        headers.append({pair.toArray().at(0).toString(), pair.toArray().at(1).toString()});
    return headers;
}

// The columns a node is written with, in the order of the INSERT and UPDATE below.
QVariantList nodeValues(const Node &node)
{
    // A Bedrock node without an address has an empty URL, whose null string would bind as NULL.
    return {node.name, node.baseUrl.isEmpty() ? u""_s : node.baseUrl.toString(), nodeTypeName(node.type), flag(node.hasApiKey),
            node.priority, node.weight, flag(node.active), flag(node.warmupEnabled),
            node.connectTimeoutSeconds, node.firstByteTimeoutSeconds, node.idleTimeoutSeconds,
            node.region.isNull() ? u""_s : node.region, // a null QString would bind as NULL
            QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(node.modelIds)).toJson(QJsonDocument::Compact)),
            headersText(node.headers),
            QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(node.secretHeaderNames)).toJson(QJsonDocument::Compact)),
            node.healthCheckUrl.isNull() ? u""_s : node.healthCheckUrl, flag(node.autoSyncEnabled)};
}

} // namespace

QList<Node> SqlStore::selectNodes(const QString &where, const QVariantList &bindings)
{
    QSqlQuery query(m_database->connection());
    QList<Node> nodes;
    if (!run(query,
             u"SELECT id, name, base_url, node_type, has_api_key, priority, weight, is_active, "
             "health_status, last_error, last_health_check, created_at, warmup_enabled, "
             "connect_timeout_seconds, first_byte_timeout_seconds, idle_timeout_seconds, region, model_ids, "
             "headers, secret_header_names, health_check_url, auto_sync_enabled FROM nodes "_s
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
        node.region = query.value(16).toString();
        for (const QJsonValue &id : QJsonDocument::fromJson(query.value(17).toString().toUtf8()).array())
            node.modelIds.append(id.toString());
        node.headers = headersFromText(query.value(18).toString());
        for (const QJsonValue &name : QJsonDocument::fromJson(query.value(19).toString().toUtf8()).array())
            node.secretHeaderNames.append(name.toString());
        node.healthCheckUrl = query.value(20).toString();
        node.autoSyncEnabled = query.value(21).toInt() != 0;
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
    return insertReturningId(query,
                             u"INSERT INTO nodes (name, base_url, node_type, has_api_key, priority, weight, is_active, "
                             "warmup_enabled, connect_timeout_seconds, first_byte_timeout_seconds, idle_timeout_seconds, "
                             "region, model_ids, headers, secret_header_names, health_check_url, auto_sync_enabled, "
                             "health_status, created_at, updated_at) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                             nodeValues(node) + QVariantList{healthName(node.health), now, now});
}

bool SqlStore::updateNode(const Node &node)
{
    QSqlQuery query(m_database->connection());
    return runOne(query,
                  u"UPDATE nodes SET name = ?, base_url = ?, node_type = ?, has_api_key = ?, priority = ?, "
                  "weight = ?, is_active = ?, warmup_enabled = ?, connect_timeout_seconds = ?, "
                  "first_byte_timeout_seconds = ?, idle_timeout_seconds = ?, region = ?, model_ids = ?, "
                  "headers = ?, secret_header_names = ?, health_check_url = ?, auto_sync_enabled = ?, "
                  "updated_at = ? WHERE id = ?"_s,
                  nodeValues(node) + QVariantList{nowMs(), node.id});
}

bool SqlStore::deleteNode(qint64 id)
{
    Transaction tx(m_database->connection());
    return tx.run(u"DELETE FROM node_models WHERE node_id = ?"_s, {id})
        && tx.run(u"DELETE FROM nodes WHERE id = ?"_s, {id}) && tx.commit();
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
    QList<QVariantList> rows;
    for (const NodeModel &model : models) {
        rows.append({nodeId, model.name, model.size, model.digest, model.modifiedAt,
                     QString::fromUtf8(QJsonDocument(model.details).toJson(QJsonDocument::Compact))});
    }
    Transaction tx(m_database->connection());
    return tx.run(u"DELETE FROM node_models WHERE node_id = ?"_s, {nodeId})
        && tx.runEach(u"INSERT INTO node_models (node_id, name, size, digest, modified_at, details) "
                      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (node_id, name) DO NOTHING"_s,
                      rows)
        && tx.commit();
}

} // namespace Maestro

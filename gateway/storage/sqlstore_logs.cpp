// The request log, the audit log, usage read from the request log, and the system settings.

#include "sqlstore.h"
#include "sqlsupport.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace SqlSupport;

bool SqlStore::insertRequestLogs(const QList<RequestLogEntry> &entries)
{
    if (entries.isEmpty())
        return true;
    const QVariant nullInt(QMetaType::fromType<qint64>());
    const QVariant nullText(QMetaType::fromType<QString>());
    const auto text = [&nullText](const QString &value) { return value.isEmpty() ? nullText : QVariant(value); };
    QList<QVariantList> rows;
    rows.reserve(entries.size());
    for (const RequestLogEntry &e : entries) {
        rows.append({e.userId ? QVariant(e.userId) : nullInt, e.username, e.endpoint, e.model, e.realModel,
                     e.nodeId ? QVariant(e.nodeId) : nullInt, e.statusCode, e.durationMs,
                     e.ttfbMs >= 0 ? QVariant(e.ttfbMs) : nullInt, e.promptTokens, e.completionTokens,
                     e.totalTokens(), flag(e.streamed), text(e.errorMessage), e.createdAt.toMSecsSinceEpoch(),
                     text(e.dialect), text(e.reason), e.suppressed});
    }
    // One transaction and one prepared statement for the whole batch.
    Transaction tx(m_database->connection());
    return tx.runEach(u"INSERT INTO request_logs (user_id, username, endpoint, model, real_model, node_id, "
                      "status_code, duration_ms, ttfb_ms, prompt_tokens, completion_tokens, total_tokens, "
                      "streamed, error_message, created_at, dialect, reason, suppressed) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
                      rows)
        && tx.commit();
}

namespace {

// The pattern of a LIKE that matches `text` literally anywhere, case aside (a backslash escapes).
QString containsPattern(const QString &text)
{
    QString escaped = text.toLower();
    escaped.replace(u'\\', u"\\\\"_s).replace(u'%', u"\\%"_s).replace(u'_', u"\\_"_s);
    return u'%' + escaped + u'%';
}

} // namespace

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
    if (!filter.modelContains.isEmpty()) {
        // LOWER on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's only for non-ASCII.
        // No index serves a substring; the other filters narrow the rows it looks at.
        where += u" AND (LOWER(model) LIKE ? ESCAPE '\\' OR LOWER(real_model) LIKE ? ESCAPE '\\')"_s;
        const QString pattern = containsPattern(filter.modelContains);
        bindings << pattern << pattern;
    }
    if (!filter.statuses.isEmpty()) {
        QStringList any;
        for (const LogQuery::StatusRange &range : filter.statuses) {
            if (range.from == range.to) {
                any.append(u"status_code = ?"_s);
                bindings.append(range.from);
            } else {
                any.append(u"status_code BETWEEN ? AND ?"_s);
                bindings << range.from << range.to;
            }
        }
        where += u" AND ("_s + any.join(u" OR "_s) + u')';
    }
    if (filter.from.isValid()) {
        where += u" AND created_at >= ?"_s;
        bindings.append(filter.from.toMSecsSinceEpoch());
    }
    if (filter.to.isValid()) {
        where += u" AND created_at < ?"_s;
        bindings.append(filter.to.toMSecsSinceEpoch());
    }
    if (!filter.endpoint.isEmpty()) {
        where += u" AND endpoint = ?"_s;
        bindings.append(filter.endpoint);
    }
    if (!filter.dialect.isEmpty()) {
        where += u" AND dialect = ?"_s;
        bindings.append(filter.dialect);
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
             "ttfb_ms, prompt_tokens, completion_tokens, streamed, error_message, created_at, dialect, reason, "
             "suppressed FROM request_logs"_s
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
        e.dialect = query.value(14).toString();
        e.reason = query.value(15).toString();
        e.suppressed = query.value(16).toLongLong();
        logs.append(e);
    }
    return logs;
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
                  "FROM request_logs WHERE created_at >= ? AND created_at < ? AND reason IS NULL"_s;
    // Refusals (reason set) are in the log but are not usage.
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
             "FROM request_logs WHERE created_at >= ? AND created_at < ? AND reason IS NULL "
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
    Transaction tx(m_database->connection());
    const qint64 now = nowMs();
    for (auto it = changes.cbegin(); it != changes.cend(); ++it) {
        const bool ok = it.value()
            ? tx.run(u"INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"_s,
                     {it.key(), *it.value(), now})
            : tx.run(u"DELETE FROM settings WHERE key = ?"_s, {it.key()});
        if (!ok)
            return false;
    }
    return tx.commit();
}

} // namespace Maestro

#include "migration.h"
#include "database.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

// Every state table, parents before children so foreign keys hold at each insert.
const QStringList &stateTables()
{
    static const QStringList tables = {
        u"users"_s, u"revoked_tokens"_s, u"user_models"_s, u"user_limits"_s, u"nodes"_s, u"node_models"_s,
        u"model_mappings"_s, u"model_groups"_s, u"model_group_members"_s, u"request_logs"_s,
        u"audit_logs"_s, u"settings"_s,
    };
    return tables;
}

// Tables whose id comes from a sequence (BIGSERIAL on PostgreSQL).
const QStringList &tablesWithIds()
{
    static const QStringList tables = {
        u"users"_s, u"nodes"_s, u"model_groups"_s, u"model_group_members"_s,
        u"request_logs"_s, u"audit_logs"_s,
    };
    return tables;
}

QString columnList(const QSqlRecord &record)
{
    QStringList names;
    for (int i = 0; i < record.count(); ++i)
        names.append(record.fieldName(i));
    return names.join(u", "_s);
}

} // namespace

DatabaseCopy DatabaseCopy::run(Database &source, Database &target)
{
    DatabaseCopy result;
    QString error;
    if (!source.open(&error)) {
        result.message = u"cannot open %1: %2"_s.arg(source.config().displayUrl(), error);
        return result;
    }
    if (!target.open(&error)) {
        result.message = u"cannot open %1: %2"_s.arg(target.config().displayUrl(), error);
        return result;
    }
    QSqlDatabase from = source.connection();
    QSqlDatabase to = target.connection();

    for (const QString &table : stateTables()) {
        QSqlQuery query(to);
        if (!query.exec(u"SELECT COUNT(*) FROM "_s + table) || !query.next()) {
            result.message = u"cannot read %1 in %2: %3"_s.arg(table, target.config().displayUrl(),
                                                                 query.lastError().text());
            return result;
        }
        if (query.value(0).toLongLong() != 0) {
            result.status = Status::TargetNotEmpty;
            result.message = u"the target %1 is not empty (table %2 has %3 rows); migrate into a new, empty database"_s
                                 .arg(target.config().displayUrl(), table)
                                 .arg(query.value(0).toLongLong());
            return result;
        }
    }

    if (!to.transaction()) {
        result.message = to.lastError().text();
        return result;
    }
    const auto abort = [&](const QString &message) {
        to.rollback();
        result.status = Status::Failed;
        result.rows = 0;
        result.message = message;
        return result;
    };
    for (const QString &table : stateTables()) {
        // The target's columns decide what is copied; both sides have the same schema version.
        const QSqlRecord columns = to.record(table);
        if (columns.isEmpty())
            return abort(u"the target has no table %1"_s.arg(table));
        const QString names = columnList(columns);
        QSqlQuery read(from);
        read.setForwardOnly(true);
        if (!read.exec(u"SELECT %1 FROM %2"_s.arg(names, table)))
            return abort(u"cannot read %1: %2"_s.arg(table, read.lastError().text()));
        QSqlQuery write(to);
        QStringList marks;
        for (int i = 0; i < columns.count(); ++i)
            marks.append(u"?"_s);
        if (!write.prepare(u"INSERT INTO %1 (%2) VALUES (%3)"_s.arg(table, names, marks.join(u", "_s))))
            return abort(u"cannot write %1: %2"_s.arg(table, write.lastError().text()));
        while (read.next()) {
            for (int i = 0; i < columns.count(); ++i)
                write.bindValue(i, read.value(i));
            if (!write.exec())
                return abort(u"cannot copy a row of %1: %2"_s.arg(table, write.lastError().text()));
            ++result.rows;
        }
    }
    if (target.isPostgres()) {
        // Ids were copied explicitly, so the sequences must continue after the largest one.
        for (const QString &table : tablesWithIds()) {
            QSqlQuery query(to);
            if (!query.exec(u"SELECT setval(pg_get_serial_sequence('%1', 'id'), "
                            "COALESCE((SELECT MAX(id) FROM %1), 0) + 1, false)"_s.arg(table)))
                return abort(u"cannot reset the id sequence of %1: %2"_s.arg(table, query.lastError().text()));
        }
    }
    if (!to.commit())
        return abort(to.lastError().text());
    result.status = Status::Copied;
    return result;
}

} // namespace Maestro

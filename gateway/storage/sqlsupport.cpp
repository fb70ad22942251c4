#include "sqlsupport.h"

#include <QJsonDocument>
#include <QSqlError>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcStore, "maestro.storage")

namespace Maestro::SqlSupport {

namespace {

// Statements that failed on this thread, so a consistent read or a write scope learns that one
// of its statements failed. Per thread, as connections are.
thread_local quint64 t_failedStatements = 0;

// The write scope open on this thread, if any (depth > 0), and on which connection.
struct WriteScope
{
    QString connection;
    const QSqlDriver *driver = nullptr; // how a query tells that it runs on the scope's connection
    int depth = 0;
    quint64 failedBefore = 0;
    bool broken = false;     // a joined transaction or an inner scope gave up
    bool rolledBack = false; // a statement failed, and the transaction was rolled back then
};
thread_local WriteScope t_writeScope;

WriteScope *scopeOf(const QSqlDatabase &db)
{
    return t_writeScope.depth > 0 && t_writeScope.connection == db.connectionName() ? &t_writeScope : nullptr;
}

WriteScope *scopeOf(const QSqlQuery &query)
{
    return t_writeScope.depth > 0 && query.driver() == t_writeScope.driver ? &t_writeScope : nullptr;
}

// A statement inside a write scope failed: the scope's transaction is rolled back at once.
// PostgreSQL refuses every statement of a failed transaction, even freeing the prepared ones
// its queries hold, so waiting for the scope to end would leak them; and writing on after a
// failure is never wanted. The scope then refuses statements until it ends.
void statementFailed(const QSqlQuery &query, const char *what, const QString &sql)
{
    ++t_failedStatements;
    qCWarning(lcStore) << what << query.lastError().text() << sql;
    WriteScope *scope = scopeOf(query);
    if (!scope || scope->rolledBack)
        return;
    scope->broken = true;
    scope->rolledBack = true;
    QSqlQuery rollback(QSqlDatabase::database(scope->connection, false));
    if (!rollback.exec(u"ROLLBACK"_s))
        qCWarning(lcStore) << "rollback failed:" << rollback.lastError().text();
}

// True (and counted as a failure) when the query's write scope has failed already.
bool refusedByScope(const QSqlQuery &query, const QString &sql)
{
    const WriteScope *scope = scopeOf(query);
    if (!scope || !scope->rolledBack)
        return false;
    ++t_failedStatements;
    qCWarning(lcStore) << "statement refused, its write transaction failed:" << sql;
    return true;
}

} // namespace

bool run(QSqlQuery &query, const QString &sql, const QVariantList &bindings)
{
    if (refusedByScope(query, sql))
        return false;
    if (!query.prepare(sql)) {
        statementFailed(query, "prepare failed:", sql);
        return false;
    }
    for (const QVariant &value : bindings)
        query.addBindValue(value);
    if (!query.exec()) {
        statementFailed(query, "query failed:", sql);
        return false;
    }
    return true;
}

bool runOne(QSqlQuery &query, const QString &sql, const QVariantList &bindings)
{
    return run(query, sql, bindings) && query.numRowsAffected() == 1;
}

qint64 insertReturningId(QSqlQuery &query, const QString &sql, const QVariantList &bindings)
{
    if (!run(query, sql, bindings) || !query.next())
        return 0;
    const qint64 id = query.value(0).toLongLong();
    // Done with it: SQLite cannot commit while a statement is still stepping.
    query.finish();
    return id;
}

bool runEach(QSqlQuery &query, const QString &sql, const QList<QVariantList> &rows)
{
    if (refusedByScope(query, sql))
        return false;
    if (!query.prepare(sql)) {
        statementFailed(query, "prepare failed:", sql);
        return false;
    }
    for (const QVariantList &row : rows) {
        for (qsizetype i = 0; i < row.size(); ++i)
            query.bindValue(int(i), row.at(i));
        if (!query.exec()) {
            statementFailed(query, "query failed:", sql);
            return false;
        }
    }
    return true;
}

bool runDirect(QSqlQuery &query, const QString &sql)
{
    if (refusedByScope(query, sql))
        return false;
    if (!query.exec(sql)) {
        statementFailed(query, "statement failed:", sql);
        return false;
    }
    return true;
}

quint64 failedStatements()
{
    return t_failedStatements;
}

bool beginWriteScope(QSqlDatabase db, bool immediate)
{
    if (WriteScope *scope = scopeOf(db)) {
        ++scope->depth;
        return true;
    }
    if (t_writeScope.depth > 0) {
        qCWarning(lcStore) << "a write scope is already open on another connection of this thread";
        return false;
    }
    QSqlQuery query(db);
    if (!runDirect(query, immediate ? u"BEGIN IMMEDIATE"_s : u"BEGIN"_s))
        return false;
    t_writeScope = {db.connectionName(), db.driver(), 1, t_failedStatements, false, false};
    return true;
}

bool endWriteScope(QSqlDatabase db, bool commit)
{
    WriteScope *scope = scopeOf(db);
    if (!scope)
        return false;
    scope->broken = scope->broken || !commit;
    if (--scope->depth > 0)
        return !scope->broken;
    // A failed statement aborts a PostgreSQL transaction, and its COMMIT then quietly rolls
    // back: so the failures are counted here rather than learnt from COMMIT.
    const bool ok = !scope->broken && t_failedStatements == scope->failedBefore;
    const bool rolledBack = scope->rolledBack;
    t_writeScope = {};
    if (rolledBack)
        return false;
    QSqlQuery query(db);
    const bool ended = runDirect(query, ok ? u"COMMIT"_s : u"ROLLBACK"_s);
    return ok && ended;
}

Transaction::Transaction(const QSqlDatabase &db)
    : m_db(db)
    , m_query(db)
{
    if (scopeOf(m_db)) {
        m_active = true;
        return;
    }
    m_own = true;
    m_active = m_db.transaction();
    if (!m_active) {
        ++t_failedStatements;
        qCWarning(lcStore) << "could not begin a transaction:" << m_db.lastError().text();
        m_failed = true;
    }
}

Transaction::~Transaction()
{
    if (!m_active)
        return;
    if (!m_own) {
        if (WriteScope *scope = scopeOf(m_db))
            scope->broken = true;
        return;
    }
    m_query.finish();
    m_db.rollback();
}

bool Transaction::track(bool ok)
{
    m_failed = m_failed || !ok;
    return ok;
}

bool Transaction::run(const QString &sql, const QVariantList &bindings)
{
    return !m_failed && track(SqlSupport::run(m_query, sql, bindings));
}

bool Transaction::runOne(const QString &sql, const QVariantList &bindings)
{
    return !m_failed && track(SqlSupport::runOne(m_query, sql, bindings));
}

qint64 Transaction::insertReturningId(const QString &sql, const QVariantList &bindings)
{
    if (m_failed)
        return 0;
    const qint64 id = SqlSupport::insertReturningId(m_query, sql, bindings);
    track(id != 0);
    return id;
}

bool Transaction::runEach(const QString &sql, const QList<QVariantList> &rows)
{
    return !m_failed && track(SqlSupport::runEach(m_query, sql, rows));
}

bool Transaction::commit()
{
    // A failed transaction stays active, for the destructor to roll back.
    if (!m_active || m_failed)
        return false;
    m_active = false;
    if (!m_own)
        return true;
    m_query.finish();
    if (m_db.commit())
        return true;
    ++t_failedStatements;
    qCWarning(lcStore) << "commit failed:" << m_db.lastError().text();
    m_db.rollback();
    return false;
}

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

std::optional<qint64> optionalInt(const QVariant &value)
{
    return value.isNull() ? std::nullopt : std::optional<qint64>(value.toLongLong());
}

QVariant notNullText(const QString &text)
{
    return text.isNull() ? QVariant(u""_s) : QVariant(text);
}

QString jsonText(const QJsonArray &array)
{
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QString jsonText(const QStringList &list)
{
    return jsonText(QJsonArray::fromStringList(list));
}

QJsonArray jsonArray(const QVariant &value)
{
    return QJsonDocument::fromJson(value.toString().toUtf8()).array();
}

QStringList stringList(const QVariant &value)
{
    QStringList list;
    for (const QJsonValue &item : jsonArray(value))
        list.append(item.toString());
    return list;
}

} // namespace Maestro::SqlSupport

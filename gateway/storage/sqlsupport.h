#pragma once

// What the sources of SqlStore (one per area, sqlstore_*.cpp) share: running statements, the
// transaction that owns its statements, and conversions between entities and column values.
// Not part of the store's interface.

#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcStore)

namespace Maestro::SqlSupport {

// --- Statements ----------------------------------------------------------------------------

// Runs a statement with positional bindings; logs and returns false on failure (the statement
// text is logged, never the bound values, which may include token digests).
bool run(QSqlQuery &query, const QString &sql, const QVariantList &bindings = {});
// run() of an UPDATE or DELETE that must change exactly one row: false when it changed none
// (nothing has that id) or more.
bool runOne(QSqlQuery &query, const QString &sql, const QVariantList &bindings = {});
// run() of an INSERT ... RETURNING id: the new id, 0 on failure.
qint64 insertReturningId(QSqlQuery &query, const QString &sql, const QVariantList &bindings = {});
// One statement prepared once and run for each row of bindings; false at the first failure.
bool runEach(QSqlQuery &query, const QString &sql, const QList<QVariantList> &rows);
// Transaction control, unprepared: PostgreSQL cannot prepare BEGIN or COMMIT.
bool runDirect(QSqlQuery &query, const QString &sql);

// How many statements failed on this thread so far: a reader of several lists (beginRead) or a
// writer of several changes (beginWrite) compares it before and after.
quint64 failedStatements();

// --- Transactions --------------------------------------------------------------------------

// A write scope (Store::beginWrite/endWrite) on the thread's connection `db`: until it ends,
// every Transaction on that connection joins it instead of beginning its own. Scopes nest; the
// outermost one commits, or rolls back when a joined transaction gave up. A statement that fails
// within rolls the scope's transaction back at once (PostgreSQL would refuse all that follows,
// even freeing prepared statements), and the scope refuses statements from then until it ends.
bool beginWriteScope(QSqlDatabase db, bool immediate);
bool endWriteScope(QSqlDatabase db, bool commit);

// One transaction on the thread's connection, owning the query its statements run through, so
// that the rollback in its destructor comes before the query is freed (PostgreSQL refuses to
// free a prepared statement inside a failed transaction). It commits only when commit() is
// called; going out of scope without that rolls everything back. Inside a write scope it joins
// the scope's transaction: commit() then reports its statements' success and a failure makes
// the whole scope roll back.
class Transaction
{
public:
    explicit Transaction(const QSqlDatabase &db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    // The statements of the transaction, as the functions of the same names above; each
    // statement replaces the result of the one before, and after a failure none runs.
    bool run(const QString &sql, const QVariantList &bindings = {});
    bool runOne(const QString &sql, const QVariantList &bindings = {});
    qint64 insertReturningId(const QString &sql, const QVariantList &bindings = {});
    bool runEach(const QString &sql, const QList<QVariantList> &rows);

    bool commit();

private:
    bool track(bool ok);

    QSqlDatabase m_db;
    QSqlQuery m_query; // destroyed after the destructor's rollback
    bool m_own = false;    // began a transaction of its own, not joined to a write scope
    bool m_active = false; // neither committed nor rolled back yet
    bool m_failed = false;
};

// --- Column values -------------------------------------------------------------------------

// Times are integer milliseconds since the epoch (UTC) on every backend.
qint64 nowMs();
QDateTime fromMs(const QVariant &value);
QVariant toMs(const QDateTime &value);
// A nullable integer column.
QVariant nullableInt(std::optional<qint64> value);
std::optional<qint64> optionalInt(const QVariant &value);
// Qt binds a null QString as SQL NULL; a NOT NULL text column gets an empty string instead.
QVariant notNullText(const QString &text);
// Lists are stored as compact JSON arrays in text columns.
QString jsonText(const QJsonArray &array);
QString jsonText(const QStringList &list);
QJsonArray jsonArray(const QVariant &value);
QStringList stringList(const QVariant &value);
// SQLite and PostgreSQL flags are 0/1 integers.
inline int flag(bool value)
{
    return value ? 1 : 0;
}

} // namespace Maestro::SqlSupport

#include "sqlstore.h"
#include "sqlsupport.h"

#include <QSqlQuery>

#include <limits>

using namespace Qt::StringLiterals;

// The store by area: users (sqlstore_users.cpp), nodes (_nodes), mappings and groups (_models),
// tool sets, model configurations and system prompts (_policies), logs and settings (_logs).
// This file holds consistent reads and writes, and what instances on one database share: the
// daily usage counters of limited users and the configuration version.

namespace Maestro {

using namespace SqlSupport;

SqlStore::SqlStore(Database *database)
    : m_database(database)
{
}

namespace {

thread_local quint64 t_failedBeforeRead = 0;

} // namespace

bool SqlStore::beginRead()
{
    t_failedBeforeRead = failedStatements();
    QSqlQuery query(m_database->connection());
    // PostgreSQL: one snapshot for every statement of the transaction. SQLite: a deferred
    // transaction reads one state of the file from its first SELECT on (WAL lets writers go on).
    const QString begin = m_database->isPostgres() ? u"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"_s
                                                   : u"BEGIN DEFERRED"_s;
    return runDirect(query, begin);
}

bool SqlStore::endRead()
{
    const bool readsOk = failedStatements() == t_failedBeforeRead;
    QSqlQuery query(m_database->connection());
    // A failed statement aborts a PostgreSQL transaction: only a rollback ends it then.
    const bool ended = runDirect(query, readsOk ? u"COMMIT"_s : u"ROLLBACK"_s);
    return readsOk && ended;
}

bool SqlStore::beginWrite()
{
    // SQLite: IMMEDIATE takes the write lock at once (waiting as long as the busy timeout says),
    // so a transaction that reads first cannot fail later when it turns to writing.
    return beginWriteScope(m_database->connection(), !m_database->isPostgres());
}

bool SqlStore::endWrite(bool commit)
{
    return endWriteScope(m_database->connection(), commit);
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

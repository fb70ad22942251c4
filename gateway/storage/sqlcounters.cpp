// The limit counters several gateway processes share on one PostgreSQL database (see the design
// in core/limiter.h): one transaction per batch of decisions, taken on the thread that owns the
// connection, never on an I/O thread.
//
// A batch costs two round trips whatever the number of requests it decides: the statements up to
// the reads go in one query string, the writes and COMMIT in another (PostgreSQL runs the
// statements of a string one after the other, each READ COMMITTED statement with a snapshot of
// its own, and QPSQL returns a result set for each). Every value in them is an integer or an ISO
// date this code formats itself, so they go as plain text: QPSQL binds values with PREPARE,
// EXECUTE and DEALLOCATE, three round trips for every statement.

#include "sqlstore.h"

#include <QLoggingCategory>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcStore)

namespace Maestro {

namespace {

// Advisory lock keys of the windows, (namespace, folded id): "ML" and the window's kind, apart
// from the single-key lock the schema migration takes.
constexpr qint32 LockNamespace = 0x4d4c0000;

// Runs `statements` in one round trip and hands each result set to `read` (with its index).
// False when one of them failed (the ones after it did not run).
bool script(QSqlQuery &query, const QStringList &statements, const std::function<void(int, QSqlQuery &)> &read = {})
{
    if (!query.exec(statements.join(u"; "_s))) {
        qCWarning(lcStore).noquote() << "shared counters:" << query.lastError().text().trimmed();
        return false;
    }
    int index = 0;
    do {
        if (read)
            read(index, query);
        ++index;
    } while (query.nextResult());
    if (query.lastError().isValid() || index != statements.size()) {
        qCWarning(lcStore).noquote() << "shared counters:" << query.lastError().text().trimmed();
        return false;
    }
    return true;
}

QString number(qint64 value)
{
    return QString::number(value);
}

const QString DatabaseNowMs = u"(extract(epoch FROM clock_timestamp()) * 1000)::bigint"_s;

} // namespace

bool SqlStore::updateCounters(QDate utcDay, const QList<qint64> &users, const QList<WindowKey> &windows, int timeoutMs,
                              const std::function<CounterChanges(const CounterState &)> &decide)
{
    if (!m_database->isPostgres())
        return false;
    QSqlDatabase db = m_database->connection();
    if (!db.isOpen())
        return false;
    QSqlQuery query(db);
    bool begun = false;
    auto rollback = qScopeGuard([&] {
        if (begun)
            QSqlQuery(db).exec(u"ROLLBACK"_s);
    });
    const QString day = utcDay.toString(Qt::ISODate);

    // 1. The bounds of the transaction; the windows' locks, then the users' rows (always in that
    //    order and each sorted, so two instances never wait for each other in a circle), created
    //    when missing and read as their last writer left them, with the database's clock once
    //    every lock is held; then the windows, in a statement of their own, which sees what was
    //    committed before their locks were taken.
    QStringList statements{u"BEGIN"_s, u"SET LOCAL lock_timeout = %1"_s.arg(timeoutMs),
                           u"SET LOCAL statement_timeout = %1"_s.arg(timeoutMs)};
    QStringList windowKeys;
    if (!windows.isEmpty()) {
        QStringList locks;
        for (const WindowKey &window : windows) {
            const auto folded = qint32(quint32(quint64(window.id) ^ (quint64(window.id) >> 32)));
            locks.append(u"(%1, %2)"_s.arg(LockNamespace | window.kind).arg(folded));
            windowKeys.append(u"(%1, %2)"_s.arg(window.kind).arg(window.id));
        }
        statements.append(u"SELECT pg_advisory_xact_lock(k1, k2) FROM (VALUES %1) AS v(k1, k2) ORDER BY k1, k2"_s.arg(
            locks.join(u", "_s)));
    }
    const int rowsAt = int(statements.size());
    if (users.isEmpty()) {
        statements.append(u"SELECT 0, 0, 0, 0, 0, %1"_s.arg(DatabaseNowMs));
    } else {
        QStringList ids;
        for (qint64 id : users)
            ids.append(u"(%1::bigint)"_s.arg(id));
        statements.append(u"INSERT INTO usage_counters (user_id, day) SELECT id, '%1' FROM (VALUES %2) AS v(id) ORDER BY id "
                          "ON CONFLICT (user_id, day) DO UPDATE SET requests = usage_counters.requests "
                          "RETURNING user_id, requests, tokens, leased, lease_until, %3"_s.arg(day, ids.join(u", "_s), DatabaseNowMs));
    }
    const int windowsAt = int(statements.size());
    if (!windows.isEmpty()) {
        statements.append(u"SELECT kind, subject, requests, tokens, requests_at, tokens_at FROM limit_windows "
                          "WHERE (kind, subject) IN (%1) AND second >= extract(epoch FROM clock_timestamp())::bigint - 61"_s
                              .arg(windowKeys.join(u", "_s)));
    }
    CounterState state;
    qint64 rows = 0;
    begun = true;
    const bool read = script(query, statements, [&](int index, QSqlQuery &result) {
        if (index == rowsAt) {
            while (result.next()) {
                if (!users.isEmpty()) {
                    state.users.insert(result.value(0).toLongLong(),
                                       {result.value(1).toLongLong(), result.value(2).toLongLong(),
                                        result.value(3).toLongLong(), result.value(4).toLongLong()});
                }
                state.nowMs = std::max(state.nowMs, result.value(5).toLongLong());
                ++rows;
            }
        } else if (index == windowsAt) {
            while (result.next()) {
                const WindowKey key{result.value(0).toInt(), result.value(1).toLongLong()};
                state.windows[key].append({result.value(2).toLongLong(), result.value(3).toLongLong(),
                                           result.value(4).toLongLong(), result.value(5).toLongLong()});
            }
        }
    });
    if (!read || rows != std::max<qsizetype>(1, users.size()) || state.nowMs <= 0)
        return false;

    // 2. The changes, then COMMIT.
    const CounterChanges changes = decide(state);
    QStringList counters;
    for (auto it = changes.users.cbegin(); it != changes.users.cend(); ++it) {
        const CounterRow &delta = it.value();
        if (!state.users.contains(it.key())) {
            qCWarning(lcStore) << "shared counters: a change for a row that was not locked";
            return false;
        }
        if (delta.requests || delta.tokens || delta.leased || delta.leaseUntilMs) {
            counters.append(u"(%1::bigint, %2::bigint, %3::bigint, %4::bigint, %5::bigint)"_s.arg(
                number(it.key()), number(delta.requests), number(delta.tokens), number(delta.leased),
                number(delta.leaseUntilMs)));
        }
    }
    const qint64 second = state.nowMs / 1000;
    QStringList buckets;
    for (auto it = changes.windows.cbegin(); it != changes.windows.cend(); ++it) {
        const WindowBucket &add = it.value();
        if (add.requests <= 0 && add.tokens <= 0)
            continue;
        buckets.append(u"(%1, %2::bigint, %3::bigint, %4::bigint, %5::bigint, %6::bigint, %7::bigint)"_s
                           .arg(it.key().kind)
                           .arg(number(it.key().id), number(second), number(add.requests), number(add.tokens),
                                number(add.requests > 0 ? state.nowMs : 0), number(add.tokens > 0 ? state.nowMs : 0)));
    }
    QStringList writes;
    if (!counters.isEmpty()) {
        writes.append(u"UPDATE usage_counters AS c SET requests = c.requests + v.r, tokens = c.tokens + v.t, "
                      "leased = c.leased + v.l, lease_until = GREATEST(c.lease_until, v.u) "
                      "FROM (VALUES %1) AS v(id, r, t, l, u) WHERE c.user_id = v.id AND c.day = '%2'"_s
                          .arg(counters.join(u", "_s), day));
    }
    if (!buckets.isEmpty()) {
        writes.append(u"INSERT INTO limit_windows (kind, subject, second, requests, tokens, requests_at, tokens_at) VALUES %1 "
                      "ON CONFLICT (kind, subject, second) DO UPDATE SET requests = limit_windows.requests + excluded.requests, "
                      "tokens = limit_windows.tokens + excluded.tokens, "
                      "requests_at = GREATEST(limit_windows.requests_at, excluded.requests_at), "
                      "tokens_at = GREATEST(limit_windows.tokens_at, excluded.tokens_at)"_s.arg(buckets.join(u", "_s)));
        // Buckets no window reaches any more, once a minute.
        if (state.nowMs - m_windowsPrunedMs.load() > 60'000) {
            m_windowsPrunedMs = state.nowMs;
            writes.append(u"DELETE FROM limit_windows WHERE second < %1"_s.arg(second - 120));
        }
    }
    writes.append(u"COMMIT"_s);
    if (!script(query, writes))
        return false;
    begun = false;
    return true;
}

std::optional<Store::DayUsage> SqlStore::windowUsage(const WindowKey &window)
{
    if (!m_database->isPostgres())
        return std::nullopt;
    QSqlQuery query(m_database->connection());
    const QString sql =
        u"SELECT COALESCE(SUM(CASE WHEN w.requests_at > n.now - 60000 THEN w.requests ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN w.tokens_at > n.now - 60000 THEN w.tokens ELSE 0 END), 0) "
        "FROM (SELECT %1 AS now) AS n LEFT JOIN limit_windows AS w "
        "ON w.kind = %2 AND w.subject = %3 AND w.second >= n.now / 1000 - 61"_s.arg(DatabaseNowMs)
            .arg(window.kind)
            .arg(window.id);
    std::optional<DayUsage> usage;
    script(query, {sql}, [&](int, QSqlQuery &result) {
        if (result.next())
            usage = DayUsage{result.value(0).toLongLong(), result.value(1).toLongLong()};
    });
    return usage;
}

} // namespace Maestro

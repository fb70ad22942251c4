// The limit counters several gateway processes share on one PostgreSQL database (see the design
// in core/limiter.h): one transaction per batch of decisions, taken on the thread that owns the
// connection, never on an I/O thread.
//
// Every value in these statements is an integer or an ISO date this code formats itself, so
// they are sent as plain text: QPSQL prepares a bound statement with PREPARE, EXECUTE and
// DEALLOCATE, three round trips where this takes one. A batch costs five round trips (BEGIN;
// lock and read the rows; read the windows; write; COMMIT), four without per-minute windows,
// whatever the number of requests it decides.

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

bool exec(QSqlQuery &query, const QString &sql)
{
    if (query.exec(sql))
        return true;
    qCWarning(lcStore).noquote() << "shared counters:" << query.lastError().text().trimmed();
    return false;
}

QString number(qint64 value)
{
    return QString::number(value);
}

QString dayKey(QDate day)
{
    return day.toString(Qt::ISODate);
}

QString lockKeys(const QList<Store::WindowKey> &windows)
{
    QStringList keys;
    for (const Store::WindowKey &window : windows) {
        const auto folded = qint32(quint32(quint64(window.id) ^ (quint64(window.id) >> 32)));
        keys.append(u"(%1, %2)"_s.arg(LockNamespace | window.kind).arg(folded));
    }
    return keys.join(u", "_s);
}

QString windowKeys(const QList<Store::WindowKey> &windows)
{
    QStringList keys;
    for (const Store::WindowKey &window : windows)
        keys.append(u"(%1, %2)"_s.arg(window.kind).arg(window.id));
    return keys.join(u", "_s);
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
    if (!exec(query, u"BEGIN"_s))
        return false;
    auto rollback = qScopeGuard([&] {
        query.finish();
        QSqlQuery(db).exec(u"ROLLBACK"_s);
    });
    const QString day = dayKey(utcDay);

    // 1. The bounds of the transaction, the windows' locks and then the users' rows (always in
    //    that order and each sorted, so two instances never wait for each other in a circle),
    //    created when missing and read as their last writer left them. The database's clock is
    //    read once every lock is held.
    QString with = u"WITH bounds AS MATERIALIZED (SELECT set_config('lock_timeout', '%1', true) AS locks, "
                   "set_config('statement_timeout', '%1', true) AS statements)"_s.arg(timeoutMs);
    QString gate = u"bounds"_s;
    if (!windows.isEmpty()) {
        with += u", locks AS MATERIALIZED (SELECT count(pg_advisory_xact_lock(k1, k2)) AS taken FROM "
                "(SELECT k1, k2 FROM (VALUES %1) AS v(k1, k2), bounds ORDER BY k1, k2) AS ordered)"_s.arg(lockKeys(windows));
        gate = u"locks"_s;
    }
    CounterState state;
    if (users.isEmpty()) {
        if (!exec(query, u"%1 SELECT %2 FROM %3"_s.arg(with, DatabaseNowMs, gate)) || !query.next())
            return false;
        state.nowMs = query.value(0).toLongLong();
    } else {
        QStringList ids;
        for (qint64 id : users)
            ids.append(u"(%1::bigint)"_s.arg(id));
        const QString sql =
            u"%1 INSERT INTO usage_counters (user_id, day) SELECT v.id, '%2' FROM (VALUES %3) AS v(id), %4 ORDER BY v.id "
            "ON CONFLICT (user_id, day) DO UPDATE SET requests = usage_counters.requests "
            "RETURNING user_id, requests, tokens, leased, lease_until, %5"_s.arg(with, day, ids.join(u", "_s), gate, DatabaseNowMs);
        if (!exec(query, sql))
            return false;
        while (query.next()) {
            state.users.insert(query.value(0).toLongLong(),
                               {query.value(1).toLongLong(), query.value(2).toLongLong(),
                                query.value(3).toLongLong(), query.value(4).toLongLong()});
            state.nowMs = std::max(state.nowMs, query.value(5).toLongLong());
        }
        if (state.users.size() != users.size())
            return false;
    }

    // 2. The windows, in a statement of their own: it reads what was committed before their
    //    locks were taken.
    if (!windows.isEmpty()) {
        const QString sql = u"SELECT kind, subject, requests, tokens, requests_at, tokens_at FROM limit_windows "
                            "WHERE (kind, subject) IN (%1) AND second >= %2"_s.arg(windowKeys(windows))
                                .arg(state.nowMs / 1000 - 61);
        if (!exec(query, sql))
            return false;
        while (query.next()) {
            const WindowKey key{query.value(0).toInt(), query.value(1).toLongLong()};
            state.windows[key].append({query.value(2).toLongLong(), query.value(3).toLongLong(),
                                       query.value(4).toLongLong(), query.value(5).toLongLong()});
        }
    }

    // 3. The changes, in one statement.
    const CounterChanges changes = decide(state);
    QStringList counters;
    for (auto it = changes.users.cbegin(); it != changes.users.cend(); ++it) {
        const CounterRow &delta = it.value();
        if (!users.contains(it.key())) {
            qCWarning(lcStore) << "shared counters: a change for a row that was not locked";
            return false;
        }
        if (delta.requests || delta.tokens || delta.leased || delta.leaseUntilMs) {
            counters.append(u"(%1::bigint, %2::bigint, %3::bigint, %4::bigint, %5::bigint)"_s.arg(number(it.key()),
                                                                                               number(delta.requests),
                                                                                               number(delta.tokens),
                                                                                               number(delta.leased),
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
    QStringList ctes;
    if (!counters.isEmpty()) {
        ctes.append(u"counters AS (UPDATE usage_counters AS c SET requests = c.requests + v.r, tokens = c.tokens + v.t, "
                    "leased = c.leased + v.l, lease_until = GREATEST(c.lease_until, v.u) "
                    "FROM (VALUES %1) AS v(id, r, t, l, u) WHERE c.user_id = v.id AND c.day = '%2' RETURNING 1)"_s
                        .arg(counters.join(u", "_s), day));
    }
    // Buckets no window can reach any more, once a minute.
    if (!buckets.isEmpty() && state.nowMs - m_windowsPrunedMs.load() > 60'000) {
        m_windowsPrunedMs = state.nowMs;
        ctes.append(u"expired AS (DELETE FROM limit_windows WHERE second < %1 RETURNING 1)"_s.arg(second - 120));
    }
    QString write;
    if (!buckets.isEmpty()) {
        write = u"INSERT INTO limit_windows (kind, subject, second, requests, tokens, requests_at, tokens_at) VALUES %1 "
                "ON CONFLICT (kind, subject, second) DO UPDATE SET requests = limit_windows.requests + excluded.requests, "
                "tokens = limit_windows.tokens + excluded.tokens, "
                "requests_at = GREATEST(limit_windows.requests_at, excluded.requests_at), "
                "tokens_at = GREATEST(limit_windows.tokens_at, excluded.tokens_at)"_s.arg(buckets.join(u", "_s));
    } else if (!ctes.isEmpty()) {
        write = u"SELECT count(*) FROM counters"_s;
    }
    if (!write.isEmpty() && !exec(query, ctes.isEmpty() ? write : u"WITH "_s + ctes.join(u", "_s) + u' ' + write))
        return false;

    if (!exec(query, u"COMMIT"_s))
        return false;
    rollback.dismiss();
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
    if (!exec(query, sql) || !query.next())
        return std::nullopt;
    return DayUsage{query.value(0).toLongLong(), query.value(1).toLongLong()};
}

} // namespace Maestro

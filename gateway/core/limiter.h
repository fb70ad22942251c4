#pragma once

#include "apierror.h"
#include "clock.h"
#include "entities.h"
#include "store.h"

#include <QDate>
#include <QHash>
#include <QMutex>
#include <QSet>

#include <atomic>
#include <optional>

namespace Maestro {

// Per-user daily request and token counters (UTC day), kept in memory and restored from the
// usage log on start. A request is admitted, and counted, before it goes upstream, so parallel
// requests cannot overshoot the request limit; tokens are added when the upstream reports them.
// Thread-safe.
//
// When several gateway processes share one database, in-memory counters would let each of them
// admit the full limit. Then the counters of users that have a limit live in the store, which
// admits atomically across processes; users without a limit cost no round trip and stay in
// memory, as everything does with a store only one process uses (SQLite).
class Limiter
{
public:
    explicit Limiter(const Clock *clock);

    void restore(QDate day, const QHash<qint64, Store::DayUsage> &usage);
    // Counts limited users in `store` from now on (called from here on any thread, so it must be
    // thread-safe as every Store is).
    void shareCounters(Store *store);

    // Counts the request and returns nothing, or the 429 error to send.
    std::optional<ApiError> admit(const User &user);
    void addTokens(qint64 userId, qint64 tokens);
    Store::DayUsage today(qint64 userId);
    QDate currentDay() const;

private:
    void rollOver();
    ApiError refusal(const User &user, bool requests) const;

    const Clock *m_clock;
    std::atomic<Store *> m_store{nullptr};
    QMutex m_mutex;
    QDate m_day;
    QHash<qint64, Store::DayUsage> m_usage;
    QSet<qint64> m_counted; // users whose counters live in m_store
};

} // namespace Maestro

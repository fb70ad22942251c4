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
#include <deque>
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
//
// Per-minute limits (of a user, and of a model across all users) are sliding 60-second windows
// kept in this process: fixed minute buckets would let twice the limit through across a
// boundary. Users and models without one never touch a window.
class Limiter
{
public:
    static constexpr qint64 WindowMs = 60 * 1000;

    explicit Limiter(const Clock *clock);

    void restore(QDate day, const QHash<qint64, Store::DayUsage> &usage);
    // Counts limited users in `store` from now on (called from here on any thread, so it must be
    // thread-safe as every Store is).
    void shareCounters(Store *store);

    // Counts the request against every limit that applies (the user's daily and per-minute
    // limits, and those of `model`, the configuration the requested model matched), or against
    // none and returns the 429 error to send.
    std::optional<ApiError> admit(const User &user, const ModelConfig *model = nullptr);
    // Called once when an admitted request ends, with the tokens the upstream reported;
    // `modelPattern` names the configuration the request was admitted under (empty for none).
    void addTokens(qint64 userId, qint64 tokens, const QString &modelPattern = {});
    Store::DayUsage today(qint64 userId);
    // What the user's per-minute window holds now.
    Store::DayUsage lastMinute(qint64 userId);
    QDate currentDay() const;

private:
    // The admissions and reported tokens of the last 60 s, pruned as time passes: never more
    // than the requests admitted in that time. Token reports of the same second are merged
    // (stamped with the latest, so they leave together, never early): at most 61 of them.
    struct Window
    {
        std::deque<qint64> admitted; // ms since the epoch
        std::deque<std::pair<qint64, qint64>> tokens; // (ms, tokens)
        qint64 tokenSum = 0;
        int running = 0; // admitted requests that have not reported their tokens yet

        void prune(qint64 now);
        bool empty() const { return admitted.empty() && tokens.empty(); }
        // Milliseconds until fewer than `limit` admissions, or tokens, are left in the window.
        qint64 msUntilRequestsBelow(qint64 limit, qint64 now) const;
        qint64 msUntilTokensBelow(qint64 limit, qint64 now) const;
    };
    struct Minute
    {
        QHash<qint64, Window> users;
        QHash<QString, Window> models; // by configuration pattern
    };

    void rollOver();
    ApiError refusal(const User &user, bool requests) const;
    // Checks the per-minute limits without counting; m_mutex held.
    std::optional<ApiError> refuseMinute(const User &user, const ModelConfig *model, qint64 now);
    // Counts one admission in the per-minute windows that have a limit, or takes it back.
    void countMinute(const User &user, const ModelConfig *model, qint64 now);
    void uncountMinute(const User &user, const ModelConfig *model, qint64 now);
    void endMinute(qint64 userId, qint64 tokens, const QString &modelPattern);
    void sweep(qint64 now);
    static bool hasMinuteLimit(const User &user, const ModelConfig *model);

    const Clock *m_clock;
    std::atomic<Store *> m_store{nullptr};
    QMutex m_mutex;
    QDate m_day;
    QHash<qint64, Store::DayUsage> m_usage;
    QSet<qint64> m_counted; // users whose counters live in m_store
    Minute m_minute;
    qint64 m_lastSweep = 0;
};

} // namespace Maestro

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
#include <functional>
#include <memory>
#include <optional>

class QObject;

namespace Maestro {

class SharedCounters;

// Per-user daily request and token counters (UTC day), and per-minute windows of users and of
// model configurations. A request is admitted, and counted, before it goes upstream, so parallel
// requests cannot overshoot a request limit; tokens are added when the upstream reports them.
// Thread-safe.
//
// One instance (SQLite, or a store no other process uses): everything is counted in memory,
// restored from the usage log on start, and decided at once on the calling thread.
//
// Per-minute limits are sliding 60-second windows (at most N in any 60 s): fixed minute
// buckets would let twice the limit through across a boundary. Users and models without one
// never touch a window.
//
// Several instances on one database (shareCounters()): in-memory counters would let each of
// them admit the full limit, so the counters of limited users and the windows live in the
// database (SharedCounters), and the I/O threads never wait for it:
//
//  - Requests of users without limits, to models without per-minute limits, are counted in
//    memory as before: no database work, ever.
//  - Any other request is parked: admitNow() answers Pending, the caller hands the request to
//    admitLater() and its I/O thread goes on with other work. The decision is taken on the
//    thread that owns a database connection (the injected Executor), for every request parked
//    meanwhile at once, in one transaction that locks the rows concerned, so the instances
//    serialise on them: admissions never exceed a limit, whichever instance they came through.
//    The answer is posted back to the request's thread, which then starts it or sends the 429.
//  - Daily request limits alone (no token limit, no per-minute limit involved) are leased: a
//    decision also reserves a few further requests for this instance, which then admits them
//    at once without asking. A lease counts in the shared row as admitted from the moment it is
//    granted (so the sum never exceeds the limit), is sized by the user's demand on this
//    instance over the last second (nothing for an occasional request), is at most
//    LeaseMaxRequests and at most a LeaseShare-th of what remains of the limit (so near the
//    limit every request is decided by the database, exactly), and lives LeaseTtlMs: then, when
//    it ran out, and at shutdown, what is left is given back and what was used is reported.
//    A request that finds the limit reached while other instances hold unused leases waits for
//    them to be used or given back (at most LeaseTtlMs) rather than being refused too early. A
//    lease an instance never gave back (it crashed) counts as used: under-admission by at most
//    one lease, never over-admission.
//  - Token limits are as exact as with one instance: a token-limited request is decided against
//    the shared row, which holds every token reported so far by every instance; reports are
//    added there by the same thread, in the order they came, before the requests parked after
//    them are decided. Reports no limit depends on (the tokens of a user with only a request
//    limit, shown by the admin API) wait up to a second to share a transaction.
//  - Per-minute windows are shared the same way: every request they apply to is decided in the
//    database under a lock of the windows concerned. The database keeps one bucket per second,
//    stamped with its latest admission and token report, and windows are measured on the
//    database's clock, so instances whose clocks differ still agree.
//  - Every wait is bounded: a parked request is answered within ParkTimeoutMs whatever the
//    database does, with a 503 in the client's dialect when no decision came (the database is
//    down, locked or slow; a transaction gives up after BatchTimeoutMs and is retried). Leases
//    keep admitting until they expire, so a short outage does not stop busy users.
//
// With shared counters, today()/lastMinute() read the shared figures from the database with the
// store given to shareCounters(): only the thread that owns it calls them (the gateway's control
// thread, which runs the admin API and the desktop app's calls), never an I/O thread.
class Limiter
{
public:
    static constexpr qint64 WindowMs = 60 * 1000;
    // A parked request waits at most this long for its decision. A healthy database decides in
    // a few milliseconds; this leaves room for a transaction that waits out a lock until it
    // gives up (BatchTimeoutMs) and one retry, and stays far below what LLM clients wait for an
    // answer, so a client sees a clear 503 instead of its own timeout.
    static constexpr int ParkTimeoutMs = 3000;
    // One database transaction of the shared counters gives up after this long (lock waits
    // and statements): the thread that runs it serves other work too.
    static constexpr int BatchTimeoutMs = 1000;
    // Leases: lifetime, largest size, and the share of the rest of a limit one lease may take.
    static constexpr int LeaseTtlMs = 1000;
    static constexpr qint64 LeaseMaxRequests = 50;
    static constexpr qint64 LeaseShare = 4;

    // Runs work on a thread that owns a database connection and runs a Qt event loop (the
    // limiter sets timers there to return expired leases and retry failed transactions), with
    // that thread's Store; false when it runs nothing any more. Called from any thread.
    using Executor = std::function<bool(std::function<void(Store *)> work)>;
    // The decision on a parked request: no refusal means admitted.
    using Decided = std::function<void(std::optional<ApiError> refusal)>;

    struct Verdict
    {
        enum class Kind { Admitted, Refused, Pending };
        Kind kind = Kind::Admitted;
        ApiError refusal; // when Refused
    };

    // Figures of the shared counters, for tests and diagnostics.
    struct Stats
    {
        qint64 parked = 0;        // requests that waited for the database
        qint64 leaseAdmitted = 0; // requests admitted from a lease
        qint64 batches = 0;       // transactions committed
        qint64 failedBatches = 0; // transactions the database failed or refused in time
        qint64 timedOut = 0;      // parked requests answered 503
        qint64 parkedMs = 0;      // the time parked requests waited for their decision, summed
    };

    explicit Limiter(const Clock *clock);
    ~Limiter();
    Limiter(const Limiter &) = delete;
    Limiter &operator=(const Limiter &) = delete;

    void restore(QDate day, const QHash<qint64, Store::DayUsage> &usage);
    // From now on the counters are shared with the other instances on `store`'s database:
    // decided through `executor`, read by today()/lastMinute() through `store`. Call it once,
    // after restore() and before requests come.
    void shareCounters(Store *store, Executor executor);
    // Shared counters: gives unused leases back and writes the token reports still pending,
    // through the executor. Call it once nothing is admitted any more and while the executor
    // still runs (the destructor tries too, when it was not called). Does nothing without them.
    void closeSharing();
    bool isShared() const;

    // Decides at once what this process can decide alone: counts the request and admits it, or
    // refuses it (nothing counted), or answers Pending when the shared counters must decide.
    Verdict admitNow(const User &user, const ModelConfig *model = nullptr);
    // For a request admitNow() left Pending: decides it on the executor's thread and calls
    // `decided` once on the thread of `context` (the caller's), within ParkTimeoutMs. Nothing
    // is called after `context` is destroyed; an admission that comes after it is given back.
    void admitLater(const User &user, const ModelConfig *model, QObject *context, Decided decided);
    // The decision of this process alone (without shared counters: the same as admitNow()
    // without Pending), for callers that cannot wait.
    std::optional<ApiError> admit(const User &user, const ModelConfig *model = nullptr);

    // Called once when an admitted request ends, with the tokens the upstream reported;
    // `modelPattern` names the configuration the request was admitted under (empty for none).
    void addTokens(qint64 userId, qint64 tokens, const QString &modelPattern = {});
    Store::DayUsage today(qint64 userId);
    // What the user's per-minute window holds now.
    Store::DayUsage lastMinute(qint64 userId);
    QDate currentDay() const;
    Stats stats() const;

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
    // Checks the per-minute limits without counting; m_mutex held.
    std::optional<ApiError> refuseMinute(const User &user, const ModelConfig *model, qint64 now);
    // Counts one admission in the per-minute windows that have a limit.
    void countMinute(const User &user, const ModelConfig *model, qint64 now);
    void endMinute(qint64 userId, qint64 tokens, const QString &modelPattern);
    void sweep(qint64 now);
    static bool hasMinuteLimit(const User &user, const ModelConfig *model);
    std::shared_ptr<SharedCounters> shared() const;

    const Clock *m_clock;
    mutable QMutex m_mutex;
    QDate m_day;
    QHash<qint64, Store::DayUsage> m_usage;
    Minute m_minute;
    qint64 m_lastSweep = 0;
    std::shared_ptr<SharedCounters> m_shared; // set once by shareCounters()
};

// The texts of the refusals, shared by both ways of counting.
namespace LimitRefusal {
// The daily request (`requests`) or token limit of `user`, reached: retry at 00:00 UTC.
ApiError daily(const User &user, bool requests, const QDateTime &nowUtc);
// A per-minute limit reached, for `subject` ("user alice", "model 'x'"), free again in waitMs.
ApiError minute(bool requests, qint64 limit, const QString &subject, qint64 waitMs);
QString userSubject(const QString &username);
QString modelSubject(const QString &pattern);
} // namespace LimitRefusal

} // namespace Maestro

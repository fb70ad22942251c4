#pragma once

#include "limiter.h"

#include <QElapsedTimer>
#include <QSet>

#include <deque>
#include <mutex>
#include <memory>
#include <vector>

namespace Maestro {

// The counters of a Limiter whose instances share one database; the design is described in
// limiter.h. The I/O threads admit from leases and park the rest; drain() runs on the
// executor's thread, decides what was parked in one transaction and posts the answers back.
// Everything here is guarded by one mutex (a std::mutex, which ThreadSanitizer sees), never held
// while the database works. Work posted to
// the executor holds this object weakly, except the final flush (close()), which keeps it until
// it ran.
class SharedCounters final : public std::enable_shared_from_this<SharedCounters>
{
public:
    SharedCounters(const Clock *clock, Store *reader, Limiter::Executor executor, QDate day,
                   QHash<qint64, Store::DayUsage> usage);
    ~SharedCounters();

    Limiter::Verdict admitNow(const User &user, const ModelConfig *model);
    void admitLater(const User &user, const ModelConfig *model, QObject *context, Limiter::Decided decided);
    void addTokens(qint64 userId, qint64 tokens, const QString &modelPattern);
    Store::DayUsage today(qint64 userId);
    Store::DayUsage lastMinute(qint64 userId);
    Limiter::Stats stats() const;
    // The limiter goes: unused leases are given back and what is left to report is written, on
    // the executor's thread, after whatever it is doing for these counters now.
    void close();

    // The window of a model configuration: a 63-bit digest of its pattern, the same in every
    // instance.
    static Store::WindowKey modelWindow(const QString &pattern);

private:
    struct Ticket;
    struct Batch;
    // Requests this instance may admit without asking, until expiresMs (monotonic).
    struct Lease
    {
        qint64 left = 0;
        qint64 used = 0;
        qint64 expiresMs = 0;
    };
    // Requests of a user arriving at this instance: this second and the one before.
    struct Demand
    {
        qint64 second = -1;
        qint64 count = 0;
        qint64 previous = 0;
    };
    // What this instance still has to write to a user's shared row.
    struct Report
    {
        qint64 tokens = 0;
        qint64 used = 0;      // lease slots used: no longer leased
        qint64 returned = 0;  // lease slots not used: neither leased nor counted
        qint64 givenBack = 0; // admissions nobody took (the request went first): not counted
        bool empty() const { return !tokens && !used && !returned && !givenBack; }
    };

    qint64 monotonicMs() const { return m_monotonic.elapsed(); }
    void rollOver(); // m_mutex held
    void noteDemand(qint64 userId, qint64 now);
    qint64 demand(qint64 userId, qint64 now) const;
    // Admits from this instance's lease of the user, if it has one. m_mutex held.
    bool takeLease(qint64 userId, qint64 now);
    void countAdmission(const Ticket &ticket);
    // Posts drain() to the executor unless it is already queued or running.
    void schedule();
    void drain(Store *store);
    void flush(Store *store);
    // Takes what the next transaction decides, or returns false when there is nothing to do
    // yet. m_mutex held.
    bool collect(Batch *batch);
    // What the transaction writes, from the rows it read (runs inside it, without m_mutex).
    Store::CounterChanges decide(Batch *batch, const Store::CounterState &state) const;
    // Answers the decided requests and installs the leases. m_mutex held.
    void settle(Batch &batch);
    // The database failed: everything goes back to wait for the next try. m_mutex held.
    void requeue(Batch &batch);
    // Sets a timer on the executor's thread for the next thing due: an expiring lease, a request
    // waiting for other instances' leases, a retry. m_mutex held; on that thread only.
    void armTimer();
    // The executor runs nothing any more: every parked request is answered 503.
    void failWaiting(const QString &why); // m_mutex held

    const Clock *m_clock;
    Store *m_reader;
    const Limiter::Executor m_executor;
    QElapsedTimer m_monotonic;

    mutable std::mutex m_mutex;
    QDate m_day;
    QHash<qint64, Store::DayUsage> m_usage; // this instance's, for users without a shared row
    // Where the tokens a request reports go: the shared row of a user who has one today, the
    // windows it was admitted under. True where a limit depends on them: they are written at
    // once; the others (for the figures only) within LazyReportMs, with whatever goes next.
    QHash<qint64, bool> m_counted;      // user -> has a daily token limit
    QHash<qint64, bool> m_windowUsers;  // user -> has a per-minute token limit
    QHash<QString, bool> m_modelWindows; // configuration pattern -> has a per-minute token limit
    bool m_urgentReports = false;
    qint64 m_lazySinceMs = 0; // monotonic; the oldest report that may wait, 0 for none
    QHash<qint64, Lease> m_leases;
    QHash<qint64, Demand> m_demand;
    std::deque<std::shared_ptr<Ticket>> m_waiting;
    QHash<qint64, Report> m_reports;
    QHash<Store::WindowKey, qint64> m_windowTokens;
    bool m_drainScheduled = false;
    bool m_closed = false;
    bool m_timerArmed = false;
    qint64 m_timerDueMs = 0;
    int m_failures = 0;
    qint64 m_retryAtMs = 0;
    Limiter::Stats m_stats;
};

} // namespace Maestro

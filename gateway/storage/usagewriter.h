#pragma once

#include "core/entities.h"
#include "core/store.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QThread>

namespace Maestro {

class Database;

// Writes the usage log off the request path: requests enqueue entries from any thread, a writer
// thread drains the queue and writes each batch in one transaction. stop() writes whatever is
// still queued before it returns, so a clean shutdown loses nothing.
//
// The first entry of a batch wakes the writer thread, which waits BatchDelayMs before it drains:
// entries that come meanwhile join that batch without waking anyone. Each commit costs the
// database a few page writes per index whatever the number of rows, so under load a batch of
// dozens of rows costs about what a single row did; an entry reaches the log at most
// BatchDelayMs later than it would have (a crash could lose those, as it could lose the entries
// queued while a batch is written).
//
// While the database refuses writes, the batch stays queued and is tried again every RetryMs.
// The queue is bounded: past maxPending entries (a database away for hours under load), new
// entries are dropped, counted and reported in the log, rather than growing without limit.
//
// Refusals (entries with a reason: 401 to 503 before a request reached a node) cost a client
// nothing, so a client hammering with refused requests could outgrow every accepted request.
// They are capped per user: at most RefusalBurst at once, then one per RefusalIntervalMs; those
// over the cap are only counted, and the user's next refusal entry carries that count
// (`suppressed`). Accepted requests are never capped (the user's limits bound them already).
class UsageWriter final : public QObject
{
    Q_OBJECT

public:
    static constexpr qsizetype MaxPending = 100000; // about 50 MB of entries
    static constexpr int RetryMs = 1000;
    static constexpr int BatchDelayMs = 50;
    static constexpr int RefusalBurst = 20;
    static constexpr int RefusalIntervalMs = 1000;

    UsageWriter(Store *store, Database *database, qsizetype maxPending = MaxPending);
    ~UsageWriter() override;

    void start();
    void stop();
    // Thread-safe. Returns false for a refusal left out by the per-user cap; *suppressed (when
    // given) gets the count of those the entry reports. An entry lost to the bound of the queue
    // still counts as logged here (it was meant to be; the loss is reported in the log).
    bool enqueue(const RequestLogEntry &entry, qint64 *suppressed = nullptr);
    qint64 writtenCount() const;
    qint64 pendingCount() const;
    qint64 droppedCount() const; // entries lost to the bound
    qint64 suppressedCount() const; // refusals left out by the per-user cap
    // The per-user cap on refusal entries (tests use a short interval).
    void setRefusalCap(int burst, int intervalMs);

Q_SIGNALS:
    // Emitted on the writer thread after a batch is committed (for live log views).
    void written(const QList<Maestro::RequestLogEntry> &entries);

private:
    void drain();
    bool admitRefusal(RequestLogEntry *entry); // under m_mutex

    struct RefusalBucket
    {
        double allowance = 0;
        qint64 lastMs = 0;
        qint64 suppressed = 0; // since the last entry of the user written
    };

    Store *m_store;
    Database *m_database;
    QThread m_thread;
    QObject *m_worker = nullptr; // lives on m_thread; drains there
    mutable QMutex m_mutex;
    QList<RequestLogEntry> m_queue;
    const qsizetype m_maxPending;
    bool m_scheduled = false; // a drain is queued, or a retry timed
    qint64 m_written = 0;
    qint64 m_dropped = 0;
    qint64 m_suppressed = 0;
    QElapsedTimer m_monotonic;
    QHash<qint64, RefusalBucket> m_refusals; // by user id
    int m_refusalBurst = RefusalBurst;
    int m_refusalIntervalMs = RefusalIntervalMs;
};

} // namespace Maestro

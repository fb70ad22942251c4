#pragma once

#include "core/entities.h"
#include "core/store.h"

#include <QMutex>
#include <QObject>
#include <QThread>

namespace Maestro {

class Database;

// Writes the usage log off the request path: requests enqueue entries from any thread, a writer
// thread drains the queue and writes each batch in one transaction. stop() writes whatever is
// still queued before it returns, so a clean shutdown loses nothing.
//
// While the database refuses writes, the batch stays queued and is tried again every RetryMs.
// The queue is bounded: past maxPending entries (a database away for hours under load), new
// entries are dropped, counted and reported in the log, rather than growing without limit.
class UsageWriter final : public QObject
{
    Q_OBJECT

public:
    static constexpr qsizetype MaxPending = 100000; // about 50 MB of entries
    static constexpr int RetryMs = 1000;

    UsageWriter(Store *store, Database *database, qsizetype maxPending = MaxPending);
    ~UsageWriter() override;

    void start();
    void stop();
    void enqueue(const RequestLogEntry &entry); // thread-safe
    qint64 writtenCount() const;
    qint64 pendingCount() const;
    qint64 droppedCount() const; // entries lost to the bound

Q_SIGNALS:
    // Emitted on the writer thread after a batch is committed (for live log views).
    void written(const QList<Maestro::RequestLogEntry> &entries);

private:
    void drain();

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
};

} // namespace Maestro

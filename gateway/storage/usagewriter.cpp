#include "usagewriter.h"
#include "database.h"
#include "core/handoff.h"

#include <QLoggingCategory>
#include <QMutexLocker>
#include <QTimer>

#include <algorithm>

Q_DECLARE_LOGGING_CATEGORY(lcStore)

namespace Maestro {

UsageWriter::UsageWriter(Store *store, Database *database, qsizetype maxPending)
    : m_store(store)
    , m_database(database)
    , m_maxPending(maxPending)
{
    m_thread.setObjectName(QStringLiteral("usage-writer"));
    m_monotonic.start();
}

UsageWriter::~UsageWriter()
{
    stop();
}

void UsageWriter::start()
{
    if (m_thread.isRunning())
        return;
    m_worker = new QObject;
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    Handoff::watchEnd(&m_thread);
    m_thread.start();
}

void UsageWriter::stop()
{
    if (!m_thread.isRunning())
        return;
    // The last drain and the connection cleanup run on the writer thread, where the connection
    // lives.
    Handoff::invokeBlocking(m_worker, [this] {
        drain();
        m_database->closeThreadConnection();
    });
    Handoff::quitAndWait(&m_thread);
    m_worker = nullptr;
    // A retry the last drain timed went with the thread.
    QMutexLocker lock(&m_mutex);
    m_scheduled = false;
}

void UsageWriter::setRefusalCap(int burst, int intervalMs)
{
    QMutexLocker lock(&m_mutex);
    m_refusalBurst = std::max(burst, 1);
    m_refusalIntervalMs = std::max(intervalMs, 1);
    m_refusals.clear();
}

bool UsageWriter::admitRefusal(RequestLogEntry *entry)
{
    const qint64 now = m_monotonic.elapsed();
    // Only known users' refusals are logged at all, so the buckets are bounded by the users; a
    // full bucket with nothing to report is the same as none, and goes when there are many.
    if (m_refusals.size() > 10000) {
        m_refusals.removeIf([this, now](QHash<qint64, RefusalBucket>::iterator it) {
            return it.value().suppressed == 0
                && it.value().allowance + double(now - it.value().lastMs) / m_refusalIntervalMs >= m_refusalBurst;
        });
    }
    auto it = m_refusals.find(entry->userId);
    if (it == m_refusals.end())
        it = m_refusals.insert(entry->userId, RefusalBucket{double(m_refusalBurst), now, 0});
    RefusalBucket &bucket = *it;
    bucket.allowance = std::min<double>(m_refusalBurst, bucket.allowance + double(now - bucket.lastMs) / m_refusalIntervalMs);
    bucket.lastMs = now;
    if (bucket.allowance < 1) {
        ++bucket.suppressed;
        ++m_suppressed;
        return false;
    }
    bucket.allowance -= 1;
    entry->suppressed = bucket.suppressed;
    bucket.suppressed = 0;
    return true;
}

bool UsageWriter::enqueue(const RequestLogEntry &entry, qint64 *suppressed)
{
    QMutexLocker lock(&m_mutex);
    RequestLogEntry capped;
    if (entry.refused() && entry.userId) {
        capped = entry;
        if (!admitRefusal(&capped))
            return false;
    }
    const RequestLogEntry &queued = capped.refused() ? capped : entry;
    if (suppressed)
        *suppressed = queued.suppressed;
    if (m_queue.size() >= m_maxPending) {
        // Reported at the first loss and every 1000 after it, not once per request.
        if (m_dropped++ % 1000 == 0)
            qCCritical(lcStore) << "usage log queue full (" << m_maxPending
                                << "entries waiting for the database):" << m_dropped
                                << "entries dropped so far";
        return true;
    }
    m_queue.append(queued);
    if (m_scheduled || !m_worker)
        return true;
    m_scheduled = true;
    // The timer is made on the writer thread, so that it belongs to the worker and goes with the
    // thread; stop() drains whatever it would have.
    QMetaObject::invokeMethod(
        m_worker, [this] { QTimer::singleShot(BatchDelayMs, m_worker, [this] { drain(); }); },
        Qt::QueuedConnection);
    return true;
}

void UsageWriter::drain()
{
    for (;;) {
        QList<RequestLogEntry> batch;
        {
            QMutexLocker lock(&m_mutex);
            batch.swap(m_queue);
            if (batch.isEmpty()) {
                m_scheduled = false;
                return;
            }
        }
        if (!m_store->insertRequestLogs(batch)) {
            qCWarning(lcStore) << "could not write" << batch.size() << "usage log entries; retrying in"
                               << RetryMs << "ms";
            QMutexLocker lock(&m_mutex);
            m_queue = batch + m_queue;
            // Still scheduled: the retry comes whether or not requests bring new entries. The
            // timer belongs to the worker, so it goes with the thread.
            if (m_worker && QThread::currentThread() == &m_thread)
                QTimer::singleShot(RetryMs, m_worker, [this] { drain(); });
            else
                m_scheduled = false;
            return;
        }
        {
            QMutexLocker lock(&m_mutex);
            m_written += batch.size();
        }
        Q_EMIT written(batch);
    }
}

qint64 UsageWriter::writtenCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_written;
}

qint64 UsageWriter::droppedCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_dropped;
}

qint64 UsageWriter::suppressedCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_suppressed;
}

qint64 UsageWriter::pendingCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_queue.size();
}

} // namespace Maestro

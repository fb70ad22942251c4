#include "usagewriter.h"
#include "database.h"
#include "core/handoff.h"

#include <QLoggingCategory>
#include <QMutexLocker>
#include <QTimer>

Q_DECLARE_LOGGING_CATEGORY(lcStore)

namespace Maestro {

UsageWriter::UsageWriter(Store *store, Database *database, qsizetype maxPending)
    : m_store(store)
    , m_database(database)
    , m_maxPending(maxPending)
{
    m_thread.setObjectName(QStringLiteral("usage-writer"));
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

void UsageWriter::enqueue(const RequestLogEntry &entry)
{
    QMutexLocker lock(&m_mutex);
    if (m_queue.size() >= m_maxPending) {
        // Reported at the first loss and every 1000 after it, not once per request.
        if (m_dropped++ % 1000 == 0)
            qCCritical(lcStore) << "usage log queue full (" << m_maxPending
                                << "entries waiting for the database):" << m_dropped
                                << "entries dropped so far";
        return;
    }
    m_queue.append(entry);
    if (m_scheduled || !m_worker)
        return;
    m_scheduled = true;
    QMetaObject::invokeMethod(m_worker, [this] { drain(); }, Qt::QueuedConnection);
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

qint64 UsageWriter::pendingCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_queue.size();
}

} // namespace Maestro

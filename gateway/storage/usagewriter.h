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
class UsageWriter final : public QObject
{
    Q_OBJECT

public:
    UsageWriter(Store *store, Database *database);
    ~UsageWriter() override;

    void start();
    void stop();
    void enqueue(const RequestLogEntry &entry); // thread-safe
    qint64 writtenCount() const;
    qint64 pendingCount() const;

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
    bool m_scheduled = false;
    qint64 m_written = 0;
};

} // namespace Maestro

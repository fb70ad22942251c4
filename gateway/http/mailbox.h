#pragma once

#include "core/handoff.h"

#include <QMetaObject>
#include <QMutex>
#include <QObject>

#include <functional>

namespace Maestro {

// Queues functors to run on the thread of one QObject, from any thread, without racing the
// object's destruction: the receiver calls close() on its own thread before it goes, after which
// post() refuses, and what was queued but not run yet is dropped with the receiver (Qt removes an
// object's posted events when it is destroyed). A raw pointer would leave a window between
// "still alive?" and the post in which the receiver could be deleted.
class Mailbox
{
public:
    explicit Mailbox(QObject *receiver) : m_receiver(receiver) {}
    Mailbox(const Mailbox &) = delete;
    Mailbox &operator=(const Mailbox &) = delete;

    // Thread-safe. Returns false (and drops `work`) once closed.
    bool post(std::function<void()> work)
    {
        QMutexLocker lock(&m_mutex);
        if (!m_receiver)
            return false;
        // What `work` captured was written on this thread; Qt's event queue hands it over under a
        // lock ThreadSanitizer cannot see, so the hand-over is annotated.
        Handoff::release(this);
        QMetaObject::invokeMethod(
            m_receiver,
            [token = static_cast<const void *>(this), work = std::move(work)] {
                Handoff::acquire(token);
                work();
            },
            Qt::QueuedConnection);
        return true;
    }

    // On the receiver's thread, before the receiver is destroyed.
    void close()
    {
        QMutexLocker lock(&m_mutex);
        m_receiver = nullptr;
    }

private:
    QMutex m_mutex;
    QObject *m_receiver;
};

} // namespace Maestro

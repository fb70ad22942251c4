#pragma once

#include "core/entities.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include <functional>
#include <memory>

class QHttpServerResponder;

namespace Maestro {

class Mailbox;

// The live request log (GET /admin/request-logs/stream): entries go out to the subscribers as
// they are logged, as server-sent events.
//
// LogStreamHub is shared by every I/O thread and the control thread (GatewayShared). publish()
// is called by whoever logs an entry (an I/O thread, right where it hands the entry to the
// UsageWriter; the control thread for node health changes): it serializes the event once, appends
// it to the queue of each subscriber whose filter it passes, and wakes that subscriber through
// its Mailbox. It never waits for the database or for a client: a queue is bounded (entries and
// bytes), and a subscriber whose queue overflows is marked and dropped by its own thread.
class LogStreamHub
{
public:
    struct Limits
    {
        int maxSubscribers = 8;
        int maxQueuedEvents = 1000; // per subscriber, waiting to be written
        qint64 maxQueuedBytes = 1024 * 1024;
    };

    // What a subscriber and the hub share; the queue is guarded by `mutex`.
    struct Subscription
    {
        LogQuery filter; // username, model, model_contains, status, endpoint, dialect
        std::shared_ptr<Mailbox> mailbox; // to the subscriber's thread
        std::function<void()> wake; // run there through the mailbox
        QMutex mutex;
        QList<QByteArray> queue; // whole SSE events
        qint64 queuedBytes = 0;
        bool overflowed = false;
        bool wakePosted = false;
    };

    void setLimits(Limits limits);
    Limits limits() const;
    // nullptr when maxSubscribers are subscribed already.
    std::shared_ptr<Subscription> subscribe(LogQuery filter, std::shared_ptr<Mailbox> mailbox, std::function<void()> wake);
    void unsubscribe(const std::shared_ptr<Subscription> &subscription);
    int subscriberCount() const;

    // Thread-safe; cheap when nobody listens.
    void publish(const RequestLogEntry &entry);
    // `event: node` on a node's health change (unfiltered).
    void publishNode(qint64 nodeId, const QString &name, bool healthy);
    // `event: catalog` when the configuration was reloaded (an admin change here or on another
    // instance, a health change, discovered models): an app showing it reads it again (unfiltered).
    void publishCatalog(qint64 configVersion);

    // Takes up to `max` events queued for `subscription` (on its thread; 0 only asks), and lets
    // the next event wake it again. *overflowed: it fell behind and must be dropped.
    static QList<QByteArray> take(Subscription &subscription, int max, bool *overflowed);

private:
    void deliver(const std::shared_ptr<Subscription> &subscription, const QByteArray &event);
    void deliverToAll(QByteArrayView name, const QJsonObject &data);

    mutable QMutex m_mutex;
    Limits m_limits;
    QList<std::shared_ptr<Subscription>> m_subscriptions;
};

// One subscriber on its I/O thread: owns the response (an SSE stream on a kept-open connection),
// writes what the hub queued while the client takes it, sends a comment every heartbeat, and
// goes when the client does or falls too far behind.
class LogStreamSubscriber final : public QObject
{
    Q_OBJECT

public:
    // Bytes written to the client and not yet taken, beyond which events wait in the hub's queue.
    static constexpr qint64 DefaultMaxUnsent = 256 * 1024;
    // The connection's kernel send buffer: fixed, so that what a client that does not read can
    // make the gateway hold is this, the unsent bytes and the hub's queue, on any machine.
    static constexpr int KernelSendBuffer = 64 * 1024;

    LogStreamSubscriber(LogStreamHub *hub, QPointer<QTcpSocket> socket, std::unique_ptr<QHttpServerResponder> responder,
                        int heartbeatMs, qint64 maxUnsent, QObject *parent);
    ~LogStreamSubscriber() override;

    // Writes the head and subscribes; false (and nothing written) when the hub is full.
    bool start(LogQuery filter);

private:
    void drain();
    void heartbeat();
    void drop(const char *why);

    LogStreamHub *m_hub;
    QPointer<QTcpSocket> m_socket;
    std::unique_ptr<QHttpServerResponder> m_responder;
    std::shared_ptr<Mailbox> m_mailbox;
    std::shared_ptr<LogStreamHub::Subscription> m_subscription;
    QTimer m_heartbeat;
    qint64 m_maxUnsent;
    bool m_dropped = false;
};

} // namespace Maestro

#include "logstream.h"
#include "frontdoor.h"
#include "httpwire.h"
#include "mailbox.h"
#include "core/entityjson.h"

#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcLogStream, "maestro.logstream")

namespace Maestro {

namespace {

QByteArray sseEvent(QByteArrayView name, const QJsonObject &data)
{
    // Compact JSON has no raw newline, so one data line carries it.
    return "event: " + name.toByteArray() + "\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
}

// Events taken from the hub per write: bounds what a slow client can make the wire hold beyond
// the unsent limit.
constexpr int TakeBatch = 64;

} // namespace

// --- LogStreamHub ---

void LogStreamHub::setLimits(Limits limits)
{
    QMutexLocker lock(&m_mutex);
    m_limits = limits;
}

LogStreamHub::Limits LogStreamHub::limits() const
{
    QMutexLocker lock(&m_mutex);
    return m_limits;
}

std::shared_ptr<LogStreamHub::Subscription> LogStreamHub::subscribe(LogQuery filter, std::shared_ptr<Mailbox> mailbox,
                                                                    std::function<void()> wake)
{
    QMutexLocker lock(&m_mutex);
    if (m_subscriptions.size() >= m_limits.maxSubscribers)
        return nullptr;
    auto subscription = std::make_shared<Subscription>();
    subscription->filter = std::move(filter);
    subscription->mailbox = std::move(mailbox);
    subscription->wake = std::move(wake);
    m_subscriptions.append(subscription);
    return subscription;
}

void LogStreamHub::unsubscribe(const std::shared_ptr<Subscription> &subscription)
{
    QMutexLocker lock(&m_mutex);
    m_subscriptions.removeOne(subscription);
}

int LogStreamHub::subscriberCount() const
{
    QMutexLocker lock(&m_mutex);
    return int(m_subscriptions.size());
}

void LogStreamHub::publish(const RequestLogEntry &entry)
{
    QMutexLocker lock(&m_mutex);
    if (m_subscriptions.isEmpty())
        return;
    QByteArray event;
    for (const std::shared_ptr<Subscription> &subscription : std::as_const(m_subscriptions)) {
        if (!subscription->filter.matches(entry))
            continue;
        if (event.isEmpty())
            event = sseEvent("request", toJson(entry));
        deliver(subscription, event);
    }
}

void LogStreamHub::publishNode(qint64 nodeId, const QString &name, bool healthy)
{
    deliverToAll("node", QJsonObject{{u"node_id"_s, double(nodeId)},
                                     {u"node_name"_s, name},
                                     {u"health_status"_s, healthy ? u"healthy"_s : u"unhealthy"_s}});
}

void LogStreamHub::publishCatalog(qint64 configVersion)
{
    deliverToAll("catalog", QJsonObject{{u"config_version"_s, double(configVersion)}});
}

void LogStreamHub::deliverToAll(QByteArrayView name, const QJsonObject &data)
{
    QMutexLocker lock(&m_mutex);
    if (m_subscriptions.isEmpty())
        return;
    const QByteArray event = sseEvent(name, data);
    for (const std::shared_ptr<Subscription> &subscription : std::as_const(m_subscriptions))
        deliver(subscription, event);
}

// Under m_mutex.
void LogStreamHub::deliver(const std::shared_ptr<Subscription> &subscription, const QByteArray &event)
{
    QMutexLocker lock(&subscription->mutex);
    if (subscription->overflowed)
        return;
    if (subscription->queue.size() >= m_limits.maxQueuedEvents
        || subscription->queuedBytes + event.size() > m_limits.maxQueuedBytes) {
        // Fallen behind: what it holds goes now, and its thread drops the connection.
        subscription->overflowed = true;
        subscription->queue.clear();
        subscription->queuedBytes = 0;
    } else {
        subscription->queue.append(event); // shares the bytes with the other subscribers
        subscription->queuedBytes += event.size();
    }
    if (subscription->wakePosted)
        return;
    subscription->wakePosted = true;
    subscription->mailbox->post(subscription->wake);
}

QList<QByteArray> LogStreamHub::take(Subscription &subscription, int max, bool *overflowed)
{
    QMutexLocker lock(&subscription.mutex);
    subscription.wakePosted = false;
    *overflowed = subscription.overflowed;
    const int count = std::min<int>(max, int(subscription.queue.size()));
    QList<QByteArray> events = subscription.queue.first(count);
    subscription.queue.remove(0, count);
    for (const QByteArray &event : std::as_const(events))
        subscription.queuedBytes -= event.size();
    return events;
}

// --- LogStreamSubscriber ---

LogStreamSubscriber::LogStreamSubscriber(LogStreamHub *hub, QPointer<QTcpSocket> socket,
                                         std::unique_ptr<QHttpServerResponder> responder, int heartbeatMs,
                                         qint64 maxUnsent, QObject *parent)
    : QObject(parent)
    , m_hub(hub)
    , m_socket(std::move(socket))
    , m_responder(std::move(responder))
    , m_mailbox(std::make_shared<Mailbox>(this))
    , m_maxUnsent(maxUnsent)
{
    m_heartbeat.setInterval(std::max(heartbeatMs, 10));
    connect(&m_heartbeat, &QTimer::timeout, this, &LogStreamSubscriber::heartbeat);
}

LogStreamSubscriber::~LogStreamSubscriber()
{
    // First, so no wake is posted to an object half gone; the hub forgets the queue.
    m_mailbox->close();
    if (m_subscription)
        m_hub->unsubscribe(m_subscription);
}

bool LogStreamSubscriber::start(LogQuery filter)
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
        return false;
    m_subscription = m_hub->subscribe(std::move(filter), m_mailbox, [this] { drain(); });
    if (!m_subscription)
        return false;
    // The client goes (or the front door drops it): so does the subscriber. bytesWritten: the
    // client took some, so more may go.
    connect(m_socket.data(), &QTcpSocket::disconnected, this, &QObject::deleteLater);
    connect(m_socket.data(), &QTcpSocket::bytesWritten, this, &LogStreamSubscriber::drain);
    if (auto *proxy = qobject_cast<ProxySocket *>(m_socket.data()))
        proxy->limitKernelSendBuffer(KernelSendBuffer);
    // A first comment at once, so the client knows the stream is live before any entry.
    m_socket->write(Wire::streamHead(200, "text/event-stream; charset=utf-8") + Wire::chunk(": model-maestro request log\n\n"));
    m_heartbeat.start();
    return true;
}

void LogStreamSubscriber::drain()
{
    if (m_dropped || !m_subscription)
        return;
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
        drop(nullptr);
        return;
    }
    for (;;) {
        // Asked even when the client holds too much unsent to take more: a queue that overflowed
        // meanwhile is seen now, not after the client reads again (it may never).
        const int room = m_socket->bytesToWrite() < m_maxUnsent ? TakeBatch : 0;
        bool overflowed = false;
        const QList<QByteArray> events = LogStreamHub::take(*m_subscription, room, &overflowed);
        if (overflowed) {
            drop("it fell behind: it did not read its live request log");
            return;
        }
        if (events.isEmpty())
            return;
        QByteArray out;
        for (const QByteArray &event : events)
            out += event;
        m_socket->write(Wire::chunk(out));
        if (!m_socket)
            return;
    }
}

void LogStreamSubscriber::heartbeat()
{
    // A comment line: keeps proxies from closing an idle stream and shows a dead client sooner.
    // Only when nothing waits to be written, so a stalled client does not collect heartbeats.
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState && m_socket->bytesToWrite() == 0)
        m_socket->write(Wire::chunk(": heartbeat\n\n"));
}

void LogStreamSubscriber::drop(const char *why)
{
    if (m_dropped)
        return;
    m_dropped = true;
    m_heartbeat.stop();
    if (why)
        qCInfo(lcLogStream) << "dropping a live request log subscriber:" << why;
    m_hub->unsubscribe(m_subscription);
    m_subscription.reset();
    if (auto *proxy = qobject_cast<ProxySocket *>(m_socket.data()))
        proxy->abortConnection();
    else if (m_socket)
        m_socket->abort();
    deleteLater();
}

} // namespace Maestro

#include "upstreamclient.h"
#include "responseparser.h"
#include "socketwrite.h"

#include <QBasicTimer>
#include <QByteArrayView>
#include <QHash>
#include <QSet>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimerEvent>

#include <chrono>
#include <limits>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How long an unused keep-alive connection is kept before it is closed.
constexpr milliseconds IdleConnectionLifetime { 60'000 };

bool equalsNoCase(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}

// What a socket takes from the kernel ahead of us. Without a cap Qt reads all that is there, and
// on loopback or a fast link that is megabytes in one go, all of it then parsed, translated and
// queued for the client before backpressure can act.
constexpr qint64 ReadBufferSize = 1024 * 1024;
// While a reply is paused, the socket keeps no more than this: the kernel's receive window then
// fills and TCP makes the node wait.
constexpr qint64 PausedReadBufferSize = 64 * 1024;

QString seconds(int ms)
{
    return QString::number(ms / 1000.0);
}

struct HostKey
{
    QString host;
    quint16 port = 0;
    bool tls = false;

    friend bool operator==(const HostKey &a, const HostKey &b)
    {
        return a.port == b.port && a.tls == b.tls && a.host == b.host;
    }
};

size_t qHash(const HostKey &key, size_t seed = 0)
{
    return qHashMulti(seed, key.host, key.port, key.tls);
}

} // namespace

// One TCP (or TLS) connection to an upstream host, carrying one exchange at a time.
class UpstreamConnection final : public QObject
{
public:
    enum class State { Connecting, Busy, Idle, Closed };

    UpstreamConnection(UpstreamClient *client, const HostKey &key);
    ~UpstreamConnection() override;

    const HostKey &key() const { return m_key; }
    State state() const { return m_state; }
    bool isUsable() const
    {
        return m_state == State::Idle && m_socket->state() == QAbstractSocket::ConnectedState;
    }

    // Takes the exchange; on an idle connection the request is written at once.
    void start(UpstreamReply *reply, const QByteArray &request, const UpstreamRequest &options,
               bool reused);
    void becomeIdle();
    void abortFromReply();
    void setPaused(bool paused);
    // Drops the socket and schedules deletion; leaves any reply untouched.
    void close();

    UpstreamClient *m_client = nullptr;

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    void onConnected();
    void onReadyRead();
    // Sends the request of this connection once more on a new one, and closes this one.
    void retryOnFreshConnection();
    void onSocketGone();
    void resume();
    void readSocket();
    void process();
    bool deliver(QByteArray &&piece);
    void complete();
    void fail(UpstreamError error, const QString &message);
    void armTimer(Clock::time_point deadline);
    Clock::time_point currentDeadline() const;
    void resetExchange();

    HostKey m_key;
    QAbstractSocket *m_socket = nullptr;
    State m_state = State::Connecting;
    QBasicTimer m_timer;
    Clock::time_point m_timerDue;
    Clock::time_point m_lastActivity;
    Clock::time_point m_connectDeadline;
    Clock::time_point m_sentAt;

    // The current exchange.
    UpstreamReply *m_reply = nullptr;
    QByteArray m_request;
    int m_connectTimeoutMs = 0;
    int m_firstByteTimeoutMs = 0;
    int m_idleTimeoutMs = 0;
    qint64 m_maxBodyBytes = 0;
    qint64 m_bodyBytes = 0;
    bool m_head = false;
    bool m_paused = false;
    bool m_goneWhilePaused = false; // the node closed while we were not reading
    bool m_reused = false;
    bool m_retried = false;
    bool m_gotBytes = false;

    // Response parsing; m_buffer[m_pos..] is not consumed yet.
    QByteArray m_buffer;
    qsizetype m_pos = 0;
    ResponseParser m_parser;
};

struct UpstreamClient::Pool
{
    QHash<HostKey, QList<UpstreamConnection *>> idle;
    QSet<UpstreamConnection *> all;
    int maxIdlePerHost = 64;
    int idleCount = 0;
    int openCount = 0;

    // Empty lists stay in the hash (one per host ever used), so callers may hold iterators.
    void removeIdle(UpstreamConnection *connection)
    {
        const auto it = idle.find(connection->key());
        if (it != idle.end() && it->removeOne(connection))
            --idleCount;
    }
};

// ---------------------------------------------------------------------------------------------

UpstreamConnection::UpstreamConnection(UpstreamClient *client, const HostKey &key)
    : QObject(client)
    , m_client(client)
    , m_key(key)
{
    if (key.tls) {
        auto *socket = new QSslSocket(this);
        connect(socket, &QSslSocket::encrypted, this, &UpstreamConnection::onConnected);
        m_socket = socket;
    } else {
        m_socket = new QTcpSocket(this);
        connect(m_socket, &QAbstractSocket::connected, this, &UpstreamConnection::onConnected);
    }
    m_socket->setReadBufferSize(ReadBufferSize);
    connect(m_socket, &QIODevice::readyRead, this, &UpstreamConnection::onReadyRead);
    connect(m_socket, &QAbstractSocket::disconnected, this, &UpstreamConnection::onSocketGone);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, &UpstreamConnection::onSocketGone);
}

UpstreamConnection::~UpstreamConnection()
{
    if (m_client) {
        if (m_state != State::Closed) {
            m_client->m_pool->removeIdle(this);
            --m_client->m_pool->openCount;
        }
        m_client->m_pool->all.remove(this);
    }
    if (m_socket)
        m_socket->disconnect(this);
}

void UpstreamConnection::start(UpstreamReply *reply, const QByteArray &request,
                               const UpstreamRequest &options, bool reused)
{
    m_reply = reply;
    reply->m_connection = this;
    if (reused)
        m_retried = false; // that retry was for an earlier exchange
    m_request = request;
    m_connectTimeoutMs = options.connectTimeoutMs;
    m_firstByteTimeoutMs = options.firstByteTimeoutMs;
    m_idleTimeoutMs = options.idleTimeoutMs;
    m_maxBodyBytes = options.maxBodyBytes;
    m_bodyBytes = 0;
    m_head = options.method == "HEAD";
    m_paused = false;
    m_goneWhilePaused = false;
    m_reused = reused;
    m_gotBytes = false;
    resetExchange();

    if (m_state == State::Idle) {
        onConnected();
        return;
    }
    m_connectDeadline = Clock::now() + milliseconds(qMax(0, m_connectTimeoutMs));
    armTimer(m_connectDeadline);
    if (m_key.tls)
        static_cast<QSslSocket *>(m_socket)->connectToHostEncrypted(m_key.host, m_key.port);
    else
        m_socket->connectToHost(m_key.host, m_key.port);
}

void UpstreamConnection::resetExchange()
{
    m_buffer = QByteArray();
    m_pos = 0;
    m_parser.reset(m_head);
}

void UpstreamConnection::onConnected()
{
    if (m_state == State::Connecting) {
        // Tokens of a stream must not wait for Nagle's algorithm.
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    }
    m_state = State::Busy;
    m_lastActivity = m_sentAt = Clock::now();
    armTimer(currentDeadline());
    // Straight to the kernel, now rather than after the next event loop pass; only what it does
    // not take waits in the socket's buffer.
    writeToSocket(m_socket, m_request);
}

void UpstreamConnection::becomeIdle()
{
    m_state = State::Idle;
    m_reply = nullptr;
    m_request = QByteArray();
    m_head = false;
    m_paused = false;
    m_goneWhilePaused = false;
    m_socket->setReadBufferSize(ReadBufferSize);
    resetExchange();
    m_lastActivity = Clock::now();
    armTimer(m_lastActivity + IdleConnectionLifetime);
}

void UpstreamConnection::close()
{
    if (m_state == State::Closed)
        return;
    if (m_client) {
        m_client->m_pool->removeIdle(this);
        --m_client->m_pool->openCount;
    }
    m_state = State::Closed;
    m_reply = nullptr;
    m_timer.stop();
    m_socket->disconnect(this);
    m_socket->abort();
    deleteLater();
}

void UpstreamConnection::abortFromReply()
{
    m_reply = nullptr;
    close();
}

void UpstreamConnection::setPaused(bool paused)
{
    if (m_state != State::Busy || m_paused == paused)
        return;
    m_paused = paused;
    if (paused) {
        // Qt stops reading from the kernel once this much waits in the socket: from then on the
        // node's sends block on the TCP window, and our memory stays flat.
        m_socket->setReadBufferSize(PausedReadBufferSize);
        return;
    }
    m_socket->setReadBufferSize(ReadBufferSize);
    // Queued: the caller is usually a slot that must not receive data re-entrantly.
    QMetaObject::invokeMethod(this, &UpstreamConnection::resume, Qt::QueuedConnection);
}

void UpstreamConnection::resume()
{
    if (m_state != State::Busy || m_paused || !m_reply)
        return;
    // The idle timeout measures the node: the time it spent blocked by our client is not its.
    m_lastActivity = Clock::now();
    armTimer(currentDeadline());
    UpstreamReply *const reply = m_reply;
    QPointer<UpstreamConnection> self(this);
    readSocket();
    if (m_buffer.size() > m_pos)
        m_gotBytes = true;
    process();
    if (!self || m_state != State::Busy || m_reply != reply || m_paused)
        return;
    if (std::exchange(m_goneWhilePaused, false))
        onSocketGone();
}

void UpstreamConnection::armTimer(Clock::time_point deadline)
{
    if (deadline == Clock::time_point::max())
        return; // nothing to wait for (paused); resume() arms it again
    // Restarting a timer costs more than a clock read, so it is only moved earlier; a timer that
    // fires early re-arms itself for the deadline then in force.
    if (m_timer.isActive() && m_timerDue <= deadline)
        return;
    const qint64 ms = std::chrono::ceil<milliseconds>(deadline - Clock::now()).count();
    m_timerDue = deadline;
    m_timer.start(int(qBound<qint64>(0, ms, qint64(std::numeric_limits<int>::max()))),
                  Qt::CoarseTimer, this);
}

Clock::time_point UpstreamConnection::currentDeadline() const
{
    switch (m_state) {
    case State::Connecting:
        return m_connectDeadline;
    case State::Busy:
        // While paused the node waits for our client, not the other way round.
        if (m_paused)
            return Clock::time_point::max();
        if (!m_parser.bodyStarted())
            return m_sentAt + milliseconds(qMax(0, m_firstByteTimeoutMs));
        return m_lastActivity + milliseconds(qMax(0, m_idleTimeoutMs));
    case State::Idle:
        return m_lastActivity + IdleConnectionLifetime;
    case State::Closed:
        break;
    }
    return Clock::time_point::max();
}

void UpstreamConnection::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_timer.timerId())
        return QObject::timerEvent(event);
    m_timer.stop();
    if (m_state == State::Closed)
        return;
    const auto deadline = currentDeadline();
    const auto now = Clock::now();
    if (now < deadline) {
        armTimer(deadline);
        return;
    }
    switch (m_state) {
    case State::Connecting:
        fail(UpstreamError::ConnectFailed,
             u"Timed out connecting to %1:%2"_s.arg(m_key.host).arg(m_key.port));
        break;
    case State::Busy:
        if (!m_parser.bodyStarted())
            fail(UpstreamError::FirstByteTimeout,
                 u"%1:%2 sent nothing for %3 s after the request"_s.arg(m_key.host)
                     .arg(m_key.port)
                     .arg(seconds(m_firstByteTimeoutMs)));
        else
            fail(UpstreamError::Timeout,
                 u"%1:%2 sent nothing for %3 s in the middle of the response"_s.arg(m_key.host)
                     .arg(m_key.port)
                     .arg(seconds(m_idleTimeoutMs)));
        break;
    case State::Idle:
    case State::Closed:
        close();
        break;
    }
}

void UpstreamConnection::readSocket()
{
    // Drop the consumed prefix in place. A buffer read whole is let go: the next read takes the
    // socket's block over without a copy, and a stream waiting for its next event holds nothing.
    if (m_pos > 0) {
        if (m_pos >= m_buffer.size())
            m_buffer = QByteArray();
        else
            m_buffer.remove(0, m_pos);
        m_pos = 0;
    }
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0)
        return;
    if (m_buffer.isEmpty()) {
        m_buffer = m_socket->read(available);
        return;
    }
    const qsizetype old = m_buffer.size();
    m_buffer.resize(old + available);
    const qint64 got = m_socket->read(m_buffer.data() + old, available);
    m_buffer.resize(old + qMax<qint64>(0, got));
}

void UpstreamConnection::onReadyRead()
{
    if (m_state == State::Idle) {
        // A server has nothing to say on an idle connection; whatever it is, the connection can
        // no longer be trusted to frame the next response.
        close();
        return;
    }
    if (m_state != State::Busy || !m_reply || m_paused)
        return;
    m_lastActivity = Clock::now();
    readSocket();
    if (m_buffer.size() > m_pos)
        m_gotBytes = true;
    if (m_parser.bodyStarted()) {
        process();
        return;
    }
    // The first body byte moves the deadline from the first-byte timeout to the (usually
    // shorter) idle one, and the timer only ever waits for the earliest deadline.
    QPointer<UpstreamConnection> self(this);
    UpstreamReply *const reply = m_reply;
    process();
    if (self && m_state == State::Busy && m_reply == reply && m_parser.bodyStarted())
        armTimer(currentDeadline());
}

void UpstreamConnection::onSocketGone()
{
    switch (m_state) {
    case State::Closed:
        return;
    case State::Idle:
        close();
        return;
    case State::Connecting:
        fail(UpstreamError::ConnectFailed,
             u"Cannot connect to %1:%2: %3"_s.arg(m_key.host)
                 .arg(m_key.port)
                 .arg(m_socket->errorString()));
        return;
    case State::Busy:
        break;
    }

    if (m_paused) {
        // What the node sent before closing is still to be read, when our client catches up.
        m_goneWhilePaused = true;
        return;
    }
    // Bytes may wait in the socket, and in our buffer too: a reply resumed by setPaused(false)
    // is only processed by the queued resume(), which may come after the close.
    if (m_socket->bytesAvailable() > 0 || m_buffer.size() > m_pos) {
        UpstreamReply *reply = m_reply;
        QPointer<UpstreamConnection> self(this);
        onReadyRead();
        if (!self || m_state != State::Busy || m_reply != reply)
            return;
        if (m_paused) {
            // Our client fell behind again while taking that: the rest is read when it catches up.
            m_goneWhilePaused = true;
            return;
        }
    }
    if (m_parser.closeCompletes()) {
        complete();
        return;
    }
    if (m_reused && !m_gotBytes && !m_retried && m_client) {
        // The server closed a kept-alive connection as we reused it: nothing was answered, so
        // the request goes out once more on a connection of its own.
        retryOnFreshConnection();
        return;
    }
    fail(UpstreamError::ConnectionLost,
         u"Connection to %1:%2 lost before the response was complete: %3"_s.arg(m_key.host)
             .arg(m_key.port)
             .arg(m_socket->errorString()));
}

void UpstreamConnection::retryOnFreshConnection()
{
    UpstreamClient *client = m_client;
    UpstreamReply *reply = m_reply;
    const QByteArray request = m_request;
    UpstreamRequest options;
    options.method = m_head ? QByteArrayLiteral("HEAD") : QByteArray();
    options.connectTimeoutMs = m_connectTimeoutMs;
    options.firstByteTimeoutMs = m_firstByteTimeoutMs;
    options.idleTimeoutMs = m_idleTimeoutMs;
    options.maxBodyBytes = m_maxBodyBytes;
    close();
    auto *fresh = new UpstreamConnection(client, m_key);
    client->m_pool->all.insert(fresh);
    ++client->m_pool->openCount;
    fresh->m_retried = true;
    fresh->start(reply, request, options, false);
}

void UpstreamConnection::process()
{
    UpstreamReply *const reply = m_reply;
    for (;;) {
        if (m_paused)
            return; // setPaused(false) comes back here
        QByteArray piece;
        switch (m_parser.next(m_buffer, &m_pos, &piece)) {
        case ResponseParser::Event::NeedMore:
            return;
        case ResponseParser::Event::Error:
            return fail(UpstreamError::BadResponse, m_parser.errorString());
        case ResponseParser::Event::Head: {
            if (m_parser.status() == 408 && m_reused && !m_retried && m_client) {
                // A server that times out an idle kept-alive connection may say so with a 408
                // before closing it; reused just then, the 408 answers nothing we asked. The
                // request goes out once more on a connection of its own, as after a plain close.
                retryOnFreshConnection();
                return;
            }
            reply->m_status = m_parser.status();
            reply->m_headers = m_parser.takeHeaders();
            QPointer<UpstreamReply> guard(reply);
            Q_EMIT reply->headReceived();
            // As in deliver(): the slot may have deleted the client and this connection.
            if (!guard || reply->m_connection != this || m_reply != reply || m_state != State::Busy)
                return;
            break;
        }
        case ResponseParser::Event::Body:
            if (!deliver(std::move(piece)))
                return;
            break;
        case ResponseParser::Event::Done:
            return complete();
        }
    }
}

bool UpstreamConnection::deliver(QByteArray &&piece)
{
    m_bodyBytes += piece.size();
    if (m_maxBodyBytes > 0 && m_bodyBytes > m_maxBodyBytes) {
        fail(UpstreamError::BodyTooLarge,
             u"%1:%2 sent a response body larger than %3 bytes"_s.arg(m_key.host)
                 .arg(m_key.port)
                 .arg(m_maxBodyBytes));
        return false;
    }
    UpstreamReply *const reply = m_reply;
    QPointer<UpstreamReply> guard(reply);
    Q_EMIT reply->dataReceived(piece);
    // The slot may have aborted or deleted the reply, or deleted the client with this connection
    // (the reply's QPointer then no longer points here).
    return guard && reply->m_connection == this && m_reply == reply && m_state == State::Busy;
}

void UpstreamConnection::complete()
{
    UpstreamReply *const reply = m_reply;
    // Bytes past the response, or a request body the server did not wait for, would corrupt the
    // next exchange.
    const bool reusable = m_parser.keepAlive() && m_pos >= m_buffer.size() && m_socket->bytesToWrite() == 0;
    reply->m_done = true;
    reply->m_connection = nullptr;
    m_reply = nullptr;
    if (m_client)
        m_client->release(this, reusable);
    else
        close();
    // Released first, so a slot may send the next request on this very connection.
    Q_EMIT reply->finished();
}

void UpstreamConnection::fail(UpstreamError error, const QString &message)
{
    UpstreamReply *const reply = m_reply;
    close();
    if (!reply)
        return;
    reply->m_done = true;
    reply->m_connection = nullptr;
    if (reply->m_starting) {
        QMetaObject::invokeMethod(
            reply,
            [reply, error, message] {
                if (!reply->m_aborted)
                    Q_EMIT reply->failed(error, message);
            },
            Qt::QueuedConnection);
        return;
    }
    Q_EMIT reply->failed(error, message);
}

// ---------------------------------------------------------------------------------------------

UpstreamReply::UpstreamReply(QObject *parent)
    : QObject(parent)
{ }

UpstreamReply::~UpstreamReply()
{
    if (!m_done)
        abort();
}

QByteArray UpstreamReply::header(const QByteArray &name) const
{
    for (const auto &[key, value] : m_headers) {
        if (equalsNoCase(key, name))
            return value;
    }
    return QByteArray();
}

void UpstreamReply::setPaused(bool paused)
{
    if (UpstreamConnection *connection = m_connection.data())
        connection->setPaused(paused);
}

void UpstreamReply::abort()
{
    m_done = true;
    m_aborted = true;
    if (UpstreamConnection *connection = m_connection.data()) {
        m_connection = nullptr;
        connection->abortFromReply();
    }
}

// ---------------------------------------------------------------------------------------------

UpstreamClient::UpstreamClient(QObject *parent)
    : QObject(parent)
    , m_pool(std::make_unique<Pool>())
{ }

UpstreamClient::~UpstreamClient()
{
    // Connections must not call back into a half-destroyed client.
    const auto all = std::exchange(m_pool->all, {});
    for (UpstreamConnection *connection : all) {
        connection->m_client = nullptr;
        delete connection;
    }
}

UpstreamReply *UpstreamClient::send(const UpstreamRequest &request)
{
    auto *reply = new UpstreamReply;

    const QString scheme = request.url.scheme();
    const bool tls = scheme == "https"_L1;
    if ((!tls && scheme != "http"_L1) || request.url.host().isEmpty()) {
        reply->m_done = true;
        QMetaObject::invokeMethod(
            reply,
            [reply, url = request.url] {
                Q_EMIT reply->failed(UpstreamError::ConnectFailed,
                                     u"Unsupported upstream URL: %1"_s.arg(url.toDisplayString()));
            },
            Qt::QueuedConnection);
        return reply;
    }

    HostKey key { request.url.host(QUrl::FullyEncoded), quint16(request.url.port(tls ? 443 : 80)),
                  tls };

    QByteArray target
        = request.url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority | QUrl::RemoveFragment);
    if (target.isEmpty() || target.front() != '/')
        target.prepend('/');

    const bool sendLength = !request.body.isEmpty() || request.method == "POST"
        || request.method == "PUT" || request.method == "PATCH";

    qsizetype estimate
        = request.method.size() + target.size() + key.host.size() + 64 + request.body.size();
    for (const auto &[name, value] : request.headers)
        estimate += name.size() + value.size() + 4;

    QByteArray bytes;
    bytes.reserve(estimate);
    bytes.append(request.method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ");
    const bool ipv6 = key.host.contains(u':');
    if (ipv6)
        bytes.append('[');
    bytes.append(key.host.toLatin1());
    if (ipv6)
        bytes.append(']');
    if (request.url.port() >= 0 && key.port != (tls ? 443 : 80))
        bytes.append(':').append(QByteArray::number(key.port));
    bytes.append("\r\n");
    for (const auto &[name, value] : request.headers)
        bytes.append(name).append(": ").append(value).append("\r\n");
    if (sendLength)
        bytes.append("Content-Length: ")
            .append(QByteArray::number(request.body.size()))
            .append("\r\n");
    bytes.append("\r\n");
    bytes.append(request.body);

    // Most recently used first: its TCP state is warmest and least likely to have been closed.
    UpstreamConnection *connection = nullptr;
    const auto it = m_pool->idle.find(key);
    if (it != m_pool->idle.end()) {
        while (!it->isEmpty() && !connection) {
            UpstreamConnection *candidate = it->takeLast();
            --m_pool->idleCount;
            if (candidate->isUsable())
                connection = candidate;
            else
                candidate->close();
        }
    }
    const bool reused = connection != nullptr;
    if (!connection) {
        connection = new UpstreamConnection(this, key);
        m_pool->all.insert(connection);
        ++m_pool->openCount;
    }
    reply->m_starting = true;
    connection->start(reply, bytes, request, reused);
    reply->m_starting = false;
    return reply;
}

void UpstreamClient::setMaxIdlePerHost(int count)
{
    m_pool->maxIdlePerHost = qMax(0, count);
    QList<UpstreamConnection *> surplus;
    for (const auto &list : std::as_const(m_pool->idle))
        surplus.append(list.first(qMax<qsizetype>(0, list.size() - m_pool->maxIdlePerHost)));
    for (UpstreamConnection *connection : std::as_const(surplus))
        connection->close();
}

int UpstreamClient::idleConnectionCount() const
{
    return m_pool->idleCount;
}

int UpstreamClient::openConnectionCount() const
{
    return m_pool->openCount;
}

void UpstreamClient::release(UpstreamConnection *connection, bool reusable)
{
    if (!reusable || m_pool->maxIdlePerHost == 0) {
        connection->close();
        return;
    }
    QList<UpstreamConnection *> &list = m_pool->idle[connection->key()];
    connection->becomeIdle();
    list.append(connection);
    ++m_pool->idleCount;
    // The oldest idle connection is the one most likely to be closed by the server soon.
    if (list.size() > m_pool->maxIdlePerHost)
        list.first()->close();
}

} // namespace Maestro

#include "upstreamclient.h"

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
// Status line plus headers; anything larger is not a response we want to hold in memory.
constexpr qsizetype MaxHeadSize = 256 * 1024;

bool equalsNoCase(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}

// Does a comma-separated header value contain token (case-insensitive)?
bool hasToken(QByteArrayView value, QByteArrayView token)
{
    while (!value.isEmpty()) {
        const qsizetype comma = value.indexOf(',');
        const QByteArrayView item = (comma < 0 ? value : value.first(comma)).trimmed();
        if (equalsNoCase(item, token))
            return true;
        if (comma < 0)
            break;
        value = value.sliced(comma + 1);
    }
    return false;
}

// Strict decimal parse: digits only, no sign, no overflow.
bool parseDecimal(QByteArrayView text, qint64 *out)
{
    if (text.isEmpty())
        return false;
    qint64 value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
        if (value > (std::numeric_limits<qint64>::max() - 9) / 10)
            return false;
        value = value * 10 + (c - '0');
    }
    *out = value;
    return true;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The chunk-size of a chunk-size line; extensions after ';' are ignored.
bool parseChunkSize(QByteArrayView line, qint64 *out)
{
    qint64 value = 0;
    qsizetype i = 0;
    for (; i < line.size(); ++i) {
        const int digit = hexValue(line[i]);
        if (digit < 0)
            break;
        if (value > (std::numeric_limits<qint64>::max() >> 4))
            return false;
        value = value * 16 + digit;
    }
    if (i == 0)
        return false;
    const QByteArrayView rest = line.sliced(i).trimmed();
    if (!rest.isEmpty() && rest.front() != ';')
        return false;
    *out = value;
    return true;
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
    // Drops the socket and schedules deletion; leaves any reply untouched.
    void close();

    UpstreamClient *m_client = nullptr;

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    enum class Phase { StatusLine, Headers, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers };
    enum class Framing { None, Length, Chunked, UntilClose };

    void onConnected();
    void onReadyRead();
    void onSocketGone();
    void readSocket();
    void process();
    bool parseStatusLine(QByteArrayView line);
    bool parseHeaderLine(QByteArrayView line);
    bool headComplete();
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

    // The current exchange.
    UpstreamReply *m_reply = nullptr;
    QByteArray m_request;
    int m_connectTimeoutMs = 0;
    int m_idleTimeoutMs = 0;
    bool m_head = false;
    bool m_reused = false;
    bool m_retried = false;
    bool m_gotBytes = false;

    // Response parsing; m_buffer[m_pos..] is not consumed yet.
    QByteArray m_buffer;
    qsizetype m_pos = 0;
    Phase m_phase = Phase::StatusLine;
    Framing m_framing = Framing::None;
    qint64 m_remaining = 0;
    int m_status = 0;
    bool m_http10 = false;
    bool m_keepAlive = true;
    bool m_headEmitted = false;
    HeaderList m_headers;
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
    m_request = request;
    m_connectTimeoutMs = options.connectTimeoutMs;
    m_idleTimeoutMs = options.idleTimeoutMs;
    m_head = options.method == "HEAD";
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
    m_buffer.resize(0);
    m_pos = 0;
    m_phase = Phase::StatusLine;
    m_framing = Framing::None;
    m_remaining = 0;
    m_status = 0;
    m_http10 = false;
    m_keepAlive = true;
    m_headEmitted = false;
    m_headers.clear();
}

void UpstreamConnection::onConnected()
{
    if (m_state == State::Connecting) {
        // Tokens of a stream must not wait for Nagle's algorithm.
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    }
    m_state = State::Busy;
    m_lastActivity = Clock::now();
    armTimer(m_lastActivity + milliseconds(qMax(0, m_idleTimeoutMs)));
    // Sharing the whole request with the socket's buffer avoids a copy; flushing sends it now
    // instead of after the next event loop pass.
    m_socket->write(m_request);
    m_socket->flush();
}

void UpstreamConnection::becomeIdle()
{
    m_state = State::Idle;
    m_reply = nullptr;
    m_request = QByteArray();
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

void UpstreamConnection::armTimer(Clock::time_point deadline)
{
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
        fail(
            UpstreamError::Timeout,
            u"No data from %1:%2 for %3 ms"_s.arg(m_key.host).arg(m_key.port).arg(m_idleTimeoutMs));
        break;
    case State::Idle:
    case State::Closed:
        close();
        break;
    }
}

void UpstreamConnection::readSocket()
{
    // Keep the buffer's capacity across reads: drop the consumed prefix in place.
    if (m_pos > 0) {
        if (m_pos >= m_buffer.size())
            m_buffer.resize(0);
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
    if (m_state != State::Busy || !m_reply)
        return;
    m_lastActivity = Clock::now();
    readSocket();
    if (m_buffer.size() > m_pos)
        m_gotBytes = true;
    process();
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

    if (m_socket->bytesAvailable() > 0) {
        UpstreamReply *reply = m_reply;
        QPointer<UpstreamConnection> self(this);
        onReadyRead();
        if (!self || m_state != State::Busy || m_reply != reply)
            return;
    }
    if (m_phase == Phase::Body && m_framing == Framing::UntilClose) {
        m_keepAlive = false;
        complete();
        return;
    }
    if (m_reused && !m_gotBytes && !m_retried && m_client) {
        // The server closed a kept-alive connection as we reused it: nothing was answered, so
        // the request goes out once more on a connection of its own.
        UpstreamClient *client = m_client;
        UpstreamReply *reply = m_reply;
        const QByteArray request = m_request;
        UpstreamRequest options;
        options.method = m_head ? QByteArrayLiteral("HEAD") : QByteArray();
        options.connectTimeoutMs = m_connectTimeoutMs;
        options.idleTimeoutMs = m_idleTimeoutMs;
        close();
        auto *fresh = new UpstreamConnection(client, m_key);
        client->m_pool->all.insert(fresh);
        ++client->m_pool->openCount;
        fresh->m_retried = true;
        fresh->start(reply, request, options, false);
        return;
    }
    fail(UpstreamError::ConnectionLost,
         u"Connection to %1:%2 lost before the response was complete: %3"_s.arg(m_key.host)
             .arg(m_key.port)
             .arg(m_socket->errorString()));
}

void UpstreamConnection::process()
{
    UpstreamReply *const reply = m_reply;
    const auto stillOurs = [this, reply] {
        return m_reply == reply && m_state == State::Busy;
    };

    for (;;) {
        const char *data = m_buffer.constData();
        const qsizetype size = m_buffer.size();

        switch (m_phase) {
        case Phase::StatusLine:
        case Phase::Headers:
        case Phase::ChunkSize:
        case Phase::Trailers: {
            const qsizetype nl = m_pos < size ? m_buffer.indexOf('\n', m_pos) : -1;
            if (nl < 0) {
                const bool inHead = m_phase == Phase::StatusLine || m_phase == Phase::Headers;
                if (size - m_pos > (inHead ? MaxHeadSize : qsizetype(4096)))
                    fail(UpstreamError::BadResponse, u"Response line too long"_s);
                return;
            }
            qsizetype end = nl;
            if (end > m_pos && data[end - 1] == '\r')
                --end;
            const QByteArrayView line(data + m_pos, end - m_pos);
            m_pos = nl + 1;

            if (m_phase == Phase::StatusLine) {
                if (line.isEmpty() && m_status == 0)
                    continue; // tolerated: a stray line end before the status line
                if (!parseStatusLine(line))
                    return fail(UpstreamError::BadResponse, u"Malformed status line"_s);
                m_phase = Phase::Headers;
            } else if (m_phase == Phase::Headers) {
                if (!line.isEmpty()) {
                    if (!parseHeaderLine(line))
                        return fail(UpstreamError::BadResponse, u"Malformed header line"_s);
                    if (m_pos > MaxHeadSize)
                        return fail(UpstreamError::BadResponse, u"Response head too large"_s);
                    continue;
                }
                if (!headComplete())
                    return; // failed, or an interim response skipped
                if (!m_headEmitted) {
                    m_headEmitted = true;
                    reply->m_status = m_status;
                    reply->m_headers = std::move(m_headers);
                    m_headers.clear();
                    QPointer<UpstreamReply> guard(reply);
                    Q_EMIT reply->headReceived();
                    // As in deliver(): the slot may have deleted the client and this connection.
                    if (!guard || reply->m_connection != this || !stillOurs())
                        return;
                }
                if (m_framing == Framing::None)
                    return complete();
            } else if (m_phase == Phase::ChunkSize) {
                qint64 chunk = 0;
                if (!parseChunkSize(line, &chunk))
                    return fail(UpstreamError::BadResponse, u"Malformed chunk size"_s);
                if (chunk == 0) {
                    m_phase = Phase::Trailers;
                } else {
                    m_remaining = chunk;
                    m_phase = Phase::ChunkData;
                }
            } else { // Trailers
                if (line.isEmpty())
                    return complete();
            }
            break;
        }
        case Phase::Body: {
            const qsizetype available = size - m_pos;
            if (available == 0)
                return;
            qsizetype take = available;
            if (m_framing == Framing::Length && m_remaining < take)
                take = qsizetype(m_remaining);
            QByteArray piece;
            if (m_pos == 0 && take == size) {
                // The whole read is body: hand the buffer over instead of copying it.
                piece = std::exchange(m_buffer, QByteArray());
                m_pos = 0;
            } else {
                piece = m_buffer.mid(m_pos, take);
                m_pos += take;
            }
            if (m_framing == Framing::Length)
                m_remaining -= take;
            if (!deliver(std::move(piece)))
                return;
            if (m_framing == Framing::Length && m_remaining == 0)
                return complete();
            break;
        }
        case Phase::ChunkData: {
            // Every chunk already in the buffer goes out as one piece: fewer signals and copies.
            QByteArray piece;
            for (;;) {
                const qsizetype available = m_buffer.size() - m_pos;
                const qsizetype take = qsizetype(qMin<qint64>(m_remaining, available));
                if (take > 0) {
                    piece.append(m_buffer.constData() + m_pos, take);
                    m_pos += take;
                    m_remaining -= take;
                }
                if (m_remaining > 0)
                    break;
                // CRLF after the chunk data, then possibly the next chunk-size line.
                const char *d = m_buffer.constData();
                const qsizetype sz = m_buffer.size();
                if (m_pos >= sz) {
                    m_phase = Phase::ChunkDataEnd;
                    break;
                }
                qsizetype p = m_pos;
                if (d[p] == '\r') {
                    if (p + 1 >= sz) {
                        m_phase = Phase::ChunkDataEnd;
                        break;
                    }
                    ++p;
                }
                if (d[p] != '\n')
                    return fail(UpstreamError::BadResponse, u"Missing line end after chunk"_s);
                m_pos = p + 1;
                const qsizetype nl = m_buffer.indexOf('\n', m_pos);
                if (nl < 0) {
                    m_phase = Phase::ChunkSize;
                    break;
                }
                qsizetype end = nl;
                if (end > m_pos && d[end - 1] == '\r')
                    --end;
                qint64 chunk = 0;
                if (!parseChunkSize(QByteArrayView(d + m_pos, end - m_pos), &chunk))
                    return fail(UpstreamError::BadResponse, u"Malformed chunk size"_s);
                m_pos = nl + 1;
                if (chunk == 0) {
                    m_phase = Phase::Trailers;
                    break;
                }
                m_remaining = chunk;
            }
            if (!piece.isEmpty() && !deliver(std::move(piece)))
                return;
            if (m_phase == Phase::ChunkData && m_pos >= m_buffer.size())
                return;
            break;
        }
        case Phase::ChunkDataEnd: {
            if (m_pos >= size)
                return;
            qsizetype p = m_pos;
            if (data[p] == '\r') {
                if (p + 1 >= size)
                    return;
                ++p;
            }
            if (data[p] != '\n')
                return fail(UpstreamError::BadResponse, u"Missing line end after chunk"_s);
            m_pos = p + 1;
            m_phase = Phase::ChunkSize;
            break;
        }
        }
    }
}

bool UpstreamConnection::parseStatusLine(QByteArrayView line)
{
    // "HTTP/1.x SP 3DIGIT [SP reason]"
    if (line.size() < 12 || !line.startsWith("HTTP/1.") || line[8] != ' ')
        return false;
    const char minor = line[7];
    if (minor < '0' || minor > '9')
        return false;
    for (int i = 9; i < 12; ++i) {
        if (line[i] < '0' || line[i] > '9')
            return false;
    }
    if (line.size() > 12 && line[12] != ' ')
        return false;
    m_http10 = minor == '0';
    m_status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    return m_status >= 100;
}

bool UpstreamConnection::parseHeaderLine(QByteArrayView line)
{
    if (line.front() == ' ' || line.front() == '\t') {
        // Obsolete line folding: the line continues the previous value.
        if (m_headers.isEmpty())
            return false;
        QByteArray &value = m_headers.last().second;
        value.append(' ');
        value.append(line.trimmed());
        return true;
    }
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0)
        return false;
    const QByteArrayView name = line.first(colon);
    if (name.back() == ' ' || name.back() == '\t')
        return false;
    m_headers.append({ name.toByteArray(), line.sliced(colon + 1).trimmed().toByteArray() });
    return true;
}

bool UpstreamConnection::headComplete()
{
    if (m_status < 200) {
        if (m_status == 101) {
            fail(UpstreamError::BadResponse, u"Unexpected protocol switch"_s);
            return false;
        }
        // Interim response (100 Continue, 103 Early Hints): the real one follows.
        m_headers.clear();
        m_status = 0;
        m_phase = Phase::StatusLine;
        process();
        return false;
    }

    bool chunked = false;
    bool hasLength = false;
    qint64 length = 0;
    bool connectionClose = false;
    bool connectionKeepAlive = false;
    for (const auto &[name, value] : std::as_const(m_headers)) {
        if (equalsNoCase(name, "content-length")) {
            qint64 parsed = 0;
            if (!parseDecimal(value, &parsed) || (hasLength && parsed != length)) {
                fail(UpstreamError::BadResponse, u"Invalid Content-Length"_s);
                return false;
            }
            hasLength = true;
            length = parsed;
        } else if (equalsNoCase(name, "transfer-encoding")) {
            chunked = hasToken(value, "chunked");
        } else if (equalsNoCase(name, "connection")) {
            connectionClose = connectionClose || hasToken(value, "close");
            connectionKeepAlive = connectionKeepAlive || hasToken(value, "keep-alive");
        }
    }
    m_keepAlive = m_http10 ? connectionKeepAlive && !connectionClose : !connectionClose;

    if (m_head || m_status == 204 || m_status == 304) {
        m_framing = Framing::None;
    } else if (chunked) {
        m_framing = Framing::Chunked;
        m_phase = Phase::ChunkSize;
    } else if (hasLength) {
        m_framing = length > 0 ? Framing::Length : Framing::None;
        m_remaining = length;
        m_phase = Phase::Body;
    } else {
        m_framing = Framing::UntilClose;
        m_keepAlive = false;
        m_phase = Phase::Body;
    }
    return true;
}

bool UpstreamConnection::deliver(QByteArray &&piece)
{
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
    const bool reusable = m_keepAlive && m_pos >= m_buffer.size() && m_socket->bytesToWrite() == 0;
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

void UpstreamReply::abort()
{
    m_done = true;
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
    connection->start(reply, bytes, request, reused);
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

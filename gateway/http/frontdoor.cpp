#include "frontdoor.h"
#include "errorbody.h"
#include "httpwire.h"
#include "providers/socketwrite.h"

#include <QLoggingCategory>
#include <QSslSocket>
#include <QTimerEvent>

#include <cstring>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFrontDoor, "maestro.frontdoor")

namespace Maestro {

namespace {

// QHttpServer 6.4 keeps at most this many header fields and drops them all beyond it.
constexpr int QtHeaderFieldLimit = 100;
// A response head the gateway writes is small; this only stops a runaway handler.
constexpr qsizetype MaxResponseHead = 64 * 1024;
// After a refusal the door keeps reading (and discarding) for this long, so the client sees the
// answer instead of a reset caused by the bytes it was still sending (nginx's lingering close).
constexpr int LingerMs = 2000;

bool nameIs(QByteArrayView name, QByteArrayView lowerCase)
{
    return name.size() == lowerCase.size() && name.compare(lowerCase, Qt::CaseInsensitive) == 0;
}

QByteArray pathOf(const QByteArray &target)
{
    const qsizetype query = target.indexOf('?');
    return query < 0 ? target : target.left(query);
}

} // namespace

// --- ProxySocket ---

ProxySocket::ProxySocket(FrontDoor *door, const QTcpSocket *wire)
    : QTcpSocket(door)
    , m_door(door)
{
    setPeerAddress(wire->peerAddress());
    setPeerPort(wire->peerPort());
    setLocalAddress(wire->localAddress());
    setLocalPort(wire->localPort());
    setSocketState(QAbstractSocket::ConnectedState);
    // Unbuffered: QHttpServer's reads come straight from m_released. A buffered QIODevice would
    // keep a read-ahead block of 16 KiB per connection for as long as the connection lives.
    setOpenMode(QIODevice::ReadWrite | QIODevice::Unbuffered);
}

ProxySocket::~ProxySocket()
{
    // QAbstractSocket's destructor aborts a connected socket through its (absent) engine.
    setSocketState(QAbstractSocket::UnconnectedState);
}

qint64 ProxySocket::bytesAvailable() const
{
    return QIODevice::bytesAvailable() + (m_released.size() - m_readPos);
}

bool ProxySocket::canReadLine() const
{
    return QIODevice::canReadLine() || m_released.indexOf('\n', m_readPos) >= 0;
}

qint64 ProxySocket::bytesToWrite() const
{
    return m_door && m_door->m_wire ? m_door->m_wire->bytesToWrite() : 0;
}

void ProxySocket::disconnectFromHost()
{
    if (m_door && !m_closed)
        m_door->handlerClosed();
}

void ProxySocket::close()
{
    disconnectFromHost();
}

void ProxySocket::abortConnection()
{
    if (!m_door || m_closed)
        return;
    m_door->m_wire->abort();
    m_door->finish();
}

void ProxySocket::limitKernelSendBuffer(int bytes)
{
    if (m_door && !m_closed)
        m_door->m_wire->setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, bytes);
}

void ProxySocket::release(const QByteArray &bytes)
{
    if (m_closed)
        return;
    if (m_readPos == m_released.size()) {
        m_released.clear();
        m_readPos = 0;
    }
    m_released += bytes;
    Q_EMIT readyRead();
}

void ProxySocket::wireClosed()
{
    if (m_closed)
        return;
    m_closed = true;
    m_released.clear();
    m_readPos = 0;
    setSocketState(QAbstractSocket::UnconnectedState);
    Q_EMIT stateChanged(QAbstractSocket::UnconnectedState);
    Q_EMIT disconnected();
}

qint64 ProxySocket::readData(char *data, qint64 maxSize)
{
    const qint64 take = std::min<qint64>(maxSize, m_released.size() - m_readPos);
    if (take <= 0)
        return m_closed ? -1 : 0;
    std::memcpy(data, m_released.constData() + m_readPos, size_t(take));
    m_readPos += take;
    if (m_readPos == m_released.size()) {
        m_released.clear();
        m_readPos = 0;
    }
    return take;
}

qint64 ProxySocket::writeData(const char *data, qint64 size)
{
    // Writes after the client went away are dropped, as a closed socket would.
    if (!m_door || m_closed)
        return size;
    return m_door->writeResponse(data, size);
}

// --- FrontDoor ---

FrontDoor::FrontDoor(QTcpSocket *wire, FrontDoorShared *shared, EarlyRefusal earlyRefusal, QObject *parent,
                     const QByteArray &refusal)
    : QObject(parent)
    , m_wire(wire)
    , m_shared(shared)
    , m_earlyRefusal(std::move(earlyRefusal))
{
    ++m_shared->connections;
    m_wire->setParent(this);
    // Qt then stops reading the socket once this much waits unread: a client that sends faster
    // than requests are served meets TCP flow control, not an ever-growing buffer.
    m_wire->setReadBufferSize(MaxBacklog);
    connect(m_wire, &QTcpSocket::readyRead, this, &FrontDoor::readWire);
    connect(m_wire, &QTcpSocket::bytesWritten, this, &FrontDoor::onWireBytesWritten);
    connect(m_wire, &QTcpSocket::disconnected, this, &FrontDoor::finish);
    if (auto *tls = qobject_cast<QSslSocket *>(m_wire)) {
        m_tls = true;
        m_tlsPending = tls->mode() == QSslSocket::UnencryptedMode;
        // A failed handshake (a scanner, a client that does not trust the certificate) ends the
        // connection; nothing can be answered on it.
        connect(m_wire, &QAbstractSocket::errorOccurred, this, &FrontDoor::onWireError);
    }
    if (!refusal.isEmpty()) {
        m_wire->write(refusal);
        closeAfterFlush();
        return;
    }
    m_parser.setLimits(currentLimits());
    m_proxy = new ProxySocket(this, m_wire);
    startTimer(Timer::Header, m_shared->headerTimeoutMs.load());
    if (m_wire->bytesAvailable() > 0)
        scheduleProcess();
}

FrontDoor::~FrontDoor()
{
    --m_shared->connections;
}

RequestParser::Limits FrontDoor::currentLimits() const
{
    RequestParser::Limits limits;
    limits.maxBodyBytes = m_shared->maxBodyBytes.load();
    limits.maxHeaderBytes = m_shared->maxHeaderBytes.load();
    limits.maxHeaderFields = std::min(m_shared->maxHeaderFields.load(), QtHeaderFieldLimit);
    return limits;
}

void FrontDoor::startTimer(Timer kind, int ms)
{
    m_timerKind = kind;
    m_timer.start(std::max(ms, 1), Qt::CoarseTimer, this);
}

void FrontDoor::stopTimer()
{
    m_timerKind = Timer::None;
    m_timer.stop();
}

void FrontDoor::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_timer.timerId())
        return QObject::timerEvent(event);
    const Timer kind = m_timerKind;
    stopTimer();
    switch (kind) {
    case Timer::Header:
        // A connection that never sent a byte is closed silently; a head left unfinished
        // (slowloris) gets its 408.
        if (m_parser.started())
            refuse(408, "The request head did not arrive in time");
        else
            closeAfterFlush();
        break;
    case Timer::Body:
        refuse(408, "The request body stopped arriving");
        break;
    case Timer::KeepAlive:
        closeAfterFlush();
        break;
    case Timer::Send:
        qCInfo(lcFrontDoor) << "dropping a client that took nothing of its answer for"
                            << m_shared->sendTimeoutMs.load() / 1000 << "s";
        m_wire->abort();
        finish();
        break;
    case Timer::Linger:
        m_wire->abort();
        finish();
        break;
    case Timer::None:
        break;
    }
}

void FrontDoor::readWire()
{
    if (m_finished)
        return;
    if (m_closing) {
        // Lingering: what the client still sends is read and dropped.
        m_wire->skip(m_wire->bytesAvailable());
        return;
    }
    process();
}

bool FrontDoor::awaitingTls()
{
    if (!m_tlsPending)
        return false;
    auto *tls = static_cast<QSslSocket *>(m_wire);
    char first = 0;
    // peek() of an unencrypted QSslSocket leaves the bytes in its plain socket, where the
    // handshake will read them.
    if (tls->peek(&first, 1) != 1)
        return true; // nothing yet: the header timer runs
    m_tlsPending = false;
    if (first == 0x16) { // a TLS record of type handshake: the ClientHello
        tls->startServerEncryption();
        return true; // decrypted bytes come with the next readyRead
    }
    qCDebug(lcFrontDoor) << "plain HTTP on the TLS port from" << m_wire->peerAddress();
    m_wire->write(Wire::withConnectionClose(errorResponse(
        Dialect::Admin, ApiError::badRequest(u"This port serves HTTPS: use an https:// URL"_s))));
    closeAfterFlush();
    return true;
}

void FrontDoor::onWireError()
{
    if (m_finished || static_cast<QSslSocket *>(m_wire)->isEncrypted())
        return; // errors of an established connection end in disconnected() as for plain TCP
    qCDebug(lcFrontDoor) << "TLS handshake failed with" << m_wire->peerAddress() << m_wire->errorString();
    m_wire->abort();
    finish();
}

void FrontDoor::scheduleProcess()
{
    // Nothing read and not parsed yet: the next readyRead calls process() itself. Most answers
    // end here, and a queued call would cost the thread a wake-up of its own per request.
    if (m_processScheduled || (m_inboxPos == m_inbox.size() && m_wire->bytesAvailable() == 0))
        return;
    m_processScheduled = true;
    QMetaObject::invokeMethod(this, &FrontDoor::process, Qt::QueuedConnection);
}

void FrontDoor::process()
{
    m_processScheduled = false;
    if (m_closing || m_finished || awaitingTls())
        return;
    for (;;) {
        if (m_closing || m_finished || !m_proxy)
            return;
        // A client that pipelines requests but does not read the answers gets no more answers
        // made until it does (onWireBytesWritten resumes), so they cannot pile up in memory.
        if (!m_inFlight && m_wire->bytesToWrite() > MaxUnsent)
            return;
        // Refill, keeping at most MaxBacklog unparsed.
        const qsizetype unparsed = m_inbox.size() - m_inboxPos;
        if (unparsed < MaxBacklog && m_wire->bytesAvailable() > 0) {
            if (m_inboxPos > 0) {
                m_inbox.remove(0, m_inboxPos);
                m_inboxPos = 0;
            }
            // Exactly what is there (at most the room left): asking for more makes QIODevice
            // reserve a read-ahead block that then stays allocated with the socket, and a read
            // of a whole block takes it over without a copy.
            const qint64 take = std::min<qint64>(MaxBacklog - unparsed, m_wire->bytesAvailable());
            if (m_inbox.isEmpty())
                m_inbox = m_wire->read(take);
            else
                m_inbox += m_wire->read(take);
        }
        // One request at a time: the next waits until this one is answered.
        if (m_inFlight && m_parser.messageDone())
            return;
        const QByteArrayView pending = QByteArrayView(m_inbox).sliced(m_inboxPos);
        if (pending.isEmpty())
            return;
        if (!m_inFlight && !m_parser.started() && m_timerKind != Timer::Header)
            startTimer(Timer::Header, m_shared->headerTimeoutMs.load());

        qsizetype used = 0;
        const RequestParser::Status status = m_parser.feed(pending, &used);
        m_inboxPos += used;
        if (m_inboxPos == m_inbox.size()) {
            m_inbox.clear();
            m_inboxPos = 0;
        }
        if (status == RequestParser::Status::Failed) {
            refuse(m_parser.errorStatus(), m_parser.errorMessage());
            return;
        }
        QByteArray release;
        if (status == RequestParser::Status::HeadDone && !startRequest())
            return;
        if (status == RequestParser::Status::HeadDone && !m_holdBody) {
            release = std::move(m_heldHead);
            m_heldHead.clear();
        }
        const QByteArray body = m_parser.takeBody();
        if (!body.isEmpty()) {
            if (m_holdBody)
                m_heldBody += body;
            else
                release += body;
        }
        if (m_parser.messageDone()) {
            stopTimer();
            if (m_holdBody) {
                release = m_heldHead + "Content-Length: " + QByteArray::number(m_heldBody.size()) + "\r\n\r\n"
                    + m_heldBody;
                m_heldHead.clear();
                m_heldBody.clear();
                m_holdBody = false;
            }
        } else if (m_parser.headDone() && (used > 0 || status == RequestParser::Status::HeadDone)) {
            // The body timeout counts idle time between reads.
            startTimer(Timer::Body, m_shared->bodyTimeoutMs.load());
        }
        // The handler may run (and even answer) right here; the loop looks at the state again.
        if (!release.isEmpty())
            m_proxy->release(release);
    }
}

bool FrontDoor::startRequest()
{
    const RequestParser::Head &head = m_parser.head();
    m_headRequest = head.method == "HEAD";
    m_http10 = head.minorVersion == 0;
    m_closeAfter = !head.keepAlive;
    if (m_earlyRefusal) {
        const QByteArray refusal = m_earlyRefusal(head);
        if (!refusal.isEmpty()) {
            // The body is never read: the connection cannot carry another request.
            m_wire->write(Wire::withConnectionClose(refusal));
            closeAfterFlush();
            return false;
        }
    }
    // What QHttpServer gets: the head without any framing of the client's, then one
    // Content-Length of its own, so its parser never meets chunked encoding or a second length.
    QByteArray out;
    out.reserve(512);
    out += head.method + ' ' + head.target + (m_http10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
    int fields = 0;
    bool host = false;
    for (const RequestParser::Header &header : head.headers) {
        // Framing and hop-by-hop fields are the door's business: QHttpServer would take
        // "Upgrade: websocket" as a WebSocket handshake and drop the connection.
        if (nameIs(header.name, "content-length") || nameIs(header.name, "transfer-encoding")
            || nameIs(header.name, "expect") || nameIs(header.name, "connection")
            || nameIs(header.name, "upgrade") || nameIs(header.name, "keep-alive")
            || nameIs(header.name, "proxy-connection") || nameIs(header.name, "te")
            || nameIs(header.name, "trailer")) {
            continue;
        }
        host = host || nameIs(header.name, "host");
        out += header.name + ": " + header.value + "\r\n";
        ++fields;
    }
    if (!host) {
        // HTTP/1.0 may leave it out; QHttpServer builds the request URL from it.
        out += "Host: localhost\r\n";
        ++fields;
    }
    const bool framed = head.chunked || head.contentLength >= 0;
    if (framed)
        ++fields;
    if (fields > QtHeaderFieldLimit) {
        refuse(431, "Too many header fields");
        return false;
    }
    if (head.expectContinue && head.hasBody())
        m_wire->write(Wire::continueResponse());
    m_inFlight = true;
    m_out = Out::Head;
    m_outHead.clear();
    m_outLine.clear();
    m_dechunk = false;
    m_holdBody = head.chunked;
    m_heldBody.clear();
    if (!head.chunked) {
        if (framed)
            out += "Content-Length: " + QByteArray::number(head.contentLength) + "\r\n";
        out += "\r\n";
    }
    m_heldHead = std::move(out);
    return true;
}

void FrontDoor::refuse(int status, const QByteArray &message)
{
    qCDebug(lcFrontDoor) << "refused" << status << message << "from" << m_wire->peerAddress();
    sendOut(); // anything of an answer made so far comes first
    // Mid-answer there is no way to send another one; the close says enough.
    if (!(m_inFlight && m_out != Out::Head)) {
        // The 413 keeps the wording clients have seen from the gateway all along.
        ApiError error = status == 413
            ? ApiError::tooLarge(u"Request body is larger than the limit of %1 bytes"_s.arg(m_parser.limits().maxBodyBytes))
            : ApiError::badRequest(QString::fromLatin1(message));
        error.upstreamStatus = status;
        const QByteArray path = m_parser.headDone() ? pathOf(m_parser.head().target) : QByteArray();
        m_wire->write(Wire::withConnectionClose(errorResponse(dialectForPath(path), error)));
        // The size is known only from the whole head (or the chunks): logged once it is known.
        if (status == 413 && m_refusalNotice && !m_parser.head().target.isEmpty())
            m_refusalNotice(m_parser.head(), status, error.message);
    }
    closeAfterFlush();
}

void FrontDoor::closeAfterFlush()
{
    if (m_closing || m_finished)
        return;
    sendOut(); // the end of an answer, made in the same write
    m_closing = true;
    stopTimer();
    m_inbox.clear();
    m_inboxPos = 0;
    // Usually the last answer fits in the socket buffer at once, and the FIN follows with it.
    m_wire->flush();
    if (m_wire->bytesToWrite() == 0)
        shutdownWrite();
    else
        startTimer(Timer::Linger, std::max(m_shared->sendTimeoutMs.load(), LingerMs)); // a client that never reads
}

void FrontDoor::shutdownWrite()
{
    if (m_shutdown || m_finished)
        return;
    m_shutdown = true;
#ifdef Q_OS_UNIX
    // A FIN now, then read until the client closes too (or the linger time is up): closing with
    // unread bytes would send a reset, which can destroy the answer before the client reads it.
    // Not under TLS, where the close_notify must go first: disconnectFromHost sends it.
    if (!m_tls && m_wire->state() == QAbstractSocket::ConnectedState && m_wire->socketDescriptor() >= 0
        && ::shutdown(int(m_wire->socketDescriptor()), SHUT_WR) == 0) {
        m_wire->skip(m_wire->bytesAvailable());
        startTimer(Timer::Linger, LingerMs);
        return;
    }
#endif
    m_wire->disconnectFromHost();
    if (m_wire->state() == QAbstractSocket::UnconnectedState)
        finish();
    else
        startTimer(Timer::Linger, LingerMs);
}

void FrontDoor::onWireBytesWritten(qint64 bytes)
{
    if (m_proxy && !m_closing)
        Q_EMIT m_proxy->bytesWritten(bytes);
    const qint64 unsent = m_wire->bytesToWrite();
    if (m_closing) {
        if (m_shutdown)
            return;
        if (unsent == 0)
            shutdownWrite();
        else
            startTimer(Timer::Linger, std::max(m_shared->sendTimeoutMs.load(), LingerMs)); // still taking it
        return;
    }
    if (m_timerKind == Timer::Send) {
        if (unsent > 0)
            startTimer(Timer::Send, m_shared->sendTimeoutMs.load()); // the client is reading
        else if (m_inFlight)
            stopTimer();
        else
            startTimer(Timer::KeepAlive, m_shared->keepAliveTimeoutMs.load());
    }
    if (!m_inFlight && unsent <= MaxUnsent)
        scheduleProcess();
}

void FrontDoor::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    stopTimer();
    if (m_proxy)
        m_proxy->wireClosed();
    deleteLater();
}

// --- The answer ---
//
// The gateway writes raw HTTP/1.1 answers. The door follows their framing (to know when an
// answer is complete and the next request may go in) and adapts them to the client.

qint64 FrontDoor::writeResponse(const char *data, qint64 size)
{
    if (!m_inFlight || m_closing || m_finished) {
        if (size > 0 && !m_closing && !m_finished)
            qCWarning(lcFrontDoor) << "dropped" << size << "bytes written with no request in flight";
        return size;
    }
    QByteArrayView in(data, size);
    while (!in.isEmpty() && m_inFlight && !m_finished && !m_closing) {
        switch (m_out) {
        case Out::Head: {
            const qsizetype searchFrom = std::max<qsizetype>(0, m_outHead.size() - 3);
            m_outHead += in;
            const qsizetype end = m_outHead.indexOf("\r\n\r\n", searchFrom);
            if (end < 0) {
                in = {};
                if (m_outHead.size() > MaxResponseHead) {
                    qCWarning(lcFrontDoor) << "an answer head grew past" << MaxResponseHead << "bytes";
                    closeAfterFlush();
                }
                break;
            }
            const qsizetype rest = m_outHead.size() - (end + 4);
            in = in.last(rest);
            const QByteArray head = m_outHead.left(end + 4);
            m_outHead.clear();
            answerHead(head);
            break;
        }
        case Out::Fixed: {
            const qint64 take = std::min<qint64>(m_outRemaining, in.size());
            emitToWire(in.first(take), true);
            in = in.sliced(take);
            m_outRemaining -= take;
            if (m_outRemaining == 0)
                responseComplete();
            break;
        }
        case Out::ChunkSize:
        case Out::ChunkDataEnd:
        case Out::ChunkTrailer: {
            const qsizetype lf = in.indexOf('\n');
            const QByteArrayView part = lf < 0 ? in : in.first(lf + 1);
            m_outLine += part;
            in = in.sliced(part.size());
            if (lf < 0)
                break;
            const QByteArray line = std::exchange(m_outLine, QByteArray());
            if (!m_dechunk)
                emitToWire(line, true);
            if (m_out == Out::ChunkSize) {
                bool ok = false;
                const qsizetype semicolon = line.indexOf(';');
                const qint64 chunkSize = (semicolon >= 0 ? line.left(semicolon) : line).trimmed().toLongLong(&ok, 16);
                if (!ok || chunkSize < 0) {
                    qCWarning(lcFrontDoor) << "an answer has a malformed chunk size" << line.left(32);
                    closeAfterFlush();
                    break;
                }
                m_outRemaining = chunkSize;
                m_out = chunkSize == 0 ? Out::ChunkTrailer : Out::ChunkData;
            } else if (m_out == Out::ChunkDataEnd) {
                m_out = Out::ChunkSize;
            } else if (line == "\r\n" || line == "\n") {
                responseComplete();
            }
            break;
        }
        case Out::ChunkData: {
            const qint64 take = std::min<qint64>(m_outRemaining, in.size());
            emitToWire(in.first(take), true);
            in = in.sliced(take);
            m_outRemaining -= take;
            if (m_outRemaining == 0)
                m_out = Out::ChunkDataEnd;
            break;
        }
        case Out::UntilClose:
            emitToWire(in, true);
            in = {};
            break;
        case Out::Done:
            in = {};
            break;
        }
    }
    // What this write made goes out now, in one write (a head with its body or first chunk),
    // rather than when the event loop next polls for room.
    sendOut();
    return size;
}

void FrontDoor::answerHead(const QByteArray &head)
{
    const int status = head.mid(9, 3).toInt();
    if (status >= 100 && status < 200) {
        // Interim answers: an HTTP/1.0 client does not know them.
        if (!m_http10 && !m_headRequest)
            m_outPending += head;
        return;
    }
    qint64 contentLength = -1;
    bool chunked = false;
    const QList<QByteArray> lines = head.left(head.size() - 4).split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArrayView name = QByteArrayView(line).first(colon);
        if (nameIs(name, "content-length"))
            contentLength = line.mid(colon + 1).trimmed().toLongLong();
        else if (nameIs(name, "transfer-encoding"))
            chunked = line.mid(colon + 1).trimmed().compare("chunked", Qt::CaseInsensitive) == 0;
    }
    const bool bodyless = status == 204 || status == 304;
    if (bodyless) {
        m_out = Out::Done;
    } else if (chunked) {
        m_out = Out::ChunkSize;
    } else if (contentLength >= 0) {
        m_out = contentLength == 0 ? Out::Done : Out::Fixed;
        m_outRemaining = contentLength;
    } else {
        m_out = Out::UntilClose;
        m_closeAfter = true; // the end of the body is the end of the connection
    }
    if (m_http10 && chunked && !m_headRequest) {
        // HTTP/1.0 has no chunked encoding: the bare bytes, delimited by the close.
        m_dechunk = true;
        m_closeAfter = true;
    }
    if (!m_parser.messageDone())
        m_closeAfter = true; // answered before its body was read: the rest cannot be parsed

    QByteArray out;
    out.reserve(head.size() + 32);
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).endsWith('\r') ? lines.at(i).chopped(1) : lines.at(i);
        if (i > 0) {
            const qsizetype colon = line.indexOf(':');
            const QByteArrayView name = colon > 0 ? QByteArrayView(line).first(colon) : QByteArrayView();
            if (nameIs(name, "connection") || (m_dechunk && nameIs(name, "transfer-encoding")))
                continue;
        }
        out += line + "\r\n";
    }
    if (m_closeAfter)
        out += "Connection: close\r\n";
    else if (m_http10)
        out += "Connection: keep-alive\r\n";
    out += "\r\n";
    m_outPending += out;
    if (m_out == Out::Done)
        responseComplete();
}

void FrontDoor::emitToWire(QByteArrayView bytes, bool body)
{
    if (bytes.isEmpty() || (body && m_headRequest))
        return;
    m_outPending += bytes;
}

void FrontDoor::sendOut()
{
    if (m_outPending.isEmpty() || m_finished)
        return;
    const QByteArray out = std::exchange(m_outPending, QByteArray());
    writeToSocket(m_wire, out);
    // Nothing else is timed while an answer goes out: a client that stops taking it is dropped
    // after send_timeout_seconds (which also ends a stream held back for it). What the kernel
    // took at once needs no watching.
    if (m_timerKind == Timer::None && m_wire->bytesToWrite() > 0)
        startTimer(Timer::Send, m_shared->sendTimeoutMs.load());
}

void FrontDoor::responseComplete()
{
    if (m_closing)
        return;
    sendOut();
    m_out = Out::Done;
    m_inFlight = false;
    if (m_closeAfter || !m_parser.messageDone()) {
        closeAfterFlush();
        return;
    }
    m_parser.reset();
    m_parser.setLimits(currentLimits());
    // Idle only once the answer is out; until then the send timeout watches the client.
    if (m_wire->bytesToWrite() > 0)
        startTimer(Timer::Send, m_shared->sendTimeoutMs.load());
    else
        startTimer(Timer::KeepAlive, m_shared->keepAliveTimeoutMs.load());
    scheduleProcess();
}

void FrontDoor::handlerClosed()
{
    if (m_inFlight && m_out == Out::UntilClose) {
        responseComplete();
        return;
    }
    if (m_inFlight && m_dechunk) {
        // A stream to an HTTP/1.0 client that stopped: its end is the close.
        m_inFlight = false;
    }
    closeAfterFlush();
}

} // namespace Maestro

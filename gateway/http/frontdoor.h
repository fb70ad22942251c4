#pragma once

#include "requestparser.h"

#include <QBasicTimer>
#include <QPointer>
#include <QTcpSocket>

#include <atomic>
#include <functional>

namespace Maestro {

class FrontDoor;

// The limits of the front door, shared by every I/O thread: the settings as atomics (set at each
// reload, read when a connection needs them) and the count of open client connections.
struct FrontDoorShared
{
    std::atomic<qint64> maxBodyBytes{32 * 1024 * 1024};
    std::atomic<qint64> maxHeaderBytes{32 * 1024};
    std::atomic<int> maxHeaderFields{100};
    std::atomic<int> headerTimeoutMs{60'000};
    std::atomic<int> bodyTimeoutMs{60'000};
    std::atomic<int> keepAliveTimeoutMs{75'000};
    std::atomic<int> sendTimeoutMs{60'000}; // a client that takes none of its answer for this long is dropped
    std::atomic<int> maxConnections{10'000};
    std::atomic<int> connections{0}; // open client connections, all I/O threads
    std::atomic<int> listeners{0}; // I/O threads accepting on the port (see GuardedTcpServer::acceptAll)
};

// Looks at a request head before any of its body is read. Returns an empty array when the
// request may go on, otherwise the whole response that refuses it (the door closes after it).
using EarlyRefusal = std::function<QByteArray(const RequestParser::Head &head)>;
// Told of a request the door refused itself once its head was read (413, a body over the limit),
// for the request log.
using RefusalNotice = std::function<void(const RequestParser::Head &head, int status, const QString &message)>;

// What QHttpServer sees instead of the client's socket. It has no socket engine: it reads only
// the normalized requests the door releases, one at a time, and hands everything the gateway
// writes to the door, which frames it for the client. It stays a QTcpSocket so that handlers
// keep their QPointer<QTcpSocket>, state() and disconnected() unchanged.
class ProxySocket final : public QTcpSocket
{
    Q_OBJECT

public:
    ProxySocket(FrontDoor *door, const QTcpSocket *wire);
    ~ProxySocket() override;

    qint64 bytesAvailable() const override;
    bool canReadLine() const override;
    qint64 bytesToWrite() const override;
    void disconnectFromHost() override;
    void close() override;
    bool waitForReadyRead(int) override { return false; }
    bool waitForBytesWritten(int) override { return false; }

    // Drops the client at once, unsent bytes and all (a live log subscriber that does not read).
    void abortConnection();
    // Fixes the kernel's send buffer of the connection at `bytes` (Linux doubles it), instead of
    // letting it grow with the window up to net.ipv4.tcp_wmem's maximum (4 MiB by default): for a
    // long-lived stream whose own queue is the bound (the live request log).
    void limitKernelSendBuffer(int bytes);

    // From the door:
    void release(const QByteArray &bytes);
    void wireClosed(); // goes Unconnected and emits disconnected (once)

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 size) override;

private:
    QPointer<FrontDoor> m_door;
    QByteArray m_released;
    qsizetype m_readPos = 0;
    bool m_closed = false;
};

// One client connection: owns the real socket (the "wire"), reads it into a bounded buffer,
// parses it strictly (RequestParser), and releases one normalized request at a time to the
// ProxySocket that QHttpServer serves, only after the previous answer has been written. That
// answers pipelined requests in order, never lets QHttpServer's own parser see an ambiguous
// request, and lets the door adapt each answer to its client (HEAD, HTTP/1.0, Connection: close).
// It also enforces the timeouts and answers 100 Continue only for heads it accepted.
//
// A QSslSocket wire (GuardedTcpServer with TLS) arrives unencrypted: the door looks at the first
// byte the client sends. A TLS handshake record starts the server handshake, after which the
// socket gives the door decrypted bytes and everything above applies unchanged (the header
// timeout, running from the accept, also bounds the handshake). Anything else is plain HTTP sent
// to the HTTPS port: answered 400 in clear, then closed.
class FrontDoor final : public QObject
{
    Q_OBJECT

public:
    // Takes `wire` (already connected) as a child. With `refusal` non-empty the connection is
    // answered with it at once and closed, without reading any request (the connection cap).
    FrontDoor(QTcpSocket *wire, FrontDoorShared *shared, EarlyRefusal earlyRefusal,
              QObject *parent = nullptr, const QByteArray &refusal = {});
    ~FrontDoor() override;

    // The socket to give QHttpServer; null for a refused connection.
    ProxySocket *proxy() const { return m_proxy; }
    void setRefusalNotice(RefusalNotice notice) { m_refusalNotice = std::move(notice); }

    // Bytes of the pipelined requests read from the client beyond the request being served
    // before the door stops reading the wire.
    static constexpr qsizetype MaxBacklog = 64 * 1024;
    // Answers not yet taken by the client beyond which no further pipelined request is read.
    static constexpr qint64 MaxUnsent = 256 * 1024;

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    friend class ProxySocket;

    enum class Timer { None, Header, Body, KeepAlive, Send, Linger };

    void readWire();
    bool awaitingTls(); // true while the TLS handshake has not started (or the client was refused)
    void onWireError();
    void process();
    void scheduleProcess();
    bool startRequest(); // after a head passed the parser; false when refused
    void refuse(int status, const QByteArray &message);
    void closeAfterFlush();
    void onWireBytesWritten(qint64 bytes);
    void shutdownWrite();
    RequestParser::Limits currentLimits() const;
    void finish();
    void startTimer(Timer kind, int ms);
    void stopTimer();

    // The gateway's answer, as the proxy receives it.
    qint64 writeResponse(const char *data, qint64 size);
    void handlerClosed();
    void responseComplete();
    void emitToWire(QByteArrayView bytes, bool body);
    void answerHead(const QByteArray &head);
    void sendOut();

    QTcpSocket *m_wire;
    QPointer<ProxySocket> m_proxy;
    FrontDoorShared *m_shared;
    EarlyRefusal m_earlyRefusal;
    RefusalNotice m_refusalNotice;
    RequestParser m_parser;
    QByteArray m_inbox; // read from the wire, not parsed yet
    qsizetype m_inboxPos = 0;
    QBasicTimer m_timer;
    Timer m_timerKind = Timer::None;
    bool m_processScheduled = false;
    bool m_closing = false; // no more requests: flushing, then lingering
    bool m_finished = false;
    bool m_shutdown = false; // our side of the wire is closed; lingering
    bool m_tls = false; // the wire is a QSslSocket
    bool m_tlsPending = false; // ... whose handshake has not started yet

    // The request being served.
    bool m_inFlight = false; // released to QHttpServer, answer not complete
    bool m_holdBody = false; // chunked: released whole once complete
    QByteArray m_heldHead; // normalized head without its framing line
    QByteArray m_heldBody;
    bool m_headRequest = false;
    bool m_http10 = false;
    bool m_closeAfter = false; // the client asked for close (or is HTTP/1.0 without keep-alive)

    // The answer being written (see writeResponse).
    enum class Out { Head, Fixed, ChunkSize, ChunkData, ChunkDataEnd, ChunkTrailer, UntilClose, Done };
    Out m_out = Out::Head;
    QByteArray m_outHead;
    QByteArray m_outLine;
    QByteArray m_outPending; // for the client, made during one writeResponse: sent in one write
    qint64 m_outRemaining = 0;
    bool m_dechunk = false; // HTTP/1.0 client: chunked answer sent as its bare bytes, then close
};

} // namespace Maestro

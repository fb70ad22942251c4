#pragma once

#include "responseparser.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QUrl>

#include <memory>

namespace Maestro {

struct UpstreamRequest
{
    QByteArray method = QByteArrayLiteral("POST");
    QUrl url;                 // http:// or https://; path and query are sent as given
    HeaderList headers;       // Host, Content-Length and Connection are added by the client
    QByteArray body;
    int connectTimeoutMs = 10'000;
    // Longest wait from sending the request to the first byte of the response body (the end of
    // the response when it has none): a large prompt on a slow GPU takes minutes to read, and
    // some servers send the head at once and the body only then.
    int firstByteTimeoutMs = 300'000;
    int idleTimeoutMs = 120'000; // longest wait for the next byte once the body has begun
    // For callers that hold the whole body: a longer one fails with BodyTooLarge. 0: no limit
    // (streams, which are relayed as they arrive).
    qint64 maxBodyBytes = 0;
};

enum class UpstreamError {
    None,
    ConnectFailed,   // DNS, refused, TLS handshake or connect timeout: nothing was sent
    FirstByteTimeout, // no body byte within firstByteTimeoutMs of sending the request
    Timeout,         // no byte for idleTimeoutMs in the middle of the body
    ConnectionLost,  // the connection closed before the response was complete
    BadResponse,     // the response could not be parsed as HTTP/1.1, or its head is too large
    BodyTooLarge,    // the body passed maxBodyBytes
};

class UpstreamConnection;

// One request/response exchange. Signals are emitted on the client's thread, in this order:
// headReceived once, dataReceived zero or more times (body pieces with chunked framing removed,
// as they arrive), then exactly one of finished or failed. abort() stops everything, and no
// signal is emitted after it. The reply is owned by the caller (delete or deleteLater).
class UpstreamReply final : public QObject
{
    Q_OBJECT

public:
    ~UpstreamReply() override;

    int status() const { return m_status; }
    const HeaderList &headers() const { return m_headers; }
    QByteArray header(const QByteArray &name) const; // case-insensitive, first match
    bool isFinished() const { return m_done; }

    // Drops the connection (it is not reused) and emits nothing more.
    void abort();
    // Backpressure: while paused no more of the response is read (and no signal is emitted), so
    // the node is held back by TCP flow control instead of filling our memory. The timeouts do
    // not run while paused. Resuming delivers what is pending from the event loop.
    void setPaused(bool paused);

Q_SIGNALS:
    void headReceived();
    void dataReceived(const QByteArray &piece);
    void finished();
    void failed(Maestro::UpstreamError error, const QString &message);

private:
    friend class UpstreamClient;
    friend class UpstreamConnection;
    explicit UpstreamReply(QObject *parent = nullptr);

    QPointer<UpstreamConnection> m_connection;
    int m_status = 0;
    HeaderList m_headers;
    bool m_done = false;
    bool m_aborted = false;
    // True while send() starts the exchange: a failure found at once (no descriptor left, an
    // address that cannot be reached) is reported from the event loop, once the caller listens.
    bool m_starting = false;
};

// A small HTTP/1.1 client for talking to LLM nodes. Unlike QNetworkAccessManager in Qt 6.4 it
// has no cap of 6 connections per host, and it keeps idle connections alive for reuse.
// Lives on one thread; not thread-safe.
class UpstreamClient final : public QObject
{
    Q_OBJECT

public:
    explicit UpstreamClient(QObject *parent = nullptr);
    ~UpstreamClient() override;

    UpstreamReply *send(const UpstreamRequest &request);

    // Idle keep-alive connections kept per host:port (default 64); busy ones are not capped.
    void setMaxIdlePerHost(int count);
    int idleConnectionCount() const;
    int openConnectionCount() const;

private:
    friend class UpstreamConnection;
    void release(UpstreamConnection *connection, bool reusable);

    struct Pool;
    std::unique_ptr<Pool> m_pool;
};

} // namespace Maestro

#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QUrl>

#include <memory>

namespace Maestro {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

struct UpstreamRequest
{
    QByteArray method = QByteArrayLiteral("POST");
    QUrl url;                 // http:// or https://; path and query are sent as given
    HeaderList headers;       // Host, Content-Length and Connection are added by the client
    QByteArray body;
    int connectTimeoutMs = 10'000;
    int idleTimeoutMs = 600'000; // longest wait for the next byte of the response
};

enum class UpstreamError {
    None,
    ConnectFailed,   // DNS, refused, TLS handshake or connect timeout: nothing was sent
    Timeout,         // no byte for idleTimeoutMs after the request was sent
    ConnectionLost,  // the connection closed before the response was complete
    BadResponse,     // the response could not be parsed as HTTP/1.1
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

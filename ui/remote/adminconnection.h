#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace Maestro {

// A gateway the desktop app manages over its admin API.
struct GatewayEndpoint
{
    QUrl url;                  // http(s)://host:port, no path
    QByteArray adminToken;     // sent as a bearer token; never written to a log or to settings
    // The SHA-256 fingerprint ("AA:BB:...", as --tls-cert prints it) of a certificate trusted
    // without a certificate authority (a self-signed one on a LAN server). Empty: only
    // certificates the system trusts.
    QString pinnedFingerprint;

    // "host:port", for titles and menus.
    QString displayName() const;
};

// Why a request to a gateway failed, in words for the user.
struct AdminFailure
{
    enum class Kind {
        None,
        Unreachable, // refused, no route, unknown host, reset
        Timeout,     // no complete answer within AdminConnection::TimeoutMs
        Certificate, // TLS: not trusted and not the pinned one (fingerprint tells which it was)
        Token,       // 401 or 403: the admin token was refused
        Version,     // a gateway of another version (probe only)
        Refused,     // any other HTTP error: the gateway's own "detail"/"error" message
        Malformed,   // not a gateway's answer: not JSON, or over MaxAnswerBytes
    };
    Kind kind = Kind::None;
    int status = 0;         // the HTTP status, when an answer came
    QString message;        // one translated sentence for the user
    // Certificate: the SHA-256 of the certificate the server showed, when pinning it would let it
    // in (it is only not trusted); empty when something else is wrong with it (expired, revoked,
    // not meant for a server), which no pin excuses.
    QString fingerprint;

    bool failed() const { return kind != Kind::None; }
};

// The desktop app's HTTP connection to one gateway's admin API. Every request carries the admin
// token, is bounded in time (TimeoutMs) and in size (MaxAnswerBytes), and answers on the thread of
// this object; nothing here blocks. With a pinned fingerprint, a certificate that does not chain to
// a trusted authority is accepted only when its SHA-256 equals the pin (any other TLS error is
// still refused).
class AdminConnection final : public QObject
{
    Q_OBJECT

public:
    static constexpr int TimeoutMs = 15000;
    static constexpr qint64 MaxAnswerBytes = 64 * 1024 * 1024;
    static constexpr qint64 MaxStreamEventBytes = 1024 * 1024;

    explicit AdminConnection(GatewayEndpoint endpoint, QObject *parent = nullptr);
    ~AdminConnection() override;

    const GatewayEndpoint &endpoint() const { return m_endpoint; }

    // The bounds in force: the constants above and those of the live log, unless a test shortens
    // them (a server that never answers should not make a test wait 15 s).
    struct Limits
    {
        int timeoutMs = TimeoutMs;
        qint64 maxAnswerBytes = MaxAnswerBytes;
        qint64 maxStreamEventBytes = MaxStreamEventBytes;
        int logStreamIdleMs = 45000; // three missed heartbeats
        int logStreamFirstRetryMs = 1000;
        int logStreamMaxRetryMs = 30000;
    };
    const Limits &limits() const { return m_limits; }
    // Applies to requests started afterwards.
    void setLimits(const Limits &limits) { m_limits = limits; }

    using Done = std::function<void(const QJsonValue &answer, const AdminFailure &failure)>;
    // One request, e.g. send("POST", "/admin/users", QJsonObject{{"username","ann"}}, ...).
    // `path` includes any query, already percent-encoded. A null `body` sends none. done() runs
    // once, later, unless `context` was destroyed; an answer without a body (204) is a null value.
    // failed() comes before done(); done() may delete this connection only with deleteLater().
    void send(const QByteArray &method, const QString &path, const QJsonValue &body, QObject *context, Done done);

    // GET /admin/status: the gateway is reached, accepts the token and runs this app's version
    // (MAESTRO_VERSION). Its status object, or the failure (Kind::Version names both versions).
    void probe(QObject *context, std::function<void(const QJsonObject &status, const AdminFailure &failure)> done);

    // A streamed answer of newline-delimited JSON objects (POST /api/pull): onLine for each line
    // (at most MaxStreamEventBytes each), then done once. No overall timeout, but the stream is
    // dropped after TimeoutMs without a byte. Deleting or aborting the returned reply cancels it
    // (done then reports the cancel as Unreachable).
    QNetworkReply *streamLines(const QByteArray &method, const QString &path, const QJsonValue &body, QObject *context,
                               std::function<void(const QJsonObject &line)> onLine,
                               std::function<void(const AdminFailure &failure)> done);

    // The live request log (GET /admin/request-logs/stream, server-sent events parsed with the
    // gateway's SseParser capped at MaxStreamEventBytes). While open it reconnects after a drop
    // (after 1 s, doubling up to 30 s; back to 1 s once a stream lived 45 s) and is dropped itself
    // when nothing, not even a heartbeat, arrived for 45 s. A refused token stops it (failed()).
    void openLogStream();
    void closeLogStream();
    bool isLogStreamConnected() const;

Q_SIGNALS:
    // One event of the live log: "request" (a request log entry as GET /admin/request-logs lists
    // them) or "node" ({"node_id","node_name","health_status"}).
    void logEvent(const QByteArray &name, const QJsonObject &data);
    void logStreamConnectedChanged(bool connected);
    // A request failed because the token was refused or the gateway went away: the window says so.
    void failed(const Maestro::AdminFailure &failure);

private:
    GatewayEndpoint m_endpoint;
    std::unique_ptr<QNetworkAccessManager> m_network;
    Limits m_limits;

    struct Call;
    QNetworkReply *start(const QByteArray &method, const QString &path, const QJsonValue &body, bool stream);
    void watchTls(QNetworkReply *reply, const std::shared_ptr<Call> &call);
    AdminFailure classify(QNetworkReply *reply, const Call &call, const QByteArray &body) const;
    void report(const AdminFailure &failure);

    // The live log.
    void connectLogStream();
    void onLogStreamData();
    void onLogStreamFinished();
    void setLogStreamConnected(bool connected);
    bool m_logWanted = false;
    bool m_logConnected = false;
    bool m_logOutage = false; // an Unreachable attempt was reported; the next is not until it connected
    int m_logRetryMs = 0;
    QElapsedTimer m_logConnectedFor;
    QPointer<QNetworkReply> m_logReply;
    std::shared_ptr<Call> m_logCall;
    QTimer *m_logIdle = nullptr;
    QTimer *m_logRetry = nullptr;
    bool m_destroying = false;
};

} // namespace Maestro

#include "adminconnection.h"

#include "providers/streamparsers.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

// An error answer of a stream is read for its message only; a gateway's is a few hundred bytes.
constexpr qint64 MaxStreamErrorBytes = 64 * 1024;

// What a certificate authority would have vouched for. A pinned certificate stands in for the
// authority, so these are excused when its fingerprint is the pin. The host name is excused too:
// the pin names the very certificate, whatever address the user typed to reach the server (a LAN
// gateway is often reached by an address its certificate does not list). Everything else (an
// expired or revoked certificate, a broken signature, a certificate not meant for a server) is a
// fault of the certificate itself and no pin excuses it.
bool isTrustError(QSslError::SslError error)
{
    switch (error) {
    case QSslError::SelfSignedCertificate:
    case QSslError::SelfSignedCertificateInChain:
    case QSslError::UnableToGetIssuerCertificate:
    case QSslError::UnableToGetLocalIssuerCertificate:
    case QSslError::UnableToVerifyFirstCertificate:
    case QSslError::CertificateUntrusted:
    case QSslError::HostNameMismatch:
        return true;
    default:
        return false;
    }
}

// "AA:BB:...", upper case, as TlsIdentity and `openssl x509 -fingerprint -sha256` write it.
QString fingerprintOf(const QSslCertificate &certificate)
{
    if (certificate.isNull())
        return {};
    return QString::fromLatin1(certificate.digest(QCryptographicHash::Sha256).toHex(':').toUpper());
}

// A pin as the user may have pasted it: any case, with or without colons or blanks.
QString normalizedFingerprint(const QString &text)
{
    QString out;
    for (const QChar c : text) {
        if (c.isLetterOrNumber())
            out += c.toUpper();
    }
    return out;
}

QByteArray jsonBytes(const QJsonValue &value)
{
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    // A bare value: QJsonDocument holds only objects and arrays, so write it inside one.
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

// The message of an error body in any of the gateway's dialects: {"detail"} (admin API),
// {"error":"..."} (Ollama), {"error":{"message"}} (OpenAI, Anthropic).
QString errorText(const QByteArray &body)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    if (object.value("detail"_L1).isString())
        return object.value("detail"_L1).toString();
    const QJsonValue error = object.value("error"_L1);
    if (error.isString())
        return error.toString();
    return error.toObject().value("message"_L1).toString();
}

} // namespace

QString GatewayEndpoint::displayName() const
{
    const QString host = url.host();
    const int port = url.port(url.scheme() == "https"_L1 ? 443 : 80);
    return (host.contains(u':') ? u'[' + host + u']' : host) + u':' + QString::number(port);
}

// What one request has seen so far, shared by the handlers of its reply.
struct AdminConnection::Call
{
    QByteArray body; // a whole answer, or the error body of a stream
    qint64 maxBody = 0;
    bool finished = false;
    bool timedOut = false;
    bool tooLarge = false;
    QString malformed; // a stream's line or event that could not be taken
    bool certificate = false;
    QString certificateMessage;
    QString fingerprint;
    NdjsonParser lines;
    SseParser events;
};

AdminConnection::AdminConnection(GatewayEndpoint endpoint, QObject *parent)
    : QObject(parent)
    , m_endpoint(std::move(endpoint))
    , m_network(std::make_unique<QNetworkAccessManager>())
    , m_logIdle(new QTimer(this))
    , m_logRetry(new QTimer(this))
{
    // A system proxy must not see a request to this machine (nor its admin token).
    const QString host = m_endpoint.url.host();
    if (host.compare("localhost"_L1, Qt::CaseInsensitive) == 0 || QHostAddress(host).isLoopback())
        m_network->setProxy(QNetworkProxy::NoProxy);
    m_logIdle->setSingleShot(true);
    m_logRetry->setSingleShot(true);
    connect(m_logIdle, &QTimer::timeout, this, [this] {
        // Not even a heartbeat: the connection is dead without knowing it. Drop it and retry.
        if (m_logReply && m_logCall) {
            m_logCall->timedOut = true;
            m_logReply->abort();
        }
    });
    connect(m_logRetry, &QTimer::timeout, this, [this] {
        if (m_logWanted && !m_logReply)
            connectLogStream();
    });
}

AdminConnection::~AdminConnection()
{
    // The manager deletes its replies; none of their handlers may run into a half-destroyed object.
    m_destroying = true;
    m_network.reset();
}

QNetworkReply *AdminConnection::start(const QByteArray &method, const QString &path, const QJsonValue &body, bool stream)
{
    QNetworkRequest request(m_endpoint.url.resolved(QUrl(path)));
    request.setRawHeader("Authorization", "Bearer " + m_endpoint.adminToken);
    request.setRawHeader("Accept", stream ? "application/x-ndjson, text/event-stream" : "application/json");
    // The token goes to this gateway only: a redirect is an answer, not a place to follow.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    // The gateway speaks HTTP/1.1.
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    QByteArray data;
    if (!body.isNull() && !body.isUndefined()) {
        data = jsonBytes(body);
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    }
    return m_network->sendCustomRequest(request, method, data);
}

void AdminConnection::watchTls(QNetworkReply *reply, const std::shared_ptr<Call> &call)
{
    connect(reply, &QNetworkReply::sslErrors, this, [this, reply, call](const QList<QSslError> &errors) {
        QSslCertificate peer = reply->sslConfiguration().peerCertificate();
        for (const QSslError &error : errors) {
            if (peer.isNull())
                peer = error.certificate();
        }
        const QString fingerprint = fingerprintOf(peer);
        const bool trustOnly = std::all_of(errors.cbegin(), errors.cend(),
                                           [](const QSslError &error) { return isTrustError(error.error()); });
        const QString pin = normalizedFingerprint(m_endpoint.pinnedFingerprint);
        if (trustOnly && !pin.isEmpty() && normalizedFingerprint(fingerprint) == pin) {
            reply->ignoreSslErrors(errors);
            return;
        }
        // Not ignored: the handshake fails and finished() reports this.
        call->certificate = true;
        if (!trustOnly) {
            const auto fault = std::find_if(errors.cbegin(), errors.cend(),
                                            [](const QSslError &error) { return !isTrustError(error.error()); });
            call->certificateMessage = tr("The gateway's certificate cannot be used: %1.")
                                           .arg(fault->errorString().remove(QRegularExpression(u"\\.$"_s)));
        } else if (!pin.isEmpty()) {
            call->fingerprint = fingerprint;
            call->certificateMessage = tr("The gateway's certificate is not the one trusted for %1 "
                                          "(it is now SHA-256 %2).")
                                           .arg(m_endpoint.displayName(), fingerprint);
        } else {
            call->fingerprint = fingerprint;
            call->certificateMessage = tr("The gateway's certificate is not trusted (SHA-256 %1).").arg(fingerprint);
        }
    });
}

AdminFailure AdminConnection::classify(QNetworkReply *reply, const Call &call, const QByteArray &body) const
{
    AdminFailure failure;
    failure.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString where = m_endpoint.displayName();
    if (call.certificate) {
        failure.kind = AdminFailure::Kind::Certificate;
        failure.fingerprint = call.fingerprint;
        failure.message = call.certificateMessage;
        return failure;
    }
    if (call.timedOut) {
        failure.kind = AdminFailure::Kind::Timeout;
        failure.message = tr("%1 did not answer within %2 seconds.")
                              .arg(where, QLocale().toString((call.maxBody < 0 ? m_limits.logStreamIdleMs : m_limits.timeoutMs) / 1000.0));
        return failure;
    }
    if (call.tooLarge) {
        failure.kind = AdminFailure::Kind::Malformed;
        failure.message = tr("The answer from %1 is larger than %2; it was not read.")
                              .arg(where, QLocale().formattedDataSize(call.maxBody));
        return failure;
    }
    if (!call.malformed.isEmpty()) {
        failure.kind = AdminFailure::Kind::Malformed;
        failure.message = call.malformed;
        return failure;
    }
    if (failure.status == 401 || failure.status == 403) {
        failure.kind = AdminFailure::Kind::Token;
        failure.message = tr("The gateway refused the admin token.");
        return failure;
    }
    if (failure.status >= 300 || (failure.status > 0 && failure.status < 200)) {
        failure.kind = AdminFailure::Kind::Refused;
        failure.message = errorText(body);
        if (failure.message.isEmpty()) {
            const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
            failure.message = tr("The gateway answered %1 %2.").arg(failure.status).arg(reason).trimmed();
        }
        return failure;
    }
    switch (reply->error()) {
    case QNetworkReply::NoError:
        return failure;
    case QNetworkReply::ConnectionRefusedError:
        failure.message = tr("Could not connect to %1: connection refused.").arg(where);
        break;
    case QNetworkReply::HostNotFoundError:
        failure.message = tr("Could not connect to %1: the host is unknown.").arg(where);
        break;
    case QNetworkReply::RemoteHostClosedError:
        failure.message = tr("%1 closed the connection before it answered.").arg(where);
        break;
    case QNetworkReply::TimeoutError:
        failure.kind = AdminFailure::Kind::Timeout;
        failure.message = tr("Could not connect to %1: no answer in time.").arg(where);
        return failure;
    case QNetworkReply::OperationCanceledError:
        failure.message = tr("The request to %1 was cancelled.").arg(where);
        break;
    case QNetworkReply::SslHandshakeFailedError:
        failure.message = tr("Could not open a secure connection to %1: %2.")
                              .arg(where, reply->errorString().remove(QRegularExpression(u"\\.$"_s)));
        break;
    default:
        failure.message = tr("Could not connect to %1: %2.")
                              .arg(where, reply->errorString().remove(QRegularExpression(u"\\.$"_s)));
        break;
    }
    failure.kind = AdminFailure::Kind::Unreachable;
    return failure;
}

void AdminConnection::report(const AdminFailure &failure)
{
    if (failure.kind == AdminFailure::Kind::Token || failure.kind == AdminFailure::Kind::Unreachable)
        Q_EMIT failed(failure);
}

void AdminConnection::send(const QByteArray &method, const QString &path, const QJsonValue &body, QObject *context,
                           Done done)
{
    const QPointer<QObject> guard(context);
    const bool hasContext = context != nullptr;
    auto call = std::make_shared<Call>();
    call->maxBody = m_limits.maxAnswerBytes;
    QNetworkReply *reply = start(method, path, body, false);
    watchTls(reply, call);
    // The whole answer within the timeout, not merely some byte now and then.
    auto *timer = new QTimer(reply);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, reply, [reply, call] {
        call->timedOut = true;
        reply->abort();
    });
    timer->start(m_limits.timeoutMs);
    connect(reply, &QNetworkReply::metaDataChanged, this, [reply, call] {
        const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
        if (length.isValid() && length.toLongLong() > call->maxBody && !call->finished && !call->tooLarge) {
            call->tooLarge = true;
            // Not from inside this signal: Qt 6.4 then reports an error twice.
            QMetaObject::invokeMethod(reply, &QNetworkReply::abort, Qt::QueuedConnection);
        }
    });
    connect(reply, &QNetworkReply::readyRead, this, [reply, call] {
        if (call->tooLarge || call->finished)
            return;
        call->body += reply->read(call->maxBody - call->body.size() + 1);
        if (call->body.size() > call->maxBody) {
            call->tooLarge = true;
            call->body.clear();
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply, call, guard, hasContext, done = std::move(done)] {
        if (m_destroying || call->finished)
            return;
        call->finished = true;
        reply->deleteLater();
        if (!call->tooLarge && reply->bytesAvailable() > 0) {
            call->body += reply->read(call->maxBody - call->body.size() + 1);
            if (call->body.size() > call->maxBody)
                call->tooLarge = true;
        }
        AdminFailure failure = classify(reply, *call, call->body);
        QJsonValue answer;
        if (!failure.failed() && !call->body.isEmpty()) {
            QJsonParseError error;
            const QJsonDocument document = QJsonDocument::fromJson(call->body, &error);
            if (error.error != QJsonParseError::NoError) {
                failure.kind = AdminFailure::Kind::Malformed;
                failure.message = tr("The answer from %1 is not a Model Maestro gateway's answer.")
                                      .arg(m_endpoint.displayName());
            } else {
                answer = document.isObject() ? QJsonValue(document.object()) : QJsonValue(document.array());
            }
        }
        call->body.clear();
        // The banner first: done() may delete this connection (it should use deleteLater()).
        report(failure);
        if (!hasContext || guard)
            done(answer, failure);
    });
}

void AdminConnection::probe(QObject *context, std::function<void(const QJsonObject &, const AdminFailure &)> done)
{
    send("GET", u"/admin/status"_s, QJsonValue(), context,
         [this, done = std::move(done)](const QJsonValue &answer, const AdminFailure &failure) {
             if (failure.failed())
                 return done({}, failure);
             const QJsonObject status = answer.toObject();
             const QString version = status.value("version"_L1).toString();
             AdminFailure result;
             if (version.isEmpty() || !status.value("instance_id"_L1).isString()) {
                 result.kind = AdminFailure::Kind::Malformed;
                 result.status = failure.status;
                 result.message = tr("%1 did not answer as a Model Maestro gateway.").arg(m_endpoint.displayName());
                 return done({}, result);
             }
             if (version != QStringLiteral(MAESTRO_VERSION)) {
                 result.kind = AdminFailure::Kind::Version;
                 result.status = failure.status;
                 result.message = tr("The gateway runs version %1; this app is %2.")
                                      .arg(version, QStringLiteral(MAESTRO_VERSION));
                 return done(status, result);
             }
             done(status, result);
         });
}

QNetworkReply *AdminConnection::streamLines(const QByteArray &method, const QString &path, const QJsonValue &body,
                                            QObject *context, std::function<void(const QJsonObject &)> onLine,
                                            std::function<void(const AdminFailure &)> done)
{
    const QPointer<QObject> guard(context);
    const bool hasContext = context != nullptr;
    auto call = std::make_shared<Call>();
    call->maxBody = MaxStreamErrorBytes;
    call->lines.setMaxLineBytes(m_limits.maxStreamEventBytes);
    QNetworkReply *reply = start(method, path, body, true);
    watchTls(reply, call);
    auto *idle = new QTimer(reply);
    idle->setSingleShot(true);
    idle->setInterval(m_limits.timeoutMs);
    connect(idle, &QTimer::timeout, reply, [reply, call] {
        call->timedOut = true;
        reply->abort();
    });
    idle->start();
    if (context)
        connect(context, &QObject::destroyed, reply, &QNetworkReply::abort);

    const auto finish = [this, call, guard, hasContext, done](const AdminFailure &failure) {
        call->finished = true;
        report(failure);
        if (!hasContext || guard)
            done(failure);
    };
    const auto takeLines = [this, reply, call, guard, hasContext, onLine](const QList<QByteArray> &lines) {
        const QPointer<QNetworkReply> alive(reply);
        for (const QByteArray &line : lines) {
            const QJsonDocument document = QJsonDocument::fromJson(line);
            if (!document.isObject()) {
                call->malformed = tr("A line of the answer from %1 is not a JSON object.").arg(m_endpoint.displayName());
                reply->abort();
                return;
            }
            if (hasContext && !guard)
                return;
            onLine(document.object());
            // The caller may have cancelled the stream from its callback.
            if (!alive || call->finished)
                return;
        }
    };
    connect(reply, &QNetworkReply::readyRead, this, [this, reply, call, idle, takeLines] {
        if (call->finished || !call->malformed.isEmpty())
            return;
        idle->start();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status < 200 || status >= 300) {
            // An error answer: only its message counts, and only so much of it.
            call->body += reply->read(std::max<qint64>(0, call->maxBody - call->body.size()));
            reply->skip(reply->bytesAvailable());
            return;
        }
        const QList<QByteArray> lines = call->lines.feed(reply->readAll());
        takeLines(lines);
        if (call->lines.overflowed() && call->malformed.isEmpty() && !call->finished) {
            call->malformed = tr("A line of the answer from %1 is longer than %2.")
                                  .arg(m_endpoint.displayName(), QLocale().formattedDataSize(m_limits.maxStreamEventBytes));
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply, call, finish, takeLines] {
        if (m_destroying || call->finished)
            return;
        reply->deleteLater();
        AdminFailure failure = classify(reply, *call, call->body);
        if (!failure.failed()) {
            takeLines(call->lines.finish());
            if (call->finished)
                return;
            if (!call->malformed.isEmpty()) {
                failure.kind = AdminFailure::Kind::Malformed;
                failure.message = call->malformed;
            }
        }
        finish(failure);
    });
    // Deleting the reply cancels the stream; done() still says so, once.
    connect(reply, &QObject::destroyed, this, [this, call, finish] {
        if (m_destroying || call->finished)
            return;
        AdminFailure failure;
        failure.kind = AdminFailure::Kind::Unreachable;
        failure.message = tr("The request to %1 was cancelled.").arg(m_endpoint.displayName());
        finish(failure);
    });
    return reply;
}

void AdminConnection::openLogStream()
{
    m_logWanted = true;
    if (m_logReply || m_logRetry->isActive())
        return;
    m_logRetryMs = m_limits.logStreamFirstRetryMs;
    connectLogStream();
}

void AdminConnection::closeLogStream()
{
    m_logWanted = false;
    m_logRetry->stop();
    m_logIdle->stop();
    if (QNetworkReply *reply = m_logReply) {
        // Its finished() finds it is no longer the stream, and only deletes it.
        m_logReply = nullptr;
        m_logCall.reset();
        reply->abort();
    }
    setLogStreamConnected(false);
}

bool AdminConnection::isLogStreamConnected() const
{
    return m_logConnected;
}

void AdminConnection::setLogStreamConnected(bool connected)
{
    if (m_logConnected == connected)
        return;
    m_logConnected = connected;
    Q_EMIT logStreamConnectedChanged(connected);
}

void AdminConnection::connectLogStream()
{
    auto call = std::make_shared<Call>();
    call->maxBody = -1; // marks the live log for the timeout message
    call->events.setMaxEventBytes(m_limits.maxStreamEventBytes);
    QNetworkReply *reply = start("GET", u"/admin/request-logs/stream"_s, QJsonValue(), true);
    m_logReply = reply;
    m_logCall = call;
    watchTls(reply, call);
    m_logIdle->start(m_limits.logStreamIdleMs);
    connect(reply, &QNetworkReply::metaDataChanged, this, [this, reply] {
        if (reply == m_logReply && !m_logConnected
            && reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200) {
            m_logOutage = false;
            m_logConnectedFor.start();
            setLogStreamConnected(true);
        }
    });
    connect(reply, &QNetworkReply::readyRead, this, &AdminConnection::onLogStreamData);
    connect(reply, &QNetworkReply::finished, this, &AdminConnection::onLogStreamFinished);
}

void AdminConnection::onLogStreamData()
{
    auto *reply = qobject_cast<QNetworkReply *>(sender());
    if (!reply || reply != m_logReply || !m_logCall)
        return;
    const std::shared_ptr<Call> call = m_logCall;
    m_logIdle->start(m_limits.logStreamIdleMs);
    if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200) {
        call->body += reply->read(std::max<qint64>(0, MaxStreamErrorBytes - call->body.size()));
        reply->skip(reply->bytesAvailable());
        return;
    }
    const QList<SseParser::Event> events = call->events.feed(reply->readAll());
    for (const SseParser::Event &event : events) {
        const QJsonDocument document = QJsonDocument::fromJson(event.data);
        // Events of no JSON object are not the gateway's: passed over.
        if (!document.isObject())
            continue;
        Q_EMIT logEvent(event.event.isEmpty() ? QByteArray("message") : event.event, document.object());
        // A receiver may have closed the stream.
        if (reply != m_logReply)
            return;
    }
    if (call->events.overflowed()) {
        call->malformed = tr("An event of the live log from %1 is longer than %2.")
                              .arg(m_endpoint.displayName(), QLocale().formattedDataSize(m_limits.maxStreamEventBytes));
        reply->abort();
    }
}

void AdminConnection::onLogStreamFinished()
{
    auto *reply = qobject_cast<QNetworkReply *>(sender());
    if (!reply || m_destroying)
        return;
    reply->deleteLater();
    if (reply != m_logReply)
        return; // closed, or replaced
    const std::shared_ptr<Call> call = std::move(m_logCall);
    m_logReply = nullptr;
    m_logIdle->stop();
    AdminFailure failure = classify(reply, *call, call->body);
    // A stream that lived through a watchdog period was a good one: the next wait starts short
    // again. One that is dropped at once (a server that accepts and hangs up) waits longer each time.
    if (m_logConnected && m_logConnectedFor.elapsed() >= m_limits.logStreamIdleMs)
        m_logRetryMs = m_limits.logStreamFirstRetryMs;
    setLogStreamConnected(false);
    if (!m_logWanted)
        return;
    if (failure.kind == AdminFailure::Kind::Token) {
        // Retrying cannot help until someone gives another token.
        m_logWanted = false;
        Q_EMIT failed(failure);
        return;
    }
    // Once per outage, not at every retry while the gateway is away.
    if (failure.kind == AdminFailure::Kind::Unreachable && !m_logOutage) {
        m_logOutage = true;
        Q_EMIT failed(failure);
    }
    m_logRetry->start(m_logRetryMs);
    m_logRetryMs = std::min(m_logRetryMs * 2, m_limits.logStreamMaxRetryMs);
}

} // namespace Maestro

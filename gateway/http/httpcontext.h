#pragma once

#include "core/apierror.h"
#include "core/dialect.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>

#include <optional>

namespace Maestro {

// One request as a handler sees it: the parsed request, the path parameters of its route, and
// ways to answer. The QHttpServerRequest is valid only while the handler runs; a handler that
// answers later copies what it needs and keeps socket() (a QPointer: the server deletes the
// socket when the client goes away).
class HttpContext
{
public:
    HttpContext(const QHttpServerRequest &request, QHttpServerResponder &responder,
                Dialect dialect);

    const QHttpServerRequest &request() const { return m_request; }
    QHttpServerResponder &responder() { return m_responder; }
    QPointer<QTcpSocket> socket() const { return m_socket; }
    Dialect dialect() const { return m_dialect; }
    const QByteArray &path() const { return m_path; }

    QString param(const QString &name) const { return m_params.value(name); }
    const QHash<QString, QString> &params() const { return m_params; }
    void setParams(QHash<QString, QString> params) { m_params = std::move(params); }
    QString query(const QString &name) const;

    // The bearer token (or, for the Anthropic endpoints, x-api-key); empty when absent.
    QByteArray bearerToken() const;

    // The body as a JSON object, or the 400 to send.
    Result<QJsonObject> jsonBody() const;

    void send(const QByteArray &wholeResponse);
    void sendJson(int status, const QJsonObject &object);
    void sendJson(int status, const QJsonArray &array);
    void sendNoContent();
    void fail(const ApiError &error);
    int status() const { return m_status; } // of what send() wrote, 0 before

    // Whom and what a refusal of this request is logged under (Gateway::dispatch logs it): set
    // once the token named a user. Without a user nothing is logged.
    struct LogSubject
    {
        qint64 userId = 0;
        QString username;
        QString model;  // as asked for, once the body was read
        QString reason; // for a refusal that is not an ApiError's own (a revoked token)
    };
    LogSubject &logSubject() { return m_logSubject; }
    const LogSubject &logSubject() const { return m_logSubject; }
    // The error fail() answered with last.
    const std::optional<ApiError> &failure() const { return m_failure; }
    qint64 elapsedMs() const { return m_timer.elapsed(); }

private:
    const QHttpServerRequest &m_request;
    QHttpServerResponder &m_responder;
    QPointer<QTcpSocket> m_socket;
    Dialect m_dialect;
    QByteArray m_path;
    QHash<QString, QString> m_params;
    int m_status = 0;
    LogSubject m_logSubject;
    std::optional<ApiError> m_failure;
    QElapsedTimer m_timer;
};

} // namespace Maestro

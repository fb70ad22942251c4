#include "httpcontext.h"
#include "errorbody.h"
#include "httpwire.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Maestro {

HttpContext::HttpContext(const QHttpServerRequest &request, QHttpServerResponder &responder,
                         Dialect dialect)
    : m_request(request)
    , m_responder(responder)
    , m_socket(responder.socket())
    , m_dialect(dialect)
    , m_path(request.url().path(QUrl::FullyEncoded).toLatin1())
{
    m_timer.start();
}

QString HttpContext::query(const QString &name) const
{
    return m_request.query().queryItemValue(name, QUrl::FullyDecoded);
}

QByteArray HttpContext::bearerToken() const
{
    const QByteArray authorization = m_request.value(QByteArrayLiteral("authorization")).trimmed();
    if (authorization.size() > 7 && authorization.left(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        return authorization.mid(7).trimmed();
    if (m_dialect == Dialect::Anthropic)
        return m_request.value(QByteArrayLiteral("x-api-key")).trimmed();
    return {};
}

Result<QJsonObject> HttpContext::jsonBody() const
{
    const QByteArray body = m_request.body();
    if (body.trimmed().isEmpty())
        return ApiError::badRequest(u"Request body is required (a JSON object)"_s);
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError) {
        return ApiError::badRequest(
            u"Request body is not valid JSON: %1 at offset %2"_s.arg(error.errorString()).arg(error.offset));
    }
    if (!document.isObject())
        return ApiError::badRequest(u"Request body must be a JSON object"_s);
    return document.object();
}

void HttpContext::send(const QByteArray &wholeResponse)
{
    // "HTTP/1.1 NNN ..."
    m_status = wholeResponse.mid(9, 3).toInt();
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->write(wholeResponse);
}

void HttpContext::sendJson(int status, const QJsonObject &object)
{
    send(Wire::jsonResponse(status, QJsonDocument(object).toJson(QJsonDocument::Compact)));
}

void HttpContext::sendJson(int status, const QJsonArray &array)
{
    send(Wire::jsonResponse(status, QJsonDocument(array).toJson(QJsonDocument::Compact)));
}

void HttpContext::sendNoContent()
{
    send(QByteArrayLiteral("HTTP/1.1 204 No Content\r\n\r\n"));
}

void HttpContext::fail(const ApiError &error)
{
    m_failure = error;
    send(errorResponse(m_dialect, error));
}

} // namespace Maestro

#include "admincontext.h"
#include "http/errorbody.h"
#include "http/httpwire.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro {

AdminContext::AdminContext(AdminRequest request, AdminReply reply)
    : m_request(std::move(request))
    , m_reply(std::move(reply))
{
}

QString AdminContext::query(const QString &name) const
{
    return m_request.query.queryItemValue(name, QUrl::FullyDecoded);
}

Result<QJsonObject> AdminContext::jsonBody() const
{
    const QByteArray &body = m_request.body;
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

std::optional<qint64> AdminContext::id(const QString &what, const QString &name)
{
    const QString text = param(name);
    // Digits only: toLongLong() alone would take " 7" or "+7", and "0" names nothing.
    bool ok = !text.isEmpty()
        && std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c >= u'0' && c <= u'9'; });
    const qint64 value = ok ? text.toLongLong(&ok) : 0;
    if (!ok || value <= 0) {
        fail(ApiError::badRequest(u"Invalid %1 id \"%2\": expected a positive integer"_s.arg(what, text)));
        return std::nullopt;
    }
    return value;
}

void AdminContext::send(const QByteArray &wholeResponse)
{
    m_reply.send(wholeResponse);
}

void AdminContext::sendJson(int status, const QJsonObject &object)
{
    send(Wire::jsonResponse(status, QJsonDocument(object).toJson(QJsonDocument::Compact)));
}

void AdminContext::sendJson(int status, const QJsonArray &array)
{
    send(Wire::jsonResponse(status, QJsonDocument(array).toJson(QJsonDocument::Compact)));
}

void AdminContext::sendNoContent()
{
    send(QByteArrayLiteral("HTTP/1.1 204 No Content\r\n\r\n"));
}

void AdminContext::fail(const ApiError &error)
{
    send(errorResponse(Dialect::Admin, error));
}

AdminReply AdminContext::defer()
{
    m_deferred = true;
    return m_reply;
}

} // namespace Maestro

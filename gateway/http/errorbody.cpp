#include "errorbody.h"
#include "httpwire.h"
#include "providers/clientdialects/clientdialect.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

QJsonObject errorObject(Dialect dialect, const ApiError &error)
{
    if (dialect == Dialect::Admin)
        return {{u"detail"_s, error.message}};
    return ClientDialect::forDialect(dialect).errorObject(error);
}

} // namespace

QByteArray errorBody(Dialect dialect, const ApiError &error)
{
    return QJsonDocument(errorObject(dialect, error)).toJson(QJsonDocument::Compact);
}

QByteArray errorResponse(Dialect dialect, const ApiError &error)
{
    QByteArray headers;
    if (error.kind == ApiError::Kind::RateLimited && error.retryAfterSeconds >= 0)
        headers += "Retry-After: " + QByteArray::number(error.retryAfterSeconds) + "\r\n";
    if (error.kind == ApiError::Kind::Unauthorized)
        headers += "WWW-Authenticate: Bearer\r\n";
    return Wire::jsonResponse(error.httpStatus(), errorBody(dialect, error), headers);
}

} // namespace Maestro

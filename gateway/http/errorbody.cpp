#include "errorbody.h"
#include "httpwire.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

QString openAiType(const ApiError &error)
{
    switch (error.kind) {
    case ApiError::Kind::Unauthorized:
        return u"authentication_error"_s;
    case ApiError::Kind::Forbidden:
        return u"permission_error"_s;
    case ApiError::Kind::RateLimited:
        return u"rate_limit_error"_s;
    case ApiError::Kind::UpstreamFailed:
    case ApiError::Kind::Unavailable:
    case ApiError::Kind::Internal:
        return u"api_error"_s;
    default:
        break;
    }
    return u"invalid_request_error"_s;
}

QString openAiCode(const ApiError &error)
{
    switch (error.kind) {
    case ApiError::Kind::Unauthorized: return u"invalid_api_key"_s;
    case ApiError::Kind::Forbidden: return u"model_not_allowed"_s;
    case ApiError::Kind::NotFound: return u"model_not_found"_s;
    case ApiError::Kind::PayloadTooLarge: return u"request_too_large"_s;
    // What OpenAI answers, and what Codex and the SDKs look for to compact a conversation.
    case ApiError::Kind::ContextTooLong: return u"context_length_exceeded"_s;
    case ApiError::Kind::RateLimited: return u"rate_limit_exceeded"_s;
    case ApiError::Kind::UpstreamFailed: return u"upstream_error"_s;
    case ApiError::Kind::Unavailable: return u"no_healthy_node"_s;
    case ApiError::Kind::BadRequest: return u"invalid_request"_s;
    case ApiError::Kind::Conflict: return u"conflict"_s;
    case ApiError::Kind::Internal: return u"internal_error"_s;
    }
    return u"error"_s;
}

QString anthropicType(const ApiError &error)
{
    switch (error.kind) {
    case ApiError::Kind::Unauthorized: return u"authentication_error"_s;
    case ApiError::Kind::Forbidden: return u"permission_error"_s;
    case ApiError::Kind::NotFound: return u"not_found_error"_s;
    case ApiError::Kind::PayloadTooLarge: return u"request_too_large"_s;
    case ApiError::Kind::RateLimited: return u"rate_limit_error"_s;
    case ApiError::Kind::Unavailable: return u"overloaded_error"_s;
    case ApiError::Kind::UpstreamFailed:
    case ApiError::Kind::Internal: return u"api_error"_s;
    default: break;
    }
    return u"invalid_request_error"_s;
}

QJsonObject errorObject(Dialect dialect, const ApiError &error)
{
    switch (dialect) {
    case Dialect::Ollama:
        return {{u"error"_s, error.message}};
    case Dialect::OpenAi:
        return {{u"error"_s, QJsonObject{{u"message"_s, error.message},
                                         {u"type"_s, openAiType(error)},
                                         {u"param"_s, QJsonValue()},
                                         {u"code"_s, openAiCode(error)}}}};
    case Dialect::Anthropic: {
        // Anthropic words it this way, and Claude Code compacts the conversation when it reads it.
        const QString message = error.kind == ApiError::Kind::ContextTooLong
                                    ? u"prompt is too long: "_s + error.message
                                    : error.message;
        return {{u"type"_s, u"error"_s},
                {u"error"_s, QJsonObject{{u"type"_s, anthropicType(error)}, {u"message"_s, message}}}};
    }
    case Dialect::Admin:
        break;
    }
    return {{u"detail"_s, error.message}};
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

QByteArray streamErrorEvent(Dialect dialect, const QString &message)
{
    const ApiError error = ApiError::upstream(message);
    const QByteArray body = errorBody(dialect, error);
    switch (dialect) {
    case Dialect::Ollama:
        return body + '\n';
    case Dialect::OpenAi:
        return "data: " + body + "\n\ndata: [DONE]\n\n";
    case Dialect::Anthropic:
        return "event: error\ndata: " + body + "\n\n";
    case Dialect::Admin:
        break;
    }
    return body + '\n';
}

} // namespace Maestro

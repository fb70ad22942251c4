#include "anthropicclient.h"
#include "providers/anthropic.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Maestro {

using Translate::ApiKind;

namespace {

QString errorType(const ApiError &error)
{
    switch (error.kind) {
    case ApiError::Kind::Unauthorized:
        return u"authentication_error"_s;
    case ApiError::Kind::Forbidden:
        return u"permission_error"_s;
    case ApiError::Kind::NotFound:
        return u"not_found_error"_s;
    case ApiError::Kind::PayloadTooLarge:
        return u"request_too_large"_s;
    case ApiError::Kind::RateLimited:
        return u"rate_limit_error"_s;
    case ApiError::Kind::Unavailable:
        return u"overloaded_error"_s;
    case ApiError::Kind::UpstreamFailed:
    case ApiError::Kind::Internal:
        return u"api_error"_s;
    default:
        break;
    }
    return u"invalid_request_error"_s;
}

} // namespace

std::optional<ApiError> AnthropicClient::validate(ApiKind, const QJsonObject &body) const
{
    if (auto error = checkCommon(body))
        return error;
    const QJsonValue maxTokens = body.value("max_tokens"_L1);
    if (!maxTokens.isUndefined() && !maxTokens.isDouble())
        return wrongType(u"max_tokens"_s, u"a number"_s, maxTokens);
    const QJsonValue system = body.value("system"_L1);
    if (!system.isUndefined() && !system.isString() && !system.isArray())
        return wrongType(u"system"_s, u"a string or an array of content blocks"_s, system);
    return checkMessages(body, true);
}

bool AnthropicClient::wantsStream(ApiKind, const QJsonObject &body) const
{
    return Anthropic::wantsStream(body);
}

QJsonObject AnthropicClient::requestForNode(ApiKind, NodeType wire, const QJsonObject &body) const
{
    return Anthropic::requestForNode(wire, body);
}

std::unique_ptr<Translate::StreamTranslator>
AnthropicClient::makeStreamTranslator(ApiKind, NodeType wire, const QString &model,
                                      const QJsonObject &) const
{
    return Anthropic::makeAnthropicStreamTranslator(wire, model);
}

QJsonObject AnthropicClient::responseFromNode(ApiKind, NodeType wire, const QJsonObject &nodeBody,
                                              const QString &model, const QJsonObject &,
                                              Usage *usage) const
{
    return Anthropic::responseFromNode(wire, nodeBody, model, usage);
}

QJsonObject AnthropicClient::errorObject(const ApiError &error) const
{
    // Anthropic words it this way, and Claude Code compacts the conversation when it reads it.
    const QString message = error.kind == ApiError::Kind::ContextTooLong
        ? u"prompt is too long: "_s + error.message
        : error.message;
    return { { u"type"_s, u"error"_s },
             { u"error"_s,
               QJsonObject { { u"type"_s, errorType(error) }, { u"message"_s, message } } } };
}

QByteArray AnthropicClient::streamError(const QString &message, Translate::StreamTranslator *) const
{
    const QByteArray body
        = QJsonDocument(errorObject(ApiError::upstream(message))).toJson(QJsonDocument::Compact);
    return "event: error\ndata: " + body + "\n\n";
}

QString AnthropicClient::missingTokenMessage() const
{
    return u"Missing API key: send \"Authorization: Bearer <token>\" or \"x-api-key: <token>\""_s;
}

} // namespace Maestro

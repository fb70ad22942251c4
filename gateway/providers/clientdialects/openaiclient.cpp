#include "openaiclient.h"

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

QString errorCode(const ApiError &error)
{
    if (!error.code.isEmpty())
        return error.code;
    switch (error.kind) {
    case ApiError::Kind::Unauthorized:
        return u"invalid_api_key"_s;
    case ApiError::Kind::Forbidden:
        return u"model_not_allowed"_s;
    case ApiError::Kind::NotFound:
        return u"model_not_found"_s;
    case ApiError::Kind::PayloadTooLarge:
        return u"request_too_large"_s;
    // What OpenAI answers, and what Codex and the SDKs look for to compact a conversation.
    case ApiError::Kind::ContextTooLong:
        return u"context_length_exceeded"_s;
    case ApiError::Kind::RateLimited:
        return u"rate_limit_exceeded"_s;
    case ApiError::Kind::UpstreamFailed:
        return u"upstream_error"_s;
    case ApiError::Kind::Unavailable:
        return u"no_healthy_node"_s;
    case ApiError::Kind::BadRequest:
        return u"invalid_request"_s;
    case ApiError::Kind::Conflict:
        return u"conflict"_s;
    case ApiError::Kind::Internal:
        return u"internal_error"_s;
    }
    return u"error"_s;
}

} // namespace

std::optional<ApiError> OpenAiClient::validate(ApiKind kind, const QJsonObject &body) const
{
    if (auto error = checkCommon(body))
        return error;
    switch (kind) {
    case ApiKind::Chat:
        return checkMessages(body, true);
    case ApiKind::Completion: {
        const QJsonValue prompt = body.value("prompt"_L1);
        if (!prompt.isString() && !prompt.isArray())
            return wrongType(u"prompt"_s, u"a string or an array"_s, prompt);
        break;
    }
    case ApiKind::Embeddings:
        return checkInput(body);
    case ApiKind::LegacyEmbeddings: // an Ollama request; no OpenAI endpoint has it
    case ApiKind::Responses: // ResponsesClient's
        break;
    }
    return std::nullopt;
}

bool OpenAiClient::wantsStream(ApiKind kind, const QJsonObject &body) const
{
    return Translate::wantsStream(kind, Dialect::OpenAi, body);
}

QJsonObject OpenAiClient::requestForNode(ApiKind kind, NodeType wire, const QJsonObject &body) const
{
    return Translate::translateRequest(kind, Dialect::OpenAi, wire, body);
}

std::unique_ptr<Translate::StreamTranslator>
OpenAiClient::makeStreamTranslator(ApiKind kind, NodeType wire, const QString &model,
                                   const QJsonObject &request) const
{
    const bool clientWantsUsage
        = request.value("stream_options"_L1).toObject().value("include_usage"_L1).toBool();
    return Translate::makeStreamTranslator(kind, wire, Dialect::OpenAi, model, clientWantsUsage);
}

QJsonObject OpenAiClient::responseFromNode(ApiKind kind, NodeType wire, const QJsonObject &nodeBody,
                                           const QString &model, const QJsonObject &request,
                                           Usage *usage) const
{
    QJsonObject response
        = Translate::translateResponse(kind, wire, Dialect::OpenAi, nodeBody, model, usage);
    // The openai SDKs ask for base64 embeddings by default; nodes may only give floats.
    if (kind == ApiKind::Embeddings && Translate::wantsBase64Embeddings(Dialect::OpenAi, request))
        Translate::encodeEmbeddingsAsBase64(&response);
    return response;
}

QJsonObject OpenAiClient::errorObject(const ApiError &error) const
{
    return { { u"error"_s,
               QJsonObject { { u"message"_s, error.message },
                             { u"type"_s, errorType(error) },
                             { u"param"_s, QJsonValue() },
                             { u"code"_s, errorCode(error) } } } };
}

QByteArray OpenAiClient::streamError(const QString &message, Translate::StreamTranslator *) const
{
    const QByteArray body
        = QJsonDocument(errorObject(ApiError::upstream(message))).toJson(QJsonDocument::Compact);
    return "data: " + body + "\n\ndata: [DONE]\n\n";
}

} // namespace Maestro

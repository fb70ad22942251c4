#include "ollamaclient.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Maestro {

using Translate::ApiKind;

std::optional<ApiError> OllamaClient::validate(ApiKind kind, const QJsonObject &body) const
{
    if (auto error = checkCommon(body))
        return error;
    switch (kind) {
    case ApiKind::Chat:
    case ApiKind::Responses:
        // Ollama accepts a chat without messages (it loads the model).
        return checkMessages(body, false);
    case ApiKind::Completion: {
        const QJsonValue prompt = body.value("prompt"_L1);
        if (!prompt.isUndefined() && !prompt.isString())
            return wrongType(u"prompt"_s, u"a string"_s, prompt);
        break;
    }
    case ApiKind::Embeddings:
        return checkInput(body);
    case ApiKind::LegacyEmbeddings: {
        const QJsonValue prompt = body.value("prompt"_L1);
        if (!prompt.isString())
            return wrongType(u"prompt"_s, u"a string"_s, prompt);
        break;
    }
    }
    return std::nullopt;
}

bool OllamaClient::wantsStream(ApiKind kind, const QJsonObject &body) const
{
    return Translate::wantsStream(kind, Dialect::Ollama, body);
}

QJsonObject OllamaClient::requestForNode(ApiKind kind, NodeType wire, const QJsonObject &body) const
{
    return Translate::translateRequest(kind, Dialect::Ollama, wire, body);
}

std::unique_ptr<Translate::StreamTranslator>
OllamaClient::makeStreamTranslator(ApiKind kind, NodeType wire, const QString &model,
                                   const QJsonObject &) const
{
    return Translate::makeStreamTranslator(kind, wire, Dialect::Ollama, model, false);
}

QJsonObject OllamaClient::responseFromNode(ApiKind kind, NodeType wire, const QJsonObject &nodeBody,
                                           const QString &model, const QJsonObject &,
                                           Usage *usage) const
{
    return Translate::translateResponse(kind, wire, Dialect::Ollama, nodeBody, model, usage);
}

QJsonObject OllamaClient::errorObject(const ApiError &error) const
{
    return { { u"error"_s, error.message } };
}

QByteArray OllamaClient::streamError(const QString &message, Translate::StreamTranslator *) const
{
    return QJsonDocument(errorObject(ApiError::upstream(message))).toJson(QJsonDocument::Compact)
        + '\n';
}

} // namespace Maestro

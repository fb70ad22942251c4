#include "responsesclient.h"
#include "providers/responses.h"

using namespace Qt::StringLiterals;

namespace Maestro {

using Translate::ApiKind;

std::optional<ApiError> ResponsesClient::validate(ApiKind, const QJsonObject &body) const
{
    if (auto error = checkCommon(body))
        return error;
    if (const QString problem = Responses::validate(body); !problem.isEmpty())
        return ApiError::badRequest(problem);
    return std::nullopt;
}

QJsonObject ResponsesClient::requestForNode(ApiKind, NodeType wire, const QJsonObject &body) const
{
    return Responses::requestForNode(wire, body);
}

std::unique_ptr<Translate::StreamTranslator>
ResponsesClient::makeStreamTranslator(ApiKind, NodeType wire, const QString &model,
                                      const QJsonObject &) const
{
    return Responses::makeResponsesStreamTranslator(wire, model);
}

QJsonObject ResponsesClient::responseFromNode(ApiKind, NodeType wire, const QJsonObject &nodeBody,
                                              const QString &model, const QJsonObject &,
                                              Usage *usage) const
{
    return Responses::responseFromNode(wire, nodeBody, model, usage);
}

QByteArray ResponsesClient::streamError(const QString &message,
                                        Translate::StreamTranslator *translator) const
{
    // A Responses stream ends with response.failed, which carries the response built so far: only
    // its translator can write that.
    if (translator)
        return translator->translate(QJsonObject { { u"error"_s, message } });
    return OpenAiClient::streamError(message, translator);
}

} // namespace Maestro

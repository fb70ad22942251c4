#pragma once

#include "openaiclient.h"

namespace Maestro {

// OpenAI's Responses API (/v1/responses, what Codex CLI speaks), stateless: input items in,
// typed SSE events out, a failed stream ending with response.failed. Errors outside streams in
// OpenAI's shape, as on the other OpenAI endpoints.
class ResponsesClient final : public OpenAiClient
{
public:
    std::optional<ApiError> validate(Translate::ApiKind kind,
                                     const QJsonObject &body) const override;
    QJsonObject requestForNode(Translate::ApiKind kind, NodeType wire,
                               const QJsonObject &body) const override;

    QByteArray streamError(const QString &message,
                           Translate::StreamTranslator *translator) const override;

protected:
    std::unique_ptr<Translate::StreamTranslator>
    makeStreamTranslator(Translate::ApiKind kind, NodeType wire, const QString &model,
                         const QJsonObject &request) const override;
    QJsonObject responseFromNode(Translate::ApiKind kind, NodeType wire,
                                 const QJsonObject &nodeBody, const QString &model,
                                 const QJsonObject &request, Usage *usage) const override;
};

} // namespace Maestro

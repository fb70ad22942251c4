#pragma once

#include "clientdialect.h"

namespace Maestro {

// OpenAI's API (/v1/chat/completions, /v1/completions, /v1/embeddings): SSE streams when asked
// for ("stream": true) ended by "data: [DONE]", usage chunks only for clients that asked for
// them, base64 embeddings for clients that ask (the openai SDKs do by default);
// {"error": {"message", "type", "param", "code"}} bodies.
class OpenAiClient : public ClientDialect
{
public:
    Dialect dialect() const override { return Dialect::OpenAi; }

    std::optional<ApiError> validate(Translate::ApiKind kind,
                                     const QJsonObject &body) const override;
    bool wantsStream(Translate::ApiKind kind, const QJsonObject &body) const override;
    QJsonObject requestForNode(Translate::ApiKind kind, NodeType wire,
                               const QJsonObject &body) const override;
    QByteArrayView streamContentType() const override { return "text/event-stream"; }

    QJsonObject errorObject(const ApiError &error) const override;
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

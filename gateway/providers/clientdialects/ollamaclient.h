#pragma once

#include "clientdialect.h"

namespace Maestro {

// Ollama's API (/api/chat, /api/generate, /api/embed, /api/embeddings): NDJSON streams, on by
// default for chat and generate; {"error": "..."} bodies.
class OllamaClient final : public ClientDialect
{
public:
    Dialect dialect() const override { return Dialect::Ollama; }

    std::optional<ApiError> validate(Translate::ApiKind kind,
                                     const QJsonObject &body) const override;
    bool wantsStream(Translate::ApiKind kind, const QJsonObject &body) const override;
    QJsonObject requestForNode(Translate::ApiKind kind, NodeType wire,
                               const QJsonObject &body) const override;
    QByteArrayView streamContentType() const override { return "application/x-ndjson"; }

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

#pragma once

#include "clientdialect.h"

namespace Maestro {

// Anthropic's Messages API (/v1/messages, what Claude Code speaks): typed SSE events when asked
// for ("stream": true); {"type": "error", "error": {"type", "message"}} bodies; the token also
// accepted as x-api-key.
class AnthropicClient final : public ClientDialect
{
public:
    Dialect dialect() const override { return Dialect::Anthropic; }

    std::optional<ApiError> validate(Translate::ApiKind kind,
                                     const QJsonObject &body) const override;
    bool wantsStream(Translate::ApiKind kind, const QJsonObject &body) const override;
    QJsonObject requestForNode(Translate::ApiKind kind, NodeType wire,
                               const QJsonObject &body) const override;
    QByteArrayView streamContentType() const override { return "text/event-stream"; }

    QJsonObject errorObject(const ApiError &error) const override;
    QByteArray streamError(const QString &message,
                           Translate::StreamTranslator *translator) const override;
    QString missingTokenMessage() const override;

protected:
    std::unique_ptr<Translate::StreamTranslator>
    makeStreamTranslator(Translate::ApiKind kind, NodeType wire, const QString &model,
                         const QJsonObject &request) const override;
    QJsonObject responseFromNode(Translate::ApiKind kind, NodeType wire,
                                 const QJsonObject &nodeBody, const QString &model,
                                 const QJsonObject &request, Usage *usage) const override;
};

} // namespace Maestro

#pragma once

#include "nodeadapter.h"

namespace Maestro {

// Anthropic's Messages API (POST {base}/v1/messages, SSE streams of message_start,
// content_block_* and message_delta/message_stop events) at https://api.anthropic.com, or at the
// node's base URL when it has one. The API key goes in x-api-key with anthropic-version
// 2023-06-01, never as a bearer token. The translations speak OpenAI chat to it; this adapter
// converts to and from Messages (providers/anthropicupstream.h), carrying signed thinking blocks
// both ways. Its models come from GET /v1/models.
class AnthropicNode final : public NodeAdapter
{
public:
    static constexpr QLatin1StringView DefaultBaseUrl { "https://api.anthropic.com" };
    static constexpr QLatin1StringView ApiVersion { "2023-06-01" };

    NodeType type() const override { return NodeType::Anthropic; }
    NodeType wire() const override { return NodeType::OpenAi; }
    bool serves(Translate::ApiKind kind) const override;

    QByteArray encodeRequest(Translate::ApiKind kind, const QJsonObject &body) const override;
    UpstreamRequest request(const Attempt &attempt, const QString &apiKey, Translate::ApiKind kind,
                            const QByteArray &body, bool stream) const override;
    std::unique_ptr<NodeStream> openStream(qsizetype maxEventBytes) const override;
    std::optional<QJsonObject> decodeAnswer(const QByteArray &body) const override;
    QString errorMessage(const QByteArray &body, int status) const override;
    bool isContextRefusal(int status, const QByteArray &body) const override;

    UpstreamRequest modelsRequest(const Node &node, const QString &apiKey) const override;
    bool parseModels(qint64 nodeId, const QByteArray &body, QList<NodeModel> *models,
                     QString *error) const override;
    // While the answer says has_more: the same list after its last_id.
    std::optional<UpstreamRequest> nextModelsRequest(const Node &node, const QString &apiKey,
                                                     const QByteArray &body) const override;

    // A request to `path` on the node ({base}{path}, base DefaultBaseUrl when the node has none)
    // with Anthropic's headers: x-api-key when there is a key, anthropic-version, and
    // content-type when `body` is not empty. Used for count_tokens too.
    static UpstreamRequest apiRequest(const Node &node, const QByteArray &method,
                                      const QByteArray &path, const QString &apiKey,
                                      const QByteArray &body = {});
};

} // namespace Maestro

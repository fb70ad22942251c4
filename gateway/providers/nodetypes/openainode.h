#pragma once

#include "nodeadapter.h"

namespace Maestro {

// A server with OpenAI's API (vLLM, LM Studio, llama.cpp server, hosted APIs):
// /v1/chat/completions, /v1/completions, /v1/embeddings, SSE streams ended by "data: [DONE]",
// /v1/models for its models, the API key as a bearer token.
class OpenAiNode final : public NodeAdapter
{
public:
    NodeType type() const override { return NodeType::OpenAi; }
    NodeType wire() const override { return NodeType::OpenAi; }

    UpstreamRequest request(const Attempt &attempt, const QString &apiKey, Translate::ApiKind kind,
                            const QByteArray &body, bool stream) const override;
    std::unique_ptr<NodeStream> openStream(qsizetype maxEventBytes) const override;

    UpstreamRequest modelsRequest(const Node &node, const QString &apiKey) const override;
    bool parseModels(qint64 nodeId, const QByteArray &body, QList<NodeModel> *models,
                     QString *error) const override;
};

} // namespace Maestro

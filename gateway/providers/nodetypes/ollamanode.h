#pragma once

#include "nodeadapter.h"

namespace Maestro {

// An Ollama server: its own API (/api/chat, /api/generate, /api/embed, /api/embeddings), NDJSON
// streams, /api/tags for its models. Sent the context length Ollama would otherwise cut prompts
// to without a word, and how long to keep the model loaded.
class OllamaNode final : public NodeAdapter
{
public:
    NodeType type() const override { return NodeType::Ollama; }
    NodeType wire() const override { return NodeType::Ollama; }

    void adjustRequest(const NodeRequestShape &shape, QJsonObject *body) const override;
    UpstreamRequest request(const Attempt &attempt, const QString &apiKey, Translate::ApiKind kind,
                            const QByteArray &body, bool stream) const override;
    std::unique_ptr<NodeStream> openStream(qsizetype maxEventBytes) const override;

    UpstreamRequest modelsRequest(const Node &node, const QString &apiKey) const override;
    bool parseModels(qint64 nodeId, const QByteArray &body, QList<NodeModel> *models,
                     QString *error) const override;
    bool hasOllamaApi() const override { return true; }
};

} // namespace Maestro

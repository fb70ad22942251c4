#pragma once

#include "nodeadapter.h"

namespace Maestro {

// Amazon Bedrock's runtime API: Converse (POST /model/{modelId}/converse) and ConverseStream
// (/converse-stream, answered as an AWS binary event stream) at
// https://bedrock-runtime.<region>.amazonaws.com, or at the node's base URL when it has one.
// Requests are signed with SigV4 (service "bedrock") for IAM credentials, or carry a Bedrock
// API key as a bearer token (see BedrockCredentials). The translations speak OpenAI chat to it;
// this adapter converts to and from Converse (providers/aws/converse.h). Its models are the ids
// configured on the node: Bedrock's runtime has no model list, so nothing is asked for them.
class BedrockNode final : public NodeAdapter
{
public:
    NodeType type() const override { return NodeType::Bedrock; }
    NodeType wire() const override { return NodeType::OpenAi; }
    bool serves(Translate::ApiKind kind) const override;

    QByteArray encodeRequest(Translate::ApiKind kind, const QJsonObject &body) const override;
    UpstreamRequest request(const Attempt &attempt, const QString &apiKey, Translate::ApiKind kind,
                            const QByteArray &body, bool stream) const override;
    std::unique_ptr<NodeStream> openStream(qsizetype maxEventBytes) const override;
    std::optional<QJsonObject> decodeAnswer(const QByteArray &body) const override;
    QString errorMessage(const QByteArray &body, int status) const override;

    UpstreamRequest modelsRequest(const Node &node, const QString &apiKey) const override;
    bool parseModels(qint64 nodeId, const QByteArray &body, QList<NodeModel> *models,
                     QString *error) const override;
    std::optional<QList<NodeModel>> configuredModels(const Node &node) const override;

    // https://bedrock-runtime.<region>.amazonaws.com, or the node's base URL.
    static QUrl endpoint(const Node &node);
};

} // namespace Maestro

#pragma once

#include <QByteArray>

namespace Maestro {

// The API dialects the gateway speaks, to clients and to nodes.
enum class Dialect {
    Ollama,    // /api/*: NDJSON streams, {"error": "..."} bodies
    OpenAi,    // /v1/*: SSE streams, {"error": {"message","type","code"}} bodies
    Anthropic, // /v1/messages: SSE events, {"type":"error","error":{...}} bodies
    Admin,     // /admin/*: {"detail": "..."} bodies
};

// Bedrock: Amazon Bedrock's Converse API, signed with SigV4 or a Bedrock API key.
enum class NodeType { Ollama, OpenAi, Bedrock };

inline Dialect dialectOf(NodeType type)
{
    return type == NodeType::Ollama ? Dialect::Ollama : Dialect::OpenAi;
}

// The dialect of an incoming path, used where no route has been matched yet
// (body-size refusal, unknown path).
Dialect dialectForPath(const QByteArray &path);

// Token counts as the upstream reported them; -1 where it did not say.
struct Usage
{
    qint64 promptTokens = -1;
    qint64 completionTokens = -1;

    bool isKnown() const { return promptTokens >= 0 || completionTokens >= 0; }
    qint64 total() const
    {
        return (promptTokens > 0 ? promptTokens : 0) + (completionTokens > 0 ? completionTokens : 0);
    }
};

} // namespace Maestro

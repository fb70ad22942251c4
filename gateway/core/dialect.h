#pragma once

#include <QByteArray>
#include <QString>

namespace Maestro {

// The API dialects the gateway speaks, to clients and to nodes.
enum class Dialect {
    Ollama,    // /api/*: NDJSON streams, {"error": "..."} bodies
    OpenAi,    // /v1/*: SSE streams, {"error": {"message","type","code"}} bodies
    Anthropic, // /v1/messages: SSE events, {"type":"error","error":{...}} bodies
    Admin,     // /admin/*: {"detail": "..."} bodies
};

// Bedrock: Amazon Bedrock's Converse API, signed with SigV4 or a Bedrock API key.
// Anthropic: Anthropic's Messages API, with the key in x-api-key.
enum class NodeType { Ollama, OpenAi, Bedrock, Anthropic };

inline Dialect dialectOf(NodeType type)
{
    return type == NodeType::Ollama ? Dialect::Ollama : Dialect::OpenAi;
}

// The names the request log and its filters use: "ollama", "openai", "anthropic", "admin".
QString dialectName(Dialect dialect);

// The dialect of an incoming path, used where no route has been matched yet
// (body-size refusal, unknown path).
Dialect dialectForPath(const QByteArray &path);

// The dialect to answer a request in, given the one of its route (or dialectForPath when no
// route serves it). Anthropic's SDKs and Claude Code send "anthropic-version" with every request
// and share /v1/models with OpenAI's clients: such a request on /v1/models, /v1/models/{id} or an
// unknown /v1/ path is answered in Anthropic's shape. OpenAI's endpoints that Anthropic clients
// never call keep their dialect whatever the headers say.
Dialect dialectForRequest(Dialect routeDialect, bool routeKnown, const QByteArray &path,
                          bool anthropicVersionHeader);

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

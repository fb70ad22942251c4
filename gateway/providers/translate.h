#pragma once

#include "core/dialect.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <memory>

// Translation between the Ollama and OpenAI dialects: pure functions over JSON, no I/O.
// Model names are NOT mapped here except where a function takes the display name to put into a
// response; the caller replaces the requested model with the real one before forwarding.
namespace Maestro::Translate {

// What a client asked for, independent of dialect.
enum class ApiKind {
    Chat,        // /api/chat, /v1/chat/completions
    Completion,  // /api/generate, /v1/completions
    Embeddings,  // /api/embed, /v1/embeddings
    LegacyEmbeddings, // /api/embeddings ({"prompt"} -> {"embedding": [...]})
    Responses,   // /v1/responses: a chat underneath, translated by providers/responses.h
};

// Where a request of `kind` in `dialect` is sent on a node of that dialect.
QByteArray upstreamPath(ApiKind kind, NodeType node);

// ---- Requests: the client's body (model already replaced) to the node's body. ------------------
// Same dialect: returned unchanged except where noted. OpenAI streams get
// "stream_options": {"include_usage": true} so the upstream reports usage.
// Ollama chat/generate default to streaming when "stream" is absent; the translated request
// always carries an explicit "stream".
QJsonObject translateRequest(ApiKind kind, Dialect client, NodeType node, const QJsonObject &body);

// Whether the client wants a streamed response (Ollama: default true for chat/generate;
// OpenAI: "stream": true).
bool wantsStream(ApiKind kind, Dialect client, const QJsonObject &body);

// ---- Non-streamed responses: the node's body to the client's body. -----------------------------
// `model` is the display name to report. `usage` receives the upstream's own token counts.
QJsonObject translateResponse(ApiKind kind, NodeType node, Dialect client, const QJsonObject &body,
                              const QString &model, Usage *usage);

// ---- Streams ------------------------------------------------------------------------------------
// Turns the upstream's stream events (each an SSE "data:" JSON object for OpenAI nodes, or an
// NDJSON line object for Ollama nodes) into bytes framed for the client: NDJSON lines for Ollama
// clients, "data: {...}\n\n" SSE for OpenAI clients. The model is reported as the display name in
// every chunk. Tool calls and usage are carried across dialects.
class StreamTranslator
{
public:
    virtual ~StreamTranslator() = default;

    // One upstream event; returns bytes for the client (may be empty).
    virtual QByteArray translate(const QJsonObject &event) = 0;
    // The upstream ended normally (OpenAI "[DONE]", or the end of an Ollama stream): the bytes
    // that properly close the client's stream ("data: [DONE]\n\n", a final done line, ...).
    virtual QByteArray finish() = 0;
    // Token counts seen so far (from the upstream's usage chunk or final done line).
    virtual Usage usage() const = 0;
    // True once the upstream signalled its last content event (Ollama "done": true, OpenAI
    // "[DONE]" handled by the caller through finish()).
    virtual bool sawEnd() const = 0;
};

// `clientWantsUsage`: an OpenAI client that asked for stream_options.include_usage itself; when
// false, the upstream's extra usage-only chunk is consumed (for accounting) and not relayed.
std::unique_ptr<StreamTranslator> makeStreamTranslator(ApiKind kind, NodeType node, Dialect client,
                                                       const QString &model, bool clientWantsUsage);

// Usage as reported in one upstream JSON object (a response body or a stream chunk).
Usage usageFrom(NodeType node, const QJsonObject &object);

// ---- Embeddings encoding ------------------------------------------------------------------------
// The openai npm SDK asks for "encoding_format": "base64" unless told otherwise and decodes the
// strings itself; Ollama nodes only return floats. When an OpenAI client asked for base64 and the
// node is an Ollama one, the caller passes the translated response through
// encodeEmbeddingsAsBase64() (little-endian float32, as OpenAI encodes them).
bool wantsBase64Embeddings(Dialect client, const QJsonObject &requestBody);
void encodeEmbeddingsAsBase64(QJsonObject *response);

} // namespace Maestro::Translate

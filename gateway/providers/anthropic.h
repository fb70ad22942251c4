#pragma once

#include "core/dialect.h"
#include "providers/translate.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QString>

#include <memory>

// The Anthropic Messages API (/v1/messages) as pure translations over JSON, no I/O.
// OpenAI chat completions are the pivot: a Messages request becomes an OpenAI chat request, which
// the existing translation turns into an Ollama one where needed; node responses come back the
// same way, to OpenAI chat first and then to Anthropic.
namespace Maestro::Anthropic {

// ---- Requests -----------------------------------------------------------------------------------

// A Messages request as an OpenAI chat completions request. Server tools (web_search, bash, ...),
// unsigned thinking blocks, cache_control and Anthropic-only fields (metadata, container,
// mcp_servers, service_tier) are dropped. Signed thinking blocks and the thinking request ride
// along as "thinking_blocks" and "thinking" for an Anthropic node (providers/anthropicupstream.h),
// which answers with them the same way. top_k is kept for Ollama; requestForNode() removes it for OpenAI
// nodes.
QJsonObject toOpenAiChat(const QJsonObject &messagesRequest);

// The body to send to a node's chat endpoint (Translate::upstreamPath(ApiKind::Chat, node)).
// The model is taken over as it is: the caller replaces it before or after.
QJsonObject requestForNode(NodeType node, const QJsonObject &messagesRequest);

// Whether the client asked for a streamed response ("stream": true; the default is false).
bool wantsStream(const QJsonObject &messagesRequest);

// An estimate of the request's input tokens for /v1/messages/count_tokens, with no tokenizer at
// hand: a quarter of the characters of the system prompt, message text, tool inputs and results,
// and tool definitions, plus a flat 1600 per image (Anthropic's own figure for a ~1.15 megapixel
// image). At least 1.
qint64 countTokens(const QJsonObject &messagesRequest);

// ---- Non-streamed responses ---------------------------------------------------------------------

// An OpenAI chat completion as a Messages response reporting `model`.
QJsonObject fromOpenAiChat(const QJsonObject &chatCompletion, const QString &model);

// A node's non-streamed chat response as a Messages response; `usage` receives the node's counts.
QJsonObject responseFromNode(NodeType node, const QJsonObject &nodeBody, const QString &model,
                             Usage *usage);

// ---- Streams ------------------------------------------------------------------------------------

// One server-sent event as Anthropic frames it: "event: <type>\ndata: <json>\n\n".
QByteArray anthropicEvent(const char *type, const QJsonObject &data);

// OpenAI chat.completion.chunk objects to Anthropic stream events: message_start and ping first,
// then thinking, text and tool_use content blocks (each started, fed with deltas as they come,
// and stopped before the next one starts), and at finish() message_delta (stop_reason, usage) and
// message_stop. An {"error": ...} chunk becomes an "error" event that ends the stream.
class StreamTranslator final : public Translate::StreamTranslator
{
public:
    explicit StreamTranslator(const QString &model);

    QByteArray translate(const QJsonObject &chunk) override;
    // Usage often arrives after the finish_reason chunk, so the closing events wait for this.
    QByteArray finish() override;
    Usage usage() const override { return m_usage; }
    bool sawEnd() const override { return m_sawEnd; }

private:
    enum class Block { None, Thinking, Text, ToolUse };

    QByteArray start();
    QByteArray openBlock(Block kind, const QJsonObject &contentBlock);
    QByteArray closeBlock();
    QByteArray delta(const QJsonObject &delta);
    QByteArray toolCallPiece(const QJsonObject &piece);
    QString stopReason() const;

    const QString m_model;
    const QString m_id;
    Usage m_usage;
    bool m_started = false;
    bool m_finished = false;
    bool m_failed = false;
    bool m_sawEnd = false;
    Block m_block = Block::None;
    int m_blockIndex = -1;
    int m_toolIndex = -1; // the OpenAI index of the tool call the open block relays
    QString m_toolId;
    QHash<int, int> m_toolBlocks; // OpenAI tool call index -> content block index
    int m_toolCalls = 0;
    QString m_finishReason;
    // Characters relayed, for an output token estimate when the node reports none.
    qint64 m_outputChars = 0;
};

// The stream translator for a node's chat stream: OpenAI nodes' chunks go straight to the
// Anthropic translation, Ollama nodes' lines through the Ollama -> OpenAI one first.
std::unique_ptr<Translate::StreamTranslator> makeAnthropicStreamTranslator(NodeType node,
                                                                           const QString &model);

} // namespace Maestro::Anthropic

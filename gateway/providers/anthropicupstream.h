#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QString>

// The Anthropic Messages API as a node speaks it (POST /v1/messages), to and from OpenAI chat
// completions, the dialect the gateway's translations speak to an Anthropic node. Pure functions
// over JSON, no I/O. (providers/anthropic.h is the other direction: Anthropic's API spoken to
// clients.)
//
// Two fields beyond OpenAI's carry what Anthropic needs back and OpenAI has no place for, in the
// shape LiteLLM gives them:
// - "thinking" on a chat request: Anthropic's own thinking request ({"type": "enabled",
//   "budget_tokens": n}), as an Anthropic client sent it; it wins over "reasoning_effort".
// - "thinking_blocks" on an assistant message (and in a stream chunk's delta): Anthropic's
//   thinking blocks with their signatures ({"type": "thinking", "thinking", "signature"}) and
//   redacted_thinking blocks ({"type": "redacted_thinking", "data"}). Anthropic refuses a turn
//   with tool results whose earlier thinking lost its signature, so a conversation that came
//   from an Anthropic node and goes back to one keeps them. Other node types never see either
//   field (NodeRequest::dropAnthropicFields()).
namespace Maestro::AnthropicUpstream {

// max_tokens when the request names none (Anthropic requires one); with a thinking budget, the
// budget plus this.
constexpr qint64 DefaultMaxTokens = 4096;
// The thinking budget for an OpenAI reasoning_effort: low 1024 (Anthropic's minimum), medium
// 4096, high 16384.
qint64 budgetForEffort(const QString &effort);

// An OpenAI chat request to a Messages request: system and developer messages to "system";
// user and assistant content to blocks (text, images from data: URIs as base64 sources and from
// http(s) URLs as url sources, tool calls to tool_use, thinking_blocks first); "tool" messages to
// tool_result blocks at the front of a user turn (consecutive messages of one role merged, as
// Anthropic wants turns to alternate, and a user turn put first when the conversation starts
// with the assistant); tools with their input_schema and tool_choice; max_tokens (see
// DefaultMaxTokens), temperature (at most 1), top_p, top_k, stop to stop_sequences; thinking
// from "thinking" or reasoning_effort, with the sampling settings Anthropic refuses alongside it
// dropped (and no thinking with a forced tool, or in a tool loop whose assistant turn carries no
// signed thinking, both of which Anthropic refuses); stream. The model is taken over as it is.
QJsonObject request(const QJsonObject &chat);

// The chat finish_reason for a Messages stop_reason.
QString finishReason(const QString &stopReason);

// A Messages response to an OpenAI chat completion: text, tool calls (arguments as JSON
// strings), reasoning_content and thinking_blocks from thinking blocks, finish reason, usage
// (cache reads and writes counted as prompt tokens). An empty object when `message` is not one.
QJsonObject response(const QJsonObject &message);

// Messages stream events to OpenAI chat completion chunks, one stream each.
class StreamConverter
{
public:
    StreamConverter();

    // The chunk for one event (its data; the type is read from its "type" field), or an empty
    // object when the event carries nothing for the client (ping, content_block_stop, the start
    // of an empty block). An "error" event sets *error to its message and gives nothing;
    // message_stop sets *ended.
    QJsonObject chunk(const QJsonObject &event, QString *error, bool *ended);

private:
    QJsonObject wrap(const QJsonObject &delta, const QJsonValue &finishReason = QJsonValue());
    QJsonObject usageChunk() const;

    QString m_id;
    QString m_model;
    qint64 m_created = 0;
    bool m_roleSent = false;
    qint64 m_promptTokens = -1;
    qint64 m_completionTokens = -1;
    qint64 m_cachedTokens = 0;
    QHash<int, int> m_toolIndex; // content block index -> OpenAI tool_calls index
};

} // namespace Maestro::AnthropicUpstream

#pragma once

// Helpers shared by the request/response and the stream halves of the translation.

#include "providers/translate.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <memory>

namespace Maestro::Translate::Detail {

// RFC 3339 UTC with milliseconds, as Ollama's "created_at" (Go parses it with time.RFC3339).
QString nowRfc3339();
qint64 nowUnix();
// prefix + 24 random alphanumerics, the shape OpenAI uses for chatcmpl-/cmpl-/call_ ids.
QString randomId(QLatin1StringView prefix);

// Ollama sends tool arguments as an object, OpenAI as a string holding JSON.
QString argumentsToString(const QJsonValue &arguments);
QJsonObject argumentsToObject(const QJsonValue &arguments); // invalid JSON gives {}

// {"function": {"name","arguments": {...}}} from an OpenAI tool call.
QJsonObject ollamaToolCall(const QString &name, const QJsonValue &arguments);
// {"id","type":"function","function":{"name","arguments":"..."}} from an Ollama tool call.
QJsonObject openAiToolCall(const QJsonObject &ollamaCall, const QString &fallbackId);

// OpenAI finish_reason to Ollama done_reason; Ollama only knows "stop" and "length" for
// generation, and reports tool calls as "stop".
QString doneReasonFor(const QString &finishReason);
// Ollama done_reason to OpenAI finish_reason.
QString finishReasonFor(const QString &doneReason, bool hadToolCalls);

QJsonObject openAiUsage(const Usage &usage);
// Adds prompt_eval_count / eval_count where the count is known.
void insertOllamaCounts(QJsonObject *object, const Usage &usage);

// The text of an OpenAI reasoning field: vLLM and DeepSeek say "reasoning_content", newer vLLM
// and some llama.cpp builds "reasoning".
QString reasoningOf(const QJsonObject &messageOrDelta);

QByteArray ndjsonLine(const QJsonObject &object);
QByteArray sseData(const QJsonObject &object);

// The OpenAI chat.completion.chunk objects an Ollama chat stream becomes, before SSE framing, so
// that other client dialects can be built on top of the Ollama -> OpenAI translation. Error lines
// become {"error": {"message", ...}} objects; the usage chunk (empty choices) always follows the
// finish_reason chunk.
class OpenAiChunkSource
{
public:
    virtual ~OpenAiChunkSource() = default;
    virtual QList<QJsonObject> chunks(const QJsonObject &ollamaLine) = 0;
    virtual Usage usage() const = 0;
    virtual bool sawEnd() const = 0;
};

std::unique_ptr<OpenAiChunkSource> makeOllamaChatChunkSource(const QString &model);

// A client dialect built on OpenAI chunks (Anthropic, Responses) served by an Ollama node: the
// node's lines become OpenAI chunks first, then `Inner` (constructed from the model name) frames
// them. Usage and the end come from the node's own lines.
template<typename Inner>
class OllamaChunkChain final : public StreamTranslator
{
public:
    explicit OllamaChunkChain(const QString &model)
        : m_source(makeOllamaChatChunkSource(model))
        , m_inner(model)
    { }

    QByteArray translate(const QJsonObject &line) override
    {
        QByteArray out;
        for (const QJsonObject &chunk : m_source->chunks(line))
            out += m_inner.translate(chunk);
        return out;
    }

    QByteArray finish() override { return m_inner.finish(); }
    Usage usage() const override { return m_source->usage(); }
    bool sawEnd() const override { return m_source->sawEnd(); }

private:
    const std::unique_ptr<OpenAiChunkSource> m_source;
    Inner m_inner;
};

inline bool isOllama(Dialect dialect)
{
    return dialect == Dialect::Ollama;
}

} // namespace Maestro::Translate::Detail

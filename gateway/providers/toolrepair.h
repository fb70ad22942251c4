#pragma once

#include "core/dialect.h"
#include "providers/translate.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>

// Tool calls that a model printed as text instead of the server parsing them: chat templates
// served without a tool parser (a raw llama.cpp or vLLM, an Ollama model whose template does not
// know the format) leave the model's own markers in the content. Recognised sections:
//   DeepSeek  <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME
//             ```json {...} ```<｜tool▁call▁end｜><｜tool▁calls▁end｜>, and the V3.1 form
//             <｜tool▁call▁begin｜>NAME<｜tool▁sep｜>{...}<｜tool▁call▁end｜>
//   Kimi      <|tool_calls_section_begin|><|tool_call_begin|>functions.NAME:0
//             <|tool_call_argument_begin|>{...}<|tool_call_end|><|tool_calls_section_end|>
//   Hermes    <tool_call>{"name": ..., "arguments": {...}}</tool_call> (Qwen, Hermes, many
//             fine-tunes), and <tool_call>NAME\n{...}</tool_call>
//   XML-like  DeepSeek's <tool_calls><invoke name="NAME"><parameter name="k">v</parameter>
//             </invoke></tool_calls>, its DSML spelling <|DSML|tool_calls> (ASCII or fullwidth
//             pipes), <function_calls>, <CallMcpTool>, and <tool_call name="NAME">…</tool_call>
//             (toolrepairxml.cpp)
// A section whose calls do not all parse is left as text: a wrong call is worse than none.
// Markers inside a Markdown code block (``` or ~~~ fences) are an example and stay text.
namespace Maestro::ToolRepair {

struct RepairedCall
{
    QString name;
    QString arguments; // compact JSON of an object
};

struct RepairResult
{
    QString text; // the content with the sections taken out
    QList<RepairedCall> calls;
};

// Takes every well-formed section out of a whole text. A section left open at the end of the text
// (the model stopped on its end marker) still counts when the calls inside it parse.
RepairResult repairText(const QString &content);

// The same over text arriving in pieces. Text passes on at once except for a tail that may be the
// beginning of a marker, and a started section, which are held until they can be decided.
class TextFilter
{
public:
    struct Piece
    {
        QString text;      // set for text
        RepairedCall call; // set when isCall
        bool isCall = false;
    };

    QList<Piece> feed(const QString &content);
    // The end of the text: what is held goes out, an open section parsed as repairText() would.
    QList<Piece> finish();
    // Whether text is held back, or a code block is open: either way every following piece has
    // to pass through feed().
    bool isHolding() const { return !m_held.isEmpty() || !m_fence.isEmpty(); }

private:
    QString m_held;
    QString m_fence;    // the fence of the open code block, if any
    int m_section = -1; // the format of the open section, or -1
    bool m_afterSection = false;
};

// ---- On the node's own events -------------------------------------------------------------------

// Repairs the content of a node's non-streamed chat answer in place: an OpenAI chat completion
// (choices[].message) or an Ollama chat response (message). Found calls join message.tool_calls,
// an OpenAI finish_reason becomes "tool_calls".
void repairResponse(NodeType node, QJsonObject *body);

// Filters OpenAI chat.completion.chunk objects: content passes through (held back only where a
// marker may be starting), repaired calls become tool_calls deltas with indexes after the node's
// own, and the finish_reason becomes "tool_calls" when there were any. Chunks without '<' in
// their content, while nothing is held, pass unchanged.
class ChunkFilter
{
public:
    QList<QJsonObject> filter(const QJsonObject &chunk);
    // The end of the stream (when no finish_reason chunk flushed it already).
    QList<QJsonObject> finish();

private:
    QList<QJsonObject> flushInto(const QJsonObject &envelope, const QList<TextFilter::Piece> &pieces,
                                 QLatin1StringView textKey);

    TextFilter m_text;
    TextFilter m_reasoning;
    QJsonObject m_lastEnvelope;
    int m_nextIndex = 0;
    bool m_repaired = false;
};

// Filters Ollama chat stream lines the same way: repaired calls go out as message.tool_calls.
class OllamaLineFilter
{
public:
    QList<QJsonObject> filter(const QJsonObject &line);
    QList<QJsonObject> finish();

private:
    QList<QJsonObject> linesFor(const QList<TextFilter::Piece> &pieces, bool thinking) const;

    TextFilter m_text;
    TextFilter m_thinking;
    QString m_model;
};

// Puts the filter for the node's stream in front of a translator, so that every client dialect
// sees repaired calls: OpenAI chunks or Ollama lines are filtered before `inner` translates them.
std::unique_ptr<Translate::StreamTranslator>
withToolRepair(NodeType node, std::unique_ptr<Translate::StreamTranslator> inner);

} // namespace Maestro::ToolRepair

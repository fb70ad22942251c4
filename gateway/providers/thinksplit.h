#pragma once

#include "core/dialect.h"
#include "providers/translate.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringView>

#include <memory>

// Reasoning that a node left in its text: DeepSeek-R1, QwQ and Qwen3 served without a reasoning
// parser (a raw llama.cpp or vLLM, an Ollama model whose template does not know it) write
// "<think>reasoning</think>answer" into the content. When the chat template already opened the
// block in the prompt the text starts with the reasoning and only "</think>" appears.
//
// The gateway moves that reasoning into the node dialect's own field (OpenAI reasoning_content,
// Ollama thinking) before translating, so every client gets it in its own form and never sees the
// tags (unless the model configuration keeps them: then none of this runs).
namespace Maestro::ThinkSplit {

// Splits text arriving in pieces. Text passes on at once except for a tail of at most
// len("</think>") - 1 characters that may be the start of a tag.
class TextSplitter
{
public:
    struct Piece
    {
        QString text;
        bool reasoning = false;
    };

    // `startsInReasoning`: the text is known to begin inside a think block (the whole-text split
    // found a closing tag before any opening one).
    explicit TextSplitter(bool startsInReasoning = false);

    QList<Piece> feed(QStringView text);
    // The end of the text: a held tail that did not become a tag goes out as what it was in.
    QList<Piece> finish();
    bool isHolding() const { return !m_held.isEmpty(); }
    bool inReasoning() const { return m_reasoning; }

private:
    void append(QList<Piece> *out, QStringView text, bool reasoning);

    QString m_held;
    bool m_reasoning = false;
    bool m_skipSpace = false; // the blank lines a model puts right after a tag
};

struct SplitText
{
    QString reasoning;
    QString content;
};

// A whole text. A closing tag with no opening one before it means the block was opened in the
// prompt: everything before it is reasoning.
SplitText splitText(const QString &text);

// True when `text` holds something the splitter acts on (a '<').
inline bool mayHoldTags(QStringView text)
{
    return text.contains(u'<');
}

// ---- On the node's own answers ------------------------------------------------------------------

// Moves the reasoning of a node's non-streamed answer into its dialect's field: an OpenAI chat
// completion (choices[].message.reasoning_content; "reasoning" is renamed) or completion
// (choices[].text, reasoning into choices[].reasoning_content), an Ollama chat response
// (message.thinking) or generate response ("thinking"). Reasoning the node already separated
// comes first.
void splitResponse(NodeType node, QJsonObject *body);

// Puts the splitter for the node's stream in front of a translator: OpenAI chunks (delta.content,
// or text for completions) or Ollama lines (message.content, or response for generate) are split
// before `inner` sees them. OpenAI "reasoning" deltas become "reasoning_content".
std::unique_ptr<Translate::StreamTranslator>
withThinkSplit(NodeType node, std::unique_ptr<Translate::StreamTranslator> inner);

// The filters withThinkSplit() uses, for tests: each takes one node event and returns the events
// it becomes; finish() flushes at the end of a stream that ended without a last event.
class EventFilter
{
public:
    virtual ~EventFilter() = default;
    virtual QList<QJsonObject> filter(const QJsonObject &event) = 0;
    virtual QList<QJsonObject> finish() = 0;
};
std::unique_ptr<EventFilter> makeEventFilter(NodeType node);

} // namespace Maestro::ThinkSplit

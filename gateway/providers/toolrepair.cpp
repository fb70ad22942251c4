#include "providers/toolrepair.h"
#include "providers/toolrepair_p.h"
#include "providers/translate_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <optional>

using namespace Qt::StringLiterals;

namespace Maestro::ToolRepair {

using namespace Translate::Detail;
using namespace Detail;

namespace {

enum class Format { DeepSeek, Kimi, Hermes, Xml };

// A section still open after this many characters is taken for prose that mentions a marker:
// holding it longer would stall the client's stream until the end.
constexpr qsizetype MaxSectionSize = 256 * 1024;

struct Markers
{
    Format format;
    QString begin;
    QString end;
};

// DeepSeek's markers use U+FF5C (fullwidth vertical line) and U+2581 (lower one eighth block).
const QList<Markers> &formats()
{
    static const QList<Markers> all {
        { Format::DeepSeek, u"<\uFF5Ctool\u2581calls\u2581begin\uFF5C>"_s,
          u"<\uFF5Ctool\u2581calls\u2581end\uFF5C>"_s },
        { Format::Kimi, u"<|tool_calls_section_begin|>"_s, u"<|tool_calls_section_end|>"_s },
        { Format::Hermes, u"<tool_call>"_s, u"</tool_call>"_s },
        // toolrepairxml.cpp parses these, their own tags included.
        { Format::Xml, u"<tool_call name="_s, u"</tool_call>"_s },
        { Format::Xml, u"<tool_calls>"_s, u"</tool_calls>"_s },
        { Format::Xml, u"<function_calls>"_s, u"</function_calls>"_s },
        { Format::Xml, u"<|DSML|tool_calls>"_s, u"</|DSML|tool_calls>"_s },
        { Format::Xml, u"<|DSML|function_calls>"_s, u"</|DSML|function_calls>"_s },
        { Format::Xml, u"<\uFF5CDSML\uFF5Ctool_calls>"_s, u"</\uFF5CDSML\uFF5Ctool_calls>"_s },
        { Format::Xml, u"<\uFF5CDSML\uFF5Cfunction_calls>"_s,
          u"</\uFF5CDSML\uFF5Cfunction_calls>"_s },
        { Format::Xml, u"<CallMcpTool>"_s, u"</CallMcpTool>"_s },
    };
    return all;
}

const QString deepSeekCallBegin = u"<\uFF5Ctool\u2581call\u2581begin\uFF5C>"_s;
const QString deepSeekCallEnd = u"<\uFF5Ctool\u2581call\u2581end\uFF5C>"_s;
const QString deepSeekSeparator = u"<\uFF5Ctool\u2581sep\uFF5C>"_s;
const QString kimiCallBegin = u"<|tool_call_begin|>"_s;
const QString kimiCallEnd = u"<|tool_call_end|>"_s;
const QString kimiArgumentBegin = u"<|tool_call_argument_begin|>"_s;


// DeepSeek's older template wraps the arguments in a ```json fence.
QStringView withoutFence(QStringView text)
{
    text = text.trimmed();
    if (!text.startsWith(u"```"))
        return text;
    const qsizetype lineEnd = text.indexOf(u'\n');
    if (lineEnd < 0)
        return {};
    text = text.mid(lineEnd + 1).trimmed();
    if (text.endsWith(u"```"))
        text.chop(3);
    return text;
}

// The calls between `callBegin` and `callEnd` markers of a section's inside; nothing unless
// every call parses and only whitespace lies between them.
template<typename ParseCall>
std::optional<QList<RepairedCall>> parseCalls(QStringView inside, const QString &callBegin,
                                              const QString &callEnd, ParseCall parseCall)
{
    QList<RepairedCall> calls;
    qsizetype position = 0;
    while (true) {
        const qsizetype begin = inside.indexOf(callBegin, position);
        if (begin < 0) {
            if (!inside.mid(position).trimmed().isEmpty())
                return std::nullopt;
            break;
        }
        if (!inside.mid(position, begin - position).trimmed().isEmpty())
            return std::nullopt;
        const qsizetype bodyStart = begin + callBegin.size();
        const qsizetype end = inside.indexOf(callEnd, bodyStart);
        if (end < 0)
            return std::nullopt;
        const std::optional<RepairedCall> call = parseCall(inside.mid(bodyStart, end - bodyStart));
        if (!call)
            return std::nullopt;
        calls.append(*call);
        position = end + callEnd.size();
    }
    if (calls.isEmpty())
        return std::nullopt;
    return calls;
}

std::optional<RepairedCall> deepSeekCall(QStringView body)
{
    const qsizetype separator = body.indexOf(deepSeekSeparator);
    if (separator < 0)
        return std::nullopt;
    const QStringView head = body.left(separator).trimmed();
    QStringView rest = body.mid(separator + deepSeekSeparator.size());
    QStringView name;
    // R1 and V3 put the call type before the separator and the name on the line after it;
    // V3.1 puts the name there and the arguments right after.
    if (head.isEmpty() || head == u"function") {
        rest = rest.trimmed();
        const qsizetype lineEnd = rest.indexOf(u'\n');
        name = (lineEnd < 0 ? rest : rest.left(lineEnd)).trimmed();
        rest = lineEnd < 0 ? QStringView() : rest.mid(lineEnd + 1);
    } else {
        name = head;
    }
    const std::optional<QString> arguments = objectJson(withoutFence(rest));
    if (name.isEmpty() || !arguments)
        return std::nullopt;
    return RepairedCall { name.toString(), *arguments };
}

std::optional<RepairedCall> kimiCall(QStringView body)
{
    const qsizetype separator = body.indexOf(kimiArgumentBegin);
    if (separator < 0)
        return std::nullopt;
    // "functions.Read:3": a namespace and the call's number around the name.
    QStringView name = body.left(separator).trimmed();
    if (name.startsWith(u"functions."))
        name = name.mid(10);
    const qsizetype colon = name.lastIndexOf(u':');
    if (colon >= 0)
        name = name.left(colon);
    const std::optional<QString> arguments
        = objectJson(body.mid(separator + kimiArgumentBegin.size()));
    if (name.isEmpty() || !arguments)
        return std::nullopt;
    return RepairedCall { name.toString(), *arguments };
}

// The calls of a whole section, markers included; `closed` when it ends with its end marker
// (an open one ran to the end of the text).
std::optional<QList<RepairedCall>> parseSection(const Markers &markers, QStringView section,
                                                bool closed)
{
    const QStringView inside = section.mid(markers.begin.size())
                                   .chopped(closed ? markers.end.size() : 0);
    switch (markers.format) {
    case Format::DeepSeek:
        return parseCalls(inside, deepSeekCallBegin, deepSeekCallEnd, deepSeekCall);
    case Format::Kimi:
        return parseCalls(inside, kimiCallBegin, kimiCallEnd, kimiCall);
    case Format::Hermes:
        return parseToolCallBody(inside);
    case Format::Xml:
        return parseXmlSection(closed ? section.toString() : section + markers.end);
    }
    return std::nullopt;
}

void appendText(QList<TextFilter::Piece> *pieces, QStringView text)
{
    if (text.isEmpty())
        return;
    if (!pieces->isEmpty() && !pieces->last().isCall) {
        pieces->last().text += text;
        return;
    }
    TextFilter::Piece piece;
    piece.text = text.toString();
    pieces->append(piece);
}

void appendCalls(QList<TextFilter::Piece> *pieces, const QList<RepairedCall> &calls)
{
    for (const RepairedCall &call : calls) {
        TextFilter::Piece piece;
        piece.call = call;
        sanitizeArguments(&piece.call);
        piece.isCall = true;
        pieces->append(piece);
    }
}

// Fences of a Markdown code block: markers inside one are an example, not a call.
constexpr QStringView Fences[] = { u"```", u"~~~" };

// How many characters at the end of `text` may be the start of a code fence.
qsizetype possibleFenceTail(QStringView text)
{
    for (qsizetype length = qMin<qsizetype>(2, text.size()); length > 0; --length) {
        const QStringView tail = text.right(length);
        for (const QStringView fence : Fences) {
            if (fence.startsWith(tail))
                return length;
        }
    }
    return 0;
}

// How many characters at the end of `text` may be the start of a section marker or a fence.
qsizetype possibleMarkerTail(QStringView text)
{
    const qsizetype fenceTail = possibleFenceTail(text);
    if (fenceTail > 0)
        return fenceTail;
    qsizetype longest = 0;
    for (const Markers &markers : formats())
        longest = qMax(longest, markers.begin.size() - 1);
    for (qsizetype length = qMin(longest, text.size()); length > 0; --length) {
        const QStringView tail = text.right(length);
        if (tail.front() != u'<')
            continue;
        for (const Markers &markers : formats()) {
            if (QStringView(markers.begin).startsWith(tail))
                return length;
        }
    }
    return 0;
}

} // namespace

std::optional<QString> Detail::objectJson(QStringView text)
{
    const QString trimmed = text.trimmed().toString();
    if (trimmed.isEmpty())
        return u"{}"_s;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(trimmed.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return QString::fromUtf8(document.toJson(QJsonDocument::Compact));
}

// ---- Text ---------------------------------------------------------------------------------------

QList<TextFilter::Piece> TextFilter::feed(const QString &content)
{
    QList<Piece> out;
    QString text = m_held + content;
    m_held.clear();
    QStringView rest(text);
    while (!rest.isEmpty()) {
        if (!m_fence.isEmpty()) {
            // Inside a code block everything is text, up to the fence that closes it.
            const qsizetype close = rest.indexOf(m_fence);
            if (close < 0) {
                const qsizetype tail = possibleFenceTail(rest);
                appendText(&out, rest.chopped(tail));
                m_held = rest.right(tail).toString();
                break;
            }
            appendText(&out, rest.left(close + m_fence.size()));
            rest = rest.mid(close + m_fence.size());
            m_fence.clear();
            continue;
        }
        if (m_section < 0) {
            if (m_afterSection) {
                // The line breaks a model puts between and after calls are not an answer.
                qsizetype skip = 0;
                while (skip < rest.size() && rest.at(skip).isSpace())
                    ++skip;
                rest = rest.mid(skip);
                if (rest.isEmpty())
                    break;
                m_afterSection = false;
            }
            qsizetype first = -1;
            for (qsizetype i = 0; i < formats().size(); ++i) {
                const qsizetype at = rest.indexOf(formats().at(i).begin);
                if (at >= 0 && (first < 0 || at < first)) {
                    first = at;
                    m_section = int(i);
                }
            }
            qsizetype fence = -1;
            for (const QStringView candidate : Fences) {
                const qsizetype at = rest.indexOf(candidate);
                if (at >= 0 && (fence < 0 || at < fence)) {
                    fence = at;
                    m_fence = candidate.toString();
                }
            }
            if (fence >= 0 && (first < 0 || fence < first)) {
                m_section = -1;
                appendText(&out, rest.left(fence + m_fence.size()));
                rest = rest.mid(fence + m_fence.size());
                continue;
            }
            m_fence.clear();
            if (first >= 0) {
                appendText(&out, rest.left(first));
                rest = rest.mid(first);
                continue;
            }
            const qsizetype tail = possibleMarkerTail(rest);
            appendText(&out, rest.chopped(tail));
            m_held = rest.right(tail).toString();
            break;
        }

        const Markers &markers = formats().at(m_section);
        const qsizetype end = rest.indexOf(markers.end, markers.begin.size());
        if (end < 0) {
            if (rest.size() > MaxSectionSize) {
                appendText(&out, rest);
                m_section = -1;
                break;
            }
            m_held = rest.toString();
            break;
        }
        const qsizetype sectionEnd = end + markers.end.size();
        const auto calls = parseSection(markers, rest.left(sectionEnd), true);
        if (calls) {
            appendCalls(&out, *calls);
            m_afterSection = true;
        } else {
            appendText(&out, rest.left(sectionEnd));
        }
        rest = rest.mid(sectionEnd);
        m_section = -1;
    }
    return out;
}

QList<TextFilter::Piece> TextFilter::finish()
{
    QList<Piece> out;
    if (m_section >= 0) {
        const Markers &markers = formats().at(m_section);
        const auto calls = parseSection(markers, m_held, false);
        if (calls)
            appendCalls(&out, *calls);
        else
            appendText(&out, m_held);
    } else {
        appendText(&out, m_held);
    }
    m_held.clear();
    m_section = -1;
    m_fence.clear();
    return out;
}

RepairResult repairText(const QString &content)
{
    RepairResult result;
    TextFilter filter;
    QList<TextFilter::Piece> pieces = filter.feed(content);
    pieces += filter.finish();
    for (const TextFilter::Piece &piece : std::as_const(pieces)) {
        if (piece.isCall)
            result.calls.append(piece.call);
        else
            result.text += piece.text;
    }
    if (!result.calls.isEmpty())
        result.text = result.text.trimmed();
    return result;
}

// ---- Node responses -----------------------------------------------------------------------------

namespace {

QJsonObject openAiCall(const RepairedCall &call, int index)
{
    QJsonObject object { { u"id"_s, randomId("call_"_L1) },
                         { u"type"_s, u"function"_s },
                         { u"function"_s,
                           QJsonObject { { u"name"_s, call.name },
                                         { u"arguments"_s, call.arguments } } } };
    if (index >= 0)
        object.insert("index"_L1, index);
    return object;
}

bool mayHoldMarkers(const QString &content)
{
    // Every marker starts with '<', DeepSeek's too ("<｜"); a fence opens a code block, whose
    // markers are examples, so the filter has to see it.
    return content.contains(u'<') || content.contains(u'`') || content.contains(u'~');
}

} // namespace

namespace {

// Repairs message[key] and returns the calls found there; the text keeps what was not a call.
QList<RepairedCall> repairField(QJsonObject *message, QLatin1StringView key, bool nullWhenEmpty)
{
    const QString text = message->value(key).toString();
    if (!mayHoldMarkers(text))
        return {};
    const RepairResult result = repairText(text);
    if (result.calls.isEmpty())
        return {};
    if (result.text.isEmpty() && nullWhenEmpty)
        message->insert(key, QJsonValue::Null);
    else if (result.text.isEmpty() && key != "content"_L1)
        message->remove(key);
    else
        message->insert(key, result.text);
    return result.calls;
}

} // namespace

void repairResponse(NodeType node, QJsonObject *body)
{
    if (node == NodeType::Ollama) {
        QJsonObject message = body->value("message"_L1).toObject();
        // A call printed inside the reasoning is a call all the same.
        QList<RepairedCall> found = repairField(&message, "thinking"_L1, false);
        found += repairField(&message, "content"_L1, false);
        if (found.isEmpty())
            return;
        QJsonArray calls = message.value("tool_calls"_L1).toArray();
        for (const RepairedCall &call : std::as_const(found))
            calls.append(ollamaToolCall(call.name, call.arguments));
        message.insert("tool_calls"_L1, calls);
        body->insert("message"_L1, message);
        return;
    }

    QJsonArray choices = body->value("choices"_L1).toArray();
    bool changed = false;
    for (qsizetype i = 0; i < choices.size(); ++i) {
        QJsonObject choice = choices.at(i).toObject();
        QJsonObject message = choice.value("message"_L1).toObject();
        QList<RepairedCall> found = repairField(
            &message,
            message.contains("reasoning_content"_L1) ? "reasoning_content"_L1 : "reasoning"_L1,
            false);
        found += repairField(&message, "content"_L1, true);
        if (found.isEmpty())
            continue;
        QJsonArray calls = message.value("tool_calls"_L1).toArray();
        for (const RepairedCall &call : std::as_const(found))
            calls.append(openAiCall(call, -1));
        message.insert("tool_calls"_L1, calls);
        choice.insert("message"_L1, message);
        choice.insert("finish_reason"_L1, u"tool_calls"_s);
        choices.replace(i, choice);
        changed = true;
    }
    if (changed)
        body->insert("choices"_L1, choices);
}

// ---- OpenAI chunks ------------------------------------------------------------------------------

namespace {

bool hasFinishReason(const QJsonObject &choice)
{
    const QJsonValue reason = choice.value("finish_reason"_L1);
    return reason.isString() && !reason.toString().isEmpty();
}

// A chunk like `envelope` (id, object, created, model) holding one choice.
QJsonObject chunkLike(const QJsonObject &envelope, const QJsonObject &delta,
                      const QJsonValue &finishReason = QJsonValue::Null)
{
    QJsonObject out = envelope;
    out.remove("usage"_L1);
    const QJsonObject original = envelope.value("choices"_L1).toArray().at(0).toObject();
    out.insert("choices"_L1,
               QJsonArray { QJsonObject { { u"index"_s, original.value("index"_L1).toInt(0) },
                                          { u"delta"_s, delta },
                                          { u"logprobs"_s, QJsonValue::Null },
                                          { u"finish_reason"_s, finishReason } } });
    return out;
}

} // namespace

QList<QJsonObject> ChunkFilter::flushInto(const QJsonObject &envelope,
                                          const QList<TextFilter::Piece> &pieces,
                                          QLatin1StringView textKey)
{
    QList<QJsonObject> out;
    for (const TextFilter::Piece &piece : pieces) {
        if (piece.isCall) {
            m_repaired = true;
            out.append(chunkLike(envelope,
                                 QJsonObject { { u"tool_calls"_s,
                                                 QJsonArray { openAiCall(piece.call,
                                                                         m_nextIndex++) } } }));
        } else {
            out.append(chunkLike(envelope, QJsonObject { { textKey, piece.text } }));
        }
    }
    return out;
}

QList<QJsonObject> ChunkFilter::filter(const QJsonObject &chunk)
{
    const QJsonArray choices = chunk.value("choices"_L1).toArray();
    if (choices.isEmpty())
        return { chunk };
    const QJsonObject choice = choices.first().toObject();
    const QJsonObject delta = choice.value("delta"_L1).toObject();
    // The node's own calls keep their indexes; repaired ones follow them.
    for (const QJsonValue &call : delta.value("tool_calls"_L1).toArray())
        m_nextIndex = qMax(m_nextIndex, call.toObject().value("index"_L1).toInt(m_nextIndex) + 1);
    const QString content = delta.value("content"_L1).toString();
    const QString reasoning = reasoningOf(delta);
    const bool finishing = hasFinishReason(choice);

    if (!m_text.isHolding() && !mayHoldMarkers(content) && !m_reasoning.isHolding()
        && !mayHoldMarkers(reasoning)) {
        if (!finishing || !m_repaired || choice.value("finish_reason"_L1).toString() != "stop"_L1)
            return { chunk };
        QJsonObject out = chunk;
        QJsonObject changed = choice;
        changed.insert("finish_reason"_L1, u"tool_calls"_s);
        out.insert("choices"_L1, QJsonArray { changed });
        return { out };
    }

    m_lastEnvelope = chunk;
    // A call printed inside the reasoning is repaired as one printed in the answer.
    QList<TextFilter::Piece> thoughts = m_reasoning.feed(reasoning);
    QList<TextFilter::Piece> pieces = m_text.feed(content);
    if (finishing) {
        thoughts += m_reasoning.finish();
        pieces += m_text.finish();
    }

    QList<QJsonObject> out;
    // What the chunk carried besides its text (role, the node's calls) goes first, with the
    // reasoning and text up to the first repaired call.
    QJsonObject first = delta;
    first.remove("content"_L1);
    first.remove("reasoning"_L1);
    first.remove("reasoning_content"_L1);
    if (!thoughts.isEmpty() && !thoughts.first().isCall)
        first.insert("reasoning_content"_L1, thoughts.takeFirst().text);
    if (thoughts.isEmpty() && !pieces.isEmpty() && !pieces.first().isCall)
        first.insert("content"_L1, pieces.takeFirst().text);
    if (!first.isEmpty())
        out.append(chunkLike(chunk, first));
    out += flushInto(chunk, thoughts, "reasoning_content"_L1);
    out += flushInto(chunk, pieces, "content"_L1);
    if (finishing) {
        QString reason = choice.value("finish_reason"_L1).toString();
        if (m_repaired && reason == "stop"_L1)
            reason = u"tool_calls"_s;
        out.append(chunkLike(chunk, QJsonObject(), reason));
    }
    // Servers that report usage in the last content chunk: it stays on the last one.
    if (chunk.contains("usage"_L1)) {
        if (out.isEmpty())
            out.append(chunkLike(chunk, QJsonObject()));
        out.last().insert("usage"_L1, chunk.value("usage"_L1));
    }
    return out;
}

QList<QJsonObject> ChunkFilter::finish()
{
    QList<QJsonObject> out;
    if (m_reasoning.isHolding())
        out += flushInto(m_lastEnvelope, m_reasoning.finish(), "reasoning_content"_L1);
    if (m_text.isHolding())
        out += flushInto(m_lastEnvelope, m_text.finish(), "content"_L1);
    return out;
}

// ---- Ollama lines -------------------------------------------------------------------------------

QList<QJsonObject> OllamaLineFilter::linesFor(const QList<TextFilter::Piece> &pieces,
                                              bool thinking) const
{
    QList<QJsonObject> out;
    for (const TextFilter::Piece &piece : pieces) {
        QJsonObject message { { u"role"_s, u"assistant"_s } };
        if (piece.isCall) {
            message.insert("content"_L1, u""_s);
            message.insert("tool_calls"_L1,
                           QJsonArray { ollamaToolCall(piece.call.name, piece.call.arguments) });
        } else if (thinking) {
            message.insert("content"_L1, u""_s);
            message.insert("thinking"_L1, piece.text);
        } else {
            message.insert("content"_L1, piece.text);
        }
        out.append(QJsonObject { { u"model"_s, m_model },
                                 { u"created_at"_s, nowRfc3339() },
                                 { u"message"_s, message },
                                 { u"done"_s, false } });
    }
    return out;
}

QList<QJsonObject> OllamaLineFilter::filter(const QJsonObject &line)
{
    if (line.contains("error"_L1))
        return { line };
    QJsonObject message = line.value("message"_L1).toObject();
    const QString content = message.value("content"_L1).toString();
    const QString thinking = message.value("thinking"_L1).toString();
    const bool done = line.value("done"_L1).toBool();
    if (!m_text.isHolding() && !mayHoldMarkers(content) && !m_thinking.isHolding()
        && !mayHoldMarkers(thinking))
        return { line };

    m_model = line.value("model"_L1).toString();
    // A call printed inside the reasoning is repaired as one printed in the answer.
    QList<TextFilter::Piece> thoughts = m_thinking.feed(thinking);
    QList<TextFilter::Piece> pieces = m_text.feed(content);
    if (done) {
        thoughts += m_thinking.finish();
        pieces += m_text.finish();
    }

    QList<QJsonObject> out;
    QJsonObject first = line;
    message.insert("content"_L1, u""_s);
    message.remove("thinking"_L1);
    if (!done && !thoughts.isEmpty() && !thoughts.first().isCall)
        message.insert("thinking"_L1, thoughts.takeFirst().text);
    if (!done && thoughts.isEmpty() && !pieces.isEmpty() && !pieces.first().isCall)
        message.insert("content"_L1, pieces.takeFirst().text);
    first.insert("message"_L1, message);
    // The done line has to stay last, after what it flushed.
    if (done) {
        out = linesFor(thoughts, true) + linesFor(pieces, false);
        out.append(first);
        return out;
    }
    const bool carriesMore = !message.value("content"_L1).toString().isEmpty()
        || message.contains("thinking"_L1) || message.contains("tool_calls"_L1);
    if (carriesMore)
        out.append(first);
    out += linesFor(thoughts, true);
    out += linesFor(pieces, false);
    return out;
}

QList<QJsonObject> OllamaLineFilter::finish()
{
    QList<QJsonObject> out;
    if (m_thinking.isHolding())
        out += linesFor(m_thinking.finish(), true);
    if (m_text.isHolding())
        out += linesFor(m_text.finish(), false);
    return out;
}

// ---- Composition --------------------------------------------------------------------------------

namespace {

template<typename Filter>
class RepairingTranslator final : public Translate::StreamTranslator
{
public:
    explicit RepairingTranslator(std::unique_ptr<Translate::StreamTranslator> inner)
        : m_inner(std::move(inner))
    { }

    QByteArray translate(const QJsonObject &event) override
    {
        QByteArray out;
        for (const QJsonObject &filtered : m_filter.filter(event))
            out += m_inner->translate(filtered);
        return out;
    }

    QByteArray finish() override
    {
        QByteArray out;
        for (const QJsonObject &filtered : m_filter.finish())
            out += m_inner->translate(filtered);
        return out + m_inner->finish();
    }

    Usage usage() const override { return m_inner->usage(); }
    bool sawEnd() const override { return m_inner->sawEnd(); }

private:
    const std::unique_ptr<Translate::StreamTranslator> m_inner;
    Filter m_filter;
};

} // namespace

std::unique_ptr<Translate::StreamTranslator>
withToolRepair(NodeType node, std::unique_ptr<Translate::StreamTranslator> inner)
{
    if (node == NodeType::Ollama)
        return std::make_unique<RepairingTranslator<OllamaLineFilter>>(std::move(inner));
    return std::make_unique<RepairingTranslator<ChunkFilter>>(std::move(inner));
}

} // namespace Maestro::ToolRepair

#include "providers/thinksplit.h"
#include "providers/translate_p.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Maestro::ThinkSplit {

using namespace Translate::Detail;

namespace {

constexpr QStringView OpenTag = u"<think>";
constexpr QStringView CloseTag = u"</think>";

// How many characters at the end of `text` may be the start of a tag; never the whole tag.
qsizetype possibleTagTail(QStringView text)
{
    const qsizetype longest = CloseTag.size() - 1;
    for (qsizetype length = qMin(longest, text.size()); length > 0; --length) {
        const QStringView tail = text.right(length);
        if (tail.front() == u'<' && (OpenTag.startsWith(tail) || CloseTag.startsWith(tail)))
            return length;
    }
    return 0;
}

} // namespace

// ---- Text ---------------------------------------------------------------------------------------

TextSplitter::TextSplitter(bool startsInReasoning)
    : m_reasoning(startsInReasoning)
    , m_skipSpace(startsInReasoning)
{ }

void TextSplitter::append(QList<Piece> *out, QStringView text, bool reasoning)
{
    if (m_skipSpace) {
        qsizetype skip = 0;
        while (skip < text.size() && text.at(skip).isSpace())
            ++skip;
        text = text.mid(skip);
        if (text.isEmpty())
            return;
        m_skipSpace = false;
    }
    if (text.isEmpty())
        return;
    if (!out->isEmpty() && out->last().reasoning == reasoning) {
        out->last().text += text;
        return;
    }
    out->append(Piece { text.toString(), reasoning });
}

QList<TextSplitter::Piece> TextSplitter::feed(QStringView text)
{
    QList<Piece> out;
    const QString joined = m_held + text;
    m_held.clear();
    QStringView rest(joined);
    while (!rest.isEmpty()) {
        const qsizetype open = rest.indexOf(OpenTag);
        const qsizetype close = rest.indexOf(CloseTag);
        qsizetype at = -1;
        bool opening = false;
        if (open >= 0 && (close < 0 || open < close)) {
            at = open;
            opening = true;
        } else if (close >= 0) {
            at = close;
        }
        if (at < 0) {
            const qsizetype tail = possibleTagTail(rest);
            append(&out, rest.chopped(tail), m_reasoning);
            m_held = rest.right(tail).toString();
            break;
        }
        append(&out, rest.left(at), m_reasoning);
        // A closing tag outside a block (the prompt opened it, and what came before has already
        // gone out as text in a stream) and an opening one inside a block are dropped all the same:
        // the client never sees a tag.
        m_reasoning = opening;
        m_skipSpace = true;
        rest = rest.mid(at + (opening ? OpenTag.size() : CloseTag.size()));
    }
    return out;
}

QList<TextSplitter::Piece> TextSplitter::finish()
{
    QList<Piece> out;
    append(&out, m_held, m_reasoning);
    m_held.clear();
    return out;
}

SplitText splitText(const QString &text)
{
    const qsizetype open = text.indexOf(OpenTag);
    const qsizetype close = text.indexOf(CloseTag);
    TextSplitter splitter(close >= 0 && (open < 0 || close < open));
    QList<TextSplitter::Piece> pieces = splitter.feed(text);
    pieces += splitter.finish();
    SplitText result;
    for (const TextSplitter::Piece &piece : std::as_const(pieces))
        (piece.reasoning ? result.reasoning : result.content) += piece.text;
    // The space between the block and the answer belongs to neither.
    result.reasoning = result.reasoning.trimmed();
    return result;
}

// ---- Node answers -------------------------------------------------------------------------------

namespace {

QString joined(const QString &first, const QString &second)
{
    if (first.isEmpty())
        return second;
    if (second.isEmpty())
        return first;
    return first + u'\n' + second;
}

// Splits object[textKey] and puts the reasoning (after what object[reasoningKey] held already)
// into object[reasoningKey]. `renameFrom`: a second name the node may use for the reasoning.
// Returns whether the object changed (most answers have no tags and no second name).
bool splitField(QJsonObject *object, QLatin1StringView textKey, QLatin1StringView reasoningKey,
                QLatin1StringView renameFrom = {})
{
    const bool renamed = !renameFrom.isEmpty() && object->contains(renameFrom);
    const QJsonValue text = object->value(textKey);
    const bool tagged = text.isString() && mayHoldTags(text.toString());
    // Otherwise object[reasoningKey] would only be written back as it is.
    if (!renamed && !tagged)
        return false;
    QString reasoning = object->value(reasoningKey).toString();
    if (renamed) {
        reasoning = joined(reasoning, object->value(renameFrom).toString());
        object->remove(renameFrom);
    }
    if (tagged) {
        const SplitText split = splitText(text.toString());
        reasoning = joined(reasoning, split.reasoning);
        object->insert(textKey, split.content);
    }
    if (!reasoning.isEmpty())
        object->insert(reasoningKey, reasoning);
    return true;
}

} // namespace

void splitResponse(NodeType node, QJsonObject *body)
{
    if (node == NodeType::Ollama) {
        if (body->contains("message"_L1)) {
            QJsonObject message = body->value("message"_L1).toObject();
            splitField(&message, "content"_L1, "thinking"_L1);
            body->insert("message"_L1, message);
        } else if (body->contains("response"_L1)) {
            splitField(body, "response"_L1, "thinking"_L1);
        }
        return;
    }
    QJsonArray choices = body->value("choices"_L1).toArray();
    bool changed = false;
    for (qsizetype i = 0; i < choices.size(); ++i) {
        // A choice (or message) that is not an object is written back as an empty one.
        bool rewrite = !choices.at(i).isObject();
        QJsonObject choice = choices.at(i).toObject();
        if (choice.contains("message"_L1)) {
            const QJsonValue sent = choice.value("message"_L1);
            QJsonObject message = sent.toObject();
            if (splitField(&message, "content"_L1, "reasoning_content"_L1, "reasoning"_L1) || !sent.isObject()) {
                choice.insert("message"_L1, message);
                rewrite = true;
            }
        } else {
            rewrite = splitField(&choice, "text"_L1, "reasoning_content"_L1, "reasoning"_L1) || rewrite;
        }
        if (!rewrite)
            continue;
        choices.replace(i, choice);
        changed = true;
    }
    // An answer without tags is left as it is, rather than copied and written back whole.
    if (changed)
        body->insert("choices"_L1, choices);
}

// ---- Streams ------------------------------------------------------------------------------------

namespace {

// What one event's text became: reasoning then content, in order; a group starts whenever
// reasoning follows content, since each dialect's delta carries its reasoning first.
struct Group
{
    QString reasoning;
    QString content;
};

QList<Group> groupsOf(const QString &nodeReasoning, const QList<TextSplitter::Piece> &pieces)
{
    QList<Group> groups { Group { nodeReasoning, {} } };
    for (const TextSplitter::Piece &piece : pieces) {
        if (piece.reasoning) {
            if (!groups.last().content.isEmpty())
                groups.append(Group());
            groups.last().reasoning += piece.text;
        } else {
            groups.last().content += piece.text;
        }
    }
    return groups;
}

bool hasFinishReason(const QJsonObject &choice)
{
    const QJsonValue reason = choice.value("finish_reason"_L1);
    return reason.isString() && !reason.toString().isEmpty();
}

class OpenAiFilter final : public EventFilter
{
public:
    QList<QJsonObject> filter(const QJsonObject &chunk) override
    {
        const QJsonArray choices = chunk.value("choices"_L1).toArray();
        if (choices.isEmpty())
            return { chunk };
        const QJsonObject choice = choices.first().toObject();
        m_completion = !choice.contains("delta"_L1) && choice.contains("text"_L1);
        const QJsonObject fields
            = m_completion ? choice : choice.value("delta"_L1).toObject();
        const QString text = fields.value(textKey()).toString();
        const bool renames = fields.contains("reasoning"_L1);
        if (!renames && !m_splitter.isHolding() && !m_splitter.inReasoning() && !mayHoldTags(text))
            return { chunk };

        m_lastEnvelope = chunk;
        const bool finishing = hasFinishReason(choice);
        QList<TextSplitter::Piece> pieces = m_splitter.feed(text);
        if (finishing)
            pieces += m_splitter.finish();

        // What the chunk carried besides text and reasoning (role, the node's own calls) stays
        // with the first and last chunks it becomes.
        QJsonObject rest = fields;
        for (const QLatin1StringView key :
             { textKey(), "reasoning"_L1, "reasoning_content"_L1, "tool_calls"_L1, "index"_L1,
               "finish_reason"_L1, "logprobs"_L1 })
            rest.remove(key);
        const QList<Group> groups = groupsOf(reasoningOf(fields), pieces);

        QList<QJsonObject> out;
        for (qsizetype i = 0; i < groups.size(); ++i) {
            const bool last = i == groups.size() - 1;
            QJsonObject delta = i == 0 ? rest : QJsonObject();
            if (!groups.at(i).reasoning.isEmpty())
                delta.insert("reasoning_content"_L1, groups.at(i).reasoning);
            if (!groups.at(i).content.isEmpty() || (m_completion && last))
                delta.insert(textKey(), groups.at(i).content);
            if (last && fields.contains("tool_calls"_L1))
                delta.insert("tool_calls"_L1, fields.value("tool_calls"_L1));
            const bool closes = last && (finishing || chunk.contains("usage"_L1));
            if (delta.isEmpty() && !closes)
                continue;
            QJsonObject piece = chunkWith(chunk, choice, delta, last);
            if (!last)
                piece.remove("usage"_L1);
            out.append(piece);
        }
        return out;
    }

    QList<QJsonObject> finish() override
    {
        const QList<Group> groups = groupsOf(QString(), m_splitter.finish());
        QList<QJsonObject> out;
        const QJsonObject choice
            = m_lastEnvelope.value("choices"_L1).toArray().at(0).toObject();
        for (const Group &group : groups) {
            QJsonObject delta;
            if (!group.reasoning.isEmpty())
                delta.insert("reasoning_content"_L1, group.reasoning);
            if (!group.content.isEmpty())
                delta.insert(textKey(), group.content);
            if (delta.isEmpty())
                continue;
            QJsonObject piece = chunkWith(m_lastEnvelope, choice, delta, false);
            piece.remove("usage"_L1);
            out.append(piece);
        }
        return out;
    }

private:
    QLatin1StringView textKey() const { return m_completion ? "text"_L1 : "content"_L1; }

    // A chunk like `envelope` whose one choice carries `fields`; the finish_reason only on the
    // last chunk an event becomes.
    QJsonObject chunkWith(const QJsonObject &envelope, const QJsonObject &choice,
                          const QJsonObject &fields, bool last) const
    {
        QJsonObject out = envelope;
        QJsonObject converted;
        if (m_completion)
            converted = fields;
        else
            converted.insert("delta"_L1, fields);
        converted.insert("index"_L1, choice.value("index"_L1).toInt(0));
        converted.insert("logprobs"_L1, choice.value("logprobs"_L1));
        if (converted.value("logprobs"_L1).isUndefined())
            converted.insert("logprobs"_L1, QJsonValue::Null);
        converted.insert("finish_reason"_L1,
                         last ? choice.value("finish_reason"_L1) : QJsonValue(QJsonValue::Null));
        if (converted.value("finish_reason"_L1).isUndefined())
            converted.insert("finish_reason"_L1, QJsonValue::Null);
        out.insert("choices"_L1, QJsonArray { converted });
        return out;
    }

    TextSplitter m_splitter;
    QJsonObject m_lastEnvelope;
    bool m_completion = false;
};

class OllamaFilter final : public EventFilter
{
public:
    QList<QJsonObject> filter(const QJsonObject &line) override
    {
        if (line.contains("error"_L1))
            return { line };
        m_chat = line.contains("message"_L1);
        const QJsonObject fields = m_chat ? line.value("message"_L1).toObject() : line;
        const QString text = fields.value(textKey()).toString();
        if (!m_splitter.isHolding() && !m_splitter.inReasoning() && !mayHoldTags(text))
            return { line };

        m_model = line.value("model"_L1).toString();
        const bool done = line.value("done"_L1).toBool();
        QList<TextSplitter::Piece> pieces = m_splitter.feed(text);
        if (done)
            pieces += m_splitter.finish();
        const QList<Group> groups = groupsOf(fields.value("thinking"_L1).toString(), pieces);

        QList<QJsonObject> out;
        for (qsizetype i = 0; i + 1 < groups.size(); ++i)
            out.append(lineFor(groups.at(i)));
        // The node's line itself goes last: it may be the done line, and it holds the calls.
        const Group &last = groups.last();
        QJsonObject lastFields = fields;
        lastFields.insert(textKey(), last.content);
        lastFields.remove("thinking"_L1);
        if (!last.reasoning.isEmpty())
            lastFields.insert("thinking"_L1, last.reasoning);
        const bool carries = done || !last.content.isEmpty() || !last.reasoning.isEmpty()
            || fields.contains("tool_calls"_L1);
        if (carries) {
            QJsonObject relayed = line;
            if (m_chat)
                relayed.insert("message"_L1, lastFields);
            else
                relayed = lastFields;
            out.append(relayed);
        }
        return out;
    }

    QList<QJsonObject> finish() override
    {
        QList<QJsonObject> out;
        for (const Group &group : groupsOf(QString(), m_splitter.finish())) {
            if (!group.reasoning.isEmpty() || !group.content.isEmpty())
                out.append(lineFor(group));
        }
        return out;
    }

private:
    QLatin1StringView textKey() const { return m_chat ? "content"_L1 : "response"_L1; }

    QJsonObject lineFor(const Group &group) const
    {
        QJsonObject fields;
        if (m_chat)
            fields.insert("role"_L1, u"assistant"_s);
        fields.insert(textKey(), group.content);
        if (!group.reasoning.isEmpty())
            fields.insert("thinking"_L1, group.reasoning);
        QJsonObject line { { u"model"_s, m_model }, { u"created_at"_s, nowRfc3339() } };
        if (m_chat)
            line.insert("message"_L1, fields);
        else
            for (auto it = fields.begin(); it != fields.end(); ++it)
                line.insert(it.key(), it.value());
        line.insert("done"_L1, false);
        return line;
    }

    TextSplitter m_splitter;
    QString m_model;
    bool m_chat = true;
};

class SplittingTranslator final : public Translate::StreamTranslator
{
public:
    SplittingTranslator(std::unique_ptr<EventFilter> filter,
                        std::unique_ptr<Translate::StreamTranslator> inner)
        : m_filter(std::move(filter))
        , m_inner(std::move(inner))
    { }

    QByteArray translate(const QJsonObject &event) override
    {
        QByteArray out;
        for (const QJsonObject &filtered : m_filter->filter(event))
            out += m_inner->translate(filtered);
        return out;
    }

    QByteArray finish() override
    {
        QByteArray out;
        for (const QJsonObject &filtered : m_filter->finish())
            out += m_inner->translate(filtered);
        return out + m_inner->finish();
    }

    Usage usage() const override { return m_inner->usage(); }
    bool sawEnd() const override { return m_inner->sawEnd(); }

private:
    const std::unique_ptr<EventFilter> m_filter;
    const std::unique_ptr<Translate::StreamTranslator> m_inner;
};

} // namespace

std::unique_ptr<EventFilter> makeEventFilter(NodeType node)
{
    if (node == NodeType::Ollama)
        return std::make_unique<OllamaFilter>();
    return std::make_unique<OpenAiFilter>();
}

std::unique_ptr<Translate::StreamTranslator>
withThinkSplit(NodeType node, std::unique_ptr<Translate::StreamTranslator> inner)
{
    return std::make_unique<SplittingTranslator>(makeEventFilter(node), std::move(inner));
}

} // namespace Maestro::ThinkSplit

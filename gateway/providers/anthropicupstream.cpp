#include "anthropicupstream.h"
#include "providers/aws/converse.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStringList>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace Maestro::AnthropicUpstream {

namespace {

QJsonObject textBlock(const QString &text)
{
    return QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, text } };
}

// An image_url part's URL as an image block: a data: URI as a base64 source, an http(s) URL as a
// url source; nothing for anything else.
QJsonObject imageBlock(const QString &url)
{
    QJsonObject source;
    if (url.startsWith("data:"_L1)) {
        const qsizetype semicolon = url.indexOf(u';');
        const qsizetype comma = url.indexOf(u',');
        if (semicolon < 0 || comma < semicolon
            || url.mid(semicolon + 1, comma - semicolon - 1) != "base64"_L1)
            return {};
        QString mediaType = url.mid(5, semicolon - 5).toLower();
        if (mediaType == "image/jpg"_L1)
            mediaType = u"image/jpeg"_s;
        source = QJsonObject { { u"type"_s, u"base64"_s },
                               { u"media_type"_s, mediaType },
                               { u"data"_s, url.mid(comma + 1) } };
    } else if (url.startsWith("https://"_L1) || url.startsWith("http://"_L1)) {
        source = QJsonObject { { u"type"_s, u"url"_s }, { u"url"_s, url } };
    } else {
        return {};
    }
    return QJsonObject { { u"type"_s, u"image"_s }, { u"source"_s, source } };
}

// The blocks of a message's "content": a string, or parts of type text and image_url. Anthropic
// refuses empty text blocks, so blank text is left out.
QJsonArray contentBlocks(const QJsonValue &content)
{
    QJsonArray blocks;
    if (content.isString()) {
        if (!content.toString().trimmed().isEmpty())
            blocks.append(textBlock(content.toString()));
        return blocks;
    }
    for (const QJsonValue &value : content.toArray()) {
        const QJsonObject part = value.toObject();
        const QString type = part.value("type"_L1).toString();
        if (type == "text"_L1 || type == "input_text"_L1 || type == "output_text"_L1) {
            const QString text = part.value("text"_L1).toString();
            if (!text.trimmed().isEmpty())
                blocks.append(textBlock(text));
        } else if (type == "image_url"_L1) {
            const QJsonValue image = part.value("image_url"_L1);
            const QJsonObject block = imageBlock(
                image.isString() ? image.toString() : image.toObject().value("url"_L1).toString());
            if (!block.isEmpty())
                blocks.append(block);
        }
    }
    return blocks;
}

QString textOf(const QJsonValue &content)
{
    if (content.isString())
        return content.toString();
    QStringList texts;
    for (const QJsonValue &value : content.toArray()) {
        const QJsonObject part = value.toObject();
        if (part.value("text"_L1).isString())
            texts << part.value("text"_L1).toString();
    }
    return texts.join(u'\n');
}

QJsonObject toolUseBlock(const QJsonObject &call)
{
    const QJsonObject function = call.value("function"_L1).toObject();
    const QJsonValue arguments = function.value("arguments"_L1);
    const QJsonObject input = arguments.isObject()
        ? arguments.toObject()
        : QJsonDocument::fromJson(arguments.toString().toUtf8()).object();
    return QJsonObject { { u"type"_s, u"tool_use"_s },
                         { u"id"_s, Converse::toolUseId(call.value("id"_L1).toString()) },
                         { u"name"_s, function.value("name"_L1).toString() },
                         { u"input"_s, input } };
}

// The thinking blocks an assistant message carries back (see the header), signed ones only:
// Anthropic refuses thinking without its signature.
QJsonArray thinkingBlocks(const QJsonObject &message)
{
    QJsonArray blocks;
    for (const QJsonValue &value : message.value("thinking_blocks"_L1).toArray()) {
        const QJsonObject block = value.toObject();
        const QString type = block.value("type"_L1).toString();
        if (type == "thinking"_L1 && !block.value("signature"_L1).toString().isEmpty()) {
            blocks.append(QJsonObject { { u"type"_s, u"thinking"_s },
                                        { u"thinking"_s, block.value("thinking"_L1).toString() },
                                        { u"signature"_s, block.value("signature"_L1) } });
        } else if (type == "redacted_thinking"_L1 && block.value("data"_L1).isString()) {
            blocks.append(QJsonObject { { u"type"_s, u"redacted_thinking"_s },
                                        { u"data"_s, block.value("data"_L1) } });
        }
    }
    return blocks;
}

QJsonArray tools(const QJsonObject &chat)
{
    QJsonArray out;
    for (const QJsonValue &value : chat.value("tools"_L1).toArray()) {
        const QJsonObject function = value.toObject().value("function"_L1).toObject();
        if (function.value("name"_L1).toString().isEmpty())
            continue;
        QJsonObject schema = function.value("parameters"_L1).toObject();
        if (schema.isEmpty())
            schema = QJsonObject { { u"type"_s, u"object"_s }, { u"properties"_s, QJsonObject() } };
        QJsonObject tool { { u"name"_s, function.value("name"_L1) }, { u"input_schema"_s, schema } };
        if (!function.value("description"_L1).toString().isEmpty())
            tool.insert("description"_L1, function.value("description"_L1));
        out.append(tool);
    }
    return out;
}

// OpenAI's tool_choice as Anthropic's: auto, none, required -> any, a named function -> tool;
// parallel_tool_calls false -> disable_parallel_tool_use.
QJsonObject toolChoice(const QJsonObject &chat)
{
    const QJsonValue choice = chat.value("tool_choice"_L1);
    QJsonObject out;
    if (choice.toString() == "required"_L1) {
        out.insert("type"_L1, u"any"_s);
    } else if (choice.toString() == "none"_L1) {
        out.insert("type"_L1, u"none"_s);
    } else if (choice.isObject()) {
        const QString name
            = choice.toObject().value("function"_L1).toObject().value("name"_L1).toString();
        if (!name.isEmpty())
            out = QJsonObject { { u"type"_s, u"tool"_s }, { u"name"_s, name } };
    } else if (choice.toString() == "auto"_L1) {
        out.insert("type"_L1, u"auto"_s);
    }
    if (chat.value("parallel_tool_calls"_L1) == QJsonValue(false) && out.value("type"_L1) != "none"_L1) {
        if (out.isEmpty())
            out.insert("type"_L1, u"auto"_s);
        out.insert("disable_parallel_tool_use"_L1, true);
    }
    return out;
}

// The conversation as alternating user and assistant turns, and the system text.
void messages(const QJsonObject &chat, QJsonArray *out, QStringList *system)
{
    QString lastRole;
    auto add = [&](const QString &role, const QJsonArray &blocks) {
        if (blocks.isEmpty())
            return;
        if (role != lastRole || out->isEmpty()) {
            out->append(QJsonObject { { u"role"_s, role }, { u"content"_s, blocks } });
            lastRole = role;
            return;
        }
        QJsonObject last = out->last().toObject();
        QJsonArray content = last.value("content"_L1).toArray();
        for (const QJsonValue &block : blocks) {
            if (block.toObject().value("type"_L1) == "tool_result"_L1) {
                // Tool results lead their user turn: after those already there, before the rest.
                qsizetype at = 0;
                while (at < content.size()
                       && content.at(at).toObject().value("type"_L1) == "tool_result"_L1)
                    ++at;
                content.insert(at, block);
            } else {
                content.append(block);
            }
        }
        last.insert("content"_L1, content);
        out->replace(out->size() - 1, last);
    };
    for (const QJsonValue &value : chat.value("messages"_L1).toArray()) {
        const QJsonObject message = value.toObject();
        const QString role = message.value("role"_L1).toString();
        if (role == "system"_L1 || role == "developer"_L1) {
            const QString text = textOf(message.value("content"_L1));
            if (!text.trimmed().isEmpty())
                system->append(text);
        } else if (role == "assistant"_L1) {
            QJsonArray blocks = thinkingBlocks(message);
            for (const QJsonValue &block : contentBlocks(message.value("content"_L1)))
                blocks.append(block);
            for (const QJsonValue &call : message.value("tool_calls"_L1).toArray())
                blocks.append(toolUseBlock(call.toObject()));
            add(u"assistant"_s, blocks);
        } else if (role == "tool"_L1) {
            QString text = textOf(message.value("content"_L1));
            QJsonObject result { { u"type"_s, u"tool_result"_s },
                                 { u"tool_use_id"_s,
                                   Converse::toolUseId(message.value("tool_call_id"_L1).toString()) } };
            if (!text.isEmpty())
                result.insert("content"_L1, text);
            add(u"user"_s, QJsonArray { result });
        } else {
            add(u"user"_s, contentBlocks(message.value("content"_L1)));
        }
    }
    // Anthropic wants the conversation to open with the user.
    if (!out->isEmpty() && out->first().toObject().value("role"_L1) == "assistant"_L1)
        out->prepend(QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"(continue)"_s } });
}

// Whether the conversation ends in a tool loop whose assistant turn has no thinking to open it:
// its results last, the turn before them starting with something else. Anthropic refuses
// thinking for such a request (the turn's thinking must come back signed), as when the turn was
// answered by another node type or an OpenAI client kept no thinking_blocks.
bool unsignedToolLoop(const QJsonArray &turns)
{
    if (turns.size() < 2)
        return false;
    const QJsonArray last = turns.last().toObject().value("content"_L1).toArray();
    if (last.isEmpty() || last.first().toObject().value("type"_L1) != "tool_result"_L1)
        return false;
    const QJsonArray turn = turns.at(turns.size() - 2).toObject().value("content"_L1).toArray();
    const QJsonValue first = turn.isEmpty() ? QJsonValue() : turn.first().toObject().value("type"_L1);
    return first != "thinking"_L1 && first != "redacted_thinking"_L1;
}

qint64 maxTokensOf(const QJsonObject &chat)
{
    for (const auto key : { "max_completion_tokens"_L1, "max_tokens"_L1 }) {
        const QJsonValue value = chat.value(key);
        if (value.isDouble() && value.toDouble() >= 1)
            return value.toInteger();
    }
    return 0;
}

QJsonObject usageOf(const QJsonObject &usage)
{
    const qint64 cached = usage.value("cache_read_input_tokens"_L1).toInteger();
    const qint64 input = usage.value("input_tokens"_L1).toInteger()
        + usage.value("cache_creation_input_tokens"_L1).toInteger() + cached;
    const qint64 output = usage.value("output_tokens"_L1).toInteger();
    QJsonObject out { { u"prompt_tokens"_s, input },
                      { u"completion_tokens"_s, output },
                      { u"total_tokens"_s, input + output } };
    if (cached > 0)
        out.insert("prompt_tokens_details"_L1, QJsonObject { { u"cached_tokens"_s, cached } });
    return out;
}

QString chatId(const QString &messageId)
{
    return messageId.isEmpty()
        ? u"chatcmpl-"_s + QUuid::createUuid().toString(QUuid::Id128).left(24)
        : u"chatcmpl-"_s + messageId;
}

} // namespace

qint64 budgetForEffort(const QString &effort)
{
    if (effort == "high"_L1)
        return 16384;
    if (effort == "medium"_L1)
        return 4096;
    if (effort == "low"_L1 || effort == "minimal"_L1)
        return 1024;
    return 0; // "none", or nothing asked
}

QJsonObject request(const QJsonObject &chat)
{
    QJsonArray turns;
    QStringList system;
    messages(chat, &turns, &system);
    QJsonObject out { { u"model"_s, chat.value("model"_L1) }, { u"messages"_s, turns } };
    if (!system.isEmpty())
        out.insert("system"_L1, system.join("\n\n"_L1));

    const QJsonArray toolList = tools(chat);
    QJsonObject choice;
    if (!toolList.isEmpty()) {
        out.insert("tools"_L1, toolList);
        choice = toolChoice(chat);
    }
    const bool forcedTool
        = choice.value("type"_L1) == "any"_L1 || choice.value("type"_L1) == "tool"_L1;

    // Thinking: the client's own Anthropic request, else the OpenAI effort. Anthropic refuses it
    // with a forced tool (the tool, which the client asked for by name, wins) and in a tool loop
    // whose thinking did not come back signed (the loop goes on without thinking).
    const qint64 asked = maxTokensOf(chat);
    QJsonObject thinking = chat.value("thinking"_L1).toObject();
    qint64 budget = 0;
    if (thinking.value("type"_L1) == "enabled"_L1) {
        budget = thinking.value("budget_tokens"_L1).toInteger();
    } else if (thinking.isEmpty()) {
        budget = budgetForEffort(chat.value("reasoning_effort"_L1).toString());
        // The budget must stay below max_tokens: an effort adapts to the limit the client set.
        if (asked > 0 && budget >= asked)
            budget = asked - 1;
        if (budget >= 1024)
            thinking = QJsonObject { { u"type"_s, u"enabled"_s }, { u"budget_tokens"_s, budget } };
        else
            budget = 0;
    }
    if ((forcedTool || unsignedToolLoop(turns)) && thinking.value("type"_L1) != "disabled"_L1) {
        thinking = {};
        budget = 0;
    }
    const bool thinks = !thinking.isEmpty() && thinking.value("type"_L1) != "disabled"_L1;
    if (!thinking.isEmpty())
        out.insert("thinking"_L1, thinking);
    if (!choice.isEmpty())
        out.insert("tool_choice"_L1, choice);

    out.insert("max_tokens"_L1, asked > 0 ? asked : DefaultMaxTokens + budget);
    // Thinking takes no temperature or top_k, and a top_p of 0.95 or more only.
    if (!thinks && chat.value("temperature"_L1).isDouble())
        out.insert("temperature"_L1, qBound(0.0, chat.value("temperature"_L1).toDouble(), 1.0));
    const QJsonValue topP = chat.value("top_p"_L1);
    if (topP.isDouble() && (!thinks || topP.toDouble() >= 0.95))
        out.insert("top_p"_L1, topP);
    if (!thinks && chat.value("top_k"_L1).isDouble())
        out.insert("top_k"_L1, chat.value("top_k"_L1));
    QJsonArray sequences;
    const QJsonValue stop = chat.value("stop"_L1);
    const QJsonArray stops = stop.isString() ? QJsonArray { stop } : stop.toArray();
    for (const QJsonValue &value : stops) {
        // Anthropic refuses sequences of whitespace only.
        if (value.isString() && !value.toString().trimmed().isEmpty())
            sequences.append(value);
    }
    if (!sequences.isEmpty())
        out.insert("stop_sequences"_L1, sequences);
    if (chat.value("stream"_L1).toBool())
        out.insert("stream"_L1, true);
    return out;
}

QString finishReason(const QString &stopReason)
{
    if (stopReason == "tool_use"_L1)
        return u"tool_calls"_s;
    if (stopReason == "max_tokens"_L1 || stopReason == "model_context_window_exceeded"_L1)
        return u"length"_s;
    if (stopReason == "refusal"_L1)
        return u"content_filter"_s;
    return u"stop"_s; // end_turn, stop_sequence, pause_turn
}

QJsonObject response(const QJsonObject &message)
{
    if (message.value("type"_L1) != "message"_L1 || !message.value("content"_L1).isArray())
        return {};
    QString text;
    QString reasoning;
    QJsonArray calls;
    QJsonArray thinking;
    for (const QJsonValue &value : message.value("content"_L1).toArray()) {
        const QJsonObject block = value.toObject();
        const QString type = block.value("type"_L1).toString();
        if (type == "text"_L1) {
            text += block.value("text"_L1).toString();
        } else if (type == "tool_use"_L1) {
            const QByteArray arguments
                = QJsonDocument(block.value("input"_L1).toObject()).toJson(QJsonDocument::Compact);
            calls.append(QJsonObject { { u"id"_s, block.value("id"_L1) },
                                       { u"type"_s, u"function"_s },
                                       { u"function"_s,
                                         QJsonObject { { u"name"_s, block.value("name"_L1) },
                                                       { u"arguments"_s,
                                                         QString::fromUtf8(arguments) } } } });
        } else if (type == "thinking"_L1) {
            reasoning += block.value("thinking"_L1).toString();
            thinking.append(block);
        } else if (type == "redacted_thinking"_L1) {
            thinking.append(block);
        }
    }
    QJsonObject chatMessage { { u"role"_s, u"assistant"_s },
                              { u"content"_s, text.isEmpty() && !calls.isEmpty()
                                    ? QJsonValue()
                                    : QJsonValue(text) } };
    if (!calls.isEmpty())
        chatMessage.insert("tool_calls"_L1, calls);
    if (!reasoning.isEmpty())
        chatMessage.insert("reasoning_content"_L1, reasoning);
    if (!thinking.isEmpty())
        chatMessage.insert("thinking_blocks"_L1, thinking);
    QJsonObject out {
        { u"id"_s, chatId(message.value("id"_L1).toString()) },
        { u"object"_s, u"chat.completion"_s },
        { u"created"_s, QDateTime::currentSecsSinceEpoch() },
        { u"model"_s, message.value("model"_L1).toString() },
        { u"choices"_s,
          QJsonArray { QJsonObject {
              { u"index"_s, 0 },
              { u"message"_s, chatMessage },
              { u"finish_reason"_s, finishReason(message.value("stop_reason"_L1).toString()) } } } }
    };
    if (message.value("usage"_L1).isObject())
        out.insert("usage"_L1, usageOf(message.value("usage"_L1).toObject()));
    return out;
}

StreamConverter::StreamConverter()
    : m_id(chatId(QString()))
    , m_created(QDateTime::currentSecsSinceEpoch())
{ }

QJsonObject StreamConverter::wrap(const QJsonObject &delta, const QJsonValue &finishReason)
{
    QJsonObject withRole = delta;
    if (!m_roleSent) {
        // With the first content rather than at message_start: an error event right after the
        // start (an overload) then comes before anything reached the client, and fails over.
        m_roleSent = true;
        withRole.insert("role"_L1, u"assistant"_s);
    }
    return QJsonObject { { u"id"_s, m_id },
                         { u"object"_s, u"chat.completion.chunk"_s },
                         { u"created"_s, m_created },
                         { u"model"_s, m_model },
                         { u"choices"_s,
                           QJsonArray { QJsonObject { { u"index"_s, 0 },
                                                      { u"delta"_s, withRole },
                                                      { u"finish_reason"_s, finishReason } } } } };
}

QJsonObject StreamConverter::usageChunk() const
{
    const qint64 prompt = qMax<qint64>(m_promptTokens, 0);
    const qint64 completion = qMax<qint64>(m_completionTokens, 0);
    QJsonObject usage { { u"prompt_tokens"_s, prompt },
                        { u"completion_tokens"_s, completion },
                        { u"total_tokens"_s, prompt + completion } };
    if (m_cachedTokens > 0)
        usage.insert("prompt_tokens_details"_L1, QJsonObject { { u"cached_tokens"_s, m_cachedTokens } });
    return QJsonObject { { u"id"_s, m_id },
                         { u"object"_s, u"chat.completion.chunk"_s },
                         { u"created"_s, m_created },
                         { u"model"_s, m_model },
                         { u"choices"_s, QJsonArray() },
                         { u"usage"_s, usage } };
}

QJsonObject StreamConverter::chunk(const QJsonObject &event, QString *error, bool *ended)
{
    const QString type = event.value("type"_L1).toString();
    const int block = event.value("index"_L1).toInt();
    auto takeUsage = [this](const QJsonObject &usage) {
        // Anthropic's counts are cumulative; message_delta repeats or completes message_start's.
        if (usage.contains("input_tokens"_L1) || usage.contains("cache_read_input_tokens"_L1)
            || usage.contains("cache_creation_input_tokens"_L1)) {
            m_cachedTokens = usage.value("cache_read_input_tokens"_L1).toInteger();
            m_promptTokens = usage.value("input_tokens"_L1).toInteger()
                + usage.value("cache_creation_input_tokens"_L1).toInteger() + m_cachedTokens;
        }
        if (usage.contains("output_tokens"_L1))
            m_completionTokens = usage.value("output_tokens"_L1).toInteger();
    };

    if (type == "message_start"_L1) {
        const QJsonObject message = event.value("message"_L1).toObject();
        if (!message.value("id"_L1).toString().isEmpty())
            m_id = chatId(message.value("id"_L1).toString());
        m_model = message.value("model"_L1).toString();
        takeUsage(message.value("usage"_L1).toObject());
        return {};
    }
    if (type == "content_block_start"_L1) {
        const QJsonObject start = event.value("content_block"_L1).toObject();
        const QString kind = start.value("type"_L1).toString();
        if (kind == "tool_use"_L1) {
            if (m_toolIndex.contains(block) || m_toolIndex.size() >= 1024)
                return {};
            const int index = int(m_toolIndex.size());
            m_toolIndex.insert(block, index);
            const QJsonObject call { { u"index"_s, index },
                                     { u"id"_s, start.value("id"_L1) },
                                     { u"type"_s, u"function"_s },
                                     { u"function"_s,
                                       QJsonObject { { u"name"_s, start.value("name"_L1) },
                                                     { u"arguments"_s, u""_s } } } };
            return wrap(QJsonObject { { u"tool_calls"_s, QJsonArray { call } } });
        }
        if (kind == "redacted_thinking"_L1) {
            return wrap(QJsonObject {
                { u"thinking_blocks"_s,
                  QJsonArray { QJsonObject { { u"type"_s, u"redacted_thinking"_s },
                                             { u"data"_s, start.value("data"_L1) } } } } });
        }
        if (kind == "text"_L1 && !start.value("text"_L1).toString().isEmpty())
            return wrap(QJsonObject { { u"content"_s, start.value("text"_L1) } });
        return {};
    }
    if (type == "content_block_delta"_L1) {
        const QJsonObject delta = event.value("delta"_L1).toObject();
        const QString kind = delta.value("type"_L1).toString();
        if (kind == "text_delta"_L1 && !delta.value("text"_L1).toString().isEmpty())
            return wrap(QJsonObject { { u"content"_s, delta.value("text"_L1) } });
        if (kind == "thinking_delta"_L1 && !delta.value("thinking"_L1).toString().isEmpty())
            return wrap(QJsonObject { { u"reasoning_content"_s, delta.value("thinking"_L1) } });
        if (kind == "signature_delta"_L1 && !delta.value("signature"_L1).toString().isEmpty()) {
            return wrap(QJsonObject {
                { u"thinking_blocks"_s,
                  QJsonArray { QJsonObject { { u"type"_s, u"thinking"_s },
                                             { u"thinking"_s, u""_s },
                                             { u"signature"_s, delta.value("signature"_L1) } } } } });
        }
        if (kind == "input_json_delta"_L1) {
            const auto it = m_toolIndex.constFind(block);
            const QString piece = delta.value("partial_json"_L1).toString();
            if (it == m_toolIndex.cend() || piece.isEmpty())
                return {}; // input for a tool call that never started, or nothing yet
            const QJsonObject call { { u"index"_s, *it },
                                     { u"function"_s,
                                       QJsonObject { { u"arguments"_s, piece } } } };
            return wrap(QJsonObject { { u"tool_calls"_s, QJsonArray { call } } });
        }
        return {};
    }
    if (type == "message_delta"_L1) {
        takeUsage(event.value("usage"_L1).toObject());
        const QJsonValue stopReason = event.value("delta"_L1).toObject().value("stop_reason"_L1);
        if (!stopReason.isString())
            return {};
        return wrap(QJsonObject(), finishReason(stopReason.toString()));
    }
    if (type == "message_stop"_L1) {
        *ended = true;
        return usageChunk();
    }
    if (type == "error"_L1) {
        const QJsonObject details = event.value("error"_L1).toObject();
        const QString kind = details.value("type"_L1).toString();
        const QString message = details.value("message"_L1).toString();
        *error = kind.isEmpty() ? message : kind + u": "_s + message;
        if (error->isEmpty())
            *error = u"the node reported an error in its stream"_s;
        return {};
    }
    return {}; // ping, content_block_stop, and events added later
}

} // namespace Maestro::AnthropicUpstream

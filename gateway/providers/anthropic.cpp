#include "providers/anthropic.h"
#include "providers/translate_p.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace Maestro::Anthropic {

using namespace Translate::Detail;

namespace {

// Anthropic's estimate for an image of about 1.15 megapixels, the size it scales larger ones to.
constexpr qint64 imageTokens = 1600;

QString compactJson(const QJsonValue &value)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    return u"{}"_s;
}

void copyIfPresent(const QJsonObject &from, QLatin1StringView key, QJsonObject *to,
                   QLatin1StringView toKey = {})
{
    const QJsonValue value = from.value(key);
    if (!value.isUndefined() && !value.isNull())
        to->insert(toKey.isEmpty() ? key : toKey, value);
}

// The text of a string, or of the text blocks of a block array (system prompts, tool results).
QString textOf(const QJsonValue &content, const QString &separator)
{
    if (!content.isArray())
        return content.toString();
    QStringList texts;
    for (const QJsonValue &value : content.toArray()) {
        const QJsonObject block = value.toObject();
        if (block.value("type"_L1).toString() == "text"_L1)
            texts.append(block.value("text"_L1).toString());
    }
    return texts.join(separator);
}

// An Anthropic image block as an OpenAI image_url part; empty for sources OpenAI cannot take
// (Files API ids).
QJsonObject imagePart(const QJsonObject &block)
{
    const QJsonObject source = block.value("source"_L1).toObject();
    const QString type = source.value("type"_L1).toString();
    QString url;
    if (type == "base64"_L1) {
        QString mediaType = source.value("media_type"_L1).toString();
        if (mediaType.isEmpty())
            mediaType = u"image/png"_s;
        url = "data:"_L1 + mediaType + ";base64,"_L1 + source.value("data"_L1).toString();
    } else if (type == "url"_L1) {
        url = source.value("url"_L1).toString();
    }
    if (url.isEmpty())
        return {};
    return QJsonObject { { u"type"_s, u"image_url"_s },
                         { u"image_url"_s, QJsonObject { { u"url"_s, url } } } };
}

QJsonObject textPart(const QString &text)
{
    return QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, text } };
}

// Text of a document block with an inline text source; PDFs and file ids have no OpenAI form.
QString documentText(const QJsonObject &block)
{
    const QJsonObject source = block.value("source"_L1).toObject();
    if (source.value("type"_L1).toString() != "text"_L1)
        return {};
    return source.value("data"_L1).toString();
}

QJsonObject assistantMessage(const QJsonArray &blocks)
{
    QStringList texts;
    QJsonArray calls;
    QJsonArray thinking;
    for (const QJsonValue &value : blocks) {
        const QJsonObject block = value.toObject();
        const QString type = block.value("type"_L1).toString();
        if (type == "text"_L1) {
            texts.append(block.value("text"_L1).toString());
        } else if ((type == "thinking"_L1 && !block.value("signature"_L1).toString().isEmpty())
                   || type == "redacted_thinking"_L1) {
            // Signed by Anthropic: only an Anthropic node reads them back (and refuses a tool
            // turn without them); other node types never see them (anthropicupstream.h).
            thinking.append(block);
        } else if (type == "tool_use"_L1) {
            calls.append(QJsonObject {
                { u"id"_s, block.value("id"_L1).toString() },
                { u"type"_s, u"function"_s },
                { u"function"_s,
                  QJsonObject { { u"name"_s, block.value("name"_L1).toString() },
                                { u"arguments"_s, compactJson(block.value("input"_L1)) } } } });
        }
    }
    QJsonObject message { { u"role"_s, u"assistant"_s } };
    if (!thinking.isEmpty())
        message.insert("thinking_blocks"_L1, thinking);
    const QString text = texts.join(QString());
    message.insert("content"_L1,
                   text.isEmpty() && !calls.isEmpty() ? QJsonValue(QJsonValue::Null)
                                                      : QJsonValue(text));
    if (!calls.isEmpty())
        message.insert("tool_calls"_L1, calls);
    return message;
}

// A user turn's blocks: its tool results first, as the tool messages OpenAI wants right after the
// assistant's calls, then whatever the user said along with them.
void appendUserTurn(const QJsonArray &blocks, QJsonArray *out)
{
    QJsonArray parts;
    bool hasImage = false;
    for (const QJsonValue &value : blocks) {
        const QJsonObject block = value.toObject();
        const QString type = block.value("type"_L1).toString();
        if (type == "text"_L1) {
            parts.append(textPart(block.value("text"_L1).toString()));
        } else if (type == "image"_L1) {
            const QJsonObject part = imagePart(block);
            if (!part.isEmpty()) {
                parts.append(part);
                hasImage = true;
            }
        } else if (type == "document"_L1) {
            const QString text = documentText(block);
            if (!text.isEmpty())
                parts.append(textPart(text));
        } else if (type == "tool_result"_L1) {
            const QJsonValue content = block.value("content"_L1);
            out->append(
                QJsonObject { { u"role"_s, u"tool"_s },
                              { u"tool_call_id"_s, block.value("tool_use_id"_L1).toString() },
                              { u"content"_s, textOf(content, u"\n"_s) } });
            // Tool messages hold text only; an image a tool returned (a screenshot, a file read)
            // still reaches the model in the user message that follows.
            for (const QJsonValue &inner : content.toArray()) {
                const QJsonObject innerBlock = inner.toObject();
                if (innerBlock.value("type"_L1).toString() != "image"_L1)
                    continue;
                const QJsonObject part = imagePart(innerBlock);
                if (!part.isEmpty()) {
                    parts.append(part);
                    hasImage = true;
                }
            }
        }
    }
    if (parts.isEmpty())
        return;
    if (hasImage) {
        out->append(QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, parts } });
        return;
    }
    // Plain text as a string: some OpenAI-compatible servers' chat templates take nothing else.
    QStringList texts;
    for (const QJsonValue &part : std::as_const(parts))
        texts.append(part.toObject().value("text"_L1).toString());
    out->append(QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, texts.join("\n\n"_L1) } });
}

QJsonArray toOpenAiMessages(const QJsonObject &request)
{
    QJsonArray out;
    const QString system = textOf(request.value("system"_L1), u"\n\n"_s);
    if (!system.isEmpty())
        out.append(QJsonObject { { u"role"_s, u"system"_s }, { u"content"_s, system } });

    for (const QJsonValue &value : request.value("messages"_L1).toArray()) {
        const QJsonObject message = value.toObject();
        const QString role = message.value("role"_L1).toString();
        const QJsonValue content = message.value("content"_L1);
        if (!content.isArray()) {
            out.append(QJsonObject { { u"role"_s, role }, { u"content"_s, content.toString() } });
        } else if (role == "system"_L1) {
            // Not a turn: its text stays a system message (the node adapter folds it to the
            // front) instead of becoming the user's words.
            out.append(QJsonObject { { u"role"_s, u"system"_s },
                                     { u"content"_s, textOf(content, u"\n\n"_s) } });
        } else if (role == "assistant"_L1) {
            out.append(assistantMessage(content.toArray()));
        } else {
            appendUserTurn(content.toArray(), &out);
        }
    }
    return out;
}

bool isCustomTool(const QJsonObject &tool)
{
    const QJsonValue type = tool.value("type"_L1);
    return type.isUndefined() || type.isNull() || type.toString() == "custom"_L1;
}

QJsonArray toOpenAiTools(const QJsonArray &tools)
{
    QJsonArray out;
    for (const QJsonValue &value : tools) {
        const QJsonObject tool = value.toObject();
        // Server tools (web_search, code_execution, bash, text_editor, ...) run at Anthropic.
        if (!isCustomTool(tool))
            continue;
        QJsonObject function { { u"name"_s, tool.value("name"_L1).toString() } };
        copyIfPresent(tool, "description"_L1, &function);
        QJsonValue schema = tool.value("input_schema"_L1);
        if (!schema.isObject())
            schema = QJsonObject { { u"type"_s, u"object"_s }, { u"properties"_s, QJsonObject() } };
        function.insert("parameters"_L1, schema);
        out.append(QJsonObject { { u"type"_s, u"function"_s }, { u"function"_s, function } });
    }
    return out;
}

void toolChoiceToOpenAi(const QJsonObject &choice, QJsonObject *out)
{
    const QString type = choice.value("type"_L1).toString();
    if (type == "auto"_L1)
        out->insert("tool_choice"_L1, u"auto"_s);
    else if (type == "any"_L1)
        out->insert("tool_choice"_L1, u"required"_s);
    else if (type == "none"_L1)
        out->insert("tool_choice"_L1, u"none"_s);
    else if (type == "tool"_L1)
        out->insert("tool_choice"_L1,
                    QJsonObject { { u"type"_s, u"function"_s },
                                  { u"function"_s,
                                    QJsonObject { { u"name"_s, choice.value("name"_L1) } } } });
    if (choice.value("disable_parallel_tool_use"_L1).toBool())
        out->insert("parallel_tool_calls"_L1, false);
}

QString reasoningEffortFor(qint64 budgetTokens)
{
    if (budgetTokens >= 12000)
        return u"high"_s;
    if (budgetTokens >= 4000)
        return u"medium"_s;
    return u"low"_s;
}

QString stopReasonFor(const QString &finishReason, bool hadToolCalls)
{
    if (finishReason == "length"_L1)
        return u"max_tokens"_s;
    if (finishReason == "tool_calls"_L1 || finishReason == "function_call"_L1 || hadToolCalls)
        return u"tool_use"_s;
    if (finishReason == "content_filter"_L1)
        return u"refusal"_s;
    // OpenAI says "stop" for a stop sequence too, without saying which: end_turn is all we know.
    return u"end_turn"_s;
}

QJsonObject anthropicUsage(const Usage &usage)
{
    return QJsonObject { { u"input_tokens"_s, qMax<qint64>(usage.promptTokens, 0) },
                         { u"cache_creation_input_tokens"_s, 0 },
                         { u"cache_read_input_tokens"_s, 0 },
                         { u"output_tokens"_s, qMax<qint64>(usage.completionTokens, 0) } };
}

QString toolUseId(const QString &id)
{
    return id.isEmpty() ? randomId("toolu_"_L1) : id;
}

qint64 charsOfContent(const QJsonValue &content, qint64 *images)
{
    if (!content.isArray())
        return content.toString().size();
    qint64 chars = 0;
    for (const QJsonValue &value : content.toArray()) {
        const QJsonObject block = value.toObject();
        const QString type = block.value("type"_L1).toString();
        if (type == "text"_L1) {
            chars += block.value("text"_L1).toString().size();
        } else if (type == "image"_L1) {
            ++*images;
        } else if (type == "document"_L1) {
            chars += documentText(block).size();
        } else if (type == "tool_use"_L1) {
            chars += block.value("name"_L1).toString().size()
                + compactJson(block.value("input"_L1)).size();
        } else if (type == "tool_result"_L1) {
            chars += charsOfContent(block.value("content"_L1), images);
        }
    }
    return chars;
}

} // namespace

// ---- Requests -----------------------------------------------------------------------------------

QJsonObject toOpenAiChat(const QJsonObject &request)
{
    QJsonObject out;
    copyIfPresent(request, "model"_L1, &out);
    out.insert("messages"_L1, toOpenAiMessages(request));

    const QJsonArray tools = toOpenAiTools(request.value("tools"_L1).toArray());
    if (!tools.isEmpty()) {
        out.insert("tools"_L1, tools);
        toolChoiceToOpenAi(request.value("tool_choice"_L1).toObject(), &out);
    }

    copyIfPresent(request, "max_tokens"_L1, &out);
    copyIfPresent(request, "temperature"_L1, &out);
    copyIfPresent(request, "top_p"_L1, &out);
    copyIfPresent(request, "top_k"_L1, &out);
    const QJsonArray stops = request.value("stop_sequences"_L1).toArray();
    if (!stops.isEmpty())
        out.insert("stop"_L1, stops);

    const QJsonObject thinking = request.value("thinking"_L1).toObject();
    if (thinking.value("type"_L1).toString() == "enabled"_L1) {
        out.insert("reasoning_effort"_L1,
                   reasoningEffortFor(thinking.value("budget_tokens"_L1).toInteger()));
        // As asked, for an Anthropic node (anthropicupstream.h); dropped for other node types.
        out.insert("thinking"_L1, thinking);
    }

    out.insert("stream"_L1, wantsStream(request));
    return out;
}

QJsonObject requestForNode(NodeType node, const QJsonObject &messagesRequest)
{
    const QJsonObject chat = toOpenAiChat(messagesRequest);
    QJsonObject out
        = Translate::translateRequest(Translate::ApiKind::Chat, Dialect::OpenAi, node, chat);
    // Not an OpenAI parameter: the OpenAI API refuses it, and the Ollama translation has already
    // moved it into the options.
    if (node == NodeType::OpenAi)
        out.remove("top_k"_L1);
    return out;
}

bool wantsStream(const QJsonObject &messagesRequest)
{
    return messagesRequest.value("stream"_L1).toBool(false);
}

qint64 countTokens(const QJsonObject &request)
{
    qint64 images = 0;
    qint64 chars = textOf(request.value("system"_L1), u"\n\n"_s).size();
    for (const QJsonValue &value : request.value("messages"_L1).toArray())
        chars += charsOfContent(value.toObject().value("content"_L1), &images);
    for (const QJsonValue &value : request.value("tools"_L1).toArray()) {
        const QJsonObject tool = value.toObject();
        if (!isCustomTool(tool))
            continue;
        chars += tool.value("name"_L1).toString().size()
            + tool.value("description"_L1).toString().size()
            + compactJson(tool.value("input_schema"_L1)).size();
    }
    return qMax<qint64>(1, (chars + 3) / 4 + images * imageTokens);
}

// ---- Non-streamed responses ---------------------------------------------------------------------

QJsonObject fromOpenAiChat(const QJsonObject &chatCompletion, const QString &model)
{
    const QJsonObject choice = chatCompletion.value("choices"_L1).toArray().at(0).toObject();
    const QJsonObject message = choice.value("message"_L1).toObject();

    QJsonArray content;
    const QString thinking = reasoningOf(message);
    // An Anthropic node's own blocks, signatures and all, so that they can come back.
    const QJsonArray thinkingBlocks = message.value("thinking_blocks"_L1).toArray();
    for (const QJsonValue &block : thinkingBlocks)
        content.append(block);
    if (!thinking.isEmpty() && thinkingBlocks.isEmpty()) {
        content.append(QJsonObject {
            { u"type"_s, u"thinking"_s }, { u"thinking"_s, thinking }, { u"signature"_s, u""_s } });
    }
    const QJsonValue messageContent = message.value("content"_L1);
    const QString text
        = messageContent.isArray() ? textOf(messageContent, QString()) : messageContent.toString();
    if (!text.isEmpty())
        content.append(QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, text } });
    const QJsonArray calls = message.value("tool_calls"_L1).toArray();
    for (const QJsonValue &value : calls) {
        const QJsonObject call = value.toObject();
        const QJsonObject function = call.value("function"_L1).toObject();
        content.append(
            QJsonObject { { u"type"_s, u"tool_use"_s },
                          { u"id"_s, toolUseId(call.value("id"_L1).toString()) },
                          { u"name"_s, function.value("name"_L1).toString() },
                          { u"input"_s, argumentsToObject(function.value("arguments"_L1)) } });
    }

    return QJsonObject {
        { u"id"_s, randomId("msg_"_L1) },
        { u"type"_s, u"message"_s },
        { u"role"_s, u"assistant"_s },
        { u"model"_s, model },
        { u"content"_s, content },
        { u"stop_reason"_s,
          stopReasonFor(choice.value("finish_reason"_L1).toString(), !calls.isEmpty()) },
        { u"stop_sequence"_s, QJsonValue::Null },
        { u"usage"_s, anthropicUsage(Translate::usageFrom(NodeType::OpenAi, chatCompletion)) }
    };
}

QJsonObject responseFromNode(NodeType node, const QJsonObject &nodeBody, const QString &model,
                             Usage *usage)
{
    if (node == NodeType::OpenAi) {
        if (usage)
            *usage = Translate::usageFrom(NodeType::OpenAi, nodeBody);
        return fromOpenAiChat(nodeBody, model);
    }
    const QJsonObject chat = Translate::translateResponse(
        Translate::ApiKind::Chat, NodeType::Ollama, Dialect::OpenAi, nodeBody, model, usage);
    return fromOpenAiChat(chat, model);
}

// ---- Streams ------------------------------------------------------------------------------------

QByteArray anthropicEvent(const char *type, const QJsonObject &data)
{
    const QByteArray json = QJsonDocument(data).toJson(QJsonDocument::Compact);
    QByteArray frame;
    frame.reserve(json.size() + qsizetype(qstrlen(type)) + 16);
    frame.append("event: ").append(type).append("\ndata: ").append(json).append("\n\n");
    return frame;
}

StreamTranslator::StreamTranslator(const QString &model)
    : m_model(model)
    , m_id(randomId("msg_"_L1))
{ }

QByteArray StreamTranslator::translate(const QJsonObject &chunk)
{
    if (m_failed || m_finished)
        return {};
    const QJsonValue error = chunk.value("error"_L1);
    if (error.isObject() || error.isString()) {
        m_failed = true;
        const QString message
            = error.isString() ? error.toString() : error.toObject().value("message"_L1).toString();
        return anthropicEvent("error",
                              QJsonObject { { u"type"_s, u"error"_s },
                                            { u"error"_s,
                                              QJsonObject { { u"type"_s, u"api_error"_s },
                                                            { u"message"_s, message } } } });
    }

    if (chunk.value("usage"_L1).isObject()) {
        const Usage usage = Translate::usageFrom(NodeType::OpenAi, chunk);
        if (usage.promptTokens >= 0)
            m_usage.promptTokens = usage.promptTokens;
        if (usage.completionTokens >= 0)
            m_usage.completionTokens = usage.completionTokens;
    }
    QByteArray out = start();

    const QJsonArray choices = chunk.value("choices"_L1).toArray();
    if (choices.isEmpty())
        return out;
    // Anthropic has one answer per message; n > 1 is never asked of the node.
    const QJsonObject choice = choices.first().toObject();
    out += delta(choice.value("delta"_L1).toObject());
    const QJsonValue finishReason = choice.value("finish_reason"_L1);
    if (finishReason.isString() && !finishReason.toString().isEmpty()) {
        m_sawEnd = true;
        m_finishReason = finishReason.toString();
    }
    return out;
}

QByteArray StreamTranslator::finish()
{
    if (m_failed || m_finished)
        return {};
    QByteArray out = start();
    m_finished = true;
    out += closeBlock();

    // The client shows a running count; without one from the node, a chars/4 estimate beats 0.
    const qint64 outputTokens
        = m_usage.completionTokens >= 0 ? m_usage.completionTokens : (m_outputChars + 3) / 4;
    QJsonObject usage { { u"output_tokens"_s, outputTokens } };
    if (m_usage.promptTokens >= 0)
        usage.insert("input_tokens"_L1, m_usage.promptTokens);
    out += anthropicEvent(
        "message_delta",
        QJsonObject { { u"type"_s, u"message_delta"_s },
                      { u"delta"_s,
                        QJsonObject { { u"stop_reason"_s, stopReason() },
                                      { u"stop_sequence"_s, QJsonValue::Null } } },
                      { u"usage"_s, usage } });
    out += anthropicEvent("message_stop", QJsonObject { { u"type"_s, u"message_stop"_s } });
    return out;
}

QByteArray StreamTranslator::start()
{
    if (m_started)
        return {};
    m_started = true;
    QJsonObject usage = anthropicUsage(m_usage);
    // What the Messages API itself reports before any output is generated.
    usage.insert("output_tokens"_L1, 1);
    const QJsonObject message { { u"id"_s, m_id },
                                { u"type"_s, u"message"_s },
                                { u"role"_s, u"assistant"_s },
                                { u"model"_s, m_model },
                                { u"content"_s, QJsonArray() },
                                { u"stop_reason"_s, QJsonValue::Null },
                                { u"stop_sequence"_s, QJsonValue::Null },
                                { u"usage"_s, usage } };
    return anthropicEvent(
               "message_start",
               QJsonObject { { u"type"_s, u"message_start"_s }, { u"message"_s, message } })
        + anthropicEvent("ping", QJsonObject { { u"type"_s, u"ping"_s } });
}

QByteArray StreamTranslator::openBlock(Block kind, const QJsonObject &contentBlock)
{
    QByteArray out = closeBlock();
    m_block = kind;
    ++m_blockIndex;
    out += anthropicEvent("content_block_start",
                          QJsonObject { { u"type"_s, u"content_block_start"_s },
                                        { u"index"_s, m_blockIndex },
                                        { u"content_block"_s, contentBlock } });
    return out;
}

QByteArray StreamTranslator::closeBlock()
{
    if (m_block == Block::None)
        return {};
    m_block = Block::None;
    m_toolIndex = -1;
    return anthropicEvent(
        "content_block_stop",
        QJsonObject { { u"type"_s, u"content_block_stop"_s }, { u"index"_s, m_blockIndex } });
}

namespace {

QByteArray blockDelta(int index, const QJsonObject &delta)
{
    return anthropicEvent("content_block_delta",
                          QJsonObject { { u"type"_s, u"content_block_delta"_s },
                                        { u"index"_s, index },
                                        { u"delta"_s, delta } });
}

} // namespace

QByteArray StreamTranslator::delta(const QJsonObject &delta)
{
    QByteArray out;
    const QString thinking = reasoningOf(delta);
    if (!thinking.isEmpty()) {
        if (m_block != Block::Thinking) {
            out += openBlock(Block::Thinking,
                             QJsonObject { { u"type"_s, u"thinking"_s },
                                           { u"thinking"_s, u""_s },
                                           { u"signature"_s, u""_s } });
        }
        m_outputChars += thinking.size();
        out += blockDelta(
            m_blockIndex,
            QJsonObject { { u"type"_s, u"thinking_delta"_s }, { u"thinking"_s, thinking } });
    }

    // An Anthropic node's signature ends the thinking block it signs; a redacted block comes
    // whole (anthropicupstream.h).
    for (const QJsonValue &value : delta.value("thinking_blocks"_L1).toArray()) {
        const QJsonObject block = value.toObject();
        const QString type = block.value("type"_L1).toString();
        if (type == "redacted_thinking"_L1) {
            out += openBlock(Block::Thinking,
                             QJsonObject { { u"type"_s, u"redacted_thinking"_s },
                                           { u"data"_s, block.value("data"_L1) } });
            out += closeBlock();
        } else if (type == "thinking"_L1 && !block.value("signature"_L1).toString().isEmpty()) {
            if (m_block != Block::Thinking) {
                out += openBlock(Block::Thinking,
                                 QJsonObject { { u"type"_s, u"thinking"_s },
                                               { u"thinking"_s, u""_s },
                                               { u"signature"_s, u""_s } });
            }
            out += blockDelta(m_blockIndex,
                              QJsonObject { { u"type"_s, u"signature_delta"_s },
                                            { u"signature"_s, block.value("signature"_L1) } });
            out += closeBlock();
        }
    }

    const QString text = delta.value("content"_L1).toString();
    if (!text.isEmpty()) {
        if (m_block != Block::Text)
            out += openBlock(Block::Text,
                             QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, u""_s } });
        m_outputChars += text.size();
        out += blockDelta(m_blockIndex,
                          QJsonObject { { u"type"_s, u"text_delta"_s }, { u"text"_s, text } });
    }

    for (const QJsonValue &piece : delta.value("tool_calls"_L1).toArray())
        out += toolCallPiece(piece.toObject());
    return out;
}

QByteArray StreamTranslator::toolCallPiece(const QJsonObject &piece)
{
    const QString id = piece.value("id"_L1).toString();
    int index = piece.value("index"_L1).toInt(-1);
    if (index < 0) {
        // Servers that leave out the index send each call whole, or at least its id first; a new
        // call gets a negative key of its own, apart from the indexes other pieces carry.
        const bool sameCall = m_block == Block::ToolUse && (id.isEmpty() || id == m_toolId);
        index = sameCall ? m_toolIndex : -2 - m_toolCalls;
    }
    const QJsonObject function = piece.value("function"_L1).toObject();
    const QJsonValue argumentsValue = function.value("arguments"_L1);
    const QString arguments
        = argumentsValue.isObject() ? argumentsToString(argumentsValue) : argumentsValue.toString();

    QByteArray out;
    int blockIndex = -1;
    if (m_block == Block::ToolUse && m_toolIndex == index) {
        blockIndex = m_blockIndex;
    } else if (m_toolBlocks.contains(index)) {
        // A fragment for a call whose block is already stopped (servers interleaving parallel
        // calls): SDKs accumulate deltas by block index, so it still lands in the right input.
        blockIndex = m_toolBlocks.value(index);
    } else {
        const QString blockId = toolUseId(id);
        out += openBlock(Block::ToolUse,
                         QJsonObject { { u"type"_s, u"tool_use"_s },
                                       { u"id"_s, blockId },
                                       { u"name"_s, function.value("name"_L1).toString() },
                                       { u"input"_s, QJsonObject() } });
        m_toolIndex = index;
        m_toolId = id;
        m_toolBlocks.insert(index, m_blockIndex);
        ++m_toolCalls;
        blockIndex = m_blockIndex;
    }
    if (!arguments.isEmpty()) {
        m_outputChars += arguments.size();
        out += blockDelta(
            blockIndex,
            QJsonObject { { u"type"_s, u"input_json_delta"_s }, { u"partial_json"_s, arguments } });
    }
    return out;
}

QString StreamTranslator::stopReason() const
{
    return stopReasonFor(m_finishReason, m_toolCalls > 0);
}

// ---- Composition --------------------------------------------------------------------------------

std::unique_ptr<Translate::StreamTranslator> makeAnthropicStreamTranslator(NodeType node,
                                                                           const QString &model)
{
    if (node == NodeType::Ollama)
        return std::make_unique<OllamaChunkChain<StreamTranslator>>(model);
    return std::make_unique<StreamTranslator>(model);
}

} // namespace Maestro::Anthropic

#include "providers/responses.h"
#include "providers/translate_p.h"

#include <QJsonDocument>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace Maestro::Responses {

using namespace Translate::Detail;

namespace {

void copyIfPresent(const QJsonObject &from, QLatin1StringView key, QJsonObject *to,
                   QLatin1StringView toKey = {})
{
    const QJsonValue value = from.value(key);
    if (!value.isUndefined() && !value.isNull())
        to->insert(toKey.isEmpty() ? key : toKey, value);
}

bool isTextPart(const QString &type)
{
    return type == "input_text"_L1 || type == "output_text"_L1 || type == "text"_L1
        || type == "refusal"_L1;
}

QString partText(const QJsonObject &part)
{
    if (part.value("type"_L1).toString() == "refusal"_L1)
        return part.value("refusal"_L1).toString();
    return part.value("text"_L1).toString();
}

// The text of a content string or of its text parts.
QString textOf(const QJsonValue &content, const QString &separator)
{
    if (!content.isArray())
        return content.toString();
    QStringList texts;
    for (const QJsonValue &value : content.toArray()) {
        const QJsonObject part = value.toObject();
        if (isTextPart(part.value("type"_L1).toString()))
            texts.append(partText(part));
    }
    return texts.join(separator);
}

// An input_image part as an OpenAI image_url part; empty for file ids, which only OpenAI can
// resolve.
QJsonObject imagePart(const QJsonObject &part)
{
    QJsonValue url = part.value("image_url"_L1);
    if (url.isObject())
        url = url.toObject().value("url"_L1);
    if (!url.isString() || url.toString().isEmpty())
        return {};
    QJsonObject image { { u"url"_s, url.toString() } };
    const QString detail = part.value("detail"_L1).toString();
    if (!detail.isEmpty())
        image.insert("detail"_L1, detail);
    return QJsonObject { { u"type"_s, u"image_url"_s }, { u"image_url"_s, image } };
}

// A user message's content: a plain string unless it holds images, as some OpenAI-compatible
// servers' chat templates take nothing else.
QJsonValue userContent(const QJsonValue &content)
{
    if (!content.isArray())
        return content.toString();
    QJsonArray parts;
    QStringList texts;
    bool hasImage = false;
    for (const QJsonValue &value : content.toArray()) {
        const QJsonObject part = value.toObject();
        const QString type = part.value("type"_L1).toString();
        if (isTextPart(type)) {
            texts.append(partText(part));
            parts.append(QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, partText(part) } });
        } else if (type == "input_image"_L1) {
            const QJsonObject image = imagePart(part);
            if (!image.isEmpty()) {
                parts.append(image);
                hasImage = true;
            }
        }
    }
    if (hasImage)
        return parts;
    return texts.join("\n\n"_L1);
}

QJsonObject toolCall(const QJsonObject &item)
{
    QString arguments = item.value("arguments"_L1).toString();
    if (arguments.isEmpty())
        arguments = u"{}"_s;
    return QJsonObject { { u"id"_s, item.value("call_id"_L1).toString() },
                         { u"type"_s, u"function"_s },
                         { u"function"_s,
                           QJsonObject { { u"name"_s, item.value("name"_L1).toString() },
                                         { u"arguments"_s, arguments } } } };
}

QString outputText(const QJsonValue &output)
{
    if (output.isString())
        return output.toString();
    if (output.isArray())
        return textOf(output, u"\n"_s);
    if (output.isObject())
        return QString::fromUtf8(QJsonDocument(output.toObject()).toJson(QJsonDocument::Compact));
    return {};
}

QJsonArray toOpenAiMessages(const QJsonObject &request)
{
    // Many open models' chat templates accept a system message only at the very start, while
    // Codex sends developer items along the conversation: they are all gathered there.
    QStringList system;
    const QString instructions = request.value("instructions"_L1).toString();
    if (!instructions.isEmpty())
        system.append(instructions);

    QJsonArray messages;
    const QJsonValue input = request.value("input"_L1);
    if (input.isString())
        messages.append(QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, input.toString() } });

    for (const QJsonValue &value : input.toArray()) {
        const QJsonObject item = value.toObject();
        QString type = item.value("type"_L1).toString();
        // EasyInputMessage: {"role", "content"} without a type.
        if (type.isEmpty() && item.contains("role"_L1))
            type = u"message"_s;

        if (type == "message"_L1) {
            const QString role = item.value("role"_L1).toString();
            const QJsonValue content = item.value("content"_L1);
            if (role == "system"_L1 || role == "developer"_L1) {
                const QString text = textOf(content, u"\n\n"_s);
                if (!text.isEmpty())
                    system.append(text);
            } else if (role == "assistant"_L1) {
                messages.append(QJsonObject { { u"role"_s, u"assistant"_s },
                                              { u"content"_s, textOf(content, QString()) } });
            } else {
                messages.append(
                    QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, userContent(content) } });
            }
        } else if (type == "function_call"_L1) {
            // Parallel calls come as consecutive items; chat wants them in one assistant message,
            // along with the text the assistant said just before them.
            QJsonObject last = messages.isEmpty() ? QJsonObject() : messages.last().toObject();
            if (last.value("role"_L1).toString() == "assistant"_L1) {
                QJsonArray calls = last.value("tool_calls"_L1).toArray();
                calls.append(toolCall(item));
                last.insert("tool_calls"_L1, calls);
                if (last.value("content"_L1).toString().isEmpty())
                    last.insert("content"_L1, QJsonValue::Null);
                messages.replace(messages.size() - 1, last);
            } else {
                messages.append(QJsonObject { { u"role"_s, u"assistant"_s },
                                              { u"content"_s, QJsonValue::Null },
                                              { u"tool_calls"_s, QJsonArray { toolCall(item) } } });
            }
        } else if (type == "function_call_output"_L1) {
            messages.append(
                QJsonObject { { u"role"_s, u"tool"_s },
                              { u"tool_call_id"_s, item.value("call_id"_L1).toString() },
                              { u"content"_s, outputText(item.value("output"_L1)) } });
        }
        // reasoning items hold OpenAI's encrypted reasoning; other item types (web_search_call,
        // local_shell_call, item_reference, ...) name state or tools only OpenAI has.
    }

    if (!system.isEmpty())
        messages.prepend(
            QJsonObject { { u"role"_s, u"system"_s }, { u"content"_s, system.join("\n\n"_L1) } });
    return messages;
}

QJsonArray toOpenAiTools(const QJsonArray &tools)
{
    QJsonArray out;
    for (const QJsonValue &value : tools) {
        const QJsonObject tool = value.toObject();
        // Hosted tools (web_search, file_search, code_interpreter, ...) run at OpenAI.
        if (tool.value("type"_L1).toString() != "function"_L1)
            continue;
        QJsonObject function { { u"name"_s, tool.value("name"_L1).toString() } };
        copyIfPresent(tool, "description"_L1, &function);
        QJsonValue schema = tool.value("parameters"_L1);
        if (!schema.isObject())
            schema = QJsonObject { { u"type"_s, u"object"_s }, { u"properties"_s, QJsonObject() } };
        function.insert("parameters"_L1, schema);
        copyIfPresent(tool, "strict"_L1, &function);
        out.append(QJsonObject { { u"type"_s, u"function"_s }, { u"function"_s, function } });
    }
    return out;
}

void toolChoiceToOpenAi(const QJsonValue &choice, QJsonObject *out)
{
    if (choice.isString()) {
        const QString mode = choice.toString();
        if (mode == "auto"_L1 || mode == "none"_L1 || mode == "required"_L1)
            out->insert("tool_choice"_L1, mode);
        return;
    }
    const QJsonObject object = choice.toObject();
    if (object.value("type"_L1).toString() == "function"_L1) {
        out->insert("tool_choice"_L1,
                    QJsonObject { { u"type"_s, u"function"_s },
                                  { u"function"_s,
                                    QJsonObject { { u"name"_s, object.value("name"_L1) } } } });
    }
}

void textFormatToOpenAi(const QJsonObject &format, QJsonObject *out)
{
    const QString type = format.value("type"_L1).toString();
    if (type == "json_object"_L1) {
        out->insert("response_format"_L1, QJsonObject { { u"type"_s, u"json_object"_s } });
    } else if (type == "json_schema"_L1) {
        QJsonObject schema { { u"name"_s, format.value("name"_L1).toString(u"response"_s) } };
        copyIfPresent(format, "schema"_L1, &schema);
        copyIfPresent(format, "strict"_L1, &schema);
        copyIfPresent(format, "description"_L1, &schema);
        out->insert("response_format"_L1,
                    QJsonObject { { u"type"_s, u"json_schema"_s }, { u"json_schema"_s, schema } });
    }
}

QJsonObject responsesUsage(const Usage &usage)
{
    const qint64 input = qMax<qint64>(usage.promptTokens, 0);
    const qint64 output = qMax<qint64>(usage.completionTokens, 0);
    return QJsonObject { { u"input_tokens"_s, input },
                         { u"input_tokens_details"_s, QJsonObject { { u"cached_tokens"_s, 0 } } },
                         { u"output_tokens"_s, output },
                         { u"output_tokens_details"_s,
                           QJsonObject { { u"reasoning_tokens"_s, 0 } } },
                         { u"total_tokens"_s, input + output } };
}

QJsonValue incompleteDetails(const QString &finishReason)
{
    if (finishReason == "length"_L1)
        return QJsonObject { { u"reason"_s, u"max_output_tokens"_s } };
    if (finishReason == "content_filter"_L1)
        return QJsonObject { { u"reason"_s, u"content_filter"_s } };
    return QJsonValue::Null;
}

QJsonObject responseObject(const QString &id, qint64 createdAt, const QString &model,
                           const QString &status, const QJsonArray &output,
                           const QJsonValue &usage, const QJsonValue &incomplete)
{
    return QJsonObject { { u"id"_s, id },
                         { u"object"_s, u"response"_s },
                         { u"created_at"_s, createdAt },
                         { u"status"_s, status },
                         { u"error"_s, QJsonValue::Null },
                         { u"incomplete_details"_s, incomplete },
                         { u"model"_s, model },
                         { u"output"_s, output },
                         { u"usage"_s, usage } };
}

QJsonObject reasoningItem(const QString &id, const QString &text)
{
    QJsonArray summary;
    if (!text.isEmpty())
        summary.append(QJsonObject { { u"type"_s, u"summary_text"_s }, { u"text"_s, text } });
    return QJsonObject { { u"id"_s, id }, { u"type"_s, u"reasoning"_s }, { u"summary"_s, summary } };
}

QJsonObject outputTextPart(const QString &text)
{
    return QJsonObject { { u"type"_s, u"output_text"_s },
                         { u"text"_s, text },
                         { u"annotations"_s, QJsonArray() } };
}

QJsonObject messageItem(const QString &id, const QString &status, const QJsonArray &content)
{
    return QJsonObject { { u"id"_s, id },
                         { u"type"_s, u"message"_s },
                         { u"status"_s, status },
                         { u"role"_s, u"assistant"_s },
                         { u"content"_s, content } };
}

QJsonObject functionCallItem(const QString &id, const QString &status, const QString &callId,
                             const QString &name, const QString &arguments)
{
    return QJsonObject { { u"id"_s, id },
                         { u"type"_s, u"function_call"_s },
                         { u"status"_s, status },
                         { u"call_id"_s, callId },
                         { u"name"_s, name },
                         { u"arguments"_s, arguments } };
}

QString callIdOr(const QString &id)
{
    return id.isEmpty() ? randomId("call_"_L1) : id;
}

} // namespace

// ---- Requests -----------------------------------------------------------------------------------

QString validate(const QJsonObject &request)
{
    const QJsonValue previous = request.value("previous_response_id"_L1);
    if (!previous.isUndefined() && !previous.isNull()) {
        return u"\"previous_response_id\" is not supported: this gateway stores no responses. "
               "Send the whole conversation in \"input\" (with \"store\": false)."_s;
    }
    const QJsonValue input = request.value("input"_L1);
    if (!input.isString() && !input.isArray())
        return u"\"input\" must be a string or an array of input items"_s;
    for (const QJsonValue &item : input.toArray()) {
        if (!item.isObject())
            return u"each entry of \"input\" must be an object"_s;
    }
    return {};
}

QJsonObject toOpenAiChat(const QJsonObject &request)
{
    QJsonObject out;
    copyIfPresent(request, "model"_L1, &out);
    out.insert("messages"_L1, toOpenAiMessages(request));

    const QJsonArray tools = toOpenAiTools(request.value("tools"_L1).toArray());
    if (!tools.isEmpty()) {
        out.insert("tools"_L1, tools);
        toolChoiceToOpenAi(request.value("tool_choice"_L1), &out);
        copyIfPresent(request, "parallel_tool_calls"_L1, &out);
    }

    copyIfPresent(request, "max_output_tokens"_L1, &out, "max_tokens"_L1);
    copyIfPresent(request, "temperature"_L1, &out);
    copyIfPresent(request, "top_p"_L1, &out);
    const QString effort
        = request.value("reasoning"_L1).toObject().value("effort"_L1).toString();
    if (!effort.isEmpty())
        out.insert("reasoning_effort"_L1, effort);
    textFormatToOpenAi(request.value("text"_L1).toObject().value("format"_L1).toObject(), &out);

    out.insert("stream"_L1, request.value("stream"_L1).toBool(false));
    return out;
}

void inputAsMessages(QJsonObject *chatRequest)
{
    const QJsonValue input = chatRequest->value("input"_L1);
    if (chatRequest->contains("messages"_L1) || (!input.isString() && !input.isArray()))
        return;
    chatRequest->insert("messages"_L1, toOpenAiMessages(*chatRequest));
    chatRequest->remove("input"_L1);
    chatRequest->remove("instructions"_L1);
}

QJsonObject requestForNode(NodeType node, const QJsonObject &request)
{
    return Translate::translateRequest(Translate::ApiKind::Chat, Dialect::OpenAi, node,
                                       toOpenAiChat(request));
}

// ---- Non-streamed responses ---------------------------------------------------------------------

QJsonObject fromOpenAiChat(const QJsonObject &chatCompletion, const QString &model)
{
    const QJsonObject choice = chatCompletion.value("choices"_L1).toArray().at(0).toObject();
    const QJsonObject message = choice.value("message"_L1).toObject();
    const QString finishReason = choice.value("finish_reason"_L1).toString();

    QJsonArray output;
    const QString reasoning = reasoningOf(message);
    if (!reasoning.isEmpty())
        output.append(reasoningItem(randomId("rs_"_L1), reasoning));
    const QString text = textOf(message.value("content"_L1), QString());
    if (!text.isEmpty()) {
        output.append(messageItem(randomId("msg_"_L1), u"completed"_s,
                                  QJsonArray { outputTextPart(text) }));
    }
    for (const QJsonValue &value : message.value("tool_calls"_L1).toArray()) {
        const QJsonObject call = value.toObject();
        const QJsonObject function = call.value("function"_L1).toObject();
        output.append(functionCallItem(randomId("fc_"_L1), u"completed"_s,
                                       callIdOr(call.value("id"_L1).toString()),
                                       function.value("name"_L1).toString(),
                                       argumentsToString(function.value("arguments"_L1))));
    }

    const QJsonValue incomplete = incompleteDetails(finishReason);
    return responseObject(randomId("resp_"_L1), nowUnix(), model,
                          incomplete.isNull() ? u"completed"_s : u"incomplete"_s, output,
                          responsesUsage(Translate::usageFrom(NodeType::OpenAi, chatCompletion)),
                          incomplete);
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

QByteArray responsesEvent(const QJsonObject &data)
{
    const QByteArray type = data.value("type"_L1).toString().toUtf8();
    const QByteArray json = QJsonDocument(data).toJson(QJsonDocument::Compact);
    QByteArray frame;
    frame.reserve(json.size() + type.size() + 16);
    frame.append("event: ").append(type).append("\ndata: ").append(json).append("\n\n");
    return frame;
}

StreamTranslator::StreamTranslator(const QString &model)
    : m_model(model)
    , m_id(randomId("resp_"_L1))
    , m_createdAt(nowUnix())
{ }

QByteArray StreamTranslator::event(const char *type, QJsonObject data)
{
    data.insert("type"_L1, QLatin1StringView(type));
    data.insert("sequence_number"_L1, m_sequence++);
    return responsesEvent(data);
}

QJsonObject StreamTranslator::response(const QString &status) const
{
    const bool ended = status != "in_progress"_L1;
    // A count the node did not give is estimated from the characters relayed, as 0 output
    // tokens would read as an empty answer.
    Usage usage = m_usage;
    if (usage.completionTokens < 0)
        usage.completionTokens = (m_outputChars + 3) / 4;
    return responseObject(m_id, m_createdAt, m_model, status, ended ? m_output : QJsonArray(),
                          ended ? QJsonValue(responsesUsage(usage)) : QJsonValue(QJsonValue::Null),
                          ended ? incompleteDetails(m_finishReason) : QJsonValue(QJsonValue::Null));
}

QByteArray StreamTranslator::start()
{
    if (m_started)
        return {};
    m_started = true;
    const QJsonObject created = response(u"in_progress"_s);
    // Separate statements: the sequence numbers follow the order of the calls.
    QByteArray out = event("response.created", QJsonObject { { u"response"_s, created } });
    out += event("response.in_progress", QJsonObject { { u"response"_s, created } });
    return out;
}

QByteArray StreamTranslator::translate(const QJsonObject &chunk)
{
    if (m_failed || m_finished)
        return {};
    QByteArray out = start();
    const QJsonValue error = chunk.value("error"_L1);
    if (error.isObject() || error.isString()) {
        m_failed = true;
        const QString message
            = error.isString() ? error.toString() : error.toObject().value("message"_L1).toString();
        QJsonObject failed = response(u"failed"_s);
        failed.insert("error"_L1,
                      QJsonObject { { u"code"_s, u"server_error"_s }, { u"message"_s, message } });
        return out + event("response.failed", QJsonObject { { u"response"_s, failed } });
    }

    if (chunk.value("usage"_L1).isObject()) {
        const Usage usage = Translate::usageFrom(NodeType::OpenAi, chunk);
        if (usage.promptTokens >= 0)
            m_usage.promptTokens = usage.promptTokens;
        if (usage.completionTokens >= 0)
            m_usage.completionTokens = usage.completionTokens;
    }
    const QJsonArray choices = chunk.value("choices"_L1).toArray();
    if (choices.isEmpty())
        return out;
    // One answer per response; n > 1 is never asked of the node.
    const QJsonObject choice = choices.first().toObject();
    const QJsonObject delta = choice.value("delta"_L1).toObject();

    const QString reasoning = reasoningOf(delta);
    if (!reasoning.isEmpty()) {
        if (m_item != Item::Reasoning)
            out += openItem(Item::Reasoning);
        m_text += reasoning;
        m_outputChars += reasoning.size();
        out += event("response.reasoning_summary_text.delta",
                     QJsonObject { { u"item_id"_s, m_itemId },
                                   { u"output_index"_s, m_output.size() - 1 },
                                   { u"summary_index"_s, 0 },
                                   { u"delta"_s, reasoning } });
    }
    const QString text = delta.value("content"_L1).toString();
    if (!text.isEmpty()) {
        if (m_item != Item::Message)
            out += openItem(Item::Message);
        m_text += text;
        m_outputChars += text.size();
        out += event("response.output_text.delta",
                     QJsonObject { { u"item_id"_s, m_itemId },
                                   { u"output_index"_s, m_output.size() - 1 },
                                   { u"content_index"_s, 0 },
                                   { u"delta"_s, text },
                                   { u"logprobs"_s, QJsonArray() } });
    }
    for (const QJsonValue &piece : delta.value("tool_calls"_L1).toArray())
        out += toolCallPiece(piece.toObject());

    const QJsonValue finishReason = choice.value("finish_reason"_L1);
    if (finishReason.isString() && !finishReason.toString().isEmpty()) {
        m_sawEnd = true;
        m_finishReason = finishReason.toString();
    }
    return out;
}

QByteArray StreamTranslator::openItem(Item kind)
{
    QByteArray out = closeItem();
    out += closeCalls();
    m_item = kind;
    m_text.clear();
    const int index = int(m_output.size());
    if (kind == Item::Reasoning) {
        m_itemId = randomId("rs_"_L1);
        const QJsonObject item = reasoningItem(m_itemId, QString());
        m_output.append(item);
        out += event("response.output_item.added",
                     QJsonObject { { u"output_index"_s, index }, { u"item"_s, item } });
        out += event("response.reasoning_summary_part.added",
                     QJsonObject { { u"item_id"_s, m_itemId },
                                   { u"output_index"_s, index },
                                   { u"summary_index"_s, 0 },
                                   { u"part"_s,
                                     QJsonObject { { u"type"_s, u"summary_text"_s },
                                                   { u"text"_s, u""_s } } } });
        return out;
    }
    m_itemId = randomId("msg_"_L1);
    const QJsonObject item = messageItem(m_itemId, u"in_progress"_s, QJsonArray());
    m_output.append(item);
    out += event("response.output_item.added",
                 QJsonObject { { u"output_index"_s, index }, { u"item"_s, item } });
    out += event("response.content_part.added",
                 QJsonObject { { u"item_id"_s, m_itemId },
                               { u"output_index"_s, index },
                               { u"content_index"_s, 0 },
                               { u"part"_s, outputTextPart(QString()) } });
    return out;
}

QByteArray StreamTranslator::closeItem()
{
    if (m_item == Item::None)
        return {};
    const int index = int(m_output.size()) - 1;
    QByteArray out;
    QJsonObject item;
    if (m_item == Item::Reasoning) {
        const QJsonObject part { { u"type"_s, u"summary_text"_s }, { u"text"_s, m_text } };
        out += event("response.reasoning_summary_text.done",
                     QJsonObject { { u"item_id"_s, m_itemId },
                                   { u"output_index"_s, index },
                                   { u"summary_index"_s, 0 },
                                   { u"text"_s, m_text } });
        out += event("response.reasoning_summary_part.done",
                     QJsonObject { { u"item_id"_s, m_itemId },
                                   { u"output_index"_s, index },
                                   { u"summary_index"_s, 0 },
                                   { u"part"_s, part } });
        item = reasoningItem(m_itemId, m_text);
    } else {
        const QJsonObject part = outputTextPart(m_text);
        out += event("response.output_text.done",
                     QJsonObject { { u"item_id"_s, m_itemId },
                                   { u"output_index"_s, index },
                                   { u"content_index"_s, 0 },
                                   { u"text"_s, m_text },
                                   { u"logprobs"_s, QJsonArray() } });
        out += event("response.content_part.done",
                     QJsonObject { { u"item_id"_s, m_itemId },
                                   { u"output_index"_s, index },
                                   { u"content_index"_s, 0 },
                                   { u"part"_s, part } });
        item = messageItem(m_itemId, u"completed"_s, QJsonArray { part });
    }
    m_output.replace(index, item);
    out += event("response.output_item.done",
                 QJsonObject { { u"output_index"_s, index }, { u"item"_s, item } });
    m_item = Item::None;
    m_text.clear();
    return out;
}

QByteArray StreamTranslator::closeCalls()
{
    QByteArray out;
    for (Call &call : m_calls) {
        if (call.done)
            continue;
        call.done = true;
        if (call.arguments.isEmpty())
            call.arguments = u"{}"_s;
        out += event("response.function_call_arguments.done",
                     QJsonObject { { u"item_id"_s, call.itemId },
                                   { u"output_index"_s, call.outputIndex },
                                   { u"name"_s, call.name },
                                   { u"arguments"_s, call.arguments } });
        const QJsonObject item = functionCallItem(call.itemId, u"completed"_s, call.callId,
                                                  call.name, call.arguments);
        m_output.replace(call.outputIndex, item);
        out += event("response.output_item.done",
                     QJsonObject { { u"output_index"_s, call.outputIndex }, { u"item"_s, item } });
    }
    return out;
}

QByteArray StreamTranslator::toolCallPiece(const QJsonObject &piece)
{
    const QString id = piece.value("id"_L1).toString();
    int index = piece.value("index"_L1).toInt(-1);
    if (index < 0) {
        // Servers that leave out the index send each call whole, or at least its id first.
        const bool sameCall
            = !m_calls.isEmpty() && !m_calls.last().done && (id.isEmpty() || id == m_calls.last().callId);
        index = sameCall ? m_callByIndex.key(m_calls.size() - 1) : -2 - int(m_calls.size());
    }
    const QJsonObject function = piece.value("function"_L1).toObject();
    const QJsonValue argumentsValue = function.value("arguments"_L1);
    const QString arguments
        = argumentsValue.isObject() ? argumentsToString(argumentsValue) : argumentsValue.toString();

    QByteArray out;
    auto found = m_callByIndex.constFind(index);
    if (found == m_callByIndex.constEnd()) {
        out += closeItem();
        Call call;
        call.outputIndex = int(m_output.size());
        call.itemId = randomId("fc_"_L1);
        call.callId = callIdOr(id);
        call.name = function.value("name"_L1).toString();
        const QJsonObject item = functionCallItem(call.itemId, u"in_progress"_s, call.callId,
                                                  call.name, QString());
        m_output.append(item);
        out += event("response.output_item.added",
                     QJsonObject { { u"output_index"_s, call.outputIndex }, { u"item"_s, item } });
        m_calls.append(call);
        found = m_callByIndex.insert(index, m_calls.size() - 1);
    }
    Call &call = m_calls[*found];
    // A fragment after the call's item was done cannot be shown to the client any more.
    if (arguments.isEmpty() || call.done)
        return out;
    call.arguments += arguments;
    m_outputChars += arguments.size();
    out += event("response.function_call_arguments.delta",
                 QJsonObject { { u"item_id"_s, call.itemId },
                               { u"output_index"_s, call.outputIndex },
                               { u"delta"_s, arguments } });
    return out;
}

QByteArray StreamTranslator::finish()
{
    if (m_failed || m_finished)
        return {};
    QByteArray out = start();
    m_finished = true;
    out += closeItem();
    out += closeCalls();
    const QJsonObject final = response(incompleteDetails(m_finishReason).isNull()
                                           ? u"completed"_s
                                           : u"incomplete"_s);
    const bool complete = final.value("status"_L1).toString() == "completed"_L1;
    return out
        + event(complete ? "response.completed" : "response.incomplete",
                QJsonObject { { u"response"_s, final } });
}

// ---- Composition --------------------------------------------------------------------------------

std::unique_ptr<Translate::StreamTranslator> makeResponsesStreamTranslator(NodeType node,
                                                                           const QString &model)
{
    if (node == NodeType::Ollama)
        return std::make_unique<OllamaChunkChain<StreamTranslator>>(model);
    return std::make_unique<StreamTranslator>(model);
}

} // namespace Maestro::Responses

#include "converse.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace Maestro::Converse {

namespace {

// "data:image/png;base64,...." to a Converse image block; nothing for other URLs (Converse
// takes images inline or from S3 only).
QJsonObject imageBlock(const QString &url)
{
    if (!url.startsWith("data:image/"_L1))
        return {};
    const qsizetype semicolon = url.indexOf(u';');
    const qsizetype comma = url.indexOf(u',');
    if (semicolon < 0 || comma < semicolon || url.mid(semicolon + 1, comma - semicolon - 1) != "base64"_L1)
        return {};
    QString format = url.mid(11, semicolon - 11).toLower();
    if (format == "jpg"_L1)
        format = u"jpeg"_s;
    if (format != "png"_L1 && format != "jpeg"_L1 && format != "gif"_L1 && format != "webp"_L1)
        return {};
    return QJsonObject { { u"image"_s,
                           QJsonObject { { u"format"_s, format },
                                         { u"source"_s,
                                           QJsonObject { { u"bytes"_s, url.mid(comma + 1) } } } } } };
}

// The blocks of a message's "content": a string, or parts of type text and image_url.
QJsonArray contentBlocks(const QJsonValue &content)
{
    QJsonArray blocks;
    if (content.isString()) {
        // Bedrock refuses blank text blocks.
        if (!content.toString().trimmed().isEmpty())
            blocks.append(QJsonObject { { u"text"_s, content.toString() } });
        return blocks;
    }
    for (const QJsonValue &value : content.toArray()) {
        const QJsonObject part = value.toObject();
        const QString type = part.value("type"_L1).toString();
        if (type == "text"_L1 || type == "input_text"_L1) {
            const QString text = part.value("text"_L1).toString();
            if (!text.trimmed().isEmpty())
                blocks.append(QJsonObject { { u"text"_s, text } });
        } else if (type == "image_url"_L1) {
            const QJsonValue image = part.value("image_url"_L1);
            const QJsonObject block = imageBlock(image.isString()
                                                     ? image.toString()
                                                     : image.toObject().value("url"_L1).toString());
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
        if (part.contains("text"_L1))
            texts << part.value("text"_L1).toString();
    }
    return texts.join(u'\n');
}

QJsonObject toolUseBlock(const QJsonObject &call)
{
    const QJsonObject function = call.value("function"_L1).toObject();
    const QJsonValue arguments = function.value("arguments"_L1);
    QJsonObject input;
    if (arguments.isObject())
        input = arguments.toObject();
    else
        input = QJsonDocument::fromJson(arguments.toString().toUtf8()).object();
    return QJsonObject { { u"toolUse"_s,
                           QJsonObject { { u"toolUseId"_s, toolUseId(call.value("id"_L1).toString()) },
                                         { u"name"_s, function.value("name"_L1).toString() },
                                         { u"input"_s, input } } } };
}

QJsonObject toolConfig(const QJsonObject &chat)
{
    QJsonArray tools;
    for (const QJsonValue &value : chat.value("tools"_L1).toArray()) {
        const QJsonObject tool = value.toObject();
        const QJsonObject function = tool.value("function"_L1).toObject();
        if (function.value("name"_L1).toString().isEmpty())
            continue;
        QJsonObject schema = function.value("parameters"_L1).toObject();
        if (schema.isEmpty())
            schema = QJsonObject { { u"type"_s, u"object"_s }, { u"properties"_s, QJsonObject() } };
        QJsonObject spec { { u"name"_s, function.value("name"_L1) },
                           { u"inputSchema"_s, QJsonObject { { u"json"_s, schema } } } };
        if (!function.value("description"_L1).toString().isEmpty())
            spec.insert("description"_L1, function.value("description"_L1));
        tools.append(QJsonObject { { u"toolSpec"_s, spec } });
    }
    if (tools.isEmpty())
        return {};
    QJsonObject config { { u"tools"_s, tools } };
    // "none" has no Converse equivalent; the model is left to choose ("auto").
    const QJsonValue choice = chat.value("tool_choice"_L1);
    if (choice.toString() == "required"_L1) {
        config.insert("toolChoice"_L1, QJsonObject { { u"any"_s, QJsonObject() } });
    } else if (choice.isObject()) {
        const QString name = choice.toObject().value("function"_L1).toObject().value("name"_L1).toString();
        if (!name.isEmpty())
            config.insert("toolChoice"_L1,
                          QJsonObject { { u"tool"_s, QJsonObject { { u"name"_s, name } } } });
    } else if (choice.toString() == "auto"_L1) {
        config.insert("toolChoice"_L1, QJsonObject { { u"auto"_s, QJsonObject() } });
    }
    return config;
}

QJsonObject inferenceConfig(const QJsonObject &chat)
{
    QJsonObject config;
    QJsonValue maxTokens = chat.value("max_completion_tokens"_L1);
    if (!maxTokens.isDouble())
        maxTokens = chat.value("max_tokens"_L1);
    if (maxTokens.isDouble() && maxTokens.toDouble() >= 1)
        config.insert("maxTokens"_L1, maxTokens.toInteger());
    if (chat.value("temperature"_L1).isDouble())
        config.insert("temperature"_L1, chat.value("temperature"_L1));
    if (chat.value("top_p"_L1).isDouble())
        config.insert("topP"_L1, chat.value("top_p"_L1));
    const QJsonValue stop = chat.value("stop"_L1);
    QJsonArray sequences;
    if (stop.isString() && !stop.toString().isEmpty())
        sequences.append(stop);
    for (const QJsonValue &value : stop.toArray()) {
        if (value.isString() && !value.toString().isEmpty())
            sequences.append(value);
    }
    if (!sequences.isEmpty())
        config.insert("stopSequences"_L1, sequences);
    return config;
}

QJsonObject usageOf(const QJsonObject &usage)
{
    const qint64 input = usage.value("inputTokens"_L1).toInteger();
    const qint64 output = usage.value("outputTokens"_L1).toInteger();
    return QJsonObject { { u"prompt_tokens"_s, input },
                         { u"completion_tokens"_s, output },
                         { u"total_tokens"_s, usage.contains("totalTokens"_L1)
                                                  ? usage.value("totalTokens"_L1).toInteger()
                                                  : input + output } };
}

QString newId()
{
    return u"chatcmpl-"_s + QUuid::createUuid().toString(QUuid::Id128).left(24);
}

} // namespace

QString toolUseId(const QString &id)
{
    QString out;
    out.reserve(qMin<qsizetype>(id.size(), 64));
    for (const QChar c : id) {
        if (out.size() == 64)
            break;
        const bool ok = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z')
            || (c >= u'0' && c <= u'9') || c == u'_' || c == u'-';
        out += ok ? c : u'_';
    }
    return out.isEmpty() ? u"tool_call"_s : out;
}

QJsonObject request(const QJsonObject &chat)
{
    QJsonArray system;
    QJsonArray messages;
    QString lastRole;
    auto add = [&](const QString &role, const QJsonArray &blocks) {
        if (blocks.isEmpty())
            return;
        if (role == lastRole && !messages.isEmpty()) {
            QJsonObject last = messages.last().toObject();
            QJsonArray content = last.value("content"_L1).toArray();
            for (const QJsonValue &block : blocks)
                content.append(block);
            last.insert("content"_L1, content);
            messages.replace(messages.size() - 1, last);
        } else {
            messages.append(QJsonObject { { u"role"_s, role }, { u"content"_s, blocks } });
            lastRole = role;
        }
    };
    for (const QJsonValue &value : chat.value("messages"_L1).toArray()) {
        const QJsonObject message = value.toObject();
        const QString role = message.value("role"_L1).toString();
        if (role == "system"_L1 || role == "developer"_L1) {
            const QString text = textOf(message.value("content"_L1));
            if (!text.trimmed().isEmpty())
                system.append(QJsonObject { { u"text"_s, text } });
        } else if (role == "assistant"_L1) {
            QJsonArray blocks = contentBlocks(message.value("content"_L1));
            for (const QJsonValue &call : message.value("tool_calls"_L1).toArray())
                blocks.append(toolUseBlock(call.toObject()));
            add(u"assistant"_s, blocks);
        } else if (role == "tool"_L1) {
            QString text = textOf(message.value("content"_L1));
            if (text.isEmpty())
                text = u"(empty)"_s; // a result needs content
            const QJsonObject result {
                { u"toolUseId"_s, toolUseId(message.value("tool_call_id"_L1).toString()) },
                { u"content"_s, QJsonArray { QJsonObject { { u"text"_s, text } } } }
            };
            add(u"user"_s, QJsonArray { QJsonObject { { u"toolResult"_s, result } } });
        } else {
            add(u"user"_s, contentBlocks(message.value("content"_L1)));
        }
    }
    QJsonObject out { { u"messages"_s, messages } };
    if (!system.isEmpty())
        out.insert("system"_L1, system);
    if (const QJsonObject config = inferenceConfig(chat); !config.isEmpty())
        out.insert("inferenceConfig"_L1, config);
    if (const QJsonObject tools = toolConfig(chat); !tools.isEmpty())
        out.insert("toolConfig"_L1, tools);
    return out;
}

QString finishReason(const QString &stopReason)
{
    if (stopReason == "tool_use"_L1)
        return u"tool_calls"_s;
    if (stopReason == "max_tokens"_L1 || stopReason == "model_context_window_exceeded"_L1)
        return u"length"_s;
    if (stopReason == "content_filtered"_L1 || stopReason == "guardrail_intervened"_L1)
        return u"content_filter"_s;
    return u"stop"_s; // end_turn, stop_sequence
}

QJsonObject response(const QJsonObject &converse)
{
    const QJsonObject output = converse.value("output"_L1).toObject();
    if (!output.value("message"_L1).isObject())
        return {};
    QString text;
    QString reasoning;
    QJsonArray calls;
    for (const QJsonValue &value :
         output.value("message"_L1).toObject().value("content"_L1).toArray()) {
        const QJsonObject block = value.toObject();
        if (block.contains("text"_L1)) {
            text += block.value("text"_L1).toString();
        } else if (block.contains("toolUse"_L1)) {
            const QJsonObject use = block.value("toolUse"_L1).toObject();
            const QByteArray arguments
                = QJsonDocument(use.value("input"_L1).toObject()).toJson(QJsonDocument::Compact);
            calls.append(QJsonObject {
                { u"id"_s, use.value("toolUseId"_L1) },
                { u"type"_s, u"function"_s },
                { u"function"_s,
                  QJsonObject { { u"name"_s, use.value("name"_L1) },
                                { u"arguments"_s, QString::fromUtf8(arguments) } } } });
        } else if (block.contains("reasoningContent"_L1)) {
            reasoning += block.value("reasoningContent"_L1)
                             .toObject()
                             .value("reasoningText"_L1)
                             .toObject()
                             .value("text"_L1)
                             .toString();
        }
    }
    QJsonObject message { { u"role"_s, u"assistant"_s },
                          { u"content"_s, text.isEmpty() && !calls.isEmpty() ? QJsonValue()
                                                                              : QJsonValue(text) } };
    if (!calls.isEmpty())
        message.insert("tool_calls"_L1, calls);
    if (!reasoning.isEmpty())
        message.insert("reasoning_content"_L1, reasoning);
    QJsonObject out {
        { u"id"_s, newId() },
        { u"object"_s, u"chat.completion"_s },
        { u"created"_s, QDateTime::currentSecsSinceEpoch() },
        { u"model"_s, u""_s },
        { u"choices"_s,
          QJsonArray { QJsonObject {
              { u"index"_s, 0 },
              { u"message"_s, message },
              { u"finish_reason"_s, finishReason(converse.value("stopReason"_L1).toString()) } } } }
    };
    if (converse.value("usage"_L1).isObject())
        out.insert("usage"_L1, usageOf(converse.value("usage"_L1).toObject()));
    return out;
}

StreamConverter::StreamConverter()
    : m_id(newId())
    , m_created(QDateTime::currentSecsSinceEpoch())
{ }

QJsonObject StreamConverter::wrap(const QJsonObject &delta, const QJsonValue &finishReason) const
{
    return QJsonObject { { u"id"_s, m_id },
                         { u"object"_s, u"chat.completion.chunk"_s },
                         { u"created"_s, m_created },
                         { u"model"_s, u""_s },
                         { u"choices"_s,
                           QJsonArray { QJsonObject { { u"index"_s, 0 },
                                                      { u"delta"_s, delta },
                                                      { u"finish_reason"_s, finishReason } } } } };
}

QJsonObject StreamConverter::chunk(const QByteArray &eventType, const QJsonObject &payload)
{
    const int block = payload.value("contentBlockIndex"_L1).toInt();
    if (eventType == "messageStart") {
        return wrap(QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, u""_s } });
    }
    if (eventType == "contentBlockStart") {
        const QJsonObject use
            = payload.value("start"_L1).toObject().value("toolUse"_L1).toObject();
        if (use.isEmpty())
            return {};
        const int index = int(m_toolIndex.size());
        m_toolIndex.insert(block, index);
        const QJsonObject call { { u"index"_s, index },
                                 { u"id"_s, use.value("toolUseId"_L1) },
                                 { u"type"_s, u"function"_s },
                                 { u"function"_s,
                                   QJsonObject { { u"name"_s, use.value("name"_L1) },
                                                 { u"arguments"_s, u""_s } } } };
        return wrap(QJsonObject { { u"tool_calls"_s, QJsonArray { call } } });
    }
    if (eventType == "contentBlockDelta") {
        const QJsonObject delta = payload.value("delta"_L1).toObject();
        if (delta.contains("text"_L1))
            return wrap(QJsonObject { { u"content"_s, delta.value("text"_L1) } });
        if (delta.contains("toolUse"_L1)) {
            const auto it = m_toolIndex.constFind(block);
            if (it == m_toolIndex.cend())
                return {}; // input for a tool call that never started
            const QJsonObject call {
                { u"index"_s, *it },
                { u"function"_s,
                  QJsonObject { { u"arguments"_s,
                                  delta.value("toolUse"_L1).toObject().value("input"_L1) } } }
            };
            return wrap(QJsonObject { { u"tool_calls"_s, QJsonArray { call } } });
        }
        const QString thinking
            = delta.value("reasoningContent"_L1).toObject().value("text"_L1).toString();
        if (!thinking.isEmpty())
            return wrap(QJsonObject { { u"reasoning_content"_s, thinking } });
        return {};
    }
    if (eventType == "messageStop")
        return wrap(QJsonObject(), finishReason(payload.value("stopReason"_L1).toString()));
    if (eventType == "metadata" && payload.value("usage"_L1).isObject()) {
        return QJsonObject { { u"id"_s, m_id },
                             { u"object"_s, u"chat.completion.chunk"_s },
                             { u"created"_s, m_created },
                             { u"model"_s, u""_s },
                             { u"choices"_s, QJsonArray() },
                             { u"usage"_s, usageOf(payload.value("usage"_L1).toObject()) } };
    }
    return {};
}

} // namespace Maestro::Converse

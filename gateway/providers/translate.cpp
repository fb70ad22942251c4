#include "providers/translate.h"
#include "providers/translate_p.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QList>
#include <QRandomGenerator>
#include <QtEndian>

#include <cstring>

using namespace Qt::StringLiterals;

namespace Maestro::Translate {

// ---- Shared helpers -----------------------------------------------------------------------------

namespace Detail {

QString nowRfc3339()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

qint64 nowUnix()
{
    return QDateTime::currentSecsSinceEpoch();
}

QString randomId(QLatin1StringView prefix)
{
    static constexpr char alphabet[]
        = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    constexpr int idLength = 24;
    QString id;
    id.reserve(prefix.size() + idLength);
    id.append(prefix);
    auto *generator = QRandomGenerator::global();
    for (int i = 0; i < idLength; ++i)
        id.append(QLatin1Char(alphabet[generator->bounded(int(sizeof(alphabet) - 1))]));
    return id;
}

QString argumentsToString(const QJsonValue &arguments)
{
    if (arguments.isString())
        return arguments.toString();
    if (arguments.isObject())
        return QString::fromUtf8(
            QJsonDocument(arguments.toObject()).toJson(QJsonDocument::Compact));
    return u"{}"_s;
}

QJsonObject argumentsToObject(const QJsonValue &arguments)
{
    if (arguments.isObject())
        return arguments.toObject();
    if (!arguments.isString())
        return {};
    return QJsonDocument::fromJson(arguments.toString().toUtf8()).object();
}

QJsonObject ollamaToolCall(const QString &name, const QJsonValue &arguments)
{
    return QJsonObject { { u"function"_s,
                           QJsonObject { { u"name"_s, name },
                                         { u"arguments"_s, argumentsToObject(arguments) } } } };
}

QJsonObject openAiToolCall(const QJsonObject &ollamaCall, const QString &fallbackId)
{
    const QJsonObject function = ollamaCall.value("function"_L1).toObject();
    // Recent Ollama versions give tool calls an id of their own; keep it so replies match.
    QString id = ollamaCall.value("id"_L1).toString();
    if (id.isEmpty())
        id = fallbackId;
    return QJsonObject {
        { u"id"_s, id },
        { u"type"_s, u"function"_s },
        { u"function"_s,
          QJsonObject { { u"name"_s, function.value("name"_L1).toString() },
                        { u"arguments"_s, argumentsToString(function.value("arguments"_L1)) } } }
    };
}

QString doneReasonFor(const QString &finishReason)
{
    if (finishReason == "length"_L1)
        return u"length"_s;
    return u"stop"_s;
}

QString finishReasonFor(const QString &doneReason, bool hadToolCalls)
{
    if (hadToolCalls)
        return u"tool_calls"_s;
    if (doneReason == "length"_L1)
        return u"length"_s;
    return u"stop"_s;
}

QJsonObject openAiUsage(const Usage &usage)
{
    const qint64 prompt = qMax<qint64>(usage.promptTokens, 0);
    const qint64 completion = qMax<qint64>(usage.completionTokens, 0);
    return QJsonObject { { u"prompt_tokens"_s, prompt },
                         { u"completion_tokens"_s, completion },
                         { u"total_tokens"_s, prompt + completion } };
}

void insertOllamaCounts(QJsonObject *object, const Usage &usage)
{
    if (usage.promptTokens >= 0)
        object->insert("prompt_eval_count"_L1, usage.promptTokens);
    if (usage.completionTokens >= 0)
        object->insert("eval_count"_L1, usage.completionTokens);
}

QString reasoningOf(const QJsonObject &messageOrDelta)
{
    const QJsonValue content = messageOrDelta.value("reasoning_content"_L1);
    if (content.isString())
        return content.toString();
    return messageOrDelta.value("reasoning"_L1).toString();
}

QByteArray ndjsonLine(const QJsonObject &object)
{
    QByteArray line = QJsonDocument(object).toJson(QJsonDocument::Compact);
    line.append('\n');
    return line;
}

QByteArray sseData(const QJsonObject &object)
{
    const QByteArray json = QJsonDocument(object).toJson(QJsonDocument::Compact);
    QByteArray frame;
    frame.reserve(json.size() + 8);
    frame.append("data: ", 6).append(json).append("\n\n", 2);
    return frame;
}

} // namespace Detail

using namespace Detail;

namespace {

// ---- Requests -----------------------------------------------------------------------------------

QLatin1StringView imageMimeType(QStringView base64)
{
    // The first bytes of each format's magic number, base64-encoded.
    if (base64.startsWith(u"/9j/"))
        return "image/jpeg"_L1;
    if (base64.startsWith(u"iVBORw0KGgo"))
        return "image/png"_L1;
    if (base64.startsWith(u"R0lGOD"))
        return "image/gif"_L1;
    if (base64.startsWith(u"UklGR"))
        return "image/webp"_L1;
    return "image/png"_L1;
}

QString imageDataUri(const QString &base64)
{
    if (base64.startsWith("data:"_L1))
        return base64;
    return "data:"_L1 + imageMimeType(base64) + ";base64,"_L1 + base64;
}

void copyIfPresent(const QJsonObject &from, QLatin1StringView key, QJsonObject *to,
                   QLatin1StringView toKey = {})
{
    const QJsonValue value = from.value(key);
    if (!value.isUndefined() && !value.isNull())
        to->insert(toKey.isEmpty() ? key : toKey, value);
}

QJsonArray ollamaMessagesToOpenAi(const QJsonArray &messages)
{
    struct PendingCall
    {
        QString id;
        QString name;
    };
    // Calls of the latest assistant turn not answered yet: Ollama tool results carry at most the
    // tool's name, OpenAI needs the id of the call they answer.
    QList<PendingCall> pending;
    int callNumber = 0;

    QJsonArray out;
    for (const QJsonValue &value : messages) {
        const QJsonObject message = value.toObject();
        const QString role = message.value("role"_L1).toString();
        const QString text = message.value("content"_L1).toString();
        QJsonObject converted { { u"role"_s, role } };

        const QJsonArray images = message.value("images"_L1).toArray();
        if (images.isEmpty()) {
            converted.insert("content"_L1, text);
        } else {
            QJsonArray parts;
            if (!text.isEmpty())
                parts.append(QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, text } });
            for (const QJsonValue &image : images) {
                parts.append(QJsonObject {
                    { u"type"_s, u"image_url"_s },
                    { u"image_url"_s,
                      QJsonObject { { u"url"_s, imageDataUri(image.toString()) } } } });
            }
            converted.insert("content"_L1, parts);
        }

        if (role == "assistant"_L1) {
            const QJsonArray calls = message.value("tool_calls"_L1).toArray();
            if (!calls.isEmpty()) {
                pending.clear();
                QJsonArray convertedCalls;
                for (const QJsonValue &call : calls) {
                    const QJsonObject callObject = call.toObject();
                    const QJsonObject openAiCall
                        = openAiToolCall(callObject, u"call_"_s + QString::number(callNumber++));
                    pending.append(
                        { openAiCall.value("id"_L1).toString(),
                          callObject.value("function"_L1).toObject().value("name"_L1).toString() });
                    convertedCalls.append(openAiCall);
                }
                converted.insert("tool_calls"_L1, convertedCalls);
                if (text.isEmpty() && images.isEmpty())
                    converted.insert("content"_L1, QJsonValue::Null);
            }
        } else if (role == "tool"_L1) {
            QString id = message.value("tool_call_id"_L1).toString();
            const QString name = message.value("tool_name"_L1).toString();
            qsizetype match = -1;
            for (qsizetype i = 0; i < pending.size() && match < 0; ++i) {
                if (id.isEmpty() ? pending.at(i).name == name : pending.at(i).id == id)
                    match = i;
            }
            // A result naming no (or an unknown) tool answers the oldest open call.
            if (match < 0 && id.isEmpty() && !pending.isEmpty())
                match = 0;
            if (match >= 0) {
                if (id.isEmpty())
                    id = pending.at(match).id;
                pending.removeAt(match);
            }
            if (!id.isEmpty())
                converted.insert("tool_call_id"_L1, id);
        }
        out.append(converted);
    }
    return out;
}

void ollamaOptionsToOpenAi(const QJsonObject &options, QJsonObject *out)
{
    for (const QLatin1StringView key : { "temperature"_L1, "top_p"_L1, "seed"_L1, "stop"_L1,
                                         "frequency_penalty"_L1, "presence_penalty"_L1 })
        copyIfPresent(options, key, out);
    // Negative num_predict means "no limit" (-1) or "fill the context" (-2) in Ollama.
    const QJsonValue numPredict = options.value("num_predict"_L1);
    if (numPredict.isDouble() && numPredict.toInteger() > 0)
        out->insert("max_tokens"_L1, numPredict.toInteger());
}

void ollamaFormatToOpenAi(const QJsonValue &format, QJsonObject *out)
{
    if (format.isString() && format.toString() == "json"_L1) {
        out->insert("response_format"_L1, QJsonObject { { u"type"_s, u"json_object"_s } });
    } else if (format.isObject()) {
        out->insert("response_format"_L1,
                    QJsonObject { { u"type"_s, u"json_schema"_s },
                                  { u"json_schema"_s,
                                    QJsonObject { { u"name"_s, u"response"_s },
                                                  { u"schema"_s, format } } } });
    }
}

void setOpenAiStream(bool stream, QJsonObject *out)
{
    out->insert("stream"_L1, stream);
    if (stream)
        out->insert("stream_options"_L1, QJsonObject { { u"include_usage"_s, true } });
}

QJsonObject ollamaChatToOpenAi(const QJsonObject &body)
{
    QJsonObject out;
    copyIfPresent(body, "model"_L1, &out);
    out.insert("messages"_L1, ollamaMessagesToOpenAi(body.value("messages"_L1).toArray()));
    const QJsonArray tools = body.value("tools"_L1).toArray();
    if (!tools.isEmpty())
        out.insert("tools"_L1, tools);
    ollamaOptionsToOpenAi(body.value("options"_L1).toObject(), &out);
    ollamaFormatToOpenAi(body.value("format"_L1), &out);
    setOpenAiStream(wantsStream(ApiKind::Chat, Dialect::Ollama, body), &out);
    return out;
}

QJsonObject ollamaGenerateToOpenAi(const QJsonObject &body)
{
    QJsonObject out;
    copyIfPresent(body, "model"_L1, &out);
    // /v1/completions has no system prompt or template; the system text leads the prompt.
    const QString system = body.value("system"_L1).toString();
    const QString prompt = body.value("prompt"_L1).toString();
    out.insert("prompt"_L1, system.isEmpty() ? prompt : system + u'\n' + prompt);
    const QString suffix = body.value("suffix"_L1).toString();
    if (!suffix.isEmpty())
        out.insert("suffix"_L1, suffix);
    ollamaOptionsToOpenAi(body.value("options"_L1).toObject(), &out);
    ollamaFormatToOpenAi(body.value("format"_L1), &out);
    setOpenAiStream(wantsStream(ApiKind::Completion, Dialect::Ollama, body), &out);
    return out;
}

QJsonObject ollamaEmbedToOpenAi(ApiKind kind, const QJsonObject &body)
{
    QJsonObject out;
    copyIfPresent(body, "model"_L1, &out);
    if (kind == ApiKind::LegacyEmbeddings)
        out.insert("input"_L1, body.value("prompt"_L1).toString());
    else
        out.insert("input"_L1, body.value("input"_L1));
    copyIfPresent(body, "dimensions"_L1, &out);
    // Some servers default to base64; floats are what the Ollama client gets back.
    out.insert("encoding_format"_L1, u"float"_s);
    return out;
}

struct ImageSplit
{
    QString text;
    QJsonArray images;
};

// OpenAI content (a string, null, or an array of parts) as Ollama's text plus base64 images.
ImageSplit openAiContentToOllama(const QJsonValue &content)
{
    if (!content.isArray())
        return { content.toString(), {} };
    ImageSplit split;
    QStringList texts;
    for (const QJsonValue &value : content.toArray()) {
        const QJsonObject part = value.toObject();
        const QString type = part.value("type"_L1).toString();
        if (type == "text"_L1) {
            texts.append(part.value("text"_L1).toString());
        } else if (type == "refusal"_L1) {
            texts.append(part.value("refusal"_L1).toString());
        } else if (type == "image_url"_L1) {
            const QJsonValue image = part.value("image_url"_L1);
            const QString url
                = image.isObject() ? image.toObject().value("url"_L1).toString() : image.toString();
            const qsizetype comma = url.indexOf(u',');
            if (url.startsWith("data:"_L1) && comma > 0
                && QStringView(url).first(comma).endsWith(u";base64")) {
                split.images.append(url.mid(comma + 1));
            } else if (!url.isEmpty()) {
                // Ollama only takes inline images; the model at least learns one was meant.
                texts.append("[image: "_L1 + url + u']');
            }
        }
    }
    split.text = texts.join(u'\n');
    return split;
}

QJsonArray openAiMessagesToOllama(const QJsonArray &messages)
{
    QHash<QString, QString> callNames; // tool call id -> function name
    QJsonArray out;
    for (const QJsonValue &value : messages) {
        const QJsonObject message = value.toObject();
        QString role = message.value("role"_L1).toString();
        if (role == "developer"_L1)
            role = u"system"_s;
        else if (role == "function"_L1)
            role = u"tool"_s;

        ImageSplit content = openAiContentToOllama(message.value("content"_L1));
        QJsonObject converted { { u"role"_s, role }, { u"content"_s, content.text } };
        if (!content.images.isEmpty())
            converted.insert("images"_L1, content.images);

        if (role == "assistant"_L1) {
            const QJsonArray calls = message.value("tool_calls"_L1).toArray();
            if (!calls.isEmpty()) {
                QJsonArray convertedCalls;
                for (const QJsonValue &call : calls) {
                    const QJsonObject callObject = call.toObject();
                    const QJsonObject function = callObject.value("function"_L1).toObject();
                    const QString name = function.value("name"_L1).toString();
                    callNames.insert(callObject.value("id"_L1).toString(), name);
                    convertedCalls.append(ollamaToolCall(name, function.value("arguments"_L1)));
                }
                converted.insert("tool_calls"_L1, convertedCalls);
            }
        } else if (role == "tool"_L1) {
            QString name = callNames.value(message.value("tool_call_id"_L1).toString());
            if (name.isEmpty())
                name = message.value("name"_L1).toString();
            if (!name.isEmpty())
                converted.insert("tool_name"_L1, name);
        }
        out.append(converted);
    }
    return out;
}

QJsonObject openAiOptionsToOllama(const QJsonObject &body)
{
    QJsonObject options;
    // top_k is not OpenAI's, but clients written for vLLM send it.
    for (const QLatin1StringView key : { "temperature"_L1, "top_p"_L1, "top_k"_L1, "seed"_L1,
                                         "frequency_penalty"_L1, "presence_penalty"_L1 })
        copyIfPresent(body, key, &options);
    const QJsonValue stop = body.value("stop"_L1);
    if (stop.isString())
        options.insert("stop"_L1, QJsonArray { stop });
    else if (stop.isArray())
        options.insert("stop"_L1, stop);
    QJsonValue maxTokens = body.value("max_completion_tokens"_L1);
    if (!maxTokens.isDouble())
        maxTokens = body.value("max_tokens"_L1);
    if (maxTokens.isDouble())
        options.insert("num_predict"_L1, maxTokens.toInteger());
    return options;
}

void openAiFormatToOllama(const QJsonObject &responseFormat, QJsonObject *out)
{
    const QString type = responseFormat.value("type"_L1).toString();
    if (type == "json_object"_L1) {
        out->insert("format"_L1, u"json"_s);
    } else if (type == "json_schema"_L1) {
        const QJsonValue schema
            = responseFormat.value("json_schema"_L1).toObject().value("schema"_L1);
        out->insert("format"_L1, schema.isObject() ? schema : QJsonValue(u"json"_s));
    }
}

void openAiSamplingToOllama(const QJsonObject &body, QJsonObject *out)
{
    const QJsonObject options = openAiOptionsToOllama(body);
    if (!options.isEmpty())
        out->insert("options"_L1, options);
    openAiFormatToOllama(body.value("response_format"_L1).toObject(), out);
}

QJsonObject openAiChatToOllama(const QJsonObject &body)
{
    QJsonObject out;
    copyIfPresent(body, "model"_L1, &out);
    out.insert("messages"_L1, openAiMessagesToOllama(body.value("messages"_L1).toArray()));
    const QJsonArray tools = body.value("tools"_L1).toArray();
    if (!tools.isEmpty())
        out.insert("tools"_L1, tools);
    openAiSamplingToOllama(body, &out);
    out.insert("stream"_L1, wantsStream(ApiKind::Chat, Dialect::OpenAi, body));
    return out;
}

QJsonObject openAiCompletionToOllama(const QJsonObject &body)
{
    QJsonObject out;
    copyIfPresent(body, "model"_L1, &out);
    // Ollama generates for one prompt; a batch of prompts keeps its first.
    const QJsonValue prompt = body.value("prompt"_L1);
    out.insert("prompt"_L1,
               prompt.isArray() ? prompt.toArray().at(0).toString() : prompt.toString());
    copyIfPresent(body, "suffix"_L1, &out);
    openAiSamplingToOllama(body, &out);
    // As Ollama's own /v1/completions does: the model's template still wraps the prompt.
    out.insert("raw"_L1, false);
    out.insert("stream"_L1, wantsStream(ApiKind::Completion, Dialect::OpenAi, body));
    return out;
}

QJsonObject openAiEmbeddingsToOllama(const QJsonObject &body)
{
    QJsonObject out;
    copyIfPresent(body, "model"_L1, &out);
    out.insert("input"_L1, body.value("input"_L1));
    copyIfPresent(body, "dimensions"_L1, &out);
    return out;
}

} // namespace

QByteArray upstreamPath(ApiKind kind, NodeType node)
{
    if (node == NodeType::Ollama) {
        switch (kind) {
        case ApiKind::Chat:
        case ApiKind::Responses:
            return QByteArrayLiteral("/api/chat");
        case ApiKind::Completion:
            return QByteArrayLiteral("/api/generate");
        case ApiKind::Embeddings:
            return QByteArrayLiteral("/api/embed");
        case ApiKind::LegacyEmbeddings:
            return QByteArrayLiteral("/api/embeddings");
        }
    } else {
        switch (kind) {
        case ApiKind::Chat:
        case ApiKind::Responses:
            return QByteArrayLiteral("/v1/chat/completions");
        case ApiKind::Completion:
            return QByteArrayLiteral("/v1/completions");
        case ApiKind::Embeddings:
        case ApiKind::LegacyEmbeddings:
            return QByteArrayLiteral("/v1/embeddings");
        }
    }
    Q_UNREACHABLE();
    return {};
}

bool wantsStream(ApiKind kind, Dialect client, const QJsonObject &body)
{
    if (kind == ApiKind::Embeddings || kind == ApiKind::LegacyEmbeddings)
        return false;
    const QJsonValue stream = body.value("stream"_L1);
    if (isOllama(client))
        return stream.isBool() ? stream.toBool() : true;
    return stream.toBool(false);
}

QJsonObject translateRequest(ApiKind kind, Dialect client, NodeType node, const QJsonObject &body)
{
    const bool ollamaClient = isOllama(client);
    if (ollamaClient == (node == NodeType::Ollama)) {
        if (kind == ApiKind::Embeddings || kind == ApiKind::LegacyEmbeddings)
            return body;
        QJsonObject out = body;
        const bool stream = wantsStream(kind, client, body);
        if (ollamaClient) {
            out.insert("stream"_L1, stream);
        } else if (stream) {
            QJsonObject options = out.value("stream_options"_L1).toObject();
            options.insert("include_usage"_L1, true);
            out.insert("stream_options"_L1, options);
        }
        return out;
    }

    if (ollamaClient) {
        switch (kind) {
        case ApiKind::Chat:
        case ApiKind::Responses:
            return ollamaChatToOpenAi(body);
        case ApiKind::Completion:
            return ollamaGenerateToOpenAi(body);
        case ApiKind::Embeddings:
        case ApiKind::LegacyEmbeddings:
            return ollamaEmbedToOpenAi(kind, body);
        }
    } else {
        switch (kind) {
        case ApiKind::Chat:
        case ApiKind::Responses:
            return openAiChatToOllama(body);
        case ApiKind::Completion:
            return openAiCompletionToOllama(body);
        case ApiKind::Embeddings:
        case ApiKind::LegacyEmbeddings:
            return openAiEmbeddingsToOllama(body);
        }
    }
    Q_UNREACHABLE();
    return body;
}

// ---- Responses ----------------------------------------------------------------------------------

Usage usageFrom(NodeType node, const QJsonObject &object)
{
    Usage usage;
    if (node == NodeType::OpenAi) {
        const QJsonValue value = object.value("usage"_L1);
        if (!value.isObject())
            return usage;
        const QJsonObject counts = value.toObject();
        const QJsonValue prompt = counts.value("prompt_tokens"_L1);
        const QJsonValue completion = counts.value("completion_tokens"_L1);
        if (prompt.isDouble())
            usage.promptTokens = prompt.toInteger();
        if (completion.isDouble())
            usage.completionTokens = completion.toInteger();
        return usage;
    }
    // Stream lines before the last have no counts; embed responses have no "done" at all.
    const QJsonValue done = object.value("done"_L1);
    if (done.isBool() && !done.toBool())
        return usage;
    const QJsonValue prompt = object.value("prompt_eval_count"_L1);
    const QJsonValue completion = object.value("eval_count"_L1);
    if (prompt.isDouble())
        usage.promptTokens = prompt.toInteger();
    if (completion.isDouble())
        usage.completionTokens = completion.toInteger();
    return usage;
}

namespace {

QJsonObject firstChoice(const QJsonObject &body)
{
    return body.value("choices"_L1).toArray().at(0).toObject();
}

QJsonObject ollamaDone(const QString &model, const QString &doneReason, const Usage &usage)
{
    QJsonObject out { { u"model"_s, model },
                      { u"created_at"_s, nowRfc3339() },
                      { u"done"_s, true },
                      { u"done_reason"_s, doneReason },
                      // The node did not say; Ollama clients expect the field.
                      { u"total_duration"_s, 0 } };
    insertOllamaCounts(&out, usage);
    return out;
}

QJsonObject openAiChatToOllamaResponse(const QJsonObject &body, const QString &model,
                                       const Usage &usage)
{
    const QJsonObject choice = firstChoice(body);
    const QJsonObject message = choice.value("message"_L1).toObject();
    QJsonObject converted { { u"role"_s, u"assistant"_s },
                            { u"content"_s, message.value("content"_L1).toString() } };
    const QString thinking = reasoningOf(message);
    if (!thinking.isEmpty())
        converted.insert("thinking"_L1, thinking);
    const QJsonArray calls = message.value("tool_calls"_L1).toArray();
    if (!calls.isEmpty()) {
        QJsonArray convertedCalls;
        for (const QJsonValue &call : calls) {
            const QJsonObject function = call.toObject().value("function"_L1).toObject();
            convertedCalls.append(ollamaToolCall(function.value("name"_L1).toString(),
                                                 function.value("arguments"_L1)));
        }
        converted.insert("tool_calls"_L1, convertedCalls);
    }
    QJsonObject out
        = ollamaDone(model, doneReasonFor(choice.value("finish_reason"_L1).toString()), usage);
    out.insert("message"_L1, converted);
    return out;
}

QJsonObject openAiCompletionToOllamaResponse(const QJsonObject &body, const QString &model,
                                             const Usage &usage)
{
    const QJsonObject choice = firstChoice(body);
    QJsonObject out
        = ollamaDone(model, doneReasonFor(choice.value("finish_reason"_L1).toString()), usage);
    out.insert("response"_L1, choice.value("text"_L1).toString());
    const QString thinking = reasoningOf(choice);
    if (!thinking.isEmpty())
        out.insert("thinking"_L1, thinking);
    return out;
}

QJsonArray embeddingVector(const QJsonValue &embedding)
{
    if (embedding.isArray())
        return embedding.toArray();
    // A server that ignored encoding_format=float: base64 of little-endian float32.
    const QByteArray bytes = QByteArray::fromBase64(embedding.toString().toLatin1());
    QJsonArray vector;
    for (qsizetype offset = 0; offset + 4 <= bytes.size(); offset += 4)
        vector.append(double(qFromLittleEndian<float>(bytes.constData() + offset)));
    return vector;
}

QJsonObject openAiEmbeddingsToOllamaResponse(ApiKind kind, const QJsonObject &body,
                                             const QString &model, const Usage &usage)
{
    const QJsonArray data = body.value("data"_L1).toArray();
    QList<QJsonArray> vectors(data.size());
    for (qsizetype i = 0; i < data.size(); ++i) {
        const QJsonObject item = data.at(i).toObject();
        const qsizetype index = item.value("index"_L1).toInteger(i);
        if (index >= 0 && index < vectors.size())
            vectors[index] = embeddingVector(item.value("embedding"_L1));
    }
    if (kind == ApiKind::LegacyEmbeddings)
        return QJsonObject { { u"embedding"_s, vectors.value(0) } };

    QJsonArray embeddings;
    for (const QJsonArray &vector : std::as_const(vectors))
        embeddings.append(vector);
    QJsonObject out { { u"model"_s, model }, { u"embeddings"_s, embeddings } };
    if (usage.promptTokens >= 0)
        out.insert("prompt_eval_count"_L1, usage.promptTokens);
    return out;
}

QJsonObject openAiEnvelope(QLatin1StringView idPrefix, QLatin1StringView object,
                           const QString &model, const QJsonObject &choice, const Usage &usage)
{
    return QJsonObject { { u"id"_s, randomId(idPrefix) },
                         { u"object"_s, object },
                         { u"created"_s, nowUnix() },
                         { u"model"_s, model },
                         { u"choices"_s, QJsonArray { choice } },
                         { u"usage"_s, openAiUsage(usage) } };
}

QJsonObject ollamaChatToOpenAiResponse(const QJsonObject &body, const QString &model,
                                       const Usage &usage)
{
    const QJsonObject message = body.value("message"_L1).toObject();
    const QString content = message.value("content"_L1).toString();
    QJsonObject converted { { u"role"_s, u"assistant"_s } };
    const QJsonArray calls = message.value("tool_calls"_L1).toArray();
    converted.insert("content"_L1,
                     content.isEmpty() && !calls.isEmpty() ? QJsonValue::Null
                                                           : QJsonValue(content));
    const QString thinking = message.value("thinking"_L1).toString();
    if (!thinking.isEmpty())
        converted.insert("reasoning_content"_L1, thinking);
    if (!calls.isEmpty()) {
        QJsonArray convertedCalls;
        for (const QJsonValue &call : calls)
            convertedCalls.append(openAiToolCall(call.toObject(), randomId("call_"_L1)));
        converted.insert("tool_calls"_L1, convertedCalls);
    }
    const QJsonObject choice { { u"index"_s, 0 },
                               { u"message"_s, converted },
                               { u"logprobs"_s, QJsonValue::Null },
                               { u"finish_reason"_s,
                                 finishReasonFor(body.value("done_reason"_L1).toString(),
                                                 !calls.isEmpty()) } };
    return openAiEnvelope("chatcmpl-"_L1, "chat.completion"_L1, model, choice, usage);
}

QJsonObject ollamaGenerateToOpenAiResponse(const QJsonObject &body, const QString &model,
                                           const Usage &usage)
{
    QJsonObject choice {
        { u"index"_s, 0 },
        { u"text"_s, body.value("response"_L1).toString() },
        { u"logprobs"_s, QJsonValue::Null },
        { u"finish_reason"_s, finishReasonFor(body.value("done_reason"_L1).toString(), false) }
    };
    // Legacy completions have no reasoning field; vLLM's reasoning parsers put
    // "reasoning_content" beside the text, and so does the gateway.
    const QString thinking = body.value("thinking"_L1).toString();
    if (!thinking.isEmpty())
        choice.insert("reasoning_content"_L1, thinking);
    return openAiEnvelope("cmpl-"_L1, "text_completion"_L1, model, choice, usage);
}

QJsonObject ollamaEmbedToOpenAiResponse(ApiKind kind, const QJsonObject &body, const QString &model,
                                        const Usage &usage)
{
    QJsonArray vectors;
    if (kind == ApiKind::LegacyEmbeddings)
        vectors.append(body.value("embedding"_L1));
    else
        vectors = body.value("embeddings"_L1).toArray();
    QJsonArray data;
    for (qsizetype i = 0; i < vectors.size(); ++i) {
        data.append(QJsonObject { { u"object"_s, u"embedding"_s },
                                  { u"embedding"_s, vectors.at(i) },
                                  { u"index"_s, i } });
    }
    const qint64 prompt = qMax<qint64>(usage.promptTokens, 0);
    return QJsonObject { { u"object"_s, u"list"_s },
                         { u"data"_s, data },
                         { u"model"_s, model },
                         { u"usage"_s,
                           QJsonObject { { u"prompt_tokens"_s, prompt },
                                         { u"total_tokens"_s, prompt } } } };
}

} // namespace

QJsonObject translateResponse(ApiKind kind, NodeType node, Dialect client, const QJsonObject &body,
                              const QString &model, Usage *usage)
{
    const Usage counts = usageFrom(node, body);
    if (usage)
        *usage = counts;

    const bool ollamaClient = isOllama(client);
    if (ollamaClient == (node == NodeType::Ollama)) {
        QJsonObject out = body;
        if (out.contains("model"_L1))
            out.insert("model"_L1, model);
        return out;
    }

    if (ollamaClient) {
        switch (kind) {
        case ApiKind::Chat:
        case ApiKind::Responses:
            return openAiChatToOllamaResponse(body, model, counts);
        case ApiKind::Completion:
            return openAiCompletionToOllamaResponse(body, model, counts);
        case ApiKind::Embeddings:
        case ApiKind::LegacyEmbeddings:
            return openAiEmbeddingsToOllamaResponse(kind, body, model, counts);
        }
    } else {
        switch (kind) {
        case ApiKind::Chat:
        case ApiKind::Responses:
            return ollamaChatToOpenAiResponse(body, model, counts);
        case ApiKind::Completion:
            return ollamaGenerateToOpenAiResponse(body, model, counts);
        case ApiKind::Embeddings:
        case ApiKind::LegacyEmbeddings:
            return ollamaEmbedToOpenAiResponse(kind, body, model, counts);
        }
    }
    Q_UNREACHABLE();
    return body;
}

bool wantsBase64Embeddings(Dialect client, const QJsonObject &requestBody)
{
    return !isOllama(client) && requestBody.value("encoding_format"_L1).toString() == "base64"_L1;
}

void encodeEmbeddingsAsBase64(QJsonObject *response)
{
    QJsonArray data = response->value("data"_L1).toArray();
    for (qsizetype i = 0; i < data.size(); ++i) {
        QJsonObject item = data.at(i).toObject();
        const QJsonValue embedding = item.value("embedding"_L1);
        if (!embedding.isArray())
            continue;
        const QJsonArray vector = embedding.toArray();
        QByteArray bytes(vector.size() * qsizetype(sizeof(float)), Qt::Uninitialized);
        for (qsizetype j = 0; j < vector.size(); ++j)
            qToLittleEndian<float>(float(vector.at(j).toDouble()), bytes.data() + j * 4);
        item.insert("embedding"_L1, QString::fromLatin1(bytes.toBase64()));
        data.replace(i, item);
    }
    response->insert("data"_L1, data);
}

} // namespace Maestro::Translate

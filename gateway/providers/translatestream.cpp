#include "providers/translate.h"
#include "providers/translate_p.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QList>

using namespace Qt::StringLiterals;

namespace Maestro::Translate {

using namespace Detail;

namespace {

class StreamBase : public StreamTranslator
{
public:
    explicit StreamBase(const QString &model)
        : m_model(model)
    { }

    Usage usage() const override { return m_usage; }
    bool sawEnd() const override { return m_sawEnd; }

protected:
    // Counts may come in pieces (prompt in one chunk, completion in another on some servers).
    void mergeUsage(const Usage &usage)
    {
        if (usage.promptTokens >= 0)
            m_usage.promptTokens = usage.promptTokens;
        if (usage.completionTokens >= 0)
            m_usage.completionTokens = usage.completionTokens;
    }

    static bool hasFinishReason(const QJsonObject &choice)
    {
        const QJsonValue reason = choice.value("finish_reason"_L1);
        return reason.isString() && !reason.toString().isEmpty();
    }

    const QString m_model;
    Usage m_usage;
    bool m_sawEnd = false;
};

// ---- Same dialect -------------------------------------------------------------------------------

class OllamaRelay final : public StreamBase
{
public:
    using StreamBase::StreamBase;

    QByteArray translate(const QJsonObject &event) override
    {
        if (event.value("done"_L1).toBool()) {
            m_sawEnd = true;
            mergeUsage(usageFrom(NodeType::Ollama, event));
        }
        if (!event.contains("model"_L1))
            return ndjsonLine(event);
        QJsonObject out = event;
        out.insert("model"_L1, m_model);
        return ndjsonLine(out);
    }

    // The done line, when there was one, has been relayed already; without it the stream was
    // cut short and the caller sees that from sawEnd().
    QByteArray finish() override { return {}; }
};

class OpenAiRelay final : public StreamBase
{
public:
    OpenAiRelay(const QString &model, bool clientWantsUsage)
        : StreamBase(model)
        , m_clientWantsUsage(clientWantsUsage)
    { }

    QByteArray translate(const QJsonObject &event) override
    {
        const bool hasUsage = event.value("usage"_L1).isObject();
        if (hasUsage)
            mergeUsage(usageFrom(NodeType::OpenAi, event));
        const QJsonArray choices = event.value("choices"_L1).toArray();
        for (const QJsonValue &choice : choices) {
            if (hasFinishReason(choice.toObject()))
                m_sawEnd = true;
        }
        // The gateway asked for usage on the client's behalf: the extra chunk is not for it.
        if (!m_clientWantsUsage && hasUsage && choices.isEmpty())
            return {};

        QJsonObject out = event;
        if (out.contains("model"_L1))
            out.insert("model"_L1, m_model);
        if (!m_clientWantsUsage)
            out.remove("usage"_L1);
        return sseData(out);
    }

    QByteArray finish() override { return QByteArrayLiteral("data: [DONE]\n\n"); }

private:
    const bool m_clientWantsUsage;
};

// ---- OpenAI node, Ollama client -----------------------------------------------------------------

class OpenAiToOllama final : public StreamBase
{
public:
    OpenAiToOllama(ApiKind kind, const QString &model)
        : StreamBase(model)
        , m_chat(kind != ApiKind::Completion)
    {
        m_elapsed.start();
    }

    QByteArray translate(const QJsonObject &event) override
    {
        const QJsonValue error = event.value("error"_L1);
        if (error.isObject() || error.isString()) {
            m_failed = true;
            return ndjsonLine(QJsonObject {
                { u"error"_s,
                  error.isString() ? error.toString()
                                   : error.toObject().value("message"_L1).toString() } });
        }

        if (event.value("usage"_L1).isObject())
            mergeUsage(usageFrom(NodeType::OpenAi, event));
        const QJsonArray choices = event.value("choices"_L1).toArray();
        if (choices.isEmpty())
            return {};
        // Ollama has no notion of several choices; n > 1 is not asked of the node.
        const QJsonObject choice = choices.first().toObject();

        QByteArray out;
        if (m_chat) {
            const QJsonObject delta = choice.value("delta"_L1).toObject();
            const QString content = delta.value("content"_L1).toString();
            const QString thinking = reasoningOf(delta);
            if (!content.isEmpty() || !thinking.isEmpty()) {
                QJsonObject message { { u"role"_s, u"assistant"_s }, { u"content"_s, content } };
                if (!thinking.isEmpty())
                    message.insert("thinking"_L1, thinking);
                out += line(u"message"_s, message);
            }
            const QJsonArray calls = delta.value("tool_calls"_L1).toArray();
            for (const QJsonValue &call : calls)
                accumulate(call.toObject());
        } else {
            const QString text = choice.value("text"_L1).toString();
            const QString thinking = reasoningOf(choice);
            if (!thinking.isEmpty())
                out += line(u"response"_s, text, thinking);
            else if (!text.isEmpty())
                out += line(u"response"_s, text);
        }

        if (hasFinishReason(choice)) {
            m_sawEnd = true;
            m_finishReason = choice.value("finish_reason"_L1).toString();
            out += flushToolCalls();
        }
        return out;
    }

    // Usage arrives in a chunk after the one with finish_reason, so the done line waits for the
    // end of the stream.
    QByteArray finish() override
    {
        // Ollama never sends a done line after an error line; clients would take it as success.
        if (m_finished || m_failed)
            return {};
        m_finished = true;
        QByteArray out = flushToolCalls();
        QJsonObject done { { u"model"_s, m_model },
                           { u"created_at"_s, nowRfc3339() },
                           { u"done"_s, true },
                           { u"done_reason"_s, doneReasonFor(m_finishReason) },
                           { u"total_duration"_s, m_elapsed.nsecsElapsed() } };
        if (m_chat)
            done.insert("message"_L1,
                        QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, u""_s } });
        else
            done.insert("response"_L1, u""_s);
        insertOllamaCounts(&done, m_usage);
        out += ndjsonLine(done);
        return out;
    }

private:
    struct PartialCall
    {
        int index = 0;
        QString name;
        QString arguments;
    };

    QByteArray line(const QString &key, const QJsonValue &value,
                    const QString &thinking = QString()) const
    {
        QJsonObject object { { u"model"_s, m_model },
                             { u"created_at"_s, nowRfc3339() },
                             { key, value },
                             { u"done"_s, false } };
        // /api/generate carries its reasoning beside the response.
        if (!thinking.isEmpty())
            object.insert("thinking"_L1, thinking);
        return ndjsonLine(object);
    }

    void accumulate(const QJsonObject &piece)
    {
        const int index = piece.value("index"_L1).toInt(int(m_calls.size()));
        PartialCall *call = nullptr;
        for (PartialCall &candidate : m_calls) {
            if (candidate.index == index)
                call = &candidate;
        }
        if (!call) {
            m_calls.append(PartialCall { index, {}, {} });
            call = &m_calls.last();
        }
        const QJsonObject function = piece.value("function"_L1).toObject();
        // OpenAI sends the name once; servers that repeat it every chunk must not double it.
        const QString name = function.value("name"_L1).toString();
        if (call->name != name)
            call->name += name;
        const QJsonValue arguments = function.value("arguments"_L1);
        if (arguments.isObject())
            call->arguments = argumentsToString(arguments);
        else
            call->arguments += arguments.toString();
    }

    QByteArray flushToolCalls()
    {
        if (m_calls.isEmpty())
            return {};
        QJsonArray calls;
        for (const PartialCall &call : std::as_const(m_calls))
            calls.append(ollamaToolCall(call.name, call.arguments));
        m_calls.clear();
        return line(u"message"_s,
                    QJsonObject { { u"role"_s, u"assistant"_s },
                                  { u"content"_s, u""_s },
                                  { u"tool_calls"_s, calls } });
    }

    const bool m_chat;
    bool m_finished = false;
    bool m_failed = false;
    QString m_finishReason;
    QList<PartialCall> m_calls;
    QElapsedTimer m_elapsed;
};

// ---- Ollama node, OpenAI client -----------------------------------------------------------------

class OllamaToOpenAi final : public StreamBase, public OpenAiChunkSource
{
public:
    OllamaToOpenAi(ApiKind kind, const QString &model, bool clientWantsUsage)
        : StreamBase(model)
        , m_chat(kind != ApiKind::Completion)
        , m_clientWantsUsage(clientWantsUsage)
        , m_id(randomId(m_chat ? "chatcmpl-"_L1 : "cmpl-"_L1))
        , m_created(nowUnix())
    { }

    QByteArray translate(const QJsonObject &event) override
    {
        QByteArray out;
        for (const QJsonObject &chunk : chunks(event))
            out += sseData(chunk);
        return out;
    }

    QList<QJsonObject> chunks(const QJsonObject &event) override
    {
        const QJsonValue error = event.value("error"_L1);
        if (!error.isUndefined()) {
            return { QJsonObject { { u"error"_s,
                                     QJsonObject { { u"message"_s, error.toString() },
                                                   { u"type"_s, u"server_error"_s },
                                                   { u"code"_s, QJsonValue::Null } } } } };
        }

        QList<QJsonObject> out;
        if (m_chat) {
            if (!m_sentRole) {
                m_sentRole = true;
                out.append(chunk(
                    QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, u""_s } }));
            }
            const QJsonObject message = event.value("message"_L1).toObject();
            QJsonObject delta;
            const QString thinking = message.value("thinking"_L1).toString();
            if (!thinking.isEmpty())
                delta.insert("reasoning_content"_L1, thinking);
            const QString content = message.value("content"_L1).toString();
            if (!content.isEmpty())
                delta.insert("content"_L1, content);
            const QJsonArray calls = message.value("tool_calls"_L1).toArray();
            if (!calls.isEmpty()) {
                QJsonArray converted;
                for (const QJsonValue &call : calls) {
                    QJsonObject openAiCall = openAiToolCall(call.toObject(), randomId("call_"_L1));
                    openAiCall.insert("index"_L1, m_toolCalls++);
                    converted.append(openAiCall);
                }
                delta.insert("tool_calls"_L1, converted);
            }
            if (!delta.isEmpty())
                out.append(chunk(delta));
        } else {
            const QString text = event.value("response"_L1).toString();
            const QString thinking = event.value("thinking"_L1).toString();
            if (!text.isEmpty() || !thinking.isEmpty()) {
                QJsonObject piece = chunk(text);
                if (!thinking.isEmpty())
                    setChoiceField(&piece, "reasoning_content"_L1, thinking);
                out.append(piece);
            }
        }

        if (event.value("done"_L1).toBool() && !m_sawEnd) {
            m_sawEnd = true;
            mergeUsage(usageFrom(NodeType::Ollama, event));
            const QString reason
                = finishReasonFor(event.value("done_reason"_L1).toString(), m_toolCalls > 0);
            out.append(m_chat ? chunk(QJsonObject(), reason) : chunk(QString(), reason));
            if (m_clientWantsUsage) {
                QJsonObject usageChunk = envelope(QJsonArray());
                usageChunk.insert("usage"_L1, openAiUsage(m_usage));
                out.append(usageChunk);
            }
        }
        return out;
    }

    QByteArray finish() override { return QByteArrayLiteral("data: [DONE]\n\n"); }

    // Both bases declare these; one definition serves both.
    Usage usage() const override { return m_usage; }
    bool sawEnd() const override { return m_sawEnd; }

private:
    QJsonObject envelope(const QJsonArray &choices) const
    {
        return QJsonObject { { u"id"_s, m_id },
                             { u"object"_s,
                               m_chat ? u"chat.completion.chunk"_s : u"text_completion"_s },
                             { u"created"_s, m_created },
                             { u"model"_s, m_model },
                             { u"choices"_s, choices } };
    }

    static QJsonValue finishValue(const QString &reason)
    {
        return reason.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(reason);
    }

    QJsonObject chunk(const QJsonObject &delta, const QString &finishReason = {}) const
    {
        return envelope(
            QJsonArray { QJsonObject { { u"index"_s, 0 },
                                       { u"delta"_s, delta },
                                       { u"logprobs"_s, QJsonValue::Null },
                                       { u"finish_reason"_s, finishValue(finishReason) } } });
    }

    // Legacy completions have no reasoning field; vLLM's reasoning parsers put
    // "reasoning_content" beside the text, and so does the gateway.
    static void setChoiceField(QJsonObject *chunk, QLatin1StringView key, const QString &value)
    {
        QJsonArray choices = chunk->value("choices"_L1).toArray();
        QJsonObject choice = choices.at(0).toObject();
        choice.insert(key, value);
        choices.replace(0, choice);
        chunk->insert("choices"_L1, choices);
    }

    QJsonObject chunk(const QString &text, const QString &finishReason = {}) const
    {
        return envelope(
            QJsonArray { QJsonObject { { u"index"_s, 0 },
                                       { u"text"_s, text },
                                       { u"logprobs"_s, QJsonValue::Null },
                                       { u"finish_reason"_s, finishValue(finishReason) } } });
    }

    const bool m_chat;
    const bool m_clientWantsUsage;
    const QString m_id;
    const qint64 m_created;
    bool m_sentRole = false;
    int m_toolCalls = 0;
};

} // namespace

std::unique_ptr<StreamTranslator> makeStreamTranslator(ApiKind kind, NodeType node, Dialect client,
                                                       const QString &model, bool clientWantsUsage)
{
    const bool ollamaClient = isOllama(client);
    if (node == NodeType::Ollama) {
        if (ollamaClient)
            return std::make_unique<OllamaRelay>(model);
        return std::make_unique<OllamaToOpenAi>(kind, model, clientWantsUsage);
    }
    if (ollamaClient)
        return std::make_unique<OpenAiToOllama>(kind, model);
    return std::make_unique<OpenAiRelay>(model, clientWantsUsage);
}

std::unique_ptr<OpenAiChunkSource> Detail::makeOllamaChatChunkSource(const QString &model)
{
    return std::make_unique<OllamaToOpenAi>(ApiKind::Chat, model, true);
}

} // namespace Maestro::Translate

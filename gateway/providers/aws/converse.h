#pragma once

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace Maestro::Converse {

// Amazon Bedrock's Converse API (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html)
// to and from OpenAI chat completions, the dialect the gateway's translations speak to a Bedrock
// node. Pure functions over JSON.

// A tool-use id as Bedrock takes it: ^[A-Za-z0-9_-]{1,64}$. Other characters become '_', longer
// ids are cut; the same id always maps to the same result, so a tool call and its result match.
QString toolUseId(const QString &id);

// An OpenAI chat request to a Converse request: system messages to "system" blocks; user and
// assistant messages to content blocks (text, inline images, tool calls to "toolUse"); "tool"
// messages to "toolResult" blocks of a user message (consecutive messages of one role merged,
// as Bedrock wants turns to alternate); tools to "toolConfig"; max_tokens, temperature, top_p
// and stop to "inferenceConfig". The model goes in the URL, "stream" in the path.
QJsonObject request(const QJsonObject &chat);

// The chat finish_reason for a Converse stopReason.
QString finishReason(const QString &stopReason);

// A Converse answer to an OpenAI chat completion (text, tool calls, reasoning, finish reason,
// usage); an empty object when `converse` is not one.
QJsonObject response(const QJsonObject &converse);

// ConverseStream events to OpenAI chat completion chunks, one stream each.
class StreamConverter
{
public:
    StreamConverter();

    // The chunk for one event (named by its :event-type header), or an empty object when the
    // event carries nothing for the client (contentBlockStop, a reasoning signature).
    QJsonObject chunk(const QByteArray &eventType, const QJsonObject &payload);

private:
    QJsonObject wrap(const QJsonObject &delta, const QJsonValue &finishReason = QJsonValue()) const;

    QString m_id;
    qint64 m_created = 0;
    QHash<int, int> m_toolIndex; // contentBlockIndex -> OpenAI tool_calls index
};

} // namespace Maestro::Converse

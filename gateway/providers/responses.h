#pragma once

#include "core/dialect.h"
#include "providers/translate.h"

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <memory>

// The OpenAI Responses API (/v1/responses, what Codex CLI speaks) as pure translations over JSON,
// no I/O. Stateless: nothing is stored, so previous_response_id cannot be honoured and clients
// send the whole conversation as input items (Codex does with store=false). OpenAI chat
// completions are the pivot, as for the Anthropic translation.
namespace Maestro::Responses {

// ---- Requests -----------------------------------------------------------------------------------

// Why the request cannot be served, or an empty string. Checks what the generic validation does
// not: "input" and the stateless limits.
QString validate(const QJsonObject &request);

// A Responses request as an OpenAI chat completions request. instructions and developer/system
// items become the leading system message; message, function_call and function_call_output items
// become chat messages (consecutive calls one assistant message); reasoning items, non-function
// tools (web_search, file_search, ...) and stored-state fields are dropped.
QJsonObject toOpenAiChat(const QJsonObject &request);

// A chat completions request that carries a Responses-style "input" (and "instructions") instead
// of "messages", as Cursor sends some: those become "messages" by the translation above. A
// request that has "messages", or an "input" that is neither a string nor an array, is left as
// it is.
void inputAsMessages(QJsonObject *chatRequest);

// The body to send to a node's chat endpoint (Translate::upstreamPath(ApiKind::Responses, node)).
QJsonObject requestForNode(NodeType node, const QJsonObject &request);

// ---- Non-streamed responses ---------------------------------------------------------------------

// An OpenAI chat completion as a Responses response object reporting `model`.
QJsonObject fromOpenAiChat(const QJsonObject &chatCompletion, const QString &model);

// A node's non-streamed chat response as a Responses response; `usage` receives the node's counts.
QJsonObject responseFromNode(NodeType node, const QJsonObject &nodeBody, const QString &model,
                             Usage *usage);

// ---- Streams ------------------------------------------------------------------------------------

// One server-sent event: "event: <type>\ndata: <json>\n\n".
QByteArray responsesEvent(const QJsonObject &data);

// OpenAI chat.completion.chunk objects to Responses stream events: response.created and
// response.in_progress first; reasoning, message and function_call output items, each added, fed
// with deltas and done; at finish() response.completed (or response.incomplete when the node
// stopped at the length limit) with the whole response and its usage. An {"error": ...} chunk
// ends the stream with response.failed. Every event carries a sequence_number.
class StreamTranslator final : public Translate::StreamTranslator
{
public:
    explicit StreamTranslator(const QString &model);

    QByteArray translate(const QJsonObject &chunk) override;
    QByteArray finish() override;
    Usage usage() const override { return m_usage; }
    bool sawEnd() const override { return m_sawEnd; }

private:
    enum class Item { None, Reasoning, Message };

    struct Call
    {
        int outputIndex = -1;
        QString itemId;
        QString callId;
        QString name;
        QString arguments;
        bool done = false;
    };

    QByteArray event(const char *type, QJsonObject data);
    QByteArray start();
    QJsonObject response(const QString &status) const;
    QByteArray openItem(Item kind);
    QByteArray closeItem();
    QByteArray closeCalls();
    QByteArray toolCallPiece(const QJsonObject &piece);

    const QString m_model;
    const QString m_id;
    const qint64 m_createdAt;
    Usage m_usage;
    int m_sequence = 0;
    bool m_started = false;
    bool m_finished = false;
    bool m_failed = false;
    bool m_sawEnd = false;
    QString m_finishReason;
    QJsonArray m_output; // the finished items, by output index
    Item m_item = Item::None;
    QString m_itemId;
    QString m_text; // of the open reasoning or message item
    QList<Call> m_calls;
    QHash<int, qsizetype> m_callByIndex; // OpenAI tool call index -> m_calls position
    qint64 m_outputChars = 0;
};

// The stream translator for a node's chat stream: OpenAI nodes' chunks go straight to the
// Responses translation, Ollama nodes' lines through the Ollama -> OpenAI one first.
std::unique_ptr<Translate::StreamTranslator> makeResponsesStreamTranslator(NodeType node,
                                                                           const QString &model);

} // namespace Maestro::Responses

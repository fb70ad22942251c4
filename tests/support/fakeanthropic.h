#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QTcpServer>
#include <QUrl>

class QTcpSocket;

namespace Maestro::Test {

// A stand-in for Anthropic's API on a real socket: POST /v1/messages (a whole Messages answer, or
// with "stream": true the SSE events the real API sends: message_start, ping, content_block_start,
// content_block_delta with text_delta, input_json_delta, thinking_delta and signature_delta,
// content_block_stop, message_delta, message_stop), POST /v1/messages/count_tokens and
// GET /v1/models (paged by limit and after_id).
//
// Every request must carry x-api-key (the key set) and anthropic-version: 2023-06-01, else it is
// answered 401 authentication_error (400 for a missing version), as Anthropic does. A Messages
// request is checked the way Anthropic checks it, and refused with 400 invalid_request_error
// saying what is wrong: model and max_tokens present, turns that alternate and start with the
// user, tool_result blocks only at the front of a user turn and each answering a tool_use of the
// turn before, a thinking budget of 1024 or more below max_tokens, and when thinking is on, an
// assistant turn with tool_use followed by its results starting with the thinking block the fake
// signed (so a signature lost on the way is caught).
//
// Replies are canned: with thinking on, a thinking block (signed with signature()) first; then
// with a tool call set one tool_use block (its input streamed in two pieces) unless the last user
// turn holds a tool result, else the reply text (one delta per word when streamed). Token counts:
// input = words of every text block and the system prompt, output = reply words.
class FakeAnthropic final : public QObject
{
    Q_OBJECT

public:
    explicit FakeAnthropic(QObject *parent = nullptr);

    bool listen();
    bool listen(const QHostAddress &address, quint16 port);
    quint16 port() const { return m_server.serverPort(); }
    QUrl baseUrl() const; // http://127.0.0.1:PORT

    void setApiKey(const QByteArray &key) { m_apiKey = key; }
    void setReplyText(const QString &text) { m_replyText = text; }
    void setThinkingText(const QString &text) { m_thinkingText = text; }
    void setToolCall(const QString &name, const QJsonObject &input);
    void clearToolCall() { m_toolName.clear(); }
    // Every Messages request is answered 529 overloaded_error.
    void setOverloaded(bool overloaded) { m_overloaded = overloaded; }
    // A streamed answer that sends an "error" event of this type right after message_start.
    void setStreamError(const QByteArray &type) { m_streamError = type; }
    // Inputs of more words than this are refused: 400 "prompt is too long" (0: no limit).
    void setMaxInputWords(int words) { m_maxInputWords = words; }
    void setModels(const QStringList &ids) { m_models = ids; }
    void setModelPageSize(int size) { m_pageSize = size; }
    void setStreamPieceBytes(int bytes) { m_pieceBytes = bytes; }
    // count_tokens answers the input words plus this, to tell its answer from an estimate.
    static constexpr int CountTokensOffset = 1000;
    static QString signature() { return QStringLiteral("c2lnbmVkLWJ5LWZha2UtYW50aHJvcGlj"); }

    struct Seen
    {
        QByteArray method;
        QByteArray target; // path and query as received
        QList<QPair<QByteArray, QByteArray>> headers; // as received
        QByteArray body;
        QJsonObject json;
        int status = 0;  // what the fake answered
        QString refusal; // why it refused, when it did
        QByteArray header(QByteArrayView lowerName) const;
    };
    QList<Seen> requests() const { return m_seen; }
    Seen lastRequest() const { return m_seen.isEmpty() ? Seen() : m_seen.last(); }
    // The last request to this path (without its query), or an empty one.
    Seen lastRequestTo(const QByteArray &path) const;
    void clearRequests() { m_seen.clear(); }

    // The request check alone: empty when Anthropic would take `request`, else why not.
    static QString validate(const QJsonObject &request);

private:
    void onConnection();
    void onReadable(QTcpSocket *socket);
    void answer(QTcpSocket *socket, Seen &seen);
    QByteArray messagesAnswer(const QJsonObject &request, bool stream) const;
    QByteArray modelsAnswer(const QByteArray &query) const;

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QByteArray m_apiKey = "sk-ant-test";
    QString m_replyText = QStringLiteral("Hello from Claude");
    QString m_thinkingText = QStringLiteral("Let me think about this.");
    QString m_toolName;
    QJsonObject m_toolInput;
    bool m_overloaded = false;
    QByteArray m_streamError;
    int m_maxInputWords = 0;
    QStringList m_models { QStringLiteral("claude-sonnet-4-5"), QStringLiteral("claude-haiku-4-5") };
    int m_pageSize = 1000;
    int m_pieceBytes = 13;
    QList<Seen> m_seen;
};

} // namespace Maestro::Test

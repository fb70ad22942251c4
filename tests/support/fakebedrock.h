#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QTcpServer>
#include <QUrl>

class QTcpSocket;

namespace Maestro::Test {

// A stand-in for Amazon Bedrock's runtime API on a real socket: POST /model/{id}/converse answers
// Converse JSON, /converse-stream an AWS event stream (chunked, frames split across chunks at
// odd places, CRCs computed by awseventstream.h).
//
// Every request is authenticated the way AWS does it. With IAM credentials set, the SigV4
// signature is recomputed from the bytes received (canonical request rebuilt from the raw path,
// query, the headers the Authorization header names and the body's digest, written from AWS's
// documentation, independently of the gateway's signer), and a wrong signature, a tampered body,
// a date more than 5 minutes off, another region or service, or a missing session token is
// answered 403 with AWS's error body. With an API key set, the bearer token must match.
//
// Replies are canned: the reply text (one delta per word when streamed), or with a tool call set
// one toolUse block (streamed as two input deltas) unless the last user turn holds a tool result.
// Token counts: input = words of every text block and system prompt, output = reply words.
class FakeBedrock final : public QObject
{
    Q_OBJECT

public:
    explicit FakeBedrock(QObject *parent = nullptr);

    bool listen();
    QUrl baseUrl() const; // http://127.0.0.1:PORT

    void setRegion(const QByteArray &region) { m_region = region; }
    void setIamCredentials(const QByteArray &accessKeyId, const QByteArray &secretAccessKey,
                           const QByteArray &sessionToken = {});
    void setApiKey(const QByteArray &apiKey);
    // The clock the fake checks X-Amz-Date against (default: now, when a request comes).
    void setClock(const QDateTime &now) { m_now = now; }
    void setReplyText(const QString &text) { m_replyText = text; }
    void setToolCall(const QString &name, const QJsonObject &input);
    void clearToolCall() { m_toolName.clear(); }
    // A streamed answer that sends this exception after its first event.
    void setStreamException(const QByteArray &type, const QByteArray &message);
    void setStreamPieceBytes(int bytes) { m_pieceBytes = bytes; }

    struct Seen
    {
        QByteArray method;
        QByteArray target; // path and query as received
        QList<QPair<QByteArray, QByteArray>> headers; // as received
        QByteArray body;
        QJsonObject json;
        int status = 0;      // what the fake answered
        QString refusal;     // why it refused, when it did
        QByteArray header(QByteArrayView lowerName) const;
    };
    QList<Seen> requests() const { return m_seen; }
    Seen lastRequest() const { return m_seen.isEmpty() ? Seen() : m_seen.last(); }
    void clearRequests() { m_seen.clear(); }

    // The verifier alone, for tests of it: empty when the request is signed right, else why not.
    QString verify(const Seen &request) const;

private:
    void onConnection();
    void onReadable(QTcpSocket *socket);
    void answer(QTcpSocket *socket, Seen &seen);
    QByteArray converseAnswer(const QJsonObject &request, bool stream) const;

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QByteArray m_region = "us-east-1";
    QByteArray m_accessKeyId;
    QByteArray m_secretAccessKey;
    QByteArray m_sessionToken;
    QByteArray m_apiKey;
    QDateTime m_now;
    QString m_replyText = QStringLiteral("Hello from Bedrock");
    QString m_toolName;
    QJsonObject m_toolInput;
    QByteArray m_exceptionType;
    QByteArray m_exceptionMessage;
    int m_pieceBytes = 7;
    QList<Seen> m_seen;
};

} // namespace Maestro::Test

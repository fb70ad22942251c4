#include "fakebedrock.h"
#include "awseventstream.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QMessageAuthenticationCode>
#include <QRegularExpression>
#include <QTcpSocket>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro::Test {

namespace {

constexpr qsizetype MaxHeadBytes = 64 * 1024;
constexpr qsizetype MaxBodyBytes = 16 * 1024 * 1024;

QByteArray hmacSha256(const QByteArray &key, const QByteArray &data)
{
    QMessageAuthenticationCode mac(QCryptographicHash::Sha256, key);
    mac.addData(data);
    return mac.result();
}

int wordsIn(const QString &text)
{
    return int(text.split(u' ', Qt::SkipEmptyParts).size());
}

QByteArray httpResponse(int status, const QByteArray &reason, const QByteArray &contentType,
                        const QByteArray &body, const QByteArray &extraHeaders = {})
{
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\nContent-Type: "
        + contentType + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n"
        + extraHeaders + "\r\n" + body;
}

QByteArray awsError(const QByteArray &type, const QString &message)
{
    const QByteArray body = QJsonDocument(QJsonObject { { u"message"_s, message } })
                                .toJson(QJsonDocument::Compact);
    return httpResponse(403, "Forbidden", "application/json", body,
                        "x-amzn-ErrorType: " + type + "\r\n");
}

} // namespace

QByteArray FakeBedrock::Seen::header(QByteArrayView lowerName) const
{
    for (const auto &[name, value] : headers) {
        if (name.compare(lowerName, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

FakeBedrock::FakeBedrock(QObject *parent)
    : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &FakeBedrock::onConnection);
}

bool FakeBedrock::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl FakeBedrock::baseUrl() const
{
    return QUrl(u"http://127.0.0.1:%1"_s.arg(m_server.serverPort()));
}

void FakeBedrock::setIamCredentials(const QByteArray &accessKeyId, const QByteArray &secretAccessKey,
                                    const QByteArray &sessionToken)
{
    m_accessKeyId = accessKeyId;
    m_secretAccessKey = secretAccessKey;
    m_sessionToken = sessionToken;
    m_apiKey.clear();
}

void FakeBedrock::setApiKey(const QByteArray &apiKey)
{
    m_apiKey = apiKey;
    m_accessKeyId.clear();
    m_secretAccessKey.clear();
    m_sessionToken.clear();
}

void FakeBedrock::setToolCall(const QString &name, const QJsonObject &input)
{
    m_toolName = name;
    m_toolInput = input;
}

void FakeBedrock::setStreamException(const QByteArray &type, const QByteArray &message)
{
    m_exceptionType = type;
    m_exceptionMessage = message;
}

void FakeBedrock::onConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        socket->setParent(this);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadable(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            socket->deleteLater();
        });
    }
}

void FakeBedrock::onReadable(QTcpSocket *socket)
{
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    for (;;) {
        const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            if (buffer.size() > MaxHeadBytes)
                socket->abort();
            return;
        }
        Seen seen;
        const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
        const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
        seen.method = requestLine.value(0);
        seen.target = requestLine.value(1);
        qsizetype length = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).endsWith('\r') ? lines.at(i).chopped(1) : lines.at(i);
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            seen.headers.append({ line.left(colon), line.mid(colon + 1).trimmed() });
            if (line.left(colon).toLower() == "content-length")
                length = line.mid(colon + 1).trimmed().toLongLong();
        }
        if (length < 0 || length > MaxBodyBytes) {
            socket->abort();
            return;
        }
        if (buffer.size() < headEnd + 4 + length)
            return;
        seen.body = buffer.mid(headEnd + 4, length);
        buffer.remove(0, headEnd + 4 + length);
        seen.json = QJsonDocument::fromJson(seen.body).object();
        answer(socket, seen);
        m_seen.append(seen);
    }
}

QString FakeBedrock::verify(const Seen &request) const
{
    const QByteArray authorization = request.header("authorization");
    if (!m_apiKey.isEmpty()) {
        return authorization == "Bearer " + m_apiKey ? QString()
                                                     : u"the bearer token is not the API key"_s;
    }
    static const QRegularExpression pattern(
        u"^AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, "
        "SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$"_s);
    const QRegularExpressionMatch match = pattern.match(QString::fromLatin1(authorization));
    if (!match.hasMatch())
        return u"no AWS4-HMAC-SHA256 Authorization header"_s;
    if (match.captured(1).toLatin1() != m_accessKeyId)
        return u"unknown access key id"_s;
    if (match.captured(3).toLatin1() != m_region || match.captured(4) != "bedrock"_L1)
        return u"the credential scope names another region or service"_s;
    const QByteArray amzDate = request.header("x-amz-date");
    const QDateTime signedAt
        = QDateTime::fromString(QString::fromLatin1(amzDate), u"yyyyMMdd'T'HHmmss'Z'"_s);
    if (!signedAt.isValid() || amzDate.left(8) != match.captured(2).toLatin1())
        return u"X-Amz-Date is missing or does not match the credential scope"_s;
    QDateTime at = signedAt;
    at.setTimeSpec(Qt::UTC);
    const QDateTime now = m_now.isValid() ? m_now : QDateTime::currentDateTimeUtc();
    if (qAbs(at.secsTo(now)) > 300)
        return u"Signature expired: %1 is more than 5 minutes from the server's time"_s.arg(
            QString::fromLatin1(amzDate));
    const QByteArrayList signedHeaders = match.captured(5).toLatin1().split(';');
    if (!signedHeaders.contains("host") || !signedHeaders.contains("x-amz-date"))
        return u"host and x-amz-date must be signed"_s;
    if (!m_sessionToken.isEmpty()
        && (request.header("x-amz-security-token") != m_sessionToken
            || !signedHeaders.contains("x-amz-security-token")))
        return u"the security token included in the request is invalid"_s;

    // The canonical request, from the bytes as they came.
    const qsizetype question = request.target.indexOf('?');
    const QByteArray path = question < 0 ? request.target : request.target.left(question);
    const QByteArray query = question < 0 ? QByteArray() : request.target.mid(question + 1);
    QByteArrayList segments;
    for (const QByteArray &segment : path.split('/'))
        segments.append(segment.toPercentEncoding()); // a second encoding, as non-S3 services use
    QMap<QByteArray, QByteArrayList> parameters;
    for (const QByteArray &pair : query.split('&')) {
        if (pair.isEmpty())
            continue;
        const QByteArrayList parts = pair.split('=');
        parameters[QByteArray::fromPercentEncoding(parts.value(0)).toPercentEncoding()].append(
            QByteArray::fromPercentEncoding(parts.value(1)).toPercentEncoding());
    }
    QByteArrayList queryParts;
    for (auto it = parameters.begin(); it != parameters.end(); ++it) {
        std::sort(it.value().begin(), it.value().end());
        for (const QByteArray &value : it.value())
            queryParts.append(it.key() + '=' + value);
    }
    QByteArray headerBlock;
    for (const QByteArray &name : signedHeaders) {
        QByteArrayList values;
        for (const auto &[received, value] : request.headers) {
            if (received.toLower() == name)
                values.append(value.simplified());
        }
        if (values.isEmpty())
            return u"signed header %1 is missing"_s.arg(QString::fromLatin1(name));
        headerBlock += name + ':' + values.join(',') + '\n';
    }
    const QByteArray bodyHash
        = QCryptographicHash::hash(request.body, QCryptographicHash::Sha256).toHex();
    const QByteArray canonical = request.method + '\n' + segments.join('/') + '\n'
        + queryParts.join('&') + '\n' + headerBlock + '\n' + signedHeaders.join(';') + '\n'
        + bodyHash;
    const QByteArray scope = match.captured(2).toLatin1() + '/' + m_region + "/bedrock/aws4_request";
    const QByteArray toSign = "AWS4-HMAC-SHA256\n" + amzDate + '\n' + scope + '\n'
        + QCryptographicHash::hash(canonical, QCryptographicHash::Sha256).toHex();
    QByteArray key = "AWS4" + m_secretAccessKey;
    for (const QByteArray &part :
         { match.captured(2).toLatin1(), m_region, QByteArray("bedrock"), QByteArray("aws4_request") })
        key = hmacSha256(key, part);
    if (hmacSha256(key, toSign).toHex() != match.captured(6).toLatin1())
        return u"The request signature we calculated does not match the signature you provided."_s;
    return {};
}

void FakeBedrock::answer(QTcpSocket *socket, Seen &seen)
{
    static const QRegularExpression route(u"^/model/([^/]+)/(converse|converse-stream)$"_s);
    const QRegularExpressionMatch match = route.match(QString::fromLatin1(seen.target));
    if (seen.method != "POST" || !match.hasMatch()) {
        seen.status = 404;
        socket->write(httpResponse(404, "Not Found", "application/json",
                                   R"({"message":"Unknown operation"})"));
        return;
    }
    seen.refusal = verify(seen);
    if (!seen.refusal.isEmpty()) {
        seen.status = 403;
        const QByteArray type = m_apiKey.isEmpty() ? "InvalidSignatureException"
                                                   : "UnrecognizedClientException";
        socket->write(awsError(type, seen.refusal));
        return;
    }
    seen.status = 200;
    const bool stream = match.captured(2) == "converse-stream"_L1;
    const QByteArray body = converseAnswer(seen.json, stream);
    if (!stream) {
        socket->write(httpResponse(200, "OK", "application/json", body));
        return;
    }
    // Chunked, in pieces that cut the frames anywhere.
    QByteArray out = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.amazon.eventstream\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n";
    for (qsizetype at = 0; at < body.size(); at += m_pieceBytes) {
        const QByteArray piece = body.mid(at, m_pieceBytes);
        out += QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
    }
    out += "0\r\n\r\n";
    socket->write(out);
}

QByteArray FakeBedrock::converseAnswer(const QJsonObject &request, bool stream) const
{
    int inputWords = 0;
    for (const QJsonValue &block : request.value("system"_L1).toArray())
        inputWords += wordsIn(block.toObject().value("text"_L1).toString());
    bool lastTurnIsToolResult = false;
    for (const QJsonValue &message : request.value("messages"_L1).toArray()) {
        lastTurnIsToolResult = false;
        for (const QJsonValue &block : message.toObject().value("content"_L1).toArray()) {
            inputWords += wordsIn(block.toObject().value("text"_L1).toString());
            lastTurnIsToolResult = lastTurnIsToolResult || block.toObject().contains("toolResult"_L1);
        }
    }
    const bool tool = !m_toolName.isEmpty() && !lastTurnIsToolResult;
    const QStringList words = m_replyText.split(u' ', Qt::SkipEmptyParts);
    const int outputWords = tool ? 5 : int(words.size());
    const QJsonObject usage { { u"inputTokens"_s, inputWords },
                              { u"outputTokens"_s, outputWords },
                              { u"totalTokens"_s, inputWords + outputWords } };
    const QString toolId = u"tooluse_Fake01"_s;

    if (!stream) {
        QJsonArray content;
        if (tool)
            content.append(QJsonObject { { u"toolUse"_s,
                                           QJsonObject { { u"toolUseId"_s, toolId },
                                                         { u"name"_s, m_toolName },
                                                         { u"input"_s, m_toolInput } } } });
        else
            content.append(QJsonObject { { u"text"_s, m_replyText } });
        const QJsonObject answer {
            { u"output"_s,
              QJsonObject { { u"message"_s,
                              QJsonObject { { u"role"_s, u"assistant"_s },
                                            { u"content"_s, content } } } } },
            { u"stopReason"_s, tool ? u"tool_use"_s : u"end_turn"_s },
            { u"usage"_s, usage },
            { u"metrics"_s, QJsonObject { { u"latencyMs"_s, 3 } } }
        };
        return QJsonDocument(answer).toJson(QJsonDocument::Compact);
    }

    auto event = [](const QByteArray &type, const QJsonObject &payload) {
        return bedrockEvent(type, QJsonDocument(payload).toJson(QJsonDocument::Compact));
    };
    QByteArray out = event("messageStart", { { u"role"_s, u"assistant"_s } });
    if (!m_exceptionType.isEmpty())
        return out + bedrockException(m_exceptionType, m_exceptionMessage);
    if (tool) {
        out += event("contentBlockStart",
                     { { u"contentBlockIndex"_s, 0 },
                       { u"start"_s,
                         QJsonObject { { u"toolUse"_s,
                                         QJsonObject { { u"toolUseId"_s, toolId },
                                                       { u"name"_s, m_toolName } } } } } });
        const QString input
            = QString::fromUtf8(QJsonDocument(m_toolInput).toJson(QJsonDocument::Compact));
        const qsizetype half = input.size() / 2;
        for (const QString &piece : { input.left(half), input.mid(half) })
            out += event("contentBlockDelta",
                         { { u"contentBlockIndex"_s, 0 },
                           { u"delta"_s,
                             QJsonObject { { u"toolUse"_s,
                                             QJsonObject { { u"input"_s, piece } } } } } });
    } else {
        for (qsizetype i = 0; i < words.size(); ++i)
            out += event("contentBlockDelta",
                         { { u"contentBlockIndex"_s, 0 },
                           { u"delta"_s,
                             QJsonObject { { u"text"_s, QString((i ? u" "_s : QString()) + words.at(i)) } } } });
    }
    out += event("contentBlockStop", { { u"contentBlockIndex"_s, 0 } });
    out += event("messageStop", { { u"stopReason"_s, tool ? u"tool_use"_s : u"end_turn"_s } });
    out += event("metadata", { { u"usage"_s, usage },
                               { u"metrics"_s, QJsonObject { { u"latencyMs"_s, 3 } } } });
    return out;
}

} // namespace Maestro::Test

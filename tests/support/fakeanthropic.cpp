#include "fakeanthropic.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Maestro::Test {

namespace {

constexpr qsizetype MaxHeadBytes = 64 * 1024;
constexpr qsizetype MaxBodyBytes = 32 * 1024 * 1024;

int wordsIn(const QString &text)
{
    return int(text.split(u' ', Qt::SkipEmptyParts).size());
}

// Words of a string or of the text blocks (and tool results' text) of a block array.
int wordsOf(const QJsonValue &content)
{
    if (content.isString())
        return wordsIn(content.toString());
    int words = 0;
    for (const QJsonValue &value : content.toArray()) {
        const QJsonObject block = value.toObject();
        if (block.value("type"_L1) == "text"_L1)
            words += wordsIn(block.value("text"_L1).toString());
        else if (block.value("type"_L1) == "tool_result"_L1)
            words += wordsOf(block.value("content"_L1));
    }
    return words;
}

int inputWords(const QJsonObject &request)
{
    int words = wordsOf(request.value("system"_L1));
    for (const QJsonValue &message : request.value("messages"_L1).toArray())
        words += wordsOf(message.toObject().value("content"_L1));
    return words;
}

QByteArray httpResponse(int status, const QByteArray &reason, const QByteArray &contentType,
                        const QByteArray &body)
{
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\nContent-Type: "
        + contentType + "\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\nrequest-id: req_fake\r\n\r\n" + body;
}

QJsonObject errorObject(const QString &type, const QString &message)
{
    return QJsonObject { { u"type"_s, u"error"_s },
                         { u"error"_s,
                           QJsonObject { { u"type"_s, type }, { u"message"_s, message } } } };
}

QByteArray errorResponse(int status, const QByteArray &reason, const QString &type,
                         const QString &message)
{
    return httpResponse(status, reason, "application/json",
                        QJsonDocument(errorObject(type, message)).toJson(QJsonDocument::Compact));
}

QByteArray sseEvent(const QByteArray &type, const QJsonObject &data)
{
    return "event: " + type + "\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact)
        + "\n\n";
}

QList<QJsonObject> blocksOf(const QJsonObject &message)
{
    QList<QJsonObject> blocks;
    const QJsonValue content = message.value("content"_L1);
    if (content.isString())
        blocks.append(QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, content } });
    for (const QJsonValue &value : content.toArray())
        blocks.append(value.toObject());
    return blocks;
}

bool thinkingOn(const QJsonObject &request)
{
    return request.value("thinking"_L1).toObject().value("type"_L1) == "enabled"_L1;
}

} // namespace

QByteArray FakeAnthropic::Seen::header(QByteArrayView lowerName) const
{
    for (const auto &[name, value] : headers) {
        if (name.compare(lowerName, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

FakeAnthropic::FakeAnthropic(QObject *parent)
    : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &FakeAnthropic::onConnection);
}

bool FakeAnthropic::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

bool FakeAnthropic::listen(const QHostAddress &address, quint16 port)
{
    return m_server.listen(address, port);
}

QUrl FakeAnthropic::baseUrl() const
{
    return QUrl(u"http://127.0.0.1:%1"_s.arg(m_server.serverPort()));
}

void FakeAnthropic::setToolCall(const QString &name, const QJsonObject &input)
{
    m_toolName = name;
    m_toolInput = input;
}

FakeAnthropic::Seen FakeAnthropic::lastRequestTo(const QByteArray &path) const
{
    for (auto it = m_seen.crbegin(); it != m_seen.crend(); ++it) {
        if (it->target.split('?').first() == path)
            return *it;
    }
    return {};
}

void FakeAnthropic::onConnection()
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

void FakeAnthropic::onReadable(QTcpSocket *socket)
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

QString FakeAnthropic::validate(const QJsonObject &request)
{
    if (!request.value("model"_L1).isString() || request.value("model"_L1).toString().isEmpty())
        return u"model: Field required"_s;
    const QJsonValue maxTokens = request.value("max_tokens"_L1);
    if (!maxTokens.isDouble() || maxTokens.toDouble() < 1)
        return u"max_tokens: Field required"_s;
    const QJsonArray messages = request.value("messages"_L1).toArray();
    if (messages.isEmpty())
        return u"messages: at least one message is required"_s;
    const QJsonObject thinking = request.value("thinking"_L1).toObject();
    if (thinkingOn(request)) {
        const qint64 budget = thinking.value("budget_tokens"_L1).toInteger();
        if (budget < 1024)
            return u"thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"_s;
        if (budget >= maxTokens.toInteger())
            return u"`max_tokens` must be greater than `thinking.budget_tokens`"_s;
        if (request.contains("temperature"_L1) || request.contains("top_k"_L1))
            return u"temperature and top_k may not be set when thinking is enabled"_s;
    }
    QString previousRole;
    QList<QJsonObject> previousBlocks;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QJsonObject message = messages.at(i).toObject();
        const QString role = message.value("role"_L1).toString();
        if (role != "user"_L1 && role != "assistant"_L1)
            return u"messages.%1.role: Input should be 'user' or 'assistant'"_s.arg(i);
        if (i == 0 && role != "user"_L1)
            return u"messages: first message must use the \"user\" role"_s;
        if (role == previousRole)
            return u"messages: roles must alternate between \"user\" and \"assistant\", but found multiple \"%1\" roles in a row"_s.arg(role);
        const QList<QJsonObject> blocks = blocksOf(message);
        if (blocks.isEmpty())
            return u"messages.%1: all messages must have non-empty content"_s.arg(i);
        bool resultsDone = false;
        for (const QJsonObject &block : blocks) {
            const QString type = block.value("type"_L1).toString();
            if (type == "text"_L1 && block.value("text"_L1).toString().isEmpty())
                return u"messages.%1: text content blocks must be non-empty"_s.arg(i);
            if (type == "tool_result"_L1) {
                if (role != "user"_L1)
                    return u"messages.%1: tool_result blocks belong in user messages"_s.arg(i);
                if (resultsDone)
                    return u"messages.%1: tool_result blocks must come first in the user message"_s.arg(i);
                bool matched = false;
                for (const QJsonObject &earlier : previousBlocks)
                    matched = matched || (earlier.value("type"_L1) == "tool_use"_L1
                                          && earlier.value("id"_L1) == block.value("tool_use_id"_L1));
                if (!matched)
                    return u"messages.%1: unexpected `tool_use_id` found in `tool_result` blocks: %2. Each `tool_result` block must have a corresponding `tool_use` block in the previous message."_s
                        .arg(i)
                        .arg(block.value("tool_use_id"_L1).toString());
            } else {
                resultsDone = true;
            }
            if (type == "tool_use"_L1 && role != "assistant"_L1)
                return u"messages.%1: tool_use blocks belong in assistant messages"_s.arg(i);
            if (type == "image"_L1) {
                const QJsonObject source = block.value("source"_L1).toObject();
                const QString kind = source.value("type"_L1).toString();
                if (!(kind == "base64"_L1 && source.value("media_type"_L1).toString().startsWith("image/"_L1)
                      && !source.value("data"_L1).toString().isEmpty())
                    && !(kind == "url"_L1 && source.value("url"_L1).toString().startsWith("http"_L1)))
                    return u"messages.%1: invalid image source"_s.arg(i);
            }
            if (type == "thinking"_L1 && block.value("signature"_L1).toString() != signature())
                return u"messages.%1: Invalid `signature` in `thinking` block"_s.arg(i);
        }
        // With thinking on, a tool-use turn answered by results must keep its signed thinking.
        if (thinkingOn(request) && role == "user"_L1 && previousRole == "assistant"_L1
            && blocks.first().value("type"_L1) == "tool_result"_L1
            && previousBlocks.first().value("type"_L1) != "thinking"_L1
            && previousBlocks.first().value("type"_L1) != "redacted_thinking"_L1)
            return u"messages.%1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `%2`. When `thinking` is enabled, a final `assistant` message must start with a thinking block"_s
                .arg(i - 1)
                .arg(previousBlocks.first().value("type"_L1).toString());
        previousRole = role;
        previousBlocks = blocks;
    }
    for (const QJsonValue &tool : request.value("tools"_L1).toArray()) {
        if (tool.toObject().value("name"_L1).toString().isEmpty()
            || !tool.toObject().value("input_schema"_L1).isObject())
            return u"tools: each tool needs a name and an input_schema"_s;
    }
    return {};
}

void FakeAnthropic::answer(QTcpSocket *socket, Seen &seen)
{
    const QByteArray path = seen.target.split('?').first();
    const QByteArray query = seen.target.contains('?') ? seen.target.mid(seen.target.indexOf('?') + 1)
                                                       : QByteArray();
    const bool messages = seen.method == "POST" && path == "/v1/messages";
    const bool count = seen.method == "POST" && path == "/v1/messages/count_tokens";
    const bool models = seen.method == "GET" && path == "/v1/models";
    if (!messages && !count && !models) {
        seen.status = 404;
        socket->write(errorResponse(404, "Not Found", u"not_found_error"_s, u"Not Found"_s));
        return;
    }
    if (seen.header("x-api-key") != m_apiKey) {
        seen.status = 401;
        seen.refusal = u"invalid x-api-key"_s;
        socket->write(errorResponse(401, "Unauthorized", u"authentication_error"_s, seen.refusal));
        return;
    }
    if (seen.header("anthropic-version") != "2023-06-01") {
        seen.status = 400;
        seen.refusal = u"anthropic-version: header is required"_s;
        socket->write(errorResponse(400, "Bad Request", u"invalid_request_error"_s, seen.refusal));
        return;
    }
    if (models) {
        seen.status = 200;
        socket->write(httpResponse(200, "OK", "application/json", modelsAnswer(query)));
        return;
    }
    if (count) {
        // count_tokens takes no max_tokens; everything else is checked as for a message.
        QJsonObject asMessage = seen.json;
        asMessage.insert("max_tokens"_L1, 1'000'000);
        seen.refusal = validate(asMessage);
        if (seen.json.contains("stream"_L1) || seen.json.contains("max_tokens"_L1))
            seen.refusal = u"stream, max_tokens: Extra inputs are not permitted"_s;
        if (!seen.refusal.isEmpty()) {
            seen.status = 400;
            socket->write(errorResponse(400, "Bad Request", u"invalid_request_error"_s, seen.refusal));
            return;
        }
        seen.status = 200;
        const QJsonObject answer { { u"input_tokens"_s, inputWords(seen.json) + CountTokensOffset } };
        socket->write(httpResponse(200, "OK", "application/json",
                                   QJsonDocument(answer).toJson(QJsonDocument::Compact)));
        return;
    }
    if (m_overloaded) {
        seen.status = 529;
        socket->write(errorResponse(529, "Overloaded", u"overloaded_error"_s, u"Overloaded"_s));
        return;
    }
    seen.refusal = validate(seen.json);
    if (seen.refusal.isEmpty() && m_maxInputWords > 0 && inputWords(seen.json) > m_maxInputWords)
        seen.refusal = u"prompt is too long: %1 tokens > %2 maximum"_s.arg(inputWords(seen.json)).arg(m_maxInputWords);
    if (!seen.refusal.isEmpty()) {
        seen.status = 400;
        socket->write(errorResponse(400, "Bad Request", u"invalid_request_error"_s, seen.refusal));
        return;
    }
    seen.status = 200;
    const bool stream = seen.json.value("stream"_L1).toBool();
    const QByteArray body = messagesAnswer(seen.json, stream);
    if (!stream) {
        socket->write(httpResponse(200, "OK", "application/json", body));
        return;
    }
    // Chunked, in pieces that cut events and UTF-8 anywhere.
    QByteArray out = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
                     "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (qsizetype at = 0; at < body.size(); at += m_pieceBytes) {
        const QByteArray piece = body.mid(at, m_pieceBytes);
        out += QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
    }
    out += "0\r\n\r\n";
    socket->write(out);
}

QByteArray FakeAnthropic::modelsAnswer(const QByteArray &query) const
{
    const QUrlQuery parameters { QString::fromLatin1(query) };
    const int limit = qBound(1, parameters.queryItemValue(u"limit"_s).toInt() > 0
                                    ? parameters.queryItemValue(u"limit"_s).toInt()
                                    : 20,
                             1000);
    const int pageSize = qMin(limit, m_pageSize);
    qsizetype start = 0;
    const QString after = parameters.queryItemValue(u"after_id"_s);
    if (!after.isEmpty())
        start = m_models.indexOf(after) + 1;
    QJsonArray data;
    for (qsizetype i = start; i < m_models.size() && data.size() < pageSize; ++i) {
        data.append(QJsonObject { { u"type"_s, u"model"_s },
                                  { u"id"_s, m_models.at(i) },
                                  { u"display_name"_s, QString(u"Display "_s + m_models.at(i)) },
                                  { u"created_at"_s, u"2025-09-29T00:00:00Z"_s } });
    }
    const QJsonObject answer {
        { u"data"_s, data },
        { u"has_more"_s, start + data.size() < m_models.size() },
        { u"first_id"_s, data.isEmpty() ? QJsonValue() : data.first().toObject().value("id"_L1) },
        { u"last_id"_s, data.isEmpty() ? QJsonValue() : data.last().toObject().value("id"_L1) }
    };
    return QJsonDocument(answer).toJson(QJsonDocument::Compact);
}

QByteArray FakeAnthropic::messagesAnswer(const QJsonObject &request, bool stream) const
{
    const QJsonArray messages = request.value("messages"_L1).toArray();
    const QList<QJsonObject> lastBlocks = blocksOf(messages.last().toObject());
    const bool lastTurnIsToolResult
        = !lastBlocks.isEmpty() && lastBlocks.first().value("type"_L1) == "tool_result"_L1;
    const bool tool = !m_toolName.isEmpty() && !lastTurnIsToolResult;
    const bool thinks = thinkingOn(request);
    const QStringList words = m_replyText.split(u' ', Qt::SkipEmptyParts);
    const int input = inputWords(request);
    const int output = (tool ? 5 : int(words.size())) + (thinks ? wordsIn(m_thinkingText) : 0);
    const QString toolId = u"toolu_01FakeToolUse"_s;
    const QString stopReason = tool ? u"tool_use"_s : u"end_turn"_s;
    const QString model = request.value("model"_L1).toString();

    if (!stream) {
        QJsonArray content;
        if (thinks)
            content.append(QJsonObject { { u"type"_s, u"thinking"_s },
                                         { u"thinking"_s, m_thinkingText },
                                         { u"signature"_s, signature() } });
        if (tool)
            content.append(QJsonObject { { u"type"_s, u"tool_use"_s },
                                         { u"id"_s, toolId },
                                         { u"name"_s, m_toolName },
                                         { u"input"_s, m_toolInput } });
        else
            content.append(QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, m_replyText } });
        const QJsonObject answer {
            { u"id"_s, u"msg_01Fake"_s },
            { u"type"_s, u"message"_s },
            { u"role"_s, u"assistant"_s },
            { u"model"_s, model },
            { u"content"_s, content },
            { u"stop_reason"_s, stopReason },
            { u"stop_sequence"_s, QJsonValue() },
            { u"usage"_s,
              QJsonObject { { u"input_tokens"_s, input },
                            { u"cache_creation_input_tokens"_s, 0 },
                            { u"cache_read_input_tokens"_s, 2 },
                            { u"output_tokens"_s, output } } }
        };
        return QJsonDocument(answer).toJson(QJsonDocument::Compact);
    }

    QByteArray out = sseEvent(
        "message_start",
        { { u"type"_s, u"message_start"_s },
          { u"message"_s,
            QJsonObject { { u"id"_s, u"msg_01Fake"_s },
                          { u"type"_s, u"message"_s },
                          { u"role"_s, u"assistant"_s },
                          { u"model"_s, model },
                          { u"content"_s, QJsonArray() },
                          { u"stop_reason"_s, QJsonValue() },
                          { u"stop_sequence"_s, QJsonValue() },
                          { u"usage"_s,
                            QJsonObject { { u"input_tokens"_s, input },
                                          { u"cache_creation_input_tokens"_s, 0 },
                                          { u"cache_read_input_tokens"_s, 2 },
                                          { u"output_tokens"_s, 1 } } } } } });
    if (!m_streamError.isEmpty()) {
        return out
            + sseEvent("error", errorObject(QString::fromLatin1(m_streamError), u"Overloaded"_s));
    }
    out += sseEvent("ping", { { u"type"_s, u"ping"_s } });
    int index = 0;
    auto delta = [&index](const QJsonObject &d) {
        return sseEvent("content_block_delta",
                        { { u"type"_s, u"content_block_delta"_s }, { u"index"_s, index }, { u"delta"_s, d } });
    };
    auto stop = [&index] {
        return sseEvent("content_block_stop", { { u"type"_s, u"content_block_stop"_s }, { u"index"_s, index } });
    };
    auto start = [&index](const QJsonObject &block) {
        return sseEvent("content_block_start", { { u"type"_s, u"content_block_start"_s },
                                                 { u"index"_s, index },
                                                 { u"content_block"_s, block } });
    };
    if (thinks) {
        out += start({ { u"type"_s, u"thinking"_s }, { u"thinking"_s, u""_s } });
        out += delta({ { u"type"_s, u"thinking_delta"_s }, { u"thinking"_s, m_thinkingText } });
        out += delta({ { u"type"_s, u"signature_delta"_s }, { u"signature"_s, signature() } });
        out += stop();
        ++index;
    }
    if (tool) {
        out += start({ { u"type"_s, u"tool_use"_s },
                       { u"id"_s, toolId },
                       { u"name"_s, m_toolName },
                       { u"input"_s, QJsonObject() } });
        out += delta({ { u"type"_s, u"input_json_delta"_s }, { u"partial_json"_s, u""_s } });
        const QString json = QString::fromUtf8(QJsonDocument(m_toolInput).toJson(QJsonDocument::Compact));
        const qsizetype half = json.size() / 2;
        for (const QString &piece : { json.left(half), json.mid(half) })
            out += delta({ { u"type"_s, u"input_json_delta"_s }, { u"partial_json"_s, piece } });
    } else {
        out += start({ { u"type"_s, u"text"_s }, { u"text"_s, u""_s } });
        for (qsizetype i = 0; i < words.size(); ++i)
            out += delta({ { u"type"_s, u"text_delta"_s },
                           { u"text"_s, QString((i ? u" "_s : QString()) + words.at(i)) } });
    }
    out += stop();
    out += sseEvent("message_delta",
                    { { u"type"_s, u"message_delta"_s },
                      { u"delta"_s, QJsonObject { { u"stop_reason"_s, stopReason },
                                                  { u"stop_sequence"_s, QJsonValue() } } },
                      { u"usage"_s, QJsonObject { { u"output_tokens"_s, output } } } });
    out += sseEvent("message_stop", { { u"type"_s, u"message_stop"_s } });
    return out;
}

} // namespace Maestro::Test

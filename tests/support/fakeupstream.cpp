#include "fakeupstream.h"
#include "core/handoff.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutexLocker>
#include <QPointer>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <cstring>
#include <functional>
#include <utility>

using namespace Qt::StringLiterals;

namespace Maestro::Test {

namespace {

constexpr qsizetype MaxHeaderBytes = 64 * 1024;
constexpr qint64 MaxBodyBytes = 64 * 1024 * 1024;
constexpr char CreatedAt[] = "2024-01-01T00:00:00.000000000Z";
constexpr char Created[] = "1700000000"; // fixed, so that responses are byte-for-byte repeatable

bool equals(QByteArrayView a, const char *literal)
{
    const auto n = static_cast<qsizetype>(std::strlen(literal));
    return a.size() == n && std::memcmp(a.data(), literal, static_cast<size_t>(n)) == 0;
}

// Whether a chat request's last message is a tool result (OpenAI and Ollama: "role": "tool").
bool endsWithToolResult(QByteArrayView body)
{
    const QJsonArray messages = QJsonDocument::fromJson(body.toByteArray()).object().value("messages"_L1).toArray();
    return !messages.isEmpty() && messages.last().toObject().value("role"_L1).toString() == "tool"_L1;
}

bool equalsNoCase(QByteArrayView a, const char *literal)
{
    return qstrnicmp(a.data(), a.size(), literal) == 0;
}

void appendJsonString(QByteArray &out, QByteArrayView utf8)
{
    static constexpr char Hex[] = "0123456789abcdef";
    out.append('"');
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out.append("\\\"", 2);
            break;
        case '\\':
            out.append("\\\\", 2);
            break;
        case '\n':
            out.append("\\n", 2);
            break;
        case '\r':
            out.append("\\r", 2);
            break;
        case '\t':
            out.append("\\t", 2);
            break;
        default:
            if (c < 0x20) {
                const char esc[] = { '\\', 'u', '0', '0', Hex[c >> 4], Hex[c & 0xf] };
                out.append(esc, 6);
            } else {
                out.append(ch);
            }
        }
    }
    out.append('"');
}

QByteArray jsonString(QByteArrayView utf8)
{
    QByteArray out;
    out.reserve(utf8.size() + 2);
    appendJsonString(out, utf8);
    return out;
}

// Raw JSON string content (escapes kept) to UTF-8; escapes are rare in what is decoded here.
QByteArray unescape(QByteArrayView raw)
{
    if (!raw.contains('\\'))
        return raw.toByteArray();
    QByteArray doc;
    doc.reserve(raw.size() + 4);
    doc.append("[\"", 2).append(raw).append("\"]", 2);
    return QJsonDocument::fromJson(doc).array().at(0).toString().toUtf8();
}

int countWords(QByteArrayView raw)
{
    int words = 0;
    bool inWord = false;
    for (qsizetype i = 0; i < raw.size(); ++i) {
        bool space = false;
        const char c = raw[i];
        if (c == '\\' && i + 1 < raw.size()) {
            const char e = raw[++i];
            space = e == 'n' || e == 't' || e == 'r';
        } else {
            space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
        }
        if (!space && !inWord)
            ++words;
        inWord = !space;
    }
    return words;
}

// What the handlers need from a request body, found in one pass without building a DOM:
// a QJsonDocument per request would cost more than the rest of the fast path together.
struct BodyFacts
{
    QByteArray model;
    int stream = -1; // -1 absent
    bool includeUsage = false;
    int words = 0;
    QList<QByteArrayView> inputs; // top-level "input"/"prompt" strings, escapes kept
};

class BodyScanner
{
public:
    BodyScanner(QByteArrayView body, BodyFacts *facts)
        : m_p(body.data())
        , m_end(body.data() + body.size())
        , m_facts(facts)
    { }

    bool scan()
    {
        skipSpace();
        if (m_p == m_end || *m_p != '{' || !object(1))
            return false;
        skipSpace();
        return m_p == m_end;
    }

private:
    void skipSpace()
    {
        while (m_p != m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }

    bool string(QByteArrayView *raw)
    {
        if (m_p == m_end || *m_p != '"')
            return false;
        const char *start = ++m_p;
        while (m_p != m_end && *m_p != '"') {
            if (*m_p == '\\' && ++m_p == m_end)
                return false;
            ++m_p;
        }
        if (m_p == m_end)
            return false;
        *raw = QByteArrayView(start, m_p - start);
        ++m_p;
        return true;
    }

    bool literal(const char *word, qsizetype n)
    {
        if (m_end - m_p < n || std::memcmp(m_p, word, static_cast<size_t>(n)) != 0)
            return false;
        m_p += n;
        return true;
    }

    bool object(int depth)
    {
        if (depth > 64)
            return false;
        ++m_p; // '{'
        skipSpace();
        if (m_p != m_end && *m_p == '}') {
            ++m_p;
            return true;
        }
        while (true) {
            QByteArrayView key;
            skipSpace();
            if (!string(&key))
                return false;
            skipSpace();
            if (m_p == m_end || *m_p != ':')
                return false;
            ++m_p;
            skipSpace();
            if (!value(depth, key))
                return false;
            skipSpace();
            if (m_p == m_end)
                return false;
            if (*m_p == '}') {
                ++m_p;
                return true;
            }
            if (*m_p != ',')
                return false;
            ++m_p;
        }
    }

    bool array(int depth, QByteArrayView key)
    {
        if (depth > 64)
            return false;
        ++m_p; // '['
        skipSpace();
        if (m_p != m_end && *m_p == ']') {
            ++m_p;
            return true;
        }
        while (true) {
            skipSpace();
            if (!value(depth, key))
                return false;
            skipSpace();
            if (m_p == m_end)
                return false;
            if (*m_p == ']') {
                ++m_p;
                return true;
            }
            if (*m_p != ',')
                return false;
            ++m_p;
        }
    }

    // depth is that of the object holding `key`; array elements keep their array's key.
    bool value(int depth, QByteArrayView key)
    {
        if (m_p == m_end)
            return false;
        switch (*m_p) {
        case '"': {
            QByteArrayView raw;
            if (!string(&raw))
                return false;
            if (equals(key, "content") || equals(key, "prompt") || equals(key, "text")
                || equals(key, "input") || equals(key, "system")) {
                m_facts->words += countWords(raw);
            }
            if (depth == 1) {
                if (equals(key, "model") || (equals(key, "name") && m_facts->model.isEmpty()))
                    m_facts->model = unescape(raw);
                else if (equals(key, "input") || equals(key, "prompt"))
                    m_facts->inputs.append(raw);
            }
            return true;
        }
        case '{':
            return object(depth + 1);
        case '[':
            return array(depth, key);
        case 't':
            if (!literal("true", 4))
                return false;
            if (depth == 1 && equals(key, "stream"))
                m_facts->stream = 1;
            else if (equals(key, "include_usage"))
                m_facts->includeUsage = true;
            return true;
        case 'f':
            if (!literal("false", 5))
                return false;
            if (depth == 1 && equals(key, "stream"))
                m_facts->stream = 0;
            return true;
        case 'n':
            return literal("null", 4);
        default: {
            const char *start = m_p;
            while (m_p != m_end
                   && ((*m_p >= '0' && *m_p <= '9') || *m_p == '-' || *m_p == '+' || *m_p == '.'
                       || *m_p == 'e' || *m_p == 'E')) {
                ++m_p;
            }
            return m_p != start;
        }
        }
    }

    const char *m_p;
    const char *m_end;
    BodyFacts *m_facts;
};

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue"_ba;
    case 200:
        return "OK"_ba;
    case 400:
        return "Bad Request"_ba;
    case 401:
        return "Unauthorized"_ba;
    case 403:
        return "Forbidden"_ba;
    case 404:
        return "Not Found"_ba;
    case 405:
        return "Method Not Allowed"_ba;
    case 408:
        return "Request Timeout"_ba;
    case 413:
        return "Payload Too Large"_ba;
    case 429:
        return "Too Many Requests"_ba;
    case 431:
        return "Request Header Fields Too Large"_ba;
    case 500:
        return "Internal Server Error"_ba;
    case 501:
        return "Not Implemented"_ba;
    case 502:
        return "Bad Gateway"_ba;
    case 503:
        return "Service Unavailable"_ba;
    case 504:
        return "Gateway Timeout"_ba;
    default:
        return "Status"_ba;
    }
}

QByteArray chunkFrame(QByteArrayView payload)
{
    QByteArray out = QByteArray::number(payload.size(), 16);
    out.reserve(out.size() + payload.size() + 4);
    out.append("\r\n", 2).append(payload).append("\r\n", 2);
    return out;
}

quint64 fnv1a(QByteArrayView data, quint64 seed)
{
    quint64 h = 14695981039346656037ULL ^ seed;
    for (const char c : data) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    return h;
}

QByteArray embeddingVector(QByteArrayView text, int dimensions)
{
    QByteArray out("[");
    for (int i = 0; i < dimensions; ++i) {
        if (i)
            out.append(',');
        const quint64 h = fnv1a(text, static_cast<quint64>(i) * 0x9e3779b97f4a7c15ULL);
        const double v = static_cast<double>(h % 2000001) / 1e6 - 1.0;
        out.append(QByteArray::number(v, 'f', 6));
    }
    out.append(']');
    return out;
}

QByteArray digestOf(QByteArrayView model)
{
    return QCryptographicHash::hash(model, QCryptographicHash::Sha256).toHex();
}

QByteArray ollamaDetails()
{
    return R"({"parent_model":"","format":"gguf","family":"llama","families":["llama"],)"
           R"("parameter_size":"8.0B","quantization_level":"Q4_0"})"_ba;
}

const char *const Vocabulary[] = { "Hello", "from", "the", "fake", "upstream", "streaming", "one",
                                   "word",  "at",   "a",   "time", "for",      "tests" };

} // namespace

template<typename Fn> void FakeUpstream::mutateConfig(Fn fn)
{
    QMutexLocker locker(&m_mutex);
    auto config = std::make_shared<Config>(*m_config);
    fn(*config);
    m_config = std::move(config);
}

// ---------------------------------------------------------------------------------------------

class FakeUpstreamServer final : public QTcpServer
{
public:
    explicit FakeUpstreamServer(FakeUpstream *upstream)
        : QTcpServer(upstream)
        , m_upstream(upstream)
    { }

protected:
    void incomingConnection(qintptr descriptor) override { m_upstream->handOff(descriptor); }

private:
    FakeUpstream *m_upstream;
};

class FakeUpstreamWorker final : public QObject
{
public:
    explicit FakeUpstreamWorker(FakeUpstream *upstream)
        : m_upstream(upstream)
    { }
    ~FakeUpstreamWorker() override;

    void adopt(qintptr descriptor);
    void abortAll();
    void forget(FakeUpstreamConnection *connection) { m_connections.remove(connection); }

private:
    FakeUpstream *m_upstream;
    QSet<FakeUpstreamConnection *> m_connections;
};

class FakeUpstreamConnection final : public QObject
{
public:
    FakeUpstreamConnection(FakeUpstream *upstream, FakeUpstreamWorker *worker);
    ~FakeUpstreamConnection() override;

    bool start(qintptr descriptor);
    void abortByServer();

private:
    struct Request
    {
        QByteArrayView method;
        QByteArrayView target;
        QByteArrayView path; // target without the query
        QByteArrayView body;
        QByteArrayView authorization;
    };

    void onReadyRead();
    void onDisconnected();
    void processBuffer();
    void handle(const Request &request, RecordedRequest *record);
    void handleOllama(const Request &request, const FakeUpstream::Config &config,
                      const BodyFacts &facts, qint64 serial);
    void handleOpenAi(const Request &request, const FakeUpstream::Config &config,
                      const BodyFacts &facts, qint64 serial);

    void respond(int status, QByteArrayView contentType, QByteArrayView body);
    void respondJson(int status, QByteArrayView body) { respond(status, "application/json", body); }
    void respondError(int status, QByteArrayView message, QByteArrayView openAiType = {},
                      QByteArrayView openAiCode = {});
    void startStream(QByteArrayView contentType, QList<QByteArray> events, int delayMs,
                     std::function<void()> onComplete = {});
    void writeNextEvent();
    void onStreamsReleased();
    void startFlood(bool endlessLine, qint64 bytes);
    void feedFlood();
    void endStream(int how);
    void closeAfterFlush();

    FakeUpstream *m_upstream;
    FakeUpstreamWorker *m_worker;
    QTcpSocket *m_socket = nullptr;
    QByteArray m_buffer;
    qsizetype m_consumed = 0;
    bool m_keepAlive = true;
    bool m_closing = false;
    bool m_http10 = false;

    // Current stream, while m_streaming.
    bool m_streaming = false;
    QList<QByteArray> m_events;
    qsizetype m_nextEvent = 0;
    int m_dropAfter = -1;
    int m_delayMs = 0;
    std::function<void()> m_onComplete;
    QTimer *m_timer = nullptr;
    bool m_held = false; // waits for releaseStreams() before the last event

    // Misbehaviour of the current request.
    bool m_silent = false; // nothing more is answered on this connection
    int m_stallAfter = -1; // events of a stream sent before it falls silent
    bool m_flooding = false;
    bool m_floodEndless = false;
    bool m_floodConnected = false;
    qint64 m_floodLeft = 0;
    qint64 m_floodIndex = 0;
};

FakeUpstreamWorker::~FakeUpstreamWorker()
{
    const auto connections = std::exchange(m_connections, {});
    qDeleteAll(connections);
}

void FakeUpstreamWorker::adopt(qintptr descriptor)
{
    auto *connection = new FakeUpstreamConnection(m_upstream, this);
    if (!connection->start(descriptor)) {
        delete connection;
        return;
    }
    m_connections.insert(connection);
}

void FakeUpstreamWorker::abortAll()
{
    const auto connections = std::exchange(m_connections, {});
    for (FakeUpstreamConnection *connection : connections)
        connection->abortByServer();
}

FakeUpstreamConnection::FakeUpstreamConnection(FakeUpstream *upstream, FakeUpstreamWorker *worker)
    : QObject(worker)
    , m_upstream(upstream)
    , m_worker(worker)
{ }

FakeUpstreamConnection::~FakeUpstreamConnection()
{
    if (m_socket) {
        // The socket's own destructor would otherwise call back into a half-destroyed object.
        m_socket->disconnect(this);
        m_upstream->onConnectionClosed();
    }
}

bool FakeUpstreamConnection::start(qintptr descriptor)
{
    m_socket = new QTcpSocket(this);
    if (!m_socket->setSocketDescriptor(descriptor)) {
        delete m_socket;
        m_socket = nullptr;
        return false;
    }
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_upstream->onConnectionOpened();
    connect(m_socket, &QTcpSocket::readyRead, this, &FakeUpstreamConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &FakeUpstreamConnection::onDisconnected);
    connect(m_upstream, &FakeUpstream::streamsReleased, this, &FakeUpstreamConnection::onStreamsReleased);
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
    return true;
}

void FakeUpstreamConnection::abortByServer()
{
    if (m_streaming) {
        m_streaming = false;
        m_flooding = false;
        if (m_timer)
            m_timer->stop();
        m_upstream->onStreamEnded(2);
    }
    m_closing = true;
    m_socket->disconnect(this);
    m_socket->abort();
    deleteLater();
}

void FakeUpstreamConnection::onDisconnected()
{
    if (m_streaming) {
        m_streaming = false;
        m_flooding = false;
        if (m_timer)
            m_timer->stop();
        m_upstream->onStreamEnded(1);
    }
    m_closing = true;
    m_worker->forget(this);
    deleteLater();
}

void FakeUpstreamConnection::closeAfterFlush()
{
    m_closing = true;
    m_socket->disconnectFromHost();
}

void FakeUpstreamConnection::onReadyRead()
{
    if (m_closing) {
        m_socket->readAll();
        return;
    }
    if (m_consumed == m_buffer.size()) {
        m_buffer = m_socket->readAll();
        m_consumed = 0;
    } else {
        m_buffer.append(m_socket->readAll());
    }
    processBuffer();
}

void FakeUpstreamConnection::processBuffer()
{
    // Pipelined requests wait while a stream is being written, as HTTP/1.1 requires.
    while (!m_streaming && !m_closing && !m_silent && m_consumed < m_buffer.size()) {
        const QByteArrayView pending = QByteArrayView(m_buffer).sliced(m_consumed);
        const qsizetype headEnd = pending.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            if (pending.size() > MaxHeaderBytes) {
                respondError(431, "request header too large");
                closeAfterFlush();
            }
            break;
        }
        const QByteArrayView head = pending.first(headEnd);
        const qsizetype lineEnd = head.indexOf("\r\n");
        const QByteArrayView requestLine = lineEnd < 0 ? head : head.first(lineEnd);
        const qsizetype sp1 = requestLine.indexOf(' ');
        const qsizetype sp2 = requestLine.lastIndexOf(' ');
        if (sp1 <= 0 || sp2 <= sp1) {
            respondError(400, "malformed request line");
            closeAfterFlush();
            break;
        }

        Request request;
        request.method = requestLine.first(sp1);
        request.target = requestLine.sliced(sp1 + 1, sp2 - sp1 - 1);
        const qsizetype query = request.target.indexOf('?');
        request.path = query < 0 ? request.target : request.target.first(query);
        const QByteArrayView version = requestLine.sliced(sp2 + 1);
        m_http10 = equals(version, "HTTP/1.0");
        m_keepAlive = !m_http10;

        const bool record = m_upstream->m_record.load(std::memory_order_relaxed);
        RecordedRequest recorded;
        qint64 contentLength = 0;
        bool expectContinue = false;
        bool chunked = false;
        qsizetype pos = lineEnd < 0 ? head.size() : lineEnd + 2;
        while (pos < head.size()) {
            qsizetype end = head.indexOf("\r\n", pos);
            if (end < 0)
                end = head.size();
            const QByteArrayView line = head.sliced(pos, end - pos);
            pos = end + 2;
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArrayView name = line.first(colon);
            const QByteArrayView value = line.sliced(colon + 1).trimmed();
            if (equalsNoCase(name, "content-length")) {
                bool ok = false;
                contentLength = value.toLongLong(&ok);
                if (!ok || contentLength < 0)
                    contentLength = -1;
            } else if (equalsNoCase(name, "connection")) {
                if (qstrnicmp(value.data(), value.size(), "close") == 0)
                    m_keepAlive = false;
                else if (qstrnicmp(value.data(), value.size(), "keep-alive") == 0)
                    m_keepAlive = true;
            } else if (equalsNoCase(name, "authorization")) {
                request.authorization = value;
            } else if (equalsNoCase(name, "expect")) {
                expectContinue = qstrnicmp(value.data(), value.size(), "100-continue") == 0;
            } else if (equalsNoCase(name, "transfer-encoding")) {
                chunked = true;
            }
            if (record) {
                const QByteArray lower = name.toByteArray().toLower();
                auto it = recorded.headers.find(lower);
                if (it == recorded.headers.end())
                    recorded.headers.insert(lower, value.toByteArray());
                else
                    it->append(", ", 2).append(value);
            }
        }
        if (chunked) {
            respondError(501, "chunked request bodies are not supported by the fake upstream");
            closeAfterFlush();
            break;
        }
        if (contentLength < 0 || contentLength > MaxBodyBytes) {
            respondError(contentLength < 0 ? 400 : 413, "bad Content-Length");
            closeAfterFlush();
            break;
        }
        const qsizetype bodyStart = headEnd + 4;
        if (pending.size() - bodyStart < contentLength) {
            if (expectContinue && pending.size() == bodyStart)
                m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
            break;
        }
        request.body = pending.sliced(bodyStart, contentLength);
        m_consumed += bodyStart + contentLength;

        if (record && !request.path.startsWith("/__")) {
            recorded.method = request.method.toByteArray();
            recorded.path = request.target.toByteArray();
            recorded.rawBody = request.body.toByteArray();
            recorded.body = QJsonDocument::fromJson(recorded.rawBody).object();
            handle(request, &recorded);
        } else {
            handle(request, nullptr);
        }
        if (!m_keepAlive && !m_streaming && !m_closing)
            closeAfterFlush();
    }
    if (m_consumed == m_buffer.size()) {
        m_buffer.clear();
        m_consumed = 0;
    } else if (m_consumed > 64 * 1024) {
        m_buffer.remove(0, m_consumed);
        m_consumed = 0;
    }
}

void FakeUpstreamConnection::respond(int status, QByteArrayView contentType, QByteArrayView body)
{
    QByteArray out;
    out.reserve(160 + body.size());
    out.append("HTTP/1.1 ", 9)
        .append(QByteArray::number(status))
        .append(' ')
        .append(reasonPhrase(status))
        .append("\r\nContent-Type: ", 16)
        .append(contentType)
        .append("\r\nContent-Length: ", 18)
        .append(QByteArray::number(body.size()))
        .append("\r\n", 2);
    if (!m_keepAlive)
        out.append("Connection: close\r\n");
    else if (m_http10)
        out.append("Connection: keep-alive\r\n");
    out.append("\r\n", 2).append(body);
    m_socket->write(out);
    m_socket->flush();
}

void FakeUpstreamConnection::respondError(int status, QByteArrayView message,
                                          QByteArrayView openAiType, QByteArrayView openAiCode)
{
    QByteArray body;
    if (m_upstream->nodeType() == NodeType::Ollama) {
        body.append("{\"error\":");
        appendJsonString(body, message);
        body.append('}');
    } else {
        if (openAiType.isEmpty()) {
            openAiType = status == 429 ? QByteArrayView("rate_limit_error")
                : status >= 500        ? QByteArrayView("server_error")
                : status == 401        ? QByteArrayView("authentication_error")
                                       : QByteArrayView("invalid_request_error");
        }
        body.append("{\"error\":{\"message\":");
        appendJsonString(body, message);
        body.append(",\"type\":");
        appendJsonString(body, openAiType);
        body.append(",\"param\":null,\"code\":");
        if (openAiCode.isEmpty())
            body.append("null");
        else
            appendJsonString(body, openAiCode);
        body.append("}}");
    }
    respondJson(status, body);
}

void FakeUpstreamConnection::handle(const Request &request, RecordedRequest *record)
{
    if (equals(request.path, "/__stats")) {
        respondJson(200, m_upstream->statsJson());
        return;
    }
    if (equals(request.path, "/__last")) {
        // The body of the last recorded request, for programs that drive the standalone fake.
        const RecordedRequest last = m_upstream->lastRequest();
        respondJson(200, last.rawBody.isEmpty() ? QByteArray("{}") : last.rawBody);
        return;
    }
    if (equals(request.path, "/__requests")) {
        respondJson(200, m_upstream->requestsJson());
        return;
    }
    const FakeUpstream::Admission admission = m_upstream->admit(record);
    Q_EMIT m_upstream->requestReceived(request.method.toByteArray(), request.target.toByteArray());
    if (const int status = admission.config->pathStatus.value(request.target.toByteArray())) {
        respondJson(status, QByteArray("{\"status\":" + QByteArray::number(status) + "}"));
        return;
    }
    if (equals(request.method, "POST")) {
        const FakeUpstream::Misbehaving misbehaving = m_upstream->takeMisbehaviour();
        switch (misbehaving.how.value_or(FakeUpstream::Misbehaviour::StallAfterEvents)) {
        case FakeUpstream::Misbehaviour::NeverAnswer:
            if (misbehaving.how) {
                m_silent = true;
                return;
            }
            break;
        case FakeUpstream::Misbehaviour::StallAfterEvents:
            m_stallAfter = misbehaving.how ? int(misbehaving.amount) : -1;
            break;
        case FakeUpstream::Misbehaviour::Flood:
            startFlood(false, misbehaving.amount);
            return;
        case FakeUpstream::Misbehaviour::EndlessLine:
            startFlood(true, misbehaving.amount);
            return;
        }
    }
    const FakeUpstream::Config *effective = admission.config.get();
    FakeUpstream::Config withoutTool;
    if (!effective->toolName.isEmpty() && effective->toolCallUntilResult && endsWithToolResult(request.body)) {
        withoutTool = *effective;
        withoutTool.toolName.clear();
        withoutTool.toolArguments.clear();
        withoutTool.toolArgumentPieces.clear();
        effective = &withoutTool;
    }
    const FakeUpstream::Config &config = *effective;
    if (admission.failStatus && !admission.failBody.isEmpty()) {
        respondJson(admission.failStatus, admission.failBody);
        return;
    }
    if (admission.failStatus) {
        respondError(admission.failStatus,
                     QByteArray("fake upstream failure (status "
                                + QByteArray::number(admission.failStatus) + ')'));
        return;
    }
    if (!config.apiKey.isEmpty()) {
        const QByteArrayView auth = request.authorization;
        if (!auth.startsWith("Bearer ") || auth.sliced(7) != QByteArrayView(config.apiKey)) {
            respondError(401,
                         m_upstream->nodeType() == NodeType::Ollama
                             ? QByteArrayView("unauthorized")
                             : QByteArrayView("Incorrect API key provided."),
                         "invalid_request_error", "invalid_api_key");
            return;
        }
    }
    BodyFacts facts;
    if (equals(request.method, "POST")) {
        BodyScanner scanner(request.body, &facts);
        if (!scanner.scan()) {
            respondError(400, "invalid JSON request body");
            return;
        }
    }
    if (m_upstream->nodeType() == NodeType::Ollama)
        handleOllama(request, config, facts, admission.serial);
    else
        handleOpenAi(request, config, facts, admission.serial);
}

void FakeUpstreamConnection::handleOllama(const Request &request,
                                          const FakeUpstream::Config &config,
                                          const BodyFacts &facts, qint64 serial)
{
    Q_UNUSED(serial)
    const bool get = equals(request.method, "GET") || equals(request.method, "HEAD");
    const bool post = equals(request.method, "POST");
    const QByteArrayView path = request.path;

    // Ollama resolves a name without a tag to ":latest".
    const auto known = [&config](const QByteArray &model) {
        for (const QByteArray &m : config.models) {
            if (m == model)
                return true;
            if (!model.contains(':') && m.size() == model.size() + 7 && m.startsWith(model)
                && m.endsWith(":latest")) {
                return true;
            }
        }
        return false;
    };
    const auto modelEntry = [](QByteArray &out, const QByteArray &name) {
        out.append("{\"name\":");
        appendJsonString(out, name);
        out.append(",\"model\":");
        appendJsonString(out, name);
        out.append(",\"modified_at\":\"2024-01-01T00:00:00Z\",\"size\":4661224676,\"digest\":\"");
        out.append(digestOf(name));
        out.append("\",\"details\":").append(ollamaDetails());
    };
    const auto requireModel = [&]() {
        if (facts.model.isEmpty()) {
            respondError(400, "model is required");
            return false;
        }
        if (!known(facts.model)) {
            respondError(
                404, QByteArray("model \"" + facts.model + "\" not found, try pulling it first"));
            return false;
        }
        return true;
    };

    if (get && (equals(path, "/") || path.isEmpty())) {
        respond(200, "text/plain; charset=utf-8", "Ollama is running");
        return;
    }
    if (get && equals(path, "/api/version")) {
        respondJson(200, R"({"version":"0.5.7"})");
        return;
    }
    if (get && equals(path, "/api/tags")) {
        if (!config.healthy) {
            respondError(500, "fake upstream is unhealthy");
            return;
        }
        QByteArray out("{\"models\":[");
        for (qsizetype i = 0; i < config.models.size(); ++i) {
            if (i)
                out.append(',');
            modelEntry(out, config.models.at(i));
            if (const auto it = config.capabilities.constFind(config.models.at(i)); it != config.capabilities.cend())
                out.append(",\"capabilities\":" + *it);
            out.append('}');
        }
        out.append("]}");
        respondJson(200, out);
        return;
    }
    if (get && equals(path, "/api/ps")) {
        QByteArray out("{\"models\":[");
        const QList<QByteArray> loaded = m_upstream->loadedModels();
        for (qsizetype i = 0; i < loaded.size(); ++i) {
            if (i)
                out.append(',');
            modelEntry(out, loaded.at(i));
            out.append(",\"expires_at\":\"2099-01-01T00:00:00Z\",\"size_vram\":4661224676}");
        }
        out.append("]}");
        respondJson(200, out);
        return;
    }
    if (post && equals(path, "/api/show")) {
        if (!requireModel())
            return;
        if (!config.showAnswer.isEmpty()) {
            respondJson(200, config.showAnswer);
            return;
        }
        QByteArray out("{\"modelfile\":");
        appendJsonString(out, QByteArray("FROM " + facts.model + '\n'));
        out.append(R"(,"parameters":"stop \"<|eot_id|>\"","template":"{{ .Prompt }}","details":)");
        out.append(ollamaDetails());
        out.append(
            R"(,"model_info":{"general.architecture":"llama","general.parameter_count":8030261248,)"
            R"("llama.context_length":8192,"llama.embedding_length":4096},)"
            R"("capabilities":["completion","tools"],"modified_at":"2024-01-01T00:00:00Z"})");
        respondJson(200, out);
        return;
    }

    const bool chat = post && equals(path, "/api/chat");
    const bool generate = post && equals(path, "/api/generate");
    if (chat || generate) {
        if (!requireModel())
            return;
        m_upstream->noteModelLoaded(facts.model);
        // Ollama loads the model and answers at once when a generate request has no prompt.
        if (generate && facts.inputs.isEmpty()) {
            QByteArray out("{\"model\":");
            appendJsonString(out, facts.model);
            out.append(",\"created_at\":\"").append(CreatedAt).append(R"(","response":"","done":true,"done_reason":"load"})");
            respondJson(200, out);
            return;
        }
        const bool tool = chat && !config.toolName.isEmpty();
        const int pieces = tool ? 1 : static_cast<int>(config.pieces.size());
        const int promptTokens = config.promptTokens >= 0 ? config.promptTokens : facts.words;
        const int completionTokens
            = config.completionTokens >= 0 ? config.completionTokens : pieces;

        QByteArray head("{\"model\":");
        appendJsonString(head, facts.model);
        head.append(",\"created_at\":\"").append(CreatedAt).append("\",");
        const auto finalTail = [&]() {
            const qint64 evalNs = qint64(pieces) * config.chunkDelayMs * 1000000 + 1000000;
            QByteArray tail("\"done\":true,\"done_reason\":\"stop\",");
            if (generate)
                tail.append("\"context\":[1,2,3],");
            tail.append("\"total_duration\":")
                .append(QByteArray::number(evalNs + 2000000))
                .append(",\"load_duration\":1000000");
            if (config.reportUsage) {
                tail.append(",\"prompt_eval_count\":")
                    .append(QByteArray::number(promptTokens))
                    .append(",\"prompt_eval_duration\":1000000,\"eval_count\":")
                    .append(QByteArray::number(completionTokens))
                    .append(",\"eval_duration\":")
                    .append(QByteArray::number(evalNs));
            }
            tail.append('}');
            return tail;
        };
        QByteArray toolCalls;
        if (tool) {
            toolCalls.append(",\"tool_calls\":[{\"function\":{\"name\":");
            appendJsonString(toolCalls, config.toolName);
            toolCalls.append(",\"arguments\":").append(config.toolArguments).append("}}]");
        }

        if (facts.stream == 0) {
            QByteArray out = head;
            if (chat) {
                out.append("\"message\":{\"role\":\"assistant\",\"content\":");
                if (tool)
                    out.append("\"\"").append(toolCalls);
                else
                    out.append(config.escapedReplyText);
                out.append("},");
            } else {
                out.append("\"response\":").append(config.escapedReplyText).append(',');
            }
            out.append(finalTail());
            respondJson(200, out);
            return;
        }

        QList<QByteArray> events;
        events.reserve(pieces + 1);
        if (tool) {
            events.append(QByteArray(head + "\"message\":{\"role\":\"assistant\",\"content\":\"\""
                                     + toolCalls + "},\"done\":false}\n"));
        } else {
            for (const QByteArray &piece : config.pieces) {
                QByteArray line = head;
                if (chat)
                    line.append("\"message\":{\"role\":\"assistant\",\"content\":")
                        .append(piece)
                        .append("},\"done\":false}\n");
                else
                    line.append("\"response\":").append(piece).append(",\"done\":false}\n");
                events.append(line);
            }
        }
        QByteArray last = head;
        if (chat)
            last.append("\"message\":{\"role\":\"assistant\",\"content\":\"\"},");
        else
            last.append("\"response\":\"\",");
        last.append(finalTail()).append('\n');
        events.append(last);
        startStream("application/x-ndjson", std::move(events), config.chunkDelayMs);
        return;
    }

    if (post && (equals(path, "/api/embed") || equals(path, "/api/embeddings"))) {
        if (!requireModel())
            return;
        m_upstream->noteModelLoaded(facts.model);
        const int promptTokens = config.promptTokens >= 0 ? config.promptTokens : facts.words;
        QByteArray out;
        if (equals(path, "/api/embeddings")) {
            out.append("{\"embedding\":")
                .append(embeddingVector(facts.inputs.value(0), config.embeddingDimensions))
                .append('}');
        } else {
            out.append("{\"model\":");
            appendJsonString(out, facts.model);
            out.append(",\"embeddings\":[");
            const qsizetype n = qMax<qsizetype>(1, facts.inputs.size());
            for (qsizetype i = 0; i < n; ++i) {
                if (i)
                    out.append(',');
                out.append(embeddingVector(facts.inputs.value(i), config.embeddingDimensions));
            }
            out.append("],\"total_duration\":2000000,\"load_duration\":1000000");
            if (config.reportUsage)
                out.append(",\"prompt_eval_count\":").append(QByteArray::number(promptTokens));
            out.append('}');
        }
        respondJson(200, out);
        return;
    }

    if (post && equals(path, "/api/pull")) {
        if (facts.model.isEmpty()) {
            respondError(400, "model is required");
            return;
        }
        const QByteArray model = facts.model;
        QPointer<FakeUpstream> upstream(m_upstream);
        auto addModel = [upstream, model]() {
            if (upstream)
                upstream->mutateConfig([&model](FakeUpstream::Config &c) {
                    if (!c.models.contains(model))
                        c.models.append(model);
                });
        };
        if (!config.pullError.isEmpty()) {
            QByteArray error("{\"error\":");
            appendJsonString(error, config.pullError);
            error.append('}');
            if (facts.stream == 0) {
                respondJson(500, error);
                return;
            }
            startStream("application/x-ndjson", {R"({"status":"pulling manifest"})"_ba + '\n', error + '\n'},
                        config.chunkDelayMs);
            return;
        }
        if (facts.stream == 0) {
            addModel();
            respondJson(200, R"({"status":"success"})");
            return;
        }
        const QByteArray digest = "sha256:" + digestOf(model);
        QList<QByteArray> events { R"({"status":"pulling manifest"})"_ba };
        for (int completed = 0; completed <= 1000; completed += 250) {
            events.append(QByteArray(R"({"status":"downloading","digest":")" + digest
                                     + R"(","total":1000,"completed":)"
                                     + QByteArray::number(completed) + '}'));
        }
        events.append(R"({"status":"verifying sha256 digest"})"_ba);
        events.append(R"({"status":"writing manifest"})"_ba);
        events.append(R"({"status":"success"})"_ba);
        for (QByteArray &e : events)
            e.append('\n');
        startStream("application/x-ndjson", std::move(events), config.chunkDelayMs, addModel);
        return;
    }

    respond(404, "text/plain", "404 page not found");
}

void FakeUpstreamConnection::handleOpenAi(const Request &request,
                                          const FakeUpstream::Config &config,
                                          const BodyFacts &facts, qint64 serial)
{
    const bool get = equals(request.method, "GET");
    const bool post = equals(request.method, "POST");
    const QByteArrayView path = request.path;

    const auto requireModel = [&]() {
        if (facts.model.isEmpty()) {
            respondError(400, "you must provide a model parameter", "invalid_request_error");
            return false;
        }
        if (!config.models.contains(facts.model)) {
            respondError(404,
                         QByteArray("The model `" + facts.model
                                    + "` does not exist or you do not have access to it."),
                         "invalid_request_error", "model_not_found");
            return false;
        }
        return true;
    };
    const auto modelObject = [](QByteArray &out, const QByteArray &id) {
        out.append("{\"id\":");
        appendJsonString(out, id);
        out.append(",\"object\":\"model\",\"created\":")
            .append(Created)
            .append(",\"owned_by\":\"fake-upstream\"}");
    };
    const auto usageObject = [](int prompt, int completion) {
        return QByteArray("{\"prompt_tokens\":" + QByteArray::number(prompt)
                          + ",\"completion_tokens\":" + QByteArray::number(completion)
                          + ",\"total_tokens\":" + QByteArray::number(prompt + completion) + '}');
    };

    if (get && equals(path, "/v1/models")) {
        if (!config.healthy) {
            respondError(500, "fake upstream is unhealthy");
            return;
        }
        QByteArray out("{\"object\":\"list\",\"data\":[");
        for (qsizetype i = 0; i < config.models.size(); ++i) {
            if (i)
                out.append(',');
            modelObject(out, config.models.at(i));
        }
        out.append("]}");
        respondJson(200, out);
        return;
    }
    if (get && path.startsWith("/v1/models/")) {
        const QByteArray id = QByteArray::fromPercentEncoding(path.sliced(11).toByteArray());
        if (!config.models.contains(id)) {
            respondError(404,
                         QByteArray("The model `" + id
                                    + "` does not exist or you do not have access to it."),
                         "invalid_request_error", "model_not_found");
            return;
        }
        QByteArray out;
        modelObject(out, id);
        respondJson(200, out);
        return;
    }

    const bool chat = post && equals(path, "/v1/chat/completions");
    const bool completions = post && equals(path, "/v1/completions");
    if (chat || completions) {
        if (!requireModel())
            return;
        const bool tool = chat && !config.toolName.isEmpty();
        const int pieces
            = static_cast<int>(tool ? config.toolArgumentPieces.size() : config.pieces.size());
        const int promptTokens = config.promptTokens >= 0 ? config.promptTokens : facts.words;
        const int completionTokens
            = config.completionTokens >= 0 ? config.completionTokens : pieces;
        const QByteArray id
            = (chat ? "chatcmpl-fake-"_ba : "cmpl-fake-"_ba) + QByteArray::number(serial);
        const QByteArray callId = "call_fake_" + QByteArray::number(serial);
        const QByteArrayView finishReason = tool ? "tool_calls" : "stop";

        if (facts.stream != 1) {
            QByteArray out("{\"id\":\"");
            out.append(id).append("\",\"object\":");
            out.append(chat ? "\"chat.completion\"" : "\"text_completion\"");
            out.append(",\"created\":").append(Created).append(",\"model\":");
            appendJsonString(out, facts.model);
            out.append(",\"choices\":[{\"index\":0,");
            if (chat) {
                out.append("\"message\":{\"role\":\"assistant\",\"content\":");
                if (tool) {
                    out.append("null,\"tool_calls\":[{\"id\":\"")
                        .append(callId)
                        .append("\",\"type\":\"function\",\"function\":{\"name\":");
                    appendJsonString(out, config.toolName);
                    out.append(",\"arguments\":");
                    appendJsonString(out, config.toolArguments);
                    out.append("}}]");
                } else {
                    out.append(config.escapedReplyText);
                }
                out.append("},");
            } else {
                out.append("\"text\":").append(config.escapedReplyText).append(',');
            }
            out.append("\"logprobs\":null,\"finish_reason\":\"")
                .append(finishReason)
                .append("\"}]");
            if (config.reportUsage)
                out.append(",\"usage\":").append(usageObject(promptTokens, completionTokens));
            out.append('}');
            respondJson(200, out);
            return;
        }

        QByteArray head("data: {\"id\":\"");
        head.append(id).append("\",\"object\":");
        head.append(chat ? "\"chat.completion.chunk\"" : "\"text_completion\"");
        head.append(",\"created\":").append(Created).append(",\"model\":");
        appendJsonString(head, facts.model);
        if (chat)
            head.append(",\"system_fingerprint\":\"fp_fake\"");
        head.append(",\"choices\":[");
        // Real OpenAI puts "usage":null in every chunk once usage was asked for.
        const bool usageChunk = facts.includeUsage && config.reportUsage;
        const QByteArray tail = usageChunk ? "],\"usage\":null}\n\n"_ba : "]}\n\n"_ba;

        QList<QByteArray> events;
        events.reserve(pieces + 4);
        const auto choice = [&](QByteArrayView payload, QByteArrayView finish) {
            QByteArray e = head;
            e.append("{\"index\":0,")
                .append(payload)
                .append(",\"logprobs\":null,\"finish_reason\":");
            if (finish.isEmpty())
                e.append("null");
            else
                e.append('"').append(finish).append('"');
            e.append('}').append(tail);
            events.append(e);
        };
        if (chat) {
            if (tool) {
                QByteArray first(
                    R"("delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":")");
                first.append(callId).append(R"(","type":"function","function":{"name":)");
                appendJsonString(first, config.toolName);
                first.append(R"(,"arguments":""}}]})");
                choice(first, {});
                for (const QByteArray &piece : config.toolArgumentPieces) {
                    choice(
                        QByteArray(R"("delta":{"tool_calls":[{"index":0,"function":{"arguments":)"
                                   + piece + "}}]}"),
                        {});
                }
            } else {
                choice(R"("delta":{"role":"assistant","content":""})", {});
                for (const QByteArray &piece : config.pieces)
                    choice(QByteArray("\"delta\":{\"content\":" + piece + '}'), {});
            }
            choice(R"("delta":{})", finishReason);
        } else {
            for (const QByteArray &piece : config.pieces)
                choice(QByteArray("\"text\":" + piece), {});
            choice(R"("text":"")", finishReason);
        }
        if (usageChunk) {
            events.append(QByteArray(
                head + "],\"usage\":" + usageObject(promptTokens, completionTokens) + "}\n\n"));
        }
        events.append("data: [DONE]\n\n"_ba);
        startStream("text/event-stream", std::move(events), config.chunkDelayMs);
        return;
    }

    if (post && equals(path, "/v1/embeddings")) {
        if (!requireModel())
            return;
        const int promptTokens = config.promptTokens >= 0 ? config.promptTokens : facts.words;
        QByteArray out("{\"object\":\"list\",\"data\":[");
        const qsizetype n = qMax<qsizetype>(1, facts.inputs.size());
        for (qsizetype i = 0; i < n; ++i) {
            if (i)
                out.append(',');
            out.append("{\"object\":\"embedding\",\"index\":")
                .append(QByteArray::number(i))
                .append(",\"embedding\":")
                .append(embeddingVector(facts.inputs.value(i), config.embeddingDimensions))
                .append('}');
        }
        out.append("],\"model\":");
        appendJsonString(out, facts.model);
        if (config.reportUsage) {
            out.append(",\"usage\":{\"prompt_tokens\":")
                .append(QByteArray::number(promptTokens))
                .append(",\"total_tokens\":")
                .append(QByteArray::number(promptTokens))
                .append('}');
        }
        out.append('}');
        respondJson(200, out);
        return;
    }

    respondError(404,
                 QByteArray("Unknown request URL: " + request.method.toByteArray() + ' '
                            + request.path.toByteArray()),
                 "invalid_request_error", "unknown_url");
}

void FakeUpstreamConnection::startStream(QByteArrayView contentType, QList<QByteArray> events,
                                         int delayMs, std::function<void()> onComplete)
{
    QByteArray headOut("HTTP/1.1 200 OK\r\nContent-Type: ");
    headOut.append(contentType)
        .append("\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n");
    if (!m_keepAlive)
        headOut.append("Connection: close\r\n");
    headOut.append("\r\n");

    m_events = std::move(events);
    m_nextEvent = 0;
    m_dropAfter = m_upstream->takeDrop();
    m_delayMs = delayMs;
    m_onComplete = std::move(onComplete);
    m_streaming = true;
    m_upstream->onStreamStarted();

    if (m_stallAfter >= 0) {
        // The stream stays open (and counts as active) with nothing more to say.
        QByteArray out = headOut;
        for (qsizetype i = 0; i < qMin<qsizetype>(m_stallAfter, m_events.size()); ++i)
            out.append(chunkFrame(m_events.at(i)));
        m_socket->write(out);
        m_socket->flush();
        m_stallAfter = -1;
        return;
    }

    if (delayMs <= 0 && !m_upstream->m_holdStreams.load()) {
        // Everything at once, still one HTTP chunk per event.
        QByteArray out = headOut;
        while (m_streaming && m_nextEvent < m_events.size()) {
            if (m_dropAfter >= 0 && m_nextEvent >= m_dropAfter) {
                m_socket->write(out);
                endStream(2);
                return;
            }
            out.append(chunkFrame(m_events.at(m_nextEvent++)));
        }
        out.append("0\r\n\r\n");
        m_socket->write(out);
        m_socket->flush();
        endStream(0);
        return;
    }

    m_socket->write(headOut);
    if (!m_timer) {
        m_timer = new QTimer(this);
        m_timer->setSingleShot(true);
        m_timer->setTimerType(Qt::PreciseTimer);
        connect(m_timer, &QTimer::timeout, this, &FakeUpstreamConnection::writeNextEvent);
    }
    writeNextEvent();
}

void FakeUpstreamConnection::writeNextEvent()
{
    if (!m_streaming)
        return;
    if (m_dropAfter >= 0 && m_nextEvent >= m_dropAfter) {
        endStream(2);
        return;
    }
    if (m_nextEvent >= m_events.size()) {
        m_socket->write("0\r\n\r\n");
        m_socket->flush();
        endStream(0);
        if (!m_keepAlive)
            closeAfterFlush();
        else
            processBuffer();
        return;
    }
    if (m_nextEvent + 1 == m_events.size() && m_upstream->m_holdStreams.load()) {
        m_held = true;
        return;
    }
    m_socket->write(chunkFrame(m_events.at(m_nextEvent++)));
    m_socket->flush();
    // The terminating chunk follows the last event at once: it is framing, not an event.
    m_timer->start(m_nextEvent >= m_events.size() ? 0 : m_delayMs);
}

void FakeUpstreamConnection::onStreamsReleased()
{
    if (!std::exchange(m_held, false))
        return;
    writeNextEvent();
}

void FakeUpstreamConnection::startFlood(bool endlessLine, qint64 bytes)
{
    const bool ollama = m_upstream->nodeType() == NodeType::Ollama;
    QByteArray head("HTTP/1.1 200 OK\r\nContent-Type: ");
    head.append(ollama ? "application/x-ndjson" : "text/event-stream")
        .append("\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n");
    // The endless line opens like a real event, so that only its length is wrong.
    if (endlessLine) {
        head.append(chunkFrame(ollama ? QByteArrayView("{\"message\":{\"content\":\"")
                                      : QByteArrayView("data: {\"choices\":[{\"delta\":{\"content\":\"")));
    }
    m_socket->write(head);
    m_streaming = true;
    m_flooding = true;
    m_floodEndless = endlessLine;
    m_floodLeft = bytes;
    m_floodIndex = 0;
    m_upstream->onStreamStarted();
    if (!m_floodConnected) {
        m_floodConnected = true;
        connect(m_socket, &QTcpSocket::bytesWritten, this, &FakeUpstreamConnection::feedFlood);
    }
    feedFlood();
}

void FakeUpstreamConnection::feedFlood()
{
    if (!m_flooding)
        return;
    const bool ollama = m_upstream->nodeType() == NodeType::Ollama;
    // Written as the peer takes it, so the fake itself never holds more than this.
    while (m_floodLeft > 0 && m_socket->bytesToWrite() < 256 * 1024) {
        QByteArray event;
        if (m_floodEndless) {
            event = QByteArray(16 * 1024, 'x');
        } else if (ollama) {
            event = "{\"model\":\"flood\",\"created_at\":\"" + QByteArray(CreatedAt)
                + "\",\"message\":{\"role\":\"assistant\",\"content\":\""
                + FakeUpstream::floodPiece(m_floodIndex++) + "\"},\"done\":false}\n";
        } else {
            event = "data: {\"id\":\"chatcmpl-flood\",\"object\":\"chat.completion.chunk\",\"created\":"
                + QByteArray(Created) + ",\"model\":\"flood\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
                + FakeUpstream::floodPiece(m_floodIndex++) + "\"},\"finish_reason\":null}]}\n\n";
        }
        m_floodLeft -= event.size();
        m_socket->write(chunkFrame(event));
    }
    if (m_floodLeft > 0)
        return;
    m_flooding = false;
    if (m_floodEndless)
        return; // and then silence, the line still open
    QByteArray tail;
    if (ollama) {
        tail = chunkFrame(QByteArray("{\"model\":\"flood\",\"created_at\":\"" + QByteArray(CreatedAt)
                                     + "\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
                                       "\"done_reason\":\"stop\",\"prompt_eval_count\":1,\"eval_count\":"
                                     + QByteArray::number(m_floodIndex) + "}\n"));
    } else {
        tail = chunkFrame(QByteArray("data: {\"id\":\"chatcmpl-flood\",\"object\":\"chat.completion.chunk\",\"created\":"
                                     + QByteArray(Created) + ",\"model\":\"flood\",\"choices\":[{\"index\":0,\"delta\":{},"
                                       "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"));
    }
    m_socket->write(tail + "0\r\n\r\n");
    endStream(0);
    processBuffer();
}

void FakeUpstreamConnection::endStream(int how)
{
    m_streaming = false;
    m_events.clear();
    auto onComplete = std::exchange(m_onComplete, {});
    m_upstream->onStreamEnded(how);
    if (how == 0 && onComplete)
        onComplete();
    if (how == 2)
        closeAfterFlush();
}

// ---------------------------------------------------------------------------------------------

FakeUpstream::FakeUpstream(NodeType type, QObject *parent)
    : QObject(parent)
    , m_type(type)
{
    auto config = std::make_shared<Config>();
    m_config = config;
    setModels(type == NodeType::Ollama
                  ? QStringList { u"llama3.2:latest"_s, u"nomic-embed-text:latest"_s }
                  : QStringList { u"gpt-4o-mini"_s, u"text-embedding-3-small"_s });
    setReplyText(u"Hello from the fake upstream."_s);
}

FakeUpstream::~FakeUpstream()
{
    if (m_server)
        m_server->close();
    for (qsizetype i = 0; i < m_workers.size(); ++i) {
        FakeUpstreamWorker *worker = m_workers.at(i);
        QThread *thread = m_threads.value(i);
        if (thread) {
            Handoff::invokeBlocking(worker, [worker] { delete worker; });
            Handoff::quitAndWait(thread);
            delete thread;
        } else {
            delete worker;
        }
    }
}

void FakeUpstream::setThreadCount(int n)
{
    m_threadCount = qMax(1, n);
}

bool FakeUpstream::listen(const QHostAddress &address, quint16 port)
{
    if (m_workers.isEmpty()) {
        if (m_threadCount == 1) {
            m_workers.append(new FakeUpstreamWorker(this));
            m_threads.append(nullptr);
        } else {
            for (int i = 0; i < m_threadCount; ++i) {
                auto *thread = new QThread;
                thread->setObjectName(u"fake-upstream-%1"_s.arg(i));
                auto *worker = new FakeUpstreamWorker(this);
                worker->moveToThread(thread);
                Handoff::watchEnd(thread);
                thread->start();
                m_workers.append(worker);
                m_threads.append(thread);
            }
        }
    }
    if (!m_server)
        m_server = new FakeUpstreamServer(this);
    m_server->setListenBacklogSize(1024);
    return m_server->listen(address, port);
}

void FakeUpstream::close()
{
    if (m_server)
        m_server->close();
    for (qsizetype i = 0; i < m_workers.size(); ++i) {
        FakeUpstreamWorker *worker = m_workers.at(i);
        if (m_threads.value(i))
            Handoff::invokeBlocking(worker, [worker] { worker->abortAll(); });
        else
            worker->abortAll();
    }
}

bool FakeUpstream::isListening() const
{
    return m_server && m_server->isListening();
}

quint16 FakeUpstream::port() const
{
    return m_server ? m_server->serverPort() : 0;
}

QUrl FakeUpstream::baseUrl() const
{
    QUrl url;
    url.setScheme(u"http"_s);
    const QHostAddress address = m_server ? m_server->serverAddress() : QHostAddress();
    url.setHost(address.isNull() || address == QHostAddress::Any || address == QHostAddress::AnyIPv4
                    ? u"127.0.0.1"_s
                    : address.toString());
    url.setPort(port());
    return url;
}

QString FakeUpstream::errorString() const
{
    return m_server ? m_server->errorString() : QString();
}

void FakeUpstream::handOff(qintptr descriptor)
{
    m_acceptedConnections.fetch_add(1);
    FakeUpstreamWorker *worker = m_workers.at(m_nextWorker);
    if (m_threads.value(m_nextWorker))
        QMetaObject::invokeMethod(
            worker, [worker, descriptor]() { worker->adopt(descriptor); }, Qt::QueuedConnection);
    else
        worker->adopt(descriptor);
    m_nextWorker = (m_nextWorker + 1) % m_workers.size();
}

void FakeUpstream::setModels(const QStringList &models)
{
    mutateConfig([&models](Config &c) {
        c.models.clear();
        for (const QString &m : models)
            c.models.append(m.toUtf8());
    });
}

void FakeUpstream::setModelCapabilities(const QString &model, const QStringList &capabilities)
{
    mutateConfig([&](Config &c) {
        if (capabilities.isEmpty())
            c.capabilities.remove(model.toUtf8());
        else
            c.capabilities.insert(model.toUtf8(),
                                  QJsonDocument(QJsonArray::fromStringList(capabilities)).toJson(QJsonDocument::Compact));
    });
}

QStringList FakeUpstream::models() const
{
    QMutexLocker locker(&m_mutex);
    QStringList out;
    for (const QByteArray &m : m_config->models)
        out.append(QString::fromUtf8(m));
    return out;
}

void FakeUpstream::setReplyText(const QString &text)
{
    mutateConfig([&text](Config &c) {
        c.replyText = text.toUtf8();
        c.escapedReplyText = jsonString(c.replyText);
        c.pieces.clear();
        // Pieces keep their leading space so that concatenating them gives the text back.
        qsizetype start = 0;
        for (qsizetype i = 1; i <= text.size(); ++i) {
            if (i == text.size() || (text.at(i) == u' ' && text.at(i - 1) != u' ')) {
                c.pieces.append(jsonString(text.mid(start, i - start).toUtf8()));
                start = i;
            }
        }
    });
}

void FakeUpstream::setReplyWords(int count)
{
    QStringList words;
    constexpr int VocabularySize = sizeof(Vocabulary) / sizeof(Vocabulary[0]);
    for (int i = 0; i < count; ++i)
        words.append(QString::fromLatin1(Vocabulary[i % VocabularySize]));
    setReplyText(words.join(u' '));
}

QString FakeUpstream::replyText() const
{
    QMutexLocker locker(&m_mutex);
    return QString::fromUtf8(m_config->replyText);
}

void FakeUpstream::setChunkDelay(int ms)
{
    mutateConfig([ms](Config &c) { c.chunkDelayMs = qMax(0, ms); });
}

void FakeUpstream::holdStreams()
{
    m_holdStreams.store(true);
}

void FakeUpstream::releaseStreams()
{
    m_holdStreams.store(false);
    Q_EMIT streamsReleased();
}

void FakeUpstream::failNext(int status, int count)
{
    QMutexLocker locker(&m_mutex);
    m_failStatus = status;
    m_failRemaining = qMax(0, count);
    m_failBody.clear();
}

void FakeUpstream::failNextWith(int status, const QByteArray &body)
{
    QMutexLocker locker(&m_mutex);
    m_failStatus = status;
    m_failRemaining = 1;
    m_failBody = body;
}

void FakeUpstream::dropAfterChunks(int events, int count)
{
    QMutexLocker locker(&m_mutex);
    m_dropEvents = qMax(0, events);
    m_dropRemaining = qMax(0, count);
}

void FakeUpstream::setToolCall(const QString &name, const QByteArray &argumentsJson)
{
    mutateConfig([&name, &argumentsJson](Config &c) {
        c.toolName = name.toUtf8();
        c.toolArguments = argumentsJson;
        c.toolArgumentPieces.clear();
        // Real servers stream the arguments in a few fragments that split JSON tokens.
        const QString text = QString::fromUtf8(argumentsJson);
        const qsizetype step = qMax<qsizetype>(1, (text.size() + 3) / 4);
        for (qsizetype i = 0; i < text.size(); i += step)
            c.toolArgumentPieces.append(jsonString(text.mid(i, step).toUtf8()));
    });
}

void FakeUpstream::clearToolCall()
{
    mutateConfig([](Config &c) {
        c.toolName.clear();
        c.toolArguments.clear();
        c.toolArgumentPieces.clear();
    });
}

void FakeUpstream::setToolCallUntilResult(bool enabled)
{
    mutateConfig([enabled](Config &c) { c.toolCallUntilResult = enabled; });
}

void FakeUpstream::setPathStatus(const QByteArray &path, int status)
{
    mutateConfig([path, status](Config &c) {
        if (status == 0)
            c.pathStatus.remove(path);
        else
            c.pathStatus.insert(path, status);
    });
}

void FakeUpstream::setHealthy(bool healthy)
{
    mutateConfig([healthy](Config &c) { c.healthy = healthy; });
}

void FakeUpstream::setPullError(const QString &message)
{
    mutateConfig([&message](Config &c) { c.pullError = message.toUtf8(); });
}

void FakeUpstream::setShowAnswer(const QByteArray &json)
{
    mutateConfig([&json](Config &c) { c.showAnswer = json; });
}

void FakeUpstream::setApiKey(const QString &key)
{
    mutateConfig([&key](Config &c) { c.apiKey = key.toUtf8(); });
}

void FakeUpstream::setTokenCounts(int promptTokens, int completionTokens)
{
    mutateConfig([=](Config &c) {
        c.promptTokens = promptTokens;
        c.completionTokens = completionTokens;
    });
}

void FakeUpstream::setReportUsage(bool report)
{
    mutateConfig([report](Config &c) { c.reportUsage = report; });
}

void FakeUpstream::setEmbeddingDimensions(int dimensions)
{
    mutateConfig([dimensions](Config &c) { c.embeddingDimensions = qMax(1, dimensions); });
}

void FakeUpstream::setRecording(bool enabled)
{
    m_record.store(enabled);
}

QList<RecordedRequest> FakeUpstream::requests() const
{
    QMutexLocker locker(&m_mutex);
    return m_requests;
}

RecordedRequest FakeUpstream::lastRequest() const
{
    QMutexLocker locker(&m_mutex);
    return m_requests.isEmpty() ? RecordedRequest() : m_requests.constLast();
}

void FakeUpstream::clearRequests()
{
    QMutexLocker locker(&m_mutex);
    m_requests.clear();
    m_requestCount.store(0);
    m_maxConcurrentStreams.store(m_activeStreams.load());
    m_completedStreams.store(0);
    m_cancelledStreams.store(0);
    m_droppedStreams.store(0);
    m_acceptedConnections.store(0);
}

FakeUpstream::Admission FakeUpstream::admit(RecordedRequest *record)
{
    Admission admission;
    QMutexLocker locker(&m_mutex);
    m_requestCount.fetch_add(1, std::memory_order_relaxed);
    admission.serial = ++m_serial;
    admission.config = m_config;
    if (m_failRemaining > 0) {
        --m_failRemaining;
        admission.failStatus = m_failStatus;
        admission.failBody = m_failBody;
    }
    if (record)
        m_requests.append(std::move(*record));
    return admission;
}

void FakeUpstream::misbehaveNext(Misbehaviour how, qint64 amount, int count)
{
    QMutexLocker locker(&m_mutex);
    m_misbehaviour = how;
    m_misbehaviourAmount = amount;
    m_misbehaviourRemaining = qMax(0, count);
}

FakeUpstream::Misbehaving FakeUpstream::takeMisbehaviour()
{
    QMutexLocker locker(&m_mutex);
    if (m_misbehaviourRemaining <= 0)
        return {};
    --m_misbehaviourRemaining;
    return {m_misbehaviour, m_misbehaviourAmount};
}

QByteArray FakeUpstream::floodPiece(qint64 index)
{
    QByteArray piece = QByteArray::number(index).rightJustified(12, '0');
    piece.append(QByteArray(1000 - piece.size(), char('a' + index % 26)));
    return piece;
}

int FakeUpstream::takeDrop()
{
    QMutexLocker locker(&m_mutex);
    if (m_dropRemaining <= 0)
        return -1;
    --m_dropRemaining;
    return m_dropEvents;
}

void FakeUpstream::noteModelLoaded(const QByteArray &model)
{
    QMutexLocker locker(&m_mutex);
    if (!m_loaded.contains(model))
        m_loaded.append(model);
}

QList<QByteArray> FakeUpstream::loadedModels() const
{
    QMutexLocker locker(&m_mutex);
    return m_loaded;
}

void FakeUpstream::onStreamStarted()
{
    const int active = m_activeStreams.fetch_add(1) + 1;
    int high = m_maxConcurrentStreams.load();
    while (active > high && !m_maxConcurrentStreams.compare_exchange_weak(high, active)) { }
    Q_EMIT streamStarted();
}

void FakeUpstream::onStreamEnded(int how)
{
    m_activeStreams.fetch_sub(1);
    switch (how) {
    case 0:
        m_completedStreams.fetch_add(1);
        Q_EMIT streamFinished();
        break;
    case 1:
        m_cancelledStreams.fetch_add(1);
        Q_EMIT streamCancelled();
        break;
    default:
        m_droppedStreams.fetch_add(1);
        Q_EMIT streamDropped();
        break;
    }
}

void FakeUpstream::onConnectionOpened()
{
    m_openConnections.fetch_add(1);
}

void FakeUpstream::onConnectionClosed()
{
    m_openConnections.fetch_sub(1);
}

QByteArray FakeUpstream::statsJson() const
{
    return "{\"requests\":" + QByteArray::number(requestCount())
        + ",\"active_streams\":" + QByteArray::number(activeStreams())
        + ",\"max_concurrent_streams\":" + QByteArray::number(maxConcurrentStreams())
        + ",\"completed_streams\":" + QByteArray::number(completedStreams())
        + ",\"cancelled_streams\":" + QByteArray::number(cancelledStreams())
        + ",\"dropped_streams\":" + QByteArray::number(droppedStreams())
        + ",\"open_connections\":" + QByteArray::number(openConnections())
        + ",\"accepted_connections\":" + QByteArray::number(acceptedConnections()) + '}';
}

QByteArray FakeUpstream::requestsJson() const
{
    QJsonArray list;
    for (const RecordedRequest &request : requests()) {
        list.append(QJsonObject{{u"method"_s, QString::fromLatin1(request.method)},
                                {u"path"_s, QString::fromLatin1(request.path)},
                                {u"body"_s, request.body}});
    }
    return QJsonDocument(list).toJson(QJsonDocument::Compact);
}

} // namespace Maestro::Test

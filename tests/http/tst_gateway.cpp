// The gateway end to end over real sockets: an in-process GatewayThread on a temporary database
// (SQLite, and PostgreSQL when MAESTRO_TEST_PG_URL is set), fake upstream LLM servers, and clients
// speaking HTTP to it.

#include "fakeupstream.h"
#include "gatewaystack.h"
#include "testdatabase.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QTest>

#include <map>
#include <memory>

using namespace Qt::StringLiterals;
using namespace Maestro;
using Maestro::Test::FakeUpstream;
using Maestro::Test::Response;
using Maestro::Test::TestDatabase;

namespace {

const QByteArray AdminToken = QByteArrayLiteral("test-admin");
const QString ReplyText = u"Hello from the fake node"_s;

QJsonObject ollamaError(const QString &message)
{
    return {{u"error"_s, message}};
}

QJsonObject openAiError(const QString &message, const QString &type, const QString &code)
{
    return {{u"error"_s, QJsonObject{{u"message"_s, message},
                                     {u"type"_s, type},
                                     {u"param"_s, QJsonValue()},
                                     {u"code"_s, code}}}};
}

QJsonObject adminError(const QString &message)
{
    return {{u"detail"_s, message}};
}

QByteArray toJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// Non-empty NDJSON lines.
QList<QByteArray> ndjsonLines(const QByteArray &body)
{
    QList<QByteArray> out;
    for (const QByteArray &line : body.split('\n')) {
        if (!line.trimmed().isEmpty())
            out.append(line);
    }
    return out;
}

// SSE "data:" payloads, in order.
QList<QByteArray> sseData(const QByteArray &body)
{
    QList<QByteArray> out;
    for (const QByteArray &line : body.split('\n')) {
        if (line.startsWith("data:"))
            out.append(line.mid(5).trimmed());
    }
    return out;
}

bool isOllamaPath(const QString &path)
{
    return path.startsWith("/api/"_L1);
}

// The generated text of one response object or stream event of the given endpoint.
QString textOf(const QString &path, const QJsonObject &object, bool streamed)
{
    if (path == "/api/chat"_L1)
        return object.value("message"_L1).toObject().value("content"_L1).toString();
    if (path == "/api/generate"_L1)
        return object.value("response"_L1).toString();
    const QJsonObject choice = object.value("choices"_L1).toArray().at(0).toObject();
    if (path == "/v1/chat/completions"_L1) {
        return streamed ? choice.value("delta"_L1).toObject().value("content"_L1).toString()
                        : choice.value("message"_L1).toObject().value("content"_L1).toString();
    }
    return choice.value("text"_L1).toString();
}

// Raw HTTP on a socket, for exact bytes and timing.
struct RawResponse
{
    QByteArray head;
    QByteArray body;
    int status() const { return head.mid(9, 3).toInt(); }
};

bool parseRaw(const QByteArray &buffer, RawResponse *out, qsizetype *consumed = nullptr)
{
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QByteArray head = buffer.left(end);
    qint64 length = 0;
    for (const QByteArray &line : head.split('\n')) {
        if (line.toLower().startsWith("content-length:"))
            length = line.mid(15).trimmed().toLongLong();
    }
    if (buffer.size() < end + 4 + length)
        return false;
    out->head = head;
    out->body = buffer.mid(end + 4, length);
    if (consumed)
        *consumed = end + 4 + length;
    return true;
}

} // namespace

class TestGateway : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();

    void health();
    void nodeCreationDiscoversModels();
    void translationMatrix_data();
    void translationMatrix();
    void streamsArrivePieceByPiece_data();
    void streamsArrivePieceByPiece();
    void openAiStreamUsage_data();
    void openAiStreamUsage();
    void requestLog_data();
    void requestLog();
    void modelLists_data();
    void modelLists();
    void authAndAccess_data();
    void authAndAccess();
    void badInput_data();
    void badInput();
    void bodyOverTheLimit_data();
    void bodyOverTheLimit();
    void expectContinueAndKeepAlive();
    void requestLimit();
    void tokenLimit();
    void minuteLimitsHoldUnderConcurrency_data();
    void minuteLimitsHoldUnderConcurrency();
    void tokensPerMinuteOvershootIsBounded();
    void minuteRefusalInEveryDialect_data();
    void minuteRefusalInEveryDialect();
    void minuteLimitsValidation_data();
    void minuteLimitsValidation();
    void failover();
    void unhealthyNodeMeans503();
    void ollamaStreamsByDefault();
    void midStreamFailure_data();
    void midStreamFailure();
    void clientDisconnectCancelsUpstream_data();
    void clientDisconnectCancelsUpstream();
    void twentyConcurrentStreams();
    void nodeApiKeyNeverShown();
    void userTokens();
    void auditTrail();
    void responsesEndpoint_data();
    void responsesEndpoint();
    void responsesBadInput_data();
    void responsesBadInput();
    void responsesMidStreamFailure_data();
    void responsesMidStreamFailure();
    void contextRefusalInClientDialect_data();
    void contextRefusalInClientDialect();

private:
    QUrl url(const QString &path, quint16 port = 0) const;
    Response send(const QByteArray &method, const QString &path, const QByteArray &body,
                  const QByteArray &token, int timeoutMs = 15000);
    Response admin(const QByteArray &method, const QString &path, const QJsonObject &body = {});
    qint64 addNode(const QString &name, FakeUpstream *upstream, int priority = 0,
                   const QString &apiKey = {}, QJsonObject *answer = nullptr);
    QByteArray createUser(const QString &name, const QStringList &models);
    QJsonArray logsFor(const QString &username);
    qint64 auditTotal();
    struct Outcome
    {
        int status = 0;
        QByteArray retryAfter;
        QJsonObject body;
    };
    // Sends every request at once, one client each, and waits for all the answers.
    QList<Outcome> concurrently(const QString &path, const QByteArray &body, const QList<QByteArray> &tokens);

    // Everything one backend's gateway consists of. Each backend gets its own, built on first
    // use and kept while the other backend's rows run, so both see the same test sequence.
    struct Fixture
    {
        std::unique_ptr<Test::GatewayStack> stack;
        std::unique_ptr<FakeUpstream> ollama;
        std::unique_ptr<FakeUpstream> openai;
        qint64 ollamaId = 0;
        qint64 openaiId = 0;
        QJsonObject ollamaCreated;
        QByteArray alice;
        QByteArray bob;
        int userSerial = 0;
        bool ready = false;
    };
    void swapFixture(Fixture &fixture);
    void setUpGateway(const QString &backend);
    void tearDownGateway();

    QNetworkAccessManager m_nam;
    QString m_backend; // whose fixture the members below hold
    std::map<QString, Fixture> m_parked;
    std::unique_ptr<Test::GatewayStack> m_stack;
    std::unique_ptr<FakeUpstream> m_ollama;
    std::unique_ptr<FakeUpstream> m_openai;
    qint64 m_ollamaId = 0;
    qint64 m_openaiId = 0;
    QJsonObject m_ollamaCreated;
    QByteArray m_alice; // every mapped model
    QByteArray m_bob; // chat-local only
    int m_userSerial = 0;
    bool m_ready = false;
};

QUrl TestGateway::url(const QString &path, quint16 port) const
{
    return QUrl(u"http://127.0.0.1:%1%2"_s.arg(port ? port : m_stack->port()).arg(path));
}

Response TestGateway::send(const QByteArray &method, const QString &path, const QByteArray &body,
                           const QByteArray &token, int timeoutMs)
{
    return Test::sendRequest(m_nam, url(path), method, body, token, {}, timeoutMs);
}

Response TestGateway::admin(const QByteArray &method, const QString &path, const QJsonObject &body)
{
    return send(method, path, body.isEmpty() ? QByteArray() : toJson(body), AdminToken);
}

qint64 TestGateway::addNode(const QString &name, FakeUpstream *upstream, int priority,
                            const QString &apiKey, QJsonObject *answer)
{
    QJsonObject body{{u"name"_s, name},
                     {u"base_url"_s, upstream->baseUrl().toString()},
                     {u"node_type"_s, upstream->nodeType() == NodeType::Ollama ? u"ollama"_s : u"openai"_s},
                     {u"priority"_s, priority}};
    if (!apiKey.isEmpty())
        body.insert(u"api_key"_s, apiKey);
    const Response response = admin("POST", u"/admin/nodes"_s, body);
    if (response.status != 201) {
        qWarning() << "node creation failed:" << response.status << response.body;
        return 0;
    }
    if (answer)
        *answer = response.json();
    return qint64(response.json().value("id"_L1).toDouble());
}

QByteArray TestGateway::createUser(const QString &name, const QStringList &models)
{
    const Response created = admin("POST", u"/admin/users"_s, {{u"username"_s, name}});
    if (created.status != 201) {
        qWarning() << "user creation failed:" << created.status << created.body;
        return {};
    }
    const Response granted = models == QStringList{u"*"_s}
        ? admin("POST", u"/admin/users/%1/models/all"_s.arg(name))
        : admin("POST", u"/admin/users/%1/models"_s.arg(name),
                {{u"models"_s, QJsonArray::fromStringList(models)}});
    if (granted.status != 200) {
        qWarning() << "granting models failed:" << granted.status << granted.body;
        return {};
    }
    return created.json().value("token"_L1).toString().toUtf8();
}

QJsonArray TestGateway::logsFor(const QString &username)
{
    return admin("GET", u"/admin/request-logs?username=%1"_s.arg(username)).json().value("logs"_L1).toArray();
}

qint64 TestGateway::auditTotal()
{
    return qint64(admin("GET", u"/admin/audit-logs?limit=1"_s).json().value("total"_L1).toDouble(-1));
}

QList<TestGateway::Outcome> TestGateway::concurrently(const QString &path, const QByteArray &body,
                                                     const QList<QByteArray> &tokens)
{
    std::vector<std::unique_ptr<QNetworkAccessManager>> clients;
    std::vector<std::unique_ptr<QNetworkReply>> replies;
    for (const QByteArray &token : tokens) {
        clients.push_back(std::make_unique<QNetworkAccessManager>());
        clients.back()->setProxy(QNetworkProxy::NoProxy);
        QNetworkRequest request(url(path));
        request.setRawHeader("Authorization", "Bearer " + token);
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        replies.push_back(std::unique_ptr<QNetworkReply>(clients.back()->post(request, body)));
    }
    QList<Outcome> outcomes;
    const bool finished = QTest::qWaitFor(
        [&] { return std::all_of(replies.cbegin(), replies.cend(), [](const auto &reply) { return reply->isFinished(); }); },
        30000);
    if (!finished)
        return outcomes;
    for (const auto &reply : replies) {
        outcomes.append({reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                         reply->rawHeader("Retry-After"), QJsonDocument::fromJson(reply->readAll()).object()});
    }
    return outcomes;
}

void TestGateway::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void TestGateway::initTestCase()
{
    m_nam.setProxy(QNetworkProxy::NoProxy);
}

void TestGateway::swapFixture(Fixture &f)
{
    using std::swap;
    swap(m_stack, f.stack);
    swap(m_ollama, f.ollama);
    swap(m_openai, f.openai);
    swap(m_ollamaId, f.ollamaId);
    swap(m_openaiId, f.openaiId);
    swap(m_ollamaCreated, f.ollamaCreated);
    swap(m_alice, f.alice);
    swap(m_bob, f.bob);
    swap(m_userSerial, f.userSerial);
    swap(m_ready, f.ready);
}

void TestGateway::init()
{
    QFETCH_GLOBAL(QString, backend);
    if (const QString reason = TestDatabase::unavailableReason(backend); !reason.isEmpty())
        QSKIP(qPrintable(reason));
    if (backend != m_backend) {
        if (!m_backend.isEmpty())
            swapFixture(m_parked[m_backend]);
        m_backend = backend;
        if (const auto it = m_parked.find(backend); it != m_parked.end()) {
            swapFixture(it->second);
            m_parked.erase(it);
        } else {
            setUpGateway(backend);
            if (QTest::currentTestFailed())
                return;
            m_ready = true;
        }
    }
    QVERIFY2(m_ready, "the gateway for this backend could not be set up");
}

void TestGateway::setUpGateway(const QString &backend)
{
    m_stack = std::make_unique<Test::GatewayStack>();
    Test::StackOptions options;
    options.backend = backend;
    options.config.adminToken = AdminToken;
    QString error;
    QVERIFY2(m_stack->start(options, &error), qPrintable(error));
    QVERIFY(m_stack->port() != 0);

    m_ollama = std::make_unique<FakeUpstream>(NodeType::Ollama);
    m_openai = std::make_unique<FakeUpstream>(NodeType::OpenAi);
    QVERIFY(m_ollama->listen());
    QVERIFY(m_openai->listen());
    m_ollama->setReplyText(ReplyText);
    m_openai->setReplyText(ReplyText);

    m_ollamaId = addNode(u"ollama-1"_s, m_ollama.get(), 0, {}, &m_ollamaCreated);
    QVERIFY(m_ollamaId > 0);
    m_openaiId = addNode(u"openai-1"_s, m_openai.get());
    QVERIFY(m_openaiId > 0);

    const QList<std::pair<QString, QString>> mappings{
        {u"chat-local"_s, u"llama3.2:latest"_s},
        {u"chat-cloud"_s, u"gpt-4o-mini"_s},
        {u"embed-local"_s, u"nomic-embed-text:latest"_s},
        {u"embed-cloud"_s, u"text-embedding-3-small"_s},
    };
    for (const auto &[display, real] : mappings) {
        const Response response = admin("POST", u"/admin/model-mappings"_s,
                                        {{u"display_name"_s, display}, {u"real_name"_s, real}});
        QVERIFY2(response.status == 201, response.body.constData());
    }
    m_alice = createUser(u"alice"_s, {u"chat-local"_s, u"chat-cloud"_s, u"embed-local"_s, u"embed-cloud"_s});
    QVERIFY(!m_alice.isEmpty());
    m_bob = createUser(u"bob"_s, {u"chat-local"_s});
    QVERIFY(!m_bob.isEmpty());
}

void TestGateway::cleanup()
{
    for (FakeUpstream *upstream : {m_ollama.get(), m_openai.get()}) {
        if (!upstream)
            continue;
        upstream->setChunkDelay(0);
        upstream->setReplyText(ReplyText);
        upstream->setTokenCounts(-1, -1);
        upstream->clearRequests();
    }
}

void TestGateway::cleanupTestCase()
{
    tearDownGateway();
    for (auto &[backend, fixture] : m_parked) {
        swapFixture(fixture);
        tearDownGateway();
    }
    m_parked.clear();
}

void TestGateway::tearDownGateway()
{
    if (m_stack)
        m_stack->stopGateway();
    m_ollama.reset();
    m_openai.reset();
    m_stack.reset();
}

void TestGateway::health()
{
    const Response health = send("GET", u"/health"_s, {}, {});
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json(), (QJsonObject{{u"status"_s, u"healthy"_s}}));
    QCOMPARE(send("GET", u"/"_s, {}, {}).status, 200);
    QCOMPARE(send("HEAD", u"/"_s, {}, {}).status, 200);
}

void TestGateway::nodeCreationDiscoversModels()
{
    QCOMPARE(m_ollamaCreated.value("api_key_set"_L1).toBool(true), false);
    QStringList names;
    for (const QJsonValue &model : m_ollamaCreated.value("models"_L1).toArray())
        names.append(model.toObject().value("name"_L1).toString());
    names.sort();
    QCOMPARE(names, (QStringList{u"llama3.2:latest"_s, u"nomic-embed-text:latest"_s}));
    QCOMPARE(m_ollamaCreated.value("health_status"_L1).toString(), u"healthy"_s);
}

void TestGateway::translationMatrix_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<bool>("ollamaNode");
    QTest::addColumn<QString>("upstreamPath");
    QTest::addColumn<QString>("realModel");

    const QJsonArray messages{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"Say hello"_s}}};
    struct Kind
    {
        const char *label;
        QString path;
        QString ollamaPath;
        QString openAiPath;
        bool streams;
    };
    const QList<Kind> kinds{
        {"ollama client /api/chat", u"/api/chat"_s, u"/api/chat"_s, u"/v1/chat/completions"_s, true},
        {"ollama client /api/generate", u"/api/generate"_s, u"/api/generate"_s, u"/v1/completions"_s, true},
        {"openai client /v1/chat/completions", u"/v1/chat/completions"_s, u"/api/chat"_s, u"/v1/chat/completions"_s, true},
        {"openai client /v1/completions", u"/v1/completions"_s, u"/api/generate"_s, u"/v1/completions"_s, true},
        {"ollama client /api/embed", u"/api/embed"_s, u"/api/embed"_s, u"/v1/embeddings"_s, false},
        {"ollama client /api/embeddings", u"/api/embeddings"_s, u"/api/embeddings"_s, u"/v1/embeddings"_s, false},
        {"openai client /v1/embeddings", u"/v1/embeddings"_s, u"/api/embed"_s, u"/v1/embeddings"_s, false},
    };
    for (const Kind &kind : kinds) {
        const bool embeddings = !kind.streams;
        for (const bool ollamaNode : {true, false}) {
            const QString model = embeddings ? (ollamaNode ? u"embed-local"_s : u"embed-cloud"_s)
                                             : (ollamaNode ? u"chat-local"_s : u"chat-cloud"_s);
            const QString real = embeddings
                ? (ollamaNode ? u"nomic-embed-text:latest"_s : u"text-embedding-3-small"_s)
                : (ollamaNode ? u"llama3.2:latest"_s : u"gpt-4o-mini"_s);
            for (const bool stream : kind.streams ? QList<bool>{false, true} : QList<bool>{false}) {
                const QByteArray name = QByteArray(kind.label) + (ollamaNode ? " on an ollama node" : " on an openai node")
                    + (stream ? ", streamed" : ", not streamed") + ", display name " + model.toUtf8()
                    + " -> real name " + real.toUtf8();
                QTest::newRow(name.constData()) << kind.path << model << stream << ollamaNode
                                                << (ollamaNode ? kind.ollamaPath : kind.openAiPath) << real;
            }
        }
    }
}

void TestGateway::translationMatrix()
{
    QFETCH(QString, path);
    QFETCH(QString, model);
    QFETCH(bool, stream);
    QFETCH(bool, ollamaNode);
    QFETCH(QString, upstreamPath);
    QFETCH(QString, realModel);

    QJsonObject body{{u"model"_s, model}, {u"stream"_s, stream}};
    if (path.endsWith("chat"_L1) || path.endsWith("chat/completions"_L1))
        body.insert(u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"Say hello"_s}}});
    else if (path == "/api/embeddings"_L1)
        body.insert(u"prompt"_s, u"embed me"_s);
    else if (path.contains("embed"_L1))
        body.insert(u"input"_s, u"embed me"_s);
    else
        body.insert(u"prompt"_s, u"Say hello"_s);
    if (!stream && !path.contains("embed"_L1) && !isOllamaPath(path))
        body.remove(u"stream"_s); // OpenAI's default
    if (path.contains("embed"_L1))
        body.remove(u"stream"_s);

    FakeUpstream *upstream = ollamaNode ? m_ollama.get() : m_openai.get();
    const Response response = send("POST", path, toJson(body), m_alice);
    QVERIFY2(response.status == 200, response.body.constData());
    QCOMPARE(response.error, QNetworkReply::NoError);

    QCOMPARE(upstream->requestCount(), 1);
    const auto recorded = upstream->lastRequest();
    QCOMPARE(QString::fromLatin1(recorded.path), upstreamPath);
    QCOMPARE(recorded.body.value("model"_L1).toString(), realModel);

    if (path.contains("embed"_L1)) {
        const QJsonObject answer = response.json();
        QJsonArray vector;
        if (path == "/api/embed"_L1) {
            QCOMPARE(answer.value("model"_L1).toString(), model);
            vector = answer.value("embeddings"_L1).toArray().at(0).toArray();
        } else if (path == "/api/embeddings"_L1) {
            vector = answer.value("embedding"_L1).toArray();
        } else {
            QCOMPARE(answer.value("model"_L1).toString(), model);
            vector = answer.value("data"_L1).toArray().at(0).toObject().value("embedding"_L1).toArray();
        }
        QCOMPARE(vector.size(), 8);
        QVERIFY(vector.at(0).isDouble());
        return;
    }

    if (!stream) {
        QVERIFY(response.headers.value("content-type").startsWith("application/json"));
        const QJsonObject answer = response.json();
        QCOMPARE(answer.value("model"_L1).toString(), model);
        QCOMPARE(textOf(path, answer, false), ReplyText);
        return;
    }

    QString text;
    if (isOllamaPath(path)) {
        QCOMPARE(response.headers.value("content-type"), "application/x-ndjson");
        const QList<QByteArray> lines = ndjsonLines(response.body);
        QVERIFY(lines.size() > 2);
        for (const QByteArray &line : lines) {
            const QJsonObject event = QJsonDocument::fromJson(line).object();
            QVERIFY2(!event.isEmpty(), line.constData());
            QCOMPARE(event.value("model"_L1).toString(), model);
            text += textOf(path, event, true);
        }
        QCOMPARE(QJsonDocument::fromJson(lines.last()).object().value("done"_L1).toBool(), true);
    } else {
        QVERIFY(response.headers.value("content-type").startsWith("text/event-stream"));
        const QList<QByteArray> events = sseData(response.body);
        QVERIFY(events.size() > 2);
        QCOMPARE(events.last(), "[DONE]");
        for (const QByteArray &data : events.first(events.size() - 1)) {
            const QJsonObject event = QJsonDocument::fromJson(data).object();
            QVERIFY2(!event.isEmpty(), data.constData());
            QCOMPARE(event.value("model"_L1).toString(), model);
            text += textOf(path, event, true);
        }
    }
    QCOMPARE(text, ReplyText);
}

void TestGateway::streamsArrivePieceByPiece_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("model");
    QTest::newRow("ollama client on an ollama node gets NDJSON lines over time") << u"/api/chat"_s << u"chat-local"_s;
    QTest::newRow("ollama client on an openai node gets NDJSON lines over time") << u"/api/chat"_s << u"chat-cloud"_s;
    QTest::newRow("openai client on an openai node gets SSE events over time") << u"/v1/chat/completions"_s << u"chat-cloud"_s;
    QTest::newRow("openai client on an ollama node gets SSE events over time") << u"/v1/chat/completions"_s << u"chat-local"_s;
}

void TestGateway::streamsArrivePieceByPiece()
{
    QFETCH(QString, path);
    QFETCH(QString, model);
    constexpr int Words = 8;
    constexpr int DelayMs = 50;
    for (FakeUpstream *upstream : {m_ollama.get(), m_openai.get()}) {
        upstream->setChunkDelay(DelayMs);
        upstream->setReplyWords(Words);
    }
    const QJsonObject body{{u"model"_s, model},
                           {u"stream"_s, true},
                           {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}};
    const Response response = send("POST", path, toJson(body), m_alice);
    QCOMPARE(response.status, 200);
    QVERIFY2(response.pieces.size() > Words / 2,
             qPrintable(u"only %1 pieces arrived"_s.arg(response.pieces.size())));
    // The pieces are spread over the time the upstream took, not delivered at the end.
    const qint64 spread = response.times.last() - response.times.first();
    QVERIFY2(spread >= (Words - 3) * DelayMs, qPrintable(u"pieces spread over %1 ms only"_s.arg(spread)));
    if (isOllamaPath(path)) {
        const QList<QByteArray> lines = ndjsonLines(response.body);
        QVERIFY(lines.size() >= Words);
        QCOMPARE(QJsonDocument::fromJson(lines.last()).object().value("done"_L1).toBool(), true);
    } else {
        const QList<QByteArray> events = sseData(response.body);
        QCOMPARE(events.last(), "[DONE]");
        QVERIFY(response.body.endsWith("data: [DONE]\n\n"));
    }
}

void TestGateway::openAiStreamUsage_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("askUsage");
    QTest::newRow("openai node, client did not ask for usage -> no usage chunk") << u"chat-cloud"_s << false;
    QTest::newRow("openai node, client asked for usage -> one usage chunk") << u"chat-cloud"_s << true;
    QTest::newRow("ollama node, client did not ask for usage -> no usage chunk") << u"chat-local"_s << false;
    QTest::newRow("ollama node, client asked for usage -> one usage chunk") << u"chat-local"_s << true;
}

void TestGateway::openAiStreamUsage()
{
    QFETCH(QString, model);
    QFETCH(bool, askUsage);
    m_ollama->setTokenCounts(7, 5);
    m_openai->setTokenCounts(7, 5);
    QJsonObject body{{u"model"_s, model},
                     {u"stream"_s, true},
                     {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}};
    if (askUsage)
        body.insert(u"stream_options"_s, QJsonObject{{u"include_usage"_s, true}});
    const Response response = send("POST", u"/v1/chat/completions"_s, toJson(body), m_alice);
    QCOMPARE(response.status, 200);

    if (model == "chat-cloud"_L1) {
        // The gateway always asks the node for usage, to log tokens.
        const QJsonObject recorded = m_openai->lastRequest().body;
        QCOMPARE(recorded.value("stream_options"_L1).toObject().value("include_usage"_L1).toBool(), true);
    }
    const QList<QByteArray> events = sseData(response.body);
    QCOMPARE(events.last(), "[DONE]");
    QList<QJsonObject> usageChunks;
    for (const QByteArray &data : events.first(events.size() - 1)) {
        const QJsonObject event = QJsonDocument::fromJson(data).object();
        QCOMPARE(event.value("model"_L1).toString(), model);
        if (event.value("usage"_L1).isObject())
            usageChunks.append(event);
        else if (!askUsage)
            QVERIFY2(!event.value("choices"_L1).toArray().isEmpty(), data.constData());
    }
    if (!askUsage) {
        QVERIFY2(usageChunks.isEmpty(), response.body.constData());
        return;
    }
    QCOMPARE(usageChunks.size(), 1);
    const QJsonObject usage = usageChunks.first().value("usage"_L1).toObject();
    QCOMPARE(usage.value("prompt_tokens"_L1).toInt(), 7);
    QCOMPARE(usage.value("completion_tokens"_L1).toInt(), 5);
    QCOMPARE(usage.value("total_tokens"_L1).toInt(), 12);
    QCOMPARE(QJsonDocument::fromJson(events.at(events.size() - 2)).object(), usageChunks.first());
}

void TestGateway::requestLog_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("stream");
    QTest::newRow("ollama client, ollama node, not streamed") << u"/api/chat"_s << u"chat-local"_s << false;
    QTest::newRow("ollama client, ollama node, streamed") << u"/api/chat"_s << u"chat-local"_s << true;
    QTest::newRow("ollama client, openai node, streamed") << u"/api/chat"_s << u"chat-cloud"_s << true;
    QTest::newRow("openai client, openai node, not streamed") << u"/v1/chat/completions"_s << u"chat-cloud"_s << false;
    QTest::newRow("openai client, openai node, streamed") << u"/v1/chat/completions"_s << u"chat-cloud"_s << true;
    QTest::newRow("openai client, ollama node, streamed") << u"/v1/chat/completions"_s << u"chat-local"_s << true;
}

void TestGateway::requestLog()
{
    QFETCH(QString, path);
    QFETCH(QString, model);
    QFETCH(bool, stream);
    const QString username = u"logger%1"_s.arg(++m_userSerial);
    const QByteArray token = createUser(username, {model});
    QVERIFY(!token.isEmpty());
    m_ollama->setTokenCounts(13, 5);
    m_openai->setTokenCounts(13, 5);
    const QJsonObject body{{u"model"_s, model},
                           {u"stream"_s, stream},
                           {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}};
    QCOMPARE(send("POST", path, toJson(body), token).status, 200);

    QTRY_COMPARE_WITH_TIMEOUT(logsFor(username).size(), 1, 5000);
    const QJsonObject log = logsFor(username).at(0).toObject();
    QCOMPARE(log.value("username"_L1).toString(), username);
    QCOMPARE(log.value("model_name"_L1).toString(), model);
    QCOMPARE(log.value("real_model"_L1).toString(), model == "chat-local"_L1 ? u"llama3.2:latest"_s : u"gpt-4o-mini"_s);
    QCOMPARE(log.value("endpoint"_L1).toString(), path);
    QCOMPARE(log.value("status_code"_L1).toInt(), 200);
    QCOMPARE(log.value("prompt_tokens"_L1).toInt(), 13);
    QCOMPARE(log.value("completion_tokens"_L1).toInt(), 5);
    QCOMPARE(log.value("total_tokens"_L1).toInt(), 18);
    QCOMPARE(log.value("streamed"_L1).toBool(), stream);
    QCOMPARE(log.value("node_id"_L1).toInteger(), model == "chat-local"_L1 ? m_ollamaId : m_openaiId);

    const QJsonArray activities = admin("GET", u"/admin/users/%1/activity"_s.arg(username)).json().value("activities"_L1).toArray();
    QCOMPARE(activities.size(), 1);
    QCOMPARE(activities.at(0).toObject().value("total_tokens"_L1).toInt(), 18);
}

void TestGateway::modelLists_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("alice sees her four display names")
        << u"alice"_s << QStringList{u"chat-cloud"_s, u"chat-local"_s, u"embed-cloud"_s, u"embed-local"_s};
    QTest::newRow("bob sees only chat-local") << u"bob"_s << QStringList{u"chat-local"_s};
}

void TestGateway::modelLists()
{
    QFETCH(QString, user);
    QFETCH(QStringList, expected);
    const QByteArray token = user == "alice"_L1 ? m_alice : m_bob;

    const Response tags = send("GET", u"/api/tags"_s, {}, token);
    QCOMPARE(tags.status, 200);
    QStringList names;
    for (const QJsonValue &model : tags.json().value("models"_L1).toArray())
        names.append(model.toObject().value("name"_L1).toString());
    QCOMPARE(names, expected);

    const Response models = send("GET", u"/v1/models"_s, {}, token);
    QCOMPARE(models.status, 200);
    QCOMPARE(models.json().value("object"_L1).toString(), u"list"_s);
    QStringList ids;
    for (const QJsonValue &model : models.json().value("data"_L1).toArray())
        ids.append(model.toObject().value("id"_L1).toString());
    QCOMPARE(ids, expected);
}

void TestGateway::authAndAccess_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("who"); // none, invalid, alice, bob
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("status");
    QTest::addColumn<QJsonObject>("expected");

    const QString missing = u"Missing bearer token: send \"Authorization: Bearer <token>\""_s;
    const QString invalid = u"Invalid or expired token"_s;
    QTest::newRow("ollama client, no token -> 401")
        << QByteArray("POST") << u"/api/chat"_s << u"none"_s << u"chat-local"_s << 401 << ollamaError(missing);
    QTest::newRow("ollama client, unknown token -> 401")
        << QByteArray("POST") << u"/api/chat"_s << u"invalid"_s << u"chat-local"_s << 401 << ollamaError(invalid);
    QTest::newRow("ollama tags, no token -> 401")
        << QByteArray("GET") << u"/api/tags"_s << u"none"_s << QString() << 401 << ollamaError(missing);
    QTest::newRow("openai client, no token -> 401 authentication_error")
        << QByteArray("POST") << u"/v1/chat/completions"_s << u"none"_s << u"chat-local"_s << 401
        << openAiError(missing, u"authentication_error"_s, u"invalid_api_key"_s);
    QTest::newRow("openai client, unknown token -> 401 authentication_error")
        << QByteArray("POST") << u"/v1/chat/completions"_s << u"invalid"_s << u"chat-local"_s << 401
        << openAiError(invalid, u"authentication_error"_s, u"invalid_api_key"_s);
    QTest::newRow("openai models, unknown token -> 401")
        << QByteArray("GET") << u"/v1/models"_s << u"invalid"_s << QString() << 401
        << openAiError(invalid, u"authentication_error"_s, u"invalid_api_key"_s);
    QTest::newRow("ollama client, model not granted -> 403")
        << QByteArray("POST") << u"/api/chat"_s << u"bob"_s << u"chat-cloud"_s << 403
        << ollamaError(u"You have no access to the model 'chat-cloud'"_s);
    QTest::newRow("openai client, model not granted -> 403 permission_error")
        << QByteArray("POST") << u"/v1/chat/completions"_s << u"bob"_s << u"chat-cloud"_s << 403
        << openAiError(u"You have no access to the model 'chat-cloud'"_s, u"permission_error"_s, u"model_not_allowed"_s);
    QTest::newRow("ollama client, unknown model -> 404")
        << QByteArray("POST") << u"/api/chat"_s << u"alice"_s << u"no-such-model"_s << 404
        << ollamaError(u"Model 'no-such-model' is not available"_s);
    QTest::newRow("openai client, unknown model -> 404 model_not_found")
        << QByteArray("POST") << u"/v1/chat/completions"_s << u"alice"_s << u"no-such-model"_s << 404
        << openAiError(u"Model 'no-such-model' is not available"_s, u"invalid_request_error"_s, u"model_not_found"_s);
    QTest::newRow("admin endpoint with a user token -> 403")
        << QByteArray("GET") << u"/admin/users"_s << u"alice"_s << QString() << 403 << adminError(u"Invalid admin token"_s);
    QTest::newRow("admin endpoint without a token -> 401")
        << QByteArray("GET") << u"/admin/users"_s << u"none"_s << QString() << 401
        << adminError(u"Missing authorization header"_s);
    QTest::newRow("admin change with a user token -> 403")
        << QByteArray("POST") << u"/admin/users"_s << u"bob"_s << QString() << 403 << adminError(u"Invalid admin token"_s);
}

void TestGateway::authAndAccess()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QString, who);
    QFETCH(QString, model);
    QFETCH(int, status);
    QFETCH(QJsonObject, expected);

    QByteArray token;
    if (who == "invalid"_L1)
        token = "mm-not-a-real-token";
    else if (who == "alice"_L1)
        token = m_alice;
    else if (who == "bob"_L1)
        token = m_bob;
    QByteArray body;
    if (!model.isEmpty()) {
        body = toJson({{u"model"_s, model},
                       {u"stream"_s, false},
                       {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}});
    } else if (method == "POST") {
        body = toJson({{u"username"_s, u"mallory"_s}});
    }
    const Response response = send(method, path, body, token);
    QCOMPARE(response.status, status);
    QCOMPARE(response.json(), expected);
    if (status == 401 && !path.startsWith("/admin"_L1))
        QCOMPARE(response.headers.value("www-authenticate"), "Bearer");
    QCOMPARE(m_ollama->requestCount() + m_openai->requestCount(), 0);
}

void TestGateway::badInput_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");

    const auto parseMessage = [](const QByteArray &text) {
        QJsonParseError error;
        QJsonDocument::fromJson(text, &error);
        return u"Request body is not valid JSON: %1 at offset %2"_s.arg(error.errorString()).arg(error.offset);
    };
    const QByteArray malformed = R"({"model": "chat-local", "messages": [)";
    struct Case
    {
        const char *label;
        QByteArray body;
        QString message;
    };
    const QList<Case> cases{
        {"malformed JSON", malformed, parseMessage(malformed)},
        {"empty body", QByteArray(), u"Request body is required (a JSON object)"_s},
        {"body is an array, not an object", R"([{"model":"chat-local"}])", u"Request body must be a JSON object"_s},
        {"\"model\" missing", R"({"messages":[]})", u"\"model\" is required"_s},
        {"\"model\" is a number", R"({"model":42,"messages":[]})", u"\"model\" must be a non-empty string, not a number"_s},
        {"\"messages\" is a string", R"({"model":"chat-local","messages":"hello"})", u"\"messages\" must be an array, not a string"_s},
        {"\"stream\" is a string", R"({"model":"chat-local","messages":[],"stream":"yes"})", u"\"stream\" must be a boolean, not a string"_s},
        {"a message without a role", R"({"model":"chat-local","messages":[{"content":"x"}]})", u"each message needs a \"role\" string"_s},
    };
    for (const Case &c : cases) {
        QTest::newRow(qPrintable(u"ollama client, %1 -> 400"_s.arg(QLatin1StringView(c.label))))
            << u"/api/chat"_s << c.body << c.message;
        QTest::newRow(qPrintable(u"openai client, %1 -> 400 invalid_request_error"_s.arg(QLatin1StringView(c.label))))
            << u"/v1/chat/completions"_s << c.body << c.message;
    }
}

void TestGateway::badInput()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    const Response response = send("POST", path, body, m_alice);
    QCOMPARE(response.status, 400);
    const QJsonObject expected = isOllamaPath(path)
        ? ollamaError(message)
        : openAiError(message, u"invalid_request_error"_s, u"invalid_request"_s);
    QCOMPARE(response.json(), expected);
    QCOMPARE(m_ollama->requestCount() + m_openai->requestCount(), 0);
}

void TestGateway::bodyOverTheLimit_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<bool>("chunked");
    QTest::addColumn<bool>("expectContinue");
    QTest::addColumn<QJsonObject>("expected");
    const QString message = u"Request body is larger than the limit of 1024 bytes"_s;
    QTest::newRow("ollama client, Content-Length over the limit -> 413 before the body is sent")
        << QByteArray("/api/chat") << false << false << ollamaError(message);
    QTest::newRow("openai client, Content-Length over the limit -> 413 before the body is sent")
        << QByteArray("/v1/chat/completions") << false << false
        << openAiError(message, u"invalid_request_error"_s, u"request_too_large"_s);
    QTest::newRow("admin client, Content-Length over the limit -> 413 with a detail body")
        << QByteArray("/admin/users") << false << false << adminError(message);
    QTest::newRow("openai client, Expect: 100-continue over the limit -> 413 and no 100 Continue")
        << QByteArray("/v1/chat/completions") << false << true
        << openAiError(message, u"invalid_request_error"_s, u"request_too_large"_s);
    QTest::newRow("ollama client, chunked body growing over the limit -> 413")
        << QByteArray("/api/chat") << true << false << ollamaError(message);
}

void TestGateway::bodyOverTheLimit()
{
    QFETCH(QByteArray, path);
    QFETCH(bool, chunked);
    QFETCH(bool, expectContinue);
    QFETCH(QJsonObject, expected);

    GatewayConfig config;
    config.port = 0;
    config.adminToken = AdminToken;
    config.healthIntervalMs = 0;
    // Written behind the shared gateway's back, and gone before it next reloads.
    QVERIFY(m_stack->store()->writeSettings({{u"max_body_bytes"_s, u"1024"_s}}));
    const auto restore = qScopeGuard([this] { m_stack->store()->writeSettings({{u"max_body_bytes"_s, std::nullopt}}); });
    GatewayThread small(config, m_stack->store(), m_stack->secrets(), m_stack->usage(), m_stack->clock(),
                        m_stack->database());
    QString error;
    QVERIFY2(small.start(&error), qPrintable(error));

    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, small.port());
    QVERIFY(socket.waitForConnected(5000));
    QByteArray head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + m_alice
        + "\r\nContent-Type: application/json\r\n";
    if (expectContinue)
        head += "Expect: 100-continue\r\n";
    head += chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Content-Length: 5000\r\n\r\n";
    if (chunked)
        head += "7d0\r\n" + QByteArray(2000, ' ') + "\r\n"; // one 2000-byte chunk, no end
    socket.write(head);
    QByteArray received;
    RawResponse response;
    QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll(), parseRaw(received, &response)), 5000);
    QVERIFY2(received.startsWith("HTTP/1.1 413 "), received.constData());
    QCOMPARE(response.status(), 413);
    QCOMPARE(QJsonDocument::fromJson(response.body).object(), expected);
    QVERIFY(response.head.toLower().contains("connection: close"));
    // The server does not wait for the 5000 bytes it will not read.
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 5000);
    QCOMPARE(m_ollama->requestCount() + m_openai->requestCount(), 0);
    small.stop(0);
}

void TestGateway::expectContinueAndKeepAlive()
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_stack->port());
    QVERIFY(socket.waitForConnected(5000));
    const QByteArray body = toJson({{u"model"_s, u"chat-local"_s},
                                    {u"stream"_s, false},
                                    {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}});
    socket.write("POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + m_alice
                 + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: "
                 + QByteArray::number(body.size()) + "\r\n\r\n");
    QByteArray received;
    const QByteArray interim = "HTTP/1.1 100 Continue\r\n\r\n";
    QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll(), received.size() >= interim.size()), 5000);
    QCOMPARE(received, interim);
    QCOMPARE(m_ollama->requestCount(), 0);

    socket.write(body);
    received.clear();
    RawResponse response;
    qsizetype consumed = 0;
    QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll(), parseRaw(received, &response, &consumed)), 5000);
    QCOMPARE(response.status(), 200);
    QCOMPARE(QJsonDocument::fromJson(response.body).object().value("message"_L1).toObject().value("content"_L1).toString(), ReplyText);

    // The same connection carries the next request.
    received = received.mid(consumed);
    socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll(), parseRaw(received, &response)), 5000);
    QCOMPARE(response.status(), 200);
    QCOMPARE(QJsonDocument::fromJson(response.body).object().value("status"_L1).toString(), u"healthy"_s);
    QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
}

void TestGateway::requestLimit()
{
    const QByteArray token = createUser(u"limited"_s, {u"chat-local"_s});
    QVERIFY(!token.isEmpty());
    const Response set = admin("POST", u"/admin/users/limited/limits"_s, {{u"request_limit"_s, 2}, {u"token_limit"_s, QJsonValue()}});
    QCOMPARE(set.status, 200);
    QCOMPARE(set.json().value("request_limit"_L1).toInt(), 2);

    const QByteArray body = toJson({{u"model"_s, u"chat-local"_s},
                                    {u"stream"_s, false},
                                    {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}});
    QCOMPARE(send("POST", u"/api/chat"_s, body, token).status, 200);
    QCOMPARE(send("POST", u"/v1/chat/completions"_s, body, token).status, 200);
    const QString message = u"Daily request limit reached (2 requests per UTC day); it resets at 00:00 UTC"_s;

    const Response ollama = send("POST", u"/api/chat"_s, body, token);
    QCOMPARE(ollama.status, 429);
    QCOMPARE(ollama.json(), ollamaError(message));
    bool ok = false;
    const int retryAfter = ollama.headers.value("retry-after").toInt(&ok);
    QVERIFY2(ok && retryAfter > 0 && retryAfter <= 86400, ollama.headers.value("retry-after").constData());

    const Response openai = send("POST", u"/v1/chat/completions"_s, body, token);
    QCOMPARE(openai.status, 429);
    QCOMPARE(openai.json(), openAiError(message, u"rate_limit_error"_s, u"rate_limit_exceeded"_s));
    QVERIFY(openai.headers.contains("retry-after"));
    QCOMPARE(m_ollama->requestCount(), 2);

    const Response limits = admin("GET", u"/admin/users/limited/limits"_s);
    QCOMPARE(limits.json().value("requests_today"_L1).toInt(), 2);
}

void TestGateway::tokenLimit()
{
    const QByteArray token = createUser(u"thrifty"_s, {u"chat-cloud"_s});
    QVERIFY(!token.isEmpty());
    QCOMPARE(admin("POST", u"/admin/users/thrifty/limits"_s, {{u"token_limit"_s, 10}}).status, 200);
    m_openai->setTokenCounts(6, 5);
    const QByteArray body = toJson({{u"model"_s, u"chat-cloud"_s},
                                    {u"stream"_s, true},
                                    {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}});
    QCOMPARE(send("POST", u"/v1/chat/completions"_s, body, token).status, 200);
    const Response refused = send("POST", u"/v1/chat/completions"_s, body, token);
    QCOMPARE(refused.status, 429);
    QCOMPARE(refused.json(),
             openAiError(u"Daily token limit reached (10 tokens per UTC day); it resets at 00:00 UTC"_s,
                         u"rate_limit_error"_s, u"rate_limit_exceeded"_s));
    QVERIFY(refused.headers.contains("retry-after"));
    const Response ollama = send("POST", u"/api/chat"_s, body, token);
    QCOMPARE(ollama.status, 429);
    QCOMPARE(ollama.json(), ollamaError(u"Daily token limit reached (10 tokens per UTC day); it resets at 00:00 UTC"_s));
    QCOMPARE(m_openai->requestCount(), 1);
}

void TestGateway::minuteLimitsHoldUnderConcurrency_data()
{
    QTest::addColumn<bool>("perModel");
    QTest::addColumn<int>("dailyLimit"); // alice's; 0 = none
    QTest::addColumn<int>("passed");

    QTest::newRow("50 concurrent requests of a user limited to 10 a minute: 10 pass, 40 get 429") << false << 0 << 10;
    QTest::newRow("50 concurrent requests of two users to a model limited to 10 a minute: 10 pass, 40 get 429") << true << 0 << 10;
    // With a daily limit too (counted in the database on PostgreSQL): whichever refuses, the
    // refused requests are counted by neither.
    QTest::newRow("a user limited to 10 a minute and 12 a day: 10 pass and count once each") << false << 12 << 10;
    QTest::newRow("a user limited to 10 a minute and 4 a day: 4 pass and count once each") << false << 4 << 4;
}

void TestGateway::minuteLimitsHoldUnderConcurrency()
{
    QFETCH(bool, perModel);
    QFETCH(int, dailyLimit);
    QFETCH(int, passed);
    constexpr int Requests = 50;
    const QString serial = QString::number(++m_userSerial);
    const QString model = u"rpm-model-"_s + serial;
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({model});
    upstream.setReplyWords(10);
    upstream.setChunkDelay(100); // about a second per answer: the admitted ones are still running
    QVERIFY(upstream.listen());
    const qint64 nodeId = addNode(u"rpm-node-"_s + serial, &upstream);
    QVERIFY(nodeId > 0);
    const QString alice = u"rpm-alice-"_s + serial;
    const QString bob = u"rpm-bob-"_s + serial;
    const QByteArray aliceToken = createUser(alice, {model});
    const QByteArray bobToken = createUser(bob, {model});
    QVERIFY(!aliceToken.isEmpty() && !bobToken.isEmpty());
    QString subject;
    if (perModel) {
        QCOMPARE(admin("POST", u"/admin/model-configs"_s, {{u"model_pattern"_s, model}, {u"requests_per_minute"_s, 10}}).status, 201);
        subject = u"model '%1'"_s.arg(model);
    } else {
        QJsonObject limits{{u"requests_per_minute"_s, 10}};
        if (dailyLimit > 0)
            limits.insert(u"request_limit"_s, dailyLimit);
        QCOMPARE(admin("POST", u"/admin/users/%1/limits"_s.arg(alice), limits).status, 200);
        subject = u"user "_s + alice;
    }
    upstream.clearRequests();

    QList<QByteArray> tokens;
    for (int i = 0; i < Requests; ++i)
        tokens.append(perModel && i % 2 ? bobToken : aliceToken);
    const QByteArray body = toJson({{u"model"_s, model}, {u"stream"_s, true}, {u"messages"_s, Test::userMessage(u"hi"_s)}});
    const QList<Outcome> outcomes = concurrently(u"/v1/chat/completions"_s, body, tokens);
    QCOMPARE(outcomes.size(), Requests);
    int succeeded = 0;
    for (const Outcome &outcome : outcomes) {
        if (outcome.status == 200) {
            ++succeeded;
            continue;
        }
        QCOMPARE(outcome.status, 429);
        bool ok = false;
        const int retryAfter = outcome.retryAfter.toInt(&ok);
        const QString message = outcome.body.value("error"_L1).toObject().value("message"_L1).toString();
        if (dailyLimit > 0 && dailyLimit < 10) {
            QVERIFY2(ok && retryAfter >= 1 && retryAfter <= 86400, outcome.retryAfter.constData());
            QVERIFY2(message.startsWith("Daily request limit reached"_L1), qPrintable(message));
            continue;
        }
        QVERIFY2(ok && retryAfter >= 1 && retryAfter <= 60, outcome.retryAfter.constData());
        QCOMPARE(outcome.body, openAiError(u"Request limit reached: 10 requests per minute for %1; retry in %2 s"_s.arg(subject).arg(retryAfter),
                                           u"rate_limit_error"_s, u"rate_limit_exceeded"_s));
    }
    QCOMPARE(succeeded, passed);
    QCOMPARE(upstream.requestCount(), passed);
    if (!perModel) {
        // The user's windows as the admin API shows them; bob, unlimited, is not held back.
        const QJsonObject limits = admin("GET", u"/admin/users/%1/limits"_s.arg(alice)).json();
        QCOMPARE(limits.value("requests_per_minute"_L1).toInt(), 10);
        QCOMPARE(limits.value("requests_last_minute"_L1).toInt(), passed);
        QCOMPARE(limits.value("requests_today"_L1).toInt(), passed);
        QCOMPARE(send("POST", u"/v1/chat/completions"_s, body, bobToken).status, 200);
    }
    if (perModel)
        QCOMPARE(admin("DELETE", u"/admin/model-configs/%1"_s.arg(model)).status, 204);
    QCOMPARE(admin("DELETE", u"/admin/nodes/%1"_s.arg(nodeId)).status, 204);
}

void TestGateway::tokensPerMinuteOvershootIsBounded()
{
    const QString name = u"tpm%1"_s.arg(++m_userSerial);
    const QByteArray token = createUser(name, {u"chat-cloud"_s});
    QVERIFY(!token.isEmpty());
    QCOMPARE(admin("POST", u"/admin/users/%1/limits"_s.arg(name), {{u"tokens_per_minute"_s, 100}}).status, 200);
    m_openai->setTokenCounts(30, 30); // 60 tokens an answer
    m_openai->setChunkDelay(100);
    const QByteArray body = toJson({{u"model"_s, u"chat-cloud"_s}, {u"stream"_s, true}, {u"messages"_s, Test::userMessage(u"hi"_s)}});

    // Nothing is reported yet while these run, so all four pass: the overshoot is what was
    // running, never more.
    const QList<Outcome> first = concurrently(u"/v1/chat/completions"_s, body, QList<QByteArray>(4, token));
    QCOMPARE(first.size(), 4);
    for (const Outcome &outcome : first)
        QCOMPARE(outcome.status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(admin("GET", u"/admin/users/%1/limits"_s.arg(name)).json().value("tokens_last_minute"_L1).toInt(), 240, 5000);

    // Once they reported, everything is refused until the window has room again.
    const QList<Outcome> second = concurrently(u"/v1/chat/completions"_s, body, QList<QByteArray>(4, token));
    QCOMPARE(second.size(), 4);
    for (const Outcome &outcome : second) {
        QCOMPARE(outcome.status, 429);
        const int retryAfter = outcome.retryAfter.toInt();
        QVERIFY2(retryAfter >= 1 && retryAfter <= 60, outcome.retryAfter.constData());
        QCOMPARE(outcome.body.value("error"_L1).toObject().value("message"_L1).toString(),
                 u"Token limit reached: 100 tokens per minute for user %1; retry in %2 s"_s.arg(name).arg(retryAfter));
    }
}

void TestGateway::minuteRefusalInEveryDialect_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QString>("dialect");

    const QJsonArray messages = Test::userMessage(u"hi"_s);
    QTest::newRow("ollama chat answers {\"error\"}") << u"/api/chat"_s
        << QJsonObject{{u"model"_s, u"chat-local"_s}, {u"stream"_s, false}, {u"messages"_s, messages}} << u"ollama"_s;
    QTest::newRow("ollama generate answers {\"error\"}") << u"/api/generate"_s
        << QJsonObject{{u"model"_s, u"chat-local"_s}, {u"stream"_s, false}, {u"prompt"_s, u"hi"_s}} << u"ollama"_s;
    QTest::newRow("openai chat answers a rate_limit_error") << u"/v1/chat/completions"_s
        << QJsonObject{{u"model"_s, u"chat-local"_s}, {u"messages"_s, messages}} << u"openai"_s;
    QTest::newRow("openai responses answers a rate_limit_error") << u"/v1/responses"_s
        << QJsonObject{{u"model"_s, u"chat-local"_s}, {u"input"_s, u"hi"_s}} << u"openai"_s;
    QTest::newRow("anthropic messages answers an error of type rate_limit_error") << u"/v1/messages"_s
        << QJsonObject{{u"model"_s, u"chat-local"_s}, {u"max_tokens"_s, 16}, {u"messages"_s, messages}} << u"anthropic"_s;
}

void TestGateway::minuteRefusalInEveryDialect()
{
    QFETCH(QString, path);
    QFETCH(QJsonObject, body);
    QFETCH(QString, dialect);

    const QString name = u"dialect%1"_s.arg(++m_userSerial);
    const QByteArray token = createUser(name, {u"chat-local"_s});
    QVERIFY(!token.isEmpty());
    QCOMPARE(admin("POST", u"/admin/users/%1/limits"_s.arg(name), {{u"requests_per_minute"_s, 1}}).status, 200);
    QCOMPARE(send("POST", path, toJson(body), token).status, 200);

    const Response refused = send("POST", path, toJson(body), token);
    QCOMPARE(refused.status, 429);
    bool ok = false;
    const int retryAfter = refused.headers.value("retry-after").toInt(&ok);
    QVERIFY2(ok && retryAfter >= 58 && retryAfter <= 60, refused.headers.value("retry-after").constData());
    const QString message = u"Request limit reached: 1 request per minute for user %1; retry in %2 s"_s.arg(name).arg(retryAfter);
    if (dialect == "ollama"_L1) {
        QCOMPARE(refused.json(), ollamaError(message));
    } else if (dialect == "openai"_L1) {
        QCOMPARE(refused.json(), openAiError(message, u"rate_limit_error"_s, u"rate_limit_exceeded"_s));
    } else {
        QCOMPARE(refused.json(), (QJsonObject{{u"type"_s, u"error"_s},
                                              {u"error"_s, QJsonObject{{u"type"_s, u"rate_limit_error"_s},
                                                                       {u"message"_s, message}}}}));
    }
}

void TestGateway::minuteLimitsValidation_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QJsonValue>("requestsPerMinute"); // as GET shows it afterwards
    QTest::addColumn<QJsonValue>("tokensPerMinute");

    // Before each row the user has 7 requests and 700 tokens per minute.
    QTest::newRow("positive limits are taken")
        << QJsonObject{{u"requests_per_minute"_s, 10}, {u"tokens_per_minute"_s, 5000}} << 200 << QJsonValue(10) << QJsonValue(5000);
    QTest::newRow("null means unlimited")
        << QJsonObject{{u"requests_per_minute"_s, QJsonValue()}, {u"tokens_per_minute"_s, QJsonValue()}} << 200 << QJsonValue() << QJsonValue();
    QTest::newRow("per-minute limits left out keep their value when the daily ones change")
        << QJsonObject{{u"request_limit"_s, 100}} << 200 << QJsonValue(7) << QJsonValue(700);
    QTest::newRow("zero per minute is refused") << QJsonObject{{u"requests_per_minute"_s, 0}} << 400 << QJsonValue(7) << QJsonValue(700);
    QTest::newRow("a negative limit is refused") << QJsonObject{{u"tokens_per_minute"_s, -5}} << 400 << QJsonValue(7) << QJsonValue(700);
    QTest::newRow("a fraction is refused") << QJsonObject{{u"requests_per_minute"_s, 2.5}} << 400 << QJsonValue(7) << QJsonValue(700);
    QTest::newRow("a string is refused") << QJsonObject{{u"requests_per_minute"_s, u"10"_s}} << 400 << QJsonValue(7) << QJsonValue(700);
}

void TestGateway::minuteLimitsValidation()
{
    QFETCH(QJsonObject, body);
    QFETCH(int, status);
    QFETCH(QJsonValue, requestsPerMinute);
    QFETCH(QJsonValue, tokensPerMinute);

    const QString name = u"validated%1"_s.arg(++m_userSerial);
    QVERIFY(!createUser(name, {u"chat-local"_s}).isEmpty());
    const QString path = u"/admin/users/%1/limits"_s.arg(name);
    QCOMPARE(admin("POST", path, {{u"requests_per_minute"_s, 7}, {u"tokens_per_minute"_s, 700}}).status, 200);
    const Response answer = admin("POST", path, body);
    QCOMPARE(answer.status, status);
    if (status == 400)
        QVERIFY(answer.json().value("detail"_L1).toString().contains("integer"_L1));
    const QJsonObject limits = admin("GET", path).json();
    QCOMPARE(limits.value("requests_per_minute"_L1), requestsPerMinute);
    QCOMPARE(limits.value("tokens_per_minute"_L1), tokensPerMinute);
    QVERIFY(limits.contains("requests_last_minute"_L1));
    QVERIFY(limits.contains("tokens_last_minute"_L1));
    // The user object carries the per-minute limits too, alone and in the list.
    const QJsonObject user = admin("GET", u"/admin/users/%1"_s.arg(name)).json();
    QCOMPARE(user.value("requests_per_minute"_L1), requestsPerMinute);
    QCOMPARE(user.value("tokens_per_minute"_L1), tokensPerMinute);
    const QJsonArray users = admin("GET", u"/admin/users"_s).array();
    const auto listed = std::find_if(users.cbegin(), users.cend(), [&](const QJsonValue &entry) {
        return entry.toObject().value("username"_L1).toString() == name;
    });
    QVERIFY(listed != users.cend());
    QCOMPARE(listed->toObject().value("requests_per_minute"_L1), requestsPerMinute);
    QCOMPARE(listed->toObject().value("tokens_per_minute"_L1), tokensPerMinute);

    // Model configurations take the same fields under the same rules.
    const QString pattern = name + u'*';
    QJsonObject config = body;
    config.remove(u"request_limit"_s);
    config.insert(u"model_pattern"_s, pattern);
    const Response saved = admin("POST", u"/admin/model-configs"_s, config);
    QCOMPARE(saved.status, status == 200 ? 201 : 400);
    if (saved.status == 201) {
        const QJsonObject listed = admin("GET", u"/admin/model-configs/%1"_s.arg(pattern)).json();
        QCOMPARE(listed.value("requests_per_minute"_L1), body.value("requests_per_minute"_L1).isUndefined() ? QJsonValue() : body.value("requests_per_minute"_L1));
        QCOMPARE(admin("DELETE", u"/admin/model-configs/%1"_s.arg(pattern)).status, 204);
    }
}

void TestGateway::failover()
{
    FakeUpstream first(NodeType::Ollama);
    FakeUpstream second(NodeType::Ollama);
    FakeUpstream gone(NodeType::Ollama);
    for (FakeUpstream *upstream : {&first, &second, &gone}) {
        upstream->setModels({u"shared-model:latest"_s});
        upstream->setReplyText(ReplyText);
        QVERIFY(upstream->listen());
    }
    const qint64 firstId = addNode(u"failover-first"_s, &first, 10);
    const qint64 secondId = addNode(u"failover-second"_s, &second, 1);
    QVERIFY(firstId > 0 && secondId > 0);
    const QByteArray token = createUser(u"failover"_s, {u"*"_s});
    QVERIFY(!token.isEmpty());
    const QByteArray body = toJson({{u"model"_s, u"shared-model"_s},
                                    {u"stream"_s, false},
                                    {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}});

    first.clearRequests(); // the probes at node creation
    second.clearRequests();

    // Both healthy: the higher priority answers.
    Response response = send("POST", u"/api/chat"_s, body, token);
    QCOMPARE(response.status, 200);
    QCOMPARE(first.requestCount(), 1);
    QCOMPARE(second.requestCount(), 0);

    // The first answers 500: the second serves the request.
    first.clearRequests();
    first.failNext(500);
    response = send("POST", u"/api/chat"_s, body, token);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json().value("model"_L1).toString(), u"shared-model"_s);
    QCOMPARE(first.requestCount(), 1);
    QCOMPARE(second.requestCount(), 1);
    QCOMPARE(second.lastRequest().body.value("model"_L1).toString(), u"shared-model:latest"_s);

    // A node that went away (its port closed) is skipped the same way, streams included.
    const qint64 goneId = addNode(u"failover-gone"_s, &gone, 20);
    QVERIFY(goneId > 0);
    gone.close();
    first.clearRequests();
    second.clearRequests();
    response = send("POST", u"/v1/chat/completions"_s,
                    toJson({{u"model"_s, u"shared-model"_s},
                            {u"stream"_s, true},
                            {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}}),
                    token);
    QCOMPARE(response.status, 200);
    QCOMPARE(sseData(response.body).last(), "[DONE]");
    QCOMPARE(first.requestCount(), 1);

    // Every node fails: 502 in the client's dialect.
    first.failNext(500);
    second.failNext(500);
    response = send("POST", u"/api/chat"_s, body, token);
    QCOMPARE(response.status, 502);
    const QString ollamaMessage = response.json().value("error"_L1).toString();
    QVERIFY2(ollamaMessage.startsWith("All 3 nodes serving shared-model failed; last error: "_L1), qPrintable(ollamaMessage));
    QCOMPARE(response.json().size(), 1);
    first.failNext(502);
    second.failNext(503);
    response = send("POST", u"/v1/chat/completions"_s, body, token);
    QCOMPARE(response.status, 502);
    const QJsonObject error = response.json().value("error"_L1).toObject();
    QCOMPARE(error.value("type"_L1).toString(), u"api_error"_s);
    QCOMPARE(error.value("code"_L1).toString(), u"upstream_error"_s);
    QVERIFY(error.value("message"_L1).toString().startsWith("All 3 nodes serving shared-model failed"_L1));

    // No active node: 503.
    for (qint64 id : {firstId, secondId, goneId})
        QCOMPARE(admin("PATCH", u"/admin/nodes/%1/toggle"_s.arg(id)).json().value("is_active"_L1).toBool(true), false);
    first.clearRequests();
    second.clearRequests();
    response = send("POST", u"/api/chat"_s, body, token);
    QCOMPARE(response.status, 503);
    QCOMPARE(response.json(), ollamaError(u"No healthy node serves the model 'shared-model' right now"_s));
    response = send("POST", u"/v1/chat/completions"_s, body, token);
    QCOMPARE(response.status, 503);
    QCOMPARE(response.json(), openAiError(u"No healthy node serves the model 'shared-model' right now"_s,
                                          u"api_error"_s, u"no_healthy_node"_s));
    QCOMPARE(first.requestCount() + second.requestCount(), 0);

    for (qint64 id : {firstId, secondId, goneId})
        QCOMPARE(admin("DELETE", u"/admin/nodes/%1"_s.arg(id)).status, 204);
}

void TestGateway::unhealthyNodeMeans503()
{
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({u"lonely-model"_s});
    QVERIFY(upstream.listen());
    const qint64 id = addNode(u"lonely-node"_s, &upstream);
    QVERIFY(id > 0);
    const QByteArray token = createUser(u"lonely"_s, {u"lonely-model"_s});
    QVERIFY(!token.isEmpty());
    upstream.close();
    const Response check = admin("POST", u"/admin/nodes/%1/health-check"_s.arg(id));
    QCOMPARE(check.status, 200);
    QCOMPARE(check.json().value("health_status"_L1).toString(), u"unhealthy"_s);

    const QByteArray body = toJson({{u"model"_s, u"lonely-model"_s},
                                    {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}});
    const QString message = u"No healthy node serves the model 'lonely-model' right now"_s;
    Response response = send("POST", u"/v1/chat/completions"_s, body, token);
    QCOMPARE(response.status, 503);
    QCOMPARE(response.json(), openAiError(message, u"api_error"_s, u"no_healthy_node"_s));
    response = send("POST", u"/api/chat"_s, body, token);
    QCOMPARE(response.status, 503);
    QCOMPARE(response.json(), ollamaError(message));
    // An unhealthy node's models are not listed.
    QCOMPARE(send("GET", u"/v1/models"_s, {}, token).json().value("data"_L1).toArray().size(), 0);
    QCOMPARE(admin("DELETE", u"/admin/nodes/%1"_s.arg(id)).status, 204);
}

void TestGateway::ollamaStreamsByDefault()
{
    const QJsonArray messages{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}};
    const Response ollama = send("POST", u"/api/chat"_s, toJson({{u"model"_s, u"chat-cloud"_s}, {u"messages"_s, messages}}), m_alice);
    QCOMPARE(ollama.status, 200);
    QCOMPARE(ollama.headers.value("content-type"), "application/x-ndjson");
    QVERIFY(ndjsonLines(ollama.body).size() > 2);
    QCOMPARE(m_openai->lastRequest().body.value("stream"_L1).toBool(), true);

    const Response openai = send("POST", u"/v1/chat/completions"_s, toJson({{u"model"_s, u"chat-local"_s}, {u"messages"_s, messages}}), m_alice);
    QCOMPARE(openai.status, 200);
    QVERIFY(openai.headers.value("content-type").startsWith("application/json"));
    QCOMPARE(openai.json().value("object"_L1).toString(), u"chat.completion"_s);
    QCOMPARE(m_ollama->lastRequest().body.value("stream"_L1).toBool(true), false);
}

void TestGateway::midStreamFailure_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("model");
    QTest::newRow("ollama client, ollama node drops after 3 events -> pieces then an error line")
        << u"/api/chat"_s << u"chat-local"_s;
    QTest::newRow("ollama client, openai node drops after 3 events -> pieces then an error line")
        << u"/api/chat"_s << u"chat-cloud"_s;
    QTest::newRow("openai client, openai node drops after 3 events -> pieces then an error event and [DONE]")
        << u"/v1/chat/completions"_s << u"chat-cloud"_s;
    QTest::newRow("openai client, ollama node drops after 3 events -> pieces then an error event and [DONE]")
        << u"/v1/chat/completions"_s << u"chat-local"_s;
}

void TestGateway::midStreamFailure()
{
    QFETCH(QString, path);
    QFETCH(QString, model);
    FakeUpstream *upstream = model == "chat-local"_L1 ? m_ollama.get() : m_openai.get();
    const QString nodeName = model == "chat-local"_L1 ? u"ollama-1"_s : u"openai-1"_s;
    const QString username = u"dropped%1"_s.arg(++m_userSerial);
    const QByteArray token = createUser(username, {model});
    QVERIFY(!token.isEmpty());
    upstream->setReplyWords(10);
    upstream->setChunkDelay(20);
    upstream->dropAfterChunks(3);
    const QByteArray body = toJson({{u"model"_s, model},
                                    {u"stream"_s, true},
                                    {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}});
    const Response response = send("POST", path, body, token);
    QVERIFY(response.finished);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.error, QNetworkReply::NoError); // the chunked response ended properly
    QTRY_COMPARE(upstream->droppedStreams(), 1);

    QList<QJsonObject> events;
    if (isOllamaPath(path)) {
        for (const QByteArray &line : ndjsonLines(response.body))
            events.append(QJsonDocument::fromJson(line).object());
    } else {
        const QList<QByteArray> data = sseData(response.body);
        QCOMPARE(data.last(), "[DONE]");
        for (const QByteArray &payload : data.first(data.size() - 1))
            events.append(QJsonDocument::fromJson(payload).object());
    }
    QVERIFY2(events.size() >= 2, response.body.constData());
    int content = 0;
    for (const QJsonObject &event : events.first(events.size() - 1)) {
        QVERIFY2(!event.contains("error"_L1), response.body.constData());
        content += textOf(path, event, true).isEmpty() ? 0 : 1;
    }
    QVERIFY2(content >= 1 && content <= 3, response.body.constData());
    const QJsonObject last = events.last();
    QString message;
    if (isOllamaPath(path)) {
        QCOMPARE(last.size(), 1);
        message = last.value("error"_L1).toString();
    } else {
        const QJsonObject error = last.value("error"_L1).toObject();
        QCOMPARE(error.value("type"_L1).toString(), u"api_error"_s);
        QCOMPARE(error.value("code"_L1).toString(), u"upstream_error"_s);
        message = error.value("message"_L1).toString();
    }
    QVERIFY2(message.startsWith(u"The upstream stream from %1 broke off"_s.arg(nodeName)), qPrintable(message));

    QTRY_COMPARE_WITH_TIMEOUT(logsFor(username).size(), 1, 5000);
    QCOMPARE(logsFor(username).at(0).toObject().value("status_code"_L1).toInt(), 502);
}

void TestGateway::clientDisconnectCancelsUpstream_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("model");
    QTest::newRow("ollama client on an ollama node aborts -> upstream cancelled, logged 499")
        << u"/api/chat"_s << u"chat-local"_s;
    QTest::newRow("openai client on an openai node aborts -> upstream cancelled, logged 499")
        << u"/v1/chat/completions"_s << u"chat-cloud"_s;
}

void TestGateway::clientDisconnectCancelsUpstream()
{
    QFETCH(QString, path);
    QFETCH(QString, model);
    FakeUpstream *upstream = model == "chat-local"_L1 ? m_ollama.get() : m_openai.get();
    const QString username = u"quitter%1"_s.arg(++m_userSerial);
    const QByteArray token = createUser(username, {model});
    QVERIFY(!token.isEmpty());
    upstream->setReplyWords(100);
    upstream->setChunkDelay(100); // ten seconds of stream

    QNetworkRequest request(url(path));
    request.setRawHeader("Authorization", "Bearer " + token);
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    std::unique_ptr<QNetworkReply> reply(m_nam.post(
        request, toJson({{u"model"_s, model},
                         {u"stream"_s, true},
                         {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}})));
    QSignalSpy readyRead(reply.get(), &QNetworkReply::readyRead);
    QVERIFY(readyRead.wait(5000));
    QCOMPARE(upstream->activeStreams(), 1);
    reply->abort();

    QTRY_COMPARE_WITH_TIMEOUT(upstream->cancelledStreams(), 1, 2000);
    QCOMPARE(upstream->completedStreams(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(logsFor(username).size(), 1, 5000);
    const QJsonObject log = logsFor(username).at(0).toObject();
    QCOMPARE(log.value("status_code"_L1).toInt(), 499);
    QCOMPARE(log.value("streamed"_L1).toBool(), true);
}

void TestGateway::twentyConcurrentStreams()
{
    constexpr int Streams = 20;
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({u"busy-model"_s});
    upstream.setReplyWords(30);
    upstream.setChunkDelay(50); // 1.5 s per stream
    QVERIFY(upstream.listen());
    const qint64 nodeId = addNode(u"busy-node"_s, &upstream);
    QVERIFY(nodeId > 0);
    const QByteArray token = createUser(u"crowd"_s, {u"busy-model"_s});
    QVERIFY(!token.isEmpty());
    const QByteArray body = toJson({{u"model"_s, u"busy-model"_s},
                                    {u"stream"_s, true},
                                    {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}});

    // One client per stream, so that the client side's own per-host connection cap plays no part.
    std::vector<std::unique_ptr<QNetworkAccessManager>> clients;
    std::vector<std::unique_ptr<QNetworkReply>> replies;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < Streams; ++i) {
        clients.push_back(std::make_unique<QNetworkAccessManager>());
        clients.back()->setProxy(QNetworkProxy::NoProxy);
        QNetworkRequest request(url(u"/v1/chat/completions"_s));
        request.setRawHeader("Authorization", "Bearer " + token);
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        replies.push_back(std::unique_ptr<QNetworkReply>(clients.back()->post(request, body)));
    }
    QTRY_COMPARE_WITH_TIMEOUT(upstream.maxConcurrentStreams(), Streams, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(replies.cbegin(), replies.cend(),
                                         [](const auto &reply) { return reply->isFinished(); }),
                             15000);
    for (const auto &reply : replies) {
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QVERIFY(reply->readAll().endsWith("data: [DONE]\n\n"));
    }
    QCOMPARE(upstream.completedStreams(), Streams);
    // Run side by side: far less than 20 streams of 1.5 s one after the other.
    QVERIFY2(timer.elapsed() < 8000, qPrintable(u"took %1 ms"_s.arg(timer.elapsed())));
    replies.clear();
    QCOMPARE(admin("DELETE", u"/admin/nodes/%1"_s.arg(nodeId)).status, 204);
}

void TestGateway::nodeApiKeyNeverShown()
{
    const QString secret = u"sk-fake-secret-4242"_s;
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({u"keyed-model"_s});
    upstream.setApiKey(secret);
    QVERIFY(upstream.listen());
    QJsonObject created;
    const qint64 id = addNode(u"keyed-node"_s, &upstream, 0, secret, &created);
    QVERIFY(id > 0);
    QCOMPARE(created.value("api_key_set"_L1).toBool(), true);
    QVERIFY(!created.contains("api_key"_L1));
    QCOMPARE(created.value("health_status"_L1).toString(), u"healthy"_s); // the key was used
    QCOMPARE(created.value("models"_L1).toArray().size(), 1);

    for (const QString &path : {u"/admin/nodes"_s, u"/admin/nodes/%1"_s.arg(id), u"/admin/audit-logs?limit=1000"_s}) {
        const Response response = admin("GET", path);
        QCOMPARE(response.status, 200);
        QVERIFY2(!response.body.contains(secret.toUtf8()), qPrintable(path));
    }
    const Response node = admin("GET", u"/admin/nodes/%1"_s.arg(id));
    QCOMPARE(node.json().value("api_key_set"_L1).toBool(), true);
    const Response patched = admin("PATCH", u"/admin/nodes/%1"_s.arg(id), {{u"api_key"_s, QString(secret + u"-2"_s)}});
    QCOMPARE(patched.status, 200);
    QVERIFY(!patched.body.contains(secret.toUtf8()));
    QVERIFY(!admin("GET", u"/admin/audit-logs?limit=1000"_s).body.contains(secret.toUtf8()));

    // Requests through it carry the key to the node.
    QCOMPARE(admin("PATCH", u"/admin/nodes/%1"_s.arg(id), {{u"api_key"_s, secret}}).status, 200);
    const QByteArray token = createUser(u"keyuser"_s, {u"keyed-model"_s});
    const Response chat = send("POST", u"/v1/chat/completions"_s,
                               toJson({{u"model"_s, u"keyed-model"_s},
                                       {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}}),
                               token);
    QCOMPARE(chat.status, 200);
    QCOMPARE(upstream.lastRequest().header("authorization"), "Bearer " + secret.toUtf8());
    QCOMPARE(admin("DELETE", u"/admin/nodes/%1"_s.arg(id)).status, 204);
}

void TestGateway::userTokens()
{
    const Response created = admin("POST", u"/admin/users"_s, {{u"username"_s, u"rotator"_s}});
    QCOMPARE(created.status, 201);
    const QByteArray token = created.json().value("token"_L1).toString().toUtf8();
    QVERIFY(!token.isEmpty());
    QCOMPARE(created.json().value("username"_L1).toString(), u"rotator"_s);
    QCOMPARE(created.json().value("is_active"_L1).toBool(), true);
    QVERIFY(created.json().contains("created_at"_L1));

    QCOMPARE(admin("POST", u"/admin/users"_s, {{u"username"_s, u"rotator"_s}}).status, 400);

    for (const QString &path : {u"/admin/users"_s, u"/admin/users/rotator"_s, u"/admin/users/rotator/models"_s,
                                u"/admin/audit-logs?limit=1000"_s}) {
        const Response response = admin("GET", path);
        QCOMPARE(response.status, 200);
        QVERIFY2(!response.body.contains(token), qPrintable(path));
        QVERIFY2(!response.body.contains("\"token\""), qPrintable(path));
    }
    QCOMPARE(send("GET", u"/api/tags"_s, {}, token).status, 200);

    const Response rotated = admin("PUT", u"/admin/users/rotator/token"_s);
    QCOMPARE(rotated.status, 200);
    const QByteArray fresh = rotated.json().value("token"_L1).toString().toUtf8();
    QVERIFY(!fresh.isEmpty());
    QVERIFY(fresh != token);
    const Response old = send("GET", u"/api/tags"_s, {}, token);
    QCOMPARE(old.status, 401);
    QCOMPARE(old.json(), ollamaError(u"Invalid or expired token"_s));
    QCOMPARE(send("GET", u"/v1/models"_s, {}, fresh).status, 200);

    QCOMPARE(admin("DELETE", u"/admin/users/rotator"_s).status, 204);
    const Response deleted = send("GET", u"/v1/models"_s, {}, fresh);
    QCOMPARE(deleted.status, 401);
    QCOMPARE(deleted.json(), openAiError(u"Invalid or expired token"_s, u"authentication_error"_s, u"invalid_api_key"_s));
    QCOMPARE(admin("GET", u"/admin/users/unknown-user"_s).status, 404);
}

void TestGateway::auditTrail()
{
    struct Step
    {
        QByteArray method;
        QString path;
        QJsonObject body;
        QString action;
    };
    FakeUpstream upstream(NodeType::Ollama);
    QVERIFY(upstream.listen());
    qint64 before = auditTotal();
    QVERIFY(before >= 0);
    QJsonObject node;
    const qint64 nodeId = addNode(u"audited-node"_s, &upstream, 0, {}, &node);
    QVERIFY(nodeId > 0);
    // Model discovery and health are not admin changes.
    QCOMPARE(auditTotal(), before + 1);
    QCOMPARE(admin("GET", u"/admin/audit-logs?limit=1"_s).json().value("logs"_L1).toArray().at(0).toObject().value("action"_L1).toString(),
             u"node.create"_s);
    const QString id = QString::number(nodeId);
    const QList<Step> steps{
        {"POST", u"/admin/users"_s, {{u"username"_s, u"audited"_s}}, u"user.create"_s},
        {"POST", u"/admin/users/audited/models"_s, {{u"models"_s, QJsonArray{u"chat-local"_s}}}, u"user.models_set"_s},
        {"POST", u"/admin/users/audited/models/all"_s, {}, u"user.models_all"_s},
        {"POST", u"/admin/users/audited/limits"_s, {{u"request_limit"_s, 5}}, u"user.limits_set"_s},
        {"PUT", u"/admin/users/audited/token"_s, {}, u"user.token_rotate"_s},
        {"DELETE", u"/admin/users/audited"_s, {}, u"user.delete"_s},
        {"PATCH", u"/admin/nodes/"_s + id, {{u"priority"_s, 3}}, u"node.update"_s},
        {"PATCH", u"/admin/nodes/"_s + id + u"/toggle"_s, {}, u"node.toggle"_s},
        {"POST", u"/admin/model-mappings"_s, {{u"display_name"_s, u"audited-map"_s}, {u"real_name"_s, u"llama3.2:latest"_s}}, u"model_mapping.create"_s},
        {"PUT", u"/admin/model-mappings/audited-map"_s, {{u"display_name"_s, u"audited-map"_s}, {u"real_name"_s, u"llama3.2:latest"_s}, {u"context_length"_s, u"128K"_s}}, u"model_mapping.update"_s},
        {"DELETE", u"/admin/model-mappings/audited-map"_s, {}, u"model_mapping.delete"_s},
        {"DELETE", u"/admin/nodes/"_s + id, {}, u"node.delete"_s},
    };
    for (const Step &step : steps) {
        before = auditTotal();
        const Response response = admin(step.method, step.path, step.body);
        QVERIFY2(response.status >= 200 && response.status < 300,
                 qPrintable(step.action + u": "_s + QString::fromUtf8(response.body)));
        QCOMPARE(auditTotal(), before + 1);
        const QJsonObject latest = admin("GET", u"/admin/audit-logs?limit=1"_s).json().value("logs"_L1).toArray().at(0).toObject();
        QCOMPARE(latest.value("action"_L1).toString(), step.action);
        QVERIFY(!latest.value("created_at"_L1).toString().isEmpty());
    }
    // Reads write nothing; neither do refused changes.
    before = auditTotal();
    admin("GET", u"/admin/users"_s);
    admin("GET", u"/admin/nodes"_s);
    QCOMPARE(admin("POST", u"/admin/users"_s, {{u"username"_s, u"alice"_s}}).status, 400);
    QCOMPARE(auditTotal(), before);
    const Response filtered = admin("GET", u"/admin/audit-logs?entity_type=model_mapping&limit=100"_s);
    QCOMPARE(filtered.status, 200);
    for (const QJsonValue &entry : filtered.json().value("logs"_L1).toArray())
        QCOMPARE(entry.toObject().value("entity_type"_L1).toString(), u"model_mapping"_s);
}

void TestGateway::responsesEndpoint_data()
{
    QTest::addColumn<bool>("ollamaNode");
    QTest::addColumn<bool>("stream");

    for (const bool ollamaNode : {true, false}) {
        for (const bool stream : {false, true}) {
            const QByteArray name = QByteArray("responses client on ") + (ollamaNode ? "an ollama node" : "an openai node")
                + (stream ? ", streamed as response events" : ", answered with a response object");
            QTest::newRow(name.constData()) << ollamaNode << stream;
        }
    }
}

void TestGateway::responsesEndpoint()
{
    QFETCH(bool, ollamaNode);
    QFETCH(bool, stream);

    const QString model = ollamaNode ? u"chat-local"_s : u"chat-cloud"_s;
    QJsonObject body{{u"model"_s, model}, {u"instructions"_s, u"Be brief."_s}, {u"input"_s, u"Say hello"_s}, {u"store"_s, false}};
    if (stream)
        body.insert(u"stream"_s, true);
    const Response response = send("POST", u"/v1/responses"_s, toJson(body), m_alice);
    QVERIFY2(response.status == 200, response.body.constData());

    FakeUpstream *upstream = ollamaNode ? m_ollama.get() : m_openai.get();
    QCOMPARE(upstream->requestCount(), 1);
    const auto recorded = upstream->lastRequest();
    QCOMPARE(recorded.path, ollamaNode ? QByteArray("/api/chat") : QByteArray("/v1/chat/completions"));
    const QJsonArray messages = recorded.body.value("messages"_L1).toArray();
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages.at(0).toObject().value("role"_L1).toString(), u"system"_s);
    QCOMPARE(messages.at(1).toObject().value("content"_L1).toString(), u"Say hello"_s);

    if (!stream) {
        const QJsonObject answer = response.json();
        QCOMPARE(answer.value("object"_L1).toString(), u"response"_s);
        QCOMPARE(answer.value("status"_L1).toString(), u"completed"_s);
        QCOMPARE(answer.value("model"_L1).toString(), model);
        const QJsonObject message = answer.value("output"_L1).toArray().last().toObject();
        QCOMPARE(message.value("content"_L1).toArray().at(0).toObject().value("text"_L1).toString(), ReplyText);
        return;
    }

    QVERIFY(response.headers.value("content-type").startsWith("text/event-stream"));
    QString text;
    QString lastType;
    for (const QByteArray &data : sseData(response.body)) {
        const QJsonObject event = QJsonDocument::fromJson(data).object();
        QVERIFY2(!event.isEmpty(), data.constData());
        lastType = event.value("type"_L1).toString();
        if (lastType == "response.output_text.delta"_L1)
            text += event.value("delta"_L1).toString();
    }
    QCOMPARE(text, ReplyText);
    QCOMPARE(lastType, u"response.completed"_s);
}

void TestGateway::responsesBadInput_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");

    QTest::newRow("a responses request without input -> 400")
        << QByteArray(R"({"model":"chat-local"})") << u"\"input\" must be a string or an array of input items"_s;
    QTest::newRow("a responses request continuing a stored response -> 400")
        << QByteArray(R"({"model":"chat-local","input":"hi","previous_response_id":"resp_abc"})")
        << u"\"previous_response_id\" is not supported: this gateway stores no responses. "
           "Send the whole conversation in \"input\" (with \"store\": false)."_s;
}

void TestGateway::responsesBadInput()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    const Response response = send("POST", u"/v1/responses"_s, body, m_alice);
    QCOMPARE(response.status, 400);
    QCOMPARE(response.json(), openAiError(message, u"invalid_request_error"_s, u"invalid_request"_s));
    QCOMPARE(m_ollama->requestCount() + m_openai->requestCount(), 0);
}

void TestGateway::responsesMidStreamFailure_data()
{
    QTest::addColumn<bool>("ollamaNode");
    QTest::newRow("responses stream from an ollama node that drops -> text so far, then response.failed")
        << true;
    QTest::newRow("responses stream from an openai node that drops -> text so far, then response.failed")
        << false;
}

void TestGateway::responsesMidStreamFailure()
{
    QFETCH(bool, ollamaNode);
    FakeUpstream *upstream = ollamaNode ? m_ollama.get() : m_openai.get();
    const QString nodeName = ollamaNode ? u"ollama-1"_s : u"openai-1"_s;
    upstream->setReplyWords(10);
    upstream->setChunkDelay(20);
    upstream->dropAfterChunks(3);
    const QJsonObject body{{u"model"_s, ollamaNode ? u"chat-local"_s : u"chat-cloud"_s},
                           {u"input"_s, u"Say hello"_s},
                           {u"stream"_s, true}};
    const Response response = send("POST", u"/v1/responses"_s, toJson(body), m_alice);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.error, QNetworkReply::NoError);

    // Codex and the OpenAI SDK only recognise a failure as the response.failed event; an
    // OpenAI chat-style error chunk would read as an unknown event and a truncated answer.
    QList<QJsonObject> events;
    for (const QByteArray &data : sseData(response.body))
        events.append(QJsonDocument::fromJson(data).object());
    QVERIFY2(events.size() >= 3, response.body.constData());
    QCOMPARE(events.first().value("type"_L1).toString(), u"response.created"_s);
    bool sawText = false;
    for (const QJsonObject &event : events.first(events.size() - 1)) {
        QVERIFY2(!event.value("type"_L1).toString().isEmpty(), response.body.constData());
        sawText |= event.value("type"_L1).toString() == "response.output_text.delta"_L1;
    }
    QVERIFY2(sawText, response.body.constData());
    const QJsonObject last = events.last();
    QCOMPARE(last.value("type"_L1).toString(), u"response.failed"_s);
    const QJsonObject failed = last.value("response"_L1).toObject();
    QCOMPARE(failed.value("status"_L1).toString(), u"failed"_s);
    const QString message = failed.value("error"_L1).toObject().value("message"_L1).toString();
    QVERIFY2(message.startsWith(u"The upstream stream from %1 broke off"_s.arg(nodeName)), qPrintable(message));
}

void TestGateway::contextRefusalInClientDialect_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("openai client -> 400 context_length_exceeded") << u"/v1/chat/completions"_s;
    QTest::newRow("responses client -> 400 context_length_exceeded") << u"/v1/responses"_s;
    QTest::newRow("anthropic client -> 400 \"prompt is too long\"") << u"/v1/messages"_s;
    QTest::newRow("ollama client -> 400 with the node's words") << u"/api/chat"_s;
}

void TestGateway::contextRefusalInClientDialect()
{
    QFETCH(QString, path);
    // What vLLM answers when the input does not fit.
    const QString nodeMessage = u"This model's maximum context length is 8192 tokens. However, you requested 9000 tokens."_s;
    m_openai->failNextWith(400, toJson({{u"object"_s, u"error"_s},
                                        {u"message"_s, nodeMessage},
                                        {u"type"_s, u"BadRequestError"_s},
                                        {u"code"_s, 400}}));
    const QJsonArray messages{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"a very long prompt"_s}}};
    QJsonObject body{{u"model"_s, u"chat-cloud"_s}, {u"stream"_s, false}};
    if (path == "/v1/responses"_L1)
        body.insert(u"input"_s, u"a very long prompt"_s);
    else
        body.insert(u"messages"_s, messages);
    if (path == "/v1/messages"_L1)
        body.insert(u"max_tokens"_s, 100);
    const Response response = send("POST", path, toJson(body), m_alice);
    QCOMPARE(response.status, 400);
    const QJsonObject answer = response.json();
    if (path == "/api/chat"_L1) {
        QVERIFY2(answer.value("error"_L1).toString().contains(nodeMessage), response.body.constData());
    } else if (path == "/v1/messages"_L1) {
        const QJsonObject error = answer.value("error"_L1).toObject();
        QCOMPARE(error.value("type"_L1).toString(), u"invalid_request_error"_s);
        QVERIFY2(error.value("message"_L1).toString().startsWith(u"prompt is too long: "_s), response.body.constData());
        QVERIFY2(error.value("message"_L1).toString().contains(nodeMessage), response.body.constData());
    } else {
        const QJsonObject error = answer.value("error"_L1).toObject();
        QCOMPARE(error.value("type"_L1).toString(), u"invalid_request_error"_s);
        QCOMPARE(error.value("code"_L1).toString(), u"context_length_exceeded"_s);
        QVERIFY2(error.value("message"_L1).toString().contains(nodeMessage), response.body.constData());
    }
}

QTEST_MAIN(TestGateway)
#include "tst_gateway.moc"

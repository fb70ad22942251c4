// A node's own request headers (plain and secret), its health-check URL and its auto-sync switch,
// end to end over real sockets on SQLite and PostgreSQL: the headers reach the node on chats
// (streamed and not), model discovery, health checks and lookups; a secret value reaches the node
// and nothing else (admin answers, backups, the request and audit logs, the gateway's log output,
// error bodies, SQL); bad names and values are refused and change nothing.

#include "fakeupstream.h"
#include "gatewaystack.h"
#include "httpclient.h"
#include "manualclock.h"
#include "testdatabase.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>

#include <memory>
#include <utility>

using namespace Qt::StringLiterals;
using namespace Maestro;
using namespace Maestro::Test;

namespace {

const QByteArray Secret = QByteArrayLiteral("s3cr3t-upstream-token-4711");

// Every message the process logs while the suite runs (the gateway's threads included).
QMutex s_logMutex;
QByteArray s_log;
QtMessageHandler s_previousHandler = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&s_logMutex);
        s_log += message.toUtf8() + '\n';
    }
    if (s_previousHandler)
        s_previousHandler(type, context, message);
}

QByteArray capturedLog()
{
    QMutexLocker lock(&s_logMutex);
    return s_log;
}

int countOf(const FakeUpstream &upstream, const QByteArray &path)
{
    int count = 0;
    for (const RecordedRequest &request : upstream.requests())
        count += request.path == path ? 1 : 0;
    return count;
}

QByteArray chat(const QString &model, bool stream)
{
    return QJsonDocument(QJsonObject{{u"model"_s, model},
                                     {u"stream"_s, stream},
                                     {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}})
        .toJson(QJsonDocument::Compact);
}

QStringList names(const QJsonArray &array)
{
    QStringList out;
    for (const QJsonValue &value : array)
        out.append(value.toString());
    return out;
}

} // namespace

class TestNodeHeaders : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void headersReachTheNodeOnEveryRequest_data();
    void headersReachTheNodeOnEveryRequest();
    void secretValueGoesNowhereElse();
    void patchReplacesPlainAndEditsSecretHeaders();
    void badHeadersAreRefusedAndChangeNothing_data();
    void badHeadersAreRefusedAndChangeNothing();
    void healthCheckUrlDecidesHealth();
    void autoSyncOffKeepsTheModelListUntilAManualSync();
    void backupCarriesTheFieldsButNoSecret();

private:
    void startGateway(int healthIntervalMs = 0);
    Response admin(const QByteArray &method, const QString &path, const QJsonObject &body = {});
    qint64 addNode(FakeUpstream *upstream, const QJsonObject &extra);
    QByteArray userToken();
    FakeUpstream *addUpstream(NodeType type, const QStringList &models);

    ManualClock m_clock;
    GatewayStack m_stack;
    QList<std::shared_ptr<FakeUpstream>> m_upstreams;
    QByteArray m_token;
    QStringList m_leakedIn; // admin requests whose answer carried the secret value
};

void TestNodeHeaders::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void TestNodeHeaders::initTestCase()
{
    s_previousHandler = qInstallMessageHandler(captureMessage);
}

void TestNodeHeaders::cleanupTestCase()
{
    qInstallMessageHandler(s_previousHandler);
    QVERIFY2(!capturedLog().contains(Secret), "the secret header value reached the log output");
}

void TestNodeHeaders::init()
{
    QFETCH_GLOBAL(QString, backend);
    if (const QString reason = TestDatabase::unavailableReason(backend); !reason.isEmpty())
        QSKIP(qPrintable(reason));
    m_clock.set(QDateTime::currentDateTimeUtc());
    StackOptions options;
    options.backend = backend;
    options.clock = &m_clock;
    QString error;
    QVERIFY2(m_stack.open(options, &error), qPrintable(error));
}

void TestNodeHeaders::cleanup()
{
    m_stack.stop();
    m_upstreams.clear();
    m_token.clear();
    const QStringList leaked = std::exchange(m_leakedIn, {});
    QVERIFY2(leaked.isEmpty(), qPrintable(u"the secret header value was in the answer to "_s + leaked.join(u", "_s)));
    QVERIFY2(!capturedLog().contains(Secret), "the secret header value reached the log output");
}

void TestNodeHeaders::startGateway(int healthIntervalMs)
{
    GatewayConfig config = GatewayStack::testConfig();
    config.healthIntervalMs = healthIntervalMs;
    QString error;
    QVERIFY2(m_stack.startGateway(config, &error), qPrintable(error));
}

Response TestNodeHeaders::admin(const QByteArray &method, const QString &path, const QJsonObject &body)
{
    const Response response = m_stack.admin(method, path, body);
    // Whatever was asked, no answer carries the secret value (checked in cleanup()).
    if (response.body.contains(Secret))
        m_leakedIn.append(QString::fromLatin1(method) + u' ' + path);
    return response;
}

FakeUpstream *TestNodeHeaders::addUpstream(NodeType type, const QStringList &models)
{
    auto upstream = std::make_shared<FakeUpstream>(type);
    upstream->setModels(models);
    if (!upstream->listen())
        return nullptr;
    m_upstreams.append(upstream);
    return upstream.get();
}

qint64 TestNodeHeaders::addNode(FakeUpstream *upstream, const QJsonObject &extra)
{
    QJsonObject body{{u"name"_s, u"node-%1"_s.arg(upstream->port())},
                     {u"base_url"_s, upstream->baseUrl().toString()},
                     {u"node_type"_s, upstream->nodeType() == NodeType::Ollama ? u"ollama"_s : u"openai"_s}};
    for (auto it = extra.constBegin(); it != extra.constEnd(); ++it)
        body.insert(it.key(), it.value());
    const Response response = admin("POST", u"/admin/nodes"_s, body);
    if (response.status != 201) {
        qWarning() << "node creation failed:" << response.status << response.body;
        return 0;
    }
    return qint64(response.json().value("id"_L1).toDouble());
}

QByteArray TestNodeHeaders::userToken()
{
    if (m_token.isEmpty()) {
        const Response created = admin("POST", u"/admin/users"_s, {{u"username"_s, u"carol"_s}});
        admin("POST", u"/admin/users/carol/models/all"_s);
        m_token = created.json().value("token"_L1).toString().toUtf8();
    }
    return m_token;
}

void TestNodeHeaders::headersReachTheNodeOnEveryRequest_data()
{
    QTest::addColumn<bool>("ollama");
    QTest::newRow("ollama") << true;
    QTest::newRow("openai") << false;
}

void TestNodeHeaders::headersReachTheNodeOnEveryRequest()
{
    QFETCH(bool, ollama);
    const NodeType type = ollama ? NodeType::Ollama : NodeType::OpenAi;
    startGateway();
    FakeUpstream *upstream = addUpstream(type, {u"llama3:8b"_s});
    QVERIFY(upstream);
    const qint64 id = addNode(upstream, {{u"headers"_s, QJsonObject{{u"X-Org"_s, u"acme"_s}}},
                                         {u"secret_headers"_s, QJsonObject{{u"X-Upstream-Token"_s, QString::fromLatin1(Secret)}}}});
    QVERIFY(id > 0);
    const QByteArray listPath = type == NodeType::Ollama ? "/api/tags" : "/v1/models";
    // Discovery when the node was added.
    QCOMPARE(countOf(*upstream, listPath), 1);
    for (const RecordedRequest &request : upstream->requests()) {
        QCOMPARE(request.header("x-org"), QByteArray("acme"));
        QCOMPARE(request.header("x-upstream-token"), Secret);
    }

    // Chats, streamed and not, in the node's own dialect and another.
    const QByteArray token = userToken();
    for (const bool stream : {false, true}) {
        for (const QString &path : {u"/api/chat"_s, u"/v1/chat/completions"_s}) {
            upstream->clearRequests();
            const Response response = m_stack.send("POST", path, chat(u"llama3:8b"_s, stream), token);
            QVERIFY2(response.status == 200, response.body.constData());
            QCOMPARE(upstream->requests().size(), 1);
            const RecordedRequest request = upstream->lastRequest();
            QCOMPARE(request.method, QByteArray("POST"));
            QCOMPARE(request.header("x-org"), QByteArray("acme"));
            QCOMPARE(request.header("x-upstream-token"), Secret);
        }
    }

    // A health check an admin asks for.
    upstream->clearRequests();
    const Response checked = admin("POST", u"/admin/nodes/%1/health-check"_s.arg(id));
    QCOMPARE(checked.status, 200);
    QCOMPARE(checked.json().value("health_status"_L1).toString(), u"healthy"_s);
    QCOMPARE(countOf(*upstream, listPath), 1);
    QCOMPARE(upstream->lastRequest().header("x-upstream-token"), Secret);
    QCOMPARE(upstream->lastRequest().header("x-org"), QByteArray("acme"));

    if (type == NodeType::Ollama) {
        // Ollama's own lookups and pulls go to the node with them too.
        upstream->clearRequests();
        const Response shown = m_stack.send("POST", u"/api/show"_s, R"({"model":"llama3:8b"})", token);
        QCOMPARE(shown.status, 200);
        QCOMPARE(countOf(*upstream, "/api/show"), 1);
        QCOMPARE(upstream->lastRequest().header("x-upstream-token"), Secret);
        upstream->clearRequests();
        const Response pulled = m_stack.send("POST", u"/api/pull"_s, R"({"model":"qwen:7b","stream":false})",
                                             m_stack.adminToken());
        QVERIFY2(pulled.status == 200, pulled.body.constData());
        QVERIFY(countOf(*upstream, "/api/pull") >= 1);
        for (const RecordedRequest &request : upstream->requests()) {
            QCOMPARE(request.header("x-org"), QByteArray("acme"));
            QCOMPARE(request.header("x-upstream-token"), Secret);
        }
    }
}

void TestNodeHeaders::secretValueGoesNowhereElse()
{
    startGateway();
    FakeUpstream *upstream = addUpstream(NodeType::Ollama, {u"llama3:8b"_s});
    QVERIFY(upstream);
    const qint64 id = addNode(upstream, {{u"headers"_s, QJsonObject{{u"X-Org"_s, u"acme"_s}}},
                                         {u"secret_headers"_s, QJsonObject{{u"X-Upstream-Token"_s, QString::fromLatin1(Secret)}}}});
    QVERIFY(id > 0);

    // The answers name the secret header, never its value.
    const Response node = admin("GET", u"/admin/nodes/%1"_s.arg(id));
    QCOMPARE(node.status, 200);
    QCOMPARE(node.json().value("headers"_L1).toObject(), (QJsonObject{{u"X-Org"_s, u"acme"_s}}));
    QCOMPARE(names(node.json().value("secret_headers"_L1).toArray()), QStringList{u"X-Upstream-Token"_s});
    const Response list = admin("GET", u"/admin/nodes"_s);
    QCOMPARE(list.status, 200);
    QVERIFY(!list.body.contains(Secret));
    QCOMPARE(names(list.array().first().toObject().value("secret_headers"_L1).toArray()), QStringList{u"X-Upstream-Token"_s});
    const Response exported = admin("GET", u"/admin/export"_s);
    QCOMPARE(exported.status, 200);
    QVERIFY(exported.body.contains("X-Upstream-Token"));
    QVERIFY(!exported.body.contains(Secret));

    // Requests that succeed and fail, then the logs.
    const QByteArray token = userToken();
    QCOMPARE(m_stack.send("POST", u"/api/chat"_s, chat(u"llama3:8b"_s, false), token).status, 200);
    upstream->failNext(500, 1);
    const Response failed = m_stack.send("POST", u"/api/chat"_s, chat(u"llama3:8b"_s, false), token);
    QVERIFY(failed.status >= 500);
    QVERIFY(!failed.body.contains(Secret));
    // A refused change whose value carries the secret: the error names the header only.
    const Response refused = admin("PATCH", u"/admin/nodes/%1"_s.arg(id),
                                   {{u"secret_headers"_s, QJsonObject{{u"X-Other"_s, QString(QString::fromLatin1(Secret) + u"\r\nX-Evil: 1"_s)}}}});
    QCOMPARE(refused.status, 400);
    QVERIFY(refused.body.contains("X-Other"));
    QVERIFY(!refused.body.contains(Secret));

    const Response requestLog = admin("GET", u"/admin/request-logs"_s);
    QCOMPARE(requestLog.status, 200);
    QVERIFY(!requestLog.body.contains(Secret));
    const Response audit = admin("GET", u"/admin/audit-logs"_s);
    QCOMPARE(audit.status, 200);
    QVERIFY2(audit.body.contains("node.create") && audit.body.contains("X-Upstream-Token"), audit.body.constData());
    QVERIFY(!audit.body.contains(Secret));

    // Not in SQL: the node's row names the header; the value is in the secret store only.
    QSqlQuery query(m_stack.database()->connection());
    QVERIFY(query.exec(u"SELECT * FROM nodes"_s));
    int rows = 0;
    while (query.next()) {
        ++rows;
        for (int i = 0; i < query.record().count(); ++i)
            QVERIFY(!query.value(i).toString().toUtf8().contains(Secret));
    }
    QCOMPARE(rows, 1);
    QVERIFY(m_stack.secrets()->read(u"node/%1/headers"_s.arg(id)).value_or(QString()).toUtf8().contains(Secret));

    // Deleting the node takes the secret with it.
    QCOMPARE(admin("DELETE", u"/admin/nodes/%1"_s.arg(id)).status, 204);
    QVERIFY(!m_stack.secrets()->read(u"node/%1/headers"_s.arg(id)));
}

void TestNodeHeaders::patchReplacesPlainAndEditsSecretHeaders()
{
    startGateway();
    FakeUpstream *upstream = addUpstream(NodeType::OpenAi, {u"gpt-x"_s});
    QVERIFY(upstream);
    const qint64 id = addNode(upstream, {{u"headers"_s, QJsonObject{{u"X-Org"_s, u"acme"_s}, {u"X-Team"_s, u"red"_s}}},
                                         {u"secret_headers"_s, QJsonObject{{u"X-Token-A"_s, u"a-value"_s},
                                                                          {u"X-Token-B"_s, u"b-value"_s}}}});
    QVERIFY(id > 0);
    const QString path = u"/admin/nodes/%1"_s.arg(id);
    const auto sent = [&] {
        upstream->clearRequests();
        if (admin("POST", u"/admin/nodes/%1/health-check"_s.arg(id)).status != 200)
            return RecordedRequest();
        return upstream->lastRequest();
    };

    // Other fields change: the headers stay.
    QCOMPARE(admin("PATCH", path, {{u"priority"_s, 3}}).status, 200);
    RecordedRequest request = sent();
    QCOMPARE(request.header("x-org"), QByteArray("acme"));
    QCOMPARE(request.header("x-token-a"), QByteArray("a-value"));
    QCOMPARE(request.header("x-token-b"), QByteArray("b-value"));

    // "headers" replaces the plain set; a secret value retyped replaces that one, null removes
    // one, and a secret header not named keeps its value.
    Response patched = admin("PATCH", path, {{u"headers"_s, QJsonObject{{u"X-Team"_s, u"blue"_s}}},
                                             {u"secret_headers"_s, QJsonObject{{u"X-Token-A"_s, QJsonValue()},
                                                                              {u"X-Token-C"_s, u"c-value"_s}}}});
    QCOMPARE(patched.status, 200);
    QCOMPARE(patched.json().value("headers"_L1).toObject(), (QJsonObject{{u"X-Team"_s, u"blue"_s}}));
    QStringList secretNames = names(patched.json().value("secret_headers"_L1).toArray());
    secretNames.sort();
    QCOMPARE(secretNames, (QStringList{u"X-Token-B"_s, u"X-Token-C"_s}));
    request = sent();
    QVERIFY(!request.headers.contains("x-org"));
    QCOMPARE(request.header("x-team"), QByteArray("blue"));
    QVERIFY(!request.headers.contains("x-token-a"));
    QCOMPARE(request.header("x-token-b"), QByteArray("b-value"));
    QCOMPARE(request.header("x-token-c"), QByteArray("c-value"));

    // Through a restart: what the database and the secret store hold.
    m_stack.stopGateway();
    startGateway();
    QCOMPARE(m_stack.send("POST", u"/v1/chat/completions"_s, chat(u"gpt-x"_s, false), userToken()).status, 200);
    request = upstream->lastRequest();
    QCOMPARE(request.header("x-team"), QByteArray("blue"));
    QCOMPARE(request.header("x-token-b"), QByteArray("b-value"));
    QCOMPARE(request.header("x-token-c"), QByteArray("c-value"));

    // Empty objects clear both sets.
    patched = admin("PATCH", path, {{u"headers"_s, QJsonObject{}},
                                    {u"secret_headers"_s, QJsonObject{{u"X-Token-B"_s, QJsonValue()}, {u"X-Token-C"_s, QJsonValue()}}}});
    QCOMPARE(patched.status, 200);
    QVERIFY(patched.json().value("headers"_L1).toObject().isEmpty());
    QVERIFY(patched.json().value("secret_headers"_L1).toArray().isEmpty());
    request = sent();
    QVERIFY(!request.headers.contains("x-team") && !request.headers.contains("x-token-b"));
    QVERIFY(!m_stack.secrets()->read(u"node/%1/headers"_s.arg(id)));
}

void TestNodeHeaders::badHeadersAreRefusedAndChangeNothing_data()
{
    QTest::addColumn<QString>("nodeType");
    QTest::addColumn<QJsonObject>("change");
    QTest::addColumn<QString>("message");
    const auto plain = [](const QString &name, const QString &value) {
        return QJsonObject{{u"headers"_s, QJsonObject{{name, value}}}};
    };
    const auto secret = [](const QString &name, const QString &value) {
        return QJsonObject{{u"secret_headers"_s, QJsonObject{{name, value}}}};
    };
    QTest::newRow("not a token") << u"ollama"_s << plain(u"X Org"_s, u"a"_s) << u"is not an HTTP token"_s;
    QTest::newRow("colon in name") << u"ollama"_s << plain(u"X-Org:"_s, u"a"_s) << u"is not an HTTP token"_s;
    QTest::newRow("Host") << u"ollama"_s << plain(u"Host"_s, u"evil.example"_s) << u"header Host cannot be set"_s;
    QTest::newRow("content-length") << u"ollama"_s << plain(u"content-length"_s, u"5"_s) << u"cannot be set"_s;
    QTest::newRow("Transfer-Encoding") << u"openai"_s << secret(u"Transfer-Encoding"_s, u"chunked"_s) << u"cannot be set"_s;
    QTest::newRow("Connection") << u"ollama"_s << plain(u"Connection"_s, u"close"_s) << u"cannot be set"_s;
    QTest::newRow("Upgrade") << u"ollama"_s << plain(u"Upgrade"_s, u"h2c"_s) << u"cannot be set"_s;
    QTest::newRow("TE") << u"ollama"_s << plain(u"TE"_s, u"trailers"_s) << u"cannot be set"_s;
    QTest::newRow("Proxy-Authorization") << u"ollama"_s << plain(u"Proxy-Authorization"_s, u"x"_s) << u"cannot be set"_s;
    QTest::newRow("Content-Type") << u"openai"_s << plain(u"Content-Type"_s, u"text/plain"_s) << u"the node type sets it"_s;
    QTest::newRow("x-api-key") << u"openai"_s << secret(u"x-api-key"_s, u"k"_s) << u"the node type sets it"_s;
    QTest::newRow("Authorization with api_key") << u"openai"_s << plain(u"Authorization"_s, u"Bearer x"_s)
                                                << u"with an api_key"_s;
    QTest::newRow("X-Amz on bedrock") << u"bedrock"_s << plain(u"X-Amz-Date"_s, u"20260101T000000Z"_s)
                                      << u"to be signed"_s;
    QTest::newRow("Authorization on bedrock") << u"bedrock"_s << secret(u"Authorization"_s, u"Bearer x"_s)
                                              << u"bedrock node"_s;
    QTest::newRow("CRLF value") << u"ollama"_s << plain(u"X-Org"_s, u"acme\r\nX-Evil: 1"_s) << u"CR, LF, NUL"_s;
    QTest::newRow("LF secret value") << u"ollama"_s << secret(u"X-Tok"_s, u"abc\ndef"_s) << u"CR, LF, NUL"_s;
    QTest::newRow("NUL value") << u"ollama"_s << plain(u"X-Org"_s, QString(u"a\0b"_s)) << u"CR, LF, NUL"_s;
    QTest::newRow("value too long") << u"ollama"_s << plain(u"X-Org"_s, QString(8193, u'a')) << u"longer than 8192 bytes"_s;
    QJsonObject many;
    for (int i = 0; i < 33; ++i)
        many.insert(u"X-H%1"_s.arg(i), u"v"_s);
    QTest::newRow("33 headers") << u"ollama"_s << QJsonObject{{u"headers"_s, many}} << u"at most 32 headers"_s;
    QTest::newRow("plain and secret") << u"ollama"_s
                                      << QJsonObject{{u"headers"_s, QJsonObject{{u"X-Org"_s, u"a"_s}}},
                                                     {u"secret_headers"_s, QJsonObject{{u"x-org"_s, u"b"_s}}}}
                                      << u"given twice"_s;
    QTest::newRow("empty secret") << u"ollama"_s << secret(u"X-Tok"_s, QString()) << u"null removes it"_s;
    QTest::newRow("headers not an object") << u"ollama"_s << QJsonObject{{u"headers"_s, QJsonArray{u"X-Org"_s}}}
                                           << u"\"headers\" must be an object"_s;
    QTest::newRow("health url not http") << u"ollama"_s << QJsonObject{{u"health_check_url"_s, u"ftp://host/x"_s}}
                                         << u"health_check_url must be an http"_s;
    QTest::newRow("health url no host") << u"ollama"_s << QJsonObject{{u"health_check_url"_s, u"http://"_s}}
                                        << u"health_check_url must be an http"_s;
    QTest::newRow("auto sync not a boolean") << u"ollama"_s << QJsonObject{{u"auto_sync_enabled"_s, u"yes"_s}}
                                             << u"auto_sync_enabled"_s;
}

void TestNodeHeaders::badHeadersAreRefusedAndChangeNothing()
{
    QFETCH(QString, nodeType);
    QFETCH(QJsonObject, change);
    QFETCH(QString, message);
    startGateway();
    FakeUpstream *upstream = addUpstream(nodeType == "ollama"_L1 ? NodeType::Ollama : NodeType::OpenAi, {u"m1"_s});
    QVERIFY(upstream);
    QJsonObject base{{u"name"_s, u"edge"_s}, {u"node_type"_s, nodeType}};
    if (nodeType == "bedrock"_L1) {
        base.insert(u"region"_s, u"us-east-1"_s);
        base.insert(u"model_ids"_s, QJsonArray{u"anthropic.claude-3-haiku"_s});
        base.insert(u"api_key"_s, u"bedrock-key"_s);
    } else {
        base.insert(u"base_url"_s, upstream->baseUrl().toString());
        if (nodeType == "openai"_L1)
            base.insert(u"api_key"_s, u"sk-test"_s);
    }

    // Refused when the node is created: nothing is created.
    QJsonObject create = base;
    for (auto it = change.constBegin(); it != change.constEnd(); ++it)
        create.insert(it.key(), it.value());
    Response response = admin("POST", u"/admin/nodes"_s, create);
    QCOMPARE(response.status, 400);
    QVERIFY2(response.json().value("detail"_L1).toString().contains(message), response.body.constData());
    QVERIFY(admin("GET", u"/admin/nodes"_s).array().isEmpty());

    // Refused on a node that exists: it stays as it was.
    base.insert(u"headers"_s, QJsonObject{{u"X-Keep"_s, u"kept"_s}});
    base.insert(u"health_check_url"_s, u"http://127.0.0.1:1/health"_s);
    response = admin("POST", u"/admin/nodes"_s, base);
    QVERIFY2(response.status == 201, response.body.constData());
    const qint64 id = qint64(response.json().value("id"_L1).toDouble());
    const QJsonObject before = admin("GET", u"/admin/nodes/%1"_s.arg(id)).json();
    response = admin("PATCH", u"/admin/nodes/%1"_s.arg(id), change);
    QCOMPARE(response.status, 400);
    QVERIFY2(response.json().value("detail"_L1).toString().contains(message), response.body.constData());
    const QJsonObject after = admin("GET", u"/admin/nodes/%1"_s.arg(id)).json();
    for (const char *key : {"headers", "secret_headers", "health_check_url", "auto_sync_enabled", "api_key_set"})
        QCOMPARE(after.value(QLatin1StringView(key)), before.value(QLatin1StringView(key)));
    QVERIFY(!m_stack.secrets()->read(u"node/%1/headers"_s.arg(id)));
}

void TestNodeHeaders::healthCheckUrlDecidesHealth()
{
    startGateway();
    FakeUpstream *upstream = addUpstream(NodeType::Ollama, {u"llama3:8b"_s});
    QVERIFY(upstream);
    upstream->setPathStatus("/healthz?deep=1", 500);
    const QString healthUrl = upstream->baseUrl().toString() + u"/healthz?deep=1"_s;
    const qint64 id = addNode(upstream, {{u"health_check_url"_s, healthUrl},
                                         {u"api_key"_s, u"node-key"_s},
                                         {u"headers"_s, QJsonObject{{u"X-Org"_s, u"acme"_s}}}});
    QVERIFY(id > 0);
    // The model list answers, but the health URL says 500: the node is down, and no list was
    // asked for.
    QJsonObject node = admin("GET", u"/admin/nodes/%1"_s.arg(id)).json();
    QCOMPARE(node.value("health_check_url"_L1).toString(), healthUrl);
    QCOMPARE(node.value("health_status"_L1).toString(), u"unhealthy"_s);
    QVERIFY2(node.value("last_error"_L1).toString().contains("500"_L1), qPrintable(node.value("last_error"_L1).toString()));
    QCOMPARE(countOf(*upstream, "/healthz?deep=1"), 1);
    QCOMPARE(countOf(*upstream, "/api/tags"), 0);
    const RecordedRequest probe = upstream->lastRequest();
    QCOMPARE(probe.method, QByteArray("GET"));
    QCOMPARE(probe.header("x-org"), QByteArray("acme"));
    QCOMPARE(probe.header("authorization"), QByteArray("Bearer node-key"));

    // 2xx: healthy, and the model list is discovered the node type's way.
    upstream->setPathStatus("/healthz?deep=1", 204);
    upstream->clearRequests();
    const Response synced = admin("POST", u"/admin/nodes/%1/sync-models"_s.arg(id));
    QCOMPARE(synced.status, 200);
    QCOMPARE(synced.json().value("health_status"_L1).toString(), u"healthy"_s);
    QCOMPARE(synced.json().value("model_count"_L1).toInt(), 1);
    QCOMPARE(countOf(*upstream, "/healthz?deep=1"), 1);
    QCOMPARE(countOf(*upstream, "/api/tags"), 1);

    // Cleared: the model list is the health check again.
    QCOMPARE(admin("PATCH", u"/admin/nodes/%1"_s.arg(id), {{u"health_check_url"_s, u""_s}}).status, 200);
    upstream->setPathStatus("/healthz?deep=1", 500);
    upstream->clearRequests();
    const Response checked = admin("POST", u"/admin/nodes/%1/health-check"_s.arg(id));
    QCOMPARE(checked.json().value("health_status"_L1).toString(), u"healthy"_s);
    QCOMPARE(countOf(*upstream, "/healthz?deep=1"), 0);
    QCOMPARE(countOf(*upstream, "/api/tags"), 1);
}

void TestNodeHeaders::autoSyncOffKeepsTheModelListUntilAManualSync()
{
    const int intervalMs = 50;
    startGateway(intervalMs);
    FakeUpstream *upstream = addUpstream(NodeType::Ollama, {u"alpha:latest"_s});
    QVERIFY(upstream);
    const qint64 id = addNode(upstream, {{u"auto_sync_enabled"_s, false},
                                         {u"secret_headers"_s, QJsonObject{{u"X-Upstream-Token"_s, QString::fromLatin1(Secret)}}}});
    QVERIFY(id > 0);
    const QString nodePath = u"/admin/nodes/%1"_s.arg(id);
    QCOMPARE(admin("GET", nodePath).json().value("auto_sync_enabled"_L1).toBool(), false);
    // Added: discovered at once, as a check an admin asks for.
    QCOMPARE(admin("GET", nodePath).json().value("model_count"_L1).toInt(), 1);

    upstream->setModels({u"alpha:latest"_s, u"beta:latest"_s});
    upstream->clearRequests();
    // Periodic probes run (the node's list is asked for: it is the health check) ...
    for (int probes = 1; probes <= 3; ++probes) {
        m_clock.advance(intervalMs);
        QTRY_VERIFY_WITH_TIMEOUT(countOf(*upstream, "/api/tags") >= probes, 5000);
    }
    // ... with the node's headers ...
    for (const RecordedRequest &request : upstream->requests())
        QCOMPARE(request.header("x-upstream-token"), Secret);
    // ... and leave the model list alone.
    QCOMPARE(admin("GET", nodePath).json().value("model_count"_L1).toInt(), 1);
    QCOMPARE(admin("GET", nodePath).json().value("health_status"_L1).toString(), u"healthy"_s);

    // Health is still checked: a node whose list fails goes down.
    upstream->setHealthy(false);
    QTRY_VERIFY_WITH_TIMEOUT((m_clock.advance(intervalMs),
                              admin("GET", nodePath).json().value("health_status"_L1).toString() == "unhealthy"_L1), 5000);
    upstream->setHealthy(true);

    // The manual sync replaces the list.
    const Response synced = admin("POST", nodePath + u"/sync-models"_s);
    QCOMPARE(synced.status, 200);
    QCOMPARE(synced.json().value("model_count"_L1).toInt(), 2);

    // Switched on, the periodic probe discovers again.
    QCOMPARE(admin("PATCH", nodePath, {{u"auto_sync_enabled"_s, true}}).json().value("auto_sync_enabled"_L1).toBool(), true);
    upstream->setModels({u"alpha:latest"_s, u"beta:latest"_s, u"gamma:latest"_s});
    QTRY_VERIFY_WITH_TIMEOUT((m_clock.advance(intervalMs),
                              admin("GET", nodePath).json().value("model_count"_L1).toInt() == 3), 5000);
}

void TestNodeHeaders::backupCarriesTheFieldsButNoSecret()
{
    startGateway();
    FakeUpstream *upstream = addUpstream(NodeType::Ollama, {u"llama3:8b"_s});
    QVERIFY(upstream);
    const QString healthUrl = upstream->baseUrl().toString() + u"/up"_s;
    upstream->setPathStatus("/up", 200);
    const qint64 id = addNode(upstream, {{u"headers"_s, QJsonObject{{u"X-Org"_s, u"acme"_s}}},
                                         {u"secret_headers"_s, QJsonObject{{u"X-Upstream-Token"_s, QString::fromLatin1(Secret)}}},
                                         {u"health_check_url"_s, healthUrl},
                                         {u"auto_sync_enabled"_s, false}});
    QVERIFY(id > 0);
    const Response exported = admin("GET", u"/admin/export"_s);
    QCOMPARE(exported.status, 200);
    QVERIFY(!exported.body.contains(Secret));
    const QJsonObject backup = exported.json();
    const QJsonObject entry = backup.value("nodes"_L1).toArray().first().toObject();
    QCOMPARE(entry.value("headers"_L1).toObject(), (QJsonObject{{u"X-Org"_s, u"acme"_s}}));
    QCOMPARE(names(entry.value("secret_headers"_L1).toArray()), QStringList{u"X-Upstream-Token"_s});
    QCOMPARE(entry.value("health_check_url"_L1).toString(), healthUrl);
    QCOMPARE(entry.value("auto_sync_enabled"_L1).toBool(), false);

    // Imported over the node: the node keeps its secret header.
    QJsonObject changed = backup;
    QJsonArray nodes = changed.value("nodes"_L1).toArray();
    QJsonObject changedEntry = nodes.first().toObject();
    changedEntry.insert(u"headers"_s, QJsonObject{{u"X-Org"_s, u"globex"_s}});
    nodes.replace(0, changedEntry);
    changed.insert(u"nodes"_s, nodes);
    QCOMPARE(admin("POST", u"/admin/import"_s, changed).status, 200);
    upstream->clearRequests();
    QCOMPARE(admin("POST", u"/admin/nodes/%1/health-check"_s.arg(id)).json().value("health_status"_L1).toString(),
             u"healthy"_s);
    // The health URL, then the model list (a check an admin asks for discovers too).
    QCOMPARE(countOf(*upstream, "/up"), 1);
    QCOMPARE(countOf(*upstream, "/api/tags"), 1);
    for (const RecordedRequest &request : upstream->requests()) {
        QCOMPARE(request.header("x-org"), QByteArray("globex"));
        QCOMPARE(request.header("x-upstream-token"), Secret);
    }

    // Imported as a new node: the plain fields come, the secret header does not.
    QCOMPARE(admin("DELETE", u"/admin/nodes/%1"_s.arg(id)).status, 204);
    QCOMPARE(admin("POST", u"/admin/import"_s, backup).status, 200);
    const QJsonObject imported = admin("GET", u"/admin/nodes"_s).array().first().toObject();
    QCOMPARE(imported.value("headers"_L1).toObject(), (QJsonObject{{u"X-Org"_s, u"acme"_s}}));
    QVERIFY(imported.value("secret_headers"_L1).toArray().isEmpty());
    QCOMPARE(imported.value("health_check_url"_L1).toString(), healthUrl);
    QCOMPARE(imported.value("auto_sync_enabled"_L1).toBool(), false);
}

QTEST_MAIN(TestNodeHeaders)
#include "tst_nodeheaders.moc"

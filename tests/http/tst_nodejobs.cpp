// Background work on nodes over real sockets: periodic probes and warmup wait while a node
// streams (each node on its own, up to a limit), model warmup per node, and each node's load of
// the day in the admin API, kept across a restart. On SQLite, and PostgreSQL when
// MAESTRO_TEST_PG_URL is set.
//
// The gateway runs on a manual clock: a probe or a scheduled warmup falls due, and a deferred one
// reaches its limit, only when the test moves the clock. The gateway's timers still tick in real
// time (the health check every healthIntervalMs, the warmup schedule every second) and look at the
// clock each time. Streams that must keep a node busy are held by the fake node until released.

#include "fakeupstream.h"
#include "gatewaystack.h"
#include "manualclock.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Maestro;
using Maestro::Test::FakeUpstream;
using Maestro::Test::Response;
using Maestro::Test::TestDatabase;

namespace {

const QByteArray AdminToken = QByteArrayLiteral("test-admin");

// Requests the fake saw on a path, the /__ ones aside.
int countOf(const FakeUpstream &upstream, const QByteArray &path)
{
    int count = 0;
    for (const auto &request : upstream.requests())
        count += request.path == path ? 1 : 0;
    return count;
}

// The model loads (a generate without a prompt) the fake saw, by model.
QStringList loadsOf(const FakeUpstream &upstream)
{
    QStringList models;
    for (const auto &request : upstream.requests()) {
        if (request.path == "/api/generate" && !request.body.contains("prompt"_L1))
            models.append(request.body.value("model"_L1).toString());
    }
    models.sort();
    return models;
}

} // namespace

class TestNodeJobs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanup();

    void periodicProbeWaitsForTheNodesStream();
    void deferredProbeRunsAtTheLimitAndDoesNotTakeABusyNodeDown();
    void discoveryWarmsEnabledOllamaNodesOnly();
    void scheduledWarmupWaitsForStreams();
    void warmupOnDemand();
    void warmupIntervalIsValidated_data();
    void warmupIntervalIsValidated();
    void warmupFlagIsEditedAndBackedUp();
    void nodeLoadCountsTheDaysRequestsAcrossARestart();

private:
    // The test's configuration: port 0, no periodic checks unless set.
    static GatewayConfig testConfig();
    void startGateway(GatewayConfig config);
    void stopGateway();
    Response admin(const QByteArray &method, const QString &path, const QJsonObject &body = {});
    FakeUpstream *addUpstream(NodeType type, const QStringList &models);
    qint64 addNode(const QString &name, FakeUpstream *upstream, bool warmup = false);
    QByteArray userToken();
    // Starts a chat on `model` that streams for about words x delayMs, or until the node releases
    // it when it holds streams; the reply is read later.
    QNetworkReply *startStream(FakeUpstream *upstream, const QString &model, int words, int delayMs);
    QJsonObject node(qint64 id);

    QNetworkAccessManager m_nam;
    Test::ManualClock m_clock;
    Test::GatewayStack m_stack;
    QList<std::shared_ptr<FakeUpstream>> m_upstreams;
    QByteArray m_token;
};

void TestNodeJobs::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void TestNodeJobs::initTestCase()
{
    m_nam.setProxy(QNetworkProxy::NoProxy);
}

void TestNodeJobs::init()
{
    QFETCH_GLOBAL(QString, backend);
    if (const QString reason = TestDatabase::unavailableReason(backend); !reason.isEmpty())
        QSKIP(qPrintable(reason));
    m_clock.set(QDateTime::currentDateTimeUtc()); // the day's load is read against today
    Test::StackOptions options;
    options.backend = backend;
    options.clock = &m_clock;
    QString error;
    QVERIFY2(m_stack.open(options, &error), qPrintable(error));
}

void TestNodeJobs::cleanup()
{
    m_stack.stop();
    m_upstreams.clear();
    m_token.clear();
}

GatewayConfig TestNodeJobs::testConfig()
{
    GatewayConfig config;
    config.port = 0;
    config.adminToken = AdminToken;
    return config;
}

void TestNodeJobs::startGateway(GatewayConfig config)
{
    QString error;
    QVERIFY2(m_stack.startGateway(config, &error), qPrintable(error));
}

void TestNodeJobs::stopGateway()
{
    m_stack.stopGateway();
}

Response TestNodeJobs::admin(const QByteArray &method, const QString &path, const QJsonObject &body)
{
    return m_stack.admin(method, path, body);
}

FakeUpstream *TestNodeJobs::addUpstream(NodeType type, const QStringList &models)
{
    auto upstream = std::make_shared<FakeUpstream>(type);
    upstream->setModels(models);
    if (!upstream->listen())
        return nullptr;
    m_upstreams.append(upstream);
    return upstream.get();
}

qint64 TestNodeJobs::addNode(const QString &name, FakeUpstream *upstream, bool warmup)
{
    const QJsonObject body{{u"name"_s, name},
                           {u"base_url"_s, upstream->baseUrl().toString()},
                           {u"node_type"_s, upstream->nodeType() == NodeType::Ollama ? u"ollama"_s : u"openai"_s},
                           {u"warmup_enabled"_s, warmup}};
    const Response response = admin("POST", u"/admin/nodes"_s, body);
    if (response.status != 201) {
        qWarning() << "node creation failed:" << response.status << response.body;
        return 0;
    }
    if (response.json().value("warmup_enabled"_L1).toBool() != warmup)
        return 0;
    return qint64(response.json().value("id"_L1).toDouble());
}

QByteArray TestNodeJobs::userToken()
{
    if (m_token.isEmpty()) {
        const Response created = admin("POST", u"/admin/users"_s, {{u"username"_s, u"carol"_s}});
        admin("POST", u"/admin/users/carol/models/all"_s);
        m_token = created.json().value("token"_L1).toString().toUtf8();
    }
    return m_token;
}

QNetworkReply *TestNodeJobs::startStream(FakeUpstream *upstream, const QString &model, int words, int delayMs)
{
    upstream->setReplyWords(words);
    upstream->setChunkDelay(delayMs);
    QNetworkRequest request(m_stack.url(u"/api/chat"_s));
    request.setRawHeader("Authorization", "Bearer " + userToken());
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    const QJsonObject body{{u"model"_s, model}, {u"messages"_s, Test::userMessage(u"tell me"_s)}};
    return m_nam.post(request, Test::toJson(body));
}

QJsonObject TestNodeJobs::node(qint64 id)
{
    return admin("GET", u"/admin/nodes/%1"_s.arg(id)).json();
}

void TestNodeJobs::periodicProbeWaitsForTheNodesStream()
{
    GatewayConfig config = testConfig();
    config.healthIntervalMs = 50;
    startGateway(config);
    FakeUpstream *busy = addUpstream(NodeType::Ollama, {u"alpha:latest"_s});
    FakeUpstream *idle = addUpstream(NodeType::Ollama, {u"beta:latest"_s});
    QVERIFY(busy && idle);
    QVERIFY(addNode(u"busy"_s, busy) > 0);
    QVERIFY(addNode(u"idle"_s, idle) > 0);
    userToken();
    // The discovery when it was added, then a first periodic probe: after that, a node's next
    // probe falls due only when the clock moves.
    QTRY_VERIFY_WITH_TIMEOUT(countOf(*busy, "/api/tags") >= 2 && countOf(*idle, "/api/tags") >= 2, 5000);
    busy->clearRequests();
    idle->clearRequests();

    busy->holdStreams();
    std::unique_ptr<QNetworkReply> stream(startStream(busy, u"alpha:latest"_s, 12, 0));
    QTRY_COMPARE_WITH_TIMEOUT(busy->activeStreams(), 1, 5000);
    busy->clearRequests();
    // Two intervals pass. One check runs over every node whose probe is due, so the idle node's
    // probe shows that the check which would have probed the busy node has run.
    for (int probes = 1; probes <= 2; ++probes) {
        m_clock.advance(config.healthIntervalMs);
        QTRY_VERIFY_WITH_TIMEOUT(countOf(*idle, "/api/tags") >= probes, 5000);
    }
    QCOMPARE(busy->activeStreams(), 1); // still streaming
    QCOMPARE(countOf(*busy, "/api/tags"), 0);
    QVERIFY2(countOf(*idle, "/api/tags") >= 2, "the idle node is probed meanwhile");

    busy->releaseStreams();
    QTRY_VERIFY_WITH_TIMEOUT(stream->isFinished(), 5000);
    QCOMPARE(stream->error(), QNetworkReply::NoError);
    // The probes that fell due during the stream come as one, right after it (and no other falls
    // due while the clock stands still).
    QTRY_VERIFY_WITH_TIMEOUT(countOf(*busy, "/api/tags") >= 1, 1000);
    QCOMPARE(countOf(*busy, "/api/tags"), 1);
}

void TestNodeJobs::deferredProbeRunsAtTheLimitAndDoesNotTakeABusyNodeDown()
{
    GatewayConfig config = testConfig();
    config.healthIntervalMs = 50;
    config.backgroundDeferLimitMs = 600;
    startGateway(config);
    FakeUpstream *upstream = addUpstream(NodeType::Ollama, {u"alpha:latest"_s});
    QVERIFY(upstream);
    const qint64 id = addNode(u"streaming"_s, upstream);
    QVERIFY(id > 0);
    QCOMPARE(node(id).value("health_status"_L1).toString(), u"healthy"_s);
    // One failed probe that counts takes the node down.
    QCOMPARE(admin("PUT", u"/admin/settings"_s, {{u"health_failure_threshold"_s, 1}}).status, 200);
    userToken();
    // The discovery, then the first periodic probe; the next one waits for the clock.
    QTRY_VERIFY_WITH_TIMEOUT(countOf(*upstream, "/api/tags") >= 2, 5000);

    upstream->holdStreams();
    std::unique_ptr<QNetworkReply> stream(startStream(upstream, u"alpha:latest"_s, 20, 0));
    QTRY_COMPARE_WITH_TIMEOUT(upstream->activeStreams(), 1, 5000);
    upstream->setHealthy(false); // its model list fails from now on; the stream goes on
    upstream->clearRequests();
    // When, on the clock, the deferred probe reached the node.
    const QDateTime busySince = m_clock.nowUtc();
    QDateTime probedAt;
    QObject context;
    connect(upstream, &FakeUpstream::requestReceived, &context, [&](const QByteArray &, const QByteArray &path) {
        if (path == "/api/tags" && !probedAt.isValid())
            probedAt = m_clock.nowUtc();
    });
    // The clock moves on a tenth of the limit at a time: the probe falls due, waits for the
    // stream, and runs once it has waited for the limit.
    QVERIFY(QTest::qWaitFor([&] {
        m_clock.advance(config.backgroundDeferLimitMs / 10);
        return countOf(*upstream, "/api/tags") >= 1;
    }, 10000));
    QVERIFY2(busySince.msecsTo(probedAt) >= config.backgroundDeferLimitMs,
             qPrintable(u"probed %1 ms into the stream"_s.arg(busySince.msecsTo(probedAt))));
    QCOMPARE(upstream->activeStreams(), 1); // the limit, not the end of the stream, let them run
    QCOMPARE(node(id).value("health_status"_L1).toString(), u"healthy"_s);

    upstream->releaseStreams();
    QTRY_VERIFY_WITH_TIMEOUT(stream->isFinished(), 5000);
    QCOMPARE(stream->error(), QNetworkReply::NoError);
    // Idle, the failing probes count again (the next one falls due as the clock moves).
    QVERIFY(QTest::qWaitFor([&] {
        m_clock.advance(config.healthIntervalMs);
        return node(id).value("health_status"_L1).toString() == "unhealthy"_L1;
    }, 5000));
}

void TestNodeJobs::discoveryWarmsEnabledOllamaNodesOnly()
{
    startGateway(testConfig());
    FakeUpstream *enabled = addUpstream(NodeType::Ollama, {u"alpha:latest"_s, u"beta:latest"_s});
    FakeUpstream *disabled = addUpstream(NodeType::Ollama, {u"gamma:latest"_s});
    FakeUpstream *openai = addUpstream(NodeType::OpenAi, {u"gpt-4o-mini"_s});
    QVERIFY(enabled && disabled && openai);
    const qint64 enabledId = addNode(u"warm"_s, enabled, true);
    QVERIFY(enabledId > 0);
    QVERIFY(addNode(u"cold"_s, disabled, false) > 0);
    QVERIFY(addNode(u"cloud"_s, openai, true) > 0);

    const QStringList expected{u"alpha:latest"_s, u"beta:latest"_s};
    QTRY_COMPARE_WITH_TIMEOUT(loadsOf(*enabled), expected, 5000);
    for (const auto &request : enabled->requests()) {
        if (request.path == "/api/generate") {
            QCOMPARE(request.body.value("keep_alive"_L1).toString(), u"30m"_s);
            QVERIFY(!request.body.contains("prompt"_L1));
        }
    }

    // Another discovery with nothing new loads nothing; a new model is loaded alone. A node loads
    // its models one at a time, in the order they were queued: once the new model's load has come,
    // any load queued before it, a second one of the first models included, has come too.
    QCOMPARE(admin("POST", u"/admin/nodes/%1/sync-models"_s.arg(enabledId)).status, 200);
    enabled->setModels({u"alpha:latest"_s, u"beta:latest"_s, u"delta:latest"_s});
    QCOMPARE(admin("POST", u"/admin/nodes/%1/sync-models"_s.arg(enabledId)).status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(loadsOf(*enabled).contains(u"delta:latest"_s), 5000);
    // Once each: the first discovery loaded alpha and beta, the second nothing, the third delta.
    QCOMPARE(loadsOf(*enabled), expected + QStringList{u"delta:latest"_s});
    // The other nodes were discovered before all that: a load would have come by now.
    QCOMPARE(countOf(*disabled, "/api/generate"), 0);
    for (const auto &request : openai->requests())
        QCOMPARE(request.path, QByteArray("/v1/models"));
    // Warmup traffic is not user usage.
    QCOMPARE(admin("GET", u"/admin/request-logs"_s).json().value("total"_L1).toInt(), 0);
}

void TestNodeJobs::scheduledWarmupWaitsForStreams()
{
    GatewayConfig config = testConfig();
    config.backgroundDeferLimitMs = 3600 * 1000; // far beyond the two intervals the clock moves on
    startGateway(config);
    FakeUpstream *upstream = addUpstream(NodeType::Ollama, {u"alpha:latest"_s, u"beta:latest"_s});
    // A second node with warmup, idle: its scheduled loads show when the schedule has run.
    FakeUpstream *idle = addUpstream(NodeType::Ollama, {u"gamma:latest"_s});
    QVERIFY(upstream && idle);
    const qint64 id = addNode(u"warm"_s, upstream, true);
    QVERIFY(id > 0);
    QVERIFY(addNode(u"idle"_s, idle, true) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(loadsOf(*upstream).size(), 2, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(loadsOf(*idle).size(), 1, 5000);
    QCOMPARE(admin("PUT", u"/admin/settings"_s, {{u"warmup_keep_alive"_s, u"-1"_s}}).status, 200);

    upstream->holdStreams();
    std::unique_ptr<QNetworkReply> stream(startStream(upstream, u"alpha:latest"_s, 20, 0));
    QTRY_COMPARE_WITH_TIMEOUT(upstream->activeStreams(), 1, 5000);
    upstream->clearRequests();
    idle->clearRequests();
    QCOMPARE(admin("PUT", u"/admin/settings"_s, {{u"warmup_interval_seconds"_s, 60}}).status, 200);
    // Two scheduled warmups fall due. The schedule queues every node's models at once, so the idle
    // node's load shows that the busy node's warmup was due too.
    for (int loads = 1; loads <= 2; ++loads) {
        m_clock.advance(60 * 1000);
        QTRY_COMPARE_WITH_TIMEOUT(loadsOf(*idle).size(), loads, 5000);
    }
    QCOMPARE(upstream->activeStreams(), 1);
    QCOMPARE(loadsOf(*upstream), QStringList());

    upstream->releaseStreams();
    QTRY_VERIFY_WITH_TIMEOUT(stream->isFinished(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(loadsOf(*upstream).size() >= 2, 3000);
    const QStringList loads = loadsOf(*upstream);
    QVERIFY2(loads.contains(u"alpha:latest"_s) && loads.contains(u"beta:latest"_s), qPrintable(loads.join(u' ')));
    for (const auto &request : upstream->requests()) {
        if (request.path == "/api/generate")
            QCOMPARE(request.body.value("keep_alive"_L1).toInt(), -1);
    }
}

void TestNodeJobs::warmupOnDemand()
{
    startGateway(testConfig());
    FakeUpstream *upstream = addUpstream(NodeType::Ollama, {u"alpha:latest"_s, u"beta:latest"_s});
    FakeUpstream *openai = addUpstream(NodeType::OpenAi, {u"gpt-4o-mini"_s});
    QVERIFY(upstream && openai);
    const qint64 id = addNode(u"cold"_s, upstream); // warmup not enabled: asking is enough
    const qint64 openaiId = addNode(u"cloud"_s, openai);
    QVERIFY(id > 0 && openaiId > 0);
    upstream->clearRequests();

    upstream->failNext(500, 1);
    Response response = admin("POST", u"/admin/nodes/%1/warmup"_s.arg(id));
    QCOMPARE(response.status, 200);
    QJsonObject json = response.json();
    QCOMPARE(json.value("node_id"_L1).toInteger(), id);
    QCOMPARE(json.value("warmed"_L1).toInt(), 1);
    QCOMPARE(json.value("failed"_L1).toInt(), 1);
    const QJsonArray models = json.value("models"_L1).toArray();
    QCOMPARE(models.size(), 2);
    QCOMPARE(models.at(0).toObject().value("model"_L1).toString(), u"alpha:latest"_s);
    QCOMPARE(models.at(0).toObject().value("ok"_L1).toBool(), false);
    QVERIFY(models.at(0).toObject().value("error"_L1).toString().startsWith("HTTP 500"_L1));
    QCOMPARE(models.at(1).toObject().value("model"_L1).toString(), u"beta:latest"_s);
    QCOMPARE(models.at(1).toObject().value("ok"_L1).toBool(), true);
    QCOMPARE(countOf(*upstream, "/api/generate"), 2);

    response = admin("POST", u"/admin/nodes/%1/warmup"_s.arg(id), {{u"models"_s, QJsonArray{u"beta:latest"_s}}});
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json().value("models"_L1).toArray().size(), 1);
    QCOMPARE(countOf(*upstream, "/api/generate"), 3);

    QCOMPARE(admin("POST", u"/admin/nodes/%1/warmup"_s.arg(id), {{u"models"_s, QJsonArray{u"nope"_s}}}).status, 400);
    QCOMPARE(admin("POST", u"/admin/nodes/%1/warmup"_s.arg(openaiId)).status, 400);
    QCOMPARE(admin("POST", u"/admin/nodes/9999/warmup"_s).status, 404);
    QCOMPARE(countOf(*openai, "/api/generate"), 0);
}

void TestNodeJobs::warmupIntervalIsValidated_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<int>("status");
    QTest::newRow("0 turns the schedule off") << QJsonValue(0) << 200;
    QTest::newRow("60 seconds is the shortest interval") << QJsonValue(60) << 200;
    QTest::newRow("a number as text is accepted") << QJsonValue(u"3600"_s) << 200;
    QTest::newRow("30 seconds is too often") << QJsonValue(30) << 400;
    QTest::newRow("a negative interval is refused") << QJsonValue(-5) << 400;
    QTest::newRow("text that is no number is refused") << QJsonValue(u"hourly"_s) << 400;
}

void TestNodeJobs::warmupIntervalIsValidated()
{
    QFETCH(QJsonValue, value);
    QFETCH(int, status);
    startGateway(testConfig());
    const Response response = admin("PUT", u"/admin/settings"_s, {{u"warmup_interval_seconds"_s, value}});
    QCOMPARE(response.status, status);
    if (status == 400)
        QCOMPARE(response.json().value("detail"_L1).toString(),
                 u"warmup_interval_seconds must be 0 (off) or a whole number from 60 to 604800"_s);
}

void TestNodeJobs::warmupFlagIsEditedAndBackedUp()
{
    startGateway(testConfig());
    FakeUpstream *upstream = addUpstream(NodeType::Ollama, {u"alpha:latest"_s});
    QVERIFY(upstream);
    const qint64 id = addNode(u"node"_s, upstream);
    QVERIFY(id > 0);
    QCOMPARE(node(id).value("warmup_enabled"_L1).toBool(), false);

    Response response = admin("PATCH", u"/admin/nodes/%1"_s.arg(id), {{u"warmup_enabled"_s, true}});
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json().value("warmup_enabled"_L1).toBool(), true);
    QCOMPARE(admin("PATCH", u"/admin/nodes/%1"_s.arg(id), {{u"warmup_enabled"_s, u"yes"_s}}).status, 400);
    QCOMPARE(node(id).value("warmup_enabled"_L1).toBool(), true);

    QJsonObject backup = admin("GET", u"/admin/export"_s).json();
    QJsonArray nodes = backup.value("nodes"_L1).toArray();
    QCOMPARE(nodes.at(0).toObject().value("warmup_enabled"_L1).toBool(), true);

    QCOMPARE(admin("PATCH", u"/admin/nodes/%1"_s.arg(id), {{u"warmup_enabled"_s, false}}).status, 200);
    QCOMPARE(admin("POST", u"/admin/import"_s, backup).status, 200);
    QCOMPARE(node(id).value("warmup_enabled"_L1).toBool(), true);
}

void TestNodeJobs::nodeLoadCountsTheDaysRequestsAcrossARestart()
{
    startGateway(testConfig());
    FakeUpstream *upstream = addUpstream(NodeType::Ollama, {u"alpha:latest"_s});
    FakeUpstream *other = addUpstream(NodeType::Ollama, {u"beta:latest"_s});
    QVERIFY(upstream && other);
    const qint64 id = addNode(u"busy"_s, upstream);
    const qint64 otherId = addNode(u"quiet"_s, other);
    QVERIFY(id > 0 && otherId > 0);
    QCOMPARE(node(id).value("load"_L1).toObject().value("requests_today"_L1).toInt(), 0);
    QVERIFY(node(id).value("load"_L1).toObject().value("last_request_at"_L1).isNull());

    const QByteArray token = userToken();
    upstream->setReplyWords(3);
    upstream->setChunkDelay(20);
    const QByteArray body = Test::toJson({{u"model"_s, u"alpha:latest"_s},
                                          {u"messages"_s, Test::userMessage(u"hi"_s)},
                                          {u"stream"_s, false}});
    const QUrl url = m_stack.url(u"/api/chat"_s);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(Test::sendRequest(m_nam, url, "POST", body, token).status, 200);
    upstream->failNext(500, 2);
    for (int i = 0; i < 2; ++i)
        QCOMPARE(Test::sendRequest(m_nam, url, "POST", body, token).status, 502);

    QJsonArray logs;
    QTRY_COMPARE_WITH_TIMEOUT((logs = admin("GET", u"/admin/request-logs"_s).json().value("logs"_L1).toArray()).size(), 5, 5000);
    qint64 totalMs = 0;
    for (const QJsonValue &log : std::as_const(logs)) {
        QCOMPARE(log.toObject().value("node_id"_L1).toInteger(), id);
        totalMs += log.toObject().value("duration_ms"_L1).toInteger();
    }

    const auto checkLoad = [&](const QJsonObject &load) {
        QCOMPARE(load.value("requests_today"_L1).toInt(), 5);
        QCOMPARE(load.value("errors_today"_L1).toInt(), 2);
        QVERIFY(qAbs(load.value("avg_latency_ms_today"_L1).toInteger() - totalMs / 5) <= 1);
        QVERIFY(load.value("avg_latency_ms_today"_L1).toInteger() >= 0);
        QCOMPARE(load.value("active_requests"_L1).toInt(), 0);
        const QDateTime last = QDateTime::fromString(load.value("last_request_at"_L1).toString(), Qt::ISODateWithMs);
        QVERIFY(last.isValid());
        QVERIFY(qAbs(last.secsTo(QDateTime::currentDateTimeUtc())) < 60);
    };
    checkLoad(node(id).value("load"_L1).toObject());
    const QJsonArray listed = admin("GET", u"/admin/nodes"_s).array();
    QCOMPARE(listed.size(), 2);
    checkLoad(listed.at(0).toObject().value("load"_L1).toObject());
    QCOMPARE(listed.at(1).toObject().value("load"_L1).toObject().value("requests_today"_L1).toInt(), 0);

    // Restarted on the same database, the day's numbers are still there.
    stopGateway();
    startGateway(testConfig());
    const QJsonObject all = admin("GET", u"/admin/nodes/load"_s).json();
    QCOMPARE(all.value("day"_L1).toString(), QDateTime::currentDateTimeUtc().date().toString(Qt::ISODate));
    const QJsonArray loads = all.value("nodes"_L1).toArray();
    QCOMPARE(loads.size(), 2);
    QCOMPARE(loads.at(0).toObject().value("node_id"_L1).toInteger(), id);
    QCOMPARE(loads.at(0).toObject().value("node_name"_L1).toString(), u"busy"_s);
    checkLoad(loads.at(0).toObject());
    QCOMPARE(loads.at(1).toObject().value("node_id"_L1).toInteger(), otherId);
    QCOMPARE(loads.at(1).toObject().value("requests_today"_L1).toInt(), 0);
    checkLoad(node(id).value("load"_L1).toObject());
}

QTEST_MAIN(TestNodeJobs)
#include "tst_nodejobs.moc"

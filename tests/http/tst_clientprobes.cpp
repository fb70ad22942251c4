// What clients check before they use a server, end to end over real sockets: Ollama's probes
// (/, /api/version), a model's details (/api/show, /v1/models/{id}, Anthropic's model list and
// ids), the "claude-<name>" ids of the seed on the Messages endpoints, and 404s for unknown
// paths in each dialect's own shape.

#include "gatewayharness.h"
#include "jsonfixtures.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Maestro;
using namespace Maestro::Test;

namespace {

const QString ReplyText = u"Hello from the fake node"_s;
const QString Qwen = u"qwen3:0.6b"_s;          // on the Ollama node, answering the recorded /api/show
const QString Coder = u"coder"_s;              // -> qwen3:0.6b, 64K, capabilities vision and tools
const QString Cloud = u"cloud"_s;              // -> gpt-4o-mini on the OpenAI node, 128K, vision
const QString SlashModel = u"Qwen/Qwen2.5-72B"_s; // on the OpenAI node, unmapped
const QString ClaudeNamed = u"claude-direct"_s; // a mapping whose own name starts with claude-

QJsonObject anthropicBody(const QString &model)
{
    return {{u"model"_s, model}, {u"max_tokens"_s, 64}, {u"messages"_s, userMessage(u"Say hello"_s)}};
}

QStringList ids(const QJsonArray &list)
{
    QStringList out;
    for (const QJsonValue &entry : list)
        out.append(entry.toObject().value("id"_L1).toString());
    return out;
}

QStringList strings(const QJsonArray &array)
{
    QStringList out;
    for (const QJsonValue &value : array)
        out.append(value.toString());
    return out;
}

// Exact bytes to the gateway and what it answers until it closes the connection (each request
// here ends with a refusal or asks for the close) or the time runs out.
QByteArray rawExchange(quint16 port, const QByteArray &bytes, int timeoutMs = 5000)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(timeoutMs))
        return {};
    socket.write(bytes);
    QByteArray received;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs && socket.state() == QAbstractSocket::ConnectedState) {
        QTest::qWait(5);
        received += socket.readAll();
    }
    received += socket.readAll();
    return received;
}

} // namespace

class TestClientProbes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void ollamaRootAnswersAsOllama();
    void versionNeedsATokenUnlessOpened();
    void versionSettingIsChecked_data();
    void versionSettingIsChecked();
    void openVersionStillPassesTheFrontDoor();

    void showMergesNodeAndMappingCapabilities();
    void showKeepsTheNodesContextWithoutAMapping();
    void showDescribesModelsOfOpenAiNodes();
    void showRefusesMalformedRequests_data();
    void showRefusesMalformedRequests();

    void openAiModelDetails_data();
    void openAiModelDetails();
    void unknownEndpointsAreNotUnknownModels_data();
    void unknownEndpointsAreNotUnknownModels();

    void anthropicModelList();
    void anthropicModelListPages_data();
    void anthropicModelListPages();
    void anthropicClientsOnV1Models();
    void claudeIdsOnTheMessagesEndpoints();
    void claudeIdsFollowAccessAndNames();

private:
    bool setSetting(const QString &key, const QJsonValue &value)
    {
        const Response response = m_harness.admin("PUT", u"/admin/settings"_s, {{key, value}});
        if (response.status != 200)
            qWarning() << "setting" << key << response.status << response.body;
        return response.status == 200;
    }

    GatewayHarness m_harness;
    QByteArray m_alice; // every model
    QByteArray m_bob;   // coder only
};

void TestClientProbes::initTestCase()
{
    QVERIFY(m_harness.start({Qwen, u"llama3.2:latest"_s}, {u"gpt-4o-mini"_s, SlashModel}, ReplyText));
    const auto map = [this](const QString &display, const QString &real, const QJsonValue &context,
                            const QJsonArray &capabilities) {
        QJsonObject body{{u"display_name"_s, display}, {u"real_name"_s, real}, {u"capabilities"_s, capabilities}};
        if (!context.isNull())
            body.insert(u"context_length"_s, context);
        return m_harness.admin("POST", u"/admin/model-mappings"_s, body).status;
    };
    QCOMPARE(map(Coder, Qwen, u"64K"_s, QJsonArray{u"vision"_s, u"tools"_s}), 201);
    QCOMPARE(map(Cloud, u"gpt-4o-mini"_s, u"128K"_s, QJsonArray{u"vision"_s}), 201);
    QCOMPARE(map(ClaudeNamed, u"llama3.2:latest"_s, QJsonValue(), QJsonArray()), 201);
    m_alice = m_harness.createUser(u"alice"_s, {u"*"_s});
    m_bob = m_harness.createUser(u"bob"_s, {Coder});
    QVERIFY(!m_alice.isEmpty() && !m_bob.isEmpty());
}

void TestClientProbes::cleanup()
{
    m_harness.reset();
    m_harness.ollama()->setShowAnswer({});
    QVERIFY(setSetting(u"ollama_version_public"_s, false));
    QCOMPARE(m_harness.admin("DELETE", u"/admin/settings/ollama_version"_s).status, 200);
}

void TestClientProbes::cleanupTestCase()
{
    m_harness.stop();
}

void TestClientProbes::ollamaRootAnswersAsOllama()
{
    const Response root = m_harness.send("GET", u"/"_s, {}, {});
    QCOMPARE(root.status, 200);
    QCOMPARE(root.body, QByteArray("Ollama is running"));
    QVERIFY(root.headers.value("content-type").startsWith("text/plain"));

    const Response head = m_harness.send("HEAD", u"/"_s, {}, {});
    QCOMPARE(head.status, 200);
    QVERIFY(head.body.isEmpty());

    // The other probes are as they were.
    const Response health = m_harness.send("GET", u"/health"_s, {}, {});
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json(), (QJsonObject{{u"status"_s, u"healthy"_s}}));
    QCOMPARE(m_harness.send("GET", u"/claude/"_s, {}, {}).status, 200);
    QCOMPARE(m_harness.send("HEAD", u"/claude/"_s, {}, {}).status, 200);
}

void TestClientProbes::versionNeedsATokenUnlessOpened()
{
    // A current Ollama version by default: clients refuse servers older than the one they need.
    const Response withToken = m_harness.send("GET", u"/api/version"_s, {}, m_alice);
    QCOMPARE(withToken.status, 200);
    QCOMPARE(withToken.json(), (QJsonObject{{u"version"_s, u"0.12.6"_s}}));

    // CONTRACT.md lists /api/version among the user-token endpoints: closed unless opened.
    const Response anonymous = m_harness.send("GET", u"/api/version"_s, {}, {});
    QCOMPARE(anonymous.status, 401);
    QVERIFY(anonymous.json().value("error"_L1).isString());

    QVERIFY(setSetting(u"ollama_version_public"_s, true));
    QVERIFY(setSetting(u"ollama_version"_s, u"0.13.1"_s));
    for (const QByteArray &token : {QByteArray(), QByteArray("not-a-token"), m_alice}) {
        const Response open = m_harness.send("GET", u"/api/version"_s, {}, token);
        QCOMPARE(open.status, 200);
        QCOMPARE(open.json(), (QJsonObject{{u"version"_s, u"0.13.1"_s}}));
    }
    // Only the version opens: the rest of the Ollama API still wants a token.
    QCOMPARE(m_harness.send("GET", u"/api/tags"_s, {}, {}).status, 401);
    QCOMPARE(m_harness.send("POST", u"/api/show"_s, toJson({{u"model"_s, Coder}}), {}).status, 401);

    QVERIFY(setSetting(u"ollama_version_public"_s, false));
    QCOMPARE(m_harness.send("GET", u"/api/version"_s, {}, {}).status, 401);
}

void TestClientProbes::versionSettingIsChecked_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("a release such as 0.12.6 is taken") << QJsonValue(u"0.12.6"_s) << true;
    QTest::newRow("a pre-release suffix is taken") << QJsonValue(u"0.13.0-rc1"_s) << true;
    QTest::newRow("words are refused") << QJsonValue(u"latest"_s) << false;
    QTest::newRow("two numbers are refused") << QJsonValue(u"0.12"_s) << false;
    QTest::newRow("anything after the version is refused") << QJsonValue(u"0.12.6\"}, {\"x"_s) << false;
    QTest::newRow("a very long version is refused") << QJsonValue(u"1.2.3-"_s + QString(5000, u'a')) << false;
    QTest::newRow("a number is refused") << QJsonValue(12) << false;
    QTest::newRow("an empty string is refused") << QJsonValue(QString()) << false;
}

void TestClientProbes::versionSettingIsChecked()
{
    QFETCH(QJsonValue, value);
    QFETCH(bool, accepted);
    const Response response = m_harness.admin("PUT", u"/admin/settings"_s, {{u"ollama_version"_s, value}});
    QCOMPARE(response.status, accepted ? 200 : 400);
    const Response version = m_harness.send("GET", u"/api/version"_s, {}, m_alice);
    if (accepted) {
        QCOMPARE(version.json().value("version"_L1), value);
    } else {
        QVERIFY(response.json().value("detail"_L1).toString().contains("ollama_version"_L1));
        QCOMPARE(version.json().value("version"_L1).toString(), u"0.12.6"_s);
    }
}

void TestClientProbes::openVersionStillPassesTheFrontDoor()
{
    QVERIFY(setSetting(u"ollama_version_public"_s, true));
    // A body on the open probe is refused before it is read, as on the other probes.
    const QByteArray withBody = rawExchange(
        m_harness.port(), "GET /api/version HTTP/1.1\r\nHost: a\r\nContent-Length: 10485760\r\n\r\n");
    QVERIFY2(withBody.startsWith("HTTP/1.1 400 "), withBody.left(200).constData());
    QVERIFY(withBody.contains("{\"error\":"));
    // The head caps hold for it as for every path.
    const QByteArray huge = "GET /api/version HTTP/1.1\r\nHost: a\r\nX-Filler: " + QByteArray(64 * 1024, 'x') + "\r\n\r\n";
    const QByteArray tooLarge = rawExchange(m_harness.port(), huge);
    QVERIFY2(tooLarge.startsWith("HTTP/1.1 431 "), tooLarge.left(200).constData());
    // A well-formed request still gets its answer on the same kind of raw connection.
    const QByteArray plain = rawExchange(m_harness.port(), "GET /api/version HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    QVERIFY2(plain.startsWith("HTTP/1.1 200 "), plain.left(200).constData());
    QVERIFY(plain.contains("{\"version\":\"0.12.6\"}"));
}

void TestClientProbes::showMergesNodeAndMappingCapabilities()
{
    // A recorded answer of Ollama for qwen3 (a model that can call tools and think).
    const QJsonObject recorded = loadJsonFixture(u"http/fixtures/ollama-show-qwen3.json"_s).toObject();
    m_harness.ollama()->setShowAnswer(QJsonDocument(recorded).toJson(QJsonDocument::Compact));

    const Response response = m_harness.send("POST", u"/api/show"_s, toJson({{u"model"_s, Coder}}), m_bob);
    QVERIFY2(response.status == 200, response.body.constData());
    const QJsonObject show = response.json();
    // The node's capabilities first, then what only the mapping adds; nothing twice.
    QCOMPARE(strings(show.value("capabilities"_L1).toArray()),
             (QStringList{u"completion"_s, u"tools"_s, u"thinking"_s, u"vision"_s}));
    QCOMPARE(show.value("name"_L1).toString(), Coder);
    QCOMPARE(show.value("model"_L1).toString(), Coder);
    const QJsonObject info = show.value("model_info"_L1).toObject();
    QCOMPARE(info.value("general.architecture"_L1).toString(), u"qwen3"_s);
    // The mapping's context length over the node's 40960.
    QCOMPARE(info.value("qwen3.context_length"_L1).toInteger(), 64 * 1024);
    // The rest of the node's answer is relayed as it came.
    QCOMPARE(show.value("details"_L1), recorded.value("details"_L1));
    QCOMPARE(show.value("template"_L1), recorded.value("template"_L1));
    QCOMPARE(info.value("qwen3.embedding_length"_L1).toInteger(), 1024);
    // The node was asked for the real model.
    QCOMPARE(m_harness.ollama()->lastRequest().body.value("model"_L1).toString(), Qwen);
}

void TestClientProbes::showKeepsTheNodesContextWithoutAMapping()
{
    m_harness.ollama()->setShowAnswer(
        QJsonDocument(loadJsonFixture(u"http/fixtures/ollama-show-qwen3.json"_s).toObject()).toJson(QJsonDocument::Compact));
    const Response response = m_harness.send("POST", u"/api/show"_s, toJson({{u"name"_s, Qwen}}), m_alice);
    QVERIFY2(response.status == 200, response.body.constData());
    const QJsonObject show = response.json();
    QCOMPARE(strings(show.value("capabilities"_L1).toArray()),
             (QStringList{u"completion"_s, u"tools"_s, u"thinking"_s}));
    QCOMPARE(show.value("model_info"_L1).toObject().value("qwen3.context_length"_L1).toInteger(), 40960);
    QCOMPARE(show.value("name"_L1).toString(), Qwen);
}

void TestClientProbes::showDescribesModelsOfOpenAiNodes()
{
    // Mapped: completion and tools (OpenAI-compatible servers take tools), plus the mapping's.
    const Response cloud = m_harness.send("POST", u"/api/show"_s, toJson({{u"model"_s, Cloud}}), m_alice);
    QVERIFY2(cloud.status == 200, cloud.body.constData());
    QCOMPARE(strings(cloud.json().value("capabilities"_L1).toArray()),
             (QStringList{u"completion"_s, u"tools"_s, u"vision"_s}));
    QCOMPARE(cloud.json().value("name"_L1).toString(), Cloud);
    QCOMPARE(cloud.json().value("model"_L1).toString(), Cloud);
    const QJsonObject info = cloud.json().value("model_info"_L1).toObject();
    const QString arch = info.value("general.architecture"_L1).toString();
    QVERIFY(!arch.isEmpty());
    QCOMPARE(info.value(arch + ".context_length"_L1).toInteger(), 128 * 1024);

    // Unmapped, a name with a slash: completion and tools, no context length made up.
    const Response plain = m_harness.send("POST", u"/api/show"_s, toJson({{u"model"_s, SlashModel}}), m_alice);
    QVERIFY2(plain.status == 200, plain.body.constData());
    QCOMPARE(strings(plain.json().value("capabilities"_L1).toArray()), (QStringList{u"completion"_s, u"tools"_s}));
    QCOMPARE(plain.json().value("name"_L1).toString(), SlashModel);
    const QJsonObject plainInfo = plain.json().value("model_info"_L1).toObject();
    QVERIFY(!plainInfo.contains(plainInfo.value("general.architecture"_L1).toString() + ".context_length"_L1));
    // Nothing was asked of the OpenAI node, which has no /api/show.
    QCOMPARE(m_harness.openai()->requestCount(), 0);
}

void TestClientProbes::showRefusesMalformedRequests_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<int>("status");
    const QByteArray alice = "alice";
    QTest::newRow("no model is 400") << QByteArray("{}") << alice << 400;
    QTest::newRow("a model that is a number is 400") << QByteArray(R"({"model":42})") << alice << 400;
    QTest::newRow("a body that is not JSON is 400") << QByteArray("{\"model\":") << alice << 400;
    QTest::newRow("an array body is 400") << QByteArray(R"(["coder"])") << alice << 400;
    QTest::newRow("an unknown model is 404") << QByteArray(R"({"model":"no-such-model"})") << alice << 404;
    QTest::newRow("a model of odd characters is 404")
        << QByteArray(R"({"model":"../\u0000\n<script>%2F"})") << alice << 404;
    QTest::newRow("a 100 KB model name is 404 with a short message")
        << toJson({{u"model"_s, QString(100 * 1024, u'm')}}) << alice << 404;
    QTest::newRow("a model the user may not use is 403") << QByteArray(R"({"model":"cloud"})") << QByteArray("bob") << 403;
    QTest::newRow("no token is 401") << QByteArray(R"({"model":"coder"})") << QByteArray() << 401;
}

void TestClientProbes::showRefusesMalformedRequests()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, token);
    QFETCH(int, status);
    const QByteArray bearer = token == "alice" ? m_alice : token == "bob" ? m_bob : QByteArray();
    const Response response = m_harness.send("POST", u"/api/show"_s, body, bearer);
    QCOMPARE(response.status, status);
    const QJsonValue error = response.json().value("error"_L1);
    QVERIFY2(error.isString() && !error.toString().isEmpty(), response.body.constData());
    QVERIFY(error.toString().size() < 1000);
}

void TestClientProbes::openAiModelDetails_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("id"); // empty: 404 expected
    QTest::newRow("a mapped model is its list entry") << u"/v1/models/cloud"_s << QByteArray("alice") << Cloud;
    QTest::newRow("a name with a slash, encoded") << u"/v1/models/Qwen%2FQwen2.5-72B"_s << QByteArray("alice") << SlashModel;
    QTest::newRow("a name with a slash, as it is") << u"/v1/models/Qwen/Qwen2.5-72B"_s << QByteArray("alice") << SlashModel;
    QTest::newRow("the same under /codex") << u"/codex/models/cloud"_s << QByteArray("alice") << Cloud;
    QTest::newRow("a real name the list shows under its mapping is usable, so a model")
        << u"/v1/models/gpt-4o-mini"_s << QByteArray("alice") << u"gpt-4o-mini"_s;
    QTest::newRow("a model the user may not use does not exist for the user")
        << u"/v1/models/cloud"_s << QByteArray("bob") << QString();
    QTest::newRow("an unknown model is 404") << u"/v1/models/no-such-model"_s << QByteArray("alice") << QString();
    QTest::newRow("an empty id is 404") << u"/v1/models/"_s << QByteArray("alice") << QString();
    QTest::newRow("odd characters are 404") << u"/v1/models/%00%0A%22%3Cx%3E..%2F..%2Fadmin"_s << QByteArray("alice") << QString();
    QTest::newRow("an 8 KB id is 404") << u"/v1/models/"_s + QString(8 * 1024, u'x') << QByteArray("alice") << QString();
    QTest::newRow("an unknown model under /codex is 404") << u"/codex/models/nope"_s << QByteArray("alice") << QString();
}

void TestClientProbes::openAiModelDetails()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, token);
    QFETCH(QString, id);
    const Response response = m_harness.send("GET", path, {}, token == "alice" ? m_alice : m_bob);
    const QJsonObject json = response.json();
    if (!id.isEmpty()) {
        QVERIFY2(response.status == 200, response.body.constData());
        QCOMPARE(json.value("id"_L1).toString(), id);
        QCOMPARE(json.value("object"_L1).toString(), u"model"_s);
        QVERIFY(json.value("created"_L1).isDouble());
        QCOMPARE(json.value("owned_by"_L1).toString(), u"model-maestro"_s);
        if (id == Cloud)
            QCOMPARE(json.value("context_length"_L1).toInteger(), 128 * 1024);
        return;
    }
    QCOMPARE(response.status, 404);
    const QJsonObject error = json.value("error"_L1).toObject();
    QCOMPARE(error.value("type"_L1).toString(), u"invalid_request_error"_s);
    QCOMPARE(error.value("code"_L1).toString(), u"model_not_found"_s);
    QVERIFY(!error.value("message"_L1).toString().isEmpty());
    QVERIFY(error.value("message"_L1).toString().size() < 1000);

    // Without a token, 401 in the same shape, whatever the id.
    const Response anonymous = m_harness.send("GET", path, {}, {});
    QCOMPARE(anonymous.status, 401);
    QCOMPARE(anonymous.json().value("error"_L1).toObject().value("type"_L1).toString(), u"authentication_error"_s);
}

void TestClientProbes::unknownEndpointsAreNotUnknownModels_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("dialect");
    QTest::addColumn<bool>("anthropicHeader");
    QTest::newRow("/api/x: Ollama's shape") << QByteArray("GET") << u"/api/x"_s << u"ollama"_s << false;
    QTest::newRow("POST /api/x with a body: Ollama's shape") << QByteArray("POST") << u"/api/x"_s << u"ollama"_s << false;
    QTest::newRow("/v1/x: OpenAI's shape, not_found") << QByteArray("GET") << u"/v1/x"_s << u"openai"_s << false;
    QTest::newRow("POST /v1/x with a body: OpenAI's shape") << QByteArray("POST") << u"/v1/x"_s << u"openai"_s << false;
    QTest::newRow("/codex/x: OpenAI's shape") << QByteArray("GET") << u"/codex/x"_s << u"openai"_s << false;
    QTest::newRow("/cursor/x: OpenAI's shape") << QByteArray("POST") << u"/cursor/x"_s << u"openai"_s << false;
    QTest::newRow("/claude/v1/x: Anthropic's shape") << QByteArray("GET") << u"/claude/v1/x"_s << u"anthropic"_s << false;
    QTest::newRow("POST /claude/v1/complete: Anthropic's shape")
        << QByteArray("POST") << u"/claude/v1/complete"_s << u"anthropic"_s << false;
    QTest::newRow("/v1/messages/x: Anthropic's shape") << QByteArray("GET") << u"/v1/messages/x"_s << u"anthropic"_s << false;
    QTest::newRow("/v1/x from an Anthropic SDK: Anthropic's shape")
        << QByteArray("GET") << u"/v1/x"_s << u"anthropic"_s << true;
}

void TestClientProbes::unknownEndpointsAreNotUnknownModels()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QString, dialect);
    QFETCH(bool, anthropicHeader);
    const Headers headers = anthropicHeader ? Headers{{"anthropic-version", "2023-06-01"}} : Headers();
    const Response response = m_harness.send(method, path, method == "POST" ? QByteArray("{}") : QByteArray(), m_alice, headers);
    QCOMPARE(response.status, 404);
    const QJsonObject json = response.json();
    if (dialect == "ollama"_L1) {
        QVERIFY2(json.value("error"_L1).isString(), response.body.constData());
    } else if (dialect == "openai"_L1) {
        const QJsonObject error = json.value("error"_L1).toObject();
        QCOMPARE(error.value("code"_L1).toString(), u"not_found"_s);
        QCOMPARE(error.value("type"_L1).toString(), u"invalid_request_error"_s);
        QVERIFY(error.value("message"_L1).toString().contains(path.section(u'/', -1)));
    } else {
        QCOMPARE(json.value("type"_L1).toString(), u"error"_s);
        QCOMPARE(json.value("error"_L1).toObject().value("type"_L1).toString(), u"not_found_error"_s);
    }
    QVERIFY(!response.body.contains("model_not_found"));
}

void TestClientProbes::anthropicModelList()
{
    const Response response = m_harness.send("GET", u"/claude/v1/models"_s, {}, {}, {{"x-api-key", m_alice}});
    QVERIFY2(response.status == 200, response.body.constData());
    const QJsonObject json = response.json();
    const QJsonArray data = json.value("data"_L1).toArray();
    // The seed's ids, in the order of the other lists (by name); a name that already starts with
    // claude- is not prefixed twice.
    QCOMPARE(ids(data), (QStringList{u"claude-Qwen/Qwen2.5-72B"_s, ClaudeNamed, u"claude-cloud"_s,
                                     u"claude-coder"_s}));
    for (const QJsonValue &value : data) {
        const QJsonObject model = value.toObject();
        QCOMPARE(model.value("type"_L1).toString(), u"model"_s);
        QVERIFY(QDateTime::fromString(model.value("created_at"_L1).toString(), Qt::ISODate).isValid());
        QCOMPARE(model.value("max_tokens"_L1).toInteger(), 8192);
    }
    const QJsonObject cloud = data.at(2).toObject();
    QCOMPARE(cloud.value("display_name"_L1).toString(), Cloud);
    QCOMPARE(cloud.value("max_input_tokens"_L1).toInteger(), 128 * 1024);
    // Without a context length of its own, the seed's 128K.
    QCOMPARE(data.at(0).toObject().value("display_name"_L1).toString(), SlashModel);
    QCOMPARE(data.at(0).toObject().value("max_input_tokens"_L1).toInteger(), 131072);
    QCOMPARE(data.at(1).toObject().value("display_name"_L1).toString(), ClaudeNamed);
    QCOMPARE(json.value("has_more"_L1), QJsonValue(false));
    QCOMPARE(json.value("first_id"_L1).toString(), u"claude-Qwen/Qwen2.5-72B"_s);
    QCOMPARE(json.value("last_id"_L1).toString(), u"claude-coder"_s);

    // Groups listed in the catalog follow the models.
    const Response group = m_harness.admin("POST", u"/admin/model-groups"_s,
                                           {{u"name"_s, u"team"_s}, {u"list_in_catalog"_s, true},
                                            {u"members"_s, QJsonArray{QJsonObject{{u"model_display_name"_s, Coder}}}}});
    QCOMPARE(group.status, 201);
    const QJsonArray withGroup
        = m_harness.send("GET", u"/claude/v1/models"_s, {}, m_alice).json().value("data"_L1).toArray();
    QCOMPARE(ids(withGroup).last(), u"claude-team"_s);
    QCOMPARE(m_harness.admin("DELETE", u"/admin/model-groups/team"_s).status, 204);

    // Only what the user may use.
    const Response bob = m_harness.send("GET", u"/claude/v1/models"_s, {}, m_bob);
    QCOMPARE(ids(bob.json().value("data"_L1).toArray()), QStringList{u"claude-coder"_s});
    QCOMPARE(bob.json().value("data"_L1).toArray().at(0).toObject().value("max_input_tokens"_L1).toInteger(), 64 * 1024);

    // One model, by its id or its name; 404 in Anthropic's shape otherwise.
    const Response one = m_harness.send("GET", u"/claude/v1/models/claude-coder"_s, {}, m_bob);
    QVERIFY2(one.status == 200, one.body.constData());
    QCOMPARE(one.json().value("id"_L1).toString(), u"claude-coder"_s);
    QCOMPARE(one.json().value("display_name"_L1).toString(), Coder);
    for (const QString &missing : {u"claude-cloud"_s, u"claude-"_s, u"%00%22"_s, QString(8 * 1024, u'c')}) {
        const Response none = m_harness.send("GET", u"/claude/v1/models/"_s + missing, {}, m_bob);
        QCOMPARE(none.status, 404);
        QCOMPARE(none.json().value("type"_L1).toString(), u"error"_s);
        QCOMPARE(none.json().value("error"_L1).toObject().value("type"_L1).toString(), u"not_found_error"_s);
    }
}

void TestClientProbes::anthropicModelListPages_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<bool>("hasMore");
    const QString first = u"claude-Qwen/Qwen2.5-72B"_s;
    QTest::newRow("limit=2: the first two, more to come") << u"limit=2"_s << QStringList{first, ClaudeNamed} << true;
    QTest::newRow("after_id: the ones after it")
        << u"limit=2&after_id=claude-direct"_s << QStringList{u"claude-cloud"_s, u"claude-coder"_s} << false;
    QTest::newRow("before_id: the ones before it, nearest last")
        << u"limit=1&before_id=claude-coder"_s << QStringList{u"claude-cloud"_s} << true;
    QTest::newRow("before_id of the first (encoded slash): nothing")
        << u"before_id=claude-Qwen%2FQwen2.5-72B"_s << QStringList{} << false;
    QTest::newRow("after_id of the last: nothing") << u"after_id=claude-coder"_s << QStringList{} << false;
    QTest::newRow("an id not in the list: nothing") << u"after_id=claude-gone"_s << QStringList{} << false;
    QTest::newRow("limit=1000 is the largest page") << u"limit=1000"_s
        << QStringList{first, ClaudeNamed, u"claude-cloud"_s, u"claude-coder"_s} << false;
}

void TestClientProbes::anthropicModelListPages()
{
    QFETCH(QString, query);
    QFETCH(QStringList, expected);
    QFETCH(bool, hasMore);
    const Response response = m_harness.send("GET", u"/claude/v1/models?"_s + query, {}, m_alice);
    QVERIFY2(response.status == 200, response.body.constData());
    const QJsonObject json = response.json();
    QCOMPARE(ids(json.value("data"_L1).toArray()), expected);
    QCOMPARE(json.value("has_more"_L1).toBool(), hasMore);
    QCOMPARE(json.value("first_id"_L1), expected.isEmpty() ? QJsonValue() : QJsonValue(expected.first()));
    QCOMPARE(json.value("last_id"_L1), expected.isEmpty() ? QJsonValue() : QJsonValue(expected.last()));

    // Bad paging is a 400 in Anthropic's shape.
    for (const QString &bad : {u"limit=0"_s, u"limit=1001"_s, u"limit=abc"_s, u"limit=-1"_s,
                               u"after_id=a&before_id=b"_s}) {
        const Response refused = m_harness.send("GET", u"/claude/v1/models?"_s + bad, {}, m_alice);
        QCOMPARE(refused.status, 400);
        QCOMPARE(refused.json().value("error"_L1).toObject().value("type"_L1).toString(), u"invalid_request_error"_s);
    }
}

void TestClientProbes::anthropicClientsOnV1Models()
{
    // An Anthropic SDK pointed at the plain base URL: its headers say who it is.
    const Headers anthropic{{"x-api-key", m_alice}, {"anthropic-version", "2023-06-01"}};
    const Response list = m_harness.send("GET", u"/v1/models"_s, {}, {}, anthropic);
    QVERIFY2(list.status == 200, list.body.constData());
    QVERIFY(ids(list.json().value("data"_L1).toArray()).contains(u"claude-cloud"_s));
    QVERIFY(list.json().contains("has_more"_L1));
    const Response one = m_harness.send("GET", u"/v1/models/claude-cloud"_s, {}, {}, anthropic);
    QVERIFY2(one.status == 200, one.body.constData());
    QCOMPARE(one.json().value("type"_L1).toString(), u"model"_s);
    QCOMPARE(one.json().value("display_name"_L1).toString(), Cloud);
    const Response missing = m_harness.send("GET", u"/v1/models/claude-nope"_s, {}, {}, anthropic);
    QCOMPARE(missing.status, 404);
    QCOMPARE(missing.json().value("error"_L1).toObject().value("type"_L1).toString(), u"not_found_error"_s);
    const Response anonymous = m_harness.send("GET", u"/v1/models"_s, {}, {}, {{"anthropic-version", "2023-06-01"}});
    QCOMPARE(anonymous.status, 401);
    QCOMPARE(anonymous.json().value("type"_L1).toString(), u"error"_s);

    // OpenAI clients see what they always saw, and x-api-key is no OpenAI credential.
    const Response openai = m_harness.send("GET", u"/v1/models"_s, {}, m_alice);
    QCOMPARE(openai.status, 200);
    QCOMPARE(openai.json().value("object"_L1).toString(), u"list"_s);
    QVERIFY(ids(openai.json().value("data"_L1).toArray()).contains(Cloud));
    QVERIFY(!openai.json().contains("has_more"_L1));
    QCOMPARE(m_harness.send("GET", u"/v1/models"_s, {}, {}, {{"x-api-key", m_alice}}).status, 401);
    // Anthropic's header on OpenAI's chat endpoint changes nothing there.
    const Response chat = m_harness.send("POST", u"/v1/chat/completions"_s,
                                         toJson({{u"model"_s, Cloud}, {u"messages"_s, userMessage(u"Hi"_s)}}),
                                         m_alice, {{"anthropic-version", "2023-06-01"}});
    QCOMPARE(chat.status, 200);
    QCOMPARE(chat.json().value("object"_L1).toString(), u"chat.completion"_s);
}

void TestClientProbes::claudeIdsOnTheMessagesEndpoints()
{
    const auto [name, token] = m_harness.freshUser();
    for (const QString &path : {u"/v1/messages"_s, u"/claude/v1/messages"_s}) {
        const Response response = m_harness.send("POST", path, toJson(anthropicBody(u"claude-cloud"_s)), {},
                                                 {{"x-api-key", token}, {"anthropic-version", "2023-06-01"}});
        QVERIFY2(response.status == 200, response.body.constData());
        // The answer names the model as the client did; the node got the real one.
        QCOMPARE(response.json().value("model"_L1).toString(), u"claude-cloud"_s);
        QCOMPARE(m_harness.openai()->lastRequest().body.value("model"_L1).toString(), u"gpt-4o-mini"_s);
    }
    // Streamed too.
    QJsonObject streamed = anthropicBody(u"claude-cloud"_s);
    streamed.insert(u"stream"_s, true);
    const Response stream = m_harness.send("POST", u"/v1/messages"_s, toJson(streamed), token);
    QVERIFY2(stream.status == 200, stream.body.constData());
    QVERIFY(stream.body.contains("\"model\":\"claude-cloud\""));
    // Logged and counted under the model it resolved to.
    const QJsonArray logs = m_harness.waitForLogs(name, 3);
    QCOMPARE(logs.size(), 3);
    for (const QJsonValue &log : logs)
        QCOMPARE(log.toObject().value("model_name"_L1).toString(), Cloud);

    const Response counted = m_harness.send("POST", u"/v1/messages/count_tokens"_s,
                                            toJson(anthropicBody(u"claude-coder"_s)), token);
    QVERIFY2(counted.status == 200, counted.body.constData());
    QVERIFY(counted.json().value("input_tokens"_L1).toInteger() > 0);
}

void TestClientProbes::claudeIdsFollowAccessAndNames()
{
    // Access is decided for the name the id resolves to.
    const Response allowed = m_harness.send("POST", u"/v1/messages"_s, toJson(anthropicBody(u"claude-coder"_s)), m_bob);
    QVERIFY2(allowed.status == 200, allowed.body.constData());
    QCOMPARE(allowed.json().value("model"_L1).toString(), u"claude-coder"_s);
    for (const QString &path : {u"/v1/messages"_s, u"/v1/messages/count_tokens"_s}) {
        const Response refused = m_harness.send("POST", path, toJson(anthropicBody(u"claude-cloud"_s)), m_bob);
        QCOMPARE(refused.status, 403);
        QCOMPARE(refused.json().value("error"_L1).toObject().value("type"_L1).toString(), u"permission_error"_s);
        const Response unknown = m_harness.send("POST", path, toJson(anthropicBody(u"claude-nothing"_s)), m_alice);
        QCOMPARE(unknown.status, 404);
        QCOMPARE(unknown.json().value("error"_L1).toObject().value("type"_L1).toString(), u"not_found_error"_s);
        const Response bare = m_harness.send("POST", path, toJson(anthropicBody(u"claude-"_s)), m_alice);
        QCOMPARE(bare.status, 404);
    }
    // A mapping named claude-... is itself, not an alias of "direct".
    const Response named = m_harness.send("POST", u"/v1/messages"_s, toJson(anthropicBody(ClaudeNamed)), m_alice);
    QVERIFY2(named.status == 200, named.body.constData());
    QCOMPARE(named.json().value("model"_L1).toString(), ClaudeNamed);
    QCOMPARE(m_harness.ollama()->lastRequest().body.value("model"_L1).toString(), u"llama3.2:latest"_s);
    // Other dialects take names as they are.
    const Response openai = m_harness.send("POST", u"/v1/chat/completions"_s,
                                           toJson({{u"model"_s, u"claude-cloud"_s}, {u"messages"_s, userMessage(u"Hi"_s)}}),
                                           m_alice);
    QCOMPARE(openai.status, 404);
}

QTEST_MAIN(TestClientProbes)
#include "tst_clientprobes.moc"

// Bedrock nodes over real sockets: every client dialect, streamed and not, through a fake Bedrock
// that checks each request's SigV4 signature from the bytes it received; refusals reaching the
// client in its dialect; credentials that never come back out of the admin API, the logs or the
// audit trail.

#include "fakebedrock.h"
#include "gatewayharness.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QTest>

using namespace Maestro;
using namespace Maestro::Test;
using namespace Qt::StringLiterals;

namespace {

constexpr QByteArrayView AccessKeyId = "AKIAFAKEBEDROCK01";
constexpr QByteArrayView SecretKey = "s3cr3t/Bedrock+Key/ForTests0123456789abcd";
constexpr QByteArrayView SessionToken = "FQoGZXIvYXdzEFAKE-session-token-0123456789";
constexpr QByteArrayView ApiKey = "ABSKQmVkcm9ja0FQSUtleS1mYWtlLTAxMjM0NTY3ODk=";
const QString ModelId = u"anthropic.claude-3-5-sonnet-20240620-v1:0"_s;
const QString KeyModelId = u"amazon.nova-pro-v1:0"_s;

QMutex g_logMutex;
QStringList g_logLines;
QtMessageHandler g_previousHandler = nullptr;

void recordMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&g_logMutex);
        g_logLines << message;
    }
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

struct ToolCall
{
    QString name;
    QJsonObject arguments;
};

QJsonObject objectOf(const QJsonValue &value)
{
    return value.isObject() ? value.toObject()
                            : QJsonDocument::fromJson(value.toString().toUtf8()).object();
}

// The one tool call of an answer, in whichever dialect and framing it came.
ToolCall toolCallIn(const QString &dialect, bool stream, const QByteArray &body)
{
    ToolCall call;
    QString arguments;
    if (dialect == "ollama"_L1) {
        const QList<QByteArray> lines = stream ? ndjsonLines(body) : QList<QByteArray> { body };
        for (const QByteArray &line : lines) {
            const QJsonArray calls = QJsonDocument::fromJson(line).object().value("message"_L1)
                                         .toObject().value("tool_calls"_L1).toArray();
            if (!calls.isEmpty()) {
                const QJsonObject function = calls.first().toObject().value("function"_L1).toObject();
                return { function.value("name"_L1).toString(), objectOf(function.value("arguments"_L1)) };
            }
        }
    } else if (dialect == "openai"_L1 && !stream) {
        const QJsonObject function = QJsonDocument::fromJson(body).object().value("choices"_L1).toArray()
            .first().toObject().value("message"_L1).toObject().value("tool_calls"_L1).toArray()
            .first().toObject().value("function"_L1).toObject();
        return { function.value("name"_L1).toString(), objectOf(function.value("arguments"_L1)) };
    } else if (dialect == "openai"_L1) {
        for (const auto &[name, data] : sseEvents(body)) {
            const QJsonArray calls = QJsonDocument::fromJson(data).object().value("choices"_L1).toArray()
                .first().toObject().value("delta"_L1).toObject().value("tool_calls"_L1).toArray();
            for (const QJsonValue &value : calls) {
                const QJsonObject function = value.toObject().value("function"_L1).toObject();
                call.name += function.value("name"_L1).toString();
                arguments += function.value("arguments"_L1).toString();
            }
        }
    } else if (dialect == "responses"_L1) {
        QJsonArray output;
        if (!stream) {
            output = QJsonDocument::fromJson(body).object().value("output"_L1).toArray();
        } else {
            for (const auto &[name, data] : sseEvents(body)) {
                if (name == "response.completed")
                    output = QJsonDocument::fromJson(data).object().value("response"_L1).toObject()
                                 .value("output"_L1).toArray();
            }
        }
        for (const QJsonValue &value : output) {
            const QJsonObject item = value.toObject();
            if (item.value("type"_L1).toString() == "function_call"_L1)
                return { item.value("name"_L1).toString(), objectOf(item.value("arguments"_L1)) };
        }
    } else if (dialect == "anthropic"_L1 && !stream) {
        for (const QJsonValue &value : QJsonDocument::fromJson(body).object().value("content"_L1).toArray()) {
            const QJsonObject block = value.toObject();
            if (block.value("type"_L1).toString() == "tool_use"_L1)
                return { block.value("name"_L1).toString(), block.value("input"_L1).toObject() };
        }
    } else if (dialect == "anthropic"_L1) {
        for (const auto &[name, data] : sseEvents(body)) {
            const QJsonObject event = QJsonDocument::fromJson(data).object();
            const QJsonObject block = event.value("content_block"_L1).toObject();
            if (block.value("type"_L1).toString() == "tool_use"_L1)
                call.name = block.value("name"_L1).toString();
            const QJsonObject delta = event.value("delta"_L1).toObject();
            if (delta.value("type"_L1).toString() == "input_json_delta"_L1)
                arguments += delta.value("partial_json"_L1).toString();
        }
    }
    call.arguments = QJsonDocument::fromJson(arguments.toUtf8()).object();
    return call;
}

QString pathOf(const QString &dialect)
{
    if (dialect == "ollama"_L1)
        return u"/api/chat"_s;
    if (dialect == "responses"_L1)
        return u"/v1/responses"_s;
    if (dialect == "anthropic"_L1)
        return u"/v1/messages"_s;
    return u"/v1/chat/completions"_s;
}

// A request in `dialect` that offers the get_weather tool.
QByteArray toolRequest(const QString &dialect, const QString &model, bool stream)
{
    const QJsonObject schema { { u"type"_s, u"object"_s },
                               { u"properties"_s,
                                 QJsonObject { { u"city"_s, QJsonObject { { u"type"_s, u"string"_s } } } } } };
    QJsonObject body { { u"model"_s, model }, { u"stream"_s, stream } };
    const QString question = u"What is the weather in Paris?"_s;
    if (dialect == "responses"_L1) {
        body.insert("input"_L1, question);
        body.insert("tools"_L1, QJsonArray { QJsonObject { { u"type"_s, u"function"_s },
                                                           { u"name"_s, u"get_weather"_s },
                                                           { u"parameters"_s, schema } } });
    } else if (dialect == "anthropic"_L1) {
        body.insert("max_tokens"_L1, 256);
        body.insert("messages"_L1, userMessage(question));
        body.insert("tools"_L1, QJsonArray { QJsonObject { { u"name"_s, u"get_weather"_s },
                                                           { u"input_schema"_s, schema } } });
    } else {
        body.insert("messages"_L1, userMessage(question));
        body.insert("tools"_L1, QJsonArray { QJsonObject {
                                    { u"type"_s, u"function"_s },
                                    { u"function"_s, QJsonObject { { u"name"_s, u"get_weather"_s },
                                                                   { u"parameters"_s, schema } } } } });
    }
    return toJson(body);
}

// The message of an error answer, checked to be in the shape of the dialect.
QString errorIn(const QString &dialect, const QByteArray &body)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    if (dialect == "ollama"_L1)
        return object.value("error"_L1).toString();
    if (dialect == "anthropic"_L1) {
        if (object.value("type"_L1).toString() != "error"_L1)
            return {};
        return object.value("error"_L1).toObject().value("message"_L1).toString();
    }
    return object.value("error"_L1).toObject().value("message"_L1).toString();
}

} // namespace

class TestBedrockHttp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void aBedrockNodeIsCreatedWithItsModels();
    void adminInputIsChecked_data();
    void adminInputIsChecked();
    void everyDialectGetsTheToolCall_data();
    void everyDialectGetsTheToolCall();
    void textAndUsageComeThrough();
    void toolResultsGoBackAsToolResults();
    void aWrongSignatureIsAnUpstreamErrorInEachDialect_data();
    void aWrongSignatureIsAnUpstreamErrorInEachDialect();
    void theVerifierRefusesTamperingAndStaleDates();
    void aStreamExceptionEndsTheStreamInTheDialect();
    void aBedrockApiKeyIsSentAsBearer();
    void nodeHeadersAreSentUnsignedAndTheSignatureHolds();
    void embeddingsAreRefusedClearly();
    void backupCarriesRegionAndModelsButNoSecret();
    void secretsNeverLeak();

private:
    GatewayHarness m_harness;
    FakeBedrock m_bedrock;
    FakeBedrock m_keyBedrock;
    qint64 m_nodeId = 0;
    qint64 m_keyNodeId = 0;
    QByteArray m_token;
    QString m_user;
};

void TestBedrockHttp::initTestCase()
{
    g_previousHandler = qInstallMessageHandler(recordMessage);
    QVERIFY(m_harness.start({ u"llama3"_s }, { u"gpt-x"_s }, u"hello"_s));
    QVERIFY(m_bedrock.listen());
    QVERIFY(m_keyBedrock.listen());
    m_bedrock.setIamCredentials(AccessKeyId.toByteArray(), SecretKey.toByteArray(),
                                SessionToken.toByteArray());
    m_keyBedrock.setApiKey(ApiKey.toByteArray());

    const Response created = m_harness.admin(
        "POST", u"/admin/nodes"_s,
        { { u"name"_s, u"bedrock-iam"_s },
          { u"node_type"_s, u"bedrock"_s },
          { u"base_url"_s, m_bedrock.baseUrl().toString() },
          { u"region"_s, u"us-east-1"_s },
          { u"model_ids"_s, QJsonArray { ModelId } },
          { u"aws_access_key_id"_s, QString::fromLatin1(AccessKeyId) },
          { u"aws_secret_access_key"_s, QString::fromLatin1(SecretKey) },
          { u"aws_session_token"_s, QString::fromLatin1(SessionToken) } });
    QCOMPARE(created.status, 201);
    m_nodeId = qint64(created.json().value("id"_L1).toDouble());

    const Response keyNode = m_harness.admin(
        "POST", u"/admin/nodes"_s,
        { { u"name"_s, u"bedrock-key"_s },
          { u"node_type"_s, u"bedrock"_s },
          { u"base_url"_s, m_keyBedrock.baseUrl().toString() },
          { u"region"_s, u"us-west-2"_s },
          { u"model_ids"_s, QJsonArray { KeyModelId } },
          { u"api_key"_s, QString::fromLatin1(ApiKey) } });
    QCOMPARE(keyNode.status, 201);
    m_keyNodeId = qint64(keyNode.json().value("id"_L1).toDouble());

    QVERIFY(m_harness.addMapping(u"claude"_s, ModelId));
    QVERIFY(m_harness.addMapping(u"nova"_s, KeyModelId));
    std::tie(m_user, m_token) = m_harness.freshUser();
    QVERIFY(!m_token.isEmpty());
}

void TestBedrockHttp::cleanupTestCase()
{
    m_harness.stop();
    qInstallMessageHandler(g_previousHandler);
}

void TestBedrockHttp::init()
{
    m_bedrock.setIamCredentials(AccessKeyId.toByteArray(), SecretKey.toByteArray(),
                                SessionToken.toByteArray());
    m_bedrock.setClock({});
    m_bedrock.setReplyText(u"Hello from Bedrock"_s);
    m_bedrock.clearToolCall();
    m_bedrock.setStreamException({}, {});
    m_bedrock.clearRequests();
}

void TestBedrockHttp::aBedrockNodeIsCreatedWithItsModels()
{
    const QJsonObject node = m_harness.admin("GET", u"/admin/nodes/%1"_s.arg(m_nodeId)).json();
    QCOMPARE(node.value("node_type"_L1).toString(), u"bedrock"_s);
    QCOMPARE(node.value("region"_L1).toString(), u"us-east-1"_s);
    QCOMPARE(node.value("model_ids"_L1).toArray(), QJsonArray { ModelId });
    QCOMPARE(node.value("api_key_set"_L1).toBool(), true);
    QCOMPARE(node.value("health_status"_L1).toString(), u"healthy"_s);
    // Discovery asked nothing of Bedrock: the models are the configured ones.
    const QJsonArray models = m_harness.admin("GET", u"/admin/nodes/%1/models"_s.arg(m_nodeId)).array();
    QCOMPARE(models.size(), 1);
    QCOMPARE(models.first().toObject().value("name"_L1).toString(), ModelId);
    QCOMPARE(m_bedrock.requests().size(), 0);
    const Response synced = m_harness.admin("POST", u"/admin/nodes/%1/sync-models"_s.arg(m_nodeId));
    QCOMPARE(synced.status, 200);
    QCOMPARE(m_bedrock.requests().size(), 0);
    // The user sees the model through its mapping.
    const Response listed = m_harness.send("GET", u"/v1/models"_s, {}, m_token);
    QVERIFY2(listed.body.contains("\"claude\""), listed.body);
}

void TestBedrockHttp::adminInputIsChecked_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QString>("message");
    const QJsonObject base { { u"name"_s, u"b2"_s }, { u"node_type"_s, u"bedrock"_s },
                             { u"region"_s, u"eu-west-1"_s } };
    QJsonObject noRegion = base;
    noRegion.remove("region"_L1);
    QTest::newRow("a bedrock node needs a region") << noRegion << u"region must be an AWS region"_s;
    QJsonObject badRegion = base;
    badRegion.insert("region"_L1, u"Paris"_s);
    QTest::newRow("a region that is not one") << badRegion << u"region must be an AWS region"_s;
    QJsonObject halfIam = base;
    halfIam.insert("aws_secret_access_key"_L1, u"only-the-secret"_s);
    QTest::newRow("IAM credentials go together") << halfIam << u"aws_access_key_id and aws_secret_access_key are required together"_s;
    QJsonObject ollamaIam { { u"name"_s, u"o2"_s }, { u"node_type"_s, u"ollama"_s },
                            { u"base_url"_s, u"http://127.0.0.1:1"_s },
                            { u"aws_access_key_id"_s, u"AK"_s }, { u"aws_secret_access_key"_s, u"SK"_s } };
    QTest::newRow("IAM credentials are for bedrock nodes") << ollamaIam << u"are for bedrock nodes"_s;
    QJsonObject ollamaRegion { { u"name"_s, u"o3"_s }, { u"node_type"_s, u"ollama"_s },
                               { u"base_url"_s, u"http://127.0.0.1:1"_s }, { u"region"_s, u"us-east-1"_s } };
    QTest::newRow("a region is for bedrock nodes") << ollamaRegion << u"region and model_ids are for bedrock nodes"_s;
    QJsonObject badType = base;
    badType.insert("node_type"_L1, u"cursor"_s);
    badType.insert("base_url"_L1, u"http://127.0.0.1:1"_s);
    QTest::newRow("an unknown node type names the four") << badType << u"\"ollama\", \"openai\", \"bedrock\" or \"anthropic\""_s;
    QJsonObject badModels = base;
    badModels.insert("model_ids"_L1, QJsonArray { 1 });
    QTest::newRow("model_ids are strings") << badModels << u"\"model_ids\" must be an array of strings"_s;
}

void TestBedrockHttp::adminInputIsChecked()
{
    QFETCH(QJsonObject, body);
    QFETCH(QString, message);
    const Response response = m_harness.admin("POST", u"/admin/nodes"_s, body);
    QCOMPARE(response.status, 400);
    QVERIFY2(response.json().value("detail"_L1).toString().contains(message), response.body);
}

void TestBedrockHttp::everyDialectGetsTheToolCall_data()
{
    QTest::addColumn<QString>("dialect");
    QTest::addColumn<bool>("stream");
    for (const QString &dialect : { u"ollama"_s, u"openai"_s, u"responses"_s, u"anthropic"_s }) {
        QTest::newRow(qPrintable(dialect + u", streamed"_s)) << dialect << true;
        QTest::newRow(qPrintable(dialect + u", whole"_s)) << dialect << false;
    }
}

void TestBedrockHttp::everyDialectGetsTheToolCall()
{
    QFETCH(QString, dialect);
    QFETCH(bool, stream);
    m_bedrock.setToolCall(u"get_weather"_s, { { u"city"_s, u"Paris"_s } });
    const Response response = m_harness.send("POST", pathOf(dialect),
                                             toolRequest(dialect, u"claude"_s, stream), m_token);
    QVERIFY2(response.status == 200, response.body);
    const ToolCall call = toolCallIn(dialect, stream, response.body);
    QCOMPARE(call.name, u"get_weather"_s);
    QCOMPARE(call.arguments, (QJsonObject { { u"city"_s, u"Paris"_s } }));

    // What Bedrock got: a signed Converse request with the tool, on the model's own path.
    QCOMPARE(m_bedrock.requests().size(), 1);
    const FakeBedrock::Seen seen = m_bedrock.lastRequest();
    QCOMPARE(seen.status, 200);
    QCOMPARE(seen.target, QByteArray(QByteArray("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/")
                                     + (stream ? "converse-stream" : "converse")));
    const QJsonObject spec = seen.json.value("toolConfig"_L1).toObject().value("tools"_L1).toArray()
                                 .first().toObject().value("toolSpec"_L1).toObject();
    QCOMPARE(spec.value("name"_L1).toString(), u"get_weather"_s);
    QCOMPARE(spec.value("inputSchema"_L1).toObject().value("json"_L1).toObject().value("type"_L1).toString(),
             u"object"_s);
    QCOMPARE(seen.json.value("messages"_L1).toArray().first().toObject().value("role"_L1).toString(), u"user"_s);
    QVERIFY(!seen.json.contains("model"_L1));
}

void TestBedrockHttp::textAndUsageComeThrough()
{
    const auto [user, token] = m_harness.freshUser();
    const QJsonObject body { { u"model"_s, u"claude"_s },
                             { u"max_tokens"_s, 100 },
                             { u"temperature"_s, 0.5 },
                             { u"messages"_s, QJsonArray { QJsonObject { { u"role"_s, u"system"_s },
                                                                        { u"content"_s, u"Be kind"_s } },
                                                           QJsonObject { { u"role"_s, u"user"_s },
                                                                        { u"content"_s, u"Say hello please"_s } } } } };
    const Response whole = m_harness.send("POST", u"/v1/chat/completions"_s, toJson(body), token);
    QCOMPARE(whole.status, 200);
    const QJsonObject answer = whole.json();
    QCOMPARE(answer.value("model"_L1).toString(), u"claude"_s);
    QCOMPARE(answer.value("choices"_L1).toArray().first().toObject().value("message"_L1).toObject()
                 .value("content"_L1).toString(), u"Hello from Bedrock"_s);
    QCOMPARE(answer.value("usage"_L1).toObject().value("prompt_tokens"_L1).toInt(), 5);
    QCOMPARE(answer.value("usage"_L1).toObject().value("completion_tokens"_L1).toInt(), 3);
    const QJsonObject sent = m_bedrock.lastRequest().json;
    QCOMPARE(sent.value("system"_L1).toArray(), (QJsonArray { QJsonObject { { u"text"_s, u"Be kind"_s } } }));
    QCOMPARE(sent.value("inferenceConfig"_L1).toObject(),
             (QJsonObject { { u"maxTokens"_s, 100 }, { u"temperature"_s, 0.5 } }));

    QJsonObject streamed = body;
    streamed.insert("stream"_L1, true);
    const Response stream = m_harness.send("POST", u"/v1/chat/completions"_s, toJson(streamed), token);
    QCOMPARE(stream.status, 200);
    QString text;
    for (const auto &[name, data] : sseEvents(stream.body))
        text += QJsonDocument::fromJson(data).object().value("choices"_L1).toArray().first().toObject()
                    .value("delta"_L1).toObject().value("content"_L1).toString();
    QCOMPARE(text, u"Hello from Bedrock"_s);
    QVERIFY(stream.body.endsWith("data: [DONE]\n\n"));

    // Both logged with Bedrock's own counts, against the Bedrock node.
    const QJsonArray logs = m_harness.waitForLogs(user, 2);
    QCOMPARE(logs.size(), 2);
    for (const QJsonValue &value : logs) {
        const QJsonObject log = value.toObject();
        QCOMPARE(qint64(log.value("node_id"_L1).toDouble()), m_nodeId);
        QCOMPARE(log.value("prompt_tokens"_L1).toInt(), 5);
        QCOMPARE(log.value("completion_tokens"_L1).toInt(), 3);
        QCOMPARE(log.value("status_code"_L1).toInt(), 200);
    }
}

void TestBedrockHttp::toolResultsGoBackAsToolResults()
{
    m_bedrock.setToolCall(u"get_weather"_s, { { u"city"_s, u"Paris"_s } });
    const QByteArray body = R"({"model":"claude","messages":[
        {"role":"user","content":"Weather in Paris?"},
        {"role":"assistant","content":null,"tool_calls":[{"id":"call:abc.1","type":"function",
            "function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
        {"role":"tool","tool_call_id":"call:abc.1","content":"sunny, 21 C"}],
        "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]})";
    const Response response = m_harness.send("POST", u"/v1/chat/completions"_s, body, m_token);
    QCOMPARE(response.status, 200);
    // The fake answers text once the last turn holds a result.
    QCOMPARE(response.json().value("choices"_L1).toArray().first().toObject().value("message"_L1)
                 .toObject().value("content"_L1).toString(), u"Hello from Bedrock"_s);
    const QJsonArray messages = m_bedrock.lastRequest().json.value("messages"_L1).toArray();
    QCOMPARE(messages.size(), 3);
    const QJsonObject use = messages.at(1).toObject().value("content"_L1).toArray().first().toObject()
                                .value("toolUse"_L1).toObject();
    QCOMPARE(use.value("toolUseId"_L1).toString(), u"call_abc_1"_s);
    QCOMPARE(use.value("input"_L1).toObject(), (QJsonObject { { u"city"_s, u"Paris"_s } }));
    const QJsonObject result = messages.at(2).toObject().value("content"_L1).toArray().first().toObject()
                                   .value("toolResult"_L1).toObject();
    QCOMPARE(result.value("toolUseId"_L1).toString(), u"call_abc_1"_s);
    QCOMPARE(result.value("content"_L1).toArray().first().toObject().value("text"_L1).toString(),
             u"sunny, 21 C"_s);
}

void TestBedrockHttp::aWrongSignatureIsAnUpstreamErrorInEachDialect_data()
{
    everyDialectGetsTheToolCall_data();
}

void TestBedrockHttp::aWrongSignatureIsAnUpstreamErrorInEachDialect()
{
    QFETCH(QString, dialect);
    QFETCH(bool, stream);
    // Bedrock expects another secret than the one the node signs with.
    m_bedrock.setIamCredentials(AccessKeyId.toByteArray(), "another-secret", SessionToken.toByteArray());
    const Response response = m_harness.send("POST", pathOf(dialect),
                                             toolRequest(dialect, u"claude"_s, stream), m_token);
    QCOMPARE(response.status, 502);
    const QString message = errorIn(dialect, response.body);
    QVERIFY2(message.contains("bedrock-iam refused the gateway's API key"_L1), response.body);
    QVERIFY2(message.contains("signature we calculated does not match"_L1), response.body);
    QCOMPARE(m_bedrock.lastRequest().status, 403);
}

void TestBedrockHttp::theVerifierRefusesTamperingAndStaleDates()
{
    QCOMPARE(m_harness.send("POST", u"/v1/chat/completions"_s,
                            R"({"model":"claude","messages":[{"role":"user","content":"hi"}]})", m_token)
                 .status,
             200);
    const FakeBedrock::Seen good = m_bedrock.lastRequest();
    QCOMPARE(m_bedrock.verify(good), QString());

    FakeBedrock::Seen tampered = good;
    tampered.body.replace("hi", "ho");
    QVERIFY(m_bedrock.verify(tampered).contains("does not match"_L1));
    FakeBedrock::Seen otherPath = good;
    otherPath.target.replace("converse", "converse-stream");
    QVERIFY(m_bedrock.verify(otherPath).contains("does not match"_L1));

    m_bedrock.setIamCredentials(AccessKeyId.toByteArray(), "wrong", SessionToken.toByteArray());
    QVERIFY(m_bedrock.verify(good).contains("does not match"_L1));
    m_bedrock.setIamCredentials(AccessKeyId.toByteArray(), SecretKey.toByteArray(), "other-token");
    QVERIFY(m_bedrock.verify(good).contains("security token"_L1));
    m_bedrock.setIamCredentials(AccessKeyId.toByteArray(), SecretKey.toByteArray(), SessionToken.toByteArray());
    QCOMPARE(m_bedrock.verify(good), QString());

    // A date more than 5 minutes off is refused, over the socket too.
    m_bedrock.setClock(QDateTime::currentDateTimeUtc().addSecs(600));
    QVERIFY(m_bedrock.verify(good).startsWith("Signature expired"_L1));
    const Response stale = m_harness.send("POST", u"/api/chat"_s,
                                          R"({"model":"claude","stream":false,"messages":[{"role":"user","content":"hi"}]})",
                                          m_token);
    QCOMPARE(stale.status, 502);
    QVERIFY2(errorIn(u"ollama"_s, stale.body).contains("Signature expired"_L1), stale.body);
}

void TestBedrockHttp::aStreamExceptionEndsTheStreamInTheDialect()
{
    m_bedrock.setStreamException("throttlingException", "Too many requests, please wait");
    const Response openai = m_harness.send(
        "POST", u"/v1/chat/completions"_s,
        R"({"model":"claude","stream":true,"messages":[{"role":"user","content":"hi"}]})", m_token);
    QCOMPARE(openai.status, 200); // the stream had begun
    bool sawError = false;
    for (const auto &[name, data] : sseEvents(openai.body))
        sawError = sawError
            || QJsonDocument::fromJson(data).object().value("error"_L1).toObject().value("message"_L1)
                   .toString().contains("throttlingException: Too many requests, please wait"_L1);
    QVERIFY2(sawError, openai.body);

    const Response anthropic = m_harness.send(
        "POST", u"/v1/messages"_s,
        R"({"model":"claude","stream":true,"max_tokens":50,"messages":[{"role":"user","content":"hi"}]})", m_token);
    QCOMPARE(anthropic.status, 200);
    sawError = false;
    for (const auto &[name, data] : sseEvents(anthropic.body))
        sawError = sawError || (name == "error" && data.contains("throttlingException"));
    QVERIFY2(sawError, anthropic.body);
}

void TestBedrockHttp::aBedrockApiKeyIsSentAsBearer()
{
    const Response response = m_harness.send(
        "POST", u"/api/chat"_s,
        R"({"model":"nova","stream":true,"messages":[{"role":"user","content":"hi"}]})", m_token);
    QCOMPARE(response.status, 200);
    QString text;
    for (const QByteArray &line : ndjsonLines(response.body))
        text += QJsonDocument::fromJson(line).object().value("message"_L1).toObject().value("content"_L1).toString();
    QCOMPARE(text, u"Hello from Bedrock"_s);
    const FakeBedrock::Seen seen = m_keyBedrock.lastRequest();
    QCOMPARE(seen.status, 200);
    QCOMPARE(seen.target, QByteArray("/model/amazon.nova-pro-v1%3A0/converse-stream"));
    QVERIFY(seen.header("x-amz-date").isEmpty());
}

// A node's own headers go out after the request is signed: the signature (checked by the fake from
// the bytes it received) still holds, and it does not cover them.
void TestBedrockHttp::nodeHeadersAreSentUnsignedAndTheSignatureHolds()
{
    const QString path = u"/admin/nodes/%1"_s.arg(m_nodeId);
    Response patched = m_harness.admin("PATCH", path,
                                       { { u"headers"_s, QJsonObject { { u"X-Org"_s, u"acme"_s } } },
                                         { u"secret_headers"_s, QJsonObject { { u"X-Tenant-Key"_s, u"tenant-secret"_s } } } });
    QCOMPARE(patched.status, 200);
    const Response response = m_harness.send(
        "POST", u"/api/chat"_s,
        R"({"model":"claude","stream":false,"messages":[{"role":"user","content":"hi"}]})", m_token);
    QCOMPARE(response.status, 200);
    const FakeBedrock::Seen seen = m_bedrock.lastRequest();
    QVERIFY2(seen.status == 200, qPrintable(seen.refusal));
    QCOMPARE(seen.header("x-org"), QByteArray("acme"));
    QCOMPARE(seen.header("x-tenant-key"), QByteArray("tenant-secret"));
    const QByteArray authorization = seen.header("authorization");
    QVERIFY(authorization.contains("SignedHeaders="));
    QVERIFY(!authorization.contains("x-org") && !authorization.contains("x-tenant-key"));
    patched = m_harness.admin("PATCH", path,
                              { { u"headers"_s, QJsonObject() },
                                { u"secret_headers"_s, QJsonObject { { u"X-Tenant-Key"_s, QJsonValue() } } } });
    QCOMPARE(patched.status, 200);
    QVERIFY(!patched.body.contains("tenant-secret"));
}

void TestBedrockHttp::embeddingsAreRefusedClearly()
{
    const Response response = m_harness.send("POST", u"/v1/embeddings"_s,
                                             R"({"model":"claude","input":"hello"})", m_token);
    QCOMPARE(response.status, 400);
    QVERIFY2(errorIn(u"openai"_s, response.body).contains("bedrock-iam (node type bedrock) serves chat only"_L1),
             response.body);
    QCOMPARE(m_bedrock.requests().size(), 0);
}

void TestBedrockHttp::backupCarriesRegionAndModelsButNoSecret()
{
    const Response exported = m_harness.admin("GET", u"/admin/export"_s);
    QCOMPARE(exported.status, 200);
    QJsonObject node;
    for (const QJsonValue &value : exported.json().value("nodes"_L1).toArray()) {
        if (value.toObject().value("name"_L1).toString() == "bedrock-iam"_L1)
            node = value.toObject();
    }
    QCOMPARE(node.value("node_type"_L1).toString(), u"bedrock"_s);
    QCOMPARE(node.value("region"_L1).toString(), u"us-east-1"_s);
    QCOMPARE(node.value("model_ids"_L1).toArray(), QJsonArray { ModelId });

    // Imported back with another model list (and a secret slipped in, which is not taken).
    node.insert("model_ids"_L1, QJsonArray { ModelId, u"meta.llama3-70b-instruct-v1:0"_s });
    node.insert("aws_secret_access_key"_L1, u"must-not-be-taken"_s);
    const Response imported = m_harness.admin("POST", u"/admin/import"_s,
                                              { { u"version"_s, 1 }, { u"nodes"_s, QJsonArray { node } } });
    QVERIFY2(imported.status == 200, imported.body);
    const QJsonObject after = m_harness.admin("GET", u"/admin/nodes/%1"_s.arg(m_nodeId)).json();
    QCOMPARE(after.value("model_ids"_L1).toArray().size(), 2);
    QCOMPARE(after.value("api_key_set"_L1).toBool(), true);
    // The node still signs with its own secret.
    QCOMPARE(m_harness.send("POST", u"/v1/chat/completions"_s,
                            R"({"model":"claude","messages":[{"role":"user","content":"hi"}]})", m_token)
                 .status,
             200);
    QCOMPARE(m_bedrock.lastRequest().status, 200);
    // Back as it was.
    QCOMPARE(m_harness.admin("PATCH", u"/admin/nodes/%1"_s.arg(m_nodeId),
                             { { u"model_ids"_s, QJsonArray { ModelId } } })
                 .status,
             200);
}

void TestBedrockHttp::secretsNeverLeak()
{
    // Credentials changed through the API once more, then every place an admin or a log can see.
    const Response patched = m_harness.admin(
        "PATCH", u"/admin/nodes/%1"_s.arg(m_nodeId),
        { { u"aws_access_key_id"_s, QString::fromLatin1(AccessKeyId) },
          { u"aws_secret_access_key"_s, QString::fromLatin1(SecretKey) },
          { u"aws_session_token"_s, QString::fromLatin1(SessionToken) } });
    QCOMPARE(patched.status, 200);
    QCOMPARE(m_harness.latestAudit().value("details"_L1).toObject().value("api_key_changed"_L1).toBool(), true);

    QList<QByteArray> seen;
    for (const QString &path : { u"/admin/nodes"_s, u"/admin/nodes/%1"_s.arg(m_nodeId),
                                 u"/admin/nodes/%1"_s.arg(m_keyNodeId), u"/admin/export"_s,
                                 u"/admin/audit-logs?limit=1000"_s, u"/admin/request-logs?limit=1000"_s,
                                 u"/admin/nodes/%1/models"_s.arg(m_nodeId) })
        seen << m_harness.admin("GET", path).body;
    seen << patched.body;
    {
        QMutexLocker lock(&g_logMutex);
        seen << g_logLines.join(u'\n').toUtf8();
    }
    // The database file, with its WAL (SQLite: the suite runs on it).
    const QString database = m_harness.stack().database()->config().path;
    QVERIFY(!database.isEmpty());
    int databaseFiles = 0;
    for (const QString &path : QStringList { database, database + u"-wal"_s }) {
        QFile file(path);
        if (!file.exists())
            continue;
        QVERIFY(file.open(QIODevice::ReadOnly));
        seen << file.readAll();
        ++databaseFiles;
    }
    QVERIFY(databaseFiles >= 1);
    for (const QByteArray &text : std::as_const(seen)) {
        for (const QByteArrayView secret : { SecretKey, SessionToken, ApiKey }) {
            QVERIFY2(!text.contains(secret), text.left(300).constData());
        }
    }
}

QTEST_MAIN(TestBedrockHttp)
#include "tst_bedrock_http.moc"

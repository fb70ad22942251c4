// Anthropic nodes over real sockets: every client dialect, streamed and not, through a fake
// Anthropic API that checks the key, the version header and the shape of every Messages request;
// tool calls, images and signed thinking on the way there and back; count_tokens answered by the
// node; refusals in each dialect; failover when Anthropic is overloaded; discovery.

#include "fakeanthropic.h"
#include "gatewayharness.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Maestro;
using namespace Maestro::Test;
using namespace Qt::StringLiterals;

namespace {

constexpr QByteArrayView NodeKey = "sk-ant-api03-node-key-for-tests";
const QString RealModel = u"claude-sonnet-4-5"_s;
const QString Display = u"sonnet"_s;

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

// The answer's text, in whichever dialect and framing it came.
QString textIn(const QString &dialect, bool stream, const QByteArray &body)
{
    QString text;
    if (dialect == "ollama"_L1) {
        for (const QByteArray &line : stream ? ndjsonLines(body) : QList<QByteArray> { body })
            text += QJsonDocument::fromJson(line).object().value("message"_L1).toObject()
                        .value("content"_L1).toString();
    } else if (dialect == "openai"_L1 && !stream) {
        text = QJsonDocument::fromJson(body).object().value("choices"_L1).toArray().first().toObject()
                   .value("message"_L1).toObject().value("content"_L1).toString();
    } else if (dialect == "openai"_L1) {
        for (const auto &[name, data] : sseEvents(body))
            text += QJsonDocument::fromJson(data).object().value("choices"_L1).toArray().first()
                        .toObject().value("delta"_L1).toObject().value("content"_L1).toString();
    } else if (dialect == "responses"_L1 && !stream) {
        text = QJsonDocument::fromJson(body).object().value("output_text"_L1).toString();
    } else if (dialect == "responses"_L1) {
        for (const auto &[name, data] : sseEvents(body)) {
            if (name == "response.output_text.delta")
                text += QJsonDocument::fromJson(data).object().value("delta"_L1).toString();
        }
    } else if (dialect == "anthropic"_L1 && !stream) {
        for (const QJsonValue &value : QJsonDocument::fromJson(body).object().value("content"_L1).toArray()) {
            if (value.toObject().value("type"_L1).toString() == "text"_L1)
                text += value.toObject().value("text"_L1).toString();
        }
    } else if (dialect == "anthropic"_L1) {
        for (const auto &[name, data] : sseEvents(body)) {
            const QJsonObject delta = QJsonDocument::fromJson(data).object().value("delta"_L1).toObject();
            if (delta.value("type"_L1).toString() == "text_delta"_L1)
                text += delta.value("text"_L1).toString();
        }
    }
    return text;
}

// A request in `dialect` that offers the get_weather tool (Ollama's generate: plain text).
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

class TestAnthropicNodeHttp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void discoveryListsTheNodesModels();
    void aNodeAddressIsChecked();
    void everyDialectGetsTheToolCall_data();
    void everyDialectGetsTheToolCall();
    void completionsAndEmbeddingsAreRefusedClearly();
    void toolResultsImagesAndUsageGoThrough();
    void signedThinkingSurvivesAClaudeCodeToolLoop_data();
    void signedThinkingSurvivesAClaudeCodeToolLoop();
    void reasoningReachesOpenAiAndResponsesClients();
    void countTokensAsksTheNode();
    void aWrongKeyIsTheGatewaysFailure_data();
    void aWrongKeyIsTheGatewaysFailure();
    void anOverloadFailsOverToTheNextNode_data();
    void anOverloadFailsOverToTheNextNode();
    void aPromptTooLongIsAContextRefusal();
    void backupCarriesTheType();

private:
    GatewayHarness m_harness;
    FakeAnthropic m_primary;
    FakeAnthropic m_backup;
    qint64 m_primaryId = 0;
    qint64 m_backupId = 0;
    QByteArray m_token;
    QString m_user;
};

void TestAnthropicNodeHttp::initTestCase()
{
    QVERIFY(m_harness.start({ u"llama3"_s }, { u"gpt-x"_s }, u"hello"_s));
    QVERIFY(m_primary.listen());
    QVERIFY(m_backup.listen());
    m_primary.setApiKey(NodeKey.toByteArray());
    m_backup.setApiKey(NodeKey.toByteArray());
    m_primary.setModels({ RealModel, u"claude-haiku-4-5"_s, u"claude-opus-4-1"_s });
    // Paged two at a time: discovery asks for Anthropic's largest page.
    m_primary.setModelPageSize(2);
    m_backup.setModels({ RealModel });

    for (auto [fake, name, priority, id] :
         { std::tuple { &m_primary, u"claude-a"_s, 10, &m_primaryId },
           std::tuple { &m_backup, u"claude-b"_s, 0, &m_backupId } }) {
        const Response created = m_harness.admin(
            "POST", u"/admin/nodes"_s,
            { { u"name"_s, name },
              { u"node_type"_s, u"anthropic"_s },
              { u"base_url"_s, fake->baseUrl().toString() },
              { u"priority"_s, priority },
              { u"api_key"_s, QString::fromLatin1(NodeKey) } });
        QVERIFY2(created.status == 201, created.body);
        *id = qint64(created.json().value("id"_L1).toDouble());
    }
    QVERIFY(m_harness.addMapping(Display, RealModel));
    std::tie(m_user, m_token) = m_harness.freshUser();
    QVERIFY(!m_token.isEmpty());
}

void TestAnthropicNodeHttp::cleanupTestCase()
{
    m_harness.stop();
}

void TestAnthropicNodeHttp::init()
{
    for (FakeAnthropic *fake : { &m_primary, &m_backup }) {
        fake->setApiKey(NodeKey.toByteArray());
        fake->setReplyText(fake == &m_primary ? u"Hello from Claude"_s : u"Hello from the backup"_s);
        fake->clearToolCall();
        fake->setOverloaded(false);
        fake->setStreamError({});
        fake->setMaxInputWords(0);
        fake->clearRequests();
    }
}

void TestAnthropicNodeHttp::discoveryListsTheNodesModels()
{
    const QJsonObject node = m_harness.admin("GET", u"/admin/nodes/%1"_s.arg(m_primaryId)).json();
    QCOMPARE(node.value("node_type"_L1).toString(), u"anthropic"_s);
    QCOMPARE(node.value("health_status"_L1).toString(), u"healthy"_s);
    QCOMPARE(node.value("api_key_set"_L1).toBool(), true);
    QVERIFY(!QJsonDocument(node).toJson().contains(NodeKey.toByteArray()));

    const Response synced = m_harness.admin("POST", u"/admin/nodes/%1/sync-models"_s.arg(m_primaryId));
    QVERIFY2(synced.status == 200, synced.body);
    // Two pages of two: the second asked for after the first one's last model.
    const QList<FakeAnthropic::Seen> seen = m_primary.requests();
    QCOMPARE(seen.size(), 2);
    QCOMPARE(seen.at(0).target, QByteArray("/v1/models?limit=1000"));
    QCOMPARE(seen.at(1).target, QByteArray("/v1/models?limit=1000&after_id=claude-haiku-4-5"));
    for (const FakeAnthropic::Seen &page : seen) {
        QCOMPARE(page.status, 200);
        QCOMPARE(page.header("x-api-key"), NodeKey.toByteArray());
        QCOMPARE(page.header("anthropic-version"), QByteArray("2023-06-01"));
        QCOMPARE(page.header("authorization"), QByteArray());
    }

    const QJsonArray models = m_harness.admin("GET", u"/admin/nodes/%1/models"_s.arg(m_primaryId)).array();
    QStringList names;
    for (const QJsonValue &value : models)
        names.append(value.toObject().value("name"_L1).toString());
    names.sort();
    QCOMPARE(names, (QStringList { u"claude-haiku-4-5"_s, u"claude-opus-4-1"_s, RealModel }));
    for (const QJsonValue &value : models) {
        if (value.toObject().value("name"_L1).toString() == RealModel)
            QCOMPARE(value.toObject().value("details"_L1).toObject().value("display_name"_L1).toString(),
                     u"Display "_s + RealModel);
    }
    // The user sees the mapped model, and the node's own names.
    const Response listed = m_harness.send("GET", u"/v1/models"_s, {}, m_token);
    QVERIFY2(listed.body.contains("\"sonnet\"") && listed.body.contains("claude-opus-4-1"), listed.body);
}

void TestAnthropicNodeHttp::aNodeAddressIsChecked()
{
    // Without one, Anthropic's own API (not created here: its health check would go out).
    const Response bad = m_harness.admin("POST", u"/admin/nodes"_s,
                                         { { u"name"_s, u"claude-bad"_s },
                                           { u"node_type"_s, u"anthropic"_s },
                                           { u"base_url"_s, u"ftp://example.com"_s } });
    QCOMPARE(bad.status, 400);
    QVERIFY2(bad.body.contains("base_url must be an http:// or https:// URL"), bad.body);
    const Response badType = m_harness.admin("POST", u"/admin/nodes"_s,
                                             { { u"name"_s, u"claude-bad"_s },
                                               { u"node_type"_s, u"claude"_s },
                                               { u"base_url"_s, u"http://127.0.0.1:1"_s } });
    QCOMPARE(badType.status, 400);
    QVERIFY2(badType.json().value("detail"_L1).toString().contains("\"bedrock\" or \"anthropic\""_L1), badType.body);
}

void TestAnthropicNodeHttp::everyDialectGetsTheToolCall_data()
{
    QTest::addColumn<QString>("dialect");
    QTest::addColumn<bool>("stream");
    for (const QString &dialect : { u"ollama"_s, u"openai"_s, u"responses"_s, u"anthropic"_s }) {
        QTest::newRow(qPrintable(dialect + u", streamed"_s)) << dialect << true;
        QTest::newRow(qPrintable(dialect + u", whole"_s)) << dialect << false;
    }
}

void TestAnthropicNodeHttp::everyDialectGetsTheToolCall()
{
    QFETCH(QString, dialect);
    QFETCH(bool, stream);
    m_primary.setToolCall(u"get_weather"_s, { { u"city"_s, u"Paris"_s } });
    const Response response = m_harness.send("POST", pathOf(dialect), toolRequest(dialect, Display, stream), m_token);
    QVERIFY2(response.status == 200, response.body);
    const ToolCall call = toolCallIn(dialect, stream, response.body);
    QCOMPARE(call.name, u"get_weather"_s);
    QCOMPARE(call.arguments, (QJsonObject { { u"city"_s, u"Paris"_s } }));

    // What Anthropic got: a Messages request it took, with the real model and the tool.
    const FakeAnthropic::Seen seen = m_primary.lastRequestTo("/v1/messages");
    QVERIFY2(seen.status == 200, qPrintable(seen.refusal));
    QCOMPARE(seen.header("x-api-key"), NodeKey.toByteArray());
    QCOMPARE(seen.header("anthropic-version"), QByteArray("2023-06-01"));
    QCOMPARE(seen.header("authorization"), QByteArray());
    QCOMPARE(seen.json.value("model"_L1).toString(), RealModel);
    QCOMPARE(seen.json.value("stream"_L1).toBool(), stream);
    QVERIFY(seen.json.value("max_tokens"_L1).toInteger() > 0);
    const QJsonObject tool = seen.json.value("tools"_L1).toArray().first().toObject();
    QCOMPARE(tool.value("name"_L1).toString(), u"get_weather"_s);
    QCOMPARE(tool.value("input_schema"_L1).toObject().value("type"_L1).toString(), u"object"_s);
    QCOMPARE(m_backup.requests().size(), 0);
}

void TestAnthropicNodeHttp::completionsAndEmbeddingsAreRefusedClearly()
{
    // The Messages API is chat only: Ollama's generate and embeddings go nowhere, said so.
    const QJsonObject generate { { u"model"_s, Display }, { u"prompt"_s, u"Say hi"_s }, { u"stream"_s, false } };
    const Response response = m_harness.send("POST", u"/api/generate"_s, toJson(generate), m_token);
    QCOMPARE(response.status, 400);
    QVERIFY2(errorIn(u"ollama"_s, response.body).contains("(node type anthropic) serves chat only"_L1),
             response.body);
    const QJsonObject embed { { u"model"_s, Display }, { u"input"_s, u"text"_s } };
    const Response embedded = m_harness.send("POST", u"/v1/embeddings"_s, toJson(embed), m_token);
    QCOMPARE(embedded.status, 400);
    QCOMPARE(m_primary.requests().size(), 0);
}

void TestAnthropicNodeHttp::toolResultsImagesAndUsageGoThrough()
{
    const auto [user, token] = m_harness.freshUser();
    // An agent's second turn: an image both ways, two tool calls and their results.
    const QByteArray body = R"({"model":"sonnet","max_tokens":300,"stop":"END","messages":[
        {"role":"system","content":"You see well"},
        {"role":"user","content":[{"type":"text","text":"Compare these"},
            {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
            {"type":"image_url","image_url":{"url":"https://example.com/b.jpg"}}]},
        {"role":"assistant","content":null,"tool_calls":[
            {"id":"call_a","type":"function","function":{"name":"zoom","arguments":"{\"x\":1}"}},
            {"id":"call_b","type":"function","function":{"name":"zoom","arguments":"{\"x\":2}"}}]},
        {"role":"tool","tool_call_id":"call_a","content":"left is red"},
        {"role":"tool","tool_call_id":"call_b","content":"right is blue"}],
        "tools":[{"type":"function","function":{"name":"zoom","parameters":{"type":"object"}}}]})";
    const Response whole = m_harness.send("POST", u"/v1/chat/completions"_s, body, token);
    QVERIFY2(whole.status == 200, whole.body);
    QCOMPARE(textIn(u"openai"_s, false, whole.body), u"Hello from Claude"_s);
    const QJsonObject usage = whole.json().value("usage"_L1).toObject();

    const FakeAnthropic::Seen seen = m_primary.lastRequestTo("/v1/messages");
    QVERIFY2(seen.status == 200, qPrintable(seen.refusal));
    QCOMPARE(seen.json.value("system"_L1).toString(), u"You see well"_s);
    QCOMPARE(seen.json.value("max_tokens"_L1).toInteger(), qint64(300));
    QCOMPARE(seen.json.value("stop_sequences"_L1).toArray(), QJsonArray { u"END"_s });
    const QJsonArray messages = seen.json.value("messages"_L1).toArray();
    QCOMPARE(messages.size(), 3);
    const QJsonArray first = messages.at(0).toObject().value("content"_L1).toArray();
    QCOMPARE(first.at(1).toObject().value("source"_L1).toObject(),
             (QJsonObject { { u"type"_s, u"base64"_s }, { u"media_type"_s, u"image/png"_s },
                            { u"data"_s, u"iVBORw0KGgo="_s } }));
    QCOMPARE(first.at(2).toObject().value("source"_L1).toObject(),
             (QJsonObject { { u"type"_s, u"url"_s }, { u"url"_s, u"https://example.com/b.jpg"_s } }));
    const QJsonArray results = messages.at(2).toObject().value("content"_L1).toArray();
    QCOMPARE(results.size(), 2);
    QCOMPARE(results.at(1).toObject().value("tool_use_id"_L1).toString(), u"call_b"_s);

    // Input words 13 (system 3, text 2, results 6, ...) plus 2 read from the cache: what the
    // node said, counted as prompt tokens, and logged so.
    const int input = 3 + 2 + 3 + 3 + 2;
    QCOMPARE(usage.value("prompt_tokens"_L1).toInt(), input);
    QCOMPARE(usage.value("completion_tokens"_L1).toInt(), 3);
    const QJsonArray logs = m_harness.waitForLogs(user, 1);
    QCOMPARE(logs.size(), 1);
    QCOMPARE(qint64(logs.first().toObject().value("node_id"_L1).toDouble()), m_primaryId);
    QCOMPARE(logs.first().toObject().value("prompt_tokens"_L1).toInt(), input);
}

void TestAnthropicNodeHttp::signedThinkingSurvivesAClaudeCodeToolLoop_data()
{
    QTest::addColumn<bool>("stream");
    QTest::newRow("streamed") << true;
    QTest::newRow("whole") << false;
}

void TestAnthropicNodeHttp::signedThinkingSurvivesAClaudeCodeToolLoop()
{
    QFETCH(bool, stream);
    m_primary.setToolCall(u"read_file"_s, { { u"path"_s, u"a.txt"_s } });
    const QJsonObject thinking { { u"type"_s, u"enabled"_s }, { u"budget_tokens"_s, 2048 } };
    const QJsonObject tool { { u"name"_s, u"read_file"_s },
                             { u"input_schema"_s, QJsonObject { { u"type"_s, u"object"_s } } } };
    QJsonObject first { { u"model"_s, Display }, { u"max_tokens"_s, 8000 }, { u"stream"_s, stream },
                        { u"thinking"_s, thinking }, { u"tools"_s, QJsonArray { tool } },
                        { u"messages"_s, userMessage(u"Read a.txt"_s) } };
    const Response answer = m_harness.send("POST", u"/v1/messages"_s, toJson(first), m_token);
    QVERIFY2(answer.status == 200, answer.body);
    QCOMPARE(m_primary.lastRequestTo("/v1/messages").json.value("thinking"_L1).toObject(), thinking);

    // The assistant turn as the client puts it together from the answer.
    QJsonArray content;
    if (!stream) {
        content = answer.json().value("content"_L1).toArray();
    } else {
        QJsonObject block;
        QString partial;
        for (const auto &[name, data] : sseEvents(answer.body)) {
            const QJsonObject event = QJsonDocument::fromJson(data).object();
            const QString type = event.value("type"_L1).toString();
            if (type == "content_block_start"_L1) {
                block = event.value("content_block"_L1).toObject();
                partial.clear();
            } else if (type == "content_block_delta"_L1) {
                const QJsonObject delta = event.value("delta"_L1).toObject();
                if (delta.value("type"_L1) == "thinking_delta"_L1)
                    block.insert("thinking"_L1, QString(block.value("thinking"_L1).toString() + delta.value("thinking"_L1).toString()));
                else if (delta.value("type"_L1) == "signature_delta"_L1)
                    block.insert("signature"_L1, delta.value("signature"_L1));
                else if (delta.value("type"_L1) == "input_json_delta"_L1)
                    partial += delta.value("partial_json"_L1).toString();
            } else if (type == "content_block_stop"_L1) {
                if (block.value("type"_L1) == "tool_use"_L1)
                    block.insert("input"_L1, QJsonDocument::fromJson(partial.toUtf8()).object());
                content.append(block);
            }
        }
    }
    QCOMPARE(content.size(), 2);
    QCOMPARE(content.at(0).toObject().value("type"_L1).toString(), u"thinking"_s);
    QCOMPARE(content.at(0).toObject().value("signature"_L1).toString(), FakeAnthropic::signature());
    QCOMPARE(content.at(0).toObject().value("thinking"_L1).toString(), u"Let me think about this."_s);
    QCOMPARE(content.at(1).toObject().value("type"_L1).toString(), u"tool_use"_s);
    const QString toolUseId = content.at(1).toObject().value("id"_L1).toString();

    // The next turn carries the thinking back with the tool's result: Anthropic takes it only
    // with the signature it gave.
    QJsonObject second = first;
    second.insert("messages"_L1,
                  QJsonArray { userMessage(u"Read a.txt"_s).first(),
                               QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, content } },
                               QJsonObject { { u"role"_s, u"user"_s },
                                             { u"content"_s,
                                               QJsonArray { QJsonObject { { u"type"_s, u"tool_result"_s },
                                                                          { u"tool_use_id"_s, toolUseId },
                                                                          { u"content"_s, u"file text"_s } } } } } });
    m_primary.clearToolCall();
    const Response next = m_harness.send("POST", u"/v1/messages"_s, toJson(second), m_token);
    const FakeAnthropic::Seen seen = m_primary.lastRequestTo("/v1/messages");
    QVERIFY2(next.status == 200, qPrintable(seen.refusal + u" / "_s + QString::fromUtf8(next.body)));
    QCOMPARE(seen.status, 200);
    const QJsonArray assistant = seen.json.value("messages"_L1).toArray().at(1).toObject().value("content"_L1).toArray();
    QCOMPARE(assistant.first().toObject().value("signature"_L1).toString(), FakeAnthropic::signature());
    QCOMPARE(textIn(u"anthropic"_s, stream, next.body), u"Hello from Claude"_s);
}

void TestAnthropicNodeHttp::reasoningReachesOpenAiAndResponsesClients()
{
    // OpenAI's reasoning_effort becomes a thinking budget; the thinking comes back as reasoning.
    const QByteArray chat = R"({"model":"sonnet","reasoning_effort":"medium","temperature":0.3,
        "messages":[{"role":"user","content":"Think first"}]})";
    const Response whole = m_harness.send("POST", u"/v1/chat/completions"_s, chat, m_token);
    QVERIFY2(whole.status == 200, whole.body);
    FakeAnthropic::Seen seen = m_primary.lastRequestTo("/v1/messages");
    QVERIFY2(seen.status == 200, qPrintable(seen.refusal));
    QCOMPARE(seen.json.value("thinking"_L1).toObject(),
             (QJsonObject { { u"type"_s, u"enabled"_s }, { u"budget_tokens"_s, 4096 } }));
    QVERIFY(seen.json.value("max_tokens"_L1).toInteger() > 4096);
    QVERIFY(!seen.json.contains("temperature"_L1));
    const QJsonObject message = whole.json().value("choices"_L1).toArray().first().toObject()
                                    .value("message"_L1).toObject();
    QCOMPARE(message.value("reasoning_content"_L1).toString(), u"Let me think about this."_s);
    QCOMPARE(message.value("content"_L1).toString(), u"Hello from Claude"_s);

    const QByteArray responses = R"({"model":"sonnet","stream":true,"reasoning":{"effort":"low"},"input":"Think first"})";
    const Response streamed = m_harness.send("POST", u"/v1/responses"_s, responses, m_token);
    QVERIFY2(streamed.status == 200, streamed.body);
    seen = m_primary.lastRequestTo("/v1/messages");
    QCOMPARE(seen.json.value("thinking"_L1).toObject().value("budget_tokens"_L1).toInt(), 1024);
    QVERIFY2(streamed.body.contains("Let me think about this."), streamed.body);
    QCOMPARE(textIn(u"responses"_s, true, streamed.body), u"Hello from Claude"_s);
}

void TestAnthropicNodeHttp::countTokensAsksTheNode()
{
    const QJsonObject body { { u"model"_s, Display },
                             { u"max_tokens"_s, 100 },
                             { u"stream"_s, true },
                             { u"system"_s, u"Be brief"_s },
                             { u"messages"_s, userMessage(u"one two three four"_s) } };
    for (const QString &path : { u"/v1/messages/count_tokens"_s, u"/claude/v1/messages/count_tokens"_s }) {
        m_primary.clearRequests();
        const Response counted = m_harness.send("POST", path, toJson(body), m_token);
        QVERIFY2(counted.status == 200, counted.body);
        QCOMPARE(counted.json().value("input_tokens"_L1).toInt(), 6 + FakeAnthropic::CountTokensOffset);
        const FakeAnthropic::Seen seen = m_primary.lastRequestTo("/v1/messages/count_tokens");
        QCOMPARE(seen.status, 200);
        QCOMPARE(seen.json.value("model"_L1).toString(), RealModel);
        QCOMPARE(seen.header("x-api-key"), NodeKey.toByteArray());
        QVERIFY(!seen.json.contains("max_tokens"_L1));
    }

    // A model on another node type keeps the local estimate; so does a node that fails.
    QJsonObject other = body;
    other.insert("model"_L1, u"gpt-x"_s);
    m_primary.clearRequests();
    const Response estimated = m_harness.send("POST", u"/v1/messages/count_tokens"_s, toJson(other), m_token);
    QCOMPARE(estimated.status, 200);
    QVERIFY(estimated.json().value("input_tokens"_L1).toInt() < FakeAnthropic::CountTokensOffset);
    QCOMPARE(m_primary.requests().size(), 0);
    m_primary.setApiKey("another-key");
    const Response fallback = m_harness.send("POST", u"/v1/messages/count_tokens"_s, toJson(body), m_token);
    QCOMPARE(fallback.status, 200);
    QCOMPARE(m_primary.lastRequestTo("/v1/messages/count_tokens").status, 401);
    const int estimate = fallback.json().value("input_tokens"_L1).toInt();
    QVERIFY(estimate > 0 && estimate < FakeAnthropic::CountTokensOffset);
}

void TestAnthropicNodeHttp::aWrongKeyIsTheGatewaysFailure_data()
{
    QTest::addColumn<QString>("dialect");
    QTest::addColumn<bool>("stream");
    for (const QString &dialect : { u"ollama"_s, u"openai"_s, u"responses"_s, u"anthropic"_s }) {
        QTest::newRow(qPrintable(dialect + u", streamed"_s)) << dialect << true;
        QTest::newRow(qPrintable(dialect + u", whole"_s)) << dialect << false;
    }
}

void TestAnthropicNodeHttp::aWrongKeyIsTheGatewaysFailure()
{
    QFETCH(QString, dialect);
    QFETCH(bool, stream);
    m_primary.setApiKey("sk-ant-rotated");
    const Response response = m_harness.send("POST", pathOf(dialect), toolRequest(dialect, Display, stream), m_token);
    QCOMPARE(response.status, 502);
    const QString message = errorIn(dialect, response.body);
    QVERIFY2(message.contains("claude-a refused the gateway's API key: authentication_error: invalid x-api-key"_L1),
             response.body);
    QVERIFY(!response.body.contains(NodeKey.toByteArray()));
    QCOMPARE(m_primary.lastRequestTo("/v1/messages").status, 401);
}

void TestAnthropicNodeHttp::anOverloadFailsOverToTheNextNode_data()
{
    QTest::addColumn<QString>("dialect");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<bool>("inStream"); // the overload as an error event in a 200 stream
    QTest::newRow("openai, 529, whole") << u"openai"_s << false << false;
    QTest::newRow("anthropic, 529, streamed") << u"anthropic"_s << true << false;
    QTest::newRow("anthropic, error event in the stream") << u"anthropic"_s << true << true;
    QTest::newRow("ollama, error event in the stream") << u"ollama"_s << true << true;
}

void TestAnthropicNodeHttp::anOverloadFailsOverToTheNextNode()
{
    QFETCH(QString, dialect);
    QFETCH(bool, stream);
    QFETCH(bool, inStream);
    const auto [user, token] = m_harness.freshUser();
    if (inStream)
        m_primary.setStreamError("overloaded_error");
    else
        m_primary.setOverloaded(true);
    const Response response = m_harness.send("POST", pathOf(dialect), toolRequest(dialect, Display, stream), token);
    QVERIFY2(response.status == 200, response.body);
    QCOMPARE(textIn(dialect, stream, response.body), u"Hello from the backup"_s);
    QCOMPARE(m_primary.lastRequestTo("/v1/messages").status, inStream ? 200 : 529);
    QCOMPARE(m_backup.lastRequestTo("/v1/messages").status, 200);
    const QJsonArray logs = m_harness.waitForLogs(user, 1);
    QCOMPARE(logs.size(), 1);
    QCOMPARE(qint64(logs.first().toObject().value("node_id"_L1).toDouble()), m_backupId);

    // With every node overloaded, the client hears it in its dialect.
    m_backup.setOverloaded(true);
    const Response failed = m_harness.send("POST", pathOf(dialect), toolRequest(dialect, Display, stream), token);
    QCOMPARE(failed.status, 502);
    QVERIFY2(errorIn(dialect, failed.body).contains("overloaded_error: Overloaded"_L1), failed.body);
}

void TestAnthropicNodeHttp::aPromptTooLongIsAContextRefusal()
{
    m_primary.setMaxInputWords(3);
    const Response anthropic = m_harness.send("POST", u"/v1/messages"_s,
                                              toolRequest(u"anthropic"_s, Display, false), m_token);
    QCOMPARE(anthropic.status, 400);
    // Said the way Claude Code recognises, so that it compacts the conversation.
    QVERIFY2(errorIn(u"anthropic"_s, anthropic.body).startsWith("prompt is too long"_L1), anthropic.body);
    const Response openAi = m_harness.send("POST", u"/v1/chat/completions"_s,
                                           toolRequest(u"openai"_s, Display, true), m_token);
    QCOMPARE(openAi.status, 400);
    QCOMPARE(openAi.json().value("error"_L1).toObject().value("code"_L1).toString(), u"context_length_exceeded"_s);
    // A refusal of the request itself is not tried on the other node.
    QCOMPARE(m_backup.requests().size(), 0);
}

void TestAnthropicNodeHttp::backupCarriesTheType()
{
    const Response exported = m_harness.admin("GET", u"/admin/export"_s);
    QCOMPARE(exported.status, 200);
    QVERIFY(!exported.body.contains(NodeKey.toByteArray()));
    QJsonObject node;
    for (const QJsonValue &value : exported.json().value("nodes"_L1).toArray()) {
        if (value.toObject().value("name"_L1).toString() == "claude-b"_L1)
            node = value.toObject();
    }
    QCOMPARE(node.value("node_type"_L1).toString(), u"anthropic"_s);
    node.insert("name"_L1, u"claude-restored"_s);
    node.remove("id"_L1);
    const Response imported = m_harness.admin("POST", u"/admin/import"_s,
                                              { { u"version"_s, 1 }, { u"nodes"_s, QJsonArray { node } } });
    QVERIFY2(imported.status == 200, imported.body);
    bool found = false;
    for (const QJsonValue &value : m_harness.admin("GET", u"/admin/nodes"_s).array()) {
        const QJsonObject restored = value.toObject();
        if (restored.value("name"_L1).toString() == "claude-restored"_L1) {
            found = true;
            QCOMPARE(restored.value("node_type"_L1).toString(), u"anthropic"_s);
            QCOMPARE(restored.value("base_url"_L1).toString(), m_backup.baseUrl().toString());
            m_harness.admin("DELETE", u"/admin/nodes/%1"_s.arg(qint64(restored.value("id"_L1).toDouble())));
        }
    }
    QVERIFY(found);
}

QTEST_GUILESS_MAIN(TestAnthropicNodeHttp)
#include "tst_anthropicnode_http.moc"

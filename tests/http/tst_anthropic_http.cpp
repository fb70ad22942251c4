// The Anthropic Messages endpoints end to end over real sockets, on an Ollama node and on an
// OpenAI-compatible node: what Claude Code and the Anthropic SDKs rely on.

#include "gatewayharness.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Maestro;
using namespace Maestro::Test;

namespace {

const QString ReplyText = u"Hello from the fake node"_s;
const QString LocalModel = u"claude-local"_s; // on the Ollama node
const QString CloudModel = u"claude-cloud"_s; // on the OpenAI node

QJsonObject messagesBody(const QString &model, const QJsonArray &messages, const QJsonObject &extra = {})
{
    QJsonObject body{{u"model"_s, model}, {u"max_tokens"_s, 512}, {u"messages"_s, messages}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        body.insert(it.key(), it.value());
    return body;
}

const QJsonObject WeatherTool{{u"name"_s, u"get_weather"_s},
                              {u"description"_s, u"The current weather in a city"_s},
                              {u"input_schema"_s, QJsonObject{{u"type"_s, u"object"_s},
                                                              {u"properties"_s, QJsonObject{{u"city"_s, QJsonObject{{u"type"_s, u"string"_s}}}}},
                                                              {u"required"_s, QJsonArray{u"city"_s}}}}};

} // namespace

class TestAnthropicHttp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void messages_data();
    void messages();
    void errorShapes_data();
    void errorShapes();
    void streamEventOrder_data();
    void streamEventOrder();
    void toolUseRoundTrip_data();
    void toolUseRoundTrip();
    void systemPromptAndParameters_data();
    void systemPromptAndParameters();
    void countTokens();
    void rootProbes();
    void unknownBetaHeaderIgnored_data();
    void unknownBetaHeaderIgnored();
    void requestLogWithUsage_data();
    void requestLogWithUsage();
    void brokenStreamEndsWithErrorEvent_data();
    void brokenStreamEndsWithErrorEvent();
    void dailyLimitInAnthropicShape();

private:
    void addNodeColumns();
    FakeUpstream *node(bool ollama) const { return ollama ? m_harness.ollama() : m_harness.openai(); }

    GatewayHarness m_harness;
    QByteArray m_alice; // every model
    QByteArray m_bob; // claude-local only
};

void TestAnthropicHttp::initTestCase()
{
    QVERIFY(m_harness.start({u"llama3.2:latest"_s}, {u"gpt-4o-mini"_s}, ReplyText));
    QVERIFY(m_harness.addMapping(LocalModel, u"llama3.2:latest"_s));
    QVERIFY(m_harness.addMapping(CloudModel, u"gpt-4o-mini"_s));
    m_alice = m_harness.createUser(u"alice"_s, {u"*"_s});
    m_bob = m_harness.createUser(u"bob"_s, {LocalModel});
    QVERIFY(!m_alice.isEmpty() && !m_bob.isEmpty());
}

void TestAnthropicHttp::cleanup()
{
    m_harness.reset();
}

void TestAnthropicHttp::cleanupTestCase()
{
    m_harness.stop();
}

void TestAnthropicHttp::addNodeColumns()
{
    QTest::addColumn<bool>("ollamaNode");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("realModel");
}

void TestAnthropicHttp::messages_data()
{
    addNodeColumns();
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("apiKeyHeader");
    for (const bool ollama : {true, false}) {
        const char *where = ollama ? "an Ollama node" : "an OpenAI node";
        const QString model = ollama ? LocalModel : CloudModel;
        const QString real = ollama ? u"llama3.2:latest"_s : u"gpt-4o-mini"_s;
        QTest::addRow("a message to %s with the token in x-api-key is answered as an Anthropic message", where)
            << ollama << model << real << u"/v1/messages"_s << true;
        QTest::addRow("a message to %s with the token as bearer is answered as an Anthropic message", where)
            << ollama << model << real << u"/v1/messages"_s << false;
        QTest::addRow("a message to %s at /v1/messages?beta=true is answered the same", where)
            << ollama << model << real << u"/v1/messages?beta=true"_s << true;
    }
}

void TestAnthropicHttp::messages()
{
    QFETCH(bool, ollamaNode);
    QFETCH(QString, model);
    QFETCH(QString, realModel);
    QFETCH(QString, path);
    QFETCH(bool, apiKeyHeader);
    node(ollamaNode)->setTokenCounts(9, 4);
    const QByteArray body = toJson(messagesBody(model, userMessage(u"Say hello"_s)));
    const Response response = apiKeyHeader
        ? m_harness.send("POST", path, body, {}, {{"x-api-key", m_alice}, {"anthropic-version", "2023-06-01"}})
        : m_harness.send("POST", path, body, m_alice, {{"anthropic-version", "2023-06-01"}});
    QVERIFY2(response.status == 200, response.body.constData());
    QVERIFY(response.headers.value("content-type").startsWith("application/json"));
    const QJsonObject message = response.json();
    QCOMPARE(message.value("type"_L1).toString(), u"message"_s);
    QCOMPARE(message.value("role"_L1).toString(), u"assistant"_s);
    QCOMPARE(message.value("model"_L1).toString(), model);
    QVERIFY(message.value("id"_L1).toString().startsWith("msg_"_L1));
    const QJsonArray content = message.value("content"_L1).toArray();
    QCOMPARE(content.size(), 1);
    QCOMPARE(content.at(0).toObject().value("type"_L1).toString(), u"text"_s);
    QCOMPARE(content.at(0).toObject().value("text"_L1).toString(), ReplyText);
    QCOMPARE(message.value("stop_reason"_L1).toString(), u"end_turn"_s);
    const QJsonObject usage = message.value("usage"_L1).toObject();
    QCOMPARE(usage.value("input_tokens"_L1).toInt(), 9);
    QCOMPARE(usage.value("output_tokens"_L1).toInt(), 4);

    // The node was asked in its own dialect, for the real model, and never saw the user's token.
    FakeUpstream *upstream = node(ollamaNode);
    QCOMPARE(upstream->requests().size(), 1);
    const RecordedRequest request = upstream->lastRequest();
    QCOMPARE(request.path, ollamaNode ? QByteArray("/api/chat") : QByteArray("/v1/chat/completions"));
    QCOMPARE(request.body.value("model"_L1).toString(), realModel);
    QCOMPARE(request.body.value("messages"_L1).toArray().last().toObject().value("content"_L1).toString(),
             u"Say hello"_s);
    QVERIFY(!request.rawBody.contains(m_alice));
    QVERIFY(!request.header("authorization").contains(m_alice));
    QVERIFY(request.header("x-api-key").isEmpty());
}

void TestAnthropicHttp::errorShapes_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("auth"); // "x-api-key:<who>", "bearer:<who>" or empty
    QTest::addColumn<int>("expectedStatus");
    QTest::addColumn<QString>("expectedType");

    const QByteArray fine = toJson(messagesBody(LocalModel, userMessage(u"hi"_s)));
    const QByteArray cloud = toJson(messagesBody(CloudModel, userMessage(u"hi"_s)));
    const QByteArray unknown = toJson(messagesBody(u"claude-nonexistent"_s, userMessage(u"hi"_s)));
    for (const QString &path : {u"/v1/messages"_s, u"/v1/messages/count_tokens"_s}) {
        const QByteArray p = path.toUtf8();
        QTest::addRow("%s without a token is 401 authentication_error", p.constData())
            << path << fine << QString() << 401 << u"authentication_error"_s;
        QTest::addRow("%s with an unknown x-api-key is 401 authentication_error", p.constData())
            << path << fine << u"x-api-key:nobody"_s << 401 << u"authentication_error"_s;
        QTest::addRow("%s with an unknown bearer token is 401 authentication_error", p.constData())
            << path << fine << u"bearer:nobody"_s << 401 << u"authentication_error"_s;
        QTest::addRow("%s for a model the user was not granted is 403 permission_error", p.constData())
            << path << cloud << u"x-api-key:bob"_s << 403 << u"permission_error"_s;
        QTest::addRow("%s for an unknown model is 404 not_found_error", p.constData())
            << path << unknown << u"x-api-key:alice"_s << 404 << u"not_found_error"_s;
        QTest::addRow("%s with malformed JSON is 400 invalid_request_error", p.constData())
            << path << QByteArray("{\"model\": ") << u"x-api-key:alice"_s << 400 << u"invalid_request_error"_s;
        QTest::addRow("%s without messages is 400 invalid_request_error", p.constData())
            << path << toJson({{u"model"_s, LocalModel}, {u"max_tokens"_s, 10}}) << u"x-api-key:alice"_s << 400
            << u"invalid_request_error"_s;
        QTest::addRow("%s without a model is 400 invalid_request_error", p.constData())
            << path << toJson({{u"max_tokens"_s, 10}, {u"messages"_s, userMessage(u"hi"_s)}}) << u"x-api-key:alice"_s
            << 400 << u"invalid_request_error"_s;
    }
    QTest::newRow("a message whose max_tokens is a string is 400 invalid_request_error")
        << u"/v1/messages"_s << toJson(messagesBody(LocalModel, userMessage(u"hi"_s), {{u"max_tokens"_s, u"many"_s}}))
        << u"x-api-key:alice"_s << 400 << u"invalid_request_error"_s;
    QTest::newRow("a message whose system prompt is a number is 400 invalid_request_error")
        << u"/v1/messages"_s << toJson(messagesBody(LocalModel, userMessage(u"hi"_s), {{u"system"_s, 42}}))
        << u"x-api-key:alice"_s << 400 << u"invalid_request_error"_s;
}

void TestAnthropicHttp::errorShapes()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QString, auth);
    QFETCH(int, expectedStatus);
    QFETCH(QString, expectedType);
    Headers headers;
    QByteArray bearer;
    if (!auth.isEmpty()) {
        const QString who = auth.section(u':', 1);
        const QByteArray token = who == "alice"_L1 ? m_alice : who == "bob"_L1 ? m_bob : QByteArray("not-a-token");
        if (auth.startsWith("bearer:"_L1))
            bearer = token;
        else
            headers.append({"x-api-key", token});
    }
    const Response response = m_harness.send("POST", path, body, bearer, headers);
    QVERIFY2(response.status == expectedStatus, response.body.constData());
    const QJsonObject json = response.json();
    QCOMPARE(json.keys(), (QStringList{u"error"_s, u"type"_s}));
    QCOMPARE(json.value("type"_L1).toString(), u"error"_s);
    const QJsonObject error = json.value("error"_L1).toObject();
    QCOMPARE(error.keys(), (QStringList{u"message"_s, u"type"_s}));
    QCOMPARE(error.value("type"_L1).toString(), expectedType);
    QVERIFY(!error.value("message"_L1).toString().isEmpty());
    QCOMPARE(m_harness.ollama()->requests().size() + m_harness.openai()->requests().size(), 0);
}

void TestAnthropicHttp::streamEventOrder_data()
{
    addNodeColumns();
    QTest::newRow("a streamed message from an Ollama node arrives piece by piece in Anthropic event order")
        << true << LocalModel << u"llama3.2:latest"_s;
    QTest::newRow("a streamed message from an OpenAI node arrives piece by piece in Anthropic event order")
        << false << CloudModel << u"gpt-4o-mini"_s;
}

void TestAnthropicHttp::streamEventOrder()
{
    QFETCH(bool, ollamaNode);
    QFETCH(QString, model);
    QFETCH(QString, realModel);
    constexpr int Words = 8;
    constexpr int DelayMs = 50;
    FakeUpstream *upstream = node(ollamaNode);
    upstream->setChunkDelay(DelayMs);
    upstream->setReplyWords(Words);
    upstream->setTokenCounts(12, Words);
    const Response response = m_harness.send(
        "POST", u"/v1/messages"_s, toJson(messagesBody(model, userMessage(u"Count"_s), {{u"stream"_s, true}})), {},
        {{"x-api-key", m_alice}});
    QVERIFY2(response.status == 200, response.body.constData());
    QVERIFY(response.headers.value("content-type").startsWith("text/event-stream"));
    QVERIFY2(response.pieces.size() > Words / 2, qPrintable(u"only %1 pieces arrived"_s.arg(response.pieces.size())));
    const qint64 spread = response.times.last() - response.times.first();
    QVERIFY2(spread >= (Words - 3) * DelayMs, qPrintable(u"pieces spread over %1 ms only"_s.arg(spread)));

    const auto events = sseEvents(response.body);
    QStringList names;
    QString text;
    QJsonObject start;
    QJsonObject messageDelta;
    for (const auto &[name, data] : events) {
        const QJsonObject event = QJsonDocument::fromJson(data).object();
        // Every event names its type twice, in the "event:" line and in the data.
        QCOMPARE(event.value("type"_L1).toString(), QString::fromUtf8(name));
        if (names.isEmpty() || names.last() != QString::fromUtf8(name))
            names.append(QString::fromUtf8(name));
        if (name == "message_start")
            start = event.value("message"_L1).toObject();
        if (name == "content_block_delta") {
            QCOMPARE(event.value("delta"_L1).toObject().value("type"_L1).toString(), u"text_delta"_s);
            text += event.value("delta"_L1).toObject().value("text"_L1).toString();
        }
        if (name == "message_delta")
            messageDelta = event;
    }
    QCOMPARE(names, (QStringList{u"message_start"_s, u"ping"_s, u"content_block_start"_s, u"content_block_delta"_s,
                                 u"content_block_stop"_s, u"message_delta"_s, u"message_stop"_s}));
    const int deltas = int(std::count_if(events.cbegin(), events.cend(), [](const auto &e) {
        return e.first == "content_block_delta";
    }));
    QVERIFY2(deltas >= Words / 2, qPrintable(u"%1 deltas"_s.arg(deltas)));
    QCOMPARE(text.split(u' ', Qt::SkipEmptyParts).size(), Words);
    QCOMPARE(start.value("model"_L1).toString(), model);
    QCOMPARE(start.value("role"_L1).toString(), u"assistant"_s);
    QVERIFY(!response.body.contains(realModel.toUtf8()));
    QCOMPARE(messageDelta.value("delta"_L1).toObject().value("stop_reason"_L1).toString(), u"end_turn"_s);
    QCOMPARE(messageDelta.value("usage"_L1).toObject().value("output_tokens"_L1).toInt(), Words);
    QVERIFY(response.body.endsWith("\n\n"));
}

void TestAnthropicHttp::toolUseRoundTrip_data()
{
    addNodeColumns();
    QTest::addColumn<bool>("stream");
    for (const bool ollama : {true, false}) {
        for (const bool stream : {false, true}) {
            QTest::addRow("a %s tool call from an %s node arrives as a tool_use block and its result goes back as a tool message",
                          stream ? "streamed" : "whole", ollama ? "Ollama" : "OpenAI")
                << ollama << (ollama ? LocalModel : CloudModel) << (ollama ? u"llama3.2:latest"_s : u"gpt-4o-mini"_s)
                << stream;
        }
    }
}

void TestAnthropicHttp::toolUseRoundTrip()
{
    QFETCH(bool, ollamaNode);
    QFETCH(QString, model);
    QFETCH(bool, stream);
    FakeUpstream *upstream = node(ollamaNode);
    upstream->setToolCall(u"get_weather"_s, R"({"city":"Oslo"})");
    upstream->setToolCallUntilResult(true);
    const QJsonArray question = userMessage(u"What is the weather in Oslo?"_s);
    const Response first = m_harness.send(
        "POST", u"/v1/messages"_s,
        toJson(messagesBody(model, question, {{u"tools"_s, QJsonArray{WeatherTool}}, {u"stream"_s, stream}})), {},
        {{"x-api-key", m_alice}});
    QVERIFY2(first.status == 200, first.body.constData());

    // The tool definition reached the node as a function.
    const QJsonObject function = upstream->lastRequest().body.value("tools"_L1).toArray().at(0).toObject()
                                     .value("function"_L1).toObject();
    QCOMPARE(function.value("name"_L1).toString(), u"get_weather"_s);
    QCOMPARE(function.value("parameters"_L1).toObject(), WeatherTool.value("input_schema"_L1).toObject());

    QString toolId;
    QJsonObject input;
    QString stopReason;
    if (stream) {
        QString arguments;
        bool sawToolStart = false;
        for (const auto &[name, data] : sseEvents(first.body)) {
            const QJsonObject event = QJsonDocument::fromJson(data).object();
            if (name == "content_block_start"
                && event.value("content_block"_L1).toObject().value("type"_L1).toString() == "tool_use"_L1) {
                sawToolStart = true;
                const QJsonObject block = event.value("content_block"_L1).toObject();
                toolId = block.value("id"_L1).toString();
                QCOMPARE(block.value("name"_L1).toString(), u"get_weather"_s);
            } else if (name == "content_block_delta") {
                const QJsonObject delta = event.value("delta"_L1).toObject();
                if (delta.value("type"_L1).toString() == "input_json_delta"_L1)
                    arguments += delta.value("partial_json"_L1).toString();
            } else if (name == "message_delta") {
                stopReason = event.value("delta"_L1).toObject().value("stop_reason"_L1).toString();
            }
        }
        QVERIFY2(sawToolStart, first.body.constData());
        input = QJsonDocument::fromJson(arguments.toUtf8()).object();
        QVERIFY(sseEvents(first.body).constLast().first == "message_stop");
    } else {
        const QJsonObject message = first.json();
        stopReason = message.value("stop_reason"_L1).toString();
        QJsonObject block;
        for (const QJsonValue &value : message.value("content"_L1).toArray()) {
            if (value.toObject().value("type"_L1).toString() == "tool_use"_L1)
                block = value.toObject();
        }
        QVERIFY2(!block.isEmpty(), first.body.constData());
        QCOMPARE(block.value("name"_L1).toString(), u"get_weather"_s);
        toolId = block.value("id"_L1).toString();
        input = block.value("input"_L1).toObject();
    }
    QCOMPARE(stopReason, u"tool_use"_s);
    QVERIFY(!toolId.isEmpty());
    QCOMPARE(input, (QJsonObject{{u"city"_s, u"Oslo"_s}}));

    // The follow-up carries the call and its result, as Claude Code sends them.
    QJsonArray conversation = question;
    conversation.append(QJsonObject{{u"role"_s, u"assistant"_s},
                                    {u"content"_s, QJsonArray{QJsonObject{{u"type"_s, u"tool_use"_s},
                                                                          {u"id"_s, toolId},
                                                                          {u"name"_s, u"get_weather"_s},
                                                                          {u"input"_s, input}}}}});
    conversation.append(QJsonObject{{u"role"_s, u"user"_s},
                                    {u"content"_s, QJsonArray{QJsonObject{{u"type"_s, u"tool_result"_s},
                                                                          {u"tool_use_id"_s, toolId},
                                                                          {u"content"_s, QJsonArray{QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u"Sunny, 21 C"_s}}}}}}}});
    const Response second = m_harness.send(
        "POST", u"/v1/messages"_s,
        toJson(messagesBody(model, conversation, {{u"tools"_s, QJsonArray{WeatherTool}}, {u"stream"_s, stream}})), {},
        {{"x-api-key", m_alice}});
    QVERIFY2(second.status == 200, second.body.constData());
    if (stream) {
        QString text;
        for (const auto &[name, data] : sseEvents(second.body)) {
            if (name == "content_block_delta")
                text += QJsonDocument::fromJson(data).object().value("delta"_L1).toObject().value("text"_L1).toString();
        }
        QCOMPARE(text, ReplyText);
    } else {
        QCOMPARE(second.json().value("content"_L1).toArray().at(0).toObject().value("text"_L1).toString(), ReplyText);
        QCOMPARE(second.json().value("stop_reason"_L1).toString(), u"end_turn"_s);
    }

    const QJsonArray sent = upstream->lastRequest().body.value("messages"_L1).toArray();
    QCOMPARE(sent.size(), 3);
    const QJsonObject call = sent.at(1).toObject();
    QCOMPARE(call.value("role"_L1).toString(), u"assistant"_s);
    const QJsonObject callFunction = call.value("tool_calls"_L1).toArray().at(0).toObject().value("function"_L1).toObject();
    QCOMPARE(callFunction.value("name"_L1).toString(), u"get_weather"_s);
    const QJsonObject result = sent.at(2).toObject();
    QCOMPARE(result.value("role"_L1).toString(), u"tool"_s);
    QCOMPARE(result.value("content"_L1).toString(), u"Sunny, 21 C"_s);
    if (ollamaNode) {
        // Ollama takes the arguments as an object.
        QCOMPARE(callFunction.value("arguments"_L1).toObject(), input);
    } else {
        QCOMPARE(QJsonDocument::fromJson(callFunction.value("arguments"_L1).toString().toUtf8()).object(), input);
        QCOMPARE(call.value("tool_calls"_L1).toArray().at(0).toObject().value("id"_L1).toString(), toolId);
        QCOMPARE(result.value("tool_call_id"_L1).toString(), toolId);
    }
}

void TestAnthropicHttp::systemPromptAndParameters_data()
{
    addNodeColumns();
    QTest::newRow("a system prompt in blocks and the sampling parameters reach an Ollama node")
        << true << LocalModel << u"llama3.2:latest"_s;
    QTest::newRow("a system prompt in blocks and the sampling parameters reach an OpenAI node")
        << false << CloudModel << u"gpt-4o-mini"_s;
}

void TestAnthropicHttp::systemPromptAndParameters()
{
    QFETCH(bool, ollamaNode);
    QFETCH(QString, model);
    const QJsonArray system{QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u"You are terse."_s},
                                        {u"cache_control"_s, QJsonObject{{u"type"_s, u"ephemeral"_s}}}}};
    const QJsonObject body = messagesBody(model, userMessage(u"hi"_s),
                                          {{u"system"_s, system},
                                           {u"temperature"_s, 0.25},
                                           {u"stop_sequences"_s, QJsonArray{u"END"_s}},
                                           {u"metadata"_s, QJsonObject{{u"user_id"_s, u"u-1"_s}}}});
    const Response response = m_harness.send("POST", u"/v1/messages"_s, toJson(body), m_alice);
    QVERIFY2(response.status == 200, response.body.constData());
    const QJsonObject sent = node(ollamaNode)->lastRequest().body;
    const QJsonObject first = sent.value("messages"_L1).toArray().at(0).toObject();
    QCOMPARE(first.value("role"_L1).toString(), u"system"_s);
    QCOMPARE(first.value("content"_L1).toString(), u"You are terse."_s);
    QVERIFY(!sent.contains("metadata"_L1));
    if (ollamaNode) {
        const QJsonObject options = sent.value("options"_L1).toObject();
        QCOMPARE(options.value("temperature"_L1).toDouble(), 0.25);
        QCOMPARE(options.value("num_predict"_L1).toInt(), 512);
        QCOMPARE(options.value("stop"_L1).toArray(), (QJsonArray{u"END"_s}));
    } else {
        QCOMPARE(sent.value("temperature"_L1).toDouble(), 0.25);
        QVERIFY(sent.value("max_tokens"_L1).toInt() == 512 || sent.value("max_completion_tokens"_L1).toInt() == 512);
        QCOMPARE(sent.value("stop"_L1).toArray(), (QJsonArray{u"END"_s}));
    }
}

void TestAnthropicHttp::countTokens()
{
    const auto count = [this](const QJsonObject &body, const QByteArray &path = "/v1/messages/count_tokens") {
        const Response response = m_harness.send("POST", QString::fromLatin1(path), toJson(body), {},
                                                 {{"x-api-key", m_alice}, {"anthropic-beta", "token-counting-2024-11-01"}});
        if (response.status != 200) {
            qWarning() << response.status << response.body;
            return -1;
        }
        if (response.json().keys() != QStringList{u"input_tokens"_s})
            return -2;
        return response.json().value("input_tokens"_L1).toInt(-3);
    };
    QJsonObject shortBody{{u"model"_s, LocalModel}, {u"messages"_s, userMessage(u"Hi"_s)}};
    const int few = count(shortBody);
    QVERIFY2(few >= 1, qPrintable(QString::number(few)));
    QJsonObject longBody{{u"model"_s, CloudModel},
                         {u"system"_s, u"You are a careful assistant. "_s.repeated(20)},
                         {u"messages"_s, userMessage(u"Tell me a long story about a lighthouse keeper. "_s.repeated(40))},
                         {u"tools"_s, QJsonArray{WeatherTool}}};
    const int many = count(longBody);
    QVERIFY2(many > few * 50, qPrintable(u"%1 vs %2"_s.arg(many).arg(few)));
    QCOMPARE(count(longBody, "/v1/messages/count_tokens?beta=true"), many);
    // Counting is the gateway's own estimate: no node is asked.
    QCOMPARE(m_harness.ollama()->requests().size() + m_harness.openai()->requests().size(), 0);
}

void TestAnthropicHttp::rootProbes()
{
    // Claude Code and other clients probe the base URL before they start.
    QCOMPARE(m_harness.send("HEAD", u"/"_s, {}, {}).status, 200);
    QCOMPARE(m_harness.send("GET", u"/"_s, {}, {}).status, 200);
}

void TestAnthropicHttp::unknownBetaHeaderIgnored_data()
{
    addNodeColumns();
    QTest::newRow("an unknown anthropic-beta header is ignored on the way to an Ollama node")
        << true << LocalModel << u"llama3.2:latest"_s;
    QTest::newRow("an unknown anthropic-beta header is ignored on the way to an OpenAI node")
        << false << CloudModel << u"gpt-4o-mini"_s;
}

void TestAnthropicHttp::unknownBetaHeaderIgnored()
{
    QFETCH(bool, ollamaNode);
    QFETCH(QString, model);
    const Response response = m_harness.send(
        "POST", u"/v1/messages?beta=true"_s,
        toJson(messagesBody(model, userMessage(u"hi"_s), {{u"stream"_s, true}})), {},
        {{"x-api-key", m_alice},
         {"anthropic-version", "2023-06-01"},
         {"anthropic-beta", "some-future-feature-2099-01-01,interleaved-thinking-2025-05-14"},
         {"anthropic-dangerous-direct-browser-access", "true"},
         {"x-stainless-lang", "js"}});
    QVERIFY2(response.status == 200, response.body.constData());
    QVERIFY(response.body.contains("message_stop"));
    const RecordedRequest sent = node(ollamaNode)->lastRequest();
    QVERIFY(sent.header("anthropic-beta").isEmpty());
    QVERIFY(sent.header("anthropic-version").isEmpty());
}

void TestAnthropicHttp::requestLogWithUsage_data()
{
    addNodeColumns();
    QTest::addColumn<bool>("stream");
    for (const bool ollama : {true, false}) {
        for (const bool stream : {false, true}) {
            QTest::addRow("a %s message on an %s node is logged with the node's usage",
                          stream ? "streamed" : "whole", ollama ? "Ollama" : "OpenAI")
                << ollama << (ollama ? LocalModel : CloudModel) << (ollama ? u"llama3.2:latest"_s : u"gpt-4o-mini"_s)
                << stream;
        }
    }
}

void TestAnthropicHttp::requestLogWithUsage()
{
    QFETCH(bool, ollamaNode);
    QFETCH(QString, model);
    QFETCH(QString, realModel);
    QFETCH(bool, stream);
    node(ollamaNode)->setTokenCounts(13, 5);
    const auto [username, token] = m_harness.freshUser();
    const Response response = m_harness.send(
        "POST", u"/v1/messages"_s, toJson(messagesBody(model, userMessage(u"hi"_s), {{u"stream"_s, stream}})), {},
        {{"x-api-key", token}});
    QVERIFY2(response.status == 200, response.body.constData());
    const QJsonArray logs = m_harness.waitForLogs(username, 1);
    QCOMPARE(logs.size(), 1);
    const QJsonObject log = logs.at(0).toObject();
    QCOMPARE(log.value("endpoint"_L1).toString(), u"/v1/messages"_s);
    QCOMPARE(log.value("model_name"_L1).toString(), model);
    QCOMPARE(log.value("real_model"_L1).toString(), realModel);
    QCOMPARE(log.value("status_code"_L1).toInt(), 200);
    QCOMPARE(log.value("prompt_tokens"_L1).toInt(), 13);
    QCOMPARE(log.value("completion_tokens"_L1).toInt(), 5);
    QCOMPARE(log.value("total_tokens"_L1).toInt(), 18);
    QCOMPARE(log.value("streamed"_L1).toBool(), stream);
    QCOMPARE(qint64(log.value("node_id"_L1).toDouble()), ollamaNode ? m_harness.ollamaId() : m_harness.openaiId());
}

void TestAnthropicHttp::brokenStreamEndsWithErrorEvent_data()
{
    addNodeColumns();
    QTest::newRow("a stream an Ollama node breaks off ends with an Anthropic error event")
        << true << LocalModel << u"llama3.2:latest"_s;
    QTest::newRow("a stream an OpenAI node breaks off ends with an Anthropic error event")
        << false << CloudModel << u"gpt-4o-mini"_s;
}

void TestAnthropicHttp::brokenStreamEndsWithErrorEvent()
{
    QFETCH(bool, ollamaNode);
    QFETCH(QString, model);
    FakeUpstream *upstream = node(ollamaNode);
    upstream->setReplyWords(10);
    upstream->setChunkDelay(20);
    upstream->dropAfterChunks(3);
    const auto [username, token] = m_harness.freshUser();
    const Response response = m_harness.send(
        "POST", u"/v1/messages"_s, toJson(messagesBody(model, userMessage(u"hi"_s), {{u"stream"_s, true}})), {},
        {{"x-api-key", token}});
    QVERIFY(response.finished);
    QCOMPARE(response.status, 200); // the stream had started
    const auto events = sseEvents(response.body);
    QVERIFY2(!events.isEmpty(), response.body.constData());
    QCOMPARE(events.first().first, QByteArray("message_start"));
    QCOMPARE(events.last().first, QByteArray("error"));
    const QJsonObject error = QJsonDocument::fromJson(events.last().second).object();
    QCOMPARE(error.value("type"_L1).toString(), u"error"_s);
    QCOMPARE(error.value("error"_L1).toObject().value("type"_L1).toString(), u"api_error"_s);
    for (const auto &event : events)
        QVERIFY(event.first != "message_stop");
    const QJsonArray logs = m_harness.waitForLogs(username, 1);
    QCOMPARE(logs.size(), 1);
    QCOMPARE(logs.at(0).toObject().value("status_code"_L1).toInt(), 502);
}

void TestAnthropicHttp::dailyLimitInAnthropicShape()
{
    const auto [username, token] = m_harness.freshUser();
    QCOMPARE(m_harness.admin("POST", u"/admin/users/%1/limits"_s.arg(username),
                             {{u"request_limit"_s, 1}, {u"token_limit"_s, QJsonValue()}}).status, 200);
    const QByteArray body = toJson(messagesBody(LocalModel, userMessage(u"hi"_s)));
    QCOMPARE(m_harness.send("POST", u"/v1/messages"_s, body, {}, {{"x-api-key", token}}).status, 200);
    const Response refused = m_harness.send("POST", u"/v1/messages"_s, body, {}, {{"x-api-key", token}});
    QCOMPARE(refused.status, 429);
    QVERIFY(refused.headers.value("retry-after").toInt() > 0);
    QCOMPARE(refused.json().value("type"_L1).toString(), u"error"_s);
    QCOMPARE(refused.json().value("error"_L1).toObject().value("type"_L1).toString(), u"rate_limit_error"_s);
}

QTEST_GUILESS_MAIN(TestAnthropicHttp)
#include "tst_anthropic_http.moc"

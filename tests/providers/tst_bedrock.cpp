#include "awseventstream.h"
#include "core/bedrockcredentials.h"
#include "providers/aws/converse.h"
#include "providers/nodetypes/bedrocknode.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Maestro;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Maestro::Translate::ApiKind)

namespace {

using Translate::ApiKind;

QJsonObject parse(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QByteArray header(const UpstreamRequest &request, const QByteArray &name)
{
    for (const auto &field : request.headers) {
        if (field.first.compare(name, Qt::CaseInsensitive) == 0)
            return field.second;
    }
    return {};
}

Node bedrockNode(const QString &baseUrl = {})
{
    Node node;
    node.id = 4;
    node.name = u"bedrock-1"_s;
    node.type = NodeType::Bedrock;
    node.region = u"eu-central-1"_s;
    node.baseUrl = QUrl(baseUrl);
    node.modelIds = { u"anthropic.claude-3-5-sonnet-20240620-v1:0"_s, u"amazon.nova-pro-v1:0"_s };
    return node;
}

// Each event as "chunk <compact json without id and created>", "end" or "error <message>".
QStringList drain(NodeStream &stream)
{
    QStringList out;
    NodeStream::Event event;
    while (stream.next(&event)) {
        switch (event.kind) {
        case NodeStream::Event::Kind::Chunk: {
            QJsonObject object = event.object;
            object.remove("id"_L1);
            object.remove("created"_L1);
            out << u"chunk "_s + compact(object);
            break;
        }
        case NodeStream::Event::Kind::End:
            out << u"end"_s;
            break;
        case NodeStream::Event::Kind::Error:
            out << u"error "_s + event.message;
            break;
        }
    }
    return out;
}

QByteArray frame(const QByteArray &type, const char *json)
{
    return Test::bedrockEvent(type, json);
}

} // namespace

class TestBedrock : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void theAdapterIsRegistered();
    void chatRequestBecomesConverse();
    void toolIdsAreSanitised();
    void converseAnswerBecomesChat();
    void stopReasons_data();
    void stopReasons();
    void streamEventsBecomeChunks();
    void aStreamSplitAtEveryByteGivesTheSameChunks();
    void exceptionsAndBrokenFramesEndTheStream_data();
    void exceptionsAndBrokenFramesEndTheStream();
    void requestIsSignedForIamCredentials();
    void requestCarriesABedrockApiKey();
    void theBaseUrlOverridesTheRegionalEndpoint();
    void modelsComeFromTheNode();
    void credentialsRoundTripThroughTheSecret();
    void errorMessagesAreAwsShaped();
};

void TestBedrock::theAdapterIsRegistered()
{
    const NodeAdapter &adapter = NodeAdapter::forType(NodeType::Bedrock);
    QCOMPARE(adapter.type(), NodeType::Bedrock);
    QCOMPARE(adapter.wire(), NodeType::OpenAi);
    QVERIFY(adapter.serves(ApiKind::Chat));
    QVERIFY(adapter.serves(ApiKind::Responses));
    QVERIFY(!adapter.serves(ApiKind::Embeddings));
    QVERIFY(!adapter.serves(ApiKind::Completion));
    QVERIFY(!adapter.hasOllamaApi());
    QCOMPARE(nodeTypeName(NodeType::Bedrock), u"bedrock"_s);
    QCOMPARE(nodeTypeFromName(u"bedrock"_s).value_or(NodeType::Ollama), NodeType::Bedrock);
}

void TestBedrock::chatRequestBecomesConverse()
{
    const QJsonObject chat = parse(R"({
        "model": "anthropic.claude-3-5-sonnet-20240620-v1:0", "stream": true,
        "stream_options": {"include_usage": true},
        "max_tokens": 512, "temperature": 0.2, "top_p": 0.9, "stop": ["END"],
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [
                {"type": "text", "text": "What is in this picture, and the weather?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]},
            {"role": "assistant", "content": "", "tool_calls": [
                {"id": "call:1/x", "type": "function",
                 "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
            {"role": "tool", "tool_call_id": "call:1/x", "content": "sunny"},
            {"role": "user", "content": "Thanks"}
        ],
        "tools": [{"type": "function", "function": {"name": "get_weather",
                   "description": "Weather of a city",
                   "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
        "tool_choice": "required"
    })");
    const QJsonObject expected = parse(R"({
        "system": [{"text": "Be brief."}],
        "messages": [
            {"role": "user", "content": [
                {"text": "What is in this picture, and the weather?"},
                {"image": {"format": "png", "source": {"bytes": "iVBORw0KGgo="}}}]},
            {"role": "assistant", "content": [
                {"toolUse": {"toolUseId": "call_1_x", "name": "get_weather", "input": {"city": "Paris"}}}]},
            {"role": "user", "content": [
                {"toolResult": {"toolUseId": "call_1_x", "content": [{"text": "sunny"}]}},
                {"text": "Thanks"}]}
        ],
        "inferenceConfig": {"maxTokens": 512, "temperature": 0.2, "topP": 0.9, "stopSequences": ["END"]},
        "toolConfig": {"tools": [{"toolSpec": {"name": "get_weather", "description": "Weather of a city",
                       "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}}}}}}],
                       "toolChoice": {"any": {}}}
    })");
    QCOMPARE(compact(Converse::request(chat)), compact(expected));

    // The bytes sent are that object.
    const QByteArray encoded
        = NodeAdapter::forType(NodeType::Bedrock).encodeRequest(ApiKind::Chat, chat);
    QCOMPARE(compact(QJsonDocument::fromJson(encoded).object()), compact(expected));

    // A named tool, "auto", and no tools at all.
    QJsonObject named = chat;
    named.insert("tool_choice"_L1, parse(R"({"type":"function","function":{"name":"get_weather"}})"));
    QCOMPARE(Converse::request(named).value("toolConfig"_L1).toObject().value("toolChoice"_L1).toObject(),
             parse(R"({"tool":{"name":"get_weather"}})"));
    named.insert("tool_choice"_L1, u"auto"_s);
    QCOMPARE(Converse::request(named).value("toolConfig"_L1).toObject().value("toolChoice"_L1).toObject(),
             parse(R"({"auto":{}})"));
    named.remove("tools"_L1);
    QVERIFY(!Converse::request(named).contains("toolConfig"_L1));
    // max_completion_tokens wins over max_tokens.
    named.insert("max_completion_tokens"_L1, 64);
    QCOMPARE(Converse::request(named).value("inferenceConfig"_L1).toObject().value("maxTokens"_L1).toInt(), 64);
}

void TestBedrock::toolIdsAreSanitised()
{
    QCOMPARE(Converse::toolUseId(u"tooluse_AbC-9"_s), u"tooluse_AbC-9"_s);
    QCOMPARE(Converse::toolUseId(u"call:abc/def.1"_s), u"call_abc_def_1"_s);
    QCOMPARE(Converse::toolUseId(QString(100, u'a')), QString(64, u'a'));
    QCOMPARE(Converse::toolUseId(u"ümlaut"_s), u"_mlaut"_s);
    QCOMPARE(Converse::toolUseId(QString()), u"tool_call"_s);
}

void TestBedrock::converseAnswerBecomesChat()
{
    const QJsonObject converse = parse(R"({
        "output": {"message": {"role": "assistant", "content": [
            {"reasoningContent": {"reasoningText": {"text": "The user wants weather.", "signature": "abc"}}},
            {"text": "Let me check."},
            {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}}}]}},
        "stopReason": "tool_use",
        "usage": {"inputTokens": 12, "outputTokens": 7, "totalTokens": 19},
        "metrics": {"latencyMs": 100}
    })");
    const std::optional<QJsonObject> decoded = NodeAdapter::forType(NodeType::Bedrock)
        .decodeAnswer(QJsonDocument(converse).toJson());
    QVERIFY(decoded);
    QJsonObject chat = *decoded;
    QVERIFY(chat.value("id"_L1).toString().startsWith("chatcmpl-"_L1));
    chat.remove("id"_L1);
    chat.remove("created"_L1);
    QCOMPARE(compact(chat), compact(parse(R"({
        "object": "chat.completion", "model": "",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": "Let me check.",
            "reasoning_content": "The user wants weather.",
            "tool_calls": [{"id": "tooluse_1", "type": "function",
                            "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]}}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19}
    })")));

    QVERIFY(!NodeAdapter::forType(NodeType::Bedrock).decodeAnswer("{\"message\":\"no\"}"));
    QVERIFY(!NodeAdapter::forType(NodeType::Bedrock).decodeAnswer("not json"));
}

void TestBedrock::stopReasons_data()
{
    QTest::addColumn<QString>("stopReason");
    QTest::addColumn<QString>("finishReason");
    QTest::newRow("end_turn") << u"end_turn"_s << u"stop"_s;
    QTest::newRow("stop_sequence") << u"stop_sequence"_s << u"stop"_s;
    QTest::newRow("max_tokens") << u"max_tokens"_s << u"length"_s;
    QTest::newRow("tool_use") << u"tool_use"_s << u"tool_calls"_s;
    QTest::newRow("content_filtered") << u"content_filtered"_s << u"content_filter"_s;
    QTest::newRow("guardrail_intervened") << u"guardrail_intervened"_s << u"content_filter"_s;
}

void TestBedrock::stopReasons()
{
    QFETCH(QString, stopReason);
    QFETCH(QString, finishReason);
    QCOMPARE(Converse::finishReason(stopReason), finishReason);
}

static QByteArray sampleStream()
{
    return frame("messageStart", R"({"role":"assistant"})")
        + frame("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"Hmm."}}})")
        + frame("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"sig"}}})")
        + frame("contentBlockStop", R"({"contentBlockIndex":0})")
        + frame("contentBlockDelta", R"({"contentBlockIndex":1,"delta":{"text":"Checking"}})")
        + frame("contentBlockStart", R"({"contentBlockIndex":2,"start":{"toolUse":{"toolUseId":"tooluse_7","name":"get_weather"}}})")
        + frame("contentBlockDelta", R"({"contentBlockIndex":2,"delta":{"toolUse":{"input":"{\"city\":"}}})")
        + frame("contentBlockDelta", R"({"contentBlockIndex":2,"delta":{"toolUse":{"input":"\"Paris\"}"}}})")
        + frame("contentBlockStop", R"({"contentBlockIndex":2})")
        + frame("messageStop", R"({"stopReason":"tool_use"})")
        + frame("metadata", R"({"usage":{"inputTokens":20,"outputTokens":9,"totalTokens":29},"metrics":{"latencyMs":5}})");
}

static const QStringList SampleChunks = {
    uR"(chunk {"choices":[{"delta":{"content":"","role":"assistant"},"finish_reason":null,"index":0}],"model":"","object":"chat.completion.chunk"})"_s,
    uR"(chunk {"choices":[{"delta":{"reasoning_content":"Hmm."},"finish_reason":null,"index":0}],"model":"","object":"chat.completion.chunk"})"_s,
    uR"(chunk {"choices":[{"delta":{"content":"Checking"},"finish_reason":null,"index":0}],"model":"","object":"chat.completion.chunk"})"_s,
    uR"(chunk {"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"","name":"get_weather"},"id":"tooluse_7","index":0,"type":"function"}]},"finish_reason":null,"index":0}],"model":"","object":"chat.completion.chunk"})"_s,
    uR"(chunk {"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"{\"city\":"},"index":0}]},"finish_reason":null,"index":0}],"model":"","object":"chat.completion.chunk"})"_s,
    uR"(chunk {"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"\"Paris\"}"},"index":0}]},"finish_reason":null,"index":0}],"model":"","object":"chat.completion.chunk"})"_s,
    uR"(chunk {"choices":[{"delta":{},"finish_reason":"tool_calls","index":0}],"model":"","object":"chat.completion.chunk"})"_s,
    uR"(chunk {"choices":[],"model":"","object":"chat.completion.chunk","usage":{"completion_tokens":9,"prompt_tokens":20,"total_tokens":29}})"_s,
};

void TestBedrock::streamEventsBecomeChunks()
{
    std::unique_ptr<NodeStream> stream = NodeAdapter::forType(NodeType::Bedrock).openStream(1 << 20);
    stream->feed(sampleStream());
    stream->finish();
    QCOMPARE(drain(*stream), SampleChunks);
    QVERIFY(!stream->overflowed());
}

void TestBedrock::aStreamSplitAtEveryByteGivesTheSameChunks()
{
    const QByteArray bytes = sampleStream();
    std::unique_ptr<NodeStream> stream = NodeAdapter::forType(NodeType::Bedrock).openStream(1 << 20);
    QStringList chunks;
    for (const char c : bytes) {
        stream->feed(QByteArray(1, c));
        chunks += drain(*stream);
    }
    stream->finish();
    chunks += drain(*stream);
    QCOMPARE(chunks, SampleChunks);
}

void TestBedrock::exceptionsAndBrokenFramesEndTheStream_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("error");
    const QByteArray start = frame("messageStart", R"({"role":"assistant"})");
    QTest::newRow("an exception message")
        << QByteArray(start + Test::bedrockException("throttlingException", "Too many requests")
                      + frame("messageStop", R"({"stopReason":"end_turn"})"))
        << u"throttlingException: Too many requests"_s;
    QTest::newRow("an error message")
        << QByteArray(start + Test::eventStreamMessage({ { ":message-type", "error" },
                                                         { ":error-code", "InternalFailure" },
                                                         { ":error-message", "boom" } },
                                                       {}))
        << u"InternalFailure: boom"_s;
    QByteArray corrupt = frame("messageStop", R"({"stopReason":"end_turn"})");
    corrupt[corrupt.size() - 1] = char(corrupt[corrupt.size() - 1] ^ 0x5a);
    QTest::newRow("a message CRC that does not match")
        << QByteArray(start + corrupt) << u"event stream: the message CRC does not match"_s;
    QTest::newRow("a body cut inside a message")
        << QByteArray(start + corrupt.left(20)) << u"event stream: the body ended inside a message"_s;
}

void TestBedrock::exceptionsAndBrokenFramesEndTheStream()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, error);
    std::unique_ptr<NodeStream> stream = NodeAdapter::forType(NodeType::Bedrock).openStream(1 << 20);
    stream->feed(bytes);
    stream->finish();
    const QStringList events = drain(*stream);
    QCOMPARE(events.size(), 2);
    QVERIFY(events.first().startsWith("chunk "_L1));
    QVERIFY2(events.last().startsWith(u"error "_s + error), qPrintable(events.last()));
    // Nothing more, whatever follows.
    stream->feed(frame("messageStart", "{}"));
    QVERIFY(drain(*stream).isEmpty());

    // A message over the cap is refused as an error too.
    std::unique_ptr<NodeStream> capped = NodeAdapter::forType(NodeType::Bedrock).openStream(64);
    capped->feed(frame("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"a long enough text to pass the cap"}})"));
    const QStringList refused = drain(*capped);
    QCOMPARE(refused.size(), 1);
    QVERIFY2(refused.first().contains("allowed: 16 to 64"_L1), qPrintable(refused.first()));
}

void TestBedrock::requestIsSignedForIamCredentials()
{
    const Node node = bedrockNode();
    Attempt attempt;
    attempt.node = &node;
    attempt.realModel = node.modelIds.first();
    BedrockCredentials credentials;
    credentials.accessKeyId = u"AKIDEXAMPLE"_s;
    credentials.secretAccessKey = u"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"_s;
    credentials.sessionToken = u"session-token-1"_s;
    const UpstreamRequest request = NodeAdapter::forType(NodeType::Bedrock).request(
        attempt, credentials.toSecret(), ApiKind::Chat, "{\"messages\":[]}", true);
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.url.toEncoded(),
             QByteArray("https://bedrock-runtime.eu-central-1.amazonaws.com/model/"
                        "anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream"));
    QCOMPARE(header(request, "Accept"), QByteArray("application/vnd.amazon.eventstream"));
    QCOMPARE(header(request, "X-Amz-Security-Token"), QByteArray("session-token-1"));
    QCOMPARE(header(request, "X-Amz-Date").size(), 16);
    const QByteArray authorization = header(request, "Authorization");
    QVERIFY2(authorization.startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"), authorization);
    QVERIFY(authorization.contains("/eu-central-1/bedrock/aws4_request, SignedHeaders="
                                   "accept;content-type;host;x-amz-date;x-amz-security-token, "));
    // The secret itself goes nowhere.
    for (const auto &[name, value] : request.headers)
        QVERIFY(!value.contains("wJalrXUtnFEMI"));

    const UpstreamRequest whole = NodeAdapter::forType(NodeType::Bedrock).request(
        attempt, credentials.toSecret(), ApiKind::Chat, "{}", false);
    QVERIFY(whole.url.path().endsWith("/converse"_L1));
    QCOMPARE(header(whole, "Accept"), QByteArray("application/json"));
}

void TestBedrock::requestCarriesABedrockApiKey()
{
    const Node node = bedrockNode();
    Attempt attempt;
    attempt.node = &node;
    attempt.realModel = u"amazon.nova-pro-v1:0"_s;
    const UpstreamRequest request = NodeAdapter::forType(NodeType::Bedrock).request(
        attempt, u"ABSKbedrockkey"_s, ApiKind::Chat, "{}", false);
    QCOMPARE(header(request, "Authorization"), QByteArray("Bearer ABSKbedrockkey"));
    QVERIFY(header(request, "X-Amz-Date").isEmpty());
}

void TestBedrock::theBaseUrlOverridesTheRegionalEndpoint()
{
    const Node node = bedrockNode(u"http://127.0.0.1:9999/proxy/"_s);
    Attempt attempt;
    attempt.node = &node;
    attempt.realModel = u"us.anthropic.claude-3-7-sonnet-20250219-v1:0"_s;
    const UpstreamRequest request = NodeAdapter::forType(NodeType::Bedrock).request(
        attempt, QString(), ApiKind::Chat, "{}", false);
    QCOMPARE(request.url.toEncoded(),
             QByteArray("http://127.0.0.1:9999/proxy/model/"
                        "us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse"));
    QVERIFY(header(request, "Authorization").isEmpty());
}

void TestBedrock::modelsComeFromTheNode()
{
    const Node node = bedrockNode();
    const auto models = NodeAdapter::forType(NodeType::Bedrock).configuredModels(node);
    QVERIFY(models);
    QCOMPARE(models->size(), 2);
    QCOMPARE(models->at(1).name, u"amazon.nova-pro-v1:0"_s);
    QCOMPARE(models->at(1).nodeId, qint64(4));
    QVERIFY(!NodeAdapter::forType(NodeType::OpenAi).configuredModels(node));
    QVERIFY(!NodeAdapter::forType(NodeType::Ollama).configuredModels(node));
}

void TestBedrock::credentialsRoundTripThroughTheSecret()
{
    BedrockCredentials iam;
    iam.accessKeyId = u"AK"_s;
    iam.secretAccessKey = u"SK"_s;
    const BedrockCredentials back = BedrockCredentials::fromSecret(iam.toSecret());
    QVERIFY(back.isIam());
    QCOMPARE(back.accessKeyId, u"AK"_s);
    QCOMPARE(back.secretAccessKey, u"SK"_s);
    QVERIFY(back.sessionToken.isEmpty());

    const BedrockCredentials key = BedrockCredentials::fromSecret(u"ABSK123"_s);
    QVERIFY(!key.isIam());
    QCOMPARE(key.apiKey, u"ABSK123"_s);
    BedrockCredentials plain;
    plain.apiKey = u"ABSK123"_s;
    QCOMPARE(plain.toSecret(), u"ABSK123"_s);
}

void TestBedrock::errorMessagesAreAwsShaped()
{
    const NodeAdapter &adapter = NodeAdapter::forType(NodeType::Bedrock);
    QCOMPARE(adapter.errorMessage(R"({"message":"The security token included in the request is invalid."})", 403),
             u"The security token included in the request is invalid."_s);
    QCOMPARE(adapter.errorMessage(R"({"Message":"Malformed input request"})", 400),
             u"Malformed input request"_s);
    QVERIFY(adapter.isContextRefusal(400, R"({"message":"Input is too long for requested model."})"));

    Node node = bedrockNode();
    const ApiError forbidden = adapter.refusal(node, 403, R"({"message":"Signature expired"})");
    QCOMPARE(forbidden.upstreamStatus, 502);
    QVERIFY(forbidden.message.contains("Signature expired"_L1));
}

QTEST_GUILESS_MAIN(TestBedrock)
#include "tst_bedrock.moc"

#include "core/routeplanner.h"
#include "fakeanthropic.h"
#include "providers/anthropic.h"
#include "providers/anthropicupstream.h"
#include "providers/nodetypes/nodeadapter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Maestro;
using Maestro::Test::FakeAnthropic;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Maestro::NodeType)
Q_DECLARE_METATYPE(Maestro::Translate::ApiKind)
Q_DECLARE_METATYPE(Maestro::ApiError::Kind)

namespace {

using Translate::ApiKind;
using Pieces = QList<QByteArray>;

Node makeNode(NodeType type, const QString &baseUrl)
{
    Node node;
    node.id = 7;
    node.name = u"gpu-7"_s;
    node.type = type;
    node.baseUrl = QUrl(baseUrl);
    return node;
}

QByteArray header(const UpstreamRequest &request, const QByteArray &name)
{
    for (const auto &field : request.headers) {
        if (field.first.compare(name, Qt::CaseInsensitive) == 0)
            return field.second;
    }
    return {};
}

// Each event as "chunk <compact json>", "end" or "error <message>", in order.
QStringList drain(NodeStream &stream)
{
    QStringList out;
    NodeStream::Event event;
    while (stream.next(&event)) {
        switch (event.kind) {
        case NodeStream::Event::Kind::Chunk:
            out.append(
                u"chunk "_s
                + QString::fromUtf8(QJsonDocument(event.object).toJson(QJsonDocument::Compact)));
            break;
        case NodeStream::Event::Kind::End:
            out.append(u"end"_s);
            break;
        case NodeStream::Event::Kind::Error:
            out.append(u"error "_s + event.message);
            break;
        }
    }
    return out;
}

} // namespace

class TestNodeAdapters final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eachTypeHasItsAdapter();
    void request_data();
    void request();
    void stream_data();
    void stream();
    void eventsNotYetReadSurviveTheNextPiece();
    void anEndlessEventBreaksTheStream_data();
    void anEndlessEventBreaksTheStream();
    void ollamaGetsTheContextLength();
    void decodeAnswer();
    void refusal_data();
    void refusal();
    void models_data();
    void models();
    void aModelListThatIsNotAnObjectFails();

    // Anthropic nodes
    void anthropicRequest_data();
    void anthropicRequest();
    void anthropicEncodesAChatConversation();
    void anthropicToolChoice_data();
    void anthropicToolChoice();
    void anthropicThinking_data();
    void anthropicThinking();
    void signedThinkingRoundTripsThroughTheAnthropicClient();
    void otherNodeTypesNeverSeeAnthropicFields();
    void anthropicStream();
    void anthropicStreamErrorEvent();
    void anthropicStreamSurvivesMalformedInput_data();
    void anthropicStreamSurvivesMalformedInput();
    void anthropicStreamOverflowBreaksIt();
    void anthropicDecodeAnswer();
    void anthropicRefusal_data();
    void anthropicRefusal();
    void anthropicModels();
};

void TestNodeAdapters::eachTypeHasItsAdapter()
{
    const NodeAdapter &ollama = NodeAdapter::forType(NodeType::Ollama);
    QCOMPARE(ollama.type(), NodeType::Ollama);
    QCOMPARE(ollama.wire(), NodeType::Ollama);
    QVERIFY(ollama.hasOllamaApi());
    const NodeAdapter &openAi = NodeAdapter::forType(NodeType::OpenAi);
    QCOMPARE(openAi.type(), NodeType::OpenAi);
    QCOMPARE(openAi.wire(), NodeType::OpenAi);
    QVERIFY(!openAi.hasOllamaApi());
    const NodeAdapter &bedrock = NodeAdapter::forType(NodeType::Bedrock);
    QCOMPARE(bedrock.type(), NodeType::Bedrock);
    QCOMPARE(bedrock.wire(), NodeType::OpenAi); // converted to and from Converse (tst_bedrock)
    QVERIFY(!bedrock.hasOllamaApi());
    // Shared and stateless: the same instance every time.
    QCOMPARE(&NodeAdapter::forType(NodeType::Ollama), &ollama);
}

void TestNodeAdapters::request_data()
{
    QTest::addColumn<NodeType>("type");
    QTest::addColumn<QString>("base");
    QTest::addColumn<ApiKind>("kind");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<QString>("apiKey");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QByteArray>("accept");

    QTest::newRow("Ollama chat, streamed: /api/chat, NDJSON")
        << NodeType::Ollama << u"http://gpu:11434"_s << ApiKind::Chat << true << QString()
        << u"http://gpu:11434/api/chat"_s << QByteArray("application/x-ndjson");
    QTest::newRow("Ollama generate, whole: /api/generate, JSON")
        << NodeType::Ollama << u"http://gpu:11434/"_s << ApiKind::Completion << false << QString()
        << u"http://gpu:11434/api/generate"_s << QByteArray("application/json");
    QTest::newRow("Ollama embeddings: /api/embed")
        << NodeType::Ollama << u"http://gpu:11434"_s << ApiKind::Embeddings << false << QString()
        << u"http://gpu:11434/api/embed"_s << QByteArray("application/json");
    QTest::newRow("Ollama legacy embeddings: /api/embeddings")
        << NodeType::Ollama << u"http://gpu:11434"_s << ApiKind::LegacyEmbeddings << false
        << QString() << u"http://gpu:11434/api/embeddings"_s << QByteArray("application/json");
    QTest::newRow("a Responses request goes to Ollama's chat")
        << NodeType::Ollama << u"http://gpu:11434"_s << ApiKind::Responses << true << QString()
        << u"http://gpu:11434/api/chat"_s << QByteArray("application/x-ndjson");
    QTest::newRow("OpenAI chat, streamed, with a key: /v1/chat/completions, SSE")
        << NodeType::OpenAi << u"http://vllm:8000"_s << ApiKind::Chat << true << u"sk-node"_s
        << u"http://vllm:8000/v1/chat/completions"_s << QByteArray("text/event-stream");
    QTest::newRow("OpenAI completions on a base that ends in /v1: not doubled")
        << NodeType::OpenAi << u"https://api.example.com/v1"_s << ApiKind::Completion << false
        << u"sk-node"_s << u"https://api.example.com/v1/completions"_s
        << QByteArray("application/json");
    QTest::newRow("OpenAI embeddings, legacy ones too: /v1/embeddings")
        << NodeType::OpenAi << u"http://vllm:8000"_s << ApiKind::LegacyEmbeddings << false
        << QString() << u"http://vllm:8000/v1/embeddings"_s << QByteArray("application/json");
    QTest::newRow("a Responses request goes to OpenAI chat completions")
        << NodeType::OpenAi << u"http://vllm:8000"_s << ApiKind::Responses << false << QString()
        << u"http://vllm:8000/v1/chat/completions"_s << QByteArray("application/json");
}

void TestNodeAdapters::request()
{
    QFETCH(NodeType, type);
    QFETCH(QString, base);
    QFETCH(ApiKind, kind);
    QFETCH(bool, stream);
    QFETCH(QString, apiKey);
    QFETCH(QString, url);
    QFETCH(QByteArray, accept);

    const NodeAdapter &adapter = NodeAdapter::forType(type);
    const QByteArray body = adapter.encodeRequest(kind, QJsonObject { { u"model"_s, u"m"_s } });
    QCOMPARE(body, QByteArray(R"({"model":"m"})"));
    const Node node = makeNode(type, base);
    Attempt attempt;
    attempt.node = &node;
    attempt.realModel = u"m"_s;
    const UpstreamRequest request = adapter.request(attempt, apiKey, kind, body, stream);
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.url.toString(), url);
    QCOMPARE(request.body, body);
    QCOMPARE(header(request, "Content-Type"), QByteArray("application/json"));
    QCOMPARE(header(request, "Accept"), accept);
    QCOMPARE(header(request, "Authorization"),
             apiKey.isEmpty() ? QByteArray() : "Bearer " + apiKey.toUtf8());
}

void TestNodeAdapters::stream_data()
{
    QTest::addColumn<NodeType>("type");
    QTest::addColumn<Pieces>("pieces");
    QTest::addColumn<QStringList>("events"); // after the pieces
    QTest::addColumn<QStringList>("atEnd"); // after finish()

    QTest::newRow("OpenAI: events split across pieces come out whole, [DONE] ends")
        << NodeType::OpenAi
        << Pieces { "data: {\"choices\":[{\"delta\":{\"content\":\"he", "llo\"}}]}\n\nda",
                    "ta: [DONE]\n\n" }
        << QStringList { uR"(chunk {"choices":[{"delta":{"content":"hello"}}]})"_s, u"end"_s }
        << QStringList();
    QTest::newRow("OpenAI: an error event, whatever its shape")
        << NodeType::OpenAi
        << Pieces { "data: {\"error\":{\"message\":\"CUDA out of "
                    "memory\",\"type\":\"server_error\"}}\n\n",
                    "data: {\"error\":\"overloaded\"}\n\n" }
        << QStringList { u"error CUDA out of memory"_s, u"error overloaded"_s } << QStringList();
    QTest::newRow("OpenAI: a chunk that has choices is a chunk, even with an error field")
        << NodeType::OpenAi << Pieces { "data: {\"choices\":[],\"error\":null}\n\n" }
        << QStringList { uR"(chunk {"choices":[],"error":null})"_s } << QStringList();
    QTest::newRow("OpenAI: comments, keep-alives and data that is no object are skipped")
        << NodeType::OpenAi
        << Pieces { ": ping\n\ndata: hello\n\ndata: [1,2]\n\nevent: x\ndata: {\"a\":1}\n\n" }
        << QStringList { uR"(chunk {"a":1})"_s } << QStringList();
    QTest::newRow("OpenAI: a last event without its blank line comes out at the end")
        << NodeType::OpenAi << Pieces { "data: {\"a\":1}\n\ndata: {\"b\":2}" }
        << QStringList { uR"(chunk {"a":1})"_s } << QStringList { uR"(chunk {"b":2})"_s };
    QTest::newRow("Ollama: one chunk per line, split anywhere")
        << NodeType::Ollama
        << Pieces { "{\"message\":{\"content\":\"a\"},\"done\":false}\n{\"mess",
                    "age\":{\"content\":\"b\"},\"done\":true}\n" }
        << QStringList { uR"(chunk {"done":false,"message":{"content":"a"}})"_s,
                         uR"(chunk {"done":true,"message":{"content":"b"}})"_s }
        << QStringList();
    QTest::newRow("Ollama: an error line")
        << NodeType::Ollama << Pieces { "{\"error\":\"model runner has unexpectedly stopped\"}\n" }
        << QStringList { u"error model runner has unexpectedly stopped"_s } << QStringList();
    QTest::newRow("Ollama: blank and non-object lines are skipped, a last line without newline "
                  "comes at the end")
        << NodeType::Ollama << Pieces { "\n\n\"text\"\n{\"done\":false}\n{\"done\":true}" }
        << QStringList { uR"(chunk {"done":false})"_s }
        << QStringList { uR"(chunk {"done":true})"_s };
}

void TestNodeAdapters::stream()
{
    QFETCH(NodeType, type);
    QFETCH(Pieces, pieces);
    QFETCH(QStringList, events);
    QFETCH(QStringList, atEnd);

    const std::unique_ptr<NodeStream> stream = NodeAdapter::forType(type).openStream(1024);
    QStringList seen;
    for (const QByteArray &piece : pieces) {
        stream->feed(piece);
        seen += drain(*stream);
    }
    QCOMPARE(seen, events);
    stream->finish();
    QCOMPARE(drain(*stream), atEnd);
    QVERIFY(!stream->overflowed());
}

void TestNodeAdapters::eventsNotYetReadSurviveTheNextPiece()
{
    // The reader may stop between events and feed more later: nothing is lost or repeated.
    const std::unique_ptr<NodeStream> stream
        = NodeAdapter::forType(NodeType::OpenAi).openStream(1024);
    stream->feed("data: {\"n\":1}\n\ndata: {\"n\":2}\n\n");
    NodeStream::Event event;
    QVERIFY(stream->next(&event));
    QCOMPARE(event.object.value("n"_L1).toInt(), 1);
    stream->feed("data: {\"n\":3}\n\n");
    QCOMPARE(drain(*stream), (QStringList { uR"(chunk {"n":2})"_s, uR"(chunk {"n":3})"_s }));
}

void TestNodeAdapters::anEndlessEventBreaksTheStream_data()
{
    QTest::addColumn<NodeType>("type");
    QTest::newRow("OpenAI") << NodeType::OpenAi;
    QTest::newRow("Ollama") << NodeType::Ollama;
}

void TestNodeAdapters::anEndlessEventBreaksTheStream()
{
    QFETCH(NodeType, type);
    const std::unique_ptr<NodeStream> stream = NodeAdapter::forType(type).openStream(64);
    stream->feed(type == NodeType::OpenAi ? QByteArray("data: {\"a\":1}\n\n")
                                          : QByteArray("{\"a\":1}\n"));
    QCOMPARE(drain(*stream).size(), 1);
    stream->feed(QByteArray(type == NodeType::OpenAi ? "data: " : "") + QByteArray(200, 'x'));
    QVERIFY(stream->overflowed());
    stream->feed("\n\n{\"b\":2}\n\n");
    stream->finish();
    QCOMPARE(drain(*stream), QStringList());
}

void TestNodeAdapters::ollamaGetsTheContextLength()
{
    ModelConfig capped;
    capped.pattern = u"coder"_s;
    capped.maxContextLength = 16384;
    NodeRequestShape shape;
    shape.kind = ApiKind::Chat;
    shape.model = u"coder"_s;
    shape.mappingContextLength = 32768;
    shape.settings.defaultContextLength = 8192;

    // Ollama: the mapping's context length when the client set none, capped by the configuration
    // found for the requested name.
    QJsonObject body { { u"model"_s, u"qwen2.5-coder:32b"_s } };
    NodeAdapter::forType(NodeType::Ollama).adjustRequest(shape, &body);
    QCOMPARE(body.value("options"_L1).toObject().value("num_ctx"_L1).toInteger(), qint64(32768));
    shape.config = &capped;
    body = QJsonObject { { u"model"_s, u"qwen2.5-coder:32b"_s } };
    NodeAdapter::forType(NodeType::Ollama).adjustRequest(shape, &body);
    QCOMPARE(body.value("options"_L1).toObject().value("num_ctx"_L1).toInteger(), qint64(16384));
    // Without a mapping's length, the default_context_length setting.
    shape.config = nullptr;
    shape.mappingContextLength = 0;
    body = QJsonObject { { u"model"_s, u"qwen2.5-coder:32b"_s } };
    NodeAdapter::forType(NodeType::Ollama).adjustRequest(shape, &body);
    QCOMPARE(body.value("options"_L1).toObject().value("num_ctx"_L1).toInteger(), qint64(8192));

    // OpenAI-compatible servers have no such option: the body is left as it is.
    const QJsonObject original { { u"model"_s, u"qwen2.5-coder:32b"_s } };
    body = original;
    shape.config = &capped;
    NodeAdapter::forType(NodeType::OpenAi).adjustRequest(shape, &body);
    QCOMPARE(body, original);
}

void TestNodeAdapters::decodeAnswer()
{
    for (NodeType type : { NodeType::Ollama, NodeType::OpenAi }) {
        const NodeAdapter &adapter = NodeAdapter::forType(type);
        const auto answer = adapter.decodeAnswer(R"({"done":true})");
        QVERIFY(answer);
        QCOMPARE(answer->value("done"_L1).toBool(), true);
        QVERIFY(!adapter.decodeAnswer("[1,2]"));
        QVERIFY(!adapter.decodeAnswer("<html>Bad gateway</html>"));
        QVERIFY(!adapter.decodeAnswer(QByteArray()));
    }
}

void TestNodeAdapters::refusal_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<ApiError::Kind>("kind");
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QString>("message");

    QTest::newRow("a node refusing the gateway's key is the gateway's failure (502)")
        << 401 << QByteArray(R"({"error":{"message":"Incorrect API key provided"}})")
        << ApiError::Kind::UpstreamFailed << 502
        << u"gpu-7 refused the gateway's API key: Incorrect API key provided"_s;
    QTest::newRow("403 too") << 403 << QByteArray(R"({"detail":"Forbidden"})")
                             << ApiError::Kind::UpstreamFailed << 502
                             << u"gpu-7 refused the gateway's API key: Forbidden"_s;
    QTest::newRow("an unknown model is relayed as 404")
        << 404 << QByteArray(R"({"error":"model 'x' not found"})") << ApiError::Kind::NotFound
        << 404 << u"model 'x' not found"_s;
    QTest::newRow("a 400 about the context length is a context refusal")
        << 400
        << QByteArray(
               R"({"error":{"message":"This model's maximum context length is 8192 tokens. However, you requested 9000 tokens"}})")
        << ApiError::Kind::ContextTooLong << 400
        << u"This model's maximum context length is 8192 tokens. However, you requested 9000 tokens"_s;
    QTest::newRow("413 is a context refusal, an empty body said with its status")
        << 413 << QByteArray() << ApiError::Kind::ContextTooLong << 400 << u"HTTP 413"_s;
    QTest::newRow("a rate limit keeps its status")
        << 429 << QByteArray(R"({"detail":"slow down"})") << ApiError::Kind::RateLimited << 429
        << u"slow down"_s;
    QTest::newRow("another 4xx keeps its status and says what the node said")
        << 422 << QByteArray("  temperature must be <= 2\n") << ApiError::Kind::BadRequest << 422
        << u"temperature must be <= 2"_s;
}

void TestNodeAdapters::refusal()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(ApiError::Kind, kind);
    QFETCH(int, httpStatus);
    QFETCH(QString, message);

    for (NodeType type : { NodeType::Ollama, NodeType::OpenAi }) {
        const ApiError error
            = NodeAdapter::forType(type).refusal(makeNode(type, u"http://gpu"_s), status, body);
        QCOMPARE(error.kind, kind);
        QCOMPARE(error.httpStatus(), httpStatus);
        QCOMPARE(error.message, message);
    }
}

void TestNodeAdapters::models_data()
{
    QTest::addColumn<NodeType>("type");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QStringList>("names");
    QTest::addColumn<QString>("details"); // of the first model, compact

    QTest::newRow("Ollama: /api/tags, names (or model) with their details")
        << NodeType::Ollama
        << QByteArray(
               R"({"models":[{"name":"llama3:latest","size":5,"digest":"abc","modified_at":"2024-05-01T10:00:00Z","details":{"family":"llama"}},)"
               R"({"model":"qwen2:7b"},{"size":1}]})")
        << u"http://gpu/api/tags"_s << QStringList { u"llama3:latest"_s, u"qwen2:7b"_s }
        << uR"({"family":"llama"})"_s;
    QTest::newRow("OpenAI: /v1/models, ids with owner and vLLM's context window")
        << NodeType::OpenAi
        << QByteArray(
               R"({"object":"list","data":[{"id":"Qwen/Qwen2.5-72B","owned_by":"vllm","max_model_len":32768,"created":1714557600},{"id":""}]})")
        << u"http://gpu/v1/models"_s << QStringList { u"Qwen/Qwen2.5-72B"_s }
        << uR"({"context_length":32768,"owned_by":"vllm"})"_s;
}

void TestNodeAdapters::models()
{
    QFETCH(NodeType, type);
    QFETCH(QByteArray, body);
    QFETCH(QString, url);
    QFETCH(QStringList, names);
    QFETCH(QString, details);

    const NodeAdapter &adapter = NodeAdapter::forType(type);
    const UpstreamRequest request = adapter.modelsRequest(makeNode(type, u"http://gpu"_s), u"sk"_s);
    QCOMPARE(request.method, QByteArray("GET"));
    QCOMPARE(request.url.toString(), url);
    QCOMPARE(header(request, "Accept"), QByteArray("application/json"));
    QCOMPARE(header(request, "Authorization"), QByteArray("Bearer sk"));

    QList<NodeModel> models;
    QString error;
    QVERIFY(adapter.parseModels(7, body, &models, &error));
    QStringList found;
    for (const NodeModel &model : std::as_const(models)) {
        QCOMPARE(model.nodeId, qint64(7));
        found.append(model.name);
    }
    QCOMPARE(found, names);
    QCOMPARE(
        QString::fromUtf8(QJsonDocument(models.first().details).toJson(QJsonDocument::Compact)),
        details);
}

void TestNodeAdapters::aModelListThatIsNotAnObjectFails()
{
    for (NodeType type : { NodeType::Ollama, NodeType::OpenAi }) {
        QList<NodeModel> models;
        QString error;
        QVERIFY(!NodeAdapter::forType(type).parseModels(1, "[]", &models, &error));
        QCOMPARE(error, u"the model list is not a JSON object"_s);
        QVERIFY(models.isEmpty());
    }
}

// ---- Anthropic nodes ---------------------------------------------------------------------------

namespace {

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

QString compact(const QJsonValue &value)
{
    return QString::fromUtf8(value.isArray()
                                 ? QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)
                                 : QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
}

QJsonObject encodedForAnthropic(const QJsonObject &chat)
{
    return QJsonDocument::fromJson(
               NodeAdapter::forType(NodeType::Anthropic).encodeRequest(ApiKind::Chat, chat))
        .object();
}

QByteArray sse(const char *type, const char *data)
{
    return QByteArray("event: ") + type + "\ndata: " + data + "\n\n";
}

} // namespace

void TestNodeAdapters::anthropicRequest_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QByteArray>("accept");

    QTest::newRow("no base URL: Anthropic's API")
        << QString() << true << u"https://api.anthropic.com/v1/messages"_s
        << QByteArray("text/event-stream");
    QTest::newRow("a base URL of its own (a proxy), whole answer")
        << u"http://proxy:8080/"_s << false << u"http://proxy:8080/v1/messages"_s
        << QByteArray("application/json");
    QTest::newRow("a base URL given with its /v1 is not doubled")
        << u"https://api.anthropic.com/v1"_s << false << u"https://api.anthropic.com/v1/messages"_s
        << QByteArray("application/json");
}

void TestNodeAdapters::anthropicRequest()
{
    QFETCH(QString, base);
    QFETCH(bool, stream);
    QFETCH(QString, url);
    QFETCH(QByteArray, accept);

    const NodeAdapter &adapter = NodeAdapter::forType(NodeType::Anthropic);
    QCOMPARE(adapter.type(), NodeType::Anthropic);
    QCOMPARE(adapter.wire(), NodeType::OpenAi);
    QVERIFY(adapter.serves(ApiKind::Chat));
    QVERIFY(adapter.serves(ApiKind::Responses));
    QVERIFY(!adapter.serves(ApiKind::Embeddings));
    QVERIFY(!adapter.hasOllamaApi());
    QCOMPARE(nodeTypeName(NodeType::Anthropic), u"anthropic"_s);
    QCOMPARE(nodeTypeFromName(u"anthropic"_s), std::optional<NodeType>(NodeType::Anthropic));

    const Node node = makeNode(NodeType::Anthropic, base);
    Attempt attempt;
    attempt.node = &node;
    attempt.realModel = u"claude-sonnet-4-5"_s;
    const QByteArray body = adapter.encodeRequest(
        ApiKind::Chat, json(R"({"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]})"));
    const UpstreamRequest request = adapter.request(attempt, u"sk-ant-node"_s, ApiKind::Chat, body, stream);
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.url.toString(), url);
    QCOMPARE(request.body, body);
    QCOMPARE(header(request, "x-api-key"), QByteArray("sk-ant-node"));
    QCOMPARE(header(request, "anthropic-version"), QByteArray("2023-06-01"));
    QCOMPARE(header(request, "content-type"), QByteArray("application/json"));
    QCOMPARE(header(request, "accept"), accept);
    // The key never goes as a bearer token.
    QCOMPARE(header(request, "Authorization"), QByteArray());
}

void TestNodeAdapters::anthropicEncodesAChatConversation()
{
    // A conversation as the translations make it: system messages on the way, images both ways,
    // two parallel tool calls answered by two tool messages and a user remark.
    const QJsonObject chat = json(R"({
        "model": "claude-sonnet-4-5",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": [
                {"type": "text", "text": "What is in these?"},
                {"type": "image_url", "image_url": {"url": "data:image/jpg;base64,QUJD"}},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
                {"type": "image_url", "image_url": {"url": "ftp://nowhere/x.png"}}]},
            {"role": "assistant", "content": "", "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "look", "arguments": "{\"at\":1}"}},
                {"id": "call.2", "type": "function", "function": {"name": "look", "arguments": {"at": 2}}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "a cat"},
            {"role": "tool", "tool_call_id": "call.2", "content": [{"type": "text", "text": "a dog"}]},
            {"role": "user", "content": "   "},
            {"role": "developer", "content": "Answer in English."},
            {"role": "user", "content": "Thanks"}
        ],
        "tools": [{"type": "function", "function": {"name": "look", "description": "Looks",
                   "parameters": {"type": "object", "properties": {"at": {"type": "integer"}}}}},
                  {"type": "function", "function": {"name": "bare"}}],
        "temperature": 1.6, "top_p": 0.9, "stop": ["END", "  "], "stream": true, "n": 1
    })");
    const QJsonObject out = encodedForAnthropic(chat);
    QCOMPARE(FakeAnthropic::validate(out), QString());
    QCOMPARE(out.value("model"_L1).toString(), u"claude-sonnet-4-5"_s);
    QCOMPARE(out.value("system"_L1).toString(), u"You are terse.\n\nAnswer in English."_s);
    QCOMPARE(out.value("max_tokens"_L1).toInteger(), AnthropicUpstream::DefaultMaxTokens);
    QCOMPARE(out.value("temperature"_L1).toDouble(), 1.0); // Anthropic's range ends at 1
    QCOMPARE(out.value("top_p"_L1).toDouble(), 0.9);
    QCOMPARE(compact(out.value("stop_sequences"_L1)), uR"(["END"])"_s);
    QCOMPARE(out.value("stream"_L1).toBool(), true);
    QVERIFY(!out.contains("n"_L1));
    QVERIFY(!out.contains("tool_choice"_L1));

    const QJsonArray messages = out.value("messages"_L1).toArray();
    QCOMPARE(messages.size(), 3);
    const QJsonArray first = messages.at(0).toObject().value("content"_L1).toArray();
    QCOMPARE(compact(first),
             uR"([{"text":"What is in these?","type":"text"},)"
             uR"({"source":{"data":"QUJD","media_type":"image/jpeg","type":"base64"},"type":"image"},)"
             uR"({"source":{"type":"url","url":"https://example.com/cat.png"},"type":"image"}])"_s);
    QCOMPARE(compact(messages.at(1)),
             uR"({"content":[{"id":"call_1","input":{"at":1},"name":"look","type":"tool_use"},)"
             uR"({"id":"call_2","input":{"at":2},"name":"look","type":"tool_use"}],"role":"assistant"})"_s);
    // Both results in one user turn, first, then what the user said.
    QCOMPARE(compact(messages.at(2)),
             uR"({"content":[{"content":"a cat","tool_use_id":"call_1","type":"tool_result"},)"
             uR"({"content":"a dog","tool_use_id":"call_2","type":"tool_result"},)"
             uR"({"text":"Thanks","type":"text"}],"role":"user"})"_s);
    QCOMPARE(compact(out.value("tools"_L1)),
             uR"([{"description":"Looks","input_schema":{"properties":{"at":{"type":"integer"}},"type":"object"},"name":"look"},)"
             uR"({"input_schema":{"properties":{},"type":"object"},"name":"bare"}])"_s);

    // A conversation that starts with the assistant gets a user turn in front.
    const QJsonObject opening = encodedForAnthropic(json(
        R"({"model":"m","max_tokens":100,"messages":[{"role":"assistant","content":"Hi"},{"role":"user","content":"Yo"}]})"));
    QCOMPARE(FakeAnthropic::validate(opening), QString());
    QCOMPARE(opening.value("max_tokens"_L1).toInteger(), qint64(100));
}

void TestNodeAdapters::anthropicToolChoice_data()
{
    QTest::addColumn<QString>("choice"); // the chat request's fields after "tools"
    QTest::addColumn<QString>("expected"); // Anthropic's tool_choice, compact, or "" for none

    QTest::newRow("auto") << uR"("tool_choice":"auto")"_s << uR"({"type":"auto"})"_s;
    QTest::newRow("none") << uR"("tool_choice":"none")"_s << uR"({"type":"none"})"_s;
    QTest::newRow("required is any") << uR"("tool_choice":"required")"_s << uR"({"type":"any"})"_s;
    QTest::newRow("a named function is a tool")
        << uR"("tool_choice":{"type":"function","function":{"name":"look"}})"_s
        << uR"({"name":"look","type":"tool"})"_s;
    QTest::newRow("no parallel calls")
        << uR"("parallel_tool_calls":false)"_s
        << uR"({"disable_parallel_tool_use":true,"type":"auto"})"_s;
    QTest::newRow("not given") << uR"("temperature":0)"_s << QString();
}

void TestNodeAdapters::anthropicToolChoice()
{
    QFETCH(QString, choice);
    QFETCH(QString, expected);
    const QJsonObject out = encodedForAnthropic(QJsonDocument::fromJson(
        (uR"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"look"}}],)"_s
         + choice + u"}"_s).toUtf8()).object());
    QCOMPARE(out.contains("tool_choice"_L1), !expected.isEmpty());
    if (!expected.isEmpty())
        QCOMPARE(compact(out.value("tool_choice"_L1)), expected);
    QCOMPARE(FakeAnthropic::validate(out), QString());
}

void TestNodeAdapters::anthropicThinking_data()
{
    QTest::addColumn<QString>("fields");
    QTest::addColumn<QString>("thinking"); // compact, or "" for none
    QTest::addColumn<qint64>("maxTokens");

    QTest::newRow("the client's own thinking request wins over the effort")
        << uR"("thinking":{"type":"enabled","budget_tokens":2048},"reasoning_effort":"high","max_tokens":8000)"_s
        << uR"({"budget_tokens":2048,"type":"enabled"})"_s << qint64(8000);
    QTest::newRow("an effort without max_tokens: its budget plus the default")
        << uR"("reasoning_effort":"medium")"_s << uR"({"budget_tokens":4096,"type":"enabled"})"_s
        << qint64(4096 + AnthropicUpstream::DefaultMaxTokens);
    QTest::newRow("an effort keeps below the client's max_tokens")
        << uR"("reasoning_effort":"high","max_tokens":3000)"_s
        << uR"({"budget_tokens":2999,"type":"enabled"})"_s << qint64(3000);
    QTest::newRow("an effort with too small a max_tokens asks for no thinking")
        << uR"("reasoning_effort":"low","max_tokens":500)"_s << QString() << qint64(500);
    QTest::newRow("effort none") << uR"("reasoning_effort":"none")"_s << QString()
                                 << AnthropicUpstream::DefaultMaxTokens;
    QTest::newRow("a tool loop whose thinking came back unsigned goes without thinking")
        << uR"("reasoning_effort":"high","messages":[{"role":"user","content":"x"},)"
           uR"({"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"t","arguments":"{}"}}]},)"
           uR"({"role":"tool","tool_call_id":"c1","content":"ok"}])"_s
        << QString() << AnthropicUpstream::DefaultMaxTokens;
    QTest::newRow("a tool loop with its signed thinking keeps thinking")
        << uR"("thinking":{"type":"enabled","budget_tokens":2048},"max_tokens":5000,"messages":[{"role":"user","content":"x"},)"
           uR"({"role":"assistant","content":null,"thinking_blocks":[{"type":"thinking","thinking":"t","signature":"c2lnbmVkLWJ5LWZha2UtYW50aHJvcGlj"}],)"
           uR"("tool_calls":[{"id":"c1","type":"function","function":{"name":"t","arguments":"{}"}}]},)"
           uR"({"role":"tool","tool_call_id":"c1","content":"ok"}])"_s
        << uR"({"budget_tokens":2048,"type":"enabled"})"_s << qint64(5000);
    QTest::newRow("a forced tool goes without thinking")
        << uR"("reasoning_effort":"high","tools":[{"type":"function","function":{"name":"t"}}],"tool_choice":"required")"_s
        << QString() << AnthropicUpstream::DefaultMaxTokens;
}

void TestNodeAdapters::anthropicThinking()
{
    QFETCH(QString, fields);
    QFETCH(QString, thinking);
    QFETCH(qint64, maxTokens);
    QJsonObject chat = QJsonDocument::fromJson(
        (uR"({"model":"m","temperature":0.2,"top_k":5,)"_s + fields + u"}"_s).toUtf8()).object();
    QVERIFY(!chat.isEmpty());
    if (!chat.contains("messages"_L1))
        chat.insert("messages"_L1, QJsonArray { QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"x"_s } } });
    const QJsonObject out = encodedForAnthropic(chat);
    QCOMPARE(out.contains("thinking"_L1), !thinking.isEmpty());
    if (!thinking.isEmpty()) {
        QCOMPARE(compact(out.value("thinking"_L1)), thinking);
        // Anthropic refuses sampling settings alongside thinking.
        QVERIFY(!out.contains("temperature"_L1));
        QVERIFY(!out.contains("top_k"_L1));
    } else {
        QCOMPARE(out.value("temperature"_L1).toDouble(), 0.2);
    }
    QCOMPARE(out.value("max_tokens"_L1).toInteger(), maxTokens);
    QCOMPARE(FakeAnthropic::validate(out), QString());
}

void TestNodeAdapters::signedThinkingRoundTripsThroughTheAnthropicClient()
{
    // Claude Code sends back the signed thinking of its last tool-use turn: through the OpenAI
    // shaped middle it reaches the Anthropic node as it was, first in the assistant turn.
    const QJsonObject messagesRequest = json(R"({
        "model": "claude-sonnet-4-5", "max_tokens": 9000,
        "thinking": {"type": "enabled", "budget_tokens": 4000},
        "messages": [
            {"role": "user", "content": "Read the file"},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "I should read it.", "signature": "c2lnbmVkLWJ5LWZha2UtYW50aHJvcGlj"},
                {"type": "redacted_thinking", "data": "ZW5jcnlwdGVk"},
                {"type": "thinking", "thinking": "unsigned, from another model", "signature": ""},
                {"type": "tool_use", "id": "toolu_01", "name": "read", "input": {"path": "a.txt"}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": "hello"}]}
        ]})");
    const QJsonObject chat = Anthropic::requestForNode(NodeType::OpenAi, messagesRequest);
    const QJsonObject out = encodedForAnthropic(chat);
    QCOMPARE(compact(out.value("thinking"_L1)), uR"({"budget_tokens":4000,"type":"enabled"})"_s);
    const QJsonArray turn = out.value("messages"_L1).toArray().at(1).toObject().value("content"_L1).toArray();
    QCOMPARE(compact(turn),
             uR"([{"signature":"c2lnbmVkLWJ5LWZha2UtYW50aHJvcGlj","thinking":"I should read it.","type":"thinking"},)"
             uR"({"data":"ZW5jcnlwdGVk","type":"redacted_thinking"},)"
             uR"({"id":"toolu_01","input":{"path":"a.txt"},"name":"read","type":"tool_use"}])"_s);
    QCOMPARE(FakeAnthropic::validate(out), QString());

    // And the answer's thinking comes back to the client with its signature, whole and streamed.
    const QJsonObject answer = json(R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
        "content":[{"type":"thinking","thinking":"Hmm.","signature":"sig-1"},{"type":"text","text":"Done."}],
        "stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":2}})");
    const auto chatAnswer = NodeAdapter::forType(NodeType::Anthropic).decodeAnswer(QJsonDocument(answer).toJson());
    QVERIFY(chatAnswer);
    const QJsonObject relayed = Anthropic::responseFromNode(NodeType::OpenAi, *chatAnswer, u"claude"_s, nullptr);
    QCOMPARE(compact(relayed.value("content"_L1)),
             uR"([{"signature":"sig-1","thinking":"Hmm.","type":"thinking"},{"text":"Done.","type":"text"}])"_s);

    const std::unique_ptr<NodeStream> stream = NodeAdapter::forType(NodeType::Anthropic).openStream(4096);
    stream->feed(sse("message_start", R"({"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":3,"output_tokens":1}}})")
                 + sse("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})")
                 + sse("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Hmm."}})")
                 + sse("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig-1"}})")
                 + sse("content_block_stop", R"({"type":"content_block_stop","index":0})")
                 + sse("content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Done."}})")
                 + sse("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}})")
                 + sse("message_stop", R"({"type":"message_stop"})"));
    Anthropic::StreamTranslator translator(u"claude"_s);
    QByteArray events;
    NodeStream::Event event;
    while (stream->next(&event)) {
        if (event.kind == NodeStream::Event::Kind::Chunk)
            events += translator.translate(event.object);
    }
    events += translator.finish();
    QVERIFY2(events.contains(R"("delta":{"signature":"sig-1","type":"signature_delta"})"), events.constData());
    QVERIFY(events.contains(R"("delta":{"thinking":"Hmm.","type":"thinking_delta"})"));
    QVERIFY(events.contains(R"("delta":{"stop_reason":"end_turn")"));
}

void TestNodeAdapters::otherNodeTypesNeverSeeAnthropicFields()
{
    NodeRequestShape shape;
    const QJsonObject withFields = json(R"({"model":"m","thinking":{"type":"enabled","budget_tokens":2000},
        "messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b",
        "thinking_blocks":[{"type":"thinking","thinking":"t","signature":"s"}]}]})");
    for (NodeType type : { NodeType::OpenAi, NodeType::Bedrock }) {
        QJsonObject body = withFields;
        QVERIFY(!NodeAdapter::forType(type).shapeRequest(shape, &body));
        QVERIFY(!body.contains("thinking"_L1));
        QVERIFY(!body.value("messages"_L1).toArray().at(1).toObject().contains("thinking_blocks"_L1));
    }
    QJsonObject body = withFields;
    QVERIFY(!NodeAdapter::forType(NodeType::Anthropic).shapeRequest(shape, &body));
    QCOMPARE(body, withFields);
    // An Ollama message's own "thinking" (a string) is not Anthropic's.
    QJsonObject ollama = json(R"({"model":"m","messages":[{"role":"assistant","content":"b","thinking":"t"}]})");
    QVERIFY(!NodeAdapter::forType(NodeType::Ollama).shapeRequest(shape, &ollama));
    QCOMPARE(ollama.value("messages"_L1).toArray().at(0).toObject().value("thinking"_L1).toString(), u"t"_s);
}

void TestNodeAdapters::anthropicStream()
{
    // The events of a tool-use answer, cut into 5-byte pieces.
    const QByteArray body
        = sse("message_start", R"({"type":"message_start","message":{"id":"msg_9","type":"message","role":"assistant","model":"claude-x","content":[],"usage":{"input_tokens":10,"cache_read_input_tokens":5,"cache_creation_input_tokens":1,"output_tokens":1}}})")
        + sse("ping", R"({"type":"ping"})")
        + sse("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})")
        + sse("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me look. é"}})")
        + sse("content_block_stop", R"({"type":"content_block_stop","index":0})")
        + sse("content_block_start", R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"look","input":{}}})")
        + sse("content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}})")
        + sse("content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"at\":"}})")
        + sse("content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"1}"}})")
        + sse("content_block_stop", R"({"type":"content_block_stop","index":1})")
        + sse("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":12}})")
        + sse("message_stop", R"({"type":"message_stop"})")
        + sse("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"after the end"}})");
    const std::unique_ptr<NodeStream> stream = NodeAdapter::forType(NodeType::Anthropic).openStream(1024);
    QStringList seen;
    for (qsizetype at = 0; at < body.size(); at += 5) {
        stream->feed(body.mid(at, 5));
        seen += drain(*stream);
    }
    stream->finish();
    seen += drain(*stream);
    QCOMPARE(seen.size(), 7);
    auto chunkOf = [&seen](int i) {
        return QJsonDocument::fromJson(seen.at(i).mid(6).toUtf8()).object();
    };
    auto deltaOf = [&](int i) {
        return chunkOf(i).value("choices"_L1).toArray().at(0).toObject().value("delta"_L1).toObject();
    };
    QCOMPARE(compact(deltaOf(0)), uR"({"content":"Let me look. é","role":"assistant"})"_s);
    QCOMPARE(chunkOf(0).value("id"_L1).toString(), u"chatcmpl-msg_9"_s);
    QCOMPARE(chunkOf(0).value("object"_L1).toString(), u"chat.completion.chunk"_s);
    QCOMPARE(compact(deltaOf(1)),
             uR"({"tool_calls":[{"function":{"arguments":"","name":"look"},"id":"toolu_1","index":0,"type":"function"}]})"_s);
    QCOMPARE(compact(deltaOf(2)), uR"({"tool_calls":[{"function":{"arguments":"{\"at\":"},"index":0}]})"_s);
    QCOMPARE(compact(deltaOf(3)), uR"({"tool_calls":[{"function":{"arguments":"1}"},"index":0}]})"_s);
    QCOMPARE(chunkOf(4).value("choices"_L1).toArray().at(0).toObject().value("finish_reason"_L1).toString(),
             u"tool_calls"_s);
    QCOMPARE(compact(chunkOf(5).value("usage"_L1)),
             uR"({"completion_tokens":12,"prompt_tokens":16,"prompt_tokens_details":{"cached_tokens":5},"total_tokens":28})"_s);
    QCOMPARE(seen.at(6), u"end"_s); // and nothing after message_stop
}

void TestNodeAdapters::anthropicStreamErrorEvent()
{
    const std::unique_ptr<NodeStream> stream = NodeAdapter::forType(NodeType::Anthropic).openStream(1024);
    stream->feed(sse("message_start", R"({"type":"message_start","message":{"id":"m","usage":{"input_tokens":1}}})")
                 + sse("error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})")
                 + sse("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}})"));
    // Nothing reached the client before the error: the call can still fail over.
    QCOMPARE(drain(*stream), QStringList { u"error overloaded_error: Overloaded"_s });
    stream->finish();
    QCOMPARE(drain(*stream), QStringList());
}

void TestNodeAdapters::anthropicStreamSurvivesMalformedInput_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("chunks");

    QTest::newRow("not SSE at all") << QByteArray("<html>502 Bad Gateway</html>") << 0;
    QTest::newRow("data that is no JSON object")
        << QByteArray("data: [1,2]\n\ndata: nonsense\n\ndata: \"x\"\n\n") << 0;
    QTest::newRow("events of unknown types and missing fields")
        << QByteArray("data: {\"type\":\"future_event\"}\n\ndata: {\"type\":\"content_block_delta\"}\n\n"
                      "data: {\"type\":\"content_block_start\",\"content_block\":7}\n\n"
                      "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":5}}\n\n")
        << 0;
    QTest::newRow("tool input for a block that never started")
        << sse("content_block_delta", R"({"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{}"}})")
        << 0;
    QTest::newRow("a stream cut in the middle of an event")
        << (sse("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}})")
            + QByteArray("event: content_block_delta\ndata: {\"type\":\"content_block_del"))
        << 1;
    QTest::newRow("an error event without details")
        << sse("error", R"({"type":"error"})") << 0;
}

void TestNodeAdapters::anthropicStreamSurvivesMalformedInput()
{
    QFETCH(QByteArray, body);
    QFETCH(int, chunks);
    const std::unique_ptr<NodeStream> stream = NodeAdapter::forType(NodeType::Anthropic).openStream(1024);
    stream->feed(body);
    stream->finish();
    const QStringList events = drain(*stream);
    int seenChunks = 0;
    for (const QString &event : events) {
        if (event.startsWith("chunk "_L1))
            ++seenChunks;
        else if (event != "end"_L1)
            QVERIFY2(event.startsWith("error "_L1) && event.size() > 6, qPrintable(event));
    }
    QCOMPARE(seenChunks, chunks);
    QVERIFY(!stream->overflowed());
}

void TestNodeAdapters::anthropicStreamOverflowBreaksIt()
{
    const std::unique_ptr<NodeStream> stream = NodeAdapter::forType(NodeType::Anthropic).openStream(128);
    stream->feed(sse("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}})"));
    QCOMPARE(drain(*stream).size(), 1);
    stream->feed("data: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\""
                 + QByteArray(500, 'x'));
    QVERIFY(stream->overflowed());
    stream->feed("\"}}\n\n" + sse("message_stop", R"({"type":"message_stop"})"));
    stream->finish();
    QCOMPARE(drain(*stream), QStringList());
}

void TestNodeAdapters::anthropicDecodeAnswer()
{
    const NodeAdapter &adapter = NodeAdapter::forType(NodeType::Anthropic);
    const auto answer = adapter.decodeAnswer(R"({"id":"msg_2","type":"message","role":"assistant","model":"claude-x",
        "content":[{"type":"thinking","thinking":"Think.","signature":"s"},{"type":"text","text":"Calling."},
                   {"type":"tool_use","id":"toolu_2","name":"look","input":{"at":[1,2]}}],
        "stop_reason":"tool_use","usage":{"input_tokens":7,"cache_creation_input_tokens":3,"cache_read_input_tokens":0,"output_tokens":4}})");
    QVERIFY(answer);
    const QJsonObject choice = answer->value("choices"_L1).toArray().at(0).toObject();
    QCOMPARE(choice.value("finish_reason"_L1).toString(), u"tool_calls"_s);
    const QJsonObject message = choice.value("message"_L1).toObject();
    QCOMPARE(message.value("content"_L1).toString(), u"Calling."_s);
    QCOMPARE(message.value("reasoning_content"_L1).toString(), u"Think."_s);
    QCOMPARE(compact(message.value("tool_calls"_L1)),
             uR"([{"function":{"arguments":"{\"at\":[1,2]}","name":"look"},"id":"toolu_2","type":"function"}])"_s);
    QCOMPARE(compact(answer->value("usage"_L1)),
             uR"({"completion_tokens":4,"prompt_tokens":10,"total_tokens":14})"_s);
    for (const auto &[stop, finish] : { std::pair { "end_turn", "stop" }, { "stop_sequence", "stop" },
                                        { "max_tokens", "length" }, { "tool_use", "tool_calls" },
                                        { "refusal", "content_filter" } })
        QCOMPARE(AnthropicUpstream::finishReason(QString::fromLatin1(stop)), QString::fromLatin1(finish));
    QVERIFY(!adapter.decodeAnswer(R"({"type":"error","error":{"type":"api_error","message":"x"}})"));
    QVERIFY(!adapter.decodeAnswer("[1,2]"));
    QVERIFY(!adapter.decodeAnswer("<html>"));
    QVERIFY(!adapter.decodeAnswer(QByteArray()));
}

void TestNodeAdapters::anthropicRefusal_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<ApiError::Kind>("kind");
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QString>("message");

    QTest::newRow("a wrong key is the gateway's failure (502)")
        << 401 << QByteArray(R"({"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}})")
        << ApiError::Kind::UpstreamFailed << 502
        << u"gpu-7 refused the gateway's API key: authentication_error: invalid x-api-key"_s;
    QTest::newRow("prompt is too long is a context refusal")
        << 400 << QByteArray(R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}})")
        << ApiError::Kind::ContextTooLong << 400
        << u"invalid_request_error: prompt is too long: 210000 tokens > 200000 maximum"_s;
    QTest::newRow("a rate limit keeps its status")
        << 429 << QByteArray(R"({"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit"}})")
        << ApiError::Kind::RateLimited << 429
        << u"rate_limit_error: Number of requests has exceeded your rate limit"_s;
    QTest::newRow("another 400 says what Anthropic said")
        << 400 << QByteArray(R"({"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}})")
        << ApiError::Kind::BadRequest << 400 << u"invalid_request_error: max_tokens: Field required"_s;
}

void TestNodeAdapters::anthropicRefusal()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(ApiError::Kind, kind);
    QFETCH(int, httpStatus);
    QFETCH(QString, message);
    const NodeAdapter &adapter = NodeAdapter::forType(NodeType::Anthropic);
    const ApiError error = adapter.refusal(makeNode(NodeType::Anthropic, u"http://gpu"_s), status, body);
    QCOMPARE(error.kind, kind);
    QCOMPARE(error.httpStatus(), httpStatus);
    QCOMPARE(error.message, message);
    // An overload (529) fails over: its message is what the request log and the last error say.
    QCOMPARE(adapter.errorMessage(R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})", 529),
             u"overloaded_error: Overloaded"_s);
    QCOMPARE(adapter.errorMessage("", 529), u"HTTP 529"_s);
}

void TestNodeAdapters::anthropicModels()
{
    const NodeAdapter &adapter = NodeAdapter::forType(NodeType::Anthropic);
    const UpstreamRequest request = adapter.modelsRequest(makeNode(NodeType::Anthropic, QString()), u"sk-ant"_s);
    QCOMPARE(request.method, QByteArray("GET"));
    QCOMPARE(request.url.toString(), u"https://api.anthropic.com/v1/models?limit=1000"_s);
    QCOMPARE(header(request, "x-api-key"), QByteArray("sk-ant"));
    QCOMPARE(header(request, "anthropic-version"), QByteArray("2023-06-01"));
    QCOMPARE(header(request, "Authorization"), QByteArray());

    QList<NodeModel> models;
    QString error;
    QVERIFY(adapter.parseModels(7, R"({"data":[{"type":"model","id":"claude-opus-4-1","display_name":"Claude Opus 4.1","created_at":"2025-08-05T00:00:00Z"},{"id":""}],"has_more":false})",
                                &models, &error));
    QCOMPARE(models.size(), 1);
    QCOMPARE(models.first().name, u"claude-opus-4-1"_s);
    QCOMPARE(models.first().nodeId, qint64(7));
    QCOMPARE(models.first().modifiedAt, u"2025-08-05T00:00:00Z"_s);
    QCOMPARE(compact(models.first().details), uR"({"display_name":"Claude Opus 4.1","provider":"anthropic"})"_s);
    // Pages: the next one after the last id while there are more.
    const Node node = makeNode(NodeType::Anthropic, u"http://proxy"_s);
    QVERIFY(!adapter.nextModelsRequest(node, u"sk-ant"_s, R"({"data":[],"has_more":false,"last_id":"a"})"));
    QVERIFY(!adapter.nextModelsRequest(node, u"sk-ant"_s, R"({"data":[],"has_more":true})"));
    QVERIFY(!adapter.nextModelsRequest(node, u"sk-ant"_s, "not json"));
    const auto next = adapter.nextModelsRequest(node, u"sk-ant"_s, R"({"data":[],"has_more":true,"last_id":"claude a&b"})");
    QVERIFY(next);
    QCOMPARE(next->url.toString(QUrl::FullyEncoded), u"http://proxy/v1/models?limit=1000&after_id=claude%20a%26b"_s);
    QCOMPARE(header(*next, "x-api-key"), QByteArray("sk-ant"));
    models.clear();
    QVERIFY(!adapter.parseModels(7, R"({"type":"error"})", &models, &error));
    QVERIFY(!adapter.parseModels(7, "[]", &models, &error));
}

QTEST_GUILESS_MAIN(TestNodeAdapters)
#include "tst_nodeadapters.moc"

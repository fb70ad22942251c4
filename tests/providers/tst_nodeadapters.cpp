#include "core/routeplanner.h"
#include "providers/nodetypes/nodeadapter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Maestro;
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

QTEST_GUILESS_MAIN(TestNodeAdapters)
#include "tst_nodeadapters.moc"

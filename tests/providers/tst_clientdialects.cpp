#include "providers/clientdialects/clientdialect.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QtEndian>

using namespace Maestro;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Maestro::Dialect)
Q_DECLARE_METATYPE(Maestro::NodeType)
Q_DECLARE_METATYPE(Maestro::Translate::ApiKind)
Q_DECLARE_METATYPE(Maestro::ApiError::Kind)

namespace {

using Translate::ApiKind;

QJsonObject object(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}

QByteArray compact(const QJsonObject &value)
{
    return QJsonDocument(value).toJson(QJsonDocument::Compact);
}

const QJsonObject ToolOffered
    = object(R"({"tools":[{"type":"function","function":{"name":"ls"}}]})");

// An OpenAI stream chunk whose text is a tool call the model printed, as Qwen does without a
// tool parser.
const QString PrintedCall
    = uR"(<tool_call>{"name": "ls", "arguments": {"path": "/"}}</tool_call>)"_s;
const QJsonObject PrintedCallChunk {
    { u"id"_s, u"c"_s },
    { u"object"_s, u"chat.completion.chunk"_s },
    { u"model"_s, u"m"_s },
    { u"choices"_s,
      QJsonArray { QJsonObject { { u"index"_s, 0 },
                                 { u"delta"_s, QJsonObject { { u"content"_s, PrintedCall } } },
                                 { u"finish_reason"_s, u"stop"_s } } } }
};

} // namespace

class TestClientDialects final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void forRequest_data();
    void forRequest();
    void errorObject_data();
    void errorObject();
    void streamError_data();
    void streamError();
    void responsesStreamFailsWithTheResponseSoFar();
    void validate_data();
    void validate();
    void wantsStream_data();
    void wantsStream();
    void requestForNode();
    void streamTranslatorRepairsPrintedToolCallsOnlyWhenToolsWereOffered();
    void answerRepairsAndReportsUsage();
    void openAiClientsGetBase64EmbeddingsWhenTheyAsk();
};

void TestClientDialects::forRequest_data()
{
    QTest::addColumn<Dialect>("dialect");
    QTest::addColumn<ApiKind>("kind");
    QTest::addColumn<Dialect>("family");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<bool>("bearerOnly"); // the 401 message mentions only the bearer header

    QTest::newRow("Ollama chat") << Dialect::Ollama << ApiKind::Chat << Dialect::Ollama
                                 << QByteArray("application/x-ndjson") << true;
    QTest::newRow("OpenAI embeddings") << Dialect::OpenAi << ApiKind::Embeddings << Dialect::OpenAi
                                       << QByteArray("text/event-stream") << true;
    QTest::newRow("OpenAI Responses: OpenAI's family")
        << Dialect::OpenAi << ApiKind::Responses << Dialect::OpenAi
        << QByteArray("text/event-stream") << true;
    QTest::newRow("Anthropic Messages, token also as x-api-key")
        << Dialect::Anthropic << ApiKind::Chat << Dialect::Anthropic
        << QByteArray("text/event-stream") << false;
}

void TestClientDialects::forRequest()
{
    QFETCH(Dialect, dialect);
    QFETCH(ApiKind, kind);
    QFETCH(Dialect, family);
    QFETCH(QByteArray, contentType);
    QFETCH(bool, bearerOnly);

    const ClientDialect &client = ClientDialect::forRequest(dialect, kind);
    QCOMPARE(client.dialect(), family);
    QCOMPARE(client.streamContentType().toByteArray(), contentType);
    QCOMPARE(client.missingTokenMessage().contains("x-api-key"_L1), !bearerOnly);
    QVERIFY(client.missingTokenMessage().contains("Authorization: Bearer <token>"_L1));
    // Shared and stateless: the same instance for the same request.
    QCOMPARE(&ClientDialect::forRequest(dialect, kind), &client);
    // The Responses API is a dialect of its own; every other OpenAI request shares one.
    QCOMPARE(&client == &ClientDialect::forDialect(dialect), kind != ApiKind::Responses);
}

void TestClientDialects::errorObject_data()
{
    QTest::addColumn<Dialect>("dialect");
    QTest::addColumn<ApiError::Kind>("kind");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("Ollama: a string")
        << Dialect::Ollama << ApiError::Kind::NotFound << QByteArray(R"({"error":"it failed"})");
    QTest::newRow("OpenAI: a refused model")
        << Dialect::OpenAi << ApiError::Kind::Forbidden
        << QByteArray(
               R"({"error":{"code":"model_not_allowed","message":"it failed","param":null,"type":"permission_error"}})");
    QTest::newRow("OpenAI: context_length_exceeded, what Codex compacts on")
        << Dialect::OpenAi << ApiError::Kind::ContextTooLong
        << QByteArray(
               R"({"error":{"code":"context_length_exceeded","message":"it failed","param":null,"type":"invalid_request_error"}})");
    QTest::newRow("OpenAI: no healthy node")
        << Dialect::OpenAi << ApiError::Kind::Unavailable
        << QByteArray(
               R"({"error":{"code":"no_healthy_node","message":"it failed","param":null,"type":"api_error"}})");
    QTest::newRow("Anthropic: prompt is too long, what Claude Code compacts on")
        << Dialect::Anthropic << ApiError::Kind::ContextTooLong
        << QByteArray(
               R"({"error":{"message":"prompt is too long: it failed","type":"invalid_request_error"},"type":"error"})");
    QTest::newRow("Anthropic: no healthy node is overloaded")
        << Dialect::Anthropic << ApiError::Kind::Unavailable
        << QByteArray(
               R"({"error":{"message":"it failed","type":"overloaded_error"},"type":"error"})");
    QTest::newRow("Anthropic: a limit")
        << Dialect::Anthropic << ApiError::Kind::RateLimited
        << QByteArray(
               R"({"error":{"message":"it failed","type":"rate_limit_error"},"type":"error"})");
}

void TestClientDialects::errorObject()
{
    QFETCH(Dialect, dialect);
    QFETCH(ApiError::Kind, kind);
    QFETCH(QByteArray, body);
    QCOMPARE(compact(ClientDialect::forDialect(dialect).errorObject({ kind, u"it failed"_s })),
             body);
}

void TestClientDialects::streamError_data()
{
    QTest::addColumn<Dialect>("dialect");
    QTest::addColumn<ApiKind>("kind");
    QTest::addColumn<QByteArray>("bytes");

    QTest::newRow("Ollama: an error line")
        << Dialect::Ollama << ApiKind::Chat << QByteArray("{\"error\":\"boom\"}\n");
    QTest::newRow("OpenAI: an error event, then [DONE]")
        << Dialect::OpenAi << ApiKind::Chat
        << QByteArray("data: "
                      "{\"error\":{\"code\":\"upstream_error\",\"message\":\"boom\",\"param\":null,"
                      "\"type\":\"api_error\"}}"
                      "\n\ndata: [DONE]\n\n");
    QTest::newRow("Responses before any event: OpenAI's error event")
        << Dialect::OpenAi << ApiKind::Responses
        << QByteArray("data: "
                      "{\"error\":{\"code\":\"upstream_error\",\"message\":\"boom\",\"param\":null,"
                      "\"type\":\"api_error\"}}"
                      "\n\ndata: [DONE]\n\n");
    QTest::newRow("Anthropic: an error event")
        << Dialect::Anthropic << ApiKind::Chat
        << QByteArray(
               "event: error\ndata: "
               "{\"error\":{\"message\":\"boom\",\"type\":\"api_error\"},\"type\":\"error\"}\n\n");
}

void TestClientDialects::streamError()
{
    QFETCH(Dialect, dialect);
    QFETCH(ApiKind, kind);
    QFETCH(QByteArray, bytes);
    QCOMPARE(ClientDialect::forRequest(dialect, kind).streamError(u"boom"_s, nullptr), bytes);
}

void TestClientDialects::responsesStreamFailsWithTheResponseSoFar()
{
    const ClientDialect &client = ClientDialect::forRequest(Dialect::OpenAi, ApiKind::Responses);
    const auto translator
        = client.streamTranslator(ApiKind::Responses, NodeType::OpenAi, u"coder"_s, {});
    const QByteArray started = translator->translate(
        object(R"({"choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]})"));
    QVERIFY(started.contains("event: response.created"));
    const QByteArray failed = client.streamError(u"boom"_s, translator.get());
    QVERIFY2(failed.contains("event: response.failed"), failed.constData());
    QVERIFY(failed.contains("boom"));
    QVERIFY(!failed.contains("[DONE]"));
}

void TestClientDialects::validate_data()
{
    QTest::addColumn<Dialect>("dialect");
    QTest::addColumn<ApiKind>("kind");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("error"); // empty: valid

    QTest::newRow("every dialect needs a model")
        << Dialect::Ollama << ApiKind::Chat << QByteArray("{}") << u"\"model\" is required"_s;
    QTest::newRow("the model is a non-empty string")
        << Dialect::OpenAi << ApiKind::Chat << QByteArray(R"({"model":""})")
        << u"\"model\" must be a non-empty string, not a string"_s;
    QTest::newRow("stream is a boolean")
        << Dialect::Anthropic << ApiKind::Chat
        << QByteArray(R"({"model":"m","stream":"yes","messages":[]})")
        << u"\"stream\" must be a boolean, not a string"_s;
    QTest::newRow("tools are an array") << Dialect::OpenAi << ApiKind::Responses
                                        << QByteArray(R"({"model":"m","tools":{},"input":"hi"})")
                                        << u"\"tools\" must be an array, not an object"_s;
    QTest::newRow("Ollama: a chat without messages loads the model")
        << Dialect::Ollama << ApiKind::Chat << QByteArray(R"({"model":"m"})") << QString();
    QTest::newRow("OpenAI: a chat needs messages")
        << Dialect::OpenAi << ApiKind::Chat << QByteArray(R"({"model":"m"})")
        << u"\"messages\" must be an array, not missing"_s;
    QTest::newRow("each message has a role")
        << Dialect::Ollama << ApiKind::Chat
        << QByteArray(R"({"model":"m","messages":[{"content":"hi"}]})")
        << u"each message needs a \"role\" string"_s;
    QTest::newRow("Ollama: a generate prompt is a string")
        << Dialect::Ollama << ApiKind::Completion << QByteArray(R"({"model":"m","prompt":["a"]})")
        << u"\"prompt\" must be a string, not an array"_s;
    QTest::newRow("OpenAI: a completions prompt may be an array")
        << Dialect::OpenAi << ApiKind::Completion << QByteArray(R"({"model":"m","prompt":["a"]})")
        << QString();
    QTest::newRow("embeddings need an input")
        << Dialect::OpenAi << ApiKind::Embeddings << QByteArray(R"({"model":"m"})")
        << u"\"input\" must be a string or an array, not missing"_s;
    QTest::newRow("Ollama: legacy embeddings need a prompt string")
        << Dialect::Ollama << ApiKind::LegacyEmbeddings << QByteArray(R"({"model":"m","prompt":1})")
        << u"\"prompt\" must be a string, not a number"_s;
    QTest::newRow("Anthropic: max_tokens is a number")
        << Dialect::Anthropic << ApiKind::Chat
        << QByteArray(R"({"model":"m","max_tokens":"9","messages":[]})")
        << u"\"max_tokens\" must be a number, not a string"_s;
    QTest::newRow("Anthropic: system may be content blocks")
        << Dialect::Anthropic << ApiKind::Chat
        << QByteArray(R"({"model":"m","system":[{"type":"text","text":"be brief"}],"messages":[]})")
        << QString();
    QTest::newRow("Anthropic: a request needs messages")
        << Dialect::Anthropic << ApiKind::Chat << QByteArray(R"({"model":"m","max_tokens":9})")
        << u"\"messages\" must be an array, not missing"_s;
    QTest::newRow("Responses: stored state cannot be continued")
        << Dialect::OpenAi << ApiKind::Responses
        << QByteArray(R"({"model":"m","previous_response_id":"r1","input":"hi"})")
        << u"\"previous_response_id\" is not supported: this gateway stores no responses. Send the whole conversation in \"input\" (with \"store\": false)."_s;
    QTest::newRow("Responses: input items only")
        << Dialect::OpenAi << ApiKind::Responses << QByteArray(R"({"model":"m","input":[1]})")
        << u"each entry of \"input\" must be an object"_s;
}

void TestClientDialects::validate()
{
    QFETCH(Dialect, dialect);
    QFETCH(ApiKind, kind);
    QFETCH(QByteArray, body);
    QFETCH(QString, error);

    const auto refused
        = ClientDialect::forRequest(dialect, kind).validate(kind, object(body.constData()));
    QCOMPARE(refused ? refused->message : QString(), error);
    if (refused)
        QCOMPARE(refused->httpStatus(), 400);
}

void TestClientDialects::wantsStream_data()
{
    QTest::addColumn<Dialect>("dialect");
    QTest::addColumn<ApiKind>("kind");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("stream");

    QTest::newRow("Ollama chat streams unless told not to")
        << Dialect::Ollama << ApiKind::Chat << QByteArray("{}") << true;
    QTest::newRow("Ollama chat told not to")
        << Dialect::Ollama << ApiKind::Chat << QByteArray(R"({"stream":false})") << false;
    QTest::newRow("Ollama embeddings never stream")
        << Dialect::Ollama << ApiKind::Embeddings << QByteArray(R"({"stream":true})") << false;
    QTest::newRow("OpenAI streams only when asked")
        << Dialect::OpenAi << ApiKind::Chat << QByteArray("{}") << false;
    QTest::newRow("OpenAI asked") << Dialect::OpenAi << ApiKind::Completion
                                  << QByteArray(R"({"stream":true})") << true;
    QTest::newRow("Responses asked")
        << Dialect::OpenAi << ApiKind::Responses << QByteArray(R"({"stream":true})") << true;
    QTest::newRow("Anthropic streams only when asked")
        << Dialect::Anthropic << ApiKind::Chat << QByteArray("{}") << false;
    QTest::newRow("Anthropic asked")
        << Dialect::Anthropic << ApiKind::Chat << QByteArray(R"({"stream":true})") << true;
}

void TestClientDialects::wantsStream()
{
    QFETCH(Dialect, dialect);
    QFETCH(ApiKind, kind);
    QFETCH(QByteArray, body);
    QFETCH(bool, stream);
    QCOMPARE(ClientDialect::forRequest(dialect, kind).wantsStream(kind, object(body.constData())),
             stream);
}

void TestClientDialects::requestForNode()
{
    // Each dialect reaches either wire dialect through its own translation.
    const QJsonObject messages = object(
        R"({"model":"m","system":"be brief","max_tokens":50,"top_k":5,"stream":true,"messages":[{"role":"user","content":"hi"}]})");
    const ClientDialect &anthropic = ClientDialect::forRequest(Dialect::Anthropic, ApiKind::Chat);
    const QJsonObject toOpenAi
        = anthropic.requestForNode(ApiKind::Chat, NodeType::OpenAi, messages);
    QCOMPARE(toOpenAi.value("messages"_L1).toArray().first().toObject().value("role"_L1).toString(),
             u"system"_s);
    QVERIFY(!toOpenAi.contains("top_k"_L1)); // OpenAI servers refuse it
    QVERIFY(toOpenAi.value("stream_options"_L1).toObject().value("include_usage"_L1).toBool());
    const QJsonObject toOllama
        = anthropic.requestForNode(ApiKind::Chat, NodeType::Ollama, messages);
    QCOMPARE(toOllama.value("options"_L1).toObject().value("top_k"_L1).toInt(), 5);
    QCOMPARE(toOllama.value("options"_L1).toObject().value("num_predict"_L1).toInt(), 50);

    const ClientDialect &responses = ClientDialect::forRequest(Dialect::OpenAi, ApiKind::Responses);
    const QJsonObject fromResponses = responses.requestForNode(
        ApiKind::Responses, NodeType::Ollama,
        object(R"({"model":"m","instructions":"be brief","input":"hi"})"));
    QCOMPARE(fromResponses.value("messages"_L1).toArray().size(), 2);
    QCOMPARE(fromResponses.value("stream"_L1).toBool(true), false);

    const ClientDialect &ollama = ClientDialect::forRequest(Dialect::Ollama, ApiKind::Chat);
    const QJsonObject chat = object(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
    QCOMPARE(ollama.requestForNode(ApiKind::Chat, NodeType::Ollama, chat)
                 .value("stream"_L1)
                 .toBool(false),
             true);
    const QJsonObject ollamaToOpenAi = ollama.requestForNode(ApiKind::Chat, NodeType::OpenAi, chat);
    QCOMPARE(ollamaToOpenAi.value("stream"_L1).toBool(false), true);
    QVERIFY(
        ollamaToOpenAi.value("stream_options"_L1).toObject().value("include_usage"_L1).toBool());

    const ClientDialect &openAi = ClientDialect::forRequest(Dialect::OpenAi, ApiKind::Embeddings);
    const QJsonObject embed = object(R"({"model":"m","input":["a","b"]})");
    QCOMPARE(openAi.requestForNode(ApiKind::Embeddings, NodeType::OpenAi, embed), embed);
    QCOMPARE(openAi.requestForNode(ApiKind::Embeddings, NodeType::Ollama, embed)
                 .value("input"_L1)
                 .toArray()
                 .size(),
             2);
}

void TestClientDialects::streamTranslatorRepairsPrintedToolCallsOnlyWhenToolsWereOffered()
{
    const ClientDialect &client = ClientDialect::forRequest(Dialect::OpenAi, ApiKind::Chat);
    QJsonObject request = ToolOffered;
    request.insert(u"stream"_s, true);

    auto repaired = client.streamTranslator(ApiKind::Chat, NodeType::OpenAi, u"coder"_s, request);
    const QByteArray withTools = repaired->translate(PrintedCallChunk) + repaired->finish();
    QVERIFY2(withTools.contains("\"tool_calls\""), withTools.constData());
    QVERIFY(withTools.contains("\"finish_reason\":\"tool_calls\""));
    QVERIFY(!withTools.contains("<tool_call>"));

    auto plain = client.streamTranslator(ApiKind::Chat, NodeType::OpenAi, u"coder"_s,
                                         object(R"({"stream":true})"));
    const QByteArray withoutTools = plain->translate(PrintedCallChunk) + plain->finish();
    QVERIFY(!withoutTools.contains("\"tool_calls\""));
    QVERIFY(withoutTools.contains("<tool_call>"));
}

void TestClientDialects::answerRepairsAndReportsUsage()
{
    const ClientDialect &client = ClientDialect::forRequest(Dialect::Anthropic, ApiKind::Chat);
    QJsonObject nodeAnswer = object(
        R"({"model":"qwen","done":true,"done_reason":"stop","prompt_eval_count":12,"eval_count":7})");
    nodeAnswer.insert(u"message"_s,
                      QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, PrintedCall } });
    QJsonObject request = ToolOffered;
    request.insert(u"messages"_s, QJsonArray());

    Usage usage;
    const QJsonObject answer
        = client.answer(ApiKind::Chat, NodeType::Ollama, nodeAnswer, u"coder"_s, request, &usage);
    QCOMPARE(answer.value("model"_L1).toString(), u"coder"_s);
    QCOMPARE(answer.value("stop_reason"_L1).toString(), u"tool_use"_s);
    const QJsonObject block = answer.value("content"_L1).toArray().last().toObject();
    QCOMPARE(block.value("type"_L1).toString(), u"tool_use"_s);
    QCOMPARE(block.value("name"_L1).toString(), u"ls"_s);
    QCOMPARE(usage.promptTokens, qint64(12));
    QCOMPARE(usage.completionTokens, qint64(7));

    // Without tools offered, the text is what the client asked for.
    const QJsonObject plain = client.answer(ApiKind::Chat, NodeType::Ollama, nodeAnswer, u"coder"_s,
                                            object(R"({"messages":[]})"), &usage);
    QCOMPARE(plain.value("stop_reason"_L1).toString(), u"end_turn"_s);
    QVERIFY(plain.value("content"_L1)
                .toArray()
                .first()
                .toObject()
                .value("text"_L1)
                .toString()
                .contains("<tool_call>"_L1));
}

void TestClientDialects::openAiClientsGetBase64EmbeddingsWhenTheyAsk()
{
    const ClientDialect &client = ClientDialect::forRequest(Dialect::OpenAi, ApiKind::Embeddings);
    const QJsonObject nodeAnswer
        = object(R"({"model":"nomic","embeddings":[[1.0,-2.5]],"prompt_eval_count":3})");
    Usage usage;
    const QJsonObject floats = client.answer(ApiKind::Embeddings, NodeType::Ollama, nodeAnswer,
                                             u"embed"_s, object(R"({"input":"a"})"), &usage);
    QCOMPARE(
        floats.value("data"_L1).toArray().first().toObject().value("embedding"_L1).toArray().size(),
        2);
    QCOMPARE(usage.promptTokens, qint64(3));

    const QJsonObject base64
        = client.answer(ApiKind::Embeddings, NodeType::Ollama, nodeAnswer, u"embed"_s,
                        object(R"({"input":"a","encoding_format":"base64"})"), &usage);
    const QByteArray bytes = QByteArray::fromBase64(base64.value("data"_L1)
                                                        .toArray()
                                                        .first()
                                                        .toObject()
                                                        .value("embedding"_L1)
                                                        .toString()
                                                        .toLatin1());
    QCOMPARE(bytes.size(), 8);
    QCOMPARE(qFromLittleEndian<float>(bytes.constData()), 1.0f);
    QCOMPARE(qFromLittleEndian<float>(bytes.constData() + 4), -2.5f);

    // Ollama clients get floats, whatever they asked.
    const QJsonObject ollama
        = ClientDialect::forRequest(Dialect::Ollama, ApiKind::Embeddings)
              .answer(ApiKind::Embeddings, NodeType::Ollama, nodeAnswer, u"embed"_s,
                      object(R"({"input":"a","encoding_format":"base64"})"), &usage);
    QVERIFY(ollama.value("embeddings"_L1).toArray().first().isArray());
}

QTEST_GUILESS_MAIN(TestClientDialects)
#include "tst_clientdialects.moc"

#include "jsonfixtures.h"
#include "providers/translate.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtEndian>
#include <QtTest>

using namespace Maestro;
using namespace Maestro::Translate;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Maestro::Translate::ApiKind)
Q_DECLARE_METATYPE(Maestro::Dialect)
Q_DECLARE_METATYPE(Maestro::NodeType)

namespace {

QJsonValue loadFixture(const QString &name)
{
    return Test::loadJsonFixture(u"providers/fixtures/translate/"_s + name);
}

QJsonObject loadObject(const QString &name)
{
    return loadFixture(name).toObject();
}

using Test::jsonDifference;

// NDJSON as an Ollama client reads it: one compact object per line, each line terminated.
QJsonArray parseNdjson(const QByteArray &bytes, QString *error)
{
    QJsonArray events;
    if (!bytes.isEmpty() && !bytes.endsWith('\n'))
        *error = u"the stream does not end with a newline"_s;
    for (const QByteArray &line : bytes.split('\n')) {
        if (line.isEmpty())
            continue;
        const QJsonDocument document = QJsonDocument::fromJson(line);
        if (!document.isObject())
            *error = u"not a JSON object line: "_s + QString::fromUtf8(line);
        events.append(document.object());
    }
    return events;
}

// SSE as the openai SDKs read it: "data: <payload>" frames separated by a blank line.
QJsonArray parseSse(const QByteArray &bytes, QString *error)
{
    QJsonArray events;
    if (!bytes.endsWith("\n\n"))
        *error = u"the stream does not end with a blank line"_s;
    for (const QByteArray &frame : bytes.split('\n')) {
        if (frame.isEmpty())
            continue;
        if (!frame.startsWith("data: ")) {
            *error = u"not a data line: "_s + QString::fromUtf8(frame);
            continue;
        }
        const QByteArray payload = frame.mid(6);
        if (payload == "[DONE]") {
            events.append(u"[DONE]"_s);
            continue;
        }
        const QJsonDocument document = QJsonDocument::fromJson(payload);
        if (!document.isObject())
            *error = u"not a JSON object: "_s + QString::fromUtf8(payload);
        events.append(document.object());
    }
    if (bytes.count("\n\n") != events.size())
        *error = u"frames are not separated by exactly one blank line"_s;
    return events;
}

} // namespace

class TestTranslate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void upstreamPaths_data();
    void upstreamPaths();
    void streamDefaults_data();
    void streamDefaults();
    void requests_data();
    void requests();
    void responses_data();
    void responses();
    void streams_data();
    void streams();
    void usageFrom_data();
    void usageFrom();
    void openAiStreamIdIsStable();
    void finishClosesOnlyOnce();
    void base64EmbeddingsForOpenAiClients();
};

void TestTranslate::upstreamPaths_data()
{
    QTest::addColumn<ApiKind>("kind");
    QTest::addColumn<NodeType>("node");
    QTest::addColumn<QByteArray>("path");

    QTest::newRow("chat goes to /api/chat on ollama")
        << ApiKind::Chat << NodeType::Ollama << QByteArray("/api/chat");
    QTest::newRow("completion goes to /api/generate on ollama")
        << ApiKind::Completion << NodeType::Ollama << QByteArray("/api/generate");
    QTest::newRow("embeddings go to /api/embed on ollama")
        << ApiKind::Embeddings << NodeType::Ollama << QByteArray("/api/embed");
    QTest::newRow("legacy embeddings stay on /api/embeddings on ollama")
        << ApiKind::LegacyEmbeddings << NodeType::Ollama << QByteArray("/api/embeddings");
    QTest::newRow("chat goes to /v1/chat/completions on openai")
        << ApiKind::Chat << NodeType::OpenAi << QByteArray("/v1/chat/completions");
    QTest::newRow("completion goes to /v1/completions on openai")
        << ApiKind::Completion << NodeType::OpenAi << QByteArray("/v1/completions");
    QTest::newRow("embeddings go to /v1/embeddings on openai")
        << ApiKind::Embeddings << NodeType::OpenAi << QByteArray("/v1/embeddings");
    QTest::newRow("legacy embeddings go to /v1/embeddings on openai")
        << ApiKind::LegacyEmbeddings << NodeType::OpenAi << QByteArray("/v1/embeddings");
}

void TestTranslate::upstreamPaths()
{
    QFETCH(ApiKind, kind);
    QFETCH(NodeType, node);
    QFETCH(QByteArray, path);
    QCOMPARE(upstreamPath(kind, node), path);
}

void TestTranslate::streamDefaults_data()
{
    QTest::addColumn<ApiKind>("kind");
    QTest::addColumn<Dialect>("client");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("stream");

    QTest::newRow("ollama chat streams when stream is absent")
        << ApiKind::Chat << Dialect::Ollama << QByteArray(R"({"model":"m"})") << true;
    QTest::newRow("ollama generate honours stream false")
        << ApiKind::Completion << Dialect::Ollama << QByteArray(R"({"stream":false})") << false;
    QTest::newRow("openai chat does not stream when stream is absent")
        << ApiKind::Chat << Dialect::OpenAi << QByteArray(R"({"model":"m"})") << false;
    QTest::newRow("openai completion streams when asked")
        << ApiKind::Completion << Dialect::OpenAi << QByteArray(R"({"stream":true})") << true;
    QTest::newRow("ollama embeddings never stream")
        << ApiKind::Embeddings << Dialect::Ollama << QByteArray(R"({"stream":true})") << false;
}

void TestTranslate::streamDefaults()
{
    QFETCH(ApiKind, kind);
    QFETCH(Dialect, client);
    QFETCH(QByteArray, body);
    QFETCH(bool, stream);
    QCOMPARE(wantsStream(kind, client, QJsonDocument::fromJson(body).object()), stream);
}

void TestTranslate::requests_data()
{
    QTest::addColumn<ApiKind>("kind");
    QTest::addColumn<Dialect>("client");
    QTest::addColumn<NodeType>("node");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");

    const auto row = [](const char *name, ApiKind kind, Dialect client, NodeType node,
                        const QString &input, const QString &expected) {
        QTest::newRow(name) << kind << client << node << u"requests/"_s + input
                            << u"requests/"_s + expected;
    };
    row("ollama chat with images becomes openai content parts with sniffed mime types",
        ApiKind::Chat, Dialect::Ollama, NodeType::OpenAi, u"ollama-chat-images.json"_s,
        u"ollama-chat-images.openai.json"_s);
    row("ollama chat tool calls get ids, string arguments and matching tool results", ApiKind::Chat,
        Dialect::Ollama, NodeType::OpenAi, u"ollama-chat-tools.json"_s,
        u"ollama-chat-tools.openai.json"_s);
    row("ollama chat json schema format becomes response_format json_schema and streams by default",
        ApiKind::Chat, Dialect::Ollama, NodeType::OpenAi, u"ollama-chat-schema.json"_s,
        u"ollama-chat-schema.openai.json"_s);
    row("openai chat content parts become ollama text and images", ApiKind::Chat, Dialect::OpenAi,
        NodeType::Ollama, u"openai-chat-vision.json"_s, u"openai-chat-vision.ollama.json"_s);
    row("openai chat tool calls get object arguments and tool results get tool names",
        ApiKind::Chat, Dialect::OpenAi, NodeType::Ollama, u"openai-chat-tools.json"_s,
        u"openai-chat-tools.ollama.json"_s);
    row("openai chat json_schema response format becomes the ollama format schema", ApiKind::Chat,
        Dialect::OpenAi, NodeType::Ollama, u"openai-chat-schema.json"_s,
        u"openai-chat-schema.ollama.json"_s);
    row("openai stream to openai node asks for usage and keeps other stream options", ApiKind::Chat,
        Dialect::OpenAi, NodeType::OpenAi, u"openai-chat-stream.json"_s,
        u"openai-chat-stream.openai.json"_s);
    row("openai non-streamed chat to openai node is unchanged", ApiKind::Chat, Dialect::OpenAi,
        NodeType::OpenAi, u"openai-chat-schema.json"_s, u"openai-chat-schema.json"_s);
    row("ollama chat to ollama node gets an explicit stream", ApiKind::Chat, Dialect::Ollama,
        NodeType::Ollama, u"ollama-chat-default-stream.json"_s,
        u"ollama-chat-default-stream.ollama.json"_s);
    row("ollama generate becomes an openai completion with the system line first",
        ApiKind::Completion, Dialect::Ollama, NodeType::OpenAi, u"ollama-generate.json"_s,
        u"ollama-generate.openai.json"_s);
    row("openai completion with a one-prompt array becomes an ollama generate", ApiKind::Completion,
        Dialect::OpenAi, NodeType::Ollama, u"openai-completion.json"_s,
        u"openai-completion.ollama.json"_s);
    row("ollama embed becomes openai embeddings with float encoding", ApiKind::Embeddings,
        Dialect::Ollama, NodeType::OpenAi, u"ollama-embed.json"_s, u"ollama-embed.openai.json"_s);
    row("ollama legacy embeddings prompt becomes openai input", ApiKind::LegacyEmbeddings,
        Dialect::Ollama, NodeType::OpenAi, u"ollama-embeddings-legacy.json"_s,
        u"ollama-embeddings-legacy.openai.json"_s);
    row("openai embeddings lose encoding_format and user on an ollama node", ApiKind::Embeddings,
        Dialect::OpenAi, NodeType::Ollama, u"openai-embeddings.json"_s,
        u"openai-embeddings.ollama.json"_s);
    row("openai embeddings to openai node are unchanged", ApiKind::Embeddings, Dialect::OpenAi,
        NodeType::OpenAi, u"openai-embeddings.json"_s, u"openai-embeddings.json"_s);
    row("ollama legacy embeddings to ollama node are unchanged", ApiKind::LegacyEmbeddings,
        Dialect::Ollama, NodeType::Ollama, u"ollama-embeddings-legacy.json"_s,
        u"ollama-embeddings-legacy.json"_s);
}

void TestTranslate::requests()
{
    QFETCH(ApiKind, kind);
    QFETCH(Dialect, client);
    QFETCH(NodeType, node);
    QFETCH(QString, input);
    QFETCH(QString, expected);

    const QJsonObject translated = translateRequest(kind, client, node, loadObject(input));
    QCOMPARE(jsonDifference(translated, loadObject(expected), u"$"_s), QString());
}

void TestTranslate::responses_data()
{
    QTest::addColumn<ApiKind>("kind");
    QTest::addColumn<NodeType>("node");
    QTest::addColumn<Dialect>("client");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<qint64>("promptTokens");
    QTest::addColumn<qint64>("completionTokens");

    const auto row
        = [](const char *name, ApiKind kind, NodeType node, Dialect client, const QString &model,
             const QString &input, const QString &expected, qint64 prompt, qint64 completion) {
              QTest::newRow(name) << kind << node << client << model << u"responses/"_s + input
                                  << u"responses/"_s + expected << prompt << completion;
          };
    row("vllm chat completion with reasoning becomes an ollama chat with thinking", ApiKind::Chat,
        NodeType::OpenAi, Dialect::Ollama, u"deepseek-r1"_s, u"vllm-chat-reasoning.json"_s,
        u"vllm-chat-reasoning.ollama.json"_s, 12, 21);
    row("openai tool calls become ollama tool calls with object arguments", ApiKind::Chat,
        NodeType::OpenAi, Dialect::Ollama, u"gpt-4o"_s, u"openai-chat-toolcalls.json"_s,
        u"openai-chat-toolcalls.ollama.json"_s, 82, 18);
    row("ollama chat cut at the length limit becomes an openai completion with reasoning",
        ApiKind::Chat, NodeType::Ollama, Dialect::OpenAi, u"qwen3"_s,
        u"ollama-chat-thinking.json"_s, u"ollama-chat-thinking.openai.json"_s, 14, 5);
    row("ollama tool calls become openai tool calls with ids and string arguments", ApiKind::Chat,
        NodeType::Ollama, Dialect::OpenAi, u"llama-tools"_s, u"ollama-chat-toolcalls.json"_s,
        u"ollama-chat-toolcalls.openai.json"_s, 215, 41);
    row("ollama generate becomes an openai text completion", ApiKind::Completion, NodeType::Ollama,
        Dialect::OpenAi, u"llama"_s, u"ollama-generate.json"_s, u"ollama-generate.openai.json"_s,
        26, 290);
    row("vllm text completion becomes an ollama generate response", ApiKind::Completion,
        NodeType::OpenAi, Dialect::Ollama, u"coder"_s, u"vllm-completion.json"_s,
        u"vllm-completion.ollama.json"_s, 6, 16);
    row("openai embeddings become ollama embeddings in index order", ApiKind::Embeddings,
        NodeType::OpenAi, Dialect::Ollama, u"embedder"_s, u"openai-embeddings.json"_s,
        u"openai-embeddings.ollama.json"_s, 8, -1);
    row("base64 openai embeddings become the legacy ollama embedding", ApiKind::LegacyEmbeddings,
        NodeType::OpenAi, Dialect::Ollama, u"embedder"_s, u"openai-embeddings-base64.json"_s,
        u"openai-embeddings-base64.legacy.json"_s, 9, 0);
    row("ollama embed becomes an openai embeddings list", ApiKind::Embeddings, NodeType::Ollama,
        Dialect::OpenAi, u"embedder"_s, u"ollama-embed.json"_s, u"ollama-embed.openai.json"_s, 8,
        -1);
    row("ollama chat to an ollama client only renames the model", ApiKind::Chat, NodeType::Ollama,
        Dialect::Ollama, u"assistant"_s, u"ollama-chat.json"_s, u"ollama-chat.renamed.json"_s, 26,
        8);
    row("openai chat to an openai client only renames the model", ApiKind::Chat, NodeType::OpenAi,
        Dialect::OpenAi, u"gpt"_s, u"openai-chat-toolcalls.json"_s,
        u"openai-chat-toolcalls.renamed.json"_s, 82, 18);
    row("legacy ollama embedding to an ollama client is unchanged", ApiKind::LegacyEmbeddings,
        NodeType::Ollama, Dialect::Ollama, u"embedder"_s, u"ollama-embeddings-legacy.json"_s,
        u"ollama-embeddings-legacy.json"_s, -1, -1);
}

void TestTranslate::responses()
{
    QFETCH(ApiKind, kind);
    QFETCH(NodeType, node);
    QFETCH(Dialect, client);
    QFETCH(QString, model);
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QFETCH(qint64, promptTokens);
    QFETCH(qint64, completionTokens);

    Usage usage;
    const QJsonObject translated
        = translateResponse(kind, node, client, loadObject(input), model, &usage);
    QCOMPARE(jsonDifference(translated, loadObject(expected), u"$"_s), QString());
    QCOMPARE(usage.promptTokens, promptTokens);
    QCOMPARE(usage.completionTokens, completionTokens);
}

void TestTranslate::streams_data()
{
    QTest::addColumn<ApiKind>("kind");
    QTest::addColumn<NodeType>("node");
    QTest::addColumn<Dialect>("client");
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("clientWantsUsage");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<int>("endEvent");
    QTest::addColumn<qint64>("promptTokens");
    QTest::addColumn<qint64>("completionTokens");

    const auto row = [](const char *name, ApiKind kind, NodeType node, Dialect client,
                        const QString &model, bool wantsUsage, const QString &input,
                        const QString &expected, int endEvent, qint64 prompt, qint64 completion) {
        QTest::newRow(name) << kind << node << client << model << wantsUsage
                            << u"streams/"_s + input << u"streams/"_s + expected << endEvent
                            << prompt << completion;
    };
    row("vllm reasoning stream becomes ollama thinking and content lines with a final done line",
        ApiKind::Chat, NodeType::OpenAi, Dialect::Ollama, u"deepseek-r1"_s, false,
        u"vllm-chat-reasoning.json"_s, u"vllm-chat-reasoning.ollama.json"_s, 4, 9, 4);
    row("streamed openai tool call pieces become one ollama tool call line", ApiKind::Chat,
        NodeType::OpenAi, Dialect::Ollama, u"gpt-4o"_s, false, u"openai-chat-toolcalls.json"_s,
        u"openai-chat-toolcalls.ollama.json"_s, 6, 82, 31);
    row("ollama thinking stream becomes openai chunks with reasoning and the usage chunk asked for",
        ApiKind::Chat, NodeType::Ollama, Dialect::OpenAi, u"qwen3"_s, true,
        u"ollama-chat-thinking.json"_s, u"ollama-chat-thinking.openai.json"_s, 4, 14, 9);
    row("ollama streamed tool calls become indexed openai tool call deltas without usage",
        ApiKind::Chat, NodeType::Ollama, Dialect::OpenAi, u"llama-tools"_s, false,
        u"ollama-chat-toolcalls.json"_s, u"ollama-chat-toolcalls.openai.json"_s, 2, 215, 41);
    row("openai relay swallows the usage chunk the client did not ask for", ApiKind::Chat,
        NodeType::OpenAi, Dialect::OpenAi, u"gpt"_s, false, u"openai-chat-toolcalls.json"_s,
        u"openai-chat-toolcalls.relayed.json"_s, 6, 82, 31);
    row("openai relay keeps the usage chunk the client asked for and renames the model",
        ApiKind::Chat, NodeType::OpenAi, Dialect::OpenAi, u"gpt"_s, true,
        u"openai-chat-toolcalls.json"_s, u"openai-chat-toolcalls.relayed-usage.json"_s, 6, 82, 31);
    row("ollama relay renames the model in every line and adds nothing at the end", ApiKind::Chat,
        NodeType::Ollama, Dialect::Ollama, u"qwen3"_s, false, u"ollama-chat-thinking.json"_s,
        u"ollama-chat-thinking.relayed.json"_s, 4, 14, 9);
    row("ollama generate stream becomes openai text completion chunks", ApiKind::Completion,
        NodeType::Ollama, Dialect::OpenAi, u"llama"_s, true, u"ollama-generate.json"_s,
        u"ollama-generate.openai.json"_s, 3, 26, 3);
    row("vllm completion stream becomes ollama generate lines", ApiKind::Completion,
        NodeType::OpenAi, Dialect::Ollama, u"coder"_s, false, u"vllm-completion.json"_s,
        u"vllm-completion.ollama.json"_s, 2, 6, 4);
    row("an ollama error line becomes an openai error event", ApiKind::Chat, NodeType::Ollama,
        Dialect::OpenAi, u"llama"_s, false, u"ollama-error.json"_s, u"ollama-error.openai.json"_s,
        -1, -1, -1);
    row("an openai error event becomes an ollama error line", ApiKind::Chat, NodeType::OpenAi,
        Dialect::Ollama, u"llama"_s, false, u"openai-error.json"_s, u"openai-error.ollama.json"_s,
        -1, -1, -1);
}

void TestTranslate::streams()
{
    QFETCH(ApiKind, kind);
    QFETCH(NodeType, node);
    QFETCH(Dialect, client);
    QFETCH(QString, model);
    QFETCH(bool, clientWantsUsage);
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QFETCH(int, endEvent);
    QFETCH(qint64, promptTokens);
    QFETCH(qint64, completionTokens);

    const auto translator = makeStreamTranslator(kind, node, client, model, clientWantsUsage);
    const QJsonArray events = loadFixture(input).toArray();
    QVERIFY(!events.isEmpty());
    QByteArray output;
    int sawEndAt = -1;
    for (qsizetype i = 0; i < events.size(); ++i) {
        output += translator->translate(events.at(i).toObject());
        if (sawEndAt < 0 && translator->sawEnd())
            sawEndAt = int(i);
    }
    output += translator->finish();

    QString framingError;
    const QJsonArray chunks = client == Dialect::Ollama ? parseNdjson(output, &framingError)
                                                        : parseSse(output, &framingError);
    QCOMPARE(framingError, QString());
    QCOMPARE(jsonDifference(chunks, loadFixture(expected), u"$"_s), QString());
    QCOMPARE(sawEndAt, endEvent);
    QCOMPARE(translator->usage().promptTokens, promptTokens);
    QCOMPARE(translator->usage().completionTokens, completionTokens);
}

void TestTranslate::usageFrom_data()
{
    QTest::addColumn<NodeType>("node");
    QTest::addColumn<QByteArray>("object");
    QTest::addColumn<qint64>("promptTokens");
    QTest::addColumn<qint64>("completionTokens");

    QTest::newRow("openai usage object gives both counts")
        << NodeType::OpenAi
        << QByteArray(R"({"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}})")
        << qint64(5) << qint64(7);
    QTest::newRow("openai chunk with null usage says nothing")
        << NodeType::OpenAi << QByteArray(R"({"choices":[],"usage":null})") << qint64(-1)
        << qint64(-1);
    QTest::newRow("openai embeddings usage has no completion count")
        << NodeType::OpenAi << QByteArray(R"({"usage":{"prompt_tokens":3,"total_tokens":3}})")
        << qint64(3) << qint64(-1);
    QTest::newRow("ollama done line gives both counts")
        << NodeType::Ollama << QByteArray(R"({"done":true,"prompt_eval_count":10,"eval_count":20})")
        << qint64(10) << qint64(20);
    QTest::newRow("ollama line before done says nothing even with counts")
        << NodeType::Ollama
        << QByteArray(R"({"done":false,"prompt_eval_count":10,"eval_count":20})") << qint64(-1)
        << qint64(-1);
    QTest::newRow("ollama cached prompt reports no prompt count")
        << NodeType::Ollama << QByteArray(R"({"done":true,"eval_count":4})") << qint64(-1)
        << qint64(4);
}

void TestTranslate::usageFrom()
{
    QFETCH(NodeType, node);
    QFETCH(QByteArray, object);
    QFETCH(qint64, promptTokens);
    QFETCH(qint64, completionTokens);

    const Usage usage = Translate::usageFrom(node, QJsonDocument::fromJson(object).object());
    QCOMPARE(usage.promptTokens, promptTokens);
    QCOMPARE(usage.completionTokens, completionTokens);
}

void TestTranslate::openAiStreamIdIsStable()
{
    const auto translator
        = makeStreamTranslator(ApiKind::Chat, NodeType::Ollama, Dialect::OpenAi, u"m"_s, true);
    QByteArray output;
    for (const QJsonValue &event : loadFixture(u"streams/ollama-chat-thinking.json"_s).toArray())
        output += translator->translate(event.toObject());
    QString error;
    const QJsonArray chunks = parseSse(output, &error);
    QVERIFY(error.isEmpty());
    QVERIFY(chunks.size() > 2);
    const QJsonObject first = chunks.first().toObject();
    for (const QJsonValue &chunk : chunks) {
        QCOMPARE(chunk.toObject().value("id"_L1), first.value("id"_L1));
        QCOMPARE(chunk.toObject().value("created"_L1), first.value("created"_L1));
    }
}

void TestTranslate::finishClosesOnlyOnce()
{
    const auto translator
        = makeStreamTranslator(ApiKind::Chat, NodeType::OpenAi, Dialect::Ollama, u"m"_s, false);
    QVERIFY(!translator->sawEnd());
    QVERIFY(!translator->finish().isEmpty());
    QVERIFY(translator->finish().isEmpty());
    // Without a finish_reason the upstream did not end properly, whatever finish() emitted.
    QVERIFY(!translator->sawEnd());
}

void TestTranslate::base64EmbeddingsForOpenAiClients()
{
    const QJsonObject npmRequest = loadObject(u"requests/openai-embeddings.json"_s);
    QVERIFY(wantsBase64Embeddings(Dialect::OpenAi, npmRequest));
    QVERIFY(!wantsBase64Embeddings(Dialect::Ollama, npmRequest));
    QVERIFY(!wantsBase64Embeddings(Dialect::OpenAi, QJsonObject { { u"input"_s, u"x"_s } }));

    Usage usage;
    QJsonObject response = translateResponse(
        ApiKind::Embeddings, NodeType::Ollama, Dialect::OpenAi,
        QJsonObject { { u"model"_s, u"nomic-embed-text"_s },
                      // QJsonValue: clang reads QJsonArray{QJsonArray{...}} as a copy, not a nesting.
                      { u"embeddings"_s, QJsonArray { QJsonValue(QJsonArray { 0.25, -0.5, 0.125 }) } } },
        u"embedder"_s, &usage);
    encodeEmbeddingsAsBase64(&response);
    const QJsonObject item = response.value("data"_L1).toArray().first().toObject();
    // The same bytes the OpenAI API returns for these floats.
    QCOMPARE(item.value("embedding"_L1).toString(), u"AACAPgAAAL8AAAA+"_s);
    QCOMPARE(item.value("index"_L1).toInt(), 0);
}

QTEST_GUILESS_MAIN(TestTranslate)
#include "tst_translate.moc"

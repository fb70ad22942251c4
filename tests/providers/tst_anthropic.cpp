#include "jsonfixtures.h"
#include "providers/anthropic.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace Maestro;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Maestro::NodeType)

namespace {

QJsonValue loadFixture(const QString &name)
{
    return Test::loadJsonFixture(u"providers/fixtures/anthropic/"_s + name);
}

QJsonObject loadObject(const QString &name)
{
    return loadFixture(name).toObject();
}

using Test::jsonDifference;

QString differenceFromFixture(const QJsonValue &actual, const QString &name)
{
    return jsonDifference(actual, loadFixture(name), u"$"_s);
}

// Server-sent events as the @anthropic-ai/sdk reads them: "event: <type>" and "data: <json>"
// lines, a blank line after each event, and the event name repeated as the payload's "type".
QJsonArray parseEvents(const QByteArray &bytes, QString *error)
{
    QJsonArray events;
    if (!bytes.endsWith("\n\n"))
        *error = u"the stream does not end with a blank line"_s;
    const QList<QByteArray> frames = bytes.split('\n');
    QByteArray eventName;
    for (const QByteArray &line : frames) {
        if (line.isEmpty())
            continue;
        if (line.startsWith("event: ")) {
            if (!eventName.isEmpty())
                *error = u"an event without data: "_s + QString::fromUtf8(eventName);
            eventName = line.mid(7);
            continue;
        }
        if (!line.startsWith("data: ")) {
            *error = u"neither an event nor a data line: "_s + QString::fromUtf8(line);
            continue;
        }
        const QJsonDocument document = QJsonDocument::fromJson(line.mid(6));
        if (!document.isObject())
            *error = u"not a JSON object: "_s + QString::fromUtf8(line);
        const QJsonObject data = document.object();
        if (eventName.isEmpty())
            *error = u"data without an event line: "_s + QString::fromUtf8(line);
        else if (data.value("type"_L1).toString() != QString::fromUtf8(eventName))
            *error = u"event "_s + QString::fromUtf8(eventName) + u" carries type "_s
                + data.value("type"_L1).toString();
        eventName.clear();
        events.append(data);
    }
    if (bytes.count("\n\n") != events.size())
        *error = u"events are not separated by exactly one blank line"_s;
    return events;
}

QJsonArray runStream(Translate::StreamTranslator *translator, const QJsonArray &upstream,
                     int *sawEndAt, QString *error)
{
    QByteArray output;
    for (qsizetype i = 0; i < upstream.size(); ++i) {
        output += translator->translate(upstream.at(i).toObject());
        if (sawEndAt && *sawEndAt < 0 && translator->sawEnd())
            *sawEndAt = int(i);
    }
    output += translator->finish();
    return parseEvents(output, error);
}

QStringList eventTypes(const QJsonArray &events)
{
    QStringList types;
    for (const QJsonValue &event : events)
        types.append(event.toObject().value("type"_L1).toString());
    return types;
}

} // namespace

class TestAnthropic : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requests_data();
    void requests();
    void topKOnlyReachesOllamaNodes();
    void responses_data();
    void responses();
    void streams_data();
    void streams();
    void matrix_data();
    void matrix();
    void countTokens_data();
    void countTokens();
    void eventFraming();
    void emptyStreamStillClosesTheMessage();
    void finishClosesOnlyOnce();
    void interleavedToolFragmentsKeepTheirBlocks();
    void usageWithoutCountsIsEstimated();
    void toolCallsWithoutIndexesAreToldApartByTheirIds();
};

void TestAnthropic::requests_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");

    const auto row = [](const char *name, const QString &target, const QString &input) {
        QTest::newRow(name) << target << u"requests/"_s + input + u".json"_s
                            << u"requests/"_s + input + u'.' + target + u".json"_s;
    };
    row("claude code system blocks, tool turns and several tool results become openai chat",
        u"chat"_s, u"claude-code-tools"_s);
    row("claude code request for an openai node asks the node for stream usage", u"openai"_s,
        u"claude-code-tools"_s);
    row("claude code request for an ollama node names the tools its results answer", u"ollama"_s,
        u"claude-code-tools"_s);
    row("sdk images, thinking budget, stop sequences and forced tool use become openai chat",
        u"chat"_s, u"sdk-vision-thinking"_s);
    row("sdk request for an openai node loses top_k", u"openai"_s, u"sdk-vision-thinking"_s);
    row("sdk request for an ollama node keeps top_k and inline images in the options", u"ollama"_s,
        u"sdk-vision-thinking"_s);
    row("an image returned by a tool follows the tool message in a user message", u"chat"_s,
        u"tool-result-image"_s);
    row("an image returned by a tool reaches an ollama node as a base64 image", u"ollama"_s,
        u"tool-result-image"_s);
}

void TestAnthropic::requests()
{
    QFETCH(QString, target);
    QFETCH(QString, input);
    QFETCH(QString, expected);

    const QJsonObject request = loadObject(input);
    QJsonObject translated;
    if (target == "chat"_L1)
        translated = Anthropic::toOpenAiChat(request);
    else
        translated = Anthropic::requestForNode(
            target == "ollama"_L1 ? NodeType::Ollama : NodeType::OpenAi, request);
    QCOMPARE(differenceFromFixture(translated, expected), QString());
}

void TestAnthropic::topKOnlyReachesOllamaNodes()
{
    const QJsonObject request {
        { u"model"_s, u"m"_s },
        { u"max_tokens"_s, 64 },
        { u"top_k"_s, 20 },
        { u"messages"_s,
          QJsonArray { QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"hi"_s } } } }
    };
    QCOMPARE(Anthropic::toOpenAiChat(request).value("top_k"_L1).toInt(), 20);
    QVERIFY(!Anthropic::requestForNode(NodeType::OpenAi, request).contains("top_k"_L1));
    const QJsonObject ollama = Anthropic::requestForNode(NodeType::Ollama, request);
    QVERIFY(!ollama.contains("top_k"_L1));
    QCOMPARE(ollama.value("options"_L1).toObject().value("top_k"_L1).toInt(), 20);
    QCOMPARE(ollama.value("options"_L1).toObject().value("num_predict"_L1).toInt(), 64);
}

void TestAnthropic::responses_data()
{
    QTest::addColumn<NodeType>("node");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("input");
    QTest::addColumn<qint64>("promptTokens");
    QTest::addColumn<qint64>("completionTokens");

    QTest::newRow("vllm reasoning, text and two tool calls become thinking, text and tool_use")
        << NodeType::OpenAi << u"qwen3-32b"_s << u"vllm-reasoning-tools"_s << qint64(1873)
        << qint64(69);
    QTest::newRow("an openai answer cut at the length limit stops for max_tokens")
        << NodeType::OpenAi << u"gpt-4o-mini"_s << u"openai-length"_s << qint64(21) << qint64(8);
    QTest::newRow("an ollama answer with thinking becomes a thinking and a text block")
        << NodeType::Ollama << u"qwen3"_s << u"ollama-chat-thinking"_s << qint64(18) << qint64(27);
    QTest::newRow("ollama tool calls become tool_use blocks and stop for tool_use")
        << NodeType::Ollama << u"coder"_s << u"ollama-chat-toolcalls"_s << qint64(2310)
        << qint64(52);
}

void TestAnthropic::responses()
{
    QFETCH(NodeType, node);
    QFETCH(QString, model);
    QFETCH(QString, input);
    QFETCH(qint64, promptTokens);
    QFETCH(qint64, completionTokens);

    Usage usage;
    const QJsonObject message = Anthropic::responseFromNode(
        node, loadObject(u"responses/"_s + input + u".json"_s), model, &usage);
    QCOMPARE(differenceFromFixture(message, u"responses/"_s + input + u".anthropic.json"_s),
             QString());
    QCOMPARE(usage.promptTokens, promptTokens);
    QCOMPARE(usage.completionTokens, completionTokens);
}

void TestAnthropic::streams_data()
{
    QTest::addColumn<NodeType>("node");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("input");
    QTest::addColumn<int>("endEvent");
    QTest::addColumn<qint64>("promptTokens");
    QTest::addColumn<qint64>("completionTokens");

    QTest::newRow("vllm reasoning deltas open a thinking block before the text block")
        << NodeType::OpenAi << u"qwen3-32b"_s << u"vllm-reasoning-text"_s << 5 << qint64(9)
        << qint64(4);
    QTest::newRow("openai text then fragmented parallel tool calls become three blocks in order")
        << NodeType::OpenAi << u"gpt-4o"_s << u"openai-text-then-tools"_s << 7 << qint64(412)
        << qint64(46);
    QTest::newRow("ollama thinking, text and a tool call become three blocks and stop for tool_use")
        << NodeType::Ollama << u"qwen3"_s << u"ollama-thinking-tools"_s << 3 << qint64(630)
        << qint64(38);
    QTest::newRow("an openai error chunk ends the stream with an error event")
        << NodeType::OpenAi << u"llama"_s << u"openai-error"_s << -1 << qint64(-1) << qint64(-1);
    QTest::newRow("an ollama error line before any output is the only event")
        << NodeType::Ollama << u"llama"_s << u"ollama-error"_s << -1 << qint64(-1) << qint64(-1);
}

void TestAnthropic::streams()
{
    QFETCH(NodeType, node);
    QFETCH(QString, model);
    QFETCH(QString, input);
    QFETCH(int, endEvent);
    QFETCH(qint64, promptTokens);
    QFETCH(qint64, completionTokens);

    const auto translator = Anthropic::makeAnthropicStreamTranslator(node, model);
    int sawEndAt = -1;
    QString error;
    const QJsonArray events
        = runStream(translator.get(), loadFixture(u"streams/"_s + input + u".json"_s).toArray(),
                    &sawEndAt, &error);
    QCOMPARE(error, QString());
    QCOMPARE(differenceFromFixture(events, u"streams/"_s + input + u".anthropic.json"_s),
             QString());
    QCOMPARE(sawEndAt, endEvent);
    QCOMPARE(translator->usage().promptTokens, promptTokens);
    QCOMPARE(translator->usage().completionTokens, completionTokens);
}

void TestAnthropic::matrix_data()
{
    QTest::addColumn<NodeType>("node");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<bool>("tools");

    for (const NodeType node : { NodeType::Ollama, NodeType::OpenAi }) {
        for (const bool stream : { false, true }) {
            for (const bool tools : { false, true }) {
                const QByteArray name
                    = QByteArray(node == NodeType::Ollama ? "an ollama node" : "an openai node")
                    + (stream ? " streams " : " answers ") + (tools ? "tool calls" : "text")
                    + " to an anthropic client";
                QTest::newRow(name.constData()) << node << stream << tools;
            }
        }
    }
}

void TestAnthropic::matrix()
{
    QFETCH(NodeType, node);
    QFETCH(bool, stream);
    QFETCH(bool, tools);

    QJsonObject request
        = loadObject(tools ? u"matrix/request-tools.json"_s : u"matrix/request-text.json"_s);
    request.insert("stream"_L1, stream);
    const QJsonObject body = Anthropic::requestForNode(node, request);
    QCOMPARE(body.value("stream"_L1).toBool(), stream);
    QCOMPARE(body.value("tools"_L1).toArray().size(), tools ? 1 : 0);
    QCOMPARE(body.value("stream_options"_L1).toObject().value("include_usage"_L1).toBool(),
             node == NodeType::OpenAi && stream);
    if (node == NodeType::Ollama)
        QCOMPARE(body.value("options"_L1).toObject().value("num_predict"_L1).toInt(),
                 request.value("max_tokens"_L1).toInt());
    else
        QCOMPARE(body.value("max_tokens"_L1), request.value("max_tokens"_L1));

    const QString base = u"matrix/"_s + (node == NodeType::Ollama ? u"ollama-"_s : u"openai-"_s)
        + (tools ? u"tools"_s : u"text"_s) + (stream ? u".stream"_s : QString());
    if (!stream) {
        Usage usage;
        const QJsonObject message = Anthropic::responseFromNode(node, loadObject(base + u".json"_s),
                                                                u"assistant"_s, &usage);
        QCOMPARE(differenceFromFixture(message, base + u".anthropic.json"_s), QString());
        QCOMPARE(usage.promptTokens, tools ? 215 : 26);
        QCOMPARE(usage.completionTokens, tools ? 41 : 14);
        return;
    }

    const auto translator = Anthropic::makeAnthropicStreamTranslator(node, u"assistant"_s);
    QString error;
    const QJsonArray events
        = runStream(translator.get(), loadFixture(base + u".json"_s).toArray(), nullptr, &error);
    QCOMPARE(error, QString());
    QCOMPARE(differenceFromFixture(events, base + u".anthropic.json"_s), QString());
    QVERIFY(translator->sawEnd());
    QCOMPARE(translator->usage().promptTokens, tools ? 215 : 26);
    QCOMPARE(translator->usage().completionTokens, tools ? 41 : 14);

    // The order the SDK's MessageStream depends on, whatever the node.
    const QStringList types = eventTypes(events);
    QCOMPARE(types.mid(0, 2), QStringList({ u"message_start"_s, u"ping"_s }));
    QCOMPARE(types.mid(types.size() - 2), QStringList({ u"message_delta"_s, u"message_stop"_s }));
    const QJsonObject messageDelta = events.at(events.size() - 2).toObject();
    QCOMPARE(messageDelta.value("delta"_L1).toObject().value("stop_reason"_L1).toString(),
             tools ? u"tool_use"_s : u"end_turn"_s);
}

void TestAnthropic::countTokens_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<qint64>("tokens");

    QTest::newRow("an empty request still counts one token") << QByteArray("{}") << qint64(1);
    QTest::newRow("a string message counts a quarter of its characters, rounded up")
        << QByteArray(R"({"messages":[{"role":"user","content":"Hello, Claude"}]})") << qint64(4);
    QTest::newRow("system blocks, tool use input and tool results all count")
        << QByteArray(R"({"system":[{"type":"text","text":"12345678"}],"messages":[
            {"role":"assistant","content":[{"type":"tool_use","id":"t","name":"Bash","input":{"a":1}}]},
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"abcd"}]}]})")
        // 8 + ("Bash" + {"a":1}) 4 + 7 + 4 = 23 characters
        << qint64(6);
    QTest::newRow("an image counts a flat 1600 tokens")
        << QByteArray(R"({"messages":[{"role":"user","content":[
            {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
            {"type":"text","text":"abcd"}]}]})")
        << qint64(1601);
    QTest::newRow("custom tool definitions count, server tools do not")
        << QByteArray(R"({"tools":[{"name":"ab","description":"cd","input_schema":{}},
            {"type":"web_search_20250305","name":"web_search","max_uses":5}]})")
        // "ab" + "cd" + "{}" = 6 characters
        << qint64(2);
}

void TestAnthropic::countTokens()
{
    QFETCH(QByteArray, request);
    QFETCH(qint64, tokens);
    QCOMPARE(Anthropic::countTokens(QJsonDocument::fromJson(request).object()), tokens);
}

void TestAnthropic::eventFraming()
{
    QCOMPARE(Anthropic::anthropicEvent("ping", QJsonObject { { u"type"_s, u"ping"_s } }),
             QByteArray("event: ping\ndata: {\"type\":\"ping\"}\n\n"));
}

void TestAnthropic::emptyStreamStillClosesTheMessage()
{
    Anthropic::StreamTranslator translator(u"m"_s);
    QString error;
    const QJsonArray events = parseEvents(translator.finish(), &error);
    QCOMPARE(error, QString());
    QCOMPARE(eventTypes(events),
             QStringList({ u"message_start"_s, u"ping"_s, u"message_delta"_s, u"message_stop"_s }));
    QVERIFY(!translator.sawEnd());
    QCOMPARE(events.at(2).toObject().value("usage"_L1).toObject().value("output_tokens"_L1).toInt(),
             0);
}

void TestAnthropic::finishClosesOnlyOnce()
{
    const auto translator = Anthropic::makeAnthropicStreamTranslator(NodeType::Ollama, u"m"_s);
    QVERIFY(!translator->finish().isEmpty());
    QVERIFY(translator->finish().isEmpty());
    QVERIFY(translator->translate(QJsonObject { { u"done"_s, true } }).isEmpty());
}

void TestAnthropic::interleavedToolFragmentsKeepTheirBlocks()
{
    const auto piece = [](int index, const char *id, const char *name, const char *arguments) {
        QJsonObject function { { u"arguments"_s, QString::fromUtf8(arguments) } };
        QJsonObject call { { u"index"_s, index }, { u"function"_s, function } };
        if (id) {
            call.insert("id"_L1, QString::fromUtf8(id));
            function.insert("name"_L1, QString::fromUtf8(name));
            call.insert("function"_L1, function);
        }
        return QJsonObject {
            { u"choices"_s,
              QJsonArray { QJsonObject {
                  { u"index"_s, 0 },
                  { u"delta"_s, QJsonObject { { u"tool_calls"_s, QJsonArray { call } } } } } } }
        };
    };
    Anthropic::StreamTranslator translator(u"m"_s);
    QByteArray output;
    output += translator.translate(piece(0, "call_a", "first", "{\"x\":"));
    output += translator.translate(piece(1, "call_b", "second", "{\"y\":"));
    output += translator.translate(piece(0, nullptr, nullptr, "1}"));
    output += translator.translate(piece(1, nullptr, nullptr, "2}"));
    output += translator.finish();
    QString error;
    const QJsonArray events = parseEvents(output, &error);
    QCOMPARE(error, QString());

    // Accumulate as the SDK does: by block index.
    QHash<int, QString> inputs;
    for (const QJsonValue &value : events) {
        const QJsonObject event = value.toObject();
        const QJsonObject delta = event.value("delta"_L1).toObject();
        if (delta.value("type"_L1).toString() == "input_json_delta"_L1)
            inputs[event.value("index"_L1).toInt()] += delta.value("partial_json"_L1).toString();
    }
    QCOMPARE(inputs.value(0), u"{\"x\":1}"_s);
    QCOMPARE(inputs.value(1), u"{\"y\":2}"_s);
    const QJsonObject messageDelta = events.at(events.size() - 2).toObject();
    QCOMPARE(messageDelta.value("delta"_L1).toObject().value("stop_reason"_L1).toString(),
             u"tool_use"_s);
}

void TestAnthropic::usageWithoutCountsIsEstimated()
{
    Anthropic::StreamTranslator translator(u"m"_s);
    QByteArray output = translator.translate(
        QJsonObject { { u"choices"_s,
                        QJsonArray { QJsonObject {
                            { u"index"_s, 0 },
                            { u"delta"_s, QJsonObject { { u"content"_s, u"123456789"_s } } },
                            { u"finish_reason"_s, u"stop"_s } } } } });
    output += translator.finish();
    QString error;
    const QJsonArray events = parseEvents(output, &error);
    QCOMPARE(error, QString());
    const QJsonObject usage = events.at(events.size() - 2).toObject().value("usage"_L1).toObject();
    QCOMPARE(usage.value("output_tokens"_L1).toInt(), 3);
    // Unknown, so left out rather than reported as 0 over the message_start figure.
    QVERIFY(!usage.contains("input_tokens"_L1));
    QCOMPARE(translator.usage().completionTokens, -1);
    QVERIFY(translator.sawEnd());
}

void TestAnthropic::toolCallsWithoutIndexesAreToldApartByTheirIds()
{
    const auto chunk = [](const QJsonObject &call) {
        return QJsonObject {
            { u"choices"_s,
              QJsonArray { QJsonObject {
                  { u"index"_s, 0 },
                  { u"delta"_s, QJsonObject { { u"tool_calls"_s, QJsonArray { call } } } } } } }
        };
    };
    const auto call = [](const QString &id, const QString &name, const QString &arguments) {
        QJsonObject function { { u"arguments"_s, arguments } };
        if (!name.isEmpty())
            function.insert("name"_L1, name);
        QJsonObject object { { u"function"_s, function } };
        if (!id.isEmpty())
            object.insert("id"_L1, id);
        return object;
    };
    Anthropic::StreamTranslator translator(u"m"_s);
    QByteArray output;
    output += translator.translate(chunk(call(u"call_a"_s, u"first"_s, u"{\"x\":"_s)));
    output += translator.translate(chunk(call({}, {}, u"1}"_s)));
    output += translator.translate(chunk(call(u"call_b"_s, u"second"_s, u"{}"_s)));
    output += translator.finish();
    QString error;
    const QJsonArray events = parseEvents(output, &error);
    QCOMPARE(error, QString());

    QStringList starts;
    QHash<int, QString> inputs;
    for (const QJsonValue &value : events) {
        const QJsonObject event = value.toObject();
        if (event.value("type"_L1).toString() == "content_block_start"_L1)
            starts.append(event.value("content_block"_L1).toObject().value("id"_L1).toString());
        const QJsonObject delta = event.value("delta"_L1).toObject();
        if (delta.value("type"_L1).toString() == "input_json_delta"_L1)
            inputs[event.value("index"_L1).toInt()] += delta.value("partial_json"_L1).toString();
    }
    QCOMPARE(starts, QStringList({ u"call_a"_s, u"call_b"_s }));
    QCOMPARE(inputs.value(0), u"{\"x\":1}"_s);
    QCOMPARE(inputs.value(1), u"{}"_s);
}

QTEST_GUILESS_MAIN(TestAnthropic)
#include "tst_anthropic.moc"

#include "jsonfixtures.h"
#include "providers/responses.h"

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
    return Test::loadJsonFixture(u"providers/fixtures/responses/"_s + name);
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

// Server-sent events as Codex and the openai SDKs read them: "event: <type>" and "data: <json>"
// lines, a blank line after each, the payload's "type" repeating the event name, and
// sequence_number counting up from 0.
QJsonArray parseEvents(const QByteArray &bytes, QString *error)
{
    QJsonArray events;
    if (!bytes.endsWith("\n\n"))
        *error = u"the stream does not end with a blank line"_s;
    QByteArray eventName;
    for (const QByteArray &line : bytes.split('\n')) {
        if (line.isEmpty())
            continue;
        if (line.startsWith("event: ")) {
            eventName = line.mid(7);
            continue;
        }
        if (!line.startsWith("data: ")) {
            *error = u"neither an event nor a data line: "_s + QString::fromUtf8(line);
            continue;
        }
        const QJsonObject data = QJsonDocument::fromJson(line.mid(6)).object();
        if (data.value("type"_L1).toString() != QString::fromUtf8(eventName))
            *error = u"event "_s + QString::fromUtf8(eventName) + u" carries type "_s
                + data.value("type"_L1).toString();
        if (data.value("sequence_number"_L1).toInt(-1) != events.size())
            *error = u"sequence_number "_s + QString::number(data.value("sequence_number"_L1).toInt(-1))
                + u" at event "_s + QString::number(events.size());
        eventName.clear();
        events.append(data);
    }
    if (bytes.count("\n\n") != events.size())
        *error = u"events are not separated by exactly one blank line"_s;
    return events;
}

QJsonArray runStream(Translate::StreamTranslator *translator, const QJsonArray &upstream,
                     QString *error)
{
    QByteArray output;
    for (const QJsonValue &event : upstream)
        output += translator->translate(event.toObject());
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

// Every event about an item names the id the item was added with.
QString itemIdsDiffer(const QJsonArray &events)
{
    QHash<int, QString> ids;
    for (const QJsonValue &value : events) {
        const QJsonObject event = value.toObject();
        const int index = event.value("output_index"_L1).toInt(-1);
        if (event.contains("item"_L1)) {
            const QString id = event.value("item"_L1).toObject().value("id"_L1).toString();
            if (ids.contains(index) && ids.value(index) != id)
                return u"item %1 changed its id"_s.arg(index);
            ids.insert(index, id);
        } else if (event.contains("item_id"_L1)
                   && event.value("item_id"_L1).toString() != ids.value(index)) {
            return event.value("type"_L1).toString() + u" names another item"_s;
        }
    }
    return {};
}

QJsonObject chunk(const QJsonObject &delta, const QJsonValue &finishReason = QJsonValue::Null)
{
    return QJsonObject { { u"id"_s, u"chatcmpl-1"_s },
                         { u"object"_s, u"chat.completion.chunk"_s },
                         { u"choices"_s,
                           QJsonArray { QJsonObject { { u"index"_s, 0 },
                                                      { u"delta"_s, delta },
                                                      { u"finish_reason"_s, finishReason } } } } };
}

} // namespace

class TestResponses : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requests_data();
    void requests();
    void codexRequestForAnOllamaNode();
    void requestFields_data();
    void requestFields();
    void validation_data();
    void validation();
    void inputAsMessages_data();
    void inputAsMessages();
    void responses_data();
    void responses();
    void openAiStreamBecomesResponsesEvents();
    void ollamaStreamBecomesResponsesEvents();
    void lengthLimitEndsIncomplete();
    void errorChunkFailsTheResponse();
    void emptyStreamStillCompletes();
};

void TestResponses::requests_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("expected");

    QTest::newRow("a codex turn with tool calls, their outputs and an image becomes openai chat")
        << u"chat"_s << u"requests/codex-tools.chat.json"_s;
    QTest::newRow("a codex turn for an openai node also asks for stream usage")
        << u"openai"_s << u"requests/codex-tools.openai.json"_s;
}

void TestResponses::requests()
{
    QFETCH(QString, target);
    QFETCH(QString, expected);

    const QJsonObject request = loadObject(u"requests/codex-tools.json"_s);
    const QJsonObject translated = target == "chat"_L1
        ? Responses::toOpenAiChat(request)
        : Responses::requestForNode(NodeType::OpenAi, request);
    QCOMPARE(differenceFromFixture(translated, expected), QString());
}

void TestResponses::codexRequestForAnOllamaNode()
{
    const QJsonObject body
        = Responses::requestForNode(NodeType::Ollama, loadObject(u"requests/codex-tools.json"_s));
    QCOMPARE(body.value("stream"_L1).toBool(), true);
    const QJsonArray messages = body.value("messages"_L1).toArray();
    QCOMPARE(messages.size(), 7);
    const QJsonObject assistant = messages.at(3).toObject();
    const QJsonArray calls = assistant.value("tool_calls"_L1).toArray();
    QCOMPARE(calls.size(), 2);
    // Ollama wants the arguments as an object.
    QCOMPARE(calls.at(0).toObject().value("function"_L1).toObject().value("arguments"_L1).toObject()
                 .value("workdir"_L1).toString(),
             u"/home/dev/maestro/build"_s);
    QCOMPARE(messages.at(6).toObject().value("images"_L1).toArray().size(), 1);
    QCOMPARE(body.value("tools"_L1).toArray().size(), 2);
}

void TestResponses::requestFields_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("a string input is one user message and max_output_tokens caps the answer")
        << QByteArray(R"({"model":"m","input":"hi","max_output_tokens":50,"temperature":0.2,"top_p":0.9,"store":true,"metadata":{"a":"b"}})")
        << QByteArray(R"({"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":50,"temperature":0.2,"top_p":0.9,"stream":false})");
    QTest::newRow("easy input messages without a type and text parts joined")
        << QByteArray(R"({"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"a"},{"type":"input_text","text":"b"}]}]})")
        << QByteArray(R"({"model":"m","messages":[{"role":"user","content":"a\n\nb"}],"stream":false})");
    QTest::newRow("a json schema text format becomes a json_schema response format")
        << QByteArray(R"({"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"answer","schema":{"type":"object"},"strict":true}}})")
        << QByteArray(R"({"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object"},"strict":true}},"stream":false})");
    QTest::newRow("a forced function becomes a chat tool_choice and hosted tools are dropped")
        << QByteArray(R"({"model":"m","input":"x","tools":[{"type":"file_search"},{"type":"function","name":"f","parameters":{"type":"object"}}],"tool_choice":{"type":"function","name":"f"}})")
        << QByteArray(R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":{"type":"function","function":{"name":"f"}},"stream":false})");
    QTest::newRow("only hosted tools leave no tools and no tool_choice")
        << QByteArray(R"({"model":"m","input":"x","tools":[{"type":"web_search"}],"tool_choice":"auto"})")
        << QByteArray(R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream":false})");
    QTest::newRow("a call without preceding assistant text starts an assistant message of its own")
        << QByteArray(R"({"model":"m","input":[{"type":"function_call","call_id":"c1","name":"f","arguments":""},{"type":"function_call_output","call_id":"c1","output":[{"type":"input_text","text":"ok"}]}]})")
        << QByteArray(R"({"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"ok"}],"stream":false})");
}

void TestResponses::requestFields()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, expected);

    const QJsonObject translated
        = Responses::toOpenAiChat(QJsonDocument::fromJson(request).object());
    QCOMPARE(jsonDifference(translated, QJsonDocument::fromJson(expected).object(), u"$"_s),
             QString());
}

void TestResponses::validation_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("error");

    QTest::newRow("a string input is fine") << QByteArray(R"({"input":"hi"})") << QString();
    QTest::newRow("an item array is fine")
        << QByteArray(R"({"input":[{"role":"user","content":"hi"}],"previous_response_id":null})")
        << QString();
    QTest::newRow("a missing input is refused")
        << QByteArray(R"({})") << u"\"input\" must be a string or an array of input items"_s;
    QTest::newRow("an input entry that is not an object is refused")
        << QByteArray(R"({"input":["hi"]})") << u"each entry of \"input\" must be an object"_s;
    QTest::newRow("previous_response_id is refused: nothing is stored")
        << QByteArray(R"({"input":"hi","previous_response_id":"resp_1"})")
        << u"\"previous_response_id\" is not supported: this gateway stores no responses. "
           "Send the whole conversation in \"input\" (with \"store\": false)."_s;
}

void TestResponses::validation()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, error);
    QCOMPARE(Responses::validate(QJsonDocument::fromJson(request).object()), error);
}

void TestResponses::inputAsMessages_data()
{
    QTest::addColumn<QJsonObject>("request");
    QTest::addColumn<QJsonObject>("expected");

    const QJsonArray hello{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"Hello"_s}}};
    QTest::newRow("a string input becomes one user message")
        << QJsonObject{{u"model"_s, u"m"_s}, {u"input"_s, u"Hello"_s}, {u"stream"_s, true}}
        << QJsonObject{{u"model"_s, u"m"_s}, {u"messages"_s, hello}, {u"stream"_s, true}};
    QTest::newRow("input items and instructions become a system message and the conversation")
        << QJsonObject{{u"model"_s, u"m"_s}, {u"instructions"_s, u"Be brief"_s}, {u"input"_s, hello}}
        << QJsonObject{{u"model"_s, u"m"_s},
                       {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"system"_s}, {u"content"_s, u"Be brief"_s}},
                                                  hello.at(0)}}};
    const QJsonObject withMessages{{u"model"_s, u"m"_s}, {u"messages"_s, hello}, {u"input"_s, u"ignored"_s}};
    QTest::newRow("a request with messages is left as it is") << withMessages << withMessages;
    const QJsonObject badInput{{u"model"_s, u"m"_s}, {u"input"_s, 42}};
    QTest::newRow("an input that is neither a string nor an array is left for validation to refuse")
        << badInput << badInput;
}

void TestResponses::inputAsMessages()
{
    QFETCH(QJsonObject, request);
    QFETCH(QJsonObject, expected);
    Responses::inputAsMessages(&request);
    QCOMPARE(request, expected);
}

void TestResponses::responses_data()
{
    QTest::addColumn<NodeType>("node");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("input");
    QTest::addColumn<qint64>("promptTokens");

    QTest::newRow("vllm reasoning, text and two tool calls become reasoning, message and calls")
        << NodeType::OpenAi << u"qwen3-32b"_s << u"vllm-reasoning-tools"_s << qint64(1873);
    QTest::newRow("an ollama answer cut at the length limit is incomplete")
        << NodeType::Ollama << u"llama"_s << u"ollama-length"_s << qint64(40);
}

void TestResponses::responses()
{
    QFETCH(NodeType, node);
    QFETCH(QString, model);
    QFETCH(QString, input);
    QFETCH(qint64, promptTokens);

    Usage usage;
    const QJsonObject response = Responses::responseFromNode(
        node, loadObject(u"responses/"_s + input + u".json"_s), model, &usage);
    QCOMPARE(differenceFromFixture(response, u"responses/"_s + input + u".responses.json"_s),
             QString());
    QCOMPARE(usage.promptTokens, promptTokens);
}

void TestResponses::openAiStreamBecomesResponsesEvents()
{
    const auto translator = Responses::makeResponsesStreamTranslator(NodeType::OpenAi, u"qwen3"_s);
    QString error;
    const QJsonArray events = runStream(
        translator.get(), loadFixture(u"streams/openai-reasoning-text-tool.json"_s).toArray(), &error);
    QCOMPARE(error, QString());
    QCOMPARE(differenceFromFixture(events, u"streams/openai-reasoning-text-tool.responses.json"_s),
             QString());
    QCOMPARE(itemIdsDiffer(events), QString());
    QVERIFY(translator->sawEnd());
    QCOMPARE(translator->usage().promptTokens, 812);
    QCOMPARE(translator->usage().completionTokens, 33);
}

void TestResponses::ollamaStreamBecomesResponsesEvents()
{
    const auto translator = Responses::makeResponsesStreamTranslator(NodeType::Ollama, u"qwen3"_s);
    QString error;
    const QJsonArray events = runStream(
        translator.get(), loadFixture(u"streams/ollama-thinking-tool.json"_s).toArray(), &error);
    QCOMPARE(error, QString());
    QCOMPARE(itemIdsDiffer(events), QString());
    QCOMPARE(eventTypes(events),
             QStringList({ u"response.created"_s, u"response.in_progress"_s,
                           u"response.output_item.added"_s,
                           u"response.reasoning_summary_part.added"_s,
                           u"response.reasoning_summary_text.delta"_s,
                           u"response.reasoning_summary_text.done"_s,
                           u"response.reasoning_summary_part.done"_s,
                           u"response.output_item.done"_s, u"response.output_item.added"_s,
                           u"response.function_call_arguments.delta"_s,
                           u"response.function_call_arguments.done"_s,
                           u"response.output_item.done"_s, u"response.completed"_s }));
    const QJsonObject completed = events.last().toObject().value("response"_L1).toObject();
    const QJsonObject call = completed.value("output"_L1).toArray().at(1).toObject();
    QCOMPARE(call.value("name"_L1).toString(), u"read_file"_s);
    QCOMPARE(call.value("arguments"_L1).toString(), u"{\"path\":\"README.md\"}"_s);
    QVERIFY(call.value("call_id"_L1).toString().startsWith("call_"_L1));
    QCOMPARE(completed.value("usage"_L1).toObject().value("total_tokens"_L1).toInt(), 668);
    QVERIFY(translator->sawEnd());
}

void TestResponses::lengthLimitEndsIncomplete()
{
    Responses::StreamTranslator translator(u"m"_s);
    QByteArray out = translator.translate(chunk(QJsonObject { { u"content"_s, u"abc"_s } }));
    out += translator.translate(chunk(QJsonObject(), u"length"_s));
    out += translator.finish();
    QString error;
    const QJsonArray events = parseEvents(out, &error);
    QCOMPARE(error, QString());
    const QJsonObject last = events.last().toObject();
    QCOMPARE(last.value("type"_L1).toString(), u"response.incomplete"_s);
    const QJsonObject response = last.value("response"_L1).toObject();
    QCOMPARE(response.value("status"_L1).toString(), u"incomplete"_s);
    QCOMPARE(response.value("incomplete_details"_L1).toObject().value("reason"_L1).toString(),
             u"max_output_tokens"_s);
    // No count from the node: estimated from the three characters.
    QCOMPARE(response.value("usage"_L1).toObject().value("output_tokens"_L1).toInt(), 1);
}

void TestResponses::errorChunkFailsTheResponse()
{
    Responses::StreamTranslator translator(u"m"_s);
    QByteArray out = translator.translate(chunk(QJsonObject { { u"content"_s, u"a"_s } }));
    out += translator.translate(QJsonObject {
        { u"error"_s, QJsonObject { { u"message"_s, u"out of memory"_s } } } });
    out += translator.finish();
    QString error;
    const QJsonArray events = parseEvents(out, &error);
    QCOMPARE(error, QString());
    const QJsonObject last = events.last().toObject();
    QCOMPARE(last.value("type"_L1).toString(), u"response.failed"_s);
    QCOMPARE(last.value("response"_L1).toObject().value("error"_L1).toObject().value("message"_L1),
             QJsonValue(u"out of memory"_s));
}

void TestResponses::emptyStreamStillCompletes()
{
    Responses::StreamTranslator translator(u"m"_s);
    QString error;
    const QJsonArray events = parseEvents(translator.finish(), &error);
    QCOMPARE(error, QString());
    QCOMPARE(eventTypes(events),
             QStringList({ u"response.created"_s, u"response.in_progress"_s,
                           u"response.completed"_s }));
    QVERIFY(translator.finish().isEmpty());
}

QTEST_GUILESS_MAIN(TestResponses)
#include "tst_responses.moc"

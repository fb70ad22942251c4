// Reasoning and repaired tool calls as each client dialect receives them, from recorded node
// answers (tests/providers/fixtures/reasoning): the node's <think> text, Ollama's own thinking
// field or OpenAI's reasoning fields arrive as reasoning_content (OpenAI), thinking (Ollama),
// thinking blocks (Anthropic) or reasoning items (Responses), streamed and not, and no client
// ever sees a think tag.

#include "jsonfixtures.h"
#include "providers/clientdialects/clientdialect.h"
#include "providers/thinksplit.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QTest>

using namespace Maestro;
using namespace Qt::StringLiterals;

namespace {

using Translate::ApiKind;

enum class Client { Ollama, OpenAi, Anthropic, Responses };

const ClientDialect &dialectOf(Client client)
{
    switch (client) {
    case Client::Ollama:
        return ClientDialect::forRequest(Dialect::Ollama, ApiKind::Chat);
    case Client::OpenAi:
        return ClientDialect::forRequest(Dialect::OpenAi, ApiKind::Chat);
    case Client::Anthropic:
        return ClientDialect::forRequest(Dialect::Anthropic, ApiKind::Chat);
    case Client::Responses:
        break;
    }
    return ClientDialect::forRequest(Dialect::OpenAi, ApiKind::Responses);
}

ApiKind kindOf(Client client)
{
    return client == Client::Responses ? ApiKind::Responses : ApiKind::Chat;
}

const char *nameOf(Client client)
{
    switch (client) {
    case Client::Ollama:
        return "ollama";
    case Client::OpenAi:
        return "openai";
    case Client::Anthropic:
        return "anthropic";
    case Client::Responses:
        break;
    }
    return "responses";
}

QJsonObject requestFor(bool tools)
{
    QJsonObject request { { u"model"_s, u"m"_s },
                          { u"messages"_s,
                            QJsonArray { QJsonObject { { u"role"_s, u"user"_s },
                                                       { u"content"_s, u"hi"_s } } } } };
    if (tools) {
        request.insert("tools"_L1,
                       QJsonArray { QJsonObject {
                           { u"type"_s, u"function"_s },
                           { u"function"_s, QJsonObject { { u"name"_s, u"Read"_s } } } } });
    }
    return request;
}

// What a client saw, read back in its own dialect.
struct Seen
{
    QString reasoning;
    QString content;
    QJsonArray calls; // {"name", "arguments": {...}}
};

QJsonObject argumentsObject(const QJsonValue &arguments)
{
    if (arguments.isObject())
        return arguments.toObject();
    return QJsonDocument::fromJson(arguments.toString().toUtf8()).object();
}

QJsonObject callOf(const QString &name, const QJsonValue &arguments)
{
    return QJsonObject { { u"name"_s, name }, { u"arguments"_s, argumentsObject(arguments) } };
}

// The JSON objects of an SSE stream ("data: " lines) or an NDJSON one.
QList<QJsonObject> eventsOf(const QByteArray &bytes)
{
    QList<QJsonObject> out;
    for (const QByteArray &line : bytes.split('\n')) {
        QByteArray json = line.trimmed();
        if (json.startsWith("data: "))
            json = json.mid(6);
        if (json.isEmpty() || json.startsWith("event: ") || json == "[DONE]")
            continue;
        const QJsonDocument document = QJsonDocument::fromJson(json);
        if (!document.isObject())
            qFatal("not a JSON event: %s", json.constData());
        out.append(document.object());
    }
    return out;
}

Seen readStream(Client client, const QByteArray &bytes)
{
    Seen seen;
    QMap<int, std::pair<QString, QString>> calls; // index -> name, arguments
    for (const QJsonObject &event : eventsOf(bytes)) {
        switch (client) {
        case Client::Ollama: {
            const QJsonObject message = event.value("message"_L1).toObject();
            seen.reasoning += message.value("thinking"_L1).toString();
            seen.content += message.value("content"_L1).toString();
            for (const QJsonValue &call : message.value("tool_calls"_L1).toArray()) {
                const QJsonObject function = call.toObject().value("function"_L1).toObject();
                seen.calls.append(callOf(function.value("name"_L1).toString(),
                                         function.value("arguments"_L1)));
            }
            break;
        }
        case Client::OpenAi: {
            const QJsonObject delta
                = event.value("choices"_L1).toArray().at(0).toObject().value("delta"_L1).toObject();
            if (delta.contains("reasoning"_L1))
                qFatal("an OpenAI client got \"reasoning\" instead of \"reasoning_content\"");
            seen.reasoning += delta.value("reasoning_content"_L1).toString();
            seen.content += delta.value("content"_L1).toString();
            for (const QJsonValue &value : delta.value("tool_calls"_L1).toArray()) {
                const QJsonObject piece = value.toObject();
                const QJsonObject function = piece.value("function"_L1).toObject();
                auto &call = calls[piece.value("index"_L1).toInt()];
                call.first += function.value("name"_L1).toString();
                call.second += function.value("arguments"_L1).toString();
            }
            break;
        }
        case Client::Anthropic: {
            const QString type = event.value("type"_L1).toString();
            const int index = event.value("index"_L1).toInt();
            if (type == "content_block_start"_L1) {
                const QJsonObject block = event.value("content_block"_L1).toObject();
                if (block.value("type"_L1).toString() == "tool_use"_L1)
                    calls[index].first = block.value("name"_L1).toString();
            } else if (type == "content_block_delta"_L1) {
                const QJsonObject delta = event.value("delta"_L1).toObject();
                seen.reasoning += delta.value("thinking"_L1).toString();
                seen.content += delta.value("text"_L1).toString();
                if (delta.value("type"_L1).toString() == "input_json_delta"_L1)
                    calls[index].second += delta.value("partial_json"_L1).toString();
            }
            break;
        }
        case Client::Responses: {
            const QString type = event.value("type"_L1).toString();
            if (type == "response.reasoning_summary_text.delta"_L1)
                seen.reasoning += event.value("delta"_L1).toString();
            else if (type == "response.output_text.delta"_L1)
                seen.content += event.value("delta"_L1).toString();
            else if (type == "response.output_item.done"_L1) {
                const QJsonObject item = event.value("item"_L1).toObject();
                if (item.value("type"_L1).toString() == "function_call"_L1)
                    seen.calls.append(callOf(item.value("name"_L1).toString(),
                                             item.value("arguments"_L1)));
            }
            break;
        }
        }
    }
    for (auto it = calls.cbegin(); it != calls.cend(); ++it)
        seen.calls.append(callOf(it->first, it->second));
    return seen;
}

Seen readAnswer(Client client, const QJsonObject &answer)
{
    Seen seen;
    switch (client) {
    case Client::Ollama: {
        const QJsonObject message = answer.value("message"_L1).toObject();
        seen.reasoning = message.value("thinking"_L1).toString();
        seen.content = message.value("content"_L1).toString();
        for (const QJsonValue &call : message.value("tool_calls"_L1).toArray()) {
            const QJsonObject function = call.toObject().value("function"_L1).toObject();
            seen.calls.append(
                callOf(function.value("name"_L1).toString(), function.value("arguments"_L1)));
        }
        break;
    }
    case Client::OpenAi: {
        const QJsonObject message
            = answer.value("choices"_L1).toArray().at(0).toObject().value("message"_L1).toObject();
        if (message.contains("reasoning"_L1))
            qFatal("an OpenAI client got \"reasoning\" instead of \"reasoning_content\"");
        seen.reasoning = message.value("reasoning_content"_L1).toString();
        seen.content = message.value("content"_L1).toString();
        for (const QJsonValue &call : message.value("tool_calls"_L1).toArray()) {
            const QJsonObject function = call.toObject().value("function"_L1).toObject();
            seen.calls.append(
                callOf(function.value("name"_L1).toString(), function.value("arguments"_L1)));
        }
        break;
    }
    case Client::Anthropic:
        for (const QJsonValue &value : answer.value("content"_L1).toArray()) {
            const QJsonObject block = value.toObject();
            const QString type = block.value("type"_L1).toString();
            if (type == "thinking"_L1)
                seen.reasoning += block.value("thinking"_L1).toString();
            else if (type == "text"_L1)
                seen.content += block.value("text"_L1).toString();
            else if (type == "tool_use"_L1)
                seen.calls.append(callOf(block.value("name"_L1).toString(), block.value("input"_L1)));
        }
        break;
    case Client::Responses:
        for (const QJsonValue &value : answer.value("output"_L1).toArray()) {
            const QJsonObject item = value.toObject();
            const QString type = item.value("type"_L1).toString();
            if (type == "reasoning"_L1) {
                for (const QJsonValue &part : item.value("summary"_L1).toArray())
                    seen.reasoning += part.toObject().value("text"_L1).toString();
            } else if (type == "message"_L1) {
                for (const QJsonValue &part : item.value("content"_L1).toArray())
                    seen.content += part.toObject().value("text"_L1).toString();
            } else if (type == "function_call"_L1) {
                seen.calls.append(
                    callOf(item.value("name"_L1).toString(), item.value("arguments"_L1)));
            }
        }
        break;
    }
    return seen;
}

NodeType nodeOf(const QJsonObject &fixture)
{
    return fixture.value("node"_L1).toString() == "ollama"_L1 ? NodeType::Ollama : NodeType::OpenAi;
}

QByteArray runStream(Client client, NodeType node, const QList<QJsonObject> &events, bool tools)
{
    auto translator = dialectOf(client).streamTranslator(kindOf(client), node, u"shown"_s,
                                                         requestFor(tools));
    QByteArray out;
    for (const QJsonObject &event : events)
        out += translator->translate(event);
    return out + translator->finish();
}

QString compact(const QJsonArray &array)
{
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

// The checks every dialect's output must pass.
void verifySeen(const QByteArray &bytes, const Seen &seen, const QJsonObject &expect)
{
    QVERIFY2(!bytes.contains("<think>") && !bytes.contains("</think>"), bytes.constData());
    QCOMPARE(seen.reasoning.trimmed(), expect.value("reasoning"_L1).toString());
    QCOMPARE(seen.content.trimmed(), expect.value("content"_L1).toString());
    QCOMPARE(compact(seen.calls), compact(expect.value("calls"_L1).toArray()));
}

const QStringList Fixtures {
    u"r1-llamacpp-stream"_s,         u"qwen3-closing-tag-only-answer"_s,
    u"ollama-native-thinking-stream"_s, u"ollama-think-tags-answer"_s,
    u"deepseek-xml-toolcall-stream"_s, u"dsml-toolcall-answer"_s,
    u"callmcptool-ollama-stream"_s,  u"vllm-reasoning-field-stream"_s,
    u"toolcall-inside-think-stream"_s,
};

const QList<Client> Clients { Client::Ollama, Client::OpenAi, Client::Anthropic,
                              Client::Responses };

// A node's chat event carrying `text` as its content, in its own dialect.
QJsonObject textEvent(NodeType node, const QString &text, bool last)
{
    if (node == NodeType::Ollama) {
        QJsonObject line { { u"model"_s, u"r1"_s },
                           { u"created_at"_s, u"2024-12-05T09:30:00Z"_s },
                           { u"message"_s,
                             QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, text } } },
                           { u"done"_s, last } };
        if (last)
            line.insert("done_reason"_L1, u"stop"_s);
        return line;
    }
    return QJsonObject {
        { u"id"_s, u"chatcmpl-1"_s },
        { u"object"_s, u"chat.completion.chunk"_s },
        { u"model"_s, u"r1"_s },
        { u"choices"_s,
          QJsonArray { QJsonObject {
              { u"index"_s, 0 },
              { u"delta"_s, QJsonObject { { u"content"_s, text } } },
              { u"finish_reason"_s, last ? QJsonValue(u"stop"_s) : QJsonValue() } } } }
    };
}

} // namespace

class TestReasoning final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recordedAnswers_data();
    void recordedAnswers();
    void tagsSplitAtEveryPosition_data();
    void tagsSplitAtEveryPosition();
    void splitterHoldsOnlyATagPrefix();
    void wholeTextSplit_data();
    void wholeTextSplit();
    void closingTagOnlyInAStreamNeverReachesTheClient();
    void generateAndCompletionsCarryReasoning();
    void keepThinkTagsLeavesTheTextAsWritten();
};

void TestReasoning::recordedAnswers_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<int>("client");
    for (const QString &fixture : Fixtures) {
        for (const Client client : Clients)
            QTest::addRow("%s to an %s client", qPrintable(fixture), nameOf(client))
                << fixture << int(client);
    }
}

// A recorded answer, streamed or whole as it was recorded, as each client dialect gets it.
void TestReasoning::recordedAnswers()
{
    QFETCH(QString, fixture);
    QFETCH(int, client);
    const Client to = Client(client);
    const QJsonObject recorded
        = Test::loadJsonFixture(u"providers/fixtures/reasoning/"_s + fixture + u".json"_s)
              .toObject();
    const NodeType node = nodeOf(recorded);
    const bool tools = recorded.value("tools"_L1).toBool();
    const QJsonObject expect = recorded.value("expect"_L1).toObject();

    if (recorded.contains("stream"_L1)) {
        QList<QJsonObject> events;
        for (const QJsonValue &event : recorded.value("stream"_L1).toArray())
            events.append(event.toObject());
        const QByteArray bytes = runStream(to, node, events, tools);
        verifySeen(bytes, readStream(to, bytes), expect);
        return;
    }

    Usage usage;
    const QJsonObject answer = dialectOf(to).answer(kindOf(to), node, recorded.value("answer"_L1).toObject(),
                                                    u"shown"_s, requestFor(tools), &usage);
    verifySeen(QJsonDocument(answer).toJson(QJsonDocument::Compact), readAnswer(to, answer),
               expect);
}

void TestReasoning::tagsSplitAtEveryPosition_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("at");
    QTest::addColumn<int>("client");
    QTest::addColumn<bool>("ollamaNode");
    QTest::addColumn<QString>("reasoning");
    QTest::addColumn<QString>("content");

    const QString text = u"<think>\nabc < d </thi\n</think>\n\nAnswer <b>x</b>"_s;
    for (int at = 0; at <= text.size(); ++at) {
        for (const Client client : Clients) {
            for (const bool ollamaNode : { false, true }) {
                QTest::addRow("split at %d, %s node, %s client", at,
                              ollamaNode ? "ollama" : "openai", nameOf(client))
                    << text << at << int(client) << ollamaNode << u"abc < d </thi"_s
                    << u"Answer <b>x</b>"_s;
            }
        }
    }
}

// Wherever the node's two chunks break the text (inside a tag too), each client sees the same
// reasoning and answer, and never a tag.
void TestReasoning::tagsSplitAtEveryPosition()
{
    QFETCH(QString, text);
    QFETCH(int, at);
    QFETCH(int, client);
    QFETCH(bool, ollamaNode);
    QFETCH(QString, reasoning);
    QFETCH(QString, content);

    const NodeType node = ollamaNode ? NodeType::Ollama : NodeType::OpenAi;
    const Client to = Client(client);
    const QByteArray bytes = runStream(
        to, node,
        { textEvent(node, text.left(at), false), textEvent(node, text.mid(at), false),
          textEvent(node, QString(), true) },
        false);
    const Seen seen = readStream(to, bytes);
    QVERIFY2(!bytes.contains("<think>") && !bytes.contains("</think>"), bytes.constData());
    QCOMPARE(seen.reasoning.trimmed(), reasoning);
    QCOMPARE(seen.content.trimmed(), content);
}

void TestReasoning::splitterHoldsOnlyATagPrefix()
{
    ThinkSplit::TextSplitter splitter;
    // Text without a '<' goes out at once, whatever its length.
    QList<ThinkSplit::TextSplitter::Piece> pieces = splitter.feed(QString(100000, u'x'));
    QCOMPARE(pieces.size(), 1);
    QCOMPARE(pieces.first().text.size(), 100000);
    QVERIFY(!splitter.isHolding());

    // Only what may still become a tag is held back, and released when it does not.
    pieces = splitter.feed(u"a <b> c </thin"_s);
    QCOMPARE(pieces.size(), 1);
    QCOMPARE(pieces.first().text, u"a <b> c "_s);
    QVERIFY(splitter.isHolding());
    pieces = splitter.feed(u"g>"_s);
    QCOMPARE(pieces.size(), 1);
    QCOMPARE(pieces.first().text, u"</thing>"_s);
    QVERIFY(!pieces.first().reasoning);

    // <thinking> is not <think>.
    pieces = splitter.feed(u"<thinking>"_s);
    pieces += splitter.finish();
    QCOMPARE(pieces.size(), 1);
    QCOMPARE(pieces.first().text, u"<thinking>"_s);

    // A held prefix still goes out at the end of the text.
    ThinkSplit::TextSplitter ending;
    pieces = ending.feed(u"<think>why</th"_s);
    QCOMPARE(pieces.size(), 1);
    QCOMPARE(pieces.first().text, u"why"_s);
    pieces = ending.finish();
    QCOMPARE(pieces.size(), 1);
    QCOMPARE(pieces.first().text, u"</th"_s);
    QVERIFY(pieces.first().reasoning);
}

void TestReasoning::wholeTextSplit_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("reasoning");
    QTest::addColumn<QString>("content");

    QTest::newRow("no tags: all answer") << u"Just text."_s << u""_s << u"Just text."_s;
    QTest::newRow("a think block first")
        << u"<think>\nhmm\n</think>\n\nYes."_s << u"hmm"_s << u"Yes."_s;
    QTest::newRow("only the closing tag: the template opened the block")
        << u"reasoning here\n</think>\n\nAnswer."_s << u"reasoning here"_s << u"Answer."_s;
    QTest::newRow("a block that never closes is all reasoning")
        << u"<think>still thinking"_s << u"still thinking"_s << u""_s;
    QTest::newRow("two blocks join their reasoning")
        << u"<think>a</think>x <think>b</think>y"_s << u"ab"_s << u"x y"_s;
    QTest::newRow("an empty block leaves only the answer")
        << u"<think>\n\n</think>\n\nHi"_s << u""_s << u"Hi"_s;
}

void TestReasoning::wholeTextSplit()
{
    QFETCH(QString, text);
    QFETCH(QString, reasoning);
    QFETCH(QString, content);
    const ThinkSplit::SplitText split = ThinkSplit::splitText(text);
    QCOMPARE(split.reasoning, reasoning);
    QCOMPARE(split.content, content);
}

// A stream cannot take back what it sent: when only the closing tag comes, the text before it
// has gone out already, but the tag itself never does and the answer after it still arrives.
void TestReasoning::closingTagOnlyInAStreamNeverReachesTheClient()
{
    for (const Client client : Clients) {
        const QByteArray bytes
            = runStream(client, NodeType::OpenAi,
                        { textEvent(NodeType::OpenAi, u"thinking...\n</thi"_s, false),
                          textEvent(NodeType::OpenAi, u"nk>\n\nDone."_s, true) },
                        false);
        QVERIFY2(!bytes.contains("think>"), bytes.constData());
        QVERIFY(readStream(client, bytes).content.endsWith(u"Done."_s));
    }
}

// /api/generate answers carry "thinking" beside "response"; legacy completions carry
// "reasoning_content" beside "text".
void TestReasoning::generateAndCompletionsCarryReasoning()
{
    const QJsonObject generate { { u"model"_s, u"r1"_s },
                                 { u"response"_s, u"<think>plan</think>\n\nresult"_s },
                                 { u"done"_s, true },
                                 { u"done_reason"_s, u"stop"_s } };
    Usage usage;
    const ClientDialect &ollama = ClientDialect::forRequest(Dialect::Ollama, ApiKind::Completion);
    const ClientDialect &openAi = ClientDialect::forRequest(Dialect::OpenAi, ApiKind::Completion);

    QJsonObject answer = ollama.answer(ApiKind::Completion, NodeType::Ollama, generate, u"r1"_s, {}, &usage);
    QCOMPARE(answer.value("thinking"_L1).toString(), u"plan"_s);
    QCOMPARE(answer.value("response"_L1).toString(), u"result"_s);

    answer = openAi.answer(ApiKind::Completion, NodeType::Ollama, generate, u"r1"_s, {}, &usage);
    QJsonObject choice = answer.value("choices"_L1).toArray().at(0).toObject();
    QCOMPARE(choice.value("reasoning_content"_L1).toString(), u"plan"_s);
    QCOMPARE(choice.value("text"_L1).toString(), u"result"_s);

    const QJsonObject completion {
        { u"id"_s, u"cmpl-1"_s },
        { u"object"_s, u"text_completion"_s },
        { u"model"_s, u"r1"_s },
        { u"choices"_s,
          QJsonArray { QJsonObject { { u"index"_s, 0 },
                                     { u"text"_s, u"<think>plan</think>result"_s },
                                     { u"finish_reason"_s, u"stop"_s } } } }
    };
    answer = ollama.answer(ApiKind::Completion, NodeType::OpenAi, completion, u"r1"_s, {}, &usage);
    QCOMPARE(answer.value("thinking"_L1).toString(), u"plan"_s);
    QCOMPARE(answer.value("response"_L1).toString(), u"result"_s);

    // Streamed: Ollama generate lines to an OpenAI completions client, tags split mid-way.
    auto translator = openAi.streamTranslator(ApiKind::Completion, NodeType::Ollama, u"r1"_s, {});
    QByteArray bytes;
    for (const QString &piece : { u"<thi"_s, u"nk>plan</"_s, u"think>result"_s })
        bytes += translator->translate(QJsonObject { { u"model"_s, u"r1"_s },
                                                     { u"response"_s, piece },
                                                     { u"done"_s, false } });
    bytes += translator->translate(QJsonObject {
        { u"model"_s, u"r1"_s }, { u"response"_s, u""_s }, { u"done"_s, true } });
    bytes += translator->finish();
    QString reasoning;
    QString text;
    for (const QJsonObject &event : eventsOf(bytes)) {
        const QJsonObject streamed = event.value("choices"_L1).toArray().at(0).toObject();
        reasoning += streamed.value("reasoning_content"_L1).toString();
        text += streamed.value("text"_L1).toString();
    }
    QVERIFY2(!bytes.contains("think>"), bytes.constData());
    QCOMPARE(reasoning, u"plan"_s);
    QCOMPARE(text, u"result"_s);
}

// The model configuration's keep_think_tags: the text reaches the client as the model wrote it.
void TestReasoning::keepThinkTagsLeavesTheTextAsWritten()
{
    const QString text = u"<think>why</think>because"_s;
    for (const Client client : Clients) {
        auto translator = dialectOf(client).streamTranslator(kindOf(client), NodeType::OpenAi, u"m"_s,
                                                             requestFor(false), true);
        QByteArray bytes = translator->translate(textEvent(NodeType::OpenAi, text, true));
        bytes += translator->finish();
        const Seen seen = readStream(client, bytes);
        QCOMPARE(seen.content, text);
        QVERIFY(seen.reasoning.isEmpty());

        Usage usage;
        const QJsonObject answer = dialectOf(client).answer(
            kindOf(client), NodeType::Ollama,
            QJsonObject { { u"model"_s, u"m"_s },
                          { u"message"_s,
                            QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, text } } },
                          { u"done"_s, true } },
            u"m"_s, requestFor(false), &usage, true);
        QCOMPARE(readAnswer(client, answer).content, text);
    }
}

QTEST_GUILESS_MAIN(TestReasoning)
#include "tst_reasoning.moc"

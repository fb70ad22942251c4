#include "providers/responses.h"
#include "providers/toolrepair.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace Maestro;
using namespace Qt::StringLiterals;

namespace {

// The formats as the models print them.
const QString deepSeekR1 = u"Let me look.<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function"
                           u"<｜tool▁sep｜>read_file\n```json\n{\"path\": \"src/main.cpp\"}\n```"
                           u"<｜tool▁call▁end｜><｜tool▁calls▁end｜>"_s;
const QString deepSeekV31 = u"<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>read_file<｜tool▁sep｜>"
                            u"{\"path\":\"a.txt\"}<｜tool▁call▁end｜><｜tool▁call▁begin｜>list_dir"
                            u"<｜tool▁sep｜>{}<｜tool▁call▁end｜><｜tool▁calls▁end｜>"_s;
const QString kimi = u"I will run the tests. <|tool_calls_section_begin|><|tool_call_begin|>"
                     u"functions.shell:0<|tool_call_argument_begin|>{\"command\": [\"ctest\", \"-j2\"]}"
                     u"<|tool_call_end|><|tool_call_begin|>functions.read_file:1"
                     u"<|tool_call_argument_begin|>{\"path\": \"log.txt\"}<|tool_call_end|>"
                     u"<|tool_calls_section_end|>"_s;
const QString hermes = u"Checking the weather.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
                       u"{\"city\": \"Izmir\", \"unit\": \"c\"}}\n</tool_call>\n<tool_call>\n"
                       u"{\"name\": \"get_time\", \"arguments\": {\"zone\": \"Europe/Istanbul\"}}\n"
                       u"</tool_call>"_s;

// DeepSeek's XML-like forms, as V3.1 and R1 print them under templates without a tool parser.
const QString deepSeekXml
    = u"I'll read it.\n<tool_calls>\n<invoke name=\"Read\">\n<parameter name=\"file_path\">"
      u"/etc/hosts</parameter>\n<parameter name=\"limit\">0</parameter>\n</invoke>\n"
      u"<invoke name=\"Grep\">\n<parameter name=\"pattern\"><![CDATA[a<b && c>d]]></parameter>\n"
      u"<parameter name=\"paths\"><item>src</item><item>tests</item></parameter>\n"
      u"<parameter name=\"options\"><case>false</case><context>2</context></parameter>\n"
      u"</invoke>\n</tool_calls>"_s;
const QString dsmlWide
    = u"<\uFF5CDSML\uFF5Ctool_calls>\n<\uFF5CDSML\uFF5Cinvoke name=\"get_weather\">\n"
      u"<\uFF5CDSML\uFF5Cparameter name=\"city\" string=\"true\">2024</\uFF5CDSML\uFF5Cparameter>\n"
      u"<\uFF5CDSML\uFF5Cparameter name=\"days\" string=\"false\">3</\uFF5CDSML\uFF5Cparameter>\n"
      u"</\uFF5CDSML\uFF5Cinvoke>\n</\uFF5CDSML\uFF5Ctool_calls>"_s;
const QString dsmlAscii = u"Done. <|DSML|tool_calls><|DSML|invoke name=\"ls\">"
                          u"<|DSML|parameter name=\"path\">/tmp</|DSML|parameter></|DSML|invoke>"
                          u"</|DSML|tool_calls>"_s;
const QString callMcpTool
    = u"Searching.<CallMcpTool><serverName>github</serverName><toolName>search_issues"
      u"</toolName><arguments>{\"query\": \"think tags\"}</arguments></CallMcpTool>"_s;
const QString namedToolCall = u"<tool_call name=\"Bash\"><parameter name=\"command\">ls -la"
                              u"</parameter></tool_call>\n<tool_call name=\"TodoRead\"></tool_call>"_s;

QJsonObject call(const char *name, const char *arguments)
{
    return QJsonObject { { u"name"_s, QString::fromUtf8(name) },
                         { u"arguments"_s,
                           QJsonDocument::fromJson(QByteArray(arguments)).object() } };
}

QJsonArray callsOf(const QList<ToolRepair::RepairedCall> &calls)
{
    QJsonArray out;
    for (const ToolRepair::RepairedCall &repaired : calls) {
        out.append(QJsonObject {
            { u"name"_s, repaired.name },
            { u"arguments"_s, QJsonDocument::fromJson(repaired.arguments.toUtf8()).object() } });
    }
    return out;
}

QString compact(const QJsonArray &array)
{
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QJsonObject contentChunk(const QString &content, const QJsonValue &finishReason = QJsonValue::Null)
{
    QJsonObject delta;
    if (!content.isNull())
        delta.insert("content"_L1, content);
    return QJsonObject {
        { u"id"_s, u"chatcmpl-1"_s },
        { u"object"_s, u"chat.completion.chunk"_s },
        { u"created"_s, 1700000000 },
        { u"model"_s, u"m"_s },
        { u"choices"_s,
          QJsonArray { QJsonObject { { u"index"_s, 0 },
                                     { u"delta"_s, delta },
                                     { u"finish_reason"_s, finishReason } } } }
    };
}

struct Collected
{
    QString text;
    QJsonArray calls;
    QStringList finishReasons;
    QList<int> indexes;
};

void collectChunk(const QJsonObject &chunk, Collected *into)
{
    const QJsonObject choice = chunk.value("choices"_L1).toArray().at(0).toObject();
    const QJsonObject delta = choice.value("delta"_L1).toObject();
    into->text += delta.value("content"_L1).toString();
    for (const QJsonValue &value : delta.value("tool_calls"_L1).toArray()) {
        const QJsonObject piece = value.toObject();
        const QJsonObject function = piece.value("function"_L1).toObject();
        into->calls.append(QJsonObject {
            { u"name"_s, function.value("name"_L1).toString() },
            { u"arguments"_s,
              QJsonDocument::fromJson(function.value("arguments"_L1).toString().toUtf8())
                  .object() } });
        into->indexes.append(piece.value("index"_L1).toInt(-1));
        if (!piece.value("id"_L1).toString().startsWith("call_"_L1))
            into->finishReasons.append(u"<call without an id>"_s);
    }
    const QString reason = choice.value("finish_reason"_L1).toString();
    if (!reason.isEmpty())
        into->finishReasons.append(reason);
}

// Feeds `pieces` as content chunks, the last one carrying finish_reason "stop".
Collected runChunks(const QStringList &pieces)
{
    ToolRepair::ChunkFilter filter;
    Collected collected;
    for (qsizetype i = 0; i < pieces.size(); ++i) {
        const bool last = i == pieces.size() - 1;
        for (const QJsonObject &chunk :
             filter.filter(contentChunk(pieces.at(i), last ? QJsonValue(u"stop"_s) : QJsonValue())))
            collectChunk(chunk, &collected);
    }
    for (const QJsonObject &chunk : filter.finish())
        collectChunk(chunk, &collected);
    return collected;
}

Collected runOllamaLines(const QStringList &pieces)
{
    ToolRepair::OllamaLineFilter filter;
    Collected collected;
    QList<QJsonObject> lines;
    for (const QString &piece : pieces) {
        lines += filter.filter(QJsonObject {
            { u"model"_s, u"m"_s },
            { u"message"_s, QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, piece } } },
            { u"done"_s, false } });
    }
    lines += filter.filter(QJsonObject {
        { u"model"_s, u"m"_s },
        { u"message"_s, QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, u""_s } } },
        { u"done"_s, true },
        { u"done_reason"_s, u"stop"_s } });
    lines += filter.finish();
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QJsonObject line = lines.at(i);
        const QJsonObject message = line.value("message"_L1).toObject();
        collected.text += message.value("content"_L1).toString();
        for (const QJsonValue &value : message.value("tool_calls"_L1).toArray()) {
            const QJsonObject function = value.toObject().value("function"_L1).toObject();
            collected.calls.append(QJsonObject { { u"name"_s, function.value("name"_L1) },
                                                 { u"arguments"_s, function.value("arguments"_L1) } });
        }
        if (line.value("done"_L1).toBool())
            collected.finishReasons.append(i == lines.size() - 1 ? u"done last"_s : u"done early"_s);
    }
    return collected;
}

} // namespace

class TestToolRepair : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void repairText_data();
    void repairText();
    void splitStreams_data();
    void splitStreams();
    void everyCharacterAChunk_data();
    void everyCharacterAChunk();
    void plainChunksPassUnchanged();
    void heldTailIsFlushedAtTheEnd();
    void endlessSectionIsGivenUpAsText();
    void repairedCallsFollowTheNodesOwnIndexes();
    void usageOnTheLastChunkStaysLast();
    void openAiResponseIsRepaired();
    void ollamaResponseIsRepaired();
    void responsesClientsGetFunctionCallItems();
};

void TestToolRepair::repairText_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QJsonArray>("calls");

    QTest::newRow("deepseek r1 markers with a json fence become a call after the text")
        << deepSeekR1 << u"Let me look."_s
        << QJsonArray { call("read_file", R"({"path":"src/main.cpp"})") };
    QTest::newRow("deepseek v3.1 markers without type or fence become two calls")
        << deepSeekV31 << u""_s
        << QJsonArray { call("read_file", R"({"path":"a.txt"})"), call("list_dir", "{}") };
    QTest::newRow("kimi numbered functions lose their namespace and number")
        << kimi << u"I will run the tests."_s
        << QJsonArray { call("shell", R"({"command":["ctest","-j2"]})"),
                        call("read_file", R"({"path":"log.txt"})") };
    QTest::newRow("hermes tags become calls and the line breaks between them go")
        << hermes << u"Checking the weather."_s
        << QJsonArray { call("get_weather", R"({"city":"Izmir","unit":"c"})"),
                        call("get_time", R"({"zone":"Europe/Istanbul"})") };
    QTest::newRow("text after a section is kept")
        << u"Before <tool_call>{\"name\":\"a\",\"arguments\":{}}</tool_call> and after."_s
        << u"Before and after."_s << QJsonArray { call("a", "{}") };
    QTest::newRow("hermes arguments given as a json string are parsed")
        << u"<tool_call>{\"name\":\"a\",\"arguments\":\"{\\\"x\\\":1}\"}</tool_call>"_s << u""_s
        << QJsonArray { call("a", R"({"x":1})") };
    QTest::newRow("a section left open at the end counts when its calls parse")
        << u"<|tool_calls_section_begin|><|tool_call_begin|>functions.ls:0"
           u"<|tool_call_argument_begin|>{}<|tool_call_end|>"_s
        << u""_s << QJsonArray { call("ls", "{}") };
    QTest::newRow("malformed deepseek arguments leave the section as text")
        << u"x<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>f<｜tool▁sep｜>{\"a\":<｜tool▁call▁end｜>"
           u"<｜tool▁calls▁end｜>"_s
        << u"x<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>f<｜tool▁sep｜>{\"a\":<｜tool▁call▁end｜>"
           u"<｜tool▁calls▁end｜>"_s
        << QJsonArray();
    QTest::newRow("a kimi call without its argument marker leaves the section as text")
        << u"<|tool_calls_section_begin|><|tool_call_begin|>functions.ls:0 {}<|tool_call_end|>"
           u"<|tool_calls_section_end|> done"_s
        << u"<|tool_calls_section_begin|><|tool_call_begin|>functions.ls:0 {}<|tool_call_end|>"
           u"<|tool_calls_section_end|> done"_s
        << QJsonArray();
    QTest::newRow("a hermes tag without a name stays text")
        << u"Use <tool_call>{\"arguments\":{}}</tool_call> like this."_s
        << u"Use <tool_call>{\"arguments\":{}}</tool_call> like this."_s << QJsonArray();
    QTest::newRow("an unclosed hermes tag with broken json stays text")
        << u"Example: <tool_call>{\"name\": "_s << u"Example: <tool_call>{\"name\": "_s
        << QJsonArray();
    QTest::newRow("html and comparisons are not markers")
        << u"if (a < b) return <b>bold</b> <tool"_s << u"if (a < b) return <b>bold</b> <tool"_s
        << QJsonArray();
    QTest::newRow("deepseek xml: invoke blocks with json, cdata, item arrays and nested objects")
        << deepSeekXml << u"I'll read it."_s
        << QJsonArray { call("Read", R"({"file_path":"/etc/hosts","limit":100})"),
                        call("Grep", R"({"pattern":"a<b && c>d","paths":["src","tests"],)"
                                     R"("options":{"case":false,"context":2}})") };
    QTest::newRow("dsml with fullwidth pipes honours string=\"true\"")
        << dsmlWide << u""_s << QJsonArray { call("get_weather", R"({"city":"2024","days":3})") };
    QTest::newRow("dsml with ascii pipes") << dsmlAscii << u"Done."_s
                                           << QJsonArray { call("ls", R"({"path":"/tmp"})") };
    QTest::newRow("CallMcpTool names the call server_tool")
        << callMcpTool << u"Searching."_s
        << QJsonArray { call("github_search_issues", R"({"query":"think tags"})") };
    QTest::newRow("CallMcpTool with non-object json arguments wraps them as input")
        << u"<CallMcpTool><toolName>echo</toolName><arguments>[1,2]</arguments></CallMcpTool>"_s
        << u""_s << QJsonArray { call("echo", R"({"input":[1,2]})") };
    QTest::newRow("CallMcpTool with key=value arguments")
        << u"<CallMcpTool><serverName></serverName><toolName>open</toolName>"
           u"<arguments>path=\"a b.txt\" mode=r</arguments></CallMcpTool>"_s
        << u""_s << QJsonArray { call("open", R"({"path":"a b.txt","mode":"r"})") };
    QTest::newRow("singular tool_call with a name attribute, with and without parameters")
        << namedToolCall << u""_s
        << QJsonArray { call("Bash", R"({"command":"ls -la"})"), call("TodoRead", "{}") };
    QTest::newRow("invoke without parameters takes plain text arguments as a command")
        << u"<tool_calls><invoke name=\"Bash\">run ls -la \"my dir\"</invoke></tool_calls>"_s
        << u""_s << QJsonArray { call("Bash", R"({"command":"ls -la my dir"})") };
    QTest::newRow("tool_call with the name on the first line and json after it")
        << u"<tool_call>get_time\n{\"zone\": \"UTC\"}</tool_call>"_s << u""_s
        << QJsonArray { call("get_time", R"({"zone":"UTC"})") };
    QTest::newRow("Read offsets below one and non-numeric limits are fixed")
        << u"<tool_calls><invoke name=\"Read\"><parameter name=\"file_path\">a</parameter>"
           u"<parameter name=\"offset\">-3</parameter><parameter name=\"limit\">\"all\"</parameter>"
           u"</invoke></tool_calls>"_s
        << u""_s << QJsonArray { call("Read", R"({"file_path":"a","offset":1})") };
    QTest::newRow("a section in a fenced code block is an example and stays text")
        << u"Write it like this:\n```xml\n<tool_calls><invoke name=\"ls\"></invoke></tool_calls>\n```\n"_s
        << u"Write it like this:\n```xml\n<tool_calls><invoke name=\"ls\"></invoke></tool_calls>\n```\n"_s
        << QJsonArray();
    QTest::newRow("a section after a closed fence is repaired")
        << u"~~~\n<tool_call>x</tool_call>\n~~~ then <tool_calls><invoke name=\"ls\"></invoke></tool_calls>"_s
        << u"~~~\n<tool_call>x</tool_call>\n~~~ then"_s << QJsonArray { call("ls", "{}") };
    QTest::newRow("an invoke with a broken parameter leaves the whole section as text")
        << u"<tool_calls><invoke name=\"a\"></invoke><invoke name=\"b\"><parameter name=\"x\">1"
           u"</invoke></tool_calls>"_s
        << u"<tool_calls><invoke name=\"a\"></invoke><invoke name=\"b\"><parameter name=\"x\">1"
           u"</invoke></tool_calls>"_s
        << QJsonArray();
    QTest::newRow("an invoke without a name leaves the section as text")
        << u"<tool_calls><invoke>{}</invoke></tool_calls>"_s
        << u"<tool_calls><invoke>{}</invoke></tool_calls>"_s << QJsonArray();
    QTest::newRow("a malformed section does not hide a good one after it")
        << u"<tool_call>oops</tool_call><tool_call>{\"name\":\"b\",\"arguments\":{}}</tool_call>"_s
        << u"<tool_call>oops</tool_call>"_s << QJsonArray { call("b", "{}") };
}

void TestToolRepair::repairText()
{
    QFETCH(QString, input);
    QFETCH(QString, text);
    QFETCH(QJsonArray, calls);

    const ToolRepair::RepairResult result = ToolRepair::repairText(input);
    QCOMPARE(result.text, text);
    QCOMPARE(compact(callsOf(result.calls)), compact(calls));
}

void TestToolRepair::splitStreams_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<int>("at");

    const QList<std::pair<const char *, QString>> samples {
        { "deepseek r1", deepSeekR1 },
        { "deepseek v3.1", deepSeekV31 },
        { "kimi", kimi },
        { "hermes", hermes },
        { "malformed hermes", u"a <tool_call>{\"name\": 1}</tool_call> b"_s },
        { "text with a lone bracket", u"x <tool_cal y"_s },
        { "deepseek xml", deepSeekXml },
        { "dsml fullwidth", dsmlWide },
        { "dsml ascii", dsmlAscii },
        { "CallMcpTool", callMcpTool },
        { "named tool_call", namedToolCall },
        { "fenced example", u"a ```<tool_calls><invoke name=\"x\"></invoke></tool_calls>``` b"_s },
    };
    for (const auto &[name, input] : samples) {
        for (int at = 0; at <= input.size(); ++at) {
            QTest::addRow("%s split into two chunks at %d", name, at) << input << at;
        }
    }
}

// Wherever the node's chunks break the text, the client sees what the whole text gives.
void TestToolRepair::splitStreams()
{
    QFETCH(QString, input);
    QFETCH(int, at);

    const ToolRepair::RepairResult whole = ToolRepair::repairText(input);
    const QStringList pieces { input.left(at), input.mid(at) };

    const Collected chunks = runChunks(pieces);
    QCOMPARE(chunks.text.trimmed(), whole.text);
    QCOMPARE(compact(chunks.calls), compact(callsOf(whole.calls)));
    QCOMPARE(chunks.finishReasons,
             QStringList { whole.calls.isEmpty() ? u"stop"_s : u"tool_calls"_s });

    const Collected lines = runOllamaLines(pieces);
    QCOMPARE(lines.text.trimmed(), whole.text);
    QCOMPARE(compact(lines.calls), compact(callsOf(whole.calls)));
    QCOMPARE(lines.finishReasons, QStringList { u"done last"_s });
}

void TestToolRepair::everyCharacterAChunk_data()
{
    QTest::addColumn<QString>("input");
    QTest::newRow("deepseek r1 one character at a time") << deepSeekR1;
    QTest::newRow("deepseek v3.1 one character at a time") << deepSeekV31;
    QTest::newRow("kimi one character at a time") << kimi;
    QTest::newRow("hermes one character at a time") << hermes;
    QTest::newRow("deepseek xml one character at a time") << deepSeekXml;
    QTest::newRow("dsml one character at a time") << dsmlWide;
    QTest::newRow("CallMcpTool one character at a time") << callMcpTool;
}

void TestToolRepair::everyCharacterAChunk()
{
    QFETCH(QString, input);

    QStringList pieces;
    for (const QChar character : input)
        pieces.append(QString(character));
    const ToolRepair::RepairResult whole = ToolRepair::repairText(input);
    const Collected chunks = runChunks(pieces);
    QCOMPARE(chunks.text.trimmed(), whole.text);
    QCOMPARE(compact(chunks.calls), compact(callsOf(whole.calls)));
    QCOMPARE(chunks.indexes.size(), whole.calls.size());
    for (int i = 0; i < chunks.indexes.size(); ++i)
        QCOMPARE(chunks.indexes.at(i), i);
}

void TestToolRepair::plainChunksPassUnchanged()
{
    ToolRepair::ChunkFilter filter;
    const QJsonObject chunk = contentChunk(u"Hello, world"_s);
    QCOMPARE(filter.filter(chunk), QList<QJsonObject> { chunk });
    const QJsonObject usage { { u"choices"_s, QJsonArray() },
                              { u"usage"_s, QJsonObject { { u"prompt_tokens"_s, 3 } } } };
    QCOMPARE(filter.filter(usage), QList<QJsonObject> { usage });
    QVERIFY(filter.finish().isEmpty());
}

void TestToolRepair::heldTailIsFlushedAtTheEnd()
{
    ToolRepair::ChunkFilter filter;
    Collected collected;
    for (const QJsonObject &chunk : filter.filter(contentChunk(u"see <tool_c"_s)))
        collectChunk(chunk, &collected);
    QCOMPARE(collected.text, u"see "_s);
    // The node's stream broke off without a finish_reason.
    for (const QJsonObject &chunk : filter.finish())
        collectChunk(chunk, &collected);
    QCOMPARE(collected.text, u"see <tool_c"_s);
}

// Prose that mentions a marker must not stall the stream until its end.
void TestToolRepair::endlessSectionIsGivenUpAsText()
{
    ToolRepair::TextFilter filter;
    QString released;
    for (const ToolRepair::TextFilter::Piece &piece : filter.feed(u"The tag <tool_call> opens a call. "_s))
        released += piece.text;
    QCOMPARE(released, u"The tag "_s);
    const QString line = u"More prose about it.\n"_s;
    for (int i = 0; i < 20000 && filter.isHolding(); ++i) {
        for (const ToolRepair::TextFilter::Piece &piece : filter.feed(line))
            released += piece.text;
    }
    QVERIFY(!filter.isHolding());
    QVERIFY(released.startsWith(u"The tag <tool_call> opens a call. More prose"_s));
}

void TestToolRepair::repairedCallsFollowTheNodesOwnIndexes()
{
    ToolRepair::ChunkFilter filter;
    QJsonObject own = contentChunk(QString());
    QJsonObject choice = own.value("choices"_L1).toArray().at(0).toObject();
    choice.insert("delta"_L1,
                  QJsonObject { { u"tool_calls"_s,
                                  QJsonArray { QJsonObject {
                                      { u"index"_s, 0 },
                                      { u"id"_s, u"call_own"_s },
                                      { u"type"_s, u"function"_s },
                                      { u"function"_s,
                                        QJsonObject { { u"name"_s, u"a"_s },
                                                      { u"arguments"_s, u"{}"_s } } } } } } });
    own.insert("choices"_L1, QJsonArray { choice });
    Collected collected;
    for (const QJsonObject &chunk : filter.filter(own))
        collectChunk(chunk, &collected);
    for (const QJsonObject &chunk :
         filter.filter(contentChunk(u"<tool_call>{\"name\":\"b\",\"arguments\":{}}</tool_call>"_s,
                                    u"stop"_s)))
        collectChunk(chunk, &collected);
    QCOMPARE(collected.indexes, (QList<int> { 0, 1 }));
    QCOMPARE(collected.finishReasons, QStringList { u"tool_calls"_s });
}

void TestToolRepair::usageOnTheLastChunkStaysLast()
{
    ToolRepair::ChunkFilter filter;
    QJsonObject last = contentChunk(u"<tool_call>{\"name\":\"b\"}</tool_call>"_s, u"stop"_s);
    last.insert("usage"_L1, QJsonObject { { u"prompt_tokens"_s, 5 }, { u"completion_tokens"_s, 7 } });
    const QList<QJsonObject> out = filter.filter(last);
    QVERIFY(out.size() >= 2);
    for (qsizetype i = 0; i + 1 < out.size(); ++i)
        QVERIFY(!out.at(i).contains("usage"_L1));
    QCOMPARE(out.last().value("usage"_L1).toObject().value("completion_tokens"_L1).toInt(), 7);
    QCOMPARE(out.last().value("choices"_L1).toArray().at(0).toObject().value("finish_reason"_L1),
             QJsonValue(u"tool_calls"_s));
}

void TestToolRepair::openAiResponseIsRepaired()
{
    QJsonObject body {
        { u"choices"_s,
          QJsonArray { QJsonObject {
              { u"index"_s, 0 },
              { u"message"_s, QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, kimi } } },
              { u"finish_reason"_s, u"stop"_s } } } }
    };
    ToolRepair::repairResponse(NodeType::OpenAi, &body);
    const QJsonObject choice = body.value("choices"_L1).toArray().at(0).toObject();
    const QJsonObject message = choice.value("message"_L1).toObject();
    QCOMPARE(message.value("content"_L1).toString(), u"I will run the tests."_s);
    const QJsonArray calls = message.value("tool_calls"_L1).toArray();
    QCOMPARE(calls.size(), 2);
    QVERIFY(calls.at(0).toObject().value("id"_L1).toString().startsWith("call_"_L1));
    QCOMPARE(calls.at(1).toObject().value("function"_L1).toObject().value("arguments"_L1),
             QJsonValue(u"{\"path\":\"log.txt\"}"_s));
    QCOMPARE(choice.value("finish_reason"_L1), QJsonValue(u"tool_calls"_s));
}

void TestToolRepair::ollamaResponseIsRepaired()
{
    QJsonObject body { { u"model"_s, u"m"_s },
                       { u"message"_s,
                         QJsonObject { { u"role"_s, u"assistant"_s }, { u"content"_s, deepSeekR1 } } },
                       { u"done"_s, true } };
    ToolRepair::repairResponse(NodeType::Ollama, &body);
    const QJsonObject message = body.value("message"_L1).toObject();
    QCOMPARE(message.value("content"_L1).toString(), u"Let me look."_s);
    const QJsonObject function
        = message.value("tool_calls"_L1).toArray().at(0).toObject().value("function"_L1).toObject();
    QCOMPARE(function.value("name"_L1).toString(), u"read_file"_s);
    QCOMPARE(function.value("arguments"_L1).toObject().value("path"_L1).toString(),
             u"src/main.cpp"_s);
}

// The whole chain the proxy builds for a Codex client: the repair in front of the Responses
// translation turns printed calls into function_call items.
void TestToolRepair::responsesClientsGetFunctionCallItems()
{
    auto translator = ToolRepair::withToolRepair(
        NodeType::OpenAi, Responses::makeResponsesStreamTranslator(NodeType::OpenAi, u"m"_s));
    QByteArray out;
    const qsizetype half = hermes.size() / 2;
    out += translator->translate(contentChunk(hermes.left(half)));
    out += translator->translate(contentChunk(hermes.mid(half), u"stop"_s));
    out += translator->finish();
    QJsonObject completed;
    for (const QByteArray &line : out.split('\n')) {
        if (line.startsWith("data: ")) {
            const QJsonObject event = QJsonDocument::fromJson(line.mid(6)).object();
            if (event.value("type"_L1).toString() == "response.completed"_L1)
                completed = event.value("response"_L1).toObject();
        }
    }
    const QJsonArray output = completed.value("output"_L1).toArray();
    QCOMPARE(output.size(), 3);
    QCOMPARE(output.at(0).toObject().value("type"_L1).toString(), u"message"_s);
    QCOMPARE(output.at(1).toObject().value("type"_L1).toString(), u"function_call"_s);
    QCOMPARE(output.at(1).toObject().value("name"_L1).toString(), u"get_weather"_s);
    QCOMPARE(output.at(2).toObject().value("arguments"_L1).toString(),
             u"{\"zone\":\"Europe/Istanbul\"}"_s);
}

QTEST_GUILESS_MAIN(TestToolRepair)
#include "tst_toolrepair.moc"

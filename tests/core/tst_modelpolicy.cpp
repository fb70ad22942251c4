// ModelPolicy on its own: which configuration a request gets, and what a configuration does to a
// client's request body in each dialect (maintenance, stripped parameters, tool allowlists) and to
// the body bound for an Ollama node (context length).

#include "core/modelpolicy.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Maestro;
using namespace Qt::StringLiterals;

namespace {

// Client dialects as the tests name them; Responses is an OpenAI-dialect client with its own
// tool shape.
enum class Client { OpenAi, Ollama, Anthropic, Responses };

Dialect dialectOf(Client client)
{
    return client == Client::Anthropic ? Dialect::Anthropic
        : client == Client::Ollama     ? Dialect::Ollama
                                       : Dialect::OpenAi;
}

QByteArray text(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// One tool, in the shape each dialect declares tools.
QJsonObject tool(Client client, const QString &name)
{
    switch (client) {
    case Client::Anthropic:
        return {{u"name"_s, name}, {u"input_schema"_s, QJsonObject{{u"type"_s, u"object"_s}}}};
    case Client::Responses:
        return {{u"type"_s, u"function"_s}, {u"name"_s, name}, {u"parameters"_s, QJsonObject{{u"type"_s, u"object"_s}}}};
    case Client::OpenAi:
    case Client::Ollama:
        break;
    }
    return {{u"type"_s, u"function"_s},
            {u"function"_s, QJsonObject{{u"name"_s, name}, {u"parameters"_s, QJsonObject{{u"type"_s, u"object"_s}}}}}};
}

QJsonArray toolList(Client client, const QStringList &names)
{
    QJsonArray out;
    for (const QString &name : names)
        out.append(tool(client, name));
    return out;
}

// A tool_choice naming one tool, in the dialect's shape.
QJsonValue namedChoice(Client client, const QString &name)
{
    switch (client) {
    case Client::Anthropic:
        return QJsonObject{{u"type"_s, u"tool"_s}, {u"name"_s, name}};
    case Client::Responses:
        return QJsonObject{{u"type"_s, u"function"_s}, {u"name"_s, name}};
    case Client::OpenAi:
    case Client::Ollama:
        break;
    }
    return QJsonObject{{u"type"_s, u"function"_s}, {u"function"_s, QJsonObject{{u"name"_s, name}}}};
}

QJsonObject chat(const QJsonObject &extra = {})
{
    QJsonObject body{{u"model"_s, u"m"_s},
                     {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        body.insert(it.key(), it.value());
    return body;
}

const QList<ToolSet> ToolSets{
    {1, u"web"_s, u"Browsing"_s, {u"search"_s, u"fetch"_s}},
    {2, u"files"_s, u"File access"_s, {u"read_file"_s}},
};

ModelConfig config(const QString &pattern)
{
    ModelConfig c;
    c.pattern = pattern;
    return c;
}

} // namespace

class TestModelPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void configFor_data();
    void configFor();
    void maintenanceRefuses_data();
    void maintenanceRefuses();
    void strippedParams_data();
    void strippedParams();
    void tools_data();
    void tools();
    void applyContext_data();
    void applyContext();
    void applyContextFallsBackToTheSetting();
};

void TestModelPolicy::configFor_data()
{
    QTest::addColumn<QStringList>("patterns");
    QTest::addColumn<QString>("requested");
    QTest::addColumn<QString>("real");
    QTest::addColumn<QString>("expected"); // empty: no configuration

    QTest::newRow("an exact pattern beats a prefix listed before it")
        << QStringList{u"qwen*"_s, u"qwen3"_s} << u"qwen3"_s << u"qwen3"_s << u"qwen3"_s;
    QTest::newRow("an exact pattern beats a prefix listed after it")
        << QStringList{u"qwen3"_s, u"qwen*"_s} << u"qwen3"_s << u"qwen3"_s << u"qwen3"_s;
    QTest::newRow("a prefix matches every name starting with it")
        << QStringList{u"llama*"_s, u"qwen*"_s} << u"qwen3:8b"_s << u"qwen3:8b"_s << u"qwen*"_s;
    QTest::newRow("the first matching prefix wins")
        << QStringList{u"qw*"_s, u"qwen*"_s} << u"qwen3"_s << u"qwen3"_s << u"qw*"_s;
    QTest::newRow("the requested name is matched before the real name")
        << QStringList{u"qwen3:8b"_s, u"coder"_s} << u"coder"_s << u"qwen3:8b"_s << u"coder"_s;
    QTest::newRow("a prefix on the requested name beats an exact real name")
        << QStringList{u"qwen3:8b"_s, u"cod*"_s} << u"coder"_s << u"qwen3:8b"_s << u"cod*"_s;
    QTest::newRow("the real name is used when the requested name matches nothing")
        << QStringList{u"other"_s, u"qwen3:8b"_s} << u"coder"_s << u"qwen3:8b"_s << u"qwen3:8b"_s;
    QTest::newRow("a pattern without a star is not a prefix")
        << QStringList{u"qwen"_s} << u"qwen3"_s << u"qwen3"_s << QString();
    QTest::newRow("nothing matches")
        << QStringList{u"llama*"_s, u"gpt-4o"_s} << u"coder"_s << u"qwen3:8b"_s << QString();
    QTest::newRow("no configurations at all") << QStringList{} << u"coder"_s << u"qwen3:8b"_s << QString();
}

void TestModelPolicy::configFor()
{
    QFETCH(QStringList, patterns);
    QFETCH(QString, requested);
    QFETCH(QString, real);
    QFETCH(QString, expected);

    QList<ModelConfig> configs;
    for (const QString &pattern : patterns)
        configs.append(config(pattern));
    const ModelConfig *found = ModelPolicy::configFor(configs, requested, real);
    QCOMPARE(found ? found->pattern : QString(), expected);
}

void TestModelPolicy::maintenanceRefuses_data()
{
    QTest::addColumn<QString>("message");
    QTest::addColumn<int>("client");

    QTest::newRow("with a message, for an OpenAI client") << u"back at noon"_s << int(Client::OpenAi);
    QTest::newRow("with a message, for an Anthropic client") << u"back at noon"_s << int(Client::Anthropic);
    QTest::newRow("without a message, for an Ollama client") << QString() << int(Client::Ollama);
}

void TestModelPolicy::maintenanceRefuses()
{
    QFETCH(QString, message);
    QFETCH(int, client);

    ModelConfig c = config(u"m"_s);
    c.maintenance = true;
    c.maintenanceMessage = message;
    c.strippedParams = {u"temperature"_s};
    QJsonObject body = chat({{u"temperature"_s, 0.5}});
    const auto refused = ModelPolicy::apply(c, ToolSets, dialectOf(Client(client)), &body);
    QVERIFY(refused);
    QCOMPARE(refused->kind, ApiError::Kind::Unavailable);
    QCOMPARE(refused->httpStatus(), 503);
    QVERIFY2(refused->message.contains(u"'m'"_s), qPrintable(refused->message));
    QVERIFY2(refused->message.contains(u"maintenance"_s), qPrintable(refused->message));
    if (!message.isEmpty())
        QVERIFY2(refused->message.contains(message), qPrintable(refused->message));
}

void TestModelPolicy::strippedParams_data()
{
    QTest::addColumn<QStringList>("stripped");
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QJsonObject>("expected");

    QTest::newRow("top-level parameters are removed, the others kept")
        << QStringList{u"seed"_s, u"top_k"_s}
        << chat({{u"seed"_s, 7}, {u"top_k"_s, 40}, {u"temperature"_s, 0.5}})
        << chat({{u"temperature"_s, 0.5}});
    QTest::newRow("Ollama options lose the parameter as well")
        << QStringList{u"seed"_s}
        << chat({{u"options"_s, QJsonObject{{u"seed"_s, 7}, {u"num_ctx"_s, 4096}}}})
        << chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 4096}}}});
    QTest::newRow("a parameter both at the top level and in the options goes from both")
        << QStringList{u"temperature"_s}
        << chat({{u"temperature"_s, 0.1}, {u"options"_s, QJsonObject{{u"temperature"_s, 0.2}, {u"top_p"_s, 0.9}}}})
        << chat({{u"options"_s, QJsonObject{{u"top_p"_s, 0.9}}}});
    QTest::newRow("a parameter the body lacks changes nothing")
        << QStringList{u"logit_bias"_s}
        << chat({{u"temperature"_s, 0.5}})
        << chat({{u"temperature"_s, 0.5}});
    QTest::newRow("no options object is added to a body without one")
        << QStringList{u"seed"_s}
        << chat({{u"seed"_s, 1}})
        << chat();
}

void TestModelPolicy::strippedParams()
{
    QFETCH(QStringList, stripped);
    QFETCH(QJsonObject, body);
    QFETCH(QJsonObject, expected);

    ModelConfig c = config(u"m"_s);
    c.strippedParams = stripped;
    QVERIFY(!ModelPolicy::apply(c, ToolSets, Dialect::Ollama, &body));
    QCOMPARE(text(body), text(expected));
}

void TestModelPolicy::tools_data()
{
    QTest::addColumn<int>("client");
    QTest::addColumn<bool>("restricted");
    QTest::addColumn<QStringList>("allowed");
    QTest::addColumn<QStringList>("sets");
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QJsonObject>("expected");

    const QStringList offered{u"get_weather"_s, u"search"_s, u"read_file"_s, u"delete_files"_s};
    const QStringList allowed{u"get_weather"_s};
    for (const auto &[name, client] : {std::pair{"OpenAI", Client::OpenAi}, std::pair{"Ollama", Client::Ollama},
                                       std::pair{"Anthropic", Client::Anthropic},
                                       std::pair{"Responses", Client::Responses}}) {
        QTest::addRow("%s tools outside allowed_tools are removed", name)
            << int(client) << true << allowed << QStringList{}
            << chat({{u"tools"_s, toolList(client, offered)}})
            << chat({{u"tools"_s, toolList(client, {u"get_weather"_s})}});
        QTest::addRow("%s tools of the named tool sets pass", name)
            << int(client) << true << allowed << QStringList{u"web"_s}
            << chat({{u"tools"_s, toolList(client, offered)}})
            << chat({{u"tools"_s, toolList(client, {u"get_weather"_s, u"search"_s})}});
        QTest::addRow("%s tools of several tool sets pass, in the client's order", name)
            << int(client) << true << QStringList{} << QStringList{u"files"_s, u"web"_s}
            << chat({{u"tools"_s, toolList(client, offered)}})
            << chat({{u"tools"_s, toolList(client, {u"search"_s, u"read_file"_s})}});
        QTest::addRow("%s: removing every tool removes tools and tool_choice", name)
            << int(client) << true << allowed << QStringList{}
            << chat({{u"tools"_s, toolList(client, {u"delete_files"_s})}, {u"tool_choice"_s, namedChoice(client, u"delete_files"_s)}})
            << chat();
        QTest::addRow("%s: a tool_choice naming a kept tool stays", name)
            << int(client) << true << allowed << QStringList{}
            << chat({{u"tools"_s, toolList(client, offered)}, {u"tool_choice"_s, namedChoice(client, u"get_weather"_s)}})
            << chat({{u"tools"_s, toolList(client, {u"get_weather"_s})}, {u"tool_choice"_s, namedChoice(client, u"get_weather"_s)}});
        QTest::addRow("%s: an unrestricted configuration leaves the tools alone", name)
            << int(client) << false << allowed << QStringList{}
            << chat({{u"tools"_s, toolList(client, offered)}, {u"tool_choice"_s, namedChoice(client, u"delete_files"_s)}})
            << chat({{u"tools"_s, toolList(client, offered)}, {u"tool_choice"_s, namedChoice(client, u"delete_files"_s)}});
    }
    QTest::newRow("an OpenAI tool_choice naming a removed tool becomes \"auto\"")
        << int(Client::OpenAi) << true << allowed << QStringList{}
        << chat({{u"tools"_s, toolList(Client::OpenAi, offered)}, {u"tool_choice"_s, namedChoice(Client::OpenAi, u"delete_files"_s)}})
        << chat({{u"tools"_s, toolList(Client::OpenAi, {u"get_weather"_s})}, {u"tool_choice"_s, u"auto"_s}});
    QTest::newRow("a Responses tool_choice naming a removed tool becomes \"auto\"")
        << int(Client::Responses) << true << allowed << QStringList{}
        << chat({{u"tools"_s, toolList(Client::Responses, offered)}, {u"tool_choice"_s, namedChoice(Client::Responses, u"search"_s)}})
        << chat({{u"tools"_s, toolList(Client::Responses, {u"get_weather"_s})}, {u"tool_choice"_s, u"auto"_s}});
    QTest::newRow("an Anthropic tool_choice naming a removed tool becomes {\"type\":\"auto\"}")
        << int(Client::Anthropic) << true << allowed << QStringList{}
        << chat({{u"tools"_s, toolList(Client::Anthropic, offered)}, {u"tool_choice"_s, namedChoice(Client::Anthropic, u"delete_files"_s)}})
        << chat({{u"tools"_s, toolList(Client::Anthropic, {u"get_weather"_s})},
                 {u"tool_choice"_s, QJsonObject{{u"type"_s, u"auto"_s}}}});
    QTest::newRow("a tool_choice of \"required\" stays while tools remain")
        << int(Client::OpenAi) << true << allowed << QStringList{}
        << chat({{u"tools"_s, toolList(Client::OpenAi, offered)}, {u"tool_choice"_s, u"required"_s}})
        << chat({{u"tools"_s, toolList(Client::OpenAi, {u"get_weather"_s})}, {u"tool_choice"_s, u"required"_s}});
    QTest::newRow("an Anthropic {\"type\":\"any\"} goes with the last tool")
        << int(Client::Anthropic) << true << allowed << QStringList{}
        << chat({{u"tools"_s, toolList(Client::Anthropic, {u"search"_s})}, {u"tool_choice"_s, QJsonObject{{u"type"_s, u"any"_s}}}})
        << chat();
    QTest::newRow("a restricted configuration with nothing allowed removes every tool")
        << int(Client::OpenAi) << true << QStringList{} << QStringList{}
        << chat({{u"tools"_s, toolList(Client::OpenAi, offered)}, {u"tool_choice"_s, u"auto"_s}})
        << chat();
    QTest::newRow("a tool set the configuration does not name adds nothing")
        << int(Client::OpenAi) << true << allowed << QStringList{u"files"_s}
        << chat({{u"tools"_s, toolList(Client::OpenAi, {u"search"_s, u"get_weather"_s})}})
        << chat({{u"tools"_s, toolList(Client::OpenAi, {u"get_weather"_s})}});
    QTest::newRow("a body without tools is left alone")
        << int(Client::OpenAi) << true << allowed << QStringList{}
        << chat({{u"temperature"_s, 0.5}})
        << chat({{u"temperature"_s, 0.5}});
}

void TestModelPolicy::tools()
{
    QFETCH(int, client);
    QFETCH(bool, restricted);
    QFETCH(QStringList, allowed);
    QFETCH(QStringList, sets);
    QFETCH(QJsonObject, body);
    QFETCH(QJsonObject, expected);

    ModelConfig c = config(u"m"_s);
    c.toolsRestricted = restricted;
    c.allowedTools = allowed;
    c.toolSets = sets;
    QVERIFY(!ModelPolicy::apply(c, ToolSets, dialectOf(Client(client)), &body));
    QCOMPARE(text(body), text(expected));
}

void TestModelPolicy::applyContext_data()
{
    QTest::addColumn<qint64>("defaultLength");
    QTest::addColumn<qint64>("maxLength");
    QTest::addColumn<qint64>("mappingLength");
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QJsonObject>("expected");

    QTest::newRow("the default is set when the client gave none")
        << qint64(8192) << qint64(32768) << qint64(0) << chat() << chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 8192}}}});
    QTest::newRow("the default joins the client's other options")
        << qint64(8192) << qint64(0) << qint64(0) << chat({{u"options"_s, QJsonObject{{u"temperature"_s, 0.5}}}})
        << chat({{u"options"_s, QJsonObject{{u"temperature"_s, 0.5}, {u"num_ctx"_s, 8192}}}});
    QTest::newRow("a client value above the maximum is clamped to it")
        << qint64(8192) << qint64(32768) << qint64(0) << chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 131072}}}})
        << chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 32768}}}});
    QTest::newRow("a client value above the maximum is clamped without a default")
        << qint64(0) << qint64(32768) << qint64(0) << chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 65536}}}})
        << chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 32768}}}});
    QTest::newRow("a client value under the maximum is kept")
        << qint64(8192) << qint64(32768) << qint64(0) << chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 4096}}}})
        << chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 4096}}}});
    QTest::newRow("a client value is kept when there is no maximum")
        << qint64(8192) << qint64(0) << qint64(0) << chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 100000}}}})
        << chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 100000}}}});
    QTest::newRow("a maximum alone sets nothing when the client gave nothing")
        << qint64(0) << qint64(32768) << qint64(0) << chat() << chat();
    QTest::newRow("nothing is set when neither is configured")
        << qint64(0) << qint64(0) << qint64(0) << chat() << chat();
    QTest::newRow("the client's value stays when neither is configured")
        << qint64(0) << qint64(0) << qint64(0) << chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 999999}}}})
        << chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 999999}}}});
    QTest::newRow("without a configuration, the mapping's context length is the default")
        << qint64(-1) << qint64(0) << qint64(131072) << chat() << chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 131072}}}});
    QTest::newRow("without a configuration, the client's value beats the mapping's")
        << qint64(-1) << qint64(0) << qint64(131072) << chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 4096}}}})
        << chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 4096}}}});
    QTest::newRow("the configuration's default beats the mapping's context length")
        << qint64(8192) << qint64(0) << qint64(131072) << chat() << chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 8192}}}});
    QTest::newRow("the mapping's context length is clamped to the configuration's maximum")
        << qint64(0) << qint64(32768) << qint64(131072) << chat() << chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 32768}}}});
}

void TestModelPolicy::applyContext()
{
    QFETCH(qint64, defaultLength);
    QFETCH(qint64, maxLength);
    QFETCH(qint64, mappingLength);
    QFETCH(QJsonObject, body);
    QFETCH(QJsonObject, expected);

    ModelConfig c = config(u"m"_s);
    c.defaultContextLength = defaultLength;
    c.maxContextLength = maxLength;
    // A default of -1 stands for "no configuration matches".
    ModelPolicy::applyContext(defaultLength < 0 ? nullptr : &c, mappingLength, &body);
    QCOMPARE(text(body), text(expected));
}

void TestModelPolicy::applyContextFallsBackToTheSetting()
{
    auto numCtx = [](const ModelConfig *c, qint64 mapping, QJsonObject body, qint64 fallback) {
        ModelPolicy::applyContext(c, mapping, &body, fallback);
        return body.value("options"_L1).toObject().value("num_ctx"_L1);
    };
    ModelConfig c = config(u"m"_s);
    c.maxContextLength = 16384;
    // Last in line: after the client, the configuration's default and the mapping.
    QCOMPARE(numCtx(nullptr, 0, chat(), 32768), QJsonValue(32768));
    QCOMPARE(numCtx(nullptr, 65536, chat(), 32768), QJsonValue(65536));
    QCOMPARE(numCtx(nullptr, 0, chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 2048}}}}), 32768), QJsonValue(2048));
    // Capped by the configuration's maximum like the others.
    QCOMPARE(numCtx(&c, 0, chat(), 32768), QJsonValue(16384));
    // A client's 0 or negative value is no value: the defaults stand in, or nothing is sent.
    QCOMPARE(numCtx(nullptr, 0, chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 0}}}}), 32768), QJsonValue(32768));
    QCOMPARE(numCtx(nullptr, 8192, chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, -1}}}}), 0), QJsonValue(8192));
    QJsonObject body = chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, 0}}}});
    ModelPolicy::applyContext(nullptr, 0, &body, 0);
    QCOMPARE(text(body), text(chat()));
    // A value that is not a number is the node's to refuse.
    QCOMPARE(numCtx(nullptr, 0, chat({{u"options"_s, QJsonObject{{u"num_ctx"_s, u"big"_s}}}}), 32768), QJsonValue(u"big"_s));
}

QTEST_GUILESS_MAIN(TestModelPolicy)
#include "tst_modelpolicy.moc"

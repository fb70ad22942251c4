// System prompts end to end: managed through /admin/system-prompts, then seen in what the fake
// nodes receive for requests in the Ollama, OpenAI and Anthropic dialects.

#include "gatewayharness.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Maestro;
using namespace Maestro::Test;

namespace {

const QString ReplyText = u"Hello from the system prompt suite"_s;

// The first message a node received, when it is a system message; else a null string.
QString systemMessage(const QJsonObject &nodeBody)
{
    const QJsonObject first = nodeBody.value("messages"_L1).toArray().at(0).toObject();
    return first.value("role"_L1).toString() == "system"_L1 ? first.value("content"_L1).toString() : QString();
}

} // namespace

class TestSystemPromptsHttp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void adminCrud();
    void adminErrors_data();
    void adminErrors();
    void reorder();
    void promptsReachTheNode_data();
    void promptsReachTheNode();
    void generateGetsTheSystemField();
    void nodePromptOnlyWhereThatNodeServes();
    void inactivePromptIsIgnored();

private:
    qint64 addPrompt(const QJsonObject &body);
    void deleteAllPrompts();

    GatewayHarness m_harness;
    QByteArray m_user;
};

qint64 TestSystemPromptsHttp::addPrompt(const QJsonObject &body)
{
    const Response response = m_harness.admin("POST", u"/admin/system-prompts"_s, body);
    if (response.status != 201)
        qWarning() << "system prompt failed:" << response.status << response.body;
    return qint64(response.json().value("id"_L1).toDouble());
}

void TestSystemPromptsHttp::deleteAllPrompts()
{
    for (const QJsonValue &prompt : m_harness.admin("GET", u"/admin/system-prompts"_s).array())
        m_harness.admin("DELETE", u"/admin/system-prompts/%1"_s.arg(qint64(prompt.toObject().value("id"_L1).toDouble())));
}

void TestSystemPromptsHttp::initTestCase()
{
    QVERIFY(m_harness.start({u"llama3:latest"_s, u"shared:latest"_s}, {u"gpt-4o"_s, u"shared:latest"_s}, ReplyText));
    QVERIFY(m_harness.addMapping(u"chat"_s, u"llama3:latest"_s));
    m_user = m_harness.createUser(u"alice"_s, {u"*"_s});
    QVERIFY(!m_user.isEmpty());
    m_harness.reset();
}

void TestSystemPromptsHttp::cleanup()
{
    deleteAllPrompts();
    m_harness.reset();
}

void TestSystemPromptsHttp::cleanupTestCase()
{
    m_harness.stop();
}

void TestSystemPromptsHttp::adminCrud()
{
    const Response created = m_harness.admin("POST", u"/admin/system-prompts"_s,
                                             {{u"scope_type"_s, u"user"_s},
                                              {u"scope_value"_s, u"alice"_s},
                                              {u"prompt"_s, u"Be brief."_s},
                                              {u"description"_s, u"Alice likes it short"_s}});
    QCOMPARE(created.status, 201);
    const QJsonObject prompt = created.json();
    const qint64 id = qint64(prompt.value("id"_L1).toDouble());
    QVERIFY(id > 0);
    QCOMPARE(prompt.value("scope_type"_L1).toString(), u"user"_s);
    QCOMPARE(prompt.value("scope_value"_L1).toString(), u"alice"_s);
    QCOMPARE(prompt.value("prompt"_L1).toString(), u"Be brief."_s);
    QCOMPARE(prompt.value("priority"_L1).toInt(-1), 0);
    QCOMPARE(prompt.value("is_active"_L1).toBool(false), true);
    QCOMPARE(prompt.value("description"_L1).toString(), u"Alice likes it short"_s);
    QVERIFY(prompt.value("created_at"_L1).isString());
    QVERIFY(prompt.value("updated_at"_L1).isString());

    const QString path = u"/admin/system-prompts/%1"_s.arg(id);
    QCOMPARE(m_harness.admin("GET", path).json(), prompt);
    QCOMPARE(m_harness.admin("GET", u"/admin/system-prompts"_s).array(), QJsonArray{prompt});

    const Response patched = m_harness.admin("PATCH", path, {{u"priority"_s, 7}, {u"is_active"_s, false}});
    QCOMPARE(patched.status, 200);
    QCOMPARE(patched.json().value("priority"_L1).toInt(), 7);
    QCOMPARE(patched.json().value("is_active"_L1).toBool(true), false);
    QCOMPARE(patched.json().value("prompt"_L1).toString(), u"Be brief."_s);

    QCOMPARE(m_harness.admin("DELETE", path).status, 204);
    const Response gone = m_harness.admin("GET", path);
    QCOMPARE(gone.status, 404);
    QCOMPARE(gone.json().value("detail"_L1).toString(), u"System prompt not found: %1"_s.arg(id));

    // One audit entry per change.
    const QJsonArray logs = m_harness.admin("GET", u"/admin/audit-logs?entity_type=system_prompt&limit=10"_s)
                                .json().value("logs"_L1).toArray();
    QStringList actions;
    for (const QJsonValue &log : logs) {
        QCOMPARE(log.toObject().value("entity_id"_L1).toString(), QString::number(id));
        actions.append(log.toObject().value("action"_L1).toString());
    }
    actions.sort();
    QCOMPARE(actions, (QStringList{u"system_prompt.create"_s, u"system_prompt.delete"_s, u"system_prompt.update"_s}));
}

void TestSystemPromptsHttp::adminErrors_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("detail");
    const QString list = u"/admin/system-prompts"_s;
    QTest::newRow("an unknown scope") << QByteArray("POST") << list
                                      << QJsonObject{{u"scope_type"_s, u"team"_s}, {u"scope_value"_s, u"x"_s}, {u"prompt"_s, u"p"_s}}
                                      << 400 << u"scope_type must be one of"_s;
    QTest::newRow("an empty prompt") << QByteArray("POST") << list
                                     << QJsonObject{{u"scope_type"_s, u"global"_s}, {u"prompt"_s, u""_s}}
                                     << 400 << u"prompt must not be empty"_s;
    QTest::newRow("no prompt") << QByteArray("POST") << list << QJsonObject{{u"scope_type"_s, u"global"_s}}
                               << 400 << u"prompt is required"_s;
    QTest::newRow("a scope without its value") << QByteArray("POST") << list
                                               << QJsonObject{{u"scope_type"_s, u"model"_s}, {u"prompt"_s, u"p"_s}}
                                               << 400 << u"scope_value must be 1-255 characters"_s;
    QTest::newRow("a priority that is not a number")
        << QByteArray("POST") << list
        << QJsonObject{{u"scope_type"_s, u"global"_s}, {u"prompt"_s, u"p"_s}, {u"priority"_s, u"high"_s}}
        << 400 << u"\"priority\" must be an integer"_s;
    QTest::newRow("an unknown id") << QByteArray("GET") << u"/admin/system-prompts/999"_s << QJsonObject{}
                                   << 404 << u"System prompt not found: 999"_s;
    QTest::newRow("an id that is not a number") << QByteArray("DELETE") << u"/admin/system-prompts/abc"_s << QJsonObject{}
                                                << 400 << u"Invalid system prompt id \"abc\": expected a positive integer"_s;
    QTest::newRow("patching an unknown id") << QByteArray("PATCH") << u"/admin/system-prompts/999"_s
                                            << QJsonObject{{u"priority"_s, 1}} << 404 << u"System prompt not found: 999"_s;
    QTest::newRow("reorder without ids") << QByteArray("PUT") << u"/admin/system-prompts/reorder"_s
                                         << QJsonObject{{u"order"_s, QJsonArray{1}}} << 400 << u"\"ids\" must be an array"_s;
    QTest::newRow("reorder naming an unknown id") << QByteArray("PUT") << u"/admin/system-prompts/reorder"_s
                                                  << QJsonObject{{u"ids"_s, QJsonArray{999}}} << 404
                                                  << u"System prompt not found: 999"_s;
}

void TestSystemPromptsHttp::adminErrors()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QJsonObject, body);
    QFETCH(int, status);
    QFETCH(QString, detail);
    const Response response = m_harness.admin(method, path, body);
    QCOMPARE(response.status, status);
    const QString message = response.json().value("detail"_L1).toString();
    QVERIFY2(message.contains(detail), qPrintable(message));
    QCOMPARE(m_harness.admin("GET", u"/admin/system-prompts"_s).array().size(), 0);
}

void TestSystemPromptsHttp::reorder()
{
    const qint64 first = addPrompt({{u"scope_type"_s, u"global"_s}, {u"prompt"_s, u"first"_s}});
    const qint64 second = addPrompt({{u"scope_type"_s, u"global"_s}, {u"prompt"_s, u"second"_s}});
    const qint64 third = addPrompt({{u"scope_type"_s, u"global"_s}, {u"prompt"_s, u"third"_s}});
    const Response reordered = m_harness.admin("PUT", u"/admin/system-prompts/reorder"_s,
                                               {{u"ids"_s, QJsonArray{double(third), double(first), double(second)}}});
    QCOMPARE(reordered.status, 200);
    QStringList order;
    for (const QJsonValue &prompt : reordered.array())
        order.append(prompt.toObject().value("prompt"_L1).toString());
    QCOMPARE(order, (QStringList{u"third"_s, u"first"_s, u"second"_s}));

    // The node gets them in that order.
    const QJsonObject chat{{u"model"_s, u"gpt-4o"_s}, {u"messages"_s, userMessage(u"hi"_s)}};
    QCOMPARE(m_harness.send("POST", u"/v1/chat/completions"_s, toJson(chat), m_user).status, 200);
    QCOMPARE(systemMessage(m_harness.openai()->lastRequest().body), u"third\n\nfirst\n\nsecond"_s);
}

void TestSystemPromptsHttp::promptsReachTheNode_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QJsonObject>("request");
    QTest::addColumn<bool>("toOllama");
    QTest::addColumn<QString>("expected");
    const QJsonArray withSystem{QJsonObject{{u"role"_s, u"system"_s}, {u"content"_s, u"Own rules."_s}},
                                QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}};
    QTest::newRow("Ollama /api/chat: global, user, model and mapping prompts in order")
        << u"/api/chat"_s << QJsonObject{{u"model"_s, u"chat"_s}, {u"stream"_s, false}, {u"messages"_s, userMessage(u"hi"_s)}}
        << true << u"global\n\nuser\n\nmodel\n\nmapping"_s;
    QTest::newRow("Ollama /api/chat: the client's own system message comes last")
        << u"/api/chat"_s << QJsonObject{{u"model"_s, u"chat"_s}, {u"stream"_s, false}, {u"messages"_s, withSystem}}
        << true << u"global\n\nuser\n\nmodel\n\nmapping\n\nOwn rules."_s;
    QTest::newRow("OpenAI /v1/chat/completions to the OpenAI node: no mapping or model prompt there")
        << u"/v1/chat/completions"_s << QJsonObject{{u"model"_s, u"gpt-4o"_s}, {u"messages"_s, withSystem}}
        << false << u"global\n\nuser\n\nOwn rules."_s;
    QTest::newRow("OpenAI /v1/chat/completions, streamed, to the Ollama node")
        << u"/v1/chat/completions"_s << QJsonObject{{u"model"_s, u"chat"_s}, {u"stream"_s, true}, {u"messages"_s, userMessage(u"hi"_s)}}
        << true << u"global\n\nuser\n\nmodel\n\nmapping"_s;
    QTest::newRow("Anthropic /v1/messages with a system string")
        << u"/v1/messages"_s
        << QJsonObject{{u"model"_s, u"chat"_s}, {u"max_tokens"_s, 64}, {u"system"_s, u"You are Claude Code."_s},
                       {u"messages"_s, userMessage(u"hi"_s)}}
        << true << u"global\n\nuser\n\nmodel\n\nmapping\n\nYou are Claude Code."_s;
    QTest::newRow("Anthropic /v1/messages with system blocks, streamed")
        << u"/v1/messages"_s
        << QJsonObject{{u"model"_s, u"gpt-4o"_s}, {u"max_tokens"_s, 64}, {u"stream"_s, true},
                       {u"system"_s, QJsonArray{QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u"Block one."_s}}}},
                       {u"messages"_s, userMessage(u"hi"_s)}}
        << false << u"global\n\nuser\n\nBlock one."_s;
}

void TestSystemPromptsHttp::promptsReachTheNode()
{
    QFETCH(QString, path);
    QFETCH(QJsonObject, request);
    QFETCH(bool, toOllama);
    QFETCH(QString, expected);
    // Created most specific first: the order on the wire comes from the scopes, not the ids.
    QVERIFY(addPrompt({{u"scope_type"_s, u"mapping"_s}, {u"scope_value"_s, u"chat"_s}, {u"prompt"_s, u"mapping"_s}}));
    QVERIFY(addPrompt({{u"scope_type"_s, u"model"_s}, {u"scope_value"_s, u"llama3:latest"_s}, {u"prompt"_s, u"model"_s}}));
    QVERIFY(addPrompt({{u"scope_type"_s, u"user"_s}, {u"scope_value"_s, u"alice"_s}, {u"prompt"_s, u"user"_s}}));
    QVERIFY(addPrompt({{u"scope_type"_s, u"user"_s}, {u"scope_value"_s, u"bob"_s}, {u"prompt"_s, u"not alice"_s}}));
    QVERIFY(addPrompt({{u"scope_type"_s, u"global"_s}, {u"prompt"_s, u"global"_s}}));

    const Response response = m_harness.send("POST", path, toJson(request), m_user);
    QCOMPARE(response.status, 200);
    FakeUpstream *node = toOllama ? m_harness.ollama() : m_harness.openai();
    QCOMPARE(node->requestCount(), 1);
    QCOMPARE(systemMessage(node->lastRequest().body), expected);
    // Exactly one system message: the block was merged, not added next to the client's.
    int systemMessages = 0;
    for (const QJsonValue &message : node->lastRequest().body.value("messages"_L1).toArray())
        systemMessages += message.toObject().value("role"_L1).toString() == "system"_L1;
    QCOMPARE(systemMessages, 1);
}

void TestSystemPromptsHttp::generateGetsTheSystemField()
{
    QVERIFY(addPrompt({{u"scope_type"_s, u"global"_s}, {u"prompt"_s, u"global"_s}}));
    const QJsonObject generate{{u"model"_s, u"chat"_s}, {u"stream"_s, false}, {u"prompt"_s, u"Why?"_s},
                               {u"system"_s, u"Talk like a pirate."_s}};
    QCOMPARE(m_harness.send("POST", u"/api/generate"_s, toJson(generate), m_user).status, 200);
    const QJsonObject sent = m_harness.ollama()->lastRequest().body;
    QCOMPARE(sent.value("system"_L1).toString(), u"global\n\nTalk like a pirate."_s);
    QCOMPARE(sent.value("prompt"_L1).toString(), u"Why?"_s);
}

void TestSystemPromptsHttp::nodePromptOnlyWhereThatNodeServes()
{
    // One by name, one by id.
    QVERIFY(addPrompt({{u"scope_type"_s, u"node"_s}, {u"scope_value"_s, u"ollama-node"_s}, {u"prompt"_s, u"on ollama"_s}}));
    QVERIFY(addPrompt({{u"scope_type"_s, u"node"_s},
                       {u"scope_value"_s, QString::number(m_harness.openaiId())},
                       {u"prompt"_s, u"on openai"_s}}));
    const auto chat = [this](const QString &model) {
        const QJsonObject body{{u"model"_s, model}, {u"messages"_s, userMessage(u"hi"_s)}};
        return m_harness.send("POST", u"/v1/chat/completions"_s, toJson(body), m_user).status;
    };
    QCOMPARE(chat(u"llama3:latest"_s), 200);
    QCOMPARE(systemMessage(m_harness.ollama()->lastRequest().body), u"on ollama"_s);
    QCOMPARE(chat(u"gpt-4o"_s), 200);
    QCOMPARE(systemMessage(m_harness.openai()->lastRequest().body), u"on openai"_s);

    // Both nodes serve shared:latest; the Ollama node fails, so whichever node is tried first,
    // the OpenAI node answers, and with its own prompt only: decided per attempt.
    for (int round = 0; round < 2; ++round) {
        m_harness.reset();
        m_harness.ollama()->failNext(500, 1);
        QCOMPARE(chat(u"shared:latest"_s), 200);
        QCOMPARE(systemMessage(m_harness.openai()->lastRequest().body), u"on openai"_s);
        for (const RecordedRequest &tried : m_harness.ollama()->requests())
            QCOMPARE(systemMessage(tried.body), u"on ollama"_s);
    }
}

void TestSystemPromptsHttp::inactivePromptIsIgnored()
{
    const qint64 id = addPrompt({{u"scope_type"_s, u"global"_s}, {u"prompt"_s, u"switched off"_s}, {u"is_active"_s, false}});
    QVERIFY(id);
    const QJsonObject chat{{u"model"_s, u"gpt-4o"_s}, {u"messages"_s, userMessage(u"hi"_s)}};
    QCOMPARE(m_harness.send("POST", u"/v1/chat/completions"_s, toJson(chat), m_user).status, 200);
    QCOMPARE(m_harness.openai()->lastRequest().body.value("messages"_L1).toArray(), userMessage(u"hi"_s));

    // Switched on, the next request carries it.
    QCOMPARE(m_harness.admin("PATCH", u"/admin/system-prompts/%1"_s.arg(id), {{u"is_active"_s, true}}).status, 200);
    QCOMPARE(m_harness.send("POST", u"/v1/chat/completions"_s, toJson(chat), m_user).status, 200);
    QCOMPARE(systemMessage(m_harness.openai()->lastRequest().body), u"switched off"_s);
}

QTEST_GUILESS_MAIN(TestSystemPromptsHttp)
#include "tst_systemprompts_http.moc"

#include "jsonfixtures.h"
#include "providers/anthropic.h"
#include "providers/responses.h"
#include "providers/systemprompts.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

using namespace Maestro;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Maestro::SystemPrompt)
Q_DECLARE_METATYPE(Maestro::SystemPrompts::Target)

namespace {

SystemPrompt prompt(qint64 id, PromptScope scope, const QString &value, const QString &text, int priority = 0,
                    bool active = true)
{
    return {id, scope, value, text, priority, active, {}, {}, {}};
}

// alice asks the group "team" for a request that resolved to the mapping "coder" (real model
// qwen2.5-coder:7b) on the node gpu-1 (id 3).
const SystemPrompts::Target Request{u"alice"_s, u"coder"_s, u"qwen2.5-coder:7b"_s, u"team"_s, u"gpu-1"_s, 3};

// The body a node receives, translated as the gateway translates it before merging.
QJsonObject nodeBody(const QString &kind, const QString &client, NodeType node, const QJsonObject &request)
{
    if (client == "anthropic"_L1)
        return Anthropic::requestForNode(node, request);
    if (kind == "responses"_L1)
        return Responses::requestForNode(node, request);
    return Translate::translateRequest(kind == "chat"_L1 ? Translate::ApiKind::Chat : Translate::ApiKind::Completion,
                                       client == "ollama"_L1 ? Dialect::Ollama : Dialect::OpenAi, node, request);
}

Translate::ApiKind kindOf(const QString &kind)
{
    if (kind == "responses"_L1)
        return Translate::ApiKind::Responses;
    return kind == "chat"_L1 ? Translate::ApiKind::Chat : Translate::ApiKind::Completion;
}

} // namespace

class TestSystemPrompts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matching_data();
    void matching();
    void order_data();
    void order();
    void merge_data();
    void merge();
};

void TestSystemPrompts::matching_data()
{
    QTest::addColumn<SystemPrompt>("prompt");
    QTest::addColumn<bool>("applies");
    QTest::newRow("global: applies to every request") << prompt(1, PromptScope::Global, {}, u"G"_s) << true;
    QTest::newRow("user: the username") << prompt(1, PromptScope::User, u"alice"_s, u"U"_s) << true;
    QTest::newRow("user: another user's prompt does not apply") << prompt(1, PromptScope::User, u"bob"_s, u"U"_s) << false;
    QTest::newRow("user: matched exactly, not ignoring case") << prompt(1, PromptScope::User, u"Alice"_s, u"U"_s) << false;
    QTest::newRow("mapping: the display name the request resolved to") << prompt(1, PromptScope::Mapping, u"coder"_s, u"M"_s) << true;
    QTest::newRow("mapping: the group's name is not a mapping") << prompt(1, PromptScope::Mapping, u"team"_s, u"M"_s) << false;
    QTest::newRow("model: the real model sent upstream") << prompt(1, PromptScope::Model, u"qwen2.5-coder:7b"_s, u"R"_s) << true;
    QTest::newRow("model: the display name is not the real model") << prompt(1, PromptScope::Model, u"coder"_s, u"R"_s) << false;
    QTest::newRow("model: no prefix matching") << prompt(1, PromptScope::Model, u"qwen2.5-coder"_s, u"R"_s) << false;
    QTest::newRow("group: the group the client asked for") << prompt(1, PromptScope::Group, u"team"_s, u"T"_s) << true;
    QTest::newRow("group: another group") << prompt(1, PromptScope::Group, u"other"_s, u"T"_s) << false;
    QTest::newRow("node: by name") << prompt(1, PromptScope::Node, u"gpu-1"_s, u"N"_s) << true;
    QTest::newRow("node: by id") << prompt(1, PromptScope::Node, u"3"_s, u"N"_s) << true;
    QTest::newRow("node: another node") << prompt(1, PromptScope::Node, u"gpu-2"_s, u"N"_s) << false;
    QTest::newRow("inactive: never applies") << prompt(1, PromptScope::Global, {}, u"G"_s, 0, false) << false;
}

void TestSystemPrompts::matching()
{
    QFETCH(SystemPrompt, prompt);
    QFETCH(bool, applies);
    QCOMPARE(SystemPrompts::block({prompt}, Request), applies ? prompt.prompt : QString());
}

void TestSystemPrompts::order_data()
{
    QTest::addColumn<QList<SystemPrompt>>("prompts");
    QTest::addColumn<SystemPrompts::Target>("target");
    QTest::addColumn<QString>("expected");

    const QList<SystemPrompt> oneOfEach{
        prompt(1, PromptScope::Mapping, u"coder"_s, u"mapping"_s), prompt(2, PromptScope::Model, u"qwen2.5-coder:7b"_s, u"model"_s),
        prompt(3, PromptScope::Group, u"team"_s, u"group"_s),      prompt(4, PromptScope::Node, u"gpu-1"_s, u"node"_s),
        prompt(5, PromptScope::User, u"alice"_s, u"user"_s),       prompt(6, PromptScope::Global, {}, u"global"_s),
    };
    QTest::newRow("equal priority: from the broadest scope to the most specific")
        << oneOfEach << Request << u"global\n\nuser\n\nnode\n\ngroup\n\nmodel\n\nmapping"_s;
    QList<SystemPrompt> raised = oneOfEach;
    raised[0].priority = 2;
    raised[2].priority = 1;
    QTest::newRow("higher priority first, whatever the scope")
        << raised << Request << u"mapping\n\ngroup\n\nglobal\n\nuser\n\nnode\n\nmodel"_s;
    QTest::newRow("a request for a model, not a group, on another node")
        << oneOfEach << SystemPrompts::Target{u"alice"_s, u"coder"_s, u"qwen2.5-coder:7b"_s, {}, u"gpu-2"_s, 4}
        << u"global\n\nuser\n\nmodel\n\nmapping"_s;
    QTest::newRow("same scope and priority: the older prompt first")
        << QList<SystemPrompt>{prompt(9, PromptScope::User, u"alice"_s, u"newer"_s),
                               prompt(7, PromptScope::User, u"alice"_s, u"older"_s)}
        << Request << u"older\n\nnewer"_s;
    QTest::newRow("blank prompts are left out")
        << QList<SystemPrompt>{prompt(1, PromptScope::Global, {}, u" \n"_s), prompt(2, PromptScope::User, u"alice"_s, u"text"_s)}
        << Request << u"text"_s;
    QTest::newRow("nothing matches: no block") << QList<SystemPrompt>{prompt(1, PromptScope::User, u"bob"_s, u"b"_s)}
                                               << Request << QString();
}

void TestSystemPrompts::order()
{
    QFETCH(QList<SystemPrompt>, prompts);
    QFETCH(SystemPrompts::Target, target);
    QFETCH(QString, expected);
    QCOMPARE(SystemPrompts::block(prompts, target), expected);
}

void TestSystemPrompts::merge_data()
{
    QTest::addColumn<QJsonObject>("entry");
    for (const QJsonValue &entry : Test::loadJsonFixture(u"providers/fixtures/systemprompts/merge.json"_s).toArray())
        QTest::newRow(qPrintable(entry.toObject().value("name"_L1).toString())) << entry.toObject();
}

void TestSystemPrompts::merge()
{
    QFETCH(QJsonObject, entry);
    const QString kind = entry.value("kind"_L1).toString();
    const NodeType node = entry.value("node"_L1).toString() == "ollama"_L1 ? NodeType::Ollama : NodeType::OpenAi;
    QJsonObject body = nodeBody(kind, entry.value("client"_L1).toString(), node, entry.value("request"_L1).toObject());
    SystemPrompts::inject(kindOf(kind), node, u"BLOCK"_s, &body);

    const QJsonObject expected = entry.value("expected"_L1).toObject();
    for (auto it = expected.constBegin(); it != expected.constEnd(); ++it) {
        const QString difference = Test::jsonDifference(body.value(it.key()), it.value(), u"$."_s + it.key());
        QVERIFY2(difference.isEmpty(), qPrintable(difference + u" in "_s + Test::compactJson(body)));
    }
    for (const QJsonValue &absent : entry.value("absent"_L1).toArray())
        QVERIFY2(!body.contains(absent.toString()), qPrintable(Test::compactJson(body)));

    // No block, no change.
    QJsonObject untouched = nodeBody(kind, entry.value("client"_L1).toString(), node, entry.value("request"_L1).toObject());
    const QJsonObject before = untouched;
    SystemPrompts::inject(kindOf(kind), node, QString(), &untouched);
    QCOMPARE(untouched, before);
}

QTEST_GUILESS_MAIN(TestSystemPrompts)
#include "tst_systemprompts.moc"

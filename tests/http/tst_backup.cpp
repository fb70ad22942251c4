// GET /admin/export and POST /admin/import over real sockets, on SQLite and PostgreSQL: what a
// backup holds, what it must never hold (tokens, API keys), how an import upserts it, and that an
// import refuses what the admin API refuses, naming the entry and field, and writes nothing then.
// Also: the entity mappers answer byte for byte as the admin API does, and the API refuses bodies
// with the mappers' words.

#include "fakeupstream.h"
#include "core/catalog.h"
#include "core/clock.h"
#include "core/entityjson.h"
#include "gatewaystack.h"
#include "core/tokens.h"
#include "testdatabase.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Maestro;
using Maestro::Test::FakeUpstream;
using Maestro::Test::Response;
using Maestro::Test::TestDatabase;

namespace {

const QByteArray AdminToken = QByteArrayLiteral("backup-admin");
const QString NodeKey = u"sk-never-exported"_s;

template<typename Json>
QByteArray compact(const Json &json)
{
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

QJsonObject findBy(const QJsonArray &array, const QString &key, const QString &value)
{
    for (const QJsonValue &item : array) {
        if (item.toObject().value(key).toString() == value)
            return item.toObject();
    }
    return {};
}

} // namespace

class TestBackup final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanup();

    void exportHoldsConfigurationWithoutSecrets();
    void importRestoresWhatWasLost();
    void importIsIdempotent();
    void nodeTimeoutsSurviveARoundTrip();
    void badBackupsWriteNothing_data();
    void badBackupsWriteNothing();
    void wrongTypesAreRefusedByName_data();
    void wrongTypesAreRefusedByName();
    void aWriteRefusedHalfwayLeavesNothing();
    void mappersAnswerAsTheApiDoes();
    void apiRefusesWithTheMappersWords_data();
    void apiRefusesWithTheMappersWords();

private:
    Response send(const QByteArray &method, const QString &path, const QByteArray &body,
                  const QByteArray &token);
    Response admin(const QByteArray &method, const QString &path, const QJsonObject &body = {});
    qint64 auditTotal();
    // The configuration sections of an export, to compare before and after a refused import.
    QJsonObject configuration();
    void seed();

    std::unique_ptr<FakeUpstream> m_upstream;
    Test::GatewayStack m_stack;
    QByteArray m_aliceToken;
    qint64 m_nodeId = 0;
};

void TestBackup::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void TestBackup::initTestCase()
{
    m_upstream = std::make_unique<FakeUpstream>(NodeType::Ollama);
    QVERIFY(m_upstream->listen());
}

void TestBackup::init()
{
    QFETCH_GLOBAL(QString, backend);
    if (const QString reason = TestDatabase::unavailableReason(backend); !reason.isEmpty())
        QSKIP(qPrintable(reason));
    Test::StackOptions options;
    options.backend = backend;
    options.config.adminToken = AdminToken;
    QString error;
    QVERIFY2(m_stack.start(options, &error), qPrintable(error));
    seed();
}

void TestBackup::cleanup()
{
    m_stack.stop();
}

Response TestBackup::send(const QByteArray &method, const QString &path, const QByteArray &body,
                          const QByteArray &token)
{
    return m_stack.send(method, path, body, token);
}

Response TestBackup::admin(const QByteArray &method, const QString &path, const QJsonObject &body)
{
    return m_stack.admin(method, path, body);
}

qint64 TestBackup::auditTotal()
{
    return qint64(admin("GET", u"/admin/audit-logs?limit=1"_s).json().value("total"_L1).toDouble(-1));
}

QJsonObject TestBackup::configuration()
{
    QJsonObject backup = admin("GET", u"/admin/export"_s).json();
    backup.remove(u"exported_at"_s);
    return backup;
}

void TestBackup::seed()
{
    const Response node = admin("POST", u"/admin/nodes"_s,
                                {{u"name"_s, u"gpu-1"_s},
                                 {u"base_url"_s, m_upstream->baseUrl().toString()},
                                 {u"node_type"_s, u"ollama"_s},
                                 {u"priority"_s, 3},
                                 {u"api_key"_s, NodeKey}});
    QVERIFY2(node.status == 201, node.body.constData());
    m_nodeId = qint64(node.json().value("id"_L1).toDouble());
    QCOMPARE(admin("POST", u"/admin/model-mappings"_s,
                   {{u"display_name"_s, u"chat"_s},
                    {u"real_name"_s, u"llama3.2:latest"_s},
                    {u"context_length"_s, 8192},
                    {u"capabilities"_s, QJsonArray{u"tools"_s}},
                    {u"node_ids"_s, QJsonArray{double(m_nodeId)}}})
                 .status,
             201);
    const Response alice = admin("POST", u"/admin/users"_s, {{u"username"_s, u"alice"_s}});
    QCOMPARE(alice.status, 201);
    m_aliceToken = alice.json().value("token"_L1).toString().toUtf8();
    QCOMPARE(admin("POST", u"/admin/users/alice/models"_s, {{u"models"_s, QJsonArray{u"chat"_s}}}).status, 200);
    QCOMPARE(admin("POST", u"/admin/users/alice/limits"_s,
                   {{u"request_limit"_s, 100}, {u"token_limit"_s, QJsonValue::Null}, {u"requests_per_minute"_s, 20}})
                 .status,
             200);
    QCOMPARE(admin("POST", u"/admin/users"_s, {{u"username"_s, u"bob"_s}}).status, 201);
    QCOMPARE(admin("POST", u"/admin/users/bob/models/all"_s).status, 200);
    QCOMPARE(admin("PUT", u"/admin/settings"_s, {{u"routing_strategy"_s, u"priority"_s}}).status, 200);
    QCOMPARE(admin("POST", u"/admin/model-groups"_s,
                   {{u"name"_s, u"team"_s},
                    {u"strategy"_s, u"priority"_s},
                    {u"list_in_catalog"_s, true},
                    {u"members"_s, QJsonArray{QJsonObject{{u"model_display_name"_s, u"chat"_s},
                                                          {u"capability_tags"_s, QJsonArray{u"tools"_s}}},
                                              QJsonObject{{u"model_display_name"_s, u"llama3.2:latest"_s},
                                                          {u"context_fallback"_s, true}}}}})
                 .status,
             201);
    QCOMPARE(admin("POST", u"/admin/tool-sets"_s, {{u"name"_s, u"files"_s}, {u"tools"_s, QJsonArray{u"read_file"_s}}}).status, 201);
    QCOMPARE(admin("POST", u"/admin/model-configs"_s,
                   {{u"model_pattern"_s, u"chat"_s}, {u"tool_sets"_s, QJsonArray{u"files"_s}}, {u"max_context_length"_s, u"32K"_s},
                    {u"requests_per_minute"_s, 30}, {u"tokens_per_minute"_s, 9000}})
                 .status,
             201);
    QCOMPARE(admin("POST", u"/admin/system-prompts"_s,
                   {{u"scope_type"_s, u"mapping"_s}, {u"scope_value"_s, u"chat"_s}, {u"prompt"_s, u"Answer in English."_s},
                    {u"priority"_s, 4}, {u"description"_s, u"House rule"_s}})
                 .status,
             201);
    QCOMPARE(admin("POST", u"/admin/system-prompts"_s,
                   {{u"scope_type"_s, u"global"_s}, {u"prompt"_s, u"Off for now."_s}, {u"is_active"_s, false}})
                 .status,
             201);
}

void TestBackup::exportHoldsConfigurationWithoutSecrets()
{
    const Response exported = admin("GET", u"/admin/export"_s);
    QCOMPARE(exported.status, 200);
    const QJsonObject backup = exported.json();
    QCOMPARE(backup.value("version"_L1).toInt(), 1);

    const QJsonArray nodes = backup.value("nodes"_L1).toArray();
    QCOMPARE(nodes.size(), 1);
    const QJsonObject node = nodes.first().toObject();
    QCOMPARE(node.value("name"_L1).toString(), u"gpu-1"_s);
    QCOMPARE(node.value("priority"_L1).toInt(), 3);
    QCOMPARE(node.value("api_key_set"_L1).toBool(), true);
    QVERIFY(!node.contains("api_key"_L1));

    const QJsonArray users = backup.value("users"_L1).toArray();
    QCOMPARE(users.size(), 2);
    const QJsonObject alice = findBy(users, u"username"_s, u"alice"_s);
    QCOMPARE(alice.value("models"_L1).toArray(), (QJsonArray{u"chat"_s}));
    QCOMPARE(alice.value("has_all_models"_L1).toBool(), false);
    QCOMPARE(alice.value("request_limit"_L1).toInt(), 100);
    QVERIFY(alice.value("token_limit"_L1).isNull());
    QCOMPARE(alice.value("requests_per_minute"_L1).toInt(), 20);
    QVERIFY(alice.value("tokens_per_minute"_L1).isNull());
    QCOMPARE(findBy(users, u"username"_s, u"bob"_s).value("has_all_models"_L1).toBool(), true);

    const QJsonObject chat = findBy(backup.value("mappings"_L1).toArray(), u"display_name"_s, u"chat"_s);
    QCOMPARE(chat.value("real_name"_L1).toString(), u"llama3.2:latest"_s);
    QCOMPARE(chat.value("context_length"_L1).toInt(), 8192);
    QCOMPARE(chat.value("node_ids"_L1).toArray(), (QJsonArray{double(m_nodeId)}));
    QCOMPARE(backup.value("settings"_L1).toObject().value("routing_strategy"_L1).toString(), u"priority"_s);

    const QJsonObject team = findBy(backup.value("groups"_L1).toArray(), u"name"_s, u"team"_s);
    QCOMPARE(team.value("strategy"_L1).toString(), u"priority"_s);
    QCOMPARE(team.value("list_in_catalog"_L1).toBool(), true);
    const QJsonArray members = team.value("members"_L1).toArray();
    QCOMPARE(members.size(), 2);
    QCOMPARE(members.at(0).toObject().value("model_display_name"_L1).toString(), u"chat"_s);
    QCOMPARE(members.at(1).toObject().value("context_fallback"_L1).toBool(), true);
    QCOMPARE(findBy(backup.value("tool_sets"_L1).toArray(), u"name"_s, u"files"_s).value("tools"_L1).toArray(),
             (QJsonArray{u"read_file"_s}));
    const QJsonObject config = findBy(backup.value("model_configs"_L1).toArray(), u"model_pattern"_s, u"chat"_s);
    QCOMPARE(config.value("tool_sets"_L1).toArray(), (QJsonArray{u"files"_s}));
    QCOMPARE(config.value("max_context_length"_L1).toInt(), 32768);
    QCOMPARE(config.value("requests_per_minute"_L1).toInt(), 30);
    QCOMPARE(config.value("tokens_per_minute"_L1).toInt(), 9000);
    QCOMPARE(backup.value("system_prompts"_L1).toArray(),
             (QJsonArray{QJsonObject{{u"scope_type"_s, u"mapping"_s}, {u"scope_value"_s, u"chat"_s},
                                     {u"prompt"_s, u"Answer in English."_s}, {u"priority"_s, 4},
                                     {u"is_active"_s, true}, {u"description"_s, u"House rule"_s}},
                         QJsonObject{{u"scope_type"_s, u"global"_s}, {u"scope_value"_s, u""_s},
                                     {u"prompt"_s, u"Off for now."_s}, {u"priority"_s, 0},
                                     {u"is_active"_s, false}, {u"description"_s, u""_s}}}));

    // Neither tokens, their digests nor API keys leave the gateway.
    QVERIFY(!exported.body.contains(m_aliceToken));
    QVERIFY(!exported.body.contains(Tokens::hash(m_aliceToken)));
    QVERIFY(!exported.body.contains(NodeKey.toUtf8()));
    QVERIFY(!exported.body.contains("token\""));
    QCOMPARE(send("GET", u"/admin/export"_s, {}, m_aliceToken).status, 403);
}

void TestBackup::importRestoresWhatWasLost()
{
    const QJsonObject backup = admin("GET", u"/admin/export"_s).json();
    QCOMPARE(admin("DELETE", u"/admin/users/alice"_s).status, 204);
    QCOMPARE(admin("DELETE", u"/admin/model-mappings/chat"_s).status, 204);
    QCOMPARE(admin("PATCH", u"/admin/nodes/%1"_s.arg(m_nodeId), {{u"priority"_s, 9}}).status, 200);
    QCOMPARE(admin("PUT", u"/admin/settings"_s, {{u"routing_strategy"_s, u"weighted"_s}}).status, 200);
    QCOMPARE(admin("DELETE", u"/admin/model-groups/team"_s).status, 204);
    QCOMPARE(admin("DELETE", u"/admin/model-configs/chat"_s).status, 204);
    const QJsonArray prompts = admin("GET", u"/admin/system-prompts"_s).array();
    QCOMPARE(prompts.size(), 2);
    QCOMPARE(admin("DELETE", u"/admin/system-prompts/%1"_s.arg(prompts.at(0).toObject().value("id"_L1).toInteger())).status, 204);
    QCOMPARE(admin("PATCH", u"/admin/system-prompts/%1"_s.arg(prompts.at(1).toObject().value("id"_L1).toInteger()),
                   {{u"is_active"_s, true}}).status, 200);
    const qint64 auditBefore = auditTotal();

    const Response imported = admin("POST", u"/admin/import"_s, backup);
    QCOMPARE(imported.status, 200);
    QCOMPARE(imported.json().value("imported"_L1).toObject(),
             (QJsonObject{{u"nodes"_s, 1}, {u"users"_s, 2}, {u"mappings"_s, 1}, {u"groups"_s, 1},
                          {u"tool_sets"_s, 1}, {u"model_configs"_s, 1}, {u"system_prompts"_s, 2}, {u"settings"_s, 1}}));
    // Only alice was created again, so only she gets a (new) token.
    const QJsonArray created = imported.json().value("created_users"_L1).toArray();
    QCOMPARE(created.size(), 1);
    QCOMPARE(created.first().toObject().value("username"_L1).toString(), u"alice"_s);
    const QByteArray newToken = created.first().toObject().value("token"_L1).toString().toUtf8();
    QVERIFY(newToken.startsWith("mm-"));
    QVERIFY(newToken != m_aliceToken);

    // One audit entry, without the token.
    QCOMPARE(auditTotal(), auditBefore + 1);
    const QJsonObject entry = admin("GET", u"/admin/audit-logs?limit=1"_s).json().value("logs"_L1).toArray().first().toObject();
    QCOMPARE(entry.value("action"_L1).toString(), u"backup.import"_s);
    QVERIFY(!QJsonDocument(entry).toJson().contains(newToken));

    // The restored state works: alice's new token reaches the restored mapping, the old one is dead.
    const QJsonArray models = send("GET", u"/v1/models"_s, {}, newToken).json().value("data"_L1).toArray();
    QCOMPARE(models.size(), 1);
    QCOMPARE(models.first().toObject().value("id"_L1).toString(), u"chat"_s);
    QCOMPARE(send("GET", u"/v1/models"_s, {}, m_aliceToken).status, 401);
    const QJsonObject limits = admin("GET", u"/admin/users/alice/limits"_s).json();
    QCOMPARE(limits.value("request_limit"_L1).toInt(), 100);
    QCOMPARE(limits.value("requests_per_minute"_L1).toInt(), 20);
    const QJsonObject config = admin("GET", u"/admin/model-configs/chat"_s).json();
    QCOMPARE(config.value("requests_per_minute"_L1).toInt(), 30);
    QCOMPARE(config.value("tokens_per_minute"_L1).toInt(), 9000);

    const QJsonObject after = admin("GET", u"/admin/export"_s).json();
    QCOMPARE(after.value("nodes"_L1), backup.value("nodes"_L1)); // priority back to 3, key kept
    QCOMPARE(after.value("users"_L1), backup.value("users"_L1));
    QCOMPARE(after.value("mappings"_L1), backup.value("mappings"_L1));
    QCOMPARE(after.value("settings"_L1), backup.value("settings"_L1));
    QCOMPARE(after.value("groups"_L1), backup.value("groups"_L1));
    QCOMPARE(after.value("tool_sets"_L1), backup.value("tool_sets"_L1));
    QCOMPARE(after.value("model_configs"_L1), backup.value("model_configs"_L1));
    QCOMPARE(after.value("system_prompts"_L1), backup.value("system_prompts"_L1)); // restored, and off again
    QCOMPARE(m_stack.secrets()->read(u"node/%1/api_key"_s.arg(m_nodeId)), std::optional<QString>(NodeKey));
}

void TestBackup::nodeTimeoutsSurviveARoundTrip()
{
    const QJsonObject timeouts{{u"connect_timeout_seconds"_s, 5},
                               {u"first_byte_timeout_seconds"_s, 900},
                               {u"idle_timeout_seconds"_s, 45}};
    QCOMPARE(admin("PATCH", u"/admin/nodes/%1"_s.arg(m_nodeId), timeouts).status, 200);
    const QJsonObject backup = admin("GET", u"/admin/export"_s).json();
    const QJsonObject exported = backup.value("nodes"_L1).toArray().first().toObject();
    for (auto it = timeouts.begin(); it != timeouts.end(); ++it)
        QCOMPARE(exported.value(it.key()), it.value());

    QCOMPARE(admin("PATCH", u"/admin/nodes/%1"_s.arg(m_nodeId),
                   {{u"connect_timeout_seconds"_s, 0}, {u"first_byte_timeout_seconds"_s, 0}, {u"idle_timeout_seconds"_s, 0}})
                 .status,
             200);
    QCOMPARE(admin("POST", u"/admin/import"_s, backup).status, 200);
    const QJsonObject node = admin("GET", u"/admin/nodes/%1"_s.arg(m_nodeId)).json();
    for (auto it = timeouts.begin(); it != timeouts.end(); ++it)
        QCOMPARE(node.value(it.key()), it.value());

    // A backup from before per-node timeouts leaves them to the gateway's settings.
    QJsonObject old = backup;
    QJsonObject oldNode = exported;
    for (const QString &key : timeouts.keys())
        oldNode.remove(key);
    old.insert(u"nodes"_s, QJsonArray{oldNode});
    QCOMPARE(admin("POST", u"/admin/import"_s, old).status, 200);
    const QJsonObject reset = admin("GET", u"/admin/nodes/%1"_s.arg(m_nodeId)).json();
    for (const QString &key : timeouts.keys())
        QCOMPARE(reset.value(key).toInt(-1), 0);
}

void TestBackup::importIsIdempotent()
{
    const QJsonObject backup = admin("GET", u"/admin/export"_s).json();
    for (int i = 0; i < 2; ++i) {
        const Response imported = admin("POST", u"/admin/import"_s, backup);
        QCOMPARE(imported.status, 200);
        QVERIFY(imported.json().value("created_users"_L1).toArray().isEmpty());
    }
    QCOMPARE(send("GET", u"/v1/models"_s, {}, m_aliceToken).status, 200);
    const QJsonObject after = admin("GET", u"/admin/export"_s).json();
    for (const char *section : {"nodes", "users", "mappings", "groups", "tool_sets", "model_configs", "system_prompts", "settings"})
        QCOMPARE(after.value(QLatin1StringView(section)), backup.value(QLatin1StringView(section)));
}

void TestBackup::badBackupsWriteNothing_data()
{
    QTest::addColumn<QString>("change");
    QTest::newRow("a newer version") << u"version"_s;
    QTest::newRow("a mapping naming a node the backup lacks") << u"mapping-node"_s;
    QTest::newRow("a node with a bad URL after good entries") << u"node-url"_s;
    QTest::newRow("an invalid username") << u"username"_s;
    QTest::newRow("a user's per-minute limit of zero") << u"user-per-minute"_s;
    QTest::newRow("a model configuration's negative per-minute limit") << u"config-per-minute"_s;
    QTest::newRow("a system prompt with an unknown scope") << u"prompt-scope"_s;
    QTest::newRow("an empty system prompt") << u"prompt-text"_s;
}

void TestBackup::badBackupsWriteNothing()
{
    QFETCH(QString, change);
    QJsonObject backup = admin("GET", u"/admin/export"_s).json();
    QJsonArray users = backup.value("users"_L1).toArray();
    users.append(QJsonObject{{u"username"_s, u"carol"_s}});
    if (change == "version"_L1) {
        backup.insert(u"version"_s, 2);
    } else if (change == "mapping-node"_L1) {
        QJsonArray mappings = backup.value("mappings"_L1).toArray();
        mappings.append(QJsonObject{{u"display_name"_s, u"x"_s}, {u"real_name"_s, u"y"_s},
                                    {u"node_ids"_s, QJsonArray{4242}}});
        backup.insert(u"mappings"_s, mappings);
    } else if (change == "node-url"_L1) {
        QJsonArray nodes = backup.value("nodes"_L1).toArray();
        nodes.append(QJsonObject{{u"id"_s, 77}, {u"name"_s, u"bad"_s}, {u"base_url"_s, u"ftp://x"_s}});
        backup.insert(u"nodes"_s, nodes);
    } else if (change == "user-per-minute"_L1) {
        users.append(QJsonObject{{u"username"_s, u"dave"_s}, {u"requests_per_minute"_s, 0}});
    } else if (change == "config-per-minute"_L1) {
        QJsonArray configs = backup.value("model_configs"_L1).toArray();
        configs.append(QJsonObject{{u"model_pattern"_s, u"fast*"_s}, {u"tokens_per_minute"_s, -1}});
        backup.insert(u"model_configs"_s, configs);
    } else if (change.startsWith("prompt-"_L1)) {
        QJsonArray prompts = backup.value("system_prompts"_L1).toArray();
        prompts.append(change == "prompt-scope"_L1
                           ? QJsonObject{{u"scope_type"_s, u"team"_s}, {u"scope_value"_s, u"x"_s}, {u"prompt"_s, u"p"_s}}
                           : QJsonObject{{u"scope_type"_s, u"global"_s}, {u"prompt"_s, u" "_s}});
        backup.insert(u"system_prompts"_s, prompts);
    } else {
        users.append(QJsonObject{{u"username"_s, u"no spaces"_s}});
    }
    backup.insert(u"users"_s, users);
    const qint64 auditBefore = auditTotal();
    const Response imported = admin("POST", u"/admin/import"_s, backup);
    QCOMPARE(imported.status, 400);
    QVERIFY(!imported.json().value("detail"_L1).toString().isEmpty());
    QCOMPARE(auditTotal(), auditBefore);
    QCOMPARE(admin("GET", u"/admin/users/carol"_s).status, 404);
    QCOMPARE(admin("GET", u"/admin/system-prompts"_s).array().size(), 2);
}

void TestBackup::wrongTypesAreRefusedByName_data()
{
    // An entry of `section` is changed: `index` >= 0 merges `entry` into that entry of the
    // export, -1 appends `entry` as it is. Before it a new node is added, after it a new user,
    // and neither may be written.
    QTest::addColumn<QString>("section");
    QTest::addColumn<int>("index");
    QTest::addColumn<QJsonValue>("entry");
    QTest::addColumn<QString>("detail");

    QTest::newRow("a node's priority as text") << u"nodes"_s << 0 << QJsonValue(QJsonObject{{u"priority"_s, u"high"_s}})
                                               << u"node \"gpu-1\": \"priority\" must be an integer"_s;
    QTest::newRow("a node's is_active as text") << u"nodes"_s << 0 << QJsonValue(QJsonObject{{u"is_active"_s, u"yes"_s}})
                                                << u"node \"gpu-1\": \"is_active\" must be a boolean"_s;
    QTest::newRow("a node's weight as a fraction") << u"nodes"_s << 0 << QJsonValue(QJsonObject{{u"weight"_s, 1.5}})
                                                   << u"node \"gpu-1\": \"weight\" must be an integer"_s;
    QTest::newRow("a node's id as text") << u"nodes"_s << 0 << QJsonValue(QJsonObject{{u"id"_s, u"one"_s}})
                                         << u"node \"gpu-1\": \"id\" must be an integer"_s;
    QTest::newRow("a node without a base_url")
        << u"nodes"_s << -1 << QJsonValue(QJsonObject{{u"id"_s, 8}, {u"name"_s, u"gpu-2"_s}})
        << u"node \"gpu-2\": \"name\" and \"base_url\" are required"_s;
    QTest::newRow("a node that is not an object") << u"nodes"_s << -1 << QJsonValue(u"gpu-3"_s)
                                                  << u"node 3 must be an object"_s;
    QTest::newRow("a user's negative daily limit")
        << u"users"_s << 0 << QJsonValue(QJsonObject{{u"request_limit"_s, -5}})
        << u"user \"alice\": \"request_limit\" must be a non-negative integer or null"_s;
    QTest::newRow("a user's token limit as text")
        << u"users"_s << 0 << QJsonValue(QJsonObject{{u"token_limit"_s, u"1000"_s}})
        << u"user \"alice\": \"token_limit\" must be a non-negative integer or null"_s;
    QTest::newRow("a user's per-minute limit of zero")
        << u"users"_s << 0 << QJsonValue(QJsonObject{{u"requests_per_minute"_s, 0}})
        << u"user \"alice\": \"requests_per_minute\" must be a positive integer or null"_s;
    QTest::newRow("a user's has_all_models as a number")
        << u"users"_s << 1 << QJsonValue(QJsonObject{{u"has_all_models"_s, 1}})
        << u"user \"bob\": \"has_all_models\" must be a boolean"_s;
    QTest::newRow("a user's models as a string") << u"users"_s << 0 << QJsonValue(QJsonObject{{u"models"_s, u"chat"_s}})
                                                 << u"user \"alice\": \"models\" must be an array of model names"_s;
    QTest::newRow("a username that is not a string") << u"users"_s << -1 << QJsonValue(QJsonObject{{u"username"_s, 7}})
                                                     << u"user 3: \"username\" is required and must be a string"_s;
    QTest::newRow("a mapping's context length as a word")
        << u"mappings"_s << 0 << QJsonValue(QJsonObject{{u"context_length"_s, u"big"_s}})
        << u"mapping \"chat\": Invalid context_length format: big (use 32768, 128K or 1M)"_s;
    QTest::newRow("a mapping's capabilities holding a number")
        << u"mappings"_s << 0 << QJsonValue(QJsonObject{{u"capabilities"_s, QJsonArray{1}}})
        << u"mapping \"chat\": \"capabilities\" must be an array of strings"_s;
    QTest::newRow("a mapping's node ids as text") << u"mappings"_s << 0 << QJsonValue(QJsonObject{{u"node_ids"_s, u"1"_s}})
                                                  << u"mapping \"chat\": \"node_ids\" must be an array of node ids"_s;
    QTest::newRow("a group's unknown strategy") << u"groups"_s << 0 << QJsonValue(QJsonObject{{u"strategy"_s, u"random"_s}})
                                                << u"group \"team\": strategy must be round_robin, weighted or priority"_s;
    QTest::newRow("a group's list_in_catalog as text")
        << u"groups"_s << 0 << QJsonValue(QJsonObject{{u"list_in_catalog"_s, u"true"_s}})
        << u"group \"team\": \"list_in_catalog\" must be a boolean"_s;
    QTest::newRow("a group member's weight as text")
        << u"groups"_s << 0
        << QJsonValue(QJsonObject{{u"members"_s, QJsonArray{QJsonObject{{u"model_display_name"_s, u"chat"_s},
                                                                        {u"weight"_s, u"heavy"_s}}}}})
        << u"group \"team\": member 1: \"weight\" must be an integer"_s;
    QTest::newRow("a group member without a model")
        << u"groups"_s << 0 << QJsonValue(QJsonObject{{u"members"_s, QJsonArray{QJsonObject{{u"priority"_s, 1}}}}})
        << u"group \"team\": each member needs a model_display_name"_s;
    QTest::newRow("a tool set's tools as a string") << u"tool_sets"_s << 0 << QJsonValue(QJsonObject{{u"tools"_s, u"read_file"_s}})
                                                    << u"tool set \"files\": \"tools\" must be an array of strings"_s;
    QTest::newRow("a model configuration's maintenance as text")
        << u"model_configs"_s << 0 << QJsonValue(QJsonObject{{u"maintenance"_s, u"on"_s}})
        << u"model configuration \"chat\": \"maintenance\" must be a boolean"_s;
    QTest::newRow("a model configuration's negative context length")
        << u"model_configs"_s << 0 << QJsonValue(QJsonObject{{u"max_context_length"_s, -1}})
        << u"model configuration \"chat\": \"max_context_length\" must be a number of tokens or a size such as \"32K\""_s;
    QTest::newRow("a model configuration naming a tool set nobody has")
        << u"model_configs"_s << 0 << QJsonValue(QJsonObject{{u"tool_sets"_s, QJsonArray{u"nope"_s}}})
        << u"model configuration \"chat\": Tool set not found: nope"_s;
    QTest::newRow("a system prompt's priority as text")
        << u"system_prompts"_s << 0 << QJsonValue(QJsonObject{{u"priority"_s, u"high"_s}})
        << u"system prompt 1: \"priority\" must be an integer"_s;
    QTest::newRow("a system prompt's is_active as text")
        << u"system_prompts"_s << 1 << QJsonValue(QJsonObject{{u"is_active"_s, u"no"_s}})
        << u"system prompt 2: \"is_active\" must be a boolean"_s;
    QTest::newRow("a system prompt without a scope type")
        << u"system_prompts"_s << -1 << QJsonValue(QJsonObject{{u"prompt"_s, u"Be brief."_s}})
        << u"system prompt 3: scope_type is required"_s;
}

void TestBackup::wrongTypesAreRefusedByName()
{
    QFETCH(QString, section);
    QFETCH(int, index);
    QFETCH(QJsonValue, entry);
    QFETCH(QString, detail);

    const QJsonObject before = configuration();
    QJsonObject backup = admin("GET", u"/admin/export"_s).json();
    QJsonArray nodes = backup.value("nodes"_L1).toArray();
    nodes.append(QJsonObject{{u"id"_s, 99}, {u"name"_s, u"gpu-new"_s}, {u"base_url"_s, u"http://127.0.0.1:9"_s}});
    backup.insert(u"nodes"_s, nodes);
    QJsonArray entries = backup.value(section).toArray();
    if (index >= 0) {
        QVERIFY(index < entries.size());
        QJsonObject changed = entries.at(index).toObject();
        const QJsonObject patch = entry.toObject();
        for (auto it = patch.begin(); it != patch.end(); ++it)
            changed.insert(it.key(), it.value());
        entries.replace(index, changed);
    } else {
        entries.append(entry);
    }
    backup.insert(section, entries);
    QJsonArray users = backup.value("users"_L1).toArray();
    users.append(QJsonObject{{u"username"_s, u"carol"_s}});
    backup.insert(u"users"_s, users);

    const qint64 auditBefore = auditTotal();
    const Response imported = admin("POST", u"/admin/import"_s, backup);
    QCOMPARE(imported.status, 400);
    QCOMPARE(imported.json().value("detail"_L1).toString(), detail);
    // Nothing of it was written: not the entries before the wrong one, nor those after it.
    QCOMPARE(auditTotal(), auditBefore);
    QCOMPARE(admin("GET", u"/admin/users/carol"_s).status, 404);
    QCOMPARE(configuration(), before);
}

void TestBackup::aWriteRefusedHalfwayLeavesNothing()
{
    // The database itself refuses one prompt, which an import writes after the nodes, users,
    // mappings, groups and policies: everything written before it must be rolled back.
    QSqlQuery query(m_stack.database()->connection());
    if (m_stack.testDatabase()->isPostgres()) {
        QVERIFY(query.exec(u"CREATE FUNCTION refuse_prompt() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                           "IF NEW.prompt = 'Refuse me.' THEN RAISE EXCEPTION 'refused by the test'; END IF; "
                           "RETURN NEW; END $$"_s));
        QVERIFY(query.exec(u"CREATE TRIGGER refuse_prompt BEFORE INSERT ON system_prompts FOR EACH ROW "
                           "EXECUTE FUNCTION refuse_prompt()"_s));
    } else {
        QVERIFY(query.exec(u"CREATE TRIGGER refuse_prompt BEFORE INSERT ON system_prompts "
                           "WHEN NEW.prompt = 'Refuse me.' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"_s));
    }
    const QJsonObject original = admin("GET", u"/admin/export"_s).json();
    const QJsonObject before = configuration();
    QJsonObject backup = original;
    QJsonArray nodes = backup.value("nodes"_L1).toArray();
    QJsonObject node = nodes.at(0).toObject();
    node.insert(u"priority"_s, 8);
    nodes.replace(0, node);
    nodes.append(QJsonObject{{u"id"_s, 99}, {u"name"_s, u"gpu-new"_s}, {u"base_url"_s, u"http://127.0.0.1:9"_s}});
    backup.insert(u"nodes"_s, nodes);
    QJsonArray users = backup.value("users"_L1).toArray();
    QJsonObject alice = users.at(0).toObject();
    alice.insert(u"request_limit"_s, 5);
    users.replace(0, alice);
    users.append(QJsonObject{{u"username"_s, u"carol"_s}});
    backup.insert(u"users"_s, users);
    QJsonArray groups = backup.value("groups"_L1).toArray();
    groups.append(QJsonObject{{u"name"_s, u"new-team"_s}, {u"members"_s, QJsonArray{QJsonObject{{u"model_display_name"_s, u"chat"_s}}}}});
    backup.insert(u"groups"_s, groups);
    QJsonArray prompts = backup.value("system_prompts"_L1).toArray();
    prompts.append(QJsonObject{{u"scope_type"_s, u"global"_s}, {u"prompt"_s, u"Refuse me."_s}});
    backup.insert(u"system_prompts"_s, prompts);
    backup.insert(u"settings"_s, QJsonObject{{u"routing_strategy"_s, u"weighted"_s}});

    const qint64 auditBefore = auditTotal();
    const Response imported = admin("POST", u"/admin/import"_s, backup);
    QCOMPARE(imported.status, 500);
    QCOMPARE(imported.json().value("detail"_L1).toString(), u"The database refused the change"_s);
    QCOMPARE(auditTotal(), auditBefore);
    QCOMPARE(admin("GET", u"/admin/users/carol"_s).status, 404);
    QCOMPARE(admin("GET", u"/admin/model-groups/new-team"_s).status, 404);
    QCOMPARE(configuration(), before);
    // Alice's old token still works, as her user was not touched.
    QCOMPARE(send("GET", u"/v1/models"_s, {}, m_aliceToken).status, 200);

    // The gateway's connection is not left inside the failed transaction: the next import works.
    QCOMPARE(admin("POST", u"/admin/import"_s, original).status, 200);
    QCOMPARE(configuration(), before);
}

void TestBackup::mappersAnswerAsTheApiDoes()
{
    // What the admin API answers, byte for byte, is what the mappers make of the stored entities.
    const User alice = *m_stack.store()->user(u"alice"_s);
    QCOMPARE(admin("GET", u"/admin/users/alice"_s).body, compact(toJson(alice)));
    QJsonArray users;
    for (const User &user : m_stack.store()->users())
        users.append(toJson(user));
    QCOMPARE(admin("GET", u"/admin/users"_s).body, compact(users));
    QCOMPARE(admin("GET", u"/admin/users/alice/models"_s).body, compact(grantsToJson(alice)));
    QCOMPARE(admin("GET", u"/admin/users/alice/limits"_s).body, compact(limitsToJson(alice, {}, {})));
    const Response created = admin("POST", u"/admin/users"_s, {{u"username"_s, u"dave"_s}});
    QCOMPARE(created.status, 201);
    const AdminService::CreatedUser dave{*m_stack.store()->user(u"dave"_s), created.json().value("token"_L1).toString()};
    QCOMPARE(created.body, compact(toJson(dave)));

    const std::shared_ptr<const Catalog> catalog = Catalog::load(*m_stack.store(), m_stack.secrets());
    QVERIFY(catalog);
    const ModelMapping chat = catalog->mappings().first();
    QCOMPARE(admin("GET", u"/admin/model-mappings/chat"_s).body, compact(toJson(chat, *catalog)));
    const ModelGroup team = m_stack.store()->groups().first();
    QCOMPARE(admin("GET", u"/admin/model-groups/team"_s).body, compact(toJson(team)));
    QCOMPARE(admin("GET", u"/admin/tool-sets/files"_s).body, compact(toJson(m_stack.store()->toolSets().first())));
    QCOMPARE(admin("GET", u"/admin/model-configs/chat"_s).body, compact(toJson(m_stack.store()->modelConfigs().first())));
    QCOMPARE(admin("GET", u"/admin/system-prompts"_s).body, compact(toJson(m_stack.store()->systemPrompts())));

    // A request, so that the request log and the node's load hold something.
    const QByteArray chatRequest = R"({"model":"chat","stream":false,"messages":[{"role":"user","content":"hi"}]})";
    QCOMPARE(send("POST", u"/api/chat"_s, chatRequest, m_aliceToken).status, 200);
    QTRY_COMPARE(m_stack.store()->requestLogs(LogQuery(), nullptr).size(), 1);
    qint64 total = 0;
    const QList<RequestLogEntry> logs = m_stack.store()->requestLogs(LogQuery(), &total);
    QCOMPARE(admin("GET", u"/admin/request-logs"_s).body,
             compact(QJsonObject{{u"logs"_s, QJsonArray{toJson(logs.first())}}, {u"total"_s, double(total)}}));
    QJsonArray models;
    int modelCount = 0;
    for (const NodeModel &model : m_stack.store()->nodeModels()) {
        if (model.nodeId == m_nodeId) {
            models.append(toJson(model));
            ++modelCount;
        }
    }
    QVERIFY(modelCount > 0);
    QCOMPARE(admin("GET", u"/admin/nodes/%1/models"_s.arg(m_nodeId)).body, compact(models));
    const NodeTraffic traffic = m_stack.store()->nodeTraffic(QDateTime::currentDateTimeUtc().date()).value(m_nodeId);
    QCOMPARE(traffic.requests, 1);
    QCOMPARE(admin("GET", u"/admin/nodes/%1"_s.arg(m_nodeId)).body,
             compact(toJson(*m_stack.store()->node(m_nodeId), modelCount, nodeLoadToJson(0, traffic))));

    LogQuery query;
    query.limit = 3;
    const QList<AuditEntry> audit = m_stack.store()->auditLogs(query, &total);
    QJsonArray entries;
    for (const AuditEntry &entry : audit)
        entries.append(toJson(entry));
    QCOMPARE(admin("GET", u"/admin/audit-logs?limit=3"_s).body,
             compact(QJsonObject{{u"logs"_s, entries}, {u"total"_s, double(total)}}));
}

void TestBackup::apiRefusesWithTheMappersWords_data()
{
    // "%node" in the path stands for the seeded node's id.
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("detail");

    QTest::newRow("a new node's priority beyond an integer is refused, not stored as 0")
        << QByteArray("POST") << u"/admin/nodes"_s
        << QByteArray(R"({"name":"gpu-9","base_url":"http://127.0.0.1:9","priority":3000000000})")
        << u"\"priority\" must be an integer"_s;
    QTest::newRow("a node change with is_active as text")
        << QByteArray("PATCH") << u"/admin/nodes/%node"_s << QByteArray(R"({"is_active":"yes"})")
        << u"\"is_active\" must be a boolean"_s;
    QTest::newRow("a mapping's node id with a fraction is refused, not rounded down")
        << QByteArray("POST") << u"/admin/model-mappings"_s
        << QByteArray(R"({"display_name":"frac","real_name":"r","node_ids":[1.5]})")
        << u"\"node_ids\" must be an array of node ids"_s;
    QTest::newRow("a mapping's context length beyond what JSON holds exactly")
        << QByteArray("PUT") << u"/admin/model-mappings/chat"_s << QByteArray(R"({"context_length":1e300})")
        << u"\"context_length\" must be a number or a string such as \"128K\""_s;
    QTest::newRow("a fallback order with a fractional member id is refused, not rounded down")
        << QByteArray("PUT") << u"/admin/model-groups/team/reorder"_s << QByteArray(R"({"member_ids":[1.5]})")
        << u"send \"member_ids\": [ids in fallback order] or \"members\": [{\"id\", \"priority\"}]"_s;
    QTest::newRow("a new group's member that is not an object")
        << QByteArray("POST") << u"/admin/model-groups"_s << QByteArray(R"({"name":"crew","members":["chat"]})")
        << u"each member must be an object"_s;
    QTest::newRow("a group member's weight as text")
        << QByteArray("POST") << u"/admin/model-groups/team/members"_s
        << QByteArray(R"({"model_display_name":"chat","weight":"heavy"})") << u"\"weight\" must be an integer"_s;
    QTest::newRow("warming a model named by a number names the rule")
        << QByteArray("POST") << u"/admin/nodes/%node/warmup"_s << QByteArray(R"({"models":[1]})")
        << u"\"models\" must be an array of model names"_s;
    QTest::newRow("a new user's token limit as text")
        << QByteArray("POST") << u"/admin/users"_s << QByteArray(R"({"username":"erin","token_limit":"5"})")
        << u"\"token_limit\" must be a non-negative integer or null"_s;
    QTest::newRow("a user's per-minute limit of zero")
        << QByteArray("POST") << u"/admin/users/alice/limits"_s << QByteArray(R"({"requests_per_minute":0})")
        << u"\"requests_per_minute\" must be a positive integer or null"_s;
    QTest::newRow("a tool set renamed")
        << QByteArray("PUT") << u"/admin/tool-sets/files"_s << QByteArray(R"({"name":"other"})")
        << u"a tool set cannot be renamed; create a new one"_s;
    QTest::newRow("a model configuration's stripped parameters as a string, by the seed's name")
        << QByteArray("PUT") << u"/admin/model-configs/chat"_s << QByteArray(R"({"unsupported_params":"seed"})")
        << u"\"stripped_params\" must be an array of strings"_s;
    QTest::newRow("a system prompt order with a fraction")
        << QByteArray("PUT") << u"/admin/system-prompts/reorder"_s << QByteArray(R"({"ids":[1.5]})")
        << u"\"ids\" must be an array of system prompt ids"_s;
}

// The admin API reads bodies with the mappers a backup import uses: what one refuses, the other
// refuses with the same words, and nothing is written.
void TestBackup::apiRefusesWithTheMappersWords()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QString, detail);

    const QJsonObject before = configuration();
    const qint64 auditBefore = auditTotal();
    const Response refused = send(method, QString(path).replace(u"%node"_s, QString::number(m_nodeId)), body, AdminToken);
    QCOMPARE(refused.status, 400);
    QCOMPARE(refused.json(), (QJsonObject{{u"detail"_s, detail}}));
    QCOMPARE(auditTotal(), auditBefore);
    QCOMPARE(configuration(), before);
}

QTEST_GUILESS_MAIN(TestBackup)
#include "tst_backup.moc"

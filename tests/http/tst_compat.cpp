// The seed's spellings, end to end over real sockets: the per-client base URLs (/claude, /codex,
// /cursor) behave as the plain paths do, and the seed's admin paths and field names reach the
// same operations as ours.

#include "gatewayharness.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Maestro;
using namespace Maestro::Test;

namespace {

const QString ReplyText = u"Hello from the fake node"_s;
const QString LocalModel = u"local-chat"_s; // on the Ollama node
const QString CloudModel = u"cloud-chat"_s; // on the OpenAI node, with a context length and vision

QJsonObject chatBody(const QString &model)
{
    return {{u"model"_s, model}, {u"messages"_s, userMessage(u"Say hello"_s)}};
}

QJsonObject anthropicBody(const QString &model)
{
    return {{u"model"_s, model}, {u"max_tokens"_s, 256}, {u"messages"_s, userMessage(u"Say hello"_s)}};
}

QStringList sortedKeys(const QJsonObject &object)
{
    QStringList keys = object.keys();
    keys.sort();
    return keys;
}

QStringList ids(const QJsonArray &list, QLatin1StringView field)
{
    QStringList out;
    for (const QJsonValue &entry : list)
        out.append(entry.toObject().value(field).toString());
    return out;
}

} // namespace

class TestCompat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void prefixedPathsAsPlain_data();
    void prefixedPathsAsPlain();
    void prefixedPathErrors_data();
    void prefixedPathErrors();
    void claudeProbes();
    void unknownPrefixedPathsInTheirDialect();
    void claudeModelList();
    void codexModelList();
    void cursorInputBecomesMessages();

    void discoverAndSyncAll();
    void reorderMembers_data();
    void reorderMembers();
    void revokeOneModel();
    void dashboardSpellings();
    void userStats();
    void configIsSettings();
    void seedFieldNames();

private:
    GatewayHarness m_harness;
    QByteArray m_alice; // every model
    QByteArray m_bob;   // the local model only
    int m_groupSerial = 0;
};

void TestCompat::initTestCase()
{
    QVERIFY(m_harness.start({u"llama3.2:latest"_s}, {u"gpt-4o-mini"_s, u"text-embed"_s}, ReplyText));
    QVERIFY(m_harness.addMapping(LocalModel, u"llama3.2:latest"_s));
    const Response mapped = m_harness.admin("POST", u"/admin/model-mappings"_s,
                                            {{u"display_name"_s, CloudModel},
                                             {u"real_name"_s, u"gpt-4o-mini"_s},
                                             {u"context_length"_s, u"128K"_s},
                                             {u"capabilities"_s, QJsonArray{u"completion"_s, u"vision"_s}}});
    QCOMPARE(mapped.status, 201);
    m_alice = m_harness.createUser(u"alice"_s, {u"*"_s});
    m_bob = m_harness.createUser(u"bob"_s, {LocalModel});
    QVERIFY(!m_alice.isEmpty() && !m_bob.isEmpty());
}

void TestCompat::cleanup()
{
    m_harness.reset();
}

void TestCompat::cleanupTestCase()
{
    m_harness.stop();
}

void TestCompat::prefixedPathsAsPlain_data()
{
    QTest::addColumn<QString>("prefixed");
    QTest::addColumn<QString>("plain");
    QTest::addColumn<QJsonObject>("body");

    const QJsonObject messages = anthropicBody(CloudModel);
    const QJsonObject chat = chatBody(CloudModel);
    QTest::newRow("/claude/v1/messages is /v1/messages") << u"/claude/v1/messages"_s << u"/v1/messages"_s << messages;
    QTest::newRow("/claude/v1/messages?beta=true is /v1/messages?beta=true")
        << u"/claude/v1/messages?beta=true"_s << u"/v1/messages?beta=true"_s << messages;
    QTest::newRow("/claude/v1/messages/count_tokens is /v1/messages/count_tokens")
        << u"/claude/v1/messages/count_tokens"_s << u"/v1/messages/count_tokens"_s << messages;
    QTest::newRow("/codex/responses is /v1/responses")
        << u"/codex/responses"_s << u"/v1/responses"_s
        << QJsonObject{{u"model"_s, CloudModel}, {u"input"_s, u"Say hello"_s}, {u"instructions"_s, u"Be brief"_s}};
    QTest::newRow("/codex/chat/completions is /v1/chat/completions")
        << u"/codex/chat/completions"_s << u"/v1/chat/completions"_s << chat;
    QTest::newRow("/codex/completions is /v1/completions")
        << u"/codex/completions"_s << u"/v1/completions"_s
        << QJsonObject{{u"model"_s, CloudModel}, {u"prompt"_s, u"Once upon a time"_s}};
    QTest::newRow("/codex/embeddings is /v1/embeddings")
        << u"/codex/embeddings"_s << u"/v1/embeddings"_s
        << QJsonObject{{u"model"_s, u"text-embed"_s}, {u"input"_s, u"some text"_s}};
    QTest::newRow("/cursor/chat/completions is /v1/chat/completions")
        << u"/cursor/chat/completions"_s << u"/v1/chat/completions"_s << chat;
    QTest::newRow("/cursor/v1/chat/completions is /v1/chat/completions")
        << u"/cursor/v1/chat/completions"_s << u"/v1/chat/completions"_s << chat;
}

void TestCompat::prefixedPathsAsPlain()
{
    QFETCH(QString, prefixed);
    QFETCH(QString, plain);
    QFETCH(QJsonObject, body);
    FakeUpstream *node = m_harness.openai();

    const auto [name, token] = m_harness.freshUser();
    const Response expected = m_harness.send("POST", plain, toJson(body), token);
    const QList<RecordedRequest> plainCalls = node->requests();
    node->clearRequests();
    const Response actual = m_harness.send("POST", prefixed, toJson(body), token);
    const QList<RecordedRequest> prefixedCalls = node->requests();

    QVERIFY2(expected.status == 200, expected.body.constData());
    QCOMPARE(actual.status, expected.status);
    QCOMPARE(actual.headers.value("content-type"), expected.headers.value("content-type"));
    QCOMPARE(sortedKeys(actual.json()), sortedKeys(expected.json()));
    QCOMPARE(actual.json().value("object"_L1), expected.json().value("object"_L1));
    QCOMPARE(actual.json().value("type"_L1), expected.json().value("type"_L1));
    // The node is asked exactly what the plain path asks it.
    QCOMPARE(prefixedCalls.size(), plainCalls.size());
    for (qsizetype i = 0; i < plainCalls.size(); ++i) {
        QCOMPARE(prefixedCalls.at(i).path, plainCalls.at(i).path);
        QCOMPARE(prefixedCalls.at(i).body, plainCalls.at(i).body);
    }
    if (plainCalls.isEmpty()) // count_tokens answers locally
        QCOMPARE(actual.body, expected.body);
    else {
        // Logged like the plain path, under the path the client used.
        const QJsonArray logs = m_harness.waitForLogs(name, 2);
        QCOMPARE(logs.size(), 2);
        QCOMPARE(logs.at(0).toObject().value("endpoint"_L1).toString(), prefixed.section(u'?', 0, 0));
        QCOMPARE(logs.at(0).toObject().value("model_name"_L1), logs.at(1).toObject().value("model_name"_L1));
    }
}

void TestCompat::prefixedPathErrors_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<bool>("anthropic");

    const QList<std::tuple<QByteArray, QString, QJsonObject, bool>> paths{
        {"POST", u"/claude/v1/messages"_s, anthropicBody(CloudModel), true},
        {"POST", u"/claude/v1/messages/count_tokens"_s, anthropicBody(CloudModel), true},
        {"POST", u"/codex/responses"_s, QJsonObject{{u"model"_s, CloudModel}, {u"input"_s, u"Hi"_s}}, false},
        {"POST", u"/codex/chat/completions"_s, chatBody(CloudModel), false},
        {"POST", u"/codex/completions"_s, QJsonObject{{u"model"_s, CloudModel}, {u"prompt"_s, u"Hi"_s}}, false},
        {"POST", u"/codex/embeddings"_s, QJsonObject{{u"model"_s, CloudModel}, {u"input"_s, u"Hi"_s}}, false},
        {"POST", u"/cursor/chat/completions"_s, chatBody(CloudModel), false},
        {"POST", u"/cursor/v1/chat/completions"_s, chatBody(CloudModel), false},
    };
    for (const auto &[method, path, body, anthropic] : paths) {
        const QByteArray p = path.toUtf8();
        QTest::addRow("%s without a token is 401 in its dialect", p.constData()) << method << path << body << anthropic;
        QTest::addRow("%s as a user without the model is 403 in its dialect", p.constData())
            << method << path << body << anthropic;
    }
    QTest::addRow("/claude/v1/models without a token is 401 in the Anthropic shape")
        << QByteArray("GET") << u"/claude/v1/models"_s << QJsonObject() << true;
    QTest::addRow("/codex/models without a token is 401 in the OpenAI shape")
        << QByteArray("GET") << u"/codex/models"_s << QJsonObject() << false;
}

void TestCompat::prefixedPathErrors()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QJsonObject, body);
    QFETCH(bool, anthropic);
    const bool forbidden = QByteArray(QTest::currentDataTag()).contains("403");

    const Response response = m_harness.send(method, path, body.isEmpty() ? QByteArray() : toJson(body),
                                             forbidden ? m_bob : QByteArray());
    QCOMPARE(response.status, forbidden ? 403 : 401);
    const QJsonObject json = response.json();
    const QString type = forbidden ? u"permission_error"_s : u"authentication_error"_s;
    if (anthropic) {
        QCOMPARE(json.value("type"_L1).toString(), u"error"_s);
        QCOMPARE(json.value("error"_L1).toObject().value("type"_L1).toString(), type);
    } else {
        QCOMPARE(json.value("error"_L1).toObject().value("type"_L1).toString(), type);
        QVERIFY(!json.value("error"_L1).toObject().value("message"_L1).toString().isEmpty());
    }
    QCOMPARE(m_harness.openai()->requestCount(), 0);
}

void TestCompat::claudeProbes()
{
    QCOMPARE(m_harness.send("HEAD", u"/claude/"_s, {}, {}).status, 200);
    QCOMPARE(m_harness.send("GET", u"/claude/"_s, {}, {}).status, 200);
}

void TestCompat::unknownPrefixedPathsInTheirDialect()
{
    const Response claude = m_harness.send("POST", u"/claude/v1/complete"_s, "{}", m_alice);
    QCOMPARE(claude.status, 404);
    QCOMPARE(claude.json().value("type"_L1).toString(), u"error"_s);
    QCOMPARE(claude.json().value("error"_L1).toObject().value("type"_L1).toString(), u"not_found_error"_s);
    for (const QString &path : {u"/codex/files"_s, u"/cursor/embeddings"_s}) {
        const Response openai = m_harness.send("POST", path, "{}", m_alice);
        QCOMPARE(openai.status, 404);
        QVERIFY(openai.json().value("error"_L1).toObject().contains("message"_L1));
    }
}

void TestCompat::claudeModelList()
{
    const Response all = m_harness.send("GET", u"/claude/v1/models"_s, {}, {}, {{"x-api-key", m_alice}});
    QVERIFY2(all.status == 200, all.body.constData());
    const QJsonObject json = all.json();
    const QJsonArray data = json.value("data"_L1).toArray();
    // Unmapped models are listed under their own names, as in /v1/models, with the seed's ids:
    // "claude-<name>", which the Messages endpoints take back.
    QCOMPARE(ids(data, "display_name"_L1), (QStringList{CloudModel, LocalModel, u"text-embed"_s}));
    for (const QJsonValue &value : data) {
        const QJsonObject model = value.toObject();
        QCOMPARE(sortedKeys(model), (QStringList{u"created_at"_s, u"display_name"_s, u"id"_s, u"max_input_tokens"_s,
                                                 u"max_tokens"_s, u"type"_s}));
        QCOMPARE(model.value("type"_L1).toString(), u"model"_s);
        QCOMPARE(model.value("id"_L1).toString(), u"claude-"_s + model.value("display_name"_L1).toString());
        QVERIFY(QDateTime::fromString(model.value("created_at"_L1).toString(), Qt::ISODate).isValid());
    }
    QCOMPARE(json.value("has_more"_L1), QJsonValue(false));
    QCOMPARE(json.value("first_id"_L1).toString(), u"claude-"_s + CloudModel);
    QCOMPARE(json.value("last_id"_L1).toString(), u"claude-text-embed"_s);

    // Only what the user may use.
    const Response bob = m_harness.send("GET", u"/claude/v1/models"_s, {}, m_bob);
    QCOMPARE(bob.status, 200);
    QCOMPARE(ids(bob.json().value("data"_L1).toArray(), "display_name"_L1), QStringList{LocalModel});
    QCOMPARE(bob.json().value("first_id"_L1).toString(), u"claude-"_s + LocalModel);
    QCOMPARE(bob.json().value("last_id"_L1).toString(), u"claude-"_s + LocalModel);
}

void TestCompat::codexModelList()
{
    const Response all = m_harness.send("GET", u"/codex/models?client_version=0.60.0"_s, {}, m_alice);
    QVERIFY2(all.status == 200, all.body.constData());
    const QJsonArray models = all.json().value("models"_L1).toArray();
    QCOMPARE(ids(models, "slug"_L1), (QStringList{CloudModel, LocalModel, u"text-embed"_s}));
    for (qsizetype i = 0; i < models.size(); ++i) {
        const QJsonObject model = models.at(i).toObject();
        // The fields Codex cannot do without.
        for (const char *field : {"slug", "display_name", "supported_reasoning_levels", "shell_type", "visibility",
                                  "supported_in_api", "priority", "base_instructions", "supports_reasoning_summaries",
                                  "support_verbosity", "truncation_policy", "supports_parallel_tool_calls",
                                  "experimental_supported_tools", "input_modalities"})
            QVERIFY2(model.contains(QLatin1StringView(field)), field);
        QCOMPARE(model.value("priority"_L1).toInt(), int(i));
        QCOMPARE(model.value("visibility"_L1).toString(), u"list"_s);
        QCOMPARE(model.value("truncation_policy"_L1).toObject().value("mode"_L1).toString(), u"bytes"_s);
    }
    const QJsonObject cloud = models.at(0).toObject();
    QCOMPARE(cloud.value("context_window"_L1).toInteger(), 128 * 1024);
    QCOMPARE(cloud.value("input_modalities"_L1).toArray(), (QJsonArray{u"text"_s, u"image"_s}));
    const QJsonObject local = models.at(1).toObject();
    QVERIFY(!local.contains("context_window"_L1));
    QCOMPARE(local.value("input_modalities"_L1).toArray(), QJsonArray{u"text"_s});

    const Response bob = m_harness.send("GET", u"/codex/models"_s, {}, m_bob);
    QCOMPARE(ids(bob.json().value("models"_L1).toArray(), "slug"_L1), QStringList{LocalModel});
}

void TestCompat::cursorInputBecomesMessages()
{
    const QJsonObject body{{u"model"_s, CloudModel},
                           {u"instructions"_s, u"Be brief"_s},
                           {u"input"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"Say hello"_s}}}}};
    const Response response = m_harness.send("POST", u"/cursor/chat/completions"_s, toJson(body), m_alice);
    QVERIFY2(response.status == 200, response.body.constData());
    QCOMPARE(response.json().value("object"_L1).toString(), u"chat.completion"_s);
    const QJsonObject sent = m_harness.openai()->lastRequest().body;
    QVERIFY(!sent.contains("input"_L1));
    QVERIFY(!sent.contains("instructions"_L1));
    const QJsonArray messages = sent.value("messages"_L1).toArray();
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages.at(0).toObject().value("role"_L1).toString(), u"system"_s);
    QCOMPARE(messages.at(0).toObject().value("content"_L1).toString(), u"Be brief"_s);
    QCOMPARE(messages.at(1).toObject().value("role"_L1).toString(), u"user"_s);
    QCOMPARE(messages.at(1).toObject().value("content"_L1).toString(), u"Say hello"_s);

    // The plain chat endpoint keeps asking for messages.
    const Response plain = m_harness.send("POST", u"/v1/chat/completions"_s, toJson(body), m_alice);
    QCOMPARE(plain.status, 400);
    QVERIFY(plain.json().value("error"_L1).toObject().value("message"_L1).toString().contains("messages"_L1));
}

void TestCompat::discoverAndSyncAll()
{
    const qint64 ollama = m_harness.ollamaId();
    const qint64 openai = m_harness.openaiId();
    auto nodeModels = [&](qint64 id) {
        return ids(m_harness.admin("GET", u"/admin/nodes/%1/models"_s.arg(id)).array(), "name"_L1);
    };

    m_harness.ollama()->setModels({u"llama3.2:latest"_s, u"qwen3:8b"_s});
    const Response discovered = m_harness.admin("POST", u"/admin/nodes/%1/discover"_s.arg(ollama));
    QVERIFY2(discovered.status == 200, discovered.body.constData());
    QCOMPARE(ids(discovered.json().value("models"_L1).toArray(), "name"_L1),
             (QStringList{u"llama3.2:latest"_s, u"qwen3:8b"_s}));
    QCOMPARE(nodeModels(ollama), (QStringList{u"llama3.2:latest"_s, u"qwen3:8b"_s}));
    QCOMPARE(m_harness.admin("POST", u"/admin/nodes/999/discover"_s).status, 404);

    // Every active node at once; an inactive one is left out.
    m_harness.ollama()->setModels({u"llama3.2:latest"_s});
    m_harness.openai()->setModels({u"gpt-4o-mini"_s, u"text-embed"_s, u"gpt-4.1"_s});
    const Response all = m_harness.admin("POST", u"/admin/nodes/sync-all"_s);
    QVERIFY2(all.status == 200, all.body.constData());
    const QJsonArray results = all.array();
    QCOMPARE(results.size(), 2);
    QHash<qint64, QJsonObject> byNode;
    for (const QJsonValue &value : results)
        byNode.insert(qint64(value.toObject().value("node_id"_L1).toDouble()), value.toObject());
    QCOMPARE(byNode.value(ollama).value("success"_L1), QJsonValue(true));
    QCOMPARE(byNode.value(ollama).value("total_models"_L1).toInt(), 1);
    QCOMPARE(byNode.value(openai).value("success"_L1), QJsonValue(true));
    QCOMPARE(byNode.value(openai).value("node_name"_L1).toString(), u"openai-node"_s);
    QCOMPARE(byNode.value(openai).value("total_models"_L1).toInt(), 3);
    QCOMPARE(nodeModels(ollama), QStringList{u"llama3.2:latest"_s});
    QCOMPARE(nodeModels(openai), (QStringList{u"gpt-4.1"_s, u"gpt-4o-mini"_s, u"text-embed"_s}));

    // A node that fails its probe is reported as such, the others still sync.
    m_harness.openai()->setHealthy(false);
    const Response failing = m_harness.admin("POST", u"/admin/nodes/sync-all"_s);
    m_harness.openai()->setHealthy(true);
    for (const QJsonValue &value : failing.array()) {
        const QJsonObject result = value.toObject();
        const bool isOpenAi = qint64(result.value("node_id"_L1).toDouble()) == openai;
        QCOMPARE(result.value("success"_L1).toBool(), !isOpenAi);
        QCOMPARE(result.value("error"_L1).isNull(), !isOpenAi);
    }
    m_harness.openai()->setModels({u"gpt-4o-mini"_s, u"text-embed"_s});
    QCOMPARE(m_harness.admin("POST", u"/admin/nodes/sync-all"_s).status, 200);
}

void TestCompat::reorderMembers_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<bool>("withPriorities");
    QTest::newRow("POST .../members/reorder with member_ids (the seed's docs)") << QByteArray("POST") << false;
    QTest::newRow("PUT .../members/reorder with member_ids") << QByteArray("PUT") << false;
    QTest::newRow("PUT .../members/reorder with members and priorities (the seed's code)") << QByteArray("PUT") << true;
    QTest::newRow("POST .../members/reorder with members and priorities") << QByteArray("POST") << true;
}

void TestCompat::reorderMembers()
{
    QFETCH(QByteArray, method);
    QFETCH(bool, withPriorities);
    const QString group = u"reorder-%1"_s.arg(++m_groupSerial);
    QJsonArray members;
    for (const QString &model : {u"a"_s, u"b"_s, u"c"_s})
        members.append(QJsonObject{{u"model_display_name"_s, model}});
    const Response created = m_harness.admin("POST", u"/admin/model-groups"_s,
                                             {{u"name"_s, group}, {u"strategy"_s, u"priority"_s}, {u"members"_s, members}});
    QVERIFY2(created.status == 201, created.body.constData());
    QHash<QString, qint64> id;
    for (const QJsonValue &member : created.json().value("members"_L1).toArray())
        id.insert(member.toObject().value("model_display_name"_L1).toString(), qint64(member.toObject().value("id"_L1).toDouble()));

    // Wanted order: c, a, b.
    QJsonObject body;
    if (withPriorities) {
        body.insert(u"members"_s, QJsonArray{QJsonObject{{u"id"_s, double(id[u"a"_s])}, {u"priority"_s, 5}},
                                             QJsonObject{{u"id"_s, double(id[u"b"_s])}, {u"priority"_s, 9}},
                                             QJsonObject{{u"id"_s, double(id[u"c"_s])}, {u"priority"_s, 1}}});
    } else {
        body.insert(u"member_ids"_s, QJsonArray{double(id[u"c"_s]), double(id[u"a"_s]), double(id[u"b"_s])});
    }
    const qint64 audits = m_harness.auditTotal();
    const Response reordered = m_harness.admin(method, u"/admin/model-groups/%1/members/reorder"_s.arg(group), body);
    QVERIFY2(reordered.status == 200, reordered.body.constData());
    QCOMPARE(m_harness.auditTotal(), audits + 1);
    QCOMPARE(m_harness.latestAudit().value("action"_L1).toString(), u"model_group.reorder"_s);
    const QJsonArray after = m_harness.admin("GET", u"/admin/model-groups/%1"_s.arg(group)).json().value("members"_L1).toArray();
    QCOMPARE(ids(after, "model_display_name"_L1), (QStringList{u"c"_s, u"a"_s, u"b"_s}));

    // Neither form, or a member left out: 400 and nothing changes.
    QCOMPARE(m_harness.admin(method, u"/admin/model-groups/%1/members/reorder"_s.arg(group), {{u"order"_s, 1}}).status, 400);
    const Response partial = m_harness.admin(method, u"/admin/model-groups/%1/members/reorder"_s.arg(group),
                                             {{u"member_ids"_s, QJsonArray{double(id[u"a"_s])}}});
    QCOMPARE(partial.status, 400);
    QVERIFY(!partial.json().value("detail"_L1).toString().isEmpty());
    QCOMPARE(m_harness.auditTotal(), audits + 1);
    QCOMPARE(m_harness.admin("DELETE", u"/admin/model-groups/%1"_s.arg(group)).status, 204);
}

void TestCompat::revokeOneModel()
{
    const auto [name, token] = m_harness.freshUser({LocalModel, CloudModel, u"library/vendor:7b"_s});
    const qint64 audits = m_harness.auditTotal();
    const Response revoked = m_harness.admin("DELETE", u"/admin/users/%1/models/%2"_s.arg(name, CloudModel));
    QCOMPARE(revoked.status, 204);
    QCOMPARE(m_harness.auditTotal(), audits + 1);
    const QJsonObject audit = m_harness.latestAudit();
    QCOMPARE(audit.value("action"_L1).toString(), u"user.model_revoked"_s);
    QCOMPARE(audit.value("entity_id"_L1).toString(), name);
    auto granted = [&, name = name] {
        return m_harness.admin("GET", u"/admin/users/%1/models"_s.arg(name)).json();
    };
    QCOMPARE(granted().value("models"_L1).toArray(), (QJsonArray{u"library/vendor:7b"_s, LocalModel}));
    // The user notices at once.
    const Response refused = m_harness.send("POST", u"/v1/chat/completions"_s, toJson(chatBody(CloudModel)), token);
    QCOMPARE(refused.status, 403);

    // A name with a slash, as Ollama library models have.
    QCOMPARE(m_harness.admin("DELETE", u"/admin/users/%1/models/library/vendor:7b"_s.arg(name)).status, 204);
    QCOMPARE(granted().value("models"_L1).toArray(), QJsonArray{LocalModel});

    const Response notGranted = m_harness.admin("DELETE", u"/admin/users/%1/models/%2"_s.arg(name, CloudModel));
    QCOMPARE(notGranted.status, 400);
    QVERIFY(notGranted.json().value("detail"_L1).toString().contains(CloudModel));
    QCOMPARE(m_harness.admin("DELETE", u"/admin/users/nobody/models/%1"_s.arg(LocalModel)).status, 404);

    // "all" takes every grant away, the all-models one too.
    QCOMPARE(m_harness.admin("POST", u"/admin/users/%1/models/all"_s.arg(name)).status, 200);
    QCOMPARE(m_harness.admin("DELETE", u"/admin/users/%1/models/all"_s.arg(name)).status, 204);
    QCOMPARE(granted().value("has_all_models"_L1), QJsonValue(false));
    QCOMPARE(granted().value("models"_L1).toArray(), QJsonArray());
    QCOMPARE(m_harness.send("POST", u"/v1/chat/completions"_s, toJson(chatBody(LocalModel)), token).status, 403);
}

void TestCompat::dashboardSpellings()
{
    const auto [name, token] = m_harness.freshUser();
    QCOMPARE(m_harness.send("POST", u"/v1/chat/completions"_s, toJson(chatBody(LocalModel)), token).status, 200);
    QCOMPARE(m_harness.send("POST", u"/v1/chat/completions"_s, toJson(chatBody(CloudModel)), token).status, 200);
    QCOMPARE(m_harness.waitForLogs(name, 2).size(), 2);

    const Response stats = m_harness.admin("GET", u"/admin/dashboard/stats"_s);
    QCOMPARE(stats.status, 200);
    QCOMPARE(sortedKeys(stats.json()), sortedKeys(m_harness.admin("GET", u"/admin/stats"_s).json()));
    QVERIFY(stats.json().value("requests_today"_L1).toInt() >= 2);

    const Response byModelName = m_harness.admin("GET", u"/admin/dashboard/requests-log?username=%1&model_name=%2"_s.arg(name, LocalModel));
    QCOMPARE(byModelName.status, 200);
    const QJsonArray logs = byModelName.json().value("logs"_L1).toArray();
    QCOMPARE(logs.size(), 1);
    QCOMPARE(logs.at(0).toObject().value("model_name"_L1).toString(), LocalModel);
    QCOMPARE(byModelName.json().value("total"_L1).toInt(), 1);
    QCOMPARE(byModelName.body,
             m_harness.admin("GET", u"/admin/request-logs?username=%1&model=%2"_s.arg(name, LocalModel)).body);
}

void TestCompat::userStats()
{
    const auto [carol, carolToken] = m_harness.freshUser();
    const auto [dave, daveToken] = m_harness.freshUser();
    m_harness.openai()->setTokenCounts(9, 4);
    m_harness.ollama()->setTokenCounts(9, 4);
    for (int i = 0; i < 2; ++i)
        QCOMPARE(m_harness.send("POST", u"/v1/chat/completions"_s, toJson(chatBody(CloudModel)), carolToken).status, 200);
    QCOMPARE(m_harness.send("POST", u"/api/chat"_s,
                            toJson(QJsonObject{{u"model"_s, LocalModel}, {u"messages"_s, userMessage(u"Hi"_s)}, {u"stream"_s, false}}),
                            carolToken).status,
             200);
    QCOMPARE(m_harness.send("POST", u"/v1/chat/completions"_s, toJson(chatBody(CloudModel)), daveToken).status, 200);
    QCOMPARE(m_harness.waitForLogs(carol, 3).size(), 3);
    QCOMPARE(m_harness.waitForLogs(dave, 1).size(), 1);

    const Response response = m_harness.admin("GET", u"/admin/dashboard/user-stats"_s);
    QVERIFY2(response.status == 200, response.body.constData());
    const QJsonArray users = response.json().value("users"_L1).toArray();
    QCOMPARE(response.json().value("total_users"_L1).toInt(), int(users.size()));
    QHash<QString, QJsonObject> byName;
    for (const QJsonValue &user : users)
        byName.insert(user.toObject().value("username"_L1).toString(), user.toObject());
    QCOMPARE(byName.value(carol),
             (QJsonObject{{u"username"_s, carol}, {u"total_requests"_s, 3}, {u"total_tokens"_s, 39},
                          {u"total_prompt_tokens"_s, 27}, {u"total_completion_tokens"_s, 12}}));
    QCOMPARE(byName.value(dave),
             (QJsonObject{{u"username"_s, dave}, {u"total_requests"_s, 1}, {u"total_tokens"_s, 13},
                          {u"total_prompt_tokens"_s, 9}, {u"total_completion_tokens"_s, 4}}));

    // A period that ended before those requests holds none of them; a bad date is a 400.
    const Response past = m_harness.admin("GET", u"/admin/dashboard/user-stats?start_date=2020-01-01&end_date=2020-01-31"_s);
    QCOMPARE(past.status, 200);
    QCOMPARE(past.json().value("users"_L1).toArray(), QJsonArray());
    QCOMPARE(past.json().value("total_users"_L1).toInt(), 0);
    const QString today = QDateTime::currentDateTimeUtc().date().toString(Qt::ISODate);
    const Response todayOnly = m_harness.admin("GET", u"/admin/dashboard/user-stats?start_date=%1&end_date=%1"_s.arg(today));
    QVERIFY(ids(todayOnly.json().value("users"_L1).toArray(), "username"_L1).contains(carol));
    QCOMPARE(m_harness.admin("GET", u"/admin/dashboard/user-stats?start_date=yesterday"_s).status, 400);
}

void TestCompat::configIsSettings()
{
    const Response config = m_harness.admin("GET", u"/admin/config"_s);
    QCOMPARE(config.status, 200);
    QCOMPARE(config.json(), m_harness.admin("GET", u"/admin/settings"_s).json());

    const qint64 audits = m_harness.auditTotal();
    const Response put = m_harness.admin("PUT", u"/admin/config"_s, {{u"routing_strategy"_s, u"priority"_s}});
    QVERIFY2(put.status == 200, put.body.constData());
    QCOMPARE(m_harness.admin("GET", u"/admin/settings"_s).json().value("routing_strategy"_L1).toString(), u"priority"_s);
    QVERIFY(m_harness.auditTotal() > audits);
    QCOMPARE(m_harness.admin("PUT", u"/admin/config"_s, {{u"routing_strategy"_s, u"fastest"_s}}).status, 400);
    QCOMPARE(m_harness.admin("PUT", u"/admin/config"_s, {{u"routing_strategy"_s, u"least_busy"_s}}).status, 200);
    QCOMPARE(m_harness.send("GET", u"/admin/config"_s, {}, m_alice).status, 403);
}

void TestCompat::seedFieldNames()
{
    // Model configuration under the seed's names.
    const Response config = m_harness.admin("POST", u"/admin/model-configs"_s,
                                            {{u"model_prefix"_s, u"seedmodel"_s},
                                             {u"unsupported_params"_s, QJsonArray{u"top_k"_s, u"logit_bias"_s}},
                                             {u"maintenance_mode"_s, true}});
    QVERIFY2(config.status == 201, config.body.constData());
    QCOMPARE(config.json().value("model_pattern"_L1).toString(), u"seedmodel"_s);
    QCOMPARE(config.json().value("stripped_params"_L1).toArray(), (QJsonArray{u"top_k"_s, u"logit_bias"_s}));
    QCOMPARE(config.json().value("maintenance"_L1), QJsonValue(true));
    const Response updated = m_harness.admin("PUT", u"/admin/model-configs/seedmodel"_s, {{u"maintenance_mode"_s, false}});
    QCOMPARE(updated.status, 200);
    QCOMPARE(updated.json().value("maintenance"_L1), QJsonValue(false));
    QCOMPARE(m_harness.latestAudit().value("entity_id"_L1).toString(), u"seedmodel"_s);
    QCOMPARE(m_harness.admin("DELETE", u"/admin/model-configs/seedmodel"_s).status, 204);

    // A group member flagged the seed's way takes over too-long requests.
    QCOMPARE(m_harness.admin("POST", u"/admin/model-groups"_s, {{u"name"_s, u"seed-group"_s}}).status, 201);
    const Response member = m_harness.admin("POST", u"/admin/model-groups/seed-group/members"_s,
                                            {{u"model_display_name"_s, CloudModel}, {u"is_fallback_413"_s, true}});
    QVERIFY2(member.status == 201, member.body.constData());
    QCOMPARE(member.json().value("members"_L1).toArray().at(0).toObject().value("context_fallback"_L1), QJsonValue(true));
    QCOMPARE(m_harness.admin("DELETE", u"/admin/model-groups/seed-group"_s).status, 204);
}

QTEST_MAIN(TestCompat)
#include "tst_compat.moc"

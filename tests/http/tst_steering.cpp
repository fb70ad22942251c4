// Routing a team can steer, end to end over real sockets on SQLite and PostgreSQL: users limited
// to some nodes (and some models on them), preferred nodes of group members, and pins
// ("node:<node name>:<model>"), through the admin API, storage, restarts, backups and every
// client dialect.

#include "fakeupstream.h"
#include "gatewaystack.h"
#include "httpclient.h"
#include "testdatabase.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Maestro;
using namespace Maestro::Test;

namespace {

const QString OllamaChat = u"/api/chat"_s;
const QString OpenAiChat = u"/v1/chat/completions"_s;
const QString Responses = u"/v1/responses"_s;
const QString AnthropicMessages = u"/v1/messages"_s;

const QList<std::pair<const char *, QString>> Dialects{
    {"Ollama", OllamaChat},
    {"OpenAI", OpenAiChat},
    {"Responses", Responses},
    {"Anthropic", AnthropicMessages},
};

// A short, unstreamed chat in the dialect of `path`.
QByteArray chat(const QString &path, const QString &model)
{
    QJsonObject body{{u"model"_s, model}};
    const QJsonArray messages{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hello there"_s}}};
    if (path == Responses) {
        body.insert(u"input"_s, u"hello there"_s);
    } else {
        body.insert(u"messages"_s, messages);
    }
    if (path == OllamaChat)
        body.insert(u"stream"_s, false);
    if (path == AnthropicMessages)
        body.insert(u"max_tokens"_s, 64);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

// The error message in the dialect's own shape; a null string when the shape is wrong.
QString errorMessage(const QString &path, const QJsonObject &body)
{
    if (path == OllamaChat)
        return body.value("error"_L1).isString() ? body.value("error"_L1).toString() : QString();
    if (path == AnthropicMessages) {
        if (body.value("type"_L1).toString() != "error"_L1)
            return {};
        return body.value("error"_L1).toObject().value("message"_L1).toString();
    }
    const QJsonObject error = body.value("error"_L1).toObject();
    return error.value("type"_L1).isString() ? error.value("message"_L1).toString() : QString();
}

int posts(const FakeUpstream &upstream)
{
    int count = 0;
    for (const RecordedRequest &request : upstream.requests())
        count += request.method == "POST" ? 1 : 0;
    return count;
}

QStringList postedModels(const FakeUpstream &upstream)
{
    QStringList models;
    for (const RecordedRequest &request : upstream.requests()) {
        if (request.method == "POST")
            models.append(request.body.value("model"_L1).toString());
    }
    return models;
}

QStringList ids(const QJsonArray &array, const QString &key)
{
    QStringList out;
    for (const QJsonValue &entry : array)
        out.append(entry.toObject().value(key).toString());
    return out;
}

} // namespace

// Three Ollama nodes, all serving llama3:8b and qwen:7b: gpu-a (priority 0), gpu-b (priority 9,
// the one routing prefers) and gpu-c (priority 0, also serving only-c:1b).
class TestSteering : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanup();

    void restrictedUserNeverReachesOtherNodesOnFailover();
    void restrictedUserNeverReachesOtherNodesOnGroupFallback();
    void noAllowedHealthyNodeIs503InEveryDialect_data();
    void noAllowedHealthyNodeIs503InEveryDialect();
    void nodeModelPairsLimitTheModelsOnANode();
    void listsShowOnlyWhatTheUserReaches();
    void userNodesThroughTheAdminApi();
    void restrictionsSurviveRestartAndBackup();
    void preferredNodesAreTriedFirstThenTheOthers();
    void pinsGoToThatNodeOnly_data();
    void pinsGoToThatNodeOnly();
    void pinRefusals_data();
    void pinRefusals();
    void pinnedNodeFailingIsNotFailedOver();

private:
    qint64 addNode(const QString &name, FakeUpstream *upstream, int priority);
    QByteArray createUser(const QString &name, const QStringList &models = {});
    Response send(const QString &path, const QByteArray &body, const QByteArray &token);
    Response admin(const QByteArray &method, const QString &path, const QJsonObject &body = {});
    Response adminRaw(const QByteArray &method, const QString &path, const QByteArray &body);
    void restrict(const QString &username, const QJsonObject &body);
    int totalPosts() const;

    GatewayStack m_stack;
    std::unique_ptr<FakeUpstream> m_a;
    std::unique_ptr<FakeUpstream> m_b;
    std::unique_ptr<FakeUpstream> m_c;
    qint64 m_aId = 0;
    qint64 m_bId = 0;
    qint64 m_cId = 0;
};

void TestSteering::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void TestSteering::initTestCase()
{
    m_a = std::make_unique<FakeUpstream>(NodeType::Ollama);
    m_b = std::make_unique<FakeUpstream>(NodeType::Ollama);
    m_c = std::make_unique<FakeUpstream>(NodeType::Ollama);
    m_a->setModels({u"llama3:8b"_s, u"qwen:7b"_s});
    m_b->setModels({u"llama3:8b"_s, u"qwen:7b"_s});
    m_c->setModels({u"llama3:8b"_s, u"qwen:7b"_s, u"only-c:1b"_s});
    QVERIFY(m_a->listen() && m_b->listen() && m_c->listen());
}

void TestSteering::init()
{
    QFETCH_GLOBAL(QString, backend);
    if (const QString reason = TestDatabase::unavailableReason(backend); !reason.isEmpty())
        QSKIP(qPrintable(reason));
    StackOptions options;
    options.backend = backend;
    QString error;
    QVERIFY2(m_stack.start(options, &error), qPrintable(error));
    m_aId = addNode(u"gpu-a"_s, m_a.get(), 0);
    m_bId = addNode(u"gpu-b"_s, m_b.get(), 9);
    m_cId = addNode(u"gpu-c"_s, m_c.get(), 0);
    QVERIFY(m_aId > 0 && m_bId > 0 && m_cId > 0);
    // "priority": the highest priority node first, so routing left alone would pick gpu-b.
    QCOMPARE(admin("PUT", u"/admin/settings"_s, {{u"routing_strategy"_s, u"priority"_s}}).status, 200);
    for (FakeUpstream *upstream : {m_a.get(), m_b.get(), m_c.get()}) {
        upstream->failNext(0, 0);
        upstream->clearRequests();
    }
}

void TestSteering::cleanup()
{
    m_stack.stop();
}

qint64 TestSteering::addNode(const QString &name, FakeUpstream *upstream, int priority)
{
    const Response response = admin("POST", u"/admin/nodes"_s,
                                    {{u"name"_s, name},
                                     {u"base_url"_s, upstream->baseUrl().toString()},
                                     {u"node_type"_s, u"ollama"_s},
                                     {u"priority"_s, priority}});
    if (response.status != 201)
        qWarning() << "node creation failed:" << response.status << response.body;
    return qint64(response.json().value("id"_L1).toDouble());
}

QByteArray TestSteering::createUser(const QString &name, const QStringList &models)
{
    const Response created = admin("POST", u"/admin/users"_s, {{u"username"_s, name}});
    if (created.status != 201)
        return {};
    const Response granted = models.isEmpty()
        ? admin("POST", u"/admin/users/%1/models/all"_s.arg(name))
        : admin("POST", u"/admin/users/%1/models"_s.arg(name), {{u"models"_s, QJsonArray::fromStringList(models)}});
    if (granted.status != 200)
        return {};
    return created.json().value("token"_L1).toString().toUtf8();
}

Response TestSteering::send(const QString &path, const QByteArray &body, const QByteArray &token)
{
    return m_stack.send("POST", path, body, token);
}

Response TestSteering::admin(const QByteArray &method, const QString &path, const QJsonObject &body)
{
    return m_stack.admin(method, path, body);
}

Response TestSteering::adminRaw(const QByteArray &method, const QString &path, const QByteArray &body)
{
    return m_stack.send(method, path, body, m_stack.adminToken());
}

void TestSteering::restrict(const QString &username, const QJsonObject &body)
{
    const Response response = admin("PUT", u"/admin/users/%1/nodes"_s.arg(username), body);
    QVERIFY2(response.status == 200, response.body.constData());
}

int TestSteering::totalPosts() const
{
    return posts(*m_a) + posts(*m_b) + posts(*m_c);
}

void TestSteering::restrictedUserNeverReachesOtherNodesOnFailover()
{
    const QByteArray token = createUser(u"ann"_s);
    restrict(u"ann"_s, {{u"node_ids"_s, QJsonArray{double(m_aId)}}});

    // gpu-b has the higher priority, but ann may only use gpu-a.
    Response response = send(OllamaChat, chat(OllamaChat, u"llama3:8b"_s), token);
    QCOMPARE(response.status, 200);
    QCOMPARE(posts(*m_a), 1);
    QCOMPARE(posts(*m_b) + posts(*m_c), 0);

    // gpu-a fails: there is no other node ann may use, so no failover to gpu-b or gpu-c.
    m_a->failNext(500, 1);
    response = send(OpenAiChat, chat(OpenAiChat, u"llama3:8b"_s), token);
    QCOMPARE(response.status, 502);
    QCOMPARE(posts(*m_a), 2);
    QCOMPARE(posts(*m_b), 0);
    QCOMPARE(posts(*m_c), 0);

    // An unrestricted user in the same state fails over as before.
    const QByteArray other = createUser(u"bea"_s);
    m_b->failNext(500, 1);
    response = send(OpenAiChat, chat(OpenAiChat, u"llama3:8b"_s), other);
    QCOMPARE(response.status, 200);
    QCOMPARE(posts(*m_b), 1);
    QCOMPARE(posts(*m_a) + posts(*m_c), 3);
}

void TestSteering::restrictedUserNeverReachesOtherNodesOnGroupFallback()
{
    QCOMPARE(admin("POST", u"/admin/model-groups"_s,
                   {{u"name"_s, u"team"_s},
                    {u"strategy"_s, u"priority"_s},
                    {u"members"_s, QJsonArray{QJsonObject{{u"model_display_name"_s, u"qwen:7b"_s}, {u"priority"_s, 0}},
                                              QJsonObject{{u"model_display_name"_s, u"llama3:8b"_s}, {u"priority"_s, 1}}}}})
                 .status,
             201);
    const QByteArray token = createUser(u"cid"_s, {u"team"_s});
    restrict(u"cid"_s, {{u"node_ids"_s, QJsonArray{double(m_cId)}}});

    // The first member fails on gpu-c: the group falls back to its second member, on gpu-c again.
    m_c->failNext(500, 1);
    Response response = send(AnthropicMessages, chat(AnthropicMessages, u"team"_s), token);
    QCOMPARE(response.status, 200);
    QCOMPARE(postedModels(*m_c), (QStringList{u"qwen:7b"_s, u"llama3:8b"_s}));
    QCOMPARE(posts(*m_a) + posts(*m_b), 0);

    // Both members fail on gpu-c: nothing reaches the nodes cid may not use.
    m_c->failNext(500, 2);
    response = send(OllamaChat, chat(OllamaChat, u"team"_s), token);
    QCOMPARE(response.status, 502);
    QCOMPARE(posts(*m_c), 4);
    QCOMPARE(posts(*m_a) + posts(*m_b), 0);
}

void TestSteering::noAllowedHealthyNodeIs503InEveryDialect_data()
{
    QTest::addColumn<QString>("path");
    for (const auto &[name, path] : Dialects)
        QTest::newRow(name) << path;
}

void TestSteering::noAllowedHealthyNodeIs503InEveryDialect()
{
    QFETCH(QString, path);
    const QByteArray token = createUser(u"dee"_s);
    restrict(u"dee"_s, {{u"node_ids"_s, QJsonArray{double(m_cId)}}});
    QCOMPARE(admin("PATCH", u"/admin/nodes/%1/toggle"_s.arg(m_cId)).status, 200);

    const Response response = send(path, chat(path, u"llama3:8b"_s), token);
    QCOMPARE(response.status, 503);
    const QString message = errorMessage(path, response.json());
    QCOMPARE(message, u"No healthy node you may use serves the model 'llama3:8b' right now"_s);
    QVERIFY(!response.body.contains("gpu-"));
    QCOMPARE(totalPosts(), 0);
}

void TestSteering::nodeModelPairsLimitTheModelsOnANode()
{
    const QByteArray token = createUser(u"eve"_s);
    restrict(u"eve"_s, {{u"node_models"_s, QJsonArray{QJsonObject{{u"node_id"_s, double(m_aId)},
                                                                  {u"model_name"_s, u"llama3:8b"_s}}}}});
    Response response = send(OllamaChat, chat(OllamaChat, u"llama3:8b"_s), token);
    QCOMPARE(response.status, 200);
    QCOMPARE(postedModels(*m_a), QStringList{u"llama3:8b"_s});
    // qwen:7b is on gpu-a too, but not granted there, and nowhere else.
    response = send(OllamaChat, chat(OllamaChat, u"qwen:7b"_s), token);
    QCOMPARE(response.status, 503);
    QCOMPARE(totalPosts(), 1);
}

void TestSteering::listsShowOnlyWhatTheUserReaches()
{
    const QByteArray token = createUser(u"fay"_s);
    const auto tags = [&] {
        return ids(m_stack.send("GET", u"/api/tags"_s, {}, token).json().value("models"_L1).toArray(), u"name"_s);
    };
    const auto models = [&] {
        return ids(m_stack.send("GET", u"/v1/models"_s, {}, token).json().value("data"_L1).toArray(), u"id"_s);
    };
    QVERIFY(tags().contains(u"only-c:1b"_s));
    // Limited to gpu-a and gpu-b: only-c:1b is on gpu-c alone, so it is not listed.
    restrict(u"fay"_s, {{u"node_ids"_s, QJsonArray{double(m_aId), double(m_bId)}}});
    QCOMPARE(tags(), (QStringList{u"llama3:8b"_s, u"qwen:7b"_s}));
    QCOMPARE(models(), (QStringList{u"llama3:8b"_s, u"qwen:7b"_s}));
    // Asking for it anyway is 503, naming no node.
    const Response response = send(OpenAiChat, chat(OpenAiChat, u"only-c:1b"_s), token);
    QCOMPARE(response.status, 503);
    QVERIFY(!response.body.contains("gpu-c"));
}

void TestSteering::userNodesThroughTheAdminApi()
{
    createUser(u"gus"_s);
    const QString base = u"/admin/users/gus"_s;
    QJsonObject user = admin("GET", base).json();
    QCOMPARE(user.value("node_ids"_L1).toArray(), QJsonArray());
    QCOMPARE(user.value("node_models"_L1).toArray(), QJsonArray());

    // The seed's spellings: one node at a time.
    Response response = admin("POST", base + u"/nodes"_s, {{u"node_id"_s, double(m_aId)}});
    QCOMPARE(response.status, 200);
    response = admin("POST", base + u"/nodes"_s, {{u"node_id"_s, double(m_bId)}});
    QCOMPARE(response.json().value("has_restriction"_L1).toBool(), true);
    QCOMPARE(response.json().value("node_ids"_L1).toArray(), (QJsonArray{double(m_aId), double(m_bId)}));
    QCOMPARE(ids(response.json().value("nodes"_L1).toArray(), u"name"_s), (QStringList{u"gpu-a"_s, u"gpu-b"_s}));
    QCOMPARE(m_stack.store()->user(u"gus"_s)->nodeIds, (QList<qint64>{m_aId, m_bId}));
    QCOMPARE(admin("DELETE", base + u"/nodes/%1"_s.arg(m_aId)).json().value("node_ids"_L1).toArray(),
             QJsonArray{double(m_bId)});
    QCOMPARE(admin("DELETE", base + u"/nodes/%1"_s.arg(m_aId)).status, 400);
    QCOMPARE(admin("POST", base + u"/nodes"_s, {{u"node_id"_s, 9999}}).status, 400);
    QCOMPARE(admin("POST", base + u"/nodes"_s, {{u"node_id"_s, u"x"_s}}).status, 400);
    response = admin("POST", base + u"/nodes/all"_s);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json().value("has_restriction"_L1).toBool(), false);

    // Node-model pairs.
    const QJsonObject pair{{u"node_id"_s, double(m_cId)}, {u"model_name"_s, u"only-c:1b"_s}};
    response = admin("POST", base + u"/node-models"_s, pair);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json().value("node_models"_L1).toArray().at(0).toObject().value("node_name"_L1).toString(),
             u"gpu-c"_s);
    QCOMPARE(admin("GET", base).json().value("node_models"_L1).toArray(),
             (QJsonArray{QJsonObject{{u"node_id"_s, double(m_cId)}, {u"model_name"_s, u"only-c:1b"_s}}}));
    QCOMPARE(admin("POST", base + u"/node-models"_s, {{u"node_id"_s, double(m_cId)}}).status, 400);
    response = adminRaw("DELETE", base + u"/node-models"_s, QJsonDocument(pair).toJson());
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json().value("node_models"_L1).toArray(), QJsonArray());
    QCOMPARE(admin("POST", base + u"/node-models"_s, pair).status, 200);
    QCOMPARE(admin("DELETE", base + u"/node-models/all"_s).json().value("has_restriction"_L1).toBool(), false);

    // Each change is audited, never with a secret.
    const QJsonObject audit = admin("GET", u"/admin/audit-logs?limit=1"_s).json().value("logs"_L1).toArray().at(0).toObject();
    QCOMPARE(audit.value("action"_L1).toString(), u"user.nodes_set"_s);
    QCOMPARE(audit.value("entity_id"_L1).toString(), u"gus"_s);

    // Unknown users are 404.
    QCOMPARE(admin("GET", u"/admin/users/nobody/nodes"_s).status, 404);
}

void TestSteering::restrictionsSurviveRestartAndBackup()
{
    const QByteArray token = createUser(u"hal"_s);
    restrict(u"hal"_s, {{u"node_ids"_s, QJsonArray{double(m_aId)}},
                        {u"node_models"_s, QJsonArray{QJsonObject{{u"node_id"_s, double(m_aId)},
                                                                  {u"model_name"_s, u"qwen:7b"_s}}}}});
    QCOMPARE(admin("POST", u"/admin/model-groups"_s,
                   {{u"name"_s, u"pref"_s},
                    {u"members"_s, QJsonArray{QJsonObject{{u"model_display_name"_s, u"llama3:8b"_s},
                                                          {u"preferred_node_ids"_s, QJsonArray{double(m_cId)}}}}}})
                 .status,
             201);

    // A restart reads them back from the database.
    m_stack.stopGateway();
    QString error;
    QVERIFY2(m_stack.startGateway(&error), qPrintable(error));
    const QJsonObject user = admin("GET", u"/admin/users/hal"_s).json();
    QCOMPARE(user.value("node_ids"_L1).toArray(), QJsonArray{double(m_aId)});
    QCOMPARE(user.value("node_models"_L1).toArray().size(), 1);
    Response response = send(OllamaChat, chat(OllamaChat, u"qwen:7b"_s), token);
    QCOMPARE(response.status, 200);
    QCOMPARE(postedModels(*m_a), QStringList{u"qwen:7b"_s});
    QCOMPARE(send(OllamaChat, chat(OllamaChat, u"llama3:8b"_s), token).status, 503);

    // A backup carries them; importing it brings them back after they were cleared.
    const QJsonObject backup = admin("GET", u"/admin/export"_s).json();
    QJsonObject exported;
    for (const QJsonValue &entry : backup.value("users"_L1).toArray()) {
        if (entry.toObject().value("username"_L1).toString() == "hal"_L1)
            exported = entry.toObject();
    }
    QCOMPARE(exported.value("node_ids"_L1).toArray(), QJsonArray{double(m_aId)});
    const QJsonObject member = backup.value("groups"_L1).toArray().at(0).toObject().value("members"_L1).toArray().at(0).toObject();
    QCOMPARE(member.value("preferred_node_ids"_L1).toArray(), QJsonArray{double(m_cId)});
    restrict(u"hal"_s, {{u"node_ids"_s, QJsonValue::Null}, {u"node_models"_s, QJsonValue::Null}});
    QCOMPARE(admin("GET", u"/admin/users/hal"_s).json().value("node_ids"_L1).toArray(), QJsonArray());
    QCOMPARE(admin("PUT", u"/admin/model-groups/pref/members/%1"_s
                              .arg(admin("GET", u"/admin/model-groups/pref"_s).json().value("members"_L1).toArray()
                                       .at(0).toObject().value("id"_L1).toInteger()),
                   {{u"preferred_node_ids"_s, QJsonArray()}})
                 .status,
             200);
    response = admin("POST", u"/admin/import"_s, backup);
    QCOMPARE(response.status, 200);
    QCOMPARE(admin("GET", u"/admin/users/hal"_s).json().value("node_ids"_L1).toArray(), QJsonArray{double(m_aId)});
    QCOMPARE(admin("GET", u"/admin/model-groups/pref"_s).json().value("members"_L1).toArray().at(0).toObject()
                 .value("preferred_node_ids"_L1).toArray(),
             QJsonArray{double(m_cId)});

    // A backup naming a node it does not hold is refused, naming the user.
    QJsonObject broken = backup;
    QJsonArray users = broken.value("users"_L1).toArray();
    QJsonObject bad = exported;
    bad.insert(u"node_ids"_s, QJsonArray{4242});
    users.append(bad);
    broken.insert(u"users"_s, users);
    response = admin("POST", u"/admin/import"_s, broken);
    QCOMPARE(response.status, 400);
    QCOMPARE(response.json().value("detail"_L1).toString(), u"user \"hal\": node 4242 is not in the backup"_s);
}

void TestSteering::preferredNodesAreTriedFirstThenTheOthers()
{
    QCOMPARE(admin("POST", u"/admin/model-groups"_s,
                   {{u"name"_s, u"pref"_s},
                    {u"members"_s, QJsonArray{QJsonObject{{u"model_display_name"_s, u"llama3:8b"_s},
                                                          {u"preferred_node_ids"_s, QJsonArray{double(m_cId)}}}}}})
                 .status,
             201);
    const QJsonObject group = admin("GET", u"/admin/model-groups/pref"_s).json();
    QCOMPARE(group.value("members"_L1).toArray().at(0).toObject().value("preferred_node_ids"_L1).toArray(),
             QJsonArray{double(m_cId)});
    QCOMPARE(admin("POST", u"/admin/model-groups/pref/members"_s,
                   {{u"model_display_name"_s, u"qwen:7b"_s}, {u"preferred_node_ids"_s, QJsonArray{77777}}})
                 .status,
             400);
    const QByteArray token = createUser(u"ida"_s);

    // gpu-c is the lowest priority node, but the member prefers it.
    Response response = send(OpenAiChat, chat(OpenAiChat, u"pref"_s), token);
    QCOMPARE(response.status, 200);
    QCOMPARE(posts(*m_c), 1);
    QCOMPARE(posts(*m_a) + posts(*m_b), 0);

    // Not a pin: when gpu-c fails, the member's other nodes follow in the usual order (gpu-b,
    // the higher priority, first).
    m_c->failNext(500, 1);
    response = send(OpenAiChat, chat(OpenAiChat, u"pref"_s), token);
    QCOMPARE(response.status, 200);
    QCOMPARE(posts(*m_c), 2);
    QCOMPARE(posts(*m_b), 1);
    QCOMPARE(posts(*m_a), 0);

    // The seed's single preferred_node_id is read too.
    const qint64 memberId = group.value("members"_L1).toArray().at(0).toObject().value("id"_L1).toInteger();
    response = admin("PUT", u"/admin/model-groups/pref/members/%1"_s.arg(memberId), {{u"preferred_node_id"_s, double(m_aId)}});
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json().value("members"_L1).toArray().at(0).toObject().value("preferred_node_ids"_L1).toArray(),
             QJsonArray{double(m_aId)});
    QCOMPARE(send(OllamaChat, chat(OllamaChat, u"pref"_s), token).status, 200);
    QCOMPARE(posts(*m_a), 1);
}

void TestSteering::pinsGoToThatNodeOnly_data()
{
    QTest::addColumn<QString>("path");
    for (const auto &[name, path] : Dialects)
        QTest::newRow(name) << path;
}

void TestSteering::pinsGoToThatNodeOnly()
{
    QFETCH(QString, path);
    // Only llama3:8b is granted: the pin itself needs no grant.
    const QByteArray token = createUser(u"jo"_s, {u"llama3:8b"_s});
    const QString pin = u"node:gpu-c:llama3:8b"_s;
    const Response response = send(path, chat(path, pin), token);
    QVERIFY2(response.status == 200, response.body.constData());
    QCOMPARE(postedModels(*m_c), QStringList{u"llama3:8b"_s});
    QCOMPARE(posts(*m_a) + posts(*m_b), 0);
    // The answer names the model as the client sent it.
    QCOMPARE(response.json().value("model"_L1).toString(), pin);
    // The usage log counts the model part.
    QJsonArray logs;
    QVERIFY(QTest::qWaitFor([&] {
        logs = admin("GET", u"/admin/request-logs?username=jo"_s).json().value("logs"_L1).toArray();
        return !logs.isEmpty();
    }, 5000));
    QCOMPARE(logs.at(0).toObject().value("model_name"_L1).toString(), u"llama3:8b"_s);
    QCOMPARE(qint64(logs.at(0).toObject().value("node_id"_L1).toDouble()), m_cId);
}

void TestSteering::pinRefusals_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    QTest::newRow("an unknown node is 404 (Ollama)")
        << OllamaChat << u"node:nope:llama3:8b"_s << 404 << u"Node 'nope' not found"_s;
    QTest::newRow("an unknown node is 404 (Anthropic)")
        << AnthropicMessages << u"node:nope:llama3:8b"_s << 404 << u"Node 'nope' not found"_s;
    QTest::newRow("a node the user may not use is 403 (OpenAI)")
        << OpenAiChat << u"node:gpu-b:llama3:8b"_s << 403
        << u"You have no access to the model 'llama3:8b' on the node 'gpu-b'"_s;
    QTest::newRow("a model not granted is 403 (Responses)")
        << Responses << u"node:gpu-a:qwen:7b"_s << 403 << u"You have no access to the model 'qwen:7b'"_s;
    QTest::newRow("an inactive node is 503 (Ollama)")
        << OllamaChat << u"node:gpu-c:llama3:8b"_s << 503
        << u"The node 'gpu-c' is not available right now (inactive or failing its health checks)"_s;
}

void TestSteering::pinRefusals()
{
    QFETCH(QString, path);
    QFETCH(QString, model);
    QFETCH(int, status);
    QFETCH(QString, message);
    const QByteArray token = createUser(u"kim"_s, {u"llama3:8b"_s});
    restrict(u"kim"_s, {{u"node_ids"_s, QJsonArray{double(m_aId), double(m_cId)}}});
    QCOMPARE(admin("PATCH", u"/admin/nodes/%1/toggle"_s.arg(m_cId)).status, 200);

    const Response response = send(path, chat(path, model), token);
    QCOMPARE(response.status, status);
    QCOMPARE(errorMessage(path, response.json()), message);
    QCOMPARE(totalPosts(), 0);
}

void TestSteering::pinnedNodeFailingIsNotFailedOver()
{
    const QByteArray token = createUser(u"lou"_s);
    m_a->failNext(500, 1);
    const Response response = send(OllamaChat, chat(OllamaChat, u"node:gpu-a:qwen:7b"_s), token);
    QCOMPARE(response.status, 502);
    QCOMPARE(posts(*m_a), 1);
    QCOMPARE(posts(*m_b) + posts(*m_c), 0);
    // A model the node does not serve is 404 in the dialect.
    const Response missing = send(OllamaChat, chat(OllamaChat, u"node:gpu-a:only-c:1b"_s), token);
    QCOMPARE(missing.status, 404);
    QCOMPARE(errorMessage(OllamaChat, missing.json()), u"Model 'only-c:1b' is not available on the node 'gpu-a'"_s);
}

QTEST_GUILESS_MAIN(TestSteering)
#include "tst_steering.moc"

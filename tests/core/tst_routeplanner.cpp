#include "core/routeplanner.h"
#include "memorystore.h"

#include <QJsonArray>
#include <QTest>

using namespace Maestro;
using namespace Maestro::TestSupport;
using namespace Qt::StringLiterals;

namespace {

Node makeNode(qint64 id, const QString &name, int priority, bool active = true,
              Health health = Health::Healthy)
{
    Node node;
    node.id = id;
    node.name = name;
    node.baseUrl = QUrl(u"http://127.0.0.1:%1"_s.arg(11000 + id));
    node.priority = priority;
    node.active = active;
    node.health = health;
    return node;
}

NodeModel served(qint64 nodeId, const QString &name)
{
    NodeModel model;
    model.nodeId = nodeId;
    model.name = name;
    return model;
}

ModelMapping mapping(const QString &display, const QString &real, qint64 contextLength = 0,
                     QList<qint64> nodeIds = {})
{
    ModelMapping m;
    m.displayName = display;
    m.realName = real;
    m.contextLength = contextLength;
    m.nodeIds = nodeIds;
    return m;
}

GroupMember member(qint64 id, const QString &model, int priority, const QStringList &tags = {},
                   bool active = true, bool contextFallback = false)
{
    GroupMember m;
    m.id = id;
    m.model = model;
    m.priority = priority;
    m.capabilityTags = tags;
    m.active = active;
    m.contextFallback = contextFallback;
    return m;
}

ModelGroup group(qint64 id, const QString &name, const QString &strategy,
                 QList<GroupMember> members, int maxFailoverRetries = 0, bool active = true,
                 bool listed = false)
{
    ModelGroup g;
    g.id = id;
    g.name = name;
    g.strategy = strategy;
    g.members = members;
    g.maxFailoverRetries = maxFailoverRetries;
    g.active = active;
    g.listInCatalog = listed;
    return g;
}

User makeUser(qint64 id, const QString &name, bool allModels, const QStringList &models = {},
              const QList<qint64> &nodeIds = {}, const QList<NodeModelGrant> &nodeModels = {})
{
    User user;
    user.id = id;
    user.username = name;
    user.allModels = allModels;
    user.models = models;
    user.nodeIds = nodeIds;
    user.nodeModels = nodeModels;
    return user;
}

ModelConfig config(const QString &pattern, bool maintenance, const QString &message = {},
                   int requestsPerMinute = 0)
{
    ModelConfig c;
    c.pattern = pattern;
    c.maintenance = maintenance;
    c.maintenanceMessage = message;
    if (requestsPerMinute > 0)
        c.requestsPerMinute = requestsPerMinute;
    return c;
}

enum class Needs { None, Tools, Vision, Both };

QJsonObject bodyNeeding(Needs needs)
{
    QJsonObject body {
        { u"messages"_s,
          QJsonArray { QJsonObject { { u"role"_s, u"user"_s }, { u"content"_s, u"hi"_s } } } }
    };
    if (needs == Needs::Vision || needs == Needs::Both) {
        body.insert(u"messages"_s,
                    QJsonArray { QJsonObject { { u"role"_s, u"user"_s },
                                               { u"content"_s, u"what is this?"_s },
                                               { u"images"_s, QJsonArray { u"aGVsbG8="_s } } } });
    }
    if (needs == Needs::Tools || needs == Needs::Both) {
        body.insert(u"tools"_s,
                    QJsonArray { QJsonObject {
                        { u"type"_s, u"function"_s },
                        { u"function"_s, QJsonObject { { u"name"_s, u"ls"_s } } } } });
    }
    return body;
}

// "<node> <real model> <display name>" per attempt, in order.
QStringList describe(const QList<Attempt> &attempts)
{
    QStringList out;
    for (const Attempt &attempt : attempts)
        out.append(u"%1 %2 %3"_s.arg(attempt.node->name, attempt.realModel, attempt.displayModel));
    return out;
}

} // namespace

Q_DECLARE_METATYPE(Needs)

// The fixture, the same for every test (routing strategy "priority" unless a test says otherwise,
// so the order is the failover order: node priority, then fewest requests in flight, then id):
//   gpu-1  (1) priority 0            serves qwen:7b, llava, coder:32b
//   edge   (6) priority 0            serves llama3:8b
//   gpu-2  (2) priority 5, unchecked serves qwen:7b, coder:32b
//   old    (3) inactive              serves qwen:7b, big:70b
//   down   (4) unhealthy             serves qwen:7b, big:70b
//   long   (5) priority 0            serves long:1m
//   mappings: chat -> qwen:7b (32K), vision -> llava, coder -> coder:32b (gpu-1 only),
//             big -> big:70b, long -> long:1m (1M), frozen -> qwen:7b, ghost -> nothing
//   model configurations: frozen under maintenance, coder with 10 requests a minute,
//             maint-group under maintenance
//   groups (priority strategy unless said):
//     team: chat (1, tools), vision (2, vision), coder (3, tools), big (4), long (9, context
//           fallback), and an inactive chat (0); listed in the catalog
//     rr (round_robin): chat (1), coder (2)
//     limited (max_failover_retries 1): chat (1), coder (2)
//     thaw: frozen (1), coder (2)
//     onlylong: big (1), long (2, context fallback)
//     dead: big (1), ghost (2); listed in the catalog
//     maint-group: chat (1)
//     retired: inactive group with chat
//     steer: chat (1, prefers gpu-1), coder (2)
//   users: alice (all models), bob (chat, team), carol (qwen:7b by its real name), erin (none);
//     all models but limited to nodes: frank (gpu-1), grace (qwen:7b on gpu-2 only), hank (old)
class TestRoutePlanner final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void plan_data();
    void plan();
    void attemptsCarryWhatTheCallNeeds();
    void configurationThatApplies();
    void roundRobinGroupRotatesItsFirstMember();
    void leastBusyStartsOnTheIdleNode();
    void access_data();
    void access();
    void listedGroups();
    void restrictedUsersListOnlyWhatTheyReach();
    void pinsNameTheirNode();
    void splitPin_data();
    void splitPin();

private:
    const User &user(const QString &name) const;

    MemoryStore m_store;
    std::shared_ptr<const Catalog> m_catalog;
};

void TestRoutePlanner::initTestCase()
{
    m_store.nodeList
        = { makeNode(1, u"gpu-1"_s, 0), makeNode(2, u"gpu-2"_s, 5, true, Health::Unknown),
            makeNode(3, u"old"_s, 9, false), makeNode(4, u"down"_s, 9, true, Health::Unhealthy),
            makeNode(5, u"long"_s, 0), makeNode(6, u"edge"_s, 0) };
    m_store.models
        = { served(1, u"qwen:7b"_s), served(1, u"llava"_s),     served(1, u"coder:32b"_s),
            served(2, u"qwen:7b"_s), served(2, u"coder:32b"_s), served(3, u"qwen:7b"_s),
            served(3, u"big:70b"_s), served(4, u"qwen:7b"_s),   served(4, u"big:70b"_s),
            served(5, u"long:1m"_s), served(6, u"llama3:8b"_s) };
    m_store.mappingList = { mapping(u"chat"_s, u"qwen:7b"_s, 32768),
                            mapping(u"vision"_s, u"llava"_s),
                            mapping(u"coder"_s, u"coder:32b"_s, 0, { 1 }),
                            mapping(u"big"_s, u"big:70b"_s),
                            mapping(u"long"_s, u"long:1m"_s, 1048576),
                            mapping(u"frozen"_s, u"qwen:7b"_s),
                            mapping(u"ghost"_s, u"nothing"_s) };
    m_store.configList = { config(u"frozen"_s, true, u"upgrading"_s),
                           config(u"coder"_s, false, {}, 10), config(u"maint-group"_s, true) };
    m_store.groupList = {
        group(1, u"team"_s, u"priority"_s,
              { member(10, u"chat"_s, 0, { u"tools"_s }, false),
                member(11, u"chat"_s, 1, { u"tools"_s }),
                member(12, u"vision"_s, 2, { u"vision"_s }),
                member(13, u"coder"_s, 3, { u"tools"_s }), member(14, u"big"_s, 4),
                member(15, u"long"_s, 9, {}, true, true) },
              0, true, true),
        group(2, u"rr"_s, u"round_robin"_s,
              { member(20, u"chat"_s, 1), member(21, u"coder"_s, 2) }),
        group(3, u"limited"_s, u"priority"_s,
              { member(30, u"chat"_s, 1), member(31, u"coder"_s, 2) }, 1),
        group(4, u"thaw"_s, u"priority"_s,
              { member(40, u"frozen"_s, 1), member(41, u"coder"_s, 2) }),
        group(5, u"onlylong"_s, u"priority"_s,
              { member(50, u"big"_s, 1), member(51, u"long"_s, 2, {}, true, true) }),
        group(6, u"dead"_s, u"priority"_s, { member(60, u"big"_s, 1), member(61, u"ghost"_s, 2) },
              0, true, true),
        group(7, u"maint-group"_s, u"priority"_s, { member(70, u"chat"_s, 1) }),
        group(8, u"retired"_s, u"priority"_s, { member(80, u"chat"_s, 1) }, 0, false),
        group(9, u"steer"_s, u"priority"_s, { member(90, u"chat"_s, 1), member(91, u"coder"_s, 2) }),
    };
    m_store.groupList.last().members.first().preferredNodeIds = { 1 };
    m_store.userList
        = { makeUser(1, u"alice"_s, true), makeUser(2, u"bob"_s, false, { u"chat"_s, u"team"_s }),
            makeUser(3, u"carol"_s, false, { u"qwen:7b"_s }), makeUser(4, u"erin"_s, false),
            makeUser(5, u"frank"_s, true, {}, { 1 }),
            makeUser(6, u"grace"_s, true, {}, {}, { NodeModelGrant { 2, u"qwen:7b"_s } }),
            makeUser(7, u"hank"_s, true, {}, { 3 }) };
    m_catalog = Catalog::load(m_store, nullptr);
    QVERIFY(m_catalog);
}

const User &TestRoutePlanner::user(const QString &name) const
{
    const User *found = m_catalog->user(name);
    Q_ASSERT(found);
    return *found;
}

void TestRoutePlanner::plan_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<QString>("requested");
    QTest::addColumn<Needs>("needs");
    QTest::addColumn<int>("status"); // 0: planned
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("display");
    QTest::addColumn<QStringList>("attempts");
    QTest::addColumn<QStringList>("contextFallback");

    const QStringList none;
    QTest::newRow(
        "a display name goes to the active healthy nodes of its real model, higher priority first")
        << u"alice"_s << u"chat"_s << Needs::None << 0 << QString() << u"chat"_s
        << QStringList { u"gpu-2 qwen:7b chat"_s, u"gpu-1 qwen:7b chat"_s } << none;
    QTest::newRow("a real model name is served under its own name")
        << u"carol"_s << u"qwen:7b"_s << Needs::None << 0 << QString() << u"qwen:7b"_s
        << QStringList { u"gpu-2 qwen:7b qwen:7b"_s, u"gpu-1 qwen:7b qwen:7b"_s } << none;
    QTest::newRow("a mapping limited to some nodes uses only those")
        << u"alice"_s << u"coder"_s << Needs::None << 0 << QString() << u"coder"_s
        << QStringList { u"gpu-1 coder:32b coder"_s } << none;
    QTest::newRow("a single model's attempts ignore what the request needs")
        << u"alice"_s << u"coder"_s << Needs::Both << 0 << QString() << u"coder"_s
        << QStringList { u"gpu-1 coder:32b coder"_s } << none;
    QTest::newRow("an unknown model is 404")
        << u"alice"_s << u"nope"_s << Needs::None << 404 << u"Model 'nope' is not available"_s
        << QString() << none << none;
    QTest::newRow("a mapping that no node serves has no healthy node (503)")
        << u"alice"_s << u"ghost"_s << Needs::None << 503
        << u"No healthy node serves the model 'ghost' right now"_s << QString() << none << none;
    QTest::newRow("a model only on inactive and unhealthy nodes has no healthy node (503)")
        << u"alice"_s << u"big"_s << Needs::None << 503
        << u"No healthy node serves the model 'big' right now"_s << QString() << none << none;
    QTest::newRow("a model not on the allowlist is 403")
        << u"bob"_s << u"coder"_s << Needs::None << 403
        << u"You have no access to the model 'coder'"_s << QString() << none << none;
    QTest::newRow("a real name behind a mapping is not granted by the mapping's name")
        << u"bob"_s << u"qwen:7b"_s << Needs::None << 403
        << u"You have no access to the model 'qwen:7b'"_s << QString() << none << none;
    QTest::newRow("a model under maintenance is 503 with its message")
        << u"alice"_s << u"frozen"_s << Needs::None << 503
        << u"The model 'frozen' is under maintenance: upgrading"_s << QString() << none << none;

    QTest::newRow(
        "a group tries its active members by priority, node by node; the context fallback waits")
        << u"alice"_s << u"team"_s << Needs::None << 0 << QString() << u"team"_s
        << QStringList { u"gpu-2 qwen:7b chat"_s, u"gpu-1 qwen:7b chat"_s, u"gpu-1 llava vision"_s,
                         u"gpu-1 coder:32b coder"_s }
        << QStringList { u"long long:1m long"_s };
    QTest::newRow("a request with tools goes to the members tagged tools")
        << u"bob"_s << u"team"_s << Needs::Tools << 0 << QString() << u"team"_s
        << QStringList { u"gpu-2 qwen:7b chat"_s, u"gpu-1 qwen:7b chat"_s,
                         u"gpu-1 coder:32b coder"_s }
        << none;
    QTest::newRow("a request with images goes to the members tagged vision")
        << u"alice"_s << u"team"_s << Needs::Vision << 0 << QString() << u"team"_s
        << QStringList { u"gpu-1 llava vision"_s } << none;
    QTest::newRow("when no member has every tag needed, every active member may serve")
        << u"alice"_s << u"team"_s << Needs::Both << 0 << QString() << u"team"_s
        << QStringList { u"gpu-2 qwen:7b chat"_s, u"gpu-1 qwen:7b chat"_s, u"gpu-1 llava vision"_s,
                         u"gpu-1 coder:32b coder"_s }
        << QStringList { u"long long:1m long"_s };
    QTest::newRow("failover stops after max_failover_retries members")
        << u"alice"_s << u"limited"_s << Needs::None << 0 << QString() << u"limited"_s
        << QStringList { u"gpu-2 qwen:7b chat"_s, u"gpu-1 qwen:7b chat"_s } << none;
    QTest::newRow("a member under maintenance is passed over")
        << u"alice"_s << u"thaw"_s << Needs::None << 0 << QString() << u"thaw"_s
        << QStringList { u"gpu-1 coder:32b coder"_s } << none;
    QTest::newRow("the context fallback member serves when no other member can")
        << u"alice"_s << u"onlylong"_s << Needs::None << 0 << QString() << u"onlylong"_s
        << QStringList { u"long long:1m long"_s } << none;
    QTest::newRow("a group whose members have no healthy node is 503")
        << u"alice"_s << u"dead"_s << Needs::None << 503
        << u"No member of the group 'dead' has a healthy node right now"_s << QString() << none
        << none;
    QTest::newRow("a group under maintenance is 503")
        << u"alice"_s << u"maint-group"_s << Needs::None << 503
        << u"The model 'maint-group' is under maintenance"_s << QString() << none << none;
    QTest::newRow("a group not on the allowlist is 403, even when its members are")
        << u"bob"_s << u"rr"_s << Needs::None << 403 << u"You have no access to the model 'rr'"_s
        << QString() << none << none;
    QTest::newRow("a group on the allowlist serves members the user has no grant for")
        << u"bob"_s << u"team"_s << Needs::Vision << 0 << QString() << u"team"_s
        << QStringList { u"gpu-1 llava vision"_s } << none;
    QTest::newRow("an inactive group is no group: its name is an unknown model")
        << u"alice"_s << u"retired"_s << Needs::None << 404 << u"Model 'retired' is not available"_s
        << QString() << none << none;

    // Preferred nodes of a group member.
    QTest::newRow("a member's preferred node is tried first, its other nodes after")
        << u"alice"_s << u"steer"_s << Needs::None << 0 << QString() << u"steer"_s
        << QStringList { u"gpu-1 qwen:7b chat"_s, u"gpu-2 qwen:7b chat"_s, u"gpu-1 coder:32b coder"_s }
        << none;

    // Users limited to some nodes.
    QTest::newRow("a user limited to a node is planned only onto it")
        << u"frank"_s << u"chat"_s << Needs::None << 0 << QString() << u"chat"_s
        << QStringList { u"gpu-1 qwen:7b chat"_s } << none;
    QTest::newRow("a limited user's group fallback stays on its nodes, context fallback too")
        << u"frank"_s << u"team"_s << Needs::None << 0 << QString() << u"team"_s
        << QStringList { u"gpu-1 qwen:7b chat"_s, u"gpu-1 llava vision"_s, u"gpu-1 coder:32b coder"_s }
        << none;
    QTest::newRow("a preferred node the user may not reach is not tried")
        << u"grace"_s << u"steer"_s << Needs::None << 0 << QString() << u"steer"_s
        << QStringList { u"gpu-2 qwen:7b chat"_s } << none;
    QTest::newRow("a (node, model) grant allows only that model on that node")
        << u"grace"_s << u"chat"_s << Needs::None << 0 << QString() << u"chat"_s
        << QStringList { u"gpu-2 qwen:7b chat"_s } << none;
    QTest::newRow("a model on no node the user may reach is 503 naming no node")
        << u"grace"_s << u"coder"_s << Needs::None << 503
        << u"No healthy node you may use serves the model 'coder' right now"_s << QString() << none << none;
    QTest::newRow("a user limited to an inactive node gets 503")
        << u"hank"_s << u"chat"_s << Needs::None << 503
        << u"No healthy node you may use serves the model 'chat' right now"_s << QString() << none << none;
    QTest::newRow("a limited user's group with no reachable member is 503")
        << u"hank"_s << u"team"_s << Needs::None << 503
        << u"No member of the group 'team' has a healthy node right now"_s << QString() << none << none;

    // Pins.
    QTest::newRow("a pin goes to that node only")
        << u"alice"_s << u"node:gpu-1:chat"_s << Needs::None << 0 << QString() << u"chat"_s
        << QStringList { u"gpu-1 qwen:7b chat"_s } << none;
    QTest::newRow("a pin splits at the first two ':' only")
        << u"alice"_s << u"node:edge:llama3:8b"_s << Needs::None << 0 << QString() << u"llama3:8b"_s
        << QStringList { u"edge llama3:8b llama3:8b"_s } << none;
    QTest::newRow("a pin is checked against the allowlist by its model, not the pin")
        << u"bob"_s << u"node:gpu-2:chat"_s << Needs::None << 0 << QString() << u"chat"_s
        << QStringList { u"gpu-2 qwen:7b chat"_s } << none;
    QTest::newRow("a pin to a model not on the allowlist is 403")
        << u"bob"_s << u"node:gpu-1:coder"_s << Needs::None << 403
        << u"You have no access to the model 'coder'"_s << QString() << none << none;
    QTest::newRow("a pin to a node the user may not reach is 403")
        << u"frank"_s << u"node:gpu-2:chat"_s << Needs::None << 403
        << u"You have no access to the model 'chat' on the node 'gpu-2'"_s << QString() << none << none;
    QTest::newRow("a pin to an unknown node is 404")
        << u"alice"_s << u"node:nope:chat"_s << Needs::None << 404 << u"Node 'nope' not found"_s
        << QString() << none << none;
    QTest::newRow("a pin to a model the node does not serve is 404")
        << u"alice"_s << u"node:gpu-2:coder"_s << Needs::None << 404
        << u"Model 'coder' is not available on the node 'gpu-2'"_s << QString() << none << none;
    QTest::newRow("a pin of an unknown model is 404")
        << u"alice"_s << u"node:gpu-1:nope"_s << Needs::None << 404
        << u"Model 'nope' is not available"_s << QString() << none << none;
    QTest::newRow("a pin to an inactive node is 503")
        << u"alice"_s << u"node:old:qwen:7b"_s << Needs::None << 503
        << u"The node 'old' is not available right now (inactive or failing its health checks)"_s
        << QString() << none << none;
    QTest::newRow("a pin to an unhealthy node is 503")
        << u"alice"_s << u"node:down:big"_s << Needs::None << 503
        << u"The node 'down' is not available right now (inactive or failing its health checks)"_s
        << QString() << none << none;
    QTest::newRow("a pin to a model under maintenance is 503")
        << u"alice"_s << u"node:gpu-1:frozen"_s << Needs::None << 503
        << u"The model 'frozen' is under maintenance: upgrading"_s << QString() << none << none;
    QTest::newRow("'node:' with one ':' is an ordinary model name")
        << u"alice"_s << u"node:latest"_s << Needs::None << 404
        << u"Model 'node:latest' is not available"_s << QString() << none << none;
}

void TestRoutePlanner::plan()
{
    QFETCH(QString, username);
    QFETCH(QString, requested);
    QFETCH(Needs, needs);
    QFETCH(int, status);
    QFETCH(QString, error);
    QFETCH(QString, display);
    QFETCH(QStringList, attempts);
    QFETCH(QStringList, contextFallback);

    Balancer balancer;
    RoutePlanner planner(*m_catalog, balancer, RoutingStrategy::Priority);
    const auto planned = planner.plan(user(username), requested, bodyNeeding(needs));
    if (status != 0) {
        QVERIFY(!planned.ok());
        QCOMPARE(planned.error().httpStatus(), status);
        QCOMPARE(planned.error().message, error);
        return;
    }
    QVERIFY2(planned.ok(), qPrintable(planned.error().message));
    QCOMPARE(planned.value().displayModel, display);
    QCOMPARE(describe(planned.value().attempts), attempts);
    QCOMPARE(describe(planned.value().contextFallback), contextFallback);
    QCOMPARE(planned.value().group, m_catalog->group(requested) ? requested : QString());
}

void TestRoutePlanner::attemptsCarryWhatTheCallNeeds()
{
    Balancer balancer;
    RoutePlanner planner(*m_catalog, balancer, RoutingStrategy::Priority);

    // Outside groups: the mapping's context length, no member.
    const auto model = planner.plan(user(u"alice"_s), u"chat"_s, {});
    QVERIFY(model.ok());
    for (const Attempt &attempt : model.value().attempts) {
        QCOMPARE(attempt.contextLength, qint64(32768));
        QVERIFY(!attempt.member);
    }

    // In a group: each attempt names the member it serves and that member's mapping's context.
    const auto grouped = planner.plan(user(u"alice"_s), u"team"_s, {});
    QVERIFY(grouped.ok());
    QList<qint64> members;
    QList<qint64> contexts;
    for (const Attempt &attempt : grouped.value().attempts) {
        QVERIFY(attempt.member);
        members.append(attempt.member->id);
        contexts.append(attempt.contextLength);
    }
    QCOMPARE(members, (QList<qint64> { 11, 11, 12, 13 }));
    QCOMPARE(contexts, (QList<qint64> { 32768, 32768, 0, 0 }));
    QCOMPARE(grouped.value().contextFallback.size(), 1);
    QCOMPARE(grouped.value().contextFallback.first().member->id, qint64(15));
    QCOMPARE(grouped.value().contextFallback.first().contextLength, qint64(1048576));
}

void TestRoutePlanner::configurationThatApplies()
{
    Balancer balancer;
    RoutePlanner planner(*m_catalog, balancer, RoutingStrategy::Priority);
    // A model's own configuration applies (its per-minute limits count the request)...
    const auto coder = planner.plan(user(u"alice"_s), u"coder"_s, {});
    QVERIFY(coder.ok());
    QVERIFY(coder.value().config);
    QCOMPARE(coder.value().config->pattern, u"coder"_s);
    // ... none when nothing matches...
    const auto chat = planner.plan(user(u"alice"_s), u"chat"_s, {});
    QVERIFY(chat.ok());
    QVERIFY(!chat.value().config);
    // ... and for a group, the group's, not its members'.
    const auto rr = planner.plan(user(u"alice"_s), u"rr"_s, {});
    QVERIFY(rr.ok());
    QVERIFY(!rr.value().config);
}

void TestRoutePlanner::roundRobinGroupRotatesItsFirstMember()
{
    Balancer balancer;
    RoutePlanner planner(*m_catalog, balancer, RoutingStrategy::Priority);
    QStringList firsts;
    for (int i = 0; i < 4; ++i) {
        const auto planned = planner.plan(user(u"alice"_s), u"rr"_s, {});
        QVERIFY(planned.ok());
        firsts.append(planned.value().attempts.first().displayModel);
        // The other member stays behind it as the fallback.
        QCOMPARE(planned.value().attempts.size(), 3);
    }
    QCOMPARE(firsts, (QStringList { u"chat"_s, u"coder"_s, u"chat"_s, u"coder"_s }));
}

void TestRoutePlanner::leastBusyStartsOnTheIdleNode()
{
    Balancer balancer;
    RoutePlanner planner(*m_catalog, balancer, RoutingStrategy::LeastBusy);
    // Idle: equal load, so the higher priority node first.
    auto planned = planner.plan(user(u"alice"_s), u"chat"_s, {});
    QVERIFY(planned.ok());
    QCOMPARE(describe(planned.value().attempts),
             (QStringList { u"gpu-2 qwen:7b chat"_s, u"gpu-1 qwen:7b chat"_s }));
    // Three requests in flight on gpu-2: the balancer's view sends the next one to gpu-1, and
    // keeps gpu-2 as the failover.
    for (int i = 0; i < 3; ++i)
        balancer.started(2);
    planned = planner.plan(user(u"alice"_s), u"chat"_s, {});
    QVERIFY(planned.ok());
    QCOMPARE(describe(planned.value().attempts),
             (QStringList { u"gpu-1 qwen:7b chat"_s, u"gpu-2 qwen:7b chat"_s }));
}

void TestRoutePlanner::access_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<QString>("requested");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("result"); // the name access was granted under, or the error

    QTest::newRow("a display name") << u"bob"_s << u"chat"_s << 0 << u"chat"_s;
    QTest::newRow("a real name resolves to itself")
        << u"carol"_s << u"qwen:7b"_s << 0 << u"qwen:7b"_s;
    QTest::newRow("a group on the allowlist") << u"bob"_s << u"team"_s << 0 << u"team"_s;
    QTest::newRow("needs no healthy node") << u"alice"_s << u"big"_s << 0 << u"big"_s;
    QTest::newRow("an unknown model is 404")
        << u"alice"_s << u"nope"_s << 404 << u"Model 'nope' is not available"_s;
    QTest::newRow("a model not on the allowlist is 403")
        << u"erin"_s << u"chat"_s << 403 << u"You have no access to the model 'chat'"_s;
    QTest::newRow("a group not on the allowlist is 403")
        << u"erin"_s << u"team"_s << 403 << u"You have no access to the model 'team'"_s;
    QTest::newRow("a pin is granted under its model")
        << u"bob"_s << u"node:gpu-1:chat"_s << 0 << u"chat"_s;
    QTest::newRow("a pin to a node the user may not reach is 403")
        << u"frank"_s << u"node:gpu-2:chat"_s << 403
        << u"You have no access to the model 'chat' on the node 'gpu-2'"_s;
    QTest::newRow("a pin to an unknown node is 404")
        << u"alice"_s << u"node:nope:chat"_s << 404 << u"Node 'nope' not found"_s;
}

void TestRoutePlanner::access()
{
    QFETCH(QString, username);
    QFETCH(QString, requested);
    QFETCH(int, status);
    QFETCH(QString, result);

    Balancer balancer;
    const RoutePlanner planner(*m_catalog, balancer, RoutingStrategy::Priority);
    const auto granted = planner.access(user(username), requested);
    if (status == 0) {
        QVERIFY(granted.ok());
        QCOMPARE(granted.value(), result);
    } else {
        QVERIFY(!granted.ok());
        QCOMPARE(granted.error().httpStatus(), status);
        QCOMPARE(granted.error().message, result);
    }
}

void TestRoutePlanner::listedGroups()
{
    Balancer balancer;
    const RoutePlanner planner(*m_catalog, balancer, RoutingStrategy::Priority);
    const auto names = [&](const QString &username) {
        QStringList out;
        for (const ModelGroup *group : planner.listedGroups(user(username)))
            out.append(group->name);
        return out;
    };
    // "dead" is flagged for the catalog too, but none of its members has a usable node; the
    // others are not flagged.
    QCOMPARE(names(u"alice"_s), QStringList { u"team"_s });
    QCOMPARE(names(u"bob"_s), QStringList { u"team"_s });
    QCOMPARE(names(u"erin"_s), QStringList());
}

void TestRoutePlanner::restrictedUsersListOnlyWhatTheyReach()
{
    const auto names = [&](const QString &username) {
        QStringList out;
        for (const Catalog::ListedModel &model : m_catalog->modelsFor(user(username)))
            out.append(model.name);
        return out;
    };
    // alice sees every model; frank only those gpu-1 serves; grace only chat (qwen:7b on gpu-2),
    // not coder, which gpu-2 also serves; hank none: his only node is inactive.
    QVERIFY(names(u"alice"_s).contains(u"llama3:8b"_s));
    QCOMPARE(names(u"frank"_s), (QStringList { u"chat"_s, u"coder"_s, u"frozen"_s, u"vision"_s }));
    QCOMPARE(names(u"grace"_s), (QStringList { u"chat"_s, u"frozen"_s }));
    QCOMPARE(names(u"hank"_s), QStringList());

    Balancer balancer;
    const RoutePlanner planner(*m_catalog, balancer, RoutingStrategy::Priority);
    QCOMPARE(planner.listedGroups(user(u"frank"_s)).size(), 1);
    QVERIFY(planner.listedGroups(user(u"hank"_s)).isEmpty());
}

void TestRoutePlanner::pinsNameTheirNode()
{
    Balancer balancer;
    RoutePlanner planner(*m_catalog, balancer, RoutingStrategy::Priority);
    const auto pinned = planner.plan(user(u"alice"_s), u"node:edge:llama3:8b"_s, {});
    QVERIFY(pinned.ok());
    QCOMPARE(pinned.value().pinnedNode, u"edge"_s);
    // Limits and the usage log count the model part.
    QCOMPARE(pinned.value().displayModel, u"llama3:8b"_s);
    const auto plain = planner.plan(user(u"alice"_s), u"chat"_s, {});
    QVERIFY(plain.ok());
    QVERIFY(plain.value().pinnedNode.isEmpty());
}

void TestRoutePlanner::splitPin_data()
{
    QTest::addColumn<QString>("requested");
    QTest::addColumn<bool>("pin");
    QTest::addColumn<QString>("node");
    QTest::addColumn<QString>("model");
    QTest::newRow("node and model") << u"node:gpu-1:chat"_s << true << u"gpu-1"_s << u"chat"_s;
    QTest::newRow("a model with its own ':'") << u"node:a:llama3:8b"_s << true << u"a"_s << u"llama3:8b"_s;
    QTest::newRow("a model with ':' and '/'")
        << u"node:a:hf.co/x/y:Q4_K_M"_s << true << u"a"_s << u"hf.co/x/y:Q4_K_M"_s;
    QTest::newRow("no second ':'") << u"node:latest"_s << false << QString() << QString();
    QTest::newRow("another prefix") << u"nodes:a:b"_s << false << QString() << QString();
    QTest::newRow("an ordinary name") << u"llama3:8b"_s << false << QString() << QString();
}

void TestRoutePlanner::splitPin()
{
    QFETCH(QString, requested);
    QFETCH(bool, pin);
    QFETCH(QString, node);
    QFETCH(QString, model);
    const auto split = RoutePlanner::splitPin(requested);
    QCOMPARE(split.has_value(), pin);
    if (pin) {
        QCOMPARE(split->first, node);
        QCOMPARE(split->second, model);
    }
}

QTEST_GUILESS_MAIN(TestRoutePlanner)
#include "tst_routeplanner.moc"

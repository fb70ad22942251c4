#include "memorystore.h"
#include "core/catalog.h"
#include "core/tokens.h"

#include <QTest>

using namespace Maestro;
using namespace Qt::StringLiterals;
using namespace Maestro::TestSupport;

namespace {

Node makeNode(qint64 id, bool active, Health health, bool hasKey = false)
{
    Node node;
    node.id = id;
    node.name = u"node-%1"_s.arg(id);
    node.baseUrl = QUrl(u"http://127.0.0.1:%1"_s.arg(11000 + id));
    node.active = active;
    node.health = health;
    node.hasApiKey = hasKey;
    return node;
}

NodeModel served(qint64 nodeId, const QString &name)
{
    NodeModel model;
    model.nodeId = nodeId;
    model.name = name;
    return model;
}

ModelMapping mapping(const QString &display, const QString &real, QList<qint64> nodeIds = {})
{
    ModelMapping m;
    m.displayName = display;
    m.realName = real;
    m.nodeIds = nodeIds;
    return m;
}

User makeUser(qint64 id, const QString &name, bool allModels, const QStringList &models,
              bool active = true)
{
    User user;
    user.id = id;
    user.username = name;
    user.allModels = allModels;
    user.models = models;
    user.active = active;
    return user;
}

using Ids = QList<qint64>;

} // namespace

// The fixture, the same for every test:
//   node 1: active, healthy   serves llama3:latest, qwen2:7b
//   node 2: active, unknown   serves gpt-4o, qwen2:7b              (api key in the secret store)
//   node 3: inactive          serves qwen2:7b, mistral:latest
//   node 4: unhealthy         serves qwen2:7b, phi3
//   mappings: chat -> qwen2:7b (any node), fast -> qwen2:7b (node 2 only),
//             smart -> gpt-4o, ghost -> nothing (no node serves it)
//   users: alice (all models), bob (chat only), carol (qwen2:7b by its real name),
//          dave (mistral:latest), erin (no grants), zed (deleted)
class TestCatalog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void resolve_data();
    void resolve();
    void mayUse_data();
    void mayUse();
    void nodesFor_data();
    void nodesFor();
    void modelsFor_data();
    void modelsFor();
    void userByTokenHash_data();
    void userByTokenHash();
    void apiKeys();
    void systemPrompts();
    void loadReadsInOneTransaction();
    void failedReadGivesNoCatalog();

private:
    MemoryStore m_store;
    MemorySecretStore m_secrets;
    std::shared_ptr<const Catalog> m_catalog;
};

void TestCatalog::initTestCase()
{
    m_store.nodeList
        = { makeNode(1, true, Health::Healthy), makeNode(2, true, Health::Unknown, true),
            makeNode(3, false, Health::Healthy), makeNode(4, true, Health::Unhealthy) };
    m_store.models
        = { served(1, u"llama3:latest"_s), served(1, u"qwen2:7b"_s), served(2, u"gpt-4o"_s),
            served(2, u"qwen2:7b"_s),      served(3, u"qwen2:7b"_s), served(3, u"mistral:latest"_s),
            served(4, u"qwen2:7b"_s),      served(4, u"phi3"_s) };
    m_store.mappingList
        = { mapping(u"chat"_s, u"qwen2:7b"_s), mapping(u"fast"_s, u"qwen2:7b"_s, { 2 }),
            mapping(u"smart"_s, u"gpt-4o"_s), mapping(u"ghost"_s, u"nothing"_s) };
    m_store.userList = { makeUser(1, u"alice"_s, true, {}),
                         makeUser(2, u"bob"_s, false, { u"chat"_s }),
                         makeUser(3, u"carol"_s, false, { u"qwen2:7b"_s }),
                         makeUser(4, u"dave"_s, false, { u"mistral:latest"_s }),
                         makeUser(5, u"erin"_s, false, {}),
                         makeUser(6, u"zed"_s, true, {}, false) };
    // As the SQL store does: only active users' digests are handed out.
    for (const User &user : std::as_const(m_store.userList)) {
        if (user.active)
            m_store.digests.insert(QString::fromLatin1(Tokens::hash(
                                       QByteArray("token-").append(user.username.toLatin1()))),
                                   user.id);
    }
    SystemPrompt on{1, PromptScope::User, u"bob"_s, u"Answer briefly."_s, 5, true, {}, {}, {}};
    SystemPrompt off{2, PromptScope::Global, {}, u"Switched off."_s, 9, false, {}, {}, {}};
    m_store.promptList = {off, on};
    m_secrets.values.insert(u"node/2/api_key"_s, u"sk-node-two"_s);
    m_secrets.values.insert(u"node/1/api_key"_s, u"sk-stale"_s); // node 1 has no key set
    m_catalog = Catalog::load(m_store, &m_secrets);
    QVERIFY(m_catalog);
}

void TestCatalog::resolve_data()
{
    QTest::addColumn<QString>("requested");
    QTest::addColumn<bool>("known");
    QTest::addColumn<QString>("display");
    QTest::addColumn<QString>("real");
    QTest::addColumn<bool>("viaMapping");

    QTest::newRow("a mapping's display name resolves to its real name")
        << u"chat"_s << true << u"chat"_s << u"qwen2:7b"_s << true;
    QTest::newRow("an unmapped real name resolves to itself")
        << u"llama3:latest"_s << true << u"llama3:latest"_s << u"llama3:latest"_s << false;
    QTest::newRow("a mapped real name still resolves under its own name")
        << u"gpt-4o"_s << true << u"gpt-4o"_s << u"gpt-4o"_s << false;
    QTest::newRow("llama3 finds llama3:latest, as Ollama does")
        << u"llama3"_s << true << u"llama3"_s << u"llama3:latest"_s << false;
    QTest::newRow("a name with a tag does not get :latest added")
        << u"llama3:8b"_s << false << QString() << QString() << false;
    QTest::newRow("a name without a tag whose :latest nobody serves is unknown")
        << u"qwen2"_s << false << QString() << QString() << false;
    QTest::newRow("a model only an inactive node serves still resolves")
        << u"mistral"_s << true << u"mistral"_s << u"mistral:latest"_s << false;
    QTest::newRow("a mapping whose real model nobody serves still resolves")
        << u"ghost"_s << true << u"ghost"_s << u"nothing"_s << true;
    QTest::newRow("an unknown name resolves to nothing")
        << u"nope"_s << false << QString() << QString() << false;
    QTest::newRow("an empty name resolves to nothing")
        << QString() << false << QString() << QString() << false;
}

void TestCatalog::resolve()
{
    QFETCH(QString, requested);
    QFETCH(bool, known);
    QFETCH(QString, display);
    QFETCH(QString, real);
    QFETCH(bool, viaMapping);

    const auto resolved = m_catalog->resolve(requested);
    QCOMPARE(resolved.has_value(), known);
    if (!known)
        return;
    QCOMPARE(resolved->display, display);
    QCOMPARE(resolved->real, real);
    QCOMPARE(resolved->mapping != nullptr, viaMapping);
    if (viaMapping)
        QCOMPARE(resolved->mapping->displayName, display);
}

void TestCatalog::mayUse_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("allowed");

    QTest::newRow("a user with all models may use a display name")
        << u"alice"_s << u"chat"_s << true;
    QTest::newRow("a user with all models may use a real name")
        << u"alice"_s << u"qwen2:7b"_s << true;
    QTest::newRow("a user granted chat may use chat") << u"bob"_s << u"chat"_s << true;
    QTest::newRow("a user granted chat may not use the real model behind it")
        << u"bob"_s << u"qwen2:7b"_s << false;
    QTest::newRow("a user granted chat may not use another mapping")
        << u"bob"_s << u"fast"_s << false;
    QTest::newRow("a grant is for the exact name, case included") << u"bob"_s << u"Chat"_s << false;
    QTest::newRow("a user without grants may use nothing") << u"erin"_s << u"chat"_s << false;
}

void TestCatalog::mayUse()
{
    QFETCH(QString, username);
    QFETCH(QString, model);
    QFETCH(bool, allowed);

    const User *user = m_catalog->user(username);
    QVERIFY(user);
    QCOMPARE(m_catalog->mayUse(*user, model), allowed);
}

void TestCatalog::nodesFor_data()
{
    QTest::addColumn<QString>("requested");
    QTest::addColumn<bool>("anyState");
    QTest::addColumn<Ids>("expected");

    QTest::newRow("inactive and unhealthy nodes are excluded")
        << u"chat"_s << false << Ids { 1, 2 };
    QTest::newRow("with anyState inactive and unhealthy nodes are included")
        << u"chat"_s << true << Ids { 1, 2, 3, 4 };
    QTest::newRow("a mapping restricted to node 2 only gets node 2")
        << u"fast"_s << false << Ids { 2 };
    QTest::newRow("the mapping's node restriction holds with anyState too")
        << u"fast"_s << true << Ids { 2 };
    QTest::newRow("a node of unknown health is usable") << u"smart"_s << false << Ids { 2 };
    QTest::newRow("only nodes that serve the real model are returned")
        << u"llama3"_s << false << Ids { 1 };
    QTest::newRow("a model only an inactive node serves has no usable node")
        << u"mistral"_s << false << Ids {};
    QTest::newRow("a model only an inactive node serves is found with anyState")
        << u"mistral"_s << true << Ids { 3 };
    QTest::newRow("a model only an unhealthy node serves has no usable node")
        << u"phi3"_s << false << Ids {};
    QTest::newRow("a model only an unhealthy node serves is found with anyState")
        << u"phi3"_s << true << Ids { 4 };
    QTest::newRow("a mapping whose real model nobody serves has no node")
        << u"ghost"_s << true << Ids {};
}

void TestCatalog::nodesFor()
{
    QFETCH(QString, requested);
    QFETCH(bool, anyState);
    QFETCH(Ids, expected);

    const auto resolved = m_catalog->resolve(requested);
    QVERIFY(resolved);
    Ids ids;
    for (const Node *node : m_catalog->nodesFor(*resolved, anyState))
        ids.append(node->id);
    QCOMPARE(ids, expected);
}

void TestCatalog::modelsFor_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("all models: display names, unmapped real names, mapped real names hidden")
        << u"alice"_s << QStringList { u"chat"_s, u"fast"_s, u"llama3:latest"_s, u"smart"_s };
    QTest::newRow("a user granted chat sees chat only") << u"bob"_s << QStringList { u"chat"_s };
    QTest::newRow("a user granted a mapped real name by that name sees it")
        << u"carol"_s << QStringList { u"qwen2:7b"_s };
    QTest::newRow("a grant for a model no usable node serves lists nothing")
        << u"dave"_s << QStringList {};
    QTest::newRow("a user without grants sees nothing") << u"erin"_s << QStringList {};
}

void TestCatalog::modelsFor()
{
    QFETCH(QString, username);
    QFETCH(QStringList, expected);

    const User *user = m_catalog->user(username);
    QVERIFY(user);
    const QList<Catalog::ListedModel> listed = m_catalog->modelsFor(*user);
    QStringList names;
    for (const Catalog::ListedModel &model : listed) {
        names.append(model.name);
        QVERIFY(model.source);
        // A listed model's source is on a usable node and is the model the name leads to.
        const Node *node = m_catalog->node(model.source->nodeId);
        QVERIFY(node);
        QVERIFY(node->active && node->health != Health::Unhealthy);
        if (model.mapping) {
            QCOMPARE(model.mapping->displayName, model.name);
            QCOMPARE(model.source->name, model.mapping->realName);
        } else {
            QCOMPARE(model.source->name, model.name);
        }
    }
    QCOMPARE(names, expected);
}

void TestCatalog::userByTokenHash_data()
{
    QTest::addColumn<QByteArray>("digest");
    QTest::addColumn<QString>("expectedUser");

    QTest::newRow("an active user's token digest finds the user")
        << Tokens::hash("token-bob") << u"bob"_s;
    QTest::newRow("another user's digest finds that user")
        << Tokens::hash("token-alice") << u"alice"_s;
    QTest::newRow("a deleted user's digest finds nobody") << Tokens::hash("token-zed") << QString();
    QTest::newRow("the token in clear, not hashed, finds nobody")
        << QByteArray("token-bob") << QString();
    QTest::newRow("an upper-case digest finds nobody")
        << Tokens::hash("token-bob").toUpper() << QString();
    QTest::newRow("an empty digest finds nobody") << QByteArray() << QString();
}

void TestCatalog::userByTokenHash()
{
    QFETCH(QByteArray, digest);
    QFETCH(QString, expectedUser);

    const User *user = m_catalog->userByTokenHash(digest);
    QCOMPARE(user ? user->username : QString(), expectedUser);
}

void TestCatalog::apiKeys()
{
    QCOMPARE(m_catalog->apiKey(2), u"sk-node-two"_s);
    // Node 1 has no key set: a stale secret store entry is not used.
    QCOMPARE(m_catalog->apiKey(1), QString());
    QCOMPARE(m_catalog->apiKey(99), QString());
    QVERIFY(!m_catalog->user(u"zed"_s));
    QCOMPARE(m_catalog->nodes().size(), 4);
    QVERIFY(m_catalog->node(3));
    QVERIFY(!m_catalog->node(5));

    // Loading without a secret store gives a catalog with no keys.
    const auto keyless = Catalog::load(m_store, nullptr);
    QCOMPARE(keyless->apiKey(2), QString());
}

void TestCatalog::systemPrompts()
{
    // An inactive prompt never reaches the request path.
    QCOMPARE(m_catalog->systemPrompts().size(), 1);
    QCOMPARE(m_catalog->systemPrompts().constFirst().prompt, u"Answer briefly."_s);
}

void TestCatalog::loadReadsInOneTransaction()
{
    m_store.readsOutside = 0;
    QVERIFY(Catalog::load(m_store, &m_secrets));
    QCOMPARE(m_store.readsOutside, 0);
    QVERIFY(!m_store.inRead);
}

void TestCatalog::failedReadGivesNoCatalog()
{
    m_store.failReads = true;
    QString error;
    const auto failed = Catalog::load(m_store, &m_secrets, &error);
    m_store.failReads = false;
    QVERIFY(!failed);
    QVERIFY(!error.isEmpty());
}

// The lifetime rule of catalog.h, checked by the compiler: a snapshot dereferences as a named
// object only, so a temporary cannot free the catalog under what was read from it.
template<typename T>
concept DereferencesAsTemporary = requires { std::declval<T>().operator->(); } || requires { *std::declval<T>(); };
template<typename T>
concept DereferencesWhenHeld = requires(const T &held) {
    held.operator->();
    *held;
};
static_assert(!DereferencesAsTemporary<CatalogSnapshot>);
static_assert(DereferencesWhenHeld<CatalogSnapshot>);

QTEST_GUILESS_MAIN(TestCatalog)
#include "tst_catalog.moc"

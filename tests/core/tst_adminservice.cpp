#include "core/adminservice.h"
#include "core/tokens.h"
#include "storage/database.h"
#include "storage/filesecretstore.h"
#include "storage/sqlstore.h"
#include "testdatabase.h"

#include <QDir>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

Q_DECLARE_METATYPE(Maestro::AdminService::PromptInput)

using namespace Maestro;
using namespace Qt::StringLiterals;
using Maestro::Test::TestDatabase;

Q_DECLARE_METATYPE(Maestro::ApiError::Kind)
Q_DECLARE_METATYPE(std::optional<qint64>)
Q_DECLARE_METATYPE(Maestro::NodeType)

class TestAdminService final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();

    void createUser_data();
    void createUser();
    void duplicateUserIsAConflict();
    void deletedUserCanBeCreatedAgain();
    void rotateToken();
    void deleteUser();
    void userModelsAndLimits();
    void addNode_data();
    void addNode();
    void duplicateNodeNameIsAConflict();
    void apiKeyStaysOutOfSqlAndAudit();
    void mappings();
    void parseContextLength_data();
    void parseContextLength();
    void eachChangeWritesOneAuditEntry_data();
    void eachChangeWritesOneAuditEntry();
    void systemPromptValidation_data();
    void systemPromptValidation();
    void systemPromptLifecycle();
    void systemPromptReorder_data();
    void systemPromptReorder();

private:
    QString storedTokenHash(const QString &username);
    // Every byte the database keeps: for SQLite the main file, its WAL and shared memory.
    QByteArray databaseBytes();
    qint64 auditTotal();
    QList<AuditEntry> auditEntries();
    qint64 addTestNode(const QString &name, const QString &apiKey = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<TestDatabase> m_testDatabase;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<SqlStore> m_store;
    std::unique_ptr<FileSecretStore> m_secrets;
    std::unique_ptr<AdminService> m_service;
};

void TestAdminService::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void TestAdminService::init()
{
    QFETCH_GLOBAL(QString, backend);
    if (const QString reason = TestDatabase::unavailableReason(backend); !reason.isEmpty())
        QSKIP(qPrintable(reason));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QVERIFY(QDir(m_dir->path()).mkpath(u"secrets"_s));
    m_testDatabase = std::make_unique<TestDatabase>(backend);
    QString error;
    QVERIFY2(m_testDatabase->create(&error), qPrintable(error));
    m_database = std::make_unique<Database>(m_testDatabase->config());
    QVERIFY2(m_database->open(&error), qPrintable(error));
    m_store = std::make_unique<SqlStore>(m_database.get());
    m_secrets = std::make_unique<FileSecretStore>(m_dir->filePath(u"secrets/secrets.json"_s));
    m_service = std::make_unique<AdminService>(m_store.get(), m_secrets.get());
}

void TestAdminService::cleanup()
{
    m_service.reset();
    m_secrets.reset();
    m_store.reset();
    m_database.reset();
    m_testDatabase.reset();
    m_dir.reset();
}

QString TestAdminService::storedTokenHash(const QString &username)
{
    QSqlQuery query(m_database->connection());
    query.prepare(u"SELECT token_hash FROM users WHERE username = ?"_s);
    query.addBindValue(username);
    if (!query.exec() || !query.next())
        return u"<no row>"_s;
    return query.value(0).isNull() ? QString() : query.value(0).toString();
}

QByteArray TestAdminService::databaseBytes()
{
    return m_testDatabase->contents();
}

qint64 TestAdminService::auditTotal()
{
    qint64 total = -1;
    m_store->auditLogs(LogQuery {}, &total);
    return total;
}

QList<AuditEntry> TestAdminService::auditEntries()
{
    LogQuery query;
    query.limit = 1000;
    return m_store->auditLogs(query, nullptr);
}

qint64 TestAdminService::addTestNode(const QString &name, const QString &apiKey)
{
    AdminService::NodeInput input;
    input.name = name;
    input.baseUrl = u"http://127.0.0.1:11434"_s;
    input.nodeType = u"ollama"_s;
    if (!apiKey.isEmpty())
        input.apiKey = apiKey;
    const auto node = m_service->addNode(input);
    return node.ok() ? node.value().id : 0;
}

void TestAdminService::createUser_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("a plain name is accepted") << u"alice"_s << true;
    QTest::newRow("an e-mail address is accepted") << u"a.b-c_d@example.com"_s << true;
    QTest::newRow("a name of 64 characters is accepted") << QString(64, u'x') << true;
    QTest::newRow("a name of 65 characters is refused") << QString(65, u'x') << false;
    QTest::newRow("an empty name is refused") << QString() << false;
    QTest::newRow("a name with a space is refused") << u"alice smith"_s << false;
    QTest::newRow("a name with a slash is refused") << u"alice/admin"_s << false;
    QTest::newRow("a name with a quote is refused") << u"al'ice"_s << false;
    QTest::newRow("a name with non-ASCII letters is refused") << u"jos\u00e9"_s << false;
}

void TestAdminService::createUser()
{
    QFETCH(QString, username);
    QFETCH(bool, accepted);

    QSignalSpy changed(m_service.get(), &AdminService::changed);
    QSignalSpy audited(m_service.get(), &AdminService::audited);
    const auto created = m_service->createUser(username);
    QCOMPARE(created.ok(), accepted);
    if (!accepted) {
        QCOMPARE(created.error().kind, ApiError::Kind::BadRequest);
        QCOMPARE(created.error().httpStatus(), 400);
        QCOMPARE(changed.count(), 0);
        QCOMPARE(auditTotal(), 0);
        QVERIFY(!m_store->user(username));
        return;
    }

    const QString token = created.value().token;
    QVERIFY(token.startsWith(u"mm-"_s));
    QCOMPARE(token.size(), 3 + 43);
    QCOMPARE(created.value().user.username, username);
    QVERIFY(created.value().user.active);
    QVERIFY(!created.value().user.allModels);
    QVERIFY(created.value().user.models.isEmpty());

    // Stored as a SHA-256 hex digest of the token, never the token itself.
    const QString stored = storedTokenHash(username);
    static const QRegularExpression hex64(u"^[0-9a-f]{64}$"_s);
    QVERIFY2(hex64.match(stored).hasMatch(), qPrintable(stored));
    QCOMPARE(stored, QString::fromLatin1(Tokens::hash(token.toLatin1())));
    // The scan sees what the database wrote (the digest), but never the token.
    const QByteArray bytes = databaseBytes();
    QVERIFY(bytes.contains(stored.toLatin1()));
    QVERIFY(!bytes.contains(token.toLatin1()));
    QVERIFY(m_store->tokenHashes().contains(stored));

    QCOMPARE(changed.count(), 1);
    QCOMPARE(audited.count(), 1);
    const QList<AuditEntry> audit = auditEntries();
    QCOMPARE(audit.size(), 1);
    QCOMPARE(audit.first().action, u"user.create"_s);
    QCOMPARE(audit.first().entityType, u"user"_s);
    QCOMPARE(audit.first().entityId, username);
    QVERIFY(!QJsonDocument(audit.first().details).toJson().contains(token.toLatin1()));
}

void TestAdminService::duplicateUserIsAConflict()
{
    QVERIFY(m_service->createUser(u"alice"_s).ok());
    const QString firstHash = storedTokenHash(u"alice"_s);
    const auto again = m_service->createUser(u"alice"_s);
    QVERIFY(!again.ok());
    QCOMPARE(again.error().kind, ApiError::Kind::Conflict);
    QCOMPARE(again.error().httpStatus(), 400); // as the seed answered
    // The existing user keeps its token.
    QCOMPARE(storedTokenHash(u"alice"_s), firstHash);
    QCOMPARE(auditTotal(), 1);
}

void TestAdminService::deletedUserCanBeCreatedAgain()
{
    const auto first = m_service->createUser(u"alice"_s);
    QVERIFY(first.ok());
    QVERIFY(m_service->grantAllModels(u"alice"_s).ok());
    QVERIFY(m_service->setUserLimits(u"alice"_s, { 10, 1000, 5, 100 }).ok());
    QVERIFY(m_service->deleteUser(u"alice"_s).ok());

    const auto second = m_service->createUser(u"alice"_s);
    QVERIFY(second.ok());
    QCOMPARE(second.value().user.id, first.value().user.id);
    QVERIFY(second.value().token != first.value().token);
    // A re-created user starts afresh: no grants, no limits.
    QVERIFY(!second.value().user.allModels);
    QVERIFY(!second.value().user.requestLimit);
    QVERIFY(!second.value().user.tokenLimit);
    QVERIFY(!second.value().user.requestsPerMinute);
    QVERIFY(!second.value().user.tokensPerMinute);
    QCOMPARE(storedTokenHash(u"alice"_s),
             QString::fromLatin1(Tokens::hash(second.value().token.toLatin1())));
}

void TestAdminService::rotateToken()
{
    const auto created = m_service->createUser(u"alice"_s);
    QVERIFY(created.ok());
    const QString oldHash = storedTokenHash(u"alice"_s);

    QSignalSpy changed(m_service.get(), &AdminService::changed);
    const auto rotated = m_service->rotateToken(u"alice"_s);
    QVERIFY(rotated.ok());
    QVERIFY(rotated.value().token != created.value().token);
    const QString newHash = storedTokenHash(u"alice"_s);
    QCOMPARE(newHash, QString::fromLatin1(Tokens::hash(rotated.value().token.toLatin1())));
    QVERIFY(!m_store->tokenHashes().contains(oldHash));
    QVERIFY(!databaseBytes().contains(rotated.value().token.toLatin1()));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(auditEntries().first().action, u"user.token_rotate"_s);

    const auto unknown = m_service->rotateToken(u"nobody"_s);
    QVERIFY(!unknown.ok());
    QCOMPARE(unknown.error().kind, ApiError::Kind::NotFound);
    QCOMPARE(auditTotal(), 2);
}

void TestAdminService::deleteUser()
{
    QVERIFY(m_service->createUser(u"alice"_s).ok());
    QVERIFY(m_service->setUserModels(u"alice"_s, { u"chat"_s }).ok());
    const QString hash = storedTokenHash(u"alice"_s);

    const auto deleted = m_service->deleteUser(u"alice"_s);
    QVERIFY(deleted.ok());
    QCOMPARE(storedTokenHash(u"alice"_s), QString()); // the row stays, the token is gone
    QVERIFY(!m_store->tokenHashes().contains(hash));
    QVERIFY(!m_service->findUser(u"alice"_s).ok());
    QCOMPARE(m_service->findUser(u"alice"_s).error().kind, ApiError::Kind::NotFound);
    QCOMPARE(auditEntries().first().action, u"user.delete"_s);

    const auto again = m_service->deleteUser(u"alice"_s);
    QVERIFY(!again.ok());
    QCOMPARE(again.error().kind, ApiError::Kind::NotFound);
    QCOMPARE(auditTotal(), 3);
}

void TestAdminService::userModelsAndLimits()
{
    QVERIFY(m_service->createUser(u"alice"_s).ok());
    const auto models = m_service->setUserModels(u"alice"_s, { u" chat "_s, u"fast"_s, u"chat"_s });
    QVERIFY(models.ok());
    QCOMPARE(models.value().models, (QStringList { u"chat"_s, u"fast"_s }));
    QVERIFY(!models.value().allModels);

    const auto empty = m_service->setUserModels(u"alice"_s, { u"  "_s });
    QVERIFY(!empty.ok());
    QCOMPARE(empty.error().kind, ApiError::Kind::BadRequest);

    const auto all = m_service->grantAllModels(u"alice"_s);
    QVERIFY(all.ok());
    QVERIFY(all.value().allModels);

    const auto limits = m_service->setUserLimits(u"alice"_s, { 100, std::nullopt, 10, std::nullopt });
    QVERIFY(limits.ok());
    QCOMPARE(limits.value().requestLimit, std::optional<qint64>(100));
    QVERIFY(!limits.value().tokenLimit);
    QCOMPARE(limits.value().requestsPerMinute, std::optional<qint64>(10));
    for (const UserLimits &invalid : { UserLimits { -1, {}, {}, {} }, UserLimits { {}, {}, 0, {} },
                                       UserLimits { {}, {}, {}, -5 } }) {
        const auto refused = m_service->setUserLimits(u"alice"_s, invalid);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ApiError::Kind::BadRequest);
    }
    QCOMPARE(m_service->findUser(u"alice"_s).value().requestsPerMinute, std::optional<qint64>(10));
    const auto cleared = m_service->setUserLimits(u"alice"_s, {});
    QVERIFY(cleared.ok());
    QVERIFY(!cleared.value().requestLimit);
    QVERIFY(!cleared.value().requestsPerMinute);

    const auto unknown = m_service->setUserModels(u"nobody"_s, { u"chat"_s });
    QCOMPARE(unknown.error().kind, ApiError::Kind::NotFound);
}

void TestAdminService::addNode_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("type");
    QTest::addColumn<int>("weight");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<QString>("storedUrl");
    QTest::addColumn<NodeType>("storedType");

    QTest::newRow("an http Ollama node is accepted")
        << u"local"_s << u"http://127.0.0.1:11434"_s << u"ollama"_s << 100 << true
        << u"http://127.0.0.1:11434"_s << NodeType::Ollama;
    QTest::newRow("an https OpenAI node loses its trailing slashes")
        << u"cloud"_s << u"https://api.example.com/v1//"_s << u"openai"_s << 100 << true
        << u"https://api.example.com/v1"_s << NodeType::OpenAi;
    QTest::newRow("vllm is accepted as an OpenAI-compatible node")
        << u"vllm"_s << u"http://gpu:8000"_s << u"vllm"_s << 100 << true << u"http://gpu:8000"_s
        << NodeType::OpenAi;
    QTest::newRow("a weight of 0 is accepted")
        << u"standby"_s << u"http://10.0.0.2:11434"_s << u"ollama"_s << 0 << true
        << u"http://10.0.0.2:11434"_s << NodeType::Ollama;
    QTest::newRow("an ftp URL is refused") << u"n"_s << u"ftp://host/x"_s << u"ollama"_s << 100
                                           << false << QString() << NodeType::Ollama;
    QTest::newRow("text that is not a URL is refused")
        << u"n"_s << u"not a url"_s << u"ollama"_s << 100 << false << QString() << NodeType::Ollama;
    QTest::newRow("a URL without a host is refused")
        << u"n"_s << u"http://"_s << u"ollama"_s << 100 << false << QString() << NodeType::Ollama;
    QTest::newRow("an empty URL is refused")
        << u"n"_s << QString() << u"ollama"_s << 100 << false << QString() << NodeType::Ollama;
    QTest::newRow("an unknown node type is refused")
        << u"n"_s << u"http://127.0.0.1:1"_s << u"cursor"_s << 100 << false << QString()
        << NodeType::Ollama;
    QTest::newRow("an empty name is refused") << u"  "_s << u"http://127.0.0.1:1"_s << u"ollama"_s
                                              << 100 << false << QString() << NodeType::Ollama;
    QTest::newRow("a negative weight is refused")
        << u"n"_s << u"http://127.0.0.1:1"_s << u"ollama"_s << -1 << false << QString()
        << NodeType::Ollama;
}

void TestAdminService::addNode()
{
    QFETCH(QString, name);
    QFETCH(QString, url);
    QFETCH(QString, type);
    QFETCH(int, weight);
    QFETCH(bool, accepted);
    QFETCH(QString, storedUrl);
    QFETCH(NodeType, storedType);

    AdminService::NodeInput input;
    input.name = name;
    input.baseUrl = url;
    input.nodeType = type;
    input.weight = weight;
    input.priority = 3;
    const auto node = m_service->addNode(input);
    QCOMPARE(node.ok(), accepted);
    if (!accepted) {
        QCOMPARE(node.error().kind, ApiError::Kind::BadRequest);
        QVERIFY(m_store->nodes().isEmpty());
        QCOMPARE(auditTotal(), 0);
        return;
    }
    QVERIFY(node.value().id > 0);
    const auto stored = m_store->node(node.value().id);
    QVERIFY(stored);
    QCOMPARE(stored->name, name);
    QCOMPARE(stored->baseUrl.toString(), storedUrl);
    QCOMPARE(stored->type, storedType);
    QCOMPARE(stored->weight, weight);
    QCOMPARE(stored->priority, 3);
    QVERIFY(stored->active);
    QVERIFY(!stored->hasApiKey);
    QCOMPARE(auditEntries().first().action, u"node.create"_s);
}

void TestAdminService::duplicateNodeNameIsAConflict()
{
    QVERIFY(addTestNode(u"local"_s) > 0);
    const qint64 other = addTestNode(u"other"_s);
    QVERIFY(other > 0);
    QCOMPARE(addTestNode(u"local"_s), 0);

    AdminService::NodeInput input;
    input.name = u"local"_s;
    const auto added
        = m_service->addNode({ u"local"_s, u"http://127.0.0.2:1"_s, u"openai"_s, {}, {}, {}, {} });
    QCOMPARE(added.error().kind, ApiError::Kind::Conflict);
    // Renaming another node to a taken name is refused too.
    const auto renamed = m_service->updateNode(other, input);
    QVERIFY(!renamed.ok());
    QCOMPARE(renamed.error().kind, ApiError::Kind::Conflict);
    QCOMPARE(m_store->node(other)->name, u"other"_s);
    QCOMPARE(m_store->nodes().size(), 2);
    QCOMPARE(auditTotal(), 2);
}

void TestAdminService::apiKeyStaysOutOfSqlAndAudit()
{
    const QString firstKey = u"sk-first-SECRET-4f1c9e2a7b"_s;
    const QString secondKey = u"sk-second-SECRET-88d03c15e6"_s;

    const qint64 id = addTestNode(u"cloud"_s, firstKey);
    QVERIFY(id > 0);
    const QString ref = u"node/%1/api_key"_s.arg(id);
    QCOMPARE(m_secrets->read(ref), std::optional<QString>(firstKey));
    QVERIFY(m_store->node(id)->hasApiKey);

    AdminService::NodeInput change;
    change.apiKey = secondKey;
    QVERIFY(m_service->updateNode(id, change).ok());
    QCOMPARE(m_secrets->read(ref), std::optional<QString>(secondKey));

    const QByteArray bytes = databaseBytes();
    QVERIFY(bytes.contains("node.update")); // the scan sees what was written
    QVERIFY(!bytes.contains(firstKey.toUtf8()));
    QVERIFY(!bytes.contains(secondKey.toUtf8()));
    QVERIFY(!bytes.contains("SECRET"));
    for (const AuditEntry &entry : auditEntries()) {
        const QByteArray details = QJsonDocument(entry.details).toJson();
        QVERIFY2(!details.contains("SECRET"), details.constData());
    }
    QVERIFY(auditEntries().first().details.value(u"api_key_changed"_s).toBool());

    // An empty key clears it.
    change.apiKey = QString();
    const auto cleared = m_service->updateNode(id, change);
    QVERIFY(cleared.ok());
    QVERIFY(!cleared.value().hasApiKey);
    QVERIFY(!m_secrets->read(ref));

    // Deleting a node removes its key.
    change.apiKey = firstKey;
    QVERIFY(m_service->updateNode(id, change).ok());
    QVERIFY(m_service->deleteNode(id).ok());
    QVERIFY(!m_secrets->read(ref));
    QVERIFY(!databaseBytes().contains("SECRET"));
}

void TestAdminService::mappings()
{
    const qint64 node = addTestNode(u"local"_s);
    AdminService::MappingInput input;
    input.displayName = u"chat"_s;
    input.realName = u"qwen2:7b"_s;
    input.nodeIds = QList<qint64> { node };
    input.contextLength = 32768;
    const auto added = m_service->addMapping(input);
    QVERIFY(added.ok());
    QCOMPARE(m_store->mappings().size(), 1);
    QCOMPARE(m_store->mappings().first().nodeIds, QList<qint64> { node });
    QCOMPARE(m_store->mappings().first().contextLength, qint64(32768));

    input.nodeIds = QList<qint64> { node + 100 };
    const auto badNode = m_service->addMapping(input);
    QCOMPARE(badNode.error().kind, ApiError::Kind::BadRequest);

    AdminService::MappingInput missing;
    missing.displayName = u"x"_s;
    QCOMPARE(m_service->addMapping(missing).error().kind, ApiError::Kind::BadRequest);

    AdminService::MappingInput rename;
    rename.displayName = u"chat-2"_s;
    QVERIFY(m_service->updateMapping(u"chat"_s, rename).ok());
    QCOMPARE(m_store->mappings().first().displayName, u"chat-2"_s);
    QCOMPARE(m_service->updateMapping(u"chat"_s, rename).error().kind, ApiError::Kind::NotFound);
    QVERIFY(m_service->deleteMapping(u"chat-2"_s).ok());
    QCOMPARE(m_service->deleteMapping(u"chat-2"_s).error().kind, ApiError::Kind::NotFound);
    QVERIFY(m_store->mappings().isEmpty());
}

void TestAdminService::parseContextLength_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<std::optional<qint64>>("expected");

    using V = std::optional<qint64>;
    QTest::newRow("a plain number is taken as is") << u"32768"_s << V(32768);
    QTest::newRow("128K is 128 times 1024") << u"128K"_s << V(131072);
    QTest::newRow("a lower-case k works too") << u"8k"_s << V(8192);
    QTest::newRow("1M is 1024 times 1024") << u"1M"_s << V(1048576);
    QTest::newRow("32.5K is 33280") << u"32.5K"_s << V(33280);
    QTest::newRow("surrounding spaces are ignored") << u" 4K "_s << V(4096);
    QTest::newRow("letters are not a length") << u"abc"_s << V();
    QTest::newRow("an empty text is not a length") << QString() << V();
    QTest::newRow("zero is not a length") << u"0"_s << V();
    QTest::newRow("a negative number is not a length") << u"-5"_s << V();
    QTest::newRow("a fraction of one token is not a length") << u"0.4"_s << V();
    QTest::newRow("a fractional length is rounded down to whole tokens") << u"1.5K"_s << V(1536);
    QTest::newRow("KB is not a unit") << u"12KB"_s << V();
    QTest::newRow("G is not a unit") << u"1G"_s << V();
}

void TestAdminService::parseContextLength()
{
    QFETCH(QString, text);
    QFETCH(std::optional<qint64>, expected);

    QCOMPARE(Maestro::parseContextLength(text), expected);
}

void TestAdminService::eachChangeWritesOneAuditEntry_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("action"); // empty: refused, so nothing is audited

    QTest::newRow("creating a user writes user.create") << u"createUser"_s << u"user.create"_s;
    QTest::newRow("rotating a token writes user.token_rotate")
        << u"rotateToken"_s << u"user.token_rotate"_s;
    QTest::newRow("deleting a user writes user.delete") << u"deleteUser"_s << u"user.delete"_s;
    QTest::newRow("setting models writes user.models_set")
        << u"setUserModels"_s << u"user.models_set"_s;
    QTest::newRow("granting all models writes user.models_all")
        << u"grantAllModels"_s << u"user.models_all"_s;
    QTest::newRow("setting limits writes user.limits_set")
        << u"setUserLimits"_s << u"user.limits_set"_s;
    QTest::newRow("adding a node writes node.create") << u"addNode"_s << u"node.create"_s;
    QTest::newRow("updating a node writes node.update") << u"updateNode"_s << u"node.update"_s;
    QTest::newRow("toggling a node writes node.toggle") << u"toggleNode"_s << u"node.toggle"_s;
    QTest::newRow("deleting a node writes node.delete") << u"deleteNode"_s << u"node.delete"_s;
    QTest::newRow("adding a mapping writes model_mapping.create")
        << u"addMapping"_s << u"model_mapping.create"_s;
    QTest::newRow("adding an existing mapping again writes model_mapping.update")
        << u"addMappingAgain"_s << u"model_mapping.update"_s;
    QTest::newRow("updating a mapping writes model_mapping.update")
        << u"updateMapping"_s << u"model_mapping.update"_s;
    QTest::newRow("deleting a mapping writes model_mapping.delete")
        << u"deleteMapping"_s << u"model_mapping.delete"_s;
    QTest::newRow("a setting change writes setting.update")
        << u"setSetting"_s << u"setting.update"_s;
    QTest::newRow("setting a value equal to the current one writes nothing")
        << u"setSettingUnchanged"_s << QString();
    QTest::newRow("a refused change writes nothing") << u"refused"_s << QString();
    QTest::newRow("recording node health is not an admin change")
        << u"recordNodeHealth"_s << QString();
}

void TestAdminService::eachChangeWritesOneAuditEntry()
{
    QFETCH(QString, change);
    QFETCH(QString, action);

    // Something to change.
    QVERIFY(m_service->createUser(u"alice"_s).ok());
    const qint64 node = addTestNode(u"local"_s);
    QVERIFY(node > 0);
    AdminService::MappingInput mapping;
    mapping.displayName = u"chat"_s;
    mapping.realName = u"qwen2:7b"_s;
    QVERIFY(m_service->addMapping(mapping).ok());
    const qint64 before = auditTotal();
    QCOMPARE(before, 3);

    AdminService::NodeInput nodeInput;
    nodeInput.priority = 5;
    AdminService::MappingInput newMapping;
    newMapping.displayName = u"fast"_s;
    newMapping.realName = u"qwen2:1.5b"_s;
    AdminService::MappingInput mappingChange;
    mappingChange.contextLength = 4096;

    bool ok = false;
    if (change == "createUser"_L1)
        ok = m_service->createUser(u"bob"_s).ok();
    else if (change == "rotateToken"_L1)
        ok = m_service->rotateToken(u"alice"_s).ok();
    else if (change == "deleteUser"_L1)
        ok = m_service->deleteUser(u"alice"_s).ok();
    else if (change == "setUserModels"_L1)
        ok = m_service->setUserModels(u"alice"_s, { u"chat"_s }).ok();
    else if (change == "grantAllModels"_L1)
        ok = m_service->grantAllModels(u"alice"_s).ok();
    else if (change == "setUserLimits"_L1)
        ok = m_service->setUserLimits(u"alice"_s, { 5, 500 }).ok();
    else if (change == "addNode"_L1)
        ok = addTestNode(u"second"_s) > 0;
    else if (change == "updateNode"_L1)
        ok = m_service->updateNode(node, nodeInput).ok();
    else if (change == "toggleNode"_L1)
        ok = m_service->toggleNode(node).ok();
    else if (change == "deleteNode"_L1)
        ok = m_service->deleteNode(node).ok();
    else if (change == "addMapping"_L1)
        ok = m_service->addMapping(newMapping).ok();
    else if (change == "addMappingAgain"_L1)
        ok = m_service->addMapping(mapping).ok();
    else if (change == "updateMapping"_L1)
        ok = m_service->updateMapping(u"chat"_s, mappingChange).ok();
    else if (change == "deleteMapping"_L1)
        ok = m_service->deleteMapping(u"chat"_s).ok();
    else if (change == "setSetting"_L1)
        ok = m_service->updateSettings({{u"health_check_interval_seconds"_s, 60}}).ok();
    else if (change == "setSettingUnchanged"_L1)
        ok = m_service->updateSettings({{u"health_check_interval_seconds"_s, u"30"_s}}).ok();
    else if (change == "refused"_L1)
        ok = m_service->createUser(u"alice"_s).ok();
    else if (change == "recordNodeHealth"_L1) {
        m_service->recordNodeHealth(node, Health::Unhealthy, u"connection refused"_s);
        ok = m_store->node(node)->health == Health::Unhealthy;
    } else
        QFAIL("unknown change");

    if (action.isEmpty()) {
        QCOMPARE(auditTotal(), before);
        return;
    }
    QVERIFY(ok);
    QCOMPARE(auditTotal(), before + 1);
    const AuditEntry latest = auditEntries().first();
    QCOMPARE(latest.action, action);
    QVERIFY(latest.createdAt.isValid());
}

void TestAdminService::systemPromptValidation_data()
{
    using Input = AdminService::PromptInput;
    QTest::addColumn<Input>("input");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    const auto input = [](std::optional<QString> scope, std::optional<QString> value, std::optional<QString> prompt) {
        Input in;
        in.scopeType = scope;
        in.scopeValue = value;
        in.prompt = prompt;
        return in;
    };
    QTest::newRow("a user prompt is accepted") << input(u"user"_s, u"alice"_s, u"Be brief."_s) << 201 << QString();
    QTest::newRow("a global prompt needs no value") << input(u"global"_s, {}, u"Be brief."_s) << 201 << QString();
    QTest::newRow("an unknown scope is refused, naming the scopes")
        << input(u"team"_s, u"x"_s, u"Be brief."_s) << 400 << u"global, user, mapping, model, group, node"_s;
    QTest::newRow("the scope is required") << input({}, u"alice"_s, u"Be brief."_s) << 400 << u"scope_type is required"_s;
    QTest::newRow("the prompt is required") << input(u"user"_s, u"alice"_s, {}) << 400 << u"prompt is required"_s;
    QTest::newRow("a blank prompt is refused") << input(u"user"_s, u"alice"_s, u" \n "_s) << 400 << u"prompt must not be empty"_s;
    QTest::newRow("a scoped prompt needs a value")
        << input(u"model"_s, u"  "_s, u"Be brief."_s) << 400 << u"scope_value must be 1-255 characters for the model scope"_s;
    QTest::newRow("a value longer than 255 characters is refused")
        << input(u"node"_s, QString(256, u'n'), u"Be brief."_s) << 400 << u"1-255 characters"_s;
}

void TestAdminService::systemPromptValidation()
{
    QFETCH(AdminService::PromptInput, input);
    QFETCH(int, status);
    QFETCH(QString, message);
    const auto added = m_service->addSystemPrompt(input);
    QCOMPARE(added.ok() ? 201 : added.error().httpStatus(), status);
    if (!added.ok())
        QVERIFY2(added.error().message.contains(message), qPrintable(added.error().message));
    QCOMPARE(m_store->systemPrompts().size(), added.ok() ? 1 : 0);
}

void TestAdminService::systemPromptLifecycle()
{
    QSignalSpy changed(m_service.get(), &AdminService::changed);
    AdminService::PromptInput input;
    input.scopeType = u"global"_s;
    input.scopeValue = u"ignored"_s;
    input.prompt = u"Answer in English."_s;
    input.priority = 3;
    input.description = u"House rule"_s;
    const auto added = m_service->addSystemPrompt(input);
    QVERIFY(added.ok());
    const qint64 id = added.value().id;
    QVERIFY(id > 0);
    QCOMPARE(added.value().scopeValue, QString()); // a global prompt names nothing
    QCOMPARE(added.value().priority, 3);
    QVERIFY(added.value().active);
    QCOMPARE(added.value().description, u"House rule"_s);
    QVERIFY(added.value().createdAt.isValid());

    // A partial update keeps what it does not name.
    AdminService::PromptInput patch;
    patch.scopeType = u"node"_s;
    patch.scopeValue = u"gpu-1"_s;
    patch.active = false;
    const auto updated = m_service->updateSystemPrompt(id, patch);
    QVERIFY(updated.ok());
    QCOMPARE(updated.value().scope, PromptScope::Node);
    QCOMPARE(updated.value().scopeValue, u"gpu-1"_s);
    QCOMPARE(updated.value().prompt, u"Answer in English."_s);
    QCOMPARE(updated.value().priority, 3);
    QVERIFY(!updated.value().active);
    AdminService::PromptInput blank;
    blank.prompt = u""_s;
    QCOMPARE(m_service->updateSystemPrompt(id, blank).error().httpStatus(), 400);
    QCOMPARE(m_service->findSystemPrompt(id).value().prompt, u"Answer in English."_s);

    QVERIFY(m_service->deleteSystemPrompt(id).ok());
    QCOMPARE(m_service->findSystemPrompt(id).error().httpStatus(), 404);
    QCOMPARE(m_service->deleteSystemPrompt(id).error().message, u"System prompt not found: %1"_s.arg(id));
    QCOMPARE(m_service->updateSystemPrompt(id, patch).error().httpStatus(), 404);

    QCOMPARE(changed.size(), 3);
    const QList<AuditEntry> entries = auditEntries();
    QStringList actions;
    for (const AuditEntry &entry : entries) {
        QCOMPARE(entry.entityType, u"system_prompt"_s);
        QCOMPARE(entry.entityId, QString::number(id));
        actions.append(entry.action);
    }
    actions.sort();
    QCOMPARE(actions, (QStringList{u"system_prompt.create"_s, u"system_prompt.delete"_s, u"system_prompt.update"_s}));
}

void TestAdminService::systemPromptReorder_data()
{
    QTest::addColumn<QList<int>>("priorities"); // of prompts 0, 1, 2 as created
    QTest::addColumn<QList<int>>("order");      // positions of the prompts, the first applied first
    QTest::addColumn<QList<int>>("expected");   // priorities of prompts 0, 1, 2 afterwards
    QTest::newRow("distinct priorities are reused in the new order")
        << QList<int>{30, 20, 10} << QList<int>{2, 0, 1} << QList<int>{20, 10, 30};
    QTest::newRow("equal priorities become count-1 ... 0")
        << QList<int>{0, 0, 0} << QList<int>{1, 2, 0} << QList<int>{0, 2, 1};
    QTest::newRow("a part of the list: its priorities are shuffled among themselves")
        << QList<int>{30, 20, 10} << QList<int>{2, 1} << QList<int>{30, 10, 20};
}

void TestAdminService::systemPromptReorder()
{
    QFETCH(QList<int>, priorities);
    QFETCH(QList<int>, order);
    QFETCH(QList<int>, expected);
    QList<qint64> ids;
    for (int priority : std::as_const(priorities)) {
        AdminService::PromptInput input;
        input.scopeType = u"user"_s;
        input.scopeValue = u"alice"_s;
        input.prompt = u"Prompt %1"_s.arg(ids.size());
        input.priority = priority;
        const auto added = m_service->addSystemPrompt(input);
        QVERIFY(added.ok());
        ids.append(added.value().id);
    }
    QList<qint64> orderIds;
    for (int position : std::as_const(order))
        orderIds.append(ids.at(position));
    const qint64 audits = auditTotal();
    const auto reordered = m_service->reorderSystemPrompts(orderIds);
    QVERIFY(reordered.ok());
    QCOMPARE(auditTotal(), audits + 1);
    QCOMPARE(auditEntries().constFirst().action, u"system_prompt.reorder"_s);
    for (qsizetype i = 0; i < ids.size(); ++i)
        QCOMPARE(m_service->findSystemPrompt(ids.at(i)).value().priority, expected.at(i));
    // The prompts come back in their new order.
    QList<qint64> returned;
    for (const SystemPrompt &prompt : reordered.value()) {
        if (orderIds.contains(prompt.id))
            returned.append(prompt.id);
    }
    QCOMPARE(returned, orderIds);

    const auto missing = m_service->reorderSystemPrompts({ids.at(0), 9999});
    QCOMPARE(missing.error().httpStatus(), 404);
    QVERIFY(missing.error().message.contains(u"9999"_s));
    QCOMPARE(m_service->reorderSystemPrompts({ids.at(0), ids.at(0)}).error().httpStatus(), 400);
    QCOMPARE(m_service->reorderSystemPrompts({}).error().httpStatus(), 400);
    QCOMPARE(auditTotal(), audits + 1); // refusals change nothing
}

QTEST_GUILESS_MAIN(TestAdminService)
#include "tst_adminservice.moc"

#include "core/tokens.h"
#include "storage/database.h"
#include "storage/filesecretstore.h"
#include "storage/sqlstore.h"
#include "storage/usagewriter.h"
#include "testdatabase.h"

#include <QFile>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimeZone>

#include <atomic>
#include <memory>
#include <sys/stat.h>
#include <vector>

using namespace Maestro;
using namespace Qt::StringLiterals;
using Maestro::Test::TestDatabase;

namespace {

QDateTime utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0, int ms = 0)
{
    return QDateTime(QDate(y, mo, d), QTime(h, mi, s, ms), Qt::UTC);
}

RequestLogEntry logEntry(qint64 userId, const QString &username, const QString &model,
                         const QString &realModel, qint64 nodeId, const QDateTime &at,
                         qint64 prompt = 1, qint64 completion = 2)
{
    RequestLogEntry e;
    e.userId = userId;
    e.username = username;
    e.endpoint = u"/api/chat"_s;
    e.model = model;
    e.realModel = realModel;
    e.nodeId = nodeId;
    e.statusCode = nodeId ? 200 : 503;
    e.durationMs = 42;
    e.ttfbMs = nodeId ? 7 : -1;
    e.promptTokens = prompt;
    e.completionTokens = completion;
    e.streamed = true;
    e.createdAt = at;
    return e;
}

int filePermissions(const QString &path)
{
    struct stat info = {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return int(info.st_mode & 0777);
}

} // namespace

class TestSqlStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();

    void migrationsCreateTheLatestSchema();
    void reopeningIsIdempotent();
    void newerSchemaIsRefused();
    void databaseUrls_data();
    void databaseUrls();
    void users();
    void nodesAndModels();
    void mappings();
    void settingsAndAudit();
    void requestLogs_data();
    void requestLogs();
    void requestLogFilters_data();
    void requestLogFilters();
    void refusalsKeepTheirFieldsAndAreNotUsage();
    void revokedTokensNameTheirUser();
    void usageOn_data();
    void usageOn();
    void usageByUser();
    void sharedCounters();
    void sharedCountersUnderContention();
    void configVersion();
    void writeTransactionsAreAllOrNothing();
    void usageWriterLosesNothing();
    void usageWriterWritesWhatCameBeforeStart();
    void usageWriterRetriesWhileTheDatabaseRefuses();
    void usageWriterQueueIsBounded();
    void usageWriterCapsRefusalsPerUser();
    void fileSecretStore_data();
    void fileSecretStore();

private:
    bool openStore(QString *error = nullptr);
    void seedRequestLogs();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<TestDatabase> m_testDatabase;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<SqlStore> m_store;
};

void TestSqlStore::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void TestSqlStore::init()
{
    QFETCH_GLOBAL(QString, backend);
    if (const QString reason = TestDatabase::unavailableReason(backend); !reason.isEmpty())
        QSKIP(qPrintable(reason));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_testDatabase = std::make_unique<TestDatabase>(backend);
    QString error;
    QVERIFY2(m_testDatabase->create(&error), qPrintable(error));
    QVERIFY2(openStore(&error), qPrintable(error));
}

void TestSqlStore::cleanup()
{
    m_store.reset();
    m_database.reset();
    m_testDatabase.reset();
    m_dir.reset();
}

bool TestSqlStore::openStore(QString *error)
{
    m_store.reset();
    m_database.reset();
    m_database = std::make_unique<Database>(m_testDatabase->config());
    QString message;
    const bool ok = m_database->open(&message);
    if (error)
        *error = message;
    if (ok)
        m_store = std::make_unique<SqlStore>(m_database.get());
    return ok;
}

void TestSqlStore::migrationsCreateTheLatestSchema()
{
    QVERIFY(Database::latestSchemaVersion() >= 1);
    QCOMPARE(m_database->schemaVersion(), Database::latestSchemaVersion());
    QSqlQuery query(m_database->connection());
    QVERIFY(query.exec(u"SELECT COUNT(*) FROM schema_version"_s) && query.next());
    QCOMPARE(query.value(0).toInt(), 1);
    const QStringList tables = m_database->connection().tables();
    for (const QString &table :
         { u"users"_s, u"user_models"_s, u"user_limits"_s, u"nodes"_s, u"node_models"_s,
           u"model_mappings"_s, u"request_logs"_s, u"audit_logs"_s, u"settings"_s, u"revoked_tokens"_s })
        QVERIFY2(tables.contains(table), qPrintable(table));
}

void TestSqlStore::reopeningIsIdempotent()
{
    QVERIFY(m_store->createUser(u"alice"_s, Tokens::hash("t1")) > 0);
    for (int i = 0; i < 2; ++i) {
        QString error;
        QVERIFY2(openStore(&error), qPrintable(error));
        QCOMPARE(m_database->schemaVersion(), Database::latestSchemaVersion());
        QSqlQuery query(m_database->connection());
        QVERIFY(query.exec(u"SELECT COUNT(*) FROM schema_version"_s) && query.next());
        QCOMPARE(query.value(0).toInt(), 1);
        QVERIFY(m_store->user(u"alice"_s));
    }
}

void TestSqlStore::newerSchemaIsRefused()
{
    {
        QSqlQuery query(m_database->connection());
        QVERIFY(query.exec(
            u"UPDATE schema_version SET version = %1"_s.arg(Database::latestSchemaVersion() + 1)));
    }
    QString error;
    QVERIFY(!openStore(&error));
    QVERIFY2(error.contains(u"newer"_s), qPrintable(error));
    // Nothing was changed: the version is still the newer one.
    Database raw(m_testDatabase->config());
    QSqlQuery query(raw.connection());
    QVERIFY(query.exec(u"SELECT version FROM schema_version"_s) && query.next());
    QCOMPARE(query.value(0).toInt(), Database::latestSchemaVersion() + 1);
}

void TestSqlStore::databaseUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<bool>("postgres");
    QTest::addColumn<QString>("display");

    QTest::newRow("sqlite with an absolute path")
        << u"sqlite:///tmp/x.db"_s << true << false << u"sqlite:///tmp/x.db"_s;
    QTest::newRow("sqlite in a missing directory is refused")
        << u"sqlite:///nonexistent-dir-for-tests/x.db"_s << false << false << QString();
    QTest::newRow("sqlite without a path is refused")
        << u"sqlite://"_s << false << false << QString();
    QTest::newRow("postgresql with everything, password hidden in the display form")
        << u"postgresql://u:secret@db.example:5433/maestro"_s << true << true
        << u"postgresql://u@db.example:5433/maestro"_s;
    QTest::newRow("postgres:// with the default port")
        << u"postgres://u@localhost/m"_s << true << true << u"postgresql://u@localhost:5432/m"_s;
    QTest::newRow("postgresql without a database name is refused")
        << u"postgresql://u@localhost/"_s << false << true << QString();
    QTest::newRow("mysql is not supported") << u"mysql://u@h/db"_s << false << false << QString();
}

void TestSqlStore::databaseUrls()
{
    QFETCH(QString, url);
    QFETCH(bool, valid);
    QFETCH(bool, postgres);
    QFETCH(QString, display);

    QString error;
    const auto config = DatabaseConfig::fromUrl(url, &error);
    QCOMPARE(config.has_value(), valid);
    if (!valid) {
        QVERIFY(!error.isEmpty());
        return;
    }
    QCOMPARE(config->kind == DatabaseConfig::Kind::Postgres, postgres);
    QCOMPARE(config->displayUrl(), display);
    QVERIFY(!config->displayUrl().contains(u"secret"_s));
}

void TestSqlStore::users()
{
    const QByteArray hash = Tokens::hash("token-alice");
    const qint64 id = m_store->createUser(u"alice"_s, hash);
    QVERIFY(id > 0);
    QVERIFY(m_store->createUser(u"bob"_s, Tokens::hash("token-bob")) > id);

    auto alice = m_store->user(u"alice"_s);
    QVERIFY(alice);
    QCOMPARE(alice->id, id);
    QVERIFY(alice->active);
    QVERIFY(!alice->allModels);
    QVERIFY(alice->createdAt.isValid());
    QCOMPARE(alice->createdAt.timeSpec(), Qt::UTC);
    QCOMPARE(m_store->tokenHashes().value(QString::fromLatin1(hash)), id);

    QVERIFY(m_store->setUserModels(id, { u"chat"_s, u"fast"_s }, false));
    QVERIFY(m_store->setUserLimits(id, { 10, std::nullopt, std::nullopt, 2000 }));
    alice = m_store->user(u"alice"_s);
    QCOMPARE(alice->models, (QStringList { u"chat"_s, u"fast"_s }));
    QCOMPARE(alice->requestLimit, std::optional<qint64>(10));
    QVERIFY(!alice->tokenLimit);
    QVERIFY(!alice->requestsPerMinute);
    QCOMPARE(alice->tokensPerMinute, std::optional<qint64>(2000));
    // users() fills in every user's models, not just the first one's.
    const QList<User> all = m_store->users();
    QCOMPARE(all.size(), 2);
    QCOMPARE(all.at(0).models, (QStringList { u"chat"_s, u"fast"_s }));
    QVERIFY(all.at(1).models.isEmpty());

    QVERIFY(m_store->setUserModels(id, {}, true));
    QVERIFY(m_store->setUserLimits(id, {}));
    alice = m_store->user(u"alice"_s);
    QVERIFY(alice->allModels);
    QVERIFY(alice->models.isEmpty());
    QVERIFY(!alice->requestLimit);
    QVERIFY(!alice->tokensPerMinute);

    const QByteArray rotated = Tokens::hash("token-alice-2");
    QVERIFY(m_store->setTokenHash(id, rotated));
    QVERIFY(!m_store->tokenHashes().contains(QString::fromLatin1(hash)));
    QCOMPARE(m_store->tokenHashes().value(QString::fromLatin1(rotated)), id);
    QVERIFY(!m_store->setTokenHash(9999, rotated));

    QVERIFY(m_store->deactivateUser(id));
    QVERIFY(!m_store->user(u"alice"_s)->active);
    QVERIFY(!m_store->tokenHashes().contains(QString::fromLatin1(rotated)));
    QCOMPARE(m_store->users().size(), 1);

    // Two users cannot share a token digest.
    QCOMPARE(m_store->createUser(u"carol"_s, Tokens::hash("token-bob")), qint64(0));
}

void TestSqlStore::nodesAndModels()
{
    Node node;
    node.name = u"local"_s;
    node.baseUrl = QUrl(u"http://127.0.0.1:11434"_s);
    node.type = NodeType::OpenAi;
    node.hasApiKey = true;
    node.priority = 4;
    node.weight = 30;
    node.connectTimeoutSeconds = 5;
    node.firstByteTimeoutSeconds = 900;
    node.idleTimeoutSeconds = 0;
    const qint64 id = m_store->insertNode(node);
    QVERIFY(id > 0);
    node.name = u"local"_s;
    QCOMPARE(m_store->insertNode(node), qint64(0)); // names are unique

    auto stored = m_store->node(id);
    QVERIFY(stored);
    QCOMPARE(stored->name, u"local"_s);
    QCOMPARE(stored->baseUrl, QUrl(u"http://127.0.0.1:11434"_s));
    QCOMPARE(stored->type, NodeType::OpenAi);
    QVERIFY(stored->hasApiKey);
    QCOMPARE(stored->priority, 4);
    QCOMPARE(stored->weight, 30);
    QVERIFY(stored->active);
    QCOMPARE(stored->health, Health::Unknown);
    QCOMPARE(stored->connectTimeoutSeconds, 5);
    QCOMPARE(stored->firstByteTimeoutSeconds, 900);
    QCOMPARE(stored->idleTimeoutSeconds, 0);

    stored->active = false;
    stored->weight = 0;
    stored->connectTimeoutSeconds = 0;
    stored->idleTimeoutSeconds = 45;
    QVERIFY(m_store->updateNode(*stored));
    QVERIFY(!m_store->node(id)->active);
    QCOMPARE(m_store->node(id)->weight, 0);
    QCOMPARE(m_store->node(id)->connectTimeoutSeconds, 0);
    QCOMPARE(m_store->node(id)->firstByteTimeoutSeconds, 900);
    QCOMPARE(m_store->node(id)->idleTimeoutSeconds, 45);
    Node ghost = *stored;
    ghost.id = id + 100;
    QVERIFY(!m_store->updateNode(ghost));

    const QDateTime checked = utc(2024, 5, 1, 12, 30);
    QVERIFY(m_store->setNodeHealth(id, Health::Unhealthy, u"connection refused"_s, checked));
    stored = m_store->node(id);
    QCOMPARE(stored->health, Health::Unhealthy);
    QCOMPARE(stored->lastError, u"connection refused"_s);
    QCOMPARE(stored->lastHealthCheck, checked);

    NodeModel a;
    a.nodeId = id;
    a.name = u"qwen2:7b"_s;
    a.size = 4'000'000'000;
    a.digest = u"sha256:abc"_s;
    a.details = QJsonObject { { u"family"_s, u"qwen2"_s } };
    NodeModel b = a;
    b.name = u"llama3:latest"_s;
    QVERIFY(m_store->replaceNodeModels(id, { a, b, a })); // duplicates are ignored
    QList<NodeModel> models = m_store->nodeModels();
    QCOMPARE(models.size(), 2);
    QCOMPARE(models.at(0).name, u"llama3:latest"_s);
    QCOMPARE(models.at(1).size, qint64(4'000'000'000));
    QCOMPARE(models.at(1).details.value(u"family"_s).toString(), u"qwen2"_s);
    QVERIFY(m_store->replaceNodeModels(id, { b }));
    QCOMPARE(m_store->nodeModels().size(), 1);

    QVERIFY(m_store->deleteNode(id));
    QVERIFY(!m_store->node(id));
    QVERIFY(m_store->nodeModels().isEmpty());
}

void TestSqlStore::mappings()
{
    ModelMapping m;
    m.displayName = u"chat"_s;
    m.realName = u"qwen2:7b"_s;
    m.contextLength = 131072;
    m.capabilities = { u"tools"_s, u"vision"_s };
    m.nodeIds = { 3, 5 };
    QVERIFY(m_store->insertMapping(m));
    QVERIFY(!m_store->insertMapping(m)); // display names are unique

    QList<ModelMapping> all = m_store->mappings();
    QCOMPARE(all.size(), 1);
    QCOMPARE(all.first().realName, u"qwen2:7b"_s);
    QCOMPARE(all.first().contextLength, qint64(131072));
    QCOMPARE(all.first().capabilities, (QStringList { u"tools"_s, u"vision"_s }));
    QCOMPARE(all.first().nodeIds, (QList<qint64> { 3, 5 }));

    m.displayName = u"chat-v2"_s;
    m.nodeIds.clear();
    QVERIFY(m_store->updateMapping(u"chat"_s, m));
    QVERIFY(!m_store->updateMapping(u"chat"_s, m));
    all = m_store->mappings();
    QCOMPARE(all.size(), 1);
    QCOMPARE(all.first().displayName, u"chat-v2"_s);
    QVERIFY(all.first().nodeIds.isEmpty());

    QVERIFY(m_store->deleteMapping(u"chat-v2"_s));
    QVERIFY(m_store->mappings().isEmpty());
}

void TestSqlStore::settingsAndAudit()
{
    QVERIFY(m_store->writeSettings({{u"a"_s, u"1"_s}, {u"c"_s, u"gone soon"_s}}));
    QVERIFY(m_store->writeSettings({{u"a"_s, u"2"_s}, {u"b"_s, u"x"_s}, {u"c"_s, std::nullopt}}));
    const QHash<QString, QString> settings = m_store->settings();
    QCOMPARE(settings.size(), 2);
    QCOMPARE(settings.value(u"a"_s), u"2"_s);
    QVERIFY(!settings.contains(u"c"_s));

    for (int i = 0; i < 5; ++i) {
        AuditEntry entry;
        entry.action = i % 2 ? u"node.create"_s : u"user.create"_s;
        entry.entityType = i % 2 ? u"node"_s : u"user"_s;
        entry.entityId = QString::number(i);
        entry.details = QJsonObject { { u"i"_s, i } };
        entry.createdAt = utc(2024, 5, 1, 10, i);
        QVERIFY(m_store->insertAudit(entry));
    }
    qint64 total = 0;
    LogQuery query;
    QList<AuditEntry> logs = m_store->auditLogs(query, &total);
    QCOMPARE(total, qint64(5));
    QCOMPARE(logs.size(), 5);
    QCOMPARE(logs.first().entityId, u"4"_s); // newest first
    QCOMPARE(logs.first().details.value(u"i"_s).toInt(), 4);
    QCOMPARE(logs.first().createdAt, utc(2024, 5, 1, 10, 4));

    query.entityType = u"node"_s;
    logs = m_store->auditLogs(query, &total);
    QCOMPARE(total, qint64(2));
    QCOMPARE(logs.size(), 2);
    query = LogQuery();
    query.action = u"user.create"_s;
    query.limit = 2;
    query.offset = 1;
    logs = m_store->auditLogs(query, &total);
    QCOMPARE(total, qint64(3));
    QCOMPARE(logs.size(), 2);
    QCOMPARE(logs.first().entityId, u"2"_s);
}

void TestSqlStore::seedRequestLogs()
{
    // 6 for alice (4 chat/qwen2:7b, 2 llama3), 3 for bob (chat), 1 failed with no node.
    QList<RequestLogEntry> entries;
    const QDateTime at = utc(2024, 5, 1, 12);
    for (int i = 0; i < 4; ++i)
        entries.append(logEntry(1, u"alice"_s, u"chat"_s, u"qwen2:7b"_s, 1, at.addSecs(i)));
    for (int i = 0; i < 2; ++i)
        entries.append(
            logEntry(1, u"alice"_s, u"llama3"_s, u"llama3:latest"_s, 2, at.addSecs(10 + i)));
    for (int i = 0; i < 3; ++i)
        entries.append(logEntry(2, u"bob"_s, u"chat"_s, u"qwen2:7b"_s, 1, at.addSecs(20 + i)));
    entries.append(logEntry(2, u"bob"_s, u"gone"_s, QString(), 0, at.addSecs(30)));
    QVERIFY(m_store->insertRequestLogs(entries));
    QVERIFY(m_store->insertRequestLogs({}));
}

void TestSqlStore::requestLogs_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("limit");
    QTest::addColumn<int>("offset");
    QTest::addColumn<int>("rows");
    QTest::addColumn<qint64>("total");

    QTest::newRow("no filter returns everything")
        << QString() << QString() << 100 << 0 << 10 << qint64(10);
    QTest::newRow("a limit cuts the page, not the total")
        << QString() << QString() << 3 << 0 << 3 << qint64(10);
    QTest::newRow("an offset past the end gives an empty page with the total")
        << QString() << QString() << 10 << 10 << 0 << qint64(10);
    QTest::newRow("filtering by username") << u"alice"_s << QString() << 100 << 0 << 6 << qint64(6);
    QTest::newRow("filtering by the model the client asked for")
        << QString() << u"chat"_s << 100 << 0 << 7 << qint64(7);
    QTest::newRow("filtering by the real model sent upstream")
        << QString() << u"llama3:latest"_s << 100 << 0 << 2 << qint64(2);
    QTest::newRow("filtering by username and model")
        << u"bob"_s << u"chat"_s << 2 << 1 << 2 << qint64(3);
    QTest::newRow("an unknown user has no logs")
        << u"nobody"_s << QString() << 100 << 0 << 0 << qint64(0);
}

void TestSqlStore::requestLogs()
{
    QFETCH(QString, username);
    QFETCH(QString, model);
    QFETCH(int, limit);
    QFETCH(int, offset);
    QFETCH(int, rows);
    QFETCH(qint64, total);

    seedRequestLogs();
    LogQuery query;
    query.username = username;
    query.model = model;
    query.limit = limit;
    query.offset = offset;
    qint64 counted = -1;
    const QList<RequestLogEntry> logs = m_store->requestLogs(query, &counted);
    QCOMPARE(logs.size(), rows);
    QCOMPARE(counted, total);
    for (qsizetype i = 1; i < logs.size(); ++i)
        QVERIFY(logs.at(i - 1).createdAt >= logs.at(i).createdAt); // newest first
    for (const RequestLogEntry &e : logs) {
        if (!username.isEmpty())
            QCOMPARE(e.username, username);
        if (!model.isEmpty())
            QVERIFY(e.model == model || e.realModel == model);
    }
}

void TestSqlStore::requestLogFilters_data()
{
    QTest::addColumn<QString>("modelContains");
    QTest::addColumn<QString>("statuses");
    QTest::addColumn<QDateTime>("from");
    QTest::addColumn<QDateTime>("to");
    QTest::addColumn<QString>("endpoint");
    QTest::addColumn<QString>("dialect");
    QTest::addColumn<qint64>("total");

    const QDateTime none;
    QTest::newRow("no filter: all eight")
        << QString() << QString() << none << none << QString() << QString() << qint64(8);
    QTest::newRow("an exact status")
        << QString() << u"429"_s << none << none << QString() << QString() << qint64(2);
    QTest::newRow("a class of statuses")
        << QString() << u"4xx"_s << none << none << QString() << QString() << qint64(4);
    QTest::newRow("a list of a status and a class")
        << QString() << u"200,5xx"_s << none << none << QString() << QString() << qint64(4);
    QTest::newRow("from is inclusive")
        << QString() << QString() << utc(2024, 5, 1, 12, 0, 5) << none << QString() << QString() << qint64(3);
    QTest::newRow("to is exclusive")
        << QString() << QString() << none << utc(2024, 5, 1, 12, 0, 5) << QString() << QString() << qint64(5);
    QTest::newRow("an endpoint")
        << QString() << QString() << none << none << u"/v1/messages"_s << QString() << qint64(2);
    QTest::newRow("a client dialect")
        << QString() << QString() << none << none << QString() << u"openai"_s << qint64(3);
    QTest::newRow("a model substring in any case, of the asked or the real name")
        << u"QWEN"_s << QString() << none << none << QString() << QString() << qint64(3);
    QTest::newRow("a % in the substring is a percent sign, not a wildcard")
        << u"50%"_s << QString() << none << none << QString() << QString() << qint64(1);
    QTest::newRow("an _ in the substring is an underscore, not any character")
        << u"a_b"_s << QString() << none << none << QString() << QString() << qint64(1);
    QTest::newRow("a backslash in the substring is itself")
        << u"x\\y"_s << QString() << none << none << QString() << QString() << qint64(1);
    QTest::newRow("filters combine")
        << u"qwen"_s << u"4xx"_s << none << none << QString() << u"ollama"_s << qint64(1);
}

void TestSqlStore::requestLogFilters()
{
    QFETCH(QString, modelContains);
    QFETCH(QString, statuses);
    QFETCH(QDateTime, from);
    QFETCH(QDateTime, to);
    QFETCH(QString, endpoint);
    QFETCH(QString, dialect);
    QFETCH(qint64, total);

    const QDateTime at = utc(2024, 5, 1, 12);
    struct Row
    {
        const char *model;
        const char *real;
        int status;
        const char *endpoint;
        const char *dialect;
    };
    const Row rows[] = {
        {"chat", "qwen2:7b", 200, "/api/chat", "ollama"},
        {"Qwen-Coder", "", 429, "/api/chat", "ollama"},
        {"chat", "qwen2:7b", 503, "/v1/chat/completions", "openai"},
        {"50% off", "", 404, "/v1/chat/completions", "openai"},
        {"a_b", "", 403, "/v1/messages", "anthropic"},
        {"axb", "", 429, "/v1/messages", "anthropic"},
        {"x\\y", "", 200, "/api/generate", "ollama"},
        {"other", "", 502, "/v1/completions", "openai"},
    };
    QList<RequestLogEntry> entries;
    for (int i = 0; i < int(std::size(rows)); ++i) {
        RequestLogEntry e = logEntry(1, u"alice"_s, QString::fromUtf8(rows[i].model), QString::fromUtf8(rows[i].real),
                                     rows[i].status == 200 ? 1 : 0, at.addSecs(i));
        e.statusCode = rows[i].status;
        e.endpoint = QString::fromUtf8(rows[i].endpoint);
        e.dialect = QString::fromUtf8(rows[i].dialect);
        entries.append(e);
    }
    QVERIFY(m_store->insertRequestLogs(entries));

    LogQuery query;
    query.modelContains = modelContains;
    if (!statuses.isEmpty()) {
        const auto parsed = LogQuery::parseStatuses(statuses);
        QVERIFY(parsed);
        query.statuses = *parsed;
    }
    query.from = from;
    query.to = to;
    query.endpoint = endpoint;
    query.dialect = dialect;
    qint64 counted = -1;
    const QList<RequestLogEntry> logs = m_store->requestLogs(query, &counted);
    QCOMPARE(counted, total);
    QCOMPARE(qint64(logs.size()), total);
    // What the SQL selects is what the live view's match selects.
    qint64 matching = 0;
    for (const RequestLogEntry &e : std::as_const(entries))
        matching += query.matches(e) ? 1 : 0;
    QCOMPARE(matching, total);
    for (const RequestLogEntry &e : logs)
        QVERIFY(query.matches(e));
}

void TestSqlStore::refusalsKeepTheirFieldsAndAreNotUsage()
{
    const QDateTime at = utc(2024, 5, 1, 12);
    RequestLogEntry served = logEntry(1, u"alice"_s, u"chat"_s, u"qwen2:7b"_s, 1, at, 10, 5);
    served.dialect = u"ollama"_s;
    RequestLogEntry refused = logEntry(1, u"alice"_s, u"chat"_s, QString(), 0, at.addSecs(1), 0, 0);
    refused.statusCode = 429;
    refused.dialect = u"openai"_s;
    refused.reason = u"limit:user_requests_per_minute"_s;
    refused.errorMessage = u"Request limit reached"_s;
    refused.suppressed = 7;
    refused.ttfbMs = -1;
    QVERIFY(m_store->insertRequestLogs({served, refused}));

    const QList<RequestLogEntry> logs = m_store->requestLogs(LogQuery(), nullptr);
    QCOMPARE(logs.size(), 2);
    QCOMPARE(logs.at(0).reason, refused.reason);
    QCOMPARE(logs.at(0).dialect, u"openai"_s);
    QCOMPARE(logs.at(0).suppressed, qint64(7));
    QCOMPARE(logs.at(0).statusCode, 429);
    QVERIFY(logs.at(0).refused());
    QVERIFY(logs.at(1).reason.isEmpty());
    QCOMPARE(logs.at(1).dialect, u"ollama"_s);
    QVERIFY(!logs.at(1).refused());

    // The usage reports count the request served only.
    const QList<Store::ModelUsage> byModel = m_store->usageByModel(1, at.addDays(-1), at.addDays(1));
    QCOMPARE(byModel.size(), 1);
    QCOMPARE(byModel.first().requests, qint64(1));
    const QList<Store::UserUsage> byUser = m_store->usageByUser(at.addDays(-1), at.addDays(1));
    QCOMPARE(byUser.size(), 1);
    QCOMPARE(byUser.first().requests, qint64(1));
    QCOMPARE(m_store->usageOn(QDate(2024, 5, 1)).value(1).requests, qint64(1));
}

void TestSqlStore::revokedTokensNameTheirUser()
{
    const qint64 alice = m_store->createUser(u"alice"_s, "digest-1");
    QVERIFY(alice > 0);
    QVERIFY(m_store->revokedTokens().isEmpty());
    QVERIFY(m_store->setTokenHash(alice, "digest-2"));
    QHash<QString, RevokedToken> revoked = m_store->revokedTokens();
    QCOMPARE(revoked.size(), 1);
    QCOMPARE(revoked.value(u"digest-1"_s).userId, alice);
    QCOMPARE(revoked.value(u"digest-1"_s).username, u"alice"_s);
    QCOMPARE(m_store->tokenHashes().value(u"digest-2"_s), alice);

    QVERIFY(m_store->deactivateUser(alice));
    revoked = m_store->revokedTokens();
    QCOMPARE(revoked.size(), 2);
    QCOMPARE(revoked.value(u"digest-2"_s).username, u"alice"_s);
    QVERIFY(m_store->tokenHashes().isEmpty());
    // Deleting again has no token left to keep.
    QVERIFY(m_store->deactivateUser(alice));
    QCOMPARE(m_store->revokedTokens().size(), 2);
}

void TestSqlStore::usageOn_data()
{
    QTest::addColumn<QList<QDateTime>>("times");
    QTest::addColumn<qint64>("requests");

    QTest::newRow("the first and last millisecond of the day count")
        << QList<QDateTime> { utc(2024, 5, 1, 0, 0, 0, 0), utc(2024, 5, 1, 23, 59, 59, 999) }
        << qint64(2);
    QTest::newRow("the day before and the day after do not count")
        << QList<QDateTime> { utc(2024, 4, 30, 23, 59, 59, 999), utc(2024, 5, 2, 0, 0, 0, 0) }
        << qint64(0);
    QTest::newRow("a local midnight that is not UTC midnight counts by UTC")
        << QList<QDateTime> { QDateTime(QDate(2024, 5, 2), QTime(1, 0), QTimeZone(2 * 3600)) }
        << qint64(1);
}

void TestSqlStore::usageOn()
{
    QFETCH(QList<QDateTime>, times);
    QFETCH(qint64, requests);

    QList<RequestLogEntry> entries;
    for (const QDateTime &at : std::as_const(times))
        entries.append(logEntry(1, u"alice"_s, u"chat"_s, u"qwen2:7b"_s, 1, at, 10, 5));
    // Requests that never reached a node (refused, no healthy node) are not usage.
    entries.append(logEntry(1, u"alice"_s, u"chat"_s, QString(), 0, utc(2024, 5, 1, 12)));
    entries.append(logEntry(2, u"bob"_s, u"chat"_s, u"qwen2:7b"_s, 1, utc(2024, 5, 1, 12), 1, 1));
    QVERIFY(m_store->insertRequestLogs(entries));

    const QHash<qint64, Store::DayUsage> usage = m_store->usageOn(QDate(2024, 5, 1));
    QCOMPARE(usage.value(1).requests, requests);
    QCOMPARE(usage.value(1).tokens, requests * 15);
    QCOMPARE(usage.value(2).requests, qint64(1));
    QCOMPARE(usage.value(2).tokens, qint64(2));
    QVERIFY(m_store->usageOn(QDate(2020, 1, 1)).isEmpty());
}

void TestSqlStore::usageByUser()
{
    QVERIFY(m_store->insertRequestLogs({
        logEntry(1, u"alice"_s, u"chat"_s, u"qwen2:7b"_s, 1, utc(2024, 5, 1, 9), 10, 5),
        logEntry(1, u"alice"_s, u"chat"_s, u"llama3:8b"_s, 1, utc(2024, 5, 2, 9), 7, 3),
        logEntry(2, u"bob"_s, u"chat"_s, u"qwen2:7b"_s, 1, utc(2024, 5, 1, 10), 1, 2),
        logEntry(1, u"alice"_s, u"chat"_s, u"qwen2:7b"_s, 1, utc(2024, 5, 3, 0), 100, 100), // after the period
    }));
    const QList<Store::UserUsage> usage = m_store->usageByUser(utc(2024, 5, 1), utc(2024, 5, 3));
    QCOMPARE(usage.size(), 2);
    // Busiest first, every model of the user summed.
    QCOMPARE(usage.at(0).username, u"alice"_s);
    QCOMPARE(usage.at(0).requests, 2);
    QCOMPARE(usage.at(0).promptTokens, 17);
    QCOMPARE(usage.at(0).completionTokens, 8);
    QCOMPARE(usage.at(1).username, u"bob"_s);
    QCOMPARE(usage.at(1).requests, 1);
    QCOMPARE(usage.at(1).promptTokens, 1);
    QCOMPARE(usage.at(1).completionTokens, 2);
    QVERIFY(m_store->usageByUser(utc(2020, 1, 1), utc(2020, 1, 2)).isEmpty());
}

void TestSqlStore::sharedCounters()
{
    using Admission = Store::Admission;
    const QDate day(2024, 5, 1);
    QCOMPARE(m_store->countedUsage(1, day), std::nullopt);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(m_store->countRequest(1, day, 3, std::nullopt), Admission::Admitted);
    QCOMPARE(m_store->countRequest(1, day, 3, std::nullopt), Admission::RequestLimitReached);
    QCOMPARE(m_store->countedUsage(1, day)->requests, 3);
    // Another day, another counter.
    QCOMPARE(m_store->countRequest(1, day.addDays(1), 3, std::nullopt), Admission::Admitted);
    QCOMPARE(m_store->countedUsage(1, day.addDays(1))->requests, 1);

    // Tokens count against the token limit once reported.
    QCOMPARE(m_store->countRequest(2, day, std::nullopt, 40), Admission::Admitted);
    QVERIFY(m_store->addCountedTokens(2, day, 25));
    QCOMPARE(m_store->countRequest(2, day, std::nullopt, 40), Admission::Admitted);
    QVERIFY(m_store->addCountedTokens(2, day, 25));
    QCOMPARE(m_store->countRequest(2, day, std::nullopt, 40), Admission::TokenLimitReached);
    QCOMPARE(m_store->countedUsage(2, day)->requests, 2);
    QCOMPARE(m_store->countedUsage(2, day)->tokens, 50);
    // Tokens of a request that began before midnight start the next day's row.
    QVERIFY(m_store->addCountedTokens(2, day.addDays(1), 5));
    QCOMPARE(m_store->countedUsage(2, day.addDays(1))->tokens, 5);

    // A zero limit admits nothing, not even a first request.
    QCOMPARE(m_store->countRequest(3, day, 0, std::nullopt), Admission::RequestLimitReached);
    QCOMPARE(m_store->countRequest(3, day, std::nullopt, 0), Admission::TokenLimitReached);
    QCOMPARE(m_store->countedUsage(3, day), std::nullopt);

    // Seeding starts missing rows only, and drops earlier days.
    QVERIFY(m_store->seedCounters(day, {{1, {9, 9}}, {4, {5, 7}}}));
    QCOMPARE(m_store->countedUsage(1, day)->requests, 3);
    QCOMPARE(m_store->countedUsage(4, day)->requests, 5);
    QCOMPARE(m_store->countedUsage(4, day)->tokens, 7);
    QVERIFY(m_store->seedCounters(day.addDays(1), {}));
    QCOMPARE(m_store->countedUsage(1, day), std::nullopt);
    QCOMPARE(m_store->countedUsage(1, day.addDays(1))->requests, 1);
}

void TestSqlStore::sharedCountersUnderContention()
{
    // Threads with a connection each stand in for gateway processes.
    const QDate day(2024, 5, 2);
    const int limit = 15;
    std::atomic<int> admitted{0};
    std::atomic<int> refused{0};
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back(QThread::create([this, day, limit, &admitted, &refused] {
            for (int i = 0; i < 10; ++i) {
                const auto outcome = m_store->countRequest(7, day, limit, std::nullopt);
                if (outcome == Store::Admission::Admitted)
                    ++admitted;
                else if (outcome == Store::Admission::RequestLimitReached)
                    ++refused;
            }
            m_database->closeThreadConnection();
        }));
        threads.back()->start();
    }
    for (const auto &thread : threads)
        QVERIFY(thread->wait(60000));
    QCOMPARE(admitted.load(), limit);
    QCOMPARE(refused.load(), 40 - limit);
    QCOMPARE(m_store->countedUsage(7, day)->requests, limit);
}

void TestSqlStore::configVersion()
{
    const qint64 first = m_store->configVersion();
    QCOMPARE(first, 0);
    QVERIFY(m_store->bumpConfigVersion());
    QVERIFY(m_store->bumpConfigVersion());
    QCOMPARE(m_store->configVersion(), first + 2);
    QCOMPARE(m_store->isShared(), m_testDatabase->isPostgres());
}

void TestSqlStore::writeTransactionsAreAllOrNothing()
{
    Node node;
    node.name = u"first"_s;
    node.baseUrl = QUrl(u"http://127.0.0.1:1"_s);
    // What another connection (another thread) sees: only what was committed.
    const auto nodesSeenElsewhere = [this] {
        qsizetype count = -1;
        std::unique_ptr<QThread> reader(QThread::create([this, &count] { count = m_store->nodes().size(); }));
        reader->start();
        reader->wait(30000);
        return count;
    };

    // Left without commit(): nothing stays, not even what the store's own multi-statement
    // changes (createUser, setUserModels) wrote inside it.
    {
        WriteTransaction transaction(m_store.get());
        QVERIFY(transaction.isOpen());
        QVERIFY(m_store->insertNode(node) > 0);
        const qint64 alice = m_store->createUser(u"alice"_s, Tokens::hash("t1"));
        QVERIFY(alice > 0);
        QVERIFY(m_store->setUserModels(alice, {u"chat"_s}, false));
        QCOMPARE(m_store->nodes().size(), 1); // seen inside
        QCOMPARE(nodesSeenElsewhere(), 0);
    }
    QVERIFY(m_store->nodes().isEmpty());
    QVERIFY(!m_store->user(u"alice"_s));

    // A statement the database refuses ends it: what came before is gone, nothing after it runs,
    // and commit() says so.
    {
        WriteTransaction transaction(m_store.get());
        QVERIFY(m_store->insertNode(node) > 0);
        QCOMPARE(m_store->insertNode(node), 0); // the name is taken
        QVERIFY(m_store->createUser(u"bob"_s, Tokens::hash("t2")) == 0);
        QVERIFY(!transaction.commit());
    }
    QVERIFY(m_store->nodes().isEmpty());
    QVERIFY(!m_store->user(u"bob"_s));

    // A change of the store that gives up inside it (no such prompt) rolls it back too.
    {
        WriteTransaction transaction(m_store.get());
        QVERIFY(m_store->insertNode(node) > 0);
        QVERIFY(!m_store->setSystemPromptPriorities({{4242, 1}}));
        QVERIFY(!transaction.commit());
    }
    QVERIFY(m_store->nodes().isEmpty());

    // Committed, everything stays; and the connection writes on its own again afterwards.
    {
        WriteTransaction transaction(m_store.get());
        QVERIFY(m_store->insertNode(node) > 0);
        QVERIFY(m_store->createUser(u"carol"_s, Tokens::hash("t3")) > 0);
        QVERIFY(transaction.commit());
    }
    QCOMPARE(nodesSeenElsewhere(), 1);
    QVERIFY(m_store->user(u"carol"_s));
    node.name = u"second"_s;
    QVERIFY(m_store->insertNode(node) > 0);
    QCOMPARE(nodesSeenElsewhere(), 2);
}

void TestSqlStore::usageWriterLosesNothing()
{
    constexpr int threadCount = 4;
    constexpr int perThread = 1000;
    UsageWriter writer(m_store.get(), m_database.get());
    writer.start();
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < threadCount; ++t) {
        threads.emplace_back(QThread::create([&writer, t] {
            for (int i = 0; i < perThread; ++i) {
                writer.enqueue(logEntry(t + 1, u"user%1"_s.arg(t + 1), u"m"_s, u"m"_s, 1,
                                        QDateTime::currentDateTimeUtc()));
            }
        }));
        threads.back()->start();
    }
    for (auto &thread : threads)
        QVERIFY(thread->wait(30000));
    writer.stop();

    QCOMPARE(writer.pendingCount(), 0);
    QCOMPARE(writer.writtenCount(), qint64(threadCount * perThread));
    qint64 total = 0;
    m_store->requestLogs(LogQuery {}, &total);
    QCOMPARE(total, qint64(threadCount * perThread));
    for (int t = 1; t <= threadCount; ++t) {
        LogQuery query;
        query.username = u"user%1"_s.arg(t);
        m_store->requestLogs(query, &total);
        QCOMPARE(total, qint64(perThread));
    }
}

void TestSqlStore::usageWriterWritesWhatCameBeforeStart()
{
    UsageWriter writer(m_store.get(), m_database.get());
    for (int i = 0; i < 3; ++i)
        writer.enqueue(logEntry(1, u"early"_s, u"m"_s, u"m"_s, 1, QDateTime::currentDateTimeUtc()));
    QCOMPARE(writer.pendingCount(), 3);
    writer.start();
    writer.stop();
    QCOMPARE(writer.pendingCount(), 0);
    qint64 total = 0;
    m_store->requestLogs(LogQuery {}, &total);
    QCOMPARE(total, qint64(3));
}

namespace {

// Set by messageWatcher when the usage writer reports a refused write.
std::atomic<bool> g_writeRefused = false;
QtMessageHandler g_previousHandler = nullptr;

void messageWatcher(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (message.contains(u"could not write"_s))
        g_writeRefused = true;
    g_previousHandler(type, context, message);
}

} // namespace

void TestSqlStore::usageWriterRetriesWhileTheDatabaseRefuses()
{
    // The table goes away, so the writer's first attempt fails; once it is back, the entry is
    // written by the retry alone: nothing else is enqueued.
    QSqlQuery query(m_database->connection());
    QVERIFY2(query.exec(u"ALTER TABLE request_logs RENAME TO request_logs_away"_s),
             qPrintable(query.lastError().text()));
    g_writeRefused = false;
    g_previousHandler = qInstallMessageHandler(messageWatcher);
    const auto restoreHandler = qScopeGuard([] { qInstallMessageHandler(g_previousHandler); });

    UsageWriter writer(m_store.get(), m_database.get());
    writer.start();
    writer.enqueue(logEntry(1, u"patient"_s, u"m"_s, u"m"_s, 1, QDateTime::currentDateTimeUtc()));
    QTRY_VERIFY_WITH_TIMEOUT(g_writeRefused.load(), 10000);
    QCOMPARE(writer.pendingCount(), 1);
    QVERIFY2(query.exec(u"ALTER TABLE request_logs_away RENAME TO request_logs"_s),
             qPrintable(query.lastError().text()));
    QTRY_COMPARE_WITH_TIMEOUT(writer.writtenCount(), qint64(1), 10000);
    QCOMPARE(writer.pendingCount(), 0);
    writer.stop();
    qint64 total = 0;
    LogQuery patient;
    patient.username = u"patient"_s;
    m_store->requestLogs(patient, &total);
    QCOMPARE(total, qint64(1));
}

void TestSqlStore::usageWriterQueueIsBounded()
{
    // Not started: nothing drains, as while the database is away.
    UsageWriter writer(m_store.get(), m_database.get(), 5);
    QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(u"usage log queue full"_s));
    for (int i = 0; i < 8; ++i)
        writer.enqueue(logEntry(1, u"bounded"_s, u"m"_s, u"m"_s, 1, QDateTime::currentDateTimeUtc()));
    QCOMPARE(writer.pendingCount(), 5);
    QCOMPARE(writer.droppedCount(), qint64(3));
    writer.start();
    writer.stop();
    QCOMPARE(writer.writtenCount(), qint64(5));
    qint64 total = 0;
    LogQuery bounded;
    bounded.username = u"bounded"_s;
    m_store->requestLogs(bounded, &total);
    QCOMPARE(total, qint64(5));
}

void TestSqlStore::usageWriterCapsRefusalsPerUser()
{
    UsageWriter writer(m_store.get(), m_database.get());
    // Three at once, then one per 400 ms.
    writer.setRefusalCap(3, 400);
    const auto refusal = [](qint64 userId, const QString &name) {
        RequestLogEntry e = logEntry(userId, name, u"chat"_s, QString(), 0, QDateTime::currentDateTimeUtc(), 0, 0);
        e.statusCode = 429;
        e.reason = u"limit:daily_requests"_s;
        return e;
    };
    for (int i = 0; i < 10; ++i)
        writer.enqueue(refusal(1, u"alice"_s));
    // Another user has a cap of its own, and requests served are never capped.
    for (int i = 0; i < 3; ++i)
        writer.enqueue(refusal(2, u"bob"_s));
    for (int i = 0; i < 10; ++i)
        writer.enqueue(logEntry(1, u"alice"_s, u"chat"_s, u"qwen2:7b"_s, 1, QDateTime::currentDateTimeUtc()));
    QCOMPARE(writer.pendingCount(), qint64(3 + 3 + 10));
    QCOMPARE(writer.suppressedCount(), qint64(7));

    // Once the interval passed, alice's next refusal is written with the count of those left out.
    QTest::qWait(450);
    writer.enqueue(refusal(1, u"alice"_s));
    writer.start();
    writer.stop();
    LogQuery query;
    query.username = u"alice"_s;
    query.statuses = {{429, 429}};
    qint64 total = 0;
    const QList<RequestLogEntry> logs = m_store->requestLogs(query, &total);
    QCOMPARE(total, qint64(4));
    QCOMPARE(logs.first().suppressed, qint64(7));
    for (qsizetype i = 1; i < logs.size(); ++i)
        QCOMPARE(logs.at(i).suppressed, qint64(0));
    query.username = u"bob"_s;
    m_store->requestLogs(query, &total);
    QCOMPARE(total, qint64(3));
}

void TestSqlStore::fileSecretStore_data()
{
    QTest::addColumn<bool>("preexisting"); // a world-readable file is already there

    QTest::newRow("a new secret file is created readable by its owner only") << false;
    QTest::newRow("an existing world-readable file is tightened to owner only") << true;
}

void TestSqlStore::fileSecretStore()
{
    QFETCH(bool, preexisting);

    const QString path = m_dir->filePath(u"secrets.json"_s);
    if (preexisting) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{}");
        file.close();
        QVERIFY(::chmod(QFile::encodeName(path).constData(), 0644) == 0);
    }
    FileSecretStore secrets(path);
    QVERIFY(!secrets.read(u"node/1/api_key"_s));
    QVERIFY(secrets.write(u"node/1/api_key"_s, u"sk-one"_s));
    QVERIFY(secrets.write(u"admin_token"_s, u"mm-admin"_s));
    QCOMPARE(filePermissions(path), 0600);
    QCOMPARE(secrets.read(u"node/1/api_key"_s), std::optional<QString>(u"sk-one"_s));

    // A second instance (the next start) reads the same values.
    FileSecretStore again(path);
    QCOMPARE(again.read(u"admin_token"_s), std::optional<QString>(u"mm-admin"_s));
    QVERIFY(again.remove(u"node/1/api_key"_s));
    QVERIFY(again.remove(u"never/written"_s));
    QVERIFY(!secrets.read(u"node/1/api_key"_s));
    QCOMPARE(filePermissions(path), 0600);
    QVERIFY(secrets.description().contains(path));
}

QTEST_GUILESS_MAIN(TestSqlStore)
#include "tst_sqlstore.moc"

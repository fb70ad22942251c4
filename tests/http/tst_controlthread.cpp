// The control thread owns the database: every statement the gateway runs for admin requests
// (changes, logs, usage, dashboards), catalog loads, node probes and desktop calls runs on it,
// never on an I/O thread; a database that stops answering delays admin requests (answered 503
// within a bounded time) but not a single running stream. Ids in admin paths are checked.
// On SQLite, and PostgreSQL when MAESTRO_TEST_PG_URL is set.

#include "fakeupstream.h"
#include "gatewayharness.h"
#include "http/control.h"
#include "http/gatewaythread.h"
#include "storage/database.h"
#include "storage/filesecretstore.h"
#include "storage/sqlstore.h"
#include "storage/usagewriter.h"
#include "testdatabase.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <csignal>
#include <memory>

using namespace Qt::StringLiterals;
using namespace Maestro;
using Maestro::Test::FakeUpstream;
using Maestro::Test::Response;
using Maestro::Test::TestDatabase;

namespace {

const QByteArray AdminToken = QByteArrayLiteral("test-admin");

// A Store that remembers on which thread (by name) each of its methods ran, and passes every
// call on to the real one.
class RecordingStore final : public Store
{
public:
    explicit RecordingStore(Store *inner) : m_inner(inner) {}

    // thread name -> the methods called on it
    QHash<QString, QSet<QString>> calls() const
    {
        QMutexLocker lock(&m_mutex);
        return m_calls;
    }

    bool beginRead() override { return note("beginRead"), m_inner->beginRead(); }
    bool endRead() override { return note("endRead"), m_inner->endRead(); }
    QList<User> users() override { return note("users"), m_inner->users(); }
    std::optional<User> user(const QString &username) override { return note("user"), m_inner->user(username); }
    QHash<QString, qint64> tokenHashes() override { return note("tokenHashes"), m_inner->tokenHashes(); }
    qint64 createUser(const QString &username, const QByteArray &tokenHash) override
    {
        return note("createUser"), m_inner->createUser(username, tokenHash);
    }
    bool setTokenHash(qint64 userId, const QByteArray &tokenHash) override
    {
        return note("setTokenHash"), m_inner->setTokenHash(userId, tokenHash);
    }
    bool deactivateUser(qint64 userId) override { return note("deactivateUser"), m_inner->deactivateUser(userId); }
    bool setUserModels(qint64 userId, const QStringList &models, bool allModels) override
    {
        return note("setUserModels"), m_inner->setUserModels(userId, models, allModels);
    }
    bool setUserLimits(qint64 userId, const UserLimits &limits) override
    {
        return note("setUserLimits"), m_inner->setUserLimits(userId, limits);
    }
    bool setUserNodes(qint64 userId, const QList<qint64> &nodeIds, const QList<NodeModelGrant> &nodeModels) override
    {
        return note("setUserNodes"), m_inner->setUserNodes(userId, nodeIds, nodeModels);
    }
    QList<Node> nodes() override { return note("nodes"), m_inner->nodes(); }
    std::optional<Node> node(qint64 id) override { return note("node"), m_inner->node(id); }
    qint64 insertNode(const Node &node) override { return note("insertNode"), m_inner->insertNode(node); }
    bool updateNode(const Node &node) override { return note("updateNode"), m_inner->updateNode(node); }
    bool deleteNode(qint64 id) override { return note("deleteNode"), m_inner->deleteNode(id); }
    bool setNodeHealth(qint64 id, Health health, const QString &error, const QDateTime &at) override
    {
        return note("setNodeHealth"), m_inner->setNodeHealth(id, health, error, at);
    }
    QList<NodeModel> nodeModels() override { return note("nodeModels"), m_inner->nodeModels(); }
    bool replaceNodeModels(qint64 nodeId, const QList<NodeModel> &models) override
    {
        return note("replaceNodeModels"), m_inner->replaceNodeModels(nodeId, models);
    }
    QList<ModelMapping> mappings() override { return note("mappings"), m_inner->mappings(); }
    bool insertMapping(const ModelMapping &mapping) override { return note("insertMapping"), m_inner->insertMapping(mapping); }
    bool updateMapping(const QString &displayName, const ModelMapping &mapping) override
    {
        return note("updateMapping"), m_inner->updateMapping(displayName, mapping);
    }
    bool deleteMapping(const QString &displayName) override { return note("deleteMapping"), m_inner->deleteMapping(displayName); }
    QList<ModelGroup> groups() override { return note("groups"), m_inner->groups(); }
    qint64 insertGroup(const ModelGroup &group) override { return note("insertGroup"), m_inner->insertGroup(group); }
    bool updateGroup(const ModelGroup &group) override { return note("updateGroup"), m_inner->updateGroup(group); }
    bool deleteGroup(qint64 id) override { return note("deleteGroup"), m_inner->deleteGroup(id); }
    qint64 insertMember(const GroupMember &member) override { return note("insertMember"), m_inner->insertMember(member); }
    bool updateMember(const GroupMember &member) override { return note("updateMember"), m_inner->updateMember(member); }
    bool deleteMember(qint64 memberId) override { return note("deleteMember"), m_inner->deleteMember(memberId); }
    QList<ToolSet> toolSets() override { return note("toolSets"), m_inner->toolSets(); }
    bool saveToolSet(const ToolSet &set) override { return note("saveToolSet"), m_inner->saveToolSet(set); }
    bool deleteToolSet(const QString &name) override { return note("deleteToolSet"), m_inner->deleteToolSet(name); }
    QList<ModelConfig> modelConfigs() override { return note("modelConfigs"), m_inner->modelConfigs(); }
    bool saveModelConfig(const ModelConfig &config) override { return note("saveModelConfig"), m_inner->saveModelConfig(config); }
    bool deleteModelConfig(const QString &pattern) override
    {
        return note("deleteModelConfig"), m_inner->deleteModelConfig(pattern);
    }
    QList<SystemPrompt> systemPrompts() override { return note("systemPrompts"), m_inner->systemPrompts(); }
    qint64 insertSystemPrompt(const SystemPrompt &prompt) override
    {
        return note("insertSystemPrompt"), m_inner->insertSystemPrompt(prompt);
    }
    bool updateSystemPrompt(const SystemPrompt &prompt) override
    {
        return note("updateSystemPrompt"), m_inner->updateSystemPrompt(prompt);
    }
    bool deleteSystemPrompt(qint64 id) override { return note("deleteSystemPrompt"), m_inner->deleteSystemPrompt(id); }
    bool setSystemPromptPriorities(const QHash<qint64, int> &priorities) override
    {
        return note("setSystemPromptPriorities"), m_inner->setSystemPromptPriorities(priorities);
    }
    bool insertRequestLogs(const QList<RequestLogEntry> &entries) override
    {
        return note("insertRequestLogs"), m_inner->insertRequestLogs(entries);
    }
    QList<RequestLogEntry> requestLogs(const LogQuery &query, qint64 *total) override
    {
        return note("requestLogs"), m_inner->requestLogs(query, total);
    }
    QHash<qint64, DayUsage> usageOn(QDate utcDay) override { return note("usageOn"), m_inner->usageOn(utcDay); }
    QHash<qint64, NodeTraffic> nodeTraffic(QDate utcDay) override { return note("nodeTraffic"), m_inner->nodeTraffic(utcDay); }
    QList<ModelUsage> usageByModel(qint64 userId, const QDateTime &from, const QDateTime &to) override
    {
        return note("usageByModel"), m_inner->usageByModel(userId, from, to);
    }
    QList<UserUsage> usageByUser(const QDateTime &from, const QDateTime &to) override
    {
        return note("usageByUser"), m_inner->usageByUser(from, to);
    }
    bool insertAudit(const AuditEntry &entry) override { return note("insertAudit"), m_inner->insertAudit(entry); }
    QList<AuditEntry> auditLogs(const LogQuery &query, qint64 *total) override
    {
        return note("auditLogs"), m_inner->auditLogs(query, total);
    }
    QHash<QString, QString> settings() override { return note("settings"), m_inner->settings(); }
    bool writeSettings(const QHash<QString, std::optional<QString>> &changes) override
    {
        return note("writeSettings"), m_inner->writeSettings(changes);
    }
    bool isShared() const override { return m_inner->isShared(); }
    Admission countRequest(qint64 userId, QDate utcDay, std::optional<qint64> requestLimit,
                           std::optional<qint64> tokenLimit) override
    {
        return note("countRequest"), m_inner->countRequest(userId, utcDay, requestLimit, tokenLimit);
    }
    bool addCountedTokens(qint64 userId, QDate utcDay, qint64 tokens) override
    {
        return note("addCountedTokens"), m_inner->addCountedTokens(userId, utcDay, tokens);
    }
    std::optional<DayUsage> countedUsage(qint64 userId, QDate utcDay) override
    {
        return note("countedUsage"), m_inner->countedUsage(userId, utcDay);
    }
    bool seedCounters(QDate utcDay, const QHash<qint64, DayUsage> &usage) override
    {
        return note("seedCounters"), m_inner->seedCounters(utcDay, usage);
    }
    qint64 configVersion() override { return note("configVersion"), m_inner->configVersion(); }
    bool bumpConfigVersion() override { return note("bumpConfigVersion"), m_inner->bumpConfigVersion(); }

private:
    void note(const char *method)
    {
        QMutexLocker lock(&m_mutex);
        m_calls[QThread::currentThread()->objectName()].insert(QString::fromLatin1(method));
    }

    Store *m_inner;
    mutable QMutex m_mutex;
    QHash<QString, QSet<QString>> m_calls;
};

} // namespace

class TestControlThread : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanup();

    void databaseWorkRunsOnTheControlThreadOnly();
    void changesFromHttpAndFromTheDesktopPathBothLand();
    void idsInAdminPathsAreChecked_data();
    void idsInAdminPathsAreChecked();
    void databaseThatStopsAnsweringDoesNotStallStreams();

private:
    void startGateway(GatewayConfig config);
    Response admin(const QByteArray &method, const QString &path, const QJsonObject &body = {},
                   int timeoutMs = 15000);
    Response chat(const QByteArray &token, const QString &model, bool stream);
    QByteArray createUser(const QString &name);
    // Runs work on the control thread through its port (the way the desktop application's calls
    // go) and waits for it.
    template<typename Work>
    auto onControl(Work work);

    QNetworkAccessManager m_nam;
    Clock m_clock;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<TestDatabase> m_testDatabase;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<SqlStore> m_sqlStore;
    std::unique_ptr<RecordingStore> m_store;
    std::unique_ptr<FileSecretStore> m_secrets;
    std::unique_ptr<UsageWriter> m_usage;
    std::unique_ptr<GatewayThread> m_gateway;
    std::unique_ptr<FakeUpstream> m_ollama;
    qint64 m_nodeId = 0;
};

void TestControlThread::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void TestControlThread::initTestCase()
{
    m_nam.setProxy(QNetworkProxy::NoProxy);
}

void TestControlThread::init()
{
    QFETCH_GLOBAL(QString, backend);
    if (const QString reason = TestDatabase::unavailableReason(backend); !reason.isEmpty())
        QSKIP(qPrintable(reason));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_testDatabase = std::make_unique<TestDatabase>(backend);
    QString error;
    QVERIFY2(m_testDatabase->create(&error), qPrintable(error));
    m_database = std::make_unique<Database>(m_testDatabase->config());
    QVERIFY2(m_database->open(&error), qPrintable(error));
    m_sqlStore = std::make_unique<SqlStore>(m_database.get());
    m_store = std::make_unique<RecordingStore>(m_sqlStore.get());
    m_secrets = std::make_unique<FileSecretStore>(m_dir->filePath(u"secrets.json"_s));
    m_ollama = std::make_unique<FakeUpstream>(NodeType::Ollama);
    m_ollama->setModels({u"llama3.2:latest"_s});
    QVERIFY(m_ollama->listen());
}

void TestControlThread::cleanup()
{
    if (m_gateway)
        m_gateway->stop(1000);
    if (m_usage)
        m_usage->stop();
    m_gateway.reset();
    m_usage.reset();
    m_ollama.reset();
    m_secrets.reset();
    m_store.reset();
    m_sqlStore.reset();
    m_database.reset();
    m_testDatabase.reset();
    m_dir.reset();
    m_nodeId = 0;
}

void TestControlThread::startGateway(GatewayConfig config)
{
    m_usage = std::make_unique<UsageWriter>(m_store.get(), m_database.get());
    m_usage->start();
    config.port = 0;
    config.adminToken = AdminToken;
    config.ioThreads = 2;
    m_gateway = std::make_unique<GatewayThread>(config, m_store.get(), m_secrets.get(), m_usage.get(), &m_clock,
                                                m_database.get());
    QString error;
    QVERIFY2(m_gateway->start(&error), qPrintable(error));
    const Response node = admin("POST", u"/admin/nodes"_s,
                                {{u"name"_s, u"ollama"_s},
                                 {u"base_url"_s, m_ollama->baseUrl().toString()},
                                 {u"node_type"_s, u"ollama"_s}});
    QCOMPARE(node.status, 201);
    m_nodeId = qint64(node.json().value("id"_L1).toDouble());
}

Response TestControlThread::admin(const QByteArray &method, const QString &path, const QJsonObject &body,
                                  int timeoutMs)
{
    return Test::sendRequest(m_nam, QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_gateway->port()).arg(path)), method,
                             body.isEmpty() ? QByteArray() : Test::toJson(body), AdminToken, {}, timeoutMs);
}

Response TestControlThread::chat(const QByteArray &token, const QString &model, bool stream)
{
    const QJsonObject body{{u"model"_s, model}, {u"stream"_s, stream}, {u"messages"_s, Test::userMessage(u"hi"_s)}};
    return Test::sendRequest(m_nam, QUrl(u"http://127.0.0.1:%1/api/chat"_s.arg(m_gateway->port())), "POST",
                             Test::toJson(body), token);
}

QByteArray TestControlThread::createUser(const QString &name)
{
    const Response created = admin("POST", u"/admin/users"_s, {{u"username"_s, name}});
    if (created.status != 201 || admin("POST", u"/admin/users/%1/models/all"_s.arg(name)).status != 200)
        return {};
    return created.json().value("token"_L1).toString().toUtf8();
}

template<typename Work>
auto TestControlThread::onControl(Work work)
{
    using T = std::invoke_result_t<Work, Control *>;
    auto result = std::make_shared<std::optional<T>>();
    auto mutex = std::make_shared<QMutex>();
    const bool posted = m_gateway->controlPort()->call([work, result, mutex](Control *control) {
        T value = work(control);
        QMutexLocker lock(mutex.get());
        *result = std::move(value);
    });
    QElapsedTimer timer;
    timer.start();
    const auto done = [&] {
        QMutexLocker lock(mutex.get());
        return result->has_value();
    };
    while (posted && !done() && timer.elapsed() < 15000)
        QTest::qWait(10);
    QMutexLocker lock(mutex.get());
    return result->value_or(T());
}

void TestControlThread::databaseWorkRunsOnTheControlThreadOnly()
{
    GatewayConfig config;
    config.healthIntervalMs = 100; // periodic probes record their outcome too
    startGateway(config);
    const QByteArray token = createUser(u"alice"_s);
    QVERIFY(!token.isEmpty());
    QCOMPARE(admin("POST", u"/admin/model-mappings"_s,
                   {{u"display_name"_s, u"chat"_s}, {u"real_name"_s, u"llama3.2:latest"_s}})
                 .status,
             201);
    // LLM traffic, served on the I/O threads.
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(chat(token, u"chat"_s, i % 2 == 0).status, 200);
    }
    // Admin reads that used to query the store from the I/O thread, and node work.
    QTRY_VERIFY(admin("GET", u"/admin/request-logs?username=alice"_s).json().value("total"_L1).toInt() == 4);
    QCOMPARE(admin("GET", u"/admin/users/alice/activity"_s).status, 200);
    QCOMPARE(admin("GET", u"/admin/users/alice/token-usage"_s).status, 200);
    QCOMPARE(admin("GET", u"/admin/stats"_s).status, 200);
    QCOMPARE(admin("GET", u"/admin/dashboard/user-stats"_s).status, 200);
    QCOMPARE(admin("GET", u"/admin/nodes"_s).status, 200);
    QCOMPARE(admin("GET", u"/admin/audit-logs"_s).status, 200);
    QCOMPARE(admin("POST", u"/admin/nodes/%1/health-check"_s.arg(m_nodeId)).status, 200);
    QCOMPARE(admin("POST", u"/admin/nodes/sync-all"_s).status, 200);
    QCOMPARE(admin("PUT", u"/admin/settings"_s, {{u"metrics_public"_s, true}}).status, 200);
    QCOMPARE(admin("GET", u"/admin/export"_s).status, 200);
    QTest::qWait(300); // a few periodic probes

    const auto calls = m_store->calls();
    QStringList threads = calls.keys();
    threads.sort();
    // The control thread and the usage log's writer, and no other (the I/O threads are named
    // gateway-0, gateway-1).
    QCOMPARE(threads, (QStringList{u"gateway-control"_s, u"usage-writer"_s}));
    const QSet<QString> &control = calls.value(u"gateway-control"_s);
    for (const char *method : {"createUser", "setUserModels", "insertNode", "insertMapping", "beginRead", "users",
                               "requestLogs", "usageByModel", "usageByUser", "nodeTraffic", "auditLogs",
                               "setNodeHealth", "writeSettings", "usageOn"}) {
        QVERIFY2(control.contains(QString::fromLatin1(method)), method);
    }
    QCOMPARE(calls.value(u"usage-writer"_s), (QSet<QString>{u"insertRequestLogs"_s}));
}

void TestControlThread::changesFromHttpAndFromTheDesktopPathBothLand()
{
    startGateway({});
    const QByteArray httpToken = createUser(u"from-http"_s);
    QVERIFY(!httpToken.isEmpty());
    // The desktop application's calls reach the AdminService the same way: posted to the control
    // thread through its port.
    const auto [thread, desktopToken] = onControl([](Control *control) {
        const auto created = control->admin()->createUser(u"from-desktop"_s);
        control->admin()->grantAllModels(u"from-desktop"_s);
        return std::pair{QThread::currentThread()->objectName(), created.ok() ? created.value().token : QString()};
    });
    QCOMPARE(thread, u"gateway-control"_s);
    QVERIFY(!desktopToken.isEmpty());

    // Both changes are in the database, in the published catalog, and usable on the I/O threads.
    QStringList names;
    for (const QJsonValue &user : admin("GET", u"/admin/users"_s).array())
        names.append(user.toObject().value("username"_L1).toString());
    QVERIFY(names.contains(u"from-http"_s));
    QVERIFY(names.contains(u"from-desktop"_s));
    const bool bothPublished = onControl([](Control *control) {
        const CatalogSnapshot catalog = control->catalog();
        return catalog->user(u"from-http"_s) != nullptr && catalog->user(u"from-desktop"_s) != nullptr;
    });
    QVERIFY(bothPublished);
    QCOMPARE(chat(httpToken, u"llama3.2:latest"_s, false).status, 200);
    QCOMPARE(chat(desktopToken.toUtf8(), u"llama3.2:latest"_s, false).status, 200);
    // Each change was audited once.
    const QJsonArray audit = admin("GET", u"/admin/audit-logs?action=user.create"_s).json().value("logs"_L1).toArray();
    QStringList audited;
    for (const QJsonValue &entry : audit)
        audited.append(entry.toObject().value("entity_id"_L1).toString());
    audited.sort();
    QCOMPARE(audited, (QStringList{u"from-desktop"_s, u"from-http"_s}));
}

void TestControlThread::idsInAdminPathsAreChecked_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("detail");

    const QString node = u"Invalid node id \"%1\": expected a positive integer"_s;
    QTest::newRow("a node id that is a word") << QByteArray("GET") << u"/admin/nodes/abc"_s << node.arg(u"abc"_s);
    QTest::newRow("a node id with a trailing letter") << QByteArray("GET") << u"/admin/nodes/1x"_s << node.arg(u"1x"_s);
    QTest::newRow("a negative node id") << QByteArray("DELETE") << u"/admin/nodes/-1"_s << node.arg(u"-1"_s);
    QTest::newRow("node id 0") << QByteArray("PATCH") << u"/admin/nodes/0/toggle"_s << node.arg(u"0"_s);
    QTest::newRow("a node id past 64 bits") << QByteArray("POST") << u"/admin/nodes/99999999999999999999/health-check"_s
                                           << node.arg(u"99999999999999999999"_s);
    QTest::newRow("a node id with a sign") << QByteArray("POST") << u"/admin/nodes/+1/sync-models"_s << node.arg(u"+1"_s);
    QTest::newRow("a node id with a space") << QByteArray("GET") << u"/admin/nodes/%201/models"_s << node.arg(u" 1"_s);
    QTest::newRow("warming a node id that is a word") << QByteArray("POST") << u"/admin/nodes/ab/warmup"_s << node.arg(u"ab"_s);
    QTest::newRow("a user's node id that is a word") << QByteArray("DELETE") << u"/admin/users/alice/nodes/x"_s
                                                    << node.arg(u"x"_s);
    QTest::newRow("a member id that is a word") << QByteArray("DELETE") << u"/admin/model-groups/g/members/x"_s
                                               << u"Invalid member id \"x\": expected a positive integer"_s;
    QTest::newRow("a system prompt id with a decimal point")
        << QByteArray("GET") << u"/admin/system-prompts/1.5"_s
        << u"Invalid system prompt id \"1.5\": expected a positive integer"_s;
}

void TestControlThread::idsInAdminPathsAreChecked()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QString, detail);
    if (!m_gateway)
        startGateway({});
    const Response response = admin(method, path);
    QCOMPARE(response.status, 400);
    QCOMPARE(response.json(), (QJsonObject{{u"detail"_s, detail}}));
    // A well-formed id that names nothing is still 404.
    QCOMPARE(admin("GET", u"/admin/nodes/987654"_s).status, 404);
}

void TestControlThread::databaseThatStopsAnsweringDoesNotStallStreams()
{
    QFETCH_GLOBAL(QString, backend);
    GatewayConfig config;
    config.adminTimeoutMs = 1500;
    config.configPollMs = 200; // a shared store's poll goes on trying meanwhile
    startGateway(config);
    const QByteArray token = createUser(u"streamer"_s);
    QVERIFY(!token.isEmpty());

    // The database stops answering: on PostgreSQL the server processes of this database are
    // stopped (the gateway's connections hang in mid-statement, as with a server or network that
    // went silent); on SQLite another connection holds the write lock, so that writers wait.
    QList<qint64> stopped;
    std::unique_ptr<QSqlDatabase> locker;
    const auto resume = qScopeGuard([&] {
        for (const qint64 pid : std::as_const(stopped))
            ::kill(pid_t(pid), SIGCONT);
        if (locker)
            locker->rollback();
    });

    // A stream that runs for about 4 s, started before the outage.
    m_ollama->setReplyWords(40);
    m_ollama->setChunkDelay(100);
    QNetworkRequest request(QUrl(u"http://127.0.0.1:%1/api/chat"_s.arg(m_gateway->port())));
    request.setRawHeader("Authorization", "Bearer " + token);
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    QElapsedTimer clock;
    clock.start();
    std::unique_ptr<QNetworkReply> stream(m_nam.post(
        request, Test::toJson({{u"model"_s, u"llama3.2:latest"_s}, {u"messages"_s, Test::userMessage(u"go"_s)}})));
    QList<qint64> pieces; // when each arrived
    connect(stream.get(), &QNetworkReply::readyRead, this, [&] {
        if (!stream->readAll().isEmpty())
            pieces.append(clock.elapsed());
    });
    QTRY_VERIFY_WITH_TIMEOUT(pieces.size() >= 2, 5000);

    if (backend == u"postgresql"_s) {
        QSqlQuery query(m_database->connection());
        QVERIFY(query.exec(u"SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"_s));
        QList<qint64> backends;
        while (query.next())
            backends.append(query.value(0).toLongLong());
        QVERIFY(!backends.isEmpty());
        for (const qint64 pid : std::as_const(backends)) {
            if (::kill(pid_t(pid), SIGSTOP) != 0)
                QSKIP("cannot stop the PostgreSQL server's processes (another user's server?)");
            stopped.append(pid);
        }
    } else {
        locker = std::make_unique<QSqlDatabase>(QSqlDatabase::addDatabase(u"QSQLITE"_s, u"locker"_s));
        locker->setDatabaseName(m_testDatabase->config().path);
        QVERIFY(locker->open());
        QVERIFY(QSqlQuery(*locker).exec(u"BEGIN EXCLUSIVE"_s));
    }
    const qint64 outageStart = clock.elapsed();

    // An admin change during the outage: a clear 503 within a bounded time, not a hang.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"admin request for /admin/users got no answer within 1500 ms"_s));
    QElapsedTimer waited;
    waited.start();
    const Response during = admin("POST", u"/admin/users"_s, {{u"username"_s, u"during-outage"_s}}, 10000);
    QCOMPARE(during.status, 503);
    QVERIFY2(waited.elapsed() < 1500 + 2000, qPrintable(QString::number(waited.elapsed())));
    QVERIFY(during.json().value("detail"_L1).toString().contains(u"database is not responding"_s));

    // LLM traffic goes on meanwhile: a new request is admitted, routed and answered...
    m_ollama->setChunkDelay(0);
    QElapsedTimer answered;
    answered.start();
    const Response other = chat(token, u"llama3.2:latest"_s, false);
    QCOMPARE(other.status, 200);
    QVERIFY(answered.elapsed() < 1000);
    // ...and the stream kept flowing: pieces arrived through the outage without a long gap.
    QTRY_VERIFY_WITH_TIMEOUT(stream->isFinished(), 10000);
    const qint64 outageEnd = clock.elapsed();
    QCOMPARE(stream->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(stream->error(), QNetworkReply::NoError);
    int during_outage = 0;
    qint64 previous = outageStart;
    qint64 longestGap = 0;
    for (const qint64 at : std::as_const(pieces)) {
        if (at <= outageStart || at > outageEnd)
            continue;
        ++during_outage;
        longestGap = std::max(longestGap, at - previous);
        previous = at;
    }
    QVERIFY2(during_outage >= 10, qPrintable(QString::number(during_outage)));
    QVERIFY2(longestGap < 1000, qPrintable(QString::number(longestGap)));

    // Once the database answers again, so does the admin API.
    for (const qint64 pid : std::as_const(stopped))
        ::kill(pid_t(pid), SIGCONT);
    stopped.clear();
    if (locker) {
        locker->rollback();
        locker->close();
        locker.reset();
        QSqlDatabase::removeDatabase(u"locker"_s);
    }
    QTRY_COMPARE_WITH_TIMEOUT(admin("GET", u"/admin/users/streamer"_s).status, 200, 15000);
}

QTEST_MAIN(TestControlThread)
#include "tst_controlthread.moc"

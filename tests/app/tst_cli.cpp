// The real model-maestro binary: command line, ready line, health, and a graceful SIGTERM that
// lets a running stream finish and flushes the usage log.

#include "fakeupstream.h"
#include "core/tokens.h"
#include "storage/database.h"
#include "storage/sqlstore.h"
#include "testdatabase.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <csignal>

using namespace Qt::StringLiterals;
using Maestro::NodeType;
using Maestro::Test::FakeUpstream;

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void versionAndHelp();
    void badFlag_data();
    void badFlag();
    void unusableDatabase_data();
    void unusableDatabase();
    void readyLineAndHealth();
    void sigtermLetsStreamsFinishAndFlushesTheLog();
    void migrateFrom();

private:
    struct Run
    {
        int exitCode = -1;
        QProcess::ExitStatus status = QProcess::CrashExit;
        QByteArray out;
        QByteArray err;
    };
    Run run(const QStringList &arguments);
    // Starts the gateway on a free port; returns the port, 0 on failure.
    quint16 startGateway(QProcess *process, const QString &dataDir, const QByteArray &adminToken = {});
    QNetworkReply *request(const QByteArray &method, quint16 port, const QString &path,
                           const QByteArray &token, const QJsonObject &body = {});
    static bool wait(QNetworkReply *reply, int timeoutMs = 10000);

    QString m_binary;
    QNetworkAccessManager m_nam;
};

void TestCli::initTestCase()
{
    const QByteArray binDir = qgetenv("MAESTRO_BIN_DIR");
    QVERIFY2(!binDir.isEmpty(), "MAESTRO_BIN_DIR is not set (run through ctest)");
    m_binary = QDir(QString::fromLocal8Bit(binDir)).filePath(u"model-maestro"_s);
    QVERIFY2(QFileInfo(m_binary).isExecutable(), qPrintable(m_binary));
    m_nam.setProxy(QNetworkProxy::NoProxy);
}

TestCli::Run TestCli::run(const QStringList &arguments)
{
    QProcess process;
    process.start(m_binary, arguments);
    Run result;
    if (!process.waitForFinished(15000)) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.exitCode = process.exitCode();
    result.status = process.exitStatus();
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

quint16 TestCli::startGateway(QProcess *process, const QString &dataDir, const QByteArray &adminToken)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"DISPLAY"_s);
    env.remove(u"WAYLAND_DISPLAY"_s);
    if (!adminToken.isEmpty())
        env.insert(u"MAESTRO_ADMIN_TOKEN"_s, QString::fromUtf8(adminToken));
    process->setProcessEnvironment(env);
    process->setProcessChannelMode(QProcess::SeparateChannels);
    process->start(m_binary, {u"--listen"_s, u"127.0.0.1:0"_s, u"--headless"_s, u"--data-dir"_s, dataDir});
    if (!process->waitForStarted(5000))
        return 0;
    if (!QTest::qWaitFor([&] { return process->canReadLine() || process->state() == QProcess::NotRunning; }, 15000))
        return 0;
    const QByteArray line = process->readLine();
    static const QRegularExpression ready(u"^Model Maestro listening on http://127\\.0\\.0\\.1:(\\d+)\\n$"_s);
    const auto match = ready.match(QString::fromUtf8(line));
    if (!match.hasMatch()) {
        qWarning() << "unexpected first line:" << line << process->readAllStandardError();
        return 0;
    }
    return quint16(match.captured(1).toUInt());
}

QNetworkReply *TestCli::request(const QByteArray &method, quint16 port, const QString &path,
                                const QByteArray &token, const QJsonObject &body)
{
    QNetworkRequest request(QUrl(u"http://127.0.0.1:%1%2"_s.arg(port).arg(path)));
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    QByteArray data;
    if (!body.isEmpty()) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        data = QJsonDocument(body).toJson(QJsonDocument::Compact);
    }
    return m_nam.sendCustomRequest(request, method, data);
}

bool TestCli::wait(QNetworkReply *reply, int timeoutMs)
{
    if (reply->isFinished())
        return true;
    QSignalSpy spy(reply, &QNetworkReply::finished);
    return spy.wait(timeoutMs);
}

void TestCli::versionAndHelp()
{
    const Run version = run({u"--version"_s});
    QCOMPARE(version.status, QProcess::NormalExit);
    QCOMPARE(version.exitCode, 0);
    QVERIFY2(version.out.startsWith("model-maestro "), version.out.constData());
    QCOMPARE(version.out.count('\n'), 1);

    const Run help = run({u"--help"_s});
    QCOMPARE(help.exitCode, 0);
    for (const char *flag : {"--listen", "--data-dir", "--database", "--headless", "--version"})
        QVERIFY2(help.out.contains(flag), flag);
}

void TestCli::badFlag_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("unknown flag -> exit 2") << QStringList{u"--no-such-flag"_s};
    QTest::newRow("--listen without a port -> exit 2") << QStringList{u"--listen"_s, u"127.0.0.1"_s};
    QTest::newRow("--listen with a host name -> exit 2") << QStringList{u"--listen"_s, u"example.org:80"_s};
    QTest::newRow("a stray positional argument -> exit 2") << QStringList{u"serve"_s};
}

void TestCli::badFlag()
{
    QFETCH(QStringList, arguments);
    QTemporaryDir dir;
    const QString dataDir = dir.filePath(u"data"_s);
    const Run result = run(arguments + QStringList{u"--data-dir"_s, dataDir});
    QCOMPARE(result.status, QProcess::NormalExit);
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.out.isEmpty());
    QCOMPARE(result.err.count('\n'), 1);
    QVERIFY2(result.err.startsWith("model-maestro: "), result.err.constData());
    QVERIFY(!QFileInfo::exists(dataDir));
}

void TestCli::unusableDatabase_data()
{
    QTest::addColumn<QString>("url");
    QTest::newRow("a mysql:// URL -> exit 2, nothing created") << u"mysql://x"_s;
    QTest::newRow("an SQLite file in a directory that does not exist -> exit 2, nothing created")
        << u"sqlite:///nonexistent/dir/x.db"_s;
}

void TestCli::unusableDatabase()
{
    QFETCH(QString, url);
    QTemporaryDir dir;
    const QString dataDir = dir.filePath(u"data"_s);
    const Run result = run({u"--headless"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--data-dir"_s, dataDir,
                            u"--database"_s, url});
    QCOMPARE(result.status, QProcess::NormalExit);
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.out.isEmpty());
    QCOMPARE(result.err.count('\n'), 1);
    QVERIFY2(result.err.startsWith("model-maestro: "), result.err.constData());
    const QStringList created = QDir(dataDir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
    QVERIFY2(created.isEmpty(), qPrintable(created.join(u", "_s)));
    QVERIFY(!QFileInfo::exists(dataDir));
    QVERIFY(!QFileInfo::exists(u"/nonexistent"_s));
}

void TestCli::readyLineAndHealth()
{
    QTemporaryDir dir;
    QProcess process;
    const quint16 port = startGateway(&process, dir.path(), "cli-admin");
    QVERIFY(port != 0);

    std::unique_ptr<QNetworkReply> health(request("GET", port, u"/health"_s, {}));
    QVERIFY(wait(health.get()));
    QCOMPARE(health->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(QJsonDocument::fromJson(health->readAll()).object(), (QJsonObject{{u"status"_s, u"healthy"_s}}));

    std::unique_ptr<QNetworkReply> users(request("GET", port, u"/admin/users"_s, "cli-admin"));
    QVERIFY(wait(users.get()));
    QCOMPARE(users->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);

    ::kill(pid_t(process.processId()), SIGTERM);
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(process.readAllStandardOutput().isEmpty()); // one ready line, nothing else
}

void TestCli::sigtermLetsStreamsFinishAndFlushesTheLog()
{
    const QByteArray adminToken = "cli-admin";
    FakeUpstream upstream(NodeType::Ollama);
    upstream.setReplyWords(20);
    upstream.setChunkDelay(100); // a two-second stream
    QVERIFY(upstream.listen());

    QTemporaryDir dir;
    QProcess process;
    const quint16 port = startGateway(&process, dir.path(), adminToken);
    QVERIFY(port != 0);

    std::unique_ptr<QNetworkReply> reply(request("POST", port, u"/admin/nodes"_s, adminToken,
                                                 {{u"name"_s, u"fake"_s},
                                                  {u"base_url"_s, upstream.baseUrl().toString()},
                                                  {u"node_type"_s, u"ollama"_s}}));
    QVERIFY(wait(reply.get()));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 201);
    reply.reset(request("POST", port, u"/admin/users"_s, adminToken, {{u"username"_s, u"streamer"_s}}));
    QVERIFY(wait(reply.get()));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 201);
    const QByteArray token = QJsonDocument::fromJson(reply->readAll()).object().value("token"_L1).toString().toUtf8();
    reply.reset(request("POST", port, u"/admin/users/streamer/models/all"_s, adminToken));
    QVERIFY(wait(reply.get()));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);

    std::unique_ptr<QNetworkReply> stream(request(
        "POST", port, u"/api/chat"_s, token,
        {{u"model"_s, u"llama3.2"_s},
         {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"tell me"_s}}}}}));
    QByteArray received;
    connect(stream.get(), &QNetworkReply::readyRead, stream.get(), [&] { received += stream->readAll(); });
    QTRY_VERIFY_WITH_TIMEOUT(!received.isEmpty(), 5000);
    QCOMPARE(upstream.activeStreams(), 1);

    ::kill(pid_t(process.processId()), SIGTERM);
    // It stops accepting at once, while the stream goes on.
    QTRY_VERIFY_WITH_TIMEOUT(
        [port] {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, port);
            return !probe.waitForConnected(200);
        }(),
        1500);
    QVERIFY(!stream->isFinished());
    QVERIFY(wait(stream.get(), 10000));
    received += stream->readAll();
    QCOMPARE(stream->error(), QNetworkReply::NoError);
    QCOMPARE(stream->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    const QList<QByteArray> lines = received.trimmed().split('\n');
    const QJsonObject last = QJsonDocument::fromJson(lines.last()).object();
    QCOMPARE(last.value("done"_L1).toBool(), true);
    QString text;
    for (const QByteArray &line : lines)
        text += QJsonDocument::fromJson(line).object().value("message"_L1).toObject().value("content"_L1).toString();
    QCOMPARE(text, upstream.replyText());
    QCOMPARE(upstream.completedStreams(), 1);

    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);

    // The usage log was written before the process ended.
    const QString dbPath = dir.filePath(u"maestro.db"_s);
    QVERIFY(QFileInfo::exists(dbPath));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"check"_s);
        db.setDatabaseName(dbPath);
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(u"SELECT username, model, status_code, streamed, completion_tokens FROM request_logs"_s));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toString(), u"streamer"_s);
        QCOMPARE(query.value(1).toString(), u"llama3.2"_s);
        QCOMPARE(query.value(2).toInt(), 200);
        QCOMPARE(query.value(3).toBool(), true);
        QCOMPARE(query.value(4).toInt(), 20);
        QVERIFY(!query.next());
    }
    QSqlDatabase::removeDatabase(u"check"_s);
}

void TestCli::migrateFrom()
{
    using namespace Maestro;
    // Into PostgreSQL when a test server is configured, else into a second SQLite file.
    const QString backend = Test::TestDatabase::unavailableReason(u"postgresql"_s).isEmpty()
        ? u"postgresql"_s
        : u"sqlite"_s;
    QTemporaryDir dir;
    const QString sourcePath = dir.filePath(u"old.db"_s);
    qint64 aliceId = 0;
    qint64 nodeId = 0;
    {
        Database source(DatabaseConfig::sqliteFile(sourcePath));
        QString error;
        QVERIFY2(source.open(&error), qPrintable(error));
        SqlStore store(&source);
        QVERIFY(store.createUser(u"gone"_s, Tokens::hash("t0")) > 0);
        aliceId = store.createUser(u"alice"_s, Tokens::hash("t1"));
        QVERIFY(store.deactivateUser(aliceId - 1));
        QVERIFY(store.setUserModels(aliceId, {u"chat"_s}, false));
        QVERIFY(store.setUserLimits(aliceId, {5, 500}));
        Node node;
        node.name = u"first"_s;
        node.baseUrl = QUrl(u"http://127.0.0.1:1"_s);
        const qint64 first = store.insertNode(node);
        QVERIFY(store.deleteNode(first)); // leaves a gap: ids must be kept, not renumbered
        node.name = u"second"_s;
        nodeId = store.insertNode(node);
        NodeModel model;
        model.nodeId = nodeId;
        model.name = u"llama3:latest"_s;
        model.size = 5'000'000'000;
        QVERIFY(store.replaceNodeModels(nodeId, {model}));
        ModelMapping mapping;
        mapping.displayName = u"chat"_s;
        mapping.realName = u"llama3:latest"_s;
        mapping.nodeIds = {nodeId};
        QVERIFY(store.insertMapping(mapping));
        RequestLogEntry entry;
        entry.userId = aliceId;
        entry.username = u"alice"_s;
        entry.endpoint = u"/api/chat"_s;
        entry.nodeId = nodeId;
        entry.statusCode = 200;
        entry.promptTokens = 7;
        entry.createdAt = QDateTime::currentDateTimeUtc();
        QVERIFY(store.insertRequestLogs({entry, entry, entry}));
        AuditEntry audit;
        audit.action = u"user.create"_s;
        audit.entityType = u"user"_s;
        QVERIFY(store.insertAudit(audit));
        QVERIFY(store.writeSettings({{u"routing_strategy"_s, u"priority"_s}}));
    }
    // users 2, user_models 1, user_limits 1, nodes 1, node_models 1, mappings 1, logs 3, audit 1, settings 1,
    // revoked_tokens 1 (the deactivated user's token, so its requests are logged under that user)
    const int rows = 13;

    Test::TestDatabase target(backend);
    QString error;
    QVERIFY2(target.create(&error), qPrintable(error));
    const QStringList arguments{u"--migrate-from"_s, u"sqlite://"_s + sourcePath, u"--database"_s, target.url()};
    const Run migrated = run(arguments);
    QCOMPARE(migrated.status, QProcess::NormalExit);
    QVERIFY2(migrated.exitCode == 0, migrated.err.constData());
    QCOMPARE(QString::fromUtf8(migrated.out),
             u"migrated %1 rows from sqlite://%2 to %3\n"_s.arg(rows).arg(sourcePath, target.config().displayUrl()));

    {
        Database copy(target.config());
        QVERIFY2(copy.open(&error), qPrintable(error));
        SqlStore store(&copy);
        const auto alice = store.user(u"alice"_s);
        QVERIFY(alice);
        QCOMPARE(alice->id, aliceId);
        QCOMPARE(alice->models, QStringList{u"chat"_s});
        QCOMPARE(alice->requestLimit, std::optional<qint64>(5));
        QVERIFY(store.user(u"gone"_s) && !store.user(u"gone"_s)->active);
        QCOMPARE(store.tokenHashes().value(QString::fromLatin1(Tokens::hash("t1"))), aliceId);
        QCOMPARE(store.nodes().size(), 1);
        QCOMPARE(store.nodes().first().id, nodeId);
        QCOMPARE(store.nodeModels().first().size, qint64(5'000'000'000));
        QCOMPARE(store.mappings().first().nodeIds, QList<qint64>{nodeId});
        qint64 total = 0;
        store.requestLogs(LogQuery{}, &total);
        QCOMPARE(total, qint64(3));
        QCOMPARE(store.usageOn(QDateTime::currentDateTimeUtc().date()).value(aliceId).requests, qint64(3));
        store.auditLogs(LogQuery{}, &total);
        QCOMPARE(total, qint64(1));
        QCOMPARE(store.settings().value(u"routing_strategy"_s), u"priority"_s);
        // New rows continue after the copied ids.
        Node node;
        node.name = u"third"_s;
        node.baseUrl = QUrl(u"http://127.0.0.1:2"_s);
        QVERIFY(store.insertNode(node) > nodeId);
        QVERIFY(store.createUser(u"carol"_s, Tokens::hash("t3")) > aliceId);
    }

    // A target that holds data is refused, and left alone.
    const Run again = run(arguments);
    QCOMPARE(again.status, QProcess::NormalExit);
    QCOMPARE(again.exitCode, 2);
    QVERIFY(again.out.isEmpty());
    QCOMPARE(again.err.count('\n'), 1);
    QVERIFY2(again.err.contains("not empty"), again.err.constData());

    const Run missing = run({u"--migrate-from"_s, u"sqlite://"_s + dir.filePath(u"none.db"_s), u"--database"_s, target.url()});
    QCOMPARE(missing.exitCode, 2);
    QVERIFY(!QFileInfo::exists(dir.filePath(u"none.db"_s)));
    QCOMPARE(run({u"--migrate-from"_s, u"sqlite://"_s + sourcePath}).exitCode, 2); // no target
}

QTEST_MAIN(TestCli)
#include "tst_cli.moc"

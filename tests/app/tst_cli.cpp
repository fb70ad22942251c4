// The real model-maestro binary: command line, ready line, health, and a graceful SIGTERM that
// lets a running stream finish and flushes the usage log.

#include "fakeupstream.h"

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

QTEST_MAIN(TestCli)
#include "tst_cli.moc"

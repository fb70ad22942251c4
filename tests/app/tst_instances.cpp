// One gateway per port and per data dir, with real processes: a second model-maestro on a served
// port or on a data dir in use refuses to start (exit 3, naming the port or the holder) while the
// first keeps serving; a lock left by a killed process does not block the next start; the data
// dir and the files with secrets in it are owner-only whatever the umask; the open-file limit
// is raised to the hard limit.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QScopeGuard>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <functional>
#include <memory>
#include <sys/resource.h>
#include <sys/stat.h>

using namespace Qt::StringLiterals;

class TestInstances : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void secondProcessOnAServedPortIsRefused();
    void secondProcessOnADataDirInUseIsRefused();
    void lockOfAKilledProcessDoesNotBlock();
    void dataDirAndDatabaseAreOwnerOnlyWhateverTheUmask();
    void looserExistingDataDirIsTightenedWithAWarning();
    void openFileLimitIsRaisedToTheHardLimit();

private:
    struct Finished
    {
        int exitCode = -1;
        QProcess::ExitStatus status = QProcess::CrashExit;
        QByteArray out;
        QByteArray err;
    };
    void prepare(QProcess *process, const std::function<void()> &childModifier = {});
    // Starts a gateway; returns its port, 0 when it did not print the ready line.
    quint16 start(QProcess *process, const QString &dataDir, quint16 port = 0);
    Finished runToEnd(QProcess *process, const QStringList &arguments);
    int health(quint16 port);
    static void stop(QProcess *process);

    QString m_binary;
    QNetworkAccessManager m_nam;
};

void TestInstances::initTestCase()
{
    const QByteArray binDir = qgetenv("MAESTRO_BIN_DIR");
    QVERIFY2(!binDir.isEmpty(), "MAESTRO_BIN_DIR is not set (run through ctest)");
    m_binary = QDir(QString::fromLocal8Bit(binDir)).filePath(u"model-maestro"_s);
    QVERIFY2(QFileInfo(m_binary).isExecutable(), qPrintable(m_binary));
    m_nam.setProxy(QNetworkProxy::NoProxy);
}

void TestInstances::prepare(QProcess *process, const std::function<void()> &childModifier)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"DISPLAY"_s);
    env.remove(u"WAYLAND_DISPLAY"_s);
    // The secret file in the data dir: the test looks at its mode, and needs no keyring.
    env.insert(u"MAESTRO_SECRET_STORE"_s, u"file"_s);
    env.remove(u"MAESTRO_ADMIN_TOKEN"_s);
    process->setProcessEnvironment(env);
    process->setProcessChannelMode(QProcess::SeparateChannels);
    if (childModifier)
        process->setChildProcessModifier(childModifier);
}

quint16 TestInstances::start(QProcess *process, const QString &dataDir, quint16 port)
{
    if (process->processEnvironment().isEmpty())
        prepare(process);
    process->start(m_binary, {u"--listen"_s, u"127.0.0.1:%1"_s.arg(port), u"--headless"_s, u"--data-dir"_s, dataDir});
    if (!process->waitForStarted(5000))
        return 0;
    if (!QTest::qWaitFor([&] { return process->canReadLine() || process->state() == QProcess::NotRunning; }, 30000))
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

TestInstances::Finished TestInstances::runToEnd(QProcess *process, const QStringList &arguments)
{
    if (process->processEnvironment().isEmpty())
        prepare(process);
    process->start(m_binary, arguments);
    Finished result;
    if (!process->waitForFinished(30000)) {
        process->kill();
        process->waitForFinished();
        return result;
    }
    result.exitCode = process->exitCode();
    result.status = process->exitStatus();
    result.out = process->readAllStandardOutput();
    result.err = process->readAllStandardError();
    return result;
}

int TestInstances::health(quint16 port)
{
    std::unique_ptr<QNetworkReply> reply(m_nam.get(QNetworkRequest(QUrl(u"http://127.0.0.1:%1/health"_s.arg(port)))));
    if (!reply->isFinished()) {
        QSignalSpy spy(reply.get(), &QNetworkReply::finished);
        if (!spy.wait(10000))
            return -1;
    }
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

void TestInstances::stop(QProcess *process)
{
    if (process->state() == QProcess::NotRunning)
        return;
    ::kill(pid_t(process->processId()), SIGTERM);
    if (!process->waitForFinished(15000)) {
        process->kill();
        process->waitForFinished();
    }
}

void TestInstances::secondProcessOnAServedPortIsRefused()
{
    QTemporaryDir dir;
    QProcess first;
    const quint16 port = start(&first, dir.filePath(u"first"_s));
    QVERIFY(port != 0);
    const auto cleanup = qScopeGuard([&] { stop(&first); });

    QProcess second;
    const Finished result = runToEnd(&second, {u"--listen"_s, u"127.0.0.1:%1"_s.arg(port), u"--headless"_s,
                                               u"--data-dir"_s, dir.filePath(u"second"_s)});
    QCOMPARE(result.status, QProcess::NormalExit);
    QCOMPARE(result.exitCode, 3);
    QVERIFY2(result.out.isEmpty(), result.out.constData());
    QVERIFY2(result.err.contains(QByteArray("port " + QByteArray::number(port))), result.err.constData());

    // Every client still reaches the first gateway, none a half-started second one.
    for (int i = 0; i < 8; ++i)
        QCOMPARE(health(port), 200);
    QCOMPARE(first.state(), QProcess::Running);
}

void TestInstances::secondProcessOnADataDirInUseIsRefused()
{
    QTemporaryDir dir;
    const QString dataDir = dir.filePath(u"data"_s);
    QProcess first;
    const quint16 port = start(&first, dataDir);
    QVERIFY(port != 0);
    const auto cleanup = qScopeGuard([&] { stop(&first); });

    QProcess second;
    const Finished result = runToEnd(&second, {u"--listen"_s, u"127.0.0.1:0"_s, u"--headless"_s,
                                               u"--data-dir"_s, dataDir});
    QCOMPARE(result.status, QProcess::NormalExit);
    QCOMPARE(result.exitCode, 3);
    QVERIFY2(result.out.isEmpty(), result.out.constData());
    QVERIFY2(result.err.contains(QByteArray("PID " + QByteArray::number(first.processId()))), result.err.constData());
    QCOMPARE(result.err.count('\n'), 1);
    QCOMPARE(health(port), 200);

    // Reading the admin token takes no lock: it works while the gateway runs.
    QProcess reader;
    const Finished token = runToEnd(&reader, {u"--print-admin-token"_s, u"--data-dir"_s, dataDir});
    QCOMPARE(token.exitCode, 0);
    QVERIFY2(token.out.trimmed().size() >= 16, token.err.constData());
}

void TestInstances::lockOfAKilledProcessDoesNotBlock()
{
    QTemporaryDir dir;
    const QString dataDir = dir.filePath(u"data"_s);
    QProcess first;
    QVERIFY(start(&first, dataDir) != 0);
    // SIGKILL: no destructor runs, the lock file stays behind.
    first.kill();
    QVERIFY(first.waitForFinished(10000));
    QVERIFY(QFileInfo::exists(QDir(dataDir).filePath(u"maestro.lock"_s)));

    QProcess next;
    const quint16 port = start(&next, dataDir);
    const auto cleanup = qScopeGuard([&] { stop(&next); });
    QVERIFY(port != 0);
    QCOMPARE(health(port), 200);
}

void TestInstances::dataDirAndDatabaseAreOwnerOnlyWhateverTheUmask()
{
    QTemporaryDir dir;
    const QString dataDir = dir.filePath(u"nested/data"_s);
    QProcess gateway;
    prepare(&gateway, [] { ::umask(0); });
    const quint16 port = start(&gateway, dataDir);
    QVERIFY(port != 0);
    const auto cleanup = qScopeGuard([&] { stop(&gateway); });
    // A request makes sure the database has been written through (WAL and shared memory files).
    QCOMPARE(health(port), 200);

    const auto mode = [](const QString &path) {
        struct stat info = {};
        return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? int(info.st_mode & 07777) : -1;
    };
    QCOMPARE(mode(dataDir), 0700);
    QCOMPARE(mode(QDir(dataDir).filePath(u"maestro.db"_s)), 0600);
    QCOMPARE(mode(QDir(dataDir).filePath(u"secrets.json"_s)), 0600);
    for (const char *suffix : {"-wal", "-shm"}) {
        const QString file = QDir(dataDir).filePath(u"maestro.db"_s + QLatin1StringView(suffix));
        if (QFileInfo::exists(file))
            QCOMPARE(mode(file), 0600);
    }
}

void TestInstances::looserExistingDataDirIsTightenedWithAWarning()
{
    QTemporaryDir dir;
    const QString dataDir = dir.filePath(u"data"_s);
    QVERIFY(QDir().mkpath(dataDir));
    QVERIFY(::chmod(QFile::encodeName(dataDir).constData(), 0755) == 0);
    QProcess gateway;
    QVERIFY(start(&gateway, dataDir) != 0);
    stop(&gateway);
    const QByteArray err = gateway.readAllStandardError();
    QVERIFY2(err.contains("warning: the data directory") && err.contains("0755"), err.constData());
    struct stat info = {};
    QVERIFY(::stat(QFile::encodeName(dataDir).constData(), &info) == 0);
    QCOMPARE(int(info.st_mode & 0777), 0700);
}

void TestInstances::openFileLimitIsRaisedToTheHardLimit()
{
    rlimit limit = {};
    QVERIFY(::getrlimit(RLIMIT_NOFILE, &limit) == 0);
    if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max <= 256)
        QSKIP("the hard limit of open files is 256 or lower here: nothing to raise");
    const rlim_t expected = limit.rlim_max == RLIM_INFINITY ? rlim_t(1048576) : limit.rlim_max;

    QTemporaryDir dir;
    QProcess gateway;
    // The child starts with a low soft limit, as under a default systemd unit.
    prepare(&gateway, [] {
        rlimit low = {};
        ::getrlimit(RLIMIT_NOFILE, &low);
        low.rlim_cur = 256;
        ::setrlimit(RLIMIT_NOFILE, &low);
    });
    QVERIFY(start(&gateway, dir.filePath(u"data"_s)) != 0);
    const auto cleanup = qScopeGuard([&] { stop(&gateway); });

    QFile limits(u"/proc/%1/limits"_s.arg(gateway.processId()));
    QVERIFY(limits.open(QIODevice::ReadOnly));
    const QString text = QString::fromLatin1(limits.readAll());
    static const QRegularExpression row(u"^Max open files\\s+(\\d+)\\s+(\\S+)"_s, QRegularExpression::MultilineOption);
    const auto match = row.match(text);
    QVERIFY2(match.hasMatch(), qPrintable(text));
    QCOMPARE(match.captured(1).toULongLong(), quint64(expected));
    QByteArray err;
    QTRY_VERIFY_WITH_TIMEOUT((err += gateway.readAllStandardError()).contains("open-file limit raised from 256"), 5000);
}

QTEST_GUILESS_MAIN(TestInstances)
#include "tst_instances.moc"

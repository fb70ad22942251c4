// The gateway stack the HTTP and desktop suites build on: what its options set is what the
// gateway serves, a restart keeps the database, and the gateway may run on the test's thread. On
// SQLite, and PostgreSQL when MAESTRO_TEST_PG_URL is set.

#include "gatewaystack.h"
#include "manualclock.h"

#include <QJsonObject>
#include <QScopeGuard>
#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace Maestro;
using Maestro::Test::GatewayStack;
using Maestro::Test::StackOptions;
using Maestro::Test::TestDatabase;

class TestGatewayStack final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data() { TestDatabase::addBackendRows(); }
    void init();

    void optionsReachTheGateway();
    void restartKeepsTheDatabase();
    void gatewayOnThisThread();
    void ioThreadsFromTheEnvironment();

private:
    StackOptions options() const;
};

void TestGatewayStack::init()
{
    QFETCH_GLOBAL(QString, backend);
    if (const QString reason = TestDatabase::unavailableReason(backend); !reason.isEmpty())
        QSKIP(qPrintable(reason));
}

StackOptions TestGatewayStack::options() const
{
    QFETCH_GLOBAL(QString, backend);
    StackOptions options;
    options.backend = backend;
    return options;
}

void TestGatewayStack::optionsReachTheGateway()
{
    const QDateTime start = QDateTime::currentDateTimeUtc().addDays(-3);
    Test::ManualClock clock(start);
    StackOptions options = this->options();
    options.config.adminToken = "stack-admin";
    options.settings = {{u"max_body_bytes"_s, u"4096"_s}, {u"default_daily_requests"_s, u"7"_s}};
    options.clock = &clock;
    GatewayStack stack;
    QString error;
    QVERIFY2(stack.start(options, &error), qPrintable(error));
    QVERIFY(stack.isRunning());
    QVERIFY(stack.port() != 0);
    QCOMPARE(stack.baseUrl(), QUrl(u"http://127.0.0.1:%1"_s.arg(stack.port())));
    QCOMPARE(stack.adminToken(), QByteArray("stack-admin"));
    QCOMPARE(stack.clock(), &clock);
    QCOMPARE(stack.gateway(), stack.gatewayThread()->gateway());

    const Test::Response settings = stack.admin("GET", u"/admin/settings"_s);
    QCOMPARE(settings.status, 200);
    QCOMPARE(settings.json().value("max_body_bytes"_L1).toInteger(), 4096);
    QCOMPARE(settings.json().value("default_daily_requests"_L1).toInteger(), 7);
    QCOMPARE(stack.send("GET", u"/admin/settings"_s, {}, "test-admin").status, 403);
    // The gateway's day is the clock's.
    const Test::Response load = stack.admin("GET", u"/admin/nodes/load"_s);
    QCOMPARE(load.json().value("day"_L1).toString(), start.date().toString(Qt::ISODate));
}

void TestGatewayStack::restartKeepsTheDatabase()
{
    GatewayStack stack;
    QString error;
    QVERIFY2(stack.open(options(), &error), qPrintable(error));
    QVERIFY(stack.isOpen());
    QVERIFY(!stack.isRunning());
    QVERIFY2(stack.startGateway(&error), qPrintable(error));
    QCOMPARE(stack.admin("POST", u"/admin/users"_s, {{u"username"_s, u"kept"_s}}).status, 201);

    stack.stopGateway();
    QVERIFY(!stack.isRunning());
    QVERIFY(stack.store()->user(u"kept"_s).has_value());
    GatewayConfig config = GatewayStack::testConfig();
    config.adminToken = "second-admin";
    QVERIFY2(stack.startGateway(config, &error), qPrintable(error));
    QCOMPARE(stack.adminToken(), QByteArray("second-admin"));
    QCOMPARE(stack.admin("GET", u"/admin/users/kept"_s).status, 200);

    stack.stop();
    QVERIFY(!stack.isOpen());
    QVERIFY(!stack.isRunning());
}

void TestGatewayStack::gatewayOnThisThread()
{
    StackOptions options = this->options();
    options.onThisThread = true;
    GatewayStack stack;
    QString error;
    QVERIFY2(stack.start(options, &error), qPrintable(error));
    QVERIFY(!stack.gatewayThread());
    QVERIFY(stack.gateway());
    QCOMPARE(stack.gateway()->thread(), QThread::currentThread());
    QCOMPARE(stack.control()->thread(), QThread::currentThread());
    // Called directly, as an admin change would.
    QVERIFY(stack.control()->admin()->createUser(u"direct"_s).ok());
    QCOMPARE(stack.admin("GET", u"/admin/users/direct"_s).status, 200);
}

void TestGatewayStack::ioThreadsFromTheEnvironment()
{
    const QByteArray saved = qgetenv("MAESTRO_TEST_IO_THREADS");
    const auto restore = qScopeGuard([&] {
        if (saved.isNull())
            qunsetenv("MAESTRO_TEST_IO_THREADS");
        else
            qputenv("MAESTRO_TEST_IO_THREADS", saved);
    });
    qputenv("MAESTRO_TEST_IO_THREADS", "3");
    GatewayStack stack;
    QString error;
    QVERIFY2(stack.start(options(), &error), qPrintable(error));
    QCOMPARE(stack.gatewayThread()->threadCount(), 3);
    QCOMPARE(stack.admin("GET", u"/admin/settings"_s).status, 200);

    // A suite that sets its own number keeps it.
    StackOptions own = options();
    own.config.ioThreads = 1;
    QVERIFY2(stack.start(own, &error), qPrintable(error));
    QCOMPARE(stack.gatewayThread()->threadCount(), 1);
}

QTEST_GUILESS_MAIN(TestGatewayStack)
#include "tst_gatewaystack.moc"

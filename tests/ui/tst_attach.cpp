// The desktop app and a gateway that already runs, with real processes: the app attaches to the
// headless gateway serving its data dir (found through instance.json, with the data dir's admin
// token) instead of starting a second one, an edit made in its window reaches that gateway's
// clients, the live log arrives, quitting the app leaves the gateway serving; a wrong token or a
// gateway that is not there is said in the window; start and stop go through systemctl when
// systemd runs the gateway (a stand-in systemctl on PATH plays systemd here).

#include "desktop.h"
#include "httpclient.h"
#include "instance.h"
#include "mainwindow/mainwindow.h"
#include "remote/remoteclient.h"
#include "storage/filesecretstore.h"
#include "users/tokendialog.h"
#include "users/userdialogs.h"
#include "users/userspage.h"
#include "uiutil.h"

#include <QDir>
#include <QFile>
#include <QNetworkProxy>
#include <QScopeGuard>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

using namespace Qt::StringLiterals;
using namespace Maestro;
using namespace Maestro::Test;

namespace {

QString binary()
{
    return qEnvironmentVariable("MAESTRO_BIN_DIR") + u"/model-maestro"_s;
}

QProcessEnvironment gatewayEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"MAESTRO_SECRET_STORE"_s, u"file"_s); // the admin token in the data dir's file
    env.remove(u"MAESTRO_ADMIN_TOKEN"_s);
    return env;
}

// Starts the headless gateway on the data dir; its port, or 0.
quint16 startHeadless(QProcess *process, const QString &dataDir, quint16 port = 0)
{
    process->setProcessEnvironment(gatewayEnvironment());
    process->start(binary(), {u"--headless"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(port), u"--data-dir"_s, dataDir});
    if (!process->waitForStarted(5000))
        return 0;
    if (!QTest::qWaitFor([&] { return process->canReadLine() || process->state() == QProcess::NotRunning; }, 30000))
        return 0;
    static const QRegularExpression ready(u"^Model Maestro listening on http://127\\.0\\.0\\.1:(\\d+)\\n$"_s);
    const auto match = ready.match(QString::fromUtf8(process->readLine()));
    return match.hasMatch() ? quint16(match.captured(1).toUInt()) : 0;
}

void stopProcess(QProcess *process)
{
    if (process->state() == QProcess::NotRunning)
        return;
    process->terminate();
    if (!process->waitForFinished(15000)) {
        process->kill();
        process->waitForFinished();
    }
}

QByteArray adminTokenOf(const QString &dataDir)
{
    return FileSecretStore(dataDir + u"/secrets.json"_s).read(u"admin_token"_s).value_or(QString()).toUtf8();
}

// A headless model-maestro on a data dir of its own, stopped when the test ends.
struct HeadlessGateway
{
    QTemporaryDir dir;
    QString dataDir = dir.path() + QStringLiteral("/data");
    QProcess process;
    quint16 port = startHeadless(&process, dataDir); // 0: it did not start

    ~HeadlessGateway() { stopProcess(&process); }
};

template<typename T>
T *waitForChild(QWidget *parent)
{
    T *found = nullptr;
    static_cast<void>(QTest::qWaitFor([&] { return (found = parent->findChild<T *>()) != nullptr; }, 10000));
    return found;
}

} // namespace

class TestAttach : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void appAttachesAndItsEditsReachClients();
    void appProcessAttachesInsteadOfStartingAnother();
    void wrongTokenIsSaidInTheWindow();
    void absentGatewayIsSaidInTheWindow();
    void serviceStopsAndStartsThroughSystemctl();
    void systemdUnitFromCgroup_data();
    void systemdUnitFromCgroup();

private:
    QNetworkAccessManager m_nam;
};

void TestAttach::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    DesktopSettings().clear();
    m_nam.setProxy(QNetworkProxy::NoProxy);
    QVERIFY2(QFile::exists(binary()), qPrintable(binary()));
}

void TestAttach::appAttachesAndItsEditsReachClients()
{
    HeadlessGateway headless;
    QVERIFY(headless.port != 0);
    const QString &dataDir = headless.dataDir;
    const quint16 port = headless.port;

    // What main() does when a gateway already serves the data dir.
    const std::optional<QJsonObject> running = readRunningInstance(dataDir);
    QVERIFY(running);
    const QByteArray token = adminTokenOf(dataDir);
    QVERIFY(!token.isEmpty());
    const AttachedGateway attached = attachedGateway(*running, token);
    QCOMPARE(attached.endpoint.url, QUrl(u"http://127.0.0.1:%1"_s.arg(port)));
    QVERIFY(!attached.service.isValid()); // not started by systemd

    DesktopContext context;
    context.adminToken = token;
    context.dataDir = dataDir;
    context.attached = attached;
    RemoteGatewayClient client(attached.endpoint, true, attached.service);
    MainWindow window(&client, context);
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(client.snapshot().loaded, 15000);
    QVERIFY2(window.windowTitle().contains(u"the gateway on this computer (127.0.0.1:%1)"_s.arg(port)),
             qPrintable(window.windowTitle()));
    QVERIFY(client.isRunning());
    QVERIFY(window.problemText().isEmpty());

    // An edit in the window: a user created on the Users page.
    window.showPage(MainWindow::Users);
    UsersPage *page = window.usersPage();
    QTest::mouseClick(page->findChild<QPushButton *>(u"newUser"_s), Qt::LeftButton);
    auto *dialog = waitForChild<NewUserDialog>(page);
    QVERIFY(dialog);
    auto *name = dialog->findChild<QLineEdit *>(u"username"_s);
    QTest::keyClicks(name, u"from-the-app"_s);
    QTest::keyClick(name, Qt::Key_Return);
    auto *tokenDialog = waitForChild<TokenDialog>(page);
    QVERIFY(tokenDialog);
    const QByteArray userToken = tokenDialog->token().toUtf8();
    QVERIFY(userToken.size() >= 20);
    QTRY_VERIFY(Ui::rowWithData(page->table(), u"from-the-app"_s) >= 0);
    tokenDialog->accept();

    // A client of that gateway sees it: the token works there, and its request arrives live.
    QSignalSpy logged(&client, &GatewayClient::requestLogged);
    const QUrl models(u"http://127.0.0.1:%1/v1/models"_s.arg(port));
    QCOMPARE(sendRequest(m_nam, models, "GET", {}, userToken).status, 200);
    QCOMPARE(sendRequest(m_nam, models, "GET", {}, "not-" + userToken).status, 401);
    // No node serves it yet: refused, and logged under the user.
    const QByteArray chat = R"({"model":"no-such-model","messages":[{"role":"user","content":"hi"}]})";
    QCOMPARE(sendRequest(m_nam, QUrl(u"http://127.0.0.1:%1/v1/chat/completions"_s.arg(port)), "POST", chat, userToken)
                 .status,
             404);
    QTRY_VERIFY_WITH_TIMEOUT(!logged.isEmpty(), 10000);
    const auto entry = logged.first().first().value<RequestLogEntry>();
    QCOMPARE(entry.username, u"from-the-app"_s);
    QCOMPARE(entry.endpoint, u"/v1/chat/completions"_s);
    QCOMPARE(entry.statusCode, 404);
}

void TestAttach::appProcessAttachesInsteadOfStartingAnother()
{
    HeadlessGateway headless;
    QVERIFY(headless.port != 0);
    const QString &dataDir = headless.dataDir;
    const quint16 port = headless.port;

    // The desktop app on the same data dir (offscreen): it says it manages the running gateway,
    // and starts no second one (which would refuse with exit 3, the data dir being in use).
    QProcess app;
    QProcessEnvironment env = gatewayEnvironment();
    env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    app.setProcessEnvironment(env);
    app.start(binary(), {u"--data-dir"_s, dataDir});
    QVERIFY(app.waitForStarted(5000));
    QByteArray err;
    QVERIFY(QTest::qWaitFor(
        [&] {
            err += app.readAllStandardError();
            return err.contains("the app manages it") || app.state() == QProcess::NotRunning;
        },
        30000));
    QVERIFY2(err.contains(u"the gateway at http://127.0.0.1:%1"_s.arg(port).toUtf8()), err.constData());
    QTest::qWait(1000);
    QCOMPARE(app.state(), QProcess::Running);
    QVERIFY(!app.readAllStandardOutput().contains("listening"));

    // Quitting the app leaves the gateway serving, and its instance.json in place.
    stopProcess(&app);
    QCOMPARE(sendRequest(m_nam, QUrl(u"http://127.0.0.1:%1/health"_s.arg(port)), "GET", {}, {}).status, 200);
    QVERIFY(readRunningInstance(dataDir));
}

void TestAttach::wrongTokenIsSaidInTheWindow()
{
    HeadlessGateway headless;
    QVERIFY(headless.port != 0);
    const quint16 port = headless.port;

    GatewayEndpoint endpoint;
    endpoint.url = QUrl(u"http://127.0.0.1:%1"_s.arg(port));
    endpoint.adminToken = "not-the-admin-token";
    RemoteGatewayClient client(endpoint, false, ServiceUnit());
    MainWindow window(&client, DesktopContext());
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(!window.problemText().isEmpty(), 15000);
    QVERIFY2(window.problemText().contains(u"admin token"_s), qPrintable(window.problemText()));
    QVERIFY(!client.isRunning());
    QVERIFY(!client.snapshot().loaded); // no empty pages pretending to be the gateway's
    QVERIFY2(window.windowTitle().contains(u"127.0.0.1:%1"_s.arg(port)), qPrintable(window.windowTitle()));
}

void TestAttach::absentGatewayIsSaidInTheWindow()
{
    // A port nothing listens on.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 port = probe.serverPort();
    probe.close();

    GatewayEndpoint endpoint;
    endpoint.url = QUrl(u"http://127.0.0.1:%1"_s.arg(port));
    endpoint.adminToken = "whatever";
    RemoteGatewayClient client(endpoint, false, ServiceUnit());
    MainWindow window(&client, DesktopContext());
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(!window.problemText().isEmpty(), 15000);
    QVERIFY2(window.problemText().contains(u"127.0.0.1:%1"_s.arg(port)), qPrintable(window.problemText()));
    QVERIFY(!client.isRunning());
}

void TestAttach::serviceStopsAndStartsThroughSystemctl()
{
    HeadlessGateway headless;
    QVERIFY(headless.port != 0);
    const QString &dataDir = headless.dataDir;
    const quint16 port = headless.port;
    QProcess &gateway = headless.process;
    const auto cleanup = qScopeGuard([&] {
        // The one the stand-in started (the first one stops with `headless`).
        if (const auto running = readRunningInstance(dataDir); running && gateway.state() == QProcess::NotRunning)
            ::kill(pid_t(running->value("pid"_L1).toDouble()), SIGTERM);
    });

    // A stand-in for systemctl: records its arguments, stops the gateway the unit runs (SIGTERM,
    // as systemd does) or starts it again on the same data dir and port.
    const QString bin = headless.dir.path() + u"/bin"_s;
    QVERIFY(QDir().mkpath(bin));
    const QString calls = headless.dir.path() + u"/systemctl-calls"_s;
    QFile script(bin + u"/systemctl"_s);
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write(uR"sh(#!/bin/sh
echo "$@" >> '%1'
case "$2" in
stop) kill -TERM "$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' '%2/instance.json')" ;;
start) MAESTRO_SECRET_STORE=file nohup '%3' --headless --listen 127.0.0.1:%4 --data-dir '%2' >/dev/null 2>&1 & ;;
*) exit 1 ;;
esac
)sh"_s.arg(calls, dataDir, binary())
                     .arg(port)
                     .toUtf8());
    script.close();
    QVERIFY(script.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
    const QByteArray path = qgetenv("PATH");
    qputenv("PATH", bin.toUtf8() + ':' + path);
    const auto restorePath = qScopeGuard([&] { qputenv("PATH", path); });

    const AttachedGateway attached = attachedGateway(*readRunningInstance(dataDir), adminTokenOf(dataDir));
    ServiceUnit unit;
    unit.name = u"model-maestro.service"_s;
    RemoteGatewayClient client(attached.endpoint, true, unit);
    QVERIFY(client.canStartStop());
    QVERIFY(client.gatewayName().contains(u"service"_s));
    QTRY_VERIFY_WITH_TIMEOUT(client.isRunning() && client.snapshot().loaded, 15000);

    client.stopGateway();
    QVERIFY(client.isSwitching());
    QTRY_VERIFY_WITH_TIMEOUT(!client.isSwitching(), 20000);
    QVERIFY2(client.startError().isEmpty(), qPrintable(client.startError()));
    QVERIFY(!client.isRunning());
    QTRY_COMPARE_WITH_TIMEOUT(gateway.state(), QProcess::NotRunning, 10000);
    QCOMPARE(gateway.exitStatus(), QProcess::NormalExit);
    QCOMPARE(gateway.exitCode(), 0); // stopped cleanly, as systemd stops it

    client.startGateway();
    QTRY_VERIFY_WITH_TIMEOUT(!client.isSwitching(), 20000);
    QVERIFY2(client.startError().isEmpty(), qPrintable(client.startError()));
    QVERIFY(client.isRunning());
    QVERIFY(client.problem().isEmpty());
    QCOMPARE(sendRequest(m_nam, QUrl(u"http://127.0.0.1:%1/health"_s.arg(port)), "GET", {}, {}).status, 200);

    QFile recorded(calls);
    QVERIFY(recorded.open(QIODevice::ReadOnly));
    QCOMPARE(recorded.readAll(), QByteArray("--user stop model-maestro.service\n--user start model-maestro.service\n"));
}

void TestAttach::systemdUnitFromCgroup_data()
{
    QTest::addColumn<QString>("cgroup");
    QTest::addColumn<QString>("unit");
    QTest::addColumn<bool>("user");
    QTest::newRow("user service") << u"0::/user.slice/user-1000.slice/user@1000.service/app.slice/model-maestro.service\n"_s
                                  << u"model-maestro.service"_s << true;
    QTest::newRow("system service") << u"0::/system.slice/model-maestro.service\n"_s << u"model-maestro.service"_s << false;
    QTest::newRow("v1 hierarchy") << u"12:cpu,cpuacct:/\n1:name=systemd:/system.slice/maestro-lan.service\n"_s
                                  << u"maestro-lan.service"_s << false;
    QTest::newRow("terminal in a session") << u"0::/user.slice/user-1000.slice/session-2.scope\n"_s << QString() << false;
    QTest::newRow("the user manager") << u"0::/user.slice/user-1000.slice/user@1000.service/init.scope\n"_s << QString()
                                      << false;
    QTest::newRow("container root") << u"0::/\n"_s << QString() << false;
    QTest::newRow("garbage") << u"not a cgroup file"_s << QString() << false;
}

void TestAttach::systemdUnitFromCgroup()
{
    QFETCH(QString, cgroup);
    QFETCH(QString, unit);
    QFETCH(bool, user);
    const QJsonObject found = Maestro::systemdUnitFromCgroup(cgroup);
    QCOMPARE(found.value("systemd_unit"_L1).toString(), unit);
    if (!unit.isEmpty())
        QCOMPARE(found.value("systemd_user"_L1).toBool(), user);
    QCOMPARE(ServiceUnit::fromInstance(found).isValid(), !unit.isEmpty());
}

QTEST_MAIN(TestAttach)
#include "tst_attach.moc"

// The secret stores: the 0600 file fallback always; the OS keychain (the Secret Service) only
// where a session bus with an unlocked keyring answers, which tests/storage/with-keyring.sh
// provides for the tst_secretstore_keyring registration. There MAESTRO_REQUIRE_KEYRING=1 turns
// a missing keyring into a failure instead of a skip.

#include "storage/filesecretstore.h"
#include "storage/keychainsecretstore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <cstdio>
#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using Maestro::FileSecretStore;
using Maestro::KeychainSecretStore;

class TestSecretStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void fileStoreRoundTrip();
    void fileStoreIsOwnerOnly();
    void fileStoreDiscard();
    void cliFallsBackToFileWithoutSessionBus();
    void keychainProbe();
    void keychainRoundTrip();
    void keychainScopesKeepApart();
    void keychainSurvivesANewStore();
    void cliKeepsTheAdminTokenInTheKeychain();

private:
    bool keyringAvailable();
    QProcessEnvironment gatewayEnvironment() const;
    // Starts the headless gateway; true once it printed its ready line.
    bool startGateway(QProcess *process, const QString &dataDir, const QProcessEnvironment &env);
    QString printAdminToken(const QString &dataDir, const QProcessEnvironment &env);
    struct ChildOutcome
    {
        int exitCode = -1; // 0 found or done, 1 not found, 2 failed
        QString value;
    };
    ChildOutcome keychainInChild(const QString &op, const QString &scope, const QString &key,
                                 const QString &value = {});

    QString m_binary;
    // libsecret cannot serve two keychain stores in one process (both alive: it crashes; one
    // after the other: the second hangs), and the gateway has one for its whole life. So the
    // test process has this one; other instances run in child processes (keychainInChild).
    std::unique_ptr<KeychainSecretStore> m_keychain;
    std::optional<QString> m_keyringProblem;
    // Unique per run, so leftovers of an aborted run in a real keyring never collide.
    QString m_scope = u"tst_secretstore/"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
};

void TestSecretStore::initTestCase()
{
    // libsecret needs a GLib main loop on the keychain store's thread: Qt picks the GLib event
    // dispatcher for new threads only when neither of these is set.
    qunsetenv("QT_NO_GLIB");
    qunsetenv("QT_NO_THREADED_GLIB");
    const QByteArray binDir = qgetenv("MAESTRO_BIN_DIR");
    if (!binDir.isEmpty())
        m_binary = QDir(QString::fromLocal8Bit(binDir)).filePath(u"model-maestro"_s);
}

void TestSecretStore::fileStoreRoundTrip()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"secrets.json"_s);
    FileSecretStore store(path);
    QCOMPARE(store.read(u"node/1/api_key"_s), std::nullopt);
    QVERIFY(store.keys().isEmpty());
    QVERIFY(!QFile::exists(path)); // nothing written, nothing created

    QVERIFY(store.write(u"node/1/api_key"_s, u"sk-one"_s));
    QVERIFY(store.write(u"admin_token"_s, u"tok\u00e9n \"quoted\""_s));
    QCOMPARE(store.read(u"node/1/api_key"_s), u"sk-one"_s);
    QCOMPARE(store.read(u"admin_token"_s), u"tok\u00e9n \"quoted\""_s);
    QStringList keys = store.keys();
    keys.sort();
    QCOMPARE(keys, QStringList({u"admin_token"_s, u"node/1/api_key"_s}));

    QVERIFY(store.write(u"node/1/api_key"_s, u"sk-two"_s));
    QCOMPARE(store.read(u"node/1/api_key"_s), u"sk-two"_s);

    // Another instance on the same file sees the same secrets.
    FileSecretStore other(path);
    QCOMPARE(other.read(u"node/1/api_key"_s), u"sk-two"_s);

    QVERIFY(store.remove(u"node/1/api_key"_s));
    QCOMPARE(store.read(u"node/1/api_key"_s), std::nullopt);
    QVERIFY(store.remove(u"node/1/api_key"_s)); // removing what is gone is fine
    QCOMPARE(store.keys(), QStringList{u"admin_token"_s});
    QVERIFY(store.description().contains(path));

    // What is on disk is plain JSON with exactly these entries.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(file.readAll()).object(),
             QJsonObject({{u"admin_token"_s, u"tok\u00e9n \"quoted\""_s}}));
}

void TestSecretStore::fileStoreIsOwnerOnly()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"secrets.json"_s);
    FileSecretStore store(path);
    QVERIFY(store.write(u"k"_s, u"v"_s));
    const auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    const auto userBits = QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ExeUser;
    QCOMPARE(QFileInfo(path).permissions() & ~userBits, ownerOnly);

    // A file that someone made readable to others is tightened on the next write.
    QVERIFY(QFile::setPermissions(path, ownerOnly | QFileDevice::ReadGroup | QFileDevice::ReadOther));
    QVERIFY(store.write(u"k"_s, u"w"_s));
    QCOMPARE(QFileInfo(path).permissions() & ~userBits, ownerOnly);
    QCOMPARE(store.read(u"k"_s), u"w"_s);
}

void TestSecretStore::fileStoreDiscard()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"secrets.json"_s);
    FileSecretStore store(path);
    QVERIFY(store.discard()); // no file yet
    QVERIFY(store.write(u"k"_s, u"v"_s));
    QVERIFY(QFile::exists(path));
    QVERIFY(store.discard());
    QVERIFY(!QFile::exists(path));
    QCOMPARE(store.read(u"k"_s), std::nullopt);
    QVERIFY(store.keys().isEmpty());
}

QProcessEnvironment TestSecretStore::gatewayEnvironment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"DISPLAY"_s);
    env.remove(u"WAYLAND_DISPLAY"_s);
    env.remove(u"MAESTRO_ADMIN_TOKEN"_s);
    env.remove(u"MAESTRO_SECRET_STORE"_s);
    env.remove(u"QT_NO_GLIB"_s);
    env.remove(u"QT_NO_THREADED_GLIB"_s);
    return env;
}

bool TestSecretStore::startGateway(QProcess *process, const QString &dataDir, const QProcessEnvironment &env)
{
    process->setProcessEnvironment(env);
    process->setProcessChannelMode(QProcess::SeparateChannels);
    process->start(m_binary, {u"--headless"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--data-dir"_s, dataDir});
    if (!process->waitForStarted(5000))
        return false;
    if (!QTest::qWaitFor([&] { return process->canReadLine() || process->state() == QProcess::NotRunning; }, 20000))
        return false;
    const QByteArray line = process->readLine();
    if (!line.startsWith("Model Maestro listening on ")) {
        qWarning() << "unexpected first line:" << line << process->readAllStandardError();
        return false;
    }
    return true;
}

QString TestSecretStore::printAdminToken(const QString &dataDir, const QProcessEnvironment &env)
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(m_binary, {u"--print-admin-token"_s, u"--data-dir"_s, dataDir});
    if (!process.waitForFinished(20000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        qWarning() << "--print-admin-token failed:" << process.readAllStandardError();
        return {};
    }
    return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
}

void TestSecretStore::cliFallsBackToFileWithoutSessionBus()
{
    if (m_binary.isEmpty())
        QSKIP("MAESTRO_BIN_DIR is not set (run through ctest)");
    QProcessEnvironment env = gatewayEnvironment();
    env.remove(u"DBUS_SESSION_BUS_ADDRESS"_s);
    QTemporaryDir dir;
    QProcess gateway;
    QVERIFY(startGateway(&gateway, dir.path(), env));
    gateway.terminate();
    QVERIFY(gateway.waitForFinished(10000));
    const QString err = QString::fromUtf8(gateway.readAllStandardError());
    QVERIFY2(err.contains(u"no OS keychain answered"_s), qPrintable(err));
    QVERIFY2(err.contains(u"generated an admin token"_s), qPrintable(err));

    const QString path = dir.filePath(u"secrets.json"_s);
    QVERIFY(QFileInfo::exists(path));
    const auto userBits = QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ExeUser;
    QCOMPARE(QFileInfo(path).permissions() & ~userBits, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    const QString token = printAdminToken(dir.path(), env);
    QVERIFY(!token.isEmpty());
    QCOMPARE(FileSecretStore(path).read(u"admin_token"_s), token);
}

bool TestSecretStore::keyringAvailable()
{
    if (!m_keyringProblem) {
        QString why;
        if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS")) {
            why = u"no D-Bus session bus"_s;
        } else {
            m_keychain = std::make_unique<KeychainSecretStore>(m_scope, 3000);
            if (!m_keychain->probe(&why))
                why = u"no unlocked keyring answered: "_s + why;
            else
                why.clear();
        }
        m_keyringProblem = why;
    }
    return m_keyringProblem->isEmpty();
}

#define REQUIRE_KEYRING() \
    do { \
        if (!keyringAvailable()) { \
            if (qEnvironmentVariableIntValue("MAESTRO_REQUIRE_KEYRING") == 1) \
                QFAIL(qPrintable(u"MAESTRO_REQUIRE_KEYRING=1 but "_s + *m_keyringProblem)); \
            QSKIP(qPrintable(*m_keyringProblem + u" (tst_secretstore_keyring runs these under tests/storage/with-keyring.sh)"_s)); \
        } \
    } while (false)

TestSecretStore::ChildOutcome TestSecretStore::keychainInChild(const QString &op, const QString &scope,
                                                               const QString &key, const QString &value)
{
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"TST_SECRETSTORE_OP"_s, op);
    env.insert(u"TST_SECRETSTORE_SCOPE"_s, scope);
    env.insert(u"TST_SECRETSTORE_KEY"_s, key);
    env.insert(u"TST_SECRETSTORE_VALUE"_s, value);
    child.setProcessEnvironment(env);
    child.start(QCoreApplication::applicationFilePath(), {});
    ChildOutcome outcome;
    if (!child.waitForFinished(20000) || child.exitStatus() != QProcess::NormalExit) {
        child.kill();
        child.waitForFinished();
        return outcome;
    }
    outcome.exitCode = child.exitCode();
    outcome.value = QString::fromUtf8(child.readAllStandardOutput());
    return outcome;
}

void TestSecretStore::keychainProbe()
{
    REQUIRE_KEYRING();
    QString error;
    QVERIFY2(m_keychain->probe(&error), qPrintable(error));
    QVERIFY(m_keychain->description().contains(u"keychain"_s));
    // The probe cleans up after itself, in the keyring too.
    QCOMPARE(m_keychain->read(u"probe"_s), std::nullopt);
    QCOMPARE(keychainInChild(u"read"_s, m_scope, u"probe"_s).exitCode, 1);
}

void TestSecretStore::keychainRoundTrip()
{
    REQUIRE_KEYRING();
    KeychainSecretStore &store = *m_keychain;
    const QString key = u"node/7/api_key"_s;
    QCOMPARE(store.read(key), std::nullopt);
    QVERIFY(store.write(key, u"sk-\u00e9t\u00e9"_s));
    QCOMPARE(store.read(key), u"sk-\u00e9t\u00e9"_s);
    QVERIFY(store.write(key, u"sk-second"_s));
    QCOMPARE(store.read(key), u"sk-second"_s);
    QVERIFY(store.remove(key));
    QCOMPARE(store.read(key), std::nullopt);
    QVERIFY(store.remove(key)); // removing what is gone is fine
    // Gone from the keyring too, not only from this store's cache.
    QCOMPARE(keychainInChild(u"read"_s, m_scope, key).exitCode, 1);
}

void TestSecretStore::keychainScopesKeepApart()
{
    REQUIRE_KEYRING();
    const QString other = m_scope + u"/other"_s;
    const QString key = u"admin_token"_s;
    QVERIFY(m_keychain->write(key, u"first-token"_s));
    QCOMPARE(keychainInChild(u"read"_s, other, key).exitCode, 1);
    QCOMPARE(keychainInChild(u"write"_s, other, key, u"other-token"_s).exitCode, 0);
    const ChildOutcome read = keychainInChild(u"read"_s, other, key);
    QCOMPARE(read.exitCode, 0);
    QCOMPARE(read.value, u"other-token"_s);
    QCOMPARE(keychainInChild(u"read"_s, m_scope, key).value, u"first-token"_s);
    QVERIFY(m_keychain->remove(key));
    QCOMPARE(keychainInChild(u"read"_s, other, key).value, u"other-token"_s);
    QCOMPARE(keychainInChild(u"remove"_s, other, key).exitCode, 0);
    QCOMPARE(keychainInChild(u"read"_s, other, key).exitCode, 1);
}

void TestSecretStore::keychainSurvivesANewStore()
{
    REQUIRE_KEYRING();
    const QString key = u"node/9/api_key"_s;
    // Written by one store instance (another process)...
    QCOMPARE(keychainInChild(u"write"_s, m_scope, key, u"persisted"_s).exitCode, 0);
    // ...and read by another, whose cache never saw it: the value comes from the keyring.
    QCOMPARE(m_keychain->read(key), u"persisted"_s);
    const ChildOutcome again = keychainInChild(u"read"_s, m_scope, key);
    QCOMPARE(again.exitCode, 0);
    QCOMPARE(again.value, u"persisted"_s);
    QVERIFY(m_keychain->remove(key));
    QCOMPARE(keychainInChild(u"read"_s, m_scope, key).exitCode, 1);
}

void TestSecretStore::cliKeepsTheAdminTokenInTheKeychain()
{
    REQUIRE_KEYRING();
    if (m_binary.isEmpty())
        QSKIP("MAESTRO_BIN_DIR is not set (run through ctest)");
    const QProcessEnvironment env = gatewayEnvironment();
    QTemporaryDir dir;
    QProcess gateway;
    QVERIFY(startGateway(&gateway, dir.path(), env));
    gateway.terminate();
    QVERIFY(gateway.waitForFinished(10000));
    const QString err = QString::fromUtf8(gateway.readAllStandardError());
    QVERIFY2(err.contains(u"generated an admin token"_s), qPrintable(err));
    QVERIFY2(!err.contains(u"no OS keychain answered"_s), qPrintable(err));
    QVERIFY(!QFileInfo::exists(dir.filePath(u"secrets.json"_s)));

    const QString token = printAdminToken(dir.path(), env);
    QVERIFY(!token.isEmpty());
    // The gateway scopes its keys by data directory.
    const QString scope = QDir::cleanPath(dir.path());
    const ChildOutcome stored = keychainInChild(u"read"_s, scope, u"admin_token"_s);
    QCOMPARE(stored.exitCode, 0);
    QCOMPARE(stored.value, token);
    QCOMPARE(keychainInChild(u"remove"_s, scope, u"admin_token"_s).exitCode, 0);
}

namespace {

// One keychain operation with a fresh store, for keychainInChild(): prints a read value and
// exits 0 (found, or done), 1 (not found) or 2 (the keychain failed).
int runKeychainOperation()
{
    const QString op = qEnvironmentVariable("TST_SECRETSTORE_OP");
    const QString key = qEnvironmentVariable("TST_SECRETSTORE_KEY");
    KeychainSecretStore store(qEnvironmentVariable("TST_SECRETSTORE_SCOPE"));
    if (op == "read"_L1) {
        const auto value = store.read(key);
        if (!value)
            return 1;
        std::fputs(value->toUtf8().constData(), stdout);
        return 0;
    }
    if (op == "write"_L1)
        return store.write(key, qEnvironmentVariable("TST_SECRETSTORE_VALUE")) ? 0 : 2;
    if (op == "remove"_L1)
        return store.remove(key) ? 0 : 2;
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsSet("TST_SECRETSTORE_OP"))
        return runKeychainOperation();
    TestSecretStore test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_secretstore.moc"

// The model-maestro binary with --tls-cert/--tls-key: a key that does not belong to the
// certificate, or is encrypted, refuses start with one line and exit 2 before anything is
// created; a good pair serves HTTPS, prints an https:// ready line and writes instance.json (with
// the certificate's fingerprint, never the admin token), which a clean stop removes and a dead
// pid makes stale. (A process of its own: the thread sanitizer cannot follow the fork of a
// QProcess, so the in-process TLS tests are in tests/http/tst_tls_http.cpp.)

#include "tlsfixture.h"
#include "instance.h"
#include "httpclient.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Maestro;
using namespace Maestro::Test;

class TestTlsProcess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void processRefusesABadKey_data();
    void processRefusesABadKey();
    void processServesHttpsAndDescribesItself();
};

void TestTlsProcess::initTestCase()
{
    // The test's clients trust this certificate and nothing else: the pin.
    QSslConfiguration pinned = QSslConfiguration::defaultConfiguration();
    pinned.setCaCertificates(QSslCertificate::fromPath(tlsFixture(u"cert.pem"_s)));
    QCOMPARE(pinned.caCertificates().size(), 1);
    QSslConfiguration::setDefaultConfiguration(pinned);
}

void TestTlsProcess::processRefusesABadKey_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("message");
    QTest::newRow("another certificate's key") << tlsFixture(u"other-key.pem"_s) << u"does not belong to the certificate"_s;
    QTest::newRow("encrypted key") << tlsFixture(u"encrypted-key.pem"_s) << u"is encrypted"_s;
}

void TestTlsProcess::processRefusesABadKey()
{
    QFETCH(QString, key);
    QFETCH(QString, message);
    QTemporaryDir dir;
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"MAESTRO_SECRET_STORE"_s, u"file"_s);
    process.setProcessEnvironment(environment);
    process.start(qEnvironmentVariable("MAESTRO_BIN_DIR") + u"/model-maestro"_s,
                  {u"--headless"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--data-dir"_s, dir.path() + u"/data"_s,
                   u"--tls-cert"_s, tlsFixture(u"cert.pem"_s), u"--tls-key"_s, key});
    QVERIFY(process.waitForFinished(15000));
    QCOMPARE(process.exitCode(), 2);
    const QString stderrText = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(stderrText.contains(message), qPrintable(stderrText));
    QVERIFY(process.readAllStandardOutput().isEmpty());
    // Refused before anything was created.
    QVERIFY(!QFile::exists(dir.path() + u"/data"_s));
}

void TestTlsProcess::processServesHttpsAndDescribesItself()
{
    QTemporaryDir dir;
    const QString dataDir = dir.path() + u"/data"_s;
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"MAESTRO_SECRET_STORE"_s, u"file"_s);
    environment.insert(u"MAESTRO_ADMIN_TOKEN"_s, u"process-admin-token"_s);
    process.setProcessEnvironment(environment);
    process.start(qEnvironmentVariable("MAESTRO_BIN_DIR") + u"/model-maestro"_s,
                  {u"--headless"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--data-dir"_s, dataDir, u"--tls-cert"_s,
                   tlsFixture(u"cert.pem"_s), u"--tls-key"_s, tlsFixture(u"key.pem"_s)});
    QTRY_VERIFY_WITH_TIMEOUT(process.canReadLine(), 15000);
    const QString line = QString::fromUtf8(process.readLine()).trimmed();
    QVERIFY2(line.startsWith(u"Model Maestro listening on https://127.0.0.1:"_s), qPrintable(line));
    const quint16 port = quint16(line.section(u':', -1).toUInt());

    // instance.json: how to reach it, nothing secret.
    QFile file(dataDir + u"/instance.json"_s);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray raw = file.readAll();
    file.close();
    QVERIFY(!raw.contains("process-admin-token"));
    const QJsonObject info = QJsonDocument::fromJson(raw).object();
    QCOMPARE(qint64(info.value("pid"_L1).toDouble()), process.processId());
    QCOMPARE(info.value("port"_L1).toInt(), int(port));
    QCOMPARE(info.value("scheme"_L1).toString(), u"https"_s);
    QCOMPARE(info.value("url"_L1).toString(), u"https://127.0.0.1:%1"_s.arg(port));
    QCOMPARE(info.value("tls_fingerprint_sha256"_L1).toString(), TlsFixtureFingerprint);
    QCOMPARE(QFile(dataDir + u"/instance.json"_s).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup),
             QFileDevice::Permissions());
    const std::optional<QJsonObject> running = readRunningInstance(dataDir);
    QVERIFY(running);
    QCOMPARE(running->value("instance_id"_L1).toString(), info.value("instance_id"_L1).toString());

    // The same instance answers its status over HTTPS with the pinned certificate.
    QNetworkAccessManager nam;
    const Response status = sendRequest(nam, QUrl(u"https://127.0.0.1:%1/admin/status"_s.arg(port)), "GET", {},
                                        "process-admin-token");
    QCOMPARE(status.status, 200);
    QCOMPARE(status.json().value("instance_id"_L1).toString(), info.value("instance_id"_L1).toString());
    QCOMPARE(status.json().value("data_dir"_L1).toString(), QFileInfo(dataDir).absoluteFilePath());
    QCOMPARE(status.json().value("tls"_L1).toObject().value("fingerprint_sha256"_L1).toString(), TlsFixtureFingerprint);

    // A clean stop takes the file away.
    process.terminate();
    QVERIFY(process.waitForFinished(15000));
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(!QFile::exists(dataDir + u"/instance.json"_s));
    QVERIFY(!readRunningInstance(dataDir));

    // A file left by a process that died names a pid that no longer runs: stale, not attached to.
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(raw);
    file.close();
    QVERIFY(!readRunningInstance(dataDir));
}

QTEST_GUILESS_MAIN(TestTlsProcess)
#include "tst_tls_process.moc"

// HTTPS on the listener over real sockets: a chat through the gateway with a client that trusts
// only the test certificate, the admin status with the certificate's fingerprint, plain HTTP sent
// to the TLS port refused and closed, a client that opens a connection and stays silent (or stops
// inside its handshake) closed by the header timeout while it counts as an open connection, and
// the certificate and key checked at load. tests/app/tst_tls_process.cpp runs the binary with them.

#include "tlsfixture.h"
#include "gatewayharness.h"
#include "http/tlsidentity.h"

#include <QJsonDocument>
#include <QSslCertificate>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Maestro;
using namespace Maestro::Test;

namespace {

const QString ReplyText = u"served over TLS"_s;
const QString Model = u"chat-local"_s;
// Reads until the server closes the connection (or timeoutMs pass); true when it did close.
bool readUntilClosed(QTcpSocket &socket, QByteArray *received, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        if (socket.state() == QAbstractSocket::UnconnectedState) {
            *received += socket.readAll();
            return true;
        }
        socket.waitForReadyRead(50);
        *received += socket.readAll();
    }
    return socket.state() == QAbstractSocket::UnconnectedState;
}

} // namespace

class TestTlsHttp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void chatOverHttpsWithPinnedCertificate();
    void untrustedCertificateIsRefusedByTheClient();
    void statusShowsTheFingerprint();
    void plainHttpToTheTlsPortIsRefused();
    void silentClientIsClosedByTheHeaderTimeout_data();
    void silentClientIsClosedByTheHeaderTimeout();
    void identityChecksAtLoad_data();
    void identityChecksAtLoad();

private:
    GatewayHarness m_harness;
    QByteArray m_alice;
    QSslConfiguration m_pinned;
};

void TestTlsHttp::initTestCase()
{
    QString error;
    const std::shared_ptr<const TlsIdentity> identity = TlsIdentity::load(tlsFixture(u"cert.pem"_s), tlsFixture(u"key.pem"_s), &error);
    QVERIFY2(identity, qPrintable(error));

    // The test's clients trust this certificate and nothing else: the pin.
    m_pinned = QSslConfiguration::defaultConfiguration();
    m_pinned.setCaCertificates(QSslCertificate::fromPath(tlsFixture(u"cert.pem"_s)));
    QCOMPARE(m_pinned.caCertificates().size(), 1);
    QSslConfiguration::setDefaultConfiguration(m_pinned);

    StackOptions options;
    options.config.tls = identity;
    options.settings.insert(u"client_header_timeout_seconds"_s, u"1"_s);
    QVERIFY(m_harness.start({u"llama3.2:latest"_s}, {u"gpt-4o-mini"_s}, ReplyText, options));
    QVERIFY(m_harness.stack().baseUrl().toString().startsWith(u"https://"_s));
    QVERIFY(m_harness.addMapping(Model, u"llama3.2:latest"_s));
    m_alice = m_harness.createUser(u"alice"_s, {u"*"_s});
    QVERIFY(!m_alice.isEmpty());
}

void TestTlsHttp::cleanupTestCase()
{
    m_harness.stop();
}

void TestTlsHttp::chatOverHttpsWithPinnedCertificate()
{
    const QJsonObject body{{u"model"_s, Model}, {u"messages"_s, userMessage(u"hello"_s)}};
    const Response whole = m_harness.send("POST", u"/v1/chat/completions"_s, toJson(body), m_alice);
    QCOMPARE(whole.error, QNetworkReply::NoError);
    QCOMPARE(whole.status, 200);
    QCOMPARE(whole.json().value("choices"_L1).toArray().at(0).toObject().value("message"_L1).toObject().value("content"_L1).toString(),
             ReplyText);

    // A stream, event by event, through the encrypted connection.
    QJsonObject streamed = body;
    streamed.insert(u"stream"_s, true);
    const Response stream = m_harness.send("POST", u"/v1/chat/completions"_s, toJson(streamed), m_alice);
    QCOMPARE(stream.status, 200);
    QString text;
    for (const auto &[name, data] : sseEvents(stream.body)) {
        if (data == "[DONE]")
            continue;
        text += QJsonDocument::fromJson(data).object().value("choices"_L1).toArray().at(0).toObject()
                    .value("delta"_L1).toObject().value("content"_L1).toString();
    }
    QCOMPARE(text, ReplyText);
    // Logged as any request.
    QCOMPARE(m_harness.waitForLogs(u"alice"_s, 2).at(0).toObject().value("status_code"_L1).toInt(), 200);
}

void TestTlsHttp::untrustedCertificateIsRefusedByTheClient()
{
    // Without the pin (the system's authorities only) the self-signed certificate is refused:
    // the pin is what lets the clients above in.
    QSslSocket client;
    QSslConfiguration system = QSslConfiguration::defaultConfiguration();
    system.setCaCertificates(QSslConfiguration::systemCaCertificates());
    client.setSslConfiguration(system);
    client.connectToHostEncrypted(u"127.0.0.1"_s, m_harness.port());
    QVERIFY(!client.waitForEncrypted(5000));
    QVERIFY(!client.sslHandshakeErrors().isEmpty());

    // With the pin, the handshake succeeds and the peer is the fixture's certificate.
    QSslSocket pinned;
    pinned.setSslConfiguration(m_pinned);
    pinned.connectToHostEncrypted(u"127.0.0.1"_s, m_harness.port());
    QVERIFY2(pinned.waitForEncrypted(5000), qPrintable(pinned.errorString()));
    QCOMPARE(pinned.peerCertificate(), QSslCertificate::fromPath(tlsFixture(u"cert.pem"_s)).value(0));
    QVERIFY(pinned.sessionProtocol() == QSsl::TlsV1_2 || pinned.sessionProtocol() == QSsl::TlsV1_3);
}

void TestTlsHttp::statusShowsTheFingerprint()
{
    const Response status = m_harness.admin("GET", u"/admin/status"_s);
    QCOMPARE(status.status, 200);
    const QJsonObject json = status.json();
    QCOMPARE(json.value("tls"_L1).toObject().value("enabled"_L1).toBool(), true);
    QCOMPARE(json.value("tls"_L1).toObject().value("fingerprint_sha256"_L1).toString(), TlsFixtureFingerprint);
    QCOMPARE(json.value("scheme"_L1).toString(), u"https"_s);
    QCOMPARE(json.value("port"_L1).toInt(), int(m_harness.port()));
    QCOMPARE(json.value("database"_L1).toString(), u"sqlite"_s);
    QCOMPARE(json.value("version"_L1).toString(), QStringLiteral(MAESTRO_VERSION));
    QVERIFY(!json.value("instance_id"_L1).toString().isEmpty());
    QCOMPARE(json.value("healthy_nodes"_L1).toInt(), 2);

    // The admin token, as elsewhere.
    QCOMPARE(m_harness.send("GET", u"/admin/status"_s, {}, {}).status, 401);
    QCOMPARE(m_harness.send("GET", u"/admin/status"_s, {}, m_alice).status, 403);
}

void TestTlsHttp::plainHttpToTheTlsPortIsRefused()
{
    QTcpSocket plain;
    plain.connectToHost(u"127.0.0.1"_s, m_harness.port());
    QVERIFY(plain.waitForConnected(5000));
    plain.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray received;
    // Answered and closed at once, well before any timeout of the gateway.
    QVERIFY2(readUntilClosed(plain, &received, 5000), received.constData());
    QVERIFY2(received.startsWith("HTTP/1.1 400 "), received.constData());
    QVERIFY(received.contains("Connection: close"));
    QVERIFY(received.contains("https://"));
}

void TestTlsHttp::silentClientIsClosedByTheHeaderTimeout_data()
{
    QTest::addColumn<QByteArray>("sent");
    QTest::newRow("nothing at all") << QByteArray();
    // A TLS record header announcing a ClientHello that never comes: the handshake stalls.
    QTest::newRow("half a handshake") << QByteArray("\x16\x03\x01\x02\x00\x01", 6);
}

void TestTlsHttp::silentClientIsClosedByTheHeaderTimeout()
{
    QFETCH(QByteArray, sent);
    const auto openConnections = [this] {
        return m_harness.admin("GET", u"/admin/status"_s).json().value("open_connections"_L1).toInt();
    };
    const int before = openConnections();
    QTcpSocket silent;
    silent.connectToHost(u"127.0.0.1"_s, m_harness.port());
    QVERIFY(silent.waitForConnected(5000));
    if (!sent.isEmpty()) {
        silent.write(sent);
        QVERIFY(silent.waitForBytesWritten(5000));
    }
    // It counts against max_connections while it waits.
    QTRY_VERIFY_WITH_TIMEOUT(openConnections() >= before + 1, 2000);
    // client_header_timeout_seconds is 1 here: closed after it, not left open.
    QByteArray received;
    QVERIFY(readUntilClosed(silent, &received, 10000));
    QVERIFY(!received.contains("HTTP/1.1"));
    QTRY_COMPARE_WITH_TIMEOUT(openConnections(), before, 5000);
}

void TestTlsHttp::identityChecksAtLoad_data()
{
    QTest::addColumn<QString>("certificate");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("message");
    QTest::newRow("no such certificate") << tlsFixture(u"missing.pem"_s) << tlsFixture(u"key.pem"_s) << u"cannot read the TLS certificate"_s;
    QTest::newRow("no such key") << tlsFixture(u"cert.pem"_s) << tlsFixture(u"missing.pem"_s) << u"cannot read the TLS key"_s;
    QTest::newRow("a key as the certificate") << tlsFixture(u"key.pem"_s) << tlsFixture(u"key.pem"_s) << u"holds no PEM certificate"_s;
    QTest::newRow("a certificate as the key") << tlsFixture(u"cert.pem"_s) << tlsFixture(u"cert.pem"_s) << u"holds no unencrypted PEM private key"_s;
    QTest::newRow("another certificate's key") << tlsFixture(u"cert.pem"_s) << tlsFixture(u"other-key.pem"_s) << u"does not belong to the certificate"_s;
    QTest::newRow("encrypted key") << tlsFixture(u"cert.pem"_s) << tlsFixture(u"encrypted-key.pem"_s) << u"is encrypted"_s;
}

void TestTlsHttp::identityChecksAtLoad()
{
    QFETCH(QString, certificate);
    QFETCH(QString, key);
    QFETCH(QString, message);
    QString error;
    QVERIFY(!TlsIdentity::load(certificate, key, &error));
    QVERIFY2(error.contains(message), qPrintable(error));

    const auto good = TlsIdentity::load(tlsFixture(u"cert.pem"_s), tlsFixture(u"key.pem"_s), &error);
    QVERIFY(good);
    QCOMPARE(good->fingerprintSha256, TlsFixtureFingerprint);
    QCOMPARE(good->configuration.protocol(), QSsl::TlsV1_2OrLater);
}

QTEST_GUILESS_MAIN(TestTlsHttp)
#include "tst_tls_http.moc"

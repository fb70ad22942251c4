// The desktop app's HTTP connection to a gateway (AdminConnection) and its "Connect to gateway"
// dialog, over real sockets: a real gateway in this process (plain and HTTPS with the fixture
// certificate), and small raw servers that play a gateway gone wrong (silent, not JSON, too large,
// another version, a live log that drops or falls silent).

#include "tlsfixture.h"
#include "../http/gatewayharness.h"
#include "connect/gatewayconnectdialog.h"
#include "http/tlsidentity.h"
#include "remote/adminconnection.h"
#include "storage/filesecretstore.h"
#include "uiutil.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>

using namespace Qt::StringLiterals;
using namespace Maestro;
using namespace Maestro::Test;

namespace {

const QString ReplyText = u"answered for the live log"_s;
const QString Model = u"chat-local"_s;
// A server that plays a broken gateway: each request (its head) is handed to `answer`, which
// writes what it likes on the socket, or nothing.
class RawServer : public QTcpServer
{
public:
    using Answer = std::function<void(QTcpSocket *socket, const QByteArray &head)>;

    explicit RawServer(Answer answer, quint16 port = 0)
        : m_answer(std::move(answer))
    {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = nextPendingConnection()) {
                ++m_connections;
                m_sockets.append(socket);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
                    QByteArray &buffer = m_buffers[socket];
                    if (buffer.contains("\r\n\r\n"))
                        return; // answered; the rest of the request does not matter
                    buffer += socket->readAll();
                    if (buffer.contains("\r\n\r\n")) {
                        m_heads.append(buffer.left(buffer.indexOf("\r\n\r\n")));
                        m_answer(socket, buffer);
                    }
                });
            }
        });
        listen(QHostAddress::LocalHost, port);
    }

    QUrl url() const { return QUrl(u"http://127.0.0.1:%1"_s.arg(serverPort())); }
    int connections() const { return m_connections; }
    const QList<QByteArray> &heads() const { return m_heads; }
    // Drops every open connection.
    void dropAll()
    {
        for (QTcpSocket *socket : std::as_const(m_sockets)) {
            if (socket)
                socket->abort();
        }
    }

private:
    Answer m_answer;
    int m_connections = 0;
    QList<QPointer<QTcpSocket>> m_sockets;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<QByteArray> m_heads;
};

RawServer::Answer answerWith(const QByteArray &bytes, bool close = true)
{
    return [bytes, close](QTcpSocket *socket, const QByteArray &) {
        socket->write(bytes);
        if (close)
            socket->disconnectFromHost();
    };
}

QByteArray jsonAnswer(const QJsonObject &object)
{
    const QByteArray body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\n\r\n" + body;
}

const QByteArray SseHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";

QByteArray sseEvent(const QByteArray &name, const QJsonObject &data)
{
    return "event: " + name + "\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
}

struct Outcome
{
    bool done = false;
    QJsonValue answer;
    QJsonObject status;
    AdminFailure failure;
};

Outcome sendAndWait(AdminConnection &connection, const QByteArray &method, const QString &path,
                    const QJsonValue &body = QJsonValue(), int timeoutMs = 20000)
{
    QObject context;
    Outcome outcome;
    connection.send(method, path, body, &context, [&outcome](const QJsonValue &answer, const AdminFailure &failure) {
        outcome.done = true;
        outcome.answer = answer;
        outcome.failure = failure;
    });
    static_cast<void>(QTest::qWaitFor([&] { return outcome.done; }, timeoutMs));
    return outcome;
}

Outcome probeAndWait(AdminConnection &connection, int timeoutMs = 20000)
{
    QObject context;
    Outcome outcome;
    connection.probe(&context, [&outcome](const QJsonObject &status, const AdminFailure &failure) {
        outcome.done = true;
        outcome.status = status;
        outcome.failure = failure;
    });
    static_cast<void>(QTest::qWaitFor([&] { return outcome.done; }, timeoutMs));
    return outcome;
}

GatewayEndpoint endpointOf(const QUrl &url, const QByteArray &token, const QString &pin = {})
{
    GatewayEndpoint endpoint;
    endpoint.url = url;
    endpoint.adminToken = token;
    endpoint.pinnedFingerprint = pin;
    return endpoint;
}

} // namespace

Q_DECLARE_METATYPE(Maestro::AdminFailure)

class TestAdminConnection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void sendCreatesAUserTheListShows();
    void refusalsCarryTheGatewayDetail_data();
    void refusalsCarryTheGatewayDetail();
    void wrongTokenIsReportedAndSignalled();
    void closedPortIsUnreachable();
    void silentServerTimesOut();
    void badAnswersAreMalformed_data();
    void badAnswersAreMalformed();
    void probeAcceptsTheGateway();
    void probeRefusesAnotherVersion();
    void endpointDisplayName_data();
    void endpointDisplayName();

    void tlsWithoutPinIsACertificateFailure();
    void tlsWithThePinConnects();
    void tlsWithAnotherPinIsRefused();

    void logStreamDeliversRequests();
    void logStreamReconnectsAfterADrop();
    void logStreamIdleWatchdogDropsASilentStream();
    void logStreamHeartbeatsKeepItOpen();
    void logStreamStopsOnARefusedToken();
    void logStreamReportsAnOutageOnce();

    void streamLinesReadsNdjson();
    void streamLinesRefusesAnOverlongLine();

    void dialogShowsARefusedTokenAndStaysOpen();
    void dialogAcceptsAndRemembersWithoutTheTokenInSettings();
    void dialogTrustsACertificateByItsFingerprint();
    void recentGatewaysKeepTheTenLatest();

private:
    void clearRecent();

    GatewayHarness m_harness; // plain HTTP, with nodes
    GatewayStack m_tls; // HTTPS with the fixture certificate
    QUrl m_url;
};

void TestAdminConnection::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    StackOptions options;
    options.config.logStreamHeartbeatMs = 100;
    QVERIFY(m_harness.start({u"llama3.2:latest"_s}, {u"gpt-4o-mini"_s}, ReplyText, options));
    QVERIFY(m_harness.addMapping(Model, u"llama3.2:latest"_s));
    m_url = m_harness.stack().baseUrl();

    QString error;
    const std::shared_ptr<const TlsIdentity> identity = TlsIdentity::load(tlsFixture(u"cert.pem"_s), tlsFixture(u"key.pem"_s), &error);
    QVERIFY2(identity, qPrintable(error));
    QCOMPARE(identity->fingerprintSha256, TlsFixtureFingerprint);
    StackOptions tls;
    tls.config.tls = identity;
    QVERIFY2(m_tls.start(tls, &error), qPrintable(error));
}

void TestAdminConnection::cleanupTestCase()
{
    m_tls.stop();
    m_harness.stop();
}

void TestAdminConnection::sendCreatesAUserTheListShows()
{
    AdminConnection connection(endpointOf(m_url, m_harness.stack().adminToken()));
    const Outcome created = sendAndWait(connection, "POST", u"/admin/users"_s, QJsonObject{{u"username"_s, u"ann"_s}});
    QVERIFY(created.done);
    QVERIFY2(!created.failure.failed(), qPrintable(created.failure.message));
    QCOMPARE(created.answer.toObject().value("username"_L1).toString(), u"ann"_s);
    QVERIFY(!created.answer.toObject().value("token"_L1).toString().isEmpty());

    const Outcome listed = sendAndWait(connection, "GET", u"/admin/users"_s);
    QVERIFY2(!listed.failure.failed(), qPrintable(listed.failure.message));
    QStringList names;
    for (const QJsonValue &user : listed.answer.toArray())
        names.append(user.toObject().value("username"_L1).toString());
    QVERIFY2(names.contains(u"ann"_s), qPrintable(names.join(u", "_s)));

    // A 204 answer is a null value, not a failure.
    const Outcome deleted = sendAndWait(connection, "DELETE", u"/admin/users/ann"_s);
    QVERIFY2(!deleted.failure.failed(), qPrintable(deleted.failure.message));
    QCOMPARE(m_harness.admin("GET", u"/admin/users/ann"_s).status, 404);
}

void TestAdminConnection::refusalsCarryTheGatewayDetail_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<int>("status");

    QTest::newRow("an unknown user is 404 with the gateway's words")
        << QByteArray("GET") << u"/admin/users/nobody-here"_s << QJsonObject() << 404;
    QTest::newRow("a user without a name is 400 with the gateway's words")
        << QByteArray("POST") << u"/admin/users"_s << QJsonObject{{u"name"_s, u"x"_s}} << 400;
}

void TestAdminConnection::refusalsCarryTheGatewayDetail()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QJsonObject, body);
    QFETCH(int, status);

    const Response direct = m_harness.admin(method, path, body);
    QCOMPARE(direct.status, status);
    const QString detail = direct.json().value("detail"_L1).toString();
    QVERIFY(!detail.isEmpty());

    AdminConnection connection(endpointOf(m_url, m_harness.stack().adminToken()));
    QSignalSpy failed(&connection, &AdminConnection::failed);
    const Outcome outcome = sendAndWait(connection, method, path, body.isEmpty() ? QJsonValue() : QJsonValue(body));
    QVERIFY(outcome.done);
    QCOMPARE(outcome.failure.kind, AdminFailure::Kind::Refused);
    QCOMPARE(outcome.failure.status, status);
    QCOMPARE(outcome.failure.message, detail);
    // Not a reason for the window's banner.
    QCOMPARE(failed.size(), 0);
}

void TestAdminConnection::wrongTokenIsReportedAndSignalled()
{
    AdminConnection connection(endpointOf(m_url, "not-the-admin-token"));
    QSignalSpy failed(&connection, &AdminConnection::failed);
    const Outcome outcome = sendAndWait(connection, "GET", u"/admin/users"_s);
    QVERIFY(outcome.done);
    QCOMPARE(outcome.failure.kind, AdminFailure::Kind::Token);
    QCOMPARE(outcome.failure.status, 403);
    QCOMPARE(outcome.failure.message, u"The gateway refused the admin token."_s);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).value<AdminFailure>().kind, AdminFailure::Kind::Token);
}

void TestAdminConnection::closedPortIsUnreachable()
{
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        port = probe.serverPort();
    }
    AdminConnection connection(endpointOf(QUrl(u"http://127.0.0.1:%1"_s.arg(port)), "token"));
    QSignalSpy failed(&connection, &AdminConnection::failed);
    const Outcome outcome = sendAndWait(connection, "GET", u"/admin/status"_s);
    QVERIFY(outcome.done);
    QCOMPARE(outcome.failure.kind, AdminFailure::Kind::Unreachable);
    QCOMPARE(outcome.failure.message, u"Could not connect to 127.0.0.1:%1: connection refused."_s.arg(port));
    QCOMPARE(failed.size(), 1);
}

void TestAdminConnection::silentServerTimesOut()
{
    RawServer silent([](QTcpSocket *, const QByteArray &) {});
    AdminConnection connection(endpointOf(silent.url(), "token"));
    AdminConnection::Limits limits;
    limits.timeoutMs = 400;
    connection.setLimits(limits);
    QElapsedTimer timer;
    timer.start();
    const Outcome outcome = sendAndWait(connection, "GET", u"/admin/status"_s);
    QVERIFY(outcome.done);
    QCOMPARE(outcome.failure.kind, AdminFailure::Kind::Timeout);
    QVERIFY2(timer.elapsed() >= 350 && timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(outcome.failure.message.startsWith(u"%1 did not answer within"_s.arg(connection.endpoint().displayName())));
    // The request carried the token.
    QCOMPARE(silent.heads().size(), 1);
    QVERIFY(silent.heads().at(0).contains("\r\nAuthorization: Bearer token"));
}

void TestAdminConnection::badAnswersAreMalformed_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<QString>("message");

    QTest::newRow("an answer that is not JSON")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<html></html>")
        << u"is not a Model Maestro gateway's answer."_s;
    QTest::newRow("a declared length over the cap, refused before its body")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{}")
        << u"it was not read."_s;
    QTest::newRow("a body read over the cap without a length")
        << (QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[")
            + QByteArray(4096, '1'))
        << u"it was not read."_s;
}

void TestAdminConnection::badAnswersAreMalformed()
{
    QFETCH(QByteArray, answer);
    QFETCH(QString, message);

    RawServer server(answerWith(answer));
    AdminConnection connection(endpointOf(server.url(), "token"));
    AdminConnection::Limits limits;
    limits.maxAnswerBytes = 1024;
    connection.setLimits(limits);
    QSignalSpy failed(&connection, &AdminConnection::failed);
    const Outcome outcome = sendAndWait(connection, "GET", u"/admin/users"_s);
    QVERIFY(outcome.done);
    QCOMPARE(outcome.failure.kind, AdminFailure::Kind::Malformed);
    QVERIFY2(outcome.failure.message.endsWith(message), qPrintable(outcome.failure.message));
    QCOMPARE(failed.size(), 0);
}

void TestAdminConnection::probeAcceptsTheGateway()
{
    AdminConnection connection(endpointOf(m_url, m_harness.stack().adminToken()));
    const Outcome outcome = probeAndWait(connection);
    QVERIFY(outcome.done);
    QVERIFY2(!outcome.failure.failed(), qPrintable(outcome.failure.message));
    QCOMPARE(outcome.status.value("version"_L1).toString(), QStringLiteral(MAESTRO_VERSION));
    QCOMPARE(outcome.status.value("port"_L1).toInt(), int(m_harness.port()));
}

void TestAdminConnection::probeRefusesAnotherVersion()
{
    RawServer old(answerWith(jsonAnswer({{u"version"_s, u"0.0.1"_s}, {u"instance_id"_s, u"old-one"_s}})));
    AdminConnection connection(endpointOf(old.url(), "token"));
    const Outcome outcome = probeAndWait(connection);
    QVERIFY(outcome.done);
    QCOMPARE(outcome.failure.kind, AdminFailure::Kind::Version);
    QCOMPARE(outcome.failure.message,
             u"The gateway runs version 0.0.1; this app is %1."_s.arg(QStringLiteral(MAESTRO_VERSION)));
    QVERIFY(old.heads().at(0).startsWith("GET /admin/status HTTP/1.1"));

    // Something that answers JSON but is no gateway.
    RawServer other(answerWith(jsonAnswer({{u"hello"_s, u"world"_s}})));
    AdminConnection second(endpointOf(other.url(), "token"));
    QCOMPARE(probeAndWait(second).failure.kind, AdminFailure::Kind::Malformed);
}

void TestAdminConnection::endpointDisplayName_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("name");
    QTest::newRow("host and port") << u"http://192.168.1.5:8000"_s << u"192.168.1.5:8000"_s;
    QTest::newRow("https without a port is 443") << u"https://gateway.lan"_s << u"gateway.lan:443"_s;
    QTest::newRow("http without a port is 80") << u"http://gateway.lan"_s << u"gateway.lan:80"_s;
    QTest::newRow("an IPv6 address in brackets") << u"http://[::1]:8000"_s << u"[::1]:8000"_s;
}

void TestAdminConnection::endpointDisplayName()
{
    QFETCH(QString, url);
    QFETCH(QString, name);
    QCOMPARE(endpointOf(QUrl(url), {}).displayName(), name);
}

void TestAdminConnection::tlsWithoutPinIsACertificateFailure()
{
    AdminConnection connection(endpointOf(m_tls.baseUrl(), m_tls.adminToken()));
    QSignalSpy failed(&connection, &AdminConnection::failed);
    const Outcome outcome = probeAndWait(connection);
    QVERIFY(outcome.done);
    QCOMPARE(outcome.failure.kind, AdminFailure::Kind::Certificate);
    QCOMPARE(outcome.failure.fingerprint, TlsFixtureFingerprint);
    QCOMPARE(outcome.failure.message, u"The gateway's certificate is not trusted (SHA-256 %1)."_s.arg(TlsFixtureFingerprint));
    QCOMPARE(failed.size(), 0);
}

void TestAdminConnection::tlsWithThePinConnects()
{
    // As printed, and as someone may paste it (lower case, no colons).
    for (const QString &pin : {TlsFixtureFingerprint, TlsFixtureFingerprint.toLower().remove(u':')}) {
        AdminConnection connection(endpointOf(m_tls.baseUrl(), m_tls.adminToken(), pin));
        const Outcome outcome = probeAndWait(connection);
        QVERIFY(outcome.done);
        QVERIFY2(!outcome.failure.failed(), qPrintable(outcome.failure.message));
        QCOMPARE(outcome.status.value("tls"_L1).toObject().value("fingerprint_sha256"_L1).toString(), TlsFixtureFingerprint);
        // And the next request on the same connection.
        const Outcome users = sendAndWait(connection, "GET", u"/admin/users"_s);
        QVERIFY2(!users.failure.failed(), qPrintable(users.failure.message));
        QVERIFY(users.answer.isArray());
    }
}

void TestAdminConnection::tlsWithAnotherPinIsRefused()
{
    QString otherPin = TlsFixtureFingerprint;
    otherPin.replace(0, 2, u"00"_s);
    AdminConnection connection(endpointOf(m_tls.baseUrl(), m_tls.adminToken(), otherPin));
    const Outcome outcome = probeAndWait(connection);
    QVERIFY(outcome.done);
    QCOMPARE(outcome.failure.kind, AdminFailure::Kind::Certificate);
    QCOMPARE(outcome.failure.fingerprint, TlsFixtureFingerprint);
    QVERIFY2(outcome.failure.message.contains(TlsFixtureFingerprint), qPrintable(outcome.failure.message));
}

void TestAdminConnection::logStreamDeliversRequests()
{
    const auto [name, token] = m_harness.freshUser();
    AdminConnection connection(endpointOf(m_url, m_harness.stack().adminToken()));
    QSignalSpy connected(&connection, &AdminConnection::logStreamConnectedChanged);
    QList<QJsonObject> requests;
    connect(&connection, &AdminConnection::logEvent, this, [&requests](const QByteArray &event, const QJsonObject &data) {
        if (event == "request")
            requests.append(data);
    });
    connection.openLogStream();
    QTRY_VERIFY_WITH_TIMEOUT(connection.isLogStreamConnected(), 10000);
    QCOMPARE(connected.size(), 1);

    const QJsonObject chat{{u"model"_s, Model}, {u"messages"_s, userMessage(u"hello"_s)}, {u"stream"_s, false}};
    QCOMPARE(m_harness.send("POST", u"/api/chat"_s, toJson(chat), token).status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(!requests.isEmpty(), 10000);
    QCOMPARE(requests.at(0).value("username"_L1).toString(), name);
    QCOMPARE(requests.at(0).value("status_code"_L1).toInt(), 200);

    connection.closeLogStream();
    QVERIFY(!connection.isLogStreamConnected());
    QCOMPARE(connected.size(), 2);
    QCOMPARE(connected.at(1).at(0).toBool(), false);
}

void TestAdminConnection::logStreamReconnectsAfterADrop()
{
    // Each connection gets one event and is then closed by the server.
    int served = 0;
    RawServer server([&served](QTcpSocket *socket, const QByteArray &) {
        ++served;
        socket->write(SseHead + ": hello\n\n" + sseEvent("request", {{u"id"_s, served}}));
        socket->disconnectFromHost();
    });
    AdminConnection connection(endpointOf(server.url(), "token"));
    QList<int> ids;
    QList<bool> states;
    QElapsedTimer sinceDrop;
    connect(&connection, &AdminConnection::logEvent, this, [&ids](const QByteArray &event, const QJsonObject &data) {
        if (event == "request")
            ids.append(data.value("id"_L1).toInt());
    });
    connect(&connection, &AdminConnection::logStreamConnectedChanged, this, [&](bool connected) {
        states.append(connected);
        if (!connected && !sinceDrop.isValid())
            sinceDrop.start();
    });
    connection.openLogStream();
    QTRY_VERIFY_WITH_TIMEOUT(ids.size() >= 2, 10000);
    QCOMPARE(ids.mid(0, 2), (QList<int>{1, 2}));
    QVERIFY(states.size() >= 3);
    QCOMPARE(states.mid(0, 3), (QList<bool>{true, false, true}));
    // The first retry waits a second, not less.
    QVERIFY2(sinceDrop.elapsed() >= 900, qPrintable(QString::number(sinceDrop.elapsed())));
    QVERIFY(server.heads().at(1).startsWith("GET /admin/request-logs/stream HTTP/1.1"));
    // The next retry waits twice as long: no third connection a second after the second.
    const int before = server.connections();
    QTest::qWait(1300);
    QCOMPARE(server.connections(), before);
    QTRY_COMPARE_WITH_TIMEOUT(server.connections(), before + 1, 3000);
    connection.closeLogStream();
    const int closed = server.connections();
    QTest::qWait(4500);
    QCOMPARE(server.connections(), closed);
}

void TestAdminConnection::logStreamIdleWatchdogDropsASilentStream()
{
    RawServer server(answerWith(SseHead + ": hello\n\n", false));
    AdminConnection connection(endpointOf(server.url(), "token"));
    AdminConnection::Limits limits;
    limits.logStreamIdleMs = 500;
    limits.logStreamFirstRetryMs = 100;
    connection.setLimits(limits);
    QList<bool> states;
    connect(&connection, &AdminConnection::logStreamConnectedChanged, this, [&](bool connected) { states.append(connected); });
    connection.openLogStream();
    QTRY_COMPARE_WITH_TIMEOUT(states.size(), 1, 5000);
    // Nothing more comes: the watchdog drops the stream and a new one is opened.
    QTRY_VERIFY_WITH_TIMEOUT(states.size() >= 3, 5000);
    QCOMPARE(states.mid(0, 3), (QList<bool>{true, false, true}));
    QVERIFY(server.connections() >= 2);
    connection.closeLogStream();
}

void TestAdminConnection::logStreamHeartbeatsKeepItOpen()
{
    // The harness's gateway sends a heartbeat every 100 ms; a 600 ms watchdog never fires.
    AdminConnection connection(endpointOf(m_url, m_harness.stack().adminToken()));
    AdminConnection::Limits limits;
    limits.logStreamIdleMs = 600;
    connection.setLimits(limits);
    QSignalSpy connected(&connection, &AdminConnection::logStreamConnectedChanged);
    connection.openLogStream();
    QTRY_VERIFY_WITH_TIMEOUT(connection.isLogStreamConnected(), 10000);
    QTest::qWait(2000);
    QVERIFY(connection.isLogStreamConnected());
    QCOMPARE(connected.size(), 1);
    connection.closeLogStream();
}

void TestAdminConnection::logStreamStopsOnARefusedToken()
{
    AdminConnection connection(endpointOf(m_url, "not-the-admin-token"));
    AdminConnection::Limits limits;
    limits.logStreamFirstRetryMs = 100;
    connection.setLimits(limits);
    QSignalSpy failed(&connection, &AdminConnection::failed);
    QSignalSpy connected(&connection, &AdminConnection::logStreamConnectedChanged);
    connection.openLogStream();
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
    QCOMPARE(failed.at(0).at(0).value<AdminFailure>().kind, AdminFailure::Kind::Token);
    // No retry: the same token would be refused again.
    QTest::qWait(800);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(connected.size(), 0);
    QVERIFY(!connection.isLogStreamConnected());
}

void TestAdminConnection::logStreamReportsAnOutageOnce()
{
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        port = probe.serverPort();
    }
    AdminConnection connection(endpointOf(QUrl(u"http://127.0.0.1:%1"_s.arg(port)), "token"));
    AdminConnection::Limits limits;
    limits.logStreamFirstRetryMs = 50;
    connection.setLimits(limits);
    QSignalSpy failed(&connection, &AdminConnection::failed);
    connection.openLogStream();
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
    QCOMPARE(failed.at(0).at(0).value<AdminFailure>().kind, AdminFailure::Kind::Unreachable);
    // It goes on trying (50, 100, 200, 400 ms...) without a banner for every attempt.
    QTest::qWait(1000);
    QCOMPARE(failed.size(), 1);

    // Once a gateway is there, the stream connects on its own.
    RawServer server(answerWith(SseHead + ": hello\n\n", false), port);
    QVERIFY(server.isListening());
    QTRY_VERIFY_WITH_TIMEOUT(connection.isLogStreamConnected(), 5000);
    QCOMPARE(failed.size(), 1);
    connection.closeLogStream();
}

void TestAdminConnection::streamLinesReadsNdjson()
{
    RawServer server(answerWith("HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nConnection: close\r\n\r\n"
                                "{\"status\":\"pulling manifest\"}\n{\"status\":\"downloading\",\"completed\":5}\r\n"
                                "\n{\"status\":\"success\"}"));
    AdminConnection connection(endpointOf(server.url(), "token"));
    QObject context;
    QList<QJsonObject> lines;
    bool done = false;
    AdminFailure result;
    connection.streamLines("POST", u"/api/pull"_s, QJsonObject{{u"model"_s, u"llama3.2"_s}}, &context,
                           [&lines](const QJsonObject &line) { lines.append(line); },
                           [&](const AdminFailure &failure) {
                               done = true;
                               result = failure;
                           });
    QTRY_VERIFY_WITH_TIMEOUT(done, 10000);
    QVERIFY2(!result.failed(), qPrintable(result.message));
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines.at(1).value("completed"_L1).toInt(), 5);
    QCOMPARE(lines.at(2).value("status"_L1).toString(), u"success"_s);
    QVERIFY(server.heads().at(0).startsWith("POST /api/pull HTTP/1.1"));
}

void TestAdminConnection::streamLinesRefusesAnOverlongLine()
{
    RawServer server(answerWith("HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n\r\n{\"status\":\"first\"}\n{\"status\":\""
                                    + QByteArray(300, 'x') + "\"}\n{\"status\":\"never\"}\n",
                                false));
    AdminConnection connection(endpointOf(server.url(), "token"));
    AdminConnection::Limits limits;
    limits.maxStreamEventBytes = 100;
    connection.setLimits(limits);
    QObject context;
    QList<QJsonObject> lines;
    int done = 0;
    AdminFailure result;
    connection.streamLines("POST", u"/api/pull"_s, QJsonObject{{u"model"_s, u"llama3.2"_s}}, &context,
                           [&lines](const QJsonObject &line) { lines.append(line); },
                           [&](const AdminFailure &failure) {
                               ++done;
                               result = failure;
                           });
    QTRY_COMPARE_WITH_TIMEOUT(done, 1, 10000);
    QCOMPARE(result.kind, AdminFailure::Kind::Malformed);
    QVERIFY2(result.message.contains(u"longer than"_s), qPrintable(result.message));
    QCOMPARE(lines.size(), 1);
    QTest::qWait(100);
    QCOMPARE(done, 1);
}

void TestAdminConnection::clearRecent()
{
    DesktopSettings settings;
    // Never the user's own settings.
    QVERIFY2(settings.fileName().contains(u"qttest"_s), qPrintable(settings.fileName()));
    settings.remove(u"gateways"_s);
}

namespace {

struct DialogParts
{
    QComboBox *recent = nullptr;
    QLineEdit *url = nullptr;
    QLineEdit *token = nullptr;
    QCheckBox *remember = nullptr;
    QLabel *message = nullptr;
    QPushButton *trust = nullptr;
    QPushButton *connect = nullptr;
    QPushButton *forget = nullptr;
    QWidget *busy = nullptr;
};

DialogParts partsOf(GatewayConnectDialog &dialog)
{
    DialogParts parts;
    parts.recent = dialog.findChild<QComboBox *>(u"recent"_s);
    parts.url = dialog.findChild<QLineEdit *>(u"url"_s);
    parts.token = dialog.findChild<QLineEdit *>(u"token"_s);
    parts.remember = dialog.findChild<QCheckBox *>(u"rememberToken"_s);
    parts.message = dialog.findChild<QLabel *>(u"message"_s);
    parts.trust = dialog.findChild<QPushButton *>(u"trust"_s);
    parts.connect = dialog.findChild<QPushButton *>(u"connect"_s);
    parts.forget = dialog.findChild<QPushButton *>(u"forget"_s);
    parts.busy = dialog.findChild<QWidget *>(u"busy"_s);
    return parts;
}

void typeInto(QLineEdit *edit, const QString &text)
{
    edit->clear();
    QTest::keyClicks(edit, text);
}

} // namespace

void TestAdminConnection::dialogShowsARefusedTokenAndStaysOpen()
{
    clearRecent();
    QTemporaryDir dir;
    FileSecretStore secrets(dir.filePath(u"secrets.json"_s));
    GatewayConnectDialog dialog(&secrets);
    dialog.show();
    const DialogParts parts = partsOf(dialog);
    QVERIFY(parts.url && parts.token && parts.remember && parts.message && parts.trust && parts.connect && parts.busy);
    QCOMPARE(parts.token->echoMode(), QLineEdit::Password);
    QVERIFY(!parts.recent->isEnabled());

    // A bare host:port means http.
    typeInto(parts.url, u"127.0.0.1:%1"_s.arg(m_harness.port()));
    typeInto(parts.token, u"not-the-admin-token"_s);
    QTest::mouseClick(parts.connect, Qt::LeftButton);
    // The dialog does not block while it asks.
    QVERIFY(parts.busy->isVisible());
    QVERIFY(!parts.connect->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(parts.message->isVisible(), 10000);
    QCOMPARE(parts.message->text(), u"The gateway refused the admin token."_s);
    QVERIFY(!parts.busy->isVisible());
    QVERIFY(parts.connect->isEnabled());
    QVERIFY(!parts.trust->isVisible());
    QVERIFY(dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    QVERIFY(GatewayConnectDialog::recentGateways(&secrets).isEmpty());

    // Nothing listening there: said in words, still open.
    quint16 closedPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        closedPort = probe.serverPort();
    }
    typeInto(parts.url, u"http://127.0.0.1:%1"_s.arg(closedPort));
    QVERIFY(!parts.message->isVisible());
    QTest::mouseClick(parts.connect, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(parts.message->isVisible(), 10000);
    QCOMPARE(parts.message->text(), u"Could not connect to 127.0.0.1:%1: connection refused."_s.arg(closedPort));

    // Not an address.
    typeInto(parts.url, u"ftp://somewhere"_s);
    QTest::mouseClick(parts.connect, Qt::LeftButton);
    QVERIFY(parts.message->isVisible());
    QVERIFY(parts.message->text().contains(u"http://host:port"_s));
    QVERIFY(dialog.isVisible());
}

void TestAdminConnection::dialogAcceptsAndRemembersWithoutTheTokenInSettings()
{
    clearRecent();
    QTemporaryDir dir;
    FileSecretStore secrets(dir.filePath(u"secrets.json"_s));
    const QString token = QString::fromUtf8(m_harness.stack().adminToken());
    const QUrl url(u"http://127.0.0.1:%1"_s.arg(m_harness.port()));
    {
        GatewayConnectDialog dialog(&secrets);
        dialog.show();
        const DialogParts parts = partsOf(dialog);
        typeInto(parts.url, url.toString() + u"/"_s);
        typeInto(parts.token, token);
        parts.remember->setChecked(true);
        QTest::mouseClick(parts.connect, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.isVisible(), 10000);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.endpoint().url, url);
        QCOMPARE(dialog.endpoint().adminToken, token.toUtf8());
        QCOMPARE(dialog.status().value("version"_L1).toString(), QStringLiteral(MAESTRO_VERSION));
    }
    const QList<GatewayEndpoint> recent = GatewayConnectDialog::recentGateways(&secrets);
    QCOMPARE(recent.size(), 1);
    QCOMPARE(recent.at(0).url, url);
    QCOMPARE(recent.at(0).adminToken, token.toUtf8());
    QCOMPARE(secrets.read(u"gateway/%1/admin_token"_s.arg(url.toString())), std::optional<QString>(token));
    // The token is in the secret store only: not in any settings value, not in the file.
    {
        DesktopSettings settings;
        settings.sync();
        for (const QString &key : settings.allKeys())
            QVERIFY2(!settings.value(key).toString().contains(token), qPrintable(key));
        QFile file(settings.fileName());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray contents = file.readAll();
        QVERIFY(contents.contains(url.toString().toUtf8()));
        QVERIFY(!contents.contains(token.toUtf8()));
    }

    // The next time the dialog opens on it, token included, and connects at once.
    {
        GatewayConnectDialog dialog(&secrets);
        dialog.show();
        const DialogParts parts = partsOf(dialog);
        QCOMPARE(parts.recent->count(), 1);
        QCOMPARE(parts.url->text(), url.toString());
        QCOMPARE(parts.token->text(), token);
        QVERIFY(parts.remember->isChecked());
        // Unticking the box removes the stored token once connected.
        parts.remember->setChecked(false);
        QTest::mouseClick(parts.connect, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.isVisible(), 10000);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
    }
    QCOMPARE(secrets.read(u"gateway/%1/admin_token"_s.arg(url.toString())), std::nullopt);
    QVERIFY(GatewayConnectDialog::recentGateways(&secrets).at(0).adminToken.isEmpty());

    // Forgetting a gateway in the dialog removes it and its token.
    GatewayConnectDialog::remember(recent.at(0), &secrets, true);
    QVERIFY(secrets.read(u"gateway/%1/admin_token"_s.arg(url.toString())).has_value());
    GatewayConnectDialog dialog(&secrets);
    const DialogParts parts = partsOf(dialog);
    QCOMPARE(parts.recent->currentIndex(), 0);
    QTest::mouseClick(parts.forget, Qt::LeftButton);
    QCOMPARE(parts.recent->count(), 0);
    QVERIFY(parts.url->text().isEmpty());
    QVERIFY(GatewayConnectDialog::recentGateways(&secrets).isEmpty());
    QCOMPARE(secrets.read(u"gateway/%1/admin_token"_s.arg(url.toString())), std::nullopt);
}

void TestAdminConnection::dialogTrustsACertificateByItsFingerprint()
{
    clearRecent();
    QTemporaryDir dir;
    FileSecretStore secrets(dir.filePath(u"secrets.json"_s));
    const QUrl url = m_tls.baseUrl();
    {
        GatewayConnectDialog dialog(&secrets);
        dialog.show();
        const DialogParts parts = partsOf(dialog);
        typeInto(parts.url, url.toString());
        typeInto(parts.token, QString::fromUtf8(m_tls.adminToken()));
        QTest::mouseClick(parts.connect, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(parts.message->isVisible(), 10000);
        QVERIFY2(parts.message->text().startsWith(
                     u"The gateway's certificate is not trusted (SHA-256 %1)."_s.arg(TlsFixtureFingerprint)),
                 qPrintable(parts.message->text()));
        QVERIFY(parts.trust->isVisible());
        QVERIFY(dialog.isVisible());

        QTest::mouseClick(parts.trust, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.isVisible(), 10000);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.endpoint().pinnedFingerprint, TlsFixtureFingerprint);
        QCOMPARE(dialog.status().value("scheme"_L1).toString(), u"https"_s);
    }
    const QList<GatewayEndpoint> recent = GatewayConnectDialog::recentGateways(&secrets);
    QCOMPARE(recent.size(), 1);
    QCOMPARE(recent.at(0).url, url);
    QCOMPARE(recent.at(0).pinnedFingerprint, TlsFixtureFingerprint);
    // Not asked to remember it: no token kept.
    QVERIFY(recent.at(0).adminToken.isEmpty());

    // Chosen again from the recent gateways, the pin comes with it: no question this time.
    GatewayConnectDialog dialog(&secrets);
    dialog.show();
    const DialogParts parts = partsOf(dialog);
    QCOMPARE(parts.url->text(), url.toString());
    typeInto(parts.token, QString::fromUtf8(m_tls.adminToken()));
    QTest::mouseClick(parts.connect, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.isVisible(), 10000);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QVERIFY(!parts.trust->isVisible());
}

void TestAdminConnection::recentGatewaysKeepTheTenLatest()
{
    clearRecent();
    QTemporaryDir dir;
    FileSecretStore secrets(dir.filePath(u"secrets.json"_s));
    for (int i = 1; i <= 12; ++i) {
        GatewayEndpoint endpoint = endpointOf(QUrl(u"http://10.0.0.%1:8000"_s.arg(i)), "token-" + QByteArray::number(i));
        QVERIFY(GatewayConnectDialog::remember(endpoint, &secrets, true));
    }
    // Again, typed with a trailing slash: moved to the front, not added twice.
    QVERIFY(GatewayConnectDialog::remember(endpointOf(QUrl(u"http://10.0.0.5:8000/"_s), "token-5"), &secrets, true));
    const QList<GatewayEndpoint> recent = GatewayConnectDialog::recentGateways(&secrets);
    QCOMPARE(recent.size(), GatewayConnectDialog::MaxRecentGateways);
    QCOMPARE(recent.at(0).url, QUrl(u"http://10.0.0.5:8000"_s));
    QCOMPARE(recent.at(1).url, QUrl(u"http://10.0.0.12:8000"_s));
    QCOMPARE(recent.at(1).adminToken, QByteArray("token-12"));
    QCOMPARE(recent.last().url, QUrl(u"http://10.0.0.3:8000"_s));
    // The two that fell off the list took their tokens with them.
    QCOMPARE(secrets.keys().size(), GatewayConnectDialog::MaxRecentGateways);
    QVERIFY(!secrets.read(u"gateway/http://10.0.0.1:8000/admin_token"_s).has_value());
    QVERIFY(!secrets.read(u"gateway/http://10.0.0.2:8000/admin_token"_s).has_value());
    GatewayConnectDialog::forget(QUrl(u"http://10.0.0.12:8000"_s), &secrets);
    QCOMPARE(GatewayConnectDialog::recentGateways(&secrets).size(), GatewayConnectDialog::MaxRecentGateways - 1);
    QVERIFY(!secrets.read(u"gateway/http://10.0.0.12:8000/admin_token"_s).has_value());
    clearRecent();
}

QTEST_MAIN(TestAdminConnection)
#include "tst_adminconnection.moc"

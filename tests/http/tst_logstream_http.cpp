// The live request log, GET /admin/request-logs/stream, over real sockets: a subscriber receives
// the entries of requests made after it subscribed, in the request log's shape and through its
// filters; node health changes as node events; heartbeats keep an idle stream alive; at most 8 subscribers (the next one gets 503);
// the admin token as everywhere under /admin/; and a subscriber that never reads is dropped once
// its bounded queue overflows, while a subscriber that reads goes on.

#include "gatewayharness.h"

#include <QJsonDocument>
#include <QTcpSocket>
#include <QTest>

#include <memory>

#ifdef Q_OS_LINUX
#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;
using namespace Maestro;
using namespace Maestro::Test;

namespace {

const QString ReplyText = u"logged live"_s;
const QString Model = u"chat-local"_s;
constexpr int MaxQueuedEvents = 40;

// One subscriber: a raw connection whose chunked answer is taken apart as it arrives.
class StreamClient
{
public:
    void open(quint16 port, const QString &query, const QByteArray &token = "test-admin")
    {
        m_socket.connectToHost(u"127.0.0.1"_s, port);
        m_socket.waitForConnected(5000);
        QByteArray head = "GET /admin/request-logs/stream" + query.toUtf8() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        if (!token.isEmpty())
            head += "Authorization: Bearer " + token + "\r\n";
        m_socket.write(head + "\r\n");
        m_socket.flush();
    }

    // Takes what arrived (the event loop runs while the tests wait).
    void poll()
    {
        m_raw += m_socket.readAll();
        if (m_headEnd < 0) {
            m_headEnd = m_raw.indexOf("\r\n\r\n");
            if (m_headEnd < 0)
                return;
            m_pos = m_headEnd + 4;
            m_chunked = m_raw.left(m_headEnd).toLower().contains("transfer-encoding: chunked");
        }
        if (!m_chunked) {
            m_body = m_raw.mid(m_headEnd + 4);
            return;
        }
        for (;;) {
            const qsizetype lineEnd = m_raw.indexOf("\r\n", m_pos);
            if (lineEnd < 0)
                return;
            const qint64 size = m_raw.mid(m_pos, lineEnd - m_pos).toLongLong(nullptr, 16);
            if (m_raw.size() < lineEnd + 2 + size + 2)
                return;
            m_body += m_raw.mid(lineEnd + 2, size);
            m_pos = lineEnd + 2 + size + 2;
        }
    }

    int status()
    {
        poll();
        return m_headEnd < 0 ? 0 : m_raw.mid(9, 3).toInt();
    }
    QByteArray head()
    {
        poll();
        return m_headEnd < 0 ? QByteArray() : m_raw.left(m_headEnd);
    }
    QByteArray body()
    {
        poll();
        return m_body;
    }
    // The data of the events named `name`, as JSON objects.
    QList<QJsonObject> events(QByteArrayView name = "request")
    {
        QList<QJsonObject> out;
        for (const auto &[eventName, data] : sseEvents(body())) {
            if (eventName == name)
                out.append(QJsonDocument::fromJson(data).object());
        }
        return out;
    }
    bool connected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    void close() { m_socket.abort(); }

private:
    QTcpSocket m_socket;
    QByteArray m_raw;
    QByteArray m_body;
    qsizetype m_headEnd = -1;
    qsizetype m_pos = 0;
    bool m_chunked = false;
};

} // namespace

class TestLogStreamHttp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void entriesArriveThroughTheFilters();
    void nodeHealthChangesArriveAsNodeEvents();
    void adminChangesArriveAsCatalogEvents();
    void statusWithoutTls();
    void heartbeatsKeepAnIdleStreamAlive();
    void ninthSubscriberGets503();
    void adminTokenRequired();
    void malformedFilterIs400();
    void subscriberThatDoesNotReadIsDropped();

private:
    int subscribers()
    {
        return m_harness.admin("GET", u"/admin/status"_s).json().value("log_stream_subscribers"_L1).toInt(-1);
    }
    Response chat(const QByteArray &token, const QString &model)
    {
        return m_harness.send("POST", u"/v1/chat/completions"_s,
                              toJson({{u"model"_s, model}, {u"messages"_s, userMessage(u"hi"_s)}}), token);
    }

    GatewayHarness m_harness;
    QByteArray m_alice;
    QByteArray m_bob;
};

void TestLogStreamHttp::initTestCase()
{
    StackOptions options;
    options.config.logStream.maxQueuedEvents = MaxQueuedEvents;
    options.config.logStream.maxQueuedBytes = 64 * 1024;
    options.config.logStreamMaxUnsent = 8 * 1024;
    options.config.logStreamHeartbeatMs = 200;
    QVERIFY(m_harness.start({u"llama3.2:latest"_s}, {u"gpt-4o-mini"_s}, ReplyText, options));
    QVERIFY(m_harness.addMapping(Model, u"llama3.2:latest"_s));
    m_alice = m_harness.createUser(u"alice"_s, {u"*"_s});
    m_bob = m_harness.createUser(u"bob"_s, {u"*"_s});
    QVERIFY(!m_alice.isEmpty() && !m_bob.isEmpty());
    // Every refusal is logged here (the flood below is made of them).
    m_harness.stack().usage()->setRefusalCap(1'000'000, 1);
}

void TestLogStreamHttp::init()
{
    // Each test starts with no subscriber left from the one before.
    QTRY_COMPARE_WITH_TIMEOUT(subscribers(), 0, 5000);
}

void TestLogStreamHttp::cleanupTestCase()
{
    m_harness.stop();
}

void TestLogStreamHttp::entriesArriveThroughTheFilters()
{
    StreamClient aliceOnly;
    StreamClient errorsOnly;
    StreamClient everything;
    aliceOnly.open(m_harness.port(), u"?username=alice"_s);
    errorsOnly.open(m_harness.port(), u"?status=4xx"_s);
    everything.open(m_harness.port(), QString());
    for (StreamClient *client : {&aliceOnly, &errorsOnly, &everything}) {
        QTRY_COMPARE_WITH_TIMEOUT(client->status(), 200, 5000);
        QVERIFY(client->head().toLower().contains("content-type: text/event-stream"));
        QTRY_VERIFY_WITH_TIMEOUT(client->body().startsWith(": "), 5000); // live before any entry
    }
    QTRY_COMPARE_WITH_TIMEOUT(subscribers(), 3, 5000);

    QCOMPARE(chat(m_bob, Model).status, 200);
    QCOMPARE(chat(m_alice, Model).status, 200);
    QCOMPARE(chat(m_alice, u"no-such-model"_s).status, 404);

    QTRY_COMPARE_WITH_TIMEOUT(everything.events().size(), 3, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(aliceOnly.events().size(), 2, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(errorsOnly.events().size(), 1, 5000);
    const QList<QJsonObject> alice = aliceOnly.events();
    QCOMPARE(alice.at(0).value("username"_L1).toString(), u"alice"_s);
    QCOMPARE(alice.at(0).value("status_code"_L1).toInt(), 200);
    QCOMPARE(alice.at(0).value("model_name"_L1).toString(), Model);
    QCOMPARE(alice.at(0).value("real_model"_L1).toString(), u"llama3.2:latest"_s);
    QCOMPARE(alice.at(1).value("status_code"_L1).toInt(), 404);
    const QJsonObject error = errorsOnly.events().at(0);
    QCOMPARE(error.value("username"_L1).toString(), u"alice"_s);
    QCOMPARE(error.value("status_code"_L1).toInt(), 404);
    QCOMPARE(everything.events().at(0).value("username"_L1).toString(), u"bob"_s);

    // The entry has the request log list's shape: the same fields the list answers.
    const QJsonObject listed = m_harness.waitForLogs(u"alice"_s, 2).at(0).toObject();
    const QStringList streamedKeys = error.keys();
    const QStringList listedKeys = listed.keys();
    QCOMPARE(streamedKeys, listedKeys); // keys() is sorted
    QCOMPARE(listed.value("status_code"_L1).toInt(), 404);
    QCOMPARE(error.value("created_at"_L1), listed.value("created_at"_L1));

    // The streams stay open.
    QVERIFY(aliceOnly.connected() && errorsOnly.connected() && everything.connected());
}

void TestLogStreamHttp::nodeHealthChangesArriveAsNodeEvents()
{
    StreamClient client;
    client.open(m_harness.port(), u"?username=nobody"_s); // node events pass every filter
    QTRY_COMPARE_WITH_TIMEOUT(client.status(), 200, 5000);
    const QString checkPath = u"/admin/nodes/%1/health-check"_s.arg(m_harness.openaiId());
    // The node fails its check (its model list answers 500), then recovers.
    m_harness.openai()->failNext(500, 1);
    QCOMPARE(m_harness.admin("POST", checkPath).json().value("health_status"_L1).toString(), u"unhealthy"_s);
    QTRY_COMPARE_WITH_TIMEOUT(client.events("node").size(), 1, 5000);
    QCOMPARE(m_harness.admin("POST", checkPath).json().value("health_status"_L1).toString(), u"healthy"_s);
    QTRY_COMPARE_WITH_TIMEOUT(client.events("node").size(), 2, 5000);
    const QList<QJsonObject> events = client.events("node");
    QCOMPARE(events.at(0).value("node_id"_L1).toInteger(), m_harness.openaiId());
    QCOMPARE(events.at(0).value("node_name"_L1).toString(), u"openai-node"_s);
    QCOMPARE(events.at(0).value("health_status"_L1).toString(), u"unhealthy"_s);
    QCOMPARE(events.at(1).value("health_status"_L1).toString(), u"healthy"_s);
    QVERIFY(client.events().isEmpty()); // no request entry passed the filter
}

void TestLogStreamHttp::adminChangesArriveAsCatalogEvents()
{
    StreamClient client;
    client.open(m_harness.port(), u"?username=nobody"_s); // catalog events pass every filter
    QTRY_COMPARE_WITH_TIMEOUT(client.status(), 200, 5000);
    QVERIFY(client.events("catalog").isEmpty());
    // A change an admin makes (here over HTTP; from a desktop app or another instance alike).
    QCOMPARE(m_harness.admin("POST", u"/admin/users"_s, QJsonObject{{u"username"_s, u"catalog-watcher"_s}}).status, 201);
    QTRY_VERIFY_WITH_TIMEOUT(!client.events("catalog").isEmpty(), 5000);
    QVERIFY(client.events("catalog").constLast().value("config_version"_L1).isDouble());
    QVERIFY(client.events().isEmpty()); // still no request entry passed the filter
}

void TestLogStreamHttp::statusWithoutTls()
{
    const QJsonObject status = m_harness.admin("GET", u"/admin/status"_s).json();
    QCOMPARE(status.value("scheme"_L1).toString(), u"http"_s);
    QCOMPARE(status.value("tls"_L1).toObject().value("enabled"_L1).toBool(true), false);
    QVERIFY(status.value("tls"_L1).toObject().value("fingerprint_sha256"_L1).isNull());
    QCOMPARE(status.value("healthy_nodes"_L1).toInt(), 2);
    QCOMPARE(status.value("nodes"_L1).toObject().value("total"_L1).toInt(), 2);
    QCOMPARE(status.value("log_stream_subscribers"_L1).toInt(), 0);
}

void TestLogStreamHttp::heartbeatsKeepAnIdleStreamAlive()
{
    StreamClient idle;
    idle.open(m_harness.port(), QString());
    QTRY_COMPARE_WITH_TIMEOUT(idle.status(), 200, 5000);
    // 200 ms here (15 s by default): comment lines, no event.
    QTRY_VERIFY_WITH_TIMEOUT(idle.body().count(": heartbeat\n\n") >= 3, 5000);
    QVERIFY(idle.events().isEmpty());
    QVERIFY(idle.connected());
}

void TestLogStreamHttp::ninthSubscriberGets503()
{
    std::vector<std::unique_ptr<StreamClient>> clients;
    for (int i = 0; i < 8; ++i) {
        clients.push_back(std::make_unique<StreamClient>());
        clients.back()->open(m_harness.port(), QString());
        QTRY_COMPARE_WITH_TIMEOUT(clients.back()->status(), 200, 5000);
    }
    QCOMPARE(subscribers(), 8);
    StreamClient ninth;
    ninth.open(m_harness.port(), QString());
    QTRY_COMPARE_WITH_TIMEOUT(ninth.status(), 503, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!QJsonDocument::fromJson(ninth.body()).object().value("detail"_L1).toString().isEmpty(), 5000);
    QVERIFY(QJsonDocument::fromJson(ninth.body()).object().value("detail"_L1).toString().contains(u"at most 8"_s));

    // A place freed is a place taken.
    clients.front()->close();
    QTRY_COMPARE_WITH_TIMEOUT(subscribers(), 7, 5000);
    StreamClient next;
    next.open(m_harness.port(), QString());
    QTRY_COMPARE_WITH_TIMEOUT(next.status(), 200, 5000);
}

void TestLogStreamHttp::adminTokenRequired()
{
    const Response missing = m_harness.send("GET", u"/admin/request-logs/stream"_s, {}, {});
    QCOMPARE(missing.status, 401);
    QCOMPARE(missing.json().value("detail"_L1).toString(), u"Missing authorization header"_s);
    QCOMPARE(m_harness.send("GET", u"/admin/request-logs/stream"_s, {}, "wrong-token").status, 403);
    QCOMPARE(m_harness.send("GET", u"/admin/request-logs/stream"_s, {}, m_alice).status, 403);
    QCOMPARE(subscribers(), 0);
}

void TestLogStreamHttp::malformedFilterIs400()
{
    const Response bad = m_harness.send("GET", u"/admin/request-logs/stream?status=abc"_s, {}, "test-admin");
    QCOMPARE(bad.status, 400);
    QVERIFY(bad.json().value("detail"_L1).toString().contains(u"\"status\""_s));
    QCOMPARE(m_harness.send("GET", u"/admin/request-logs/stream?dialect=klingon"_s, {}, "test-admin").status, 400);
}

void TestLogStreamHttp::subscriberThatDoesNotReadIsDropped()
{
#ifdef Q_OS_LINUX
    // A client that subscribes and then never reads, with a small receive buffer so that the
    // kernel holds little of what is sent to it.
    const int stalled = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(stalled >= 0);
    const int small = 4096;
    ::setsockopt(stalled, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_port = htons(m_harness.port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QCOMPARE(::connect(stalled, reinterpret_cast<const sockaddr *>(&address), sizeof address), 0);
    const QByteArray request = "GET /admin/request-logs/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer test-admin\r\n\r\n";
    QCOMPARE(::send(stalled, request.constData(), size_t(request.size()), 0), ssize_t(request.size()));

    // Another subscriber, one that reads; its filter keeps the flood out of its queue (so that a
    // slow turn of its thread on a loaded machine cannot make it fall behind too).
    StreamClient reader;
    reader.open(m_harness.port(), u"?username=alice"_s);
    QTRY_COMPARE_WITH_TIMEOUT(reader.status(), 200, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(subscribers(), 2, 5000);

    // Entries until the stalled subscriber is dropped: refusals of a known user, each one logged.
    // What it can make the gateway hold is bounded on any machine (the queue's 64 KiB, 8 KiB
    // unsent, the kernel's fixed send buffer): about 200 entries of ~1 KiB, so 2,000 is ample.
    const QByteArray flood = m_harness.createUser(u"flood"_s, {u"*"_s});
    const QByteArray body = toJson({{u"model"_s, u"no-such-model-%1"_s.arg(QString(400, u'x'))},
                                    {u"messages"_s, userMessage(u"hi"_s)}});
    int sent = 0;
    while (subscribers() == 2 && sent < 2'000) {
        for (int i = 0; i < 50; ++i, ++sent)
            QCOMPARE(m_harness.send("POST", u"/v1/chat/completions"_s, body, flood).status, 404);
    }
    const int left = subscribers();
    QVERIFY2(left == 1, qPrintable(u"%1 subscribers after %2 entries"_s.arg(left).arg(sent)));
    qInfo() << "the stalled subscriber was dropped after" << sent << "entries";

    // The one that reads stays subscribed and goes on receiving.
    QVERIFY(reader.connected());
    QCOMPARE(chat(m_alice, Model).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(reader.events().size(), 1, 5000);
    QCOMPARE(reader.events().at(0).value("username"_L1).toString(), u"alice"_s);
    QCOMPARE(subscribers(), 1);

    // The stalled client, reading at last, finds its connection ended rather than a stream that
    // goes on: what was in flight, then the end (a reset or a close).
    QByteArray buffer(64 * 1024, Qt::Uninitialized);
    bool ended = false;
    const QDeadlineTimer deadline(10000);
    timeval timeout{0, 200'000};
    ::setsockopt(stalled, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    while (!ended && !deadline.hasExpired()) {
        const ssize_t got = ::recv(stalled, buffer.data(), size_t(buffer.size()), 0);
        ended = got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
    }
    ::close(stalled);
    QVERIFY(ended);
#else
    QSKIP("needs a socket with a small receive buffer (Linux)");
#endif
}

QTEST_GUILESS_MAIN(TestLogStreamHttp)
#include "tst_logstream_http.moc"

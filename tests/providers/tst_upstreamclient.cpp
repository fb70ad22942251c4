#include "providers/upstreamclient.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <functional>
#include <memory>
#include <vector>

using namespace Maestro;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(Maestro::UpstreamError)

namespace {

// A scripted HTTP server on loopback: the test decides every byte of every response and when it
// is written.
class RawServer final : public QObject
{
public:
    struct Request
    {
        QTcpSocket *socket = nullptr;
        int connection = 0; // index in accept order
        QByteArray head;
        QByteArray body;
    };

    RawServer()
    {
        QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));
        connect(&m_server, &QTcpServer::newConnection, this, &RawServer::onNewConnection);
    }

    quint16 port() const { return m_server.serverPort(); }
    QUrl url(const QString &path = u"/v1/chat/completions"_s) const
    {
        return QUrl(u"http://127.0.0.1:%1%2"_s.arg(port()).arg(path));
    }

    int accepted = 0;
    int disconnected = 0;
    QList<Request> requests;
    std::function<void(const Request &)> onRequest;
    std::function<void(QTcpSocket *)> onConnection;

private:
    struct Peer
    {
        QPointer<QTcpSocket> socket;
        QByteArray buffer;
        int index = 0;
    };

    void onNewConnection()
    {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            auto peer = std::make_shared<Peer>();
            peer->socket = socket;
            peer->index = accepted++;
            connect(socket, &QTcpSocket::disconnected, this, [this] { ++disconnected; });
            connect(socket, &QTcpSocket::readyRead, this, [this, peer] { onReadyRead(*peer); });
            if (onConnection)
                onConnection(socket);
        }
    }

    void onReadyRead(Peer &peer)
    {
        if (!peer.socket)
            return;
        peer.buffer += peer.socket->readAll();
        for (;;) {
            const qsizetype headEnd = peer.buffer.indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            const QByteArray head = peer.buffer.first(headEnd + 4);
            qsizetype length = 0;
            for (const QByteArray &line : head.split('\n')) {
                if (line.toLower().startsWith("content-length:"))
                    length = line.mid(15).trimmed().toLongLong();
            }
            if (peer.buffer.size() < head.size() + length)
                return;
            Request request { peer.socket, peer.index, head, peer.buffer.mid(head.size(), length) };
            peer.buffer.remove(0, head.size() + length);
            requests.append(request);
            if (onRequest)
                onRequest(request);
            if (!peer.socket)
                return;
        }
    }

    QTcpServer m_server;
};

// Writes parts one after the other, a few milliseconds apart, so that they arrive as separate
// reads; optionally closes the connection after the last part.
void writeSlowly(QTcpSocket *socket, const QList<QByteArray> &parts, int gapMs = 3,
                 bool closeAfter = false)
{
    int delay = 0;
    for (const QByteArray &part : parts) {
        QTimer::singleShot(delay, socket, [socket, part] {
            socket->write(part);
            socket->flush();
        });
        delay += gapMs;
    }
    if (closeAfter)
        QTimer::singleShot(delay, socket, [socket] { socket->disconnectFromHost(); });
}

QList<QByteArray> cutEvery(const QByteArray &bytes, int size)
{
    if (size <= 0)
        return { bytes };
    QList<QByteArray> parts;
    for (qsizetype pos = 0; pos < bytes.size(); pos += size)
        parts.append(bytes.mid(pos, size));
    return parts;
}

// Records what a reply emits, in order.
class Recorder final : public QObject
{
public:
    explicit Recorder(UpstreamReply *reply)
        : m_reply(reply)
    {
        connect(reply, &UpstreamReply::headReceived, this, [this] {
            ++heads;
            log.append("head");
        });
        connect(reply, &UpstreamReply::dataReceived, this, [this](const QByteArray &piece) {
            pieces.append(piece);
            log.append("data");
        });
        connect(reply, &UpstreamReply::finished, this, [this] {
            ++finishes;
            log.append("finished");
        });
        connect(reply, &UpstreamReply::failed, this, [this](UpstreamError e, const QString &text) {
            ++failures;
            error = e;
            message = text;
            log.append("failed");
        });
    }

    QByteArray body() const { return pieces.join(); }
    bool done() const { return finishes + failures > 0; }
    int signalCount() const { return int(log.size()); }

    QPointer<UpstreamReply> m_reply;
    int heads = 0;
    int finishes = 0;
    int failures = 0;
    UpstreamError error = UpstreamError::None;
    QString message;
    QList<QByteArray> pieces;
    QList<QByteArray> log;
};

UpstreamRequest makeRequest(const QUrl &url, const QByteArray &method = "POST",
                            const QByteArray &body = "{}")
{
    UpstreamRequest request;
    request.url = url;
    request.method = method;
    request.body = body;
    request.headers = { { "Content-Type", "application/json" } };
    return request;
}

// The sentinel that shows nothing more came of what happened before it: one whole exchange with
// `server` (a GET of /sentinel, answered 204) through a client of its own, started now. Client and
// server share this thread's event loop, which goes round several times before the exchange ends
// (connect, accept, write, read, answer, read), and every round delivers whatever was waiting
// already: bytes written earlier on other connections, connections made earlier, signals queued
// earlier. False if the exchange did not end within five seconds.
bool exchangeCompletes(RawServer &server)
{
    const auto previous = std::exchange(server.onRequest, [](const RawServer::Request &request) {
        request.socket->write("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
    });
    UpstreamClient client;
    std::unique_ptr<UpstreamReply> reply(client.send(makeRequest(server.url(u"/sentinel"_s), "GET", {})));
    Recorder recorder(reply.get());
    const bool done = QTest::qWaitFor([&] { return recorder.done(); }, 5000);
    server.onRequest = previous;
    return done && recorder.finishes == 1;
}

bool isSentinel(const RawServer::Request &request)
{
    return request.head.startsWith("GET /sentinel ");
}

// The sentinel that shows a timer did not fire: a single-shot timer of this thread, started after
// it and due later than it (Qt fires the timers of a thread in the order they fall due). False if
// it did not fire in time.
bool timerPasses(int ms)
{
    QObject context;
    bool fired = false;
    QTimer::singleShot(ms, Qt::PreciseTimer, &context, [&fired] { fired = true; });
    return QTest::qWaitFor([&fired] { return fired; }, ms + 5000);
}

} // namespace

class TestUpstreamClient final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void responseFraming_data();
    void responseFraming();
    void chunkedBodyAtEverySplitPoint();
    void piecesAreDeliveredAsTheyArrive();
    void requestIsWrittenAsSpecified();
    void headersAreLookedUpCaseInsensitively();
    void keepAliveReusesOneConnection();
    void concurrentRequestsAreNotCappedPerHost();
    void idleConnectionsAreCappedPerHost();
    void staleReusedConnectionIsRetried_data();
    void staleReusedConnectionIsRetried();
    void timeoutAnswerOnAReusedConnectionIsRetried();
    void lostConnectionIsNotRetried_data();
    void lostConnectionIsNotRetried();
    void connectFailures_data();
    void connectFailures();
    void serverClosesBeforeTheResponseIsComplete_data();
    void serverClosesBeforeTheResponseIsComplete();
    void timeouts_data();
    void timeouts();
    void steadyTrickleDoesNotTimeOut();
    void abortClosesTheUpstreamConnection_data();
    void abortClosesTheUpstreamConnection();
    void abortWhileConnectingEmitsNothing();
    void malformedResponses_data();
    void malformedResponses();
    void finishedSlotMaySendTheNextRequest();
    void deletingTheClientLeavesRepliesSafe();
    void bodyLargerThanTheLimitFails_data();
    void bodyLargerThanTheLimitFails();
    void pausedReplyHoldsTheNodeBack();
    void timeoutsDoNotRunWhilePaused();
    void nodeClosingWhilePausedStillDeliversEverything();
    void nodeClosingWhileAClientKeepsFallingBehindDeliversEverything();
};

void TestUpstreamClient::responseFraming_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<int>("pieceSize"); // 0: one write
    QTest::addColumn<bool>("closeAfter");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("reusable");

    const QByteArray length = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    const QByteArray chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    const QByteArray interim = "HTTP/1.1 100 Continue\r\n\r\n"
                               "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    const QByteArray untilClose
        = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end";

    QTest::newRow("content-length body in a single write")
        << QByteArray("POST") << length << 0 << false << 200 << QByteArray("hello") << true;
    QTest::newRow("content-length body written byte by byte")
        << QByteArray("POST") << length << 1 << false << 200 << QByteArray("hello") << true;
    QTest::newRow("empty content-length body")
        << QByteArray("POST") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") << 0
        << false << 200 << QByteArray() << true;
    QTest::newRow("chunked body in a single write")
        << QByteArray("POST") << chunked << 0 << false << 200 << QByteArray("hello world") << true;
    QTest::newRow("chunked body written byte by byte")
        << QByteArray("POST") << chunked << 1 << false << 200 << QByteArray("hello world") << true;
    QTest::newRow("chunked body written in pieces of three bytes")
        << QByteArray("POST") << chunked << 3 << false << 200 << QByteArray("hello world") << true;
    QTest::newRow("chunk extensions and trailers are ignored")
        << QByteArray("POST")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5;name=value\r\nhello\r\n0\r\nX-Trailer: yes\r\n\r\n")
        << 0 << false << 200 << QByteArray("hello") << true;
    QTest::newRow("upper-case hexadecimal chunk size")
        << QByteArray("POST")
        << QByteArray("HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n"
                      "A\r\n0123456789\r\n0\r\n\r\n")
        << 0 << false << 200 << QByteArray("0123456789") << true;
    QTest::newRow("bare LF line ends")
        << QByteArray("POST") << QByteArray("HTTP/1.1 201 Created\nContent-Length: 2\n\nok") << 0
        << false << 201 << QByteArray("ok") << true;
    QTest::newRow("100 Continue interim response is skipped")
        << QByteArray("POST") << interim << 0 << false << 200 << QByteArray("ok") << true;
    QTest::newRow("100 Continue interim response written byte by byte is skipped")
        << QByteArray("POST") << interim << 1 << false << 200 << QByteArray("ok") << true;
    QTest::newRow("204 No Content has no body")
        << QByteArray("DELETE") << QByteArray("HTTP/1.1 204 No Content\r\n\r\n") << 0 << false
        << 204 << QByteArray() << true;
    QTest::newRow("304 Not Modified has no body even with a Content-Length")
        << QByteArray("GET")
        << QByteArray("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n") << 0 << false
        << 304 << QByteArray() << true;
    QTest::newRow("HEAD response has no body even with a Content-Length")
        << QByteArray("HEAD") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n") << 0
        << false << 200 << QByteArray() << true;
    QTest::newRow("body without framing is read until the server closes")
        << QByteArray("GET") << untilClose << 0 << true << 200 << QByteArray("until the end")
        << false;
    QTest::newRow("body without framing written in pieces is read until the server closes")
        << QByteArray("GET") << untilClose << 4 << true << 200 << QByteArray("until the end")
        << false;
    QTest::newRow("Connection close from the server prevents reuse")
        << QByteArray("GET")
        << QByteArray("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok") << 0
        << false << 200 << QByteArray("ok") << false;
    QTest::newRow("HTTP/1.0 response without keep-alive is not reused")
        << QByteArray("GET") << QByteArray("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok") << 0
        << false << 200 << QByteArray("ok") << false;
    QTest::newRow("HTTP/1.0 response with keep-alive is reused")
        << QByteArray("GET")
        << QByteArray("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok")
        << 0 << false << 200 << QByteArray("ok") << true;
}

void TestUpstreamClient::responseFraming()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, response);
    QFETCH(int, pieceSize);
    QFETCH(bool, closeAfter);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(bool, reusable);

    RawServer server;
    server.onRequest = [&](const RawServer::Request &request) {
        writeSlowly(request.socket, cutEvery(response, pieceSize), 2, closeAfter);
    };
    UpstreamClient client;
    std::unique_ptr<UpstreamReply> reply(
        client.send(makeRequest(server.url(), method, method == "POST" ? "{}" : "")));
    Recorder recorder(reply.get());

    QTRY_VERIFY(recorder.done());
    QCOMPARE(recorder.message, QString());
    QCOMPARE(recorder.log.first(), QByteArray("head"));
    QCOMPARE(recorder.log.last(), QByteArray("finished"));
    QCOMPARE(recorder.heads, 1);
    QCOMPARE(recorder.finishes, 1);
    QCOMPARE(reply->status(), status);
    QCOMPARE(recorder.body(), body);
    QVERIFY(reply->isFinished());
    QCOMPARE(client.idleConnectionCount(), reusable ? 1 : 0);
    QCOMPARE(client.openConnectionCount(), reusable ? 1 : 0);
    if (!reusable)
        QTRY_COMPARE(server.disconnected, 1);
}

void TestUpstreamClient::chunkedBodyAtEverySplitPoint()
{
    const QByteArray response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                "3;x=y\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer: 1\r\n\r\n";
    RawServer server;
    int cut = 0;
    server.onRequest = [&](const RawServer::Request &request) {
        writeSlowly(request.socket, { response.first(cut), response.sliced(cut) }, 4);
    };
    UpstreamClient client;
    for (cut = 1; cut < response.size(); ++cut) {
        std::unique_ptr<UpstreamReply> reply(client.send(makeRequest(server.url())));
        Recorder recorder(reply.get());
        QTRY_VERIFY(recorder.done());
        QVERIFY2(recorder.finishes == 1,
                 qPrintable(u"cut at %1: %2"_s.arg(cut).arg(recorder.message)));
        QCOMPARE(recorder.body(), QByteArray("abc0123456789abcdef"));
    }
    QCOMPARE(server.accepted, 1);
}

void TestUpstreamClient::piecesAreDeliveredAsTheyArrive()
{
    RawServer server;
    UpstreamClient client;
    std::unique_ptr<UpstreamReply> reply(client.send(makeRequest(server.url())));
    Recorder recorder(reply.get());

    QTRY_COMPARE(server.requests.size(), 1);
    QTcpSocket *socket = server.requests.first().socket;
    socket->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    QTRY_COMPARE(recorder.heads, 1);
    QVERIFY(recorder.pieces.isEmpty());

    const QList<QByteArray> tokens = { "data: 1\n\n", "data: 22\n\n", "data: 333\n\n" };
    for (const QByteArray &token : tokens) {
        socket->write(QByteArray::number(token.size(), 16) + "\r\n" + token + "\r\n");
        QTRY_COMPARE(recorder.body().endsWith(token), true);
        QCOMPARE(recorder.finishes, 0);
    }
    QCOMPARE(recorder.pieces, tokens);
    socket->write("0\r\n\r\n");
    QTRY_COMPARE(recorder.finishes, 1);
    QCOMPARE(recorder.pieces.size(), tokens.size());
}

void TestUpstreamClient::requestIsWrittenAsSpecified()
{
    RawServer server;
    server.onRequest = [](const RawServer::Request &request) {
        request.socket->write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    };
    UpstreamClient client;

    UpstreamRequest post = makeRequest(server.url(u"/v1/messages?beta=true"_s), "POST", "hello");
    post.headers.append(qMakePair(QByteArray("x-api-key"), QByteArray("secret")));
    std::unique_ptr<UpstreamReply> first(client.send(post));
    Recorder firstRecorder(first.get());
    QTRY_VERIFY(firstRecorder.done());

    std::unique_ptr<UpstreamReply> second(
        client.send(makeRequest(server.url(u"/v1/models"_s), "GET", "")));
    Recorder secondRecorder(second.get());
    QTRY_VERIFY(secondRecorder.done());

    QCOMPARE(server.requests.size(), 2);
    const QByteArray host = "Host: 127.0.0.1:" + QByteArray::number(server.port()) + "\r\n";
    QCOMPARE(server.requests.at(0).head,
             "POST /v1/messages?beta=true HTTP/1.1\r\n" + host
                 + "Content-Type: application/json\r\nx-api-key: secret\r\n"
                   "Content-Length: 5\r\n\r\n");
    QCOMPARE(server.requests.at(0).body, QByteArray("hello"));
    QCOMPARE(server.requests.at(1).head,
             "GET /v1/models HTTP/1.1\r\n" + host + "Content-Type: application/json\r\n\r\n");
}

void TestUpstreamClient::headersAreLookedUpCaseInsensitively()
{
    RawServer server;
    server.onRequest = [](const RawServer::Request &request) {
        request.socket->write("HTTP/1.1 429 Too Many Requests\r\nRetry-After:  7 \r\n"
                              "X-Multi: a\r\nx-multi: b\r\nContent-Length: 0\r\n\r\n");
    };
    UpstreamClient client;
    std::unique_ptr<UpstreamReply> reply(client.send(makeRequest(server.url())));
    Recorder recorder(reply.get());
    QTRY_VERIFY(recorder.done());
    QCOMPARE(reply->status(), 429);
    QCOMPARE(reply->header("retry-after"), QByteArray("7"));
    QCOMPARE(reply->header("X-MULTI"), QByteArray("a"));
    QCOMPARE(reply->header("missing"), QByteArray());
    QCOMPARE(reply->headers().size(), 4);
}

void TestUpstreamClient::keepAliveReusesOneConnection()
{
    RawServer server;
    server.onRequest = [](const RawServer::Request &request) {
        request.socket->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    };
    UpstreamClient client;
    for (int i = 0; i < 3; ++i) {
        std::unique_ptr<UpstreamReply> reply(client.send(makeRequest(server.url())));
        Recorder recorder(reply.get());
        QTRY_VERIFY(recorder.done());
        QCOMPARE(recorder.finishes, 1);
        QCOMPARE(client.idleConnectionCount(), 1);
    }
    QCOMPARE(server.accepted, 1);
    QCOMPARE(server.requests.size(), 3);
    QCOMPARE(client.openConnectionCount(), 1);
}

void TestUpstreamClient::concurrentRequestsAreNotCappedPerHost()
{
    constexpr int Count = 20;
    RawServer server;
    UpstreamClient client;

    for (int round = 0; round < 2; ++round) {
        server.requests.clear();
        std::vector<std::unique_ptr<UpstreamReply>> replies;
        std::vector<std::unique_ptr<Recorder>> recorders;
        for (int i = 0; i < Count; ++i) {
            replies.emplace_back(client.send(makeRequest(server.url())));
            recorders.emplace_back(std::make_unique<Recorder>(replies.back().get()));
        }
        // Nothing is answered before every request has arrived: a per-host cap would stall here.
        QTRY_COMPARE(server.requests.size(), Count);
        QCOMPARE(client.openConnectionCount(), Count);
        for (const auto &request : std::as_const(server.requests))
            request.socket->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        for (const auto &recorder : recorders) {
            QTRY_VERIFY(recorder->done());
            QCOMPARE(recorder->finishes, 1);
            QCOMPARE(recorder->body(), QByteArray("ok"));
        }
        QCOMPARE(client.idleConnectionCount(), Count);
        // The second round runs entirely on the connections of the first.
        QCOMPARE(server.accepted, Count);
    }
}

void TestUpstreamClient::idleConnectionsAreCappedPerHost()
{
    RawServer server;
    UpstreamClient client;
    client.setMaxIdlePerHost(3);
    std::vector<std::unique_ptr<UpstreamReply>> replies;
    std::vector<std::unique_ptr<Recorder>> recorders;
    for (int i = 0; i < 5; ++i) {
        replies.emplace_back(client.send(makeRequest(server.url())));
        recorders.emplace_back(std::make_unique<Recorder>(replies.back().get()));
    }
    QTRY_COMPARE(server.requests.size(), 5);
    for (const auto &request : std::as_const(server.requests))
        request.socket->write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    for (const auto &recorder : recorders)
        QTRY_VERIFY(recorder->done());
    QCOMPARE(client.idleConnectionCount(), 3);
    QCOMPARE(client.openConnectionCount(), 3);
    QTRY_COMPARE(server.disconnected, 2);

    client.setMaxIdlePerHost(1);
    QCOMPARE(client.idleConnectionCount(), 1);
    QCOMPARE(client.openConnectionCount(), 1);
}

void TestUpstreamClient::staleReusedConnectionIsRetried_data()
{
    QTest::addColumn<bool>("closeWhileIdle");

    QTest::newRow("server closed the idle connection before it was reused") << true;
    QTest::newRow("server closes the reused connection when the request arrives") << false;
}

void TestUpstreamClient::staleReusedConnectionIsRetried()
{
    QFETCH(bool, closeWhileIdle);

    RawServer server;
    server.onRequest = [&](const RawServer::Request &request) {
        if (request.connection == 0 && server.requests.size() == 2) {
            request.socket->abort(); // the keep-alive race: the server gave up on this connection
            return;
        }
        request.socket->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        if (closeWhileIdle && request.connection == 0)
            request.socket->disconnectFromHost();
    };
    UpstreamClient client;
    {
        std::unique_ptr<UpstreamReply> reply(client.send(makeRequest(server.url())));
        Recorder recorder(reply.get());
        QTRY_VERIFY(recorder.done());
        QCOMPARE(recorder.finishes, 1);
    }
    if (closeWhileIdle)
        QTRY_COMPARE(client.idleConnectionCount(), 0);

    std::unique_ptr<UpstreamReply> reply(client.send(makeRequest(server.url())));
    Recorder recorder(reply.get());
    QTRY_VERIFY(recorder.done());
    QCOMPARE(recorder.message, QString());
    QCOMPARE(recorder.log, (QList<QByteArray> { "head", "data", "finished" }));
    QCOMPARE(recorder.body(), QByteArray("ok"));
    QCOMPARE(server.accepted, 2);
    QCOMPARE(server.requests.last().connection, 1);
}

void TestUpstreamClient::timeoutAnswerOnAReusedConnectionIsRetried()
{
    // Servers such as nginx may answer 408 on a kept-alive connection they time out, then close
    // it. On a reused connection that 408 answers nothing we asked: the request goes out again
    // on a new connection. On a new connection, a 408 is the node's answer and is passed on.
    RawServer server;
    server.onRequest = [&](const RawServer::Request &request) {
        const bool stale = request.connection == 0 && server.requests.size() == 2;
        if (stale || request.connection == 2) {
            request.socket->write("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 7\r\n\r\ntimeout");
            request.socket->disconnectFromHost();
            return;
        }
        request.socket->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        if (request.connection == 1)
            request.socket->disconnectFromHost();
    };
    UpstreamClient client;
    for (const QByteArray expected : {"ok", "ok"}) {
        std::unique_ptr<UpstreamReply> reply(client.send(makeRequest(server.url())));
        Recorder recorder(reply.get());
        QTRY_VERIFY(recorder.done());
        QCOMPARE(recorder.message, QString());
        QCOMPARE(reply->status(), 200);
        QCOMPARE(recorder.body(), expected);
    }
    QCOMPARE(server.accepted, 2);
    QCOMPARE(server.requests.last().connection, 1);

    // The server closed connection 1 after its answer, so the next request opens connection 2.
    QTRY_COMPARE(client.idleConnectionCount(), 0);
    std::unique_ptr<UpstreamReply> reply(client.send(makeRequest(server.url())));
    Recorder recorder(reply.get());
    QTRY_VERIFY(recorder.done());
    QCOMPARE(reply->status(), 408);
    QCOMPARE(recorder.body(), QByteArray("timeout"));
    QCOMPARE(server.accepted, 3);
}

void TestUpstreamClient::lostConnectionIsNotRetried_data()
{
    QTest::addColumn<bool>("reused");
    QTest::addColumn<QByteArray>("partial"); // written before the server closes

    QTest::newRow("fresh connection closed without an answer") << false << QByteArray();
    QTest::newRow("reused connection closed after part of the status line")
        << true << QByteArray("HTTP/1.1 2");
    QTest::newRow("reused connection closed after the head")
        << true << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n");
}

void TestUpstreamClient::lostConnectionIsNotRetried()
{
    QFETCH(bool, reused);
    QFETCH(QByteArray, partial);

    RawServer server;
    server.onRequest = [&](const RawServer::Request &request) {
        if (reused && server.requests.size() == 1) {
            request.socket->write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            return;
        }
        request.socket->write(partial);
        request.socket->disconnectFromHost();
    };
    UpstreamClient client;
    if (reused) {
        std::unique_ptr<UpstreamReply> reply(client.send(makeRequest(server.url())));
        Recorder recorder(reply.get());
        QTRY_VERIFY(recorder.done());
    }
    std::unique_ptr<UpstreamReply> reply(client.send(makeRequest(server.url())));
    Recorder recorder(reply.get());
    QTRY_VERIFY(recorder.done());
    QCOMPARE(recorder.failures, 1);
    QCOMPARE(recorder.error, UpstreamError::ConnectionLost);
    QCOMPARE(recorder.finishes, 0);
    QCOMPARE(server.accepted, 1);
    QCOMPARE(server.requests.size(), reused ? 2 : 1);
    QCOMPARE(client.openConnectionCount(), 0);
}

void TestUpstreamClient::connectFailures_data()
{
    QTest::addColumn<QString>("url");

    quint16 closedPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        closedPort = probe.serverPort();
    }
    QTest::newRow("connection refused") << u"http://127.0.0.1:%1/"_s.arg(closedPort);
    QTest::newRow("host name that does not resolve") << u"http://no-such-host.invalid/"_s;
    QTest::newRow("unsupported scheme") << u"ftp://127.0.0.1/"_s;
    QTest::newRow("TLS to a server that does not speak TLS") << u"https://127.0.0.1:%1/"_s;
}

void TestUpstreamClient::connectFailures()
{
    QFETCH(QString, url);

    RawServer server;
    server.onConnection = [](QTcpSocket *socket) {
        socket->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        socket->disconnectFromHost();
    };
    if (url.startsWith("https"_L1)) {
        if (!QSslSocket::supportsSsl())
            QSKIP("No TLS backend");
        url = url.arg(server.port());
    }

    UpstreamClient client;
    UpstreamRequest request = makeRequest(QUrl(url));
    request.connectTimeoutMs = 3000;
    std::unique_ptr<UpstreamReply> reply(client.send(request));
    Recorder recorder(reply.get());
    QTRY_VERIFY_WITH_TIMEOUT(recorder.done(), 10000);
    QCOMPARE(recorder.log, QList<QByteArray> { "failed" });
    QCOMPARE(recorder.error, UpstreamError::ConnectFailed);
    QVERIFY(!recorder.message.isEmpty());
    QCOMPARE(client.openConnectionCount(), 0);
}

void TestUpstreamClient::serverClosesBeforeTheResponseIsComplete_data()
{
    QTest::addColumn<QByteArray>("partial");
    QTest::addColumn<QByteArray>("bodySoFar");

    QTest::newRow("closed in the middle of the headers")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-") << QByteArray();
    QTest::newRow("closed in the middle of a content-length body")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst ten.")
        << QByteArray("first ten.");
    QTest::newRow("closed in the middle of a chunk")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n9\r\nwor")
        << QByteArray("hellowor");
    QTest::newRow("closed before the last chunk")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        << QByteArray("hello");
}

void TestUpstreamClient::serverClosesBeforeTheResponseIsComplete()
{
    QFETCH(QByteArray, partial);
    QFETCH(QByteArray, bodySoFar);

    RawServer server;
    server.onRequest = [&](const RawServer::Request &request) {
        writeSlowly(request.socket, { partial }, 5, true);
    };
    UpstreamClient client;
    std::unique_ptr<UpstreamReply> reply(client.send(makeRequest(server.url())));
    Recorder recorder(reply.get());
    QTRY_VERIFY(recorder.done());
    QCOMPARE(recorder.failures, 1);
    QCOMPARE(recorder.finishes, 0);
    QCOMPARE(recorder.error, UpstreamError::ConnectionLost);
    QCOMPARE(recorder.body(), bodySoFar);
    QCOMPARE(recorder.log.last(), QByteArray("failed"));
}

void TestUpstreamClient::timeouts_data()
{
    QTest::addColumn<QByteArray>("partial");
    QTest::addColumn<int>("firstByteMs");
    QTest::addColumn<int>("idleMs");
    QTest::addColumn<UpstreamError>("error");
    QTest::addColumn<int>("heads");

    const QByteArray head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    QTest::newRow("no byte of the response: the first-byte timeout")
        << QByteArray() << 200 << 60'000 << UpstreamError::FirstByteTimeout << 0;
    QTest::newRow("a head and then silence: still the first-byte timeout")
        << head << 200 << 60'000 << UpstreamError::FirstByteTimeout << 1;
    QTest::newRow("a short idle timeout does not cut the wait for the first byte")
        << QByteArray() << 300 << 50 << UpstreamError::FirstByteTimeout << 0;
    QTest::newRow("silence in the middle of a chunked body: the idle timeout")
        << QByteArray(head + "4\r\nab") << 60'000 << 200 << UpstreamError::Timeout << 1;
    QTest::newRow("silence after a whole chunk: the idle timeout")
        << QByteArray(head + "2\r\nab\r\n") << 60'000 << 200 << UpstreamError::Timeout << 1;
}

void TestUpstreamClient::timeouts()
{
    QFETCH(QByteArray, partial);
    QFETCH(int, firstByteMs);
    QFETCH(int, idleMs);
    QFETCH(UpstreamError, error);
    QFETCH(int, heads);

    RawServer server;
    server.onRequest = [&](const RawServer::Request &request) {
        request.socket->write(partial);
    };
    UpstreamClient client;
    UpstreamRequest request = makeRequest(server.url());
    request.firstByteTimeoutMs = firstByteMs;
    request.idleTimeoutMs = idleMs;
    const int expectedMs = error == UpstreamError::FirstByteTimeout ? firstByteMs : idleMs;
    QElapsedTimer elapsed;
    elapsed.start();
    std::unique_ptr<UpstreamReply> reply(client.send(request));
    Recorder recorder(reply.get());
    QTRY_VERIFY(recorder.done());
    QCOMPARE(recorder.error, error);
    QCOMPARE(recorder.heads, heads);
    QVERIFY2(recorder.message.contains(u"sent nothing for %1 s"_s.arg(expectedMs / 1000.0)),
             qPrintable(recorder.message));
    QVERIFY2(elapsed.elapsed() >= expectedMs - 20, QByteArray::number(elapsed.elapsed()).constData());
    QVERIFY2(elapsed.elapsed() < expectedMs + 2000, QByteArray::number(elapsed.elapsed()).constData());
    QTRY_COMPARE(server.disconnected, 1);
}

void TestUpstreamClient::steadyTrickleDoesNotTimeOut()
{
    RawServer server;
    server.onRequest = [](const RawServer::Request &request) {
        QList<QByteArray> parts { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" };
        for (int i = 0; i < 8; ++i)
            parts.append("1\r\nx\r\n");
        parts.append("0\r\n\r\n");
        writeSlowly(request.socket, parts, 60);
    };
    UpstreamClient client;
    UpstreamRequest request = makeRequest(server.url());
    request.idleTimeoutMs = 200; // far less than the whole response takes
    std::unique_ptr<UpstreamReply> reply(client.send(request));
    Recorder recorder(reply.get());
    QTRY_VERIFY(recorder.done());
    QCOMPARE(recorder.message, QString());
    QCOMPARE(recorder.body(), QByteArray("xxxxxxxx"));
}

void TestUpstreamClient::abortClosesTheUpstreamConnection_data()
{
    QTest::addColumn<QString>("how");

    QTest::newRow("abort from a dataReceived slot") << u"abort in slot"_s;
    QTest::newRow("deleteLater from a dataReceived slot") << u"deleteLater in slot"_s;
    QTest::newRow("abort after the first piece") << u"abort"_s;
    QTest::newRow("delete the reply before it is finished") << u"delete"_s;
}

void TestUpstreamClient::abortClosesTheUpstreamConnection()
{
    QFETCH(QString, how);

    RawServer server;
    QPointer<QTcpSocket> upstream;
    server.onRequest = [&](const RawServer::Request &request) {
        upstream = request.socket;
        request.socket->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "5\r\nfirst\r\n");
    };
    UpstreamClient client;
    UpstreamReply *reply = client.send(makeRequest(server.url()));
    QPointer<UpstreamReply> guard(reply);
    Recorder recorder(reply);
    QObject context;
    if (how == "abort in slot"_L1) {
        connect(reply, &UpstreamReply::dataReceived, &context, [reply] { reply->abort(); });
    } else if (how == "deleteLater in slot"_L1) {
        connect(reply, &UpstreamReply::dataReceived, &context, [reply] { reply->deleteLater(); });
    }

    QTRY_COMPARE(recorder.pieces.size(), 1);
    QElapsedTimer elapsed;
    elapsed.start();
    if (how == "abort"_L1)
        reply->abort();
    else if (how == "delete"_L1)
        delete reply;

    QTRY_COMPARE(server.disconnected, 1);
    QVERIFY2(elapsed.elapsed() < 500, QByteArray::number(elapsed.elapsed()).constData());
    QCOMPARE(client.openConnectionCount(), 0);
    QCOMPARE(client.idleConnectionCount(), 0);

    const int signalsSoFar = recorder.signalCount();
    if (upstream) {
        upstream->write("6\r\nsecond\r\n0\r\n\r\n");
        upstream->flush();
    }
    QVERIFY(exchangeCompletes(server));
    QCOMPARE(recorder.signalCount(), signalsSoFar);
    QCOMPARE(recorder.log, (QList<QByteArray> { "head", "data" }));
    if (how.startsWith("delete"_L1))
        QVERIFY(!guard);
    delete guard.data();
}

void TestUpstreamClient::abortWhileConnectingEmitsNothing()
{
    RawServer server;
    UpstreamClient client;
    UpstreamReply *reply = client.send(makeRequest(server.url()));
    Recorder recorder(reply);
    reply->abort();
    QCOMPARE(client.openConnectionCount(), 0);
    QVERIFY(exchangeCompletes(server));
    QCOMPARE(recorder.signalCount(), 0);
    // The sentinel's request is the only one: the aborted reply sent nothing.
    QCOMPARE(server.requests.size(), 1);
    QVERIFY(isSentinel(server.requests.first()));
    delete reply;
}

void TestUpstreamClient::malformedResponses_data()
{
    QTest::addColumn<QByteArray>("response");

    QTest::newRow("status line that is not HTTP") << QByteArray("HTP/1.1 200 OK\r\n\r\n");
    QTest::newRow("status line with a non-numeric code") << QByteArray("HTTP/1.1 2x0 OK\r\n\r\n");
    QTest::newRow("status line of another protocol version") << QByteArray("HTTP/2 200\r\n\r\n");
    QTest::newRow("header line without a colon")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length 2\r\n\r\nok");
    QTest::newRow("conflicting content lengths")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok");
    QTest::newRow("negative content length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n");
    QTest::newRow("chunk size that is not hexadecimal")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    QTest::newRow("chunk data not followed by a line end") << QByteArray(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX\r\n0\r\n\r\n");
    QTest::newRow("unrequested protocol switch")
        << QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");

    // Caps on the head: a node must not make us hold an unbounded head.
    QTest::newRow("a head larger than 64 KiB")
        << QByteArray("HTTP/1.1 200 OK\r\nX-Big: " + QByteArray(70 * 1024, 'a') + "\r\n\r\n");
    QTest::newRow("a status line that never ends")
        << QByteArray("HTTP/1.1 200 " + QByteArray(70 * 1024, 'a'));
    QByteArray manyFields = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 101; ++i)
        manyFields += "X-Field-" + QByteArray::number(i) + ": v\r\n";
    QTest::newRow("a head with 101 header fields") << QByteArray(manyFields + "Content-Length: 0\r\n\r\n");
    QByteArray interims;
    for (int i = 0; i < 3000; ++i)
        interims += "HTTP/1.1 100 Continue\r\n\r\n";
    QTest::newRow("endless interim responses count against the head cap") << interims;

    // Chunk sizes are parsed strictly: they come from a network peer too.
    const QByteArray chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    QTest::newRow("chunk size with a plus sign") << QByteArray(chunked + "+5\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("chunk size with a minus sign") << QByteArray(chunked + "-5\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("chunk size with a 0x prefix") << QByteArray(chunked + "0x5\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("chunk size with leading space") << QByteArray(chunked + " 5\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("chunk size of two numbers") << QByteArray(chunked + "5 5\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("chunk size of 17 hex digits")
        << QByteArray(chunked + "00000000000000005\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("chunk size that overflows a signed 64-bit length")
        << QByteArray(chunked + "8000000000000000\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("chunk size line longer than 1 KiB")
        << QByteArray(chunked + "5;" + QByteArray(2048, 'e') + "\r\nhello\r\n0\r\n\r\n");
    QTest::newRow("chunk size line that never ends") << QByteArray(chunked + QByteArray(4096, '5'));
    QTest::newRow("second chunk size malformed in the same read")
        << QByteArray(chunked + "5\r\nhello\r\n+1\r\nx\r\n0\r\n\r\n");
}

void TestUpstreamClient::malformedResponses()
{
    QFETCH(QByteArray, response);

    RawServer server;
    server.onRequest = [&](const RawServer::Request &request) {
        request.socket->write(response);
    };
    UpstreamClient client;
    std::unique_ptr<UpstreamReply> reply(client.send(makeRequest(server.url())));
    Recorder recorder(reply.get());
    QTRY_VERIFY(recorder.done());
    QCOMPARE(recorder.failures, 1);
    QCOMPARE(recorder.finishes, 0);
    QCOMPARE(recorder.error, UpstreamError::BadResponse);
    QCOMPARE(client.openConnectionCount(), 0);
    QTRY_COMPARE(server.disconnected, 1);
}

void TestUpstreamClient::finishedSlotMaySendTheNextRequest()
{
    RawServer server;
    server.onRequest = [](const RawServer::Request &request) {
        request.socket->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    };
    UpstreamClient client;
    QObject context;
    int finished = 0;
    std::function<void()> sendNext = [&] {
        UpstreamReply *reply = client.send(makeRequest(server.url()));
        connect(reply, &UpstreamReply::finished, &context, [&, reply] {
            reply->deleteLater();
            if (++finished < 5)
                sendNext();
        });
    };
    sendNext();
    QTRY_COMPARE(finished, 5);
    QCOMPARE(server.accepted, 1);
    QCOMPARE(server.requests.size(), 5);
}

void TestUpstreamClient::deletingTheClientLeavesRepliesSafe()
{
    RawServer server;
    server.onRequest = [](const RawServer::Request &request) {
        request.socket->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    };
    auto client = std::make_unique<UpstreamClient>();
    std::unique_ptr<UpstreamReply> streaming(client->send(makeRequest(server.url())));
    Recorder recorder(streaming.get());
    QTRY_COMPARE(recorder.heads, 1);
    std::unique_ptr<UpstreamReply> connecting(client->send(makeRequest(server.url())));
    Recorder connectingRecorder(connecting.get());

    client.reset();
    QTRY_COMPARE(server.disconnected, server.accepted);
    QVERIFY(exchangeCompletes(server));
    QCOMPARE(recorder.log, QList<QByteArray> { "head" });
    QCOMPARE(connectingRecorder.signalCount(), 0);
    streaming->abort();
    streaming.reset();
    connecting.reset();
}

void TestUpstreamClient::bodyLargerThanTheLimitFails_data()
{
    QTest::addColumn<QByteArray>("response");

    QTest::newRow("content-length body one byte over the limit")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world");
    QTest::newRow("chunked body over the limit in its second chunk")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    QTest::newRow("body delimited by the close, over the limit")
        << QByteArray("HTTP/1.1 200 OK\r\n\r\nhello world");
}

void TestUpstreamClient::bodyLargerThanTheLimitFails()
{
    QFETCH(QByteArray, response);

    RawServer server;
    server.onRequest = [&](const RawServer::Request &request) {
        writeSlowly(request.socket, cutEvery(response, 7), 3, true);
    };
    UpstreamClient client;
    UpstreamRequest request = makeRequest(server.url());
    request.maxBodyBytes = 10;
    std::unique_ptr<UpstreamReply> reply(client.send(request));
    Recorder recorder(reply.get());
    QTRY_VERIFY(recorder.done());
    QCOMPARE(recorder.error, UpstreamError::BodyTooLarge);
    QVERIFY(recorder.body().size() <= 10);

    // At the limit exactly, the same body is fine.
    request.maxBodyBytes = 11;
    std::unique_ptr<UpstreamReply> second(client.send(request));
    Recorder secondRecorder(second.get());
    QTRY_VERIFY(secondRecorder.done());
    QCOMPARE(secondRecorder.message, QString());
    QCOMPARE(secondRecorder.body(), QByteArray("hello world"));
}

namespace {

// Streams `total` bytes of chunked body, writing only when the socket has room, and counts what
// the kernel has taken.
struct Flood
{
    QPointer<QTcpSocket> socket;
    qint64 total = 0;
    qint64 queued = 0;
    bool closeAfter = false;

    void feed()
    {
        if (!socket)
            return;
        while (queued < total && socket->bytesToWrite() < 64 * 1024) {
            const qint64 n = qMin<qint64>(16 * 1024, total - queued);
            QByteArray piece(n, char('a' + (queued / (16 * 1024)) % 26));
            socket->write(QByteArray::number(n, 16) + "\r\n" + piece + "\r\n");
            queued += n;
        }
        if (queued >= total && socket->property("ended").isNull()) {
            socket->setProperty("ended", true);
            socket->write("0\r\n\r\n");
            if (closeAfter)
                socket->disconnectFromHost();
        }
    }
};

// True when the kernel takes no more of the flood: the node holds bytes it could not hand over,
// and a whole exchange with the server (see exchangeCompletes()) passes without the kernel taking
// any of them.
bool nodeStalls(RawServer &server, const Flood &flood)
{
    if (!flood.socket || flood.socket->bytesToWrite() == 0)
        return false;
    const qint64 queued = flood.queued;
    const qint64 unsent = flood.socket->bytesToWrite();
    return exchangeCompletes(server) && flood.socket && flood.queued == queued
        && flood.socket->bytesToWrite() == unsent;
}

QByteArray floodBody(qint64 total)
{
    QByteArray body;
    for (qint64 pos = 0; pos < total; pos += 16 * 1024)
        body += QByteArray(qMin<qint64>(16 * 1024, total - pos), char('a' + (pos / (16 * 1024)) % 26));
    return body;
}

} // namespace

void TestUpstreamClient::pausedReplyHoldsTheNodeBack()
{
    constexpr qint64 Total = 32 * 1024 * 1024;
    RawServer server;
    auto flood = std::make_shared<Flood>();
    flood->total = Total;
    server.onRequest = [flood](const RawServer::Request &request) {
        flood->socket = request.socket;
        request.socket->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        QObject::connect(request.socket, &QTcpSocket::bytesWritten, request.socket, [flood] { flood->feed(); });
        flood->feed();
    };
    UpstreamClient client;
    std::unique_ptr<UpstreamReply> reply(client.send(makeRequest(server.url())));
    qint64 received = 0;
    QByteArray body;
    connect(reply.get(), &UpstreamReply::dataReceived, reply.get(), [&](const QByteArray &piece) {
        received += piece.size();
        body += piece;
    });
    bool finished = false;
    connect(reply.get(), &UpstreamReply::finished, reply.get(), [&] { finished = true; });
    QTRY_VERIFY(received > 0);
    reply->setPaused(true);
    const qint64 atPause = received;
    // The node writes until the connection takes no more: a whole exchange passes without the
    // kernel taking another byte from it.
    QVERIFY(QTest::qWaitFor([&] { return nodeStalls(server, *flood); }, 20000));
    // Not a byte more reached us, and the node could not write everything: TCP held it back.
    QCOMPARE(received, atPause);
    QVERIFY2(flood->queued < Total, QByteArray::number(flood->queued).constData());
    QVERIFY(!finished);

    reply->setPaused(false);
    QTRY_VERIFY_WITH_TIMEOUT(finished, 30000);
    QCOMPARE(received, Total);
    QVERIFY(body == floodBody(Total));
}

void TestUpstreamClient::timeoutsDoNotRunWhilePaused()
{
    RawServer server;
    QPointer<QTcpSocket> upstream;
    server.onRequest = [&upstream](const RawServer::Request &request) {
        upstream = request.socket;
        request.socket->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n");
    };
    UpstreamClient client;
    UpstreamRequest request = makeRequest(server.url());
    request.idleTimeoutMs = 200;
    std::unique_ptr<UpstreamReply> reply(client.send(request));
    Recorder recorder(reply.get());
    QTRY_COMPARE(recorder.pieces.size(), 1);
    reply->setPaused(true);
    // Twice the idle timeout passes while paused.
    QVERIFY(timerPasses(2 * request.idleTimeoutMs));
    QCOMPARE(recorder.failures, 0);
    // The rest comes long after the idle timeout, while the reply is paused: it waits.
    QVERIFY(upstream);
    upstream->write("6\r\nsecond\r\n0\r\n\r\n");
    upstream->flush();
    QVERIFY(exchangeCompletes(server));
    QCOMPARE(recorder.failures, 0);
    QCOMPARE(recorder.pieces.size(), 1);
    reply->setPaused(false);
    QTRY_VERIFY(recorder.done());
    QCOMPARE(recorder.message, QString());
    QCOMPARE(recorder.body(), QByteArray("firstsecond"));
}

void TestUpstreamClient::nodeClosingWhilePausedStillDeliversEverything()
{
    constexpr qint64 Total = 4 * 1024 * 1024;
    RawServer server;
    auto flood = std::make_shared<Flood>();
    flood->total = Total;
    flood->closeAfter = true;
    server.onRequest = [flood](const RawServer::Request &request) {
        flood->socket = request.socket;
        request.socket->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        QObject::connect(request.socket, &QTcpSocket::bytesWritten, request.socket, [flood] { flood->feed(); });
        flood->feed();
    };
    UpstreamClient client;
    std::unique_ptr<UpstreamReply> reply(client.send(makeRequest(server.url())));
    Recorder recorder(reply.get());
    QTRY_VERIFY(!recorder.pieces.isEmpty());
    reply->setPaused(true);
    // While paused, the node writes what the connection takes, and closes if all of it fit.
    const auto nodeClosed = [&flood] {
        return !flood->socket || flood->socket->state() == QAbstractSocket::UnconnectedState;
    };
    QVERIFY(QTest::qWaitFor([&] { return nodeClosed() || nodeStalls(server, *flood); }, 20000));
    reply->setPaused(false);
    QTRY_VERIFY_WITH_TIMEOUT(recorder.done(), 20000);
    QCOMPARE(recorder.message, QString());
    QCOMPARE(recorder.body().size(), Total);
}

void TestUpstreamClient::nodeClosingWhileAClientKeepsFallingBehindDeliversEverything()
{
    // A client that falls behind after every piece and catches up when a socket reports
    // progress, as the gateway's client socket does: in the same pass of the event loop as the
    // node's close, after the reply was resumed and before the queued resume() read our buffer.
    // The whole answer arrives all the same, without an error.
    constexpr qint64 Total = 4 * 1024 * 1024;
    for (int round = 0; round < 5; ++round) {
        RawServer server;
        auto flood = std::make_shared<Flood>();
        flood->total = Total;
        flood->closeAfter = true;
        QPointer<UpstreamReply> reply;
        server.onRequest = [flood, &reply](const RawServer::Request &request) {
            flood->socket = request.socket;
            request.socket->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
            QObject::connect(request.socket, &QTcpSocket::bytesWritten, request.socket, [flood, &reply] {
                if (reply)
                    reply->setPaused(false);
                flood->feed();
            });
            QObject::connect(request.socket, &QTcpSocket::disconnected, request.socket, [&reply] {
                if (reply)
                    reply->setPaused(false);
            });
            flood->feed();
        };
        UpstreamClient client;
        std::unique_ptr<UpstreamReply> owned(client.send(makeRequest(server.url())));
        reply = owned.get();
        Recorder recorder(owned.get());
        connect(owned.get(), &UpstreamReply::dataReceived, owned.get(), [&reply] { reply->setPaused(true); });
        QTRY_VERIFY_WITH_TIMEOUT(recorder.done(), 20000);
        QCOMPARE(recorder.message, QString());
        QCOMPARE(recorder.body().size(), Total);
    }
}

QTEST_GUILESS_MAIN(TestUpstreamClient)
#include "tst_upstreamclient.moc"

// What the gateway does when a node misbehaves in time or in size, over real sockets: first-byte
// timeouts fail over, idle timeouts end a stream in its dialect, per-node timeouts beat the
// settings, a client that reads nothing holds the node back instead of filling our memory, and an
// endless line stops at its cap.

#include "gatewayharness.h"
#include "providers/responseparser.h"
#include "providers/streamparsers.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>


using namespace Qt::StringLiterals;
using namespace Maestro;
using namespace Maestro::Test;

Q_DECLARE_METATYPE(Maestro::Test::FakeUpstream::Misbehaviour)

namespace {

const QString ReplyText = u"one two three four five six seven eight nine ten"_s;
const QString SharedModel = u"shared-model"_s; // on the slow node (preferred) and the good one
const QString SoloModel = u"solo-model"_s;     // on the slow node only
const QString FloodModel = u"flood-model"_s;   // on the flood node only

// Compares streamed content with the Flood's pieces 0, 1, 2, ... as it arrives.
class FloodChecker
{
public:
    bool consume(QByteArrayView content)
    {
        while (!content.isEmpty()) {
            if (m_offset == m_piece.size()) {
                m_piece = FakeUpstream::floodPiece(m_index++);
                m_offset = 0;
            }
            const qsizetype n = qMin(content.size(), m_piece.size() - m_offset);
            if (QByteArrayView(m_piece).sliced(m_offset, n) != content.first(n))
                return false;
            m_offset += n;
            content = content.sliced(n);
        }
        return true;
    }
    // Whole pieces seen so far.
    qint64 pieces() const { return m_offset == m_piece.size() ? m_index : m_index - 1; }

private:
    QByteArray m_piece;
    qsizetype m_offset = 0;
    qint64 m_index = 0;
};

} // namespace

class TestUpstreamLimits final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();

    void silentNodeFailsOverWithinTheFirstByteTimeout_data();
    void silentNodeFailsOverWithinTheFirstByteTimeout();
    void stallMidStreamEndsWithTheDialectsError_data();
    void stallMidStreamEndsWithTheDialectsError();
    void adminRejectsWrongTypesForNodeTimeouts_data();
    void adminRejectsWrongTypesForNodeTimeouts();
    void clientThatReadsNothingHoldsTheNodeBack();
    void clientThatReadsNothingIsDroppedAfterTheSendTimeout();
    void endlessLineStopsAtTheCap();

private:
    Response admin(const QByteArray &method, const QString &path, const QJsonObject &body = {})
    {
        return m_harness.admin(method, path, body);
    }
    qint64 addNode(const QString &name, FakeUpstream *upstream, int priority);
    void setNodeTimeouts(qint64 id, int connect, int firstByte, int idle);

    GatewayHarness m_harness;
    std::unique_ptr<FakeUpstream> m_slow;
    std::unique_ptr<FakeUpstream> m_good;
    std::unique_ptr<FakeUpstream> m_flood;
    qint64 m_slowId = 0;
    qint64 m_goodId = 0;
    qint64 m_floodId = 0;
    QByteArray m_token;
};

qint64 TestUpstreamLimits::addNode(const QString &name, FakeUpstream *upstream, int priority)
{
    const Response response = admin("POST", u"/admin/nodes"_s,
                                    {{u"name"_s, name},
                                     {u"base_url"_s, upstream->baseUrl().toString()},
                                     {u"node_type"_s, u"openai"_s},
                                     {u"priority"_s, priority}});
    if (response.status != 201)
        qWarning() << "node creation failed:" << response.status << response.body;
    return qint64(response.json().value("id"_L1).toDouble());
}

void TestUpstreamLimits::setNodeTimeouts(qint64 id, int connect, int firstByte, int idle)
{
    const Response response = admin("PATCH", u"/admin/nodes/%1"_s.arg(id),
                                    {{u"connect_timeout_seconds"_s, connect},
                                     {u"first_byte_timeout_seconds"_s, firstByte},
                                     {u"idle_timeout_seconds"_s, idle}});
    QVERIFY2(response.status == 200, response.body.constData());
    QCOMPARE(response.json().value("first_byte_timeout_seconds"_L1).toInt(), firstByte);
    QCOMPARE(response.json().value("idle_timeout_seconds"_L1).toInt(), idle);
}

void TestUpstreamLimits::initTestCase()
{
    QVERIFY(m_harness.start({u"llama3.2:latest"_s}, {u"gpt-4o-mini"_s}, ReplyText));
    m_slow = std::make_unique<FakeUpstream>(NodeType::OpenAi);
    m_good = std::make_unique<FakeUpstream>(NodeType::OpenAi);
    m_flood = std::make_unique<FakeUpstream>(NodeType::OpenAi);
    m_slow->setModels({SharedModel, SoloModel});
    m_good->setModels({SharedModel});
    m_flood->setModels({FloodModel});
    QVERIFY(m_slow->listen() && m_good->listen() && m_flood->listen());
    // The slow node is tried first; the good one is where failover goes.
    QVERIFY(admin("PUT", u"/admin/settings"_s, {{u"routing_strategy"_s, u"priority"_s}}).status == 200);
    m_slowId = addNode(u"slow-node"_s, m_slow.get(), 10);
    m_goodId = addNode(u"good-node"_s, m_good.get(), 0);
    m_floodId = addNode(u"flood-node"_s, m_flood.get(), 0);
    QVERIFY(m_slowId > 0 && m_goodId > 0 && m_floodId > 0);
    m_token = m_harness.createUser(u"carol"_s, {u"*"_s});
    QVERIFY(!m_token.isEmpty());
}

void TestUpstreamLimits::init()
{
    for (FakeUpstream *upstream : {m_slow.get(), m_good.get(), m_flood.get()}) {
        upstream->setReplyText(ReplyText);
        upstream->misbehaveNext(FakeUpstream::Misbehaviour::NeverAnswer, 0, 0);
        upstream->clearRequests();
    }
}

void TestUpstreamLimits::cleanup()
{
    m_harness.reset();
    for (const qint64 id : {m_slowId, m_goodId, m_floodId})
        setNodeTimeouts(id, 0, 0, 0);
    for (const char *key : {"upstream_first_byte_timeout_seconds", "upstream_idle_timeout_seconds",
                            "max_upstream_line_bytes", "send_timeout_seconds"})
        admin("DELETE", u"/admin/settings/%1"_s.arg(QLatin1StringView(key)));
}

void TestUpstreamLimits::cleanupTestCase()
{
    m_harness.stop();
    m_slow.reset();
    m_good.reset();
    m_flood.reset();
}

void TestUpstreamLimits::silentNodeFailsOverWithinTheFirstByteTimeout_data()
{
    QTest::addColumn<int>("nodeSeconds");   // the slow node's first_byte_timeout_seconds
    QTest::addColumn<int>("globalSeconds"); // upstream_first_byte_timeout_seconds
    QTest::addColumn<FakeUpstream::Misbehaviour>("how");
    QTest::addColumn<int>("amount");

    QTest::newRow("a node that accepts and never answers: its own 1 s beats the gateway's 60 s")
        << 1 << 60 << FakeUpstream::Misbehaviour::NeverAnswer << 0;
    QTest::newRow("a node that sends a head and then nothing: its own 1 s beats the gateway's 60 s")
        << 1 << 60 << FakeUpstream::Misbehaviour::StallAfterEvents << 0;
    QTest::newRow("a node without its own timeout follows the gateway's 1 s, read per request")
        << 0 << 1 << FakeUpstream::Misbehaviour::NeverAnswer << 0;
}

void TestUpstreamLimits::silentNodeFailsOverWithinTheFirstByteTimeout()
{
    QFETCH(int, nodeSeconds);
    QFETCH(int, globalSeconds);
    QFETCH(FakeUpstream::Misbehaviour, how);
    QFETCH(int, amount);

    setNodeTimeouts(m_slowId, 0, nodeSeconds, 0);
    QCOMPARE(admin("PUT", u"/admin/settings"_s, {{u"upstream_first_byte_timeout_seconds"_s, globalSeconds}}).status,
             200);
    m_slow->misbehaveNext(how, amount);

    QElapsedTimer timer;
    timer.start();
    const QJsonObject body{{u"model"_s, SharedModel}, {u"stream"_s, true}, {u"messages"_s, userMessage(u"hi"_s)}};
    const Response response = m_harness.send("POST", u"/v1/chat/completions"_s, toJson(body), m_token, {}, 20000);
    const qint64 elapsed = timer.elapsed();

    QVERIFY(response.finished);
    QCOMPARE(response.status, 200);
    QByteArray text;
    for (const auto &[name, data] : sseEvents(response.body)) {
        if (data != "[DONE]")
            text += QJsonDocument::fromJson(data).object().value("choices"_L1).toArray().at(0).toObject()
                        .value("delta"_L1).toObject().value("content"_L1).toString().toUtf8();
    }
    QCOMPARE(QString::fromUtf8(text), ReplyText);
    QCOMPARE(m_slow->requestCount(), 1);
    QCOMPARE(m_good->requestCount(), 1);
    QVERIFY2(elapsed >= 900, QByteArray::number(elapsed).constData());
    QVERIFY2(elapsed < 4000, QByteArray::number(elapsed).constData());
}

void TestUpstreamLimits::stallMidStreamEndsWithTheDialectsError_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("dialect");

    QTest::newRow("an OpenAI stream ends with an error event") << u"/v1/chat/completions"_s << u"openai"_s;
    QTest::newRow("an Ollama stream ends with an error line") << u"/api/chat"_s << u"ollama"_s;
    QTest::newRow("an Anthropic stream ends with an error event") << u"/v1/messages"_s << u"anthropic"_s;
}

void TestUpstreamLimits::stallMidStreamEndsWithTheDialectsError()
{
    QFETCH(QString, path);
    QFETCH(QString, dialect);

    // The gateway's idle setting is long; the node's own 1 s is what ends the stream.
    QCOMPARE(admin("PUT", u"/admin/settings"_s, {{u"upstream_idle_timeout_seconds"_s, 600}}).status, 200);
    setNodeTimeouts(m_slowId, 0, 0, 1);
    m_slow->misbehaveNext(FakeUpstream::Misbehaviour::StallAfterEvents, 3);

    QJsonObject body{{u"model"_s, SharedModel}, {u"stream"_s, true}, {u"messages"_s, userMessage(u"hi"_s)}};
    Headers headers;
    QByteArray token = m_token;
    if (dialect == "anthropic"_L1) {
        body.insert(u"max_tokens"_s, 100);
        headers.append({"x-api-key", m_token});
        token.clear();
    }
    QElapsedTimer timer;
    timer.start();
    const Response response = m_harness.send("POST", path, toJson(body), token, headers, 20000);
    const qint64 elapsed = timer.elapsed();

    QVERIFY(response.finished);
    QCOMPARE(response.status, 200); // the stream had started
    QVERIFY2(elapsed >= 900 && elapsed < 4000, QByteArray::number(elapsed).constData());
    QString message;
    if (dialect == "ollama"_L1) {
        const QList<QByteArray> lines = ndjsonLines(response.body);
        QVERIFY(lines.size() >= 2);
        message = QJsonDocument::fromJson(lines.last()).object().value("error"_L1).toString();
    } else {
        auto events = sseEvents(response.body);
        // An OpenAI stream still closes with [DONE] after its error event, as OpenAI's do.
        if (dialect == "openai"_L1 && !events.isEmpty() && events.last().second == "[DONE]")
            events.removeLast();
        QVERIFY(events.size() >= 2);
        const QJsonObject last = QJsonDocument::fromJson(events.last().second).object();
        if (dialect == "anthropic"_L1)
            QCOMPARE(events.last().first, QByteArray("error"));
        message = last.value("error"_L1).toObject().value("message"_L1).toString();
    }
    QVERIFY2(message.contains("slow-node"_L1) && message.contains("idle timeout"_L1),
             response.body.right(400).constData());
    // Nothing was retried on the good node: the client already had part of the answer.
    QCOMPARE(m_good->requestCount(), 0);
    // The request log says why, for whoever looks into it later.
    QTRY_VERIFY(m_harness.logsFor(u"carol"_s).first().toObject().value("error_message"_L1).toString().contains(
        "idle timeout"_L1));
}

void TestUpstreamLimits::adminRejectsWrongTypesForNodeTimeouts_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QJsonValue>("value");

    QTest::newRow("a string for first_byte_timeout_seconds") << u"first_byte_timeout_seconds"_s << QJsonValue(u"5"_s);
    QTest::newRow("a fraction for idle_timeout_seconds") << u"idle_timeout_seconds"_s << QJsonValue(1.5);
    QTest::newRow("a boolean for connect_timeout_seconds") << u"connect_timeout_seconds"_s << QJsonValue(true);
    QTest::newRow("an object for idle_timeout_seconds") << u"idle_timeout_seconds"_s << QJsonValue(QJsonObject{});
    QTest::newRow("a negative first_byte_timeout_seconds") << u"first_byte_timeout_seconds"_s << QJsonValue(-1);
    QTest::newRow("connect_timeout_seconds over 600") << u"connect_timeout_seconds"_s << QJsonValue(601);
    QTest::newRow("idle_timeout_seconds over a day") << u"idle_timeout_seconds"_s << QJsonValue(86401);
}

void TestUpstreamLimits::adminRejectsWrongTypesForNodeTimeouts()
{
    QFETCH(QString, field);
    QFETCH(QJsonValue, value);

    setNodeTimeouts(m_goodId, 7, 8, 9);
    const Response patched = admin("PATCH", u"/admin/nodes/%1"_s.arg(m_goodId), {{field, value}});
    QCOMPARE(patched.status, 400);
    QVERIFY2(patched.json().value("detail"_L1).toString().contains(field), patched.body.constData());
    const QJsonObject node = admin("GET", u"/admin/nodes/%1"_s.arg(m_goodId)).json();
    QCOMPARE(node.value("connect_timeout_seconds"_L1).toInt(), 7);
    QCOMPARE(node.value("first_byte_timeout_seconds"_L1).toInt(), 8);
    QCOMPARE(node.value("idle_timeout_seconds"_L1).toInt(), 9);

    const Response created = admin("POST", u"/admin/nodes"_s,
                                   {{u"name"_s, u"never-made"_s},
                                    {u"base_url"_s, m_good->baseUrl().toString()},
                                    {u"node_type"_s, u"openai"_s},
                                    {field, value}});
    QCOMPARE(created.status, 400);
    for (const QJsonValue &item : admin("GET", u"/admin/nodes"_s).array())
        QVERIFY(item.toObject().value("name"_L1).toString() != "never-made"_L1);
}

void TestUpstreamLimits::clientThatReadsNothingIsDroppedAfterTheSendTimeout()
{
    QCOMPARE(admin("PUT", u"/admin/settings"_s, {{u"send_timeout_seconds"_s, 1}}).status, 200);
    m_flood->misbehaveNext(FakeUpstream::Misbehaviour::Flood, 50 * 1000 * 1000);
    QTcpSocket client;
    client.setReadBufferSize(64 * 1024); // reads nothing more once this much waits
    client.connectToHost(QHostAddress::LocalHost, m_harness.port());
    QVERIFY(client.waitForConnected(5000));
    const QByteArray body = toJson({{u"model"_s, FloodModel}, {u"stream"_s, true}, {u"messages"_s, userMessage(u"flood"_s)}});
    client.write("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer " + m_token
                 + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
                 + "\r\n\r\n" + body);
    QVERIFY(QTest::qWaitFor([&] { return m_flood->activeStreams() == 1; }, 5000));
    // Held back by backpressure, the stream would wait for the client for ever; the send timeout
    // drops the client, which cancels the node's generation.
    QElapsedTimer timer;
    timer.start();
    QVERIFY2(QTest::qWaitFor([&] { return m_flood->activeStreams() == 0; }, 8000),
             "the node still streams for a client that reads nothing");
    QVERIFY2(timer.elapsed() >= 500, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(m_flood->completedStreams(), 0);
}

void TestUpstreamLimits::clientThatReadsNothingHoldsTheNodeBack()
{
    constexpr qint64 FloodBytes = 50 * 1000 * 1000;
    // A request first, so that what a first request allocates is not counted below.
    const QJsonObject small{{u"model"_s, SharedModel}, {u"stream"_s, true}, {u"messages"_s, userMessage(u"hi"_s)}};
    QCOMPARE(m_harness.send("POST", u"/v1/chat/completions"_s, toJson(small), m_token).status, 200);

    m_flood->misbehaveNext(FakeUpstream::Misbehaviour::Flood, FloodBytes);
    QTcpSocket client;
    // Qt stops reading from the kernel once this much waits unread: the client "reads nothing".
    client.setReadBufferSize(64 * 1024);
    client.connectToHost(QHostAddress::LocalHost, m_harness.port());
    QVERIFY(client.waitForConnected(5000));
    const QByteArray body = toJson({{u"model"_s, FloodModel}, {u"stream"_s, true}, {u"messages"_s, userMessage(u"flood"_s)}});
    client.write("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer " + m_token
                 + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
                 + "\r\n\r\n" + body);

    const qint64 before = heldBytes();
    QVERIFY(before > 0);
    qint64 peak = before;
    for (int i = 0; i < 100; ++i) {
        QTest::qWait(100);
        peak = qMax(peak, heldBytes());
    }
    const qint64 growth = peak - before;
    qInfo("RSS growth while the client read nothing for 10 s: %.1f MB", growth / 1e6);
    QVERIFY2(growth < 20 * 1000 * 1000, QByteArray::number(growth).constData());
    // The node was held back: its stream is still under way.
    QCOMPARE(m_flood->activeStreams(), 1);
    QCOMPARE(m_flood->completedStreams(), 0);

    // Now the client reads, and gets every piece in order, then the end of the stream.
    client.setReadBufferSize(0);
    ResponseParser http;
    http.reset();
    SseParser sse;
    FloodChecker checker;
    QByteArray pending;
    qsizetype pos = 0;
    bool done = false;
    bool sawDone = false;
    bool ok = true;
    QElapsedTimer timer;
    timer.start();
    while (!done && ok && timer.elapsed() < 120'000) {
        // The fake node runs on this thread: wait with the event loop running, not blocked.
        if (client.bytesAvailable() == 0 && !QTest::qWaitFor([&] { return client.bytesAvailable() > 0; }, 5000))
            break;
        pending += client.readAll();
        for (;;) {
            QByteArray piece;
            const ResponseParser::Event event = http.next(pending, &pos, &piece);
            if (event == ResponseParser::Event::NeedMore)
                break;
            if (event == ResponseParser::Event::Error) {
                ok = false;
                break;
            }
            if (event == ResponseParser::Event::Head) {
                QCOMPARE(http.status(), 200);
                continue;
            }
            if (event == ResponseParser::Event::Done) {
                done = true;
                break;
            }
            for (const SseParser::Event &sseEvent : sse.feed(piece)) {
                if (sseEvent.data == "[DONE]") {
                    sawDone = true;
                    continue;
                }
                const QJsonObject chunk = QJsonDocument::fromJson(sseEvent.data).object();
                const QByteArray content = chunk.value("choices"_L1).toArray().at(0).toObject()
                                               .value("delta"_L1).toObject().value("content"_L1).toString().toUtf8();
                if (!checker.consume(content))
                    ok = false;
            }
        }
        if (pos > 0) {
            pending.remove(0, pos);
            pos = 0;
        }
    }
    QVERIFY2(ok, "the stream was corrupted");
    QVERIFY2(done, "the stream did not end");
    QVERIFY(sawDone);
    // Every piece in order and none missing (the checker), up to the node's last: each of its
    // events is a 1000-byte piece in an envelope of under 200 bytes.
    QVERIFY2(checker.pieces() * 1200 >= FloodBytes, QByteArray::number(checker.pieces()).constData());
    QTRY_COMPARE(m_flood->completedStreams(), 1);
}

void TestUpstreamLimits::endlessLineStopsAtTheCap()
{
    QCOMPARE(admin("PUT", u"/admin/settings"_s, {{u"max_upstream_line_bytes"_s, 1024 * 1024}}).status, 200);
    m_slow->misbehaveNext(FakeUpstream::Misbehaviour::EndlessLine, 64 * 1024 * 1024);
    const qint64 before = heldBytes();
    const QJsonObject body{{u"model"_s, SoloModel}, {u"stream"_s, true}, {u"messages"_s, userMessage(u"hi"_s)}};
    const Response response = m_harness.send("POST", u"/v1/chat/completions"_s, toJson(body), m_token, {}, 20000);
    const qint64 growth = heldBytes() - before;
    qInfo("RSS growth while a node sent an endless line: %.1f MB", growth / 1e6);

    QVERIFY(response.finished);
    QCOMPARE(response.status, 502);
    const QString message = response.json().value("error"_L1).toObject().value("message"_L1).toString();
    QVERIFY2(message.contains("longer than 1048576 bytes"_L1), response.body.constData());
    QVERIFY2(growth < 20 * 1000 * 1000, QByteArray::number(growth).constData());
    // The gateway hung up on the node instead of reading the rest.
    QTRY_COMPARE(m_slow->cancelledStreams(), 1);
}

QTEST_GUILESS_MAIN(TestUpstreamLimits)
#include "tst_upstreamlimits.moc"

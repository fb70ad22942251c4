// Model management on Ollama nodes: the pull job the desktop application drives (its signals, its
// fan-out to every active Ollama node, cancelling it) and the admin API's /api/pull built on it.

#include "gatewayharness.h"
#include "http/gateway.h"
#include "http/nodeoperation.h"
#include "core/handoff.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Maestro;
using namespace Maestro::Test;

namespace {

// What a job reported, as the desktop application receives it: on another thread, queued.
class Recorder final : public QObject
{
    Q_OBJECT

public:
    struct Event
    {
        QString kind; // "progress", "node" or "finished"
        qint64 nodeId = 0;
        QString status; // progress: Ollama's text; node: "ok" or the error
        qint64 completed = 0;
        qint64 total = 0;
        bool ok = false;
    };

    QList<Event> events;
    bool done = false;
    bool ok = false;

    // Creates a pull on the gateway's thread and records its signals here; nullptr when it could
    // not start (error says why).
    QPointer<NodeOperation> pull(Gateway *gateway, const QString &model, std::optional<qint64> nodeId,
                                 QString *error)
    {
        QPointer<NodeOperation> created;
        Handoff::invokeBlocking(
            gateway,
            [&] {
                auto operation = NodeOperation::pull(gateway, model, nodeId);
                if (!operation.ok()) {
                    *error = operation.error().message;
                    return;
                }
                NodeOperation *job = operation.value();
                // The job lives on the gateway's thread and frees these functors there.
                connect(job, &NodeOperation::progress, this,
                        Handoff::crossThread([this](qint64 id, const QString &, const QString &status,
                                                    qint64 completed, qint64 total) {
                            events.append({u"progress"_s, id, status, completed, total});
                        }));
                connect(job, &NodeOperation::nodeFinished, this,
                        Handoff::crossThread([this](qint64 id, bool ok, const QString &error) {
                            events.append({u"node"_s, id, ok ? u"ok"_s : error, 0, 0, ok});
                        }));
                connect(job, &NodeOperation::finished, this, Handoff::crossThread([this](bool success) {
                            events.append({u"finished"_s, 0, {}, 0, 0, success});
                            done = true;
                            ok = success;
                        }));
                job->start();
                created = job;
            });
        return created;
    }

    QList<Event> of(qint64 nodeId) const
    {
        QList<Event> out;
        for (const Event &event : events) {
            if (event.nodeId == nodeId)
                out.append(event);
        }
        return out;
    }
};

} // namespace

class TestNodeOperation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void pullReportsEachNodeInOrder();
    void pullGoesToEveryActiveOllamaNode();
    void pullThatCannotStart_data();
    void pullThatCannotStart();
    void cancelAbortsEveryNode();
    void httpPull_data();
    void httpPull();
    void httpPullRefused_data();
    void httpPullRefused();
    void httpClientGoingAwayCancels();

private:
    Gateway *gateway() const { return m_harness.gatewayThread()->gateway(); }
    QStringList tags();

    GatewayHarness m_harness;
    std::unique_ptr<FakeUpstream> m_second; // another Ollama node
    qint64 m_secondId = 0;
    QByteArray m_userToken;
};

void TestNodeOperation::initTestCase()
{
    QVERIFY(m_harness.start({u"llama3.2:latest"_s}, {u"gpt-4o-mini"_s}, u"Hello"_s));
    m_second = std::make_unique<FakeUpstream>(NodeType::Ollama);
    m_second->setModels({u"llama3.2:latest"_s});
    QVERIFY(m_second->listen());
    m_secondId = m_harness.addNode(u"second-ollama"_s, m_second.get());
    QVERIFY(m_secondId > 0);
    m_userToken = m_harness.createUser(u"reader"_s, {u"*"_s});
    QVERIFY(!m_userToken.isEmpty());
}

void TestNodeOperation::cleanupTestCase()
{
    m_harness.stop();
    m_second.reset();
}

void TestNodeOperation::init()
{
    m_harness.reset();
    for (FakeUpstream *upstream : {m_harness.ollama(), m_second.get()}) {
        upstream->setModels({u"llama3.2:latest"_s});
        upstream->setPullError({});
        upstream->setChunkDelay(0);
        upstream->clearRequests();
    }
}

QStringList TestNodeOperation::tags()
{
    QStringList names;
    const QJsonArray models = m_harness.send("GET", u"/api/tags"_s, {}, m_userToken).json().value("models"_L1).toArray();
    for (const QJsonValue &model : models)
        names.append(model.toObject().value("name"_L1).toString());
    return names;
}

void TestNodeOperation::pullReportsEachNodeInOrder()
{
    Recorder recorder;
    QString error;
    QVERIFY(recorder.pull(gateway(), u"qwen3:4b"_s, m_harness.ollamaId(), &error));
    QTRY_VERIFY(recorder.done);
    QVERIFY(recorder.ok);

    // Progress lines as the node sent them, then the node's outcome, then the job's.
    const QList<Recorder::Event> events = recorder.of(m_harness.ollamaId());
    QVERIFY(events.size() >= 4);
    QCOMPARE(events.constFirst().status, u"pulling manifest"_s);
    QCOMPARE(events.at(events.size() - 2).status, u"success"_s);
    QCOMPARE(events.constLast().kind, u"node"_s);
    QVERIFY(events.constLast().ok);
    QCOMPARE(recorder.events.constLast().kind, u"finished"_s);
    qint64 completed = -1;
    int downloads = 0;
    for (const Recorder::Event &event : events) {
        if (event.total == 0)
            continue;
        ++downloads;
        QCOMPARE(event.total, qint64(1000));
        QVERIFY(event.completed >= completed);
        completed = event.completed;
    }
    QVERIFY(downloads >= 3);
    QCOMPARE(completed, qint64(1000));
    QVERIFY(m_second->requests().isEmpty()); // only the node asked for

    // The node is re-discovered: the pulled model is served.
    QTRY_VERIFY(tags().contains(u"qwen3:4b"_s));
}

void TestNodeOperation::pullGoesToEveryActiveOllamaNode()
{
    Recorder recorder;
    QString error;
    QVERIFY(recorder.pull(gateway(), u"phi4:14b"_s, std::nullopt, &error));
    QTRY_VERIFY(recorder.done);
    QVERIFY(recorder.ok);
    for (const qint64 id : {m_harness.ollamaId(), m_secondId}) {
        const QList<Recorder::Event> events = recorder.of(id);
        QVERIFY2(!events.isEmpty(), qPrintable(u"node %1 reported nothing"_s.arg(id)));
        QCOMPARE(events.constLast().kind, u"node"_s);
        QVERIFY(events.constLast().ok);
    }
    QCOMPARE(recorder.of(m_harness.openaiId()).size(), 0); // an OpenAI node cannot pull
    for (FakeUpstream *upstream : {m_harness.ollama(), m_second.get()}) {
        const RecordedRequest pull = upstream->requests().constFirst();
        QCOMPARE(pull.path, "/api/pull");
        QCOMPARE(pull.body.value("model"_L1).toString(), u"phi4:14b"_s);
    }
    QTRY_VERIFY(m_second->models().contains(u"phi4:14b"_s));
}

void TestNodeOperation::pullThatCannotStart_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("node"); // 0: all, -1: the OpenAI node, -2: a node that does not exist
    QTest::addColumn<QString>("error");
    QTest::newRow("a pull needs a model name") << u"  "_s << 0 << u"\"model\" is required"_s;
    QTest::newRow("an OpenAI node cannot pull") << u"x:1b"_s << -1 << u"openai-node is not an Ollama node"_s;
    QTest::newRow("an unknown node is refused") << u"x:1b"_s << -2 << u"Node not found: 9999"_s;
}

void TestNodeOperation::pullThatCannotStart()
{
    QFETCH(QString, model);
    QFETCH(int, node);
    QFETCH(QString, error);
    std::optional<qint64> target;
    if (node == -1)
        target = m_harness.openaiId();
    else if (node == -2)
        target = 9999;
    Recorder recorder;
    QString message;
    QVERIFY(!recorder.pull(gateway(), model, target, &message));
    QCOMPARE(message, error);
}

void TestNodeOperation::cancelAbortsEveryNode()
{
    for (FakeUpstream *upstream : {m_harness.ollama(), m_second.get()})
        upstream->setChunkDelay(300);
    Recorder recorder;
    QString error;
    const QPointer<NodeOperation> job = recorder.pull(gateway(), u"slow:70b"_s, std::nullopt, &error);
    QVERIFY(job);
    QTRY_VERIFY(!recorder.of(m_harness.ollamaId()).isEmpty() && !recorder.of(m_secondId).isEmpty());
    QMetaObject::invokeMethod(gateway(), [job] {
        if (job)
            job->cancel();
    });
    QTRY_VERIFY(recorder.done);
    QVERIFY(!recorder.ok);
    for (const qint64 id : {m_harness.ollamaId(), m_secondId}) {
        const Recorder::Event last = recorder.of(id).constLast();
        QCOMPARE(last.kind, u"node"_s);
        QCOMPARE(last.status, u"Cancelled"_s);
    }
    QTRY_COMPARE(m_harness.ollama()->cancelledStreams(), 1);
    QTRY_COMPARE(m_second->cancelledStreams(), 1);
    QVERIFY(!m_second->models().contains(u"slow:70b"_s));
}

void TestNodeOperation::httpPull_data()
{
    QTest::addColumn<bool>("stream");
    QTest::addColumn<QString>("pullError");
    QTest::addColumn<int>("status");
    QTest::newRow("streamed: progress tagged with the node, then success") << true << QString() << 200;
    QTest::newRow("streamed: the node's error is relayed and sums up the pull")
        << true << u"pull model manifest: file does not exist"_s << 200;
    QTest::newRow("unstreamed: one answer once the node is done") << false << QString() << 200;
    QTest::newRow("unstreamed: a failed node makes it a 502")
        << false << u"pull model manifest: file does not exist"_s << 502;
}

void TestNodeOperation::httpPull()
{
    QFETCH(bool, stream);
    QFETCH(QString, pullError);
    QFETCH(int, status);
    m_harness.ollama()->setPullError(pullError);
    static int serial = 0;
    const QString model = u"gemma3:%1b"_s.arg(++serial);
    const Response response = m_harness.admin(
        "POST", u"/api/pull?node=%1"_s.arg(m_harness.ollamaId()), {{u"model"_s, model}, {u"stream"_s, stream}});
    QCOMPARE(response.status, status);

    QJsonObject last = response.json();
    if (stream) {
        QCOMPARE(response.headers.value("content-type"), "application/x-ndjson");
        const QList<QByteArray> lines = ndjsonLines(response.body);
        QVERIFY(lines.size() >= 3);
        for (qsizetype i = 0; i + 1 < lines.size(); ++i)
            QCOMPARE(QJsonDocument::fromJson(lines.at(i)).object().value("node"_L1).toString(), u"ollama-node"_s);
        QCOMPARE(QJsonDocument::fromJson(lines.constFirst()).object().value("status"_L1).toString(),
                 u"pulling manifest"_s);
        last = QJsonDocument::fromJson(lines.constLast()).object();
        if (!pullError.isEmpty()) {
            const QJsonObject nodeError = QJsonDocument::fromJson(lines.at(lines.size() - 2)).object();
            QCOMPARE(nodeError.value("error"_L1).toString(), pullError);
        }
    }
    const QJsonObject node = last.value("nodes"_L1).toArray().at(0).toObject();
    QCOMPARE(node.value("node"_L1).toString(), u"ollama-node"_s);
    QCOMPARE(qint64(node.value("node_id"_L1).toDouble()), m_harness.ollamaId());
    if (pullError.isEmpty()) {
        QCOMPARE(last.value("status"_L1).toString(), u"success"_s);
        QCOMPARE(node.value("status"_L1).toString(), u"success"_s);
        QVERIFY(node.value("error"_L1).isNull());
        QTRY_VERIFY(tags().contains(model));
    } else {
        QCOMPARE(last.value("error"_L1).toString(), u"ollama-node: %1"_s.arg(pullError));
        QCOMPARE(node.value("status"_L1).toString(), u"error"_s);
        QCOMPARE(node.value("error"_L1).toString(), pullError);
        QVERIFY(!m_harness.ollama()->models().contains(model));
    }
}

void TestNodeOperation::httpPullRefused_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");
    QTest::newRow("without the admin token") << QString() << QByteArray() << 401
                                             << u"Missing bearer token: send \"Authorization: Bearer <token>\""_s;
    QTest::newRow("with a user's token") << QString() << QByteArray("user") << 403
                                         << u"Changing the models on nodes needs the admin token"_s;
    QTest::newRow("to an OpenAI node") << u"?node=openai"_s << QByteArray("admin") << 400
                                       << u"openai-node is not an Ollama node"_s;
    QTest::newRow("to a node that does not exist") << u"?node=abc"_s << QByteArray("admin") << 404
                                                   << u"Node not found: abc"_s;
}

void TestNodeOperation::httpPullRefused()
{
    QFETCH(QString, query);
    QFETCH(QByteArray, token);
    QFETCH(int, status);
    QFETCH(QString, error);
    if (token == "admin")
        token = GatewayHarness::AdminToken.toByteArray();
    else if (token == "user")
        token = m_userToken;
    query.replace(u"openai"_s, QString::number(m_harness.openaiId()));
    const Response response = m_harness.send("POST", u"/api/pull"_s + query, R"({"model":"x:1b"})", token);
    QCOMPARE(response.status, status);
    QCOMPARE(response.json().value("error"_L1).toString(), error);
    QVERIFY(m_harness.ollama()->requests().isEmpty());
}

void TestNodeOperation::httpClientGoingAwayCancels()
{
    m_harness.ollama()->setChunkDelay(300);
    // The client gives up after a second, well before the pull's end.
    const Response response = m_harness.send("POST", u"/api/pull?node=%1"_s.arg(m_harness.ollamaId()),
                                             R"({"model":"huge:405b"})",
                                             GatewayHarness::AdminToken.toByteArray(), {}, 1000);
    QVERIFY(!response.finished);
    QVERIFY(response.body.contains("pulling manifest"));
    QTRY_COMPARE(m_harness.ollama()->cancelledStreams(), 1);
    QVERIFY(!m_harness.ollama()->models().contains(u"huge:405b"_s));
}

QTEST_MAIN(TestNodeOperation)
#include "tst_nodeoperation.moc"

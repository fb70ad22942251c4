// Two real model-maestro processes on one PostgreSQL database: limits hold across them, and a
// configuration change made on one reaches the other within seconds.

#include "fakeupstream.h"
#include "testdatabase.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using Maestro::NodeType;
using Maestro::Test::FakeUpstream;
using Maestro::Test::TestDatabase;

class TestMultiInstance : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void limitsAndConfigAcrossInstances();

private:
    quint16 startGateway(QProcess *process, const QString &dataDir, const QString &databaseUrl);
    QNetworkReply *request(const QByteArray &method, quint16 port, const QString &path,
                           const QByteArray &token, const QJsonObject &body = {});
    // Sends and waits; returns the status code (0 when no answer came).
    int call(const QByteArray &method, quint16 port, const QString &path, const QByteArray &token,
             const QJsonObject &body = {}, QJsonDocument *reply = nullptr);
    bool userSeesModel(quint16 port, const QByteArray &token, const QString &model);

    QString m_binary;
    QNetworkAccessManager m_nam;
    QList<QProcess *> m_processes;
};

namespace {

const QByteArray AdminToken = "multi-admin";

int statusOf(QNetworkReply *reply)
{
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

} // namespace

void TestMultiInstance::initTestCase()
{
    const QString reason = TestDatabase::unavailableReason(u"postgresql"_s);
    if (!reason.isEmpty())
        QSKIP(qPrintable(reason));
    const QByteArray binDir = qgetenv("MAESTRO_BIN_DIR");
    QVERIFY2(!binDir.isEmpty(), "MAESTRO_BIN_DIR is not set (run through ctest)");
    m_binary = QDir(QString::fromLocal8Bit(binDir)).filePath(u"model-maestro"_s);
    QVERIFY2(QFileInfo(m_binary).isExecutable(), qPrintable(m_binary));
    m_nam.setProxy(QNetworkProxy::NoProxy);
}

void TestMultiInstance::cleanup()
{
    for (QProcess *process : std::as_const(m_processes)) {
        process->terminate();
        if (!process->waitForFinished(10000))
            process->kill();
        process->waitForFinished();
        if (QTest::currentTestFailed())
            qWarning().noquote() << "gateway stderr:" << process->readAllStandardError();
        delete process;
    }
    m_processes.clear();
}

quint16 TestMultiInstance::startGateway(QProcess *process, const QString &dataDir, const QString &databaseUrl)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"DISPLAY"_s);
    env.remove(u"WAYLAND_DISPLAY"_s);
    env.insert(u"MAESTRO_ADMIN_TOKEN"_s, QString::fromUtf8(AdminToken));
    env.insert(u"MAESTRO_SECRET_STORE"_s, u"file"_s);
    process->setProcessEnvironment(env);
    process->setProcessChannelMode(QProcess::SeparateChannels);
    process->start(m_binary, {u"--headless"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--database"_s,
                              databaseUrl, u"--data-dir"_s, dataDir});
    if (!process->waitForStarted(5000))
        return 0;
    if (!QTest::qWaitFor([&] { return process->canReadLine() || process->state() == QProcess::NotRunning; }, 15000))
        return 0;
    const QByteArray line = process->readLine();
    static const QRegularExpression ready(u"^Model Maestro listening on http://127\\.0\\.0\\.1:(\\d+)\\n$"_s);
    const auto match = ready.match(QString::fromUtf8(line));
    if (!match.hasMatch()) {
        qWarning() << "unexpected first line:" << line << process->readAllStandardError();
        return 0;
    }
    return quint16(match.captured(1).toUInt());
}

QNetworkReply *TestMultiInstance::request(const QByteArray &method, quint16 port, const QString &path,
                                          const QByteArray &token, const QJsonObject &body)
{
    QNetworkRequest request(QUrl(u"http://127.0.0.1:%1%2"_s.arg(port).arg(path)));
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    QByteArray data;
    if (!body.isEmpty()) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        data = QJsonDocument(body).toJson(QJsonDocument::Compact);
    }
    return m_nam.sendCustomRequest(request, method, data);
}

int TestMultiInstance::call(const QByteArray &method, quint16 port, const QString &path,
                            const QByteArray &token, const QJsonObject &body, QJsonDocument *reply)
{
    std::unique_ptr<QNetworkReply> pending(request(method, port, path, token, body));
    if (!pending->isFinished()) {
        QSignalSpy spy(pending.get(), &QNetworkReply::finished);
        if (!spy.wait(10000))
            return 0;
    }
    if (reply)
        *reply = QJsonDocument::fromJson(pending->readAll());
    return statusOf(pending.get());
}

bool TestMultiInstance::userSeesModel(quint16 port, const QByteArray &token, const QString &model)
{
    QJsonDocument models;
    if (call("GET", port, u"/v1/models"_s, token, {}, &models) != 200)
        return false;
    const QJsonArray data = models.object().value("data"_L1).toArray();
    return std::any_of(data.begin(), data.end(), [&](const QJsonValue &entry) {
        return entry.toObject().value("id"_L1).toString() == model;
    });
}

void TestMultiInstance::limitsAndConfigAcrossInstances()
{
    TestDatabase database(u"postgresql"_s);
    QString error;
    QVERIFY2(database.create(&error), qPrintable(error));

    FakeUpstream upstream(NodeType::Ollama);
    upstream.setModels({u"llama3.2"_s});
    upstream.setReplyWords(3);
    QVERIFY(upstream.listen());

    QTemporaryDir dirA;
    QTemporaryDir dirB;
    auto *processA = m_processes.emplace_back(new QProcess);
    auto *processB = m_processes.emplace_back(new QProcess);
    const quint16 a = startGateway(processA, dirA.path(), database.url());
    QVERIFY(a != 0);
    const quint16 b = startGateway(processB, dirB.path(), database.url());
    QVERIFY(b != 0);

    // Everything is configured on A; the grant of all models comes last, so B listing the
    // model means B has loaded a catalog that includes the limit too.
    QCOMPARE(call("POST", a, u"/admin/nodes"_s, AdminToken,
                  {{u"name"_s, u"fake"_s},
                   {u"base_url"_s, upstream.baseUrl().toString()},
                   {u"node_type"_s, u"ollama"_s}}),
             201);
    QJsonDocument created;
    QCOMPARE(call("POST", a, u"/admin/users"_s, AdminToken, {{u"username"_s, u"team"_s}}, &created), 201);
    const QByteArray token = created.object().value("token"_L1).toString().toUtf8();
    QVERIFY(!token.isEmpty());
    QCOMPARE(call("POST", a, u"/admin/users/team/limits"_s, AdminToken, {{u"request_limit"_s, 10}}), 200);
    QCOMPARE(call("POST", a, u"/admin/users/team/models/all"_s, AdminToken), 200);
    QVERIFY(userSeesModel(a, token, u"llama3.2"_s));

    QElapsedTimer seen;
    seen.start();
    QTRY_VERIFY_WITH_TIMEOUT(userSeesModel(b, token, u"llama3.2"_s), 5000);
    qInfo("instance B saw the configuration after %lld ms", seen.elapsed());

    // 30 at once, alternating between the instances: the shared counter admits exactly 10.
    const QJsonObject chat{{u"model"_s, u"llama3.2"_s},
                           {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}};
    std::vector<std::unique_ptr<QNetworkReply>> replies;
    for (int i = 0; i < 30; ++i)
        replies.emplace_back(request("POST", i % 2 ? b : a, u"/v1/chat/completions"_s, token, chat));
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(replies.begin(), replies.end(), [](const auto &reply) { return reply->isFinished(); }),
                             20000);
    QHash<int, int> statuses;
    QHash<int, int> admittedBy; // port -> 200s
    for (qsizetype i = 0; i < qsizetype(replies.size()); ++i) {
        const int status = statusOf(replies.at(i).get());
        ++statuses[status];
        if (status == 200)
            ++admittedBy[i % 2 ? b : a];
    }
    QCOMPARE(statuses.value(200), 10);
    QCOMPARE(statuses.value(429), 20);
    QCOMPARE(statuses.size(), 2);
    QCOMPARE(upstream.requestCount() >= 10, true);
    qInfo("admitted: %d by A, %d by B", admittedBy.value(a), admittedBy.value(b));

    // Either instance reports the shared count.
    QJsonDocument limits;
    QCOMPARE(call("GET", a, u"/admin/users/team/limits"_s, AdminToken, {}, &limits), 200);
    QCOMPARE(limits.object().value("requests_today"_L1).toInt(), 10);
    QCOMPARE(call("GET", b, u"/admin/users/team/limits"_s, AdminToken, {}, &limits), 200);
    QCOMPARE(limits.object().value("requests_today"_L1).toInt(), 10);

    // A token rotated on B stops working on A within seconds; the new one starts working.
    QJsonDocument rotated;
    QCOMPARE(call("PUT", b, u"/admin/users/team/token"_s, AdminToken, {}, &rotated), 200);
    const QByteArray newToken = rotated.object().value("token"_L1).toString().toUtf8();
    QVERIFY(!newToken.isEmpty());
    QVERIFY(newToken != token);
    QCOMPARE(call("GET", b, u"/v1/models"_s, token), 401);
    seen.restart();
    QTRY_COMPARE_WITH_TIMEOUT(call("GET", a, u"/v1/models"_s, token), 401, 5000);
    qInfo("instance A dropped the old token after %lld ms", seen.elapsed());
    QCOMPARE(call("GET", a, u"/v1/models"_s, newToken), 200);
    // Still over the limit with the new token: the counter belongs to the user.
    QCOMPARE(call("POST", a, u"/v1/chat/completions"_s, newToken, chat), 429);
}

QTEST_MAIN(TestMultiInstance)
#include "tst_multiinstance.moc"

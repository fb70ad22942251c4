// Two gateway instances in one process, each with its own database connections, usage writer
// and I/O threads, on one PostgreSQL database: limits hold across them exactly, per-minute
// windows are shared, leases go back, and a locked or lost database never holds up anything but
// the limited requests, which are answered in bounded time; a node API key stored through one
// instance is used by the other (shared, encrypted secrets). Skips without MAESTRO_TEST_PG_URL.

#include "gatewayharness.h"
#include "testdatabase.h"
#include "storage/secretcipher.h"
#include "storage/sharedsecretstore.h"

#include <QNetworkProxy>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

using namespace Maestro;
using namespace Maestro::Test;
using namespace Qt::StringLiterals;

namespace {

constexpr QByteArrayView AdminToken = "shared-admin";
const QString Model = u"llama3.2"_s;

// One gateway instance: what model-maestro builds in main().
class Instance
{
public:
    bool start(const DatabaseConfig &config, const QByteArray &secretKey, QString *error)
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_database = std::make_unique<Database>(config);
        if (!m_database->open(error))
            return false;
        m_store = std::make_unique<SqlStore>(m_database.get());
        m_secrets = std::make_unique<FileSecretStore>(m_dir->filePath(u"secrets.json"_s));
        // As model-maestro on PostgreSQL: node secrets in the database, under the key every
        // instance is given (MAESTRO_SECRET_KEY).
        m_nodeSecrets = SharedSecrets::open(m_database.get(), m_secrets.get(), secretKey, error);
        if (!m_nodeSecrets)
            return false;
        m_usage = std::make_unique<UsageWriter>(m_store.get(), m_database.get());
        m_usage->start();
        GatewayConfig gateway;
        gateway.port = 0;
        gateway.adminToken = AdminToken.toByteArray();
        gateway.healthIntervalMs = 0;
        gateway.configPollMs = 100; // the other instance's changes, quickly
        gateway.ioThreads = 2;
        m_gateway = std::make_unique<GatewayThread>(gateway, m_store.get(), m_nodeSecrets->store.get(), m_usage.get(), &m_clock,
                                                    m_database.get());
        return m_gateway->start(error);
    }
    void stop()
    {
        if (m_gateway)
            m_gateway->stop(2000);
        if (m_usage)
            m_usage->stop();
        m_gateway.reset();
        m_usage.reset();
    }
    ~Instance() { stop(); }

    quint16 port() const { return m_gateway->port(); }
    QString secretFile() const { return m_dir->filePath(u"secrets.json"_s); }
    Limiter::Stats stats() const { return m_gateway->shared()->limiter.stats(); }

private:
    Clock m_clock;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<SqlStore> m_store;
    std::unique_ptr<FileSecretStore> m_secrets;
    std::optional<SharedSecrets::NodeSecrets> m_nodeSecrets;
    std::unique_ptr<UsageWriter> m_usage;
    std::unique_ptr<GatewayThread> m_gateway;
};

struct Outcome
{
    int status = 0;
    QByteArray body;
    qint64 ms = 0; // from the first request sent to this answer
};

} // namespace

class TestSharedLimits final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void dailyLimitIsExactAcrossInstances();
    void minuteWindowsAreSharedAcrossInstances();
    void anUnusedLeaseGoesBackToTheOtherInstance();
    void aStoppingInstanceGivesItsLeaseBack();
    void busyUsersCostFewTransactions();
    void anUnreachableDatabaseHoldsUpOnlyLimitedRequests_data();
    void anUnreachableDatabaseHoldsUpOnlyLimitedRequests();
    void aLostConnectionIsReopenedOffTheIoThreads();
    void aNodeKeyAddedOnOneInstanceServesTheOther();

private:
    // The replies here are read once finished, with no slot of ours on them: QNetworkAccessManager
    // may free a connected functor on its own thread, where ThreadSanitizer cannot see the order.
    Response send(quint16 port, const QByteArray &method, const QString &path, const QByteArray &body,
                  const QByteArray &token)
    {
        QNetworkRequest request(QUrl(u"http://127.0.0.1:%1%2"_s.arg(port).arg(path)));
        request.setRawHeader("Authorization", "Bearer " + token);
        if (!body.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        const std::unique_ptr<QNetworkReply> reply(m_nam.sendCustomRequest(request, method, body));
        if (!QTest::qWaitFor([&] { return reply->isFinished(); }, 15000))
            reply->abort();
        Response response;
        response.finished = reply->isFinished();
        response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        response.body = reply->readAll();
        return response;
    }
    Response admin(const QByteArray &method, const QString &path, const QJsonObject &body = {})
    {
        return send(m_a.port(), method, path, body.isEmpty() ? QByteArray() : toJson(body), AdminToken.toByteArray());
    }
    // A user with every model and these limits, known to both instances when this returns.
    QByteArray createUser(const QString &name, const QJsonObject &limits);
    // Sends every request at once (port, token) and waits for all the answers.
    // `poll` runs as the answers are waited for.
    QList<Outcome> concurrently(const QList<std::pair<quint16, QByteArray>> &requests, int timeoutMs = 20000,
                                const std::function<void()> &poll = {});
    QByteArray chat(bool stream = false) const
    {
        return toJson({{u"model"_s, Model}, {u"stream"_s, stream}, {u"messages"_s, userMessage(u"hi"_s)}});
    }
    // The day's shared row of a user, read on a connection of the test's own.
    Store::CounterRow row(const QString &username);
    bool exec(const QString &sql, QString *error = nullptr);

    TestDatabase m_testDatabase{u"postgresql"_s};
    const QByteArray m_secretKey = SharedSecrets::encodeKey(SecretCipher::generateKey()).toLatin1();
    QString m_connection;
    QNetworkAccessManager m_nam;
    Instance m_a;
    Instance m_b;
    std::unique_ptr<FakeUpstream> m_upstream;
    int m_serial = 0;
};

void TestSharedLimits::initTestCase()
{
    const QString reason = TestDatabase::unavailableReason(u"postgresql"_s);
    if (!reason.isEmpty())
        QSKIP(qPrintable(reason));
    m_nam.setProxy(QNetworkProxy::NoProxy);
    QString error;
    QVERIFY2(m_testDatabase.create(&error), qPrintable(error));
    QVERIFY2(m_a.start(m_testDatabase.config(), m_secretKey, &error), qPrintable(error));
    QVERIFY2(m_b.start(m_testDatabase.config(), m_secretKey, &error), qPrintable(error));

    m_connection = u"shared-limits-test"_s;
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, m_connection);
    const DatabaseConfig &config = m_testDatabase.config();
    db.setHostName(config.host);
    db.setPort(config.port);
    db.setUserName(config.user);
    db.setPassword(config.password);
    db.setDatabaseName(config.database);
    QVERIFY2(db.open(), qPrintable(db.lastError().text()));

    m_upstream = std::make_unique<FakeUpstream>(NodeType::OpenAi);
    m_upstream->setModels({Model});
    m_upstream->setReplyWords(3);
    QVERIFY(m_upstream->listen());
    const Response node = admin("POST", u"/admin/nodes"_s,
                                {{u"name"_s, u"node"_s},
                                 {u"base_url"_s, m_upstream->baseUrl().toString()},
                                 {u"node_type"_s, u"openai"_s}});
    QCOMPARE(node.status, 201);
}

void TestSharedLimits::cleanupTestCase()
{
    m_a.stop();
    m_b.stop();
    if (!m_connection.isEmpty()) {
        QSqlDatabase::database(m_connection, false).close();
        QSqlDatabase::removeDatabase(m_connection);
    }
}

QByteArray TestSharedLimits::createUser(const QString &name, const QJsonObject &limits)
{
    const Response created = admin("POST", u"/admin/users"_s, {{u"username"_s, name}});
    if (created.status != 201)
        return {};
    const QByteArray token = created.json().value("token"_L1).toString().toUtf8();
    if (!limits.isEmpty() && admin("POST", u"/admin/users/%1/limits"_s.arg(name), limits).status != 200)
        return {};
    // The grant comes last: an instance that lists the model for the user has the limits too.
    if (admin("POST", u"/admin/users/%1/models/all"_s.arg(name)).status != 200)
        return {};
    const bool seen = QTest::qWaitFor(
        [&] {
            return send(m_b.port(), "GET", u"/v1/models"_s, {}, token).json().value("data"_L1).toArray().size() == 1;
        },
        10000);
    return seen ? token : QByteArray();
}

QList<Outcome> TestSharedLimits::concurrently(const QList<std::pair<quint16, QByteArray>> &requests, int timeoutMs,
                                              const std::function<void()> &poll)
{
    std::vector<std::unique_ptr<QNetworkAccessManager>> clients;
    std::vector<std::unique_ptr<QNetworkReply>> replies;
    QList<Outcome> outcomes(requests.size());
    QElapsedTimer timer;
    timer.start();
    for (const auto &[port, token] : requests) {
        clients.push_back(std::make_unique<QNetworkAccessManager>());
        clients.back()->setProxy(QNetworkProxy::NoProxy);
        QNetworkRequest request(QUrl(u"http://127.0.0.1:%1/v1/chat/completions"_s.arg(port)));
        request.setRawHeader("Authorization", "Bearer " + token);
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        replies.emplace_back(clients.back()->post(request, chat()));
    }
    // Polled rather than connected to (see send()): each answer's time is known within a few ms.
    const bool all = QTest::qWaitFor(
        [&] {
            if (poll)
                poll();
            bool done = true;
            for (size_t i = 0; i < replies.size(); ++i) {
                if (!replies.at(i)->isFinished())
                    done = false;
                else if (outcomes.at(qsizetype(i)).ms == 0)
                    outcomes[qsizetype(i)].ms = std::max<qint64>(1, timer.elapsed());
            }
            return done;
        },
        timeoutMs);
    if (!all)
        qWarning("not every request was answered within %d ms", timeoutMs);
    for (size_t i = 0; i < replies.size(); ++i) {
        outcomes[qsizetype(i)].status = replies.at(i)->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        outcomes[qsizetype(i)].body = replies.at(i)->readAll();
    }
    return outcomes;
}

Store::CounterRow TestSharedLimits::row(const QString &username)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    query.exec(u"SELECT c.requests, c.tokens, c.leased, c.lease_until FROM usage_counters c JOIN users u ON u.id = c.user_id "
               "WHERE u.username = '%1' AND c.day = '%2'"_s.arg(username, QDateTime::currentDateTimeUtc().date().toString(Qt::ISODate)));
    if (!query.next())
        return {};
    return {query.value(0).toLongLong(), query.value(1).toLongLong(), query.value(2).toLongLong(), query.value(3).toLongLong()};
}

bool TestSharedLimits::exec(const QString &sql, QString *error)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    const bool ok = query.exec(sql);
    if (!ok && error)
        *error = query.lastError().text();
    return ok;
}

namespace {

QHash<int, int> statusCounts(const QList<Outcome> &outcomes)
{
    QHash<int, int> counts;
    for (const Outcome &outcome : outcomes)
        ++counts[outcome.status];
    return counts;
}

} // namespace

void TestSharedLimits::dailyLimitIsExactAcrossInstances()
{
    const QString name = u"daily%1"_s.arg(++m_serial);
    const QByteArray token = createUser(name, {{u"request_limit"_s, 10}});
    QVERIFY(!token.isEmpty());
    const Limiter::Stats before = m_a.stats();
    const Limiter::Stats beforeB = m_b.stats();

    // 40 at once, alternating between the instances: exactly 10 pass.
    QList<std::pair<quint16, QByteArray>> requests;
    for (int i = 0; i < 40; ++i)
        requests.append({i % 2 ? m_b.port() : m_a.port(), token});
    const QList<Outcome> outcomes = concurrently(requests);
    const QHash<int, int> counts = statusCounts(outcomes);
    QCOMPARE(counts.value(200), 10);
    QCOMPARE(counts.value(429), 30);
    QCOMPARE(counts.size(), 2);
    for (const Outcome &outcome : outcomes) {
        if (outcome.status == 429)
            QCOMPARE(QJsonDocument::fromJson(outcome.body).object().value("error"_L1).toObject().value("message"_L1).toString(),
                     u"Daily request limit reached (10 requests per UTC day); it resets at 00:00 UTC"_s);
    }
    QCOMPARE(row(name).requests, qint64(10));
    QCOMPARE(row(name).leased, qint64(0));
    // Either instance reports the shared count.
    QCOMPARE(send(m_a.port(), "GET", u"/admin/users/%1/limits"_s.arg(name), {}, AdminToken.toByteArray()).json().value("requests_today"_L1).toInt(), 10);
    QCOMPARE(send(m_b.port(), "GET", u"/admin/users/%1/limits"_s.arg(name), {}, AdminToken.toByteArray()).json().value("requests_today"_L1).toInt(), 10);

    const Limiter::Stats a = m_a.stats();
    const Limiter::Stats b = m_b.stats();
    qInfo("40 requests at once: %lld parked, %lld from leases, %lld transactions", a.parked - before.parked + b.parked - beforeB.parked,
          a.leaseAdmitted - before.leaseAdmitted + b.leaseAdmitted - beforeB.leaseAdmitted,
          a.batches - before.batches + b.batches - beforeB.batches);
}

void TestSharedLimits::minuteWindowsAreSharedAcrossInstances()
{
    const QString name = u"minute%1"_s.arg(++m_serial);
    const QByteArray token = createUser(name, {{u"requests_per_minute"_s, 6}});
    QVERIFY(!token.isEmpty());
    QList<std::pair<quint16, QByteArray>> requests;
    for (int i = 0; i < 20; ++i)
        requests.append({i % 2 ? m_b.port() : m_a.port(), token});
    QList<Outcome> outcomes = concurrently(requests);
    QCOMPARE(statusCounts(outcomes).value(200), 6);
    QCOMPARE(statusCounts(outcomes).value(429), 14);
    for (const Outcome &outcome : outcomes) {
        if (outcome.status != 429)
            continue;
        const QString message = QJsonDocument::fromJson(outcome.body).object().value("error"_L1).toObject().value("message"_L1).toString();
        QVERIFY2(message.startsWith(u"Request limit reached: 6 requests per minute for user %1; retry in "_s.arg(name)), qPrintable(message));
    }
    for (quint16 port : {m_a.port(), m_b.port()}) {
        const QJsonObject limits = send(port, "GET", u"/admin/users/%1/limits"_s.arg(name), {}, AdminToken.toByteArray()).json();
        QCOMPARE(limits.value("requests_last_minute"_L1).toInt(), 6);
    }

    // A model's window counts every user on every instance.
    const QString other = u"minute%1"_s.arg(++m_serial);
    const QByteArray otherToken = createUser(other, {});
    QVERIFY(!otherToken.isEmpty());
    const QString pattern = u"llama*"_s;
    QCOMPARE(admin("POST", u"/admin/model-configs"_s, {{u"model_pattern"_s, pattern}, {u"requests_per_minute"_s, 5}}).status, 201);
    // B has the configuration once it refuses the sixth request of a burst; wait for its reload.
    QTest::qWait(500);
    const QString third = u"minute%1"_s.arg(++m_serial);
    const QByteArray thirdToken = createUser(third, {});
    QVERIFY(!thirdToken.isEmpty());
    requests.clear();
    for (int i = 0; i < 20; ++i)
        requests.append({i % 2 ? m_b.port() : m_a.port(), i % 4 < 2 ? otherToken : thirdToken});
    outcomes = concurrently(requests);
    QCOMPARE(statusCounts(outcomes).value(200), 5);
    QCOMPARE(statusCounts(outcomes).value(429), 15);
    QCOMPARE(admin("DELETE", u"/admin/model-configs/%1"_s.arg(pattern)).status, 204);
}

void TestSharedLimits::anUnusedLeaseGoesBackToTheOtherInstance()
{
    constexpr int Limit = 40;
    const QString name = u"lease%1"_s.arg(++m_serial);
    const QByteArray token = createUser(name, {{u"request_limit"_s, Limit}});
    QVERIFY(!token.isEmpty());
    // Requests one after the other on A until A holds a lease it does not use up.
    int sent = 0;
    while (row(name).leased == 0 && sent < 30) {
        QCOMPARE(send(m_a.port(), "POST", u"/v1/chat/completions"_s, chat(), token).status, 200);
        ++sent;
    }
    const Store::CounterRow leased = row(name);
    QVERIFY2(leased.leased > 0, "instance A holds a lease");
    QVERIFY(m_a.stats().leaseAdmitted > 0 || sent > 1);

    // B asks for all the rest at once: it gets exactly what A did not use, once A gave its lease
    // back (within the lease's lifetime), and not one more.
    const int rest = Limit - sent;
    QList<std::pair<quint16, QByteArray>> requests(rest + 4, {m_b.port(), token});
    const QList<Outcome> outcomes = concurrently(requests);
    qint64 slowest = 0;
    for (const Outcome &outcome : outcomes)
        slowest = std::max(slowest, outcome.ms);
    qInfo("A used %d requests and held %lld more; B's %d answers took up to %lld ms", sent, leased.leased,
          int(outcomes.size()), slowest);
    QCOMPARE(statusCounts(outcomes).value(200), rest);
    QCOMPARE(statusCounts(outcomes).value(429), 4);
    QVERIFY(slowest < Limiter::LeaseTtlMs + 2000);
    QCOMPARE(row(name).requests, qint64(Limit));
    QCOMPARE(row(name).leased, qint64(0));
}

void TestSharedLimits::aStoppingInstanceGivesItsLeaseBack()
{
    Instance c;
    QString error;
    QVERIFY2(c.start(m_testDatabase.config(), m_secretKey, &error), qPrintable(error));
    const QString name = u"stopping%1"_s.arg(++m_serial);
    const QByteArray token = createUser(name, {{u"request_limit"_s, 1000}});
    QVERIFY(!token.isEmpty());
    // C has the grant too (it polls for changes like the others).
    QTRY_COMPARE_WITH_TIMEOUT(send(c.port(), "GET", u"/v1/models"_s, {}, token).json().value("data"_L1).toArray().size(), 1, 5000);
    int sent = 0;
    while (row(name).leased == 0 && sent < 30) {
        QCOMPARE(send(c.port(), "POST", u"/v1/chat/completions"_s, chat(), token).status, 200);
        ++sent;
    }
    QVERIFY(row(name).leased > 0);
    c.stop();
    QCOMPARE(row(name).leased, qint64(0));
    QCOMPARE(row(name).requests, qint64(sent));
}

void TestSharedLimits::busyUsersCostFewTransactions()
{
    // Requests one after the other, as an agent sends them: what a limit costs per request.
    const QByteArray free = createUser(u"busyfree%1"_s.arg(++m_serial), {});
    const QByteArray daily = createUser(u"busydaily%1"_s.arg(++m_serial), {{u"request_limit"_s, 100000}});
    const QByteArray tokens = createUser(u"busytokens%1"_s.arg(++m_serial), {{u"token_limit"_s, 100000000}});
    QVERIFY(!free.isEmpty() && !daily.isEmpty() && !tokens.isEmpty());
    constexpr int Requests = 100;
    const auto measure = [&](const QByteArray &token, Limiter::Stats *used) {
        const Limiter::Stats before = m_a.stats();
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < Requests; ++i) {
            if (send(m_a.port(), "POST", u"/v1/chat/completions"_s, chat(), token).status != 200)
                return -1.0;
        }
        const double ms = double(timer.nsecsElapsed()) / 1e6 / Requests;
        const Limiter::Stats after = m_a.stats();
        *used = {after.parked - before.parked, after.leaseAdmitted - before.leaseAdmitted,
                 after.batches - before.batches, after.failedBatches - before.failedBatches, 0,
                 after.parkedMs - before.parkedMs};
        return ms;
    };
    Limiter::Stats none, leased, parked;
    const double freeMs = measure(free, &none);
    const double dailyMs = measure(daily, &leased);
    const double tokensMs = measure(tokens, &parked);
    QVERIFY(freeMs > 0 && dailyMs > 0 && tokensMs > 0);
    qInfo("%d requests in a row: no limit %.2f ms each (%lld transactions); daily request limit %.2f ms each "
          "(%lld parked, %lld from leases, %lld transactions); daily token limit %.2f ms each (%lld parked "
          "%.2f ms on average, %lld transactions)",
          Requests, freeMs, none.batches, dailyMs, leased.parked, leased.leaseAdmitted, leased.batches, tokensMs,
          parked.parked, double(parked.parkedMs) / double(std::max<qint64>(1, parked.parked)), parked.batches);
    QCOMPARE(none.parked, qint64(0));
    QVERIFY2(leased.leaseAdmitted > Requests / 2, "most requests of a busy user come from leases");
    QCOMPARE(parked.parked, qint64(Requests)); // a token limit is checked against the shared row every time
}

void TestSharedLimits::anUnreachableDatabaseHoldsUpOnlyLimitedRequests_data()
{
    QTest::addColumn<bool>("down");
    QTest::newRow("locked: another connection holds the counters' table") << false;
    QTest::newRow("down: the database refuses every connection") << true;
}

void TestSharedLimits::anUnreachableDatabaseHoldsUpOnlyLimitedRequests()
{
    QFETCH(bool, down);
    const QString limitedName = u"locked%1"_s.arg(++m_serial);
    const QByteArray limited = createUser(limitedName, {{u"request_limit"_s, 1000}});
    const QString freeName = u"free%1"_s.arg(++m_serial);
    const QByteArray free = createUser(freeName, {});
    QVERIFY(!limited.isEmpty() && !free.isEmpty());
    // A stream of an unlimited user, running on A while the database is away.
    m_upstream->setReplyWords(30);
    m_upstream->setChunkDelay(100);
    QNetworkRequest streamRequest(QUrl(u"http://127.0.0.1:%1/v1/chat/completions"_s.arg(m_a.port())));
    streamRequest.setRawHeader("Authorization", "Bearer " + free);
    streamRequest.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    std::unique_ptr<QNetworkReply> stream(m_nam.post(streamRequest, chat(true)));
    QElapsedTimer streamTimer;
    streamTimer.start();
    QList<qint64> pieces;
    QByteArray streamed;
    // Polled (see send()): when each piece arrived, within 10 ms.
    const auto readStream = [&] {
        if (stream->bytesAvailable() > 0) {
            streamed += stream->readAll();
            pieces.append(streamTimer.elapsed());
        }
        return stream->isFinished();
    };
    QTRY_VERIFY_WITH_TIMEOUT((readStream(), !pieces.isEmpty()), 5000);

    QString error;
    const QString database = m_testDatabase.config().database;
    // Run from the server's maintenance database: a database cannot turn its own connections off.
    const auto server = DatabaseConfig::fromUrl(qEnvironmentVariable("MAESTRO_TEST_PG_URL"), &error);
    QVERIFY2(server, qPrintable(error));
    const auto onServer = [&](const QString &sql) {
        const QString name = u"shared-limits-server"_s;
        bool ok = false;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
            db.setHostName(server->host);
            db.setPort(server->port);
            db.setUserName(server->user);
            db.setPassword(server->password);
            db.setDatabaseName(server->database);
            ok = db.open() && QSqlQuery(db).exec(sql);
            if (!ok)
                error = db.lastError().text();
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        return ok;
    };
    bool away = true;
    const auto restore = qScopeGuard([&] {
        if (away && down)
            onServer(u"ALTER DATABASE \"%1\" ALLOW_CONNECTIONS true"_s.arg(database));
        else if (away)
            exec(u"ROLLBACK"_s);
    });
    if (down) {
        // No new connection is accepted, and those the instances hold are gone.
        QVERIFY2(onServer(u"ALTER DATABASE \"%1\" ALLOW_CONNECTIONS false"_s.arg(database)), qPrintable(error));
        QVERIFY2(exec(u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                      "AND pid <> pg_backend_pid()"_s,
                      &error),
                 qPrintable(error));
    } else {
        // Another connection takes the counters' table and keeps it.
        QVERIFY2(exec(u"BEGIN"_s, &error), qPrintable(error));
        QVERIFY2(exec(u"LOCK TABLE usage_counters IN ACCESS EXCLUSIVE MODE"_s, &error), qPrintable(error));
    }
    const qint64 lockedAt = streamTimer.elapsed();

    m_upstream->setChunkDelay(0);
    m_upstream->setReplyWords(3);
    QList<std::pair<quint16, QByteArray>> requests;
    for (int i = 0; i < 8; ++i)
        requests.append({i % 2 ? m_b.port() : m_a.port(), i < 4 ? limited : free});
    const QList<Outcome> outcomes = concurrently(requests, 20000, [&] { readStream(); });
    for (int i = 0; i < 8; ++i) {
        const Outcome &outcome = outcomes.at(i);
        if (i >= 4) {
            // Unlimited users go through as if nothing happened.
            QCOMPARE(outcome.status, 200);
            QVERIFY2(outcome.ms < 1000, qPrintable(QString::number(outcome.ms)));
            continue;
        }
        // Limited ones get a clear 503 in their dialect, in bounded time.
        QCOMPARE(outcome.status, 503);
        QVERIFY2(outcome.ms >= Limiter::ParkTimeoutMs - 100 && outcome.ms < Limiter::ParkTimeoutMs + 1500,
                 qPrintable(QString::number(outcome.ms)));
        const QJsonObject error = QJsonDocument::fromJson(outcome.body).object().value("error"_L1).toObject();
        QVERIFY2(error.value("message"_L1).toString().contains(u"could not be checked in time"_s), outcome.body.constData());
    }
    qInfo("database away: unlimited answered in %lld ms, limited in %lld ms", outcomes.last().ms, outcomes.first().ms);

    // The stream went on at its pace the whole time.
    QVERIFY(QTest::qWaitFor(readStream, 10000));
    readStream();
    QCOMPARE(stream->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QVERIFY(streamed.contains("[DONE]"));
    qint64 longestGap = 0;
    for (qsizetype i = 1; i < pieces.size(); ++i) {
        if (pieces.at(i) > lockedAt)
            longestGap = std::max(longestGap, pieces.at(i) - pieces.at(i - 1));
    }
    qInfo("stream: %d pieces, longest gap while the database was away %lld ms", int(pieces.size()), longestGap);
    QVERIFY2(longestGap < 600, qPrintable(QString::number(longestGap)));

    // Back: limited requests are decided again, and nothing was counted for the 503s.
    away = false;
    if (down)
        QVERIFY2(onServer(u"ALTER DATABASE \"%1\" ALLOW_CONNECTIONS true"_s.arg(database)), qPrintable(error));
    else
        QVERIFY2(exec(u"ROLLBACK"_s, &error), qPrintable(error));
    QCOMPARE(send(m_a.port(), "POST", u"/v1/chat/completions"_s, chat(), limited).status, 200);
    QCOMPARE(send(m_b.port(), "POST", u"/v1/chat/completions"_s, chat(), limited).status, 200);
    // A decision the database took as a request timed out is given back by the next transaction.
    QTRY_COMPARE_WITH_TIMEOUT(row(limitedName).requests - row(limitedName).leased, qint64(2), 5000);
}

void TestSharedLimits::aLostConnectionIsReopenedOffTheIoThreads()
{
    const QString name = u"reconnect%1"_s.arg(++m_serial);
    const QByteArray token = createUser(name, {{u"request_limit"_s, 5}});
    QVERIFY(!token.isEmpty());
    QCOMPARE(send(m_a.port(), "POST", u"/v1/chat/completions"_s, chat(), token).status, 200);
    // Every connection of both instances goes (a restarted server, a proxy that dropped them).
    QString error;
    QVERIFY2(exec(u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                  "AND pid <> pg_backend_pid()"_s,
                  &error),
             qPrintable(error));
    QList<std::pair<quint16, QByteArray>> requests;
    for (int i = 0; i < 8; ++i)
        requests.append({i % 2 ? m_b.port() : m_a.port(), token});
    const QList<Outcome> outcomes = concurrently(requests);
    QCOMPARE(statusCounts(outcomes).value(200), 4);
    QCOMPARE(statusCounts(outcomes).value(429), 4);
}

void TestSharedLimits::aNodeKeyAddedOnOneInstanceServesTheOther()
{
    // A node that takes only its API key, added through instance A...
    const QString keyedModel = u"keyed-model"_s;
    const QString apiKey = u"sk-shared-9d2f61c0"_s;
    FakeUpstream keyed(NodeType::OpenAi);
    keyed.setModels({keyedModel});
    keyed.setApiKey(apiKey);
    keyed.setReplyText(u"served with the shared key"_s);
    QVERIFY(keyed.listen());
    const Response node = admin("POST", u"/admin/nodes"_s,
                                {{u"name"_s, u"keyed"_s},
                                 {u"base_url"_s, keyed.baseUrl().toString()},
                                 {u"node_type"_s, u"openai"_s},
                                 {u"api_key"_s, apiKey}});
    QCOMPARE(node.status, 201);
    QVERIFY(!node.body.contains(apiKey.toUtf8()));
    const Response user = admin("POST", u"/admin/users"_s, {{u"username"_s, u"keyed-user"_s}});
    QCOMPARE(user.status, 201);
    const QByteArray token = user.json().value("token"_L1).toString().toUtf8();
    QCOMPARE(admin("POST", u"/admin/users/keyed-user/models/all"_s).status, 200);

    // ... is called by instance B, which never saw the key: it reads it from the database.
    const QByteArray body = toJson({{u"model"_s, keyedModel}, {u"messages"_s, userMessage(u"hi"_s)}});
    Response answer;
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     answer = send(m_b.port(), "POST", u"/v1/chat/completions"_s, body, token);
                     return answer.status == 200;
                 },
                 15000),
             answer.body.constData());
    QVERIFY(answer.body.contains("served with the shared key"));

    // The key is in the database only encrypted, and in neither instance's own secret store.
    QSqlQuery query(QSqlDatabase::database(m_connection));
    QVERIFY(query.exec(u"SELECT name, key_id, sealed FROM shared_secrets"_s));
    bool found = false;
    while (query.next()) {
        found = found || query.value(0).toString().endsWith(u"/api_key"_s);
        QCOMPARE(query.value(1).toString().toLatin1(),
                 SecretCipher::keyId(*SharedSecrets::decodeKey(QString::fromLatin1(m_secretKey))));
        QVERIFY(!query.value(2).toString().contains(apiKey));
        QVERIFY(!QByteArray::fromBase64(query.value(2).toString().toLatin1()).contains(apiKey.toUtf8()));
    }
    QVERIFY(found);
    for (const Instance *instance : {&m_a, &m_b}) {
        QFile file(instance->secretFile());
        if (file.open(QIODevice::ReadOnly))
            QVERIFY(!file.readAll().contains(apiKey.toUtf8()));
    }
}

QTEST_MAIN(TestSharedLimits)
#include "tst_sharedlimits.moc"

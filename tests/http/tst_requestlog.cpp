// The request log over real sockets, on SQLite and PostgreSQL: every request refused before it
// reached a node is logged once under its known user with its status and reason, a request with
// an unknown token is not logged at all, and GET /admin/request-logs filters by status, time,
// endpoint, client dialect and model substring (400 naming a malformed parameter).

#include "fakeupstream.h"
#include "gatewaystack.h"
#include "testdatabase.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QUrlQuery>

#include <map>
#include <memory>

using namespace Maestro;
using namespace Maestro::Test;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 MaxBodyBytes = 4096;

QByteArray chatBody(const QString &model, int padding = 0)
{
    return QJsonDocument(QJsonObject{{u"model"_s, model},
                                     {u"stream"_s, false},
                                     {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s},
                                                                            {u"content"_s, QString(padding + 2, u'x')}}}}})
        .toJson(QJsonDocument::Compact);
}

} // namespace

class TestRequestLog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanupTestCase();

    void refusalIsLoggedOnce_data();
    void refusalIsLoggedOnce();
    void unknownTokenLogsNothing();
    void filters_data();
    void filters();
    void invalidFilterIs400_data();
    void invalidFilterIs400();

private:
    struct Fixture
    {
        GatewayStack stack;
        std::unique_ptr<FakeUpstream> ollama;
        std::unique_ptr<FakeUpstream> lonely; // a node of its own, switched off by one test
        qint64 lonelyId = 0;
    };

    Fixture &f() { return *m_fixtures.at(m_backend); }
    Response admin(const QByteArray &method, const QString &path, const QJsonObject &body = {})
    {
        return f().stack.admin(method, path, body);
    }
    QByteArray createUser(const QString &name, const QJsonArray &models);
    qint64 addNode(const QString &name, FakeUpstream *upstream);
    QJsonObject logs(const QString &query);

    std::map<QString, std::unique_ptr<Fixture>> m_fixtures;
    QString m_backend;
    int m_serial = 0;
};

void TestRequestLog::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

qint64 TestRequestLog::addNode(const QString &name, FakeUpstream *upstream)
{
    const Response response = admin("POST", u"/admin/nodes"_s,
                                    {{u"name"_s, name},
                                     {u"base_url"_s, upstream->baseUrl().toString()},
                                     {u"node_type"_s, u"ollama"_s}});
    return response.status == 201 ? qint64(response.json().value("id"_L1).toDouble()) : 0;
}

QByteArray TestRequestLog::createUser(const QString &name, const QJsonArray &models)
{
    const Response created = admin("POST", u"/admin/users"_s, {{u"username"_s, name}});
    if (created.status != 201)
        return {};
    if (admin("POST", u"/admin/users/%1/models"_s.arg(name), {{u"models"_s, models}}).status != 200)
        return {};
    return created.json().value("token"_L1).toString().toUtf8();
}

QJsonObject TestRequestLog::logs(const QString &query)
{
    return admin("GET", u"/admin/request-logs?"_s + query).json();
}

void TestRequestLog::init()
{
    QFETCH_GLOBAL(QString, backend);
    if (const QString reason = TestDatabase::unavailableReason(backend); !reason.isEmpty())
        QSKIP(qPrintable(reason));
    m_backend = backend;
    if (m_fixtures.count(backend))
        return;
    auto fixture = std::make_unique<Fixture>();
    StackOptions options;
    options.backend = backend;
    options.settings.insert(u"max_body_bytes"_s, QString::number(MaxBodyBytes));
    QString error;
    QVERIFY2(fixture->stack.start(options, &error), qPrintable(error));
    fixture->ollama = std::make_unique<FakeUpstream>(NodeType::Ollama);
    fixture->ollama->setModels({u"llama3:8b"_s, u"qwen2:7b"_s, u"busy:1b"_s});
    QVERIFY(fixture->ollama->listen());
    fixture->lonely = std::make_unique<FakeUpstream>(NodeType::Ollama);
    fixture->lonely->setModels({u"lonely:1b"_s});
    QVERIFY(fixture->lonely->listen());
    m_fixtures.emplace(backend, std::move(fixture));
    QVERIFY(addNode(u"ollama-1"_s, f().ollama.get()) > 0);
    f().lonelyId = addNode(u"lonely"_s, f().lonely.get());
    QVERIFY(f().lonelyId > 0);
    QCOMPARE(admin("POST", u"/admin/model-configs"_s,
                   {{u"model_pattern"_s, u"busy:1b"_s}, {u"maintenance"_s, true},
                    {u"maintenance_message"_s, u"back soon"_s}})
                 .status,
             201);
}

void TestRequestLog::cleanupTestCase()
{
    m_fixtures.clear();
}

void TestRequestLog::refusalIsLoggedOnce_data()
{
    QTest::addColumn<QString>("situation");
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("reason");

    QTest::newRow("401: a rotated token is logged under its user")
        << u"rotated"_s << u"llama3:8b"_s << 401 << u"token_revoked"_s;
    QTest::newRow("401: the token of a deleted user is logged under that user")
        << u"deleted"_s << u"llama3:8b"_s << 401 << u"user_deleted"_s;
    QTest::newRow("403: a model the user may not use") << u"plain"_s << u"qwen2:7b"_s << 403 << u"model_not_allowed"_s;
    QTest::newRow("404: a model nobody serves") << u"plain"_s << u"nosuch:1b"_s << 404 << u"unknown_model"_s;
    QTest::newRow("413: a body over max_body_bytes") << u"large"_s << u"llama3:8b"_s << 413 << u"body_too_large"_s;
    QTest::newRow("429: the daily request limit, named")
        << u"daily"_s << u"llama3:8b"_s << 429 << u"limit:daily_requests"_s;
    QTest::newRow("429: the per-minute request limit, named")
        << u"minute"_s << u"llama3:8b"_s << 429 << u"limit:user_requests_per_minute"_s;
    QTest::newRow("503: the model is under maintenance") << u"plain"_s << u"busy:1b"_s << 503 << u"maintenance"_s;
    QTest::newRow("503: no healthy node serves the model")
        << u"lonely"_s << u"lonely:1b"_s << 503 << u"no_healthy_node"_s;
}

void TestRequestLog::refusalIsLoggedOnce()
{
    QFETCH(QString, situation);
    QFETCH(QString, model);
    QFETCH(int, status);
    QFETCH(QString, reason);

    const QString user = u"refused-%1"_s.arg(++m_serial);
    QByteArray token = createUser(user, {u"llama3:8b"_s, u"busy:1b"_s, u"lonely:1b"_s});
    QVERIFY(!token.isEmpty());
    int before = 0; // requests of the user served before the refusal
    if (situation == u"rotated"_s) {
        QCOMPARE(admin("PUT", u"/admin/users/%1/token"_s.arg(user)).status, 200);
    } else if (situation == u"deleted"_s) {
        QCOMPARE(admin("DELETE", u"/admin/users/%1"_s.arg(user)).status, 204);
    } else if (situation == u"daily"_s || situation == u"minute"_s) {
        const QString field = situation == u"daily"_s ? u"request_limit"_s : u"requests_per_minute"_s;
        QCOMPARE(admin("POST", u"/admin/users/%1/limits"_s.arg(user), {{field, 1}}).status, 200);
        QCOMPARE(f().stack.send("POST", u"/api/chat"_s, chatBody(model), token).status, 200);
        before = 1;
    } else if (situation == u"lonely"_s) {
        QCOMPARE(admin("PATCH", u"/admin/nodes/%1/toggle"_s.arg(f().lonelyId)).status, 200);
    }

    const QByteArray body = chatBody(model, situation == u"large"_s ? int(MaxBodyBytes) : 0);
    const Response refused = f().stack.send("POST", u"/v1/chat/completions"_s, body, token);
    if (situation == u"lonely"_s)
        QCOMPARE(admin("PATCH", u"/admin/nodes/%1/toggle"_s.arg(f().lonelyId)).status, 200);
    QCOMPARE(refused.status, status);
    // The client's own error body, in its dialect, is unchanged by the logging.
    QVERIFY2(refused.json().value("error"_L1).isObject(), refused.body.constData());

    const QString query = u"username=%1&status=%2"_s.arg(user).arg(status);
    QVERIFY(QTest::qWaitFor([&] { return logs(query).value("total"_L1).toInt() >= 1; }, 5000));
    // Nothing more comes: exactly one entry, and the user's log holds nothing else.
    QTest::qWait(150);
    const QJsonObject page = logs(u"username=%1"_s.arg(user));
    QCOMPARE(page.value("total"_L1).toInt(), before + 1);
    const QJsonObject entry = page.value("logs"_L1).toArray().first().toObject();
    QCOMPARE(entry.value("status_code"_L1).toInt(), status);
    QCOMPARE(entry.value("reason"_L1).toString(), reason);
    QCOMPARE(entry.value("username"_L1).toString(), user);
    QCOMPARE(entry.value("endpoint"_L1).toString(), u"/v1/chat/completions"_s);
    QCOMPARE(entry.value("dialect"_L1).toString(), u"openai"_s);
    QCOMPARE(entry.value("total_tokens"_L1).toInt(-1), 0);
    QVERIFY(entry.value("duration_ms"_L1).toDouble(-1) >= 0);
    QVERIFY(!entry.value("created_at"_L1).toString().isEmpty());
    QVERIFY(entry.value("node_id"_L1).isNull());
    // The model is known once the body was read (a 401 or 413 refuses before that).
    if (status != 401 && status != 413)
        QCOMPARE(entry.value("model_name"_L1).toString(), model);
    // No secret: neither the token nor the body is in the entry.
    const QByteArray text = QJsonDocument(entry).toJson();
    QVERIFY(!text.contains(token));
    QVERIFY(!text.contains("xxxxxxxx"));
}

void TestRequestLog::unknownTokenLogsNothing()
{
    const int total = logs(QString()).value("total"_L1).toInt();
    const QByteArray unknown = "mm-never-issued-0123456789";
    QCOMPARE(f().stack.send("POST", u"/api/chat"_s, chatBody(u"llama3:8b"_s), unknown).status, 401);
    QCOMPARE(f().stack.send("GET", u"/v1/models"_s, {}, unknown).status, 401);
    QCOMPARE(f().stack.send("POST", u"/v1/messages"_s, chatBody(u"llama3:8b"_s), {}).status, 401);
    QCOMPARE(f().stack.send("POST", u"/api/chat"_s, chatBody(u"llama3:8b"_s, int(MaxBodyBytes)), unknown).status, 413);
    // A request that is logged comes after them: once it is there, they would be too.
    const QString user = u"witness-%1"_s.arg(++m_serial);
    const QByteArray token = createUser(user, {u"llama3:8b"_s});
    QCOMPARE(f().stack.send("POST", u"/api/chat"_s, chatBody(u"nosuch:1b"_s), token).status, 404);
    QVERIFY(QTest::qWaitFor([&] { return logs(QString()).value("total"_L1).toInt() > total; }, 5000));
    QTest::qWait(150);
    QCOMPARE(logs(QString()).value("total"_L1).toInt(), total + 1);
}

void TestRequestLog::filters_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("total");

    QTest::newRow("no filter: all six") << QString() << 6;
    QTest::newRow("an exact status") << u"status=429"_s << 2;
    QTest::newRow("status_code is the same filter") << u"status_code=429"_s << 2;
    QTest::newRow("a class of statuses") << u"status=4xx"_s << 4;
    QTest::newRow("a list of statuses and classes") << u"status=200,5XX"_s << 2;
    QTest::newRow("from a date-time, inclusive") << u"from=2024-05-01T12:00:03Z"_s << 3;
    QTest::newRow("to a date-time, exclusive") << u"to=2024-05-01T12:00:03Z"_s << 3;
    QTest::newRow("to a plain date includes that day") << u"to=2024-05-01"_s << 5;
    QTest::newRow("from a plain date") << u"from=2024-05-02"_s << 1;
    QTest::newRow("the seed's start_date and end_date") << u"start_date=2024-05-01&end_date=2024-05-01"_s << 5;
    QTest::newRow("an endpoint") << u"endpoint=/v1/messages"_s << 2;
    QTest::newRow("a client dialect") << u"dialect=anthropic"_s << 2;
    QTest::newRow("a model substring in any case") << u"model_contains=LLAMA"_s << 2;
    QTest::newRow("a % in the substring is literal") << u"model_contains=100%25"_s << 1;
    QTest::newRow("an _ in the substring is literal") << u"model_contains=a_b"_s << 1;
    QTest::newRow("the exact model filter still works") << u"model=llama3:8b"_s << 1;
    QTest::newRow("filters combine, with paging") << u"status=4xx&dialect=openai&limit=1"_s << 2;
}

void TestRequestLog::filters()
{
    QFETCH(QString, query);
    QFETCH(int, total);

    // Entries of a user of their own, written as the usage writer writes them.
    const QString user = u"filtered-%1"_s.arg(++m_serial);
    const QDateTime at(QDate(2024, 5, 1), QTime(12, 0), Qt::UTC);
    struct Row
    {
        const char *model;
        int status;
        const char *endpoint;
        const char *dialect;
        int secondsAfter;
    };
    const Row rows[] = {
        {"llama3:8b", 200, "/api/chat", "ollama", 0},
        {"Llama3:8B-instruct", 429, "/v1/chat/completions", "openai", 1},
        {"100% model", 403, "/v1/chat/completions", "openai", 2},
        {"a_b", 429, "/v1/messages", "anthropic", 3},
        {"axb", 404, "/v1/messages", "anthropic", 4},
        {"qwen2:7b", 503, "/api/generate", "ollama", 86400},
    };
    QList<RequestLogEntry> entries;
    for (const Row &row : rows) {
        RequestLogEntry e;
        e.userId = 1;
        e.username = user;
        e.model = QString::fromUtf8(row.model);
        e.statusCode = row.status;
        e.endpoint = QString::fromUtf8(row.endpoint);
        e.dialect = QString::fromUtf8(row.dialect);
        if (row.status >= 400)
            e.reason = u"test"_s;
        e.createdAt = at.addSecs(row.secondsAfter);
        entries.append(e);
    }
    QVERIFY(f().stack.store()->insertRequestLogs(entries));

    const QJsonObject page = logs(u"username=%1&"_s.arg(user) + query);
    QCOMPARE(page.value("total"_L1).toInt(), total);
    const QUrlQuery parsed(query);
    const int limit = parsed.hasQueryItem(u"limit"_s) ? parsed.queryItemValue(u"limit"_s).toInt() : 100;
    QCOMPARE(page.value("logs"_L1).toArray().size(), std::min(total, limit));
    // The seed's dashboard path filters the same way.
    const QJsonObject seed = admin("GET", u"/admin/dashboard/requests-log?username=%1&"_s.arg(user) + query).json();
    QCOMPARE(seed.value("total"_L1).toInt(), total);
}

void TestRequestLog::invalidFilterIs400_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("parameter");

    QTest::newRow("a status that is not a number") << u"status=abc"_s << u"status"_s;
    QTest::newRow("a status out of range") << u"status=600"_s << u"status"_s;
    QTest::newRow("a class that is not one") << u"status=4x"_s << u"status"_s;
    QTest::newRow("a bad entry in a list") << u"status=404,,5xx"_s << u"status"_s;
    QTest::newRow("status_code is named as sent") << u"status_code=nope"_s << u"status_code"_s;
    QTest::newRow("a from that is no date") << u"from=yesterday"_s << u"from"_s;
    QTest::newRow("a to with a month 13") << u"to=2024-13-01"_s << u"to"_s;
    QTest::newRow("the seed's start_date, named") << u"start_date=01/05/2024"_s << u"start_date"_s;
    QTest::newRow("an unknown dialect") << u"dialect=cobol"_s << u"dialect"_s;
    QTest::newRow("an endpoint that is no path") << u"endpoint=chat"_s << u"endpoint"_s;
    QTest::newRow("an over-long model substring") << u"model_contains="_s + QString(201, u'm') << u"model_contains"_s;
}

void TestRequestLog::invalidFilterIs400()
{
    QFETCH(QString, query);
    QFETCH(QString, parameter);

    const Response response = admin("GET", u"/admin/request-logs?"_s + query);
    QCOMPARE(response.status, 400);
    const QString detail = response.json().value("detail"_L1).toString();
    QVERIFY2(detail.contains(u'"' + parameter + u'"'), qPrintable(detail));
}

QTEST_MAIN(TestRequestLog)
#include "tst_requestlog.moc"

// /admin/settings over real sockets, on SQLite and PostgreSQL: typed effective values, the
// schema, all-or-nothing updates, resets, their audit entries, that the gateway obeys them, and
// the default limits new users get.

#include "fakeupstream.h"
#include "gatewaystack.h"
#include "testdatabase.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QTest>

#include <atomic>
#include <memory>

using namespace Qt::StringLiterals;
using namespace Maestro;
using Maestro::Test::Response;
using Maestro::Test::TestDatabase;

namespace {

const QByteArray AdminToken = QByteArrayLiteral("settings-admin");

} // namespace

class TestSettingsHttp final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanup();

    void getReturnsTypedDefaults();
    void schemaListsTheRegistry();
    void putTakesTypedValuesAndStringForms();
    void badBatchChangesNothing_data();
    void badBatchChangesNothing();
    void deleteResetsToTheDefault();
    void auditHasOneEntryPerChangedKey();
    void gatewayObeysTheSettings();
    void healthChecksFollowTheInterval();
    void newUsersGetDefaultLimits_data();
    void newUsersGetDefaultLimits();
    void importValidatesSettings();

private:
    Response admin(const QByteArray &method, const QString &path, const QJsonObject &body = {});
    QJsonArray auditLogs(const QString &action);

    QNetworkAccessManager m_nam;
    Test::GatewayStack m_stack;
};

void TestSettingsHttp::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void TestSettingsHttp::initTestCase()
{
    m_nam.setProxy(QNetworkProxy::NoProxy);
}

void TestSettingsHttp::init()
{
    QFETCH_GLOBAL(QString, backend);
    if (const QString reason = TestDatabase::unavailableReason(backend); !reason.isEmpty())
        QSKIP(qPrintable(reason));
    Test::StackOptions options;
    options.backend = backend;
    options.config.adminToken = AdminToken;
    QString error;
    QVERIFY2(m_stack.start(options, &error), qPrintable(error));
}

void TestSettingsHttp::cleanup()
{
    m_stack.stop();
}

Response TestSettingsHttp::admin(const QByteArray &method, const QString &path, const QJsonObject &body)
{
    return m_stack.admin(method, path, body);
}

QJsonArray TestSettingsHttp::auditLogs(const QString &action)
{
    return admin("GET", u"/admin/audit-logs?limit=100&action=%1"_s.arg(action)).json().value("logs"_L1).toArray();
}

void TestSettingsHttp::getReturnsTypedDefaults()
{
    const Response got = admin("GET", u"/admin/settings"_s);
    QCOMPARE(got.status, 200);
    QCOMPARE(got.json(), QJsonDocument::fromJson(R"({"routing_strategy":"least_busy","max_body_bytes":33554432,
        "max_header_bytes":32768,"max_header_fields":100,"client_header_timeout_seconds":60,
        "client_body_timeout_seconds":60,"keepalive_timeout_seconds":75,"send_timeout_seconds":60,"max_connections":10000,
        "health_failure_threshold":2,"health_check_interval_seconds":30,"metrics_public":false,
        "default_daily_requests":0,"default_daily_tokens":0,
        "default_requests_per_minute":0,"default_tokens_per_minute":0,
        "warmup_interval_seconds":0,"warmup_keep_alive":"30m",
        "ollama_keep_alive":"-1","default_context_length":32768,"images_for_non_vision_models":"strip",
        "upstream_connect_timeout_seconds":10,"upstream_first_byte_timeout_seconds":300,
        "upstream_idle_timeout_seconds":120,"max_upstream_body_bytes":67108864,
        "max_upstream_line_bytes":16777216,"ollama_version":"0.12.6","ollama_version_public":false})").object());
}

void TestSettingsHttp::schemaListsTheRegistry()
{
    const Response schema = admin("GET", u"/admin/settings/schema"_s);
    QCOMPARE(schema.status, 200);
    const QJsonArray entries = schema.array();
    QCOMPARE(entries.size(), admin("GET", u"/admin/settings"_s).json().size());
    QJsonObject strategy;
    for (const QJsonValue &entry : entries) {
        if (entry.toObject().value("key"_L1) == "routing_strategy"_L1)
            strategy = entry.toObject();
    }
    QCOMPARE(strategy.value("type"_L1).toString(), u"choice"_s);
    QCOMPARE(strategy.value("default"_L1).toString(), u"least_busy"_s);
    QCOMPARE(strategy.value("choices"_L1).toArray(),
             (QJsonArray{u"least_busy"_s, u"round_robin"_s, u"weighted"_s, u"priority"_s}));
    QCOMPARE(strategy.value("restart_required"_L1).toBool(true), false);
    QVERIFY(!strategy.value("description"_L1).toString().isEmpty());
}

void TestSettingsHttp::putTakesTypedValuesAndStringForms()
{
    const Response put = admin("PUT", u"/admin/settings"_s,
                               {{u"metrics_public"_s, u"true"_s},
                                {u"health_check_interval_seconds"_s, u"120"_s},
                                {u"max_body_bytes"_s, 2048},
                                {u"routing_strategy"_s, u"priority"_s},
                                {u"default_daily_requests"_s, 50}});
    QCOMPARE(put.status, 200);
    const QJsonObject settings = admin("GET", u"/admin/settings"_s).json();
    QCOMPARE(put.json(), settings);
    QCOMPARE(settings.value("metrics_public"_L1), QJsonValue(true));
    QCOMPARE(settings.value("health_check_interval_seconds"_L1), QJsonValue(120));
    QCOMPARE(settings.value("max_body_bytes"_L1), QJsonValue(2048));
    QCOMPARE(settings.value("routing_strategy"_L1), QJsonValue(u"priority"_s));
    QCOMPARE(settings.value("default_daily_requests"_L1), QJsonValue(50));
    QCOMPARE(settings.value("default_daily_tokens"_L1), QJsonValue(0));
}

void TestSettingsHttp::badBatchChangesNothing_data()
{
    QTest::addColumn<QJsonObject>("batch");
    QTest::addColumn<QString>("error");
    QTest::newRow("an unknown key after a good one")
        << QJsonObject{{u"metrics_public"_s, true}, {u"max_body"_s, 4096}}
        << u"Unknown setting: max_body (known settings: routing_strategy, max_body_bytes"_s;
    QTest::newRow("a number out of range")
        << QJsonObject{{u"metrics_public"_s, true}, {u"max_body_bytes"_s, 10}}
        << u"max_body_bytes must be a whole number from 1024 to 4294967296"_s;
    QTest::newRow("a choice that is not one")
        << QJsonObject{{u"metrics_public"_s, true}, {u"routing_strategy"_s, u"fastest"_s}}
        << u"routing_strategy must be one of least_busy, round_robin, weighted, priority"_s;
    QTest::newRow("a boolean given as a word")
        << QJsonObject{{u"default_daily_requests"_s, 5}, {u"metrics_public"_s, u"sure"_s}}
        << u"metrics_public must be true or false"_s;
    QTest::newRow("a limit given as a word")
        << QJsonObject{{u"metrics_public"_s, true}, {u"default_daily_tokens"_s, u"lots"_s}}
        << u"default_daily_tokens must be a whole number from 0 to"_s;
}

void TestSettingsHttp::badBatchChangesNothing()
{
    QFETCH(QJsonObject, batch);
    QFETCH(QString, error);
    const QJsonObject before = admin("GET", u"/admin/settings"_s).json();
    const qint64 auditBefore = qint64(admin("GET", u"/admin/audit-logs?limit=1"_s).json().value("total"_L1).toDouble());

    const Response put = admin("PUT", u"/admin/settings"_s, batch);
    QCOMPARE(put.status, 400);
    QVERIFY2(put.json().value("detail"_L1).toString().contains(error), put.body.constData());
    QCOMPARE(admin("GET", u"/admin/settings"_s).json(), before);
    QVERIFY(m_stack.store()->settings().isEmpty());
    QCOMPARE(qint64(admin("GET", u"/admin/audit-logs?limit=1"_s).json().value("total"_L1).toDouble()), auditBefore);
}

void TestSettingsHttp::deleteResetsToTheDefault()
{
    QCOMPARE(admin("PUT", u"/admin/settings"_s, {{u"health_failure_threshold"_s, 7}}).status, 200);
    const Response reset = admin("DELETE", u"/admin/settings/health_failure_threshold"_s);
    QCOMPARE(reset.status, 200);
    QCOMPARE(reset.json().value("health_failure_threshold"_L1), QJsonValue(2));
    QCOMPARE(admin("GET", u"/admin/settings"_s).json().value("health_failure_threshold"_L1), QJsonValue(2));
    QVERIFY(!m_stack.store()->settings().contains(u"health_failure_threshold"_s));
    const QJsonObject entry = auditLogs(u"setting.reset"_s).first().toObject();
    QCOMPARE(entry.value("entity_id"_L1).toString(), u"health_failure_threshold"_s);
    QCOMPARE(entry.value("details"_L1).toObject().value("previous"_L1), QJsonValue(7));

    const Response unknown = admin("DELETE", u"/admin/settings/no_such_setting"_s);
    QCOMPARE(unknown.status, 404);
    QVERIFY(unknown.json().value("detail"_L1).toString().contains("no_such_setting"_L1));
}

void TestSettingsHttp::auditHasOneEntryPerChangedKey()
{
    QCOMPARE(admin("PUT", u"/admin/settings"_s, {{u"routing_strategy"_s, u"weighted"_s}}).status, 200);
    // routing_strategy is already weighted and health_failure_threshold 2 is the default: only
    // the other two change.
    QCOMPARE(admin("PUT", u"/admin/settings"_s,
                   {{u"routing_strategy"_s, u"weighted"_s},
                    {u"health_failure_threshold"_s, 2},
                    {u"metrics_public"_s, true},
                    {u"default_daily_tokens"_s, u"1000"_s}})
                 .status,
             200);
    const QJsonArray entries = auditLogs(u"setting.update"_s);
    QCOMPARE(entries.size(), 3);
    QHash<QString, QJsonObject> byKey;
    for (const QJsonValue &entry : entries)
        byKey.insert(entry.toObject().value("entity_id"_L1).toString(), entry.toObject().value("details"_L1).toObject());
    QCOMPARE(byKey.keys().size(), 3);
    QCOMPARE(byKey.value(u"routing_strategy"_s), (QJsonObject{{u"value"_s, u"weighted"_s}, {u"previous"_s, u"least_busy"_s}}));
    QCOMPARE(byKey.value(u"metrics_public"_s), (QJsonObject{{u"value"_s, true}, {u"previous"_s, false}}));
    QCOMPARE(byKey.value(u"default_daily_tokens"_s), (QJsonObject{{u"value"_s, 1000}, {u"previous"_s, 0}}));
}

void TestSettingsHttp::gatewayObeysTheSettings()
{
    const QUrl metrics = m_stack.url(u"/metrics"_s);
    QCOMPARE(Test::sendRequest(m_nam, metrics, "GET", {}, {}).status, 401);
    QCOMPARE(admin("PUT", u"/admin/settings"_s, {{u"metrics_public"_s, u"true"_s}}).status, 200);
    QCOMPARE(Test::sendRequest(m_nam, metrics, "GET", {}, {}).status, 200);
    QCOMPARE(admin("DELETE", u"/admin/settings/metrics_public"_s).status, 200);
    QCOMPARE(Test::sendRequest(m_nam, metrics, "GET", {}, {}).status, 401);

    // A body over max_body_bytes is refused once the setting is lowered.
    const QJsonObject big{{u"username"_s, QString(3000, u'a')}};
    QCOMPARE(admin("POST", u"/admin/users"_s, big).status, 400); // read, and refused as a username
    QCOMPARE(admin("PUT", u"/admin/settings"_s, {{u"max_body_bytes"_s, 2048}}).status, 200);
    QCOMPARE(admin("POST", u"/admin/users"_s, big).status, 413);
}

void TestSettingsHttp::healthChecksFollowTheInterval()
{
    // A gateway with periodic checks on (the suite's own has them off), on the same database. With
    // one I/O thread its admin requests are served on the thread whose timer runs the checks.
    GatewayConfig config;
    config.port = 0;
    config.adminToken = AdminToken;
    config.ioThreads = 1;
    GatewayThread checking(config, m_stack.store(), m_stack.secrets(), m_stack.usage(), m_stack.clock(),
                           m_stack.database());
    QString error;
    QVERIFY2(checking.start(&error), qPrintable(error));
    Test::FakeUpstream node(NodeType::Ollama);
    QVERIFY(node.listen());
    const auto send = [&](const QByteArray &method, const QString &path, const QJsonObject &body) {
        return Test::sendRequest(m_nam, QUrl(u"http://127.0.0.1:%1%2"_s.arg(checking.port()).arg(path)), method,
                                 QJsonDocument(body).toJson(QJsonDocument::Compact), AdminToken);
    };
    const Response created = send("POST", u"/admin/nodes"_s,
                                  {{u"name"_s, u"n"_s}, {u"base_url"_s, node.baseUrl().toString()},
                                   {u"node_type"_s, u"ollama"_s}});
    QCOMPARE(created.status, 201);
    const qint64 id = created.json().value("id"_L1).toInteger();
    // The period the control thread's check timer runs at, asked on that thread.
    const auto runningInterval = [&checking] {
        auto interval = std::make_shared<std::atomic<int>>(-1);
        checking.controlPort()->call(
            [interval](Control *control) { *interval = control->runningHealthIntervalMs(); });
        return QTest::qWaitFor([&] { return *interval >= 0; }, 5000) ? interval->load() : -1;
    };
    QCOMPARE(runningInterval(), 30000); // the default

    QCOMPARE(send("PUT", u"/admin/settings"_s, {{u"health_check_interval_seconds"_s, 1}}).status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(node.requestCount() >= 2, 5000);
    QCOMPARE(runningInterval(), 1000);

    QCOMPARE(send("PUT", u"/admin/settings"_s, {{u"health_check_interval_seconds"_s, 0}}).status, 200);
    QCOMPARE(runningInterval(), 0);
    // A check asked for still runs.
    node.clearRequests();
    QCOMPARE(send("POST", u"/admin/nodes/%1/health-check"_s.arg(id), {}).status, 200);
    QVERIFY(node.requestCount() >= 1);
    checking.stop(1000);
}

void TestSettingsHttp::newUsersGetDefaultLimits_data()
{
    QTest::addColumn<QJsonObject>("request");
    QTest::addColumn<QJsonValue>("requestLimit");
    QTest::addColumn<QJsonValue>("tokenLimit");
    const QJsonValue unlimited(QJsonValue::Null);
    QTest::newRow("no limits given: both defaults")
        << QJsonObject{{u"username"_s, u"ann"_s}} << QJsonValue(20) << QJsonValue(5000);
    QTest::newRow("a request limit given: the token default")
        << QJsonObject{{u"username"_s, u"ben"_s}, {u"request_limit"_s, 3}} << QJsonValue(3) << QJsonValue(5000);
    QTest::newRow("both null: explicitly unlimited")
        << QJsonObject{{u"username"_s, u"cat"_s}, {u"request_limit"_s, unlimited}, {u"token_limit"_s, unlimited}}
        << unlimited << unlimited;
}

void TestSettingsHttp::newUsersGetDefaultLimits()
{
    QFETCH(QJsonObject, request);
    QFETCH(QJsonValue, requestLimit);
    QFETCH(QJsonValue, tokenLimit);

    // Before the defaults are set a new user has no limits.
    const Response before = admin("POST", u"/admin/users"_s, {{u"username"_s, u"early"_s}});
    QCOMPARE(before.status, 201);
    QVERIFY(before.json().value("request_limit"_L1).isNull());
    QVERIFY(before.json().value("token_limit"_L1).isNull());

    QCOMPARE(admin("PUT", u"/admin/settings"_s, {{u"default_daily_requests"_s, 20}, {u"default_daily_tokens"_s, u"5000"_s}}).status, 200);
    const Response created = admin("POST", u"/admin/users"_s, request);
    QCOMPARE(created.status, 201);
    QCOMPARE(created.json().value("request_limit"_L1), requestLimit);
    QCOMPARE(created.json().value("token_limit"_L1), tokenLimit);
    const QString username = request.value("username"_L1).toString();
    const QJsonObject limits = admin("GET", u"/admin/users/%1/limits"_s.arg(username)).json();
    QCOMPARE(limits.value("request_limit"_L1), requestLimit);
    QCOMPARE(limits.value("token_limit"_L1), tokenLimit);
    // Existing users keep what they had.
    QVERIFY(admin("GET", u"/admin/users/early/limits"_s).json().value("request_limit"_L1).isNull());

    const Response bad = admin("POST", u"/admin/users"_s, {{u"username"_s, u"dan"_s}, {u"token_limit"_s, -4}});
    QCOMPARE(bad.status, 400);
    QVERIFY(bad.json().value("detail"_L1).toString().contains("token_limit"_L1));
    QCOMPARE(admin("GET", u"/admin/users/dan"_s).status, 404);
}

void TestSettingsHttp::importValidatesSettings()
{
    const QJsonObject backup{{u"version"_s, 1},
                             {u"users"_s, QJsonArray{QJsonObject{{u"username"_s, u"restored"_s}}}},
                             {u"settings"_s, QJsonObject{{u"metrics_public"_s, true}, {u"max_body_bytes"_s, u"tiny"_s}}}};
    const Response refused = admin("POST", u"/admin/import"_s, backup);
    QCOMPARE(refused.status, 400);
    QVERIFY2(refused.json().value("detail"_L1).toString().contains("max_body_bytes must be a whole number"_L1),
             refused.body.constData());
    QVERIFY(m_stack.store()->settings().isEmpty());
    QCOMPARE(admin("GET", u"/admin/users/restored"_s).status, 404);

    QJsonObject good = backup;
    good.insert(u"settings"_s, QJsonObject{{u"metrics_public"_s, u"true"_s}, {u"max_body_bytes"_s, 65536}});
    QCOMPARE(admin("POST", u"/admin/import"_s, good).status, 200);
    const QJsonObject settings = admin("GET", u"/admin/settings"_s).json();
    QCOMPARE(settings.value("metrics_public"_L1), QJsonValue(true));
    QCOMPARE(settings.value("max_body_bytes"_L1), QJsonValue(65536));
    // The export carries them typed.
    QCOMPARE(admin("GET", u"/admin/export"_s).json().value("settings"_L1).toObject(),
             (QJsonObject{{u"metrics_public"_s, true}, {u"max_body_bytes"_s, 65536}}));
}

QTEST_GUILESS_MAIN(TestSettingsHttp)
#include "tst_settings_http.moc"

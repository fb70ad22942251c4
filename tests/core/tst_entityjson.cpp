// The entity mappers (core/entityjson.h) alone: the JSON shapes the admin API and backups write,
// and what the readers accept and refuse, with the words clients are given. tst_backup checks
// the same mappers against the running admin API and the backup import.

#include "core/entityjson.h"

#include <QJsonDocument>
#include <QTest>

#include <functional>

using namespace Maestro;
using namespace Qt::StringLiterals;

namespace {

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject object(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}

// Every reader under one signature: the body in, the error message out (empty: accepted).
template<typename T>
QString errorOf(const Result<T> &result)
{
    return result.ok() ? QString() : result.error().message;
}

const QHash<QString, std::function<QString(const QJsonObject &)>> &readers()
{
    static const QHash<QString, std::function<QString(const QJsonObject &)>> all{
        {u"new node"_s, [](const QJsonObject &b) { return errorOf(nodeInputFromJson(b, true)); }},
        {u"node change"_s, [](const QJsonObject &b) { return errorOf(nodeInputFromJson(b, false)); }},
        {u"username"_s, [](const QJsonObject &b) { return errorOf(usernameFromJson(b)); }},
        {u"new user limits"_s, [](const QJsonObject &b) { return errorOf(newUserLimitsFromJson(b)); }},
        {u"models"_s, [](const QJsonObject &b) { return errorOf(modelNamesFromJson(b)); }},
        {u"limits"_s, [](const QJsonObject &b) { return errorOf(limitsFromJson(b)); }},
        {u"mapping"_s, [](const QJsonObject &b) { return errorOf(mappingInputFromJson(b)); }},
        {u"group"_s, [](const QJsonObject &b) { return errorOf(groupInputFromJson(b)); }},
        {u"member"_s, [](const QJsonObject &b) { return errorOf(memberInputFromJson(b)); }},
        {u"members"_s, [](const QJsonObject &b) { return errorOf(membersFromJson(b)); }},
        {u"member order"_s, [](const QJsonObject &b) { return errorOf(memberOrderFromJson(b)); }},
        {u"tool set"_s, [](const QJsonObject &b) { return errorOf(toolSetFromJson(b)); }},
        {u"model config"_s, [](const QJsonObject &b) { return errorOf(modelConfigFromJson(b)); }},
        {u"prompt"_s, [](const QJsonObject &b) { return errorOf(promptInputFromJson(b)); }},
        {u"prompt order"_s, [](const QJsonObject &b) { return errorOf(promptOrderFromJson(b)); }},
        {u"backup node"_s, [](const QJsonObject &b) { return errorOf(backupNodeFromJson(b)); }},
        {u"backup user"_s, [](const QJsonObject &b) { return errorOf(backupUserFromJson(b)); }},
        {u"backup group"_s, [](const QJsonObject &b) { return errorOf(backupGroupFromJson(b)); }},
    };
    return all;
}

} // namespace

class TestEntityJson final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readersRefuseWhatTheApiRefuses_data();
    void readersRefuseWhatTheApiRefuses();
    void nodeInputCarriesEveryField();
    void mappingInputReadsSizesAndTheSeedsNodeId();
    void limitsReplaceDailyAndKeepPerMinute();
    void newUserLimitsTellAbsentFromNull();
    void memberInputReadsTheSeedsFallbackName();
    void memberOrderInBothForms();
    void toolSetsAndConfigsKeepTheirName();
    void modelConfigReadsTheSeedsNames();
    void userObjectShowsEveryLimit_data();
    void userObjectShowsEveryLimit();
    void entitiesAsTheApiWritesThem();
    void importOutcomeShowsNewTokensOnce();
    void mappingsNameTheirNodes();
    void backupEntriesReadBackWhatWasWritten();
};

void TestEntityJson::readersRefuseWhatTheApiRefuses_data()
{
    QTest::addColumn<QString>("reader");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("error");

    const auto row = [](const char *name, const QString &reader, const QByteArray &body, const QString &error) {
        QTest::newRow(name) << reader << body << error;
    };
    row("node: a complete new node is accepted", u"new node"_s,
        R"({"name":"n","base_url":"http://h","priority":2,"is_active":false})", {});
    row("node: null leaves a field unset", u"new node"_s, R"({"name":"n","base_url":"http://h","priority":null})", {});
    row("node: a new node needs name and base_url", u"new node"_s, R"({"name":"n"})",
        u"\"name\" and \"base_url\" are required"_s);
    row("node: a change needs neither", u"node change"_s, R"({"weight":3})", {});
    row("node: a priority as text", u"node change"_s, R"({"priority":"high"})", u"\"priority\" must be an integer"_s);
    row("node: a fractional weight", u"node change"_s, R"({"weight":1.5})", u"\"weight\" must be an integer"_s);
    row("node: a priority beyond an int", u"node change"_s, R"({"priority":3000000000})",
        u"\"priority\" must be an integer"_s);
    row("node: is_active as text", u"node change"_s, R"({"is_active":"yes"})", u"\"is_active\" must be a boolean"_s);
    row("node: a name as a number", u"node change"_s, R"({"name":7})", u"\"name\" must be a string"_s);
    row("node: the first wrong field is the one named", u"node change"_s, R"({"base_url":1,"priority":"x"})",
        u"\"base_url\" must be a string"_s);
    row("username: a number", u"username"_s, R"({"username":7})", u"\"username\" is required and must be a string"_s);
    row("username: missing", u"username"_s, R"({})", u"\"username\" is required and must be a string"_s);
    row("new user: a limit as text", u"new user limits"_s, R"({"token_limit":"5"})",
        u"\"token_limit\" must be a non-negative integer or null"_s);
    row("new user: a zero limit is a limit", u"new user limits"_s, R"({"request_limit":0})", {});
    row("models: not an array", u"models"_s, R"({"models":"chat"})", u"\"models\" must be an array of model names"_s);
    row("models: a number among them", u"models"_s, R"({"models":["a",1]})",
        u"\"models\" must be an array of model names"_s);
    row("limits: a negative daily limit", u"limits"_s, R"({"request_limit":-1})",
        u"\"request_limit\" must be a non-negative integer or null"_s);
    row("limits: a fractional daily limit", u"limits"_s, R"({"token_limit":2.5})",
        u"\"token_limit\" must be a non-negative integer or null"_s);
    row("limits: a per-minute limit of zero", u"limits"_s, R"({"tokens_per_minute":0})",
        u"\"tokens_per_minute\" must be a positive integer or null"_s);
    row("limits: a limit beyond what JSON holds exactly", u"limits"_s, R"({"request_limit":1e300})",
        u"\"request_limit\" must be a non-negative integer or null"_s);
    row("limits: null is unlimited", u"limits"_s, R"({"request_limit":null,"requests_per_minute":null})", {});
    row("mapping: a size", u"mapping"_s, R"({"display_name":"d","real_name":"r","context_length":"128K"})", {});
    row("mapping: an unreadable size", u"mapping"_s, R"({"context_length":"lots"})",
        u"Invalid context_length format: lots (use 32768, 128K or 1M)"_s);
    row("mapping: a negative context length", u"mapping"_s, R"({"context_length":-1})",
        u"\"context_length\" must be a number or a string such as \"128K\""_s);
    row("mapping: capabilities holding a number", u"mapping"_s, R"({"capabilities":["tools",1]})",
        u"\"capabilities\" must be an array of strings"_s);
    row("mapping: node ids as text", u"mapping"_s, R"({"node_ids":"1"})", u"\"node_ids\" must be an array of node ids"_s);
    row("mapping: node ids holding text", u"mapping"_s, R"({"node_ids":[1,"2"]})",
        u"\"node_ids\" must be an array of node ids"_s);
    row("group: is_active as text", u"group"_s, R"({"is_active":"true"})", u"\"is_active\" must be a boolean"_s);
    row("group: max_failover_retries as text", u"group"_s, R"({"max_failover_retries":"3"})",
        u"\"max_failover_retries\" must be an integer"_s);
    row("member: capability tags holding a number", u"member"_s, R"({"capability_tags":[1]})",
        u"\"capability_tags\" must be an array of strings"_s);
    row("member: weight as text", u"member"_s, R"({"weight":"heavy"})", u"\"weight\" must be an integer"_s);
    row("members: not an array", u"members"_s, R"({"members":{}})", u"\"members\" must be an array"_s);
    row("members: an entry that is not an object", u"members"_s, R"({"members":[1]})",
        u"each member must be an object"_s);
    row("members: a wrong field of a member", u"members"_s, R"({"members":[{"priority":"first"}]})",
        u"\"priority\" must be an integer"_s);
    row("member order: neither form", u"member order"_s, R"({})",
        u"send \"member_ids\": [ids in fallback order] or \"members\": [{\"id\", \"priority\"}]"_s);
    row("member order: an id as text", u"member order"_s, R"({"member_ids":["1"]})",
        u"send \"member_ids\": [ids in fallback order] or \"members\": [{\"id\", \"priority\"}]"_s);
    row("tool set: tools as a string", u"tool set"_s, R"({"name":"t","tools":"read"})",
        u"\"tools\" must be an array of strings"_s);
    row("model config: an unreadable context size", u"model config"_s, R"({"max_context_length":"huge"})",
        u"\"max_context_length\" must be a number of tokens or a size such as \"32K\""_s);
    row("model config: a per-minute limit of zero", u"model config"_s, R"({"requests_per_minute":0})",
        u"\"requests_per_minute\" must be a positive integer or null"_s);
    row("model config: maintenance as text", u"model config"_s, R"({"maintenance":"on"})",
        u"\"maintenance\" must be a boolean"_s);
    row("prompt: priority as text", u"prompt"_s, R"({"priority":"high"})", u"\"priority\" must be an integer"_s);
    row("prompt: scope_type as a number", u"prompt"_s, R"({"scope_type":1})", u"\"scope_type\" must be a string"_s);
    row("prompt order: an id with a fraction", u"prompt order"_s, R"({"ids":[1.5]})",
        u"\"ids\" must be an array of system prompt ids"_s);
    row("prompt order: no ids", u"prompt order"_s, R"({})", u"\"ids\" must be an array of system prompt ids"_s);
    row("backup node: an id as text", u"backup node"_s, R"({"id":"1","name":"n","base_url":"http://h"})",
        u"\"id\" must be an integer"_s);
    row("backup node: no base_url", u"backup node"_s, R"({"id":1,"name":"n"})",
        u"\"name\" and \"base_url\" are required"_s);
    row("backup user: has_all_models as a number", u"backup user"_s, R"({"username":"u","has_all_models":1})",
        u"\"has_all_models\" must be a boolean"_s);
    row("backup user: a negative limit", u"backup user"_s, R"({"username":"u","token_limit":-3})",
        u"\"token_limit\" must be a non-negative integer or null"_s);
    row("backup user: only a username", u"backup user"_s, R"({"username":"u"})", {});
    row("backup group: a member's wrong field names the member", u"backup group"_s,
        R"({"name":"g","members":[{"model_display_name":"a"},{"context_fallback":"yes"}]})",
        u"member 2: \"context_fallback\" must be a boolean"_s);
    row("backup group: a member that is not an object", u"backup group"_s, R"({"name":"g","members":["a"]})",
        u"member 1 must be an object"_s);
}

void TestEntityJson::readersRefuseWhatTheApiRefuses()
{
    QFETCH(QString, reader);
    QFETCH(QByteArray, body);
    QFETCH(QString, error);
    QVERIFY2(readers().contains(reader), qPrintable(reader));
    const QJsonDocument document = QJsonDocument::fromJson(body);
    QVERIFY2(document.isObject(), body.constData());
    QCOMPARE(readers().value(reader)(document.object()), error);
}

void TestEntityJson::nodeInputCarriesEveryField()
{
    const auto input = nodeInputFromJson(
        object(R"({"name":"gpu","base_url":"http://h:1","node_type":"openai","api_key":"","priority":-2,
                   "weight":0,"is_active":false,"warmup_enabled":true,"connect_timeout_seconds":5,
                   "first_byte_timeout_seconds":900,"idle_timeout_seconds":45})"),
        true);
    QVERIFY(input.ok());
    const AdminService::NodeInput &node = input.value();
    QCOMPARE(node.name, std::optional<QString>(u"gpu"_s));
    QCOMPARE(node.baseUrl, std::optional<QString>(u"http://h:1"_s));
    QCOMPARE(node.nodeType, std::optional<QString>(u"openai"_s));
    QCOMPARE(node.apiKey, std::optional<QString>(u""_s)); // empty: clears the key
    QCOMPARE(node.priority, std::optional<int>(-2));
    QCOMPARE(node.weight, std::optional<int>(0));
    QCOMPARE(node.active, std::optional<bool>(false));
    QCOMPARE(node.warmupEnabled, std::optional<bool>(true));
    QCOMPARE(node.connectTimeoutSeconds, std::optional<int>(5));
    QCOMPARE(node.firstByteTimeoutSeconds, std::optional<int>(900));
    QCOMPARE(node.idleTimeoutSeconds, std::optional<int>(45));

    const auto partial = nodeInputFromJson(object(R"({"weight":3,"name":null})"), false);
    QVERIFY(partial.ok());
    QCOMPARE(partial.value().weight, std::optional<int>(3));
    QVERIFY(!partial.value().name && !partial.value().priority && !partial.value().apiKey);

    // A backup holds no key, and one that does is not taken: keys stay in each machine's secret store.
    const auto backup = backupNodeFromJson(object(R"({"id":4,"name":"n","base_url":"http://h","api_key":"sk"})"));
    QVERIFY(backup.ok());
    QCOMPARE(backup.value().id, std::optional<qint64>(4));
    QVERIFY(!backup.value().input.apiKey);
}

void TestEntityJson::mappingInputReadsSizesAndTheSeedsNodeId()
{
    auto input = mappingInputFromJson(object(R"({"display_name":"d","real_name":"r","context_length":"128K",
                                                 "capabilities":["tools"],"node_ids":[1,2],"node_id":3})"));
    QVERIFY(input.ok());
    QCOMPARE(input.value().contextLength, std::optional<qint64>(131072));
    QCOMPARE(input.value().capabilities, std::optional<QStringList>(QStringList{u"tools"_s}));
    QCOMPARE(input.value().nodeIds, std::optional<QList<qint64>>(QList<qint64>{1, 2, 3}));

    input = mappingInputFromJson(object(R"({"context_length":8192,"node_id":5})"));
    QVERIFY(input.ok());
    QCOMPARE(input.value().contextLength, std::optional<qint64>(8192));
    QCOMPARE(input.value().nodeIds, std::optional<QList<qint64>>(QList<qint64>{5}));

    // Fields left out stay unset, so an update leaves them as they are.
    input = mappingInputFromJson(object(R"({"real_name":"r2"})"));
    QVERIFY(input.ok());
    QVERIFY(!input.value().displayName && !input.value().contextLength && !input.value().capabilities
            && !input.value().nodeIds);
}

void TestEntityJson::limitsReplaceDailyAndKeepPerMinute()
{
    const UserLimits current{10, 20, 30, 40};
    auto limits = limitsFromJson(object(R"({"token_limit":25})"), current);
    QVERIFY(limits.ok());
    QCOMPARE(limits.value().requestLimit, std::nullopt); // left out: unlimited, as the seed did
    QCOMPARE(limits.value().tokenLimit, std::optional<qint64>(25));
    QCOMPARE(limits.value().requestsPerMinute, std::optional<qint64>(30)); // left out: kept
    QCOMPARE(limits.value().tokensPerMinute, std::optional<qint64>(40));

    limits = limitsFromJson(object(R"({"requests_per_minute":null,"tokens_per_minute":7})"), current);
    QVERIFY(limits.ok());
    QCOMPARE(limits.value().requestsPerMinute, std::nullopt);
    QCOMPARE(limits.value().tokensPerMinute, std::optional<qint64>(7));
}

void TestEntityJson::newUserLimitsTellAbsentFromNull()
{
    const auto limits = newUserLimitsFromJson(object(R"({"request_limit":null})"));
    QVERIFY(limits.ok());
    // null: explicitly unlimited; absent: the default setting decides.
    QVERIFY(limits.value().requests.has_value());
    QVERIFY(!limits.value().requests->has_value());
    QVERIFY(!limits.value().tokens.has_value());
}

void TestEntityJson::memberInputReadsTheSeedsFallbackName()
{
    auto member = memberInputFromJson(object(R"({"model_display_name":"m","is_fallback_413":true,"capability_tags":["vision"]})"));
    QVERIFY(member.ok());
    QCOMPARE(member.value().contextFallback, std::optional<bool>(true));
    QCOMPARE(member.value().capabilityTags, std::optional<QStringList>(QStringList{u"vision"_s}));
    // Our own name wins over the seed's.
    member = memberInputFromJson(object(R"({"is_fallback_413":true,"context_fallback":false})"));
    QVERIFY(member.ok());
    QCOMPARE(member.value().contextFallback, std::optional<bool>(false));
}

void TestEntityJson::memberOrderInBothForms()
{
    auto order = memberOrderFromJson(object(R"({"member_ids":[3,1,2]})"));
    QVERIFY(order.ok());
    QCOMPARE(order.value(), (QList<qint64>{3, 1, 2}));
    // The seed's form: the lowest priority first, ties in the order given.
    order = memberOrderFromJson(object(R"({"members":[{"id":7,"priority":2},{"id":8,"priority":0},{"id":9,"priority":2}]})"));
    QVERIFY(order.ok());
    QCOMPARE(order.value(), (QList<qint64>{8, 7, 9}));
}

void TestEntityJson::toolSetsAndConfigsKeepTheirName()
{
    const ToolSet current{5, u"files"_s, u"old"_s, {u"read"_s}};
    auto set = toolSetFromJson(object(R"({"description":"new","tools":["read","write"]})"), current);
    QVERIFY(set.ok());
    QCOMPARE(set.value().name, u"files"_s);
    QCOMPARE(set.value().description, u"new"_s);
    QCOMPARE(set.value().tools, (QStringList{u"read"_s, u"write"_s}));
    QCOMPARE(toolSetFromJson(object(R"({"name":"other"})"), current).error().message,
             u"a tool set cannot be renamed; create a new one"_s);
    QCOMPARE(toolSetFromJson(object(R"({"name":"files"})"), current).ok(), true);

    ModelConfig config;
    config.pattern = u"qwen*"_s;
    QCOMPARE(modelConfigFromJson(object(R"({"model_pattern":"llama*"})"), config).error().message,
             u"model_pattern cannot change; delete and create instead"_s);
}

void TestEntityJson::modelConfigReadsTheSeedsNames()
{
    auto config = modelConfigFromJson(object(R"({"model_prefix":"qwen*","unsupported_params":["seed"],
                                                 "maintenance_mode":true,"default_context_length":"8K",
                                                 "max_context_length":32768,"tokens_per_minute":900})"));
    QVERIFY(config.ok());
    QCOMPARE(config.value().pattern, u"qwen*"_s);
    QCOMPARE(config.value().strippedParams, QStringList{u"seed"_s});
    QCOMPARE(config.value().maintenance, true);
    QCOMPARE(config.value().defaultContextLength, 8192);
    QCOMPARE(config.value().maxContextLength, 32768);
    QCOMPARE(config.value().tokensPerMinute, std::optional<qint64>(900));
    QCOMPARE(config.value().toolsRestricted, false);

    // Naming tools restricts them, unless tools_restricted says otherwise.
    config = modelConfigFromJson(object(R"({"model_pattern":"m","allowed_tools":["read"]})"));
    QVERIFY(config.ok());
    QCOMPARE(config.value().toolsRestricted, true);
    config = modelConfigFromJson(object(R"({"model_pattern":"m","tool_sets":[],"tools_restricted":false})"));
    QVERIFY(config.ok());
    QCOMPARE(config.value().toolsRestricted, false);
}

void TestEntityJson::userObjectShowsEveryLimit_data()
{
    QTest::addColumn<UserLimits>("limits");
    QTest::addColumn<QByteArray>("shown"); // the four limit fields of the user object

    QTest::newRow("user: no limits are four nulls")
        << UserLimits{} << QByteArray(R"("request_limit":null,"requests_per_minute":null,"token_limit":null,"tokens_per_minute":null)");
    QTest::newRow("user: the per-minute limits are shown with the daily ones")
        << UserLimits{100, 2000, 10, 500}
        << QByteArray(R"("request_limit":100,"requests_per_minute":10,"token_limit":2000,"tokens_per_minute":500)");
    QTest::newRow("user: a zero daily limit is a limit, not unlimited")
        << UserLimits{0, std::nullopt, std::nullopt, 60}
        << QByteArray(R"("request_limit":0,"requests_per_minute":null,"token_limit":null,"tokens_per_minute":60)");
}

// The user object of GET /admin/users (README: "requests_per_minute","tokens_per_minute" among
// its fields), not only the limits answer, carries the per-minute limits.
void TestEntityJson::userObjectShowsEveryLimit()
{
    QFETCH(UserLimits, limits);
    QFETCH(QByteArray, shown);
    User user;
    user.id = 1;
    user.username = u"carol"_s;
    user.requestLimit = limits.requestLimit;
    user.tokenLimit = limits.tokenLimit;
    user.requestsPerMinute = limits.requestsPerMinute;
    user.tokensPerMinute = limits.tokensPerMinute;
    QCOMPARE(compact(toJson(user)),
             QByteArray(R"({"created_at":null,"has_all_models":false,"id":1,"is_active":true,"models":[],"node_ids":[],"node_models":[],)") + shown
                 + QByteArray(R"(,"updated_at":null,"username":"carol"})"));
    // A created or rotated user is the same object with its token.
    QJsonObject created = toJson(AdminService::CreatedUser{user, u"mm-y"_s});
    QCOMPARE(created.take("token"_L1), QJsonValue(u"mm-y"_s));
    QCOMPARE(created, toJson(user));
}

void TestEntityJson::entitiesAsTheApiWritesThem()
{
    const QDateTime created(QDate(2026, 1, 31), QTime(8, 30, 0, 5), Qt::UTC);
    User user;
    user.id = 3;
    user.username = u"alice"_s;
    user.models = {u"chat"_s};
    user.requestLimit = 100;
    user.requestsPerMinute = 20;
    user.createdAt = created;
    QCOMPARE(compact(toJson(user)),
             QByteArray(R"({"created_at":"2026-01-31T08:30:00.005Z","has_all_models":false,"id":3,"is_active":true,)"
             R"("models":["chat"],"node_ids":[],"node_models":[],"request_limit":100,"requests_per_minute":20,)"
             R"("token_limit":null,"tokens_per_minute":null,"updated_at":null,"username":"alice"})"));
    QCOMPARE(compact(toJson(AdminService::CreatedUser{user, u"mm-x"_s})).contains(R"("token":"mm-x")"), true);
    QCOMPARE(compact(grantsToJson(user)), QByteArray(R"({"has_all_models":false,"models":["chat"],"username":"alice"})"));
    QCOMPARE(compact(limitsToJson(user, {4, 50}, {1, 10})),
             QByteArray(R"({"request_limit":100,"requests_last_minute":1,"requests_per_minute":20,"requests_today":4,)"
             R"("token_limit":null,"tokens_last_minute":10,"tokens_per_minute":null,"tokens_today":50,"updated_at":null,)"
             R"("username":"alice"})"));
    QCOMPARE(compact(toBackupJson(user)),
             QByteArray(R"({"has_all_models":false,"models":["chat"],"node_ids":[],"node_models":[],"request_limit":100,)"
             R"("requests_per_minute":20,"token_limit":null,"tokens_per_minute":null,"username":"alice"})"));

    Node node;
    node.id = 2;
    node.name = u"gpu"_s;
    node.baseUrl = QUrl(u"http://h:11434"_s);
    node.hasApiKey = true;
    node.health = Health::Healthy;
    node.headers = {{u"X-Org"_s, u"acme"_s}};
    node.secretHeaderNames = {u"X-Token"_s}; // names only: the values never reach a Node
    node.healthCheckUrl = u"http://h:8080/health"_s;
    node.autoSyncEnabled = false;
    QCOMPARE(compact(toJson(node, 4, nodeLoadToJson(1, NodeTraffic{5, 1, 30, created}))),
             QByteArray(R"({"api_key_set":true,"auto_sync_enabled":false,"base_url":"http://h:11434",)"
             R"("connect_timeout_seconds":0,"created_at":null,)"
             R"("first_byte_timeout_seconds":0,"headers":{"X-Org":"acme"},"health_check_url":"http://h:8080/health",)"
             R"("health_status":"healthy","id":2,"idle_timeout_seconds":0,)"
             R"("is_active":true,"last_error":null,"last_health_check":null,"load":{"active_requests":1,)"
             R"("avg_latency_ms_today":30,"errors_today":1,"last_request_at":"2026-01-31T08:30:00.005Z",)"
             R"("requests_today":5},"model_count":4,"name":"gpu","node_type":"ollama","priority":0,)"
             R"("secret_headers":["X-Token"],"warmup_enabled":false,"weight":100})"));

    ModelGroup group;
    group.id = 1;
    group.name = u"team"_s;
    group.members = {GroupMember{7, 1, u"chat"_s, 0, 100, {u"tools"_s}, true, false}};
    // No retry count of its own: null in the API, 0 in a backup.
    QCOMPARE(compact(toJson(group)),
             QByteArray(R"({"created_at":null,"description":"","id":1,"is_active":true,"list_in_catalog":false,)"
             R"("max_failover_retries":null,"members":[{"capability_tags":["tools"],"context_fallback":false,)"
             R"("id":7,"is_active":true,"model_display_name":"chat","preferred_node_ids":[],"priority":0,"weight":100}],)"
             R"("name":"team",)"
             R"("priority":0,"strategy":"round_robin","updated_at":null})"));
    QVERIFY(compact(toBackupJson(group)).contains(R"("max_failover_retries":0)"));

    ModelConfig config;
    config.id = 9;
    config.pattern = u"qwen*"_s;
    config.maxContextLength = 32768;
    QCOMPARE(compact(toJson(config)),
             QByteArray(R"({"allowed_tools":[],"default_context_length":null,"id":9,"keep_think_tags":false,"maintenance":false,)"
             R"("maintenance_message":"","max_context_length":32768,"model_pattern":"qwen*",)"
             R"("requests_per_minute":null,"stripped_params":[],"tokens_per_minute":null,"tool_sets":[],)"
             R"("tools_restricted":false,"updated_at":null})"));

    SystemPrompt prompt;
    prompt.id = 4;
    prompt.prompt = u"Be brief."_s;
    // No description: null in the API, "" in a backup.
    QCOMPARE(compact(toJson(prompt)),
             QByteArray(R"({"created_at":null,"description":null,"id":4,"is_active":true,"priority":0,"prompt":"Be brief.",)"
             R"("scope_type":"global","scope_value":"","updated_at":null})"));
    QVERIFY(compact(toBackupJson(prompt)).contains(R"("description":"")"));
}

void TestEntityJson::importOutcomeShowsNewTokensOnce()
{
    AdminService::ImportOutcome outcome;
    outcome.counts = {{u"users"_s, 2}, {u"nodes"_s, 0}};
    outcome.createdUsers = {{u"dave"_s, u"mm-1"_s}, {u"erin"_s, u"mm-2"_s}};
    QCOMPARE(compact(toJson(outcome)),
             QByteArray(R"({"created_users":[{"token":"mm-1","username":"dave"},{"token":"mm-2","username":"erin"}],)"
             R"("imported":{"nodes":0,"users":2}})"));
    QCOMPARE(compact(toJson(AdminService::ImportOutcome{})), QByteArray(R"({"created_users":[],"imported":{}})"));
}

void TestEntityJson::mappingsNameTheirNodes()
{
    const Catalog empty;
    ModelMapping mapping{u"chat"_s, u"llama3"_s, 131072, {u"tools"_s}, {12}, {}};
    QCOMPARE(compact(toJson(mapping, empty)),
             QByteArray(R"({"capabilities":["tools"],"context_length":131072,"context_length_display":"128K",)"
             R"("created_at":null,"display_name":"chat","node_ids":[12],"node_names":[null],"real_name":"llama3"})"));
    mapping.contextLength = 2 * 1024 * 1024;
    QCOMPARE(toJson(mapping, empty).value("context_length_display"_L1).toString(), u"2M"_s);
    mapping.contextLength = 1000;
    QCOMPARE(toJson(mapping, empty).value("context_length_display"_L1).toString(), u"1000"_s);
    mapping.contextLength = 0;
    QVERIFY(toJson(mapping, empty).value("context_length"_L1).isNull());
    QVERIFY(toJson(mapping, empty).value("context_length_display"_L1).isNull());
}

void TestEntityJson::backupEntriesReadBackWhatWasWritten()
{
    Node node;
    node.id = 6;
    node.name = u"gpu"_s;
    node.baseUrl = QUrl(u"https://h"_s);
    node.type = NodeType::OpenAi;
    node.priority = 3;
    node.weight = 50;
    node.active = false;
    node.idleTimeoutSeconds = 45;
    const auto readNode = backupNodeFromJson(toBackupJson(node));
    QVERIFY(readNode.ok());
    QCOMPARE(readNode.value().id, std::optional<qint64>(6));
    QCOMPARE(readNode.value().input.nodeType, std::optional<QString>(u"openai"_s));
    QCOMPARE(readNode.value().input.priority, std::optional<int>(3));
    QCOMPARE(readNode.value().input.weight, std::optional<int>(50));
    QCOMPARE(readNode.value().input.active, std::optional<bool>(false));
    QCOMPARE(readNode.value().input.idleTimeoutSeconds, std::optional<int>(45));

    User user;
    user.username = u"bob"_s;
    user.allModels = true;
    user.tokenLimit = 0;
    user.tokensPerMinute = 900;
    const auto readUser = backupUserFromJson(toBackupJson(user));
    QVERIFY(readUser.ok());
    QCOMPARE(readUser.value().username, u"bob"_s);
    QCOMPARE(readUser.value().allModels, true);
    QCOMPARE(readUser.value().limits.tokenLimit, std::optional<qint64>(0));
    QCOMPARE(readUser.value().limits.requestLimit, std::nullopt);
    QCOMPARE(readUser.value().limits.tokensPerMinute, std::optional<qint64>(900));

    ModelGroup group;
    group.name = u"team"_s;
    group.strategy = u"priority"_s;
    group.maxFailoverRetries = 2;
    group.members = {GroupMember{0, 0, u"a"_s, 1, 10, {}, false, true}};
    const auto readGroup = backupGroupFromJson(toBackupJson(group));
    QVERIFY(readGroup.ok());
    QCOMPARE(readGroup.value().group.strategy, std::optional<QString>(u"priority"_s));
    QCOMPARE(readGroup.value().group.maxFailoverRetries, std::optional<int>(2));
    QCOMPARE(readGroup.value().members.size(), 1);
    QCOMPARE(readGroup.value().members.first().model, std::optional<QString>(u"a"_s));
    QCOMPARE(readGroup.value().members.first().active, std::optional<bool>(false));
    QCOMPARE(readGroup.value().members.first().contextFallback, std::optional<bool>(true));

    ModelConfig config;
    config.pattern = u"m"_s;
    config.toolSets = {u"files"_s};
    config.defaultContextLength = 4096;
    const auto readConfig = modelConfigFromJson(toBackupJson(config));
    QVERIFY(readConfig.ok());
    QCOMPARE(readConfig.value().toolsRestricted, false); // written explicitly, so not inferred
    QCOMPARE(readConfig.value().toolSets, QStringList{u"files"_s});
    QCOMPARE(readConfig.value().defaultContextLength, 4096);
}

QTEST_GUILESS_MAIN(TestEntityJson)
#include "tst_entityjson.moc"

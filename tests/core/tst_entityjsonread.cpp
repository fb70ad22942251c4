// The readers of admin API answers and the writers of request bodies (core/entityjsonread.h), which
// the desktop app uses to manage a gateway over HTTP: every entity the API writes reads back to the
// same entity, every input the app sends reads back on the gateway to the same input, and an answer
// that is not what the API writes is refused with an error naming the field, never a crash.

#include "core/catalog.h"
#include "core/entityjson.h"
#include "core/entityjsonread.h"

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

QJsonObject object(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

QDateTime utc(int day, int hour, int minute, int second, int ms)
{
    return QDateTime(QDate(2025, 3, day), QTime(hour, minute, second, ms), Qt::UTC);
}

QJsonObject write(const ModelMapping &mapping)
{
    static const Catalog empty;
    return toJson(mapping, empty);
}

// --- Comparisons, field by field (a failed QCOMPARE returns from the helper; callers check
// QTest::currentTestFailed()). ---

void compareUsers(const User &actual, const User &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.username, expected.username);
    QCOMPARE(actual.active, expected.active);
    QCOMPARE(actual.allModels, expected.allModels);
    QCOMPARE(actual.models, expected.models);
    QCOMPARE(actual.requestLimit, expected.requestLimit);
    QCOMPARE(actual.tokenLimit, expected.tokenLimit);
    QCOMPARE(actual.requestsPerMinute, expected.requestsPerMinute);
    QCOMPARE(actual.tokensPerMinute, expected.tokensPerMinute);
    QCOMPARE(actual.nodeIds, expected.nodeIds);
    QCOMPARE(actual.nodeModels.size(), expected.nodeModels.size());
    for (qsizetype i = 0; i < expected.nodeModels.size(); ++i) {
        QCOMPARE(actual.nodeModels.at(i).nodeId, expected.nodeModels.at(i).nodeId);
        QCOMPARE(actual.nodeModels.at(i).model, expected.nodeModels.at(i).model);
    }
    QCOMPARE(actual.createdAt, expected.createdAt);
    QCOMPARE(actual.updatedAt, expected.updatedAt);
}

void compareNodes(const Node &actual, const Node &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.baseUrl, expected.baseUrl);
    QCOMPARE(actual.type, expected.type);
    QCOMPARE(actual.hasApiKey, expected.hasApiKey);
    QCOMPARE(actual.priority, expected.priority);
    QCOMPARE(actual.weight, expected.weight);
    QCOMPARE(actual.active, expected.active);
    QCOMPARE(actual.warmupEnabled, expected.warmupEnabled);
    QCOMPARE(actual.connectTimeoutSeconds, expected.connectTimeoutSeconds);
    QCOMPARE(actual.firstByteTimeoutSeconds, expected.firstByteTimeoutSeconds);
    QCOMPARE(actual.idleTimeoutSeconds, expected.idleTimeoutSeconds);
    QCOMPARE(actual.region, expected.region);
    QCOMPARE(actual.modelIds, expected.modelIds);
    QCOMPARE(actual.headers, expected.headers);
    QCOMPARE(actual.secretHeaderNames, expected.secretHeaderNames);
    QCOMPARE(actual.healthCheckUrl, expected.healthCheckUrl);
    QCOMPARE(actual.autoSyncEnabled, expected.autoSyncEnabled);
    QCOMPARE(actual.health, expected.health);
    QCOMPARE(actual.lastError, expected.lastError);
    QCOMPARE(actual.lastHealthCheck, expected.lastHealthCheck);
    QCOMPARE(actual.createdAt, expected.createdAt);
}

void compareExtras(const NodeExtras &actual, const NodeExtras &expected)
{
    QCOMPARE(actual.modelCount, expected.modelCount);
    QCOMPARE(actual.activeRequests, expected.activeRequests);
    QCOMPARE(actual.today.requests, expected.today.requests);
    QCOMPARE(actual.today.errors, expected.today.errors);
    QCOMPARE(actual.today.avgLatencyMs, expected.today.avgLatencyMs);
    QCOMPARE(actual.today.lastRequestAt, expected.today.lastRequestAt);
}

void compareNodeModels(const NodeModel &actual, const NodeModel &expected)
{
    QCOMPARE(actual.nodeId, expected.nodeId);
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.size, expected.size);
    QCOMPARE(actual.digest, expected.digest);
    QCOMPARE(actual.modifiedAt, expected.modifiedAt);
    QCOMPARE(actual.details, expected.details);
}

void compareMappings(const ModelMapping &actual, const ModelMapping &expected)
{
    QCOMPARE(actual.displayName, expected.displayName);
    QCOMPARE(actual.realName, expected.realName);
    QCOMPARE(actual.contextLength, expected.contextLength);
    QCOMPARE(actual.capabilities, expected.capabilities);
    QCOMPARE(actual.nodeIds, expected.nodeIds);
    QCOMPARE(actual.createdAt, expected.createdAt);
}

void compareGroups(const ModelGroup &actual, const ModelGroup &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.description, expected.description);
    QCOMPARE(actual.strategy, expected.strategy);
    QCOMPARE(actual.active, expected.active);
    QCOMPARE(actual.listInCatalog, expected.listInCatalog);
    QCOMPARE(actual.priority, expected.priority);
    QCOMPARE(actual.maxFailoverRetries, expected.maxFailoverRetries);
    QCOMPARE(actual.createdAt, expected.createdAt);
    QCOMPARE(actual.updatedAt, expected.updatedAt);
    QCOMPARE(actual.members.size(), expected.members.size());
    for (qsizetype i = 0; i < expected.members.size(); ++i) {
        const GroupMember &a = actual.members.at(i);
        const GroupMember &e = expected.members.at(i);
        QCOMPARE(a.id, e.id);
        QCOMPARE(a.groupId, e.groupId);
        QCOMPARE(a.model, e.model);
        QCOMPARE(a.priority, e.priority);
        QCOMPARE(a.weight, e.weight);
        QCOMPARE(a.capabilityTags, e.capabilityTags);
        QCOMPARE(a.active, e.active);
        QCOMPARE(a.contextFallback, e.contextFallback);
        QCOMPARE(a.preferredNodeIds, e.preferredNodeIds);
    }
}

void compareToolSets(const ToolSet &actual, const ToolSet &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.description, expected.description);
    QCOMPARE(actual.tools, expected.tools);
}

void compareConfigs(const ModelConfig &actual, const ModelConfig &expected, bool withIdAndTime = true)
{
    if (withIdAndTime) {
        QCOMPARE(actual.id, expected.id);
        QCOMPARE(actual.updatedAt, expected.updatedAt);
    }
    QCOMPARE(actual.pattern, expected.pattern);
    QCOMPARE(actual.toolsRestricted, expected.toolsRestricted);
    QCOMPARE(actual.allowedTools, expected.allowedTools);
    QCOMPARE(actual.toolSets, expected.toolSets);
    QCOMPARE(actual.strippedParams, expected.strippedParams);
    QCOMPARE(actual.defaultContextLength, expected.defaultContextLength);
    QCOMPARE(actual.maxContextLength, expected.maxContextLength);
    QCOMPARE(actual.maintenance, expected.maintenance);
    QCOMPARE(actual.maintenanceMessage, expected.maintenanceMessage);
    QCOMPARE(actual.keepThinkTags, expected.keepThinkTags);
    QCOMPARE(actual.requestsPerMinute, expected.requestsPerMinute);
    QCOMPARE(actual.tokensPerMinute, expected.tokensPerMinute);
}

void comparePrompts(const SystemPrompt &actual, const SystemPrompt &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.scope, expected.scope);
    QCOMPARE(actual.scopeValue, expected.scopeValue);
    QCOMPARE(actual.prompt, expected.prompt);
    QCOMPARE(actual.priority, expected.priority);
    QCOMPARE(actual.active, expected.active);
    QCOMPARE(actual.description, expected.description);
    QCOMPARE(actual.createdAt, expected.createdAt);
    QCOMPARE(actual.updatedAt, expected.updatedAt);
}

void compareLogEntries(const RequestLogEntry &actual, const RequestLogEntry &expected)
{
    QCOMPARE(actual.userId, expected.userId);
    QCOMPARE(actual.username, expected.username);
    QCOMPARE(actual.endpoint, expected.endpoint);
    QCOMPARE(actual.model, expected.model);
    QCOMPARE(actual.realModel, expected.realModel);
    QCOMPARE(actual.nodeId, expected.nodeId);
    QCOMPARE(actual.statusCode, expected.statusCode);
    QCOMPARE(actual.durationMs, expected.durationMs);
    QCOMPARE(actual.ttfbMs, expected.ttfbMs);
    QCOMPARE(actual.promptTokens, expected.promptTokens);
    QCOMPARE(actual.completionTokens, expected.completionTokens);
    QCOMPARE(actual.streamed, expected.streamed);
    QCOMPARE(actual.errorMessage, expected.errorMessage);
    QCOMPARE(actual.createdAt, expected.createdAt);
    QCOMPARE(actual.dialect, expected.dialect);
    QCOMPARE(actual.reason, expected.reason);
    QCOMPARE(actual.suppressed, expected.suppressed);
}

void compareAudit(const AuditEntry &actual, const AuditEntry &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.action, expected.action);
    QCOMPARE(actual.entityType, expected.entityType);
    QCOMPARE(actual.entityId, expected.entityId);
    QCOMPARE(actual.details, expected.details);
    QCOMPARE(actual.createdAt, expected.createdAt);
}

// --- Fully populated entities: every field away from its default. ---

User fullUser()
{
    User user;
    user.id = 9000000000123; // beyond 32 bits, within what a JSON number holds exactly
    user.username = u"jürgen-Ω"_s;
    user.active = false;
    user.allModels = true;
    user.models = {u"llama3"_s, u"chat-größer"_s};
    user.requestLimit = 0; // a limit of zero is a limit, not unlimited
    user.tokenLimit = 1500000;
    user.requestsPerMinute = 60;
    user.tokensPerMinute = 90000;
    user.nodeIds = {3, 7};
    user.nodeModels = {{3, u"llama3:8b"_s}, {7, u"qwen2.5:32b"_s}};
    user.createdAt = utc(1, 8, 15, 30, 125);
    user.updatedAt = utc(2, 23, 59, 59, 999);
    return user;
}

Node fullNode()
{
    Node node;
    node.id = 12;
    node.name = u"Knoten Ω"_s;
    node.baseUrl = QUrl(u"https://gpu-1.example.com:8443/v1"_s);
    node.type = NodeType::Bedrock; // the only type whose region and model ids the API writes
    node.hasApiKey = true;
    node.priority = -3;
    node.weight = 7;
    node.active = false;
    node.warmupEnabled = true;
    node.connectTimeoutSeconds = 4;
    node.firstByteTimeoutSeconds = 300;
    node.idleTimeoutSeconds = 45;
    node.region = u"eu-central-1"_s;
    node.modelIds = {u"anthropic.claude-3-haiku-20240307-v1:0"_s, u"meta.llama3-70b"_s};
    // In the order of their names: a JSON object holds its keys sorted.
    node.headers = {{u"X-Team"_s, u"Maschinelles Lernen"_s}, {u"X-Zone"_s, u"b"_s}};
    node.secretHeaderNames = {u"X-Secret"_s, u"X-Token"_s};
    node.healthCheckUrl = u"https://gpu-1.example.com/health"_s;
    node.autoSyncEnabled = false;
    node.health = Health::Unhealthy;
    node.lastError = u"HTTP 503 – überlastet"_s;
    node.lastHealthCheck = utc(2, 10, 11, 12, 345);
    node.createdAt = utc(1, 0, 0, 0, 1);
    return node;
}

NodeExtras fullExtras()
{
    NodeExtras extras;
    extras.modelCount = 4;
    extras.activeRequests = 2;
    extras.today.requests = 421;
    extras.today.errors = 3;
    extras.today.avgLatencyMs = 830;
    extras.today.lastRequestAt = utc(2, 10, 11, 0, 7);
    return extras;
}

QJsonObject writeNode(const Node &node, const NodeExtras &extras)
{
    return toJson(node, extras.modelCount, nodeLoadToJson(extras.activeRequests, extras.today));
}

ModelGroup fullGroup()
{
    ModelGroup group;
    group.id = 5;
    group.name = u"chat-ä"_s;
    group.description = u"Schnellste zuerst"_s;
    group.strategy = u"weighted"_s;
    group.active = false;
    group.listInCatalog = true;
    group.priority = 8;
    group.maxFailoverRetries = 3;
    group.createdAt = utc(1, 1, 2, 3, 4);
    group.updatedAt = utc(2, 5, 6, 7, 8);
    GroupMember first;
    first.id = 11;
    first.groupId = 5;
    first.model = u"llama3"_s;
    first.priority = 1;
    first.weight = 30;
    first.capabilityTags = {u"tools"_s, u"vision"_s};
    first.active = false;
    first.contextFallback = true;
    first.preferredNodeIds = {3, 1};
    GroupMember second;
    second.id = 12;
    second.groupId = 5;
    second.model = u"qwen-lang-ü"_s;
    second.priority = 2;
    group.members = {first, second};
    return group;
}

ModelConfig fullConfig()
{
    ModelConfig config;
    config.id = 31;
    config.pattern = u"qwen*"_s;
    config.toolsRestricted = true;
    config.allowedTools = {u"search"_s, u"rechnen"_s};
    config.toolSets = {u"web"_s};
    config.strippedParams = {u"seed"_s, u"logit_bias"_s};
    config.defaultContextLength = 8192;
    config.maxContextLength = 32768;
    config.maintenance = true;
    config.maintenanceMessage = u"Wartung bis 12:00 – danke"_s;
    config.keepThinkTags = true;
    config.requestsPerMinute = 60;
    config.tokensPerMinute = 120000;
    config.updatedAt = utc(3, 4, 5, 6, 78);
    return config;
}

SystemPrompt fullPrompt()
{
    SystemPrompt prompt;
    prompt.id = 77;
    prompt.scope = PromptScope::Mapping;
    prompt.scopeValue = u"chat-ü"_s;
    prompt.prompt = u"Antworte auf Deutsch.\nKurz."_s;
    prompt.priority = -4;
    prompt.active = false;
    prompt.description = u"Hausstil"_s;
    prompt.createdAt = utc(1, 2, 3, 4, 5);
    prompt.updatedAt = utc(4, 5, 6, 7, 890);
    return prompt;
}

RequestLogEntry fullLogEntry()
{
    RequestLogEntry entry;
    // userId is not in the answer: it stays 0.
    entry.username = u"jürgen"_s;
    entry.endpoint = u"/v1/chat/completions"_s;
    entry.model = u"chat"_s;
    entry.realModel = u"llama3:8b"_s;
    entry.nodeId = 3;
    entry.statusCode = 429;
    entry.durationMs = 1530;
    entry.ttfbMs = 0; // a first byte at once is a time, not "none"
    entry.promptTokens = 1200;
    entry.completionTokens = 250;
    entry.streamed = true;
    entry.errorMessage = u"Tageslimit erreicht"_s;
    entry.createdAt = utc(2, 10, 11, 0, 1);
    entry.dialect = u"openai"_s;
    entry.reason = u"limit:daily_requests"_s;
    entry.suppressed = 14;
    return entry;
}

AuditEntry fullAudit()
{
    AuditEntry entry;
    entry.id = 8123;
    entry.action = u"model_config.update"_s;
    entry.entityType = u"model_config"_s;
    entry.entityId = u"qwen*"_s;
    entry.details = object(R"({"changes":["maintenance"],"nested":{"n":1.5,"ok":true,"none":null},"text":"ü"})");
    entry.createdAt = utc(5, 6, 7, 8, 9);
    return entry;
}

// Every reader under one signature, for the malformed rows: the error, or empty when accepted.
template<typename T>
QString errorOf(const QJsonObject &json)
{
    T value;
    QString error;
    return readJson(json, &value, &error) ? QString() : error;
}

const QHash<QString, std::function<QString(const QJsonObject &)>> &readers()
{
    static const QHash<QString, std::function<QString(const QJsonObject &)>> all{
        {u"user"_s, errorOf<User>},
        {u"created user"_s, errorOf<AdminService::CreatedUser>},
        {u"node"_s, errorOf<Node>},
        {u"node with extras"_s,
         [](const QJsonObject &json) {
             Node node;
             NodeExtras extras;
             QString error;
             return readJson(json, &node, &error, &extras) ? QString() : error;
         }},
        {u"model"_s, errorOf<NodeModel>},
        {u"mapping"_s, errorOf<ModelMapping>},
        {u"group"_s, errorOf<ModelGroup>},
        {u"tool set"_s, errorOf<ToolSet>},
        {u"model config"_s, errorOf<ModelConfig>},
        {u"prompt"_s, errorOf<SystemPrompt>},
        {u"log entry"_s, errorOf<RequestLogEntry>},
        {u"audit entry"_s, errorOf<AuditEntry>},
        {u"usage"_s, errorOf<Store::DayUsage>},
    };
    return all;
}

} // namespace

class TestEntityJsonRead final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void usersReadBack();
    void nodesReadBackWithTheirLoad();
    void nodeTypesAndHealthReadBack_data();
    void nodeTypesAndHealthReadBack();
    void nodeModelsReadBack();
    void mappingsReadBack();
    void groupsReadBackWithTheirMembers();
    void toolSetsAndConfigsReadBack();
    void promptsReadBackInEveryScope_data();
    void promptsReadBackInEveryScope();
    void logEntriesReadBack();
    void auditEntriesAndUsageReadBack();
    void olderAndNewerAnswersStillRead();
    void timesAreReadInUtc();
    void listsReadEveryElement();
    void malformedAnswersAreRefused_data();
    void malformedAnswersAreRefused();
    void nodeInputsReadBackOnTheGateway();
    void mappingGroupMemberAndPromptInputsReadBack();
    void limitsBodySetsExactlyTheLimits();
    void toolSetAndConfigAnswersAreValidBodies();
};

void TestEntityJsonRead::usersReadBack()
{
    // Everything the users page shows and edits comes back as the gateway holds it.
    for (const User &expected : {fullUser(), User()}) {
        User actual;
        actual.username = u"stale"_s; // a reused object is overwritten, not merged
        QString error;
        QVERIFY2(readJson(toJson(expected), &actual, &error), qPrintable(error));
        compareUsers(actual, expected);
        if (QTest::currentTestFailed())
            return;
    }

    // A new user's token is shown once: it reads back with the user.
    AdminService::CreatedUser created{fullUser(), u"mm-0123456789abcdef"_s};
    AdminService::CreatedUser actual;
    QString error;
    QVERIFY2(readJson(toJson(created), &actual, &error), qPrintable(error));
    QCOMPARE(actual.token, created.token);
    compareUsers(actual.user, created.user);
    if (QTest::currentTestFailed())
        return;
    // A plain user object is not a created user: without the token the app would show nothing.
    QVERIFY(!readJson(toJson(fullUser()), &actual, &error));
    QCOMPARE(error, u"user: \"token\" is missing"_s);
}

void TestEntityJsonRead::nodesReadBackWithTheirLoad()
{
    const Node full = fullNode();
    const NodeExtras extras = fullExtras();
    Node actual;
    NodeExtras actualExtras;
    QString error;
    QVERIFY2(readJson(writeNode(full, extras), &actual, &error, &actualExtras), qPrintable(error));
    compareNodes(actual, full);
    if (QTest::currentTestFailed())
        return;
    compareExtras(actualExtras, extras);
    if (QTest::currentTestFailed())
        return;
    // The API key never comes back, only whether one is set.
    QVERIFY(!writeNode(full, extras).contains("api_key"_L1));

    // Without asking for the extras, the node alone.
    Node plain;
    QVERIFY2(readJson(writeNode(full, extras), &plain, &error), qPrintable(error));
    compareNodes(plain, full);
    if (QTest::currentTestFailed())
        return;

    // The default node, and one answered without its load (an empty "load" object, as a node
    // created a moment ago is shown): the extras are zero.
    Node defaults;
    NodeExtras none;
    QVERIFY2(readJson(toJson(Node(), 0, {}), &defaults, &error, &none), qPrintable(error));
    compareNodes(defaults, Node());
    if (QTest::currentTestFailed())
        return;
    compareExtras(none, NodeExtras());
}

void TestEntityJsonRead::nodeTypesAndHealthReadBack_data()
{
    QTest::addColumn<NodeType>("type");
    QTest::addColumn<Health>("health");
    QTest::newRow("ollama, healthy") << NodeType::Ollama << Health::Healthy;
    QTest::newRow("openai, unhealthy") << NodeType::OpenAi << Health::Unhealthy;
    QTest::newRow("bedrock, unknown") << NodeType::Bedrock << Health::Unknown;
    QTest::newRow("anthropic, healthy") << NodeType::Anthropic << Health::Healthy;
}

void TestEntityJsonRead::nodeTypesAndHealthReadBack()
{
    QFETCH(NodeType, type);
    QFETCH(Health, health);
    Node node = fullNode();
    node.type = type;
    node.health = health;
    if (type != NodeType::Bedrock) {
        // Only a Bedrock node shows its region and model ids.
        node.region.clear();
        node.modelIds.clear();
    }
    Node actual;
    QString error;
    QVERIFY2(readJson(toJson(node, 0, {}), &actual, &error), qPrintable(error));
    compareNodes(actual, node);
}

void TestEntityJsonRead::nodeModelsReadBack()
{
    NodeModel model;
    model.nodeId = 0; // the answer lists the models of one node and does not repeat its id
    model.name = u"llama3:8b-größer"_s;
    model.size = 4661224676;
    model.digest = u"sha256:365c0bd3c000a25d28ddbf732fe1c6add414de7275464c4e4d1c3b5fcb5d8ad1"_s;
    model.modifiedAt = u"2025-03-01T08:15:30.125+01:00"_s; // as the node wrote it, not a time of ours
    model.details = object(R"({"family":"llama","parameter_size":"8B","quantization_level":"Q4_0","families":["llama"]})");
    for (const NodeModel &expected : {model, NodeModel()}) {
        NodeModel actual;
        QString error;
        QVERIFY2(readJson(toJson(expected), &actual, &error), qPrintable(error));
        compareNodeModels(actual, expected);
        if (QTest::currentTestFailed())
            return;
    }
}

void TestEntityJsonRead::mappingsReadBack()
{
    ModelMapping mapping{u"chat-ü"_s, u"llama3:70b"_s, 131072, {u"tools"_s, u"vision"_s}, {1, 2}, utc(1, 2, 3, 4, 567)};
    ModelMapping odd = mapping;
    odd.contextLength = 1000; // not a multiple of 1K: the display differs, the number does not
    for (const ModelMapping &expected : {mapping, odd, ModelMapping()}) {
        ModelMapping actual;
        QString error;
        QVERIFY2(readJson(write(expected), &actual, &error), qPrintable(error));
        compareMappings(actual, expected);
        if (QTest::currentTestFailed())
            return;
    }
}

void TestEntityJsonRead::groupsReadBackWithTheirMembers()
{
    for (const ModelGroup &expected : {fullGroup(), ModelGroup()}) {
        ModelGroup actual;
        QString error;
        QVERIFY2(readJson(toJson(expected), &actual, &error), qPrintable(error));
        compareGroups(actual, expected);
        if (QTest::currentTestFailed())
            return;
    }
}

void TestEntityJsonRead::toolSetsAndConfigsReadBack()
{
    ToolSet set{4, u"web-ü"_s, u"Suchen und Lesen"_s, {u"search"_s, u"fetch"_s}};
    for (const ToolSet &expected : {set, ToolSet()}) {
        ToolSet actual;
        QString error;
        QVERIFY2(readJson(toJson(expected), &actual, &error), qPrintable(error));
        compareToolSets(actual, expected);
        if (QTest::currentTestFailed())
            return;
    }
    for (const ModelConfig &expected : {fullConfig(), ModelConfig()}) {
        ModelConfig actual;
        QString error;
        QVERIFY2(readJson(toJson(expected), &actual, &error), qPrintable(error));
        compareConfigs(actual, expected);
        if (QTest::currentTestFailed())
            return;
    }
}

void TestEntityJsonRead::promptsReadBackInEveryScope_data()
{
    QTest::addColumn<PromptScope>("scope");
    for (PromptScope scope : {PromptScope::Global, PromptScope::User, PromptScope::Node, PromptScope::Group,
                              PromptScope::Model, PromptScope::Mapping})
        QTest::newRow(qPrintable(promptScopeName(scope))) << scope;
}

void TestEntityJsonRead::promptsReadBackInEveryScope()
{
    QFETCH(PromptScope, scope);
    SystemPrompt prompt = fullPrompt();
    prompt.scope = scope;
    for (const SystemPrompt &expected : {prompt, SystemPrompt()}) {
        SystemPrompt actual;
        QString error;
        QVERIFY2(readJson(toJson(expected), &actual, &error), qPrintable(error));
        comparePrompts(actual, expected);
        if (QTest::currentTestFailed())
            return;
    }
}

void TestEntityJsonRead::logEntriesReadBack()
{
    RequestLogEntry refused;
    refused.username = u"x"_s;
    refused.statusCode = 403;
    refused.reason = u"model_not_allowed"_s;
    for (const RequestLogEntry &expected : {fullLogEntry(), refused, RequestLogEntry()}) {
        RequestLogEntry actual;
        QString error;
        QVERIFY2(readJson(toJson(expected), &actual, &error), qPrintable(error));
        compareLogEntries(actual, expected);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(actual.refused(), expected.refused());
    }
    // "ttfb_ms": null (no byte reached the client) is -1 again, not 0.
    RequestLogEntry actual;
    QString error;
    QVERIFY(readJson(toJson(RequestLogEntry()), &actual, &error));
    QCOMPARE(actual.ttfbMs, -1);
}

void TestEntityJsonRead::auditEntriesAndUsageReadBack()
{
    for (const AuditEntry &expected : {fullAudit(), AuditEntry()}) {
        AuditEntry actual;
        QString error;
        QVERIFY2(readJson(toJson(expected), &actual, &error), qPrintable(error));
        compareAudit(actual, expected);
        if (QTest::currentTestFailed())
            return;
    }
    Store::DayUsage usage;
    QString error;
    QVERIFY2(readJson(object(R"({"date":"2025-03-02","requests":9000000000000,"tokens":3400})"), &usage, &error),
             qPrintable(error));
    QCOMPARE(usage.requests, 9000000000000);
    QCOMPARE(usage.tokens, 3400);
}

void TestEntityJsonRead::olderAndNewerAnswersStillRead()
{
    // An older gateway writes fewer fields: what is missing keeps the entity's default. A newer
    // one writes more: unknown fields are ignored, an unknown health reads as unknown.
    User user;
    QString error;
    QVERIFY2(readJson(object(R"({"id":3,"username":"a","future":{"x":1}})"), &user, &error), qPrintable(error));
    QCOMPARE(user.id, 3);
    QVERIFY(user.active);
    QVERIFY(!user.requestLimit);
    QVERIFY(!user.createdAt.isValid());

    Node node;
    NodeExtras extras;
    QVERIFY2(readJson(object(R"({"id":1,"name":"n","node_type":"vllm","health_status":"degraded"})"), &node, &error, &extras),
             qPrintable(error));
    QCOMPARE(node.type, NodeType::OpenAi); // the seed's spelling, as the gateway reads it
    QCOMPARE(node.health, Health::Unknown);
    QCOMPARE(node.weight, 100);
    QVERIFY(node.autoSyncEnabled);
    QCOMPARE(extras.modelCount, 0);

    RequestLogEntry entry;
    QVERIFY2(readJson(object(R"({"status_code":200,"request_type":"/api/chat"})"), &entry, &error), qPrintable(error));
    QCOMPARE(entry.endpoint, u"/api/chat"_s); // the seed's name of the endpoint
    QCOMPARE(entry.ttfbMs, -1);
}

void TestEntityJsonRead::timesAreReadInUtc()
{
    // An offset is honoured; a time without one is UTC, as the API means it.
    User user;
    QString error;
    QVERIFY(readJson(object(R"({"id":1,"username":"a","created_at":"2025-03-02T12:11:12.345+02:00",
                                "updated_at":"2025-03-02T10:11:12.345"})"),
                     &user, &error));
    QCOMPARE(user.createdAt, utc(2, 10, 11, 12, 345));
    QCOMPARE(user.createdAt.timeSpec(), Qt::UTC);
    QCOMPARE(user.updatedAt, utc(2, 10, 11, 12, 345));
    QCOMPARE(toJson(user).value("created_at"_L1).toString(), u"2025-03-02T10:11:12.345Z"_s);
}

void TestEntityJsonRead::listsReadEveryElement()
{
    QJsonArray answer{toJson(fullUser()), toJson(User())};
    QList<User> users{User(), User(), User()}; // replaced, not appended to
    QString error;
    QVERIFY2(readJsonList(answer, &users, &error), qPrintable(error));
    QCOMPARE(users.size(), 2);
    compareUsers(users.at(0), fullUser());
    if (QTest::currentTestFailed())
        return;

    QVERIFY(readJsonList(QJsonArray(), &users, &error));
    QVERIFY(users.isEmpty());

    // The first bad element is named by its position.
    answer.append(QJsonObject{{u"id"_s, u"7"_s}, {u"username"_s, u"b"_s}});
    QVERIFY(!readJsonList(answer, &users, &error));
    QCOMPARE(error, u"element 2: user: \"id\" must be an integer"_s);
    QVERIFY(!readJsonList(QJsonArray{toJson(fullUser()), 1}, &users, &error));
    QCOMPARE(error, u"element 1 is not an object"_s);
    QVERIFY(!readJsonList(QJsonArray{QJsonValue()}, &users, &error));
    QCOMPARE(error, u"element 0 is not an object"_s);
    QList<Node> nodes;
    QVERIFY(!readJsonList(QJsonArray{QJsonValue(QJsonArray()), toJson(fullNode(), 0, {})}, &nodes, &error));
    QCOMPARE(error, u"element 0 is not an object"_s);
}

void TestEntityJsonRead::malformedAnswersAreRefused_data()
{
    QTest::addColumn<QString>("reader");
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");

    const auto row = [](const char *name, const QString &reader, const QByteArray &json, const QString &error) {
        QTest::newRow(name) << reader << json << error;
    };
    const QByteArray user = R"("id":1,"username":"a")";
    const auto withUser = [&](const char *more) -> QByteArray { return "{" + user + "," + more + "}"; };
    row("user: no id", u"user"_s, R"({"username":"a"})", u"user: \"id\" is missing"_s);
    row("user: id as text", u"user"_s, R"({"id":"7","username":"a"})", u"user: \"id\" must be an integer"_s);
    row("user: id with a fraction", u"user"_s, R"({"id":7.5,"username":"a"})", u"user: \"id\" must be an integer"_s);
    row("user: id beyond what JSON holds exactly", u"user"_s, R"({"id":1e300,"username":"a"})",
        u"user: \"id\" must be an integer"_s);
    row("user: id just beyond 9e15", u"user"_s, R"({"id":9000000000000001000,"username":"a"})",
        u"user: \"id\" must be an integer"_s);
    row("user: username null", u"user"_s, R"({"id":1,"username":null})", u"user: \"username\" must be a string"_s);
    row("user: empty object", u"user"_s, R"({})", u"user: \"id\" is missing"_s);
    row("user: is_active as text", u"user"_s, withUser(R"("is_active":"yes")"), u"user: \"is_active\" must be a boolean"_s);
    row("user: models as a string", u"user"_s, withUser(R"("models":"llama3")"),
        u"user: \"models\" must be an array of strings"_s);
    row("user: a number among the models", u"user"_s, withUser(R"("models":["a",1])"),
        u"user: \"models\" must be an array of strings"_s);
    row("user: a negative limit", u"user"_s, withUser(R"("request_limit":-1)"),
        u"user: \"request_limit\" must be a non-negative integer or null"_s);
    row("user: a limit as text", u"user"_s, withUser(R"("tokens_per_minute":"10")"),
        u"user: \"tokens_per_minute\" must be a non-negative integer or null"_s);
    row("user: a huge limit", u"user"_s, withUser(R"("token_limit":1e19)"),
        u"user: \"token_limit\" must be a non-negative integer or null"_s);
    row("user: node ids as text", u"user"_s, withUser(R"("node_ids":["1"])"),
        u"user: \"node_ids\" must be an array of integers"_s);
    row("user: a node id beyond what JSON holds exactly", u"user"_s, withUser(R"("node_ids":[2,3e75])"),
        u"user: \"node_ids\" must be an array of integers"_s);
    row("user: node models holding a number", u"user"_s, withUser(R"("node_models":[1])"),
        u"user: \"node_models\" element 0 must be {\"node_id\": integer, \"model_name\": string}"_s);
    row("user: a node model without its model", u"user"_s, withUser(R"("node_models":[{"node_id":1}])"),
        u"user: \"node_models\" element 0 must be {\"node_id\": integer, \"model_name\": string}"_s);
    row("user: node models as an object", u"user"_s, withUser(R"("node_models":{})"),
        u"user: \"node_models\" must be an array"_s);
    row("user: a time that is not one", u"user"_s, withUser(R"("created_at":"yesterday")"),
        u"user: \"created_at\" must be an ISO 8601 time or null"_s);
    row("user: a time as a number", u"user"_s, withUser(R"("updated_at":1740000000)"),
        u"user: \"updated_at\" must be an ISO 8601 time or null"_s);
    row("user: the first wrong field is named", u"user"_s, withUser(R"("is_active":1,"models":2)"),
        u"user: \"is_active\" must be a boolean"_s);
    row("created user: no token", u"created user"_s, "{" + user + "}", u"user: \"token\" is missing"_s);
    row("created user: token as a number", u"created user"_s, withUser(R"("token":5)"),
        u"user: \"token\" must be a string"_s);

    const QByteArray node = R"("id":1,"name":"n","node_type":"ollama")";
    const auto withNode = [&](const char *more) -> QByteArray { return "{" + node + "," + more + "}"; };
    row("node: no type", u"node"_s, R"({"id":1,"name":"n"})", u"node: \"node_type\" is missing"_s);
    row("node: an unknown type", u"node"_s, R"({"id":1,"name":"n","node_type":"gopher"})",
        u"node: \"node_type\" must be one of ollama, openai, bedrock, anthropic"_s);
    row("node: a priority beyond an int", u"node"_s, withNode(R"("priority":3000000000)"),
        u"node: \"priority\" must be an integer"_s);
    row("node: a weight of -1e10", u"node"_s, withNode(R"("weight":-1e10)"), u"node: \"weight\" must be an integer"_s);
    row("node: headers as an array", u"node"_s, withNode(R"("headers":["X-A"])"),
        u"node: \"headers\" must be an object of header names and string values"_s);
    row("node: a header value as a number", u"node"_s, withNode(R"("headers":{"X-A":1})"),
        u"node: \"headers\": the value of X-A must be a string"_s);
    row("node: secret headers as an object", u"node"_s, withNode(R"("secret_headers":{"X-A":"v"})"),
        u"node: \"secret_headers\" must be an array of strings"_s);
    row("node: a base URL that is not one", u"node"_s, withNode(R"("base_url":"http://[::1")"),
        u"node: \"base_url\" must be a URL"_s);
    row("node: a base URL as a number", u"node"_s, withNode(R"("base_url":80)"), u"node: \"base_url\" must be a string"_s);
    row("node: last_error as an object", u"node"_s, withNode(R"("last_error":{})"),
        u"node: \"last_error\" must be a string"_s);
    row("node: a load that is not an object is only read when asked for", u"node"_s, withNode(R"("load":[])"), {});
    row("node: a load that is not an object", u"node with extras"_s, withNode(R"("load":[])"),
        u"node: \"load\" must be an object"_s);
    row("node: a null load is no load", u"node with extras"_s, withNode(R"("load":null)"), {});
    row("node: a wrong field of the load", u"node with extras"_s, withNode(R"("load":{"requests_today":"x"})"),
        u"node: \"load\": \"requests_today\" must be an integer"_s);
    row("node: active requests beyond an int", u"node with extras"_s, withNode(R"("load":{"active_requests":1e12})"),
        u"node: \"load\": \"active_requests\" must be an integer"_s);
    row("node: model count as text", u"node with extras"_s, withNode(R"("model_count":"4")"),
        u"node: \"model_count\" must be an integer"_s);

    row("model: no name", u"model"_s, R"({"size":1})", u"model: \"name\" is missing"_s);
    row("model: size as text", u"model"_s, R"({"name":"m","size":"4GB"})", u"model: \"size\" must be an integer"_s);
    row("model: details as an array", u"model"_s, R"({"name":"m","details":[]})", u"model: \"details\" must be an object"_s);
    row("mapping: no real name", u"mapping"_s, R"({"display_name":"d"})", u"mapping: \"real_name\" is missing"_s);
    row("mapping: a negative context length", u"mapping"_s, R"({"display_name":"d","real_name":"r","context_length":-1})",
        u"mapping: \"context_length\" must be a non-negative integer"_s);
    row("mapping: node ids as text", u"mapping"_s, R"({"display_name":"d","real_name":"r","node_ids":"1"})",
        u"mapping: \"node_ids\" must be an array of integers"_s);

    const QByteArray group = R"("id":1,"name":"g")";
    const auto withGroup = [&](const char *more) -> QByteArray { return "{" + group + "," + more + "}"; };
    row("group: members as an object", u"group"_s, withGroup(R"("members":{})"), u"group: \"members\" must be an array"_s);
    row("group: a null member", u"group"_s, withGroup(R"("members":[null])"), u"group: member 1 is not an object"_s);
    row("group: a member without an id", u"group"_s, withGroup(R"("members":[{"model_display_name":"m"}])"),
        u"group: member 1: \"id\" is missing"_s);
    row("group: a wrong field of the second member", u"group"_s,
        withGroup(R"("members":[{"id":1,"model_display_name":"m"},{"id":2,"model_display_name":"m","weight":"x"}])"),
        u"group: member 2: \"weight\" must be an integer"_s);
    row("group: preferred nodes holding null", u"group"_s,
        withGroup(R"("members":[{"id":1,"model_display_name":"m","preferred_node_ids":[null]}])"),
        u"group: member 1: \"preferred_node_ids\" must be an array of integers"_s);
    row("group: strategy as a number", u"group"_s, withGroup(R"("strategy":1)"), u"group: \"strategy\" must be a string"_s);
    row("tool set: tools holding null", u"tool set"_s, R"({"id":1,"name":"t","tools":[null]})",
        u"tool set: \"tools\" must be an array of strings"_s);
    row("tool set: no name", u"tool set"_s, R"({"id":1})", u"tool set: \"name\" is missing"_s);
    row("model config: no pattern", u"model config"_s, R"({"id":1})", u"model config: \"model_pattern\" is missing"_s);
    row("model config: a negative context length", u"model config"_s,
        R"({"id":1,"model_pattern":"q*","default_context_length":-5})",
        u"model config: \"default_context_length\" must be a non-negative integer"_s);
    row("model config: a limit as a boolean", u"model config"_s,
        R"({"id":1,"model_pattern":"q*","requests_per_minute":true})",
        u"model config: \"requests_per_minute\" must be a non-negative integer or null"_s);
    row("prompt: an unknown scope", u"prompt"_s, R"({"id":1,"scope_type":"planet","prompt":"p"})",
        u"system prompt: \"scope_type\" must be one of global, user, node, group, model, mapping"_s);
    row("prompt: no text", u"prompt"_s, R"({"id":1,"scope_type":"global"})", u"system prompt: \"prompt\" is missing"_s);
    row("log entry: no status", u"log entry"_s, R"({"username":"a"})", u"log entry: \"status_code\" is missing"_s);
    row("log entry: a negative time to first byte", u"log entry"_s, R"({"status_code":200,"ttfb_ms":-1})",
        u"log entry: \"ttfb_ms\" must be a non-negative integer"_s);
    row("log entry: duration as text", u"log entry"_s, R"({"status_code":200,"duration_ms":"1s"})",
        u"log entry: \"duration_ms\" must be an integer"_s);
    row("log entry: streamed as a number", u"log entry"_s, R"({"status_code":200,"streamed":1})",
        u"log entry: \"streamed\" must be a boolean"_s);
    row("audit entry: no action", u"audit entry"_s, R"({"id":1})", u"audit entry: \"action\" is missing"_s);
    row("audit entry: details as an array", u"audit entry"_s, R"({"id":1,"action":"a","details":[]})",
        u"audit entry: \"details\" must be an object"_s);
    row("usage: no tokens", u"usage"_s, R"({"requests":1})", u"usage: \"tokens\" is missing"_s);
    row("usage: negative requests", u"usage"_s, R"({"requests":-1,"tokens":0})",
        u"usage: \"requests\" must be a non-negative integer"_s);
    row("usage: tokens null", u"usage"_s, R"({"requests":1,"tokens":null})", u"usage: \"tokens\" must be an integer"_s);
}

void TestEntityJsonRead::malformedAnswersAreRefused()
{
    QFETCH(QString, reader);
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    QVERIFY2(readers().contains(reader), qPrintable(reader));
    const QJsonDocument document = QJsonDocument::fromJson(json);
    QVERIFY2(document.isObject(), json.constData());
    QCOMPARE(readers().value(reader)(document.object()), error);
}

void TestEntityJsonRead::nodeInputsReadBackOnTheGateway()
{
    AdminService::NodeInput full;
    full.name = u"Knoten Ω"_s;
    full.baseUrl = u"https://gpu.example.com"_s;
    full.nodeType = u"bedrock"_s;
    full.apiKey = u""_s; // an empty key clears the key: it must be sent, not left out
    full.priority = -2;
    full.weight = 0;
    full.active = false;
    full.warmupEnabled = true;
    full.connectTimeoutSeconds = 5;
    full.firstByteTimeoutSeconds = 900;
    full.idleTimeoutSeconds = 45;
    full.region = u"eu-west-1"_s;
    full.modelIds = QStringList{u"a"_s, u"b"_s};
    full.awsAccessKeyId = u"AKIA1"_s;
    full.awsSecretAccessKey = u"geheim"_s;
    full.awsSessionToken = u"tok"_s;
    full.headers = QList<std::pair<QString, QString>>{{u"X-A"_s, u"1"_s}, {u"X-B"_s, u"zwei"_s}};
    full.secretHeaders = QList<std::pair<QString, std::optional<QString>>>{{u"X-Gone"_s, std::nullopt},
                                                                           {u"X-Key"_s, u"v"_s}};
    full.healthCheckUrl = u""_s;
    full.autoSyncEnabled = false;

    // Only a weight, and a secret header to remove: everything else must stay as the gateway has it.
    AdminService::NodeInput sparse;
    sparse.weight = 0;
    sparse.secretHeaders = QList<std::pair<QString, std::optional<QString>>>{{u"X-Gone"_s, std::nullopt}};

    // Every plain header removed: an empty list, not "leave them".
    AdminService::NodeInput cleared;
    cleared.headers = QList<std::pair<QString, QString>>{};

    for (const AdminService::NodeInput &input : {full, sparse, cleared, AdminService::NodeInput()}) {
        const QJsonObject body = inputToJson(input);
        const auto read = nodeInputFromJson(body, false);
        QVERIFY2(read.ok(), qPrintable(read.error().message));
        const AdminService::NodeInput &got = read.value();
        QCOMPARE(got.name, input.name);
        QCOMPARE(got.baseUrl, input.baseUrl);
        QCOMPARE(got.nodeType, input.nodeType);
        QCOMPARE(got.apiKey, input.apiKey);
        QCOMPARE(got.priority, input.priority);
        QCOMPARE(got.weight, input.weight);
        QCOMPARE(got.active, input.active);
        QCOMPARE(got.warmupEnabled, input.warmupEnabled);
        QCOMPARE(got.connectTimeoutSeconds, input.connectTimeoutSeconds);
        QCOMPARE(got.firstByteTimeoutSeconds, input.firstByteTimeoutSeconds);
        QCOMPARE(got.idleTimeoutSeconds, input.idleTimeoutSeconds);
        QCOMPARE(got.region, input.region);
        QCOMPARE(got.modelIds, input.modelIds);
        QCOMPARE(got.awsAccessKeyId, input.awsAccessKeyId);
        QCOMPARE(got.awsSecretAccessKey, input.awsSecretAccessKey);
        QCOMPARE(got.awsSessionToken, input.awsSessionToken);
        QCOMPARE(got.headers, input.headers);
        QCOMPARE(got.secretHeaders, input.secretHeaders);
        QCOMPARE(got.healthCheckUrl, input.healthCheckUrl);
        QCOMPARE(got.autoSyncEnabled, input.autoSyncEnabled);
    }
    QCOMPARE(compact(inputToJson(sparse)), QByteArray(R"({"secret_headers":{"X-Gone":null},"weight":0})"));
    QCOMPARE(compact(inputToJson(AdminService::NodeInput())), QByteArray("{}"));
    // A new node's body is one POST /admin/nodes takes.
    QVERIFY(nodeInputFromJson(inputToJson(full), true).ok());
}

void TestEntityJsonRead::mappingGroupMemberAndPromptInputsReadBack()
{
    AdminService::MappingInput mapping{u"chat-ü"_s, u"llama3"_s, 131072, QStringList{u"tools"_s}, QList<qint64>{4, 2}};
    AdminService::MappingInput mappingSparse;
    mappingSparse.nodeIds = QList<qint64>{}; // back to "any node": must be sent as []
    for (const auto &input : {mapping, mappingSparse, AdminService::MappingInput()}) {
        const auto read = mappingInputFromJson(inputToJson(input));
        QVERIFY2(read.ok(), qPrintable(read.error().message));
        QCOMPARE(read.value().displayName, input.displayName);
        QCOMPARE(read.value().realName, input.realName);
        QCOMPARE(read.value().contextLength, input.contextLength);
        QCOMPARE(read.value().capabilities, input.capabilities);
        QCOMPARE(read.value().nodeIds, input.nodeIds);
    }

    AdminService::GroupInput group{u"chat"_s, u""_s, u"priority"_s, false, true, -1, 0};
    AdminService::GroupInput groupSparse;
    groupSparse.listInCatalog = false;
    for (const auto &input : {group, groupSparse, AdminService::GroupInput()}) {
        const auto read = groupInputFromJson(inputToJson(input));
        QVERIFY2(read.ok(), qPrintable(read.error().message));
        QCOMPARE(read.value().name, input.name);
        QCOMPARE(read.value().description, input.description);
        QCOMPARE(read.value().strategy, input.strategy);
        QCOMPARE(read.value().active, input.active);
        QCOMPARE(read.value().listInCatalog, input.listInCatalog);
        QCOMPARE(read.value().priority, input.priority);
        QCOMPARE(read.value().maxFailoverRetries, input.maxFailoverRetries);
    }

    AdminService::MemberInput member{u"qwen-ü"_s, 3, 0, QStringList{u"vision"_s}, false, true, QList<qint64>{9, 1}};
    AdminService::MemberInput memberSparse;
    memberSparse.preferredNodeIds = QList<qint64>{}; // no preference any more
    memberSparse.contextFallback = false;
    for (const auto &input : {member, memberSparse, AdminService::MemberInput()}) {
        const auto read = memberInputFromJson(inputToJson(input));
        QVERIFY2(read.ok(), qPrintable(read.error().message));
        QCOMPARE(read.value().model, input.model);
        QCOMPARE(read.value().priority, input.priority);
        QCOMPARE(read.value().weight, input.weight);
        QCOMPARE(read.value().capabilityTags, input.capabilityTags);
        QCOMPARE(read.value().active, input.active);
        QCOMPARE(read.value().contextFallback, input.contextFallback);
        QCOMPARE(read.value().preferredNodeIds, input.preferredNodeIds);
    }
    // The members of a new group, as POST /admin/groups takes them.
    const auto members = membersFromJson(QJsonObject{{u"members"_s, QJsonArray{inputToJson(member)}}});
    QVERIFY(members.ok());
    QCOMPARE(members.value().size(), 1);
    QCOMPARE(members.value().at(0).preferredNodeIds, member.preferredNodeIds);

    AdminService::PromptInput prompt{u"user"_s, u"jürgen"_s, u"Sei kurz.\n"_s, 7, false, u"Stil"_s};
    AdminService::PromptInput promptSparse;
    promptSparse.description = u""_s; // cleared, not left as it was
    for (const auto &input : {prompt, promptSparse, AdminService::PromptInput()}) {
        const auto read = promptInputFromJson(inputToJson(input));
        QVERIFY2(read.ok(), qPrintable(read.error().message));
        QCOMPARE(read.value().scopeType, input.scopeType);
        QCOMPARE(read.value().scopeValue, input.scopeValue);
        QCOMPARE(read.value().prompt, input.prompt);
        QCOMPARE(read.value().priority, input.priority);
        QCOMPARE(read.value().active, input.active);
        QCOMPARE(read.value().description, input.description);
    }
}

void TestEntityJsonRead::limitsBodySetsExactlyTheLimits()
{
    // The gateway keeps a per-minute limit the body leaves out: the body must say "unlimited"
    // explicitly, or lifting a limit from the app would silently keep it.
    const UserLimits current{10, 20, 30, 40};
    const UserLimits full{0, 1500000, 1, 90000};
    for (const UserLimits &limits : {full, UserLimits(), UserLimits{std::nullopt, 5, std::nullopt, 7}}) {
        const auto read = limitsFromJson(limitsInputToJson(limits), current);
        QVERIFY2(read.ok(), qPrintable(read.error().message));
        QCOMPARE(read.value().requestLimit, limits.requestLimit);
        QCOMPARE(read.value().tokenLimit, limits.tokenLimit);
        QCOMPARE(read.value().requestsPerMinute, limits.requestsPerMinute);
        QCOMPARE(read.value().tokensPerMinute, limits.tokensPerMinute);
    }
    QCOMPARE(compact(limitsInputToJson(UserLimits())),
             QByteArray(R"({"request_limit":null,"requests_per_minute":null,"token_limit":null,"tokens_per_minute":null})"));
}

void TestEntityJsonRead::toolSetAndConfigAnswersAreValidBodies()
{
    // The app edits a tool set or a configuration it read and sends it back as it is written.
    const ToolSet set{4, u"web-ü"_s, u"Suchen"_s, {u"search"_s, u"fetch"_s}};
    const auto created = toolSetFromJson(toJson(set));
    QVERIFY2(created.ok(), qPrintable(created.error().message));
    QCOMPARE(created.value().name, set.name);
    QCOMPARE(created.value().description, set.description);
    QCOMPARE(created.value().tools, set.tools);
    const auto updated = toolSetFromJson(toJson(set), set);
    QVERIFY2(updated.ok(), qPrintable(updated.error().message));
    compareToolSets(updated.value(), set);
    if (QTest::currentTestFailed())
        return;

    // Restricted or not, with tools named: "tools_restricted" is sent, so naming tools does not
    // restrict a configuration that was not.
    ModelConfig open = fullConfig();
    open.toolsRestricted = false;
    ModelConfig bare;
    bare.pattern = u"llama3"_s;
    for (const ModelConfig &config : {fullConfig(), open, bare}) {
        const auto read = modelConfigFromJson(toJson(config));
        QVERIFY2(read.ok(), qPrintable(read.error().message));
        compareConfigs(read.value(), config, false);
        if (QTest::currentTestFailed())
            return;
        const auto again = modelConfigFromJson(toJson(config), config);
        QVERIFY2(again.ok(), qPrintable(again.error().message));
        compareConfigs(again.value(), config);
        if (QTest::currentTestFailed())
            return;
    }
}

QTEST_GUILESS_MAIN(TestEntityJsonRead)
#include "tst_entityjsonread.moc"

// Model groups end to end: created through the admin API, requested like a model in every client
// dialect, with their strategies, capability tags, failover, context fallback and access rules.

#include "gatewayharness.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Maestro;
using namespace Maestro::Test;

namespace {

const QString ReplyText = u"Hello from a group member"_s;
const QString OllamaChat = u"/api/chat"_s;
const QString OpenAiChat = u"/v1/chat/completions"_s;
const QString AnthropicMessages = u"/v1/messages"_s;

// The three client dialects, for the rows that run in each.
const QList<std::pair<const char *, QString>> Dialects{
    {"an Ollama client", OllamaChat},
    {"an OpenAI client", OpenAiChat},
    {"an Anthropic client", AnthropicMessages},
};

struct Member
{
    QString model;
    int priority = 0;
    int weight = 1;
    QStringList tags;
    bool active = true;
    bool contextFallback = false;
};

QJsonObject memberJson(const Member &member)
{
    return {{u"model_display_name"_s, member.model},
            {u"priority"_s, member.priority},
            {u"weight"_s, member.weight},
            {u"capability_tags"_s, QJsonArray::fromStringList(member.tags)},
            {u"is_active"_s, member.active},
            {u"context_fallback"_s, member.contextFallback}};
}

// A chat request in the dialect of `path`; `messages` and `extra` are merged in.
QJsonObject chatBody(const QString &path, const QString &model, const QJsonArray &messages,
                     const QJsonObject &extra = {})
{
    QJsonObject body{{u"model"_s, model}, {u"messages"_s, messages}};
    if (path == OllamaChat)
        body.insert(u"stream"_s, false);
    if (path == AnthropicMessages)
        body.insert(u"max_tokens"_s, 256);
    for (auto it = extra.begin(); it != extra.end(); ++it)
        body.insert(it.key(), it.value());
    return body;
}

QString replyText(const QString &path, const QJsonObject &response)
{
    if (path == OllamaChat)
        return response.value("message"_L1).toObject().value("content"_L1).toString();
    if (path == OpenAiChat) {
        return response.value("choices"_L1).toArray().at(0).toObject().value("message"_L1).toObject()
            .value("content"_L1).toString();
    }
    return response.value("content"_L1).toArray().at(0).toObject().value("text"_L1).toString();
}

// A user message with a small PNG, as each dialect sends images.
QJsonArray imageMessage(const QString &path)
{
    const QString png = u"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="_s;
    if (path == OllamaChat) {
        return {QJsonObject{{u"role"_s, u"user"_s},
                            {u"content"_s, u"What is in this picture?"_s},
                            {u"images"_s, QJsonArray{png}}}};
    }
    if (path == OpenAiChat) {
        return {QJsonObject{{u"role"_s, u"user"_s},
                            {u"content"_s, QJsonArray{
                                QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u"What is in this picture?"_s}},
                                QJsonObject{{u"type"_s, u"image_url"_s},
                                            {u"image_url"_s, QJsonObject{{u"url"_s, QString(u"data:image/png;base64,"_s + png)}}}}}}}};
    }
    return {QJsonObject{{u"role"_s, u"user"_s},
                        {u"content"_s, QJsonArray{
                            QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u"What is in this picture?"_s}},
                            QJsonObject{{u"type"_s, u"image"_s},
                                        {u"source"_s, QJsonObject{{u"type"_s, u"base64"_s},
                                                                  {u"media_type"_s, u"image/png"_s},
                                                                  {u"data"_s, png}}}}}}}};
}

// One tool, as each dialect declares tools.
QJsonObject toolsField(const QString &path)
{
    const QJsonObject schema{{u"type"_s, u"object"_s},
                             {u"properties"_s, QJsonObject{{u"city"_s, QJsonObject{{u"type"_s, u"string"_s}}}}}};
    if (path == AnthropicMessages) {
        return {{u"tools"_s, QJsonArray{QJsonObject{{u"name"_s, u"get_weather"_s},
                                                    {u"description"_s, u"The weather in a city"_s},
                                                    {u"input_schema"_s, schema}}}}};
    }
    return {{u"tools"_s, QJsonArray{QJsonObject{{u"type"_s, u"function"_s},
                                                {u"function"_s, QJsonObject{{u"name"_s, u"get_weather"_s},
                                                                            {u"description"_s, u"The weather in a city"_s},
                                                                            {u"parameters"_s, schema}}}}}}};
}

// The error message in the dialect's error shape, or a null string when the shape is wrong.
QString dialectErrorMessage(const QString &path, const QJsonObject &body, const QString &anthropicType = {})
{
    if (path == OllamaChat)
        return body.value("error"_L1).isString() ? body.value("error"_L1).toString() : QString();
    if (path == OpenAiChat) {
        const QJsonObject error = body.value("error"_L1).toObject();
        return error.value("type"_L1).isString() ? error.value("message"_L1).toString() : QString();
    }
    if (body.value("type"_L1).toString() != "error"_L1)
        return {};
    const QJsonObject error = body.value("error"_L1).toObject();
    if (!anthropicType.isEmpty() && error.value("type"_L1).toString() != anthropicType)
        return {};
    return error.value("message"_L1).toString();
}

} // namespace

class TestGroups : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void groupAnswersInEveryDialect_data();
    void groupAnswersInEveryDialect();
    void strategies_data();
    void strategies();
    void capabilityTags_data();
    void capabilityTags();
    void fallback_data();
    void fallback();
    void access_data();
    void access();
    void catalogListing_data();
    void catalogListing();
    void reorderChangesFallbackOrder();
    void adminReadsBackWhatWasWritten();
    void adminErrors_data();
    void adminErrors();
    void everyChangeWritesOneAuditEntry_data();
    void everyChangeWritesOneAuditEntry();

private:
    QJsonObject createGroup(const QString &name, const QString &strategy, const QList<Member> &members,
                            const QJsonObject &extra = {});
    QStringList servedModels(); // the real models the nodes were asked for since the last call
    FakeUpstream *upstream(const QString &which) const;

    GatewayHarness m_harness;
    QByteArray m_alice; // every model and group
    QByteArray m_carol; // the groups g-access and g-listed only
    QByteArray m_dave; // m-alpha only, the member model of g-access
};

QJsonObject TestGroups::createGroup(const QString &name, const QString &strategy, const QList<Member> &members,
                                    const QJsonObject &extra)
{
    QJsonArray list;
    for (const Member &member : members)
        list.append(memberJson(member));
    QJsonObject body{{u"name"_s, name}, {u"strategy"_s, strategy}, {u"members"_s, list}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        body.insert(it.key(), it.value());
    const Response response = m_harness.admin("POST", u"/admin/model-groups"_s, body);
    if (response.status != 201)
        qWarning() << "group creation failed:" << response.status << response.body;
    return response.status == 201 ? response.json() : QJsonObject();
}

QStringList TestGroups::servedModels()
{
    QStringList models;
    for (FakeUpstream *node : {m_harness.ollama(), m_harness.openai()}) {
        for (const RecordedRequest &request : node->requests())
            models.append(request.body.value("model"_L1).toString());
        node->clearRequests();
    }
    return models;
}

FakeUpstream *TestGroups::upstream(const QString &which) const
{
    return which == "ollama"_L1 ? m_harness.ollama() : m_harness.openai();
}

void TestGroups::initTestCase()
{
    QVERIFY(m_harness.start({u"alpha:latest"_s, u"beta:latest"_s, u"gamma:latest"_s},
                            {u"gpt-one"_s, u"gpt-two"_s, u"gpt-long"_s}, ReplyText));
    const QList<std::pair<QString, QString>> mappings{
        {u"m-alpha"_s, u"alpha:latest"_s}, {u"m-beta"_s, u"beta:latest"_s}, {u"m-gamma"_s, u"gamma:latest"_s},
        {u"m-one"_s, u"gpt-one"_s},        {u"m-two"_s, u"gpt-two"_s},     {u"m-long"_s, u"gpt-long"_s},
    };
    for (const auto &[display, real] : mappings)
        QVERIFY(m_harness.addMapping(display, real));

    QVERIFY(!createGroup(u"g-local"_s, u"priority"_s, {{u"m-alpha"_s}}).isEmpty());
    QVERIFY(!createGroup(u"g-cloud"_s, u"priority"_s, {{u"m-one"_s}}).isEmpty());
    QVERIFY(!createGroup(u"g-priority"_s, u"priority"_s,
                         {{u"m-beta"_s, 5}, {u"m-one"_s, 1}, {u"m-gamma"_s, 3}}).isEmpty());
    QVERIFY(!createGroup(u"g-round"_s, u"round_robin"_s, {{u"m-alpha"_s, 0}, {u"m-two"_s, 1}}).isEmpty());
    QVERIFY(!createGroup(u"g-weighted"_s, u"weighted"_s,
                         {{u"m-alpha"_s, 0, 0}, {u"m-one"_s, 1, 1}, {u"m-beta"_s, 2, 3}}).isEmpty());
    QVERIFY(!createGroup(u"g-caps"_s, u"priority"_s,
                         {{u"m-alpha"_s, 0},
                          {u"m-beta"_s, 1, 1, {u"vision"_s}},
                          {u"m-two"_s, 2, 1, {u"tools"_s}}}).isEmpty());
    QVERIFY(!createGroup(u"g-plain"_s, u"priority"_s, {{u"m-gamma"_s, 0}, {u"m-one"_s, 1}}).isEmpty());
    QVERIFY(!createGroup(u"g-fallback"_s, u"priority"_s, {{u"m-alpha"_s, 0}, {u"m-two"_s, 1}}).isEmpty());
    QVERIFY(!createGroup(u"g-one-try"_s, u"priority"_s, {{u"m-alpha"_s, 0}, {u"m-two"_s, 1}},
                         {{u"max_failover_retries"_s, 1}}).isEmpty());
    QVERIFY(!createGroup(u"g-context-ollama"_s, u"priority"_s,
                         {{u"m-alpha"_s, 0}, {u"m-beta"_s, 1}, {u"m-long"_s, 2, 1, {}, true, true}}).isEmpty());
    QVERIFY(!createGroup(u"g-context-openai"_s, u"priority"_s,
                         {{u"m-one"_s, 0}, {u"m-two"_s, 1}, {u"m-gamma"_s, 2, 1, {}, true, true}}).isEmpty());
    QVERIFY(!createGroup(u"g-inactive-member"_s, u"priority"_s,
                         {{u"m-alpha"_s, 0, 1, {}, false}, {u"m-two"_s, 1}}).isEmpty());
    QVERIFY(!createGroup(u"g-inactive"_s, u"priority"_s, {{u"m-alpha"_s}}, {{u"is_active"_s, false}}).isEmpty());
    QVERIFY(!createGroup(u"g-access"_s, u"priority"_s, {{u"m-alpha"_s}}).isEmpty());
    QVERIFY(!createGroup(u"g-listed"_s, u"priority"_s, {{u"m-alpha"_s}}, {{u"list_in_catalog"_s, true}}).isEmpty());
    QVERIFY(!createGroup(u"g-reorder"_s, u"priority"_s, {{u"m-alpha"_s, 0}, {u"m-two"_s, 1}}).isEmpty());

    m_alice = m_harness.createUser(u"alice"_s, {u"*"_s});
    m_carol = m_harness.createUser(u"carol"_s, {u"g-access"_s, u"g-listed"_s});
    m_dave = m_harness.createUser(u"dave"_s, {u"m-alpha"_s});
    QVERIFY(!m_alice.isEmpty() && !m_carol.isEmpty() && !m_dave.isEmpty());
    m_harness.reset();
}

void TestGroups::cleanup()
{
    m_harness.reset();
}

void TestGroups::cleanupTestCase()
{
    m_harness.stop();
}

void TestGroups::groupAnswersInEveryDialect_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<QString>("group");
    QTest::addColumn<QString>("realModel");
    for (const auto &[who, path] : Dialects) {
        for (const bool stream : {false, true}) {
            const char *how = stream ? "streamed" : "whole";
            QTest::addRow("%s asking for a group on an Ollama node gets the %s answer under the group's name", who, how)
                << path << stream << u"g-local"_s << u"alpha:latest"_s;
            QTest::addRow("%s asking for a group on an OpenAI node gets the %s answer under the group's name", who, how)
                << path << stream << u"g-cloud"_s << u"gpt-one"_s;
        }
    }
}

void TestGroups::groupAnswersInEveryDialect()
{
    QFETCH(QString, path);
    QFETCH(bool, stream);
    QFETCH(QString, group);
    QFETCH(QString, realModel);
    const auto [username, token] = m_harness.freshUser();
    const Response response = m_harness.send(
        "POST", path, toJson(chatBody(path, group, userMessage(u"Say hello"_s), {{u"stream"_s, stream}})), token);
    QVERIFY2(response.status == 200, response.body.constData());
    QCOMPARE(servedModels(), QStringList{realModel});
    QVERIFY2(!response.body.contains(realModel.toUtf8()), response.body.constData());
    if (stream) {
        QVERIFY2(response.body.contains(QByteArray("\"model\":\"" + group.toUtf8() + '"')), response.body.constData());
        for (const QString &word : ReplyText.split(u' '))
            QVERIFY2(response.body.contains(word.toUtf8()), response.body.constData());
    } else {
        QCOMPARE(response.json().value("model"_L1).toString(), group);
        QCOMPARE(replyText(path, response.json()), ReplyText);
    }
    const QJsonArray logs = m_harness.waitForLogs(username, 1);
    QCOMPARE(logs.size(), 1);
    const QJsonObject log = logs.at(0).toObject();
    QCOMPARE(log.value("model_name"_L1).toString(), group);
    QCOMPARE(log.value("real_model"_L1).toString(), realModel);
    QCOMPARE(log.value("status_code"_L1).toInt(), 200);
    QCOMPARE(log.value("endpoint"_L1).toString(), path);
}

void TestGroups::strategies_data()
{
    QTest::addColumn<QString>("group");
    QTest::addColumn<QStringList>("members"); // the real models that may serve
    QTest::addColumn<QString>("always"); // every request goes here, when set
    QTest::addColumn<QString>("never"); // no request goes here, when set
    QTest::addColumn<bool>("alternates");

    QTest::newRow("strategy priority always picks the member with the lowest priority number")
        << u"g-priority"_s << QStringList{u"beta:latest"_s, u"gpt-one"_s, u"gamma:latest"_s} << u"gpt-one"_s
        << QString() << false;
    QTest::newRow("strategy round_robin alternates between the members")
        << u"g-round"_s << QStringList{u"alpha:latest"_s, u"gpt-two"_s} << QString() << QString() << true;
    QTest::newRow("strategy weighted never picks a member of weight 0")
        << u"g-weighted"_s << QStringList{u"alpha:latest"_s, u"gpt-one"_s, u"beta:latest"_s} << QString()
        << u"alpha:latest"_s << false;
}

void TestGroups::strategies()
{
    QFETCH(QString, group);
    QFETCH(QStringList, members);
    QFETCH(QString, always);
    QFETCH(QString, never);
    QFETCH(bool, alternates);
    constexpr int Requests = 24;
    QStringList served;
    for (int i = 0; i < Requests; ++i) {
        const Response response = m_harness.send("POST", OpenAiChat,
                                                 toJson(chatBody(OpenAiChat, group, userMessage(u"hi"_s))), m_alice);
        QVERIFY2(response.status == 200, response.body.constData());
        const QStringList models = servedModels();
        QCOMPARE(models.size(), 1);
        QVERIFY2(members.contains(models.first()), qPrintable(models.first()));
        served.append(models.first());
    }
    if (!always.isEmpty())
        QCOMPARE(served.count(always), Requests);
    if (!never.isEmpty()) {
        QCOMPARE(served.count(never), 0);
        // The others with a weight share the traffic.
        for (const QString &member : std::as_const(members)) {
            if (member != never)
                QVERIFY2(served.count(member) > 0, qPrintable(served.join(u' ')));
        }
    }
    if (alternates) {
        for (int i = 1; i < served.size(); ++i)
            QVERIFY2(served.at(i) != served.at(i - 1), qPrintable(served.join(u' ')));
        QCOMPARE(served.count(members.at(0)), Requests / 2);
    }
}

void TestGroups::capabilityTags_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("group");
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QStringList>("expected"); // the real models that may serve

    for (const auto &[who, path] : Dialects) {
        QTest::addRow("%s sending an image is served by the member tagged vision", who)
            << path << u"g-caps"_s << chatBody(path, u"g-caps"_s, imageMessage(path))
            << QStringList{u"beta:latest"_s};
        QTest::addRow("%s sending tools is served by the member tagged tools", who)
            << path << u"g-caps"_s << chatBody(path, u"g-caps"_s, userMessage(u"Weather in Oslo?"_s), toolsField(path))
            << QStringList{u"gpt-two"_s};
        QTest::addRow("%s sending plain text is served by the first member, untagged", who)
            << path << u"g-caps"_s << chatBody(path, u"g-caps"_s, userMessage(u"hi"_s))
            << QStringList{u"alpha:latest"_s};
        QTest::addRow("%s sending an image to a group without a vision member is served by any member", who)
            << path << u"g-plain"_s << chatBody(path, u"g-plain"_s, imageMessage(path))
            << QStringList{u"gamma:latest"_s, u"gpt-one"_s};
        QTest::addRow("%s sending tools to a group without a tools member is served by any member", who)
            << path << u"g-plain"_s << chatBody(path, u"g-plain"_s, userMessage(u"Weather?"_s), toolsField(path))
            << QStringList{u"gamma:latest"_s, u"gpt-one"_s};
    }
}

void TestGroups::capabilityTags()
{
    QFETCH(QString, path);
    QFETCH(QString, group);
    QFETCH(QJsonObject, body);
    QFETCH(QStringList, expected);
    const Response response = m_harness.send("POST", path, toJson(body), m_alice);
    QVERIFY2(response.status == 200, response.body.constData());
    QCOMPARE(response.json().value("model"_L1).toString(), group);
    const QStringList served = servedModels();
    QCOMPARE(served.size(), 1);
    QVERIFY2(expected.contains(served.first()), qPrintable(served.first()));
}

void TestGroups::fallback_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("group");
    QTest::addColumn<QString>("failing"); // which node fails the first attempt
    QTest::addColumn<int>("failStatus");
    QTest::addColumn<QByteArray>("failBody"); // empty: the node's usual error body
    QTest::addColumn<int>("expectedStatus");
    QTest::addColumn<QString>("expectedReal"); // the log's real_model
    QTest::addColumn<int>("attempts"); // requests the nodes saw

    const QByteArray ollamaContext = R"json({"error":"the input length exceeds the context length (8192 tokens)"})json";
    const QByteArray openAiContext = R"({"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 9120 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})";
    for (const auto &[who, path] : Dialects) {
        QTest::addRow("%s: the first member's node answers 500 and the next member serves", who)
            << path << u"g-fallback"_s << u"ollama"_s << 500 << QByteArray() << 200 << u"gpt-two"_s << 2;
        QTest::addRow("%s: with max_failover_retries 1 a first member answering 500 means 502", who)
            << path << u"g-one-try"_s << u"ollama"_s << 500 << QByteArray() << 502 << u"alpha:latest"_s << 1;
        QTest::addRow("%s: an Ollama member refusing the input's context length hands over to the context fallback member", who)
            << path << u"g-context-ollama"_s << u"ollama"_s << 400 << ollamaContext << 200 << u"gpt-long"_s << 2;
        QTest::addRow("%s: an OpenAI member refusing the input's maximum context length hands over to the context fallback member", who)
            << path << u"g-context-openai"_s << u"openai"_s << 400 << openAiContext << 200 << u"gamma:latest"_s << 2;
        QTest::addRow("%s: inactive members are skipped", who)
            << path << u"g-inactive-member"_s << QString() << 0 << QByteArray() << 200 << u"gpt-two"_s << 1;
    }
    QTest::newRow("a streamed request: the first member's node answers 500 before the stream starts and the next member serves")
        << u"stream:"_s + OpenAiChat << u"g-fallback"_s << u"ollama"_s << 500 << QByteArray() << 200 << u"gpt-two"_s << 2;
    QTest::newRow("a streamed Anthropic request: a context refusal hands over to the context fallback member")
        << u"stream:"_s + AnthropicMessages << u"g-context-ollama"_s << u"ollama"_s << 400 << ollamaContext << 200
        << u"gpt-long"_s << 2;
    QTest::newRow("a 400 that is not about the context length is relayed without trying the fallback member")
        << OllamaChat << u"g-context-ollama"_s << u"ollama"_s << 400 << QByteArray(R"({"error":"invalid option \"foo\""})")
        << 400 << u"alpha:latest"_s << 1;
    QTest::newRow("a context fallback member serves only after a context refusal, not instead of the others")
        << OllamaChat << u"g-context-ollama"_s << QString() << 0 << QByteArray() << 200 << u"alpha:latest"_s << 1;
}

void TestGroups::fallback()
{
    QFETCH(QString, path);
    QFETCH(QString, group);
    QFETCH(QString, failing);
    const bool stream = path.startsWith("stream:"_L1);
    if (stream)
        path = path.mid(7);
    QFETCH(int, failStatus);
    QFETCH(QByteArray, failBody);
    QFETCH(int, expectedStatus);
    QFETCH(QString, expectedReal);
    QFETCH(int, attempts);
    if (!failing.isEmpty()) {
        if (failBody.isEmpty())
            upstream(failing)->failNext(failStatus);
        else
            upstream(failing)->failNextWith(failStatus, failBody);
    }
    const auto [username, token] = m_harness.freshUser();
    const Response response = m_harness.send(
        "POST", path, toJson(chatBody(path, group, userMessage(u"hi"_s), {{u"stream"_s, stream}})), token);
    QVERIFY2(response.status == expectedStatus, response.body.constData());
    if (stream) {
        QVERIFY2(response.body.contains(QByteArray("\"model\":\"" + group.toUtf8() + '"')), response.body.constData());
        for (const QString &word : ReplyText.split(u' '))
            QVERIFY2(response.body.contains(word.toUtf8()), response.body.constData());
    } else if (expectedStatus == 200) {
        QCOMPARE(response.json().value("model"_L1).toString(), group);
        QCOMPARE(replyText(path, response.json()), ReplyText);
    } else {
        QVERIFY2(!dialectErrorMessage(path, response.json()).isEmpty(), response.body.constData());
    }
    QCOMPARE(servedModels().size(), attempts);
    const QJsonArray logs = m_harness.waitForLogs(username, 1);
    QCOMPARE(logs.size(), 1);
    QCOMPARE(logs.at(0).toObject().value("model_name"_L1).toString(), group);
    QCOMPARE(logs.at(0).toObject().value("real_model"_L1).toString(), expectedReal);
    QCOMPARE(logs.at(0).toObject().value("status_code"_L1).toInt(), expectedStatus);
}

void TestGroups::access_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("group");
    QTest::addColumn<int>("expectedStatus");
    QTest::addColumn<QString>("anthropicType");
    for (const auto &[who, path] : Dialects) {
        QTest::addRow("%s whose user was granted the group's name may use it", who)
            << path << u"carol"_s << u"g-access"_s << 200 << QString();
        QTest::addRow("%s whose user was granted only the member's model gets 403 for the group", who)
            << path << u"dave"_s << u"g-access"_s << 403 << u"permission_error"_s;
        QTest::addRow("%s whose user was not granted the group gets 403", who)
            << path << u"carol"_s << u"g-local"_s << 403 << u"permission_error"_s;
        QTest::addRow("%s asking for an inactive group gets 404", who)
            << path << u"alice"_s << u"g-inactive"_s << 404 << u"not_found_error"_s;
        QTest::addRow("%s asking for a group that does not exist gets 404", who)
            << path << u"alice"_s << u"g-nonexistent"_s << 404 << u"not_found_error"_s;
    }
}

void TestGroups::access()
{
    QFETCH(QString, path);
    QFETCH(QString, user);
    QFETCH(QString, group);
    QFETCH(int, expectedStatus);
    QFETCH(QString, anthropicType);
    const QByteArray token = user == "carol"_L1 ? m_carol : user == "dave"_L1 ? m_dave : m_alice;
    const Response response = m_harness.send("POST", path, toJson(chatBody(path, group, userMessage(u"hi"_s))), token);
    QVERIFY2(response.status == expectedStatus, response.body.constData());
    if (expectedStatus == 200) {
        QCOMPARE(response.json().value("model"_L1).toString(), group);
        QCOMPARE(servedModels().size(), 1);
    } else {
        const QString message = dialectErrorMessage(path, response.json(), anthropicType);
        QVERIFY2(message.contains(group), response.body.constData());
        QCOMPARE(servedModels().size(), 0);
    }
}

void TestGroups::catalogListing_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("group");
    QTest::addColumn<bool>("listed");
    for (const QString &path : {u"/api/tags"_s, u"/v1/models"_s}) {
        const QByteArray p = path.toUtf8();
        QTest::addRow("%s lists a list_in_catalog group to a user granted it", p.constData())
            << path << u"carol"_s << u"g-listed"_s << true;
        QTest::addRow("%s lists a list_in_catalog group to a user granted every model", p.constData())
            << path << u"alice"_s << u"g-listed"_s << true;
        QTest::addRow("%s does not list a list_in_catalog group to a user not granted it", p.constData())
            << path << u"dave"_s << u"g-listed"_s << false;
        QTest::addRow("%s does not list a group without list_in_catalog", p.constData())
            << path << u"carol"_s << u"g-access"_s << false;
        QTest::addRow("%s does not list an inactive group", p.constData())
            << path << u"alice"_s << u"g-inactive"_s << false;
    }
}

void TestGroups::catalogListing()
{
    QFETCH(QString, path);
    QFETCH(QString, user);
    QFETCH(QString, group);
    QFETCH(bool, listed);
    const QByteArray token = user == "carol"_L1 ? m_carol : user == "dave"_L1 ? m_dave : m_alice;
    const Response response = m_harness.send("GET", path, {}, token);
    QCOMPARE(response.status, 200);
    const bool ollama = path == "/api/tags"_L1;
    QStringList names;
    for (const QJsonValue &entry : response.json().value(ollama ? "models"_L1 : "data"_L1).toArray())
        names.append(entry.toObject().value(ollama ? "name"_L1 : "id"_L1).toString());
    QVERIFY2(names.contains(group) == listed, qPrintable(names.join(u", ")));
}

void TestGroups::reorderChangesFallbackOrder()
{
    const QString path = u"/admin/model-groups/g-reorder"_s;
    const QJsonArray members = m_harness.admin("GET", path).json().value("members"_L1).toArray();
    QCOMPARE(members.size(), 2);
    qint64 alphaId = 0;
    qint64 twoId = 0;
    for (const QJsonValue &member : members) {
        const qint64 id = qint64(member.toObject().value("id"_L1).toDouble());
        (member.toObject().value("model_display_name"_L1).toString() == "m-alpha"_L1 ? alphaId : twoId) = id;
    }
    QVERIFY(alphaId > 0 && twoId > 0);
    const QByteArray body = toJson(chatBody(OpenAiChat, u"g-reorder"_s, userMessage(u"hi"_s)));

    QCOMPARE(m_harness.send("POST", OpenAiChat, body, m_alice).status, 200);
    QCOMPARE(servedModels(), QStringList{u"alpha:latest"_s});

    const Response reordered = m_harness.admin("PUT", path + u"/reorder"_s,
                                               {{u"member_ids"_s, QJsonArray{double(twoId), double(alphaId)}}});
    QVERIFY2(reordered.status == 200, reordered.body.constData());
    QCOMPARE(reordered.json().value("members"_L1).toArray().size(), 2);

    QCOMPARE(m_harness.send("POST", OpenAiChat, body, m_alice).status, 200);
    QCOMPARE(servedModels(), QStringList{u"gpt-two"_s});

    // The new first member fails: the former first one is now the fallback.
    m_harness.openai()->failNext(500);
    const Response fallback = m_harness.send("POST", OpenAiChat, body, m_alice);
    QVERIFY2(fallback.status == 200, fallback.body.constData());
    QCOMPARE(m_harness.openai()->requests().size(), 1);
    QCOMPARE(m_harness.ollama()->requests().size(), 1);
    QCOMPARE(m_harness.ollama()->lastRequest().body.value("model"_L1).toString(), u"alpha:latest"_s);
}

void TestGroups::adminReadsBackWhatWasWritten()
{
    const QJsonObject created = createGroup(u"g-readback"_s, u"weighted"_s,
                                            {{u"m-alpha"_s, 2, 7, {u"vision"_s, u"tools"_s}, true, false},
                                             {u"m-long"_s, 4, 1, {}, false, true}},
                                            {{u"list_in_catalog"_s, true}, {u"max_failover_retries"_s, 3},
                                             {u"description"_s, u"for the read-back check"_s}});
    QVERIFY(!created.isEmpty());
    const Response fetched = m_harness.admin("GET", u"/admin/model-groups/g-readback"_s);
    QCOMPARE(fetched.status, 200);
    const QJsonObject group = fetched.json();
    QCOMPARE(group, created);
    QCOMPARE(group.value("name"_L1).toString(), u"g-readback"_s);
    QCOMPARE(group.value("strategy"_L1).toString(), u"weighted"_s);
    QCOMPARE(group.value("list_in_catalog"_L1).toBool(), true);
    QCOMPARE(group.value("max_failover_retries"_L1).toInt(), 3);
    QCOMPARE(group.value("description"_L1).toString(), u"for the read-back check"_s);
    const QJsonArray members = group.value("members"_L1).toArray();
    QCOMPARE(members.size(), 2);
    const QJsonObject first = members.at(0).toObject();
    QCOMPARE(first.value("model_display_name"_L1).toString(), u"m-alpha"_s);
    QCOMPARE(first.value("priority"_L1).toInt(), 2);
    QCOMPARE(first.value("weight"_L1).toInt(), 7);
    QCOMPARE(first.value("capability_tags"_L1).toArray(), (QJsonArray{u"vision"_s, u"tools"_s}));
    QCOMPARE(first.value("is_active"_L1).toBool(), true);
    QCOMPARE(first.value("context_fallback"_L1).toBool(), false);
    const QJsonObject second = members.at(1).toObject();
    QCOMPARE(second.value("model_display_name"_L1).toString(), u"m-long"_s);
    QCOMPARE(second.value("is_active"_L1).toBool(), false);
    QCOMPARE(second.value("context_fallback"_L1).toBool(), true);

    bool listed = false;
    for (const QJsonValue &entry : m_harness.admin("GET", u"/admin/model-groups"_s).json().value("groups"_L1).toArray())
        listed = listed || entry.toObject().value("name"_L1).toString() == "g-readback"_L1;
    QVERIFY(listed);

    const Response updated = m_harness.admin("PUT", u"/admin/model-groups/g-readback"_s,
                                             {{u"strategy"_s, u"priority"_s}, {u"list_in_catalog"_s, false}});
    QCOMPARE(updated.status, 200);
    QCOMPARE(updated.json().value("strategy"_L1).toString(), u"priority"_s);
    QCOMPARE(updated.json().value("list_in_catalog"_L1).toBool(), false);
    QCOMPARE(updated.json().value("members"_L1).toArray().size(), 2);

    QCOMPARE(m_harness.admin("DELETE", u"/admin/model-groups/g-readback"_s).status / 100, 2);
    QCOMPARE(m_harness.admin("GET", u"/admin/model-groups/g-readback"_s).status, 404);
}

void TestGroups::adminErrors_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<int>("expectedStatus");

    const QJsonArray oneMember{memberJson({u"m-alpha"_s})};
    QTest::newRow("creating a group whose name exists is refused with 400")
        << QByteArray("POST") << u"/admin/model-groups"_s
        << QJsonObject{{u"name"_s, u"g-priority"_s}, {u"strategy"_s, u"priority"_s}, {u"members"_s, oneMember}} << 400;
    QTest::newRow("creating a group with an unknown strategy is refused with 400")
        << QByteArray("POST") << u"/admin/model-groups"_s
        << QJsonObject{{u"name"_s, u"g-new"_s}, {u"strategy"_s, u"fastest"_s}, {u"members"_s, oneMember}} << 400;
    QTest::newRow("creating a group without a name is refused with 400")
        << QByteArray("POST") << u"/admin/model-groups"_s << QJsonObject{{u"strategy"_s, u"priority"_s}} << 400;
    QTest::newRow("changing a group to an unknown strategy is refused with 400")
        << QByteArray("PUT") << u"/admin/model-groups/g-priority"_s << QJsonObject{{u"strategy"_s, u"random"_s}} << 400;
    QTest::newRow("renaming a group to an existing name is refused with 400")
        << QByteArray("PUT") << u"/admin/model-groups/g-priority"_s << QJsonObject{{u"name"_s, u"g-round"_s}} << 400;
    QTest::newRow("an unknown group is 404")
        << QByteArray("GET") << u"/admin/model-groups/g-nonexistent"_s << QJsonObject() << 404;
    QTest::newRow("changing an unknown group is 404")
        << QByteArray("PUT") << u"/admin/model-groups/g-nonexistent"_s << QJsonObject{{u"strategy"_s, u"priority"_s}} << 404;
    QTest::newRow("deleting an unknown group is 404")
        << QByteArray("DELETE") << u"/admin/model-groups/g-nonexistent"_s << QJsonObject() << 404;
    QTest::newRow("adding a member to an unknown group is 404")
        << QByteArray("POST") << u"/admin/model-groups/g-nonexistent/members"_s << memberJson({u"m-alpha"_s}) << 404;
    QTest::newRow("changing an unknown member is 404")
        << QByteArray("PUT") << u"/admin/model-groups/g-priority/members/987654"_s << QJsonObject{{u"priority"_s, 1}} << 404;
    QTest::newRow("removing an unknown member is 404")
        << QByteArray("DELETE") << u"/admin/model-groups/g-priority/members/987654"_s << QJsonObject() << 404;
    QTest::newRow("a reorder that leaves out members is refused with 400")
        << QByteArray("PUT") << u"/admin/model-groups/g-priority/reorder"_s
        << QJsonObject{{u"member_ids"_s, QJsonArray{987654}}} << 400;
    QTest::newRow("a reorder without member_ids is refused with 400")
        << QByteArray("PUT") << u"/admin/model-groups/g-priority/reorder"_s << QJsonObject{{u"order"_s, 1}} << 400;
}

void TestGroups::adminErrors()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QJsonObject, body);
    QFETCH(int, expectedStatus);
    const qint64 auditBefore = m_harness.auditTotal();
    const Response response = m_harness.admin(method, path, body);
    QVERIFY2(response.status == expectedStatus, response.body.constData());
    QVERIFY2(!response.json().value("detail"_L1).toString().isEmpty(), response.body.constData());
    QCOMPARE(m_harness.auditTotal(), auditBefore); // a refused change is no change
}

void TestGroups::everyChangeWritesOneAuditEntry_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QString>("action");
    QTest::newRow("creating a group writes one audit entry") << u"create"_s << u"model_group.create"_s;
    QTest::newRow("changing a group writes one audit entry") << u"update"_s << u"model_group.update"_s;
    QTest::newRow("adding a member writes one audit entry") << u"add-member"_s << u"model_group.member_add"_s;
    QTest::newRow("changing a member writes one audit entry") << u"update-member"_s << u"model_group.member_update"_s;
    QTest::newRow("removing a member writes one audit entry") << u"delete-member"_s << u"model_group.member_delete"_s;
    QTest::newRow("reordering the members writes one audit entry") << u"reorder"_s << u"model_group.reorder"_s;
    QTest::newRow("deleting a group writes one audit entry") << u"delete"_s << u"model_group.delete"_s;
}

void TestGroups::everyChangeWritesOneAuditEntry()
{
    QFETCH(QString, operation);
    QFETCH(QString, action);
    static int serial = 0;
    const QString name = u"g-audit-%1"_s.arg(++serial);
    const QString path = u"/admin/model-groups/"_s + name;
    const QList<Member> members{{u"m-alpha"_s, 0}, {u"m-two"_s, 1}};
    QList<qint64> ids;
    if (operation != "create"_L1) {
        const QJsonObject group = createGroup(name, u"priority"_s, members);
        QVERIFY(!group.isEmpty());
        for (const QJsonValue &member : group.value("members"_L1).toArray())
            ids.append(qint64(member.toObject().value("id"_L1).toDouble()));
        QCOMPARE(ids.size(), 2);
    }
    const qint64 before = m_harness.auditTotal();
    QVERIFY(before >= 0);
    Response response;
    if (operation == "create"_L1) {
        QVERIFY(!createGroup(name, u"priority"_s, members).isEmpty());
        response.status = 201;
    } else if (operation == "update"_L1) {
        response = m_harness.admin("PUT", path, {{u"strategy"_s, u"round_robin"_s}});
    } else if (operation == "add-member"_L1) {
        response = m_harness.admin("POST", path + u"/members"_s, memberJson({u"m-beta"_s, 2}));
    } else if (operation == "update-member"_L1) {
        response = m_harness.admin("PUT", path + u"/members/%1"_s.arg(ids.at(1)), {{u"weight"_s, 5}});
    } else if (operation == "delete-member"_L1) {
        response = m_harness.admin("DELETE", path + u"/members/%1"_s.arg(ids.at(1)));
    } else if (operation == "reorder"_L1) {
        response = m_harness.admin("PUT", path + u"/reorder"_s,
                                   {{u"member_ids"_s, QJsonArray{double(ids.at(1)), double(ids.at(0))}}});
    } else if (operation == "delete"_L1) {
        response = m_harness.admin("DELETE", path);
    }
    QVERIFY2(response.status / 100 == 2, response.body.constData());
    QCOMPARE(m_harness.auditTotal(), before + 1);
    const QJsonObject entry = m_harness.latestAudit();
    QCOMPARE(entry.value("action"_L1).toString(), action);
    QCOMPARE(entry.value("entity_type"_L1).toString(), u"model_group"_s);
    QCOMPARE(entry.value("entity_id"_L1).toVariant().toString(), name);
}

QTEST_GUILESS_MAIN(TestGroups)
#include "tst_groups.moc"

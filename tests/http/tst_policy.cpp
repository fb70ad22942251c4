// Tool sets and model configurations end to end: written through the admin API, enforced on real
// requests in every client dialect (maintenance, stripped parameters, tool allowlists, Ollama
// context length); then GET /metrics and the health check hysteresis.

#include "gatewayharness.h"
#include "http/control.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <atomic>
#include <memory>

using namespace Qt::StringLiterals;
using namespace Maestro;
using namespace Maestro::Test;

namespace {

const QString ReplyText = u"Hello from the policy suite"_s;
const QString OllamaChat = u"/api/chat"_s;
const QString OpenAiChat = u"/v1/chat/completions"_s;
const QString AnthropicMessages = u"/v1/messages"_s;
const QString Responses = u"/v1/responses"_s;

// A request in the dialect of `path`; `extra` is merged in.
QJsonObject chatBody(const QString &path, const QString &model, const QJsonObject &extra = {})
{
    QJsonObject body{{u"model"_s, model}};
    if (path == Responses)
        body.insert(u"input"_s, u"What is the weather in Paris?"_s);
    else
        body.insert(u"messages"_s, userMessage(u"What is the weather in Paris?"_s));
    if (path == OllamaChat)
        body.insert(u"stream"_s, false);
    if (path == AnthropicMessages)
        body.insert(u"max_tokens"_s, 256);
    for (auto it = extra.begin(); it != extra.end(); ++it)
        body.insert(it.key(), it.value());
    return body;
}

// Tools, as each dialect declares them.
QJsonArray toolsFor(const QString &path, const QStringList &names)
{
    const QJsonObject schema{{u"type"_s, u"object"_s},
                             {u"properties"_s, QJsonObject{{u"city"_s, QJsonObject{{u"type"_s, u"string"_s}}}}}};
    QJsonArray out;
    for (const QString &name : names) {
        if (path == AnthropicMessages)
            out.append(QJsonObject{{u"name"_s, name}, {u"description"_s, name}, {u"input_schema"_s, schema}});
        else if (path == Responses)
            out.append(QJsonObject{{u"type"_s, u"function"_s}, {u"name"_s, name}, {u"parameters"_s, schema}});
        else
            out.append(QJsonObject{{u"type"_s, u"function"_s},
                                   {u"function"_s, QJsonObject{{u"name"_s, name}, {u"description"_s, name},
                                                               {u"parameters"_s, schema}}}});
    }
    return out;
}

// A tool_choice naming one tool, in the dialect's shape (Ollama has none).
QJsonValue namedChoice(const QString &path, const QString &name)
{
    if (path == AnthropicMessages)
        return QJsonObject{{u"type"_s, u"tool"_s}, {u"name"_s, name}};
    if (path == Responses)
        return QJsonObject{{u"type"_s, u"function"_s}, {u"name"_s, name}};
    return QJsonObject{{u"type"_s, u"function"_s}, {u"function"_s, QJsonObject{{u"name"_s, name}}}};
}

// The names of the tools a node received (both node types use the OpenAI tool shape).
QStringList toolNames(const QJsonObject &nodeBody)
{
    QStringList names;
    for (const QJsonValue &tool : nodeBody.value("tools"_L1).toArray())
        names.append(tool.toObject().value("function"_L1).toObject().value("name"_L1).toString());
    return names;
}

// The error message in the dialect's error shape, or a null string when the shape is wrong.
QString dialectErrorMessage(const QString &path, const QJsonObject &body)
{
    if (path == OllamaChat)
        return body.value("error"_L1).isString() ? body.value("error"_L1).toString() : QString();
    if (path == OpenAiChat || path == Responses) {
        const QJsonObject error = body.value("error"_L1).toObject();
        return error.value("type"_L1).isString() ? error.value("message"_L1).toString() : QString();
    }
    if (body.value("type"_L1).toString() != "error"_L1)
        return {};
    return body.value("error"_L1).toObject().value("message"_L1).toString();
}

// The prometheus sample value of `series` (name and labels exactly as rendered), or -1.
double sample(const QByteArray &metrics, const QByteArray &series)
{
    for (const QByteArray &line : metrics.split('\n')) {
        if (line.startsWith(QByteArray(series + ' ')))
            return line.mid(series.size() + 1).toDouble();
    }
    return -1;
}

} // namespace

class TestPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void adminReadsBackWhatWasWritten();
    void maintenanceRefusesInTheClientsDialect_data();
    void maintenanceRefusesInTheClientsDialect();
    void maintenanceCanBeLifted();
    void strippedParamsNeverReachTheNode_data();
    void strippedParamsNeverReachTheNode();
    void onlyAllowedToolsReachTheNode_data();
    void onlyAllowedToolsReachTheNode();
    void removingEveryToolRemovesToolChoice();
    void contextLength_data();
    void contextLength();
    void adminErrors_data();
    void adminErrors();
    void everyChangeWritesOneAuditEntry_data();
    void everyChangeWritesOneAuditEntry();
    void metricsNeedTheAdminToken();
    void metricsCountRequestsTokensAndNodes();
    void metricsCanBePublic();
    void periodicChecksNeedTwoFailuresInARow();
    void manualCheckDecidesAtOnce();

private:
    Response chat(const QString &path, const QJsonObject &body, const QByteArray &token = {});
    bool saveConfig(const QJsonObject &body);
    QString nodeHealth(qint64 id);
    bool periodicCheck(qint64 id);

    GatewayHarness m_harness;
    QByteArray m_user;
};

Response TestPolicy::chat(const QString &path, const QJsonObject &body, const QByteArray &token)
{
    return m_harness.send("POST", path, toJson(body), token.isEmpty() ? m_user : token);
}

bool TestPolicy::saveConfig(const QJsonObject &body)
{
    const Response response = m_harness.admin("POST", u"/admin/model-configs"_s, body);
    if (response.status != 201)
        qWarning() << "model configuration failed:" << response.status << response.body;
    return response.status == 201;
}

QString TestPolicy::nodeHealth(qint64 id)
{
    return m_harness.admin("GET", u"/admin/nodes/%1"_s.arg(id)).json().value("health_status"_L1).toString();
}

// One periodic check of the node, run on the control thread as its timer would; true once it
// has finished.
bool TestPolicy::periodicCheck(qint64 id)
{
    auto finished = std::make_shared<std::atomic<bool>>(false);
    m_harness.gatewayThread()->controlPort()->call([id, finished](Control *control) {
        control->checkNode(id, control, [finished](bool, QString) { *finished = true; }, /*periodic*/ true);
    });
    return QTest::qWaitFor([&finished] { return finished->load(); }, 10000);
}

void TestPolicy::initTestCase()
{
    QVERIFY(m_harness.start({u"maint:latest"_s, u"strip:latest"_s, u"tools:latest"_s, u"ctx:latest"_s,
                             u"metrics:latest"_s, u"plain:latest"_s},
                            {u"gpt-strip"_s, u"gpt-tools"_s, u"gpt-ctx"_s, u"gpt-maint"_s}, ReplyText));
    const QList<std::pair<QString, QString>> mappings{
        {u"m-maint"_s, u"maint:latest"_s},   {u"m-strip"_s, u"strip:latest"_s},
        {u"m-tools"_s, u"tools:latest"_s},   {u"m-ctx"_s, u"ctx:latest"_s},
        {u"m-metrics"_s, u"metrics:latest"_s}, {u"m-strip-openai"_s, u"gpt-strip"_s},
        {u"m-tools-openai"_s, u"gpt-tools"_s}, {u"m-ctx-openai"_s, u"gpt-ctx"_s},
        {u"m-maint-openai"_s, u"gpt-maint"_s}, {u"m-plain"_s, u"plain:latest"_s},
    };
    for (const auto &[display, real] : mappings)
        QVERIFY(m_harness.addMapping(display, real));
    QCOMPARE(m_harness.admin("POST", u"/admin/model-mappings"_s,
                             {{u"display_name"_s, u"m-long"_s}, {u"real_name"_s, u"plain:latest"_s},
                              {u"context_length"_s, u"64K"_s}}).status, 201);

    QCOMPARE(m_harness.admin("POST", u"/admin/tool-sets"_s,
                             {{u"name"_s, u"web"_s}, {u"description"_s, u"Browsing"_s},
                              {u"tools"_s, QJsonArray{u"search"_s, u"fetch"_s}}}).status, 201);
    QVERIFY(saveConfig({{u"model_pattern"_s, u"m-maint*"_s}, {u"maintenance"_s, true},
                        {u"maintenance_message"_s, u"Upgrading the GPUs until noon"_s}}));
    const QJsonArray stripped{u"seed"_s, u"top_k"_s, u"frequency_penalty"_s};
    QVERIFY(saveConfig({{u"model_pattern"_s, u"m-strip"_s}, {u"stripped_params"_s, stripped}}));
    QVERIFY(saveConfig({{u"model_pattern"_s, u"gpt-strip"_s}, {u"stripped_params"_s, stripped}})); // by real name
    for (const QString &pattern : {u"m-tools"_s, u"m-tools-openai"_s}) {
        QVERIFY(saveConfig({{u"model_pattern"_s, pattern},
                            {u"allowed_tools"_s, QJsonArray{u"get_weather"_s}},
                            {u"tool_sets"_s, QJsonArray{u"web"_s}}}));
    }
    for (const QString &pattern : {u"m-ctx"_s, u"m-ctx-openai"_s}) {
        QVERIFY(saveConfig({{u"model_pattern"_s, pattern}, {u"default_context_length"_s, 8192},
                            {u"max_context_length"_s, u"32K"_s}}));
    }

    m_user = m_harness.createUser(u"alice"_s, {u"*"_s});
    QVERIFY(!m_user.isEmpty());
    m_harness.reset();
}

void TestPolicy::cleanup()
{
    m_harness.reset();
}

void TestPolicy::cleanupTestCase()
{
    m_harness.stop();
}

void TestPolicy::adminReadsBackWhatWasWritten()
{
    const Response set = m_harness.admin("GET", u"/admin/tool-sets/web"_s);
    QCOMPARE(set.status, 200);
    QCOMPARE(set.json().value("tools"_L1).toArray(), (QJsonArray{u"search"_s, u"fetch"_s}));
    QCOMPARE(set.json().value("description"_L1).toString(), u"Browsing"_s);

    const Response config = m_harness.admin("GET", u"/admin/model-configs/m-ctx"_s);
    QCOMPARE(config.status, 200);
    const QJsonObject json = config.json();
    QCOMPARE(json.value("model_pattern"_L1).toString(), u"m-ctx"_s);
    QCOMPARE(json.value("default_context_length"_L1).toDouble(), 8192.0);
    QCOMPARE(json.value("max_context_length"_L1).toDouble(), 32768.0);
    QCOMPARE(json.value("tools_restricted"_L1).toBool(), false);
    QCOMPARE(json.value("maintenance"_L1).toBool(), false);

    const QJsonObject tools = m_harness.admin("GET", u"/admin/model-configs/m-tools"_s).json();
    QCOMPARE(tools.value("tools_restricted"_L1).toBool(), true); // naming tools restricts
    QCOMPARE(tools.value("allowed_tools"_L1).toArray(), QJsonArray{u"get_weather"_s});
    QCOMPARE(tools.value("tool_sets"_L1).toArray(), QJsonArray{u"web"_s});

    QStringList patterns;
    for (const QJsonValue &value : QJsonDocument::fromJson(m_harness.admin("GET", u"/admin/model-configs"_s).body).array())
        patterns.append(value.toObject().value("model_pattern"_L1).toString());
    for (const QString &expected : {u"m-maint*"_s, u"m-strip"_s, u"gpt-strip"_s, u"m-tools"_s, u"m-ctx"_s})
        QVERIFY2(patterns.contains(expected), qPrintable(patterns.join(u", "_s)));
}

void TestPolicy::maintenanceRefusesInTheClientsDialect_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("model");

    QTest::newRow("an Ollama client, a model on the Ollama node") << OllamaChat << u"m-maint"_s;
    QTest::newRow("an OpenAI client, a model on the Ollama node") << OpenAiChat << u"m-maint"_s;
    QTest::newRow("an Anthropic client, a model on the Ollama node") << AnthropicMessages << u"m-maint"_s;
    QTest::newRow("a Responses client, a model on the OpenAI node") << Responses << u"m-maint-openai"_s;
    QTest::newRow("an OpenAI client, a model on the OpenAI node") << OpenAiChat << u"m-maint-openai"_s;
}

void TestPolicy::maintenanceRefusesInTheClientsDialect()
{
    QFETCH(QString, path);
    QFETCH(QString, model);

    const Response response = chat(path, chatBody(path, model));
    QCOMPARE(response.status, 503);
    const QString message = dialectErrorMessage(path, response.json());
    QVERIFY2(!message.isNull(), response.body.constData());
    QVERIFY2(message.contains(u"Upgrading the GPUs until noon"_s), qPrintable(message));
    QVERIFY2(message.contains(model), qPrintable(message));
    QCOMPARE(m_harness.ollama()->requestCount(), 0);
    QCOMPARE(m_harness.openai()->requestCount(), 0);
}

void TestPolicy::maintenanceCanBeLifted()
{
    const QString path = u"/admin/model-configs/m-maint*"_s;
    QCOMPARE(m_harness.admin("PUT", path, {{u"maintenance"_s, false}}).status, 200);
    const Response served = chat(OllamaChat, chatBody(OllamaChat, u"m-maint"_s));
    QCOMPARE(served.status, 200);
    QCOMPARE(m_harness.ollama()->requestCount(), 1);
    QCOMPARE(m_harness.admin("PUT", path, {{u"maintenance"_s, true}}).status, 200);
    QCOMPARE(chat(OllamaChat, chatBody(OllamaChat, u"m-maint"_s)).status, 503);
    QCOMPARE(m_harness.ollama()->requestCount(), 1);
    // The message survived the round trip.
    QCOMPARE(m_harness.admin("GET", path).json().value("maintenance_message"_L1).toString(),
             u"Upgrading the GPUs until noon"_s);
}

void TestPolicy::strippedParamsNeverReachTheNode_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("node");
    QTest::addColumn<QJsonObject>("params");

    const QJsonObject openAiParams{{u"seed"_s, 42}, {u"frequency_penalty"_s, 0.5}, {u"temperature"_s, 0.25}};
    QTest::newRow("an Ollama client's options, on an Ollama node")
        << OllamaChat << u"m-strip"_s << u"ollama"_s
        << QJsonObject{{u"options"_s, QJsonObject{{u"seed"_s, 42}, {u"top_k"_s, 20}, {u"temperature"_s, 0.25}}}};
    QTest::newRow("an Ollama client's top-level parameters, on an Ollama node")
        << OllamaChat << u"m-strip"_s << u"ollama"_s
        << QJsonObject{{u"seed"_s, 42}, {u"options"_s, QJsonObject{{u"temperature"_s, 0.25}}}};
    QTest::newRow("an OpenAI client, on an Ollama node") << OpenAiChat << u"m-strip"_s << u"ollama"_s << openAiParams;
    QTest::newRow("an OpenAI client, on an OpenAI node") << OpenAiChat << u"m-strip-openai"_s << u"openai"_s << openAiParams;
    QTest::newRow("an Anthropic client, on an OpenAI node")
        << AnthropicMessages << u"m-strip-openai"_s << u"openai"_s
        << QJsonObject{{u"top_k"_s, 20}, {u"temperature"_s, 0.25}};
    QTest::newRow("an Anthropic client, on an Ollama node")
        << AnthropicMessages << u"m-strip"_s << u"ollama"_s << QJsonObject{{u"top_k"_s, 20}, {u"temperature"_s, 0.25}};
}

void TestPolicy::strippedParamsNeverReachTheNode()
{
    QFETCH(QString, path);
    QFETCH(QString, model);
    QFETCH(QString, node);
    QFETCH(QJsonObject, params);

    const Response response = chat(path, chatBody(path, model, params));
    QVERIFY2(response.status == 200, response.body.constData());
    FakeUpstream *upstream = node == "ollama"_L1 ? m_harness.ollama() : m_harness.openai();
    QCOMPARE(upstream->requestCount(), 1);
    const QJsonObject sent = upstream->lastRequest().body;
    const QJsonObject options = sent.value("options"_L1).toObject();
    for (const QString &param : {u"seed"_s, u"top_k"_s, u"frequency_penalty"_s}) {
        QVERIFY2(!sent.contains(param), qPrintable(param + u" at the top level: "_s + QString::fromUtf8(toJson(sent))));
        QVERIFY2(!options.contains(param), qPrintable(param + u" in the options: "_s + QString::fromUtf8(toJson(sent))));
    }
    // What was not stripped still arrives.
    const QJsonValue temperature = node == "ollama"_L1 ? options.value("temperature"_L1) : sent.value("temperature"_L1);
    QCOMPARE(temperature.toDouble(), 0.25);
}

void TestPolicy::onlyAllowedToolsReachTheNode_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("node");

    QTest::newRow("an OpenAI client, on an OpenAI node") << OpenAiChat << u"m-tools-openai"_s << u"openai"_s;
    QTest::newRow("an Anthropic client, on an OpenAI node") << AnthropicMessages << u"m-tools-openai"_s << u"openai"_s;
    QTest::newRow("a Responses client, on an OpenAI node") << Responses << u"m-tools-openai"_s << u"openai"_s;
    QTest::newRow("an Ollama client, on an Ollama node") << OllamaChat << u"m-tools"_s << u"ollama"_s;
    QTest::newRow("an OpenAI client, on an Ollama node") << OpenAiChat << u"m-tools"_s << u"ollama"_s;
    QTest::newRow("an Anthropic client, on an Ollama node") << AnthropicMessages << u"m-tools"_s << u"ollama"_s;
}

void TestPolicy::onlyAllowedToolsReachTheNode()
{
    QFETCH(QString, path);
    QFETCH(QString, model);
    QFETCH(QString, node);

    QJsonObject extra{{u"tools"_s, toolsFor(path, {u"get_weather"_s, u"delete_files"_s, u"search"_s, u"run_shell"_s})}};
    if (path != OllamaChat)
        extra.insert(u"tool_choice"_s, namedChoice(path, u"delete_files"_s));
    const Response response = chat(path, chatBody(path, model, extra));
    QVERIFY2(response.status == 200, response.body.constData());
    FakeUpstream *upstream = node == "ollama"_L1 ? m_harness.ollama() : m_harness.openai();
    QCOMPARE(upstream->requestCount(), 1);
    const QJsonObject sent = upstream->lastRequest().body;
    QCOMPARE(toolNames(sent), (QStringList{u"get_weather"_s, u"search"_s}));
    if (node == "openai"_L1)
        QCOMPARE(sent.value("tool_choice"_L1).toString(), u"auto"_s); // no longer the removed tool
    else
        QVERIFY(!QString::fromUtf8(upstream->lastRequest().rawBody).contains(u"delete_files"_s));
}

void TestPolicy::removingEveryToolRemovesToolChoice()
{
    for (const QString &path : {OpenAiChat, AnthropicMessages}) {
        m_harness.reset();
        const QJsonObject extra{{u"tools"_s, toolsFor(path, {u"delete_files"_s})},
                                {u"tool_choice"_s, namedChoice(path, u"delete_files"_s)}};
        const Response response = chat(path, chatBody(path, u"m-tools-openai"_s, extra));
        QVERIFY2(response.status == 200, response.body.constData());
        const QJsonObject sent = m_harness.openai()->lastRequest().body;
        QVERIFY2(!sent.contains("tools"_L1), qPrintable(path));
        QVERIFY2(!sent.contains("tool_choice"_L1), qPrintable(path));
    }
}

void TestPolicy::contextLength_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("node");
    QTest::addColumn<QJsonObject>("extra");
    QTest::addColumn<int>("expected"); // options.num_ctx the node sees; 0: none

    QTest::newRow("an Ollama client without num_ctx gets the default")
        << OllamaChat << u"m-ctx"_s << u"ollama"_s << QJsonObject{} << 8192;
    QTest::newRow("an Ollama client asking for more than the maximum is clamped")
        << OllamaChat << u"m-ctx"_s << u"ollama"_s << QJsonObject{{u"options"_s, QJsonObject{{u"num_ctx"_s, 131072}}}} << 32768;
    QTest::newRow("an Ollama client under the maximum keeps its value")
        << OllamaChat << u"m-ctx"_s << u"ollama"_s << QJsonObject{{u"options"_s, QJsonObject{{u"num_ctx"_s, 4096}}}} << 4096;
    QTest::newRow("an OpenAI client on an Ollama node gets the default")
        << OpenAiChat << u"m-ctx"_s << u"ollama"_s << QJsonObject{} << 8192;
    QTest::newRow("an Anthropic client on an Ollama node gets the default")
        << AnthropicMessages << u"m-ctx"_s << u"ollama"_s << QJsonObject{} << 8192;
    QTest::newRow("an OpenAI node gets no num_ctx")
        << OpenAiChat << u"m-ctx-openai"_s << u"openai"_s << QJsonObject{} << 0;
    QTest::newRow("an OpenAI node gets no num_ctx from an Ollama client either")
        << OllamaChat << u"m-ctx-openai"_s << u"openai"_s << QJsonObject{} << 0;
    QTest::newRow("a model without a configuration or a mapped context length gets the default_context_length setting")
        << OllamaChat << u"m-plain"_s << u"ollama"_s << QJsonObject{} << 32768;
    QTest::newRow("without a configuration, the mapping's context length is the default")
        << OllamaChat << u"m-long"_s << u"ollama"_s << QJsonObject{} << 65536;
    QTest::newRow("an OpenAI client through a mapping with a context length gets it on an Ollama node")
        << OpenAiChat << u"m-long"_s << u"ollama"_s << QJsonObject{} << 65536;
}

void TestPolicy::contextLength()
{
    QFETCH(QString, path);
    QFETCH(QString, model);
    QFETCH(QString, node);
    QFETCH(QJsonObject, extra);
    QFETCH(int, expected);

    const Response response = chat(path, chatBody(path, model, extra));
    QVERIFY2(response.status == 200, response.body.constData());
    FakeUpstream *upstream = node == "ollama"_L1 ? m_harness.ollama() : m_harness.openai();
    QCOMPARE(upstream->requestCount(), 1);
    const QJsonObject sent = upstream->lastRequest().body;
    if (expected > 0) {
        QCOMPARE(sent.value("options"_L1).toObject().value("num_ctx"_L1).toDouble(), double(expected));
    } else {
        QVERIFY2(!sent.value("options"_L1).toObject().contains("num_ctx"_L1), upstream->lastRequest().rawBody.constData());
        QVERIFY2(!sent.contains("num_ctx"_L1), upstream->lastRequest().rawBody.constData());
    }
}

void TestPolicy::adminErrors_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("detail"); // a part of the message

    const QString configs = u"/admin/model-configs"_s;
    QTest::newRow("a configuration naming an unknown tool set")
        << QByteArray("POST") << configs
        << QJsonObject{{u"model_pattern"_s, u"m-bad"_s}, {u"tool_sets"_s, QJsonArray{u"no-such-set"_s}}} << 400
        << u"no-such-set"_s;
    QTest::newRow("an update naming an unknown tool set")
        << QByteArray("PUT") << configs + u"/m-ctx"_s
        << QJsonObject{{u"tool_sets"_s, QJsonArray{u"web"_s, u"no-such-set"_s}}} << 400 << u"no-such-set"_s;
    QTest::newRow("a default context above the maximum")
        << QByteArray("POST") << configs
        << QJsonObject{{u"model_pattern"_s, u"m-bad"_s}, {u"default_context_length"_s, u"64K"_s},
                       {u"max_context_length"_s, u"32K"_s}} << 400 << u"context"_s;
    QTest::newRow("an update raising the default above the maximum")
        << QByteArray("PUT") << configs + u"/m-ctx"_s << QJsonObject{{u"default_context_length"_s, 65536}} << 400
        << u"context"_s;
    QTest::newRow("a context length that is not a size")
        << QByteArray("POST") << configs
        << QJsonObject{{u"model_pattern"_s, u"m-bad"_s}, {u"max_context_length"_s, u"lots"_s}} << 400
        << u"max_context_length"_s;
    QTest::newRow("a negative context length")
        << QByteArray("POST") << configs
        << QJsonObject{{u"model_pattern"_s, u"m-bad"_s}, {u"default_context_length"_s, -5}} << 400
        << u"default_context_length"_s;
    QTest::newRow("a configuration without a pattern")
        << QByteArray("POST") << configs << QJsonObject{{u"maintenance"_s, true}} << 400 << u"model_pattern"_s;
    QTest::newRow("a pattern matching every model")
        << QByteArray("POST") << configs << QJsonObject{{u"model_pattern"_s, u"*"_s}} << 400 << u"model_pattern"_s;
    QTest::newRow("stripped_params that are not strings")
        << QByteArray("POST") << configs
        << QJsonObject{{u"model_pattern"_s, u"m-bad"_s}, {u"stripped_params"_s, QJsonArray{1, 2}}} << 400
        << u"stripped_params"_s;
    QTest::newRow("reading an unknown configuration")
        << QByteArray("GET") << configs + u"/m-unknown"_s << QJsonObject{} << 404 << u"m-unknown"_s;
    QTest::newRow("updating an unknown configuration")
        << QByteArray("PUT") << configs + u"/m-unknown"_s << QJsonObject{{u"maintenance"_s, true}} << 404
        << u"m-unknown"_s;
    QTest::newRow("deleting an unknown configuration")
        << QByteArray("DELETE") << configs + u"/m-unknown"_s << QJsonObject{} << 404 << u"m-unknown"_s;
    QTest::newRow("reading an unknown tool set")
        << QByteArray("GET") << u"/admin/tool-sets/nope"_s << QJsonObject{} << 404 << u"nope"_s;
    QTest::newRow("deleting an unknown tool set")
        << QByteArray("DELETE") << u"/admin/tool-sets/nope"_s << QJsonObject{} << 404 << u"nope"_s;
    QTest::newRow("a tool set without a name")
        << QByteArray("POST") << u"/admin/tool-sets"_s << QJsonObject{{u"tools"_s, QJsonArray{u"a"_s}}} << 400
        << u"name"_s;
}

void TestPolicy::adminErrors()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QJsonObject, body);
    QFETCH(int, status);
    QFETCH(QString, detail);

    const qint64 before = m_harness.auditTotal();
    const QJsonObject ctxBefore = m_harness.admin("GET", u"/admin/model-configs/m-ctx"_s).json();
    const Response response = m_harness.admin(method, path, body);
    QCOMPARE(response.status, status);
    const QJsonValue message = response.json().value("detail"_L1);
    QVERIFY2(message.isString(), response.body.constData());
    QVERIFY2(message.toString().contains(detail), qPrintable(message.toString()));
    QCOMPARE(m_harness.auditTotal(), before); // a refused change is not audited
    QCOMPARE(m_harness.admin("GET", u"/admin/model-configs/m-bad"_s).status, 404);
    QCOMPARE(m_harness.admin("GET", u"/admin/model-configs/m-ctx"_s).json(), ctxBefore);
}

void TestPolicy::everyChangeWritesOneAuditEntry_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("entityType");

    QTest::newRow("creating a tool set") << u"create-set"_s << u"tool_set.save"_s << u"tool_set"_s;
    QTest::newRow("updating a tool set") << u"update-set"_s << u"tool_set.save"_s << u"tool_set"_s;
    QTest::newRow("deleting a tool set") << u"delete-set"_s << u"tool_set.delete"_s << u"tool_set"_s;
    QTest::newRow("creating a configuration") << u"create-config"_s << u"model_config.save"_s << u"model_config"_s;
    QTest::newRow("updating a configuration") << u"update-config"_s << u"model_config.save"_s << u"model_config"_s;
    QTest::newRow("deleting a configuration") << u"delete-config"_s << u"model_config.delete"_s << u"model_config"_s;
}

void TestPolicy::everyChangeWritesOneAuditEntry()
{
    QFETCH(QString, operation);
    QFETCH(QString, action);
    QFETCH(QString, entityType);

    static int serial = 0;
    const QString name = u"audit-%1"_s.arg(++serial);
    const bool onSet = operation.endsWith("-set"_L1);
    const QString base = onSet ? u"/admin/tool-sets"_s : u"/admin/model-configs"_s;
    const QJsonObject createBody = onSet ? QJsonObject{{u"name"_s, name}, {u"tools"_s, QJsonArray{u"a"_s}}}
                                         : QJsonObject{{u"model_pattern"_s, name}, {u"stripped_params"_s, QJsonArray{u"seed"_s}}};
    if (!operation.startsWith("create"_L1))
        QCOMPARE(m_harness.admin("POST", base, createBody).status, 201);

    const qint64 before = m_harness.auditTotal();
    QVERIFY(before >= 0);
    Response response;
    if (operation.startsWith("create"_L1))
        response = m_harness.admin("POST", base, createBody);
    else if (operation.startsWith("update"_L1))
        response = m_harness.admin("PUT", base + u'/' + name,
                                   onSet ? QJsonObject{{u"tools"_s, QJsonArray{u"a"_s, u"b"_s}}}
                                         : QJsonObject{{u"maintenance"_s, true}});
    else
        response = m_harness.admin("DELETE", base + u'/' + name);
    QVERIFY2(response.status == 201 || response.status == 200 || response.status == 204, response.body.constData());
    QCOMPARE(m_harness.auditTotal(), before + 1);
    const QJsonObject entry = m_harness.latestAudit();
    QCOMPARE(entry.value("action"_L1).toString(), action);
    QCOMPARE(entry.value("entity_type"_L1).toString(), entityType);
    QCOMPARE(entry.value("entity_id"_L1).toString(), name);

    const Response after = m_harness.admin("GET", base + u'/' + name);
    QCOMPARE(after.status, operation.startsWith("delete"_L1) ? 404 : 200);
    if (operation == "update-set"_L1)
        QCOMPARE(after.json().value("tools"_L1).toArray(), (QJsonArray{u"a"_s, u"b"_s}));
    if (operation == "update-config"_L1) {
        QCOMPARE(after.json().value("maintenance"_L1).toBool(), true);
        QCOMPARE(after.json().value("stripped_params"_L1).toArray(), QJsonArray{u"seed"_s}); // kept
    }
}

void TestPolicy::metricsNeedTheAdminToken()
{
    const Response anonymous = m_harness.send("GET", u"/metrics"_s, {}, {});
    QCOMPARE(anonymous.status, 401);
    QVERIFY2(anonymous.json().value("detail"_L1).isString(), anonymous.body.constData());
    QCOMPARE(m_harness.send("GET", u"/metrics"_s, {}, m_user).status, 403);
    const Response admin = m_harness.admin("GET", u"/metrics"_s);
    QCOMPARE(admin.status, 200);
    QVERIFY2(admin.headers.value("content-type").startsWith("text/plain"), admin.headers.value("content-type").constData());
    QVERIFY(admin.body.contains("# TYPE maestro_requests_total counter"));
}

void TestPolicy::metricsCountRequestsTokensAndNodes()
{
    const QByteArray before = m_harness.admin("GET", u"/metrics"_s).body;
    const QByteArray okSeries = R"(maestro_requests_total{endpoint="/api/chat",status="200"})";
    const QByteArray refusedSeries = R"(maestro_requests_total{endpoint="/v1/chat/completions",status="503"})";
    const double okBefore = std::max(0.0, sample(before, okSeries));
    const double refusedBefore = std::max(0.0, sample(before, refusedSeries));
    QCOMPARE(sample(before, R"(maestro_model_requests_total{model="m-metrics"})"), -1.0);

    m_harness.ollama()->setTokenCounts(7, 11);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(chat(OllamaChat, chatBody(OllamaChat, u"m-metrics"_s)).status, 200);
    QCOMPARE(chat(OpenAiChat, chatBody(OpenAiChat, u"m-maint"_s)).status, 503);

    // Requests are recorded as they finish; give the last one a moment (the checks below say what
    // was missing if it never came).
    QByteArray metrics;
    static_cast<void>(QTest::qWaitFor([&] {
        metrics = m_harness.admin("GET", u"/metrics"_s).body;
        return sample(metrics, okSeries) >= okBefore + 3 && sample(metrics, refusedSeries) >= refusedBefore + 1;
    }, 5000));

    QCOMPARE(sample(metrics, okSeries), okBefore + 3);
    QCOMPARE(sample(metrics, refusedSeries), refusedBefore + 1);
    QCOMPARE(sample(metrics, R"(maestro_model_requests_total{model="m-metrics"})"), 3.0);
    QCOMPARE(sample(metrics, R"(maestro_model_errors_total{model="m-metrics"})"), 0.0);
    QCOMPARE(sample(metrics, R"(maestro_model_tokens_total{model="m-metrics",type="prompt"})"), 21.0);
    QCOMPARE(sample(metrics, R"(maestro_model_tokens_total{model="m-metrics",type="completion"})"), 33.0);
    QCOMPARE(sample(metrics, R"(maestro_model_duration_seconds_count{model="m-metrics"})"), 3.0);
    QCOMPARE(sample(metrics, R"(maestro_node_up{node="ollama-node"})"), 1.0);
    QCOMPARE(sample(metrics, R"(maestro_node_up{node="openai-node"})"), 1.0);
    QCOMPARE(sample(metrics, "maestro_active_requests"), 0.0);
}

void TestPolicy::metricsCanBePublic()
{
    QCOMPARE(m_harness.admin("PUT", u"/admin/settings"_s, {{u"metrics_public"_s, u"true"_s}}).status, 200);
    const Response open = m_harness.send("GET", u"/metrics"_s, {}, {});
    QCOMPARE(open.status, 200);
    QVERIFY(open.body.contains("maestro_node_up"));
    QCOMPARE(m_harness.admin("PUT", u"/admin/settings"_s, {{u"metrics_public"_s, u"false"_s}}).status, 200);
    QCOMPARE(m_harness.send("GET", u"/metrics"_s, {}, {}).status, 401);
}

void TestPolicy::periodicChecksNeedTwoFailuresInARow()
{
    FakeUpstream flaky(NodeType::Ollama);
    flaky.setModels({u"flaky:latest"_s});
    QVERIFY(flaky.listen());
    const quint16 port = flaky.port();
    const qint64 id = m_harness.addNode(u"flaky-node"_s, &flaky);
    QVERIFY(id > 0);
    QCOMPARE(nodeHealth(id), u"healthy"_s);

    flaky.close();
    QVERIFY(periodicCheck(id));
    QCOMPARE(nodeHealth(id), u"healthy"_s); // one lost probe does not take a working node out
    QVERIFY(periodicCheck(id));
    QCOMPARE(nodeHealth(id), u"unhealthy"_s);
    QVERIFY(periodicCheck(id));
    QCOMPARE(nodeHealth(id), u"unhealthy"_s);

    // Back up: one passing check is enough, and the failure count starts over.
    QVERIFY(flaky.listen(QHostAddress::LocalHost, port));
    QVERIFY(periodicCheck(id));
    QCOMPARE(nodeHealth(id), u"healthy"_s);
    flaky.close();
    QVERIFY(periodicCheck(id));
    QCOMPARE(nodeHealth(id), u"healthy"_s);
    QVERIFY(periodicCheck(id));
    QCOMPARE(nodeHealth(id), u"unhealthy"_s);
    QCOMPARE(m_harness.admin("DELETE", u"/admin/nodes/%1"_s.arg(id)).status, 204);
}

void TestPolicy::manualCheckDecidesAtOnce()
{
    FakeUpstream flaky(NodeType::Ollama);
    flaky.setModels({u"flaky2:latest"_s});
    QVERIFY(flaky.listen());
    const qint64 id = m_harness.addNode(u"flaky-node-2"_s, &flaky);
    QVERIFY(id > 0);
    QCOMPARE(nodeHealth(id), u"healthy"_s);

    flaky.close();
    const Response check = m_harness.admin("POST", u"/admin/nodes/%1/health-check"_s.arg(id));
    QCOMPARE(check.status, 200);
    QCOMPARE(check.json().value("health_status"_L1).toString(), u"unhealthy"_s);
    QCOMPARE(nodeHealth(id), u"unhealthy"_s);

    const QByteArray metrics = m_harness.admin("GET", u"/metrics"_s).body;
    QCOMPARE(sample(metrics, R"(maestro_node_up{node="flaky-node-2"})"), 0.0);
    QCOMPARE(m_harness.admin("DELETE", u"/admin/nodes/%1"_s.arg(id)).status, 204);
}

QTEST_GUILESS_MAIN(TestPolicy)
#include "tst_policy.moc"

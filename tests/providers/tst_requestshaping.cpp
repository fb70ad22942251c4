#include "../core/memorystore.h"
#include "jsonfixtures.h"
#include "providers/clientdialects/clientdialect.h"
#include "providers/noderequest.h"
#include "providers/nodetypes/nodeadapter.h"
#include "providers/systemprompts.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

using namespace Maestro;
using namespace Qt::StringLiterals;

namespace {

// Recorded client requests, and what each node must receive for them, in
// tests/providers/fixtures/requestshaping: cases.json lists the cases; a case names its request
// inline ("request") or as a file ("request_file"), and what the node receives the same way
// ("expected", "expected_file"), or the start of the 400 it gets instead ("error").
QJsonValue fixture(const QString &name)
{
    return Test::loadJsonFixture(u"providers/fixtures/requestshaping/"_s + name);
}

Translate::ApiKind kindOf(const QString &kind)
{
    if (kind == "responses"_L1)
        return Translate::ApiKind::Responses;
    if (kind == "completion"_L1)
        return Translate::ApiKind::Completion;
    if (kind == "embeddings"_L1)
        return Translate::ApiKind::Embeddings;
    return Translate::ApiKind::Chat;
}

Dialect dialectOf(const QString &client)
{
    if (client == "anthropic"_L1)
        return Dialect::Anthropic;
    return client == "ollama"_L1 ? Dialect::Ollama : Dialect::OpenAi;
}

// What the gateway sends for one attempt, as ProxyCall::upstreamBody() builds it: translated for
// the node, the administrator's prompts merged, then shaped by the node's adapter.
std::optional<ApiError> nodeBody(const QJsonObject &testCase, QJsonObject *body)
{
    const Translate::ApiKind kind = kindOf(testCase.value("kind"_L1).toString());
    const NodeType node = testCase.value("node"_L1).toString() == "ollama"_L1 ? NodeType::Ollama : NodeType::OpenAi;
    const ClientDialect &client = ClientDialect::forRequest(dialectOf(testCase.value("client"_L1).toString()), kind);
    QJsonObject request = testCase.contains("request_file"_L1)
        ? fixture(testCase.value("request_file"_L1).toString()).toObject()
        : testCase.value("request"_L1).toObject();
    if (auto invalid = client.validate(kind, request))
        return invalid;
    request.insert(u"model"_s, u"real-model"_s);
    *body = client.requestForNode(kind, node, request);
    SystemPrompts::inject(kind, node, testCase.value("prompts"_L1).toString(), body);

    QHash<QString, QString> stored;
    const QJsonObject settings = testCase.value("settings"_L1).toObject();
    for (auto it = settings.begin(); it != settings.end(); ++it)
        stored.insert(it.key(), it.value().isString() ? it.value().toString() : storedSettingForm(it.value()));
    NodeRequestShape shape;
    shape.kind = kind;
    shape.model = u"gemma-3"_s;
    shape.mappingContextLength = qint64(testCase.value("mapping_context_length"_L1).toDouble());
    shape.settings = NodeRequestSettings::from(Settings(stored));
    const QJsonValue vision = testCase.value("vision"_L1);
    if (vision.isBool())
        shape.vision = vision.toBool();
    return NodeAdapter::forType(node).shapeRequest(shape, body);
}

} // namespace

class TestRequestShaping : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recordedRequests_data();
    void recordedRequests();
    void aSystemMessageAloneInFrontIsUntouched();
    void limitsOfZeroOrLessAreDropped_data();
    void limitsOfZeroOrLessAreDropped();
    void ollamaDefaults_data();
    void ollamaDefaults();
    void settingsAreCheckedWhenWritten_data();
    void settingsAreCheckedWhenWritten();
    void visionComesFromTheMappingThenTheNode();
};

void TestRequestShaping::recordedRequests_data()
{
    QTest::addColumn<QJsonObject>("testCase");
    for (const QJsonValue &value : fixture(u"cases.json"_s).toArray()) {
        const QJsonObject testCase = value.toObject();
        QTest::newRow(qPrintable(testCase.value("name"_L1).toString())) << testCase;
    }
}

void TestRequestShaping::recordedRequests()
{
    QFETCH(QJsonObject, testCase);
    QJsonObject body;
    const std::optional<ApiError> error = nodeBody(testCase, &body);
    if (testCase.contains("error"_L1)) {
        QVERIFY2(error, qPrintable(Test::compactJson(body)));
        QCOMPARE(error->kind, ApiError::Kind::BadRequest);
        QCOMPARE(error->httpStatus(), 400);
        QVERIFY2(error->message.startsWith(testCase.value("error"_L1).toString()), qPrintable(error->message));
        return;
    }
    QVERIFY2(!error, qPrintable(error ? error->message : QString()));
    const QJsonValue expected = testCase.contains("expected_file"_L1)
        ? fixture(testCase.value("expected_file"_L1).toString())
        : testCase.value("expected"_L1);
    const QString difference = Test::jsonDifference(body, expected);
    QVERIFY2(difference.isEmpty(), qPrintable(difference + u"\nsent: "_s + Test::compactJson(body)));
}

void TestRequestShaping::aSystemMessageAloneInFrontIsUntouched()
{
    // Left exactly as the client wrote it, parts and all: nothing needs folding.
    const QJsonObject original{
        {u"model"_s, u"m"_s},
        {u"messages"_s,
         QJsonArray{QJsonObject{{u"role"_s, u"system"_s},
                                {u"content"_s, QJsonArray{QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u"Be brief."_s}}}}},
                    QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}};
    QJsonObject body = original;
    QVERIFY(!NodeRequest::foldSystemMessages(&body));
    QCOMPARE(body, original);

    // Malformed bodies are left to the node rather than guessed at.
    for (const QJsonObject &odd : {QJsonObject{{u"messages"_s, u"hello"_s}},
                                   QJsonObject{{u"messages"_s, QJsonArray{1, u"x"_s, QJsonValue::Null}}},
                                   QJsonObject{{u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"system"_s}, {u"content"_s, 5}}}}}}) {
        body = odd;
        QVERIFY(!NodeRequest::foldSystemMessages(&body));
        QCOMPARE(body, odd);
    }
}

void TestRequestShaping::limitsOfZeroOrLessAreDropped_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QJsonObject>("expected");

    const QJsonObject empty;
    QTest::newRow("max_tokens 0 goes") << QJsonObject{{u"max_tokens"_s, 0}} << empty;
    QTest::newRow("a negative max_tokens goes") << QJsonObject{{u"max_tokens"_s, -100}} << empty;
    QTest::newRow("max_completion_tokens 0 goes") << QJsonObject{{u"max_completion_tokens"_s, 0}} << empty;
    QTest::newRow("max_output_tokens 0 goes") << QJsonObject{{u"max_output_tokens"_s, 0}} << empty;
    QTest::newRow("a positive max_tokens stays")
        << QJsonObject{{u"max_tokens"_s, 1}} << QJsonObject{{u"max_tokens"_s, 1}};
    QTest::newRow("a max_tokens that is not a number is the node's to judge")
        << QJsonObject{{u"max_tokens"_s, true}} << QJsonObject{{u"max_tokens"_s, true}};
    QTest::newRow("num_predict 0 goes with the options it leaves empty")
        << QJsonObject{{u"options"_s, QJsonObject{{u"num_predict"_s, 0}}}} << empty;
    QTest::newRow("num_predict 0 goes, the other options stay")
        << QJsonObject{{u"options"_s, QJsonObject{{u"num_predict"_s, 0}, {u"temperature"_s, 0.2}}}}
        << QJsonObject{{u"options"_s, QJsonObject{{u"temperature"_s, 0.2}}}};
    QTest::newRow("num_predict -1 (no limit) is Ollama's own and stays")
        << QJsonObject{{u"options"_s, QJsonObject{{u"num_predict"_s, -1}}}}
        << QJsonObject{{u"options"_s, QJsonObject{{u"num_predict"_s, -1}}}};
    QTest::newRow("num_predict -2 (fill the context) is Ollama's own and stays")
        << QJsonObject{{u"options"_s, QJsonObject{{u"num_predict"_s, -2}}}}
        << QJsonObject{{u"options"_s, QJsonObject{{u"num_predict"_s, -2}}}};
    QTest::newRow("num_predict -3 goes") << QJsonObject{{u"options"_s, QJsonObject{{u"num_predict"_s, -3}}}} << empty;
}

void TestRequestShaping::limitsOfZeroOrLessAreDropped()
{
    QFETCH(QJsonObject, body);
    QFETCH(QJsonObject, expected);
    NodeRequest::dropNonPositiveLimits(&body);
    QCOMPARE(body, expected);
}

void TestRequestShaping::ollamaDefaults_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QJsonObject>("settings");
    QTest::addColumn<qint64>("mappingLength");
    QTest::addColumn<QJsonObject>("options"); // the client's
    QTest::addColumn<QJsonValue>("keepAlive"); // the client's; undefined: none
    QTest::addColumn<QJsonValue>("sentKeepAlive"); // undefined: none sent
    QTest::addColumn<qint64>("sentContext"); // 0: none sent

    const QJsonValue none(QJsonValue::Undefined);
    const QJsonObject defaults;
    QTest::newRow("chat: keep_alive -1 and num_ctx 32768 by default")
        << u"chat"_s << defaults << qint64(0) << QJsonObject() << none << QJsonValue(-1) << qint64(32768);
    QTest::newRow("generate gets them too")
        << u"completion"_s << defaults << qint64(0) << QJsonObject() << none << QJsonValue(-1) << qint64(32768);
    QTest::newRow("embeddings get neither")
        << u"embeddings"_s << defaults << qint64(0) << QJsonObject() << none << none << qint64(0);
    QTest::newRow("the client's keep_alive and num_ctx win")
        << u"chat"_s << defaults << qint64(0) << QJsonObject{{u"num_ctx"_s, 4096}} << QJsonValue(u"5m"_s)
        << QJsonValue(u"5m"_s) << qint64(4096);
    QTest::newRow("a keep_alive of null is none")
        << u"chat"_s << defaults << qint64(0) << QJsonObject() << QJsonValue(QJsonValue::Null) << QJsonValue(-1)
        << qint64(32768);
    QTest::newRow("the mapping's context length beats the setting")
        << u"chat"_s << defaults << qint64(65536) << QJsonObject() << none << QJsonValue(-1) << qint64(65536);
    QTest::newRow("a num_ctx of 0 from the client gives way to the default")
        << u"chat"_s << defaults << qint64(0) << QJsonObject{{u"num_ctx"_s, 0}} << none << QJsonValue(-1)
        << qint64(32768);
    QTest::newRow("settings: a duration is sent as a string, a number of seconds as a number")
        << u"chat"_s << QJsonObject{{u"ollama_keep_alive"_s, u"30m"_s}, {u"default_context_length"_s, 8192}}
        << qint64(0) << QJsonObject() << none << QJsonValue(u"30m"_s) << qint64(8192);
    QTest::newRow("settings: 600 seconds")
        << u"chat"_s << QJsonObject{{u"ollama_keep_alive"_s, u"600"_s}} << qint64(0) << QJsonObject() << none
        << QJsonValue(600) << qint64(32768);
    QTest::newRow("settings: both off sends neither")
        << u"chat"_s << QJsonObject{{u"ollama_keep_alive"_s, u""_s}, {u"default_context_length"_s, 0}} << qint64(0)
        << QJsonObject() << none << none << qint64(0);
}

void TestRequestShaping::ollamaDefaults()
{
    QFETCH(QString, kind);
    QFETCH(QJsonObject, settings);
    QFETCH(qint64, mappingLength);
    QFETCH(QJsonObject, options);
    QFETCH(QJsonValue, keepAlive);
    QFETCH(QJsonValue, sentKeepAlive);
    QFETCH(qint64, sentContext);

    QHash<QString, QString> stored;
    for (auto it = settings.begin(); it != settings.end(); ++it)
        stored.insert(it.key(), storedSettingForm(it.value()));
    NodeRequestShape shape;
    shape.kind = kindOf(kind);
    shape.model = u"m"_s;
    shape.mappingContextLength = mappingLength;
    shape.settings = NodeRequestSettings::from(Settings(stored));

    QJsonObject body{{u"model"_s, u"m"_s}};
    if (!options.isEmpty())
        body.insert(u"options"_s, options);
    if (!keepAlive.isUndefined())
        body.insert(u"keep_alive"_s, keepAlive);
    QVERIFY(!NodeAdapter::forType(NodeType::Ollama).shapeRequest(shape, &body));
    QCOMPARE(body.value("keep_alive"_L1), sentKeepAlive);
    if (sentContext > 0)
        QCOMPARE(body.value("options"_L1).toObject().value("num_ctx"_L1).toInteger(), sentContext);
    else
        QVERIFY2(!body.value("options"_L1).toObject().contains("num_ctx"_L1), qPrintable(Test::compactJson(body)));

    // OpenAI-compatible servers take neither.
    QJsonObject openAi{{u"model"_s, u"m"_s}};
    QVERIFY(!NodeAdapter::forType(NodeType::OpenAi).shapeRequest(shape, &openAi));
    QCOMPARE(openAi, (QJsonObject{{u"model"_s, u"m"_s}}));
}

void TestRequestShaping::settingsAreCheckedWhenWritten_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("keep_alive: -1") << u"ollama_keep_alive"_s << QJsonValue(u"-1"_s) << true;
    QTest::newRow("keep_alive: 30m") << u"ollama_keep_alive"_s << QJsonValue(u"30m"_s) << true;
    QTest::newRow("keep_alive: 1h30m") << u"ollama_keep_alive"_s << QJsonValue(u"1h30m"_s) << true;
    QTest::newRow("keep_alive: 1.5h") << u"ollama_keep_alive"_s << QJsonValue(u"1.5h"_s) << true;
    QTest::newRow("keep_alive: empty sends none") << u"ollama_keep_alive"_s << QJsonValue(u""_s) << true;
    QTest::newRow("keep_alive: 'forever' is no duration") << u"ollama_keep_alive"_s << QJsonValue(u"forever"_s) << false;
    QTest::newRow("keep_alive: 30 minutes is no duration") << u"ollama_keep_alive"_s << QJsonValue(u"30 minutes"_s) << false;
    QTest::newRow("context: 0 is off") << u"default_context_length"_s << QJsonValue(0) << true;
    QTest::newRow("context: 131072") << u"default_context_length"_s << QJsonValue(131072) << true;
    QTest::newRow("context: 100 is too small") << u"default_context_length"_s << QJsonValue(100) << false;
    QTest::newRow("images: reject") << u"images_for_non_vision_models"_s << QJsonValue(u"reject"_s) << true;
    QTest::newRow("images: keep is no choice") << u"images_for_non_vision_models"_s << QJsonValue(u"keep"_s) << false;
}

void TestRequestShaping::settingsAreCheckedWhenWritten()
{
    QFETCH(QString, key);
    QFETCH(QJsonValue, value);
    QFETCH(bool, accepted);
    const Result<QJsonValue> parsed = Settings::parse(key, value);
    QCOMPARE(parsed.ok(), accepted);
    if (!accepted) {
        QCOMPARE(parsed.error().httpStatus(), 400);
        QVERIFY2(parsed.error().message.startsWith(key + u" must be"_s), qPrintable(parsed.error().message));
    }
}

void TestRequestShaping::visionComesFromTheMappingThenTheNode()
{
    // Node 1 reports capabilities for two of its models (as newer Ollama versions list them),
    // none for the third; the mapping "looker" says "tools" only for a model the node calls a
    // vision model.
    TestSupport::MemoryStore store;
    Node node;
    node.id = 1;
    node.name = u"gpu"_s;
    node.active = true;
    store.nodeList = {node};
    auto model = [](const QString &name, const QJsonValue &capabilities) {
        NodeModel entry;
        entry.nodeId = 1;
        entry.name = name;
        if (!capabilities.isUndefined())
            entry.details.insert(u"capabilities"_s, capabilities);
        return entry;
    };
    store.models = {model(u"llava:7b"_s, QJsonArray{u"completion"_s, u"vision"_s}),
                    model(u"qwen:7b"_s, QJsonArray{u"completion"_s, u"tools"_s}),
                    model(u"plain:7b"_s, QJsonValue(QJsonValue::Undefined)),
                    model(u"odd:7b"_s, u"vision"_s)};
    ModelMapping looker;
    looker.displayName = u"looker"_s;
    looker.realName = u"llava:7b"_s;
    looker.capabilities = {u"tools"_s};
    looker.contextLength = 65536;
    ModelMapping seer;
    seer.displayName = u"seer"_s;
    seer.realName = u"qwen:7b"_s;
    seer.capabilities = {u"Vision"_s};
    store.mappingList = {looker, seer};
    store.settingValues = {{u"images_for_non_vision_models"_s, u"reject"_s}, {u"ollama_keep_alive"_s, u"10m"_s}};
    const std::shared_ptr<const Catalog> catalog = Catalog::load(store, nullptr);
    QVERIFY(catalog);

    auto visionOf = [&](const QString &display, const QString &real) {
        Attempt attempt;
        attempt.node = catalog->node(1);
        attempt.displayModel = display;
        attempt.realModel = real;
        return NodeRequestShape::forAttempt(*catalog, Translate::ApiKind::Chat, display, attempt).vision;
    };
    QCOMPARE(visionOf(u"llava:7b"_s, u"llava:7b"_s), std::optional<bool>(true));
    QCOMPARE(visionOf(u"qwen:7b"_s, u"qwen:7b"_s), std::optional<bool>(false));
    QCOMPARE(visionOf(u"plain:7b"_s, u"plain:7b"_s), std::optional<bool>());
    QCOMPARE(visionOf(u"odd:7b"_s, u"odd:7b"_s), std::optional<bool>()); // not a list: says nothing
    QCOMPARE(visionOf(u"unknown"_s, u"unknown"_s), std::optional<bool>());
    // The mapping's capabilities win over what the node says, either way (compared ignoring case).
    QCOMPARE(visionOf(u"looker"_s, u"llava:7b"_s), std::optional<bool>(false));
    QCOMPARE(visionOf(u"seer"_s, u"qwen:7b"_s), std::optional<bool>(true));

    // The settings come typed from the same snapshot.
    Attempt attempt;
    attempt.node = catalog->node(1);
    attempt.displayModel = u"looker"_s;
    attempt.realModel = u"llava:7b"_s;
    attempt.contextLength = 65536;
    const NodeRequestShape shape = NodeRequestShape::forAttempt(*catalog, Translate::ApiKind::Chat, u"looker"_s, attempt);
    QCOMPARE(shape.model, u"looker"_s);
    QCOMPARE(shape.settings.images, NodeRequestSettings::Images::Reject);
    QCOMPARE(shape.settings.ollamaKeepAlive, QJsonValue(u"10m"_s));
    QCOMPARE(shape.settings.defaultContextLength, qint64(32768));
    QCOMPARE(shape.mappingContextLength, qint64(65536));
}

QTEST_GUILESS_MAIN(TestRequestShaping)
#include "tst_requestshaping.moc"

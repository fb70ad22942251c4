// What nodes receive, end to end over real sockets: system messages folded to the front for every
// client dialect and both node types, the Ollama request defaults and their settings, limits of
// 0 dropped, and images for models without vision stripped or refused in the client's dialect.

#include "gatewayharness.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Maestro;
using namespace Maestro::Test;

namespace {

const QString ReplyText = u"Hello from the shaping suite"_s;
const QString Png = u"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="_s;

// A chat in `dialect` ("ollama", "openai", "anthropic", "responses") for `model`: system text
// "S1", the user's "u1", the assistant's "a1", a system message "S2" in the middle (a developer
// item for Responses), then the user's "u2". Not streamed.
QJsonObject foldingChat(const QString &dialect, const QString &model)
{
    auto message = [](const QString &role, const QJsonValue &content) {
        return QJsonObject{{u"role"_s, role}, {u"content"_s, content}};
    };
    if (dialect == "anthropic"_L1) {
        return {{u"model"_s, model},
                {u"max_tokens"_s, 1024},
                {u"system"_s, QJsonArray{QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u"S1"_s}}}},
                {u"messages"_s,
                 QJsonArray{message(u"user"_s, u"u1"_s), message(u"assistant"_s, u"a1"_s),
                            message(u"system"_s, QJsonArray{QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u"S2"_s}}}),
                            message(u"user"_s, u"u2"_s)}}};
    }
    if (dialect == "responses"_L1) {
        return {{u"model"_s, model},
                {u"instructions"_s, u"S1"_s},
                {u"input"_s,
                 QJsonArray{message(u"user"_s, u"u1"_s), message(u"assistant"_s, u"a1"_s),
                            message(u"developer"_s, u"S2"_s), message(u"user"_s, u"u2"_s)}}};
    }
    return {{u"model"_s, model},
            {u"stream"_s, false},
            {u"messages"_s,
             QJsonArray{message(u"system"_s, u"S1"_s), message(u"user"_s, u"u1"_s), message(u"assistant"_s, u"a1"_s),
                        message(u"system"_s, u"S2"_s), message(u"user"_s, u"u2"_s)}}};
}

QString pathOf(const QString &dialect)
{
    if (dialect == "ollama"_L1)
        return u"/api/chat"_s;
    if (dialect == "anthropic"_L1)
        return u"/v1/messages"_s;
    if (dialect == "responses"_L1)
        return u"/v1/responses"_s;
    return u"/v1/chat/completions"_s;
}

// A chat with one user message of text and an image, in `dialect`.
QJsonObject imageChat(const QString &dialect, const QString &model)
{
    if (dialect == "ollama"_L1) {
        return {{u"model"_s, model},
                {u"stream"_s, false},
                {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s},
                                                       {u"content"_s, u"what is this?"_s},
                                                       {u"images"_s, QJsonArray{Png}}}}}};
    }
    if (dialect == "anthropic"_L1) {
        const QJsonObject image{{u"type"_s, u"image"_s},
                                {u"source"_s, QJsonObject{{u"type"_s, u"base64"_s},
                                                          {u"media_type"_s, u"image/png"_s},
                                                          {u"data"_s, Png}}}};
        return {{u"model"_s, model},
                {u"max_tokens"_s, 256},
                {u"messages"_s, QJsonArray{QJsonObject{
                                    {u"role"_s, u"user"_s},
                                    {u"content"_s, QJsonArray{image, QJsonObject{{u"type"_s, u"text"_s},
                                                                                 {u"text"_s, u"what is this?"_s}}}}}}}};
    }
    const QJsonObject text{{u"type"_s, dialect == "responses"_L1 ? u"input_text"_s : u"text"_s},
                           {u"text"_s, u"what is this?"_s}};
    const QString url = u"data:image/png;base64,"_s + Png;
    const QJsonObject image = dialect == "responses"_L1
        ? QJsonObject{{u"type"_s, u"input_image"_s}, {u"image_url"_s, url}}
        : QJsonObject{{u"type"_s, u"image_url"_s}, {u"image_url"_s, QJsonObject{{u"url"_s, url}}}};
    const QJsonObject message{{u"role"_s, u"user"_s}, {u"content"_s, QJsonArray{text, image}}};
    return {{u"model"_s, model}, {dialect == "responses"_L1 ? u"input"_s : u"messages"_s, QJsonArray{message}}};
}

// The error message of a body in each dialect's shape; empty when the shape is not that dialect's.
QString errorMessageIn(const QString &dialect, const QJsonObject &body)
{
    if (dialect == "ollama"_L1)
        return body.value("error"_L1).toString();
    if (dialect == "anthropic"_L1) {
        if (body.value("type"_L1).toString() != "error"_L1)
            return {};
        const QJsonObject error = body.value("error"_L1).toObject();
        return error.value("type"_L1).toString() == "invalid_request_error"_L1 ? error.value("message"_L1).toString()
                                                                              : QString();
    }
    const QJsonObject error = body.value("error"_L1).toObject();
    return error.contains("type"_L1) && error.contains("code"_L1) ? error.value("message"_L1).toString() : QString();
}

// Role and text of each message a node received, as "role: text" ("+images" when it has some).
QStringList transcript(const QJsonObject &nodeBody)
{
    QStringList out;
    for (const QJsonValue &value : nodeBody.value("messages"_L1).toArray()) {
        const QJsonObject message = value.toObject();
        const QJsonValue content = message.value("content"_L1);
        QString text = content.isString() ? content.toString() : QString::fromUtf8(QJsonDocument(content.toArray()).toJson(QJsonDocument::Compact));
        if (!message.value("images"_L1).toArray().isEmpty())
            text += u" +images"_s;
        out.append(message.value("role"_L1).toString() + u": "_s + text);
    }
    return out;
}

} // namespace

class TestShapingHttp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void systemMessagesAreFoldedToTheFront_data();
    void systemMessagesAreFoldedToTheFront();
    void malformedSystemContentIsRefused();
    void ollamaDefaultsFollowTheSettings();
    void theClientsOwnValuesWin();
    void settingsAreListedAndChecked();
    void limitsOfZeroAreDropped_data();
    void limitsOfZeroAreDropped();
    void imagesForModelsWithoutVision_data();
    void imagesForModelsWithoutVision();
    void theNodesReportedCapabilitiesCount();

private:
    FakeUpstream *nodeFor(const QString &node) const
    {
        return node == "ollama"_L1 ? m_harness.ollama() : m_harness.openai();
    }
    bool putSettings(const QJsonObject &values)
    {
        const Response response = m_harness.admin("PUT", u"/admin/settings"_s, values);
        if (response.status != 200)
            qWarning() << response.status << response.body;
        return response.status == 200;
    }

    GatewayHarness m_harness;
    QByteArray m_user;
};

void TestShapingHttp::initTestCase()
{
    QVERIFY(m_harness.start({u"plain:latest"_s, u"gemma3:latest"_s, u"llava:latest"_s, u"coder:latest"_s},
                            {u"plain-openai"_s, u"gemma-3-27b"_s}, ReplyText));
    // Mappings that say which models lack vision.
    for (const auto &[display, real] : {std::pair{u"gemma"_s, u"gemma3:latest"_s}, std::pair{u"gemma-openai"_s, u"gemma-3-27b"_s}}) {
        const Response mapped = m_harness.admin("POST", u"/admin/model-mappings"_s,
                                                {{u"display_name"_s, display},
                                                 {u"real_name"_s, real},
                                                 {u"capabilities"_s, QJsonArray{u"completion"_s, u"tools"_s}}});
        QVERIFY2(mapped.status == 201, mapped.body.constData());
    }
    // The Ollama node reports what two of its models can do; the mapping "gemma" beats it.
    m_harness.ollama()->setModelCapabilities(u"llava:latest"_s, {u"completion"_s, u"vision"_s});
    m_harness.ollama()->setModelCapabilities(u"coder:latest"_s, {u"completion"_s, u"tools"_s});
    m_harness.ollama()->setModelCapabilities(u"gemma3:latest"_s, {u"completion"_s, u"vision"_s});
    const Response synced = m_harness.admin("POST", u"/admin/nodes/%1/sync-models"_s.arg(m_harness.ollamaId()));
    QVERIFY2(synced.status == 200, synced.body.constData());
    m_user = m_harness.createUser(u"alice"_s, {u"*"_s});
    QVERIFY(!m_user.isEmpty());
    m_harness.reset();
}

void TestShapingHttp::cleanup()
{
    for (const QString &key : {u"ollama_keep_alive"_s, u"default_context_length"_s, u"images_for_non_vision_models"_s})
        m_harness.admin("DELETE", u"/admin/settings/"_s + key);
    m_harness.reset();
}

void TestShapingHttp::cleanupTestCase()
{
    m_harness.stop();
}

void TestShapingHttp::systemMessagesAreFoldedToTheFront_data()
{
    QTest::addColumn<QString>("dialect");
    QTest::addColumn<QString>("node");
    for (const QString &dialect : {u"ollama"_s, u"openai"_s, u"anthropic"_s, u"responses"_s}) {
        for (const QString &node : {u"ollama"_s, u"openai"_s}) {
            QTest::addRow("%s client, %s node: one system message, first", qPrintable(dialect), qPrintable(node))
                << dialect << node;
        }
    }
}

void TestShapingHttp::systemMessagesAreFoldedToTheFront()
{
    QFETCH(QString, dialect);
    QFETCH(QString, node);
    // With an administrator's prompt too: it leads, as it did before folding.
    const Response prompt = m_harness.admin("POST", u"/admin/system-prompts"_s,
                                            {{u"scope_type"_s, u"global"_s}, {u"prompt"_s, u"P"_s}});
    QCOMPARE(prompt.status, 201);
    const auto removePrompt = qScopeGuard([&] {
        m_harness.admin("DELETE", u"/admin/system-prompts/%1"_s.arg(qint64(prompt.json().value("id"_L1).toDouble())));
    });

    const QString model = node == "ollama"_L1 ? u"plain:latest"_s : u"plain-openai"_s;
    const Response response = m_harness.send("POST", pathOf(dialect), QJsonDocument(foldingChat(dialect, model)).toJson(),
                                             m_user);
    QVERIFY2(response.status == 200, response.body.constData());
    FakeUpstream *upstream = nodeFor(node);
    QCOMPARE(upstream->requestCount(), 1);
    QCOMPARE(transcript(upstream->lastRequest().body),
             (QStringList{u"system: P\n\nS1\n\nS2"_s, u"user: u1"_s, u"assistant: a1"_s, u"user: u2"_s}));
}

void TestShapingHttp::malformedSystemContentIsRefused()
{
    // A system message to fold whose content is a number: a clear 400 in the client's dialect,
    // nothing sent.
    const QJsonObject body{{u"model"_s, u"plain-openai"_s},
                           {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}},
                                                      QJsonObject{{u"role"_s, u"system"_s}, {u"content"_s, 7}}}}};
    const Response response = m_harness.send("POST", u"/v1/chat/completions"_s, QJsonDocument(body).toJson(), m_user);
    QCOMPARE(response.status, 400);
    QCOMPARE(errorMessageIn(u"openai"_s, response.json()),
             u"The content of a system message must be a string or an array of text parts, not a number"_s);
    QCOMPARE(m_harness.openai()->requestCount(), 0);

    // Messages that are not an array never get that far.
    const Response notArray = m_harness.send("POST", u"/api/chat"_s,
                                             R"({"model":"plain:latest","messages":{"role":"system","content":"x"}})", m_user);
    QCOMPARE(notArray.status, 400);
    QVERIFY2(errorMessageIn(u"ollama"_s, notArray.json()).contains(u"messages"_s), notArray.body.constData());
    QCOMPARE(m_harness.ollama()->requestCount(), 0);
}

void TestShapingHttp::ollamaDefaultsFollowTheSettings()
{
    const QByteArray chat = R"({"model":"plain:latest","messages":[{"role":"user","content":"hi"}]})";
    auto send = [&] {
        m_harness.ollama()->clearRequests();
        const Response response = m_harness.send("POST", u"/v1/chat/completions"_s, chat, m_user);
        return response.status == 200 ? m_harness.ollama()->lastRequest().body : QJsonObject{{u"failed"_s, QString::fromUtf8(response.body)}};
    };

    // The seed's defaults: the model stays loaded, and a context of 32768.
    QJsonObject sent = send();
    QCOMPARE(sent.value("keep_alive"_L1), QJsonValue(-1));
    QCOMPARE(sent.value("options"_L1).toObject().value("num_ctx"_L1).toInteger(), qint64(32768));

    QVERIFY(putSettings({{u"ollama_keep_alive"_s, u"15m"_s}, {u"default_context_length"_s, 8192}}));
    sent = send();
    QCOMPARE(sent.value("keep_alive"_L1), QJsonValue(u"15m"_s));
    QCOMPARE(sent.value("options"_L1).toObject().value("num_ctx"_L1).toInteger(), qint64(8192));

    QVERIFY(putSettings({{u"ollama_keep_alive"_s, u"300"_s}}));
    QCOMPARE(send().value("keep_alive"_L1), QJsonValue(300));

    // Off: Ollama's own defaults apply.
    QVERIFY(putSettings({{u"ollama_keep_alive"_s, u""_s}, {u"default_context_length"_s, 0}}));
    sent = send();
    QVERIFY2(!sent.contains("keep_alive"_L1), QJsonDocument(sent).toJson(QJsonDocument::Compact).constData());
    QVERIFY2(!sent.value("options"_L1).toObject().contains("num_ctx"_L1), QJsonDocument(sent).toJson(QJsonDocument::Compact).constData());

    // OpenAI-compatible nodes get neither, whatever the settings.
    QVERIFY(putSettings({{u"ollama_keep_alive"_s, u"-1"_s}, {u"default_context_length"_s, 4096}}));
    const Response openAi = m_harness.send("POST", u"/v1/chat/completions"_s,
                                           R"({"model":"plain-openai","messages":[{"role":"user","content":"hi"}]})", m_user);
    QCOMPARE(openAi.status, 200);
    const QJsonObject openAiSent = m_harness.openai()->lastRequest().body;
    QVERIFY(!openAiSent.contains("keep_alive"_L1));
    QVERIFY(!openAiSent.contains("options"_L1));
    QVERIFY(!openAiSent.contains("num_ctx"_L1));

    // Embeddings are left alone.
    m_harness.ollama()->clearRequests();
    QCOMPARE(m_harness.send("POST", u"/api/embed"_s, R"({"model":"plain:latest","input":"hi"})", m_user).status, 200);
    const QJsonObject embed = m_harness.ollama()->lastRequest().body;
    QVERIFY(!embed.contains("keep_alive"_L1));
    QVERIFY(!embed.contains("options"_L1));
}

void TestShapingHttp::theClientsOwnValuesWin()
{
    const Response response = m_harness.send(
        "POST", u"/api/chat"_s,
        R"({"model":"plain:latest","stream":false,"keep_alive":"2m","options":{"num_ctx":2048},"messages":[{"role":"user","content":"hi"}]})",
        m_user);
    QVERIFY2(response.status == 200, response.body.constData());
    const QJsonObject sent = m_harness.ollama()->lastRequest().body;
    QCOMPARE(sent.value("keep_alive"_L1), QJsonValue(u"2m"_s));
    QCOMPARE(sent.value("options"_L1).toObject().value("num_ctx"_L1).toInteger(), qint64(2048));

    // A num_ctx of 0 is no value: the default stands in.
    QCOMPARE(m_harness.send("POST", u"/api/chat"_s,
                            R"({"model":"plain:latest","stream":false,"options":{"num_ctx":0},"messages":[{"role":"user","content":"hi"}]})",
                            m_user)
                 .status,
             200);
    QCOMPARE(m_harness.ollama()->lastRequest().body.value("options"_L1).toObject().value("num_ctx"_L1).toInteger(), qint64(32768));
}

void TestShapingHttp::settingsAreListedAndChecked()
{
    const QJsonObject settings = m_harness.admin("GET", u"/admin/settings"_s).json();
    QCOMPARE(settings.value("ollama_keep_alive"_L1), QJsonValue(u"-1"_s));
    QCOMPARE(settings.value("default_context_length"_L1), QJsonValue(32768));
    QCOMPARE(settings.value("images_for_non_vision_models"_L1), QJsonValue(u"strip"_s));

    QHash<QString, QJsonObject> schema;
    for (const QJsonValue &entry : m_harness.admin("GET", u"/admin/settings/schema"_s).array())
        schema.insert(entry.toObject().value("key"_L1).toString(), entry.toObject());
    QCOMPARE(schema.value(u"ollama_keep_alive"_s).value("type"_L1).toString(), u"string"_s);
    QVERIFY(!schema.value(u"ollama_keep_alive"_s).value("pattern"_L1).toString().isEmpty());
    QCOMPARE(schema.value(u"default_context_length"_s).value("minimum"_L1).toInteger(), qint64(512));
    QCOMPARE(schema.value(u"images_for_non_vision_models"_s).value("choices"_L1).toArray(),
             (QJsonArray{u"strip"_s, u"reject"_s}));

    // A keep_alive Ollama would refuse (on every request) is refused when written.
    const Response refused = m_harness.admin("PUT", u"/admin/settings"_s, {{u"ollama_keep_alive"_s, u"forever"_s}});
    QCOMPARE(refused.status, 400);
    QVERIFY2(refused.json().value("detail"_L1).toString().startsWith(u"ollama_keep_alive must be an Ollama duration"_s),
             refused.body.constData());
    QCOMPARE(m_harness.admin("PUT", u"/admin/settings"_s, {{u"images_for_non_vision_models"_s, u"keep"_s}}).status, 400);
    QCOMPARE(m_harness.admin("GET", u"/admin/settings"_s).json().value("ollama_keep_alive"_L1), QJsonValue(u"-1"_s));
}

void TestShapingHttp::limitsOfZeroAreDropped_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("node");

    QTest::newRow("OpenAI client, OpenAI node: max_tokens 0")
        << u"/v1/chat/completions"_s << QByteArray(R"({"model":"plain-openai","max_tokens":0,"messages":[{"role":"user","content":"hi"}]})")
        << u"openai"_s;
    QTest::newRow("OpenAI client, OpenAI node: max_completion_tokens -1")
        << u"/v1/chat/completions"_s
        << QByteArray(R"({"model":"plain-openai","max_completion_tokens":-1,"messages":[{"role":"user","content":"hi"}]})")
        << u"openai"_s;
    QTest::newRow("OpenAI client, Ollama node: max_tokens 0")
        << u"/v1/chat/completions"_s << QByteArray(R"({"model":"plain:latest","max_tokens":0,"messages":[{"role":"user","content":"hi"}]})")
        << u"ollama"_s;
    QTest::newRow("Anthropic client, OpenAI node: max_tokens 0")
        << u"/v1/messages"_s << QByteArray(R"({"model":"plain-openai","max_tokens":0,"messages":[{"role":"user","content":"hi"}]})")
        << u"openai"_s;
    QTest::newRow("Anthropic client, Ollama node: max_tokens 0")
        << u"/v1/messages"_s << QByteArray(R"({"model":"plain:latest","max_tokens":0,"messages":[{"role":"user","content":"hi"}]})")
        << u"ollama"_s;
    QTest::newRow("Ollama client, Ollama node: num_predict 0")
        << u"/api/chat"_s
        << QByteArray(R"({"model":"plain:latest","stream":false,"options":{"num_predict":0},"messages":[{"role":"user","content":"hi"}]})")
        << u"ollama"_s;
    QTest::newRow("Ollama client, OpenAI node: num_predict 0")
        << u"/api/chat"_s
        << QByteArray(R"({"model":"plain-openai","stream":false,"options":{"num_predict":0},"messages":[{"role":"user","content":"hi"}]})")
        << u"openai"_s;
    QTest::newRow("Responses client, OpenAI node: max_output_tokens 0")
        << u"/v1/responses"_s << QByteArray(R"({"model":"plain-openai","max_output_tokens":0,"input":"hi"})") << u"openai"_s;
}

void TestShapingHttp::limitsOfZeroAreDropped()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QString, node);
    const Response response = m_harness.send("POST", path, body, m_user);
    QVERIFY2(response.status == 200, response.body.constData());
    FakeUpstream *upstream = nodeFor(node);
    QCOMPARE(upstream->requestCount(), 1);
    const QJsonObject sent = upstream->lastRequest().body;
    for (const QLatin1StringView key : {"max_tokens"_L1, "max_completion_tokens"_L1, "max_output_tokens"_L1})
        QVERIFY2(!sent.contains(key), upstream->lastRequest().rawBody.constData());
    QVERIFY2(!sent.value("options"_L1).toObject().contains("num_predict"_L1), upstream->lastRequest().rawBody.constData());
}

void TestShapingHttp::imagesForModelsWithoutVision_data()
{
    QTest::addColumn<QString>("dialect");
    QTest::addColumn<QString>("node");
    QTest::addColumn<QString>("setting");
    for (const QString &setting : {u"strip"_s, u"reject"_s}) {
        for (const QString &dialect : {u"ollama"_s, u"openai"_s, u"anthropic"_s, u"responses"_s}) {
            for (const QString &node : {u"ollama"_s, u"openai"_s}) {
                QTest::addRow("%s: %s client, %s node", qPrintable(setting), qPrintable(dialect), qPrintable(node))
                    << dialect << node << setting;
            }
        }
    }
}

void TestShapingHttp::imagesForModelsWithoutVision()
{
    QFETCH(QString, dialect);
    QFETCH(QString, node);
    QFETCH(QString, setting);
    if (setting != "strip"_L1)
        QVERIFY(putSettings({{u"images_for_non_vision_models"_s, setting}}));
    // The mappings list capabilities without "vision" (the Ollama node says gemma3 has it: the
    // mapping wins).
    const QString model = node == "ollama"_L1 ? u"gemma"_s : u"gemma-openai"_s;
    const Response response = m_harness.send("POST", pathOf(dialect), QJsonDocument(imageChat(dialect, model)).toJson(),
                                             m_user);
    FakeUpstream *upstream = nodeFor(node);
    if (setting == "reject"_L1) {
        QCOMPARE(response.status, 400);
        const QString message = errorMessageIn(dialect, response.json());
        QVERIFY2(message.startsWith(u"The model '%1' does not take images (it has no vision capability)"_s.arg(model)),
                 response.body.constData());
        QCOMPARE(upstream->requestCount(), 0);
        return;
    }
    QVERIFY2(response.status == 200, response.body.constData());
    QCOMPARE(upstream->requestCount(), 1);
    const RecordedRequest sent = upstream->lastRequest();
    QVERIFY2(!sent.rawBody.contains(Png.toLatin1()), sent.rawBody.constData());
    QCOMPARE(transcript(sent.body), QStringList{u"user: what is this?"_s});
}

void TestShapingHttp::theNodesReportedCapabilitiesCount()
{
    QVERIFY(putSettings({{u"images_for_non_vision_models"_s, u"reject"_s}}));
    // llava: the node lists "vision", the image goes through.
    Response response = m_harness.send("POST", u"/api/chat"_s, QJsonDocument(imageChat(u"ollama"_s, u"llava:latest"_s)).toJson(),
                                       m_user);
    QVERIFY2(response.status == 200, response.body.constData());
    QCOMPARE(transcript(m_harness.ollama()->lastRequest().body), QStringList{u"user: what is this? +images"_s});

    // coder: the node lists capabilities without "vision".
    m_harness.ollama()->clearRequests();
    response = m_harness.send("POST", u"/v1/chat/completions"_s, QJsonDocument(imageChat(u"openai"_s, u"coder:latest"_s)).toJson(),
                              m_user);
    QCOMPARE(response.status, 400);
    QVERIFY2(errorMessageIn(u"openai"_s, response.json()).startsWith(u"The model 'coder:latest' does not take images"_s),
             response.body.constData());
    QCOMPARE(m_harness.ollama()->requestCount(), 0);

    // plain: nothing known, the image goes through.
    response = m_harness.send("POST", u"/api/chat"_s, QJsonDocument(imageChat(u"ollama"_s, u"plain:latest"_s)).toJson(), m_user);
    QVERIFY2(response.status == 200, response.body.constData());
    QCOMPARE(transcript(m_harness.ollama()->lastRequest().body), QStringList{u"user: what is this? +images"_s});
}

QTEST_GUILESS_MAIN(TestShapingHttp)
#include "tst_shaping_http.moc"

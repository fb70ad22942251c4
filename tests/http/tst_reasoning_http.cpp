// Reasoning a node writes between <think> tags, end to end over real sockets: each client
// dialect gets it in its own reasoning field, streamed and not, from an Ollama node and from an
// OpenAI-compatible one, and never sees the tags, unless the model configuration keeps them.

#include "gatewayharness.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Maestro;
using namespace Maestro::Test;

namespace {

// As DeepSeek-R1 answers through a server without a reasoning parser; the fake node streams it
// word by word, so the tags arrive glued to the words around them.
const QString ReplyText = u"<think>\nThe user greets me.\n</think>\n\nHello there!"_s;

QByteArray bodyFor(const QString &path, const QString &model, bool stream)
{
    QJsonObject body{{u"model"_s, model}, {u"stream"_s, stream}};
    const QJsonArray messages{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}};
    if (path == "/v1/responses"_L1) {
        body.insert("input"_L1, u"hi"_s);
    } else {
        body.insert("messages"_L1, messages);
        if (path == "/v1/messages"_L1)
            body.insert("max_tokens"_L1, 64);
    }
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

} // namespace

class TestReasoningHttp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void everyDialectGetsItsReasoningField_data();
    void everyDialectGetsItsReasoningField();
    void keepThinkTagsRelaysTheTextAsWritten_data();
    void keepThinkTagsRelaysTheTextAsWritten();

private:
    GatewayHarness m_harness;
    QByteArray m_token;
    QByteArray m_bearer;
};

void TestReasoningHttp::initTestCase()
{
    QVERIFY(m_harness.start({u"deepseek-r1:latest"_s}, {u"deepseek-r1"_s}, ReplyText));
    QVERIFY(m_harness.addMapping(u"r1-local"_s, u"deepseek-r1:latest"_s));
    QVERIFY(m_harness.addMapping(u"r1-cloud"_s, u"deepseek-r1"_s));
    QVERIFY(m_harness.addMapping(u"r1-raw-local"_s, u"deepseek-r1:latest"_s));
    QVERIFY(m_harness.addMapping(u"r1-raw-cloud"_s, u"deepseek-r1"_s));
    const Response saved = m_harness.admin("POST", u"/admin/model-configs"_s,
                                           {{u"model_pattern"_s, u"r1-raw*"_s}, {u"keep_think_tags"_s, true}});
    QVERIFY2(saved.status == 201, saved.body.constData());
    // The switch is stored and read back.
    QCOMPARE(m_harness.admin("GET", u"/admin/model-configs/r1-raw*"_s).json().value("keep_think_tags"_L1),
             QJsonValue(true));
    m_token = m_harness.createUser(u"alice"_s, {u"*"_s});
    QVERIFY(!m_token.isEmpty());
    m_bearer = QByteArray("Bearer ").append(m_token);
}

void TestReasoningHttp::cleanupTestCase()
{
    m_harness.stop();
}

void TestReasoningHttp::everyDialectGetsItsReasoningField_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<QByteArray>("reasoningMark"); // what carries the reasoning in that dialect

    const QList<std::tuple<const char *, QString, QByteArray, QByteArray>> dialects{
        {"ollama", u"/api/chat"_s, "\"thinking\":", "\"thinking\":"},
        {"openai", u"/v1/chat/completions"_s, "\"reasoning_content\":", "\"reasoning_content\":"},
        {"anthropic", u"/v1/messages"_s, "\"thinking_delta\"", "\"type\":\"thinking\""},
        {"responses", u"/v1/responses"_s, "response.reasoning_summary_text.delta", "\"type\":\"reasoning\""},
    };
    for (const QString &model : {u"r1-local"_s, u"r1-cloud"_s}) {
        for (const auto &[name, path, streamMark, wholeMark] : dialects) {
            for (const bool stream : {true, false}) {
                QTest::addRow("%s client, %s, %s", name, qPrintable(model), stream ? "streamed" : "whole")
                    << model << path << stream << (stream ? streamMark : wholeMark);
            }
        }
    }
}

void TestReasoningHttp::everyDialectGetsItsReasoningField()
{
    QFETCH(QString, model);
    QFETCH(QString, path);
    QFETCH(bool, stream);
    QFETCH(QByteArray, reasoningMark);

    const Response response = m_harness.send("POST", path, bodyFor(path, model, stream), {},
                                             {{"authorization", m_bearer}, {"x-api-key", m_token}});
    QVERIFY2(response.status == 200, response.body.constData());
    QVERIFY2(!response.body.contains("<think>") && !response.body.contains("</think>"), response.body.constData());
    QVERIFY2(response.body.contains(reasoningMark), response.body.constData());
    QVERIFY2(response.body.contains("greets"), response.body.constData());
    QVERIFY2(response.body.contains("Hello") && response.body.contains("there!"), response.body.constData());
    // Streamed, the reasoning comes first and the answer after it.
    if (stream)
        QVERIFY2(response.body.indexOf("greets") < response.body.lastIndexOf("there!"), response.body.constData());
}

void TestReasoningHttp::keepThinkTagsRelaysTheTextAsWritten_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("stream");
    for (const QString &model : {u"r1-raw-local"_s, u"r1-raw-cloud"_s}) {
        for (const QString &path : {u"/api/chat"_s, u"/v1/chat/completions"_s}) {
            for (const bool stream : {true, false}) {
                QTest::addRow("%s %s %s", qPrintable(model), qPrintable(path), stream ? "streamed" : "whole")
                    << model << path << stream;
            }
        }
    }
}

void TestReasoningHttp::keepThinkTagsRelaysTheTextAsWritten()
{
    QFETCH(QString, model);
    QFETCH(QString, path);
    QFETCH(bool, stream);

    const Response response
        = m_harness.send("POST", path, bodyFor(path, model, stream), {}, {{"authorization", m_bearer}});
    QVERIFY2(response.status == 200, response.body.constData());
    QVERIFY2(response.body.contains("<think>"), response.body.constData());
    QVERIFY2(!response.body.contains("\"thinking\"") && !response.body.contains("reasoning_content"),
             response.body.constData());
}

QTEST_GUILESS_MAIN(TestReasoningHttp)
#include "tst_reasoning_http.moc"

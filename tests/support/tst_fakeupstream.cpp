#include "fakeupstream.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using Maestro::NodeType;
using Maestro::Test::FakeUpstream;

namespace {

QJsonObject parseObject(const QByteArray &data)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(data, &error);
    if (error.error != QJsonParseError::NoError)
        qWarning("not JSON: %s", data.constData());
    return doc.object();
}

// SSE "data:" payloads, in order.
QList<QByteArray> sseData(const QByteArray &body)
{
    QList<QByteArray> out;
    for (const QByteArray &event : body.split('\n')) {
        if (event.startsWith("data: "))
            out.append(event.mid(6));
    }
    return out;
}

QList<QByteArray> ndjsonLines(const QByteArray &body)
{
    QList<QByteArray> out;
    for (const QByteArray &line : body.split('\n')) {
        if (!line.isEmpty())
            out.append(line);
    }
    return out;
}

} // namespace

class TestFakeUpstream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void openAiModels();
    void openAiChatAndRecording();
    void openAiStreamArrivesOverTime();
    void openAiUsageChunkOnlyWhenAsked();
    void openAiToolCallStream();
    void openAiErrors();
    void openAiApiKey();
    void ollamaShapes();
    void ollamaChatStream();
    void ollamaPull();
    void ollamaPullError();
    void failNext();
    void failNextWithBody();
    void toolCallUntilResult();
    void lastAndRecordedRequests();
    void dropAfterChunks();
    void clientDisconnectCancelsStream();
    void closeDropsEverything();
    void maxConcurrentStreams();
    void keepAliveAndPipelining();
    void workerThreads();

private:
    QNetworkReply *get(FakeUpstream &upstream, const QString &path,
                       const QByteArray &authorization = {});
    QNetworkReply *post(FakeUpstream &upstream, const QString &path, const QByteArray &json,
                        const QByteArray &authorization = {});
    static bool waitFinished(QNetworkReply *reply, int timeoutMs = 5000);
    static int status(QNetworkReply *reply)
    {
        return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    }

    QNetworkAccessManager m_nam;
};

QNetworkReply *TestFakeUpstream::get(FakeUpstream &upstream, const QString &path,
                                     const QByteArray &authorization)
{
    QNetworkRequest request(upstream.baseUrl().resolved(QUrl(path)));
    if (!authorization.isEmpty())
        request.setRawHeader("Authorization", authorization);
    return m_nam.get(request);
}

QNetworkReply *TestFakeUpstream::post(FakeUpstream &upstream, const QString &path,
                                      const QByteArray &json, const QByteArray &authorization)
{
    QNetworkRequest request(upstream.baseUrl().resolved(QUrl(path)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    if (!authorization.isEmpty())
        request.setRawHeader("Authorization", authorization);
    return m_nam.post(request, json);
}

bool TestFakeUpstream::waitFinished(QNetworkReply *reply, int timeoutMs)
{
    if (reply->isFinished())
        return true;
    QSignalSpy spy(reply, &QNetworkReply::finished);
    return spy.wait(timeoutMs);
}

void TestFakeUpstream::openAiModels()
{
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({ u"m1"_s, u"m2"_s });
    QVERIFY(upstream.listen());

    std::unique_ptr<QNetworkReply> reply(get(upstream, u"/v1/models"_s));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(status(reply.get()), 200);
    const QJsonObject body = parseObject(reply->readAll());
    QCOMPARE(body.value("object"_L1).toString(), u"list"_s);
    const QJsonArray data = body.value("data"_L1).toArray();
    QCOMPARE(data.size(), 2);
    QCOMPARE(data.at(0).toObject().value("id"_L1).toString(), u"m1"_s);
    QCOMPARE(data.at(1).toObject().value("object"_L1).toString(), u"model"_s);
    QVERIFY(data.at(1).toObject().contains("owned_by"_L1));

    upstream.setHealthy(false);
    reply.reset(get(upstream, u"/v1/models"_s));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(status(reply.get()), 500);
}

void TestFakeUpstream::openAiChatAndRecording()
{
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({ u"m1"_s });
    upstream.setReplyText(u"one two three"_s);
    QVERIFY(upstream.listen());

    const QByteArray request
        = R"({"model":"m1","messages":[{"role":"system","content":"be brief"},)"
          R"({"role":"user","content":[{"type":"text","text":"hello there world"}]}]})";
    std::unique_ptr<QNetworkReply> reply(post(upstream, u"/v1/chat/completions"_s, request));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(status(reply.get()), 200);
    const QJsonObject body = parseObject(reply->readAll());
    QCOMPARE(body.value("object"_L1).toString(), u"chat.completion"_s);
    QCOMPARE(body.value("model"_L1).toString(), u"m1"_s);
    const QJsonObject choice = body.value("choices"_L1).toArray().at(0).toObject();
    QCOMPARE(choice.value("finish_reason"_L1).toString(), u"stop"_s);
    QCOMPARE(choice.value("message"_L1).toObject().value("content"_L1).toString(),
             u"one two three"_s);
    const QJsonObject usage = body.value("usage"_L1).toObject();
    QCOMPARE(usage.value("prompt_tokens"_L1).toInt(), 5);
    QCOMPARE(usage.value("completion_tokens"_L1).toInt(), 3);
    QCOMPARE(usage.value("total_tokens"_L1).toInt(), 8);

    QCOMPARE(upstream.requestCount(), 1);
    const auto recorded = upstream.lastRequest();
    QCOMPARE(recorded.method, "POST"_ba);
    QCOMPARE(recorded.path, "/v1/chat/completions"_ba);
    QCOMPARE(recorded.header("content-type"), "application/json"_ba);
    QCOMPARE(recorded.body.value("model"_L1).toString(), u"m1"_s);
    QCOMPARE(recorded.rawBody, request);

    upstream.setTokenCounts(11, 22);
    reply.reset(post(upstream, u"/v1/chat/completions"_s, request));
    QVERIFY(waitFinished(reply.get()));
    const QJsonObject fixed = parseObject(reply->readAll()).value("usage"_L1).toObject();
    QCOMPARE(fixed.value("prompt_tokens"_L1).toInt(), 11);
    QCOMPARE(fixed.value("completion_tokens"_L1).toInt(), 22);

    upstream.setReportUsage(false);
    reply.reset(post(upstream, u"/v1/chat/completions"_s, request));
    QVERIFY(waitFinished(reply.get()));
    QVERIFY(!parseObject(reply->readAll()).contains("usage"_L1));
    QCOMPARE(upstream.requests().size(), 3);
}

void TestFakeUpstream::openAiStreamArrivesOverTime()
{
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({ u"m1"_s });
    upstream.setReplyText(u"a b c d"_s);
    upstream.setChunkDelay(60);
    QVERIFY(upstream.listen());

    std::unique_ptr<QNetworkReply> reply(
        post(upstream, u"/v1/chat/completions"_s, R"({"model":"m1","stream":true,"messages":[]})"));
    QByteArray received;
    QList<qint64> arrivals;
    QElapsedTimer clock;
    clock.start();
    connect(reply.get(), &QIODevice::readyRead, this, [&]() {
        received += reply->readAll();
        arrivals.append(clock.elapsed());
    });
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(reply->error(), QNetworkReply::NoError);
    QVERIFY(reply->header(QNetworkRequest::ContentTypeHeader)
                .toString()
                .startsWith(u"text/event-stream"_s));
    QCOMPARE(reply->rawHeader("Transfer-Encoding"), "chunked"_ba);

    const QList<QByteArray> events = sseData(received);
    // role, four words, finish, [DONE]
    QCOMPARE(events.size(), 7);
    QCOMPARE(events.constLast(), "[DONE]"_ba);
    const QJsonObject first = parseObject(events.at(0));
    QCOMPARE(first.value("object"_L1).toString(), u"chat.completion.chunk"_s);
    QCOMPARE(first.value("choices"_L1)
                 .toArray()
                 .at(0)
                 .toObject()
                 .value("delta"_L1)
                 .toObject()
                 .value("role"_L1)
                 .toString(),
             u"assistant"_s);
    QString text;
    for (int i = 1; i <= 4; ++i) {
        text += parseObject(events.at(i))
                    .value("choices"_L1)
                    .toArray()
                    .at(0)
                    .toObject()
                    .value("delta"_L1)
                    .toObject()
                    .value("content"_L1)
                    .toString();
    }
    QCOMPARE(text, u"a b c d"_s);
    const QJsonObject finish
        = parseObject(events.at(5)).value("choices"_L1).toArray().at(0).toObject();
    QCOMPARE(finish.value("finish_reason"_L1).toString(), u"stop"_s);
    QVERIFY(!parseObject(events.at(5)).contains("usage"_L1));

    // Six delays between seven events: the pieces must not have come in one burst.
    QVERIFY2(arrivals.size() >= 4, qPrintable(u"%1 reads"_s.arg(arrivals.size())));
    QVERIFY(arrivals.constLast() - arrivals.constFirst() >= 200);
    QCOMPARE(upstream.completedStreams(), 1);
    QCOMPARE(upstream.activeStreams(), 0);
}

void TestFakeUpstream::openAiUsageChunkOnlyWhenAsked()
{
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({ u"m1"_s });
    upstream.setReplyText(u"x y"_s);
    QVERIFY(upstream.listen());

    std::unique_ptr<QNetworkReply> reply(
        post(upstream, u"/v1/chat/completions"_s,
             R"({"model":"m1","stream":true,"stream_options":{"include_usage":true},)"
             R"("messages":[{"role":"user","content":"four words right here"}]})"));
    QVERIFY(waitFinished(reply.get()));
    QList<QByteArray> events = sseData(reply->readAll());
    QCOMPARE(events.size(), 6); // role, x, y, finish, usage, [DONE]
    const QJsonObject usageChunk = parseObject(events.at(4));
    QVERIFY(usageChunk.value("choices"_L1).toArray().isEmpty());
    QCOMPARE(usageChunk.value("usage"_L1).toObject().value("prompt_tokens"_L1).toInt(), 4);
    QCOMPARE(usageChunk.value("usage"_L1).toObject().value("completion_tokens"_L1).toInt(), 2);
    QVERIFY(parseObject(events.at(1)).value("usage"_L1).isNull());

    upstream.setReplyText(u"x y"_s);
    reply.reset(
        post(upstream, u"/v1/completions"_s, R"({"model":"m1","stream":true,"prompt":"p"})"));
    QVERIFY(waitFinished(reply.get()));
    events = sseData(reply->readAll());
    QCOMPARE(events.size(), 4); // x, y, finish, [DONE]
    QCOMPARE(parseObject(events.at(0))
                 .value("choices"_L1)
                 .toArray()
                 .at(0)
                 .toObject()
                 .value("text"_L1)
                 .toString(),
             u"x"_s);
}

void TestFakeUpstream::openAiToolCallStream()
{
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({ u"m1"_s });
    const QByteArray arguments = R"({"location":"Paris","unit":"celsius"})";
    upstream.setToolCall(u"get_weather"_s, arguments);
    QVERIFY(upstream.listen());

    std::unique_ptr<QNetworkReply> reply(
        post(upstream, u"/v1/chat/completions"_s, R"({"model":"m1","stream":true,"messages":[]})"));
    QVERIFY(waitFinished(reply.get()));
    const QList<QByteArray> events = sseData(reply->readAll());
    QVERIFY(events.size() >= 5);
    const QJsonObject first = parseObject(events.at(0))
                                  .value("choices"_L1)
                                  .toArray()
                                  .at(0)
                                  .toObject()
                                  .value("delta"_L1)
                                  .toObject();
    const QJsonObject call = first.value("tool_calls"_L1).toArray().at(0).toObject();
    QCOMPARE(call.value("index"_L1).toInt(), 0);
    QVERIFY(call.value("id"_L1).toString().startsWith(u"call_"_s));
    QCOMPARE(call.value("function"_L1).toObject().value("name"_L1).toString(), u"get_weather"_s);

    QByteArray joined;
    int argumentPieces = 0;
    for (qsizetype i = 1; i < events.size() - 2; ++i) {
        const QJsonObject delta = parseObject(events.at(i))
                                      .value("choices"_L1)
                                      .toArray()
                                      .at(0)
                                      .toObject()
                                      .value("delta"_L1)
                                      .toObject();
        joined += delta.value("tool_calls"_L1)
                      .toArray()
                      .at(0)
                      .toObject()
                      .value("function"_L1)
                      .toObject()
                      .value("arguments"_L1)
                      .toString()
                      .toUtf8();
        ++argumentPieces;
    }
    QVERIFY(argumentPieces > 1);
    QCOMPARE(joined, arguments);
    QCOMPARE(parseObject(events.at(events.size() - 2))
                 .value("choices"_L1)
                 .toArray()
                 .at(0)
                 .toObject()
                 .value("finish_reason"_L1)
                 .toString(),
             u"tool_calls"_s);

    reply.reset(post(upstream, u"/v1/chat/completions"_s, R"({"model":"m1","messages":[]})"));
    QVERIFY(waitFinished(reply.get()));
    const QJsonObject message = parseObject(reply->readAll())
                                    .value("choices"_L1)
                                    .toArray()
                                    .at(0)
                                    .toObject()
                                    .value("message"_L1)
                                    .toObject();
    QVERIFY(message.value("content"_L1).isNull());
    QCOMPARE(message.value("tool_calls"_L1)
                 .toArray()
                 .at(0)
                 .toObject()
                 .value("function"_L1)
                 .toObject()
                 .value("arguments"_L1)
                 .toString()
                 .toUtf8(),
             arguments);
}

void TestFakeUpstream::openAiErrors()
{
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({ u"m1"_s });
    QVERIFY(upstream.listen());

    std::unique_ptr<QNetworkReply> reply(
        post(upstream, u"/v1/chat/completions"_s, R"({"model":"nope","messages":[]})"));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(status(reply.get()), 404);
    const QJsonObject error = parseObject(reply->readAll()).value("error"_L1).toObject();
    QCOMPARE(error.value("code"_L1).toString(), u"model_not_found"_s);
    QCOMPARE(error.value("type"_L1).toString(), u"invalid_request_error"_s);
    QVERIFY(error.value("message"_L1).toString().contains(u"nope"_s));

    reply.reset(post(upstream, u"/v1/chat/completions"_s, "{not json"));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(status(reply.get()), 400);

    reply.reset(post(upstream, u"/v1/embeddings"_s, R"({"model":"m1","input":["a","b c"]})"));
    QVERIFY(waitFinished(reply.get()));
    const QJsonObject embeddings = parseObject(reply->readAll());
    QCOMPARE(embeddings.value("data"_L1).toArray().size(), 2);
    QCOMPARE(embeddings.value("data"_L1)
                 .toArray()
                 .at(1)
                 .toObject()
                 .value("embedding"_L1)
                 .toArray()
                 .size(),
             8);
    QCOMPARE(embeddings.value("usage"_L1).toObject().value("prompt_tokens"_L1).toInt(), 3);
}

void TestFakeUpstream::openAiApiKey()
{
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setApiKey(u"sekrit"_s);
    QVERIFY(upstream.listen());

    std::unique_ptr<QNetworkReply> reply(get(upstream, u"/v1/models"_s));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(status(reply.get()), 401);
    QCOMPARE(parseObject(reply->readAll()).value("error"_L1).toObject().value("code"_L1).toString(),
             u"invalid_api_key"_s);

    reply.reset(get(upstream, u"/v1/models"_s, "Bearer wrong"));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(status(reply.get()), 401);

    reply.reset(get(upstream, u"/v1/models"_s, "Bearer sekrit"));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(status(reply.get()), 200);
}

void TestFakeUpstream::ollamaShapes()
{
    FakeUpstream upstream(NodeType::Ollama);
    upstream.setModels({ u"llama3:latest"_s, u"embed:v1"_s });
    upstream.setReplyText(u"hi you"_s);
    QVERIFY(upstream.listen());

    std::unique_ptr<QNetworkReply> reply(get(upstream, u"/api/tags"_s));
    QVERIFY(waitFinished(reply.get()));
    const QJsonArray models = parseObject(reply->readAll()).value("models"_L1).toArray();
    QCOMPARE(models.size(), 2);
    const QJsonObject model = models.at(0).toObject();
    QCOMPARE(model.value("name"_L1).toString(), u"llama3:latest"_s);
    QCOMPARE(model.value("model"_L1).toString(), u"llama3:latest"_s);
    for (const auto key : { "modified_at"_L1, "size"_L1, "digest"_L1, "details"_L1 })
        QVERIFY2(model.contains(key), key.data());

    reply.reset(get(upstream, u"/api/version"_s));
    QVERIFY(waitFinished(reply.get()));
    QVERIFY(!parseObject(reply->readAll()).value("version"_L1).toString().isEmpty());

    // A name without a tag means ":latest", as in Ollama.
    reply.reset(post(
        upstream, u"/api/chat"_s,
        R"({"model":"llama3","stream":false,"messages":[{"role":"user","content":"a b c"}]})"));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(status(reply.get()), 200);
    const QJsonObject chat = parseObject(reply->readAll());
    QCOMPARE(chat.value("message"_L1).toObject().value("content"_L1).toString(), u"hi you"_s);
    QCOMPARE(chat.value("message"_L1).toObject().value("role"_L1).toString(), u"assistant"_s);
    QCOMPARE(chat.value("done"_L1).toBool(), true);
    QCOMPARE(chat.value("done_reason"_L1).toString(), u"stop"_s);
    QCOMPARE(chat.value("prompt_eval_count"_L1).toInt(), 3);
    QCOMPARE(chat.value("eval_count"_L1).toInt(), 2);

    reply.reset(post(upstream, u"/api/generate"_s,
                     R"({"model":"llama3:latest","stream":false,"prompt":"x"})"));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(parseObject(reply->readAll()).value("response"_L1).toString(), u"hi you"_s);

    reply.reset(post(upstream, u"/api/chat"_s, R"({"model":"missing","messages":[]})"));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(status(reply.get()), 404);
    QCOMPARE(parseObject(reply->readAll()).value("error"_L1).toString(),
             u"model \"missing\" not found, try pulling it first"_s);

    reply.reset(post(upstream, u"/api/embed"_s, R"({"model":"embed:v1","input":["a","b"]})"));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(parseObject(reply->readAll()).value("embeddings"_L1).toArray().size(), 2);

    reply.reset(post(upstream, u"/api/embeddings"_s, R"({"model":"embed:v1","prompt":"a"})"));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(parseObject(reply->readAll()).value("embedding"_L1).toArray().size(), 8);

    reply.reset(post(upstream, u"/api/show"_s, R"({"model":"llama3:latest"})"));
    QVERIFY(waitFinished(reply.get()));
    QVERIFY(parseObject(reply->readAll()).contains("details"_L1));

    reply.reset(get(upstream, u"/api/ps"_s));
    QVERIFY(waitFinished(reply.get()));
    QVERIFY(!parseObject(reply->readAll()).value("models"_L1).toArray().isEmpty());

    upstream.setHealthy(false);
    reply.reset(get(upstream, u"/api/tags"_s));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(status(reply.get()), 500);
    QVERIFY(parseObject(reply->readAll()).value("error"_L1).isString());
}

void TestFakeUpstream::ollamaChatStream()
{
    FakeUpstream upstream(NodeType::Ollama);
    upstream.setModels({ u"m:latest"_s });
    upstream.setReplyText(u"one two"_s);
    QVERIFY(upstream.listen());

    // Ollama streams unless told otherwise.
    std::unique_ptr<QNetworkReply> reply(post(
        upstream, u"/api/chat"_s, R"({"model":"m","messages":[{"role":"user","content":"q"}]})"));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(reply->header(QNetworkRequest::ContentTypeHeader).toString(),
             u"application/x-ndjson"_s);
    const QList<QByteArray> lines = ndjsonLines(reply->readAll());
    QCOMPARE(lines.size(), 3);
    QCOMPARE(parseObject(lines.at(0)).value("message"_L1).toObject().value("content"_L1).toString(),
             u"one"_s);
    QCOMPARE(parseObject(lines.at(1)).value("message"_L1).toObject().value("content"_L1).toString(),
             u" two"_s);
    const QJsonObject last = parseObject(lines.at(2));
    QCOMPARE(last.value("done"_L1).toBool(), true);
    QCOMPARE(last.value("eval_count"_L1).toInt(), 2);
    QCOMPARE(last.value("prompt_eval_count"_L1).toInt(), 1);

    upstream.setToolCall(u"lookup"_s, R"({"q":"x"})");
    reply.reset(post(upstream, u"/api/chat"_s, R"({"model":"m","messages":[]})"));
    QVERIFY(waitFinished(reply.get()));
    const QList<QByteArray> toolLines = ndjsonLines(reply->readAll());
    QCOMPARE(toolLines.size(), 2);
    const QJsonObject function = parseObject(toolLines.at(0))
                                     .value("message"_L1)
                                     .toObject()
                                     .value("tool_calls"_L1)
                                     .toArray()
                                     .at(0)
                                     .toObject()
                                     .value("function"_L1)
                                     .toObject();
    QCOMPARE(function.value("name"_L1).toString(), u"lookup"_s);
    QCOMPARE(function.value("arguments"_L1).toObject().value("q"_L1).toString(), u"x"_s);
}

void TestFakeUpstream::ollamaPull()
{
    FakeUpstream upstream(NodeType::Ollama);
    upstream.setModels({});
    QVERIFY(upstream.listen());

    std::unique_ptr<QNetworkReply> reply(post(upstream, u"/api/pull"_s, R"({"model":"new:1b"})"));
    QVERIFY(waitFinished(reply.get()));
    const QList<QByteArray> lines = ndjsonLines(reply->readAll());
    QVERIFY(lines.size() >= 4);
    QCOMPARE(parseObject(lines.constFirst()).value("status"_L1).toString(), u"pulling manifest"_s);
    QCOMPARE(parseObject(lines.constLast()).value("status"_L1).toString(), u"success"_s);
    bool sawProgress = false;
    for (const QByteArray &line : lines) {
        const QJsonObject o = parseObject(line);
        if (o.contains("completed"_L1)) {
            sawProgress = true;
            QCOMPARE(o.value("total"_L1).toInt(), 1000);
        }
    }
    QVERIFY(sawProgress);
    QCOMPARE(upstream.models(), QStringList { u"new:1b"_s });
}

void TestFakeUpstream::ollamaPullError()
{
    FakeUpstream upstream(NodeType::Ollama);
    upstream.setModels({});
    upstream.setPullError(u"pull model manifest: file does not exist"_s);
    QVERIFY(upstream.listen());

    std::unique_ptr<QNetworkReply> reply(post(upstream, u"/api/pull"_s, R"({"model":"missing:1b"})"));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    const QList<QByteArray> lines = ndjsonLines(reply->readAll());
    QCOMPARE(lines.size(), 2);
    QCOMPARE(parseObject(lines.constFirst()).value("status"_L1).toString(), u"pulling manifest"_s);
    QCOMPARE(parseObject(lines.constLast()).value("error"_L1).toString(),
             u"pull model manifest: file does not exist"_s);
    QVERIFY(upstream.models().isEmpty());
}

void TestFakeUpstream::failNext()
{
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({ u"m1"_s });
    QVERIFY(upstream.listen());
    upstream.failNext(503, 2);

    for (int i = 0; i < 2; ++i) {
        std::unique_ptr<QNetworkReply> reply(
            post(upstream, u"/v1/chat/completions"_s, R"({"model":"m1","messages":[]})"));
        QVERIFY(waitFinished(reply.get()));
        QCOMPARE(status(reply.get()), 503);
        const QJsonObject error = parseObject(reply->readAll()).value("error"_L1).toObject();
        QCOMPARE(error.value("type"_L1).toString(), u"server_error"_s);
    }
    std::unique_ptr<QNetworkReply> reply(
        post(upstream, u"/v1/chat/completions"_s, R"({"model":"m1","messages":[]})"));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(status(reply.get()), 200);
    QCOMPARE(upstream.requestCount(), 3);

    FakeUpstream ollama(NodeType::Ollama);
    QVERIFY(ollama.listen());
    ollama.failNext(429);
    reply.reset(get(ollama, u"/api/tags"_s));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(status(reply.get()), 429);
    QVERIFY(parseObject(reply->readAll()).value("error"_L1).isString());
}

void TestFakeUpstream::dropAfterChunks()
{
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({ u"m1"_s });
    upstream.setReplyText(u"a b c d e f"_s);
    upstream.setChunkDelay(10);
    QVERIFY(upstream.listen());
    upstream.dropAfterChunks(3);
    QSignalSpy dropped(&upstream, &FakeUpstream::streamDropped);

    std::unique_ptr<QNetworkReply> reply(
        post(upstream, u"/v1/chat/completions"_s, R"({"model":"m1","stream":true,"messages":[]})"));
    QByteArray received;
    connect(reply.get(), &QIODevice::readyRead, this, [&]() { received += reply->readAll(); });
    QVERIFY(waitFinished(reply.get()));
    received += reply->readAll();
    QVERIFY2(reply->error() != QNetworkReply::NoError, "a cut stream must not look complete");
    const QList<QByteArray> events = sseData(received);
    QCOMPARE(events.size(), 3);
    QVERIFY(!received.contains("[DONE]"));
    QCOMPARE(dropped.size(), 1);
    QCOMPARE(upstream.droppedStreams(), 1);

    // Only the next stream is cut.
    reply.reset(
        post(upstream, u"/v1/chat/completions"_s, R"({"model":"m1","stream":true,"messages":[]})"));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(reply->error(), QNetworkReply::NoError);
    QVERIFY(reply->readAll().contains("[DONE]"));
}

void TestFakeUpstream::clientDisconnectCancelsStream()
{
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({ u"m1"_s });
    upstream.setReplyWords(50);
    upstream.setChunkDelay(20);
    QVERIFY(upstream.listen());
    QSignalSpy cancelled(&upstream, &FakeUpstream::streamCancelled);

    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, upstream.port());
    QVERIFY(client.waitForConnected(3000));
    const QByteArray body = R"({"model":"m1","stream":true,"messages":[]})";
    client.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: "
                 + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QTRY_VERIFY(client.bytesAvailable() > 0 || client.waitForReadyRead(100));
    QTRY_COMPARE(upstream.activeStreams(), 1);
    client.abort();

    QTRY_COMPARE(cancelled.size(), 1);
    QCOMPARE(upstream.cancelledStreams(), 1);
    QCOMPARE(upstream.activeStreams(), 0);
    QCOMPARE(upstream.completedStreams(), 0);
}

void TestFakeUpstream::closeDropsEverything()
{
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({ u"m1"_s });
    upstream.setReplyWords(50);
    upstream.setChunkDelay(20);
    QVERIFY(upstream.listen());
    const quint16 port = upstream.port();

    std::unique_ptr<QNetworkReply> reply(
        post(upstream, u"/v1/chat/completions"_s, R"({"model":"m1","stream":true,"messages":[]})"));
    QTRY_COMPARE(upstream.activeStreams(), 1);
    upstream.close();
    QCOMPARE(upstream.activeStreams(), 0);
    QCOMPARE(upstream.droppedStreams(), 1);
    QVERIFY(waitFinished(reply.get()));
    QVERIFY(reply->error() != QNetworkReply::NoError);

    QTcpSocket probe;
    probe.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(!probe.waitForConnected(1000));

    // The node comes back on the same port.
    QVERIFY(upstream.listen(QHostAddress::LocalHost, port));
    reply.reset(get(upstream, u"/v1/models"_s));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(status(reply.get()), 200);
}

void TestFakeUpstream::maxConcurrentStreams()
{
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({ u"m1"_s });
    upstream.setReplyWords(5);
    upstream.setChunkDelay(50);
    QVERIFY(upstream.listen());

    // Below QNetworkAccessManager's six connections per host.
    std::vector<std::unique_ptr<QNetworkReply>> replies;
    for (int i = 0; i < 5; ++i) {
        replies.emplace_back(post(upstream, u"/v1/chat/completions"_s,
                                  R"({"model":"m1","stream":true,"messages":[]})"));
    }
    for (const auto &reply : replies) {
        QVERIFY(waitFinished(reply.get()));
        QCOMPARE(reply->error(), QNetworkReply::NoError);
    }
    QCOMPARE(upstream.maxConcurrentStreams(), 5);
    QCOMPARE(upstream.completedStreams(), 5);

    std::unique_ptr<QNetworkReply> stats(get(upstream, u"/__stats"_s));
    QVERIFY(waitFinished(stats.get()));
    const QJsonObject o = parseObject(stats->readAll());
    QCOMPARE(o.value("max_concurrent_streams"_L1).toInt(), 5);
    QCOMPARE(o.value("requests"_L1).toInt(), 5);
}

void TestFakeUpstream::keepAliveAndPipelining()
{
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({ u"m1"_s });
    upstream.setChunkDelay(5);
    QVERIFY(upstream.listen());

    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, upstream.port());
    QVERIFY(client.waitForConnected(3000));
    const QByteArray streamed = R"({"model":"m1","stream":true,"messages":[]})";
    // A streamed request, then a plain one in the same write: the second answer must wait.
    client.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: "
                 + QByteArray::number(streamed.size()) + "\r\n\r\n" + streamed
                 + "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n");
    QByteArray received;
    QTRY_VERIFY((received += client.readAll()).contains("\"object\":\"list\""));
    const qsizetype done = received.indexOf("data: [DONE]");
    const qsizetype second = received.indexOf("HTTP/1.1 200", 5);
    QVERIFY(done > 0);
    QVERIFY(second > done);
    QVERIFY(received.indexOf("0\r\n\r\n", done) < second);
    QCOMPARE(client.state(), QAbstractSocket::ConnectedState);
    QCOMPARE(upstream.acceptedConnections(), 1);

    client.write("GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    QTRY_COMPARE(client.state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(upstream.requestCount(), 3);
}

void TestFakeUpstream::workerThreads()
{
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({ u"m1"_s });
    upstream.setThreadCount(2);
    upstream.setChunkDelay(5);
    QVERIFY(upstream.listen());

    std::vector<std::unique_ptr<QNetworkReply>> replies;
    for (int i = 0; i < 4; ++i) {
        replies.emplace_back(post(upstream, u"/v1/chat/completions"_s,
                                  R"({"model":"m1","stream":true,"messages":[]})"));
    }
    for (const auto &reply : replies) {
        QVERIFY(waitFinished(reply.get()));
        QVERIFY(reply->readAll().contains("[DONE]"));
    }
    QCOMPARE(upstream.requestCount(), 4);
    QTRY_COMPARE(upstream.completedStreams(), 4);
    upstream.close();
}

void TestFakeUpstream::failNextWithBody()
{
    FakeUpstream upstream(NodeType::Ollama);
    upstream.setModels({ u"m1"_s });
    QVERIFY(upstream.listen());
    const QByteArray body = R"({"error":"input exceeds the context length of the model"})";
    upstream.failNextWith(400, body);

    std::unique_ptr<QNetworkReply> reply(post(upstream, u"/api/chat"_s,
                                              R"({"model":"m1","stream":false,"messages":[]})"));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(status(reply.get()), 400);
    QCOMPARE(reply->readAll(), body);

    reply.reset(post(upstream, u"/api/chat"_s, R"({"model":"m1","stream":false,"messages":[]})"));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(status(reply.get()), 200);
}

void TestFakeUpstream::toolCallUntilResult()
{
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({ u"m1"_s });
    upstream.setReplyText(u"all done"_s);
    upstream.setToolCall(u"lookup"_s, R"({"q":"x"})");
    upstream.setToolCallUntilResult(true);
    QVERIFY(upstream.listen());

    std::unique_ptr<QNetworkReply> reply(post(upstream, u"/v1/chat/completions"_s,
        R"({"model":"m1","messages":[{"role":"user","content":"hi"}]})"));
    QVERIFY(waitFinished(reply.get()));
    QJsonObject message = parseObject(reply->readAll()).value("choices"_L1).toArray().at(0).toObject()
                              .value("message"_L1).toObject();
    QCOMPARE(message.value("tool_calls"_L1).toArray().size(), 1);

    reply.reset(post(upstream, u"/v1/chat/completions"_s,
        R"({"model":"m1","messages":[{"role":"user","content":"hi"},{"role":"tool","tool_call_id":"c","content":"42"}]})"));
    QVERIFY(waitFinished(reply.get()));
    message = parseObject(reply->readAll()).value("choices"_L1).toArray().at(0).toObject()
                  .value("message"_L1).toObject();
    QCOMPARE(message.value("content"_L1).toString(), u"all done"_s);
    QVERIFY(!message.contains("tool_calls"_L1));
}

void TestFakeUpstream::lastAndRecordedRequests()
{
    FakeUpstream upstream(NodeType::OpenAi);
    upstream.setModels({ u"m1"_s });
    QVERIFY(upstream.listen());
    const QByteArray body = R"({"model":"m1","messages":[{"role":"user","content":"first"}]})";
    std::unique_ptr<QNetworkReply> reply(post(upstream, u"/v1/chat/completions"_s, body));
    QVERIFY(waitFinished(reply.get()));

    reply.reset(get(upstream, u"/__last"_s));
    QVERIFY(waitFinished(reply.get()));
    QCOMPARE(reply->readAll(), body);

    reply.reset(get(upstream, u"/__requests"_s));
    QVERIFY(waitFinished(reply.get()));
    const QJsonArray list = QJsonDocument::fromJson(reply->readAll()).array();
    QCOMPARE(list.size(), 1); // the /__ requests are not recorded
    QCOMPARE(list.at(0).toObject().value("path"_L1).toString(), u"/v1/chat/completions"_s);
    QCOMPARE(list.at(0).toObject().value("body"_L1).toObject(), QJsonDocument::fromJson(body).object());
}

QTEST_GUILESS_MAIN(TestFakeUpstream)
#include "tst_fakeupstream.moc"

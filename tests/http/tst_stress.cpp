// Catalog changes under load: several clients post large chats (some streamed, in the Ollama
// and OpenAI dialects, to a model, a mapping and a group) and read the model lists, on a gateway
// with several I/O threads, while an admin client keeps creating and deleting users, nodes,
// mappings and groups. Every change publishes a new catalog from the control thread, so requests
// on the I/O threads keep meeting a catalog that was replaced under them.
//
// Checks: nothing crashes, every request gets a complete, well-formed answer (200, or a clean
// error in its dialect: never a broken connection or a cut stream), every admin change succeeds,
// and every chat that was answered appears in the request log.
//
// The load runs for MAESTRO_STRESS_SECONDS seconds (default 8). Nothing depends on how many
// requests fit in that time, so the test holds under sanitizers that slow everything down.

#include "fakeupstream.h"
#include "gatewaystack.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QTest>

#include <functional>
#include <memory>

using namespace Qt::StringLiterals;
using namespace Maestro;
using Maestro::Test::FakeUpstream;
using Maestro::Test::Response;

namespace {

const QByteArray AdminToken = QByteArrayLiteral("test-admin");
constexpr int ChatClients = 4;
constexpr int IoThreads = 4;
constexpr qsizetype BodyBytes = 400 * 1024;
// Per request; far above what any request takes, even under a sanitizer.
constexpr int RequestTimeoutMs = 120'000;

int loadSeconds()
{
    bool ok = false;
    const int seconds = qEnvironmentVariableIntValue("MAESTRO_STRESS_SECONDS", &ok);
    return ok && seconds > 0 ? seconds : 8;
}

// One kind of request a chat client sends.
struct Variant
{
    QByteArray method;
    QString path;
    QString model; // empty: a model list, not a chat
    bool stream = false;
};

const QList<Variant> &variants()
{
    static const QList<Variant> list{
        {"POST", u"/api/chat"_s, u"llama3"_s, true},
        {"POST", u"/v1/chat/completions"_s, u"gpt-4o-mini"_s, false},
        {"POST", u"/v1/chat/completions"_s, u"stress-model"_s, true},
        {"POST", u"/api/chat"_s, u"stress-group"_s, false},
        {"POST", u"/v1/chat/completions"_s, u"llama3"_s, false},
        {"POST", u"/api/chat"_s, u"gpt-4o-mini"_s, true},
        {"GET", u"/v1/models"_s, {}, false},
        {"GET", u"/api/tags"_s, {}, false},
        {"GET", u"/api/ps"_s, {}, false},
    };
    return list;
}

bool isOllama(const QString &path)
{
    return path.startsWith("/api/"_L1);
}

// What is wrong with an answer, or an empty string when it is complete and well-formed.
QString problemWith(const Variant &variant, QNetworkReply *reply, const QByteArray &body)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0)
        return u"no HTTP answer (%1)"_s.arg(reply->errorString());
    if (status != 200) {
        // A clean error in the client's dialect: a JSON body saying what went wrong.
        const QJsonObject json = QJsonDocument::fromJson(body).object();
        const QJsonValue error = json.value("error"_L1);
        const bool clean = isOllama(variant.path) ? error.isString()
                                                  : error.toObject().value("message"_L1).isString();
        return clean ? QString() : u"HTTP %1 with a malformed error body: %2"_s.arg(status).arg(QString::fromUtf8(body.left(200)));
    }
    if (reply->error() != QNetworkReply::NoError)
        return u"HTTP 200 cut short: %1"_s.arg(reply->errorString());
    if (variant.model.isEmpty()) {
        const QJsonDocument json = QJsonDocument::fromJson(body);
        if (!json.isObject())
            return u"model list is not a JSON object"_s;
        const QString key = variant.path == "/v1/models"_L1 ? u"data"_s : u"models"_s;
        return json.object().value(key).isArray() ? QString() : u"model list without \"%1\""_s.arg(key);
    }
    if (!variant.stream) {
        const QJsonObject json = QJsonDocument::fromJson(body).object();
        const QString content = isOllama(variant.path)
            ? json.value("message"_L1).toObject().value("content"_L1).toString()
            : json.value("choices"_L1).toArray().at(0).toObject().value("message"_L1).toObject().value("content"_L1).toString();
        return content.isEmpty() ? u"answer without content: %1"_s.arg(QString::fromUtf8(body.left(200))) : QString();
    }
    if (isOllama(variant.path)) {
        const QList<QByteArray> lines = Maestro::Test::ndjsonLines(body);
        for (const QByteArray &line : lines) {
            if (!QJsonDocument::fromJson(line).isObject())
                return u"stream line is not JSON: %1"_s.arg(QString::fromUtf8(line.left(200)));
        }
        if (lines.isEmpty() || !QJsonDocument::fromJson(lines.last()).object().value("done"_L1).toBool())
            return u"stream does not end with \"done\": true"_s;
        return {};
    }
    const auto events = Maestro::Test::sseEvents(body);
    if (events.isEmpty() || events.last().second != "[DONE]")
        return u"stream does not end with [DONE]"_s;
    for (qsizetype i = 0; i + 1 < events.size(); ++i) {
        if (!QJsonDocument::fromJson(events.at(i).second).isObject())
            return u"stream event is not JSON: %1"_s.arg(QString::fromUtf8(events.at(i).second.left(200)));
    }
    return {};
}

// Sends requests one after the other (a new one as soon as the last is answered) until the
// deadline, each on its own connection manager so the clients run side by side.
class ChatClient final : public QObject
{
public:
    ChatClient(int index, quint16 port, QByteArray token, QByteArray text, QDeadlineTimer deadline)
        : m_index(index)
        , m_port(port)
        , m_token(std::move(token))
        , m_text(std::move(text))
        , m_deadline(deadline)
    {
        m_nam.setProxy(QNetworkProxy::NoProxy);
    }

    void start() { sendNext(); }
    bool done() const { return m_done; }

    int sent = 0;
    int chats = 0;     // chat requests sent
    int answered = 0;  // chats answered with 200 (each reached a node, so each must be logged)
    int refused = 0;   // clean errors
    QStringList problems;

private:
    void sendNext()
    {
        if (m_deadline.hasExpired()) {
            m_done = true;
            return;
        }
        const Variant variant = variants().at((m_index + sent) % variants().size());
        ++sent;
        QNetworkRequest request(QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_port).arg(variant.path)));
        request.setRawHeader("Authorization", "Bearer " + m_token);
        request.setTransferTimeout(RequestTimeoutMs);
        QByteArray body;
        if (!variant.model.isEmpty()) {
            ++chats;
            request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
            // The large content is spliced in as bytes: building a 400 KB QJsonObject per request
            // would make the client, not the gateway, the bottleneck.
            const QJsonObject head{{u"model"_s, variant.model},
                                   {u"stream"_s, variant.stream},
                                   {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"@"_s}}}}};
            body = QJsonDocument(head).toJson(QJsonDocument::Compact).replace("\"@\"", QByteArray("\"" + m_text + "\""));
        }
        QNetworkReply *reply = m_nam.sendCustomRequest(request, variant.method, body);
        auto received = std::make_shared<QByteArray>();
        connect(reply, &QNetworkReply::readyRead, this, [reply, received] { *received += reply->readAll(); });
        connect(reply, &QNetworkReply::finished, this, [this, reply, received, variant] {
            *received += reply->readAll();
            const QString problem = problemWith(variant, reply, *received);
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (!problem.isEmpty())
                problems.append(u"%1 %2 (%3): %4"_s.arg(QString::fromLatin1(variant.method), variant.path, variant.model, problem));
            else if (status != 200)
                ++refused;
            else if (!variant.model.isEmpty())
                ++answered;
            reply->deleteLater();
            sendNext();
        });
    }

    int m_index;
    quint16 m_port;
    QByteArray m_token;
    QByteArray m_text;
    QDeadlineTimer m_deadline;
    QNetworkAccessManager m_nam;
    bool m_done = false;
};

// Creates and deletes users, nodes, mappings and groups through the admin API, one change at a
// time, round after round until the deadline.
class AdminChurn final : public QObject
{
public:
    AdminChurn(quint16 port, QUrl nodeUrl, QDeadlineTimer deadline)
        : m_port(port)
        , m_nodeUrl(std::move(nodeUrl))
        , m_deadline(deadline)
    {
        m_nam.setProxy(QNetworkProxy::NoProxy);
    }

    void start() { step(); }
    bool done() const { return m_done; }

    int rounds = 0;
    int changes = 0;
    QStringList problems;

private:
    struct Change
    {
        QByteArray method;
        QString path;
        QJsonObject body;
    };

    Change change(int step) const
    {
        const QString user = u"churn-user-%1"_s.arg(rounds);
        const QString mapping = u"churn-map-%1"_s.arg(rounds);
        const QString group = u"churn-group-%1"_s.arg(rounds);
        switch (step) {
        case 0: return {"POST", u"/admin/users"_s, {{u"username"_s, user}}};
        case 1: return {"POST", u"/admin/users/%1/models/all"_s.arg(user), {}};
        case 2:
            return {"POST", u"/admin/nodes"_s,
                    {{u"name"_s, u"churn-node-%1"_s.arg(rounds)},
                     {u"base_url"_s, m_nodeUrl.toString()},
                     {u"node_type"_s, u"ollama"_s}}};
        case 3: return {"POST", u"/admin/model-mappings"_s, {{u"display_name"_s, mapping}, {u"real_name"_s, u"llama3:latest"_s}}};
        case 4:
            return {"POST", u"/admin/model-groups"_s,
                    {{u"name"_s, group},
                     {u"strategy"_s, u"priority"_s},
                     {u"members"_s, QJsonArray{QJsonObject{{u"model_display_name"_s, mapping}, {u"priority"_s, 1}}}}}};
        case 5: return {"DELETE", u"/admin/model-groups/%1"_s.arg(group), {}};
        case 6: return {"DELETE", u"/admin/model-mappings/%1"_s.arg(mapping), {}};
        case 7: return {"DELETE", u"/admin/nodes/%1"_s.arg(m_nodeId), {}};
        case 8: return {"DELETE", u"/admin/users/%1"_s.arg(user), {}};
        }
        return {};
    }
    static constexpr int Steps = 9;

    void step()
    {
        if (m_step == 0 && m_deadline.hasExpired()) {
            m_done = true;
            return;
        }
        const Change next = change(m_step);
        QNetworkRequest request(QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_port).arg(next.path)));
        request.setRawHeader("Authorization", "Bearer " + AdminToken);
        request.setTransferTimeout(RequestTimeoutMs);
        QByteArray body;
        if (!next.body.isEmpty()) {
            request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
            body = QJsonDocument(next.body).toJson(QJsonDocument::Compact);
        }
        QNetworkReply *reply = m_nam.sendCustomRequest(request, next.method, body);
        connect(reply, &QNetworkReply::finished, this, [this, reply, next] {
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const QByteArray answer = reply->readAll();
            reply->deleteLater();
            if (status < 200 || status > 299) {
                problems.append(u"%1 %2: HTTP %3 %4 %5"_s.arg(QString::fromLatin1(next.method), next.path).arg(status)
                                    .arg(reply->errorString(), QString::fromUtf8(answer.left(200))));
                // The rest of the round depends on this change: start the next round.
                m_step = 0;
                ++rounds;
                step();
                return;
            }
            ++changes;
            if (m_step == 2)
                m_nodeId = qint64(QJsonDocument::fromJson(answer).object().value("id"_L1).toDouble());
            if (++m_step == Steps) {
                m_step = 0;
                ++rounds;
            }
            step();
        });
    }

    quint16 m_port;
    QUrl m_nodeUrl;
    QDeadlineTimer m_deadline;
    QNetworkAccessManager m_nam;
    int m_step = 0;
    qint64 m_nodeId = 0;
    bool m_done = false;
};

} // namespace

class TestStress : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void chatsSurviveCatalogChangesOnOtherThreads();

private:
    Response admin(const QByteArray &method, const QString &path, const QJsonObject &body = {});
    QByteArray createUser(const QString &name);

    QNetworkAccessManager m_nam;
    Maestro::Test::GatewayStack m_stack;
    std::unique_ptr<FakeUpstream> m_ollama;
    std::unique_ptr<FakeUpstream> m_openai;
};

Response TestStress::admin(const QByteArray &method, const QString &path, const QJsonObject &body)
{
    return Maestro::Test::sendRequest(m_nam, m_stack.url(path), method,
                                      body.isEmpty() ? QByteArray() : Maestro::Test::toJson(body), AdminToken, {},
                                      RequestTimeoutMs);
}

QByteArray TestStress::createUser(const QString &name)
{
    const Response created = admin("POST", u"/admin/users"_s, {{u"username"_s, name}});
    if (created.status != 201 || admin("POST", u"/admin/users/%1/models/all"_s.arg(name)).status != 200)
        return {};
    return created.json().value("token"_L1).toString().toUtf8();
}

void TestStress::initTestCase()
{
    m_nam.setProxy(QNetworkProxy::NoProxy);

    m_ollama = std::make_unique<FakeUpstream>(NodeType::Ollama);
    m_openai = std::make_unique<FakeUpstream>(NodeType::OpenAi);
    for (FakeUpstream *upstream : {m_ollama.get(), m_openai.get()}) {
        upstream->setThreadCount(2);
        upstream->setRecording(false); // hundreds of 400 KB bodies would pile up in memory
        upstream->setReplyWords(24);
        upstream->setChunkDelay(2); // streams stay open across catalog changes
    }
    m_ollama->setModels({u"llama3:latest"_s});
    m_openai->setModels({u"gpt-4o-mini"_s});
    QVERIFY(m_ollama->listen());
    QVERIFY(m_openai->listen());

    Maestro::Test::StackOptions options;
    options.config.adminToken = AdminToken;
    options.config.ioThreads = IoThreads;
    QString error;
    QVERIFY2(m_stack.start(options, &error), qPrintable(error));
    QVERIFY(m_stack.gatewayThread()->threadCount() >= 2);

    const QList<std::pair<QString, FakeUpstream *>> nodes{{u"ollama-node"_s, m_ollama.get()},
                                                          {u"openai-node"_s, m_openai.get()}};
    for (const auto &[name, upstream] : nodes) {
        const Response node = admin("POST", u"/admin/nodes"_s,
                                    {{u"name"_s, name},
                                     {u"base_url"_s, upstream->baseUrl().toString()},
                                     {u"node_type"_s, upstream == m_ollama.get() ? u"ollama"_s : u"openai"_s}});
        QCOMPARE(node.status, 201);
        QCOMPARE(node.json().value("health_status"_L1).toString(), u"healthy"_s);
    }
    QCOMPARE(admin("POST", u"/admin/model-mappings"_s,
                   {{u"display_name"_s, u"stress-model"_s}, {u"real_name"_s, u"gpt-4o-mini"_s}}).status,
             201);
    QCOMPARE(admin("POST", u"/admin/model-groups"_s,
                   {{u"name"_s, u"stress-group"_s},
                    {u"strategy"_s, u"priority"_s},
                    {u"members"_s, QJsonArray{QJsonObject{{u"model_display_name"_s, u"llama3"_s}, {u"priority"_s, 1}},
                                              QJsonObject{{u"model_display_name"_s, u"stress-model"_s}, {u"priority"_s, 2}}}}})
                 .status,
             201);
}

void TestStress::cleanupTestCase()
{
    m_stack.stop();
    m_ollama.reset();
    m_openai.reset();
}

void TestStress::chatsSurviveCatalogChangesOnOtherThreads()
{
    QList<QByteArray> tokens;
    for (int i = 0; i < ChatClients; ++i) {
        tokens.append(createUser(u"chatter-%1"_s.arg(i)));
        QVERIFY(!tokens.last().isEmpty());
    }
    // 400 KB of words, so the gateway spends real time parsing and translating every body.
    QByteArray text;
    text.reserve(BodyBytes + 16);
    for (int i = 0; text.size() < BodyBytes; ++i)
        text += "word" + QByteArray::number(i % 1000) + ' ';

    const int seconds = loadSeconds();
    const QDeadlineTimer deadline(seconds * 1000);
    std::vector<std::unique_ptr<ChatClient>> clients;
    for (int i = 0; i < ChatClients; ++i)
        clients.push_back(std::make_unique<ChatClient>(i, m_stack.port(), tokens.at(i), text, deadline));
    AdminChurn churn(m_stack.port(), m_ollama->baseUrl(), deadline);
    for (auto &client : clients)
        client->start();
    churn.start();

    const auto allDone = [&] {
        return churn.done() && std::all_of(clients.cbegin(), clients.cend(), [](const auto &c) { return c->done(); });
    };
    // The load ends at the deadline; what is in flight then may take its time to finish.
    QTRY_VERIFY_WITH_TIMEOUT(allDone(), seconds * 1000 + RequestTimeoutMs);

    int sent = 0;
    int refused = 0;
    QStringList problems = churn.problems;
    for (const auto &client : clients) {
        sent += client->sent;
        refused += client->refused;
        problems += client->problems;
    }
    qInfo("%d s: %d requests from %d clients on %d I/O threads, %d refused cleanly; %d admin changes in %d rounds",
          seconds, sent, ChatClients, m_stack.gatewayThread()->threadCount(), refused, churn.changes, churn.rounds);
    for (const QString &problem : std::as_const(problems).first(std::min<qsizetype>(problems.size(), 20)))
        qWarning().noquote() << problem;
    QVERIFY2(problems.isEmpty(), qPrintable(u"%1 broken answers or failed changes"_s.arg(problems.size())));
    QVERIFY(churn.rounds >= 1);
    for (const auto &client : clients)
        QVERIFY2(client->answered > 0, "every client got chats answered");

    // Calls log themselves when they end and the usage writer is asynchronous: stopping the
    // gateway ends every call, stopping the writer writes what is still queued.
    m_stack.stopGateway(RequestTimeoutMs);
    for (int i = 0; i < ChatClients; ++i) {
        LogQuery query;
        query.username = u"chatter-%1"_s.arg(i);
        query.limit = 1;
        qint64 logged = -1;
        m_stack.store()->requestLogs(query, &logged);
        const ChatClient &client = *clients.at(i);
        if (logged < client.answered || logged > client.chats) {
            QFAIL(qPrintable(u"chatter-%1: %2 chats answered of %3 sent, but %4 in the request log"_s
                                 .arg(i).arg(client.answered).arg(client.chats).arg(logged)));
        }
    }
}

QTEST_MAIN(TestStress)
#include "tst_stress.moc"

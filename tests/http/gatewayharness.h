#pragma once

// A gateway on a temporary SQLite database with two fake nodes (one per dialect), driven over
// real sockets: what the HTTP acceptance suites share.

#include "fakeupstream.h"
#include "core/clock.h"
#include "http/gatewaythread.h"
#include "storage/database.h"
#include "storage/filesecretstore.h"
#include "storage/sqlstore.h"
#include "storage/usagewriter.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MAESTRO_SANITIZER_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define MAESTRO_SANITIZER_HEAP 1
#endif
#endif
#ifndef MAESTRO_SANITIZER_HEAP
#define MAESTRO_SANITIZER_HEAP 0
#endif
#if MAESTRO_SANITIZER_HEAP
#include <sanitizer/allocator_interface.h>
#endif

namespace Maestro::Test {

using namespace Qt::StringLiterals;

// What the process holds on the heap, in bytes: under AddressSanitizer or ThreadSanitizer the
// live allocations (quarantine and shadow memory would swamp the resident size), otherwise the
// resident size.
inline qint64 heldBytes()
{
#if MAESTRO_SANITIZER_HEAP
    return qint64(__sanitizer_get_current_allocated_bytes());
#else
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return -1;
#endif
}

struct Response
{
    int status = 0;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray body;
    QList<QByteArray> pieces;
    QList<qint64> times; // ms after the request was sent, one per readyRead
    QHash<QByteArray, QByteArray> headers; // lower-cased names
    bool finished = false;

    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QJsonArray array() const { return QJsonDocument::fromJson(body).array(); }
};

using Headers = QList<std::pair<QByteArray, QByteArray>>;

// Sends one request and collects the answer piece by piece (with the time each piece arrived),
// waiting up to timeoutMs for the end; an unfinished reply is aborted.
inline Response sendRequest(QNetworkAccessManager &nam, const QUrl &url, const QByteArray &method,
                            const QByteArray &body, const QByteArray &token, const Headers &headers = {},
                            int timeoutMs = 15000)
{
    QNetworkRequest request(url);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QElapsedTimer timer;
    timer.start();
    QNetworkReply *reply = nam.sendCustomRequest(request, method, body);
    Response response;
    const auto take = [&] {
        const QByteArray piece = reply->readAll();
        if (piece.isEmpty())
            return;
        response.pieces.append(piece);
        response.times.append(timer.elapsed());
        response.body += piece;
    };
    // The reply is polled, with no functor of ours connected to it: QNetworkAccessManager's thread
    // may drop the last reference to such a functor, an order ThreadSanitizer cannot see inside
    // Qt. The loop wakes for every event (each arriving piece is one) and at least every 2 ms, so a
    // piece's time is as exact as with a connection.
    const QDeadlineTimer deadline(timeoutMs);
    QEventLoop loop;
    QTimer tick;
    tick.start(2);
    while (!reply->isFinished() && !deadline.hasExpired()) {
        loop.processEvents(QEventLoop::WaitForMoreEvents);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        take();
    }
    response.finished = reply->isFinished();
    if (!response.finished)
        reply->abort();
    response.body += reply->readAll();
    response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    response.error = reply->error();
    for (const auto &pair : reply->rawHeaderPairs())
        response.headers.insert(pair.first.toLower(), pair.second);
    delete reply;
    return response;
}

inline QByteArray toJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

inline QJsonArray userMessage(const QString &text)
{
    return QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, text}}};
}

// SSE events as (event name, data) pairs, in order; the name is empty when there was none.
inline QList<std::pair<QByteArray, QByteArray>> sseEvents(const QByteArray &body)
{
    QList<std::pair<QByteArray, QByteArray>> out;
    QByteArray name;
    for (const QByteArray &rawLine : body.split('\n')) {
        const QByteArray line = rawLine.endsWith('\r') ? rawLine.chopped(1) : rawLine;
        if (line.startsWith("event:")) {
            name = line.mid(6).trimmed();
        } else if (line.startsWith("data:")) {
            out.append({name, line.mid(5).trimmed()});
            name.clear();
        }
    }
    return out;
}

// Non-empty NDJSON lines.
inline QList<QByteArray> ndjsonLines(const QByteArray &body)
{
    QList<QByteArray> out;
    for (const QByteArray &line : body.split('\n')) {
        if (!line.trimmed().isEmpty())
            out.append(line);
    }
    return out;
}

class GatewayHarness
{
public:
    static constexpr QByteArrayView AdminToken = "test-admin";

    // The nodes serve `ollamaModels` and `openAiModels`; both reply with `replyText`.
    bool start(const QStringList &ollamaModels, const QStringList &openAiModels, const QString &replyText)
    {
        m_nam.setProxy(QNetworkProxy::NoProxy);
        m_replyText = replyText;
        m_dir = std::make_unique<QTemporaryDir>();
        if (!m_dir->isValid())
            return false;
        m_database = std::make_unique<Database>(DatabaseConfig::sqliteFile(m_dir->filePath(u"maestro.db"_s)));
        QString error;
        if (!m_database->open(&error)) {
            qWarning() << "database:" << error;
            return false;
        }
        m_store = std::make_unique<SqlStore>(m_database.get());
        m_secrets = std::make_unique<FileSecretStore>(m_dir->filePath(u"secrets.json"_s));
        m_usage = std::make_unique<UsageWriter>(m_store.get(), m_database.get());
        m_usage->start();

        GatewayConfig config;
        config.port = 0;
        config.adminToken = AdminToken.toByteArray();
        config.healthIntervalMs = 0;
        // MAESTRO_TEST_IO_THREADS=N serves with N I/O threads (the TSan run uses 2, so that
        // requests of one suite really cross threads); unset keeps the default.
        if (const int threads = qEnvironmentVariableIntValue("MAESTRO_TEST_IO_THREADS"); threads > 0)
            config.ioThreads = threads;
        m_gateway = std::make_unique<GatewayThread>(config, m_store.get(), m_secrets.get(), m_usage.get(),
                                                    &m_clock, m_database.get());
        if (!m_gateway->start(&error)) {
            qWarning() << "gateway:" << error;
            return false;
        }
        m_ollama = std::make_unique<FakeUpstream>(NodeType::Ollama);
        m_openai = std::make_unique<FakeUpstream>(NodeType::OpenAi);
        m_ollama->setModels(ollamaModels);
        m_openai->setModels(openAiModels);
        if (!m_ollama->listen() || !m_openai->listen())
            return false;
        m_ollamaId = addNode(u"ollama-node"_s, m_ollama.get());
        m_openaiId = addNode(u"openai-node"_s, m_openai.get());
        reset(); // forget the discovery requests
        return m_ollamaId > 0 && m_openaiId > 0;
    }

    void stop()
    {
        if (m_gateway)
            m_gateway->stop(1000);
        if (m_usage)
            m_usage->stop();
        m_gateway.reset();
        m_usage.reset();
        m_ollama.reset();
        m_openai.reset();
    }

    // Back to the canned behaviour between tests.
    void reset()
    {
        for (FakeUpstream *upstream : {m_ollama.get(), m_openai.get()}) {
            upstream->setChunkDelay(0);
            upstream->setReplyText(m_replyText);
            upstream->setTokenCounts(-1, -1);
            upstream->clearToolCall();
            upstream->setToolCallUntilResult(false);
            upstream->failNext(0, 0);
            upstream->misbehaveNext(FakeUpstream::Misbehaviour::NeverAnswer, 0, 0);
            upstream->clearRequests();
        }
    }

    FakeUpstream *ollama() const { return m_ollama.get(); }
    FakeUpstream *openai() const { return m_openai.get(); }
    qint64 ollamaId() const { return m_ollamaId; }
    qint64 openaiId() const { return m_openaiId; }
    quint16 port() const { return m_gateway->port(); }
    GatewayThread *gatewayThread() const { return m_gateway.get(); }

    Response send(const QByteArray &method, const QString &path, const QByteArray &body,
                  const QByteArray &token, const Headers &headers = {}, int timeoutMs = 15000)
    {
        return sendRequest(m_nam, QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_gateway->port()).arg(path)), method,
                           body, token, headers, timeoutMs);
    }

    Response admin(const QByteArray &method, const QString &path, const QJsonObject &body = {})
    {
        return send(method, path, body.isEmpty() ? QByteArray() : toJson(body), AdminToken.toByteArray());
    }

    qint64 addNode(const QString &name, FakeUpstream *upstream)
    {
        const QJsonObject body{{u"name"_s, name},
                               {u"base_url"_s, upstream->baseUrl().toString()},
                               {u"node_type"_s, upstream->nodeType() == NodeType::Ollama ? u"ollama"_s : u"openai"_s}};
        const Response response = admin("POST", u"/admin/nodes"_s, body);
        if (response.status != 201) {
            qWarning() << "node creation failed:" << response.status << response.body;
            return 0;
        }
        return qint64(response.json().value("id"_L1).toDouble());
    }

    bool addMapping(const QString &display, const QString &real)
    {
        const Response response = admin("POST", u"/admin/model-mappings"_s,
                                        {{u"display_name"_s, display}, {u"real_name"_s, real}});
        if (response.status != 201)
            qWarning() << "mapping failed:" << response.status << response.body;
        return response.status == 201;
    }

    // {"*"} grants every model.
    QByteArray createUser(const QString &name, const QStringList &models)
    {
        const Response created = admin("POST", u"/admin/users"_s, {{u"username"_s, name}});
        if (created.status != 201) {
            qWarning() << "user creation failed:" << created.status << created.body;
            return {};
        }
        const Response granted = models == QStringList{u"*"_s}
            ? admin("POST", u"/admin/users/%1/models/all"_s.arg(name))
            : admin("POST", u"/admin/users/%1/models"_s.arg(name),
                    {{u"models"_s, QJsonArray::fromStringList(models)}});
        if (granted.status != 200) {
            qWarning() << "granting models failed:" << granted.status << granted.body;
            return {};
        }
        return created.json().value("token"_L1).toString().toUtf8();
    }

    // A new user with every model, for checks of that user's own request log.
    std::pair<QString, QByteArray> freshUser(const QStringList &models = {u"*"_s})
    {
        const QString name = u"user-%1"_s.arg(++m_userSerial);
        return {name, createUser(name, models)};
    }

    QJsonArray logsFor(const QString &username)
    {
        return admin("GET", u"/admin/request-logs?username=%1"_s.arg(username)).json().value("logs"_L1).toArray();
    }

    // Waits until the user has `count` logged requests and returns them, newest first.
    QJsonArray waitForLogs(const QString &username, int count, int timeoutMs = 5000)
    {
        QElapsedTimer timer;
        timer.start();
        QJsonArray logs = logsFor(username);
        while (logs.size() < count && timer.elapsed() < timeoutMs) {
            QTest::qWait(50);
            logs = logsFor(username);
        }
        return logs;
    }

    qint64 auditTotal()
    {
        return qint64(admin("GET", u"/admin/audit-logs?limit=1"_s).json().value("total"_L1).toDouble(-1));
    }

    QJsonObject latestAudit()
    {
        return admin("GET", u"/admin/audit-logs?limit=1"_s).json().value("logs"_L1).toArray().at(0).toObject();
    }

private:
    QNetworkAccessManager m_nam;
    QString m_replyText;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<SqlStore> m_store;
    std::unique_ptr<FileSecretStore> m_secrets;
    std::unique_ptr<UsageWriter> m_usage;
    Clock m_clock;
    std::unique_ptr<GatewayThread> m_gateway;
    std::unique_ptr<FakeUpstream> m_ollama;
    std::unique_ptr<FakeUpstream> m_openai;
    qint64 m_ollamaId = 0;
    qint64 m_openaiId = 0;
    int m_userSerial = 0;
};

} // namespace Maestro::Test

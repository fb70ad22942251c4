#pragma once

// A gateway on a temporary SQLite database with two fake nodes (one per dialect), driven over
// real sockets: what the HTTP acceptance suites share. The gateway and what it stands on come
// from GatewayStack (tests/support), the HTTP client from httpclient.h there.

#include "fakeupstream.h"
#include "gatewaystack.h"
#include "httpclient.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

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

class GatewayHarness
{
public:
    static constexpr QByteArrayView AdminToken = GatewayStack::DefaultAdminToken;

    // The nodes serve `ollamaModels` and `openAiModels`; both reply with `replyText`. The gateway
    // serves with MAESTRO_TEST_IO_THREADS I/O threads when that is set (see GatewayStack).
    bool start(const QStringList &ollamaModels, const QStringList &openAiModels, const QString &replyText,
               const StackOptions &options = StackOptions())
    {
        m_replyText = replyText;
        QString error;
        if (!m_stack.start(options, &error)) {
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
        m_stack.stop();
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
    quint16 port() const { return m_stack.port(); }
    GatewayThread *gatewayThread() const { return m_stack.gatewayThread(); }
    GatewayStack &stack() { return m_stack; }

    Response send(const QByteArray &method, const QString &path, const QByteArray &body,
                  const QByteArray &token, const Headers &headers = {}, int timeoutMs = 15000)
    {
        return m_stack.send(method, path, body, token, headers, timeoutMs);
    }

    Response admin(const QByteArray &method, const QString &path, const QJsonObject &body = {})
    {
        return m_stack.admin(method, path, body);
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
        QJsonArray logs;
        // On a timeout, what was there: the caller's check says what was missing.
        static_cast<void>(QTest::qWaitFor([&] { return (logs = logsFor(username)).size() >= count; }, timeoutMs));
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
    QString m_replyText;
    GatewayStack m_stack;
    std::unique_ptr<FakeUpstream> m_ollama;
    std::unique_ptr<FakeUpstream> m_openai;
    qint64 m_ollamaId = 0;
    qint64 m_openaiId = 0;
    int m_userSerial = 0;
};

} // namespace Maestro::Test

#include "nodeprober.h"
#include "core/bedrockcredentials.h"
#include "noderequest.h"
#include "upstreamclient.h"
#include "nodetypes/nodeadapter.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;

namespace Maestro {

NodeProber::NodeProber(UpstreamClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
}

void NodeProber::probe(const Node &node, const QString &apiKey, QObject *context, Callback done,
                       int timeoutMs)
{
    probe(node, apiKey, {}, true, context, std::move(done), timeoutMs);
}

void NodeProber::probe(const Node &node, const QString &apiKey, const QList<QPair<QByteArray, QByteArray>> &headers,
                       bool discover, QObject *context, Callback done, int timeoutMs)
{
    QPointer<QObject> guard(context);
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    auto finish = [guard, done, timer](Outcome outcome) {
        outcome.latencyMs = timer->elapsed();
        if (guard)
            done(outcome);
    };
    const NodeAdapter &adapter = NodeAdapter::forType(node.type);
    // The model list: asked for (the health check too, without a URL of its own), or the node's
    // configured one.
    auto listModels = [this, node, apiKey, headers, timeoutMs, &adapter](std::function<void(Outcome)> then) {
        if (std::optional<QList<NodeModel>> models = adapter.configuredModels(node)) {
            // Nothing to ask: the node's own list, answered from the event loop like any probe.
            QTimer::singleShot(0, this, [then, models = std::move(*models)] { then({true, QString(), models, 0, true}); });
            return;
        }
        auto pages = std::make_shared<ModelPages>();
        pages->node = node;
        pages->apiKey = apiKey;
        pages->headers = headers;
        pages->adapter = &adapter;
        pages->timeoutMs = timeoutMs;
        pages->then = std::move(then);
        pages->timer.start();
        askPage(pages, adapter.modelsRequest(node, apiKey));
    };
    if (node.healthCheckUrl.isEmpty()) {
        listModels([finish, discover](Outcome outcome) {
            outcome.modelsListed = outcome.modelsListed && discover;
            finish(outcome);
        });
        return;
    }
    // A health URL of its own decides health; the model list is asked for only to discover, and
    // a list that fails then leaves the known models as they are.
    // The node's API key as a bearer token; IAM credentials sign only Bedrock's own API.
    const QString key = node.type == NodeType::Bedrock ? BedrockCredentials::fromSecret(apiKey).apiKey : apiKey;
    UpstreamRequest request = nodeRequest(node, QByteArrayLiteral("GET"), QByteArray(), key);
    request.url = QUrl(node.healthCheckUrl);
    request.body.clear();
    addNodeHeaders(&request, headers);
    fetch(request, timeoutMs, [finish, discover, listModels](int status, const QByteArray &, const QString &error) {
        Outcome health;
        if (!error.isEmpty())
            health.error = error;
        else if (status < 200 || status > 299)
            health.error = u"health check: HTTP %1"_s.arg(status);
        else
            health.ok = true;
        if (!health.ok || !discover) {
            finish(health);
            return;
        }
        listModels([finish](Outcome listed) {
            Outcome outcome;
            outcome.ok = true;
            outcome.modelsListed = listed.modelsListed;
            outcome.models = listed.models;
            finish(outcome);
        });
    });
}

void NodeProber::askPage(const std::shared_ptr<ModelPages> &pages, UpstreamRequest request)
{
    addNodeHeaders(&request, pages->headers);
    ++pages->asked;
    // Every page within the one deadline of the probe.
    const int left = int(qMax<qint64>(1, pages->timeoutMs - pages->timer.elapsed()));
    fetch(request, left, [this, pages](int status, const QByteArray &body, const QString &error) {
        Outcome outcome;
        if (!error.isEmpty())
            outcome.error = error;
        else if (status != 200)
            outcome.error = u"HTTP %1"_s.arg(status);
        else if (pages->adapter->parseModels(pages->node.id, body, &pages->models, &outcome.error)) {
            // A list in pages (Anthropic's): the next one, up to NodeAdapter::MaxModelPages.
            if (pages->asked < NodeAdapter::MaxModelPages) {
                if (auto next = pages->adapter->nextModelsRequest(pages->node, pages->apiKey, body)) {
                    askPage(pages, std::move(*next));
                    return;
                }
            }
            outcome.ok = outcome.modelsListed = true;
            outcome.models = pages->models;
        }
        pages->then(outcome);
    });
}

void NodeProber::fetch(UpstreamRequest request, int timeoutMs,
                       std::function<void(int status, const QByteArray &body, const QString &error)> done)
{
    request.connectTimeoutMs = timeoutMs;
    request.firstByteTimeoutMs = timeoutMs;
    request.idleTimeoutMs = timeoutMs;
    request.maxBodyBytes = m_maxBodyBytes;

    UpstreamReply *reply = m_client->send(request);
    // A probe still running when the prober goes (the gateway stops) is aborted and freed with
    // it, before the client it came from; unparented it leaked with its timer and callbacks.
    reply->setParent(this);
    auto body = std::make_shared<QByteArray>();
    auto finish = [reply, done](int status, const QByteArray &bytes, const QString &error) {
        reply->disconnect();
        reply->deleteLater();
        done(status, bytes, error);
    };
    // A whole-probe deadline: a node that trickles bytes must not hold a check forever.
    auto *deadline = new QTimer(reply);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, reply, [reply, finish, timeoutMs] {
        reply->abort();
        finish(0, {}, u"no answer within %1 ms"_s.arg(timeoutMs));
    });
    deadline->start(timeoutMs);
    connect(reply, &UpstreamReply::dataReceived, reply, [body](const QByteArray &piece) {
        body->append(piece); // bounded by request.maxBodyBytes
    });
    connect(reply, &UpstreamReply::failed, reply, [finish](UpstreamError, const QString &message) {
        finish(0, {}, message.isEmpty() ? u"the request failed"_s : message);
    });
    connect(reply, &UpstreamReply::finished, reply, [reply, body, finish] {
        finish(reply->status(), *body, QString());
    });
}

} // namespace Maestro

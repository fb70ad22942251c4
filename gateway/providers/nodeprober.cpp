#include "nodeprober.h"
#include "upstreamclient.h"
#include "nodetypes/nodeadapter.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

// A model list in pages (NodeAdapter::nextModelsRequest()): each page asked for after the one
// before, their models gathered, at most NodeAdapter::MaxModelPages pages, all within one
// deadline. A page that fails fails the probe.
struct PagedProbe
{
    UpstreamClient *client = nullptr;
    QObject *owner = nullptr; // the prober: replies live and die with it
    const NodeAdapter *adapter = nullptr;
    Node node;
    QString apiKey;
    QPointer<QObject> guard;
    NodeProber::Callback done;
    int timeoutMs = 0;
    qint64 maxBodyBytes = 0;
    QElapsedTimer timer;
    QList<NodeModel> models;
    int pages = 0;
    bool over = false;
};

void finishPaged(const std::shared_ptr<PagedProbe> &probe, NodeProber::Outcome outcome)
{
    if (probe->over)
        return;
    probe->over = true;
    outcome.latencyMs = probe->timer.elapsed();
    if (probe->guard)
        probe->done(outcome);
}

void askPage(const std::shared_ptr<PagedProbe> &probe, UpstreamRequest request)
{
    const int left = int(qMax<qint64>(1, probe->timeoutMs - probe->timer.elapsed()));
    request.connectTimeoutMs = left;
    request.firstByteTimeoutMs = left;
    request.idleTimeoutMs = left;
    request.maxBodyBytes = probe->maxBodyBytes;
    UpstreamReply *reply = probe->client->send(request);
    reply->setParent(probe->owner);
    ++probe->pages;
    auto body = std::make_shared<QByteArray>();
    auto *deadline = new QTimer(reply);
    deadline->setSingleShot(true);
    QObject::connect(deadline, &QTimer::timeout, reply, [reply, probe] {
        reply->disconnect();
        reply->abort();
        reply->deleteLater();
        finishPaged(probe, {false, u"no answer within %1 ms"_s.arg(probe->timeoutMs)});
    });
    deadline->start(left);
    QObject::connect(reply, &UpstreamReply::dataReceived, reply,
                     [body](const QByteArray &piece) { body->append(piece); });
    QObject::connect(reply, &UpstreamReply::failed, reply,
                     [reply, probe](UpstreamError, const QString &message) {
                         reply->disconnect();
                         reply->deleteLater();
                         finishPaged(probe, {false, message});
                     });
    QObject::connect(reply, &UpstreamReply::finished, reply, [reply, body, probe] {
        reply->disconnect();
        reply->deleteLater();
        NodeProber::Outcome outcome;
        if (reply->status() != 200) {
            outcome.error = u"HTTP %1"_s.arg(reply->status());
            finishPaged(probe, outcome);
            return;
        }
        if (!probe->adapter->parseModels(probe->node.id, *body, &probe->models, &outcome.error)) {
            finishPaged(probe, outcome);
            return;
        }
        if (probe->pages < NodeAdapter::MaxModelPages && probe->guard) {
            if (auto next = probe->adapter->nextModelsRequest(probe->node, probe->apiKey, *body)) {
                askPage(probe, std::move(*next));
                return;
            }
        }
        finishPaged(probe, {true, QString(), probe->models});
    });
}

} // namespace

NodeProber::NodeProber(UpstreamClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
}

void NodeProber::probe(const Node &node, const QString &apiKey, QObject *context, Callback done,
                       int timeoutMs)
{
    const NodeAdapter &adapter = NodeAdapter::forType(node.type);
    if (std::optional<QList<NodeModel>> models = adapter.configuredModels(node)) {
        // Nothing to ask: the node's own list, answered from the event loop like any probe.
        QPointer<QObject> guard(context);
        QTimer::singleShot(0, this, [guard, done, models = std::move(*models)] {
            if (guard)
                done({true, QString(), models, 0});
        });
        return;
    }
    if (node.type == NodeType::Anthropic) {
        // Anthropic's model list comes in pages.
        auto paged = std::make_shared<PagedProbe>();
        paged->client = m_client;
        paged->owner = this;
        paged->adapter = &adapter;
        paged->node = node;
        paged->apiKey = apiKey;
        paged->guard = context;
        paged->done = done;
        paged->timeoutMs = timeoutMs;
        paged->maxBodyBytes = m_maxBodyBytes;
        paged->timer.start();
        askPage(paged, adapter.modelsRequest(node, apiKey));
        return;
    }
    UpstreamRequest request = adapter.modelsRequest(node, apiKey);
    request.connectTimeoutMs = timeoutMs;
    request.firstByteTimeoutMs = timeoutMs;
    request.idleTimeoutMs = timeoutMs;
    request.maxBodyBytes = m_maxBodyBytes;

    UpstreamReply *reply = m_client->send(request);
    // A probe still running when the prober goes (the gateway stops) is aborted and freed with
    // it, before the client it came from; unparented it leaked with its timer and callbacks.
    reply->setParent(this);
    auto body = std::make_shared<QByteArray>();
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    const qint64 nodeId = node.id;
    QPointer<QObject> guard(context);
    auto finish = [reply, guard, done, timer](Outcome outcome) {
        reply->disconnect();
        reply->deleteLater();
        outcome.latencyMs = timer->elapsed();
        if (guard)
            done(outcome);
    };
    // A whole-probe deadline: a node that trickles bytes must not hold a check forever.
    auto *deadline = new QTimer(reply);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, reply, [reply, finish, timeoutMs] {
        reply->abort();
        finish({false, u"no answer within %1 ms"_s.arg(timeoutMs)});
    });
    deadline->start(timeoutMs);
    connect(reply, &UpstreamReply::dataReceived, reply, [body](const QByteArray &piece) {
        body->append(piece); // bounded by request.maxBodyBytes
    });
    connect(reply, &UpstreamReply::failed, reply, [finish](UpstreamError, const QString &message) {
        finish({false, message});
    });
    connect(reply, &UpstreamReply::finished, reply, [reply, body, finish, nodeId, &adapter] {
        Outcome outcome;
        if (reply->status() != 200) {
            outcome.error = u"HTTP %1"_s.arg(reply->status());
        } else {
            outcome.ok = adapter.parseModels(nodeId, *body, &outcome.models, &outcome.error);
        }
        finish(outcome);
    });
}

} // namespace Maestro

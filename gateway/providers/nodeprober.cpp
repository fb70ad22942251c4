#include "nodeprober.h"
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

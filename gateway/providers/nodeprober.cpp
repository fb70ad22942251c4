#include "nodeprober.h"
#include "noderequest.h"
#include "upstreamclient.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
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

bool NodeProber::parseModels(NodeType type, qint64 nodeId, const QByteArray &body,
                             QList<NodeModel> *models, QString *error)
{
    const QJsonDocument document = QJsonDocument::fromJson(body);
    if (!document.isObject()) {
        *error = u"the model list is not a JSON object"_s;
        return false;
    }
    const QJsonObject root = document.object();
    const QJsonArray list = root.value(type == NodeType::Ollama ? "models"_L1 : "data"_L1).toArray();
    for (const QJsonValue &value : list) {
        const QJsonObject entry = value.toObject();
        NodeModel model;
        model.nodeId = nodeId;
        if (type == NodeType::Ollama) {
            model.name = entry.value("name"_L1).toString();
            if (model.name.isEmpty())
                model.name = entry.value("model"_L1).toString();
            model.size = qint64(entry.value("size"_L1).toDouble());
            model.digest = entry.value("digest"_L1).toString();
            model.modifiedAt = entry.value("modified_at"_L1).toString();
            model.details = entry.value("details"_L1).toObject();
        } else {
            model.name = entry.value("id"_L1).toString();
            const qint64 created = qint64(entry.value("created"_L1).toDouble());
            if (created > 0)
                model.modifiedAt = QDateTime::fromSecsSinceEpoch(created, Qt::UTC).toString(Qt::ISODate);
            QJsonObject details;
            if (entry.contains("owned_by"_L1))
                details.insert(u"owned_by"_s, entry.value("owned_by"_L1));
            // vLLM reports the context window it was started with.
            if (entry.contains("max_model_len"_L1))
                details.insert(u"context_length"_s, entry.value("max_model_len"_L1));
            model.details = details;
        }
        if (!model.name.isEmpty())
            models->append(model);
    }
    return true;
}

void NodeProber::probe(const Node &node, const QString &apiKey, QObject *context, Callback done,
                       int timeoutMs)
{
    UpstreamRequest request = nodeRequest(node, QByteArrayLiteral("GET"),
                                          node.type == NodeType::Ollama ? QByteArrayLiteral("/api/tags")
                                                                        : QByteArrayLiteral("/v1/models"),
                                          apiKey);
    request.connectTimeoutMs = timeoutMs;
    request.firstByteTimeoutMs = timeoutMs;
    request.idleTimeoutMs = timeoutMs;
    request.maxBodyBytes = m_maxBodyBytes;
    request.headers.append({QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json")});

    UpstreamReply *reply = m_client->send(request);
    // A probe still running when the prober goes (the gateway stops) is aborted and freed with
    // it, before the client it came from; unparented it leaked with its timer and callbacks.
    reply->setParent(this);
    auto body = std::make_shared<QByteArray>();
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    const qint64 nodeId = node.id;
    const NodeType type = node.type;
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
    connect(reply, &UpstreamReply::finished, reply, [reply, body, finish, nodeId, type] {
        Outcome outcome;
        if (reply->status() != 200) {
            outcome.error = u"HTTP %1"_s.arg(reply->status());
        } else {
            outcome.ok = parseModels(type, nodeId, *body, &outcome.models, &outcome.error);
        }
        finish(outcome);
    });
}

} // namespace Maestro

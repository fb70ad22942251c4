#include "counttokens.h"
#include "gateway.h"
#include "httpcontext.h"
#include "httpwire.h"
#include "providers/anthropic.h"
#include "providers/noderequest.h"
#include "providers/nodetypes/anthropicnode.h"

#include <QJsonDocument>
#include <QPointer>

using namespace Qt::StringLiterals;

namespace Maestro::CountTokens {

bool passThrough(Gateway *gateway, HttpContext &ctx, const Catalog &catalog, const User &user,
                 const QString &requested, const QJsonObject &body)
{
    const auto model = catalog.resolve(requested);
    if (!model)
        return false;
    const QList<const Node *> nodes = catalog.nodesFor(*model, user);
    if (nodes.isEmpty() || nodes.first()->type != NodeType::Anthropic)
        return false;
    const Node &node = *nodes.first();

    // What count_tokens takes; it refuses the rest of a Messages request (max_tokens, stream).
    QJsonObject counted;
    for (const auto key : { "messages"_L1, "system"_L1, "tools"_L1, "tool_choice"_L1, "thinking"_L1 }) {
        if (body.contains(key))
            counted.insert(key, body.value(key));
    }
    counted.insert(u"model"_s, model->real);
    UpstreamRequest request = AnthropicNode::apiRequest(
        node, QByteArrayLiteral("POST"), QByteArrayLiteral("/v1/messages/count_tokens"),
        catalog.apiKey(node.id), QJsonDocument(counted).toJson(QJsonDocument::Compact));
    addNodeHeaders(&request, catalog.nodeHeaders(node.id));
    gateway->applyUpstreamTimeouts(node, &request);
    // A small lookup: a node that takes longer is not going to answer.
    request.firstByteTimeoutMs = std::min(request.firstByteTimeoutMs, 30'000);
    request.idleTimeoutMs = std::min(request.idleTimeoutMs, 30'000);
    request.maxBodyBytes = 64 * 1024;

    const qint64 estimate = Anthropic::countTokens(body);
    QPointer<QTcpSocket> socket = ctx.socket();
    // The responder keeps the response open until the node's answer is written.
    auto responder = std::make_shared<QHttpServerResponder>(std::move(ctx.responder()));
    UpstreamReply *reply = gateway->upstream()->send(request);
    auto buffer = std::make_shared<QByteArray>();
    auto answer = [socket, responder, estimate](qint64 counted) {
        if (!socket)
            return;
        const qint64 tokens = counted > 0 ? counted : estimate;
        socket->write(Wire::jsonResponse(
            200, QJsonDocument(QJsonObject { { u"input_tokens"_s, double(tokens) } })
                     .toJson(QJsonDocument::Compact)));
    };
    QObject::connect(reply, &UpstreamReply::dataReceived, reply,
                     [buffer](const QByteArray &piece) { buffer->append(piece); });
    QObject::connect(reply, &UpstreamReply::finished, reply, [reply, buffer, answer] {
        reply->deleteLater();
        const QJsonValue tokens = QJsonDocument::fromJson(*buffer).object().value("input_tokens"_L1);
        answer(reply->status() == 200 && tokens.isDouble() ? tokens.toInteger() : 0);
    });
    QObject::connect(reply, &UpstreamReply::failed, reply, [reply, answer](UpstreamError, const QString &) {
        reply->deleteLater();
        answer(0);
    });
    if (socket) {
        // The client went away: nothing is left to answer.
        QObject::connect(socket, &QObject::destroyed, reply, [reply] {
            reply->disconnect();
            reply->abort();
            reply->deleteLater();
        });
    }
    return true;
}

} // namespace Maestro::CountTokens

#include "nodeoperation.h"
#include "errorbody.h"
#include "gateway.h"
#include "httpwire.h"
#include "providers/noderequest.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

QByteArray line(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

QString messageOf(const QByteArray &body, int status)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    const QString error = object.value("error"_L1).toString();
    if (!error.isEmpty())
        return error;
    const QString text = QString::fromUtf8(body.trimmed().left(300));
    return text.isEmpty() ? u"HTTP %1"_s.arg(status) : text;
}

} // namespace

NodeOperation::NodeOperation(Gateway *gateway, QByteArray method, QByteArray path, QJsonObject body,
                             bool stream, QList<Node> nodes, std::shared_ptr<const Catalog> catalog,
                             QHttpServerResponder &&responder)
    : QObject(gateway)
    , m_gateway(gateway)
    , m_method(std::move(method))
    , m_path(std::move(path))
    , m_body(std::move(body))
    , m_stream(stream)
    , m_catalog(std::move(catalog))
    , m_responder(std::move(responder))
    , m_socket(m_responder.socket())
{
    for (const Node &node : nodes) {
        auto target = std::make_unique<Target>();
        target->node = node;
        m_targets.push_back(std::move(target));
    }
    m_gateway->callStarted(this);
}

void NodeOperation::start()
{
    if (m_socket) {
        // Closing the client's connection stops the operation on every node.
        connect(m_socket, &QTcpSocket::disconnected, this, [this] {
            for (auto &target : m_targets) {
                if (target->reply && !target->done)
                    target->reply->abort();
            }
            m_gateway->callEnded(this);
            deleteLater();
        });
    }
    m_pending = int(m_targets.size());
    const QByteArray payload = QJsonDocument(m_body).toJson(QJsonDocument::Compact);
    for (auto &owned : m_targets) {
        Target *target = owned.get();
        UpstreamRequest request = nodeRequest(target->node, m_method, m_path, m_catalog->apiKey(target->node.id));
        request.body = payload;
        request.idleTimeoutMs = 600'000; // a large pull can pause between progress lines
        request.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
        target->reply = m_gateway->upstream()->send(request);
        target->reply->setParent(this);
        connect(target->reply, &UpstreamReply::headReceived, this,
                [target] { target->status = target->reply->status(); });
        connect(target->reply, &UpstreamReply::dataReceived, this,
                [this, target](const QByteArray &piece) { onData(target, piece); });
        connect(target->reply, &UpstreamReply::finished, this, [this, target] { onDone(target, QString()); });
        connect(target->reply, &UpstreamReply::failed, this,
                [this, target](UpstreamError, const QString &message) { onDone(target, message); });
    }
}

void NodeOperation::write(const QByteArray &bytes)
{
    if (!m_socket || bytes.isEmpty())
        return;
    if (!m_headSent) {
        m_headSent = true;
        m_socket->write(Wire::streamHead(200, "application/x-ndjson") + Wire::chunk(bytes));
        return;
    }
    m_socket->write(Wire::chunk(bytes));
}

void NodeOperation::onData(Target *target, const QByteArray &piece)
{
    if (!m_stream || target->status != 200) {
        target->body += piece;
        return;
    }
    QByteArray out;
    for (const QByteArray &progress : target->lines.feed(piece)) {
        QJsonObject object = QJsonDocument::fromJson(progress).object();
        if (object.isEmpty())
            continue;
        if (object.contains("error"_L1))
            target->error = object.value("error"_L1).toString();
        object.insert(u"node"_s, target->node.name);
        out += line(object);
    }
    write(out);
}

void NodeOperation::onDone(Target *target, const QString &failure)
{
    if (target->done)
        return;
    target->done = true;
    if (!failure.isEmpty())
        target->error = failure;
    else if (target->status != 200 && target->error.isEmpty())
        target->error = messageOf(target->body, target->status);
    if (m_stream && target->error.isEmpty()) {
        QByteArray out;
        for (const QByteArray &rest : target->lines.finish()) {
            QJsonObject object = QJsonDocument::fromJson(rest).object();
            object.insert(u"node"_s, target->node.name);
            out += line(object);
        }
        write(out);
    } else if (m_stream) {
        write(line({{u"node"_s, target->node.name}, {u"error"_s, target->error}}));
    }
    if (--m_pending == 0)
        finish();
}

void NodeOperation::finish()
{
    QJsonArray results;
    QStringList failures;
    for (const auto &target : m_targets) {
        results.append(QJsonObject{{u"node"_s, target->node.name},
                                   {u"node_id"_s, double(target->node.id)},
                                   {u"status"_s, target->error.isEmpty() ? u"success"_s : u"error"_s},
                                   {u"error"_s, target->error.isEmpty() ? QJsonValue() : QJsonValue(target->error)}});
        if (!target->error.isEmpty())
            failures.append(u"%1: %2"_s.arg(target->node.name, target->error));
        else
            m_gateway->checkNode(target->node.id, m_gateway, [](bool, QString) {}); // re-discover
    }
    if (m_socket) {
        m_socket->disconnect(this);
        if (m_stream) {
            const QJsonObject last = failures.isEmpty()
                ? QJsonObject{{u"status"_s, u"success"_s}, {u"nodes"_s, results}}
                : QJsonObject{{u"error"_s, failures.join("; "_L1)}, {u"nodes"_s, results}};
            write(line(last));
            m_socket->write(Wire::lastChunk());
        } else if (failures.isEmpty()) {
            m_socket->write(Wire::jsonResponse(200, QJsonDocument(QJsonObject{{u"status"_s, u"success"_s}, {u"nodes"_s, results}}).toJson(QJsonDocument::Compact)));
        } else {
            const QByteArray body = QJsonDocument(QJsonObject{{u"error"_s, failures.join("; "_L1)}, {u"nodes"_s, results}}).toJson(QJsonDocument::Compact);
            m_socket->write(Wire::jsonResponse(502, body));
        }
    }
    m_gateway->callEnded(this);
    deleteLater();
}

} // namespace Maestro

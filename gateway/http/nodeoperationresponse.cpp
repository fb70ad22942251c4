#include "nodeoperationresponse.h"
#include "httpwire.h"
#include "nodeoperation.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

QByteArray line(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

} // namespace

NodeOperationResponse::NodeOperationResponse(NodeOperation *operation, QHttpServerResponder &&responder)
    : QObject(operation)
    , m_operation(operation)
    , m_responder(std::move(responder))
    , m_socket(m_responder.socket())
{
    if (m_socket) {
        connect(m_socket, &QTcpSocket::disconnected, this, [this] {
            // Nobody is left to tell: stop the operation on every node.
            m_operation->disconnect(this);
            m_operation->cancel();
        });
    }
    if (operation->isStreamed()) {
        connect(operation, &NodeOperation::line, this,
                [this](qint64, const QString &nodeName, QJsonObject object) {
                    object.insert(u"node"_s, nodeName);
                    write(line(object));
                });
        connect(operation, &NodeOperation::nodeFinished, this,
                [this](qint64 nodeId, bool ok, const QString &error) {
                    if (ok)
                        return;
                    for (const Node &node : m_operation->nodes()) {
                        if (node.id == nodeId)
                            write(line({{u"node"_s, node.name}, {u"error"_s, error}}));
                    }
                });
    }
    connect(operation, &NodeOperation::finished, this, &NodeOperationResponse::finish);
}

void NodeOperationResponse::write(const QByteArray &bytes)
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

void NodeOperationResponse::finish(bool ok)
{
    if (!m_socket)
        return;
    m_socket->disconnect(this);
    QJsonArray results;
    QStringList failures;
    for (const NodeOperation::Outcome &outcome : m_operation->outcomes()) {
        results.append(QJsonObject{{u"node"_s, outcome.node.name},
                                   {u"node_id"_s, double(outcome.node.id)},
                                   {u"status"_s, outcome.error.isEmpty() ? u"success"_s : u"error"_s},
                                   {u"error"_s, outcome.error.isEmpty() ? QJsonValue() : QJsonValue(outcome.error)}});
        if (!outcome.error.isEmpty())
            failures.append(u"%1: %2"_s.arg(outcome.node.name, outcome.error));
    }
    const QJsonObject last = ok ? QJsonObject{{u"status"_s, u"success"_s}, {u"nodes"_s, results}}
                                : QJsonObject{{u"error"_s, failures.join("; "_L1)}, {u"nodes"_s, results}};
    if (m_operation->isStreamed()) {
        write(line(last));
        m_socket->write(Wire::lastChunk());
    } else {
        m_socket->write(Wire::jsonResponse(ok ? 200 : 502, QJsonDocument(last).toJson(QJsonDocument::Compact)));
    }
}

} // namespace Maestro

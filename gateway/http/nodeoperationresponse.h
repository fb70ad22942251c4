#pragma once

#include <QHttpServerResponder>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>

namespace Maestro {

class NodeOperation;

// Answers an admin API client with a NodeOperation: streamed operations as NDJSON, each node's
// progress lines tagged with "node" as they arrive and a last line that says whether every node
// succeeded; unstreamed ones with one JSON object once all nodes have answered. A client that
// closes its connection cancels the operation. Owned by the operation.
class NodeOperationResponse final : public QObject
{
    Q_OBJECT

public:
    NodeOperationResponse(NodeOperation *operation, QHttpServerResponder &&responder);

private:
    void write(const QByteArray &bytes);
    void finish(bool ok);

    NodeOperation *m_operation;
    QHttpServerResponder m_responder;
    QPointer<QTcpSocket> m_socket;
    bool m_headSent = false;
};

} // namespace Maestro

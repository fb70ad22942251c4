#pragma once

#include "core/catalog.h"
#include "providers/streamparsers.h"
#include "providers/upstreamclient.h"

#include <QHttpServerResponder>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>

#include <memory>

namespace Maestro {

class Gateway;

// An Ollama model-management request (pull, push, create, copy, delete) sent to several nodes at
// once. Streamed operations relay each node's NDJSON progress lines as they arrive, tagged with
// "node"; the last line says whether every node succeeded. Unstreamed ones answer once all nodes
// have. Nodes that changed what they hold are re-discovered afterwards. Deletes itself when done.
class NodeOperation final : public QObject
{
    Q_OBJECT

public:
    NodeOperation(Gateway *gateway, QByteArray method, QByteArray path, QJsonObject body,
                  bool stream, QList<Node> nodes, std::shared_ptr<const Catalog> catalog,
                  QHttpServerResponder &&responder);

    void start();

private:
    struct Target
    {
        Node node;
        UpstreamReply *reply = nullptr;
        NdjsonParser lines;
        QByteArray body;
        int status = 0;
        QString error;
        bool done = false;
    };

    void onData(Target *target, const QByteArray &piece);
    void onDone(Target *target, const QString &failure);
    void write(const QByteArray &bytes);
    void finish();

    Gateway *m_gateway;
    QByteArray m_method;
    QByteArray m_path;
    QJsonObject m_body;
    bool m_stream;
    std::shared_ptr<const Catalog> m_catalog;
    QHttpServerResponder m_responder;
    QPointer<QTcpSocket> m_socket;
    std::vector<std::unique_ptr<Target>> m_targets;
    bool m_headSent = false;
    int m_pending = 0;
};

} // namespace Maestro

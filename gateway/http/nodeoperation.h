#pragma once

#include "core/apierror.h"
#include "core/catalog.h"
#include "providers/streamparsers.h"
#include "providers/upstreamclient.h"

#include <QJsonObject>
#include <QObject>

#include <memory>
#include <optional>

namespace Maestro {

class Gateway;

// An Ollama model-management request (pull, push, create, copy, delete) sent to several nodes at
// once, whoever asked for it: the admin API relays it as NDJSON (NodeOperationResponse), the
// desktop application shows it as progress bars. Streamed operations report each node's progress
// lines as they arrive; nodeFinished() follows a node's last line, finished() follows every
// node's. Nodes that changed what they hold are re-discovered afterwards. Lives on its gateway's
// thread and deletes itself after finished().
class NodeOperation final : public QObject
{
    Q_OBJECT

public:
    struct Outcome
    {
        Node node;
        QString error; // empty: the node succeeded
    };

    // `catalog` is the snapshot the nodes were chosen from; their API keys come from it too.
    NodeOperation(Gateway *gateway, CatalogSnapshot catalog, QByteArray method, QByteArray path,
                  QJsonObject body, bool stream, QList<Node> nodes);

    // The nodes an operation goes to: `nodeId`, which must be an Ollama node, or without it every
    // active Ollama node.
    static Result<QList<Node>> targets(const Catalog &catalog, std::optional<qint64> nodeId);
    // Display names are accepted where a model is named; nodes know the real names.
    static QJsonObject withRealNames(const Catalog &catalog, QJsonObject body);
    // A streamed pull of `model` onto targets(nodeId), not started yet.
    static Result<NodeOperation *> pull(Gateway *gateway, const QString &model,
                                        std::optional<qint64> nodeId);

    bool isStreamed() const { return m_stream; }
    QList<Node> nodes() const;
    // Per node, in the order given; complete once finished() was emitted.
    QList<Outcome> outcomes() const;

    void start();
    // Stops the requests still running: those nodes fail with "Cancelled", then finished(false).
    void cancel();

Q_SIGNALS:
    // One progress line exactly as the node sent it (streamed operations only).
    void line(qint64 nodeId, const QString &nodeName, const QJsonObject &object);
    // The same line for people: Ollama's status text and, while downloading, bytes done of total
    // (0 when the line does not say).
    void progress(qint64 nodeId, const QString &nodeName, const QString &status, qint64 completed,
                  qint64 total);
    void nodeFinished(qint64 nodeId, bool ok, const QString &error);
    void finished(bool ok);

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

    void report(Target *target, const QJsonObject &object);
    void onData(Target *target, const QByteArray &piece);
    void onDone(Target *target, const QString &failure);
    void finish();

    Gateway *m_gateway;
    QByteArray m_method;
    QByteArray m_path;
    QJsonObject m_body;
    bool m_stream;
    CatalogSnapshot m_catalog;
    std::vector<std::unique_ptr<Target>> m_targets;
    int m_pending = 0;
};

} // namespace Maestro

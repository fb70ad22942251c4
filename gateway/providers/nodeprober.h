#pragma once

#include "core/entities.h"

#include <QObject>

#include <functional>

namespace Maestro {

class UpstreamClient;

// Asks a node what it serves, the way its type lists models (NodeAdapter::modelsRequest():
// GET /api/tags on Ollama, /v1/models on OpenAI-compatible servers). Success means the node is
// healthy and the list is its current set of models.
class NodeProber final : public QObject
{
    Q_OBJECT

public:
    explicit NodeProber(UpstreamClient *client, QObject *parent = nullptr);

    struct Outcome
    {
        bool ok = false;
        QString error;
        QList<NodeModel> models;
        qint64 latencyMs = 0;
    };
    using Callback = std::function<void(const Outcome &)>;

    void probe(const Node &node, const QString &apiKey, QObject *context, Callback done,
               int timeoutMs = 10'000);

    // Model lists larger than this fail the probe (the max_upstream_body_bytes setting).
    void setMaxBodyBytes(qint64 bytes) { m_maxBodyBytes = bytes; }

private:
    UpstreamClient *m_client;
    qint64 m_maxBodyBytes = 64 * 1024 * 1024;
};

} // namespace Maestro

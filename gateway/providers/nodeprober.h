#pragma once

#include "core/entities.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPair>

#include <functional>
#include <memory>

namespace Maestro {

class NodeAdapter;
class UpstreamClient;
struct UpstreamRequest;

// Asks a node what it serves, the way its type lists models (NodeAdapter::modelsRequest():
// GET /api/tags on Ollama, /v1/models on OpenAI-compatible servers). Success means the node is
// healthy and the list is its current set of models. A node with a health-check URL of its own is
// healthy when a GET of it answers 2xx; its model list is then asked for only to discover.
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
        // `models` is the node's current list, to record (not when discovery was not asked for,
        // or a health URL passed but the list could not be had).
        bool modelsListed = false;
    };
    using Callback = std::function<void(const Outcome &)>;

    void probe(const Node &node, const QString &apiKey, QObject *context, Callback done,
               int timeoutMs = 10'000);
    // With the node's own headers on each request (Catalog::nodeHeaders()); `discover`: the model
    // list is wanted too (without it, a node without a health URL is still asked for its list,
    // which is its health check, but the outcome does not carry it as listed).
    void probe(const Node &node, const QString &apiKey, const QList<QPair<QByteArray, QByteArray>> &headers,
               bool discover, QObject *context, Callback done, int timeoutMs = 10'000);

    // Model lists larger than this fail the probe (the max_upstream_body_bytes setting).
    void setMaxBodyBytes(qint64 bytes) { m_maxBodyBytes = bytes; }

private:
    // A model list being asked for, page after page.
    struct ModelPages
    {
        Node node;
        QString apiKey;
        QList<QPair<QByteArray, QByteArray>> headers;
        const NodeAdapter *adapter = nullptr;
        int timeoutMs = 0;
        QElapsedTimer timer;
        QList<NodeModel> models;
        int asked = 0;
        std::function<void(Outcome)> then;
    };
    // Asks for one page of the list; the next one when the adapter names it, else `then`.
    void askPage(const std::shared_ptr<ModelPages> &pages, UpstreamRequest request);
    // Sends the request; done gets the status and body, or an error (transport, timeout).
    void fetch(UpstreamRequest request, int timeoutMs,
               std::function<void(int status, const QByteArray &body, const QString &error)> done);

    UpstreamClient *m_client;
    qint64 m_maxBodyBytes = 64 * 1024 * 1024;
};

} // namespace Maestro

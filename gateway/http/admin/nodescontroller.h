#pragma once

#include "admincontroller.h"

#include <QJsonArray>
#include <QJsonObject>

namespace Maestro {

// /admin/nodes/...: the nodes, their health, discovered models, load and warmup. The checks and
// loads talk to the nodes from the control thread without blocking it: those handlers answer
// once the nodes did (AdminContext::defer).
class NodesController final : public AdminController
{
public:
    using AdminController::AdminController;

    // POST /admin/nodes {"name","base_url","node_type","api_key"?,"priority"?,"weight"?,
    //   "warmup_enabled"? (false), "connect_timeout_seconds"?, "first_byte_timeout_seconds"?,
    //   "idle_timeout_seconds"? (0: the gateway's upstream_*_timeout_seconds settings)}
    //   -> 201 node, after a first health check and model discovery
    void addNode(AdminContext &ctx);
    // GET /admin/nodes -> [node] with "load": {active_requests, requests_today, errors_today,
    //   avg_latency_ms_today, last_request_at} (today: the UTC day, from the request log)
    void listNodes(AdminContext &ctx);
    // GET /admin/nodes/load -> {day, nodes: [{node_id, node_name, <the load fields>}]}
    void nodesLoad(AdminContext &ctx);
    // GET /admin/nodes/{id} (for every {id} route: 400 unless it is a positive integer)
    void getNode(AdminContext &ctx);
    // PATCH /admin/nodes/{id} {any of the add fields, "is_active"}
    void updateNode(AdminContext &ctx);
    // PATCH /admin/nodes/{id}/toggle
    void toggleNode(AdminContext &ctx);
    // DELETE /admin/nodes/{id} -> 204
    void deleteNode(AdminContext &ctx);
    // POST /admin/nodes/{id}/health-check -> {node_id, node_name, health_status, error, checked_at}
    void healthCheck(AdminContext &ctx);
    // POST /admin/nodes/{id}/sync-models (also .../discover) -> the node with its discovered models
    void syncModels(AdminContext &ctx);
    // POST /admin/nodes/{id}/warmup {"models"?: [names]} (default: every discovered model) ->
    //   {node_id, node_name, models: [{model, ok, error, duration_ms}], warmed, failed} once each
    //   model was loaded one after the other; Ollama nodes only (400 otherwise), not deferred
    void warmNode(AdminContext &ctx);
    // POST /admin/nodes/sync-all -> [{success, node_id, node_name, health_status, synced_count,
    //   total_models, error}], one per active node, after probing them all at once
    void syncAllNodes(AdminContext &ctx);
    // GET /admin/nodes/{id}/models -> [discovered model]
    void nodeModels(AdminContext &ctx);

    // A node as the API shows it, with its model count and load (`traffic`: today's, per node).
    static QJsonObject nodeJson(const Node &node, Control *control, const QHash<qint64, NodeTraffic> &traffic);
    static QJsonObject nodeJson(const Node &node, Control *control);
    static QHash<qint64, NodeTraffic> trafficToday(Control *control);
    // The models `catalog` knows on the node.
    static QJsonArray modelsOf(const Catalog &catalog, qint64 nodeId);

private:
    // Checks the node now, then answers `status` with the node (and its models).
    void checkThenAnswer(AdminContext &ctx, qint64 id, int status, bool withModels);
};

} // namespace Maestro

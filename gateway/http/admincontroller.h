#pragma once

#include "httpcontext.h"

#include <QObject>

namespace Maestro {

class Gateway;
struct User;

// /admin/...: users, tokens, grants, limits, nodes, mappings, logs. Every change goes through
// AdminService, which audits it. Errors are {"detail": "..."} as the seed's API answered.
class AdminController final : public QObject
{
    Q_OBJECT

public:
    explicit AdminController(Gateway *gateway);

    // Answers 401/403 and returns false unless the request carries the admin token.
    bool authorize(HttpContext &ctx);

    // POST /admin/users {"username", "request_limit"?, "token_limit"?} -> 201 user with "token"
    // (the only time it is shown). A limit left out comes from default_daily_requests/_tokens;
    // null is unlimited.
    void createUser(HttpContext &ctx);
    // GET /admin/users -> [user]
    void listUsers(HttpContext &ctx);
    // GET /admin/users/{username} -> user
    void getUser(HttpContext &ctx);
    // DELETE /admin/users/{username} -> 204; the token stops working at once
    void deleteUser(HttpContext &ctx);
    // PUT /admin/users/{username}/token -> user with the new "token"
    void rotateToken(HttpContext &ctx);
    // POST /admin/users/{username}/models {"models": [display names]} (replaces the list)
    void setModels(HttpContext &ctx);
    // POST /admin/users/{username}/models/all
    void grantAllModels(HttpContext &ctx);
    // GET /admin/users/{username}/models -> {username, has_all_models, models}
    void getModels(HttpContext &ctx);
    // DELETE /admin/users/{username}/models/{model} -> 204; "all" takes every grant away (the
    //   all-models one too); 400 when the model was not granted
    void revokeModel(HttpContext &ctx);
    // POST /admin/users/{username}/limits {"request_limit": N|null, "token_limit": N|null,
    //   "requests_per_minute": N|null, "tokens_per_minute": N|null}
    void setLimits(HttpContext &ctx);
    // GET /admin/users/{username}/limits -> limits, today's usage (UTC day) and the last 60 s
    void getLimits(HttpContext &ctx);
    // DELETE /admin/users/{username}/limits -> 204
    void deleteLimits(HttpContext &ctx);
    // GET /admin/users/{username}/activity?limit=100&offset=0 -> {activities: [...]}
    void activity(HttpContext &ctx);

    // GET /admin/users/{username}/token-usage?start_date=&end_date= (ISO dates; default: the
    //   last 30 days) -> {username, usage: {prompt_tokens, completion_tokens, total_tokens,
    //   total_requests}, period: {start_date, end_date}}
    void tokenUsage(HttpContext &ctx);
    // GET /admin/users/{username}/model-usage?start_date=&end_date=
    //   -> {username, model_usage: [{model_name, request_count, total_tokens}], period}
    void modelUsage(HttpContext &ctx);
    // GET /admin/dashboard/user-stats?start_date=&end_date= (default: the last 30 days)
    //   -> {users: [{username, total_requests, total_tokens, total_prompt_tokens,
    //   total_completion_tokens}], total_users, period}, busiest first
    void userStats(HttpContext &ctx);
    // GET /admin/stats (also /admin/dashboard/stats) -> users, nodes, today's requests and tokens, per-model usage today, and
    //   requests and tokens per UTC day over ?days= (default 7)
    void stats(HttpContext &ctx);

    // POST /admin/nodes {"name","base_url","node_type","api_key"?,"priority"?,"weight"?,
    //   "warmup_enabled"? (false), "connect_timeout_seconds"?, "first_byte_timeout_seconds"?,
    //   "idle_timeout_seconds"? (0: the gateway's upstream_*_timeout_seconds settings)}
    //   -> 201 node, after a first health check and model discovery
    void addNode(HttpContext &ctx);
    // GET /admin/nodes -> [node] with "load": {active_requests, requests_today, errors_today,
    //   avg_latency_ms_today, last_request_at} (today: the UTC day, from the request log)
    void listNodes(HttpContext &ctx);
    // GET /admin/nodes/load -> {day, nodes: [{node_id, node_name, <the load fields>}]}
    void nodesLoad(HttpContext &ctx);
    // GET /admin/nodes/{id}
    void getNode(HttpContext &ctx);
    // PATCH /admin/nodes/{id} {any of the add fields, "is_active"}
    void updateNode(HttpContext &ctx);
    // PATCH /admin/nodes/{id}/toggle
    void toggleNode(HttpContext &ctx);
    // DELETE /admin/nodes/{id} -> 204
    void deleteNode(HttpContext &ctx);
    // POST /admin/nodes/{id}/health-check -> {node_id, node_name, health_status, error, checked_at}
    void healthCheck(HttpContext &ctx);
    // POST /admin/nodes/{id}/sync-models (also .../discover) -> the node with its discovered models
    void syncModels(HttpContext &ctx);
    // POST /admin/nodes/{id}/warmup {"models"?: [names]} (default: every discovered model) ->
    //   {node_id, node_name, models: [{model, ok, error, duration_ms}], warmed, failed} once each
    //   model was loaded one after the other; Ollama nodes only (400 otherwise), not deferred
    void warmNode(HttpContext &ctx);
    // POST /admin/nodes/sync-all -> [{success, node_id, node_name, health_status, synced_count,
    //   total_models, error}], one per active node, after probing them all at once
    void syncAllNodes(HttpContext &ctx);
    // GET /admin/nodes/{id}/models -> [discovered model]
    void nodeModels(HttpContext &ctx);

    // POST /admin/model-mappings {"display_name","real_name","context_length"?,"capabilities"?,"node_ids"?}
    void addMapping(HttpContext &ctx);
    // GET /admin/model-mappings -> [mapping]
    void listMappings(HttpContext &ctx);
    // GET /admin/model-mappings/{display_name}
    void getMapping(HttpContext &ctx);
    // PUT /admin/model-mappings/{display_name} (rename allowed)
    void updateMapping(HttpContext &ctx);
    // DELETE /admin/model-mappings/{display_name} -> 204
    void deleteMapping(HttpContext &ctx);

    // POST /admin/model-groups {"name","strategy"?,"description"?,"is_active"?,"list_in_catalog"?,
    //   "priority"?,"max_failover_retries"?,"members"?: [member]} -> 201 group
    void addGroup(HttpContext &ctx);
    // GET /admin/model-groups -> {"groups": [group], "total"}
    void listGroups(HttpContext &ctx);
    // GET /admin/model-groups/{name}
    void getGroup(HttpContext &ctx);
    // PUT /admin/model-groups/{name} (any of the create fields; rename allowed)
    void updateGroup(HttpContext &ctx);
    // DELETE /admin/model-groups/{name} -> 204
    void deleteGroup(HttpContext &ctx);
    // POST /admin/model-groups/{name}/members {"model_display_name","priority"?,"weight"?,
    //   "capability_tags"?,"is_active"?,"context_fallback"? (or the seed's "is_fallback_413")}
    //   -> 201 group
    void addMember(HttpContext &ctx);
    // PUT /admin/model-groups/{name}/members/{id} -> group
    void updateMember(HttpContext &ctx);
    // DELETE /admin/model-groups/{name}/members/{id} -> group
    void deleteMember(HttpContext &ctx);
    // PUT /admin/model-groups/{name}/reorder, POST|PUT .../members/reorder
    //   {"member_ids": [ids in fallback order]} or {"members": [{"id", "priority"}]} (lowest
    //   priority first) -> group; every member must be named once
    void reorderMembers(HttpContext &ctx);

    // POST /admin/tool-sets {"name","description"?,"tools":[...]} -> 201; PUT /admin/tool-sets/{name}
    void saveToolSet(HttpContext &ctx);
    // GET /admin/tool-sets -> [tool set]; GET /admin/tool-sets/{name}
    void listToolSets(HttpContext &ctx);
    void getToolSet(HttpContext &ctx);
    // DELETE /admin/tool-sets/{name} -> 204
    void deleteToolSet(HttpContext &ctx);
    // POST /admin/model-configs {"model_pattern", ...} -> 201; PUT /admin/model-configs/{pattern}
    //   The seed's "model_prefix", "unsupported_params" and "maintenance_mode" are read as
    //   "model_pattern", "stripped_params" and "maintenance".
    void saveModelConfig(HttpContext &ctx);
    // GET /admin/model-configs -> [config]; GET /admin/model-configs/{pattern}
    void listModelConfigs(HttpContext &ctx);
    void getModelConfig(HttpContext &ctx);
    // DELETE /admin/model-configs/{pattern} -> 204
    void deleteModelConfig(HttpContext &ctx);

    // GET /admin/system-prompts -> [prompt] by priority (highest first)
    //   prompt: {id, scope_type, scope_value, prompt, priority, is_active, description,
    //            created_at, updated_at}
    void listSystemPrompts(HttpContext &ctx);
    // POST /admin/system-prompts {"scope_type": global|user|mapping|model|group|node,
    //   "scope_value" (empty for global), "prompt", "priority"=0, "is_active"=true,
    //   "description"?} -> 201 prompt
    void addSystemPrompt(HttpContext &ctx);
    // GET /admin/system-prompts/{id} -> prompt
    void getSystemPrompt(HttpContext &ctx);
    // PATCH /admin/system-prompts/{id} (any of the create fields) -> prompt
    void updateSystemPrompt(HttpContext &ctx);
    // DELETE /admin/system-prompts/{id} -> 204
    void deleteSystemPrompt(HttpContext &ctx);
    // PUT /admin/system-prompts/reorder {"ids": [ids, the first applied first]} -> [prompt]
    void reorderSystemPrompts(HttpContext &ctx);

    // GET /admin/request-logs (also /admin/dashboard/requests-log)
    //   ?limit=&offset=&username=&model= (or model_name=) -> {logs, total}
    void requestLogs(HttpContext &ctx);
    // GET /admin/audit-logs?limit=&offset=&action=&entity_type= -> {logs, total}
    void auditLogs(HttpContext &ctx);
    // GET /admin/settings (also /admin/config) -> {key: value} of every setting's effective value
    // (stored or default), JSON-typed.
    void getSettings(HttpContext &ctx);
    // GET /admin/settings/schema -> [{key, type, default, minimum?, maximum?, choices?,
    // description, restart_required}]
    void settingsSchema(HttpContext &ctx);
    // PUT /admin/settings (also /admin/config) {key: value, ...} -> as GET. Values JSON-typed or
    // as strings ("true", "120"); every key is checked before anything is written (400 naming the key and the rule).
    void putSettings(HttpContext &ctx);
    // DELETE /admin/settings/{key} -> as GET, with the key back at its default; 404 if unknown.
    void resetSetting(HttpContext &ctx);

    // GET /admin/export -> {version, nodes, users, mappings, settings}: no tokens, no API keys
    void exportBackup(HttpContext &ctx);
    // POST /admin/import {backup} -> {imported: {nodes, users, mappings, settings},
    //   created_users: [{username, token}]} (tokens of users the import created, shown once)
    void importBackup(HttpContext &ctx);

private:
    void nodeCheckThenAnswer(HttpContext &ctx, qint64 id, int status, bool withModels);
    void sendLimits(HttpContext &ctx, const User &user);

    Gateway *m_gateway;
};

} // namespace Maestro

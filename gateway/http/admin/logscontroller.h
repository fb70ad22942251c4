#pragma once

#include "admincontroller.h"

namespace Maestro {

// Request and audit logs, usage over time, the dashboard's figures and the system settings.
class LogsController final : public AdminController
{
public:
    using AdminController::AdminController;

    // GET /admin/users/{username}/activity?limit=100&offset=0 -> {activities: [...]}
    void activity(AdminContext &ctx);
    // GET /admin/users/{username}/token-usage?start_date=&end_date= (ISO dates; default: the
    //   last 30 days) -> {username, usage: {prompt_tokens, completion_tokens, total_tokens,
    //   total_requests}, period: {start_date, end_date}}
    void tokenUsage(AdminContext &ctx);
    // GET /admin/users/{username}/model-usage?start_date=&end_date=
    //   -> {username, model_usage: [{model_name, request_count, total_tokens}], period}
    void modelUsage(AdminContext &ctx);
    // GET /admin/dashboard/user-stats?start_date=&end_date= (default: the last 30 days)
    //   -> {users: [{username, total_requests, total_tokens, total_prompt_tokens,
    //   total_completion_tokens}], total_users, period}, busiest first
    void userStats(AdminContext &ctx);
    // GET /admin/stats (also /admin/dashboard/stats) -> users, nodes, today's requests and tokens,
    //   per-model usage today, and requests and tokens per UTC day over ?days= (default 7)
    void stats(AdminContext &ctx);

    // GET /admin/request-logs (also /admin/dashboard/requests-log) -> {logs, total}, newest first.
    //   ?limit= (1-1000, default 100) &offset= (default 0)
    //   &username= (exact) &model= (or model_name=; exact, the name asked for or the real one)
    //   &model_contains= (case-insensitive substring of either; % and _ are taken literally)
    //   &status= (or status_code=; 404, 4xx, or a list: 401,403,5xx)
    //   &from= &to= (or start_date=, end_date=; ISO date or date-time, UTC; a plain `to` date
    //   includes that day) &endpoint= (exact path) &dialect= (ollama, openai, anthropic).
    //   A malformed value -> 400 naming the parameter.
    void requestLogs(AdminContext &ctx);
    // GET /admin/audit-logs?limit=&offset=&action=&entity_type= -> {logs, total}
    void auditLogs(AdminContext &ctx);

    // GET /admin/settings (also /admin/config) -> {key: value} of every setting's effective value
    // (stored or default), JSON-typed.
    void getSettings(AdminContext &ctx);
    // GET /admin/settings/schema -> [{key, type, default, minimum?, maximum?, choices?,
    // description, restart_required}]
    void settingsSchema(AdminContext &ctx);
    // PUT /admin/settings (also /admin/config) {key: value, ...} -> as GET. Values JSON-typed or
    // as strings ("true", "120"); every key is checked before anything is written (400 naming
    // the key and the rule).
    void putSettings(AdminContext &ctx);
    // DELETE /admin/settings/{key} -> as GET, with the key back at its default; 404 if unknown.
    void resetSetting(AdminContext &ctx);
};

} // namespace Maestro

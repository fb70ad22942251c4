#include "routes.h"
#include "gateway.h"
#include "llmcontroller.h"
#include "httpwire.h"
#include "router.h"
#include "admin/adminapi.h"
#include "providers/responses.h"

using namespace Qt::StringLiterals;

namespace Maestro {

void registerRoutes(Router &router, Gateway *gateway, LlmController *llm)
{
    using M = QHttpServerRequest::Method;
    using Kind = Translate::ApiKind;

    // Probes (no auth).
    const auto root = [](HttpContext &ctx) {
        ctx.sendJson(200, QJsonObject{{u"message"_s, u"Model Maestro"_s},
                                      {u"version"_s, QStringLiteral(MAESTRO_VERSION)},
                                      {u"status"_s, u"running"_s}});
    };
    // What Ollama answers at its root: Ollama clients and their health checks probe it before
    // anything else. HEAD gets the same head with no body.
    const auto ollamaRoot = [](HttpContext &ctx) {
        ctx.send(Wire::fullResponse(200, "text/plain; charset=utf-8", QByteArrayLiteral("Ollama is running")));
    };
    router.add(M::Get, u"/"_s, Dialect::Admin, ollamaRoot);
    router.add(M::Head, u"/"_s, Dialect::Admin, ollamaRoot);
    router.add(M::Get, u"/health"_s, Dialect::Admin, [](HttpContext &ctx) {
        ctx.sendJson(200, QJsonObject{{u"status"_s, u"healthy"_s}});
    });

    // Prometheus metrics (admin token unless the metrics_public setting is "true").
    router.add(M::Get, u"/metrics"_s, Dialect::Admin, [gateway](HttpContext &ctx) { gateway->serveMetrics(ctx); });

    // Ollama dialect (user token).
    router.add(M::Post, u"/api/chat"_s, Dialect::Ollama, [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Chat); });
    router.add(M::Post, u"/api/generate"_s, Dialect::Ollama, [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Completion); });
    router.add(M::Post, u"/api/embed"_s, Dialect::Ollama, [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Embeddings); });
    router.add(M::Post, u"/api/embeddings"_s, Dialect::Ollama, [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::LegacyEmbeddings); });
    router.add(M::Get, u"/api/tags"_s, Dialect::Ollama, [llm](HttpContext &ctx) { llm->ollamaTags(ctx); });
    router.add(M::Post, u"/api/show"_s, Dialect::Ollama, [llm](HttpContext &ctx) { llm->ollamaShow(ctx); });
    router.add(M::Get, u"/api/ps"_s, Dialect::Ollama, [llm](HttpContext &ctx) { llm->ollamaPs(ctx); });
    router.add(M::Get, u"/api/version"_s, Dialect::Ollama, [llm](HttpContext &ctx) { llm->ollamaVersion(ctx); });

    // Ollama model management (admin token): changes what the nodes hold.
    router.add(M::Post, u"/api/pull"_s, Dialect::Ollama, [llm](HttpContext &ctx) { llm->manageModels(ctx, true); });
    router.add(M::Post, u"/api/push"_s, Dialect::Ollama, [llm](HttpContext &ctx) { llm->manageModels(ctx, true); });
    router.add(M::Post, u"/api/create"_s, Dialect::Ollama, [llm](HttpContext &ctx) { llm->manageModels(ctx, true); });
    router.add(M::Post, u"/api/copy"_s, Dialect::Ollama, [llm](HttpContext &ctx) { llm->manageModels(ctx, false); });
    router.add(M::Delete, u"/api/delete"_s, Dialect::Ollama, [llm](HttpContext &ctx) { llm->manageModels(ctx, false); });

    // OpenAI dialect (user token).
    router.add(M::Post, u"/v1/chat/completions"_s, Dialect::OpenAi, [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Chat); });
    router.add(M::Post, u"/v1/completions"_s, Dialect::OpenAi, [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Completion); });
    router.add(M::Post, u"/v1/embeddings"_s, Dialect::OpenAi, [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Embeddings); });
    router.add(M::Get, u"/v1/models"_s, Dialect::OpenAi, [llm](HttpContext &ctx) { llm->openAiModels(ctx); });
    router.add(M::Get, u"/v1/models/{model*}"_s, Dialect::OpenAi, [llm](HttpContext &ctx) { llm->openAiModel(ctx); });
    // OpenAI Responses (what Codex CLI speaks), stateless; errors in the OpenAI shape.
    router.add(M::Post, u"/v1/responses"_s, Dialect::OpenAi, [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Responses); });

    // Anthropic dialect (user token as bearer or x-api-key): what Claude Code speaks.
    router.add(M::Post, u"/v1/messages"_s, Dialect::Anthropic, [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Chat); });
    router.add(M::Post, u"/v1/messages/count_tokens"_s, Dialect::Anthropic, [llm](HttpContext &ctx) { llm->countTokens(ctx); });

    // The seed's base URLs per client, kept for teams that configured them: the same handlers as
    // the plain paths, with errors in the dialect each client speaks.
    router.add(M::Get, u"/claude/"_s, Dialect::Anthropic, root);
    router.add(M::Head, u"/claude/"_s, Dialect::Anthropic, root);
    router.add(M::Post, u"/claude/v1/messages"_s, Dialect::Anthropic, [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Chat); });
    router.add(M::Post, u"/claude/v1/messages/count_tokens"_s, Dialect::Anthropic, [llm](HttpContext &ctx) { llm->countTokens(ctx); });
    router.add(M::Get, u"/claude/v1/models"_s, Dialect::Anthropic, [llm](HttpContext &ctx) { llm->anthropicModels(ctx); });
    router.add(M::Get, u"/claude/v1/models/{model*}"_s, Dialect::Anthropic, [llm](HttpContext &ctx) { llm->anthropicModel(ctx); });
    router.add(M::Post, u"/codex/responses"_s, Dialect::OpenAi, [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Responses); });
    router.add(M::Post, u"/codex/chat/completions"_s, Dialect::OpenAi, [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Chat); });
    router.add(M::Post, u"/codex/completions"_s, Dialect::OpenAi, [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Completion); });
    router.add(M::Post, u"/codex/embeddings"_s, Dialect::OpenAi, [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Embeddings); });
    router.add(M::Get, u"/codex/models"_s, Dialect::OpenAi, [llm](HttpContext &ctx) { llm->codexModels(ctx); });
    // An OpenAI SDK given the /codex base URL retrieves one model in OpenAI's shape.
    router.add(M::Get, u"/codex/models/{model*}"_s, Dialect::OpenAi, [llm](HttpContext &ctx) { llm->openAiModel(ctx); });
    // Cursor sometimes sends a Responses-style "input" to the chat endpoint.
    const auto cursorChat = [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Chat, &Responses::inputAsMessages); };
    router.add(M::Post, u"/cursor/chat/completions"_s, Dialect::OpenAi, cursorChat);
    router.add(M::Post, u"/cursor/v1/chat/completions"_s, Dialect::OpenAi, cursorChat);

    // Admin API (admin token). The token is checked on the I/O thread; the handler then runs on
    // the control thread, where the database connection lives, and its answer comes back to be
    // written (Gateway::forwardAdmin).
    const auto A = [&]<typename Controller>(M method, const QString &path, void (Controller::*handler)(AdminContext &)) {
        router.add(method, path, Dialect::Admin, [gateway, handler](HttpContext &ctx) {
            gateway->forwardAdmin(ctx, [handler](AdminApi &api, AdminContext &admin) {
                (api.get<Controller>().*handler)(admin);
            });
        });
    };
    A(M::Post, u"/admin/users"_s, &UsersController::createUser);
    A(M::Get, u"/admin/users"_s, &UsersController::listUsers);
    A(M::Get, u"/admin/users/{username}"_s, &UsersController::getUser);
    A(M::Delete, u"/admin/users/{username}"_s, &UsersController::deleteUser);
    A(M::Put, u"/admin/users/{username}/token"_s, &UsersController::rotateToken);
    A(M::Post, u"/admin/users/{username}/models"_s, &UsersController::setModels);
    A(M::Post, u"/admin/users/{username}/models/all"_s, &UsersController::grantAllModels);
    A(M::Get, u"/admin/users/{username}/models"_s, &UsersController::getModels);
    A(M::Delete, u"/admin/users/{username}/models/{model*}"_s, &UsersController::revokeModel);
    A(M::Post, u"/admin/users/{username}/limits"_s, &UsersController::setLimits);
    A(M::Get, u"/admin/users/{username}/limits"_s, &UsersController::getLimits);
    A(M::Delete, u"/admin/users/{username}/limits"_s, &UsersController::deleteLimits);
    A(M::Get, u"/admin/users/{username}/nodes"_s, &UsersController::getNodes);
    A(M::Put, u"/admin/users/{username}/nodes"_s, &UsersController::setNodes);
    A(M::Post, u"/admin/users/{username}/nodes/all"_s, &UsersController::allowAllNodes);
    A(M::Post, u"/admin/users/{username}/nodes"_s, &UsersController::addNode);
    A(M::Delete, u"/admin/users/{username}/nodes/{node_id}"_s, &UsersController::removeNode);
    A(M::Get, u"/admin/users/{username}/node-models"_s, &UsersController::getNodes);
    A(M::Post, u"/admin/users/{username}/node-models/all"_s, &UsersController::allowAllNodeModels);
    A(M::Delete, u"/admin/users/{username}/node-models/all"_s, &UsersController::allowAllNodeModels);
    A(M::Post, u"/admin/users/{username}/node-models"_s, &UsersController::addNodeModel);
    A(M::Delete, u"/admin/users/{username}/node-models"_s, &UsersController::removeNodeModel);
    A(M::Get, u"/admin/users/{username}/activity"_s, &LogsController::activity);
    A(M::Get, u"/admin/users/{username}/token-usage"_s, &LogsController::tokenUsage);
    A(M::Get, u"/admin/users/{username}/model-usage"_s, &LogsController::modelUsage);
    A(M::Get, u"/admin/overview"_s, &OverviewController::overview);
    A(M::Get, u"/admin/stats"_s, &LogsController::stats);
    A(M::Get, u"/admin/dashboard/stats"_s, &LogsController::stats);
    A(M::Get, u"/admin/dashboard/user-stats"_s, &LogsController::userStats);

    A(M::Post, u"/admin/nodes"_s, &NodesController::addNode);
    A(M::Get, u"/admin/nodes"_s, &NodesController::listNodes);
    A(M::Get, u"/admin/nodes/load"_s, &NodesController::nodesLoad);
    A(M::Get, u"/admin/nodes/{id}"_s, &NodesController::getNode);
    A(M::Patch, u"/admin/nodes/{id}"_s, &NodesController::updateNode);
    A(M::Put, u"/admin/nodes/{id}"_s, &NodesController::updateNode);
    A(M::Delete, u"/admin/nodes/{id}"_s, &NodesController::deleteNode);
    A(M::Patch, u"/admin/nodes/{id}/toggle"_s, &NodesController::toggleNode);
    A(M::Post, u"/admin/nodes/{id}/health-check"_s, &NodesController::healthCheck);
    A(M::Post, u"/admin/nodes/{id}/sync-models"_s, &NodesController::syncModels);
    A(M::Post, u"/admin/nodes/{id}/discover"_s, &NodesController::syncModels);
    A(M::Post, u"/admin/nodes/sync-all"_s, &NodesController::syncAllNodes);
    A(M::Get, u"/admin/nodes/{id}/models"_s, &NodesController::nodeModels);
    A(M::Post, u"/admin/nodes/{id}/warmup"_s, &NodesController::warmNode);

    A(M::Post, u"/admin/model-mappings"_s, &ModelsController::addMapping);
    A(M::Get, u"/admin/model-mappings"_s, &ModelsController::listMappings);
    A(M::Get, u"/admin/model-mappings/{display_name*}"_s, &ModelsController::getMapping);
    A(M::Put, u"/admin/model-mappings/{display_name*}"_s, &ModelsController::updateMapping);
    A(M::Delete, u"/admin/model-mappings/{display_name*}"_s, &ModelsController::deleteMapping);

    A(M::Post, u"/admin/model-groups"_s, &ModelsController::addGroup);
    A(M::Get, u"/admin/model-groups"_s, &ModelsController::listGroups);
    A(M::Get, u"/admin/model-groups/{name}"_s, &ModelsController::getGroup);
    A(M::Put, u"/admin/model-groups/{name}"_s, &ModelsController::updateGroup);
    A(M::Delete, u"/admin/model-groups/{name}"_s, &ModelsController::deleteGroup);
    A(M::Post, u"/admin/model-groups/{name}/members"_s, &ModelsController::addMember);
    // Before .../members/{id}: the first matching pattern wins.
    A(M::Post, u"/admin/model-groups/{name}/members/reorder"_s, &ModelsController::reorderMembers);
    A(M::Put, u"/admin/model-groups/{name}/members/reorder"_s, &ModelsController::reorderMembers);
    A(M::Put, u"/admin/model-groups/{name}/members/{id}"_s, &ModelsController::updateMember);
    A(M::Delete, u"/admin/model-groups/{name}/members/{id}"_s, &ModelsController::deleteMember);
    A(M::Put, u"/admin/model-groups/{name}/reorder"_s, &ModelsController::reorderMembers);

    A(M::Post, u"/admin/tool-sets"_s, &PoliciesController::saveToolSet);
    A(M::Get, u"/admin/tool-sets"_s, &PoliciesController::listToolSets);
    A(M::Get, u"/admin/tool-sets/{name}"_s, &PoliciesController::getToolSet);
    A(M::Put, u"/admin/tool-sets/{name}"_s, &PoliciesController::saveToolSet);
    A(M::Delete, u"/admin/tool-sets/{name}"_s, &PoliciesController::deleteToolSet);
    A(M::Post, u"/admin/model-configs"_s, &PoliciesController::saveModelConfig);
    A(M::Get, u"/admin/model-configs"_s, &PoliciesController::listModelConfigs);
    A(M::Get, u"/admin/model-configs/{pattern*}"_s, &PoliciesController::getModelConfig);
    A(M::Put, u"/admin/model-configs/{pattern*}"_s, &PoliciesController::saveModelConfig);
    A(M::Delete, u"/admin/model-configs/{pattern*}"_s, &PoliciesController::deleteModelConfig);

    A(M::Get, u"/admin/system-prompts"_s, &PoliciesController::listSystemPrompts);
    A(M::Post, u"/admin/system-prompts"_s, &PoliciesController::addSystemPrompt);
    A(M::Put, u"/admin/system-prompts/reorder"_s, &PoliciesController::reorderSystemPrompts);
    A(M::Get, u"/admin/system-prompts/{id}"_s, &PoliciesController::getSystemPrompt);
    A(M::Patch, u"/admin/system-prompts/{id}"_s, &PoliciesController::updateSystemPrompt);
    A(M::Delete, u"/admin/system-prompts/{id}"_s, &PoliciesController::deleteSystemPrompt);

    // Served on the I/O thread from memory (Gateway::serveStatus, streamRequestLogs): an attaching
    // client's first question, and a stream that stays open.
    router.add(M::Get, u"/admin/status"_s, Dialect::Admin, [gateway](HttpContext &ctx) { gateway->serveStatus(ctx); });
    router.add(M::Get, u"/admin/request-logs/stream"_s, Dialect::Admin,
               [gateway](HttpContext &ctx) { gateway->streamRequestLogs(ctx); });
    A(M::Get, u"/admin/request-logs"_s, &LogsController::requestLogs);
    A(M::Get, u"/admin/dashboard/requests-log"_s, &LogsController::requestLogs);
    A(M::Get, u"/admin/audit-logs"_s, &LogsController::auditLogs);
    A(M::Get, u"/admin/settings"_s, &LogsController::getSettings);
    A(M::Get, u"/admin/settings/schema"_s, &LogsController::settingsSchema);
    A(M::Put, u"/admin/settings"_s, &LogsController::putSettings);
    A(M::Delete, u"/admin/settings/{key}"_s, &LogsController::resetSetting);
    A(M::Get, u"/admin/config"_s, &LogsController::getSettings);
    A(M::Put, u"/admin/config"_s, &LogsController::putSettings);
    A(M::Get, u"/admin/export"_s, &BackupController::exportBackup);
    A(M::Post, u"/admin/import"_s, &BackupController::importBackup);
}

} // namespace Maestro

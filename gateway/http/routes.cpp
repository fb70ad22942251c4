#include "routes.h"
#include "admincontroller.h"
#include "gateway.h"
#include "llmcontroller.h"
#include "router.h"
#include "providers/responses.h"

using namespace Qt::StringLiterals;

namespace Maestro {

void registerRoutes(Router &router, Gateway *gateway, LlmController *llm, AdminController *admin)
{
    using M = QHttpServerRequest::Method;
    using Kind = Translate::ApiKind;

    // Probes (no auth).
    const auto root = [](HttpContext &ctx) {
        ctx.sendJson(200, QJsonObject{{u"message"_s, u"Model Maestro"_s},
                                      {u"version"_s, QStringLiteral(MAESTRO_VERSION)},
                                      {u"status"_s, u"running"_s}});
    };
    router.add(M::Get, u"/"_s, Dialect::Admin, root);
    router.add(M::Head, u"/"_s, Dialect::Admin, root);
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
    router.add(M::Post, u"/codex/responses"_s, Dialect::OpenAi, [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Responses); });
    router.add(M::Post, u"/codex/chat/completions"_s, Dialect::OpenAi, [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Chat); });
    router.add(M::Post, u"/codex/completions"_s, Dialect::OpenAi, [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Completion); });
    router.add(M::Post, u"/codex/embeddings"_s, Dialect::OpenAi, [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Embeddings); });
    router.add(M::Get, u"/codex/models"_s, Dialect::OpenAi, [llm](HttpContext &ctx) { llm->codexModels(ctx); });
    // Cursor sometimes sends a Responses-style "input" to the chat endpoint.
    const auto cursorChat = [llm](HttpContext &ctx) { llm->proxy(ctx, Kind::Chat, &Responses::inputAsMessages); };
    router.add(M::Post, u"/cursor/chat/completions"_s, Dialect::OpenAi, cursorChat);
    router.add(M::Post, u"/cursor/v1/chat/completions"_s, Dialect::OpenAi, cursorChat);

    // Admin API (admin token). Each handler runs only after authorize().
    const auto guarded = [admin](void (AdminController::*handler)(HttpContext &)) {
        return [admin, handler](HttpContext &ctx) {
            if (admin->authorize(ctx))
                (admin->*handler)(ctx);
        };
    };
    const auto A = [&](M method, const QString &path, void (AdminController::*handler)(HttpContext &)) {
        router.add(method, path, Dialect::Admin, guarded(handler));
    };
    A(M::Post, u"/admin/users"_s, &AdminController::createUser);
    A(M::Get, u"/admin/users"_s, &AdminController::listUsers);
    A(M::Get, u"/admin/users/{username}"_s, &AdminController::getUser);
    A(M::Delete, u"/admin/users/{username}"_s, &AdminController::deleteUser);
    A(M::Put, u"/admin/users/{username}/token"_s, &AdminController::rotateToken);
    A(M::Post, u"/admin/users/{username}/models"_s, &AdminController::setModels);
    A(M::Post, u"/admin/users/{username}/models/all"_s, &AdminController::grantAllModels);
    A(M::Get, u"/admin/users/{username}/models"_s, &AdminController::getModels);
    A(M::Delete, u"/admin/users/{username}/models/{model*}"_s, &AdminController::revokeModel);
    A(M::Post, u"/admin/users/{username}/limits"_s, &AdminController::setLimits);
    A(M::Get, u"/admin/users/{username}/limits"_s, &AdminController::getLimits);
    A(M::Delete, u"/admin/users/{username}/limits"_s, &AdminController::deleteLimits);
    A(M::Get, u"/admin/users/{username}/activity"_s, &AdminController::activity);
    A(M::Get, u"/admin/users/{username}/token-usage"_s, &AdminController::tokenUsage);
    A(M::Get, u"/admin/users/{username}/model-usage"_s, &AdminController::modelUsage);
    A(M::Get, u"/admin/stats"_s, &AdminController::stats);
    A(M::Get, u"/admin/dashboard/stats"_s, &AdminController::stats);
    A(M::Get, u"/admin/dashboard/user-stats"_s, &AdminController::userStats);

    A(M::Post, u"/admin/nodes"_s, &AdminController::addNode);
    A(M::Get, u"/admin/nodes"_s, &AdminController::listNodes);
    A(M::Get, u"/admin/nodes/load"_s, &AdminController::nodesLoad);
    A(M::Get, u"/admin/nodes/{id}"_s, &AdminController::getNode);
    A(M::Patch, u"/admin/nodes/{id}"_s, &AdminController::updateNode);
    A(M::Put, u"/admin/nodes/{id}"_s, &AdminController::updateNode);
    A(M::Delete, u"/admin/nodes/{id}"_s, &AdminController::deleteNode);
    A(M::Patch, u"/admin/nodes/{id}/toggle"_s, &AdminController::toggleNode);
    A(M::Post, u"/admin/nodes/{id}/health-check"_s, &AdminController::healthCheck);
    A(M::Post, u"/admin/nodes/{id}/sync-models"_s, &AdminController::syncModels);
    A(M::Post, u"/admin/nodes/{id}/discover"_s, &AdminController::syncModels);
    A(M::Post, u"/admin/nodes/sync-all"_s, &AdminController::syncAllNodes);
    A(M::Get, u"/admin/nodes/{id}/models"_s, &AdminController::nodeModels);
    A(M::Post, u"/admin/nodes/{id}/warmup"_s, &AdminController::warmNode);

    A(M::Post, u"/admin/model-mappings"_s, &AdminController::addMapping);
    A(M::Get, u"/admin/model-mappings"_s, &AdminController::listMappings);
    A(M::Get, u"/admin/model-mappings/{display_name*}"_s, &AdminController::getMapping);
    A(M::Put, u"/admin/model-mappings/{display_name*}"_s, &AdminController::updateMapping);
    A(M::Delete, u"/admin/model-mappings/{display_name*}"_s, &AdminController::deleteMapping);

    A(M::Post, u"/admin/model-groups"_s, &AdminController::addGroup);
    A(M::Get, u"/admin/model-groups"_s, &AdminController::listGroups);
    A(M::Get, u"/admin/model-groups/{name}"_s, &AdminController::getGroup);
    A(M::Put, u"/admin/model-groups/{name}"_s, &AdminController::updateGroup);
    A(M::Delete, u"/admin/model-groups/{name}"_s, &AdminController::deleteGroup);
    A(M::Post, u"/admin/model-groups/{name}/members"_s, &AdminController::addMember);
    // Before .../members/{id}: the first matching pattern wins.
    A(M::Post, u"/admin/model-groups/{name}/members/reorder"_s, &AdminController::reorderMembers);
    A(M::Put, u"/admin/model-groups/{name}/members/reorder"_s, &AdminController::reorderMembers);
    A(M::Put, u"/admin/model-groups/{name}/members/{id}"_s, &AdminController::updateMember);
    A(M::Delete, u"/admin/model-groups/{name}/members/{id}"_s, &AdminController::deleteMember);
    A(M::Put, u"/admin/model-groups/{name}/reorder"_s, &AdminController::reorderMembers);

    A(M::Post, u"/admin/tool-sets"_s, &AdminController::saveToolSet);
    A(M::Get, u"/admin/tool-sets"_s, &AdminController::listToolSets);
    A(M::Get, u"/admin/tool-sets/{name}"_s, &AdminController::getToolSet);
    A(M::Put, u"/admin/tool-sets/{name}"_s, &AdminController::saveToolSet);
    A(M::Delete, u"/admin/tool-sets/{name}"_s, &AdminController::deleteToolSet);
    A(M::Post, u"/admin/model-configs"_s, &AdminController::saveModelConfig);
    A(M::Get, u"/admin/model-configs"_s, &AdminController::listModelConfigs);
    A(M::Get, u"/admin/model-configs/{pattern*}"_s, &AdminController::getModelConfig);
    A(M::Put, u"/admin/model-configs/{pattern*}"_s, &AdminController::saveModelConfig);
    A(M::Delete, u"/admin/model-configs/{pattern*}"_s, &AdminController::deleteModelConfig);

    A(M::Get, u"/admin/system-prompts"_s, &AdminController::listSystemPrompts);
    A(M::Post, u"/admin/system-prompts"_s, &AdminController::addSystemPrompt);
    A(M::Put, u"/admin/system-prompts/reorder"_s, &AdminController::reorderSystemPrompts);
    A(M::Get, u"/admin/system-prompts/{id}"_s, &AdminController::getSystemPrompt);
    A(M::Patch, u"/admin/system-prompts/{id}"_s, &AdminController::updateSystemPrompt);
    A(M::Delete, u"/admin/system-prompts/{id}"_s, &AdminController::deleteSystemPrompt);

    A(M::Get, u"/admin/request-logs"_s, &AdminController::requestLogs);
    A(M::Get, u"/admin/dashboard/requests-log"_s, &AdminController::requestLogs);
    A(M::Get, u"/admin/audit-logs"_s, &AdminController::auditLogs);
    A(M::Get, u"/admin/settings"_s, &AdminController::getSettings);
    A(M::Get, u"/admin/settings/schema"_s, &AdminController::settingsSchema);
    A(M::Put, u"/admin/settings"_s, &AdminController::putSettings);
    A(M::Delete, u"/admin/settings/{key}"_s, &AdminController::resetSetting);
    A(M::Get, u"/admin/config"_s, &AdminController::getSettings);
    A(M::Put, u"/admin/config"_s, &AdminController::putSettings);
    A(M::Get, u"/admin/export"_s, &AdminController::exportBackup);
    A(M::Post, u"/admin/import"_s, &AdminController::importBackup);
}

} // namespace Maestro

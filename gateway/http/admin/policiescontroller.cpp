#include "policiescontroller.h"
#include "core/adminservice.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Maestro {

void PoliciesController::saveToolSet(AdminContext &ctx)
{
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    std::optional<ToolSet> current;
    const QString pathName = ctx.param(u"name"_s);
    if (!pathName.isEmpty()) {
        const auto sets = store()->toolSets();
        const auto it = std::find_if(sets.cbegin(), sets.cend(), [&](const ToolSet &s) { return s.name == pathName; });
        if (it == sets.cend())
            return ctx.fail(ApiError::notFound(u"Tool set not found: %1"_s.arg(pathName)));
        current = *it;
    }
    const auto set = toolSetFromJson(body.value(), current);
    if (ctx.failed(set))
        return;
    ctx.answer(admin()->saveToolSet(set.value()), current ? 200 : 201);
}

void PoliciesController::listToolSets(AdminContext &ctx)
{
    QJsonArray list;
    for (const ToolSet &set : store()->toolSets())
        list.append(toJson(set));
    ctx.sendJson(200, list);
}

void PoliciesController::getToolSet(AdminContext &ctx)
{
    for (const ToolSet &set : store()->toolSets()) {
        if (set.name == ctx.param(u"name"_s))
            return ctx.sendJson(200, toJson(set));
    }
    ctx.fail(ApiError::notFound(u"Tool set not found: %1"_s.arg(ctx.param(u"name"_s))));
}

void PoliciesController::deleteToolSet(AdminContext &ctx)
{
    ctx.answerNoContent(admin()->deleteToolSet(ctx.param(u"name"_s)));
}

void PoliciesController::saveModelConfig(AdminContext &ctx)
{
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    std::optional<ModelConfig> current;
    const QString pathPattern = ctx.param(u"pattern"_s);
    if (!pathPattern.isEmpty()) {
        const auto configs = store()->modelConfigs();
        const auto it = std::find_if(configs.cbegin(), configs.cend(), [&](const ModelConfig &c) { return c.pattern == pathPattern; });
        if (it == configs.cend())
            return ctx.fail(ApiError::notFound(u"Model configuration not found: %1"_s.arg(pathPattern)));
        current = *it;
    }
    const auto config = modelConfigFromJson(body.value(), current);
    if (ctx.failed(config))
        return;
    ctx.answer(admin()->saveModelConfig(config.value()), current ? 200 : 201);
}

void PoliciesController::listModelConfigs(AdminContext &ctx)
{
    QJsonArray list;
    for (const ModelConfig &config : store()->modelConfigs())
        list.append(toJson(config));
    ctx.sendJson(200, list);
}

void PoliciesController::getModelConfig(AdminContext &ctx)
{
    for (const ModelConfig &config : store()->modelConfigs()) {
        if (config.pattern == ctx.param(u"pattern"_s))
            return ctx.sendJson(200, toJson(config));
    }
    ctx.fail(ApiError::notFound(u"Model configuration not found: %1"_s.arg(ctx.param(u"pattern"_s))));
}

void PoliciesController::deleteModelConfig(AdminContext &ctx)
{
    ctx.answerNoContent(admin()->deleteModelConfig(ctx.param(u"pattern"_s)));
}

void PoliciesController::listSystemPrompts(AdminContext &ctx)
{
    ctx.sendJson(200, toJson(store()->systemPrompts()));
}

void PoliciesController::addSystemPrompt(AdminContext &ctx)
{
    if (const auto input = ctx.readBody(promptInputFromJson))
        ctx.answer(admin()->addSystemPrompt(*input), 201);
}

void PoliciesController::getSystemPrompt(AdminContext &ctx)
{
    if (const auto id = ctx.id(u"system prompt"_s))
        ctx.answer(admin()->findSystemPrompt(*id));
}

void PoliciesController::updateSystemPrompt(AdminContext &ctx)
{
    const auto id = ctx.id(u"system prompt"_s);
    if (!id)
        return;
    if (const auto input = ctx.readBody(promptInputFromJson))
        ctx.answer(admin()->updateSystemPrompt(*id, *input));
}

void PoliciesController::deleteSystemPrompt(AdminContext &ctx)
{
    if (const auto id = ctx.id(u"system prompt"_s))
        ctx.answerNoContent(admin()->deleteSystemPrompt(*id));
}

void PoliciesController::reorderSystemPrompts(AdminContext &ctx)
{
    if (const auto order = ctx.readBody(promptOrderFromJson))
        ctx.answer(admin()->reorderSystemPrompts(*order));
}

} // namespace Maestro

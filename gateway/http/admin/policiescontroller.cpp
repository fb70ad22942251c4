#include "policiescontroller.h"
#include "adminjson.h"
#include "core/adminservice.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Maestro {

using AdminJson::optionalNumber;
using AdminJson::readField;
using AdminJson::readLimit;
using AdminJson::readStrings;
using AdminJson::timeValue;

namespace {

QJsonObject toolSetJson(const ToolSet &set)
{
    return {{u"id"_s, double(set.id)},
            {u"name"_s, set.name},
            {u"description"_s, set.description},
            {u"tools"_s, QJsonArray::fromStringList(set.tools)}};
}

QJsonObject modelConfigJson(const ModelConfig &c)
{
    return {{u"id"_s, double(c.id)},
            {u"model_pattern"_s, c.pattern},
            {u"tools_restricted"_s, c.toolsRestricted},
            {u"allowed_tools"_s, QJsonArray::fromStringList(c.allowedTools)},
            {u"tool_sets"_s, QJsonArray::fromStringList(c.toolSets)},
            {u"stripped_params"_s, QJsonArray::fromStringList(c.strippedParams)},
            {u"default_context_length"_s, c.defaultContextLength > 0 ? QJsonValue(double(c.defaultContextLength)) : QJsonValue()},
            {u"max_context_length"_s, c.maxContextLength > 0 ? QJsonValue(double(c.maxContextLength)) : QJsonValue()},
            {u"maintenance"_s, c.maintenance},
            {u"maintenance_message"_s, c.maintenanceMessage},
            {u"requests_per_minute"_s, optionalNumber(c.requestsPerMinute)},
            {u"tokens_per_minute"_s, optionalNumber(c.tokensPerMinute)},
            {u"updated_at"_s, timeValue(c.updatedAt)}};
}

bool readContext(const QJsonObject &body, const QString &name, qint64 *out, ApiError *error)
{
    const QJsonValue value = body.value(name);
    if (value.isUndefined() || value.isNull())
        return true;
    std::optional<qint64> parsed;
    if (value.isDouble() && value.toDouble() >= 0)
        parsed = qint64(value.toDouble());
    else if (value.isString())
        parsed = parseContextLength(value.toString());
    if (!parsed) {
        *error = ApiError::badRequest(u"\"%1\" must be a number of tokens or a size such as \"32K\""_s.arg(name));
        return false;
    }
    *out = *parsed;
    return true;
}

QJsonObject systemPromptJson(const SystemPrompt &p)
{
    return {{u"id"_s, double(p.id)},
            {u"scope_type"_s, promptScopeName(p.scope)},
            {u"scope_value"_s, p.scopeValue},
            {u"prompt"_s, p.prompt},
            {u"priority"_s, p.priority},
            {u"is_active"_s, p.active},
            {u"description"_s, p.description.isEmpty() ? QJsonValue() : QJsonValue(p.description)},
            {u"created_at"_s, timeValue(p.createdAt)},
            {u"updated_at"_s, timeValue(p.updatedAt)}};
}

QJsonArray systemPromptsJson(const QList<SystemPrompt> &prompts)
{
    QJsonArray list;
    for (const SystemPrompt &prompt : prompts)
        list.append(systemPromptJson(prompt));
    return list;
}

bool readPromptInput(const QJsonObject &body, AdminService::PromptInput *input, ApiError *error)
{
    return readField(body, u"scope_type"_s, &input->scopeType, error)
        && readField(body, u"scope_value"_s, &input->scopeValue, error)
        && readField(body, u"prompt"_s, &input->prompt, error)
        && readField(body, u"priority"_s, &input->priority, error)
        && readField(body, u"is_active"_s, &input->active, error)
        && readField(body, u"description"_s, &input->description, error);
}

} // namespace

void PoliciesController::saveToolSet(AdminContext &ctx)
{
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    ToolSet set;
    const QString pathName = ctx.param(u"name"_s);
    if (!pathName.isEmpty()) {
        const auto sets = store()->toolSets();
        const auto it = std::find_if(sets.cbegin(), sets.cend(), [&](const ToolSet &s) { return s.name == pathName; });
        if (it == sets.cend())
            return ctx.fail(ApiError::notFound(u"Tool set not found: %1"_s.arg(pathName)));
        set = *it;
    }
    std::optional<QString> name;
    std::optional<QString> description;
    ApiError error;
    if (!readField(body.value(), u"name"_s, &name, &error) || !readField(body.value(), u"description"_s, &description, &error)
        || !readStrings(body.value(), u"tools"_s, &set.tools, &error))
        return ctx.fail(error);
    if (!pathName.isEmpty() && name && *name != pathName)
        return ctx.fail(ApiError::badRequest(u"a tool set cannot be renamed; create a new one"_s));
    set.name = pathName.isEmpty() ? name.value_or(QString()) : pathName;
    if (description)
        set.description = *description;
    ctx.answer(admin()->saveToolSet(set), toolSetJson, pathName.isEmpty() ? 201 : 200);
}

void PoliciesController::listToolSets(AdminContext &ctx)
{
    QJsonArray list;
    for (const ToolSet &set : store()->toolSets())
        list.append(toolSetJson(set));
    ctx.sendJson(200, list);
}

void PoliciesController::getToolSet(AdminContext &ctx)
{
    for (const ToolSet &set : store()->toolSets()) {
        if (set.name == ctx.param(u"name"_s))
            return ctx.sendJson(200, toolSetJson(set));
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
    const QJsonObject json = AdminJson::withSeedNames(body.value(), {{"model_prefix"_L1, "model_pattern"_L1},
                                                                     {"unsupported_params"_L1, "stripped_params"_L1},
                                                                     {"maintenance_mode"_L1, "maintenance"_L1}});
    ModelConfig config;
    const QString pathPattern = ctx.param(u"pattern"_s);
    if (!pathPattern.isEmpty()) {
        const auto configs = store()->modelConfigs();
        const auto it = std::find_if(configs.cbegin(), configs.cend(), [&](const ModelConfig &c) { return c.pattern == pathPattern; });
        if (it == configs.cend())
            return ctx.fail(ApiError::notFound(u"Model configuration not found: %1"_s.arg(pathPattern)));
        config = *it;
    }
    std::optional<QString> pattern;
    std::optional<bool> restricted;
    std::optional<bool> maintenance;
    std::optional<QString> message;
    ApiError error;
    if (!readField(json, u"model_pattern"_s, &pattern, &error) || !readField(json, u"tools_restricted"_s, &restricted, &error)
        || !readField(json, u"maintenance"_s, &maintenance, &error) || !readField(json, u"maintenance_message"_s, &message, &error)
        || !readStrings(json, u"allowed_tools"_s, &config.allowedTools, &error)
        || !readStrings(json, u"tool_sets"_s, &config.toolSets, &error)
        || !readStrings(json, u"stripped_params"_s, &config.strippedParams, &error)
        || !readContext(json, u"default_context_length"_s, &config.defaultContextLength, &error)
        || !readContext(json, u"max_context_length"_s, &config.maxContextLength, &error)
        || !readLimit(json, u"requests_per_minute"_s, true, &config.requestsPerMinute, &error)
        || !readLimit(json, u"tokens_per_minute"_s, true, &config.tokensPerMinute, &error))
        return ctx.fail(error);
    if (!pathPattern.isEmpty() && pattern && *pattern != pathPattern)
        return ctx.fail(ApiError::badRequest(u"model_pattern cannot change; delete and create instead"_s));
    config.pattern = pathPattern.isEmpty() ? pattern.value_or(QString()) : pathPattern;
    // Naming tools or tool sets means "only these", unless tools_restricted says otherwise.
    config.toolsRestricted = restricted.value_or(config.toolsRestricted || json.contains("allowed_tools"_L1) || json.contains("tool_sets"_L1));
    if (maintenance)
        config.maintenance = *maintenance;
    if (message)
        config.maintenanceMessage = *message;
    ctx.answer(admin()->saveModelConfig(config), modelConfigJson, pathPattern.isEmpty() ? 201 : 200);
}

void PoliciesController::listModelConfigs(AdminContext &ctx)
{
    QJsonArray list;
    for (const ModelConfig &config : store()->modelConfigs())
        list.append(modelConfigJson(config));
    ctx.sendJson(200, list);
}

void PoliciesController::getModelConfig(AdminContext &ctx)
{
    for (const ModelConfig &config : store()->modelConfigs()) {
        if (config.pattern == ctx.param(u"pattern"_s))
            return ctx.sendJson(200, modelConfigJson(config));
    }
    ctx.fail(ApiError::notFound(u"Model configuration not found: %1"_s.arg(ctx.param(u"pattern"_s))));
}

void PoliciesController::deleteModelConfig(AdminContext &ctx)
{
    ctx.answerNoContent(admin()->deleteModelConfig(ctx.param(u"pattern"_s)));
}

void PoliciesController::listSystemPrompts(AdminContext &ctx)
{
    ctx.sendJson(200, systemPromptsJson(store()->systemPrompts()));
}

void PoliciesController::addSystemPrompt(AdminContext &ctx)
{
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    AdminService::PromptInput input;
    ApiError error;
    if (!readPromptInput(body.value(), &input, &error))
        return ctx.fail(error);
    ctx.answer(admin()->addSystemPrompt(input), systemPromptJson, 201);
}

void PoliciesController::getSystemPrompt(AdminContext &ctx)
{
    if (const auto id = ctx.id(u"system prompt"_s))
        ctx.answer(admin()->findSystemPrompt(*id), systemPromptJson);
}

void PoliciesController::updateSystemPrompt(AdminContext &ctx)
{
    const auto id = ctx.id(u"system prompt"_s);
    if (!id)
        return;
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    AdminService::PromptInput input;
    ApiError error;
    if (!readPromptInput(body.value(), &input, &error))
        return ctx.fail(error);
    ctx.answer(admin()->updateSystemPrompt(*id, input), systemPromptJson);
}

void PoliciesController::deleteSystemPrompt(AdminContext &ctx)
{
    if (const auto id = ctx.id(u"system prompt"_s))
        ctx.answerNoContent(admin()->deleteSystemPrompt(*id));
}

void PoliciesController::reorderSystemPrompts(AdminContext &ctx)
{
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    const QJsonValue ids = body.value().value("ids"_L1);
    const auto invalid = ApiError::badRequest(u"\"ids\" must be an array of system prompt ids"_s);
    if (!ids.isArray())
        return ctx.fail(invalid);
    QList<qint64> order;
    for (const QJsonValue &id : ids.toArray()) {
        if (!id.isDouble() || id.toDouble() != double(qint64(id.toDouble())))
            return ctx.fail(invalid);
        order.append(qint64(id.toDouble()));
    }
    ctx.answer(admin()->reorderSystemPrompts(order), systemPromptsJson);
}

} // namespace Maestro

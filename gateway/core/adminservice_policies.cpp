// Policies: tool sets, per-model configuration and system prompts.

#include "adminservice.h"
#include "adminservice_p.h"
#include "entityjson.h"

#include <QJsonArray>

#include <algorithm>
#include <functional>

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace AdminSupport;

namespace {

Result<ToolSet> findToolSet(Store *store, const QString &name)
{
    for (const ToolSet &set : store->toolSets()) {
        if (set.name == name)
            return set;
    }
    return ApiError::notFound(u"Tool set not found: %1"_s.arg(name));
}

Result<ModelConfig> findModelConfig(Store *store, const QString &pattern)
{
    for (const ModelConfig &config : store->modelConfigs()) {
        if (config.pattern == pattern)
            return config;
    }
    return ApiError::notFound(u"Model configuration not found: %1"_s.arg(pattern));
}

QJsonObject promptAuditDetails(const SystemPrompt &prompt)
{
    return {{u"scope_type"_s, promptScopeName(prompt.scope)},
            {u"scope_value"_s, prompt.scopeValue},
            {u"priority"_s, prompt.priority},
            {u"is_active"_s, prompt.active}};
}

// A global prompt applies to every request: a value would only suggest otherwise.
std::optional<ApiError> validatePrompt(SystemPrompt *prompt)
{
    if (prompt->scope == PromptScope::Global)
        prompt->scopeValue.clear();
    else if (prompt->scopeValue.isEmpty() || prompt->scopeValue.size() > 255)
        return ApiError::badRequest(u"scope_value must be 1-255 characters for the %1 scope"_s.arg(promptScopeName(prompt->scope)));
    if (prompt->prompt.trimmed().isEmpty())
        return ApiError::badRequest(u"prompt must not be empty"_s);
    return std::nullopt;
}

} // namespace

std::optional<ApiError> AdminSupport::normalizeToolSet(ToolSet *set)
{
    set->name = set->name.trimmed();
    if (set->name.isEmpty())
        return ApiError::badRequest(u"name is required"_s);
    set->tools.removeAll(QString());
    set->tools.removeDuplicates();
    return std::nullopt;
}

Result<ToolSet> AdminService::saveToolSet(const ToolSet &input)
{
    ToolSet set = input;
    if (const auto error = normalizeToolSet(&set))
        return *error;
    if (!m_store->saveToolSet(set))
        return storageFailed();
    announce(u"tool_set.save"_s, u"tool_set"_s, set.name, {{u"tools"_s, QJsonArray::fromStringList(set.tools)}});
    if (auto saved = findToolSet(m_store, set.name); saved.ok())
        return saved;
    return set;
}

Result<bool> AdminService::deleteToolSet(const QString &name)
{
    return deleteFound(
        findToolSet(m_store, name), [this](const ToolSet &set) { return m_store->deleteToolSet(set.name); },
        u"tool_set.delete"_s, u"tool_set"_s, name, noDetails);
}

std::optional<ApiError> AdminSupport::normalizeModelConfig(ModelConfig *config, const QSet<QString> &toolSets)
{
    config->pattern = config->pattern.trimmed();
    if (config->pattern.isEmpty() || config->pattern == "*"_L1)
        return ApiError::badRequest(u"model_pattern must name a model, or a prefix ending with '*'"_s);
    if (config->defaultContextLength < 0 || config->maxContextLength < 0
        || (config->maxContextLength > 0 && config->defaultContextLength > config->maxContextLength))
        return ApiError::badRequest(u"context lengths must be positive, the default no larger than the maximum"_s);
    if (const auto invalid = validatePerMinute(config->requestsPerMinute, config->tokensPerMinute))
        return invalid;
    for (const QString &name : std::as_const(config->toolSets)) {
        if (!toolSets.contains(name))
            return ApiError::badRequest(u"Tool set not found: %1"_s.arg(name));
    }
    return std::nullopt;
}

Result<ModelConfig> AdminService::saveModelConfig(const ModelConfig &input)
{
    ModelConfig config = input;
    QSet<QString> toolSets;
    for (const ToolSet &set : m_store->toolSets())
        toolSets.insert(set.name);
    if (const auto error = normalizeModelConfig(&config, toolSets))
        return *error;
    if (!m_store->saveModelConfig(config))
        return storageFailed();
    announce(u"model_config.save"_s, u"model_config"_s, config.pattern,
             {{u"maintenance"_s, config.maintenance},
              {u"tools_restricted"_s, config.toolsRestricted},
              {u"allowed_tools"_s, QJsonArray::fromStringList(config.allowedTools)},
              {u"tool_sets"_s, QJsonArray::fromStringList(config.toolSets)},
              {u"stripped_params"_s, QJsonArray::fromStringList(config.strippedParams)},
              {u"requests_per_minute"_s, limitToJson(config.requestsPerMinute)},
              {u"tokens_per_minute"_s, limitToJson(config.tokensPerMinute)}});
    if (auto saved = findModelConfig(m_store, config.pattern); saved.ok())
        return saved;
    return config;
}

Result<bool> AdminService::deleteModelConfig(const QString &pattern)
{
    return deleteFound(
        findModelConfig(m_store, pattern),
        [this](const ModelConfig &config) { return m_store->deleteModelConfig(config.pattern); },
        u"model_config.delete"_s, u"model_config"_s, pattern, noDetails);
}

std::optional<ApiError> AdminSupport::applyPromptInput(SystemPrompt *prompt, const AdminService::PromptInput &input)
{
    if (input.scopeType) {
        const auto scope = promptScopeFromName(input.scopeType->trimmed());
        if (!scope) {
            return ApiError::badRequest(
                u"scope_type must be one of global, user, mapping, model, group, node (not \"%1\")"_s.arg(*input.scopeType));
        }
        prompt->scope = *scope;
    }
    if (input.scopeValue)
        prompt->scopeValue = input.scopeValue->trimmed();
    if (input.prompt)
        prompt->prompt = *input.prompt;
    if (input.priority)
        prompt->priority = *input.priority;
    if (input.active)
        prompt->active = *input.active;
    if (input.description)
        prompt->description = *input.description;
    return validatePrompt(prompt);
}

Result<SystemPrompt> AdminSupport::newSystemPrompt(const AdminService::PromptInput &input)
{
    if (!input.scopeType)
        return ApiError::badRequest(u"scope_type is required"_s);
    if (!input.prompt)
        return ApiError::badRequest(u"prompt is required"_s);
    SystemPrompt prompt;
    if (const auto error = applyPromptInput(&prompt, input))
        return *error;
    return prompt;
}

Result<SystemPrompt> AdminService::findSystemPrompt(qint64 id)
{
    for (const SystemPrompt &prompt : m_store->systemPrompts()) {
        if (prompt.id == id)
            return prompt;
    }
    return ApiError::notFound(u"System prompt not found: %1"_s.arg(id));
}

Result<SystemPrompt> AdminService::addSystemPrompt(const PromptInput &input)
{
    MAESTRO_TRY(prompt, newSystemPrompt(input));
    prompt.id = m_store->insertSystemPrompt(prompt);
    if (prompt.id == 0)
        return storageFailed();
    announce(u"system_prompt.create"_s, u"system_prompt"_s, QString::number(prompt.id), promptAuditDetails(prompt));
    return findSystemPrompt(prompt.id);
}

Result<SystemPrompt> AdminService::updateSystemPrompt(qint64 id, const PromptInput &input)
{
    MAESTRO_TRY(prompt, findSystemPrompt(id));
    if (const auto error = applyPromptInput(&prompt, input))
        return *error;
    if (!m_store->updateSystemPrompt(prompt))
        return storageFailed();
    announce(u"system_prompt.update"_s, u"system_prompt"_s, QString::number(id), promptAuditDetails(prompt));
    return findSystemPrompt(id);
}

Result<bool> AdminService::deleteSystemPrompt(qint64 id)
{
    return deleteFound(
        findSystemPrompt(id), [this](const SystemPrompt &prompt) { return m_store->deleteSystemPrompt(prompt.id); },
        u"system_prompt.delete"_s, u"system_prompt"_s, QString::number(id), promptAuditDetails);
}

Result<QList<SystemPrompt>> AdminService::reorderSystemPrompts(const QList<qint64> &ids)
{
    if (ids.isEmpty())
        return ApiError::badRequest(u"ids must list the system prompts in their new order"_s);
    QHash<qint64, int> current;
    for (const SystemPrompt &prompt : m_store->systemPrompts())
        current.insert(prompt.id, prompt.priority);
    QList<int> priorities;
    for (qint64 id : ids) {
        if (!current.contains(id))
            return ApiError::notFound(u"System prompt not found: %1"_s.arg(id));
        if (ids.count(id) != 1)
            return ApiError::badRequest(u"ids lists system prompt %1 more than once"_s.arg(id));
        priorities.append(current.value(id));
    }
    // Distinct priorities keep their values, so prompts left out keep their place among them.
    std::sort(priorities.begin(), priorities.end(), std::greater<int>());
    const bool distinct = std::adjacent_find(priorities.cbegin(), priorities.cend()) == priorities.cend();
    QHash<qint64, int> assigned;
    for (qsizetype i = 0; i < ids.size(); ++i)
        assigned.insert(ids.at(i), distinct ? priorities.at(i) : int(ids.size() - 1 - i));
    if (!m_store->setSystemPromptPriorities(assigned))
        return storageFailed();
    QJsonArray order;
    for (qint64 id : ids)
        order.append(double(id));
    announce(u"system_prompt.reorder"_s, u"system_prompt"_s, QString(), {{u"ids"_s, order}});
    return m_store->systemPrompts();
}

} // namespace Maestro

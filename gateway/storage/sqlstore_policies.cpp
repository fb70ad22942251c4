// Policies: tool sets, per-model configuration and system prompts.

#include "sqlstore.h"
#include "sqlsupport.h"

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace SqlSupport;

QList<ToolSet> SqlStore::toolSets()
{
    QSqlQuery query(m_database->connection());
    QList<ToolSet> sets;
    if (!run(query, u"SELECT id, name, description, tools FROM tool_sets ORDER BY name"_s))
        return sets;
    while (query.next())
        sets.append({query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toString(),
                     stringList(query.value(3))});
    return sets;
}

bool SqlStore::saveToolSet(const ToolSet &set)
{
    QSqlQuery query(m_database->connection());
    return run(query,
               u"INSERT INTO tool_sets (name, description, tools, updated_at) VALUES (?, ?, ?, ?) "
               "ON CONFLICT (name) DO UPDATE SET description = excluded.description, tools = excluded.tools, "
               "updated_at = excluded.updated_at"_s,
               {set.name, set.description, jsonText(set.tools), nowMs()});
}

bool SqlStore::deleteToolSet(const QString &name)
{
    QSqlQuery query(m_database->connection());
    return runOne(query, u"DELETE FROM tool_sets WHERE name = ?"_s, {name});
}

QList<ModelConfig> SqlStore::modelConfigs()
{
    QSqlQuery query(m_database->connection());
    QList<ModelConfig> configs;
    if (!run(query, u"SELECT id, pattern, tools_restricted, allowed_tools, tool_sets, stripped_params, "
                    "default_context, max_context, maintenance, maintenance_message, updated_at, "
                    "requests_per_minute, tokens_per_minute, keep_think_tags FROM model_configs ORDER BY pattern"_s))
        return configs;
    while (query.next()) {
        ModelConfig config;
        config.id = query.value(0).toLongLong();
        config.pattern = query.value(1).toString();
        config.toolsRestricted = query.value(2).toInt() != 0;
        config.allowedTools = stringList(query.value(3));
        config.toolSets = stringList(query.value(4));
        config.strippedParams = stringList(query.value(5));
        config.defaultContextLength = query.value(6).toLongLong();
        config.maxContextLength = query.value(7).toLongLong();
        config.maintenance = query.value(8).toInt() != 0;
        config.maintenanceMessage = query.value(9).toString();
        config.updatedAt = fromMs(query.value(10));
        config.requestsPerMinute = optionalInt(query.value(11));
        config.tokensPerMinute = optionalInt(query.value(12));
        config.keepThinkTags = query.value(13).toInt() != 0;
        configs.append(config);
    }
    return configs;
}

bool SqlStore::saveModelConfig(const ModelConfig &c)
{
    QSqlQuery query(m_database->connection());
    return run(query,
               u"INSERT INTO model_configs (pattern, tools_restricted, allowed_tools, tool_sets, stripped_params, "
               "default_context, max_context, maintenance, maintenance_message, requests_per_minute, "
               "tokens_per_minute, keep_think_tags, updated_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (pattern) DO UPDATE SET "
               "tools_restricted = excluded.tools_restricted, allowed_tools = excluded.allowed_tools, "
               "tool_sets = excluded.tool_sets, stripped_params = excluded.stripped_params, "
               "default_context = excluded.default_context, max_context = excluded.max_context, "
               "maintenance = excluded.maintenance, maintenance_message = excluded.maintenance_message, "
               "requests_per_minute = excluded.requests_per_minute, "
               "tokens_per_minute = excluded.tokens_per_minute, keep_think_tags = excluded.keep_think_tags, "
               "updated_at = excluded.updated_at"_s,
               {c.pattern, flag(c.toolsRestricted), jsonText(c.allowedTools), jsonText(c.toolSets),
                jsonText(c.strippedParams), c.defaultContextLength, c.maxContextLength, flag(c.maintenance),
                c.maintenanceMessage, nullableInt(c.requestsPerMinute), nullableInt(c.tokensPerMinute), flag(c.keepThinkTags), nowMs()});
}

bool SqlStore::deleteModelConfig(const QString &pattern)
{
    QSqlQuery query(m_database->connection());
    return runOne(query, u"DELETE FROM model_configs WHERE pattern = ?"_s, {pattern});
}

QList<SystemPrompt> SqlStore::systemPrompts()
{
    QSqlQuery query(m_database->connection());
    QList<SystemPrompt> prompts;
    if (!run(query, u"SELECT id, scope_type, scope_value, prompt, priority, is_active, description, "
                    "created_at, updated_at FROM system_prompts ORDER BY priority DESC, id"_s))
        return prompts;
    while (query.next()) {
        // Only the admin service writes this table, and it writes known scopes only.
        const auto scope = promptScopeFromName(query.value(1).toString());
        if (!scope)
            continue;
        SystemPrompt prompt;
        prompt.id = query.value(0).toLongLong();
        prompt.scope = *scope;
        prompt.scopeValue = query.value(2).toString();
        prompt.prompt = query.value(3).toString();
        prompt.priority = query.value(4).toInt();
        prompt.active = query.value(5).toInt() != 0;
        prompt.description = query.value(6).toString();
        prompt.createdAt = fromMs(query.value(7));
        prompt.updatedAt = fromMs(query.value(8));
        prompts.append(prompt);
    }
    return prompts;
}

qint64 SqlStore::insertSystemPrompt(const SystemPrompt &p)
{
    QSqlQuery query(m_database->connection());
    const qint64 now = nowMs();
    return insertReturningId(query,
                             u"INSERT INTO system_prompts (scope_type, scope_value, prompt, priority, is_active, "
                             "description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                             {promptScopeName(p.scope), notNullText(p.scopeValue), p.prompt, p.priority,
                              flag(p.active), p.description, now, now});
}

bool SqlStore::updateSystemPrompt(const SystemPrompt &p)
{
    QSqlQuery query(m_database->connection());
    return runOne(query,
                  u"UPDATE system_prompts SET scope_type = ?, scope_value = ?, prompt = ?, priority = ?, "
                  "is_active = ?, description = ?, updated_at = ? WHERE id = ?"_s,
                  {promptScopeName(p.scope), notNullText(p.scopeValue), p.prompt, p.priority, flag(p.active),
                   p.description, nowMs(), p.id});
}

bool SqlStore::deleteSystemPrompt(qint64 id)
{
    QSqlQuery query(m_database->connection());
    return runOne(query, u"DELETE FROM system_prompts WHERE id = ?"_s, {id});
}

bool SqlStore::setSystemPromptPriorities(const QHash<qint64, int> &priorities)
{
    Transaction tx(m_database->connection());
    const qint64 now = nowMs();
    for (auto it = priorities.cbegin(); it != priorities.cend(); ++it) {
        if (!tx.runOne(u"UPDATE system_prompts SET priority = ?, updated_at = ? WHERE id = ?"_s,
                       {it.value(), now, it.key()}))
            return false;
    }
    return tx.commit();
}

} // namespace Maestro

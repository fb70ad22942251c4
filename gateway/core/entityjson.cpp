#include "entityjson.h"

using namespace Qt::StringLiterals;

// Entity -> JSON. JSON -> input is in entityjson_input.cpp.

namespace Maestro {

QJsonValue timeToJson(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(time.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue();
}


QJsonValue limitToJson(std::optional<qint64> limit)
{
    return limit ? QJsonValue(double(*limit)) : QJsonValue();
}


// --- Users ---------------------------------------------------------------------------------


QJsonObject toJson(const User &user)
{
    return {{u"id"_s, double(user.id)},
            {u"username"_s, user.username},
            {u"is_active"_s, user.active},
            {u"has_all_models"_s, user.allModels},
            {u"models"_s, QJsonArray::fromStringList(user.models)},
            {u"request_limit"_s, limitToJson(user.requestLimit)},
            {u"token_limit"_s, limitToJson(user.tokenLimit)},
            {u"requests_per_minute"_s, limitToJson(user.requestsPerMinute)},
            {u"tokens_per_minute"_s, limitToJson(user.tokensPerMinute)},
            {u"node_ids"_s, nodesToJson(user.nodeIds, {}).value("node_ids"_L1)},
            {u"node_models"_s, nodesToJson({}, user.nodeModels).value("node_models"_L1)},
            {u"created_at"_s, timeToJson(user.createdAt)},
            {u"updated_at"_s, timeToJson(user.updatedAt)}};
}


QJsonObject nodesToJson(const QList<qint64> &nodeIds, const QList<NodeModelGrant> &nodeModels)
{
    QJsonArray ids;
    for (qint64 id : nodeIds)
        ids.append(double(id));
    QJsonArray pairs;
    for (const NodeModelGrant &grant : nodeModels)
        pairs.append(QJsonObject{{u"node_id"_s, double(grant.nodeId)}, {u"model_name"_s, grant.model}});
    return {{u"node_ids"_s, ids}, {u"node_models"_s, pairs}};
}


QJsonObject userNodesToJson(const User &user, const Catalog &catalog)
{
    const auto nameOf = [&](qint64 id) {
        const Node *node = catalog.node(id);
        return node ? QJsonValue(node->name) : QJsonValue();
    };
    QJsonArray nodes;
    for (qint64 id : user.nodeIds)
        nodes.append(QJsonObject{{u"id"_s, double(id)}, {u"name"_s, nameOf(id)}});
    QJsonArray pairs;
    for (const NodeModelGrant &grant : user.nodeModels) {
        pairs.append(QJsonObject{{u"node_id"_s, double(grant.nodeId)},
                                 {u"node_name"_s, nameOf(grant.nodeId)},
                                 {u"model_name"_s, grant.model}});
    }
    QJsonObject json = nodesToJson(user.nodeIds, {});
    json.insert(u"username"_s, user.username);
    json.insert(u"has_restriction"_s, user.nodeRestricted());
    json.insert(u"nodes"_s, nodes);
    json.insert(u"node_models"_s, pairs);
    return json;
}


QJsonObject toJson(const AdminService::CreatedUser &created)
{
    QJsonObject json = toJson(created.user);
    json.insert(u"token"_s, created.token);
    return json;
}


QJsonObject grantsToJson(const User &user)
{
    return {{u"username"_s, user.username},
            {u"has_all_models"_s, user.allModels},
            {u"models"_s, QJsonArray::fromStringList(user.models)}};
}


QJsonObject limitsToJson(const User &user, const Store::DayUsage &today, const Store::DayUsage &lastMinute)
{
    return {{u"username"_s, user.username},
            {u"request_limit"_s, limitToJson(user.requestLimit)},
            {u"token_limit"_s, limitToJson(user.tokenLimit)},
            {u"requests_today"_s, double(today.requests)},
            {u"tokens_today"_s, double(today.tokens)},
            {u"requests_per_minute"_s, limitToJson(user.requestsPerMinute)},
            {u"tokens_per_minute"_s, limitToJson(user.tokensPerMinute)},
            {u"requests_last_minute"_s, double(lastMinute.requests)},
            {u"tokens_last_minute"_s, double(lastMinute.tokens)},
            {u"updated_at"_s, timeToJson(user.updatedAt)}};
}


QJsonObject toBackupJson(const User &user)
{
    return {{u"username"_s, user.username},
            {u"has_all_models"_s, user.allModels},
            {u"models"_s, QJsonArray::fromStringList(user.models)},
            {u"request_limit"_s, limitToJson(user.requestLimit)},
            {u"token_limit"_s, limitToJson(user.tokenLimit)},
            {u"requests_per_minute"_s, limitToJson(user.requestsPerMinute)},
            {u"tokens_per_minute"_s, limitToJson(user.tokensPerMinute)},
            {u"node_ids"_s, nodesToJson(user.nodeIds, {}).value("node_ids"_L1)},
            {u"node_models"_s, nodesToJson({}, user.nodeModels).value("node_models"_L1)}};
}


// --- Nodes ---------------------------------------------------------------------------------


QJsonObject toJson(const NodeModel &model)
{
    return {{u"name"_s, model.name},
            {u"size"_s, double(model.size)},
            {u"digest"_s, model.digest},
            {u"modified_at"_s, model.modifiedAt},
            {u"details"_s, model.details}};
}


QJsonObject nodeLoadToJson(int activeRequests, const NodeTraffic &today)
{
    return {{u"active_requests"_s, activeRequests},
            {u"requests_today"_s, double(today.requests)},
            {u"errors_today"_s, double(today.errors)},
            {u"avg_latency_ms_today"_s, double(today.avgLatencyMs)},
            {u"last_request_at"_s, timeToJson(today.lastRequestAt)}};
}


namespace {

// Bedrock nodes also show their region and model ids (their credentials, like every key, never).
// Every node also shows its headers: the plain ones with their values, the secret ones by name.
QJsonObject withBedrockFields(QJsonObject object, const Node &node)
{
    QJsonObject headers;
    for (const auto &[name, value] : node.headers)
        headers.insert(name, value);
    object.insert(u"headers"_s, headers);
    object.insert(u"secret_headers"_s, QJsonArray::fromStringList(node.secretHeaderNames));
    object.insert(u"health_check_url"_s, node.healthCheckUrl);
    object.insert(u"auto_sync_enabled"_s, node.autoSyncEnabled);
    if (node.type == NodeType::Bedrock) {
        object.insert(u"region"_s, node.region);
        object.insert(u"model_ids"_s, QJsonArray::fromStringList(node.modelIds));
    }
    return object;
}

} // namespace

QJsonObject toJson(const Node &node, int modelCount, const QJsonObject &load)
{
    return withBedrockFields({{u"id"_s, double(node.id)},
            {u"name"_s, node.name},
            {u"base_url"_s, node.baseUrl.toString()},
            {u"node_type"_s, nodeTypeName(node.type)},
            {u"api_key_set"_s, node.hasApiKey},
            {u"priority"_s, node.priority},
            {u"weight"_s, node.weight},
            {u"is_active"_s, node.active},
            {u"warmup_enabled"_s, node.warmupEnabled},
            {u"connect_timeout_seconds"_s, node.connectTimeoutSeconds},
            {u"first_byte_timeout_seconds"_s, node.firstByteTimeoutSeconds},
            {u"idle_timeout_seconds"_s, node.idleTimeoutSeconds},
            {u"health_status"_s, healthName(node.health)},
            {u"last_error"_s, node.lastError.isEmpty() ? QJsonValue() : QJsonValue(node.lastError)},
            {u"last_health_check"_s, timeToJson(node.lastHealthCheck)},
            {u"model_count"_s, modelCount},
            {u"load"_s, load},
            {u"created_at"_s, timeToJson(node.createdAt)}}, node);
}


QJsonObject toBackupJson(const Node &node)
{
    return withBedrockFields({{u"id"_s, double(node.id)},
            {u"name"_s, node.name},
            {u"base_url"_s, node.baseUrl.toString()},
            {u"node_type"_s, nodeTypeName(node.type)},
            {u"priority"_s, node.priority},
            {u"weight"_s, node.weight},
            {u"is_active"_s, node.active},
            {u"warmup_enabled"_s, node.warmupEnabled},
            {u"connect_timeout_seconds"_s, node.connectTimeoutSeconds},
            {u"first_byte_timeout_seconds"_s, node.firstByteTimeoutSeconds},
            {u"idle_timeout_seconds"_s, node.idleTimeoutSeconds},
            {u"api_key_set"_s, node.hasApiKey}}, node);
}


// --- Model mappings ------------------------------------------------------------------------


QJsonObject toJson(const ModelMapping &mapping, const Catalog &catalog)
{
    QJsonArray ids;
    QJsonArray names;
    for (qint64 id : mapping.nodeIds) {
        ids.append(double(id));
        const Node *node = catalog.node(id);
        names.append(node ? QJsonValue(node->name) : QJsonValue());
    }
    QString display;
    if (mapping.contextLength > 0) {
        if (mapping.contextLength % (1024 * 1024) == 0)
            display = QString::number(mapping.contextLength / (1024 * 1024)) + u'M';
        else if (mapping.contextLength % 1024 == 0)
            display = QString::number(mapping.contextLength / 1024) + u'K';
        else
            display = QString::number(mapping.contextLength);
    }
    return {{u"display_name"_s, mapping.displayName},
            {u"real_name"_s, mapping.realName},
            {u"context_length"_s, mapping.contextLength > 0 ? QJsonValue(double(mapping.contextLength)) : QJsonValue()},
            {u"context_length_display"_s, display.isEmpty() ? QJsonValue() : QJsonValue(display)},
            {u"capabilities"_s, QJsonArray::fromStringList(mapping.capabilities)},
            {u"node_ids"_s, ids},
            {u"node_names"_s, names},
            {u"created_at"_s, timeToJson(mapping.createdAt)}};
}


QJsonObject toBackupJson(const ModelMapping &mapping)
{
    QJsonArray nodes;
    for (qint64 id : mapping.nodeIds)
        nodes.append(double(id));
    return {{u"display_name"_s, mapping.displayName},
            {u"real_name"_s, mapping.realName},
            {u"context_length"_s, double(mapping.contextLength)},
            {u"capabilities"_s, QJsonArray::fromStringList(mapping.capabilities)},
            {u"node_ids"_s, nodes}};
}


// --- Model groups --------------------------------------------------------------------------


QJsonObject toJson(const ModelGroup &group)
{
    QJsonArray members;
    for (const GroupMember &member : group.members) {
        members.append(QJsonObject{{u"id"_s, double(member.id)},
                                   {u"model_display_name"_s, member.model},
                                   {u"priority"_s, member.priority},
                                   {u"weight"_s, member.weight},
                                   {u"capability_tags"_s, QJsonArray::fromStringList(member.capabilityTags)},
                                   {u"is_active"_s, member.active},
                                   {u"context_fallback"_s, member.contextFallback},
                                   {u"preferred_node_ids"_s, nodesToJson(member.preferredNodeIds, {}).value("node_ids"_L1)}});
    }
    return {{u"id"_s, double(group.id)},
            {u"name"_s, group.name},
            {u"description"_s, group.description},
            {u"strategy"_s, group.strategy},
            {u"is_active"_s, group.active},
            {u"list_in_catalog"_s, group.listInCatalog},
            {u"priority"_s, group.priority},
            {u"max_failover_retries"_s, group.maxFailoverRetries > 0 ? QJsonValue(group.maxFailoverRetries) : QJsonValue()},
            {u"members"_s, members},
            {u"created_at"_s, timeToJson(group.createdAt)},
            {u"updated_at"_s, timeToJson(group.updatedAt)}};
}


QJsonObject toBackupJson(const ModelGroup &group)
{
    QJsonArray members;
    for (const GroupMember &member : group.members) {
        members.append(QJsonObject{{u"model_display_name"_s, member.model},
                                   {u"priority"_s, member.priority},
                                   {u"weight"_s, member.weight},
                                   {u"capability_tags"_s, QJsonArray::fromStringList(member.capabilityTags)},
                                   {u"is_active"_s, member.active},
                                   {u"context_fallback"_s, member.contextFallback},
                                   {u"preferred_node_ids"_s, nodesToJson(member.preferredNodeIds, {}).value("node_ids"_L1)}});
    }
    return {{u"name"_s, group.name},
            {u"description"_s, group.description},
            {u"strategy"_s, group.strategy},
            {u"is_active"_s, group.active},
            {u"list_in_catalog"_s, group.listInCatalog},
            {u"priority"_s, group.priority},
            {u"max_failover_retries"_s, group.maxFailoverRetries},
            {u"members"_s, members}};
}


// --- Tool sets and model configurations ----------------------------------------------------


QJsonObject toJson(const ToolSet &set)
{
    return {{u"id"_s, double(set.id)},
            {u"name"_s, set.name},
            {u"description"_s, set.description},
            {u"tools"_s, QJsonArray::fromStringList(set.tools)}};
}


QJsonObject toBackupJson(const ToolSet &set)
{
    return {{u"name"_s, set.name},
            {u"description"_s, set.description},
            {u"tools"_s, QJsonArray::fromStringList(set.tools)}};
}


QJsonObject toJson(const ModelConfig &c)
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
            {u"keep_think_tags"_s, c.keepThinkTags},
            {u"requests_per_minute"_s, limitToJson(c.requestsPerMinute)},
            {u"tokens_per_minute"_s, limitToJson(c.tokensPerMinute)},
            {u"updated_at"_s, timeToJson(c.updatedAt)}};
}


QJsonObject toBackupJson(const ModelConfig &c)
{
    return {{u"model_pattern"_s, c.pattern},
            {u"tools_restricted"_s, c.toolsRestricted},
            {u"allowed_tools"_s, QJsonArray::fromStringList(c.allowedTools)},
            {u"tool_sets"_s, QJsonArray::fromStringList(c.toolSets)},
            {u"stripped_params"_s, QJsonArray::fromStringList(c.strippedParams)},
            {u"default_context_length"_s, double(c.defaultContextLength)},
            {u"max_context_length"_s, double(c.maxContextLength)},
            {u"maintenance"_s, c.maintenance},
            {u"maintenance_message"_s, c.maintenanceMessage},
            {u"keep_think_tags"_s, c.keepThinkTags},
            {u"requests_per_minute"_s, limitToJson(c.requestsPerMinute)},
            {u"tokens_per_minute"_s, limitToJson(c.tokensPerMinute)}};
}


// --- System prompts ------------------------------------------------------------------------


QJsonObject toJson(const SystemPrompt &p)
{
    return {{u"id"_s, double(p.id)},
            {u"scope_type"_s, promptScopeName(p.scope)},
            {u"scope_value"_s, p.scopeValue},
            {u"prompt"_s, p.prompt},
            {u"priority"_s, p.priority},
            {u"is_active"_s, p.active},
            {u"description"_s, p.description.isEmpty() ? QJsonValue() : QJsonValue(p.description)},
            {u"created_at"_s, timeToJson(p.createdAt)},
            {u"updated_at"_s, timeToJson(p.updatedAt)}};
}


QJsonArray toJson(const QList<SystemPrompt> &prompts)
{
    QJsonArray list;
    for (const SystemPrompt &prompt : prompts)
        list.append(toJson(prompt));
    return list;
}


QJsonObject toBackupJson(const SystemPrompt &p)
{
    return {{u"scope_type"_s, promptScopeName(p.scope)},
            {u"scope_value"_s, p.scopeValue},
            {u"prompt"_s, p.prompt},
            {u"priority"_s, p.priority},
            {u"is_active"_s, p.active},
            {u"description"_s, p.description}};
}


// --- Logs ----------------------------------------------------------------------------------


QJsonObject toJson(const RequestLogEntry &e)
{
    return {{u"username"_s, e.username},
            {u"endpoint"_s, e.endpoint},
            {u"request_type"_s, e.endpoint},
            {u"model_name"_s, e.model},
            {u"real_model"_s, e.realModel},
            {u"node_id"_s, e.nodeId ? QJsonValue(double(e.nodeId)) : QJsonValue()},
            {u"status_code"_s, e.statusCode},
            {u"duration_ms"_s, double(e.durationMs)},
            {u"ttfb_ms"_s, e.ttfbMs >= 0 ? QJsonValue(double(e.ttfbMs)) : QJsonValue()},
            {u"prompt_tokens"_s, double(e.promptTokens)},
            {u"completion_tokens"_s, double(e.completionTokens)},
            {u"total_tokens"_s, double(e.totalTokens())},
            {u"streamed"_s, e.streamed},
            {u"error_message"_s, e.errorMessage.isEmpty() ? QJsonValue() : QJsonValue(e.errorMessage)},
            {u"dialect"_s, e.dialect.isEmpty() ? QJsonValue() : QJsonValue(e.dialect)},
            {u"reason"_s, e.reason.isEmpty() ? QJsonValue() : QJsonValue(e.reason)},
            {u"suppressed_refusals"_s, double(e.suppressed)},
            {u"created_at"_s, timeToJson(e.createdAt)}};
}


QJsonObject toJson(const AuditEntry &entry)
{
    return {{u"id"_s, double(entry.id)},
            {u"action"_s, entry.action},
            {u"entity_type"_s, entry.entityType},
            {u"entity_id"_s, entry.entityId},
            {u"details"_s, entry.details},
            {u"created_at"_s, timeToJson(entry.createdAt)}};
}


// --- Backups -------------------------------------------------------------------------------


QJsonObject toJson(const AdminService::ImportOutcome &outcome)
{
    QJsonArray created;
    for (const auto &[username, token] : outcome.createdUsers)
        created.append(QJsonObject{{u"username"_s, username}, {u"token"_s, token}});
    return {{u"imported"_s, outcome.counts}, {u"created_users"_s, created}};
}


} // namespace Maestro

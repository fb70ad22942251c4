#include "entityjson.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

// JSON -> input: request bodies and backup entries read into what AdminService takes.

namespace Maestro {

namespace {

// The largest whole number a JSON number carries exactly (and a qint64 holds): beyond it a
// conversion would round, or overflow.
constexpr double MaxWhole = 9e15;

bool isWhole(double number)
{
    return std::abs(number) <= MaxWhole && number == std::trunc(number);
}

// The fields of one JSON object read into typed optionals. The first wrong field is the error;
// fields after it are not read. An absent or null field leaves its output as it is.
class Fields
{
public:
    explicit Fields(const QJsonObject &body) : m_body(body) {}

    bool failed() const { return m_error.has_value(); }
    const ApiError &error() const { return *m_error; }
    void fail(const QString &message)
    {
        if (!m_error)
            m_error = ApiError::badRequest(message);
    }

    Fields &text(const QString &name, std::optional<QString> *out)
    {
        if (const QJsonValue value = present(name); !value.isUndefined()) {
            if (!value.isString())
                fail(u"\"%1\" must be a string"_s.arg(name));
            else
                *out = value.toString();
        }
        return *this;
    }

    Fields &integer(const QString &name, std::optional<int> *out)
    {
        if (const QJsonValue value = present(name); !value.isUndefined()) {
            const double number = value.toDouble();
            if (!value.isDouble() || !isWhole(number) || number < std::numeric_limits<int>::min()
                || number > std::numeric_limits<int>::max())
                fail(u"\"%1\" must be an integer"_s.arg(name));
            else
                *out = int(number);
        }
        return *this;
    }

    Fields &boolean(const QString &name, std::optional<bool> *out)
    {
        if (const QJsonValue value = present(name); !value.isUndefined()) {
            if (!value.isBool())
                fail(u"\"%1\" must be a boolean"_s.arg(name));
            else
                *out = value.toBool();
        }
        return *this;
    }

    // An array of strings, replacing `out` whole.
    Fields &strings(const QString &name, std::optional<QStringList> *out)
    {
        if (const QJsonValue value = present(name); !value.isUndefined()) {
            QStringList list;
            bool valid = value.isArray();
            for (const QJsonValue &item : value.toArray()) {
                valid = valid && item.isString();
                list.append(item.toString());
            }
            if (!valid)
                fail(u"\"%1\" must be an array of strings"_s.arg(name));
            else
                *out = list;
        }
        return *this;
    }

    Fields &strings(const QString &name, QStringList *out)
    {
        std::optional<QStringList> list;
        strings(name, &list);
        if (list)
            *out = *list;
        return *this;
    }

    // A limit: a whole number (at least 1 when `positive`), or null for unlimited. Unlike the
    // other fields, null is a value here.
    Fields &limit(const QString &name, bool positive, std::optional<qint64> *out)
    {
        if (failed())
            return *this;
        const QJsonValue value = m_body.value(name);
        if (value.isUndefined())
            return *this;
        if (value.isNull()) {
            *out = std::nullopt;
            return *this;
        }
        const double number = value.toDouble();
        if (!value.isDouble() || number < (positive ? 1 : 0) || !isWhole(number)) {
            fail((positive ? u"\"%1\" must be a positive integer or null"_s
                           : u"\"%1\" must be a non-negative integer or null"_s)
                     .arg(name));
        } else {
            *out = qint64(number);
        }
        return *this;
    }

    // A number of tokens, or a size such as "32K" (see parseContextLength).
    Fields &contextLength(const QString &name, qint64 *out)
    {
        if (const QJsonValue value = present(name); !value.isUndefined()) {
            std::optional<qint64> parsed;
            if (value.isDouble() && value.toDouble() >= 0 && value.toDouble() <= MaxWhole)
                parsed = qint64(value.toDouble());
            else if (value.isString())
                parsed = parseContextLength(value.toString());
            if (!parsed)
                fail(u"\"%1\" must be a number of tokens or a size such as \"32K\""_s.arg(name));
            else
                *out = *parsed;
        }
        return *this;
    }

private:
    // The field's value, or undefined when it is absent or null, or an error came before.
    QJsonValue present(const QString &name) const
    {
        const QJsonValue value = m_body.value(name);
        return failed() || value.isNull() ? QJsonValue(QJsonValue::Undefined) : value;
    }

    const QJsonObject &m_body;
    std::optional<ApiError> m_error;
};

// The seed's API named some fields otherwise: a seed name is read as ours when ours is absent.
QJsonObject withSeedNames(QJsonObject body,
                          std::initializer_list<std::pair<QLatin1StringView, QLatin1StringView>> names)
{
    for (const auto &[seed, ours] : names) {
        if (!body.contains(ours) && body.contains(seed))
            body.insert(ours, body.value(seed));
    }
    return body;
}

// A list of ids; nullopt when the value is not an array of whole numbers.
std::optional<QList<qint64>> idList(const QJsonValue &value)
{
    if (!value.isArray())
        return std::nullopt;
    QList<qint64> ids;
    for (const QJsonValue &id : value.toArray()) {
        if (!id.isDouble() || !isWhole(id.toDouble()))
            return std::nullopt;
        ids.append(qint64(id.toDouble()));
    }
    return ids;
}

} // namespace

// --- Users ---------------------------------------------------------------------------------


Result<QString> usernameFromJson(const QJsonObject &body)
{
    const QJsonValue name = body.value("username"_L1);
    if (!name.isString())
        return ApiError::badRequest(u"\"username\" is required and must be a string"_s);
    return name.toString().trimmed();
}


Result<AdminService::NewUserLimits> newUserLimitsFromJson(const QJsonObject &body)
{
    AdminService::NewUserLimits limits;
    Fields fields(body);
    for (const auto &[name, out] : {std::pair{u"request_limit"_s, &limits.requests},
                                    std::pair{u"token_limit"_s, &limits.tokens}}) {
        // Absent: the default setting applies, so only a present field sets the outer optional.
        std::optional<qint64> limit;
        if (body.contains(name) && !fields.limit(name, false, &limit).failed())
            *out = limit;
    }
    if (fields.failed())
        return fields.error();
    return limits;
}


Result<QStringList> modelNamesFromJson(const QJsonObject &body)
{
    const QJsonValue models = body.value("models"_L1);
    const ApiError invalid = ApiError::badRequest(u"\"models\" must be an array of model names"_s);
    if (!models.isArray())
        return invalid;
    QStringList names;
    for (const QJsonValue &value : models.toArray()) {
        if (!value.isString())
            return invalid;
        names.append(value.toString());
    }
    return names;
}


Result<UserLimits> limitsFromJson(const QJsonObject &body, const UserLimits &current)
{
    UserLimits limits = current;
    limits.requestLimit.reset();
    limits.tokenLimit.reset();
    Fields fields(body);
    fields.limit(u"request_limit"_s, false, &limits.requestLimit)
        .limit(u"token_limit"_s, false, &limits.tokenLimit)
        .limit(u"requests_per_minute"_s, true, &limits.requestsPerMinute)
        .limit(u"tokens_per_minute"_s, true, &limits.tokensPerMinute);
    if (fields.failed())
        return fields.error();
    return limits;
}


namespace {

Result<NodeModelGrant> grantFromJson(const QJsonValue &value)
{
    const QJsonObject grant = value.toObject();
    const QJsonValue node = grant.value("node_id"_L1);
    const QJsonValue model = grant.value("model_name"_L1);
    if (!value.isObject() || !node.isDouble() || !isWhole(node.toDouble()) || !model.isString()
        || model.toString().trimmed().isEmpty())
        return ApiError::badRequest(u"a node model is {\"node_id\": id, \"model_name\": \"real model name\"}"_s);
    return NodeModelGrant{qint64(node.toDouble()), model.toString().trimmed()};
}

} // namespace


Result<UserNodesInput> userNodesFromJson(const QJsonObject &body)
{
    UserNodesInput input;
    if (const QJsonValue ids = body.value("node_ids"_L1); !ids.isUndefined()) {
        input.nodeIds = ids.isNull() ? QList<qint64>() : idList(ids);
        if (!input.nodeIds)
            return ApiError::badRequest(u"\"node_ids\" must be an array of node ids"_s);
    }
    if (const QJsonValue pairs = body.value("node_models"_L1); !pairs.isUndefined()) {
        if (!pairs.isNull() && !pairs.isArray())
            return ApiError::badRequest(u"\"node_models\" must be an array of {\"node_id\", \"model_name\"}"_s);
        input.nodeModels.emplace();
        for (const QJsonValue &pair : pairs.toArray()) {
            auto grant = grantFromJson(pair);
            if (!grant.ok())
                return grant.error();
            input.nodeModels->append(grant.value());
        }
    }
    return input;
}


Result<qint64> nodeIdFromJson(const QJsonObject &body)
{
    const QJsonValue id = body.value("node_id"_L1);
    if (!id.isDouble() || !isWhole(id.toDouble()))
        return ApiError::badRequest(u"\"node_id\" is required and must be a node id"_s);
    return qint64(id.toDouble());
}


Result<NodeModelGrant> nodeModelFromJson(const QJsonObject &body)
{
    return grantFromJson(body);
}


// --- Nodes ---------------------------------------------------------------------------------


Result<AdminService::NodeInput> nodeInputFromJson(const QJsonObject &body, bool creating)
{
    AdminService::NodeInput input;
    Fields fields(body);
    fields.text(u"name"_s, &input.name)
        .text(u"base_url"_s, &input.baseUrl)
        .text(u"node_type"_s, &input.nodeType)
        .text(u"api_key"_s, &input.apiKey)
        .integer(u"priority"_s, &input.priority)
        .integer(u"weight"_s, &input.weight)
        .boolean(u"is_active"_s, &input.active)
        .boolean(u"warmup_enabled"_s, &input.warmupEnabled)
        .integer(u"connect_timeout_seconds"_s, &input.connectTimeoutSeconds)
        .integer(u"first_byte_timeout_seconds"_s, &input.firstByteTimeoutSeconds)
        .integer(u"idle_timeout_seconds"_s, &input.idleTimeoutSeconds)
        .text(u"region"_s, &input.region)
        .strings(u"model_ids"_s, &input.modelIds)
        .text(u"aws_access_key_id"_s, &input.awsAccessKeyId)
        .text(u"aws_secret_key"_s, &input.awsSecretAccessKey) // the seed's spelling
        .text(u"aws_secret_access_key"_s, &input.awsSecretAccessKey)
        .text(u"aws_session_token"_s, &input.awsSessionToken)
        .text(u"health_check_url"_s, &input.healthCheckUrl)
        .boolean(u"auto_sync_enabled"_s, &input.autoSyncEnabled);
    if (fields.failed())
        return fields.error();
    if (const QJsonValue headers = body.value("headers"_L1); !headers.isUndefined()) {
        if (!headers.isNull() && !headers.isObject())
            return ApiError::badRequest(u"\"headers\" must be an object of header names and string values"_s);
        input.headers.emplace();
        const QJsonObject object = headers.toObject();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (!it.value().isString())
                return ApiError::badRequest(u"\"headers\": the value of %1 must be a string"_s.arg(it.key().left(100)));
            input.headers->append({it.key(), it.value().toString()});
        }
    }
    if (const QJsonValue headers = body.value("secret_headers"_L1); !headers.isUndefined() && !headers.isNull()) {
        if (!headers.isObject())
            return ApiError::badRequest(u"\"secret_headers\" must be an object of header names and string values (null removes one)"_s);
        input.secretHeaders.emplace();
        const QJsonObject object = headers.toObject();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (it.value().isNull())
                input.secretHeaders->append({it.key(), std::nullopt});
            else if (it.value().isString())
                input.secretHeaders->append({it.key(), it.value().toString()});
            else
                return ApiError::badRequest(u"\"secret_headers\": the value of %1 must be a string or null"_s.arg(it.key().left(100)));
        }
    }
    // A Bedrock node's endpoint follows from its region unless a base URL overrides it.
    // An Anthropic node's defaults to https://api.anthropic.com.
    const bool bedrock = input.nodeType
        && (nodeTypeFromName(*input.nodeType) == NodeType::Bedrock
            || nodeTypeFromName(*input.nodeType) == NodeType::Anthropic);
    if (creating && (!input.name || (!input.baseUrl && !bedrock)))
        return ApiError::badRequest(u"\"name\" and \"base_url\" are required"_s);
    return input;
}


// --- Model mappings ------------------------------------------------------------------------


Result<AdminService::MappingInput> mappingInputFromJson(const QJsonObject &body)
{
    AdminService::MappingInput input;
    Fields fields(body);
    fields.text(u"display_name"_s, &input.displayName).text(u"real_name"_s, &input.realName);
    if (fields.failed())
        return fields.error();
    const QJsonValue context = body.value("context_length"_L1);
    if (context.isString()) {
        const auto parsed = parseContextLength(context.toString());
        if (!parsed) {
            return ApiError::badRequest(
                u"Invalid context_length format: %1 (use 32768, 128K or 1M)"_s.arg(context.toString()));
        }
        input.contextLength = *parsed;
    } else if (context.isDouble() && context.toDouble() >= 0 && context.toDouble() <= MaxWhole) {
        input.contextLength = qint64(context.toDouble());
    } else if (!context.isUndefined() && !context.isNull()) {
        return ApiError::badRequest(u"\"context_length\" must be a number or a string such as \"128K\""_s);
    }
    if (fields.strings(u"capabilities"_s, &input.capabilities).failed())
        return fields.error();
    const QJsonValue ids = body.value("node_ids"_L1);
    std::optional<QList<qint64>> nodeIds;
    if (!ids.isUndefined() && !ids.isNull()) {
        nodeIds = idList(ids);
        if (!nodeIds)
            return ApiError::badRequest(u"\"node_ids\" must be an array of node ids"_s);
    }
    // The seed's older single "node_id" is folded in.
    if (const QJsonValue id = body.value("node_id"_L1); id.isDouble() && isWhole(id.toDouble())) {
        if (!nodeIds)
            nodeIds.emplace();
        if (!nodeIds->contains(qint64(id.toDouble())))
            nodeIds->append(qint64(id.toDouble()));
    }
    input.nodeIds = nodeIds;
    return input;
}


// --- Model groups --------------------------------------------------------------------------


Result<AdminService::GroupInput> groupInputFromJson(const QJsonObject &body)
{
    AdminService::GroupInput input;
    Fields fields(body);
    fields.text(u"name"_s, &input.name)
        .text(u"description"_s, &input.description)
        .text(u"strategy"_s, &input.strategy)
        .boolean(u"is_active"_s, &input.active)
        .boolean(u"list_in_catalog"_s, &input.listInCatalog)
        .integer(u"priority"_s, &input.priority)
        .integer(u"max_failover_retries"_s, &input.maxFailoverRetries);
    if (fields.failed())
        return fields.error();
    return input;
}


Result<AdminService::MemberInput> memberInputFromJson(const QJsonObject &json)
{
    const QJsonObject body = withSeedNames(json, {{"is_fallback_413"_L1, "context_fallback"_L1}});
    AdminService::MemberInput input;
    Fields fields(body);
    fields.text(u"model_display_name"_s, &input.model)
        .integer(u"priority"_s, &input.priority)
        .integer(u"weight"_s, &input.weight)
        .boolean(u"is_active"_s, &input.active)
        .boolean(u"context_fallback"_s, &input.contextFallback)
        .strings(u"capability_tags"_s, &input.capabilityTags);
    if (fields.failed())
        return fields.error();
    if (const QJsonValue ids = body.value("preferred_node_ids"_L1); !ids.isUndefined()) {
        input.preferredNodeIds = ids.isNull() ? QList<qint64>() : idList(ids);
        if (!input.preferredNodeIds)
            return ApiError::badRequest(u"\"preferred_node_ids\" must be an array of node ids"_s);
    }
    // The seed's older single "preferred_node_id" is folded in.
    if (const QJsonValue id = body.value("preferred_node_id"_L1); id.isDouble() && isWhole(id.toDouble())) {
        if (!input.preferredNodeIds)
            input.preferredNodeIds.emplace();
        if (!input.preferredNodeIds->contains(qint64(id.toDouble())))
            input.preferredNodeIds->append(qint64(id.toDouble()));
    }
    return input;
}


Result<QList<AdminService::MemberInput>> membersFromJson(const QJsonObject &body)
{
    const QJsonValue list = body.value("members"_L1);
    if (!list.isUndefined() && !list.isNull() && !list.isArray())
        return ApiError::badRequest(u"\"members\" must be an array"_s);
    QList<AdminService::MemberInput> members;
    for (const QJsonValue &value : list.toArray()) {
        if (!value.isObject())
            return ApiError::badRequest(u"each member must be an object"_s);
        auto member = memberInputFromJson(value.toObject());
        if (!member.ok())
            return member.error();
        members.append(member.value());
    }
    return members;
}


Result<QList<qint64>> memberOrderFromJson(const QJsonObject &body)
{
    const ApiError wrong = ApiError::badRequest(
        u"send \"member_ids\": [ids in fallback order] or \"members\": [{\"id\", \"priority\"}]"_s);
    if (const QJsonValue ids = body.value("member_ids"_L1); ids.isArray()) {
        auto order = idList(ids);
        if (!order)
            return wrong;
        return *order;
    }
    const QJsonValue members = body.value("members"_L1);
    if (!members.isArray())
        return wrong;
    // The seed's form: explicit priorities, the lowest tried first as everywhere else.
    QList<std::pair<double, qint64>> ranked;
    for (const QJsonValue &value : members.toArray()) {
        const QJsonObject member = value.toObject();
        const QJsonValue id = member.value("id"_L1);
        if (!id.isDouble() || !isWhole(id.toDouble()) || !member.value("priority"_L1).isDouble())
            return wrong;
        ranked.append({member.value("priority"_L1).toDouble(), qint64(id.toDouble())});
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    QList<qint64> order;
    for (const auto &[priority, id] : std::as_const(ranked))
        order.append(id);
    return order;
}


// --- Tool sets and model configurations ----------------------------------------------------


Result<ToolSet> toolSetFromJson(const QJsonObject &body, const std::optional<ToolSet> &current)
{
    ToolSet set = current.value_or(ToolSet());
    std::optional<QString> name;
    std::optional<QString> description;
    Fields fields(body);
    fields.text(u"name"_s, &name).text(u"description"_s, &description).strings(u"tools"_s, &set.tools);
    if (fields.failed())
        return fields.error();
    if (current && name && *name != current->name)
        return ApiError::badRequest(u"a tool set cannot be renamed; create a new one"_s);
    set.name = current ? current->name : name.value_or(QString());
    if (description)
        set.description = *description;
    return set;
}


Result<ModelConfig> modelConfigFromJson(const QJsonObject &body, const std::optional<ModelConfig> &current)
{
    const QJsonObject json = withSeedNames(body, {{"model_prefix"_L1, "model_pattern"_L1},
                                                  {"unsupported_params"_L1, "stripped_params"_L1},
                                                  {"maintenance_mode"_L1, "maintenance"_L1}});
    ModelConfig config = current.value_or(ModelConfig());
    std::optional<QString> pattern;
    std::optional<bool> restricted;
    std::optional<bool> maintenance;
    std::optional<QString> message;
    std::optional<bool> keepThinkTags;
    Fields fields(json);
    fields.text(u"model_pattern"_s, &pattern)
        .boolean(u"tools_restricted"_s, &restricted)
        .boolean(u"maintenance"_s, &maintenance)
        .boolean(u"keep_think_tags"_s, &keepThinkTags)
        .text(u"maintenance_message"_s, &message)
        .strings(u"allowed_tools"_s, &config.allowedTools)
        .strings(u"tool_sets"_s, &config.toolSets)
        .strings(u"stripped_params"_s, &config.strippedParams)
        .contextLength(u"default_context_length"_s, &config.defaultContextLength)
        .contextLength(u"max_context_length"_s, &config.maxContextLength)
        .limit(u"requests_per_minute"_s, true, &config.requestsPerMinute)
        .limit(u"tokens_per_minute"_s, true, &config.tokensPerMinute);
    if (fields.failed())
        return fields.error();
    if (current && pattern && *pattern != current->pattern)
        return ApiError::badRequest(u"model_pattern cannot change; delete and create instead"_s);
    config.pattern = current ? current->pattern : pattern.value_or(QString());
    // Naming tools or tool sets means "only these", unless tools_restricted says otherwise.
    config.toolsRestricted = restricted.value_or(config.toolsRestricted || json.contains("allowed_tools"_L1)
                                                 || json.contains("tool_sets"_L1));
    if (maintenance)
        config.maintenance = *maintenance;
    if (message)
        config.maintenanceMessage = *message;
    if (keepThinkTags)
        config.keepThinkTags = *keepThinkTags;
    return config;
}


// --- System prompts ------------------------------------------------------------------------


Result<AdminService::PromptInput> promptInputFromJson(const QJsonObject &body)
{
    AdminService::PromptInput input;
    Fields fields(body);
    fields.text(u"scope_type"_s, &input.scopeType)
        .text(u"scope_value"_s, &input.scopeValue)
        .text(u"prompt"_s, &input.prompt)
        .integer(u"priority"_s, &input.priority)
        .boolean(u"is_active"_s, &input.active)
        .text(u"description"_s, &input.description);
    if (fields.failed())
        return fields.error();
    return input;
}


Result<QList<qint64>> promptOrderFromJson(const QJsonObject &body)
{
    auto order = idList(body.value("ids"_L1));
    if (!order)
        return ApiError::badRequest(u"\"ids\" must be an array of system prompt ids"_s);
    return *order;
}


// --- Backups -------------------------------------------------------------------------------


Result<BackupNode> backupNodeFromJson(const QJsonObject &entry)
{
    BackupNode node;
    const QJsonValue id = entry.value("id"_L1);
    if (!id.isUndefined() && !id.isNull()) {
        if (!id.isDouble() || !isWhole(id.toDouble()))
            return ApiError::badRequest(u"\"id\" must be an integer"_s);
        node.id = qint64(id.toDouble());
    }
    // A backup lists the secret headers by name only (their values never leave the secret
    // store): an existing node keeps its own, a new one starts without.
    QJsonObject withoutSecrets = entry;
    withoutSecrets.remove("secret_headers"_L1);
    auto input = nodeInputFromJson(withoutSecrets, true);
    if (!input.ok())
        return input.error();
    node.input = input.value();
    // A backup holds no secret; one written into it by hand is not taken either.
    node.input.apiKey.reset();
    node.input.awsAccessKeyId.reset();
    node.input.awsSecretAccessKey.reset();
    node.input.awsSessionToken.reset();
    node.input.secretHeaders.reset();
    return node;
}


Result<BackupUser> backupUserFromJson(const QJsonObject &entry)
{
    BackupUser user;
    auto username = usernameFromJson(entry);
    if (!username.ok())
        return username.error();
    user.username = username.value();
    std::optional<bool> allModels;
    Fields fields(entry);
    if (fields.boolean(u"has_all_models"_s, &allModels).failed())
        return fields.error();
    user.allModels = allModels.value_or(false);
    if (entry.contains("models"_L1)) {
        auto models = modelNamesFromJson(entry);
        if (!models.ok())
            return models.error();
        user.models = models.value();
    }
    auto limits = limitsFromJson(entry);
    if (!limits.ok())
        return limits.error();
    user.limits = limits.value();
    auto nodes = userNodesFromJson(entry);
    if (!nodes.ok())
        return nodes.error();
    user.nodeIds = nodes.value().nodeIds.value_or(QList<qint64>());
    user.nodeModels = nodes.value().nodeModels.value_or(QList<NodeModelGrant>());
    return user;
}


Result<BackupGroup> backupGroupFromJson(const QJsonObject &entry)
{
    BackupGroup group;
    auto input = groupInputFromJson(entry);
    if (!input.ok())
        return input.error();
    group.group = input.value();
    const QJsonValue members = entry.value("members"_L1);
    if (!members.isUndefined() && !members.isNull() && !members.isArray())
        return ApiError::badRequest(u"\"members\" must be an array"_s);
    const QJsonArray list = members.toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (!list.at(i).isObject())
            return ApiError::badRequest(u"member %1 must be an object"_s.arg(i + 1));
        auto member = memberInputFromJson(list.at(i).toObject());
        if (!member.ok())
            return ApiError::badRequest(u"member %1: %2"_s.arg(i + 1).arg(member.error().message));
        group.members.append(member.value());
    }
    return group;
}

} // namespace Maestro

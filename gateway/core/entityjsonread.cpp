#include "entityjsonread.h"

#include "entityjson.h"

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

// Admin API answers -> entities, and AdminService inputs -> request bodies. The readers mirror the
// writers of entityjson.cpp field for field; see entityjsonread.h for the rules.

namespace Maestro {

namespace {

// The largest whole number a JSON number carries exactly (as entityjson_input.cpp): beyond it a
// conversion would round, or overflow.
constexpr double MaxWhole = 9e15;

bool isWhole(double number, double min = -MaxWhole, double max = MaxWhole)
{
    return number >= min && number <= max && number == std::trunc(number);
}

// A time as timeToJson() writes it: ISO 8601, read as UTC when it names no offset (the API always
// writes UTC). Refused unless it reads back as the same time once written in UTC, so that what a
// reader accepts, the writer writes again unchanged.
std::optional<QDateTime> timeFromText(const QString &text)
{
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        return std::nullopt;
    if (time.timeSpec() == Qt::LocalTime)
        time = QDateTime(time.date(), time.time(), Qt::UTC);
    time = time.toUTC();
    const QDateTime again = QDateTime::fromString(time.toString(Qt::ISODateWithMs), Qt::ISODateWithMs);
    if (!again.isValid() || again != time)
        return std::nullopt;
    return time;
}

// The fields of one answer object read into an entity. Required fields must be present and of
// their type; the others may be absent or null (a newer gateway's field an older one does not
// write, or a value the writer leaves null), which leaves the output as it is. The first wrong
// field is the error; fields after it are not read.
class Reader
{
public:
    enum Need { Optional, Required };

    Reader(const QJsonObject &json, QString *error, QString what) : m_json(json), m_error(error), m_what(std::move(what)) {}

    bool failed() const { return !m_message.isEmpty(); }
    void fail(const QString &message)
    {
        if (!failed())
            m_message = message;
    }
    // Whether every field read well; otherwise *error names the entity and the field.
    bool done()
    {
        if (!failed())
            return true;
        if (m_error)
            *m_error = m_what.isEmpty() ? m_message : m_what + u": "_s + m_message;
        return false;
    }

    Reader &integer(const QString &name, qint64 *out, Need need = Optional, double min = -MaxWhole)
    {
        if (const QJsonValue value = field(name, need, u"an integer"_s); !value.isUndefined()) {
            if (!value.isDouble() || !isWhole(value.toDouble(), min))
                fail(min >= 0 ? u"\"%1\" must be a non-negative integer"_s.arg(name) : u"\"%1\" must be an integer"_s.arg(name));
            else
                *out = qint64(value.toDouble());
        }
        return *this;
    }

    Reader &integer(const QString &name, int *out, Need need = Optional)
    {
        if (const QJsonValue value = field(name, need, u"an integer"_s); !value.isUndefined()) {
            if (!value.isDouble()
                || !isWhole(value.toDouble(), std::numeric_limits<int>::min(), std::numeric_limits<int>::max()))
                fail(u"\"%1\" must be an integer"_s.arg(name));
            else
                *out = int(value.toDouble());
        }
        return *this;
    }

    Reader &text(const QString &name, QString *out, Need need = Optional)
    {
        if (const QJsonValue value = field(name, need, u"a string"_s); !value.isUndefined()) {
            if (!value.isString())
                fail(u"\"%1\" must be a string"_s.arg(name));
            else
                *out = value.toString();
        }
        return *this;
    }

    Reader &boolean(const QString &name, bool *out, Need need = Optional)
    {
        if (const QJsonValue value = field(name, need, u"a boolean"_s); !value.isUndefined()) {
            if (!value.isBool())
                fail(u"\"%1\" must be a boolean"_s.arg(name));
            else
                *out = value.toBool();
        }
        return *this;
    }

    Reader &strings(const QString &name, QStringList *out)
    {
        if (const QJsonValue value = field(name, Optional, {}); !value.isUndefined()) {
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

    Reader &ids(const QString &name, QList<qint64> *out)
    {
        if (const QJsonValue value = field(name, Optional, {}); !value.isUndefined()) {
            QList<qint64> list;
            bool valid = value.isArray();
            for (const QJsonValue &item : value.toArray()) {
                valid = valid && item.isDouble() && isWhole(item.toDouble());
                if (!valid)
                    break; // before a conversion that would overflow
                list.append(qint64(item.toDouble()));
            }
            if (!valid)
                fail(u"\"%1\" must be an array of integers"_s.arg(name));
            else
                *out = list;
        }
        return *this;
    }

    // A limit as limitToJson() writes it: a whole number >= 0, or null for unlimited.
    Reader &limit(const QString &name, std::optional<qint64> *out)
    {
        if (const QJsonValue value = field(name, Optional, {}); !value.isUndefined()) {
            if (!value.isDouble() || !isWhole(value.toDouble(), 0))
                fail(u"\"%1\" must be a non-negative integer or null"_s.arg(name));
            else
                *out = qint64(value.toDouble());
        }
        return *this;
    }

    Reader &time(const QString &name, QDateTime *out)
    {
        if (const QJsonValue value = field(name, Optional, {}); !value.isUndefined()) {
            const auto time = value.isString() ? timeFromText(value.toString()) : std::nullopt;
            if (!time)
                fail(u"\"%1\" must be an ISO 8601 time or null"_s.arg(name));
            else
                *out = *time;
        }
        return *this;
    }

    Reader &object(const QString &name, QJsonObject *out)
    {
        if (const QJsonValue value = field(name, Optional, {}); !value.isUndefined()) {
            if (!value.isObject())
                fail(u"\"%1\" must be an object"_s.arg(name));
            else
                *out = value.toObject();
        }
        return *this;
    }

    // The field's value: undefined when an error came before, or when an optional field is absent
    // or null; a required one that is absent or null is an error.
    QJsonValue field(const QString &name, Need need, const QString &type)
    {
        if (failed())
            return QJsonValue(QJsonValue::Undefined);
        const QJsonValue value = m_json.value(name);
        if (need == Required && value.isUndefined())
            fail(u"\"%1\" is missing"_s.arg(name));
        else if (need == Required && value.isNull())
            fail(u"\"%1\" must be %2"_s.arg(name, type));
        return value.isNull() ? QJsonValue(QJsonValue::Undefined) : value;
    }

private:
    const QJsonObject &m_json;
    QString *m_error;
    QString m_what;
    QString m_message;
};

// "node_models": [{"node_id", "model_name"}], as nodesToJson() writes it.
void readGrants(Reader &reader, QList<NodeModelGrant> *out)
{
    const QJsonValue value = reader.field(u"node_models"_s, Reader::Optional, {});
    if (value.isUndefined())
        return;
    if (!value.isArray()) {
        reader.fail(u"\"node_models\" must be an array"_s);
        return;
    }
    const QJsonArray list = value.toArray();
    QList<NodeModelGrant> grants;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonObject grant = list.at(i).toObject();
        const QJsonValue node = grant.value("node_id"_L1);
        const QJsonValue model = grant.value("model_name"_L1);
        if (!list.at(i).isObject() || !node.isDouble() || !isWhole(node.toDouble()) || !model.isString()) {
            reader.fail(u"\"node_models\" element %1 must be {\"node_id\": integer, \"model_name\": string}"_s.arg(i));
            return;
        }
        grants.append({qint64(node.toDouble()), model.toString()});
    }
    *out = grants;
}

bool readUser(Reader &r, User *out)
{
    User user;
    r.integer(u"id"_s, &user.id, Reader::Required)
        .text(u"username"_s, &user.username, Reader::Required)
        .boolean(u"is_active"_s, &user.active)
        .boolean(u"has_all_models"_s, &user.allModels)
        .strings(u"models"_s, &user.models)
        .limit(u"request_limit"_s, &user.requestLimit)
        .limit(u"token_limit"_s, &user.tokenLimit)
        .limit(u"requests_per_minute"_s, &user.requestsPerMinute)
        .limit(u"tokens_per_minute"_s, &user.tokensPerMinute)
        .ids(u"node_ids"_s, &user.nodeIds);
    readGrants(r, &user.nodeModels);
    r.time(u"created_at"_s, &user.createdAt).time(u"updated_at"_s, &user.updatedAt);
    if (!r.done())
        return false;
    *out = user;
    return true;
}

// {"name": "value"} of a node's plain headers. A JSON object keeps its keys sorted, so the headers
// come back in the order of their names.
void readHeaders(Reader &reader, QList<std::pair<QString, QString>> *out)
{
    const QJsonValue value = reader.field(u"headers"_s, Reader::Optional, {});
    if (value.isUndefined())
        return;
    if (!value.isObject()) {
        reader.fail(u"\"headers\" must be an object of header names and string values"_s);
        return;
    }
    const QJsonObject object = value.toObject();
    QList<std::pair<QString, QString>> headers;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (!it.value().isString()) {
            reader.fail(u"\"headers\": the value of %1 must be a string"_s.arg(it.key().left(100)));
            return;
        }
        headers.append({it.key(), it.value().toString()});
    }
    *out = headers;
}

bool readLoad(const QJsonObject &node, NodeExtras *extras, QString *error)
{
    NodeExtras read;
    Reader r(node, error, u"node"_s);
    r.integer(u"model_count"_s, &read.modelCount);
    QJsonObject load;
    r.object(u"load"_s, &load);
    if (!r.done())
        return false;
    Reader l(load, error, u"node: \"load\""_s);
    l.integer(u"active_requests"_s, &read.activeRequests)
        .integer(u"requests_today"_s, &read.today.requests)
        .integer(u"errors_today"_s, &read.today.errors)
        .integer(u"avg_latency_ms_today"_s, &read.today.avgLatencyMs)
        .time(u"last_request_at"_s, &read.today.lastRequestAt);
    if (!l.done())
        return false;
    *extras = read;
    return true;
}

GroupMember readMember(Reader &r, qint64 groupId)
{
    GroupMember member;
    member.groupId = groupId;
    r.integer(u"id"_s, &member.id, Reader::Required)
        .text(u"model_display_name"_s, &member.model, Reader::Required)
        .integer(u"priority"_s, &member.priority)
        .integer(u"weight"_s, &member.weight)
        .strings(u"capability_tags"_s, &member.capabilityTags)
        .boolean(u"is_active"_s, &member.active)
        .boolean(u"context_fallback"_s, &member.contextFallback)
        .ids(u"preferred_node_ids"_s, &member.preferredNodeIds);
    return member;
}

} // namespace

// --- Answers -> entities -------------------------------------------------------------------


bool readJson(const QJsonObject &json, User *out, QString *error)
{
    Reader r(json, error, u"user"_s);
    return readUser(r, out);
}


bool readJson(const QJsonObject &json, AdminService::CreatedUser *out, QString *error)
{
    Reader r(json, error, u"user"_s);
    AdminService::CreatedUser created;
    r.text(u"token"_s, &created.token, Reader::Required);
    if (!readUser(r, &created.user))
        return false;
    *out = created;
    return true;
}


bool readJson(const QJsonObject &json, Node *out, QString *error, NodeExtras *extras)
{
    Node node;
    QString type;
    QString baseUrl;
    QString health;
    Reader r(json, error, u"node"_s);
    r.integer(u"id"_s, &node.id, Reader::Required)
        .text(u"name"_s, &node.name, Reader::Required)
        .text(u"node_type"_s, &type, Reader::Required)
        .text(u"base_url"_s, &baseUrl)
        .boolean(u"api_key_set"_s, &node.hasApiKey)
        .integer(u"priority"_s, &node.priority)
        .integer(u"weight"_s, &node.weight)
        .boolean(u"is_active"_s, &node.active)
        .boolean(u"warmup_enabled"_s, &node.warmupEnabled)
        .integer(u"connect_timeout_seconds"_s, &node.connectTimeoutSeconds)
        .integer(u"first_byte_timeout_seconds"_s, &node.firstByteTimeoutSeconds)
        .integer(u"idle_timeout_seconds"_s, &node.idleTimeoutSeconds)
        .text(u"health_status"_s, &health)
        .text(u"last_error"_s, &node.lastError)
        .time(u"last_health_check"_s, &node.lastHealthCheck)
        .time(u"created_at"_s, &node.createdAt);
    readHeaders(r, &node.headers);
    r.strings(u"secret_headers"_s, &node.secretHeaderNames)
        .text(u"health_check_url"_s, &node.healthCheckUrl)
        .boolean(u"auto_sync_enabled"_s, &node.autoSyncEnabled)
        .text(u"region"_s, &node.region)
        .strings(u"model_ids"_s, &node.modelIds);
    if (!r.failed()) {
        if (const auto known = nodeTypeFromName(type))
            node.type = *known;
        else
            r.fail(u"\"node_type\" must be one of ollama, openai, bedrock, anthropic"_s);
    }
    if (!r.failed()) {
        // Refused unless it is written back as it was read (see timeFromText).
        node.baseUrl = QUrl(baseUrl);
        if (!baseUrl.isEmpty() && (!node.baseUrl.isValid() || QUrl(node.baseUrl.toString()) != node.baseUrl))
            r.fail(u"\"base_url\" must be a URL"_s);
    }
    // A state a newer gateway may add reads as unknown, as the gateway itself reads its database.
    node.health = healthFromName(health);
    if (!r.done())
        return false;
    NodeExtras read;
    if (extras && !readLoad(json, &read, error))
        return false;
    *out = node;
    if (extras)
        *extras = read;
    return true;
}


bool readJson(const QJsonObject &json, NodeModel *out, QString *error)
{
    // The answer does not name the node: the caller knows which node it asked about.
    NodeModel model;
    Reader r(json, error, u"model"_s);
    r.text(u"name"_s, &model.name, Reader::Required)
        .integer(u"size"_s, &model.size)
        .text(u"digest"_s, &model.digest)
        .text(u"modified_at"_s, &model.modifiedAt)
        .object(u"details"_s, &model.details);
    if (!r.done())
        return false;
    *out = model;
    return true;
}


bool readJson(const QJsonObject &json, ModelMapping *out, QString *error)
{
    // "context_length_display" and "node_names" follow from the rest.
    ModelMapping mapping;
    Reader r(json, error, u"mapping"_s);
    r.text(u"display_name"_s, &mapping.displayName, Reader::Required)
        .text(u"real_name"_s, &mapping.realName, Reader::Required)
        .integer(u"context_length"_s, &mapping.contextLength, Reader::Optional, 0)
        .strings(u"capabilities"_s, &mapping.capabilities)
        .ids(u"node_ids"_s, &mapping.nodeIds)
        .time(u"created_at"_s, &mapping.createdAt);
    if (!r.done())
        return false;
    *out = mapping;
    return true;
}


bool readJson(const QJsonObject &json, ModelGroup *out, QString *error)
{
    ModelGroup group;
    QJsonArray members;
    Reader r(json, error, u"group"_s);
    r.integer(u"id"_s, &group.id, Reader::Required)
        .text(u"name"_s, &group.name, Reader::Required)
        .text(u"description"_s, &group.description)
        .text(u"strategy"_s, &group.strategy)
        .boolean(u"is_active"_s, &group.active)
        .boolean(u"list_in_catalog"_s, &group.listInCatalog)
        .integer(u"priority"_s, &group.priority)
        .integer(u"max_failover_retries"_s, &group.maxFailoverRetries);
    if (const QJsonValue list = r.field(u"members"_s, Reader::Optional, {}); !list.isUndefined()) {
        if (!list.isArray())
            r.fail(u"\"members\" must be an array"_s);
        members = list.toArray();
    }
    r.time(u"created_at"_s, &group.createdAt).time(u"updated_at"_s, &group.updatedAt);
    if (!r.done())
        return false;
    for (qsizetype i = 0; i < members.size(); ++i) {
        const QJsonObject object = members.at(i).toObject();
        const bool isObject = members.at(i).isObject();
        Reader m(object, error, isObject ? u"group: member %1"_s.arg(i + 1) : u"group"_s);
        if (!isObject)
            m.fail(u"member %1 is not an object"_s.arg(i + 1));
        const GroupMember member = readMember(m, group.id);
        if (!m.done())
            return false;
        group.members.append(member);
    }
    *out = group;
    return true;
}


bool readJson(const QJsonObject &json, ToolSet *out, QString *error)
{
    ToolSet set;
    Reader r(json, error, u"tool set"_s);
    r.integer(u"id"_s, &set.id, Reader::Required)
        .text(u"name"_s, &set.name, Reader::Required)
        .text(u"description"_s, &set.description)
        .strings(u"tools"_s, &set.tools);
    if (!r.done())
        return false;
    *out = set;
    return true;
}


bool readJson(const QJsonObject &json, ModelConfig *out, QString *error)
{
    ModelConfig config;
    Reader r(json, error, u"model config"_s);
    r.integer(u"id"_s, &config.id, Reader::Required)
        .text(u"model_pattern"_s, &config.pattern, Reader::Required)
        .boolean(u"tools_restricted"_s, &config.toolsRestricted)
        .strings(u"allowed_tools"_s, &config.allowedTools)
        .strings(u"tool_sets"_s, &config.toolSets)
        .strings(u"stripped_params"_s, &config.strippedParams)
        .integer(u"default_context_length"_s, &config.defaultContextLength, Reader::Optional, 0)
        .integer(u"max_context_length"_s, &config.maxContextLength, Reader::Optional, 0)
        .boolean(u"maintenance"_s, &config.maintenance)
        .text(u"maintenance_message"_s, &config.maintenanceMessage)
        .boolean(u"keep_think_tags"_s, &config.keepThinkTags)
        .limit(u"requests_per_minute"_s, &config.requestsPerMinute)
        .limit(u"tokens_per_minute"_s, &config.tokensPerMinute)
        .time(u"updated_at"_s, &config.updatedAt);
    if (!r.done())
        return false;
    *out = config;
    return true;
}


bool readJson(const QJsonObject &json, SystemPrompt *out, QString *error)
{
    SystemPrompt prompt;
    QString scope;
    Reader r(json, error, u"system prompt"_s);
    r.integer(u"id"_s, &prompt.id, Reader::Required)
        .text(u"scope_type"_s, &scope, Reader::Required)
        .text(u"scope_value"_s, &prompt.scopeValue)
        .text(u"prompt"_s, &prompt.prompt, Reader::Required)
        .integer(u"priority"_s, &prompt.priority)
        .boolean(u"is_active"_s, &prompt.active)
        .text(u"description"_s, &prompt.description)
        .time(u"created_at"_s, &prompt.createdAt)
        .time(u"updated_at"_s, &prompt.updatedAt);
    if (!r.failed()) {
        if (const auto known = promptScopeFromName(scope))
            prompt.scope = *known;
        else
            r.fail(u"\"scope_type\" must be one of global, user, node, group, model, mapping"_s);
    }
    if (!r.done())
        return false;
    *out = prompt;
    return true;
}


bool readJson(const QJsonObject &json, RequestLogEntry *out, QString *error)
{
    // The answer has no user id; "total_tokens" is the sum of the two others. "request_type" is
    // the seed's name of the endpoint.
    RequestLogEntry entry;
    Reader r(json, error, u"log entry"_s);
    r.text(u"request_type"_s, &entry.endpoint)
        .text(u"endpoint"_s, &entry.endpoint)
        .text(u"username"_s, &entry.username)
        .text(u"model_name"_s, &entry.model)
        .text(u"real_model"_s, &entry.realModel)
        .integer(u"node_id"_s, &entry.nodeId)
        .integer(u"status_code"_s, &entry.statusCode, Reader::Required)
        .integer(u"duration_ms"_s, &entry.durationMs)
        .integer(u"ttfb_ms"_s, &entry.ttfbMs, Reader::Optional, 0)
        .integer(u"prompt_tokens"_s, &entry.promptTokens)
        .integer(u"completion_tokens"_s, &entry.completionTokens)
        .boolean(u"streamed"_s, &entry.streamed)
        .text(u"error_message"_s, &entry.errorMessage)
        .text(u"dialect"_s, &entry.dialect)
        .text(u"reason"_s, &entry.reason)
        .integer(u"suppressed_refusals"_s, &entry.suppressed)
        .time(u"created_at"_s, &entry.createdAt);
    if (!r.done())
        return false;
    *out = entry;
    return true;
}


bool readJson(const QJsonObject &json, AuditEntry *out, QString *error)
{
    AuditEntry entry;
    Reader r(json, error, u"audit entry"_s);
    r.integer(u"id"_s, &entry.id, Reader::Required)
        .text(u"action"_s, &entry.action, Reader::Required)
        .text(u"entity_type"_s, &entry.entityType)
        .text(u"entity_id"_s, &entry.entityId)
        .object(u"details"_s, &entry.details)
        .time(u"created_at"_s, &entry.createdAt);
    if (!r.done())
        return false;
    *out = entry;
    return true;
}


bool readJson(const QJsonObject &json, Store::DayUsage *out, QString *error)
{
    Store::DayUsage usage;
    Reader r(json, error, u"usage"_s);
    r.integer(u"requests"_s, &usage.requests, Reader::Required, 0)
        .integer(u"tokens"_s, &usage.tokens, Reader::Required, 0);
    if (!r.done())
        return false;
    *out = usage;
    return true;
}


// --- Inputs -> request bodies --------------------------------------------------------------

namespace {

// Writes each set field of an input under its name.
class Writer
{
public:
    template<typename T>
    Writer &add(const QString &name, const std::optional<T> &value)
    {
        if (value)
            m_json.insert(name, json(*value));
        return *this;
    }

    QJsonObject &object() { return m_json; }

private:
    static QJsonValue json(const QString &value) { return value; }
    static QJsonValue json(int value) { return value; }
    static QJsonValue json(qint64 value) { return double(value); }
    static QJsonValue json(bool value) { return value; }
    static QJsonValue json(const QStringList &value) { return QJsonArray::fromStringList(value); }
    static QJsonValue json(const QList<qint64> &ids)
    {
        QJsonArray array;
        for (qint64 id : ids)
            array.append(double(id));
        return array;
    }

    QJsonObject m_json;
};

} // namespace


QJsonObject inputToJson(const AdminService::NodeInput &input)
{
    Writer w;
    w.add(u"name"_s, input.name)
        .add(u"base_url"_s, input.baseUrl)
        .add(u"node_type"_s, input.nodeType)
        .add(u"api_key"_s, input.apiKey)
        .add(u"priority"_s, input.priority)
        .add(u"weight"_s, input.weight)
        .add(u"is_active"_s, input.active)
        .add(u"warmup_enabled"_s, input.warmupEnabled)
        .add(u"connect_timeout_seconds"_s, input.connectTimeoutSeconds)
        .add(u"first_byte_timeout_seconds"_s, input.firstByteTimeoutSeconds)
        .add(u"idle_timeout_seconds"_s, input.idleTimeoutSeconds)
        .add(u"region"_s, input.region)
        .add(u"model_ids"_s, input.modelIds)
        .add(u"aws_access_key_id"_s, input.awsAccessKeyId)
        .add(u"aws_secret_access_key"_s, input.awsSecretAccessKey)
        .add(u"aws_session_token"_s, input.awsSessionToken)
        .add(u"health_check_url"_s, input.healthCheckUrl)
        .add(u"auto_sync_enabled"_s, input.autoSyncEnabled);
    // As objects, so in the order of their names whatever the order given (and one value per name).
    if (input.headers) {
        QJsonObject headers;
        for (const auto &[name, value] : *input.headers)
            headers.insert(name, value);
        w.object().insert(u"headers"_s, headers);
    }
    if (input.secretHeaders) {
        QJsonObject headers;
        for (const auto &[name, value] : *input.secretHeaders)
            headers.insert(name, value ? QJsonValue(*value) : QJsonValue()); // null removes it
        w.object().insert(u"secret_headers"_s, headers);
    }
    return w.object();
}


QJsonObject inputToJson(const AdminService::MappingInput &input)
{
    Writer w;
    w.add(u"display_name"_s, input.displayName)
        .add(u"real_name"_s, input.realName)
        .add(u"context_length"_s, input.contextLength)
        .add(u"capabilities"_s, input.capabilities)
        .add(u"node_ids"_s, input.nodeIds);
    return w.object();
}


QJsonObject inputToJson(const AdminService::GroupInput &input)
{
    Writer w;
    w.add(u"name"_s, input.name)
        .add(u"description"_s, input.description)
        .add(u"strategy"_s, input.strategy)
        .add(u"is_active"_s, input.active)
        .add(u"list_in_catalog"_s, input.listInCatalog)
        .add(u"priority"_s, input.priority)
        .add(u"max_failover_retries"_s, input.maxFailoverRetries);
    return w.object();
}


QJsonObject inputToJson(const AdminService::MemberInput &input)
{
    Writer w;
    w.add(u"model_display_name"_s, input.model)
        .add(u"priority"_s, input.priority)
        .add(u"weight"_s, input.weight)
        .add(u"capability_tags"_s, input.capabilityTags)
        .add(u"is_active"_s, input.active)
        .add(u"context_fallback"_s, input.contextFallback)
        .add(u"preferred_node_ids"_s, input.preferredNodeIds);
    return w.object();
}


QJsonObject inputToJson(const AdminService::PromptInput &input)
{
    Writer w;
    w.add(u"scope_type"_s, input.scopeType)
        .add(u"scope_value"_s, input.scopeValue)
        .add(u"prompt"_s, input.prompt)
        .add(u"priority"_s, input.priority)
        .add(u"is_active"_s, input.active)
        .add(u"description"_s, input.description);
    return w.object();
}


QJsonObject limitsInputToJson(const UserLimits &limits)
{
    // All four, null for unlimited: limitsFromJson() keeps a per-minute limit that is left out.
    return {{u"request_limit"_s, limitToJson(limits.requestLimit)},
            {u"token_limit"_s, limitToJson(limits.tokenLimit)},
            {u"requests_per_minute"_s, limitToJson(limits.requestsPerMinute)},
            {u"tokens_per_minute"_s, limitToJson(limits.tokensPerMinute)}};
}

} // namespace Maestro

#include "adminservice.h"
#include "settings.h"
#include "tokens.h"

#include <QHash>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <functional>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

QJsonValue optionalNumber(std::optional<qint64> value)
{
    return value ? QJsonValue(double(*value)) : QJsonValue(QJsonValue::Null);
}

bool validUsername(const QString &name)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9._@-]{1,64}$"_s);
    return pattern.match(name).hasMatch();
}

QString apiKeyRef(qint64 nodeId)
{
    return u"node/%1/api_key"_s.arg(nodeId);
}

ApiError storageFailed()
{
    return ApiError::internal(u"The database refused the change"_s);
}

} // namespace

std::optional<qint64> parseContextLength(const QString &text)
{
    static const QRegularExpression pattern(u"^\\s*(\\d+(?:\\.\\d+)?)\\s*([kKmM]?)\\s*$"_s);
    const auto match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    double value = match.captured(1).toDouble();
    const QString unit = match.captured(2).toLower();
    if (unit == "k"_L1)
        value *= 1024;
    else if (unit == "m"_L1)
        value *= 1024 * 1024;
    // Checked after truncation: "0.4" is no more a length than "0" is.
    if (value > 1e12 || qint64(value) <= 0)
        return std::nullopt;
    return qint64(value);
}

AdminService::AdminService(Store *store, SecretStore *secrets, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_secrets(secrets)
{
    // Connected first, so the version has moved before anyone reloads: a gateway that reloads
    // after its own change then sees no news when it next polls the version.
    connect(this, &AdminService::changed, this, [this] { m_store->bumpConfigVersion(); });
}

void AdminService::audit(const QString &action, const QString &entityType,
                         const QString &entityId, const QJsonObject &details)
{
    AuditEntry entry;
    entry.action = action;
    entry.entityType = entityType;
    entry.entityId = entityId;
    entry.details = details;
    entry.createdAt = QDateTime::currentDateTimeUtc();
    m_store->insertAudit(entry);
    Q_EMIT audited(entry);
}

Result<AdminService::CreatedUser> AdminService::createUser(const QString &username,
                                                          const NewUserLimits &limits)
{
    if (!validUsername(username)) {
        return ApiError::badRequest(
            u"username must be 1-64 characters of letters, digits, '.', '_', '-' or '@'"_s);
    }
    for (const auto &limit : {limits.requests, limits.tokens}) {
        if (limit && *limit && **limit < 0)
            return ApiError::badRequest(u"limits must be zero or positive, or null for unlimited"_s);
    }
    if (const auto existing = m_store->user(username); existing && existing->active)
        return ApiError::conflict(u"User already exists: %1"_s.arg(username));
    // A default of 0 means no limit.
    const Settings settings(m_store->settings());
    const auto fallback = [&](const QString &key) -> std::optional<qint64> {
        const qint64 value = settings.integer(key);
        return value > 0 ? std::optional<qint64>(value) : std::nullopt;
    };
    const UserLimits given{limits.requests ? *limits.requests : fallback(u"default_daily_requests"_s),
                           limits.tokens ? *limits.tokens : fallback(u"default_daily_tokens"_s),
                           fallback(u"default_requests_per_minute"_s), fallback(u"default_tokens_per_minute"_s)};
    const QString token = Tokens::generate();
    const qint64 id = m_store->createUser(username, Tokens::hash(token.toLatin1()));
    if (id == 0 || (given.any() && !m_store->setUserLimits(id, given)))
        return storageFailed();
    auto user = m_store->user(username);
    if (!user)
        return storageFailed();
    audit(u"user.create"_s, u"user"_s, username,
          {{u"request_limit"_s, given.requestLimit ? QJsonValue(double(*given.requestLimit)) : QJsonValue()},
           {u"token_limit"_s, given.tokenLimit ? QJsonValue(double(*given.tokenLimit)) : QJsonValue()},
           {u"requests_per_minute"_s, given.requestsPerMinute ? QJsonValue(double(*given.requestsPerMinute)) : QJsonValue()},
           {u"tokens_per_minute"_s, given.tokensPerMinute ? QJsonValue(double(*given.tokensPerMinute)) : QJsonValue()}});
    Q_EMIT changed();
    return CreatedUser{*user, token};
}

Result<AdminService::CreatedUser> AdminService::rotateToken(const QString &username)
{
    auto user = findUser(username);
    if (!user.ok())
        return user.error();
    const QString token = Tokens::generate();
    if (!m_store->setTokenHash(user.value().id, Tokens::hash(token.toLatin1())))
        return storageFailed();
    audit(u"user.token_rotate"_s, u"user"_s, username);
    Q_EMIT changed();
    return CreatedUser{*m_store->user(username), token};
}

Result<bool> AdminService::deleteUser(const QString &username)
{
    auto user = findUser(username);
    if (!user.ok())
        return user.error();
    if (!m_store->deactivateUser(user.value().id))
        return storageFailed();
    audit(u"user.delete"_s, u"user"_s, username);
    Q_EMIT changed();
    return true;
}

Result<User> AdminService::findUser(const QString &username)
{
    const auto user = m_store->user(username);
    if (!user || !user->active)
        return ApiError::notFound(u"User not found: %1"_s.arg(username));
    return *user;
}

Result<User> AdminService::setUserModels(const QString &username, const QStringList &models)
{
    auto user = findUser(username);
    if (!user.ok())
        return user.error();
    QStringList unique;
    for (const QString &model : models) {
        const QString trimmed = model.trimmed();
        if (trimmed.isEmpty())
            return ApiError::badRequest(u"model names must not be empty"_s);
        if (!unique.contains(trimmed))
            unique.append(trimmed);
    }
    if (!m_store->setUserModels(user.value().id, unique, false))
        return storageFailed();
    audit(u"user.models_set"_s, u"user"_s, username,
          {{u"models"_s, QJsonArray::fromStringList(unique)}});
    Q_EMIT changed();
    return *m_store->user(username);
}

Result<User> AdminService::grantAllModels(const QString &username)
{
    auto user = findUser(username);
    if (!user.ok())
        return user.error();
    if (!m_store->setUserModels(user.value().id, {}, true))
        return storageFailed();
    audit(u"user.models_all"_s, u"user"_s, username);
    Q_EMIT changed();
    return *m_store->user(username);
}

Result<User> AdminService::revokeModel(const QString &username, const QString &model)
{
    auto user = findUser(username);
    if (!user.ok())
        return user.error();
    QStringList models = user.value().models;
    const bool all = model == "all"_L1;
    if (all)
        models.clear();
    else if (models.removeAll(model) == 0)
        return ApiError::badRequest(u"The model '%1' is not granted to %2"_s.arg(model, username));
    if (!m_store->setUserModels(user.value().id, models, !all && user.value().allModels))
        return storageFailed();
    audit(u"user.model_revoked"_s, u"user"_s, username, {{u"model"_s, model}});
    Q_EMIT changed();
    return *m_store->user(username);
}

Result<User> AdminService::setUserLimits(const QString &username, const UserLimits &limits)
{
    auto user = findUser(username);
    if (!user.ok())
        return user.error();
    if (const auto invalid = validateLimits(limits))
        return *invalid;
    if (!m_store->setUserLimits(user.value().id, limits))
        return storageFailed();
    audit(u"user.limits_set"_s, u"user"_s, username,
          {{u"request_limit"_s, optionalNumber(limits.requestLimit)},
           {u"token_limit"_s, optionalNumber(limits.tokenLimit)},
           {u"requests_per_minute"_s, optionalNumber(limits.requestsPerMinute)},
           {u"tokens_per_minute"_s, optionalNumber(limits.tokensPerMinute)}});
    Q_EMIT changed();
    return *m_store->user(username);
}

std::optional<ApiError> AdminService::validateLimits(const UserLimits &limits)
{
    if ((limits.requestLimit && *limits.requestLimit < 0) || (limits.tokenLimit && *limits.tokenLimit < 0))
        return ApiError::badRequest(u"daily limits must be zero or positive, or null for unlimited"_s);
    if (const auto invalid = validatePerMinute(limits.requestsPerMinute, limits.tokensPerMinute))
        return invalid;
    return std::nullopt;
}

std::optional<ApiError> AdminService::validatePerMinute(std::optional<qint64> requests,
                                                        std::optional<qint64> tokens)
{
    // A per-minute limit of 0 would refuse everything: that is what deactivating is for.
    if ((requests && *requests <= 0) || (tokens && *tokens <= 0))
        return ApiError::badRequest(u"per-minute limits must be positive whole numbers, or null for unlimited"_s);
    return std::nullopt;
}

std::optional<ApiError> AdminService::validateNode(const Node &node)
{
    if (node.name.trimmed().isEmpty())
        return ApiError::badRequest(u"name is required"_s);
    if (!node.baseUrl.isValid() || node.baseUrl.host().isEmpty()
        || (node.baseUrl.scheme() != "http"_L1 && node.baseUrl.scheme() != "https"_L1)) {
        return ApiError::badRequest(u"base_url must be an http:// or https:// URL"_s);
    }
    if (node.weight < 0)
        return ApiError::badRequest(u"weight must not be negative"_s);
    // As the upstream_*_timeout_seconds settings allow, with 0 for "the setting's value".
    if (node.connectTimeoutSeconds < 0 || node.connectTimeoutSeconds > 600)
        return ApiError::badRequest(u"connect_timeout_seconds must be 0 (the gateway's setting) or 1 to 600"_s);
    if (node.firstByteTimeoutSeconds < 0 || node.firstByteTimeoutSeconds > 86400)
        return ApiError::badRequest(u"first_byte_timeout_seconds must be 0 (the gateway's setting) or 1 to 86400"_s);
    if (node.idleTimeoutSeconds < 0 || node.idleTimeoutSeconds > 86400)
        return ApiError::badRequest(u"idle_timeout_seconds must be 0 (the gateway's setting) or 1 to 86400"_s);
    return std::nullopt;
}

namespace {

QJsonObject nodeAuditDetails(const Node &node, bool keyChanged)
{
    QJsonObject details{{u"name"_s, node.name},
                        {u"base_url"_s, node.baseUrl.toString()},
                        {u"node_type"_s, nodeTypeName(node.type)},
                        {u"priority"_s, node.priority},
                        {u"weight"_s, node.weight},
                        {u"is_active"_s, node.active},
                        {u"warmup_enabled"_s, node.warmupEnabled},
                        {u"connect_timeout_seconds"_s, node.connectTimeoutSeconds},
                        {u"first_byte_timeout_seconds"_s, node.firstByteTimeoutSeconds},
                        {u"idle_timeout_seconds"_s, node.idleTimeoutSeconds}};
    if (keyChanged)
        details.insert(u"api_key_changed"_s, true);
    return details;
}

} // namespace

Result<Node> AdminService::addNode(const NodeInput &input)
{
    Node node;
    node.name = input.name.value_or(QString()).trimmed();
    QString url = input.baseUrl.value_or(QString()).trimmed();
    while (url.endsWith(u'/'))
        url.chop(1);
    node.baseUrl = QUrl(url, QUrl::StrictMode);
    const auto type = nodeTypeFromName(input.nodeType.value_or(u"ollama"_s));
    if (!type)
        return ApiError::badRequest(u"node_type must be \"ollama\" or \"openai\""_s);
    node.type = *type;
    node.priority = input.priority.value_or(0);
    node.weight = input.weight.value_or(100);
    node.active = input.active.value_or(true);
    node.warmupEnabled = input.warmupEnabled.value_or(false);
    node.connectTimeoutSeconds = input.connectTimeoutSeconds.value_or(0);
    node.firstByteTimeoutSeconds = input.firstByteTimeoutSeconds.value_or(0);
    node.idleTimeoutSeconds = input.idleTimeoutSeconds.value_or(0);
    node.hasApiKey = input.apiKey && !input.apiKey->isEmpty();
    if (const auto error = validateNode(node))
        return *error;
    for (const Node &other : m_store->nodes()) {
        if (other.name == node.name)
            return ApiError::conflict(u"A node named %1 already exists"_s.arg(node.name));
    }
    node.createdAt = QDateTime::currentDateTimeUtc();
    node.id = m_store->insertNode(node);
    if (node.id == 0)
        return storageFailed();
    if (node.hasApiKey && !m_secrets->write(apiKeyRef(node.id), *input.apiKey)) {
        m_store->deleteNode(node.id);
        return ApiError::internal(u"The API key could not be stored in %1"_s.arg(m_secrets->description()));
    }
    audit(u"node.create"_s, u"node"_s, QString::number(node.id), nodeAuditDetails(node, node.hasApiKey));
    Q_EMIT changed();
    return *m_store->node(node.id);
}

Result<Node> AdminService::updateNode(qint64 id, const NodeInput &input)
{
    auto found = findNode(id);
    if (!found.ok())
        return found.error();
    Node node = found.value();
    if (input.name)
        node.name = input.name->trimmed();
    if (input.baseUrl) {
        QString url = input.baseUrl->trimmed();
        while (url.endsWith(u'/'))
            url.chop(1);
        node.baseUrl = QUrl(url, QUrl::StrictMode);
    }
    if (input.nodeType) {
        const auto type = nodeTypeFromName(*input.nodeType);
        if (!type)
            return ApiError::badRequest(u"node_type must be \"ollama\" or \"openai\""_s);
        node.type = *type;
    }
    if (input.priority)
        node.priority = *input.priority;
    if (input.weight)
        node.weight = *input.weight;
    if (input.active)
        node.active = *input.active;
    if (input.warmupEnabled)
        node.warmupEnabled = *input.warmupEnabled;
    if (input.connectTimeoutSeconds)
        node.connectTimeoutSeconds = *input.connectTimeoutSeconds;
    if (input.firstByteTimeoutSeconds)
        node.firstByteTimeoutSeconds = *input.firstByteTimeoutSeconds;
    if (input.idleTimeoutSeconds)
        node.idleTimeoutSeconds = *input.idleTimeoutSeconds;
    if (const auto error = validateNode(node))
        return *error;
    for (const Node &other : m_store->nodes()) {
        if (other.id != id && other.name == node.name)
            return ApiError::conflict(u"A node named %1 already exists"_s.arg(node.name));
    }
    if (input.apiKey) {
        if (input.apiKey->isEmpty()) {
            m_secrets->remove(apiKeyRef(id));
            node.hasApiKey = false;
        } else if (m_secrets->write(apiKeyRef(id), *input.apiKey)) {
            node.hasApiKey = true;
        } else {
            return ApiError::internal(u"The API key could not be stored in %1"_s.arg(m_secrets->description()));
        }
    }
    if (!m_store->updateNode(node))
        return storageFailed();
    audit(u"node.update"_s, u"node"_s, QString::number(id), nodeAuditDetails(node, input.apiKey.has_value()));
    Q_EMIT changed();
    return *m_store->node(id);
}

Result<Node> AdminService::toggleNode(qint64 id)
{
    auto found = findNode(id);
    if (!found.ok())
        return found.error();
    Node node = found.value();
    node.active = !node.active;
    if (!m_store->updateNode(node))
        return storageFailed();
    audit(u"node.toggle"_s, u"node"_s, QString::number(id), {{u"is_active"_s, node.active}});
    Q_EMIT changed();
    return node;
}

Result<bool> AdminService::deleteNode(qint64 id)
{
    auto found = findNode(id);
    if (!found.ok())
        return found.error();
    if (!m_store->deleteNode(id))
        return storageFailed();
    if (found.value().hasApiKey)
        m_secrets->remove(apiKeyRef(id));
    audit(u"node.delete"_s, u"node"_s, QString::number(id), {{u"name"_s, found.value().name}});
    Q_EMIT changed();
    return true;
}

Result<Node> AdminService::findNode(qint64 id)
{
    const auto node = m_store->node(id);
    if (!node)
        return ApiError::notFound(u"Node not found: %1"_s.arg(id));
    return *node;
}

void AdminService::recordNodeHealth(qint64 id, Health health, const QString &error)
{
    const auto node = m_store->node(id);
    if (!node)
        return;
    m_store->setNodeHealth(id, health, error, QDateTime::currentDateTimeUtc());
    if (node->health != health)
        Q_EMIT changed();
}

void AdminService::recordNodeModels(qint64 id, const QList<NodeModel> &models)
{
    if (!m_store->node(id))
        return;
    m_store->replaceNodeModels(id, models);
    Q_EMIT changed();
}

namespace {

QJsonObject mappingAuditDetails(const ModelMapping &mapping)
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

} // namespace

Result<ModelMapping> AdminService::addMapping(const MappingInput &input)
{
    ModelMapping mapping;
    mapping.displayName = input.displayName.value_or(QString()).trimmed();
    mapping.realName = input.realName.value_or(QString()).trimmed();
    if (mapping.displayName.isEmpty() || mapping.realName.isEmpty())
        return ApiError::badRequest(u"display_name and real_name are required"_s);
    mapping.contextLength = input.contextLength.value_or(0);
    mapping.capabilities = input.capabilities.value_or(QStringList());
    mapping.nodeIds = input.nodeIds.value_or(QList<qint64>());
    for (qint64 nodeId : std::as_const(mapping.nodeIds)) {
        if (!m_store->node(nodeId))
            return ApiError::badRequest(u"Node not found: %1"_s.arg(nodeId));
    }
    mapping.createdAt = QDateTime::currentDateTimeUtc();
    bool exists = false;
    for (const ModelMapping &other : m_store->mappings())
        exists = exists || other.displayName == mapping.displayName;
    // Creating an existing display name updates it, as the seed's upsert did.
    const bool ok = exists ? m_store->updateMapping(mapping.displayName, mapping)
                           : m_store->insertMapping(mapping);
    if (!ok)
        return storageFailed();
    audit(exists ? u"model_mapping.update"_s : u"model_mapping.create"_s, u"model_mapping"_s,
          mapping.displayName, mappingAuditDetails(mapping));
    Q_EMIT changed();
    return mapping;
}

Result<ModelMapping> AdminService::updateMapping(const QString &displayName,
                                                 const MappingInput &input)
{
    std::optional<ModelMapping> current;
    const QList<ModelMapping> all = m_store->mappings();
    for (const ModelMapping &mapping : all) {
        if (mapping.displayName == displayName)
            current = mapping;
    }
    if (!current)
        return ApiError::notFound(u"Model mapping not found: %1"_s.arg(displayName));
    ModelMapping mapping = *current;
    if (input.displayName)
        mapping.displayName = input.displayName->trimmed();
    if (input.realName)
        mapping.realName = input.realName->trimmed();
    if (input.contextLength)
        mapping.contextLength = *input.contextLength;
    if (input.capabilities)
        mapping.capabilities = *input.capabilities;
    if (input.nodeIds)
        mapping.nodeIds = *input.nodeIds;
    if (mapping.displayName.isEmpty() || mapping.realName.isEmpty())
        return ApiError::badRequest(u"display_name and real_name must not be empty"_s);
    if (mapping.displayName != displayName) {
        for (const ModelMapping &other : all) {
            if (other.displayName == mapping.displayName)
                return ApiError::conflict(u"Display name already exists"_s);
        }
    }
    if (!m_store->updateMapping(displayName, mapping))
        return storageFailed();
    audit(u"model_mapping.update"_s, u"model_mapping"_s, displayName, mappingAuditDetails(mapping));
    Q_EMIT changed();
    return mapping;
}

Result<bool> AdminService::deleteMapping(const QString &displayName)
{
    bool exists = false;
    for (const ModelMapping &mapping : m_store->mappings())
        exists = exists || mapping.displayName == displayName;
    if (!exists)
        return ApiError::notFound(u"Model mapping not found: %1"_s.arg(displayName));
    if (!m_store->deleteMapping(displayName))
        return storageFailed();
    audit(u"model_mapping.delete"_s, u"model_mapping"_s, displayName);
    Q_EMIT changed();
    return true;
}

namespace {

QJsonObject groupAuditDetails(const ModelGroup &group)
{
    QJsonArray members;
    for (const GroupMember &member : group.members)
        members.append(member.model);
    return {{u"name"_s, group.name},
            {u"strategy"_s, group.strategy},
            {u"is_active"_s, group.active},
            {u"list_in_catalog"_s, group.listInCatalog},
            {u"members"_s, members}};
}

std::optional<ApiError> validateStrategy(const QString &strategy)
{
    if (strategy != "round_robin"_L1 && strategy != "weighted"_L1 && strategy != "priority"_L1)
        return ApiError::badRequest(u"strategy must be round_robin, weighted or priority"_s);
    return std::nullopt;
}

void applyMember(GroupMember *member, const AdminService::MemberInput &input)
{
    if (input.model)
        member->model = input.model->trimmed();
    if (input.priority)
        member->priority = *input.priority;
    if (input.weight)
        member->weight = *input.weight;
    if (input.capabilityTags)
        member->capabilityTags = *input.capabilityTags;
    if (input.active)
        member->active = *input.active;
    if (input.contextFallback)
        member->contextFallback = *input.contextFallback;
}

} // namespace

Result<ModelGroup> AdminService::findGroup(const QString &name)
{
    for (const ModelGroup &group : m_store->groups()) {
        if (group.name == name)
            return group;
    }
    return ApiError::notFound(u"Model group not found: %1"_s.arg(name));
}

Result<ModelGroup> AdminService::addGroup(const GroupInput &input, const QList<MemberInput> &members)
{
    ModelGroup group;
    group.name = input.name.value_or(QString()).trimmed();
    if (group.name.isEmpty())
        return ApiError::badRequest(u"name is required"_s);
    group.description = input.description.value_or(QString());
    group.strategy = input.strategy.value_or(u"round_robin"_s);
    if (const auto error = validateStrategy(group.strategy))
        return *error;
    group.active = input.active.value_or(true);
    group.listInCatalog = input.listInCatalog.value_or(false);
    group.priority = input.priority.value_or(0);
    group.maxFailoverRetries = std::max(input.maxFailoverRetries.value_or(0), 0);
    if (findGroup(group.name).ok())
        return ApiError::conflict(u"Model group '%1' already exists"_s.arg(group.name));
    for (const MemberInput &member : members) {
        if (member.model.value_or(QString()).trimmed().isEmpty())
            return ApiError::badRequest(u"each member needs a model_display_name"_s);
    }
    group.id = m_store->insertGroup(group);
    if (group.id == 0)
        return storageFailed();
    int position = 0;
    for (const MemberInput &input : members) {
        GroupMember member;
        member.groupId = group.id;
        member.priority = position++;
        applyMember(&member, input);
        if (m_store->insertMember(member) == 0)
            return storageFailed();
    }
    auto created = findGroup(group.name);
    audit(u"model_group.create"_s, u"model_group"_s, group.name, groupAuditDetails(created.value()));
    Q_EMIT changed();
    return created;
}

Result<ModelGroup> AdminService::updateGroup(const QString &name, const GroupInput &input)
{
    auto found = findGroup(name);
    if (!found.ok())
        return found.error();
    ModelGroup group = found.value();
    if (input.name)
        group.name = input.name->trimmed();
    if (input.description)
        group.description = *input.description;
    if (input.strategy)
        group.strategy = *input.strategy;
    if (input.active)
        group.active = *input.active;
    if (input.listInCatalog)
        group.listInCatalog = *input.listInCatalog;
    if (input.priority)
        group.priority = *input.priority;
    if (input.maxFailoverRetries)
        group.maxFailoverRetries = std::max(*input.maxFailoverRetries, 0);
    if (group.name.isEmpty())
        return ApiError::badRequest(u"name must not be empty"_s);
    if (const auto error = validateStrategy(group.strategy))
        return *error;
    if (group.name != name && findGroup(group.name).ok())
        return ApiError::conflict(u"Model group '%1' already exists"_s.arg(group.name));
    if (!m_store->updateGroup(group))
        return storageFailed();
    audit(u"model_group.update"_s, u"model_group"_s, name, groupAuditDetails(group));
    Q_EMIT changed();
    return findGroup(group.name);
}

Result<bool> AdminService::deleteGroup(const QString &name)
{
    auto found = findGroup(name);
    if (!found.ok())
        return found.error();
    if (!m_store->deleteGroup(found.value().id))
        return storageFailed();
    audit(u"model_group.delete"_s, u"model_group"_s, name);
    Q_EMIT changed();
    return true;
}

Result<ModelGroup> AdminService::addMember(const QString &groupName, const MemberInput &input)
{
    auto found = findGroup(groupName);
    if (!found.ok())
        return found.error();
    GroupMember member;
    member.groupId = found.value().id;
    member.priority = found.value().members.isEmpty() ? 0 : found.value().members.last().priority + 1;
    applyMember(&member, input);
    if (member.model.isEmpty())
        return ApiError::badRequest(u"model_display_name is required"_s);
    member.id = m_store->insertMember(member);
    if (member.id == 0)
        return storageFailed();
    audit(u"model_group.member_add"_s, u"model_group"_s, groupName,
          {{u"member_id"_s, double(member.id)}, {u"model_display_name"_s, member.model}});
    Q_EMIT changed();
    return findGroup(groupName);
}

Result<ModelGroup> AdminService::updateMember(const QString &groupName, qint64 memberId, const MemberInput &input)
{
    auto found = findGroup(groupName);
    if (!found.ok())
        return found.error();
    for (GroupMember member : found.value().members) {
        if (member.id != memberId)
            continue;
        applyMember(&member, input);
        if (member.model.isEmpty())
            return ApiError::badRequest(u"model_display_name must not be empty"_s);
        if (!m_store->updateMember(member))
            return storageFailed();
        audit(u"model_group.member_update"_s, u"model_group"_s, groupName,
              {{u"member_id"_s, double(member.id)}, {u"model_display_name"_s, member.model}});
        Q_EMIT changed();
        return findGroup(groupName);
    }
    return ApiError::notFound(u"Member %1 not found in group %2"_s.arg(memberId).arg(groupName));
}

Result<ModelGroup> AdminService::deleteMember(const QString &groupName, qint64 memberId)
{
    auto found = findGroup(groupName);
    if (!found.ok())
        return found.error();
    const bool present = std::any_of(found.value().members.cbegin(), found.value().members.cend(),
                                     [memberId](const GroupMember &m) { return m.id == memberId; });
    if (!present)
        return ApiError::notFound(u"Member %1 not found in group %2"_s.arg(memberId).arg(groupName));
    if (!m_store->deleteMember(memberId))
        return storageFailed();
    audit(u"model_group.member_delete"_s, u"model_group"_s, groupName, {{u"member_id"_s, double(memberId)}});
    Q_EMIT changed();
    return findGroup(groupName);
}

Result<ModelGroup> AdminService::reorderMembers(const QString &groupName, const QList<qint64> &memberIds)
{
    auto found = findGroup(groupName);
    if (!found.ok())
        return found.error();
    QList<GroupMember> members = found.value().members;
    if (memberIds.size() != members.size())
        return ApiError::badRequest(u"member_ids must list every member of the group exactly once"_s);
    for (GroupMember &member : members) {
        const qsizetype position = memberIds.indexOf(member.id);
        if (position < 0 || memberIds.count(member.id) != 1)
            return ApiError::badRequest(u"member_ids must list every member of the group exactly once"_s);
        member.priority = int(position);
    }
    for (const GroupMember &member : std::as_const(members)) {
        if (!m_store->updateMember(member))
            return storageFailed();
    }
    QJsonArray order;
    for (qint64 id : memberIds)
        order.append(double(id));
    audit(u"model_group.reorder"_s, u"model_group"_s, groupName, {{u"member_ids"_s, order}});
    Q_EMIT changed();
    return findGroup(groupName);
}

Result<ToolSet> AdminService::saveToolSet(const ToolSet &input)
{
    ToolSet set = input;
    set.name = set.name.trimmed();
    if (set.name.isEmpty())
        return ApiError::badRequest(u"name is required"_s);
    set.tools.removeAll(QString());
    set.tools.removeDuplicates();
    if (!m_store->saveToolSet(set))
        return storageFailed();
    audit(u"tool_set.save"_s, u"tool_set"_s, set.name, {{u"tools"_s, QJsonArray::fromStringList(set.tools)}});
    Q_EMIT changed();
    for (const ToolSet &saved : m_store->toolSets()) {
        if (saved.name == set.name)
            return saved;
    }
    return set;
}

Result<bool> AdminService::deleteToolSet(const QString &name)
{
    if (!m_store->deleteToolSet(name))
        return ApiError::notFound(u"Tool set not found: %1"_s.arg(name));
    audit(u"tool_set.delete"_s, u"tool_set"_s, name);
    Q_EMIT changed();
    return true;
}

Result<ModelConfig> AdminService::saveModelConfig(const ModelConfig &input)
{
    ModelConfig config = input;
    config.pattern = config.pattern.trimmed();
    if (config.pattern.isEmpty() || config.pattern == "*"_L1)
        return ApiError::badRequest(u"model_pattern must name a model, or a prefix ending with '*'"_s);
    if (config.defaultContextLength < 0 || config.maxContextLength < 0
        || (config.maxContextLength > 0 && config.defaultContextLength > config.maxContextLength))
        return ApiError::badRequest(u"context lengths must be positive, the default no larger than the maximum"_s);
    if (const auto invalid = validatePerMinute(config.requestsPerMinute, config.tokensPerMinute))
        return *invalid;
    const QList<ToolSet> sets = m_store->toolSets();
    for (const QString &name : std::as_const(config.toolSets)) {
        if (std::none_of(sets.cbegin(), sets.cend(), [&](const ToolSet &set) { return set.name == name; }))
            return ApiError::badRequest(u"Tool set not found: %1"_s.arg(name));
    }
    if (!m_store->saveModelConfig(config))
        return storageFailed();
    audit(u"model_config.save"_s, u"model_config"_s, config.pattern,
          {{u"maintenance"_s, config.maintenance},
           {u"tools_restricted"_s, config.toolsRestricted},
           {u"allowed_tools"_s, QJsonArray::fromStringList(config.allowedTools)},
           {u"tool_sets"_s, QJsonArray::fromStringList(config.toolSets)},
           {u"stripped_params"_s, QJsonArray::fromStringList(config.strippedParams)},
           {u"requests_per_minute"_s, optionalNumber(config.requestsPerMinute)},
           {u"tokens_per_minute"_s, optionalNumber(config.tokensPerMinute)}});
    Q_EMIT changed();
    for (const ModelConfig &saved : m_store->modelConfigs()) {
        if (saved.pattern == config.pattern)
            return saved;
    }
    return config;
}

Result<bool> AdminService::deleteModelConfig(const QString &pattern)
{
    if (!m_store->deleteModelConfig(pattern))
        return ApiError::notFound(u"Model configuration not found: %1"_s.arg(pattern));
    audit(u"model_config.delete"_s, u"model_config"_s, pattern);
    Q_EMIT changed();
    return true;
}

namespace {

QJsonObject promptAuditDetails(const SystemPrompt &prompt)
{
    return {{u"scope_type"_s, promptScopeName(prompt.scope)},
            {u"scope_value"_s, prompt.scopeValue},
            {u"priority"_s, prompt.priority},
            {u"is_active"_s, prompt.active}};
}

// Applies the fields present, refusing an unknown scope type; validatePrompt() checks the result.
std::optional<ApiError> applyPrompt(SystemPrompt *prompt, const AdminService::PromptInput &input)
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
    return std::nullopt;
}

} // namespace

std::optional<ApiError> AdminService::validatePrompt(SystemPrompt *prompt)
{
    // A global prompt applies to every request: a value would only suggest otherwise.
    if (prompt->scope == PromptScope::Global)
        prompt->scopeValue.clear();
    else if (prompt->scopeValue.isEmpty() || prompt->scopeValue.size() > 255)
        return ApiError::badRequest(u"scope_value must be 1-255 characters for the %1 scope"_s.arg(promptScopeName(prompt->scope)));
    if (prompt->prompt.trimmed().isEmpty())
        return ApiError::badRequest(u"prompt must not be empty"_s);
    return std::nullopt;
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
    if (!input.scopeType)
        return ApiError::badRequest(u"scope_type is required"_s);
    if (!input.prompt)
        return ApiError::badRequest(u"prompt is required"_s);
    SystemPrompt prompt;
    if (auto error = applyPrompt(&prompt, input))
        return *error;
    if (auto error = validatePrompt(&prompt))
        return *error;
    prompt.id = m_store->insertSystemPrompt(prompt);
    if (prompt.id == 0)
        return storageFailed();
    audit(u"system_prompt.create"_s, u"system_prompt"_s, QString::number(prompt.id), promptAuditDetails(prompt));
    Q_EMIT changed();
    return findSystemPrompt(prompt.id);
}

Result<SystemPrompt> AdminService::updateSystemPrompt(qint64 id, const PromptInput &input)
{
    auto found = findSystemPrompt(id);
    if (!found.ok())
        return found.error();
    SystemPrompt prompt = found.value();
    if (auto error = applyPrompt(&prompt, input))
        return *error;
    if (auto error = validatePrompt(&prompt))
        return *error;
    if (!m_store->updateSystemPrompt(prompt))
        return storageFailed();
    audit(u"system_prompt.update"_s, u"system_prompt"_s, QString::number(id), promptAuditDetails(prompt));
    Q_EMIT changed();
    return findSystemPrompt(id);
}

Result<bool> AdminService::deleteSystemPrompt(qint64 id)
{
    auto found = findSystemPrompt(id);
    if (!found.ok())
        return found.error();
    if (!m_store->deleteSystemPrompt(id))
        return storageFailed();
    audit(u"system_prompt.delete"_s, u"system_prompt"_s, QString::number(id), promptAuditDetails(found.value()));
    Q_EMIT changed();
    return true;
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
    audit(u"system_prompt.reorder"_s, u"system_prompt"_s, QString(), {{u"ids"_s, order}});
    Q_EMIT changed();
    return m_store->systemPrompts();
}

QJsonObject AdminService::settings()
{
    return Settings(m_store->settings()).toJson();
}

Result<QJsonObject> AdminService::updateSettings(const QJsonObject &values)
{
    QHash<QString, QJsonValue> typed;
    for (auto it = values.constBegin(); it != values.constEnd(); ++it) {
        auto parsed = Settings::parse(it.key(), it.value());
        if (!parsed.ok())
            return parsed.error();
        typed.insert(it.key(), parsed.value());
    }
    const Settings before(m_store->settings());
    QHash<QString, std::optional<QString>> changes;
    for (auto it = typed.cbegin(); it != typed.cend(); ++it)
        changes.insert(it.key(), storedSettingForm(it.value()));
    if (!changes.isEmpty() && !m_store->writeSettings(changes))
        return storageFailed();
    bool changedAny = false;
    for (auto it = typed.cbegin(); it != typed.cend(); ++it) {
        if (before.value(it.key()) == it.value())
            continue;
        audit(u"setting.update"_s, u"setting"_s, it.key(),
              {{u"value"_s, it.value()}, {u"previous"_s, before.value(it.key())}});
        changedAny = true;
    }
    if (changedAny)
        Q_EMIT changed();
    return settings();
}

Result<QJsonObject> AdminService::resetSetting(const QString &key)
{
    const SettingSpec *spec = Settings::find(key);
    if (!spec)
        return ApiError::notFound(u"Unknown setting: %1 (known settings: %2)"_s.arg(key, Settings::keys().join(u", "_s)));
    const QJsonValue previous = Settings(m_store->settings()).value(key);
    if (!m_store->writeSettings({{key, std::nullopt}}))
        return storageFailed();
    audit(u"setting.reset"_s, u"setting"_s, key, {{u"value"_s, spec->defaultValue}, {u"previous"_s, previous}});
    Q_EMIT changed();
    return settings();
}

namespace {

// A limit in a backup: absent or null is no limit; anything else must be a whole number >= 0.
bool readLimit(const QJsonObject &object, const QString &key, std::optional<qint64> *limit)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull()) {
        *limit = std::nullopt;
        return true;
    }
    if (!value.isDouble() || value.toDouble() < 0 || value.toDouble() != double(qint64(value.toDouble())))
        return false;
    *limit = qint64(value.toDouble());
    return true;
}

QStringList stringList(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &item : value.toArray())
        list.append(item.toString());
    return list;
}

} // namespace

QJsonObject AdminService::exportBackup()
{
    QJsonArray nodes;
    for (const Node &node : m_store->nodes()) {
        nodes.append(QJsonObject{{u"id"_s, double(node.id)},
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
                                 {u"api_key_set"_s, node.hasApiKey}});
    }
    QJsonArray users;
    for (const User &user : m_store->users()) {
        users.append(QJsonObject{{u"username"_s, user.username},
                                 {u"has_all_models"_s, user.allModels},
                                 {u"models"_s, QJsonArray::fromStringList(user.models)},
                                 {u"request_limit"_s, optionalNumber(user.requestLimit)},
                                 {u"token_limit"_s, optionalNumber(user.tokenLimit)},
                                 {u"requests_per_minute"_s, optionalNumber(user.requestsPerMinute)},
                                 {u"tokens_per_minute"_s, optionalNumber(user.tokensPerMinute)}});
    }
    QJsonArray mappings;
    for (const ModelMapping &mapping : m_store->mappings())
        mappings.append(mappingAuditDetails(mapping));
    QJsonArray groups;
    for (const ModelGroup &group : m_store->groups()) {
        QJsonArray members;
        for (const GroupMember &member : group.members) {
            members.append(QJsonObject{{u"model_display_name"_s, member.model},
                                       {u"priority"_s, member.priority},
                                       {u"weight"_s, member.weight},
                                       {u"capability_tags"_s, QJsonArray::fromStringList(member.capabilityTags)},
                                       {u"is_active"_s, member.active},
                                       {u"context_fallback"_s, member.contextFallback}});
        }
        groups.append(QJsonObject{{u"name"_s, group.name},
                                  {u"description"_s, group.description},
                                  {u"strategy"_s, group.strategy},
                                  {u"is_active"_s, group.active},
                                  {u"list_in_catalog"_s, group.listInCatalog},
                                  {u"priority"_s, group.priority},
                                  {u"max_failover_retries"_s, group.maxFailoverRetries},
                                  {u"members"_s, members}});
    }
    QJsonArray toolSets;
    for (const ToolSet &set : m_store->toolSets()) {
        toolSets.append(QJsonObject{{u"name"_s, set.name},
                                    {u"description"_s, set.description},
                                    {u"tools"_s, QJsonArray::fromStringList(set.tools)}});
    }
    QJsonArray modelConfigs;
    for (const ModelConfig &config : m_store->modelConfigs()) {
        modelConfigs.append(QJsonObject{{u"model_pattern"_s, config.pattern},
                                        {u"tools_restricted"_s, config.toolsRestricted},
                                        {u"allowed_tools"_s, QJsonArray::fromStringList(config.allowedTools)},
                                        {u"tool_sets"_s, QJsonArray::fromStringList(config.toolSets)},
                                        {u"stripped_params"_s, QJsonArray::fromStringList(config.strippedParams)},
                                        {u"default_context_length"_s, double(config.defaultContextLength)},
                                        {u"max_context_length"_s, double(config.maxContextLength)},
                                        {u"maintenance"_s, config.maintenance},
                                        {u"maintenance_message"_s, config.maintenanceMessage},
                                        {u"requests_per_minute"_s, optionalNumber(config.requestsPerMinute)},
                                        {u"tokens_per_minute"_s, optionalNumber(config.tokensPerMinute)}});
    }
    QJsonArray prompts;
    for (const SystemPrompt &prompt : m_store->systemPrompts()) {
        prompts.append(QJsonObject{{u"scope_type"_s, promptScopeName(prompt.scope)},
                                   {u"scope_value"_s, prompt.scopeValue},
                                   {u"prompt"_s, prompt.prompt},
                                   {u"priority"_s, prompt.priority},
                                   {u"is_active"_s, prompt.active},
                                   {u"description"_s, prompt.description}});
    }
    // The settings that were set (typed); the others follow the defaults of the importing side.
    QJsonObject settings;
    const auto stored = m_store->settings();
    for (auto it = stored.cbegin(); it != stored.cend(); ++it) {
        if (auto typed = Settings::parse(it.key(), it.value()); typed.ok())
            settings.insert(it.key(), typed.value());
    }
    return {{u"version"_s, BackupVersion},
            {u"groups"_s, groups},
            {u"tool_sets"_s, toolSets},
            {u"model_configs"_s, modelConfigs},
            {u"system_prompts"_s, prompts},
            {u"exported_at"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
            {u"nodes"_s, nodes},
            {u"users"_s, users},
            {u"mappings"_s, mappings},
            {u"settings"_s, settings}};
}

Result<AdminService::ImportOutcome> AdminService::importBackup(const QJsonObject &backup)
{
    if (backup.value("version"_L1).toInt(-1) != BackupVersion)
        return ApiError::badRequest(u"not a Model Maestro backup of version %1"_s.arg(BackupVersion));
    for (const char *section : {"nodes", "users", "mappings", "groups", "tool_sets", "model_configs", "system_prompts"}) {
        const QJsonValue value = backup.value(QLatin1StringView(section));
        if (!value.isUndefined() && !value.isArray())
            return ApiError::badRequest(u"%1 must be an array"_s.arg(QLatin1StringView(section)));
    }
    if (!backup.value("settings"_L1).isUndefined() && !backup.value("settings"_L1).isObject())
        return ApiError::badRequest(u"settings must be an object"_s);

    // Everything is checked first, so a bad entry writes nothing.
    QList<Node> nodes;
    QHash<qint64, QString> nodeNameByBackupId;
    for (const QJsonValue &value : backup.value("nodes"_L1).toArray()) {
        const QJsonObject object = value.toObject();
        Node node;
        node.name = object.value("name"_L1).toString().trimmed();
        QString url = object.value("base_url"_L1).toString().trimmed();
        while (url.endsWith(u'/'))
            url.chop(1);
        node.baseUrl = QUrl(url, QUrl::StrictMode);
        const auto type = nodeTypeFromName(object.value("node_type"_L1).toString(u"ollama"_s));
        if (!type)
            return ApiError::badRequest(u"node %1: node_type must be \"ollama\" or \"openai\""_s.arg(node.name));
        node.type = *type;
        node.priority = object.value("priority"_L1).toInt(0);
        node.weight = object.value("weight"_L1).toInt(100);
        node.active = object.value("is_active"_L1).toBool(true);
        node.warmupEnabled = object.value("warmup_enabled"_L1).toBool(false);
        // Backups from before per-node timeouts have none: the gateway's settings then apply.
        node.connectTimeoutSeconds = object.value("connect_timeout_seconds"_L1).toInt(0);
        node.firstByteTimeoutSeconds = object.value("first_byte_timeout_seconds"_L1).toInt(0);
        node.idleTimeoutSeconds = object.value("idle_timeout_seconds"_L1).toInt(0);
        if (const auto error = validateNode(node))
            return ApiError::badRequest(u"node %1: %2"_s.arg(node.name, error->message));
        nodeNameByBackupId.insert(qint64(object.value("id"_L1).toDouble()), node.name);
        nodes.append(node);
    }
    struct UserEntry
    {
        QString username;
        bool allModels = false;
        QStringList models;
        UserLimits limits;
    };
    QList<UserEntry> users;
    for (const QJsonValue &value : backup.value("users"_L1).toArray()) {
        const QJsonObject object = value.toObject();
        UserEntry user;
        user.username = object.value("username"_L1).toString();
        if (!validUsername(user.username))
            return ApiError::badRequest(u"invalid username in the backup: \"%1\""_s.arg(user.username));
        user.allModels = object.value("has_all_models"_L1).toBool();
        user.models = stringList(object.value("models"_L1));
        if (!readLimit(object, u"request_limit"_s, &user.limits.requestLimit)
            || !readLimit(object, u"token_limit"_s, &user.limits.tokenLimit)
            || !readLimit(object, u"requests_per_minute"_s, &user.limits.requestsPerMinute)
            || !readLimit(object, u"tokens_per_minute"_s, &user.limits.tokensPerMinute)
            || validateLimits(user.limits))
            return ApiError::badRequest(u"user %1: limits must be whole numbers or null, per-minute ones positive"_s.arg(user.username));
        users.append(user);
    }
    QList<std::pair<ModelMapping, QStringList>> mappings; // with the names of their nodes
    for (const QJsonValue &value : backup.value("mappings"_L1).toArray()) {
        const QJsonObject object = value.toObject();
        ModelMapping mapping;
        mapping.displayName = object.value("display_name"_L1).toString().trimmed();
        mapping.realName = object.value("real_name"_L1).toString().trimmed();
        if (mapping.displayName.isEmpty() || mapping.realName.isEmpty())
            return ApiError::badRequest(u"every mapping needs display_name and real_name"_s);
        mapping.contextLength = qint64(object.value("context_length"_L1).toDouble(0));
        mapping.capabilities = stringList(object.value("capabilities"_L1));
        QStringList nodeNames;
        for (const QJsonValue &id : object.value("node_ids"_L1).toArray()) {
            const QString name = nodeNameByBackupId.value(qint64(id.toDouble()));
            if (name.isEmpty())
                return ApiError::badRequest(u"mapping %1 names node %2, which the backup does not contain"_s
                                                .arg(mapping.displayName)
                                                .arg(qint64(id.toDouble())));
            nodeNames.append(name);
        }
        mappings.append({mapping, nodeNames});
    }
    QList<ModelGroup> groups;
    for (const QJsonValue &value : backup.value("groups"_L1).toArray()) {
        const QJsonObject object = value.toObject();
        ModelGroup group;
        group.name = object.value("name"_L1).toString().trimmed();
        group.description = object.value("description"_L1).toString();
        group.strategy = object.value("strategy"_L1).toString(u"round_robin"_s);
        group.active = object.value("is_active"_L1).toBool(true);
        group.listInCatalog = object.value("list_in_catalog"_L1).toBool(false);
        group.priority = object.value("priority"_L1).toInt();
        group.maxFailoverRetries = std::max(object.value("max_failover_retries"_L1).toInt(), 0);
        if (group.name.isEmpty())
            return ApiError::badRequest(u"every group needs a name"_s);
        if (const auto error = validateStrategy(group.strategy))
            return *error;
        for (const QJsonValue &item : object.value("members"_L1).toArray()) {
            const QJsonObject m = item.toObject();
            GroupMember member;
            member.model = m.value("model_display_name"_L1).toString().trimmed();
            member.priority = m.value("priority"_L1).toInt();
            member.weight = m.value("weight"_L1).toInt(100);
            member.capabilityTags = stringList(m.value("capability_tags"_L1));
            member.active = m.value("is_active"_L1).toBool(true);
            member.contextFallback = m.value("context_fallback"_L1).toBool(false);
            if (member.model.isEmpty())
                return ApiError::badRequest(u"every member of group %1 needs a model_display_name"_s.arg(group.name));
            group.members.append(member);
        }
        groups.append(group);
    }
    QList<ToolSet> toolSets;
    QSet<QString> toolSetNames;
    for (const ToolSet &set : m_store->toolSets())
        toolSetNames.insert(set.name);
    for (const QJsonValue &value : backup.value("tool_sets"_L1).toArray()) {
        const QJsonObject object = value.toObject();
        ToolSet set{0, object.value("name"_L1).toString().trimmed(), object.value("description"_L1).toString(),
                    stringList(object.value("tools"_L1))};
        if (set.name.isEmpty())
            return ApiError::badRequest(u"every tool set needs a name"_s);
        toolSetNames.insert(set.name);
        toolSets.append(set);
    }
    QList<ModelConfig> modelConfigs;
    for (const QJsonValue &value : backup.value("model_configs"_L1).toArray()) {
        const QJsonObject object = value.toObject();
        ModelConfig config;
        config.pattern = object.value("model_pattern"_L1).toString().trimmed();
        config.toolsRestricted = object.value("tools_restricted"_L1).toBool(false);
        config.allowedTools = stringList(object.value("allowed_tools"_L1));
        config.toolSets = stringList(object.value("tool_sets"_L1));
        config.strippedParams = stringList(object.value("stripped_params"_L1));
        config.defaultContextLength = qint64(object.value("default_context_length"_L1).toDouble(0));
        config.maxContextLength = qint64(object.value("max_context_length"_L1).toDouble(0));
        config.maintenance = object.value("maintenance"_L1).toBool(false);
        config.maintenanceMessage = object.value("maintenance_message"_L1).toString();
        if (config.pattern.isEmpty() || config.pattern == "*"_L1)
            return ApiError::badRequest(u"every model configuration needs a model_pattern"_s);
        if (!readLimit(object, u"requests_per_minute"_s, &config.requestsPerMinute)
            || !readLimit(object, u"tokens_per_minute"_s, &config.tokensPerMinute)
            || validatePerMinute(config.requestsPerMinute, config.tokensPerMinute))
            return ApiError::badRequest(u"model configuration %1: per-minute limits must be positive whole numbers or null"_s.arg(config.pattern));
        for (const QString &name : std::as_const(config.toolSets)) {
            if (!toolSetNames.contains(name))
                return ApiError::badRequest(u"model configuration %1 names tool set %2, which does not exist"_s.arg(config.pattern, name));
        }
        modelConfigs.append(config);
    }
    QList<SystemPrompt> prompts;
    for (const QJsonValue &value : backup.value("system_prompts"_L1).toArray()) {
        const QJsonObject object = value.toObject();
        PromptInput input;
        input.scopeType = object.value("scope_type"_L1).toString();
        input.scopeValue = object.value("scope_value"_L1).toString();
        input.prompt = object.value("prompt"_L1).toString();
        input.priority = object.value("priority"_L1).toInt();
        input.active = object.value("is_active"_L1).toBool(true);
        input.description = object.value("description"_L1).toString();
        SystemPrompt prompt;
        if (auto error = applyPrompt(&prompt, input); error || (error = validatePrompt(&prompt)))
            return ApiError::badRequest(u"system prompt %1: %2"_s.arg(prompts.size() + 1).arg(error->message));
        prompts.append(prompt);
    }
    const QJsonObject settings = backup.value("settings"_L1).toObject();
    QHash<QString, std::optional<QString>> settingValues;
    for (auto it = settings.constBegin(); it != settings.constEnd(); ++it) {
        auto typed = Settings::parse(it.key(), it.value());
        if (!typed.ok())
            return ApiError::badRequest(u"settings: %1"_s.arg(typed.error().message));
        settingValues.insert(it.key(), storedSettingForm(typed.value()));
    }

    // Node ids differ between installations: nodes are matched by name, and mappings follow.
    QHash<QString, qint64> nodeIdByName;
    for (const Node &node : m_store->nodes())
        nodeIdByName.insert(node.name, node.id);
    for (Node node : std::as_const(nodes)) {
        if (const auto it = nodeIdByName.constFind(node.name); it != nodeIdByName.cend()) {
            const auto existing = m_store->node(*it);
            node.id = *it;
            node.hasApiKey = existing && existing->hasApiKey; // the key stays where it is
            if (!m_store->updateNode(node))
                return storageFailed();
        } else {
            node.hasApiKey = false;
            node.id = m_store->insertNode(node);
            if (node.id == 0)
                return storageFailed();
            nodeIdByName.insert(node.name, node.id);
        }
    }
    ImportOutcome outcome;
    for (const UserEntry &entry : std::as_const(users)) {
        auto existing = m_store->user(entry.username);
        qint64 id = existing && existing->active ? existing->id : 0;
        if (id == 0) {
            const QString token = Tokens::generate();
            id = m_store->createUser(entry.username, Tokens::hash(token.toLatin1()));
            if (id == 0)
                return storageFailed();
            outcome.createdUsers.append({entry.username, token});
        }
        if (!m_store->setUserModels(id, entry.allModels ? QStringList() : entry.models, entry.allModels)
            || !m_store->setUserLimits(id, entry.limits))
            return storageFailed();
    }
    QSet<QString> mappingNames;
    for (const ModelMapping &mapping : m_store->mappings())
        mappingNames.insert(mapping.displayName);
    for (auto [mapping, nodeNames] : std::as_const(mappings)) {
        for (const QString &name : std::as_const(nodeNames))
            mapping.nodeIds.append(nodeIdByName.value(name));
        mapping.createdAt = QDateTime::currentDateTimeUtc();
        const bool ok = mappingNames.contains(mapping.displayName)
            ? m_store->updateMapping(mapping.displayName, mapping)
            : m_store->insertMapping(mapping);
        if (!ok)
            return storageFailed();
    }
    // Groups are matched by name; an imported group's members replace the existing ones.
    QHash<QString, qint64> groupIdByName;
    for (const ModelGroup &group : m_store->groups())
        groupIdByName.insert(group.name, group.id);
    for (ModelGroup group : std::as_const(groups)) {
        if (const auto it = groupIdByName.constFind(group.name); it != groupIdByName.cend()) {
            group.id = *it;
            if (!m_store->updateGroup(group))
                return storageFailed();
            if (const auto current = findGroup(group.name); current.ok()) {
                for (const GroupMember &old : current.value().members) {
                    if (!m_store->deleteMember(old.id))
                        return storageFailed();
                }
            }
        } else {
            group.id = m_store->insertGroup(group);
            if (group.id == 0)
                return storageFailed();
        }
        for (GroupMember member : std::as_const(group.members)) {
            member.groupId = group.id;
            if (m_store->insertMember(member) == 0)
                return storageFailed();
        }
    }
    for (const ToolSet &set : std::as_const(toolSets)) {
        if (!m_store->saveToolSet(set))
            return storageFailed();
    }
    for (const ModelConfig &config : std::as_const(modelConfigs)) {
        if (!m_store->saveModelConfig(config))
            return storageFailed();
    }
    // A prompt has no name: one with the same scope and text is the same prompt.
    const QList<SystemPrompt> existingPrompts = m_store->systemPrompts();
    for (SystemPrompt prompt : std::as_const(prompts)) {
        const auto same = std::find_if(existingPrompts.cbegin(), existingPrompts.cend(), [&](const SystemPrompt &p) {
            return p.scope == prompt.scope && p.scopeValue == prompt.scopeValue && p.prompt == prompt.prompt;
        });
        if (same != existingPrompts.cend()) {
            prompt.id = same->id;
            if (!m_store->updateSystemPrompt(prompt))
                return storageFailed();
        } else if (m_store->insertSystemPrompt(prompt) == 0) {
            return storageFailed();
        }
    }
    if (!settingValues.isEmpty() && !m_store->writeSettings(settingValues))
        return storageFailed();

    outcome.counts = {{u"nodes"_s, int(nodes.size())},
                      {u"users"_s, int(users.size())},
                      {u"mappings"_s, int(mappings.size())},
                      {u"groups"_s, int(groups.size())},
                      {u"tool_sets"_s, int(toolSets.size())},
                      {u"model_configs"_s, int(modelConfigs.size())},
                      {u"system_prompts"_s, int(prompts.size())},
                      {u"settings"_s, int(settings.size())}};
    QJsonObject details = outcome.counts;
    QJsonArray created;
    for (const auto &[username, token] : std::as_const(outcome.createdUsers))
        created.append(username);
    details.insert(u"created_users"_s, created);
    audit(u"backup.import"_s, u"backup"_s, QString(), details);
    Q_EMIT changed();
    return outcome;
}

} // namespace Maestro

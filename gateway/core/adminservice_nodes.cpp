// Nodes: their settings, API keys and secret headers (in the secret store, never in SQL), health
// and models.

#include "adminservice.h"
#include "adminservice_p.h"
#include "bedrockcredentials.h"
#include "nodeheaders.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace AdminSupport;

namespace {

QStringList headerNames(const Node &node)
{
    QStringList names;
    for (const auto &header : node.headers)
        names.append(header.first);
    return names;
}

// Names the headers, never their values (a plain value may still be a tenant id an admin would
// rather not spread).
QJsonObject nodeAuditDetails(const Node &node, bool keyChanged, bool secretHeadersChanged = false)
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
    if (node.type == NodeType::Bedrock) {
        details.insert(u"region"_s, node.region);
        details.insert(u"model_ids"_s, QJsonArray::fromStringList(node.modelIds));
    }
    details.insert(u"header_names"_s, QJsonArray::fromStringList(headerNames(node)));
    details.insert(u"secret_header_names"_s, QJsonArray::fromStringList(node.secretHeaderNames));
    details.insert(u"health_check_url"_s, node.healthCheckUrl);
    details.insert(u"auto_sync_enabled"_s, node.autoSyncEnabled);
    if (keyChanged)
        details.insert(u"api_key_changed"_s, true);
    if (secretHeadersChanged)
        details.insert(u"secret_headers_changed"_s, true);
    return details;
}

// The secret to store for `input` on `node`: the API key as given, or for IAM credentials of a
// Bedrock node the access key id and secret (and session token) as one; nothing when neither
// changes. IAM credentials are set together, so a half-changed pair never signs.
std::optional<ApiError> nodeSecret(const Node &node, const AdminService::NodeInput &input,
                                   std::optional<QString> *secret)
{
    *secret = input.apiKey;
    if (!input.awsAccessKeyId && !input.awsSecretAccessKey && !input.awsSessionToken)
        return std::nullopt;
    if (node.type != NodeType::Bedrock)
        return ApiError::badRequest(u"aws_access_key_id, aws_secret_access_key and aws_session_token are for bedrock nodes"_s);
    BedrockCredentials credentials;
    // The seed put the access key id in api_key.
    credentials.accessKeyId = input.awsAccessKeyId.value_or(input.apiKey.value_or(QString())).trimmed();
    credentials.secretAccessKey = input.awsSecretAccessKey.value_or(QString()).trimmed();
    credentials.sessionToken = input.awsSessionToken.value_or(QString()).trimmed();
    if (credentials.accessKeyId.isEmpty() || credentials.secretAccessKey.isEmpty())
        return ApiError::badRequest(u"aws_access_key_id and aws_secret_access_key are required together (with aws_session_token for temporary credentials)"_s);
    *secret = credentials.toSecret();
    return std::nullopt;
}

// The secret headers `node` has after `input`: the stored ones (read from the secret store when
// the node has any) with the input's changes, a value setting or replacing one, a null removing
// it. Nothing when the input leaves them as they are. Checks the values; the names are checked
// with the rest of the node (validateNode).
std::optional<ApiError> nodeSecretHeaders(SecretStore *secrets, const Node &node,
                                          const AdminService::NodeInput &input,
                                          std::optional<NodeHeaders::Pairs> *headers)
{
    if (!input.secretHeaders)
        return std::nullopt;
    NodeHeaders::Pairs current;
    if (node.id != 0 && !node.secretHeaderNames.isEmpty()) {
        const auto stored = secrets->read(NodeHeaders::secretRef(node.id));
        if (!stored)
            return ApiError::internal(u"The secret headers could not be read from %1"_s.arg(secrets->description()));
        for (const auto &header : NodeHeaders::decodeSecret(*stored)) {
            if (node.secretHeaderNames.contains(header.first, Qt::CaseInsensitive))
                current.append(header);
        }
    }
    for (const auto &[name, value] : *input.secretHeaders) {
        // A structured binding cannot be captured before C++20.
        const QString &named = name;
        const auto same = [&named](const auto &header) { return header.first.compare(named, Qt::CaseInsensitive) == 0; };
        current.erase(std::remove_if(current.begin(), current.end(), same), current.end());
        if (!value)
            continue;
        if (value->isEmpty())
            return ApiError::badRequest(u"secret header %1 needs a value (null removes it)"_s.arg(name));
        if (auto invalid = NodeHeaders::checkValue(name, *value))
            return ApiError::badRequest(*invalid);
        current.append({name, *value});
    }
    *headers = current;
    return std::nullopt;
}

// Writes the secret headers (or removes them when there are none left); false when the secret
// store refused.
bool storeSecretHeaders(SecretStore *secrets, qint64 nodeId, const NodeHeaders::Pairs &headers)
{
    if (headers.isEmpty()) {
        secrets->remove(NodeHeaders::secretRef(nodeId));
        return true;
    }
    return secrets->write(NodeHeaders::secretRef(nodeId), NodeHeaders::encodeSecret(headers));
}

QStringList namesOf(const NodeHeaders::Pairs &headers)
{
    QStringList names;
    for (const auto &header : headers)
        names.append(header.first);
    return names;
}

std::optional<ApiError> nameTaken(Store *store, const Node &node)
{
    for (const Node &other : store->nodes()) {
        if (other.id != node.id && other.name == node.name)
            return ApiError::conflict(u"A node named %1 already exists"_s.arg(node.name));
    }
    return std::nullopt;
}

Result<Node> stored(Store *store, qint64 id)
{
    auto node = store->node(id);
    if (!node)
        return storageFailed();
    return *node;
}

} // namespace

std::optional<ApiError> AdminSupport::applyNodeInput(Node *node, const AdminService::NodeInput &input)
{
    if (input.name)
        node->name = input.name->trimmed();
    if (input.baseUrl) {
        QString url = input.baseUrl->trimmed();
        while (url.endsWith(u'/'))
            url.chop(1);
        node->baseUrl = QUrl(url, QUrl::StrictMode);
    }
    if (input.nodeType) {
        const auto type = nodeTypeFromName(*input.nodeType);
        if (!type)
            return ApiError::badRequest(u"node_type must be \"ollama\", \"openai\", \"bedrock\" or \"anthropic\""_s);
        node->type = *type;
        if (node->type != NodeType::Bedrock) {
            // What only a Bedrock node has goes with the type.
            node->region.clear();
            node->modelIds.clear();
        }
    }
    if (input.priority)
        node->priority = *input.priority;
    if (input.weight)
        node->weight = *input.weight;
    if (input.active)
        node->active = *input.active;
    if (input.warmupEnabled)
        node->warmupEnabled = *input.warmupEnabled;
    if (input.connectTimeoutSeconds)
        node->connectTimeoutSeconds = *input.connectTimeoutSeconds;
    if (input.firstByteTimeoutSeconds)
        node->firstByteTimeoutSeconds = *input.firstByteTimeoutSeconds;
    if (input.idleTimeoutSeconds)
        node->idleTimeoutSeconds = *input.idleTimeoutSeconds;
    if (input.region)
        node->region = input.region->trimmed();
    if (input.headers) {
        node->headers.clear();
        for (const auto &[name, value] : *input.headers)
            node->headers.append({name.trimmed(), value});
    }
    if (input.healthCheckUrl)
        node->healthCheckUrl = input.healthCheckUrl->trimmed();
    if (input.autoSyncEnabled)
        node->autoSyncEnabled = *input.autoSyncEnabled;
    if (input.modelIds) {
        node->modelIds.clear();
        for (const QString &id : *input.modelIds) {
            if (!id.trimmed().isEmpty() && !node->modelIds.contains(id.trimmed()))
                node->modelIds.append(id.trimmed());
        }
    }
    // An Anthropic node given no address talks to Anthropic's own API.
    if (node->type == NodeType::Anthropic && node->baseUrl.isEmpty())
        node->baseUrl = QUrl(u"https://api.anthropic.com"_s);
    return std::nullopt;
}

std::optional<ApiError> AdminSupport::validateNode(const Node &node)
{
    if (node.name.trimmed().isEmpty())
        return ApiError::badRequest(u"name is required"_s);
    if (node.type == NodeType::Bedrock) {
        static const QRegularExpression regionPattern(u"^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$"_s);
        if (!regionPattern.match(node.region).hasMatch())
            return ApiError::badRequest(u"region must be an AWS region such as \"us-east-1\" for a bedrock node"_s);
        if (node.modelIds.size() > 1000)
            return ApiError::badRequest(u"model_ids may name at most 1000 models"_s);
        for (const QString &id : node.modelIds) {
            if (id.size() > 2048 || id.contains(u' ') || (id.contains(u'/') && !id.startsWith("arn:"_L1)))
                return ApiError::badRequest(u"model_ids: \"%1\" is not a Bedrock model id, inference profile or ARN"_s.arg(id.left(100)));
        }
    } else if (!node.region.isEmpty() || !node.modelIds.isEmpty()) {
        return ApiError::badRequest(u"region and model_ids are for bedrock nodes"_s);
    }
    // A Bedrock node without a base URL talks to its region's endpoint.
    const bool regional = node.type == NodeType::Bedrock && node.baseUrl.isEmpty();
    if (!regional && (!node.baseUrl.isValid() || node.baseUrl.host().isEmpty()
        || (node.baseUrl.scheme() != "http"_L1 && node.baseUrl.scheme() != "https"_L1))) {
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
    if (!node.healthCheckUrl.isEmpty()) {
        const QUrl url(node.healthCheckUrl, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty() || (url.scheme() != "http"_L1 && url.scheme() != "https"_L1)
            || node.healthCheckUrl.size() > 2048)
            return ApiError::badRequest(u"health_check_url must be an http:// or https:// URL"_s);
    }
    if (node.headers.size() + node.secretHeaderNames.size() > NodeHeaders::MaxHeaders)
        return ApiError::badRequest(u"a node may have at most %1 headers"_s.arg(NodeHeaders::MaxHeaders));
    QStringList seen;
    const auto checkName = [&](const QString &name) -> std::optional<ApiError> {
        if (auto invalid = NodeHeaders::checkName(name, node))
            return ApiError::badRequest(*invalid);
        if (seen.contains(name, Qt::CaseInsensitive))
            return ApiError::badRequest(u"header %1 is given twice (names are case-insensitive, and a header is plain or secret)"_s.arg(name));
        seen.append(name);
        return std::nullopt;
    };
    for (const auto &[name, value] : node.headers) {
        if (auto invalid = checkName(name))
            return invalid;
        if (auto invalid = NodeHeaders::checkValue(name, value))
            return ApiError::badRequest(*invalid);
    }
    for (const QString &name : node.secretHeaderNames) {
        if (auto invalid = checkName(name))
            return invalid;
    }
    return std::nullopt;
}

Result<Node> AdminService::addNode(const NodeInput &input)
{
    // A new node starts from Node's defaults: an Ollama node, priority 0, weight 100, active.
    Node node;
    if (const auto error = applyNodeInput(&node, input))
        return *error;
    std::optional<QString> secret;
    if (const auto error = nodeSecret(node, input, &secret))
        return *error;
    node.hasApiKey = secret && !secret->isEmpty();
    std::optional<NodeHeaders::Pairs> secretHeaders;
    if (const auto error = nodeSecretHeaders(m_secrets, node, input, &secretHeaders))
        return *error;
    if (secretHeaders)
        node.secretHeaderNames = namesOf(*secretHeaders);
    if (auto error = validateNode(node); error || (error = nameTaken(m_store, node)))
        return *error;
    node.createdAt = QDateTime::currentDateTimeUtc();
    node.id = m_store->insertNode(node);
    if (node.id == 0)
        return storageFailed();
    if (node.hasApiKey && !m_secrets->write(nodeApiKeyName(node.id), *secret)) {
        m_store->deleteNode(node.id);
        return ApiError::internal(u"The API key could not be stored in %1"_s.arg(m_secrets->description()));
    }
    if (secretHeaders && !storeSecretHeaders(m_secrets, node.id, *secretHeaders)) {
        m_store->deleteNode(node.id);
        if (node.hasApiKey)
            m_secrets->remove(nodeApiKeyName(node.id));
        return ApiError::internal(u"The secret headers could not be stored in %1"_s.arg(m_secrets->description()));
    }
    announce(u"node.create"_s, u"node"_s, QString::number(node.id),
             nodeAuditDetails(node, node.hasApiKey, !node.secretHeaderNames.isEmpty()));
    return stored(m_store, node.id);
}

Result<Node> AdminService::updateNode(qint64 id, const NodeInput &input)
{
    MAESTRO_TRY(node, findNode(id));
    if (const auto error = applyNodeInput(&node, input))
        return *error;
    std::optional<QString> secret;
    if (const auto error = nodeSecret(node, input, &secret))
        return *error;
    std::optional<NodeHeaders::Pairs> secretHeaders;
    if (const auto error = nodeSecretHeaders(m_secrets, node, input, &secretHeaders))
        return *error;
    // Checked as the node will be: whether it has a key decides whether Authorization is free.
    Node checked = node;
    if (secret)
        checked.hasApiKey = !secret->isEmpty();
    if (secretHeaders)
        checked.secretHeaderNames = namesOf(*secretHeaders);
    if (auto error = validateNode(checked); error || (error = nameTaken(m_store, node)))
        return *error;
    if (secretHeaders) {
        if (!storeSecretHeaders(m_secrets, id, *secretHeaders))
            return ApiError::internal(u"The secret headers could not be stored in %1"_s.arg(m_secrets->description()));
        node.secretHeaderNames = checked.secretHeaderNames;
    }
    if (secret) {
        if (secret->isEmpty()) {
            m_secrets->remove(nodeApiKeyName(id));
            node.hasApiKey = false;
        } else if (m_secrets->write(nodeApiKeyName(id), *secret)) {
            node.hasApiKey = true;
        } else {
            return ApiError::internal(u"The API key could not be stored in %1"_s.arg(m_secrets->description()));
        }
    }
    if (!m_store->updateNode(node))
        return storageFailed();
    announce(u"node.update"_s, u"node"_s, QString::number(id),
             nodeAuditDetails(node, secret.has_value(), secretHeaders.has_value()));
    return stored(m_store, id);
}

Result<Node> AdminService::toggleNode(qint64 id)
{
    MAESTRO_TRY(node, findNode(id));
    node.active = !node.active;
    if (!m_store->updateNode(node))
        return storageFailed();
    announce(u"node.toggle"_s, u"node"_s, QString::number(id), {{u"is_active"_s, node.active}});
    return node;
}

Result<bool> AdminService::deleteNode(qint64 id)
{
    return deleteFound(
        findNode(id),
        [this](const Node &node) {
            if (!m_store->deleteNode(node.id))
                return false;
            if (node.hasApiKey)
                m_secrets->remove(nodeApiKeyName(node.id));
            if (!node.secretHeaderNames.isEmpty())
                m_secrets->remove(NodeHeaders::secretRef(node.id));
            return true;
        },
        u"node.delete"_s, u"node"_s, QString::number(id),
        [](const Node &node) { return QJsonObject{{u"name"_s, node.name}}; });
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

} // namespace Maestro

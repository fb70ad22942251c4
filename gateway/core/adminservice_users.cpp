// Users, their tokens, allowlists and limits.

#include "adminservice.h"
#include "adminservice_p.h"
#include "entityjson.h"
#include "settings.h"
#include "tokens.h"

#include <QJsonArray>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace AdminSupport;

namespace {

// The user as stored after a change; the store answering nothing now means it failed.
Result<User> stored(Store *store, const QString &username)
{
    auto user = store->user(username);
    if (!user)
        return storageFailed();
    return *user;
}

QJsonObject limitsAuditDetails(const UserLimits &limits)
{
    return {{u"request_limit"_s, limitToJson(limits.requestLimit)},
            {u"token_limit"_s, limitToJson(limits.tokenLimit)},
            {u"requests_per_minute"_s, limitToJson(limits.requestsPerMinute)},
            {u"tokens_per_minute"_s, limitToJson(limits.tokensPerMinute)}};
}

} // namespace

std::optional<ApiError> AdminSupport::validateUsername(const QString &name)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9._@-]{1,64}$"_s);
    if (!pattern.match(name).hasMatch())
        return ApiError::badRequest(u"username must be 1-64 characters of letters, digits, '.', '_', '-' or '@'"_s);
    return std::nullopt;
}

std::optional<ApiError> AdminSupport::validateLimits(const UserLimits &limits)
{
    if ((limits.requestLimit && *limits.requestLimit < 0) || (limits.tokenLimit && *limits.tokenLimit < 0))
        return ApiError::badRequest(u"daily limits must be zero or positive, or null for unlimited"_s);
    return validatePerMinute(limits.requestsPerMinute, limits.tokensPerMinute);
}

std::optional<ApiError> AdminSupport::validatePerMinute(std::optional<qint64> requests,
                                                        std::optional<qint64> tokens)
{
    // A per-minute limit of 0 would refuse everything: that is what deactivating is for.
    if ((requests && *requests <= 0) || (tokens && *tokens <= 0))
        return ApiError::badRequest(u"per-minute limits must be positive whole numbers, or null for unlimited"_s);
    return std::nullopt;
}

Result<QStringList> AdminSupport::normalizeModelNames(const QStringList &models)
{
    QStringList unique;
    for (const QString &model : models) {
        const QString trimmed = model.trimmed();
        if (trimmed.isEmpty())
            return ApiError::badRequest(u"model names must not be empty"_s);
        if (!unique.contains(trimmed))
            unique.append(trimmed);
    }
    return unique;
}

Result<AdminService::CreatedUser> AdminService::createUser(const QString &username,
                                                          const NewUserLimits &limits)
{
    if (const auto invalid = validateUsername(username))
        return *invalid;
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
    MAESTRO_TRY(user, stored(m_store, username));
    announce(u"user.create"_s, u"user"_s, username, limitsAuditDetails(given));
    return CreatedUser{user, token};
}

Result<AdminService::CreatedUser> AdminService::rotateToken(const QString &username)
{
    MAESTRO_TRY(user, findUser(username));
    const QString token = Tokens::generate();
    if (!m_store->setTokenHash(user.id, Tokens::hash(token.toLatin1())))
        return storageFailed();
    announce(u"user.token_rotate"_s, u"user"_s, username);
    MAESTRO_TRY(rotated, stored(m_store, username));
    return CreatedUser{rotated, token};
}

Result<bool> AdminService::deleteUser(const QString &username)
{
    return deleteFound(
        findUser(username), [this](const User &user) { return m_store->deactivateUser(user.id); },
        u"user.delete"_s, u"user"_s, username, noDetails);
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
    MAESTRO_TRY(user, findUser(username));
    MAESTRO_TRY(unique, normalizeModelNames(models));
    if (!m_store->setUserModels(user.id, unique, false))
        return storageFailed();
    announce(u"user.models_set"_s, u"user"_s, username, {{u"models"_s, QJsonArray::fromStringList(unique)}});
    return stored(m_store, username);
}

Result<User> AdminService::grantAllModels(const QString &username)
{
    MAESTRO_TRY(user, findUser(username));
    if (!m_store->setUserModels(user.id, {}, true))
        return storageFailed();
    announce(u"user.models_all"_s, u"user"_s, username);
    return stored(m_store, username);
}

Result<User> AdminService::revokeModel(const QString &username, const QString &model)
{
    MAESTRO_TRY(user, findUser(username));
    QStringList models = user.models;
    const bool all = model == "all"_L1;
    if (all)
        models.clear();
    else if (models.removeAll(model) == 0)
        return ApiError::badRequest(u"The model '%1' is not granted to %2"_s.arg(model, username));
    if (!m_store->setUserModels(user.id, models, !all && user.allModels))
        return storageFailed();
    announce(u"user.model_revoked"_s, u"user"_s, username, {{u"model"_s, model}});
    return stored(m_store, username);
}

Result<User> AdminService::setUserLimits(const QString &username, const UserLimits &limits)
{
    MAESTRO_TRY(user, findUser(username));
    if (const auto invalid = validateLimits(limits))
        return *invalid;
    if (!m_store->setUserLimits(user.id, limits))
        return storageFailed();
    announce(u"user.limits_set"_s, u"user"_s, username, limitsAuditDetails(limits));
    return stored(m_store, username);
}

Result<User> AdminService::setUserNodes(const QString &username, const QList<qint64> &nodeIds,
                                        const QList<NodeModelGrant> &nodeModels)
{
    MAESTRO_TRY(user, findUser(username));
    QList<qint64> ids;
    for (qint64 id : nodeIds) {
        if (!ids.contains(id))
            ids.append(id);
    }
    QList<NodeModelGrant> pairs;
    QList<qint64> pairNodes;
    for (NodeModelGrant grant : nodeModels) {
        grant.model = grant.model.trimmed();
        if (grant.model.isEmpty())
            return ApiError::badRequest(u"a node model needs a model_name"_s);
        if (!pairs.contains(grant))
            pairs.append(grant);
        pairNodes.append(grant.nodeId);
    }
    if (const auto unknown = unknownNode(m_store, ids + pairNodes))
        return *unknown;
    if (!m_store->setUserNodes(user.id, ids, pairs))
        return storageFailed();
    announce(u"user.nodes_set"_s, u"user"_s, username, nodesToJson(ids, pairs));
    return stored(m_store, username);
}

} // namespace Maestro

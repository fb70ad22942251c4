#include "userscontroller.h"
#include "adminjson.h"
#include "core/adminservice.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Maestro {

using AdminJson::optionalNumber;
using AdminJson::readLimit;
using AdminJson::timeValue;

namespace {

// A limit given with a new user: absent leaves it to the default setting, null is unlimited.
bool readNewUserLimit(const QJsonObject &body, const QString &name,
                      std::optional<std::optional<qint64>> *out, ApiError *error)
{
    if (!body.contains(name))
        return true;
    std::optional<qint64> limit;
    if (!readLimit(body, name, false, &limit, error))
        return false;
    *out = limit;
    return true;
}

QJsonObject userJson(const User &user)
{
    return {{u"id"_s, double(user.id)},
            {u"username"_s, user.username},
            {u"is_active"_s, user.active},
            {u"has_all_models"_s, user.allModels},
            {u"models"_s, QJsonArray::fromStringList(user.models)},
            {u"request_limit"_s, optionalNumber(user.requestLimit)},
            {u"token_limit"_s, optionalNumber(user.tokenLimit)},
            {u"created_at"_s, timeValue(user.createdAt)},
            {u"updated_at"_s, timeValue(user.updatedAt)}};
}

// A user with a token shown once (created or rotated).
QJsonObject userWithTokenJson(const AdminService::CreatedUser &created)
{
    QJsonObject json = userJson(created.user);
    json.insert(u"token"_s, created.token);
    return json;
}

QJsonObject grantsJson(const User &user)
{
    return {{u"username"_s, user.username},
            {u"has_all_models"_s, user.allModels},
            {u"models"_s, QJsonArray::fromStringList(user.models)}};
}

QJsonObject limitsJson(const User &user, const Store::DayUsage &today, const Store::DayUsage &lastMinute)
{
    return {{u"username"_s, user.username},
            {u"request_limit"_s, optionalNumber(user.requestLimit)},
            {u"token_limit"_s, optionalNumber(user.tokenLimit)},
            {u"requests_today"_s, double(today.requests)},
            {u"tokens_today"_s, double(today.tokens)},
            {u"requests_per_minute"_s, optionalNumber(user.requestsPerMinute)},
            {u"tokens_per_minute"_s, optionalNumber(user.tokensPerMinute)},
            {u"requests_last_minute"_s, double(lastMinute.requests)},
            {u"tokens_last_minute"_s, double(lastMinute.tokens)},
            {u"updated_at"_s, timeValue(user.updatedAt)}};
}

} // namespace

void UsersController::createUser(AdminContext &ctx)
{
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    const QJsonValue name = body.value().value("username"_L1);
    if (!name.isString())
        return ctx.fail(ApiError::badRequest(u"\"username\" is required and must be a string"_s));
    AdminService::NewUserLimits limits;
    ApiError error;
    if (!readNewUserLimit(body.value(), u"request_limit"_s, &limits.requests, &error)
        || !readNewUserLimit(body.value(), u"token_limit"_s, &limits.tokens, &error))
        return ctx.fail(error);
    ctx.answer(admin()->createUser(name.toString().trimmed(), limits), userWithTokenJson, 201);
}

void UsersController::listUsers(AdminContext &ctx)
{
    QJsonArray users;
    for (const User &user : store()->users())
        users.append(userJson(user));
    ctx.sendJson(200, users);
}

void UsersController::getUser(AdminContext &ctx)
{
    ctx.answer(admin()->findUser(ctx.param(u"username"_s)), userJson);
}

void UsersController::deleteUser(AdminContext &ctx)
{
    ctx.answerNoContent(admin()->deleteUser(ctx.param(u"username"_s)));
}

void UsersController::rotateToken(AdminContext &ctx)
{
    ctx.answer(admin()->rotateToken(ctx.param(u"username"_s)), userWithTokenJson);
}

void UsersController::setModels(AdminContext &ctx)
{
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    const QJsonValue models = body.value().value("models"_L1);
    if (!models.isArray())
        return ctx.fail(ApiError::badRequest(u"\"models\" must be an array of model names"_s));
    QStringList names;
    for (const QJsonValue &value : models.toArray()) {
        if (!value.isString())
            return ctx.fail(ApiError::badRequest(u"\"models\" must be an array of model names"_s));
        names.append(value.toString());
    }
    ctx.answer(admin()->setUserModels(ctx.param(u"username"_s), names), grantsJson);
}

void UsersController::grantAllModels(AdminContext &ctx)
{
    ctx.answer(admin()->grantAllModels(ctx.param(u"username"_s)), grantsJson);
}

void UsersController::getModels(AdminContext &ctx)
{
    ctx.answer(admin()->findUser(ctx.param(u"username"_s)), grantsJson);
}

void UsersController::revokeModel(AdminContext &ctx)
{
    ctx.answerNoContent(admin()->revokeModel(ctx.param(u"username"_s), ctx.param(u"model"_s)));
}

// Daily limits are replaced (absent = unlimited, as the seed did); per-minute limits left out
// keep their value, so clients that only know the daily ones do not clear them. null = unlimited.
void UsersController::setLimits(AdminContext &ctx)
{
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    auto current = admin()->findUser(ctx.param(u"username"_s));
    if (ctx.failed(current))
        return;
    UserLimits limits = UserLimits::of(current.value());
    limits.requestLimit.reset();
    limits.tokenLimit.reset();
    ApiError error;
    if (!readLimit(body.value(), u"request_limit"_s, false, &limits.requestLimit, &error)
        || !readLimit(body.value(), u"token_limit"_s, false, &limits.tokenLimit, &error)
        || !readLimit(body.value(), u"requests_per_minute"_s, true, &limits.requestsPerMinute, &error)
        || !readLimit(body.value(), u"tokens_per_minute"_s, true, &limits.tokensPerMinute, &error))
        return ctx.fail(error);
    auto user = admin()->setUserLimits(ctx.param(u"username"_s), limits);
    if (ctx.failed(user))
        return;
    sendLimits(ctx, user.value());
}

void UsersController::sendLimits(AdminContext &ctx, const User &user)
{
    Limiter &limiter = control()->limiter();
    ctx.sendJson(200, limitsJson(user, limiter.today(user.id), limiter.lastMinute(user.id)));
}

void UsersController::getLimits(AdminContext &ctx)
{
    auto user = admin()->findUser(ctx.param(u"username"_s));
    if (ctx.failed(user))
        return;
    sendLimits(ctx, user.value());
}

void UsersController::deleteLimits(AdminContext &ctx)
{
    ctx.answerNoContent(admin()->setUserLimits(ctx.param(u"username"_s), UserLimits()));
}

} // namespace Maestro

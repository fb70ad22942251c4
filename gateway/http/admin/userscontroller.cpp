#include "userscontroller.h"
#include "core/adminservice.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Maestro {

void UsersController::createUser(AdminContext &ctx)
{
    const auto read = ctx.readBody(usernameFromJson, newUserLimitsFromJson);
    if (!read)
        return;
    const auto &[name, limits] = *read;
    ctx.answer(admin()->createUser(name, limits), 201);
}

void UsersController::listUsers(AdminContext &ctx)
{
    QJsonArray users;
    for (const User &user : store()->users())
        users.append(toJson(user));
    ctx.sendJson(200, users);
}

void UsersController::getUser(AdminContext &ctx)
{
    ctx.answer(admin()->findUser(ctx.param(u"username"_s)));
}

void UsersController::deleteUser(AdminContext &ctx)
{
    ctx.answerNoContent(admin()->deleteUser(ctx.param(u"username"_s)));
}

void UsersController::rotateToken(AdminContext &ctx)
{
    ctx.answer(admin()->rotateToken(ctx.param(u"username"_s)));
}

void UsersController::setModels(AdminContext &ctx)
{
    if (const auto names = ctx.readBody(modelNamesFromJson))
        ctx.answer(admin()->setUserModels(ctx.param(u"username"_s), *names), grantsToJson);
}

void UsersController::grantAllModels(AdminContext &ctx)
{
    ctx.answer(admin()->grantAllModels(ctx.param(u"username"_s)), grantsToJson);
}

void UsersController::getModels(AdminContext &ctx)
{
    ctx.answer(admin()->findUser(ctx.param(u"username"_s)), grantsToJson);
}

void UsersController::revokeModel(AdminContext &ctx)
{
    ctx.answerNoContent(admin()->revokeModel(ctx.param(u"username"_s), ctx.param(u"model"_s)));
}

// Daily limits are replaced (absent = unlimited, as the seed did); per-minute limits left out
// keep their value, so clients that only know the daily ones do not clear them. null = unlimited.
void UsersController::setLimits(AdminContext &ctx)
{
    const auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    const auto current = admin()->findUser(ctx.param(u"username"_s));
    if (ctx.failed(current))
        return;
    const auto limits = limitsFromJson(body.value(), UserLimits::of(current.value()));
    if (ctx.failed(limits))
        return;
    const auto user = admin()->setUserLimits(ctx.param(u"username"_s), limits.value());
    if (ctx.failed(user))
        return;
    sendLimits(ctx, user.value());
}

void UsersController::sendLimits(AdminContext &ctx, const User &user)
{
    Limiter &limiter = control()->limiter();
    ctx.sendJson(200, limitsToJson(user, limiter.today(user.id), limiter.lastMinute(user.id)));
}

void UsersController::getLimits(AdminContext &ctx)
{
    const auto user = admin()->findUser(ctx.param(u"username"_s));
    if (ctx.failed(user))
        return;
    sendLimits(ctx, user.value());
}

void UsersController::deleteLimits(AdminContext &ctx)
{
    ctx.answerNoContent(admin()->setUserLimits(ctx.param(u"username"_s), UserLimits()));
}

} // namespace Maestro

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

void UsersController::answerNodes(AdminContext &ctx, const Result<User> &user)
{
    if (ctx.failed(user))
        return;
    const CatalogSnapshot catalog = this->catalog();
    ctx.sendJson(200, userNodesToJson(user.value(), *catalog));
}

void UsersController::getNodes(AdminContext &ctx)
{
    answerNodes(ctx, admin()->findUser(ctx.param(u"username"_s)));
}

void UsersController::setNodes(AdminContext &ctx)
{
    const auto input = ctx.readBody(userNodesFromJson);
    if (!input)
        return;
    const auto user = admin()->findUser(ctx.param(u"username"_s));
    if (ctx.failed(user))
        return;
    answerNodes(ctx, admin()->setUserNodes(user.value().username, input->nodeIds.value_or(user.value().nodeIds),
                                           input->nodeModels.value_or(user.value().nodeModels)));
}

void UsersController::addNode(AdminContext &ctx)
{
    const auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    if (body.value().contains("node_ids"_L1) || body.value().contains("node_models"_L1))
        return setNodes(ctx);
    const auto id = nodeIdFromJson(body.value());
    if (ctx.failed(id))
        return;
    const auto user = admin()->findUser(ctx.param(u"username"_s));
    if (ctx.failed(user))
        return;
    QList<qint64> ids = user.value().nodeIds;
    if (!ids.contains(id.value()))
        ids.append(id.value());
    answerNodes(ctx, admin()->setUserNodes(user.value().username, ids, user.value().nodeModels));
}

void UsersController::removeNode(AdminContext &ctx)
{
    const auto id = ctx.id(u"node"_s, u"node_id"_s);
    if (!id)
        return;
    const auto user = admin()->findUser(ctx.param(u"username"_s));
    if (ctx.failed(user))
        return;
    QList<qint64> ids = user.value().nodeIds;
    if (ids.removeAll(*id) == 0) {
        return ctx.fail(ApiError::badRequest(
            u"The node %1 is not on the node list of %2"_s.arg(*id).arg(user.value().username)));
    }
    answerNodes(ctx, admin()->setUserNodes(user.value().username, ids, user.value().nodeModels));
}

void UsersController::allowAllNodes(AdminContext &ctx)
{
    const auto user = admin()->findUser(ctx.param(u"username"_s));
    if (ctx.failed(user))
        return;
    answerNodes(ctx, admin()->setUserNodes(user.value().username, {}, user.value().nodeModels));
}

void UsersController::addNodeModel(AdminContext &ctx)
{
    const auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    if (body.value().contains("node_models"_L1))
        return setNodes(ctx);
    const auto grant = nodeModelFromJson(body.value());
    if (ctx.failed(grant))
        return;
    const auto user = admin()->findUser(ctx.param(u"username"_s));
    if (ctx.failed(user))
        return;
    QList<NodeModelGrant> pairs = user.value().nodeModels;
    if (!pairs.contains(grant.value()))
        pairs.append(grant.value());
    answerNodes(ctx, admin()->setUserNodes(user.value().username, user.value().nodeIds, pairs));
}

void UsersController::removeNodeModel(AdminContext &ctx)
{
    const auto grant = ctx.readBody(nodeModelFromJson);
    if (!grant)
        return;
    const auto user = admin()->findUser(ctx.param(u"username"_s));
    if (ctx.failed(user))
        return;
    QList<NodeModelGrant> pairs = user.value().nodeModels;
    if (pairs.removeAll(*grant) == 0) {
        return ctx.fail(ApiError::badRequest(u"The model '%1' on node %2 is not on the list of %3"_s
                                                 .arg(grant->model)
                                                 .arg(grant->nodeId)
                                                 .arg(user.value().username)));
    }
    answerNodes(ctx, admin()->setUserNodes(user.value().username, user.value().nodeIds, pairs));
}

void UsersController::allowAllNodeModels(AdminContext &ctx)
{
    const auto user = admin()->findUser(ctx.param(u"username"_s));
    if (ctx.failed(user))
        return;
    answerNodes(ctx, admin()->setUserNodes(user.value().username, user.value().nodeIds, {}));
}

} // namespace Maestro

#include "modelscontroller.h"
#include "core/adminservice.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Maestro {

void ModelsController::addMapping(AdminContext &ctx)
{
    const auto input = ctx.readBody(mappingInputFromJson);
    if (!input)
        return;
    const auto mapping = admin()->addMapping(*input);
    if (ctx.failed(mapping))
        return;
    const CatalogSnapshot catalog = this->catalog(); // published by the change just made
    ctx.sendJson(201, toJson(mapping.value(), *catalog));
}

void ModelsController::listMappings(AdminContext &ctx)
{
    const CatalogSnapshot catalog = this->catalog();
    QJsonArray list;
    for (const ModelMapping &mapping : catalog->mappings())
        list.append(toJson(mapping, *catalog));
    ctx.sendJson(200, list);
}

void ModelsController::getMapping(AdminContext &ctx)
{
    const CatalogSnapshot catalog = this->catalog();
    const QString name = ctx.param(u"display_name"_s);
    for (const ModelMapping &mapping : catalog->mappings()) {
        if (mapping.displayName == name)
            return ctx.sendJson(200, toJson(mapping, *catalog));
    }
    ctx.fail(ApiError::notFound(u"Model mapping not found: %1"_s.arg(name)));
}

void ModelsController::updateMapping(AdminContext &ctx)
{
    const auto input = ctx.readBody(mappingInputFromJson);
    if (!input)
        return;
    const auto mapping = admin()->updateMapping(ctx.param(u"display_name"_s), *input);
    if (ctx.failed(mapping))
        return;
    const CatalogSnapshot catalog = this->catalog(); // published by the change just made
    ctx.sendJson(200, toJson(mapping.value(), *catalog));
}

void ModelsController::deleteMapping(AdminContext &ctx)
{
    ctx.answerNoContent(admin()->deleteMapping(ctx.param(u"display_name"_s)));
}

void ModelsController::addGroup(AdminContext &ctx)
{
    const auto read = ctx.readBody(groupInputFromJson, membersFromJson);
    if (!read)
        return;
    const auto &[group, members] = *read;
    ctx.answer(admin()->addGroup(group, members), 201);
}

void ModelsController::listGroups(AdminContext &ctx)
{
    QJsonArray groups;
    for (const ModelGroup &group : store()->groups())
        groups.append(toJson(group));
    ctx.sendJson(200, QJsonObject{{u"groups"_s, groups}, {u"total"_s, groups.size()}});
}

void ModelsController::getGroup(AdminContext &ctx)
{
    ctx.answer(admin()->findGroup(ctx.param(u"name"_s)));
}

void ModelsController::updateGroup(AdminContext &ctx)
{
    if (const auto input = ctx.readBody(groupInputFromJson))
        ctx.answer(admin()->updateGroup(ctx.param(u"name"_s), *input));
}

void ModelsController::deleteGroup(AdminContext &ctx)
{
    ctx.answerNoContent(admin()->deleteGroup(ctx.param(u"name"_s)));
}

void ModelsController::addMember(AdminContext &ctx)
{
    if (const auto input = ctx.readBody(memberInputFromJson))
        ctx.answer(admin()->addMember(ctx.param(u"name"_s), *input), 201);
}

void ModelsController::updateMember(AdminContext &ctx)
{
    const auto id = ctx.id(u"member"_s);
    if (!id)
        return;
    if (const auto input = ctx.readBody(memberInputFromJson))
        ctx.answer(admin()->updateMember(ctx.param(u"name"_s), *id, *input));
}

void ModelsController::deleteMember(AdminContext &ctx)
{
    const auto id = ctx.id(u"member"_s);
    if (!id)
        return;
    ctx.answer(admin()->deleteMember(ctx.param(u"name"_s), *id));
}

void ModelsController::reorderMembers(AdminContext &ctx)
{
    if (const auto order = ctx.readBody(memberOrderFromJson))
        ctx.answer(admin()->reorderMembers(ctx.param(u"name"_s), *order));
}

} // namespace Maestro

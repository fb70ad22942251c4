#include "modelscontroller.h"
#include "adminjson.h"
#include "core/adminservice.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Maestro {

using AdminJson::readField;
using AdminJson::timeValue;

namespace {

QJsonObject mappingJson(const ModelMapping &mapping, const Catalog &catalog)
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
            {u"created_at"_s, timeValue(mapping.createdAt)}};
}

bool readMappingInput(const QJsonObject &body, AdminService::MappingInput *input, ApiError *error)
{
    if (!readField(body, u"display_name"_s, &input->displayName, error)
        || !readField(body, u"real_name"_s, &input->realName, error))
        return false;
    const QJsonValue context = body.value("context_length"_L1);
    if (context.isString()) {
        const auto parsed = parseContextLength(context.toString());
        if (!parsed) {
            *error = ApiError::badRequest(u"Invalid context_length format: %1 (use 32768, 128K or 1M)"_s.arg(context.toString()));
            return false;
        }
        input->contextLength = *parsed;
    } else if (context.isDouble() && context.toDouble() >= 0) {
        input->contextLength = qint64(context.toDouble());
    } else if (!context.isUndefined() && !context.isNull()) {
        *error = ApiError::badRequest(u"\"context_length\" must be a number or a string such as \"128K\""_s);
        return false;
    }
    const QJsonValue capabilities = body.value("capabilities"_L1);
    if (capabilities.isArray()) {
        QStringList list;
        for (const QJsonValue &v : capabilities.toArray()) {
            if (!v.isString()) {
                *error = ApiError::badRequest(u"\"capabilities\" must be an array of strings"_s);
                return false;
            }
            list.append(v.toString());
        }
        input->capabilities = list;
    } else if (!capabilities.isUndefined() && !capabilities.isNull()) {
        *error = ApiError::badRequest(u"\"capabilities\" must be an array of strings"_s);
        return false;
    }
    QList<qint64> nodeIds;
    bool haveNodes = false;
    const QJsonValue ids = body.value("node_ids"_L1);
    if (ids.isArray()) {
        haveNodes = true;
        for (const QJsonValue &v : ids.toArray()) {
            if (!v.isDouble()) {
                *error = ApiError::badRequest(u"\"node_ids\" must be an array of node ids"_s);
                return false;
            }
            nodeIds.append(qint64(v.toDouble()));
        }
    } else if (!ids.isUndefined() && !ids.isNull()) {
        *error = ApiError::badRequest(u"\"node_ids\" must be an array of node ids"_s);
        return false;
    }
    // The seed's older single "node_id" is folded in.
    if (body.value("node_id"_L1).isDouble()) {
        haveNodes = true;
        const qint64 id = qint64(body.value("node_id"_L1).toDouble());
        if (!nodeIds.contains(id))
            nodeIds.append(id);
    }
    if (haveNodes)
        input->nodeIds = nodeIds;
    return true;
}

QJsonObject groupJson(const ModelGroup &group)
{
    QJsonArray members;
    for (const GroupMember &member : group.members) {
        members.append(QJsonObject{{u"id"_s, double(member.id)},
                                   {u"model_display_name"_s, member.model},
                                   {u"priority"_s, member.priority},
                                   {u"weight"_s, member.weight},
                                   {u"capability_tags"_s, QJsonArray::fromStringList(member.capabilityTags)},
                                   {u"is_active"_s, member.active},
                                   {u"context_fallback"_s, member.contextFallback}});
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
            {u"created_at"_s, timeValue(group.createdAt)},
            {u"updated_at"_s, timeValue(group.updatedAt)}};
}

bool readGroupInput(const QJsonObject &body, AdminService::GroupInput *input, ApiError *error)
{
    return readField(body, u"name"_s, &input->name, error)
        && readField(body, u"description"_s, &input->description, error)
        && readField(body, u"strategy"_s, &input->strategy, error)
        && readField(body, u"is_active"_s, &input->active, error)
        && readField(body, u"list_in_catalog"_s, &input->listInCatalog, error)
        && readField(body, u"priority"_s, &input->priority, error)
        && readField(body, u"max_failover_retries"_s, &input->maxFailoverRetries, error);
}

bool readMemberInput(const QJsonObject &json, AdminService::MemberInput *input, ApiError *error)
{
    const QJsonObject body = AdminJson::withSeedNames(json, {{"is_fallback_413"_L1, "context_fallback"_L1}});
    if (!readField(body, u"model_display_name"_s, &input->model, error)
        || !readField(body, u"priority"_s, &input->priority, error)
        || !readField(body, u"weight"_s, &input->weight, error)
        || !readField(body, u"is_active"_s, &input->active, error)
        || !readField(body, u"context_fallback"_s, &input->contextFallback, error))
        return false;
    const QJsonValue tags = body.value("capability_tags"_L1);
    if (tags.isArray()) {
        QStringList list;
        for (const QJsonValue &tag : tags.toArray()) {
            if (!tag.isString()) {
                *error = ApiError::badRequest(u"\"capability_tags\" must be an array of strings"_s);
                return false;
            }
            list.append(tag.toString());
        }
        input->capabilityTags = list;
    } else if (!tags.isUndefined() && !tags.isNull()) {
        *error = ApiError::badRequest(u"\"capability_tags\" must be an array of strings"_s);
        return false;
    }
    return true;
}

} // namespace

void ModelsController::addMapping(AdminContext &ctx)
{
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    AdminService::MappingInput input;
    ApiError error;
    if (!readMappingInput(body.value(), &input, &error))
        return ctx.fail(error);
    auto mapping = admin()->addMapping(input);
    if (ctx.failed(mapping))
        return;
    const CatalogSnapshot catalog = this->catalog(); // published by the change just made
    ctx.sendJson(201, mappingJson(mapping.value(), *catalog));
}

void ModelsController::listMappings(AdminContext &ctx)
{
    const CatalogSnapshot catalog = this->catalog();
    QJsonArray list;
    for (const ModelMapping &mapping : catalog->mappings())
        list.append(mappingJson(mapping, *catalog));
    ctx.sendJson(200, list);
}

void ModelsController::getMapping(AdminContext &ctx)
{
    const CatalogSnapshot catalog = this->catalog();
    const QString name = ctx.param(u"display_name"_s);
    for (const ModelMapping &mapping : catalog->mappings()) {
        if (mapping.displayName == name)
            return ctx.sendJson(200, mappingJson(mapping, *catalog));
    }
    ctx.fail(ApiError::notFound(u"Model mapping not found: %1"_s.arg(name)));
}

void ModelsController::updateMapping(AdminContext &ctx)
{
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    AdminService::MappingInput input;
    ApiError error;
    if (!readMappingInput(body.value(), &input, &error))
        return ctx.fail(error);
    auto mapping = admin()->updateMapping(ctx.param(u"display_name"_s), input);
    if (ctx.failed(mapping))
        return;
    const CatalogSnapshot catalog = this->catalog(); // published by the change just made
    ctx.sendJson(200, mappingJson(mapping.value(), *catalog));
}

void ModelsController::deleteMapping(AdminContext &ctx)
{
    ctx.answerNoContent(admin()->deleteMapping(ctx.param(u"display_name"_s)));
}

void ModelsController::addGroup(AdminContext &ctx)
{
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    AdminService::GroupInput input;
    ApiError error;
    if (!readGroupInput(body.value(), &input, &error))
        return ctx.fail(error);
    QList<AdminService::MemberInput> members;
    const QJsonValue list = body.value().value("members"_L1);
    if (!list.isUndefined() && !list.isNull() && !list.isArray())
        return ctx.fail(ApiError::badRequest(u"\"members\" must be an array"_s));
    for (const QJsonValue &value : list.toArray()) {
        AdminService::MemberInput member;
        if (!value.isObject() || !readMemberInput(value.toObject(), &member, &error))
            return ctx.fail(value.isObject() ? error : ApiError::badRequest(u"each member must be an object"_s));
        members.append(member);
    }
    ctx.answer(admin()->addGroup(input, members), groupJson, 201);
}

void ModelsController::listGroups(AdminContext &ctx)
{
    QJsonArray groups;
    for (const ModelGroup &group : store()->groups())
        groups.append(groupJson(group));
    ctx.sendJson(200, QJsonObject{{u"groups"_s, groups}, {u"total"_s, groups.size()}});
}

void ModelsController::getGroup(AdminContext &ctx)
{
    ctx.answer(admin()->findGroup(ctx.param(u"name"_s)), groupJson);
}

void ModelsController::updateGroup(AdminContext &ctx)
{
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    AdminService::GroupInput input;
    ApiError error;
    if (!readGroupInput(body.value(), &input, &error))
        return ctx.fail(error);
    ctx.answer(admin()->updateGroup(ctx.param(u"name"_s), input), groupJson);
}

void ModelsController::deleteGroup(AdminContext &ctx)
{
    ctx.answerNoContent(admin()->deleteGroup(ctx.param(u"name"_s)));
}

void ModelsController::addMember(AdminContext &ctx)
{
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    AdminService::MemberInput input;
    ApiError error;
    if (!readMemberInput(body.value(), &input, &error))
        return ctx.fail(error);
    ctx.answer(admin()->addMember(ctx.param(u"name"_s), input), groupJson, 201);
}

void ModelsController::updateMember(AdminContext &ctx)
{
    const auto id = ctx.id(u"member"_s);
    if (!id)
        return;
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    AdminService::MemberInput input;
    ApiError error;
    if (!readMemberInput(body.value(), &input, &error))
        return ctx.fail(error);
    ctx.answer(admin()->updateMember(ctx.param(u"name"_s), *id, input), groupJson);
}

void ModelsController::deleteMember(AdminContext &ctx)
{
    const auto id = ctx.id(u"member"_s);
    if (!id)
        return;
    ctx.answer(admin()->deleteMember(ctx.param(u"name"_s), *id), groupJson);
}

void ModelsController::reorderMembers(AdminContext &ctx)
{
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    const QJsonValue ids = body.value().value("member_ids"_L1);
    const QJsonValue members = body.value().value("members"_L1);
    const ApiError wrong = ApiError::badRequest(
        u"send \"member_ids\": [ids in fallback order] or \"members\": [{\"id\", \"priority\"}]"_s);
    QList<qint64> order;
    if (ids.isArray()) {
        for (const QJsonValue &id : ids.toArray()) {
            if (!id.isDouble())
                return ctx.fail(wrong);
            order.append(qint64(id.toDouble()));
        }
    } else if (members.isArray()) {
        // The seed's form: explicit priorities, the lowest tried first as everywhere else.
        QList<std::pair<double, qint64>> ranked;
        for (const QJsonValue &value : members.toArray()) {
            const QJsonObject member = value.toObject();
            if (!member.value("id"_L1).isDouble() || !member.value("priority"_L1).isDouble())
                return ctx.fail(wrong);
            ranked.append({member.value("priority"_L1).toDouble(), qint64(member.value("id"_L1).toDouble())});
        }
        std::stable_sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
        for (const auto &[priority, id] : std::as_const(ranked))
            order.append(id);
    } else {
        return ctx.fail(wrong);
    }
    ctx.answer(admin()->reorderMembers(ctx.param(u"name"_s), order), groupJson);
}

} // namespace Maestro

// The model lists and single-model lookups of LlmController, one per client dialect: every list
// is formatted from the same entries (the models and listed groups the user may use).

#include "llmcontroller.h"

#include <QJsonArray>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

// One entry of a model list, as every dialect's list is formatted from it.
struct ListEntry
{
    QString id;
    QDateTime created;
    qint64 contextLength = 0; // 0 = not known
    bool vision = false;
};

// The models and listed groups the user may use, in the order the lists show them.
QList<ListEntry> visibleModels(const Catalog &catalog, const RoutePlanner &planner, const User &user)
{
    QList<ListEntry> entries;
    for (const Catalog::ListedModel &listed : catalog.modelsFor(user)) {
        ListEntry entry{listed.name, QDateTime::fromString(listed.source->modifiedAt, Qt::ISODateWithMs)};
        if (listed.mapping) {
            entry.contextLength = listed.mapping->contextLength;
            entry.vision = listed.mapping->capabilities.contains(u"vision"_s);
        }
        entries.append(entry);
    }
    for (const ModelGroup *group : planner.listedGroups(user))
        entries.append({group->name, group->createdAt});
    return entries;
}

// A name as an error message quotes it: ids come from the request path, and a head may carry
// kilobytes of one.
QString quoted(const QString &name)
{
    constexpr qsizetype Longest = 200;
    return name.size() <= Longest ? name : name.left(Longest) + u"…"_s;
}

QJsonObject openAiObject(const ListEntry &model)
{
    QJsonObject entry{{u"id"_s, model.id},
                      {u"object"_s, u"model"_s},
                      {u"created"_s, double(model.created.isValid() ? model.created.toSecsSinceEpoch() : 0)},
                      {u"owned_by"_s, u"model-maestro"_s}};
    if (model.contextLength > 0)
        entry.insert(u"context_length"_s, double(model.contextLength));
    return entry;
}

// Anthropic's ids of the seed: "claude-<name>", which the Messages endpoints take back
// (RoutePlanner::withoutClaudePrefix). A name that already starts so (a mapping named after a
// Claude model for Claude Code) is its own id.
QString claudeId(const QString &name)
{
    return name.startsWith("claude-"_L1) ? name : u"claude-"_s + name;
}

// What Anthropic's model objects carry, with the limits Claude Code reads: the mapping's context
// length, else 128K (the seed's default); 8192 output tokens as the seed answered.
QJsonObject anthropicObject(const ListEntry &model)
{
    constexpr qint64 DefaultInputTokens = 131072;
    constexpr qint64 DefaultOutputTokens = 8192;
    return {{u"type"_s, u"model"_s},
            {u"id"_s, claudeId(model.id)},
            {u"display_name"_s, model.id},
            {u"created_at"_s, model.created.isValid() ? model.created.toUTC().toString(Qt::ISODate)
                                                      : u"1970-01-01T00:00:00Z"_s},
            {u"max_input_tokens"_s, double(model.contextLength > 0 ? model.contextLength : DefaultInputTokens)},
            {u"max_tokens"_s, double(DefaultOutputTokens)}};
}

} // namespace

void LlmController::openAiModels(HttpContext &ctx)
{
    // Anthropic's SDKs list models on the same path (dialectForRequest tells them apart).
    if (ctx.dialect() == Dialect::Anthropic)
        return anthropicModels(ctx);
    const Authenticated auth = authenticate(ctx);
    if (!auth)
        return;
    QJsonArray data;
    for (const ListEntry &model : visibleModels(*auth.catalog, planner(*auth.catalog), *auth.user))
        data.append(openAiObject(model));
    ctx.sendJson(200, QJsonObject{{u"object"_s, u"list"_s}, {u"data"_s, data}});
}

void LlmController::openAiModel(HttpContext &ctx)
{
    if (ctx.dialect() == Dialect::Anthropic)
        return anthropicModel(ctx);
    const Authenticated auth = authenticate(ctx);
    if (!auth)
        return;
    const QString id = ctx.param(u"model"_s);
    const RoutePlanner routes = planner(*auth.catalog);
    for (const ListEntry &model : visibleModels(*auth.catalog, routes, *auth.user)) {
        if (model.id == id)
            return ctx.sendJson(200, openAiObject(model));
    }
    // Names the user may use that the list shows under another name (a real model's short name,
    // a group kept out of the catalog) are models too.
    if (!id.isEmpty() && routes.access(*auth.user, id).ok())
        return ctx.sendJson(200, openAiObject(ListEntry{id, {}}));
    // As OpenAI answers it: a model the user may not use does not exist for that user.
    ctx.fail(ApiError::notFound(u"The model '%1' does not exist or you do not have access to it"_s.arg(quoted(id))));
}

void LlmController::anthropicModels(HttpContext &ctx)
{
    const Authenticated auth = authenticate(ctx);
    if (!auth)
        return;
    // Anthropic's paging: ?limit (1-1000), ?after_id or ?before_id (ids of this list).
    constexpr int MaxLimit = 1000;
    int limit = MaxLimit;
    if (const QString text = ctx.query(u"limit"_s); !text.isEmpty()) {
        bool ok = false;
        limit = text.toInt(&ok);
        if (!ok || limit < 1 || limit > MaxLimit)
            return ctx.fail(ApiError::badRequest(u"limit must be a whole number from 1 to %1"_s.arg(MaxLimit)));
    }
    const QString afterId = ctx.query(u"after_id"_s);
    const QString beforeId = ctx.query(u"before_id"_s);
    if (!afterId.isEmpty() && !beforeId.isEmpty())
        return ctx.fail(ApiError::badRequest(u"after_id and before_id cannot be used together"_s));

    QJsonArray all;
    for (const ListEntry &model : visibleModels(*auth.catalog, planner(*auth.catalog), *auth.user))
        all.append(anthropicObject(model));
    const auto indexOf = [&](const QString &id) {
        for (qsizetype i = 0; i < all.size(); ++i) {
            if (all.at(i).toObject().value("id"_L1).toString() == id)
                return i;
        }
        return qsizetype(-1);
    };
    // [first, last) of `all`; an id that is not in the list (any more) gives an empty page.
    qsizetype first = 0;
    qsizetype last = all.size();
    bool hasMore = false;
    if (!beforeId.isEmpty()) {
        last = indexOf(beforeId);
        first = last < 0 ? 0 : std::max<qsizetype>(0, last - limit);
        last = std::max<qsizetype>(last, 0);
        hasMore = first > 0;
    } else {
        if (!afterId.isEmpty()) {
            const qsizetype at = indexOf(afterId);
            first = at < 0 ? all.size() : at + 1;
        }
        last = std::min<qsizetype>(all.size(), first + limit);
        hasMore = last < all.size();
    }
    QJsonArray data;
    for (qsizetype i = first; i < last; ++i)
        data.append(all.at(i));
    const auto id = [&](qsizetype i) { return data.isEmpty() ? QJsonValue() : data.at(i).toObject().value("id"_L1); };
    ctx.sendJson(200, QJsonObject{{u"data"_s, data},
                                  {u"has_more"_s, hasMore},
                                  {u"first_id"_s, id(0)},
                                  {u"last_id"_s, id(data.size() - 1)}});
}

void LlmController::anthropicModel(HttpContext &ctx)
{
    const Authenticated auth = authenticate(ctx);
    if (!auth)
        return;
    const QString id = ctx.param(u"model"_s);
    for (const ListEntry &model : visibleModels(*auth.catalog, planner(*auth.catalog), *auth.user)) {
        if (claudeId(model.id) == id || model.id == id)
            return ctx.sendJson(200, anthropicObject(model));
    }
    ctx.fail(ApiError::notFound(u"model: %1"_s.arg(quoted(id))));
}

void LlmController::codexModels(HttpContext &ctx)
{
    const Authenticated auth = authenticate(ctx);
    if (!auth)
        return;
    QJsonArray models;
    for (const ListEntry &model : visibleModels(*auth.catalog, planner(*auth.catalog), *auth.user)) {
        // Codex rejects the whole catalog when an entry lacks a field it requires: these are those
        // fields, with values that suit a model served through chat completions.
        QJsonObject entry{{u"slug"_s, model.id},
                          {u"display_name"_s, model.id},
                          {u"supported_reasoning_levels"_s, QJsonArray()},
                          {u"shell_type"_s, u"shell_command"_s},
                          {u"visibility"_s, u"list"_s},
                          {u"supported_in_api"_s, true},
                          {u"priority"_s, models.size()},
                          {u"base_instructions"_s, u"You are Codex, a helpful coding assistant."_s},
                          {u"supports_reasoning_summaries"_s, false},
                          {u"support_verbosity"_s, false},
                          {u"truncation_policy"_s, QJsonObject{{u"mode"_s, u"bytes"_s}, {u"limit"_s, 10000}}},
                          {u"supports_parallel_tool_calls"_s, false},
                          {u"experimental_supported_tools"_s, QJsonArray()},
                          {u"input_modalities"_s, model.vision ? QJsonArray{u"text"_s, u"image"_s} : QJsonArray{u"text"_s}}};
        if (model.contextLength > 0)
            entry.insert(u"context_window"_s, double(model.contextLength));
        models.append(entry);
    }
    ctx.sendJson(200, QJsonObject{{u"models"_s, models}});
}

} // namespace Maestro

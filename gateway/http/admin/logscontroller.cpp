#include "logscontroller.h"
#include "core/adminservice.h"
#include "core/settings.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

LogQuery logQuery(const AdminContext &ctx)
{
    LogQuery query;
    bool ok = false;
    const int limit = ctx.query(u"limit"_s).toInt(&ok);
    query.limit = ok ? std::clamp(limit, 1, 1000) : 100;
    const int offset = ctx.query(u"offset"_s).toInt(&ok);
    query.offset = ok ? std::max(offset, 0) : 0;
    query.username = ctx.query(u"username"_s);
    query.model = ctx.query(u"model"_s);
    if (query.model.isEmpty())
        query.model = ctx.query(u"model_name"_s); // the seed's dashboard spelling
    query.action = ctx.query(u"action"_s);
    query.entityType = ctx.query(u"entity_type"_s);
    return query;
}

// [from, to) from ISO dates or date-times in the query; a plain end date includes that day.
bool period(const AdminContext &ctx, QDateTime *from, QDateTime *to, ApiError *error)
{
    auto parse = [](const QString &text, bool end) -> std::optional<QDateTime> {
        if (text.isEmpty())
            return QDateTime();
        const QDate date = QDate::fromString(text, Qt::ISODate);
        if (date.isValid())
            return QDateTime(end ? date.addDays(1) : date, QTime(0, 0), Qt::UTC);
        QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
        if (!time.isValid())
            return std::nullopt;
        return time.toUTC();
    };
    const auto start = parse(ctx.query(u"start_date"_s), false);
    const auto end = parse(ctx.query(u"end_date"_s), true);
    if (!start || !end) {
        *error = ApiError::badRequest(u"start_date and end_date must be ISO dates (2026-01-31) or date-times"_s);
        return false;
    }
    *to = end->isValid() ? *end : QDateTime::currentDateTimeUtc();
    *from = start->isValid() ? *start : to->addDays(-30);
    return true;
}

QJsonObject periodJson(const QDateTime &from, const QDateTime &to)
{
    return {{u"start_date"_s, from.toString(Qt::ISODateWithMs)}, {u"end_date"_s, to.toString(Qt::ISODateWithMs)}};
}

} // namespace

void LogsController::activity(AdminContext &ctx)
{
    auto user = admin()->findUser(ctx.param(u"username"_s));
    if (ctx.failed(user))
        return;
    LogQuery query = logQuery(ctx);
    query.model.clear();
    query.username = user.value().username;
    QJsonArray activities;
    for (const RequestLogEntry &entry : store()->requestLogs(query, nullptr))
        activities.append(toJson(entry));
    ctx.sendJson(200, QJsonObject{{u"username"_s, user.value().username},
                                  {u"activities"_s, activities},
                                  {u"total_returned"_s, activities.size()},
                                  {u"limit"_s, query.limit},
                                  {u"offset"_s, query.offset}});
}

void LogsController::tokenUsage(AdminContext &ctx)
{
    auto user = admin()->findUser(ctx.param(u"username"_s));
    if (ctx.failed(user))
        return;
    QDateTime from;
    QDateTime to;
    ApiError error;
    if (!period(ctx, &from, &to, &error))
        return ctx.fail(error);
    qint64 requests = 0;
    qint64 prompt = 0;
    qint64 completion = 0;
    for (const Store::ModelUsage &usage : store()->usageByModel(user.value().id, from, to)) {
        requests += usage.requests;
        prompt += usage.promptTokens;
        completion += usage.completionTokens;
    }
    ctx.sendJson(200, QJsonObject{{u"username"_s, user.value().username},
                                  {u"usage"_s, QJsonObject{{u"prompt_tokens"_s, double(prompt)},
                                                           {u"completion_tokens"_s, double(completion)},
                                                           {u"total_tokens"_s, double(prompt + completion)},
                                                           {u"total_requests"_s, double(requests)}}},
                                  {u"period"_s, periodJson(from, to)}});
}

void LogsController::modelUsage(AdminContext &ctx)
{
    auto user = admin()->findUser(ctx.param(u"username"_s));
    if (ctx.failed(user))
        return;
    QDateTime from;
    QDateTime to;
    ApiError error;
    if (!period(ctx, &from, &to, &error))
        return ctx.fail(error);
    QJsonArray list;
    for (const Store::ModelUsage &usage : store()->usageByModel(user.value().id, from, to)) {
        list.append(QJsonObject{{u"model_name"_s, usage.model},
                                {u"request_count"_s, double(usage.requests)},
                                {u"prompt_tokens"_s, double(usage.promptTokens)},
                                {u"completion_tokens"_s, double(usage.completionTokens)},
                                {u"total_tokens"_s, double(usage.promptTokens + usage.completionTokens)}});
    }
    ctx.sendJson(200, QJsonObject{{u"username"_s, user.value().username}, {u"model_usage"_s, list},
                                  {u"period"_s, periodJson(from, to)}});
}

void LogsController::userStats(AdminContext &ctx)
{
    QDateTime from;
    QDateTime to;
    ApiError error;
    if (!period(ctx, &from, &to, &error))
        return ctx.fail(error);
    QJsonArray users;
    for (const Store::UserUsage &usage : store()->usageByUser(from, to)) {
        users.append(QJsonObject{{u"username"_s, usage.username},
                                 {u"total_requests"_s, double(usage.requests)},
                                 {u"total_tokens"_s, double(usage.promptTokens + usage.completionTokens)},
                                 {u"total_prompt_tokens"_s, double(usage.promptTokens)},
                                 {u"total_completion_tokens"_s, double(usage.completionTokens)}});
    }
    ctx.sendJson(200, QJsonObject{{u"users"_s, users}, {u"total_users"_s, users.size()},
                                  {u"period"_s, periodJson(from, to)}});
}

void LogsController::stats(AdminContext &ctx)
{
    bool ok = false;
    const int days = std::clamp(ctx.query(u"days"_s).toInt(&ok), 1, 90);
    const QDate today = QDateTime::currentDateTimeUtc().date();
    const CatalogSnapshot catalog = this->catalog();
    int healthy = 0;
    for (const Node &node : catalog->nodes())
        healthy += node.active && node.health == Health::Healthy ? 1 : 0;
    auto dayRange = [](QDate day) {
        return std::pair{QDateTime(day, QTime(0, 0), Qt::UTC), QDateTime(day.addDays(1), QTime(0, 0), Qt::UTC)};
    };
    QJsonArray daily;
    qint64 requestsToday = 0;
    qint64 tokensToday = 0;
    QJsonArray modelsToday;
    for (int i = (ok ? days : 7) - 1; i >= 0; --i) {
        const QDate day = today.addDays(-i);
        const auto [from, to] = dayRange(day);
        qint64 requests = 0;
        qint64 tokens = 0;
        for (const Store::ModelUsage &usage : store()->usageByModel(0, from, to)) {
            requests += usage.requests;
            tokens += usage.promptTokens + usage.completionTokens;
            if (i == 0) {
                modelsToday.append(QJsonObject{{u"model_name"_s, usage.model},
                                               {u"request_count"_s, double(usage.requests)},
                                               {u"total_tokens"_s, double(usage.promptTokens + usage.completionTokens)}});
            }
        }
        if (i == 0) {
            requestsToday = requests;
            tokensToday = tokens;
        }
        daily.append(QJsonObject{{u"date"_s, day.toString(Qt::ISODate)},
                                 {u"requests"_s, double(requests)},
                                 {u"tokens"_s, double(tokens)}});
    }
    ctx.sendJson(200, QJsonObject{{u"users"_s, double(store()->users().size())},
                                  {u"nodes"_s, QJsonObject{{u"total"_s, double(catalog->nodes().size())},
                                                           {u"healthy"_s, healthy}}},
                                  {u"models"_s, double(catalog->nodeModels().size())},
                                  {u"groups"_s, double(catalog->groups().size())},
                                  {u"active_requests"_s, control()->activeCallsTotal()},
                                  {u"requests_today"_s, double(requestsToday)},
                                  {u"tokens_today"_s, double(tokensToday)},
                                  {u"models_today"_s, modelsToday},
                                  {u"daily"_s, daily}});
}

void LogsController::requestLogs(AdminContext &ctx)
{
    qint64 total = 0;
    QJsonArray logs;
    for (const RequestLogEntry &entry : store()->requestLogs(logQuery(ctx), &total))
        logs.append(toJson(entry));
    ctx.sendJson(200, QJsonObject{{u"logs"_s, logs}, {u"total"_s, double(total)}});
}

void LogsController::auditLogs(AdminContext &ctx)
{
    qint64 total = 0;
    QJsonArray logs;
    for (const AuditEntry &entry : store()->auditLogs(logQuery(ctx), &total))
        logs.append(toJson(entry));
    ctx.sendJson(200, QJsonObject{{u"logs"_s, logs}, {u"total"_s, double(total)}});
}

void LogsController::getSettings(AdminContext &ctx)
{
    ctx.sendJson(200, admin()->settings());
}

void LogsController::settingsSchema(AdminContext &ctx)
{
    ctx.sendJson(200, Settings::schema());
}

void LogsController::putSettings(AdminContext &ctx)
{
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    ctx.answer(admin()->updateSettings(body.value()), [](const QJsonObject &settings) { return settings; });
}

void LogsController::resetSetting(AdminContext &ctx)
{
    ctx.answer(admin()->resetSetting(ctx.param(u"key"_s)), [](const QJsonObject &settings) { return settings; });
}

} // namespace Maestro

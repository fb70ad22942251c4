#include "logscontroller.h"
#include "core/adminservice.h"
#include "core/settings.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

// ?limit= (1-1000, default 100) and ?offset= (default 0); values that are not numbers take the
// defaults, as they always have.
void readPaging(const AdminContext &ctx, LogQuery *query)
{
    bool ok = false;
    const int limit = ctx.query(u"limit"_s).toInt(&ok);
    query->limit = ok ? std::clamp(limit, 1, 1000) : 100;
    const int offset = ctx.query(u"offset"_s).toInt(&ok);
    query->offset = ok ? std::max(offset, 0) : 0;
}

// An ISO date or date-time of the query, in UTC; a plain date as the end of a range includes
// that day. An empty parameter gives an invalid QDateTime; a malformed one nullopt.
std::optional<QDateTime> timeParam(const QString &text, bool end)
{
    if (text.isEmpty())
        return QDateTime();
    // A plain date only: QDate reads the date part of a date-time too, which would drop its time.
    const QDate date = text.size() == 10 ? QDate::fromString(text, Qt::ISODate) : QDate();
    if (date.isValid())
        return QDateTime(end ? date.addDays(1) : date, QTime(0, 0), Qt::UTC);
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        return std::nullopt;
    return time.toUTC();
}

// The first of `names` the query has, and which one it was.
std::pair<QString, QString> firstParam(const AdminContext &ctx, std::initializer_list<QString> names)
{
    for (const QString &name : names) {
        if (const QString value = ctx.query(name); !value.isEmpty())
            return {name, value};
    }
    return {*names.begin(), QString()};
}

// [from, to) of the query: `fromNames`/`toNames` are the spellings accepted, the first one
// named in the 400. Unset bounds stay invalid.
bool readRange(AdminContext &ctx, std::initializer_list<QString> fromNames, std::initializer_list<QString> toNames,
               QDateTime *from, QDateTime *to)
{
    const auto [fromName, fromText] = firstParam(ctx, fromNames);
    const auto [toName, toText] = firstParam(ctx, toNames);
    const auto start = timeParam(fromText, false);
    const auto end = timeParam(toText, true);
    for (const auto &[parsed, name] : {std::pair{start, fromName}, std::pair{end, toName}}) {
        if (!parsed) {
            ctx.fail(ApiError::badRequest(u"\"%1\" must be an ISO date (2026-01-31) or date-time (2026-01-31T08:00:00Z)"_s.arg(name)));
            return false;
        }
    }
    *from = *start;
    *to = *end;
    return true;
}

// The usage reports' period: ?start_date=&end_date= (default: the last 30 days up to now).
// Answers the 400 itself and returns nullopt on a malformed date.
std::optional<std::pair<QDateTime, QDateTime>> readPeriod(AdminContext &ctx)
{
    QDateTime from;
    QDateTime to;
    if (!readRange(ctx, {u"start_date"_s}, {u"end_date"_s}, &from, &to))
        return std::nullopt;
    if (!to.isValid())
        to = QDateTime::currentDateTimeUtc();
    if (!from.isValid())
        from = to.addDays(-30);
    return std::pair{from, to};
}

// The request log's filters (see requestLogs in the header); answers the 400 naming the
// parameter and returns nullopt when one is malformed.
std::optional<LogQuery> requestLogQuery(AdminContext &ctx)
{
    LogQuery query;
    readPaging(ctx, &query);
    query.username = ctx.query(u"username"_s);
    query.model = ctx.query(u"model"_s);
    if (query.model.isEmpty())
        query.model = ctx.query(u"model_name"_s); // the seed's dashboard spelling
    query.modelContains = ctx.query(u"model_contains"_s);
    if (query.modelContains.size() > 200) {
        ctx.fail(ApiError::badRequest(u"\"model_contains\" must be at most 200 characters"_s));
        return std::nullopt;
    }
    const auto [statusName, statusText] = firstParam(ctx, {u"status"_s, u"status_code"_s});
    if (!statusText.isEmpty()) {
        const auto statuses = LogQuery::parseStatuses(statusText);
        if (!statuses) {
            ctx.fail(ApiError::badRequest(
                u"\"%1\" must be a status code (404), a class (4xx) or a comma-separated list of them"_s.arg(statusName)));
            return std::nullopt;
        }
        query.statuses = *statuses;
    }
    if (!readRange(ctx, {u"from"_s, u"start_date"_s}, {u"to"_s, u"end_date"_s}, &query.from, &query.to))
        return std::nullopt;
    query.endpoint = ctx.query(u"endpoint"_s);
    if (!query.endpoint.isEmpty() && (!query.endpoint.startsWith(u'/') || query.endpoint.size() > 200)) {
        ctx.fail(ApiError::badRequest(u"\"endpoint\" must be a path such as /api/chat"_s));
        return std::nullopt;
    }
    query.dialect = ctx.query(u"dialect"_s).toLower();
    if (!query.dialect.isEmpty() && query.dialect != u"ollama"_s && query.dialect != u"openai"_s
        && query.dialect != u"anthropic"_s) {
        ctx.fail(ApiError::badRequest(u"\"dialect\" must be ollama, openai or anthropic"_s));
        return std::nullopt;
    }
    return query;
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
    LogQuery query;
    readPaging(ctx, &query);
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
    const auto period = readPeriod(ctx);
    if (!period)
        return;
    const auto &[from, to] = *period;
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
    const auto period = readPeriod(ctx);
    if (!period)
        return;
    const auto &[from, to] = *period;
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
    const auto period = readPeriod(ctx);
    if (!period)
        return;
    const auto &[from, to] = *period;
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
    const std::optional<LogQuery> query = requestLogQuery(ctx);
    if (!query)
        return;
    qint64 total = 0;
    QJsonArray logs;
    for (const RequestLogEntry &entry : store()->requestLogs(*query, &total))
        logs.append(toJson(entry));
    ctx.sendJson(200, QJsonObject{{u"logs"_s, logs}, {u"total"_s, double(total)}});
}

void LogsController::auditLogs(AdminContext &ctx)
{
    LogQuery query;
    readPaging(ctx, &query);
    query.action = ctx.query(u"action"_s);
    query.entityType = ctx.query(u"entity_type"_s);
    qint64 total = 0;
    QJsonArray logs;
    for (const AuditEntry &entry : store()->auditLogs(query, &total))
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

#include "admincontroller.h"
#include "gateway.h"
#include "httpwire.h"
#include "nodejobs.h"
#include "core/adminservice.h"
#include "core/settings.h"
#include "core/tokens.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <memory>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

QJsonValue timeValue(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(time.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue();
}

QJsonValue optionalNumber(std::optional<qint64> value)
{
    return value ? QJsonValue(double(*value)) : QJsonValue();
}

// A limit field: a whole number (at least 1 when `positive`), or null for unlimited. An absent
// field leaves `out` as it is.
bool readLimit(const QJsonObject &body, const QString &name, bool positive, std::optional<qint64> *out,
               ApiError *error)
{
    const QJsonValue value = body.value(name);
    if (value.isUndefined())
        return true;
    if (value.isNull()) {
        *out = std::nullopt;
        return true;
    }
    const double number = value.toDouble();
    if (!value.isDouble() || number < (positive ? 1 : 0) || number > 9e15 || number != double(qint64(number))) {
        *error = ApiError::badRequest((positive ? u"\"%1\" must be a positive integer or null"_s
                                                : u"\"%1\" must be a non-negative integer or null"_s)
                                          .arg(name));
        return false;
    }
    *out = qint64(number);
    return true;
}

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

QJsonObject modelJson(const NodeModel &model)
{
    return {{u"name"_s, model.name},
            {u"size"_s, double(model.size)},
            {u"digest"_s, model.digest},
            {u"modified_at"_s, model.modifiedAt},
            {u"details"_s, model.details}};
}

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

QJsonObject logJson(const RequestLogEntry &e)
{
    return {{u"username"_s, e.username},
            {u"endpoint"_s, e.endpoint},
            {u"request_type"_s, e.endpoint},
            {u"model_name"_s, e.model},
            {u"real_model"_s, e.realModel},
            {u"node_id"_s, e.nodeId ? QJsonValue(double(e.nodeId)) : QJsonValue()},
            {u"status_code"_s, e.statusCode},
            {u"duration_ms"_s, double(e.durationMs)},
            {u"ttfb_ms"_s, e.ttfbMs >= 0 ? QJsonValue(double(e.ttfbMs)) : QJsonValue()},
            {u"prompt_tokens"_s, double(e.promptTokens)},
            {u"completion_tokens"_s, double(e.completionTokens)},
            {u"total_tokens"_s, double(e.totalTokens())},
            {u"streamed"_s, e.streamed},
            {u"error_message"_s, e.errorMessage.isEmpty() ? QJsonValue() : QJsonValue(e.errorMessage)},
            {u"created_at"_s, timeValue(e.createdAt)}};
}

// The seed's API named some fields otherwise: a seed name is read as ours when ours is absent.
QJsonObject withSeedNames(QJsonObject body, std::initializer_list<std::pair<QLatin1StringView, QLatin1StringView>> names)
{
    for (const auto &[seed, ours] : names) {
        if (!body.contains(ours) && body.contains(seed))
            body.insert(ours, body.value(seed));
    }
    return body;
}

// Reads an optional typed field; a present value of the wrong type is a 400.
template<typename T>
bool readField(const QJsonObject &body, const QString &name, std::optional<T> *out, ApiError *error);

template<>
bool readField<QString>(const QJsonObject &body, const QString &name, std::optional<QString> *out, ApiError *error)
{
    const QJsonValue value = body.value(name);
    if (value.isUndefined() || value.isNull())
        return true;
    if (!value.isString()) {
        *error = ApiError::badRequest(u"\"%1\" must be a string"_s.arg(name));
        return false;
    }
    *out = value.toString();
    return true;
}

template<>
bool readField<int>(const QJsonObject &body, const QString &name, std::optional<int> *out, ApiError *error)
{
    const QJsonValue value = body.value(name);
    if (value.isUndefined() || value.isNull())
        return true;
    if (!value.isDouble() || value.toDouble() != double(qint64(value.toDouble()))) {
        *error = ApiError::badRequest(u"\"%1\" must be an integer"_s.arg(name));
        return false;
    }
    *out = value.toInt();
    return true;
}

template<>
bool readField<bool>(const QJsonObject &body, const QString &name, std::optional<bool> *out, ApiError *error)
{
    const QJsonValue value = body.value(name);
    if (value.isUndefined() || value.isNull())
        return true;
    if (!value.isBool()) {
        *error = ApiError::badRequest(u"\"%1\" must be a boolean"_s.arg(name));
        return false;
    }
    *out = value.toBool();
    return true;
}

bool readNodeInput(const QJsonObject &body, AdminService::NodeInput *input, ApiError *error)
{
    return readField(body, u"name"_s, &input->name, error)
        && readField(body, u"base_url"_s, &input->baseUrl, error)
        && readField(body, u"node_type"_s, &input->nodeType, error)
        && readField(body, u"api_key"_s, &input->apiKey, error)
        && readField(body, u"priority"_s, &input->priority, error)
        && readField(body, u"weight"_s, &input->weight, error)
        && readField(body, u"is_active"_s, &input->active, error)
        && readField(body, u"warmup_enabled"_s, &input->warmupEnabled, error)
        && readField(body, u"connect_timeout_seconds"_s, &input->connectTimeoutSeconds, error)
        && readField(body, u"first_byte_timeout_seconds"_s, &input->firstByteTimeoutSeconds, error)
        && readField(body, u"idle_timeout_seconds"_s, &input->idleTimeoutSeconds, error);
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

LogQuery logQuery(const HttpContext &ctx)
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

qint64 idParam(const HttpContext &ctx, bool *ok)
{
    return ctx.param(u"id"_s).toLongLong(ok);
}

} // namespace

AdminController::AdminController(Gateway *gateway)
    : QObject(gateway)
    , m_gateway(gateway)
{
}

bool AdminController::authorize(HttpContext &ctx)
{
    const QByteArray token = ctx.bearerToken();
    if (token.isEmpty()) {
        ctx.fail(ApiError::unauthorized(u"Missing authorization header"_s));
        return false;
    }
    if (!m_gateway->isAdminToken(token)) {
        ctx.fail(ApiError::forbidden(u"Invalid admin token"_s));
        return false;
    }
    return true;
}

void AdminController::createUser(HttpContext &ctx)
{
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
    const QJsonValue name = body.value().value("username"_L1);
    if (!name.isString())
        return ctx.fail(ApiError::badRequest(u"\"username\" is required and must be a string"_s));
    AdminService::NewUserLimits limits;
    ApiError error;
    if (!readNewUserLimit(body.value(), u"request_limit"_s, &limits.requests, &error)
        || !readNewUserLimit(body.value(), u"token_limit"_s, &limits.tokens, &error))
        return ctx.fail(error);
    auto created = m_gateway->admin()->createUser(name.toString().trimmed(), limits);
    if (!created.ok())
        return ctx.fail(created.error());
    QJsonObject json = userJson(created.value().user);
    json.insert(u"token"_s, created.value().token);
    ctx.sendJson(201, json);
}

void AdminController::listUsers(HttpContext &ctx)
{
    QJsonArray users;
    for (const User &user : m_gateway->store()->users())
        users.append(userJson(user));
    ctx.sendJson(200, users);
}

void AdminController::getUser(HttpContext &ctx)
{
    auto user = m_gateway->admin()->findUser(ctx.param(u"username"_s));
    if (!user.ok())
        return ctx.fail(user.error());
    ctx.sendJson(200, userJson(user.value()));
}

void AdminController::deleteUser(HttpContext &ctx)
{
    auto result = m_gateway->admin()->deleteUser(ctx.param(u"username"_s));
    if (!result.ok())
        return ctx.fail(result.error());
    ctx.sendNoContent();
}

void AdminController::rotateToken(HttpContext &ctx)
{
    auto rotated = m_gateway->admin()->rotateToken(ctx.param(u"username"_s));
    if (!rotated.ok())
        return ctx.fail(rotated.error());
    QJsonObject json = userJson(rotated.value().user);
    json.insert(u"token"_s, rotated.value().token);
    ctx.sendJson(200, json);
}

namespace {

QJsonObject grantsJson(const User &user)
{
    return {{u"username"_s, user.username},
            {u"has_all_models"_s, user.allModels},
            {u"models"_s, QJsonArray::fromStringList(user.models)}};
}

} // namespace

void AdminController::setModels(HttpContext &ctx)
{
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
    const QJsonValue models = body.value().value("models"_L1);
    if (!models.isArray())
        return ctx.fail(ApiError::badRequest(u"\"models\" must be an array of model names"_s));
    QStringList names;
    for (const QJsonValue &value : models.toArray()) {
        if (!value.isString())
            return ctx.fail(ApiError::badRequest(u"\"models\" must be an array of model names"_s));
        names.append(value.toString());
    }
    auto user = m_gateway->admin()->setUserModels(ctx.param(u"username"_s), names);
    if (!user.ok())
        return ctx.fail(user.error());
    ctx.sendJson(200, grantsJson(user.value()));
}

void AdminController::grantAllModels(HttpContext &ctx)
{
    auto user = m_gateway->admin()->grantAllModels(ctx.param(u"username"_s));
    if (!user.ok())
        return ctx.fail(user.error());
    ctx.sendJson(200, grantsJson(user.value()));
}

void AdminController::getModels(HttpContext &ctx)
{
    auto user = m_gateway->admin()->findUser(ctx.param(u"username"_s));
    if (!user.ok())
        return ctx.fail(user.error());
    ctx.sendJson(200, grantsJson(user.value()));
}

void AdminController::revokeModel(HttpContext &ctx)
{
    auto user = m_gateway->admin()->revokeModel(ctx.param(u"username"_s), ctx.param(u"model"_s));
    if (!user.ok())
        return ctx.fail(user.error());
    ctx.sendNoContent();
}

namespace {

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

// Daily limits are replaced (absent = unlimited, as the seed did); per-minute limits left out
// keep their value, so clients that only know the daily ones do not clear them. null = unlimited.
void AdminController::setLimits(HttpContext &ctx)
{
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
    auto current = m_gateway->admin()->findUser(ctx.param(u"username"_s));
    if (!current.ok())
        return ctx.fail(current.error());
    UserLimits limits = UserLimits::of(current.value());
    limits.requestLimit.reset();
    limits.tokenLimit.reset();
    ApiError error;
    if (!readLimit(body.value(), u"request_limit"_s, false, &limits.requestLimit, &error)
        || !readLimit(body.value(), u"token_limit"_s, false, &limits.tokenLimit, &error)
        || !readLimit(body.value(), u"requests_per_minute"_s, true, &limits.requestsPerMinute, &error)
        || !readLimit(body.value(), u"tokens_per_minute"_s, true, &limits.tokensPerMinute, &error))
        return ctx.fail(error);
    auto user = m_gateway->admin()->setUserLimits(ctx.param(u"username"_s), limits);
    if (!user.ok())
        return ctx.fail(user.error());
    sendLimits(ctx, user.value());
}

void AdminController::sendLimits(HttpContext &ctx, const User &user)
{
    Limiter &limiter = m_gateway->limiter();
    ctx.sendJson(200, limitsJson(user, limiter.today(user.id), limiter.lastMinute(user.id)));
}

void AdminController::getLimits(HttpContext &ctx)
{
    auto user = m_gateway->admin()->findUser(ctx.param(u"username"_s));
    if (!user.ok())
        return ctx.fail(user.error());
    sendLimits(ctx, user.value());
}

void AdminController::deleteLimits(HttpContext &ctx)
{
    auto user = m_gateway->admin()->setUserLimits(ctx.param(u"username"_s), UserLimits());
    if (!user.ok())
        return ctx.fail(user.error());
    ctx.sendNoContent();
}

void AdminController::activity(HttpContext &ctx)
{
    auto user = m_gateway->admin()->findUser(ctx.param(u"username"_s));
    if (!user.ok())
        return ctx.fail(user.error());
    LogQuery query = logQuery(ctx);
    query.model.clear();
    query.username = user.value().username;
    QJsonArray activities;
    for (const RequestLogEntry &entry : m_gateway->store()->requestLogs(query, nullptr))
        activities.append(logJson(entry));
    ctx.sendJson(200, QJsonObject{{u"username"_s, user.value().username},
                                  {u"activities"_s, activities},
                                  {u"total_returned"_s, activities.size()},
                                  {u"limit"_s, query.limit},
                                  {u"offset"_s, query.offset}});
}

namespace {

// [from, to) from ISO dates or date-times in the query; a plain end date includes that day.
bool period(const HttpContext &ctx, QDateTime *from, QDateTime *to, ApiError *error)
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

void AdminController::tokenUsage(HttpContext &ctx)
{
    auto user = m_gateway->admin()->findUser(ctx.param(u"username"_s));
    if (!user.ok())
        return ctx.fail(user.error());
    QDateTime from;
    QDateTime to;
    ApiError error;
    if (!period(ctx, &from, &to, &error))
        return ctx.fail(error);
    qint64 requests = 0;
    qint64 prompt = 0;
    qint64 completion = 0;
    for (const Store::ModelUsage &usage : m_gateway->store()->usageByModel(user.value().id, from, to)) {
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

void AdminController::modelUsage(HttpContext &ctx)
{
    auto user = m_gateway->admin()->findUser(ctx.param(u"username"_s));
    if (!user.ok())
        return ctx.fail(user.error());
    QDateTime from;
    QDateTime to;
    ApiError error;
    if (!period(ctx, &from, &to, &error))
        return ctx.fail(error);
    QJsonArray list;
    for (const Store::ModelUsage &usage : m_gateway->store()->usageByModel(user.value().id, from, to)) {
        list.append(QJsonObject{{u"model_name"_s, usage.model},
                                {u"request_count"_s, double(usage.requests)},
                                {u"prompt_tokens"_s, double(usage.promptTokens)},
                                {u"completion_tokens"_s, double(usage.completionTokens)},
                                {u"total_tokens"_s, double(usage.promptTokens + usage.completionTokens)}});
    }
    ctx.sendJson(200, QJsonObject{{u"username"_s, user.value().username}, {u"model_usage"_s, list},
                                  {u"period"_s, periodJson(from, to)}});
}

void AdminController::userStats(HttpContext &ctx)
{
    QDateTime from;
    QDateTime to;
    ApiError error;
    if (!period(ctx, &from, &to, &error))
        return ctx.fail(error);
    QJsonArray users;
    for (const Store::UserUsage &usage : m_gateway->store()->usageByUser(from, to)) {
        users.append(QJsonObject{{u"username"_s, usage.username},
                                 {u"total_requests"_s, double(usage.requests)},
                                 {u"total_tokens"_s, double(usage.promptTokens + usage.completionTokens)},
                                 {u"total_prompt_tokens"_s, double(usage.promptTokens)},
                                 {u"total_completion_tokens"_s, double(usage.completionTokens)}});
    }
    ctx.sendJson(200, QJsonObject{{u"users"_s, users}, {u"total_users"_s, users.size()},
                                  {u"period"_s, periodJson(from, to)}});
}

void AdminController::stats(HttpContext &ctx)
{
    bool ok = false;
    const int days = std::clamp(ctx.query(u"days"_s).toInt(&ok), 1, 90);
    const QDate today = QDateTime::currentDateTimeUtc().date();
    const CatalogSnapshot catalog = m_gateway->catalog();
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
        for (const Store::ModelUsage &usage : m_gateway->store()->usageByModel(0, from, to)) {
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
    ctx.sendJson(200, QJsonObject{{u"users"_s, double(m_gateway->store()->users().size())},
                                  {u"nodes"_s, QJsonObject{{u"total"_s, double(catalog->nodes().size())},
                                                           {u"healthy"_s, healthy}}},
                                  {u"models"_s, double(catalog->nodeModels().size())},
                                  {u"groups"_s, double(catalog->groups().size())},
                                  {u"active_requests"_s, m_gateway->activeCallsTotal()},
                                  {u"requests_today"_s, double(requestsToday)},
                                  {u"tokens_today"_s, double(tokensToday)},
                                  {u"models_today"_s, modelsToday},
                                  {u"daily"_s, daily}});
}

namespace {

// A node's live load: requests in flight on this gateway (warmup loads included), and the
// day's requests from the request log, so every gateway on a shared database and restarts count.
QJsonObject loadJson(const Node &node, Gateway *gateway, const QHash<qint64, NodeTraffic> &traffic)
{
    const NodeTraffic today = traffic.value(node.id);
    return {{u"active_requests"_s, gateway->balancer().active(node.id)},
            {u"requests_today"_s, double(today.requests)},
            {u"errors_today"_s, double(today.errors)},
            {u"avg_latency_ms_today"_s, double(today.avgLatencyMs)},
            {u"last_request_at"_s, timeValue(today.lastRequestAt)}};
}

QHash<qint64, NodeTraffic> trafficToday(Gateway *gateway)
{
    return gateway->store()->nodeTraffic(gateway->clock()->nowUtc().date());
}

QJsonObject nodeJson(const Node &node, Gateway *gateway, const QHash<qint64, NodeTraffic> &traffic)
{
    const CatalogSnapshot catalog = gateway->catalog();
    int models = 0;
    for (const NodeModel &model : catalog->nodeModels())
        models += model.nodeId == node.id ? 1 : 0;
    return {{u"id"_s, double(node.id)},
            {u"name"_s, node.name},
            {u"base_url"_s, node.baseUrl.toString()},
            {u"node_type"_s, nodeTypeName(node.type)},
            {u"api_key_set"_s, node.hasApiKey},
            {u"priority"_s, node.priority},
            {u"weight"_s, node.weight},
            {u"is_active"_s, node.active},
            {u"warmup_enabled"_s, node.warmupEnabled},
            {u"connect_timeout_seconds"_s, node.connectTimeoutSeconds},
            {u"first_byte_timeout_seconds"_s, node.firstByteTimeoutSeconds},
            {u"idle_timeout_seconds"_s, node.idleTimeoutSeconds},
            {u"health_status"_s, healthName(node.health)},
            {u"last_error"_s, node.lastError.isEmpty() ? QJsonValue() : QJsonValue(node.lastError)},
            {u"last_health_check"_s, timeValue(node.lastHealthCheck)},
            {u"model_count"_s, models},
            {u"load"_s, loadJson(node, gateway, traffic)},
            {u"created_at"_s, timeValue(node.createdAt)}};
}

QJsonObject nodeJson(const Node &node, Gateway *gateway)
{
    return nodeJson(node, gateway, trafficToday(gateway));
}

} // namespace

void AdminController::nodeCheckThenAnswer(HttpContext &ctx, qint64 id, int status, bool withModels)
{
    QPointer<QTcpSocket> socket = ctx.socket();
    auto responder = std::make_shared<QHttpServerResponder>(std::move(ctx.responder()));
    Gateway *gateway = m_gateway;
    m_gateway->checkNode(id, this, [socket, responder, gateway, id, status, withModels](bool, QString) {
        if (!socket)
            return;
        const auto node = gateway->store()->node(id);
        if (!node) {
            socket->write(Wire::jsonResponse(404, R"({"detail":"Node not found"})"));
            return;
        }
        QJsonObject json = nodeJson(*node, gateway);
        if (withModels) {
            QJsonArray models;
            const CatalogSnapshot catalog = gateway->catalog();
            for (const NodeModel &model : catalog->nodeModels()) {
                if (model.nodeId == id)
                    models.append(modelJson(model));
            }
            json.insert(u"models"_s, models);
        }
        socket->write(Wire::jsonResponse(status, QJsonDocument(json).toJson(QJsonDocument::Compact)));
    });
}

void AdminController::addNode(HttpContext &ctx)
{
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
    AdminService::NodeInput input;
    ApiError error;
    if (!readNodeInput(body.value(), &input, &error))
        return ctx.fail(error);
    if (!input.name || !input.baseUrl)
        return ctx.fail(ApiError::badRequest(u"\"name\" and \"base_url\" are required"_s));
    auto node = m_gateway->admin()->addNode(input);
    if (!node.ok())
        return ctx.fail(node.error());
    nodeCheckThenAnswer(ctx, node.value().id, 201, true);
}

void AdminController::listNodes(HttpContext &ctx)
{
    const auto traffic = trafficToday(m_gateway);
    QJsonArray nodes;
    for (const Node &node : m_gateway->store()->nodes())
        nodes.append(nodeJson(node, m_gateway, traffic));
    ctx.sendJson(200, nodes);
}

void AdminController::nodesLoad(HttpContext &ctx)
{
    const QDate day = m_gateway->clock()->nowUtc().date();
    const auto traffic = m_gateway->store()->nodeTraffic(day);
    QJsonArray nodes;
    for (const Node &node : m_gateway->store()->nodes()) {
        QJsonObject entry = loadJson(node, m_gateway, traffic);
        entry.insert(u"node_id"_s, double(node.id));
        entry.insert(u"node_name"_s, node.name);
        nodes.append(entry);
    }
    ctx.sendJson(200, QJsonObject{{u"day"_s, day.toString(Qt::ISODate)}, {u"nodes"_s, nodes}});
}

void AdminController::getNode(HttpContext &ctx)
{
    bool ok = false;
    auto node = m_gateway->admin()->findNode(idParam(ctx, &ok));
    if (!node.ok())
        return ctx.fail(node.error());
    ctx.sendJson(200, nodeJson(node.value(), m_gateway));
}

void AdminController::updateNode(HttpContext &ctx)
{
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
    AdminService::NodeInput input;
    ApiError error;
    if (!readNodeInput(body.value(), &input, &error))
        return ctx.fail(error);
    bool ok = false;
    auto node = m_gateway->admin()->updateNode(idParam(ctx, &ok), input);
    if (!node.ok())
        return ctx.fail(node.error());
    ctx.sendJson(200, nodeJson(node.value(), m_gateway));
}

void AdminController::toggleNode(HttpContext &ctx)
{
    bool ok = false;
    auto node = m_gateway->admin()->toggleNode(idParam(ctx, &ok));
    if (!node.ok())
        return ctx.fail(node.error());
    ctx.sendJson(200, nodeJson(node.value(), m_gateway));
}

void AdminController::deleteNode(HttpContext &ctx)
{
    bool ok = false;
    auto result = m_gateway->admin()->deleteNode(idParam(ctx, &ok));
    if (!result.ok())
        return ctx.fail(result.error());
    ctx.sendNoContent();
}

void AdminController::healthCheck(HttpContext &ctx)
{
    bool ok = false;
    const qint64 id = idParam(ctx, &ok);
    if (!m_gateway->store()->node(id))
        return ctx.fail(ApiError::notFound(u"Node not found: %1"_s.arg(ctx.param(u"id"_s))));
    QPointer<QTcpSocket> socket = ctx.socket();
    auto responder = std::make_shared<QHttpServerResponder>(std::move(ctx.responder()));
    Gateway *gateway = m_gateway;
    m_gateway->checkNode(id, this, [socket, responder, gateway, id](bool healthy, const QString &error) {
        if (!socket)
            return;
        const auto node = gateway->store()->node(id);
        const QJsonObject json{{u"node_id"_s, double(id)},
                               {u"node_name"_s, node ? node->name : QString()},
                               {u"health_status"_s, healthy ? u"healthy"_s : u"unhealthy"_s},
                               {u"error"_s, error.isEmpty() ? QJsonValue() : QJsonValue(error)},
                               {u"checked_at"_s, timeValue(QDateTime::currentDateTimeUtc())}};
        socket->write(Wire::jsonResponse(200, QJsonDocument(json).toJson(QJsonDocument::Compact)));
    });
}

void AdminController::syncModels(HttpContext &ctx)
{
    bool ok = false;
    const qint64 id = idParam(ctx, &ok);
    if (!m_gateway->store()->node(id))
        return ctx.fail(ApiError::notFound(u"Node not found: %1"_s.arg(ctx.param(u"id"_s))));
    nodeCheckThenAnswer(ctx, id, 200, true);
}

void AdminController::warmNode(HttpContext &ctx)
{
    bool ok = false;
    auto node = m_gateway->admin()->findNode(idParam(ctx, &ok));
    if (!node.ok())
        return ctx.fail(node.error());
    if (node.value().type != NodeType::Ollama)
        return ctx.fail(ApiError::badRequest(u"Warmup loads models on Ollama nodes only"_s));
    QStringList models;
    const CatalogSnapshot catalog = m_gateway->catalog();
    for (const NodeModel &model : catalog->nodeModels()) {
        if (model.nodeId == node.value().id)
            models.append(model.name);
    }
    // An empty body warms every discovered model; {"models": [...]} some of them.
    if (!ctx.request().body().trimmed().isEmpty()) {
        auto body = ctx.jsonBody();
        if (!body.ok())
            return ctx.fail(body.error());
        const QJsonValue asked = body.value().value("models"_L1);
        if (!asked.isUndefined()) {
            if (!asked.isArray())
                return ctx.fail(ApiError::badRequest(u"\"models\" must be an array of model names"_s));
            QStringList chosen;
            for (const QJsonValue &value : asked.toArray()) {
                if (!models.contains(value.toString()))
                    return ctx.fail(ApiError::badRequest(u"The node has no model named %1"_s.arg(value.toString())));
                chosen.append(value.toString());
            }
            models = chosen;
        }
    }
    QPointer<QTcpSocket> socket = ctx.socket();
    auto responder = std::make_shared<QHttpServerResponder>(std::move(ctx.responder()));
    const qint64 id = node.value().id;
    const QString name = node.value().name;
    m_gateway->jobs()->warmNow(node.value(), models, this, [socket, responder, id, name](const QList<NodeJobs::WarmOutcome> &outcomes) {
        if (!socket)
            return;
        QJsonArray list;
        int failed = 0;
        for (const NodeJobs::WarmOutcome &outcome : outcomes) {
            failed += outcome.ok ? 0 : 1;
            list.append(QJsonObject{{u"model"_s, outcome.model},
                                    {u"ok"_s, outcome.ok},
                                    {u"error"_s, outcome.ok ? QJsonValue() : QJsonValue(outcome.error)},
                                    {u"duration_ms"_s, double(outcome.durationMs)}});
        }
        const QJsonObject json{{u"node_id"_s, double(id)},
                               {u"node_name"_s, name},
                               {u"models"_s, list},
                               {u"warmed"_s, int(outcomes.size()) - failed},
                               {u"failed"_s, failed}};
        socket->write(Wire::jsonResponse(200, QJsonDocument(json).toJson(QJsonDocument::Compact)));
    });
}

void AdminController::syncAllNodes(HttpContext &ctx)
{
    QList<Node> nodes = m_gateway->store()->nodes();
    nodes.removeIf([](const Node &node) { return !node.active; });
    struct Gather
    {
        QJsonArray results; // in the order of the nodes
        qsizetype pending = 0;
    };
    auto gather = std::make_shared<Gather>();
    gather->pending = nodes.size();
    for (qsizetype i = 0; i < nodes.size(); ++i)
        gather->results.append(QJsonValue());
    QPointer<QTcpSocket> socket = ctx.socket();
    auto responder = std::make_shared<QHttpServerResponder>(std::move(ctx.responder()));
    auto finish = [socket, responder, gather] {
        if (socket)
            socket->write(Wire::jsonResponse(200, QJsonDocument(gather->results).toJson(QJsonDocument::Compact)));
    };
    if (nodes.isEmpty())
        return finish();
    Gateway *gateway = m_gateway;
    for (qsizetype i = 0; i < nodes.size(); ++i) {
        const Node &node = nodes.at(i);
        m_gateway->checkNode(node.id, this, [gateway, gather, finish, i, id = node.id, name = node.name](bool ok, const QString &error) {
            int models = 0;
            const CatalogSnapshot catalog = gateway->catalog();
            for (const NodeModel &model : catalog->nodeModels())
                models += model.nodeId == id ? 1 : 0;
            gather->results.replace(i, QJsonObject{{u"success"_s, ok},
                                                   {u"node_id"_s, double(id)},
                                                   {u"node_name"_s, name},
                                                   {u"health_status"_s, ok ? u"healthy"_s : u"unhealthy"_s},
                                                   {u"synced_count"_s, models},
                                                   {u"total_models"_s, models},
                                                   {u"error"_s, error.isEmpty() ? QJsonValue() : QJsonValue(error)}});
            if (--gather->pending == 0)
                finish();
        });
    }
}

void AdminController::nodeModels(HttpContext &ctx)
{
    bool ok = false;
    const qint64 id = idParam(ctx, &ok);
    if (!m_gateway->store()->node(id))
        return ctx.fail(ApiError::notFound(u"Node not found: %1"_s.arg(ctx.param(u"id"_s))));
    QJsonArray models;
    const CatalogSnapshot catalog = m_gateway->catalog();
    for (const NodeModel &model : catalog->nodeModels()) {
        if (model.nodeId == id)
            models.append(modelJson(model));
    }
    ctx.sendJson(200, models);
}

void AdminController::addMapping(HttpContext &ctx)
{
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
    AdminService::MappingInput input;
    ApiError error;
    if (!readMappingInput(body.value(), &input, &error))
        return ctx.fail(error);
    auto mapping = m_gateway->admin()->addMapping(input);
    if (!mapping.ok())
        return ctx.fail(mapping.error());
    const CatalogSnapshot catalog = m_gateway->catalog(); // published by the change just made
    ctx.sendJson(201, mappingJson(mapping.value(), *catalog));
}

void AdminController::listMappings(HttpContext &ctx)
{
    const CatalogSnapshot catalog = m_gateway->catalog();
    QJsonArray list;
    for (const ModelMapping &mapping : catalog->mappings())
        list.append(mappingJson(mapping, *catalog));
    ctx.sendJson(200, list);
}

void AdminController::getMapping(HttpContext &ctx)
{
    const CatalogSnapshot catalog = m_gateway->catalog();
    const QString name = ctx.param(u"display_name"_s);
    for (const ModelMapping &mapping : catalog->mappings()) {
        if (mapping.displayName == name)
            return ctx.sendJson(200, mappingJson(mapping, *catalog));
    }
    ctx.fail(ApiError::notFound(u"Model mapping not found: %1"_s.arg(name)));
}

void AdminController::updateMapping(HttpContext &ctx)
{
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
    AdminService::MappingInput input;
    ApiError error;
    if (!readMappingInput(body.value(), &input, &error))
        return ctx.fail(error);
    auto mapping = m_gateway->admin()->updateMapping(ctx.param(u"display_name"_s), input);
    if (!mapping.ok())
        return ctx.fail(mapping.error());
    const CatalogSnapshot catalog = m_gateway->catalog(); // published by the change just made
    ctx.sendJson(200, mappingJson(mapping.value(), *catalog));
}

void AdminController::deleteMapping(HttpContext &ctx)
{
    auto result = m_gateway->admin()->deleteMapping(ctx.param(u"display_name"_s));
    if (!result.ok())
        return ctx.fail(result.error());
    ctx.sendNoContent();
}

namespace {

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
    const QJsonObject body = withSeedNames(json, {{"is_fallback_413"_L1, "context_fallback"_L1}});
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

void AdminController::addGroup(HttpContext &ctx)
{
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
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
    auto group = m_gateway->admin()->addGroup(input, members);
    if (!group.ok())
        return ctx.fail(group.error());
    ctx.sendJson(201, groupJson(group.value()));
}

void AdminController::listGroups(HttpContext &ctx)
{
    QJsonArray groups;
    for (const ModelGroup &group : m_gateway->store()->groups())
        groups.append(groupJson(group));
    ctx.sendJson(200, QJsonObject{{u"groups"_s, groups}, {u"total"_s, groups.size()}});
}

void AdminController::getGroup(HttpContext &ctx)
{
    auto group = m_gateway->admin()->findGroup(ctx.param(u"name"_s));
    if (!group.ok())
        return ctx.fail(group.error());
    ctx.sendJson(200, groupJson(group.value()));
}

void AdminController::updateGroup(HttpContext &ctx)
{
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
    AdminService::GroupInput input;
    ApiError error;
    if (!readGroupInput(body.value(), &input, &error))
        return ctx.fail(error);
    auto group = m_gateway->admin()->updateGroup(ctx.param(u"name"_s), input);
    if (!group.ok())
        return ctx.fail(group.error());
    ctx.sendJson(200, groupJson(group.value()));
}

void AdminController::deleteGroup(HttpContext &ctx)
{
    auto result = m_gateway->admin()->deleteGroup(ctx.param(u"name"_s));
    if (!result.ok())
        return ctx.fail(result.error());
    ctx.sendNoContent();
}

void AdminController::addMember(HttpContext &ctx)
{
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
    AdminService::MemberInput input;
    ApiError error;
    if (!readMemberInput(body.value(), &input, &error))
        return ctx.fail(error);
    auto group = m_gateway->admin()->addMember(ctx.param(u"name"_s), input);
    if (!group.ok())
        return ctx.fail(group.error());
    ctx.sendJson(201, groupJson(group.value()));
}

void AdminController::updateMember(HttpContext &ctx)
{
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
    AdminService::MemberInput input;
    ApiError error;
    if (!readMemberInput(body.value(), &input, &error))
        return ctx.fail(error);
    bool ok = false;
    auto group = m_gateway->admin()->updateMember(ctx.param(u"name"_s), idParam(ctx, &ok), input);
    if (!group.ok())
        return ctx.fail(group.error());
    ctx.sendJson(200, groupJson(group.value()));
}

void AdminController::deleteMember(HttpContext &ctx)
{
    bool ok = false;
    auto group = m_gateway->admin()->deleteMember(ctx.param(u"name"_s), idParam(ctx, &ok));
    if (!group.ok())
        return ctx.fail(group.error());
    ctx.sendJson(200, groupJson(group.value()));
}

void AdminController::reorderMembers(HttpContext &ctx)
{
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
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
    auto group = m_gateway->admin()->reorderMembers(ctx.param(u"name"_s), order);
    if (!group.ok())
        return ctx.fail(group.error());
    ctx.sendJson(200, groupJson(group.value()));
}

namespace {

QJsonObject toolSetJson(const ToolSet &set)
{
    return {{u"id"_s, double(set.id)},
            {u"name"_s, set.name},
            {u"description"_s, set.description},
            {u"tools"_s, QJsonArray::fromStringList(set.tools)}};
}

QJsonObject modelConfigJson(const ModelConfig &c)
{
    return {{u"id"_s, double(c.id)},
            {u"model_pattern"_s, c.pattern},
            {u"tools_restricted"_s, c.toolsRestricted},
            {u"allowed_tools"_s, QJsonArray::fromStringList(c.allowedTools)},
            {u"tool_sets"_s, QJsonArray::fromStringList(c.toolSets)},
            {u"stripped_params"_s, QJsonArray::fromStringList(c.strippedParams)},
            {u"default_context_length"_s, c.defaultContextLength > 0 ? QJsonValue(double(c.defaultContextLength)) : QJsonValue()},
            {u"max_context_length"_s, c.maxContextLength > 0 ? QJsonValue(double(c.maxContextLength)) : QJsonValue()},
            {u"maintenance"_s, c.maintenance},
            {u"maintenance_message"_s, c.maintenanceMessage},
            {u"requests_per_minute"_s, optionalNumber(c.requestsPerMinute)},
            {u"tokens_per_minute"_s, optionalNumber(c.tokensPerMinute)},
            {u"updated_at"_s, timeValue(c.updatedAt)}};
}

bool readStrings(const QJsonObject &body, const QString &name, QStringList *out, ApiError *error)
{
    const QJsonValue value = body.value(name);
    if (value.isUndefined() || value.isNull())
        return true;
    if (!value.isArray()) {
        *error = ApiError::badRequest(u"\"%1\" must be an array of strings"_s.arg(name));
        return false;
    }
    out->clear();
    for (const QJsonValue &item : value.toArray()) {
        if (!item.isString()) {
            *error = ApiError::badRequest(u"\"%1\" must be an array of strings"_s.arg(name));
            return false;
        }
        out->append(item.toString());
    }
    return true;
}

bool readContext(const QJsonObject &body, const QString &name, qint64 *out, ApiError *error)
{
    const QJsonValue value = body.value(name);
    if (value.isUndefined() || value.isNull())
        return true;
    std::optional<qint64> parsed;
    if (value.isDouble() && value.toDouble() >= 0)
        parsed = qint64(value.toDouble());
    else if (value.isString())
        parsed = parseContextLength(value.toString());
    if (!parsed) {
        *error = ApiError::badRequest(u"\"%1\" must be a number of tokens or a size such as \"32K\""_s.arg(name));
        return false;
    }
    *out = *parsed;
    return true;
}

} // namespace

void AdminController::saveToolSet(HttpContext &ctx)
{
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
    ToolSet set;
    const QString pathName = ctx.param(u"name"_s);
    if (!pathName.isEmpty()) {
        const auto sets = m_gateway->store()->toolSets();
        const auto it = std::find_if(sets.cbegin(), sets.cend(), [&](const ToolSet &s) { return s.name == pathName; });
        if (it == sets.cend())
            return ctx.fail(ApiError::notFound(u"Tool set not found: %1"_s.arg(pathName)));
        set = *it;
    }
    std::optional<QString> name;
    std::optional<QString> description;
    ApiError error;
    if (!readField(body.value(), u"name"_s, &name, &error) || !readField(body.value(), u"description"_s, &description, &error)
        || !readStrings(body.value(), u"tools"_s, &set.tools, &error))
        return ctx.fail(error);
    if (!pathName.isEmpty() && name && *name != pathName)
        return ctx.fail(ApiError::badRequest(u"a tool set cannot be renamed; create a new one"_s));
    set.name = pathName.isEmpty() ? name.value_or(QString()) : pathName;
    if (description)
        set.description = *description;
    auto saved = m_gateway->admin()->saveToolSet(set);
    if (!saved.ok())
        return ctx.fail(saved.error());
    ctx.sendJson(pathName.isEmpty() ? 201 : 200, toolSetJson(saved.value()));
}

void AdminController::listToolSets(HttpContext &ctx)
{
    QJsonArray list;
    for (const ToolSet &set : m_gateway->store()->toolSets())
        list.append(toolSetJson(set));
    ctx.sendJson(200, list);
}

void AdminController::getToolSet(HttpContext &ctx)
{
    for (const ToolSet &set : m_gateway->store()->toolSets()) {
        if (set.name == ctx.param(u"name"_s))
            return ctx.sendJson(200, toolSetJson(set));
    }
    ctx.fail(ApiError::notFound(u"Tool set not found: %1"_s.arg(ctx.param(u"name"_s))));
}

void AdminController::deleteToolSet(HttpContext &ctx)
{
    auto result = m_gateway->admin()->deleteToolSet(ctx.param(u"name"_s));
    if (!result.ok())
        return ctx.fail(result.error());
    ctx.sendNoContent();
}

void AdminController::saveModelConfig(HttpContext &ctx)
{
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
    const QJsonObject json = withSeedNames(body.value(), {{"model_prefix"_L1, "model_pattern"_L1},
                                                          {"unsupported_params"_L1, "stripped_params"_L1},
                                                          {"maintenance_mode"_L1, "maintenance"_L1}});
    ModelConfig config;
    const QString pathPattern = ctx.param(u"pattern"_s);
    if (!pathPattern.isEmpty()) {
        const auto configs = m_gateway->store()->modelConfigs();
        const auto it = std::find_if(configs.cbegin(), configs.cend(), [&](const ModelConfig &c) { return c.pattern == pathPattern; });
        if (it == configs.cend())
            return ctx.fail(ApiError::notFound(u"Model configuration not found: %1"_s.arg(pathPattern)));
        config = *it;
    }
    std::optional<QString> pattern;
    std::optional<bool> restricted;
    std::optional<bool> maintenance;
    std::optional<QString> message;
    ApiError error;
    if (!readField(json, u"model_pattern"_s, &pattern, &error) || !readField(json, u"tools_restricted"_s, &restricted, &error)
        || !readField(json, u"maintenance"_s, &maintenance, &error) || !readField(json, u"maintenance_message"_s, &message, &error)
        || !readStrings(json, u"allowed_tools"_s, &config.allowedTools, &error)
        || !readStrings(json, u"tool_sets"_s, &config.toolSets, &error)
        || !readStrings(json, u"stripped_params"_s, &config.strippedParams, &error)
        || !readContext(json, u"default_context_length"_s, &config.defaultContextLength, &error)
        || !readContext(json, u"max_context_length"_s, &config.maxContextLength, &error)
        || !readLimit(json, u"requests_per_minute"_s, true, &config.requestsPerMinute, &error)
        || !readLimit(json, u"tokens_per_minute"_s, true, &config.tokensPerMinute, &error))
        return ctx.fail(error);
    if (!pathPattern.isEmpty() && pattern && *pattern != pathPattern)
        return ctx.fail(ApiError::badRequest(u"model_pattern cannot change; delete and create instead"_s));
    config.pattern = pathPattern.isEmpty() ? pattern.value_or(QString()) : pathPattern;
    // Naming tools or tool sets means "only these", unless tools_restricted says otherwise.
    config.toolsRestricted = restricted.value_or(config.toolsRestricted || json.contains("allowed_tools"_L1) || json.contains("tool_sets"_L1));
    if (maintenance)
        config.maintenance = *maintenance;
    if (message)
        config.maintenanceMessage = *message;
    auto saved = m_gateway->admin()->saveModelConfig(config);
    if (!saved.ok())
        return ctx.fail(saved.error());
    ctx.sendJson(pathPattern.isEmpty() ? 201 : 200, modelConfigJson(saved.value()));
}

void AdminController::listModelConfigs(HttpContext &ctx)
{
    QJsonArray list;
    for (const ModelConfig &config : m_gateway->store()->modelConfigs())
        list.append(modelConfigJson(config));
    ctx.sendJson(200, list);
}

void AdminController::getModelConfig(HttpContext &ctx)
{
    for (const ModelConfig &config : m_gateway->store()->modelConfigs()) {
        if (config.pattern == ctx.param(u"pattern"_s))
            return ctx.sendJson(200, modelConfigJson(config));
    }
    ctx.fail(ApiError::notFound(u"Model configuration not found: %1"_s.arg(ctx.param(u"pattern"_s))));
}

void AdminController::deleteModelConfig(HttpContext &ctx)
{
    auto result = m_gateway->admin()->deleteModelConfig(ctx.param(u"pattern"_s));
    if (!result.ok())
        return ctx.fail(result.error());
    ctx.sendNoContent();
}

namespace {

QJsonObject systemPromptJson(const SystemPrompt &p)
{
    return {{u"id"_s, double(p.id)},
            {u"scope_type"_s, promptScopeName(p.scope)},
            {u"scope_value"_s, p.scopeValue},
            {u"prompt"_s, p.prompt},
            {u"priority"_s, p.priority},
            {u"is_active"_s, p.active},
            {u"description"_s, p.description.isEmpty() ? QJsonValue() : QJsonValue(p.description)},
            {u"created_at"_s, timeValue(p.createdAt)},
            {u"updated_at"_s, timeValue(p.updatedAt)}};
}

QJsonArray systemPromptsJson(const QList<SystemPrompt> &prompts)
{
    QJsonArray list;
    for (const SystemPrompt &prompt : prompts)
        list.append(systemPromptJson(prompt));
    return list;
}

bool readPromptInput(const QJsonObject &body, AdminService::PromptInput *input, ApiError *error)
{
    return readField(body, u"scope_type"_s, &input->scopeType, error)
        && readField(body, u"scope_value"_s, &input->scopeValue, error)
        && readField(body, u"prompt"_s, &input->prompt, error)
        && readField(body, u"priority"_s, &input->priority, error)
        && readField(body, u"is_active"_s, &input->active, error)
        && readField(body, u"description"_s, &input->description, error);
}

// The {id} of a system prompt route; a non-number names no prompt.
std::optional<qint64> promptId(HttpContext &ctx)
{
    bool ok = false;
    const qint64 id = ctx.param(u"id"_s).toLongLong(&ok);
    if (!ok) {
        ctx.fail(ApiError::notFound(u"System prompt not found: %1"_s.arg(ctx.param(u"id"_s))));
        return std::nullopt;
    }
    return id;
}

} // namespace

void AdminController::listSystemPrompts(HttpContext &ctx)
{
    ctx.sendJson(200, systemPromptsJson(m_gateway->store()->systemPrompts()));
}

void AdminController::addSystemPrompt(HttpContext &ctx)
{
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
    AdminService::PromptInput input;
    ApiError error;
    if (!readPromptInput(body.value(), &input, &error))
        return ctx.fail(error);
    auto prompt = m_gateway->admin()->addSystemPrompt(input);
    if (!prompt.ok())
        return ctx.fail(prompt.error());
    ctx.sendJson(201, systemPromptJson(prompt.value()));
}

void AdminController::getSystemPrompt(HttpContext &ctx)
{
    const auto id = promptId(ctx);
    if (!id)
        return;
    auto prompt = m_gateway->admin()->findSystemPrompt(*id);
    if (!prompt.ok())
        return ctx.fail(prompt.error());
    ctx.sendJson(200, systemPromptJson(prompt.value()));
}

void AdminController::updateSystemPrompt(HttpContext &ctx)
{
    const auto id = promptId(ctx);
    if (!id)
        return;
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
    AdminService::PromptInput input;
    ApiError error;
    if (!readPromptInput(body.value(), &input, &error))
        return ctx.fail(error);
    auto prompt = m_gateway->admin()->updateSystemPrompt(*id, input);
    if (!prompt.ok())
        return ctx.fail(prompt.error());
    ctx.sendJson(200, systemPromptJson(prompt.value()));
}

void AdminController::deleteSystemPrompt(HttpContext &ctx)
{
    const auto id = promptId(ctx);
    if (!id)
        return;
    auto result = m_gateway->admin()->deleteSystemPrompt(*id);
    if (!result.ok())
        return ctx.fail(result.error());
    ctx.sendNoContent();
}

void AdminController::reorderSystemPrompts(HttpContext &ctx)
{
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
    const QJsonValue ids = body.value().value("ids"_L1);
    const auto invalid = ApiError::badRequest(u"\"ids\" must be an array of system prompt ids"_s);
    if (!ids.isArray())
        return ctx.fail(invalid);
    QList<qint64> order;
    for (const QJsonValue &id : ids.toArray()) {
        if (!id.isDouble() || id.toDouble() != double(qint64(id.toDouble())))
            return ctx.fail(invalid);
        order.append(qint64(id.toDouble()));
    }
    auto prompts = m_gateway->admin()->reorderSystemPrompts(order);
    if (!prompts.ok())
        return ctx.fail(prompts.error());
    ctx.sendJson(200, systemPromptsJson(prompts.value()));
}

void AdminController::requestLogs(HttpContext &ctx)
{
    qint64 total = 0;
    QJsonArray logs;
    for (const RequestLogEntry &entry : m_gateway->store()->requestLogs(logQuery(ctx), &total))
        logs.append(logJson(entry));
    ctx.sendJson(200, QJsonObject{{u"logs"_s, logs}, {u"total"_s, double(total)}});
}

void AdminController::auditLogs(HttpContext &ctx)
{
    qint64 total = 0;
    QJsonArray logs;
    for (const AuditEntry &entry : m_gateway->store()->auditLogs(logQuery(ctx), &total)) {
        logs.append(QJsonObject{{u"id"_s, double(entry.id)},
                                {u"action"_s, entry.action},
                                {u"entity_type"_s, entry.entityType},
                                {u"entity_id"_s, entry.entityId},
                                {u"details"_s, entry.details},
                                {u"created_at"_s, timeValue(entry.createdAt)}});
    }
    ctx.sendJson(200, QJsonObject{{u"logs"_s, logs}, {u"total"_s, double(total)}});
}

void AdminController::getSettings(HttpContext &ctx)
{
    ctx.sendJson(200, m_gateway->admin()->settings());
}

void AdminController::settingsSchema(HttpContext &ctx)
{
    ctx.sendJson(200, Settings::schema());
}

void AdminController::putSettings(HttpContext &ctx)
{
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
    auto settings = m_gateway->admin()->updateSettings(body.value());
    if (!settings.ok())
        return ctx.fail(settings.error());
    ctx.sendJson(200, settings.value());
}

void AdminController::resetSetting(HttpContext &ctx)
{
    auto settings = m_gateway->admin()->resetSetting(ctx.param(u"key"_s));
    if (!settings.ok())
        return ctx.fail(settings.error());
    ctx.sendJson(200, settings.value());
}

void AdminController::exportBackup(HttpContext &ctx)
{
    ctx.sendJson(200, m_gateway->admin()->exportBackup());
}

void AdminController::importBackup(HttpContext &ctx)
{
    auto body = ctx.jsonBody();
    if (!body.ok())
        return ctx.fail(body.error());
    auto outcome = m_gateway->admin()->importBackup(body.value());
    if (!outcome.ok())
        return ctx.fail(outcome.error());
    QJsonArray created;
    for (const auto &[username, token] : std::as_const(outcome.value().createdUsers))
        created.append(QJsonObject{{u"username"_s, username}, {u"token"_s, token}});
    ctx.sendJson(200, QJsonObject{{u"imported"_s, outcome.value().counts}, {u"created_users"_s, created}});
}

} // namespace Maestro

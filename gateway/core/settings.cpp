#include "settings.h"

#include <QRegularExpression>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

using Type = SettingSpec::Type;

// Daily limits are counted in qint64 but travel as JSON numbers, exact up to 2^53.
constexpr qint64 LargestLimit = 1'000'000'000'000'000;

QString typeName(Type type)
{
    switch (type) {
    case Type::Bool:
        return u"bool"_s;
    case Type::Integer:
        return u"integer"_s;
    case Type::String:
        return u"string"_s;
    case Type::Choice:
        return u"choice"_s;
    }
    return {};
}

ApiError broken(const SettingSpec &spec)
{
    switch (spec.type) {
    case Type::Bool:
        return ApiError::badRequest(u"%1 must be true or false"_s.arg(spec.key));
    case Type::Integer:
        return ApiError::badRequest((spec.zeroIsOff ? u"%1 must be 0 (off) or a whole number from %2 to %3"_s
                                                    : u"%1 must be a whole number from %2 to %3"_s)
                                        .arg(spec.key)
                                        .arg(spec.minimum)
                                        .arg(spec.maximum));
    case Type::String:
        if (!spec.patternHint.isEmpty())
            return ApiError::badRequest(u"%1 must be %2"_s.arg(spec.key, spec.patternHint));
        return ApiError::badRequest(u"%1 must be a string"_s.arg(spec.key));
    case Type::Choice:
        return ApiError::badRequest(u"%1 must be one of %2"_s.arg(spec.key, spec.choices.join(u", "_s)));
    }
    return ApiError::badRequest(spec.key);
}

} // namespace

const QList<SettingSpec> &Settings::registry()
{
    static const QList<SettingSpec> specs{
        {.key = u"routing_strategy"_s,
         .type = Type::Choice,
         .defaultValue = u"least_busy"_s,
         .choices = {u"least_busy"_s, u"round_robin"_s, u"weighted"_s, u"priority"_s},
         .description = u"How the first node for a request is picked; the others are the failover order."_s},
        {.key = u"max_body_bytes"_s,
         .type = Type::Integer,
         .defaultValue = 32 * 1024 * 1024,
         .minimum = 1024,
         .maximum = qint64(4096) * 1024 * 1024,
         .description = u"Largest request body in bytes; larger ones are refused with 413."_s},
        // Client connections (the front door). Defaults as nginx's.
        {.key = u"max_header_bytes"_s,
         .type = Type::Integer,
         .defaultValue = 32 * 1024,
         .minimum = 1024,
         .maximum = 64 * 1024,
         .description = u"Largest request head (request line and headers) in bytes; larger ones are refused with 431."_s},
        // QHttpServer 6.4 drops every header of a request with more than 100.
        {.key = u"max_header_fields"_s,
         .type = Type::Integer,
         .defaultValue = 100,
         .minimum = 8,
         .maximum = 100,
         .description = u"Most header fields in a request; more are refused with 431."_s},
        {.key = u"client_header_timeout_seconds"_s,
         .type = Type::Integer,
         .defaultValue = 60,
         .minimum = 1,
         .maximum = 3600,
         .description = u"Seconds a client has to send a whole request head; then 408 and the connection closes."_s},
        {.key = u"client_body_timeout_seconds"_s,
         .type = Type::Integer,
         .defaultValue = 60,
         .minimum = 1,
         .maximum = 3600,
         .description = u"Seconds a request body may stall between two reads; then 408 and the connection closes."_s},
        {.key = u"keepalive_timeout_seconds"_s,
         .type = Type::Integer,
         .defaultValue = 75,
         .minimum = 1,
         .maximum = 3600,
         .description = u"Seconds an idle keep-alive connection stays open."_s},
        {.key = u"send_timeout_seconds"_s,
         .type = Type::Integer,
         .defaultValue = 60,
         .minimum = 1,
         .maximum = 3600,
         .description = u"Seconds a client may take nothing of an answer waiting for it before the connection is dropped."_s},
        {.key = u"max_connections"_s,
         .type = Type::Integer,
         .defaultValue = 10000,
         .minimum = 1,
         .maximum = 1000000,
         .description = u"Most open client connections; beyond it a connection gets 503 and is closed."_s},
        {.key = u"health_failure_threshold"_s,
         .type = Type::Integer,
         .defaultValue = 2,
         .minimum = 1,
         .maximum = 100,
         .description = u"Failed periodic health checks in a row before a node is marked down."_s},
        {.key = u"health_check_interval_seconds"_s,
         .type = Type::Integer,
         .defaultValue = 30,
         .minimum = 0,
         .maximum = 86400,
         .description = u"Seconds between periodic health checks of every node; 0 turns them off."_s},
        {.key = u"metrics_public"_s,
         .type = Type::Bool,
         .defaultValue = false,
         .description = u"Serve /metrics without the admin token."_s},
        {.key = u"default_daily_requests"_s,
         .type = Type::Integer,
         .defaultValue = 0,
         .minimum = 0,
         .maximum = LargestLimit,
         .description = u"Daily request limit given to new users unless their creation names one; 0 is unlimited."_s},
        {.key = u"default_daily_tokens"_s,
         .type = Type::Integer,
         .defaultValue = 0,
         .minimum = 0,
         .maximum = LargestLimit,
         .description = u"Daily token limit given to new users unless their creation names one; 0 is unlimited."_s},
        {.key = u"default_requests_per_minute"_s,
         .type = Type::Integer,
         .defaultValue = 0,
         .minimum = 0,
         .maximum = LargestLimit,
         .description = u"Requests per minute given to new users; 0 is unlimited."_s},
        {.key = u"default_tokens_per_minute"_s,
         .type = Type::Integer,
         .defaultValue = 0,
         .minimum = 0,
         .maximum = LargestLimit,
         .description = u"Tokens per minute given to new users; 0 is unlimited."_s},
        // Loading every model of every node more often would keep the nodes busy loading.
        {.key = u"warmup_interval_seconds"_s,
         .type = Type::Integer,
         .defaultValue = 0,
         .minimum = 60,
         .maximum = 7 * 24 * 3600,
         .zeroIsOff = true,
         .description = u"Seconds between loads of every model of warmup-enabled nodes; 0 is off."_s},
        // Upstream timeouts; a node's own connect/first_byte/idle_timeout_seconds beat these.
        {.key = u"upstream_connect_timeout_seconds"_s,
         .type = Type::Integer,
         .defaultValue = 10,
         .minimum = 1,
         .maximum = 600,
         .description = u"Seconds to wait for a node to accept a connection before trying the next node."_s},
        // A large prompt on a slow GPU can take minutes before the first token.
        {.key = u"upstream_first_byte_timeout_seconds"_s,
         .type = Type::Integer,
         .defaultValue = 300,
         .minimum = 1,
         .maximum = 86400,
         .description = u"Seconds to wait for the first byte of a node's answer before trying the next node."_s},
        {.key = u"upstream_idle_timeout_seconds"_s,
         .type = Type::Integer,
         .defaultValue = 120,
         .minimum = 1,
         .maximum = 86400,
         .description = u"Seconds a node may fall silent in the middle of an answer before the request fails."_s},
        {.key = u"max_upstream_body_bytes"_s,
         .type = Type::Integer,
         .defaultValue = 64 * 1024 * 1024,
         .minimum = 64 * 1024,
         .maximum = qint64(4096) * 1024 * 1024,
         .description = u"Largest answer in bytes the gateway holds from a node (non-streamed answers, model lists); larger ones fail."_s},
        {.key = u"max_upstream_line_bytes"_s,
         .type = Type::Integer,
         .defaultValue = 16 * 1024 * 1024,
         .minimum = 64 * 1024,
         .maximum = qint64(1024) * 1024 * 1024,
         .description = u"Longest single line or event in bytes of a node's stream; a longer one fails the request."_s},
        {.key = u"warmup_keep_alive"_s,
         .type = Type::String,
         .defaultValue = u"30m"_s,
         .description = u"keep_alive sent with each warmup load: an Ollama duration such as 30m, or seconds (-1: until Ollama needs the memory)."_s},
        // Request defaults for nodes (providers/noderequest.h). As the seed: models stay loaded,
        // and Ollama, which would cut long prompts to its own small default context without a
        // word, is told 32768.
        {.key = u"ollama_keep_alive"_s,
         .type = Type::String,
         .defaultValue = u"-1"_s,
         .description = u"keep_alive sent to Ollama nodes with chat and generate requests that carry none: an Ollama duration such as 30m, seconds (-1: keep the model loaded), or empty to send none."_s,
         .pattern = u"(-?[0-9]+|-?([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+)?"_s,
         .patternHint = u"an Ollama duration such as 30m or 1h30m, a whole number of seconds (-1: keep the model loaded), or empty"_s},
        {.key = u"default_context_length"_s,
         .type = Type::Integer,
         .defaultValue = 32768,
         .minimum = 512,
         .maximum = 16 * 1024 * 1024,
         .zeroIsOff = true,
         .description = u"options.num_ctx sent to Ollama nodes with chat and generate requests when neither the client, the model configuration nor the mapping sets one; 0 sends none (Ollama's own default)."_s},
        {.key = u"images_for_non_vision_models"_s,
         .type = Type::Choice,
         .defaultValue = u"strip"_s,
         .choices = {u"strip"_s, u"reject"_s},
         .description = u"Images sent to a model known not to have the vision capability: strip them (the text goes on), or reject the request with 400."_s},
        // What GET /api/version reports. Ollama clients compare it with the version they need
        // (VS Code's Copilot refuses servers older than 0.6.4), so it names a current Ollama
        // release rather than the gateway's own version.
        {.key = u"ollama_version"_s,
         .type = Type::String,
         .defaultValue = u"0.12.6"_s,
         .description = u"The Ollama version GET /api/version reports to Ollama clients, such as 0.12.6."_s,
         .pattern = u"[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,4}(-[0-9A-Za-z.]{1,32})?"_s,
         .patternHint = u"a version such as 0.12.6 (numbers separated by dots, an optional -suffix)"_s},
        // Ollama clients probe /api/version without a token; CONTRACT.md lists it among the
        // user-token endpoints, so serving it openly is the administrator's choice.
        {.key = u"ollama_version_public"_s,
         .type = Type::Bool,
         .defaultValue = false,
         .description = u"Serve GET /api/version without a token, as Ollama does (for clients such as VS Code's Copilot that check the version first)."_s},
    };
    return specs;
}

QJsonObject SettingSpec::schema() const
{
    QJsonObject json{{u"key"_s, key},
                     {u"type"_s, typeName(type)},
                     {u"default"_s, defaultValue},
                     {u"description"_s, description},
                     {u"restart_required"_s, restartRequired}};
    if (type == Type::Integer) {
        json.insert(u"minimum"_s, QJsonValue(minimum));
        json.insert(u"maximum"_s, QJsonValue(maximum));
    }
    if (type == Type::Choice)
        json.insert(u"choices"_s, QJsonArray::fromStringList(choices));
    if (!pattern.isEmpty())
        json.insert(u"pattern"_s, pattern);
    return json;
}

Result<QJsonValue> parseSetting(const SettingSpec &spec, const QJsonValue &value)
{
    switch (spec.type) {
    case Type::Bool:
        if (value.isBool())
            return value;
        if (value.isString()) {
            const QString text = value.toString().trimmed().toLower();
            if (text == "true"_L1 || text == "false"_L1)
                return QJsonValue(text == "true"_L1);
        }
        break;
    case Type::Integer: {
        qint64 number = 0;
        bool ok = false;
        if (value.isDouble()) {
            const double d = value.toDouble();
            ok = std::isfinite(d) && d == std::floor(d) && std::abs(d) < 9.0e15;
            number = ok ? qint64(d) : 0;
        } else if (value.isString()) {
            number = value.toString().trimmed().toLongLong(&ok);
        }
        if (ok && ((number >= spec.minimum && number <= spec.maximum) || (spec.zeroIsOff && number == 0)))
            return QJsonValue(number);
        break;
    }
    case Type::String:
        if (value.isString()) {
            if (spec.pattern.isEmpty())
                return value;
            const QString text = value.toString().trimmed();
            const QRegularExpression pattern(QRegularExpression::anchoredPattern(spec.pattern));
            if (pattern.match(text).hasMatch())
                return QJsonValue(text);
        }
        break;
    case Type::Choice:
        if (value.isString() && spec.choices.contains(value.toString().trimmed()))
            return QJsonValue(value.toString().trimmed());
        break;
    }
    return broken(spec);
}

QString storedSettingForm(const QJsonValue &typed)
{
    if (typed.isBool())
        return typed.toBool() ? u"true"_s : u"false"_s;
    if (typed.isDouble())
        return QString::number(typed.toInteger());
    return typed.toString();
}

Settings::Settings(const QHash<QString, QString> &stored)
{
    for (const SettingSpec &spec : registry()) {
        const auto it = stored.constFind(spec.key);
        if (it == stored.cend())
            continue;
        if (auto parsed = parseSetting(spec, *it); parsed.ok())
            m_stored.insert(spec.key, parsed.value());
    }
}

const SettingSpec *Settings::find(const QString &key)
{
    for (const SettingSpec &spec : registry()) {
        if (spec.key == key)
            return &spec;
    }
    return nullptr;
}

QStringList Settings::keys()
{
    QStringList keys;
    for (const SettingSpec &spec : registry())
        keys.append(spec.key);
    return keys;
}

QJsonArray Settings::schema()
{
    QJsonArray schema;
    for (const SettingSpec &spec : registry())
        schema.append(spec.schema());
    return schema;
}

Result<QJsonValue> Settings::parse(const QString &key, const QJsonValue &value)
{
    const SettingSpec *spec = find(key);
    if (!spec)
        return ApiError::badRequest(u"Unknown setting: %1 (known settings: %2)"_s.arg(key, keys().join(u", "_s)));
    return parseSetting(*spec, value);
}

QJsonValue Settings::value(const QString &key) const
{
    if (const auto it = m_stored.constFind(key); it != m_stored.cend())
        return *it;
    const SettingSpec *spec = find(key);
    Q_ASSERT_X(spec, "Settings::value", "every setting the code reads is in the registry");
    return spec ? spec->defaultValue : QJsonValue();
}

QJsonObject Settings::toJson() const
{
    QJsonObject json;
    for (const SettingSpec &spec : registry())
        json.insert(spec.key, value(spec.key));
    return json;
}

} // namespace Maestro

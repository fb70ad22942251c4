#include "adminjson.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Maestro::AdminJson {

QJsonValue timeValue(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(time.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue();
}

QJsonValue optionalNumber(std::optional<qint64> value)
{
    return value ? QJsonValue(double(*value)) : QJsonValue();
}

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

QJsonObject withSeedNames(QJsonObject body,
                          std::initializer_list<std::pair<QLatin1StringView, QLatin1StringView>> names)
{
    for (const auto &[seed, ours] : names) {
        if (!body.contains(ours) && body.contains(seed))
            body.insert(ours, body.value(seed));
    }
    return body;
}

} // namespace Maestro::AdminJson

#pragma once

#include "core/apierror.h"

#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <QLatin1StringView>
#include <QStringList>

#include <initializer_list>
#include <optional>
#include <utility>

namespace Maestro::AdminJson {

// ISO 8601 in UTC with milliseconds, or null for an invalid time.
QJsonValue timeValue(const QDateTime &time);
QJsonValue optionalNumber(std::optional<qint64> value);

// A limit field: a whole number (at least 1 when `positive`), or null for unlimited. An absent
// field leaves `out` as it is.
bool readLimit(const QJsonObject &body, const QString &name, bool positive, std::optional<qint64> *out,
               ApiError *error);

// Reads an optional typed field (QString, int or bool); absent or null leaves `out` as it is, a
// present value of the wrong type is a 400.
template<typename T>
bool readField(const QJsonObject &body, const QString &name, std::optional<T> *out, ApiError *error);
template<>
bool readField<QString>(const QJsonObject &body, const QString &name, std::optional<QString> *out, ApiError *error);
template<>
bool readField<int>(const QJsonObject &body, const QString &name, std::optional<int> *out, ApiError *error);
template<>
bool readField<bool>(const QJsonObject &body, const QString &name, std::optional<bool> *out, ApiError *error);

// An optional array of strings; absent or null leaves `out` as it is.
bool readStrings(const QJsonObject &body, const QString &name, QStringList *out, ApiError *error);

// The seed's API named some fields otherwise: a seed name is read as ours when ours is absent.
QJsonObject withSeedNames(QJsonObject body,
                          std::initializer_list<std::pair<QLatin1StringView, QLatin1StringView>> names);

} // namespace Maestro::AdminJson

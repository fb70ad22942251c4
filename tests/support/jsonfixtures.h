#pragma once

#include <QJsonValue>
#include <QString>

namespace Maestro::Test {

// A JSON fixture under tests/<relativePath> (an object or an array); aborts the test on a missing
// or malformed file, which is a broken test, not a failing one.
QJsonValue loadJsonFixture(const QString &relativePath);

QString compactJson(const QJsonValue &value);

// The first difference between two JSON values, as "path: what differs", empty when they match.
// Values that vary from run to run are written in expected fixtures as placeholders saying what
// the actual value must look like: "<id:prefix>" (a string starting with prefix and longer),
// "<number>", "<unix-time>" (whole seconds after 2023), "<nanoseconds>" (a whole number >= 0),
// "<created_at>" (an ISO date-time in UTC).
QString jsonDifference(const QJsonValue &actual, const QJsonValue &expected,
                       const QString &path = QStringLiteral("$"));

} // namespace Maestro::Test

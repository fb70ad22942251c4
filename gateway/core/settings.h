#pragma once

#include "apierror.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace Maestro {

// One system setting: what values it takes and what it means. The registry (Settings::registry)
// lists every one; the store keeps only values that were set, as strings.
struct SettingSpec
{
    enum class Type { Bool, Integer, String, Choice };

    QString key;
    Type type = Type::String;
    QJsonValue defaultValue;
    qint64 minimum = 0; // Integer only, inclusive
    qint64 maximum = 0;
    bool zeroIsOff = false; // Integer only: 0 is accepted below the minimum, and means "off"
    QStringList choices; // Choice only
    QString description; // one line, for the schema and the desktop app
    bool restartRequired = false;
    // String only: a regular expression the whole (trimmed) value must match, and the rule it
    // stands for in the error message ("a version such as 0.12.6"); empty: any string.
    QString pattern;
    QString patternRule;

    QJsonObject schema() const;
};

// Checks a value for a setting: a JSON value of the setting's type, or its string form ("true",
// "120"). Returns the typed value, or a bad request naming the key and the rule it breaks.
Result<QJsonValue> parseSetting(const SettingSpec &spec, const QJsonValue &value);
// The string the store keeps for a typed value.
QString storedSettingForm(const QJsonValue &typed);

// The effective system settings (stored values over the registry's defaults), typed. A stored
// value the registry no longer accepts reads as the default.
class Settings
{
public:
    Settings() = default; // every setting at its default
    explicit Settings(const QHash<QString, QString> &stored);

    // Every setting there is. Adding one is one entry here and nothing else.
    static const QList<SettingSpec> &registry();
    static const SettingSpec *find(const QString &key);
    static QStringList keys();
    // [{key, type, default, minimum?, maximum?, choices?, description, restart_required}]
    static QJsonArray schema();
    // parseSetting for a key of the registry; an unknown key is a bad request naming the known ones.
    static Result<QJsonValue> parse(const QString &key, const QJsonValue &value);

    bool flag(const QString &key) const { return value(key).toBool(); }
    qint64 integer(const QString &key) const { return value(key).toInteger(); }
    QString string(const QString &key) const { return value(key).toString(); } // string and choice
    QJsonValue value(const QString &key) const;
    QJsonObject toJson() const; // {key: effective value} for every setting

private:
    QHash<QString, QJsonValue> m_stored; // parsed stored values only
};

} // namespace Maestro

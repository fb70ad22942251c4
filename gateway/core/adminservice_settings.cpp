// System settings. Every change, here and in the other areas, is written to the audit log.

#include "adminservice.h"
#include "adminservice_p.h"
#include "settings.h"

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace AdminSupport;

QJsonObject AdminService::settings()
{
    return Settings(m_store->settings()).toJson();
}

Result<QJsonObject> AdminService::updateSettings(const QJsonObject &values)
{
    QHash<QString, QJsonValue> typed;
    for (auto it = values.constBegin(); it != values.constEnd(); ++it) {
        MAESTRO_TRY(value, Settings::parse(it.key(), it.value()));
        typed.insert(it.key(), value);
    }
    const Settings before(m_store->settings());
    QHash<QString, std::optional<QString>> changes;
    for (auto it = typed.cbegin(); it != typed.cend(); ++it)
        changes.insert(it.key(), storedSettingForm(it.value()));
    if (!changes.isEmpty() && !m_store->writeSettings(changes))
        return storageFailed();
    bool changedAny = false;
    for (auto it = typed.cbegin(); it != typed.cend(); ++it) {
        if (before.value(it.key()) == it.value())
            continue;
        audit(u"setting.update"_s, u"setting"_s, it.key(),
              {{u"value"_s, it.value()}, {u"previous"_s, before.value(it.key())}});
        changedAny = true;
    }
    if (changedAny)
        Q_EMIT changed();
    return settings();
}

Result<QJsonObject> AdminService::resetSetting(const QString &key)
{
    const SettingSpec *spec = Settings::find(key);
    if (!spec)
        return ApiError::notFound(u"Unknown setting: %1 (known settings: %2)"_s.arg(key, Settings::keys().join(u", "_s)));
    const QJsonValue previous = Settings(m_store->settings()).value(key);
    if (!m_store->writeSettings({{key, std::nullopt}}))
        return storageFailed();
    announce(u"setting.reset"_s, u"setting"_s, key, {{u"value"_s, spec->defaultValue}, {u"previous"_s, previous}});
    return settings();
}

} // namespace Maestro

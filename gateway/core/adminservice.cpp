#include "adminservice.h"
#include "adminservice_p.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

// The service's changes by API area: adminservice_users.cpp, _nodes.cpp, _models.cpp (mappings
// and groups), _policies.cpp (tool sets, model configurations, system prompts), _settings.cpp
// and _backup.cpp. This file holds what they all use.

namespace Maestro {

ApiError AdminSupport::storageFailed()
{
    return ApiError::internal(u"The database refused the change"_s);
}

std::optional<qint64> parseContextLength(const QString &text)
{
    static const QRegularExpression pattern(u"^\\s*(\\d+(?:\\.\\d+)?)\\s*([kKmM]?)\\s*$"_s);
    const auto match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    double value = match.captured(1).toDouble();
    const QString unit = match.captured(2).toLower();
    if (unit == "k"_L1)
        value *= 1024;
    else if (unit == "m"_L1)
        value *= 1024 * 1024;
    // Checked after truncation: "0.4" is no more a length than "0" is.
    if (value > 1e12 || qint64(value) <= 0)
        return std::nullopt;
    return qint64(value);
}

AdminService::AdminService(Store *store, SecretStore *secrets, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_secrets(secrets)
{
    // Connected first, so the version has moved before anyone reloads: a gateway that reloads
    // after its own change then sees no news when it next polls the version.
    connect(this, &AdminService::changed, this, [this] { m_store->bumpConfigVersion(); });
}

void AdminService::audit(const QString &action, const QString &entityType,
                         const QString &entityId, const QJsonObject &details)
{
    AuditEntry entry;
    entry.action = action;
    entry.entityType = entityType;
    entry.entityId = entityId;
    entry.details = details;
    entry.createdAt = QDateTime::currentDateTimeUtc();
    m_store->insertAudit(entry);
    Q_EMIT audited(entry);
}

void AdminService::announce(const QString &action, const QString &entityType,
                            const QString &entityId, const QJsonObject &details)
{
    audit(action, entityType, entityId, details);
    Q_EMIT changed();
}

} // namespace Maestro

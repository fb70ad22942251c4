#include "serviceunit.h"

using namespace Qt::StringLiterals;

namespace Maestro {

QStringList ServiceUnit::systemctlArguments(const QString &verb) const
{
    QStringList arguments;
    if (user)
        arguments << u"--user"_s;
    arguments << verb << name;
    return arguments;
}

ServiceUnit ServiceUnit::fromInstance(const QJsonObject &instance)
{
    ServiceUnit unit;
    unit.name = instance.value("systemd_unit"_L1).toString();
    unit.user = instance.value("systemd_user"_L1).toBool(true);
    return unit;
}

} // namespace Maestro

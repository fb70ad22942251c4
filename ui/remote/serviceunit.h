#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace Maestro {

// The systemd unit that runs a gateway, as the gateway tells in instance.json: how the desktop app
// starts and stops a service it attached to (systemctl [--user] start|stop <name>).
struct ServiceUnit
{
    QString name;     // e.g. "model-maestro.service"
    bool user = true; // a user unit (systemctl --user), as the package installs it

    bool isValid() const { return !name.isEmpty(); }
    // The systemctl arguments for `verb` ("start", "stop").
    QStringList systemctlArguments(const QString &verb) const;
    // From instance.json's "systemd_unit" and "systemd_user"; invalid when it names none.
    static ServiceUnit fromInstance(const QJsonObject &instance);
};

} // namespace Maestro

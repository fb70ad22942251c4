#pragma once

#include <QCoreApplication>
#include <QString>

namespace Maestro {

// Starting the desktop app when the user logs in: an XDG autostart entry
// ($XDG_CONFIG_HOME/autostart, default ~/.config/autostart) on Linux and other Unix desktops,
// the HKCU Run key on Windows, a LaunchAgent on macOS. The entry starts the binary with no
// arguments; whether it opens its window or only the tray icon is the "Start minimized to the
// tray" setting's call, as on any other start.
class Autostart
{
    Q_DECLARE_TR_FUNCTIONS(Autostart)

public:
    // For the running binary.
    Autostart();
    explicit Autostart(const QString &program);

    // What is on disk (or in the registry) now.
    bool isEnabled() const;
    // Writes or removes the entry; on failure returns false with a user-visible *error.
    bool setEnabled(bool enabled, QString *error);

    // The XDG entry (a Desktop Entry file) and the LaunchAgent plist for `program`.
    static QString desktopEntry(const QString &program);
    static QString launchAgent(const QString &program);
    // One argument of a Desktop Entry Exec key: quoted where the spec requires, with the
    // escapes of both the Exec rules and string values.
    static QString execArgument(const QString &argument);

private:
    QString entryPath() const; // the file, where the entry is one

    QString m_program;
};

} // namespace Maestro

#include "autostart.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSettings>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

// The installed application's id (installer/CMakeLists.txt): names the LaunchAgent.
const QString AppId = u"io.github.modelmaestro.ModelMaestro"_s;

#if defined(Q_OS_WIN)
const QString RunKey = u"HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run"_s;
const QString RunValue = u"Model Maestro"_s;
#endif

} // namespace

Autostart::Autostart()
    : Autostart(QCoreApplication::applicationFilePath())
{
}

Autostart::Autostart(const QString &program)
    : m_program(program)
{
}

QString Autostart::execArgument(const QString &argument)
{
    // A literal percent sign is written %% (field codes start with %).
    QString value = argument;
    value.replace(u'%', u"%%"_s);
    static const QString reserved = u" \t\n\"'\\><~|&;$*?#()`"_s;
    if (std::any_of(value.cbegin(), value.cend(), [](QChar c) { return reserved.contains(c); })) {
        QString quoted = u"\""_s;
        for (QChar c : std::as_const(value)) {
            if (c == u'"' || c == u'`' || c == u'$' || c == u'\\')
                quoted += u'\\';
            quoted += c;
        }
        value = quoted + u'"';
    }
    // Exec is also a string value, whose own escaping doubles every backslash.
    value.replace(u'\\', u"\\\\"_s);
    return value;
}

QString Autostart::desktopEntry(const QString &program)
{
    return u"[Desktop Entry]\n"
           "Type=Application\n"
           "Name=Model Maestro\n"
           "Comment=Starts the Model Maestro gateway when you log in\n"
           "Exec=%1\n"
           "Icon=%2\n"
           "Terminal=false\n"
           "X-GNOME-Autostart-enabled=true\n"_s.arg(execArgument(program), AppId);
}

QString Autostart::launchAgent(const QString &program)
{
    return u"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
           "<plist version=\"1.0\">\n"
           "<dict>\n"
           "    <key>Label</key>\n"
           "    <string>%1</string>\n"
           "    <key>ProgramArguments</key>\n"
           "    <array>\n"
           "        <string>%2</string>\n"
           "    </array>\n"
           "    <key>RunAtLoad</key>\n"
           "    <true/>\n"
           "</dict>\n"
           "</plist>\n"_s.arg(AppId, program.toHtmlEscaped());
}

QString Autostart::entryPath() const
{
#if defined(Q_OS_MACOS)
    return QDir::homePath() + u"/Library/LaunchAgents/"_s + AppId + u".plist"_s;
#else
    // The XDG Base Directory rule: a relative XDG_CONFIG_HOME is to be ignored.
    QString config = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (config.isEmpty() || QDir::isRelativePath(config))
        config = QDir::homePath() + u"/.config"_s;
    return config + u"/autostart/model-maestro.desktop"_s;
#endif
}

bool Autostart::isEnabled() const
{
#if defined(Q_OS_WIN)
    return QSettings(RunKey, QSettings::NativeFormat).contains(RunValue);
#else
    return QFileInfo::exists(entryPath());
#endif
}

bool Autostart::setEnabled(bool enabled, QString *error)
{
#if defined(Q_OS_WIN)
    QSettings run(RunKey, QSettings::NativeFormat);
    if (enabled)
        run.setValue(RunValue, u"\"%1\""_s.arg(QDir::toNativeSeparators(m_program)));
    else
        run.remove(RunValue);
    run.sync();
    if (run.status() != QSettings::NoError) {
        *error = tr("Could not change the Run entry in the registry.");
        return false;
    }
    return true;
#else
    const QString path = entryPath();
    if (!enabled) {
        if (QFile::exists(path) && !QFile::remove(path)) {
            *error = tr("Could not remove %1.").arg(QDir::toNativeSeparators(path));
            return false;
        }
        return true;
    }
#if defined(Q_OS_MACOS)
    const QString text = launchAgent(m_program);
#else
    const QString text = desktopEntry(m_program);
#endif
    QSaveFile file(path);
    if (!QDir().mkpath(QFileInfo(path).absolutePath()) || !file.open(QIODevice::WriteOnly)
        || file.write(text.toUtf8()) < 0 || !file.commit()) {
        *error = tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
#endif
}

} // namespace Maestro

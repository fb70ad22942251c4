#include "instance.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/resource.h>
#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace Maestro {

bool prepareDataDir(const QString &dir, QString *error, QString *warning)
{
    const QByteArray path = QFile::encodeName(dir);
    struct stat info = {};
    if (::stat(path.constData(), &info) != 0) {
        // The parents as the user's umask makes them; the data dir itself owner-only from the
        // start, so nothing is ever created in it while others could look.
        if (!QDir().mkpath(QFileInfo(dir).absolutePath())
            || (::mkdir(path.constData(), 0700) != 0 && errno != EEXIST)
            || ::stat(path.constData(), &info) != 0) {
            *error = u"cannot create the data directory %1: %2"_s.arg(dir, QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        // mkdir applies the umask, which may have taken the owner's own bits away.
        if ((info.st_mode & 07777) != 0700)
            ::chmod(path.constData(), 0700);
        return true;
    }
    if (!S_ISDIR(info.st_mode)) {
        *error = u"the data directory %1 is not a directory"_s.arg(dir);
        return false;
    }
    if ((info.st_mode & 077) != 0) {
        // It holds the database, the fallback secret file and logs.
        if (::chmod(path.constData(), info.st_mode & 07700) == 0)
            *warning = u"the data directory %1 was open to other users (mode %2); it is now owner-only (%3)"_s
                           .arg(dir)
                           .arg(info.st_mode & 0777, 4, 8, QLatin1Char('0'))
                           .arg(info.st_mode & 0700, 4, 8, QLatin1Char('0'));
        else
            *warning = u"the data directory %1 is open to other users (mode %2) and cannot be restricted: %3"_s
                           .arg(dir)
                           .arg(info.st_mode & 0777, 4, 8, QLatin1Char('0'))
                           .arg(QString::fromLocal8Bit(std::strerror(errno)));
    }
    return true;
}

DataDirLock::DataDirLock(const QString &dir)
    : m_dir(dir)
    , m_lock(std::make_unique<QLockFile>(QDir(dir).filePath(u"maestro.lock"_s)))
{
    // 0: a lock is stale only when its process is gone, never because of its age (a gateway runs
    // for months; the default of 30 s would let a second one take over a live lock).
    m_lock->setStaleLockTime(0);
}

bool DataDirLock::tryLock(QString *error, bool *inUse)
{
    *inUse = false;
    if (m_lock->tryLock(0))
        return true;
    if (m_lock->error() == QLockFile::LockFailedError) {
        qint64 pid = 0;
        QString host;
        QString application;
        *inUse = true;
        if (m_lock->getLockInfo(&pid, &host, &application))
            *error = u"the data directory %1 is in use by %2 (PID %3 on %4); stop it or choose another --data-dir"_s
                         .arg(m_dir, application.isEmpty() ? u"another process"_s : application)
                         .arg(pid)
                         .arg(host.isEmpty() ? u"this host"_s : host);
        else
            *error = u"the data directory %1 is in use by another running gateway; stop it or choose another --data-dir"_s.arg(m_dir);
        return false;
    }
    *error = u"cannot create the lock file in the data directory %1"_s.arg(m_dir);
    return false;
}

bool writeInstanceFile(const QString &dir, const QJsonObject &info, QString *error)
{
    // Whole or not at all: a client never reads half a file.
    QSaveFile file(QDir(dir).filePath(QLatin1StringView(InstanceFileName)));
    if (!file.open(QIODevice::WriteOnly)) {
        *error = u"cannot write %1: %2"_s.arg(file.fileName(), file.errorString());
        return false;
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(QJsonDocument(info).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        *error = u"cannot write %1: %2"_s.arg(file.fileName(), file.errorString());
        return false;
    }
    return true;
}

void removeInstanceFile(const QString &dir)
{
    QFile::remove(QDir(dir).filePath(QLatin1StringView(InstanceFileName)));
}

std::optional<QJsonObject> readRunningInstance(const QString &dir)
{
    QFile file(QDir(dir).filePath(QLatin1StringView(InstanceFileName)));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject info = QJsonDocument::fromJson(file.read(64 * 1024)).object();
    const qint64 pid = qint64(info.value("pid"_L1).toDouble());
    if (pid <= 0)
        return std::nullopt;
    // Alive (EPERM: alive, another user's), and the holder of the data dir's lock, so that a
    // recycled pid does not pass for the gateway.
    if (::kill(pid_t(pid), 0) != 0 && errno != EPERM)
        return std::nullopt;
    QLockFile lock(QDir(dir).filePath(u"maestro.lock"_s));
    qint64 lockPid = 0;
    QString host;
    QString application;
    if (!lock.getLockInfo(&lockPid, &host, &application) || lockPid != pid)
        return std::nullopt;
    return info;
}

QJsonObject systemdUnitFromCgroup(const QString &cgroupText)
{
    for (const QString &line : cgroupText.split(u'\n', Qt::SkipEmptyParts)) {
        // hierarchy-id:controllers:path
        const QStringList fields = line.split(u':');
        if (fields.size() < 3)
            continue;
        const bool unified = fields.at(0) == "0"_L1 && fields.at(1).isEmpty();
        if (!unified && fields.at(1) != "name=systemd"_L1)
            continue;
        const QString path = fields.mid(2).join(u':');
        const QStringList parts = path.split(u'/', Qt::SkipEmptyParts);
        // The service is the last .service component: .../user@1000.service/app.slice/x.service.
        for (qsizetype i = parts.size() - 1; i >= 0; --i) {
            const QString &part = parts.at(i);
            if (!part.endsWith(".service"_L1))
                continue;
            if (part.startsWith("user@"_L1))
                break; // the user manager itself: a process of the session, not a unit of its own
            return {{QStringLiteral("systemd_unit"), part}, {QStringLiteral("systemd_user"), path.contains("/user@"_L1)}};
        }
        return {};
    }
    return {};
}

QString raiseOpenFileLimit()
{
    rlimit limit = {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return {};
    rlim_t target = limit.rlim_max;
    // "unlimited" cannot be the soft limit of open files; the kernel's default ceiling can.
    if (target == RLIM_INFINITY)
        target = 1048576;
    if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= target)
        return {};
    const rlim_t before = limit.rlim_cur;
    limit.rlim_cur = target;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
        return u"cannot raise the open-file limit from %1 to %2: %3"_s.arg(before).arg(target).arg(QString::fromLocal8Bit(std::strerror(errno)));
    return u"open-file limit raised from %1 to %2"_s.arg(before).arg(target);
}

} // namespace Maestro

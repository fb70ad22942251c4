#pragma once

#include <QJsonObject>
#include <QLockFile>
#include <QString>

#include <memory>
#include <optional>

namespace Maestro {

// What makes one gateway process the only one on its data dir, and keeps that dir private.

// Creates the data dir owner-only (0700) whatever the umask; an existing dir that others can
// read or enter is restricted to the owner, and *warning says so. Returns false with *error
// when the dir cannot be created or used.
bool prepareDataDir(const QString &dir, QString *error, QString *warning);

// The lock a running gateway holds on its data dir ("maestro.lock" in it). A lock left by a
// process that died (even by SIGKILL) is taken over; one held by a live process is never taken,
// however old.
class DataDirLock final
{
public:
    explicit DataDirLock(const QString &dir);

    // Returns false with *error naming the dir and the holder (PID and host) when another
    // process holds it; *inUse tells that case from a lock file that cannot be written.
    bool tryLock(QString *error, bool *inUse);

private:
    QString m_dir;
    std::unique_ptr<QLockFile> m_lock;
};

// "instance.json" in the data dir: how to reach the gateway that serves it, for a client that has
// no admin token yet (the desktop app deciding to attach instead of starting a second gateway on
// the same database). Written once the gateway serves, removed on a clean stop; it holds pid,
// scheme, address, port, url, instance_id, version, started_at, database and, with TLS, the
// certificate's fingerprint: nothing secret (the admin token never goes there).
inline constexpr char InstanceFileName[] = "instance.json";
bool writeInstanceFile(const QString &dir, const QJsonObject &info, QString *error);
void removeInstanceFile(const QString &dir);
// The file's contents when the gateway it names still runs: its pid is alive and holds the data
// dir's lock. A file left by a process that died (SIGKILL, a crash) is stale: nullopt.
std::optional<QJsonObject> readRunningInstance(const QString &dir);

// The systemd unit this process runs as, from /proc/self/cgroup's text (the cgroup v2 "0::/..."
// line or v1's "name=systemd" one), when systemd started it as a service: {"systemd_unit": name,
// "systemd_user": whether a user manager runs it}, for instance.json, so that the desktop app can
// start and stop it through systemctl. Empty for a process started any other way.
QJsonObject systemdUnitFromCgroup(const QString &cgroupText);

// Raises the soft limit of open files to the hard limit: every client connection and every
// upstream request is a descriptor, and the usual soft default (1024) caps a busy gateway long
// before memory does. Returns a line for the log when the limit changed, else an empty string.
QString raiseOpenFileLimit();

} // namespace Maestro

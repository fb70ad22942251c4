#pragma once

#include <QLockFile>
#include <QString>

#include <memory>

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

// Raises the soft limit of open files to the hard limit: every client connection and every
// upstream request is a descriptor, and the usual soft default (1024) caps a busy gateway long
// before memory does. Returns a line for the log when the limit changed, else an empty string.
QString raiseOpenFileLimit();

} // namespace Maestro

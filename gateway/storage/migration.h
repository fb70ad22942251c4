#pragma once

#include <QString>

namespace Maestro {

class Database;

// Copies all state from one database into another (e.g. SQLite into PostgreSQL), keeping ids.
// Both are opened (and so migrated to the latest schema) first; the target must be empty. The
// copy runs in one transaction, so a failure leaves the target as empty as it was.
struct DatabaseCopy
{
    enum class Status { Copied, TargetNotEmpty, Failed };
    Status status = Status::Failed;
    qint64 rows = 0;
    QString message; // what went wrong, or which table made the target non-empty

    static DatabaseCopy run(Database &source, Database &target);
};

} // namespace Maestro

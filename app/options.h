#pragma once

#include "storage/database.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

#include <optional>

namespace Maestro {

// The command line of ../shared CONTRACT: parsed without an application object, because
// whether to create a QApplication or a QCoreApplication depends on it.
struct Options
{
    enum class Action { Run, Help, Version, PrintAdminToken, PrintSecretKey, RotateSecretKey, Migrate };
    Action action = Action::Run;
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 8000;
    QString dataDir;             // empty: the platform's application data location
    QString databaseUrl;         // empty: SQLite in the data dir
    QString migrateFrom;         // Migrate: copy this database into databaseUrl
    QString tlsCertificate;      // with tlsKey: serve HTTPS (PEM files)
    QString tlsKey;
    bool headless = false;
    QString helpText;

    // Returns nullopt and sets *error (one line) when the arguments are unusable.
    static std::optional<Options> parse(const QStringList &arguments, QString *error);
};

} // namespace Maestro

#pragma once

#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace Maestro {

// Where state lives: an SQLite file (the default) or a PostgreSQL server, from a --database URL.
struct DatabaseConfig
{
    enum class Kind { Sqlite, Postgres };
    Kind kind = Kind::Sqlite;
    QString path; // SQLite file
    QString host;
    int port = 5432;
    QString user;
    QString password;
    QString database;

    // sqlite:///abs/path.db, sqlite:relative.db, postgresql://user:pass@host:port/db
    // (postgres:// too). Returns nullopt and sets *error for anything else.
    static std::optional<DatabaseConfig> fromUrl(const QString &url, QString *error);
    static DatabaseConfig sqliteFile(const QString &path);
    // The URL without the password, for messages.
    QString displayUrl() const;
};

// One connection per thread, opened on first use under a name unique to the thread, with the
// schema migrated by the first connection. Copies of the returned handle must not outlive the
// thread.
class Database
{
public:
    explicit Database(DatabaseConfig config);
    ~Database();

    // Opens a first connection and migrates the schema. False (and *error) when unusable.
    bool open(QString *error);
    QSqlDatabase connection();
    // Drops the calling thread's connection; call before a worker thread ends.
    void closeThreadConnection();

    const DatabaseConfig &config() const { return m_config; }
    bool isPostgres() const { return m_config.kind == DatabaseConfig::Kind::Postgres; }
    int schemaVersion();
    static int latestSchemaVersion();

private:
    QSqlDatabase openConnection(const QString &name, QString *error);
    bool migrate(QSqlDatabase &db, QString *error);

    DatabaseConfig m_config;
    QString m_prefix;
};

} // namespace Maestro

#pragma once

#include "storage/database.h"

#include <QByteArray>
#include <QString>

#include <memory>

class QTemporaryDir;

namespace Maestro::Test {

// A fresh, empty database for one test on a named backend: "sqlite" (a file in a temporary
// directory) or "postgresql" (a uniquely named database on the server that MAESTRO_TEST_PG_URL
// points at, dropped again by the destructor).
class TestDatabase
{
public:
    explicit TestDatabase(const QString &backend);
    ~TestDatabase();
    TestDatabase(const TestDatabase &) = delete;
    TestDatabase &operator=(const TestDatabase &) = delete;

    // Adds the "backend" column with the rows "sqlite" and "postgresql"; for initTestCase_data().
    static void addBackendRows();
    // Why a backend cannot run here (PostgreSQL without MAESTRO_TEST_PG_URL); empty when it can.
    static QString unavailableReason(const QString &backend);

    // Creates the database; false (and *error) when that failed.
    bool create(QString *error);
    bool isPostgres() const { return m_config.kind == DatabaseConfig::Kind::Postgres; }
    const DatabaseConfig &config() const { return m_config; }
    QString url() const; // with the password, for --database
    // Every stored value, so tests can assert what never reaches the database: the SQLite files
    // byte for byte, or every row of every PostgreSQL table as text.
    QByteArray contents() const;

private:
    bool adminExec(const QString &sql, QString *error) const;

    QString m_backend;
    DatabaseConfig m_config;
    DatabaseConfig m_server; // the maintenance database used to create and drop ours
    std::unique_ptr<QTemporaryDir> m_dir;
    bool m_created = false;
};

} // namespace Maestro::Test

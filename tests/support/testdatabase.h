#pragma once

#include "storage/database.h"

#include <QByteArray>
#include <QString>

#include <memory>

class QTemporaryDir;

namespace Maestro::Test {

// A fresh, empty database for one test on a named backend: "sqlite" (a file in a temporary
// directory) or "postgresql" (on the server that MAESTRO_TEST_PG_URL points at, a database
// named uniquely for this test process, emptied for each test and dropped at exit). One
// PostgreSQL TestDatabase at a time per process.
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
    static bool exec(const DatabaseConfig &target, const QString &sql, QString *error);

    QString m_backend;
    DatabaseConfig m_config;
    DatabaseConfig m_server; // the maintenance database used to create and drop ours
    std::unique_ptr<QTemporaryDir> m_dir;
};

} // namespace Maestro::Test

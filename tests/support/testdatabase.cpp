#include "testdatabase.h"

#include <QAtomicInt>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace Maestro::Test {

namespace {

QAtomicInt s_serial;

const char *const PgUrlVariable = "MAESTRO_TEST_PG_URL";

} // namespace

TestDatabase::TestDatabase(const QString &backend)
    : m_backend(backend)
{
}

TestDatabase::~TestDatabase() = default;

void TestDatabase::addBackendRows()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << u"sqlite"_s;
    QTest::newRow("postgresql") << u"postgresql"_s;
}

QString TestDatabase::unavailableReason(const QString &backend)
{
    if (backend == "postgresql"_L1 && qEnvironmentVariableIsEmpty(PgUrlVariable))
        return u"PostgreSQL tests skipped: set MAESTRO_TEST_PG_URL, e.g. "
               "postgresql://maestro:maestro@127.0.0.1:54329/postgres (installer/quickstart.sh test does)"_s;
    return {};
}

bool TestDatabase::create(QString *error)
{
    if (m_backend == "sqlite"_L1) {
        m_dir = std::make_unique<QTemporaryDir>();
        if (!m_dir->isValid()) {
            *error = m_dir->errorString();
            return false;
        }
        m_config = DatabaseConfig::sqliteFile(m_dir->filePath(u"maestro.db"_s));
        return true;
    }
    if (m_backend != "postgresql"_L1) {
        *error = u"unknown test backend \"%1\""_s.arg(m_backend);
        return false;
    }
    const QString reason = unavailableReason(m_backend);
    if (!reason.isEmpty()) {
        *error = reason;
        return false;
    }
    const auto server = DatabaseConfig::fromUrl(qEnvironmentVariable(PgUrlVariable), error);
    if (!server)
        return false;
    if (server->kind != DatabaseConfig::Kind::Postgres) {
        *error = u"MAESTRO_TEST_PG_URL must be a postgresql:// URL"_s;
        return false;
    }
    m_server = *server;
    m_config = *server;
    // Creating a database costs about a second, so the process creates one, on first use, and
    // each test empties it instead; it is dropped when the application object goes away.
    static QString shared;
    static DatabaseConfig sharedServer;
    if (shared.isEmpty()) {
        const QString name = u"maestro_test_%1_%2"_s.arg(QCoreApplication::applicationPid())
                                 .arg(QRandomGenerator::global()->bounded(1u << 30));
        if (!exec(m_server, u"CREATE DATABASE \"%1\""_s.arg(name), error))
            return false;
        shared = name;
        sharedServer = m_server;
        qAddPostRoutine([] {
            QString dropError;
            // WITH (FORCE) ends connections other threads of the test may still hold.
            if (!exec(sharedServer, u"DROP DATABASE IF EXISTS \"%1\" WITH (FORCE)"_s.arg(shared), &dropError))
                qWarning("could not drop the test database %s: %s", qPrintable(shared), qPrintable(dropError));
        });
    }
    m_config.database = shared;
    if (!exec(m_config, u"DROP SCHEMA IF EXISTS public CASCADE"_s, error)
        || !exec(m_config, u"CREATE SCHEMA public"_s, error))
        return false;
    return true;
}

QString TestDatabase::url() const
{
    if (!isPostgres())
        return u"sqlite://"_s + m_config.path;
    return u"postgresql://%1:%2@%3:%4/%5"_s.arg(m_config.user, m_config.password, m_config.host)
        .arg(m_config.port)
        .arg(m_config.database);
}

bool TestDatabase::exec(const DatabaseConfig &target, const QString &sql, QString *error)
{
    const QString name = u"maestro-test-admin-%1"_s.arg(s_serial.fetchAndAddRelaxed(1));
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
        db.setHostName(target.host);
        db.setPort(target.port);
        db.setUserName(target.user);
        db.setPassword(target.password);
        db.setDatabaseName(target.database);
        db.setConnectOptions(u"connect_timeout=5"_s);
        if (!db.open()) {
            *error = db.lastError().text();
        } else {
            QSqlQuery query(db);
            query.exec(u"SET client_min_messages TO WARNING"_s);
            ok = query.exec(sql);
            if (!ok)
                *error = query.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

QByteArray TestDatabase::contents() const
{
    QByteArray bytes;
    if (!isPostgres()) {
        QDirIterator it(m_dir->path(), QDir::Files);
        while (it.hasNext()) {
            QFile file(it.next());
            if (file.open(QIODevice::ReadOnly))
                bytes += file.readAll();
        }
        return bytes;
    }
    const QString name = u"maestro-test-dump-%1"_s.arg(s_serial.fetchAndAddRelaxed(1));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
        db.setHostName(m_config.host);
        db.setPort(m_config.port);
        db.setUserName(m_config.user);
        db.setPassword(m_config.password);
        db.setDatabaseName(m_config.database);
        if (db.open()) {
            const QStringList tables = db.tables();
            for (const QString &table : tables) {
                QSqlQuery query(db);
                if (!query.exec(u"SELECT t::text FROM \"%1\" t"_s.arg(table)))
                    continue;
                while (query.next())
                    bytes += query.value(0).toString().toUtf8() + '\n';
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return bytes;
}

} // namespace Maestro::Test

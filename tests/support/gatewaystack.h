#pragma once

// One gateway under test with everything it stands on: a fresh database on a backend (SQLite, or
// PostgreSQL when MAESTRO_TEST_PG_URL is set; see TestDatabase), the SQL store, a secret store, the
// usage writer, and the gateway serving real sockets on port 0, either on its own I/O threads
// (GatewayThread) or as one Gateway on the test's thread. The HTTP suites and the desktop tests
// build on it, so what a gateway under test consists of is decided here once.

#include "httpclient.h"
#include "testdatabase.h"
#include "core/clock.h"
#include "http/control.h"
#include "http/gateway.h"
#include "http/gatewaythread.h"
#include "http/listensocket.h"
#include "storage/database.h"
#include "storage/filesecretstore.h"
#include "storage/sharedsecretstore.h"
#include "storage/sqlstore.h"
#include "storage/usagewriter.h"

#include <QByteArrayView>
#include <QHash>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QString>
#include <QUrl>

#include <memory>
#include <optional>

class QTemporaryDir;

namespace Maestro::Test {

// What a GatewayStack is made of; the defaults suit most suites.
struct StackOptions
{
    StackOptions();

    QString backend; // "sqlite" (the default) or "postgresql"
    // GatewayStack::testConfig() unless changed: port 0, the admin token "test-admin", no periodic
    // node checks. ioThreads 0 takes MAESTRO_TEST_IO_THREADS when it is set (tests/README.md).
    GatewayConfig config;
    // Written to the store before the gateway first starts (nullopt: back to the default).
    QHash<QString, std::optional<QString>> settings;
    const Clock *clock = nullptr; // not owned; nullptr: the wall clock
    // Not owned; nullptr: a FileSecretStore in the data dir, and on PostgreSQL node secrets
    // encrypted in the database over it (SharedSecrets::open), as model-maestro does.
    SecretStore *secrets = nullptr;
    // One Gateway on the calling thread, which the test may call directly (as an admin change
    // does), instead of a GatewayThread.
    bool onThisThread = false;
};

class GatewayStack
{
public:
    static constexpr QByteArrayView DefaultAdminToken = "test-admin";

    // Port 0, DefaultAdminToken, no periodic node checks.
    static GatewayConfig testConfig();

    GatewayStack();
    ~GatewayStack();
    GatewayStack(const GatewayStack &) = delete;
    GatewayStack &operator=(const GatewayStack &) = delete;

    // open(), then startGateway().
    bool start(const StackOptions &options, QString *error);
    // Creates the database (empty), opens the store and the secret store and writes the settings;
    // no gateway yet.
    bool open(const StackOptions &options, QString *error);
    // Starts the usage writer and the gateway on what open() made; after stopGateway() it starts
    // again on the same database, as a restarted process would.
    bool startGateway(QString *error);
    // The same with another configuration, taken as it is (set port and adminToken, e.g. from
    // testConfig()); it stays for later restarts.
    bool startGateway(const GatewayConfig &config, QString *error);
    // Stops the gateway (running requests get graceMs) and then the usage writer, which writes
    // what it still holds.
    void stopGateway(int graceMs = 1000);
    // Everything, in order: gateway, usage writer, store, database (a PostgreSQL schema is emptied
    // by the next test; the database itself goes when the process ends).
    void stop();

    bool isOpen() const { return m_store != nullptr; }
    bool isRunning() const;

    QString backend() const { return m_options.backend; }
    const GatewayConfig &config() const { return m_options.config; }
    QByteArray adminToken() const { return m_options.config.adminToken; }
    quint16 port() const;
    QUrl baseUrl() const; // http://127.0.0.1:PORT (https with config.tls), no trailing slash
    QUrl url(const QString &path) const;
    QString dataDir() const;

    TestDatabase *testDatabase() const { return m_testDatabase.get(); }
    Database *database() const { return m_database.get(); }
    SqlStore *store() const { return m_store.get(); }
    SecretStore *secrets() const { return m_secrets; }
    UsageWriter *usage() const { return m_usage.get(); }
    const Clock *clock() const { return m_clock; }
    // nullptr while stopped, and for a gateway on this thread.
    GatewayThread *gatewayThread() const { return m_thread.get(); }
    // The gateway on this thread, or the first one of the GatewayThread (which lives on its I/O
    // thread: call it with queued calls).
    Gateway *gateway() const;
    // The control object on this thread, or the GatewayThread's (which lives on its control
    // thread: reach it through gatewayThread()->controlPort()).
    Control *control() const;

    // One request to the gateway, answered within timeoutMs (see sendRequest()).
    Response send(const QByteArray &method, const QString &path, const QByteArray &body,
                  const QByteArray &token, const Headers &headers = {}, int timeoutMs = 15000);
    // One admin API request with the admin token; an empty body sends none.
    Response admin(const QByteArray &method, const QString &path, const QJsonObject &body = {});

private:
    StackOptions m_options;
    Clock m_wallClock;
    const Clock *m_clock = &m_wallClock;
    QNetworkAccessManager m_nam;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<TestDatabase> m_testDatabase;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<SqlStore> m_store;
    std::unique_ptr<SecretStore> m_ownSecrets;
    std::optional<SharedSecrets::NodeSecrets> m_nodeSecrets; // PostgreSQL, without options.secrets
    SecretStore *m_secrets = nullptr;
    std::unique_ptr<UsageWriter> m_usage;
    std::unique_ptr<GatewayThread> m_thread;
    std::unique_ptr<ListenSocket> m_listener; // the gateway on this thread serves a duplicate of it
    std::unique_ptr<GatewayShared> m_shared; // for the gateway on this thread
    std::unique_ptr<Control> m_control; // on this thread
    std::unique_ptr<Gateway> m_gateway; // on this thread
};

} // namespace Maestro::Test

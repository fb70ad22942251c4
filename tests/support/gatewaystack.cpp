#include "gatewaystack.h"

#include <QCoreApplication>
#include <QNetworkProxy>
#include <QTemporaryDir>

using namespace Qt::StringLiterals;

namespace Maestro::Test {

StackOptions::StackOptions()
    : backend(u"sqlite"_s)
    , config(GatewayStack::testConfig())
{ }

GatewayConfig GatewayStack::testConfig()
{
    GatewayConfig config;
    config.port = 0;
    config.adminToken = DefaultAdminToken.toByteArray();
    config.healthIntervalMs = 0;
    return config;
}

GatewayStack::GatewayStack()
{
    m_nam.setProxy(QNetworkProxy::NoProxy);
}

GatewayStack::~GatewayStack()
{
    stop();
}

bool GatewayStack::start(const StackOptions &options, QString *error)
{
    return open(options, error) && startGateway(error);
}

bool GatewayStack::open(const StackOptions &options, QString *error)
{
    stop();
    m_options = options;
    m_clock = options.clock ? options.clock : &m_wallClock;
    m_dir = std::make_unique<QTemporaryDir>();
    if (!m_dir->isValid()) {
        *error = u"no temporary directory: %1"_s.arg(m_dir->errorString());
        return false;
    }
    m_testDatabase = std::make_unique<TestDatabase>(options.backend);
    if (!m_testDatabase->create(error))
        return false;
    m_database = std::make_unique<Database>(m_testDatabase->config());
    if (!m_database->open(error))
        return false;
    auto store = std::make_unique<SqlStore>(m_database.get());
    if (!options.settings.isEmpty() && !store->writeSettings(options.settings)) {
        *error = u"the settings could not be written"_s;
        return false;
    }
    m_store = std::move(store);
    if (options.secrets) {
        m_secrets = options.secrets;
    } else {
        m_ownSecrets = std::make_unique<FileSecretStore>(m_dir->filePath(u"secrets.json"_s));
        m_secrets = m_ownSecrets.get();
        // As model-maestro does on PostgreSQL: node secrets encrypted in the database.
        if (m_database->isPostgres()) {
            m_nodeSecrets = SharedSecrets::open(m_database.get(), m_ownSecrets.get(), {}, error);
            if (!m_nodeSecrets)
                return false;
            m_secrets = m_nodeSecrets->store.get();
        }
    }
    return true;
}

bool GatewayStack::startGateway(const GatewayConfig &config, QString *error)
{
    m_options.config = config;
    return startGateway(error);
}

bool GatewayStack::startGateway(QString *error)
{
    if (!isOpen()) {
        *error = u"the stack is not open"_s;
        return false;
    }
    stopGateway();
    GatewayConfig config = m_options.config;
    // MAESTRO_TEST_IO_THREADS=N serves with N I/O threads (the TSan run uses 2, so that requests
    // of one suite really cross threads); a suite that sets its own number keeps it.
    if (const int threads = qEnvironmentVariableIntValue("MAESTRO_TEST_IO_THREADS");
        threads > 0 && config.ioThreads == 0)
        config.ioThreads = threads;
    m_usage = std::make_unique<UsageWriter>(m_store.get(), m_database.get());
    m_usage->start();
    if (m_options.onThisThread) {
        m_listener = std::make_unique<ListenSocket>();
        if (!m_listener->open(config.address, config.port, error))
            return false;
        // The control object and one I/O gateway, both on this thread, as GatewayThread pairs them.
        m_shared = std::make_unique<GatewayShared>(m_clock);
        m_control = std::make_unique<Control>(config, m_store.get(), m_secrets, m_clock, m_shared.get());
        m_control->start();
        m_shared->control = m_control->port();
        m_gateway = std::make_unique<Gateway>(config, m_usage.get(), m_clock, m_shared.get());
        if (m_gateway->listen(m_listener->descriptor(), error))
            return true;
        stopGateway();
        return false;
    }
    m_thread = std::make_unique<GatewayThread>(config, m_store.get(), m_secrets, m_usage.get(),
                                               m_clock, m_database.get());
    return m_thread->start(error);
}

void GatewayStack::stopGateway(int graceMs)
{
    if (m_thread)
        m_thread->stop(graceMs);
    m_thread.reset();
    m_gateway.reset();
    if (m_control) {
        // As GatewayThread::stopControl(): shared counters give their leases back through the
        // control object before it goes.
        m_shared->limiter.closeSharing();
        QCoreApplication::sendPostedEvents(m_control.get());
    }
    m_control.reset();
    m_shared.reset();
    m_listener.reset();
    if (m_usage)
        m_usage->stop();
    m_usage.reset();
}

void GatewayStack::stop()
{
    stopGateway();
    m_secrets = nullptr;
    m_nodeSecrets.reset();
    m_store.reset();
    m_database.reset();
    m_testDatabase.reset();
    m_secrets = nullptr;
    m_ownSecrets.reset();
    m_dir.reset();
}

bool GatewayStack::isRunning() const
{
    return (m_thread && m_thread->isRunning()) || m_gateway;
}

quint16 GatewayStack::port() const
{
    if (m_thread)
        return m_thread->port();
    return m_gateway ? m_gateway->port() : 0;
}

QUrl GatewayStack::baseUrl() const
{
    return QUrl(u"%1://127.0.0.1:%2"_s.arg(m_options.config.tls ? u"https"_s : u"http"_s).arg(port()));
}

QUrl GatewayStack::url(const QString &path) const
{
    return QUrl(baseUrl().toString() + path);
}

QString GatewayStack::dataDir() const
{
    return m_dir ? m_dir->path() : QString();
}

Gateway *GatewayStack::gateway() const
{
    if (m_gateway)
        return m_gateway.get();
    return m_thread ? m_thread->gateway() : nullptr;
}

Control *GatewayStack::control() const
{
    if (m_control)
        return m_control.get();
    return m_thread ? m_thread->control() : nullptr;
}

Response GatewayStack::send(const QByteArray &method, const QString &path, const QByteArray &body,
                            const QByteArray &token, const Headers &headers, int timeoutMs)
{
    return sendRequest(m_nam, url(path), method, body, token, headers, timeoutMs);
}

Response GatewayStack::admin(const QByteArray &method, const QString &path, const QJsonObject &body)
{
    return send(method, path, body.isEmpty() ? QByteArray() : toJson(body), adminToken());
}

} // namespace Maestro::Test

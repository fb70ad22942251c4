#include "gatewaythread.h"
#include "storage/database.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QTimer>

namespace Maestro {

GatewayThread::GatewayThread(GatewayConfig config, Store *store, SecretStore *secrets,
                             UsageWriter *usage, const Clock *clock, Database *database)
    : m_config(std::move(config))
    , m_store(store)
    , m_secrets(secrets)
    , m_usage(usage)
    , m_clock(clock)
    , m_database(database)
{
    m_thread.setObjectName(QStringLiteral("gateway"));
}

GatewayThread::~GatewayThread()
{
    stop(0);
}

bool GatewayThread::start(QString *error)
{
    m_thread.start();
    QObject anchor;
    anchor.moveToThread(&m_thread);
    bool ok = false;
    QMetaObject::invokeMethod(
        &anchor,
        [&] {
            m_gateway = new Gateway(m_config, m_store, m_secrets, m_usage, m_clock);
            ok = m_gateway->listen(error);
            m_port = m_gateway->port();
            if (!ok) {
                delete m_gateway;
                m_gateway = nullptr;
                m_database->closeThreadConnection();
            }
        },
        Qt::BlockingQueuedConnection);
    if (!ok) {
        m_thread.quit();
        m_thread.wait();
    }
    return ok;
}

void GatewayThread::stop(int graceMs)
{
    if (!m_thread.isRunning())
        return;
    if (m_gateway) {
        Gateway *gateway = m_gateway;
        Database *database = m_database;
        QMetaObject::invokeMethod(
            gateway,
            [gateway, database, graceMs] {
                gateway->stopAccepting();
                // Let running requests (streams above all) finish, within the grace period.
                QDeadlineTimer deadline(graceMs);
                while (gateway->activeCalls() > 0 && !deadline.hasExpired()) {
                    QEventLoop loop;
                    QTimer::singleShot(20, &loop, &QEventLoop::quit);
                    loop.exec();
                }
                delete gateway;
                database->closeThreadConnection();
            },
            Qt::BlockingQueuedConnection);
        m_gateway = nullptr;
    }
    m_thread.quit();
    m_thread.wait();
}

} // namespace Maestro

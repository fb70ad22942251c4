#include "gatewaythread.h"
#include "control.h"
#include "core/handoff.h"
#include "storage/database.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QFileInfo>
#include <QUuid>
#include <QEventLoop>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Maestro {

GatewayThread::GatewayThread(GatewayConfig config, Store *store, SecretStore *secrets,
                             UsageWriter *usage, const Clock *clock, Database *database)
    : m_config(std::move(config))
    , m_store(store)
    , m_secrets(secrets)
    , m_usage(usage)
    , m_clock(clock)
    , m_database(database)
    , m_instanceId(QUuid::createUuid().toString(QUuid::WithoutBraces))
{
}

GatewayThread::~GatewayThread()
{
    stop(0);
}

QList<Gateway *> GatewayThread::gateways() const
{
    QList<Gateway *> list;
    for (const Worker &worker : m_workers)
        list.append(worker.gateway);
    return list;
}

std::shared_ptr<ControlPort> GatewayThread::controlPort() const
{
    return m_shared ? m_shared->control : nullptr;
}

bool GatewayThread::start(QString *error)
{
    if (!m_workers.isEmpty())
        return true;
    m_addressInUse = false;
    if (!m_socket.open(m_config.address, m_config.port, error)) {
        m_addressInUse = m_socket.addressInUse();
        return false;
    }
    m_port = m_socket.port();
    // Every thread's gateway knows the real port (possibly picked by the system), and a restart
    // comes back where the clients know it.
    m_config.port = m_port;
    m_shared = std::make_unique<GatewayShared>(m_clock);
    m_shared->logStream.setLimits(m_config.logStream);
    int count = m_config.ioThreads > 0 ? m_config.ioThreads : QThread::idealThreadCount();
    count = std::clamp(count, 1, 8);
    InstanceInfo &instance = m_shared->instance;
    instance.id = m_instanceId;
    instance.startedAt = m_clock->nowUtc();
    instance.database = m_database && m_database->isPostgres() ? u"postgresql"_s : u"sqlite"_s;
    instance.dataDir = m_config.dataDir;
    if (!instance.dataDir.isEmpty()) {
        // Stable across restarts and renames of nothing but the process: clients key what they
        // remember of a gateway by it without seeing the path.
        const QString canonical = QFileInfo(instance.dataDir).canonicalFilePath();
        instance.dataDirId = QString::fromLatin1(
            QCryptographicHash::hash((canonical.isEmpty() ? instance.dataDir : canonical).toUtf8(), QCryptographicHash::Sha256)
                .toHex()
                .left(16));
    }
    instance.ioThreads = count;
    const GatewayConfig config = m_config;

    // The control thread first: it publishes the first catalog before any request is served.
    m_controlThread = new QThread;
    m_controlThread->setObjectName(u"gateway-control"_s);
    Handoff::watchEnd(m_controlThread);
    m_controlThread->start();
    {
        QObject anchor;
        anchor.moveToThread(m_controlThread);
        Handoff::invokeBlocking(&anchor, [&] {
            m_control = new Control(config, m_store, m_secrets, m_clock, m_shared.get());
            m_control->start();
        });
    }
    m_shared->control = m_control->port();

    for (int i = 0; i < count; ++i) {
        Worker worker;
        worker.thread = new QThread;
        worker.thread->setObjectName(u"gateway-%1"_s.arg(i));
        Handoff::watchEnd(worker.thread);
        worker.thread->start();
        QObject anchor;
        anchor.moveToThread(worker.thread);
        bool ok = false;
        QString failure;
        Handoff::invokeBlocking(&anchor, [&] {
            worker.gateway = new Gateway(config, m_usage, m_clock, m_shared.get());
            ok = worker.gateway->listen(m_socket.descriptor(), &failure);
            if (!ok) {
                delete worker.gateway;
                worker.gateway = nullptr;
                m_database->closeThreadConnection();
            }
        });
        if (!ok) {
            Handoff::quitAndWait(worker.thread);
            delete worker.thread;
            if (i == 0) {
                *error = failure;
                stopControl();
                m_shared.reset();
                m_socket.close();
                return false;
            }
            // Extra threads are an optimisation: serve with those that started.
            break;
        }
        m_workers.append(worker);
    }
    Control *control = m_control;
    QMetaObject::invokeMethod(control, [control] { control->startBackground(); }, Qt::QueuedConnection);
    return true;
}

void GatewayThread::stopControl()
{
    if (!m_control)
        return;
    // Shared limit counters hand back their unused leases through the control thread: queued
    // before the control object goes, so it runs first.
    m_shared->limiter.closeSharing();
    Control *control = m_control;
    Database *database = m_database;
    // Blocks while the control thread waits on the database (a hung server): shutting down
    // cannot skip the thread that owns the connection.
    Handoff::invokeBlocking(control, [control, database] {
        delete control;
        database->closeThreadConnection();
    });
    m_control = nullptr;
    Handoff::quitAndWait(m_controlThread);
    delete m_controlThread;
    m_controlThread = nullptr;
}

void GatewayThread::stop(int graceMs)
{
    if (m_workers.isEmpty())
        return;
    for (const Worker &worker : std::as_const(m_workers)) {
        Gateway *gateway = worker.gateway;
        Handoff::invokeBlocking(gateway, [gateway] { gateway->stopAccepting(); });
    }
    // No new background work (node checks, warmup, config polls) while requests drain; queued,
    // so that a control thread waiting on the database does not hold up the grace period.
    m_shared->control->call([](Control *control) { control->stopBackground(); });
    // The threads closed their duplicates; closing the original too stops the kernel from
    // completing new connections into the backlog, and frees the port.
    m_socket.close();
    // Let running requests (streams above all) finish, within the grace period.
    QDeadlineTimer deadline(graceMs);
    while (m_shared->activeCalls.load() > 0 && !deadline.hasExpired())
        QThread::msleep(20);
    for (qsizetype i = m_workers.size() - 1; i >= 0; --i) {
        const Worker &worker = m_workers.at(i);
        Gateway *gateway = worker.gateway;
        Database *database = m_database;
        Handoff::invokeBlocking(gateway, [gateway, database] {
            delete gateway;
            // I/O threads are not meant to open a database connection; should one have, it
            // goes with its thread.
            database->closeThreadConnection();
        });
        Handoff::quitAndWait(worker.thread);
        delete worker.thread;
    }
    m_workers.clear();
    // After the I/O threads: nothing posts to it any more.
    stopControl();
    m_shared.reset();
}

} // namespace Maestro

#pragma once

#include "gateway.h"
#include "listensocket.h"

#include <QList>
#include <QThread>

#include <memory>

namespace Maestro {

class Control;
class ControlPort;
class Database;

// Owns the gateway's threads and its listening socket: the control thread (one Control: the
// database work, admin handlers, catalog reloads, node checks and the desktop application's
// calls) and the I/O threads. The socket is bound once, exclusively, so a second process on the
// same address fails to start; each I/O thread runs one Gateway that accepts on a duplicate of it.
// start() and stop() block the caller until the threads have done so; call them from a thread
// of neither kind (the main thread, or one of its own).
class GatewayThread final
{
public:
    GatewayThread(GatewayConfig config, Store *store, SecretStore *secrets, UsageWriter *usage,
                  const Clock *clock, Database *database);
    ~GatewayThread();

    // Starts serving; after a stop(), it serves on the port it had before.
    bool start(QString *error);
    // After a failed start(): whether another process serves the address already.
    bool addressInUse() const { return m_addressInUse; }
    // Stops accepting, lets running requests finish for up to graceMs, then ends the threads.
    void stop(int graceMs = 5000);

    quint16 port() const { return m_port; }
    // The first I/O thread's gateway (it lives on its thread: use queued calls from elsewhere).
    Gateway *gateway() const { return m_workers.isEmpty() ? nullptr : m_workers.first().gateway; }
    QList<Gateway *> gateways() const;
    // The control object (it lives on the control thread) and the thread-safe way to post work
    // to it; null while stopped.
    Control *control() const { return m_control; }
    std::shared_ptr<ControlPort> controlPort() const;
    GatewayShared *shared() const { return m_shared.get(); }
    bool isRunning() const { return !m_workers.isEmpty(); }
    int threadCount() const { return int(m_workers.size()); }

private:
    struct Worker
    {
        QThread *thread = nullptr;
        Gateway *gateway = nullptr;
    };

    void stopControl();

    GatewayConfig m_config;
    Store *m_store;
    SecretStore *m_secrets;
    UsageWriter *m_usage;
    const Clock *m_clock;
    Database *m_database;
    std::unique_ptr<GatewayShared> m_shared;
    QThread *m_controlThread = nullptr;
    Control *m_control = nullptr;
    QList<Worker> m_workers;
    quint16 m_port = 0;
    ListenSocket m_socket;
    bool m_addressInUse = false;
    QString m_instanceId; // one per process: a restart of the threads is the same instance
};

} // namespace Maestro

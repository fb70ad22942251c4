#pragma once

#include "gateway.h"
#include "listensocket.h"

#include <QList>
#include <QThread>

#include <memory>

namespace Maestro {

class Database;

// Owns the gateway's I/O threads and its listening socket. The socket is bound once, exclusively,
// so a second process on the same address fails to start; each thread runs one Gateway that
// accepts on a duplicate of it. The first is the primary (node checks, the object the desktop app
// talks to). start() and stop() block the caller until the threads have done so.
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
    // The primary gateway (it lives on its I/O thread: use queued calls from elsewhere).
    Gateway *gateway() const { return m_workers.isEmpty() ? nullptr : m_workers.first().gateway; }
    QList<Gateway *> gateways() const;
    GatewayShared *shared() const { return m_shared.get(); }
    bool isRunning() const { return !m_workers.isEmpty(); }
    int threadCount() const { return int(m_workers.size()); }

private:
    struct Worker
    {
        QThread *thread = nullptr;
        Gateway *gateway = nullptr;
    };

    GatewayConfig m_config;
    Store *m_store;
    SecretStore *m_secrets;
    UsageWriter *m_usage;
    const Clock *m_clock;
    Database *m_database;
    std::unique_ptr<GatewayShared> m_shared;
    QList<Worker> m_workers;
    quint16 m_port = 0;
    ListenSocket m_socket;
    bool m_addressInUse = false;
};

} // namespace Maestro

#pragma once

#include "gateway.h"

#include <QThread>

namespace Maestro {

// Owns the gateway's worker thread: the Gateway is created, listens, and is destroyed on it.
// start() and stop() block the caller until the thread has done so.
class GatewayThread final
{
public:
    GatewayThread(GatewayConfig config, Store *store, SecretStore *secrets, UsageWriter *usage,
                  const Clock *clock, class Database *database);
    ~GatewayThread();

    bool start(QString *error);
    // Stops accepting, lets running requests finish for up to graceMs, then ends the thread.
    void stop(int graceMs = 5000);

    quint16 port() const { return m_port; }
    // The gateway object (it lives on the worker thread: use queued calls from elsewhere).
    Gateway *gateway() const { return m_gateway; }
    bool isRunning() const { return m_thread.isRunning(); }

private:
    GatewayConfig m_config;
    Store *m_store;
    SecretStore *m_secrets;
    UsageWriter *m_usage;
    const Clock *m_clock;
    Database *m_database;
    QThread m_thread;
    Gateway *m_gateway = nullptr;
    quint16 m_port = 0;
};

} // namespace Maestro

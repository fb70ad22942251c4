#pragma once

#include "frontdoor.h"

#include <QTcpServer>
#include <QTimer>

namespace Maestro {

// The listening socket handed to QHttpServer. Every accepted connection gets a FrontDoor, and
// QHttpServer gets the door's ProxySocket instead of the client's socket: it only ever sees
// strictly parsed, normalized requests, one at a time (see frontdoor.h). Beyond the
// max_connections setting a connection is answered 503 and closed. When the process runs out of
// file descriptors, the server neither spins nor stops accepting for good (see onAcceptError).
class GuardedTcpServer final : public QTcpServer
{
    Q_OBJECT

public:
    GuardedTcpServer(FrontDoorShared *shared, EarlyRefusal earlyRefusal, QObject *parent = nullptr);
    ~GuardedTcpServer() override;

    // Listens with SO_REUSEPORT so that several I/O threads can each accept on the same port,
    // the kernel spreading connections across them. Falls back to listen() where unsupported.
    bool listenShared(const QHostAddress &address, quint16 port);


protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    void onAcceptError(QAbstractSocket::SocketError error);

    FrontDoorShared *m_shared;
    EarlyRefusal m_earlyRefusal;
    QByteArray m_busy; // the 503 for connections over the cap
    QTimer m_resumeTimer;
    int m_spareFd = -1; // given up when descriptors run out, to answer one waiting client
};

} // namespace Maestro

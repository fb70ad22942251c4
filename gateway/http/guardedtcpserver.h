#pragma once

#include "frontdoor.h"

#include <QSocketNotifier>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTimer>

#include <memory>

namespace Maestro {

// The listening socket handed to QHttpServer. Every accepted connection gets a FrontDoor, and
// QHttpServer gets the door's ProxySocket instead of the client's socket: it only ever sees
// strictly parsed, normalized requests, one at a time (see frontdoor.h). Beyond the
// max_connections setting a connection is answered 503 and closed. When the process runs out of
// file descriptors, the server neither spins nor stops accepting for good (see acceptAll).
//
// With a TLS configuration (setTls) it serves HTTPS. It does what QSslServer does (a QSslSocket
// per connection, the handshake as a server) but inside the front door: the handshake counts
// against max_connections and must end, with the request head, within
// client_header_timeout_seconds; plain HTTP sent to the port is answered 400 in clear and closed.
// QSslServer itself cannot be used: it takes connections with its own accept loop, outside the
// front door, and its handshake timeout arrived only in Qt 6.5.
class GuardedTcpServer final : public QTcpServer
{
    Q_OBJECT

public:
    GuardedTcpServer(FrontDoorShared *shared, EarlyRefusal earlyRefusal, QObject *parent = nullptr);
    ~GuardedTcpServer() override;

    // Serves a dup() of a listening socket bound once by the caller (ListenSocket), so that the
    // I/O threads of one process accept on the same port while other processes cannot bind it.
    // The caller keeps its descriptor; close() here closes only the duplicate.
    bool listenOn(qintptr listeningDescriptor);
    // Stops accepting and closes the duplicate; connections already accepted go on.
    void stopListening();
    // Given to every connection accepted from now on (see FrontDoor).
    void setRefusalNotice(RefusalNotice notice) { m_refusalNotice = std::move(notice); }
    // Every connection accepted from now on speaks TLS with this configuration (a server
    // certificate and key, see TlsIdentity).
    void setTls(const QSslConfiguration &configuration);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    // Qt 6.4's own accept loop neither pauses nor reports EMFILE: the listening socket stays
    // readable, accept() keeps failing and the I/O thread spins. The server therefore accepts
    // itself (Qt's notifier stays paused) and handles running out of descriptors.
    void acceptAll();
    bool aheadOfOthers() const;
    void resumeAfterShortage();
    void shedOneWaitingClient();

    FrontDoorShared *m_shared;
    EarlyRefusal m_earlyRefusal;
    RefusalNotice m_refusalNotice;
    QByteArray m_busy; // the 503 for connections over the cap; empty with TLS (closed at once)
    QSslConfiguration m_tls;
    bool m_tlsEnabled = false;
    int m_acceptFd = -1; // a duplicate of the listening socket that acceptAll accepts on
    std::unique_ptr<QSocketNotifier> m_acceptNotifier;
    QTimer m_resumeTimer;
    int m_spareFd = -1; // given up when descriptors run out, to answer one waiting client
    int m_open = 0; // connections of this server (this I/O thread) being served
    bool m_counted = false; // counted in FrontDoorShared::listeners
};

} // namespace Maestro

#pragma once

#include <QHostAddress>
#include <QString>

namespace Maestro {

// The gateway's one listening socket. It is bound exclusively (SO_REUSEADDR, never
// SO_REUSEPORT): a second process on the same address gets EADDRINUSE instead of the kernel
// quietly splitting the clients between two gateways. The I/O threads of this process each
// serve a dup() of it (GuardedTcpServer::listenOn), so they share the port.
class ListenSocket final
{
public:
    ListenSocket() = default;
    ~ListenSocket() { close(); }
    ListenSocket(const ListenSocket &) = delete;
    ListenSocket &operator=(const ListenSocket &) = delete;

    // Binds and listens. On failure sets *error to one line naming the address and port, and
    // addressInUse() tells whether another process serves it already.
    bool open(const QHostAddress &address, quint16 port, QString *error);
    void close();

    bool isOpen() const { return m_fd >= 0; }
    qintptr descriptor() const { return m_fd; }
    quint16 port() const { return m_port; } // the real one when port 0 was asked
    bool addressInUse() const { return m_addressInUse; }

private:
    int m_fd = -1;
    quint16 m_port = 0;
    bool m_addressInUse = false;
};

} // namespace Maestro

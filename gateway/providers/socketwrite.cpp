#include "socketwrite.h"

#include <QTcpSocket>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <sys/socket.h>
#endif

namespace Maestro {

void writeToSocket(QAbstractSocket *socket, QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return;
#ifdef Q_OS_UNIX
    // Exactly a QTcpSocket: a subclass (QSslSocket) must encrypt what it sends.
    const qintptr fd = socket->socketDescriptor();
    if (socket->metaObject() == &QTcpSocket::staticMetaObject && fd >= 0
        && socket->state() == QAbstractSocket::ConnectedState && socket->bytesToWrite() == 0) {
        ssize_t sent;
        do {
            sent = ::send(int(fd), bytes.data(), size_t(bytes.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
        } while (sent < 0 && errno == EINTR);
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            sent = 0;
        if (sent >= 0)
            bytes = bytes.sliced(sent);
        // On an error, everything goes to Qt, whose own write fails the same way and reports it
        // through errorOccurred and disconnected as for any other write.
        if (bytes.isEmpty())
            return;
    }
#endif
    socket->write(bytes.data(), bytes.size());
}

} // namespace Maestro

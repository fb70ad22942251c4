#include "guardedtcpserver.h"
#include "errorbody.h"
#include "httpwire.h"

#include <QLoggingCategory>
#include <QTcpSocket>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcAccept, "maestro.accept")

namespace Maestro {

GuardedTcpServer::GuardedTcpServer(FrontDoorShared *shared, EarlyRefusal earlyRefusal, QObject *parent)
    : QTcpServer(parent)
    , m_shared(shared)
    , m_earlyRefusal(std::move(earlyRefusal))
    , m_busy(Wire::withConnectionClose(
          errorResponse(Dialect::Admin, ApiError::unavailable(u"Too many connections; try again later"_s))))
{
    m_resumeTimer.setSingleShot(true);
    m_resumeTimer.setInterval(100);
    connect(&m_resumeTimer, &QTimer::timeout, this, [this] {
        if (isListening())
            resumeAccepting();
    });
    connect(this, &QTcpServer::acceptError, this, &GuardedTcpServer::onAcceptError);
#ifdef Q_OS_UNIX
    m_spareFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
#endif
}

GuardedTcpServer::~GuardedTcpServer()
{
#ifdef Q_OS_UNIX
    if (m_spareFd >= 0)
        ::close(m_spareFd);
#endif
}

bool GuardedTcpServer::listenOn(qintptr listeningDescriptor)
{
#ifdef Q_OS_UNIX
    const int fd = ::fcntl(int(listeningDescriptor), F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return false;
    if (!setSocketDescriptor(fd)) {
        ::close(fd);
        return false;
    }
    return true;
#else
    Q_UNUSED(listeningDescriptor);
    return false;
#endif
}

void GuardedTcpServer::incomingConnection(qintptr socketDescriptor)
{
    auto *wire = new QTcpSocket;
    if (!wire->setSocketDescriptor(socketDescriptor)) {
        qCDebug(lcAccept) << "cannot take a connection:" << wire->errorString();
        delete wire;
#ifdef Q_OS_UNIX
        ::close(int(socketDescriptor));
#endif
        return;
    }
    wire->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (m_shared->connections.load() >= m_shared->maxConnections.load()) {
        new FrontDoor(wire, m_shared, {}, this, m_busy);
        return;
    }
    auto *door = new FrontDoor(wire, m_shared, m_earlyRefusal, this);
    addPendingConnection(door->proxy());
}

void GuardedTcpServer::onAcceptError(QAbstractSocket::SocketError error)
{
    // Qt 6.4 pauses accepting on EMFILE/ENFILE (SocketResourceError) and emits this. Left
    // paused, the port would accept nobody ever again; resumed at once, the I/O thread would spin
    // on a connection it cannot take. So: give up the spare descriptor, take one waiting client
    // off the queue with a 503 (it is not left hanging), keep the spare again, and try again a
    // little later, by when descriptors may have been freed.
    qCDebug(lcAccept) << "accepting failed:" << error << errorString();
    if (error != QAbstractSocket::SocketResourceError) {
        m_resumeTimer.start();
        return;
    }
#ifdef Q_OS_LINUX
    if (m_spareFd >= 0) {
        ::close(m_spareFd);
        m_spareFd = -1;
    }
    const int fd = ::accept4(int(socketDescriptor()), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
        [[maybe_unused]] const ssize_t sent = ::send(fd, m_busy.constData(), size_t(m_busy.size()), MSG_NOSIGNAL);
        ::shutdown(fd, SHUT_WR);
        ::close(fd);
    }
    m_spareFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
#endif
    m_resumeTimer.start();
}

} // namespace Maestro

#include "guardedtcpserver.h"
#include "errorbody.h"
#include "httpwire.h"

#include <QLoggingCategory>
#include <QSslSocket>
#include <QTcpSocket>

#include <utility>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <cerrno>
#include <sys/socket.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcAccept, "maestro.accept")

// UBSan's vptr check probes memory through a pipe, which cannot be made while descriptors are
// exhausted (the very case handled here): it would report every member call as a bad type.
#if defined(__clang__) || defined(__GNUC__)
#define MAESTRO_NO_VPTR_CHECK __attribute__((no_sanitize("vptr")))
#else
#define MAESTRO_NO_VPTR_CHECK
#endif

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
    connect(&m_resumeTimer, &QTimer::timeout, this, &GuardedTcpServer::resumeAfterShortage);
#ifdef Q_OS_UNIX
    m_spareFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
#endif
}

GuardedTcpServer::~GuardedTcpServer()
{
    if (std::exchange(m_counted, false))
        --m_shared->listeners;
    m_acceptNotifier.reset();
#ifdef Q_OS_UNIX
    if (m_acceptFd >= 0)
        ::close(m_acceptFd);
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
    // Accepting is acceptAll's job. QTcpServer turns its own notifier back on whenever
    // QHttpServer takes a connection (nextPendingConnection), so pausing it is not enough; with
    // no room for pending connections its accept loop returns before it accepts anything.
    setMaxPendingConnections(0);
    pauseAccepting();
    // A descriptor of its own: two notifiers on one descriptor confuse Qt's event dispatcher
    // (disabling QTcpServer's would silence this one too).
    m_acceptFd = ::fcntl(int(listeningDescriptor), F_DUPFD_CLOEXEC, 0);
    if (m_acceptFd < 0)
        return false;
    m_acceptNotifier = std::make_unique<QSocketNotifier>(m_acceptFd, QSocketNotifier::Read);
    connect(m_acceptNotifier.get(), &QSocketNotifier::activated, this, &GuardedTcpServer::acceptAll);
    if (!std::exchange(m_counted, true))
        ++m_shared->listeners;
    return true;
#else
    Q_UNUSED(listeningDescriptor);
    return false;
#endif
}

void GuardedTcpServer::setTls(const QSslConfiguration &configuration)
{
    m_tls = configuration;
    m_tlsEnabled = true;
    // A client over the cap would need a whole handshake to read the 503: it is closed instead.
    m_busy.clear();
}

void GuardedTcpServer::incomingConnection(qintptr socketDescriptor)
{
    if (m_tlsEnabled && m_shared->connections.load() >= m_shared->maxConnections.load()) {
#ifdef Q_OS_UNIX
        ::close(int(socketDescriptor));
#endif
        return;
    }
    QTcpSocket *wire = nullptr;
    if (m_tlsEnabled) {
        // Unencrypted until the door has seen that the client starts a handshake (FrontDoor).
        auto *tls = new QSslSocket;
        tls->setSslConfiguration(m_tls);
        wire = tls;
    } else {
        wire = new QTcpSocket;
    }
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
    door->setRefusalNotice(m_refusalNotice);
    // The door is a child: it goes before this server does, on this thread.
    ++m_open;
    connect(door, &QObject::destroyed, this, [this] { --m_open; });
    addPendingConnection(door->proxy());
}

void GuardedTcpServer::stopListening()
{
    if (std::exchange(m_counted, false))
        --m_shared->listeners;
    m_resumeTimer.stop();
    m_acceptNotifier.reset(); // before its descriptor is closed
#ifdef Q_OS_UNIX
    if (m_acceptFd >= 0)
        ::close(m_acceptFd);
#endif
    m_acceptFd = -1;
    close();
}

MAESTRO_NO_VPTR_CHECK void GuardedTcpServer::resumeAfterShortage()
{
    if (m_acceptNotifier && isListening()) {
        m_acceptNotifier->setEnabled(true);
        acceptAll();
    }
}

MAESTRO_NO_VPTR_CHECK void GuardedTcpServer::acceptAll()
{
#ifdef Q_OS_UNIX
    const int listening = m_acceptFd;
    if (listening < 0)
        return;
    // A bounded batch, so that a flood of connections cannot starve the requests of this thread.
    for (int i = 0; i < 64; ++i) {
        // Every I/O thread is woken by a waiting connection and the first awake takes it. Without
        // a rule one thread would take a whole burst (wrk's 50 connections, kept alive) and the
        // others would idle. A thread that serves clearly more than its share takes one
        // connection per wake-up and leaves the rest to the others; taking at least one means a
        // thread never spins on a readable socket, and a connection never waits for a busy
        // thread. The margin keeps a burst of thousands accepted in batches, not one by one.
        if (i > 0 && aheadOfOthers())
            return;
        const int fd = ::accept4(listening, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            incomingConnection(fd);
            continue;
        }
        switch (errno) {
        case EAGAIN:
#if EAGAIN != EWOULDBLOCK
        case EWOULDBLOCK:
#endif
            return;
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
            // Out of descriptors or memory: stop watching the socket (it stays readable, so a
            // level-triggered poll would spin), answer one waiting client with 503 so it is not
            // left hanging, and look again a little later, by when descriptors may have been freed.
            qCDebug(lcAccept) << "accepting failed:" << qt_error_string(errno);
            m_acceptNotifier->setEnabled(false);
            shedOneWaitingClient();
            m_resumeTimer.start();
            return;
        default:
            // ECONNABORTED, EINTR, EPROTO and the network errors accept(2) passes on for the
            // connection itself: that connection is gone, the next may be fine.
            continue;
        }
    }
#endif
}

bool GuardedTcpServer::aheadOfOthers() const
{
    const int listeners = m_shared->listeners.load(std::memory_order_relaxed);
    if (listeners <= 1)
        return false;
    const int share = m_shared->connections.load(std::memory_order_relaxed) / listeners;
    return m_open > share + share / 4 + 1;
}

MAESTRO_NO_VPTR_CHECK void GuardedTcpServer::shedOneWaitingClient()
{
#ifdef Q_OS_UNIX
    if (m_spareFd >= 0) {
        ::close(m_spareFd);
        m_spareFd = -1;
    }
    const int fd = m_acceptFd < 0 ? -1 : ::accept4(m_acceptFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
        if (!m_busy.isEmpty()) {
            [[maybe_unused]] const ssize_t sent = ::send(fd, m_busy.constData(), size_t(m_busy.size()), MSG_NOSIGNAL);
        }
        ::shutdown(fd, SHUT_WR);
        ::close(fd);
    }
    m_spareFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
#endif
}

} // namespace Maestro

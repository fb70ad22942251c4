#include "listensocket.h"

#ifdef Q_OS_UNIX
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

QString hostForMessage(const QHostAddress &address)
{
    return address.protocol() == QAbstractSocket::IPv6Protocol ? u"[%1]"_s.arg(address.toString())
                                                               : address.toString();
}

} // namespace

bool ListenSocket::open(const QHostAddress &address, quint16 port, QString *error)
{
    close();
    m_addressInUse = false;
#ifdef Q_OS_UNIX
    const QString where = u"%1:%2"_s.arg(hostForMessage(address)).arg(port);
    const auto failWith = [&](int code) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
        m_addressInUse = code == EADDRINUSE;
        *error = m_addressInUse
            ? u"port %1 is already in use on %2 (another Model Maestro or another program serves it)"_s
                  .arg(port).arg(hostForMessage(address))
            : u"cannot listen on %1: %2"_s.arg(where, QString::fromLocal8Bit(std::strerror(code)));
        return false;
    };
    // Any means both IPv4 and IPv6: one dual-stack socket.
    const bool v6 = address.protocol() == QAbstractSocket::IPv6Protocol || address == QHostAddress::Any;
    m_fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (m_fd < 0)
        return failWith(errno);
    ::fcntl(m_fd, F_SETFD, FD_CLOEXEC);
    // SO_REUSEADDR only lets a restarted gateway bind while old connections sit in TIME_WAIT; it
    // does not let two listening sockets share the port (SO_REUSEPORT would).
    const int one = 1;
    ::setsockopt(m_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int result = -1;
    if (v6) {
        sockaddr_in6 addr = {};
        addr.sin6_family = AF_INET6;
        addr.sin6_port = htons(port);
        if (address == QHostAddress::Any) {
            const int zero = 0;
            ::setsockopt(m_fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
            addr.sin6_addr = in6addr_any;
        } else {
            const Q_IPV6ADDR raw = address.toIPv6Address();
            std::memcpy(&addr.sin6_addr, &raw, sizeof raw);
            addr.sin6_scope_id = address.scopeId().toUInt();
        }
        result = ::bind(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    } else {
        sockaddr_in addr = {};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(address.toIPv4Address());
        result = ::bind(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    }
    if (result != 0 || ::listen(m_fd, 1024) != 0)
        return failWith(errno);
    sockaddr_storage bound = {};
    socklen_t length = sizeof bound;
    if (::getsockname(m_fd, reinterpret_cast<sockaddr *>(&bound), &length) != 0)
        return failWith(errno);
    m_port = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port)
                                         : ntohs(reinterpret_cast<sockaddr_in *>(&bound)->sin_port);
    return true;
#else
    Q_UNUSED(address);
    Q_UNUSED(port);
    *error = u"listening sockets are only implemented for POSIX systems"_s;
    return false;
#endif
}

void ListenSocket::close()
{
#ifdef Q_OS_UNIX
    if (m_fd >= 0)
        ::close(m_fd);
#endif
    m_fd = -1;
    m_port = 0;
}

} // namespace Maestro

#include "guardedtcpserver.h"
#include "errorbody.h"
#include "httpwire.h"

#include <QPointer>
#include <QTcpSocket>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

// Follows the request framing of one connection without consuming anything: it runs before
// QHttpServer's own readyRead handler, which reads everything available, so peek() shows
// exactly the bytes that arrived since the last call.
class RequestWatcher final : public QObject
{
public:
    RequestWatcher(QTcpSocket *socket, const std::function<qint64()> *limit)
        : QObject(socket)
        , m_socket(socket)
        , m_limitFor(limit)
    {
        connect(socket, &QTcpSocket::readyRead, this, &RequestWatcher::inspect);
    }

private:
    enum class State { Head, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailer, Refused };

    void inspect()
    {
        if (m_state == State::Refused)
            return;
        const QByteArray data = m_socket->peek(m_socket->bytesAvailable());
        qsizetype pos = 0;
        while (pos < data.size() && m_state != State::Refused) {
            switch (m_state) {
            case State::Head:
                pos = consumeHead(data, pos);
                break;
            case State::Body: {
                const qint64 take = std::min<qint64>(m_remaining, data.size() - pos);
                m_remaining -= take;
                pos += take;
                if (m_remaining == 0)
                    m_state = State::Head;
                break;
            }
            case State::ChunkSize:
            case State::Trailer:
            case State::ChunkDataEnd:
                pos = consumeLine(data, pos);
                break;
            case State::ChunkData: {
                const qint64 take = std::min<qint64>(m_remaining, data.size() - pos);
                m_remaining -= take;
                pos += take;
                if (m_remaining == 0)
                    m_state = State::ChunkDataEnd;
                break;
            }
            case State::Refused:
                break;
            }
        }
    }

    qsizetype consumeHead(const QByteArray &data, qsizetype pos)
    {
        const qsizetype end = data.indexOf("\r\n\r\n", pos);
        if (end < 0) {
            m_line += QByteArrayView(data).sliced(pos);
            if (m_line.size() > 64 * 1024)
                refuse(431, u"Request headers are too large"_s);
            return data.size();
        }
        m_line += QByteArrayView(data).sliced(pos, end + 4 - pos);
        // A head split across reads can hide the terminator at the seam; the append above
        // restores it, so search the accumulated head.
        handleHead(m_line);
        m_line.clear();
        return end + 4;
    }

    void handleHead(const QByteArray &head)
    {
        m_limit = (*m_limitFor)();
        const qsizetype lineEnd = head.indexOf("\r\n");
        const QByteArray requestLine = head.left(lineEnd);
        const qsizetype sp1 = requestLine.indexOf(' ');
        const qsizetype sp2 = requestLine.indexOf(' ', sp1 + 1);
        m_path = requestLine.mid(sp1 + 1, sp2 > sp1 ? sp2 - sp1 - 1 : -1);
        qint64 length = 0;
        bool chunked = false;
        bool expectContinue = false;
        for (const QByteArray &line : head.mid(lineEnd + 2).split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = line.left(colon).trimmed();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (name.compare("content-length", Qt::CaseInsensitive) == 0)
                length = value.toLongLong();
            else if (name.compare("transfer-encoding", Qt::CaseInsensitive) == 0)
                chunked = value.contains("chunked");
            else if (name.compare("expect", Qt::CaseInsensitive) == 0)
                expectContinue = value.compare("100-continue", Qt::CaseInsensitive) == 0;
        }
        if (length > m_limit) {
            refuse(413, tooLargeMessage());
            return;
        }
        if (expectContinue)
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
        if (chunked) {
            m_bodySoFar = 0;
            m_state = State::ChunkSize;
        } else if (length > 0) {
            m_remaining = length;
            m_state = State::Body;
        }
    }

    qsizetype consumeLine(const QByteArray &data, qsizetype pos)
    {
        const qsizetype end = data.indexOf('\n', pos);
        if (end < 0) {
            m_line += QByteArrayView(data).sliced(pos);
            return data.size();
        }
        m_line += QByteArrayView(data).sliced(pos, end - pos);
        const QByteArray line = m_line.trimmed();
        m_line.clear();
        switch (m_state) {
        case State::ChunkSize: {
            const qsizetype semicolon = line.indexOf(';');
            bool ok = false;
            const qint64 size = (semicolon >= 0 ? line.left(semicolon) : line).toLongLong(&ok, 16);
            if (!ok) {
                m_state = State::Refused; // QHttpServer rejects the malformed body itself
                break;
            }
            m_bodySoFar += size;
            if (m_bodySoFar > m_limit) {
                refuse(413, tooLargeMessage());
                break;
            }
            m_remaining = size;
            m_state = size == 0 ? State::Trailer : State::ChunkData;
            break;
        }
        case State::ChunkDataEnd:
            m_state = State::ChunkSize;
            break;
        case State::Trailer:
            if (line.isEmpty())
                m_state = State::Head;
            break;
        default:
            break;
        }
        return end + 1;
    }

    QString tooLargeMessage() const
    {
        return u"Request body is larger than the limit of %1 bytes"_s.arg(m_limit);
    }

    void refuse(int status, const QString &message)
    {
        m_state = State::Refused;
        ApiError error = ApiError::tooLarge(message);
        error.upstreamStatus = status;
        QByteArray response = errorResponse(dialectForPath(m_path), error);
        // The body will not be read, so the connection cannot carry another request.
        response.insert(response.indexOf("\r\n") + 2, "Connection: close\r\n");
        m_socket->write(response);
        m_socket->disconnectFromHost();
    }

    QPointer<QTcpSocket> m_socket;
    const std::function<qint64()> *m_limitFor; // owned by the server, which outlives its sockets
    qint64 m_limit = 0;
    State m_state = State::Head;
    QByteArray m_line;
    QByteArray m_path;
    qint64 m_remaining = 0;
    qint64 m_bodySoFar = 0;
};

} // namespace

GuardedTcpServer::GuardedTcpServer(std::function<qint64()> maxBodyBytes, QObject *parent)
    : QTcpServer(parent)
    , m_maxBodyBytes(std::move(maxBodyBytes))
{
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
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    new RequestWatcher(socket, &m_maxBodyBytes);
    addPendingConnection(socket);
}

} // namespace Maestro

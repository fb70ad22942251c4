#pragma once

#include <QTcpServer>

#include <functional>

namespace Maestro {

// The listening socket handed to QHttpServer. Qt 6.4's QHttpServer neither limits request
// bodies nor answers "Expect: 100-continue" (curl then stalls a second before sending bodies
// over 1 MB). Each connection gets a small watcher that sees every request head before
// QHttpServer does: it refuses a declared body over the limit with 413 (in the dialect of the
// path) before the body is sent, answers 100 Continue otherwise, and cuts off chunked bodies
// that grow past the limit.
class GuardedTcpServer final : public QTcpServer
{
    Q_OBJECT

public:
    // `maxBodyBytes` is asked for each request head, so a changed setting applies at once.
    explicit GuardedTcpServer(std::function<qint64()> maxBodyBytes, QObject *parent = nullptr);

    // Serves a dup() of a listening socket bound once by the caller (ListenSocket), so that the
    // I/O threads of one process accept on the same port while other processes cannot bind it.
    // The caller keeps its descriptor; close() here closes only the duplicate.
    bool listenOn(qintptr listeningDescriptor);


protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    std::function<qint64()> m_maxBodyBytes;
};

} // namespace Maestro

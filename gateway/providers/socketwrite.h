#pragma once

#include <QByteArrayView>

class QAbstractSocket;

namespace Maestro {

// Writes `bytes` to a connected socket. On a plain TCP socket whose own write buffer is empty
// the bytes go to the kernel at once, and only what it does not take now is left to Qt, which
// sends it when the socket has room (emitting bytesWritten for that part only). This saves a
// turn of the event loop per write, and the buffer Qt would keep per socket afterwards (a
// 16 KiB block that stays allocated for as long as the connection lives). Anything else (TLS,
// not connected, bytes already queued, an error) is written through QIODevice::write as
// usual, so ordering and error reporting stay Qt's.
void writeToSocket(QAbstractSocket *socket, QByteArrayView bytes);

} // namespace Maestro

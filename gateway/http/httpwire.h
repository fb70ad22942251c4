#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace Maestro::Wire {

QByteArray reasonPhrase(int status);

// "HTTP/1.1 <status> <reason>\r\n" + headers (each already "Name: value\r\n") + framing.
// The gateway writes responses as whole byte strings itself: one write per response, and
// headers QHttpServerResponder 6.4 cannot build at run time.
QByteArray fullResponse(int status, QByteArrayView contentType, const QByteArray &body,
                        QByteArrayView extraHeaders = {});
QByteArray jsonResponse(int status, const QByteArray &body, QByteArrayView extraHeaders = {});
// The interim answer to "Expect: 100-continue".
QByteArray continueResponse();

// The same response with "Connection: close" after its status line: for answers after which the
// connection cannot carry another request.
QByteArray withConnectionClose(QByteArray response);
QByteArray streamHead(int status, QByteArrayView contentType);

// One chunk of a chunked body; empty input gives an empty result (not the terminator).
QByteArray chunk(QByteArrayView data);
inline QByteArray lastChunk()
{
    return QByteArrayLiteral("0\r\n\r\n");
}

} // namespace Maestro::Wire

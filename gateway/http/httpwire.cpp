#include "httpwire.h"

namespace Maestro::Wire {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100: return QByteArrayLiteral("Continue");
    case 200: return QByteArrayLiteral("OK");
    case 201: return QByteArrayLiteral("Created");
    case 204: return QByteArrayLiteral("No Content");
    case 400: return QByteArrayLiteral("Bad Request");
    case 401: return QByteArrayLiteral("Unauthorized");
    case 403: return QByteArrayLiteral("Forbidden");
    case 404: return QByteArrayLiteral("Not Found");
    case 405: return QByteArrayLiteral("Method Not Allowed");
    case 408: return QByteArrayLiteral("Request Timeout");
    case 409: return QByteArrayLiteral("Conflict");
    case 411: return QByteArrayLiteral("Length Required");
    case 413: return QByteArrayLiteral("Payload Too Large");
    case 414: return QByteArrayLiteral("URI Too Long");
    case 417: return QByteArrayLiteral("Expectation Failed");
    case 422: return QByteArrayLiteral("Unprocessable Entity");
    case 429: return QByteArrayLiteral("Too Many Requests");
    case 431: return QByteArrayLiteral("Request Header Fields Too Large");
    case 499: return QByteArrayLiteral("Client Closed Request");
    case 500: return QByteArrayLiteral("Internal Server Error");
    case 501: return QByteArrayLiteral("Not Implemented");
    case 502: return QByteArrayLiteral("Bad Gateway");
    case 503: return QByteArrayLiteral("Service Unavailable");
    case 504: return QByteArrayLiteral("Gateway Timeout");
    case 505: return QByteArrayLiteral("HTTP Version Not Supported");
    default: break;
    }
    return QByteArrayLiteral("Status");
}

QByteArray fullResponse(int status, QByteArrayView contentType, const QByteArray &body,
                        QByteArrayView extraHeaders)
{
    QByteArray out;
    out.reserve(160 + body.size() + extraHeaders.size());
    out += "HTTP/1.1 ";
    out += QByteArray::number(status);
    out += ' ';
    out += reasonPhrase(status);
    out += "\r\nContent-Type: ";
    out += contentType;
    out += "\r\nContent-Length: ";
    out += QByteArray::number(body.size());
    out += "\r\n";
    out += extraHeaders;
    out += "\r\n";
    out += body;
    return out;
}

QByteArray continueResponse()
{
    QByteArray out = QByteArrayLiteral("HTTP/1.1 100 ");
    out += reasonPhrase(100);
    out += "\r\n\r\n";
    return out;
}

QByteArray withConnectionClose(QByteArray response)
{
    const qsizetype statusLineEnd = response.indexOf("\r\n");
    if (statusLineEnd >= 0)
        response.insert(statusLineEnd + 2, "Connection: close\r\n");
    return response;
}

QByteArray jsonResponse(int status, const QByteArray &body, QByteArrayView extraHeaders)
{
    return fullResponse(status, "application/json", body, extraHeaders);
}

QByteArray streamHead(int status, QByteArrayView contentType)
{
    QByteArray out;
    out += "HTTP/1.1 ";
    out += QByteArray::number(status);
    out += ' ';
    out += reasonPhrase(status);
    out += "\r\nContent-Type: ";
    out += contentType;
    out += "\r\nTransfer-Encoding: chunked\r\nCache-Control: no-cache\r\nX-Accel-Buffering: no\r\n\r\n";
    return out;
}

QByteArray chunk(QByteArrayView data)
{
    if (data.isEmpty())
        return {};
    QByteArray out;
    out.reserve(data.size() + 12);
    out += QByteArray::number(data.size(), 16);
    out += "\r\n";
    out += data;
    out += "\r\n";
    return out;
}

} // namespace Maestro::Wire

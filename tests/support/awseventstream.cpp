#include "awseventstream.h"

#include <QtEndian>

#include <array>

namespace Maestro::Test {

quint32 crc32(QByteArrayView bytes)
{
    // The reflected CRC-32 of IEEE 802.3 (polynomial 0xEDB88320), as zlib and AWS compute it.
    static const std::array<quint32, 256> table = [] {
        std::array<quint32, 256> t {};
        for (quint32 i = 0; i < 256; ++i) {
            quint32 c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    quint32 crc = 0xFFFFFFFFu;
    for (const char c : bytes)
        crc = table[(crc ^ quint8(c)) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

namespace {

void appendU32(QByteArray *out, quint32 value)
{
    char bytes[4];
    qToBigEndian(value, bytes);
    out->append(bytes, 4);
}

} // namespace

QByteArray eventStreamMessage(const EventHeaders &headers, const QByteArray &payload)
{
    QByteArray headerBytes;
    for (const auto &[name, value] : headers) {
        headerBytes.append(char(name.size())).append(name).append(char(7));
        char length[2];
        qToBigEndian(quint16(value.size()), length);
        headerBytes.append(length, 2).append(value);
    }
    QByteArray message;
    appendU32(&message, quint32(12 + headerBytes.size() + payload.size() + 4));
    appendU32(&message, quint32(headerBytes.size()));
    appendU32(&message, crc32(message));
    message.append(headerBytes).append(payload);
    appendU32(&message, crc32(message));
    return message;
}

QByteArray bedrockEvent(const QByteArray &eventType, const QByteArray &jsonPayload)
{
    return eventStreamMessage({ { ":event-type", eventType },
                                { ":content-type", "application/json" },
                                { ":message-type", "event" } },
                              jsonPayload);
}

QByteArray bedrockException(const QByteArray &exceptionType, const QByteArray &message)
{
    return eventStreamMessage({ { ":exception-type", exceptionType },
                                { ":content-type", "application/json" },
                                { ":message-type", "exception" } },
                              "{\"message\":\"" + message + "\"}");
}

} // namespace Maestro::Test

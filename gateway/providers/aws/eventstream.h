#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace Maestro {

// AWS's binary event stream (application/vnd.amazon.eventstream), the framing of Bedrock's
// ConverseStream. A message is
//     total length (u32) | headers length (u32) | prelude CRC (u32, of the 8 bytes before)
//     headers: name length (u8) | name | type (u8) | value (per type)
//     payload | message CRC (u32, of everything before it)
// big-endian, both CRCs CRC-32 as in zlib (zlib's crc32() computes them). Bytes go in as they
// arrive, split anywhere; complete messages come out. Anything malformed (a CRC that does not
// match, a length out of bounds, a header running past its section, an unknown type) or larger
// than the cap stops the parser for good: the stream is not trusted past it and is closed.
class EventStreamParser
{
public:
    struct Header
    {
        enum Type : quint8 {
            BoolTrue = 0,
            BoolFalse = 1,
            Byte = 2,
            Short = 3,
            Integer = 4,
            Long = 5,
            Bytes = 6,
            String = 7,
            Timestamp = 8, // milliseconds since the epoch
            Uuid = 9,
        };
        QByteArray name;
        Type type = String;
        QByteArray bytes; // Bytes, String, Uuid
        qint64 number = 0; // BoolTrue/BoolFalse (1/0), Byte, Short, Integer, Long, Timestamp
    };

    struct Message
    {
        QList<Header> headers;
        QByteArray payload;

        // The value of a string (or bytes) header, empty when there is none.
        QByteArray header(QByteArrayView name) const;
        QByteArray eventType() const { return header(":event-type"); }
        QByteArray messageType() const { return header(":message-type"); } // event, exception, error
        QByteArray contentType() const { return header(":content-type"); }
        QByteArray exceptionType() const { return header(":exception-type"); }
    };

    // The largest message AWS sends is 16 MiB; never more than that is held.
    static constexpr qsizetype MaxMessageBytes = 16 * 1024 * 1024;
    // AWS caps the headers of one message at 128 KiB.
    static constexpr qsizetype MaxHeaderBytes = 128 * 1024;

    // Messages larger than `bytes` (at most MaxMessageBytes) are refused.
    void setMaxMessageBytes(qsizetype bytes);

    // The messages `bytes` completes, in order. Nothing once failed().
    QList<Message> feed(QByteArrayView bytes);
    // Bytes left over at the end of the body (a message cut short): fails then.
    void finish();

    bool failed() const { return !m_error.isEmpty(); }
    QString error() const { return m_error; }

private:
    bool parseMessage(const QByteArray &frame, Message *message);
    void fail(const QString &error);

    QByteArray m_buffer;
    qsizetype m_maxMessageBytes = MaxMessageBytes;
    QString m_error;
};

} // namespace Maestro

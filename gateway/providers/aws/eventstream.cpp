#include "eventstream.h"

#include <QtEndian>

#include <zlib.h>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

constexpr qsizetype PreludeBytes = 12; // total length, headers length, prelude CRC
constexpr qsizetype TrailerBytes = 4;  // message CRC

quint32 readU32(const char *p)
{
    return qFromBigEndian<quint32>(p);
}

quint32 crc32Of(const char *data, qsizetype size)
{
    // zlib takes uInt lengths; a message is at most 16 MiB.
    return quint32(::crc32(0L, reinterpret_cast<const Bytef *>(data), uInt(size)));
}

} // namespace

QByteArray EventStreamParser::Message::header(QByteArrayView name) const
{
    for (const Header &header : headers) {
        if (header.name == name && (header.type == Header::String || header.type == Header::Bytes))
            return header.bytes;
    }
    return {};
}

void EventStreamParser::setMaxMessageBytes(qsizetype bytes)
{
    m_maxMessageBytes = qBound(PreludeBytes + TrailerBytes, bytes, MaxMessageBytes);
}

void EventStreamParser::fail(const QString &error)
{
    m_error = error;
    m_buffer.clear();
    m_buffer.squeeze();
}

QList<EventStreamParser::Message> EventStreamParser::feed(QByteArrayView bytes)
{
    QList<Message> messages;
    if (failed())
        return messages;
    m_buffer.append(bytes);
    qsizetype offset = 0;
    while (m_buffer.size() - offset >= PreludeBytes) {
        const char *prelude = m_buffer.constData() + offset;
        const quint32 total = readU32(prelude);
        const quint32 headersLength = readU32(prelude + 4);
        // The prelude is checked before its lengths are believed, so that a corrupted length
        // is reported as corruption and nothing is waited for on its word.
        if (crc32Of(prelude, 8) != readU32(prelude + 8)) {
            fail(u"event stream: the prelude CRC does not match"_s);
            return messages;
        }
        if (total < quint32(PreludeBytes + TrailerBytes) || qsizetype(total) > m_maxMessageBytes) {
            fail(u"event stream: a message of %1 bytes (allowed: 16 to %2)"_s.arg(total).arg(
                m_maxMessageBytes));
            return messages;
        }
        if (qsizetype(headersLength) > MaxHeaderBytes
            || headersLength > total - quint32(PreludeBytes + TrailerBytes)) {
            fail(u"event stream: headers of %1 bytes in a message of %2"_s.arg(headersLength).arg(
                total));
            return messages;
        }
        if (m_buffer.size() - offset < qsizetype(total))
            break;
        Message message;
        if (!parseMessage(m_buffer.mid(offset, total), &message))
            return messages;
        messages.append(std::move(message));
        offset += total;
    }
    m_buffer.remove(0, offset);
    return messages;
}

void EventStreamParser::finish()
{
    if (!failed() && !m_buffer.isEmpty())
        fail(u"event stream: the body ended inside a message (%1 bytes left)"_s.arg(
            m_buffer.size()));
}

bool EventStreamParser::parseMessage(const QByteArray &frame, Message *message)
{
    const char *data = frame.constData();
    const qsizetype total = frame.size();
    if (crc32Of(data, total - TrailerBytes) != readU32(data + total - TrailerBytes)) {
        fail(u"event stream: the message CRC does not match"_s);
        return false;
    }
    const qsizetype headersEnd = PreludeBytes + qsizetype(readU32(data + 4));
    qsizetype at = PreludeBytes;
    auto need = [&](qsizetype bytes) { return headersEnd - at >= bytes; };
    while (at < headersEnd) {
        Header header;
        const auto nameLength = qsizetype(quint8(data[at++]));
        if (nameLength == 0 || !need(nameLength + 1)) {
            fail(u"event stream: a header name runs past the headers"_s);
            return false;
        }
        header.name = QByteArray(data + at, nameLength);
        at += nameLength;
        const auto type = quint8(data[at++]);
        qsizetype fixed = -1;
        switch (type) {
        case Header::BoolTrue:
        case Header::BoolFalse:
            header.number = type == Header::BoolTrue ? 1 : 0;
            fixed = 0;
            break;
        case Header::Byte:
            fixed = 1;
            break;
        case Header::Short:
            fixed = 2;
            break;
        case Header::Integer:
            fixed = 4;
            break;
        case Header::Long:
        case Header::Timestamp:
            fixed = 8;
            break;
        case Header::Uuid:
            fixed = 16;
            break;
        case Header::Bytes:
        case Header::String: {
            if (!need(2)) {
                fail(u"event stream: header %1 runs past the headers"_s.arg(
                    QString::fromLatin1(header.name)));
                return false;
            }
            const qsizetype length = qFromBigEndian<quint16>(data + at);
            at += 2;
            if (!need(length)) {
                fail(u"event stream: header %1 runs past the headers"_s.arg(
                    QString::fromLatin1(header.name)));
                return false;
            }
            header.bytes = QByteArray(data + at, length);
            at += length;
            break;
        }
        default:
            fail(u"event stream: header %1 has the unknown type %2"_s.arg(
                QString::fromLatin1(header.name)).arg(type));
            return false;
        }
        if (fixed > 0) {
            if (!need(fixed)) {
                fail(u"event stream: header %1 runs past the headers"_s.arg(
                    QString::fromLatin1(header.name)));
                return false;
            }
            switch (fixed) {
            case 1:
                header.number = qint8(data[at]);
                break;
            case 2:
                header.number = qFromBigEndian<qint16>(data + at);
                break;
            case 4:
                header.number = qFromBigEndian<qint32>(data + at);
                break;
            case 8:
                header.number = qFromBigEndian<qint64>(data + at);
                break;
            default:
                header.bytes = QByteArray(data + at, fixed);
                break;
            }
            at += fixed;
        }
        header.type = Header::Type(type);
        message->headers.append(std::move(header));
    }
    message->payload = frame.mid(headersEnd, total - headersEnd - TrailerBytes);
    return true;
}

} // namespace Maestro

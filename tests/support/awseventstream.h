#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

namespace Maestro::Test {

// Writes AWS event-stream messages (application/vnd.amazon.eventstream) for tests: string headers
// only, CRCs computed with a CRC-32 table of its own (not zlib's, which the gateway's parser uses).
using EventHeaders = QList<QPair<QByteArray, QByteArray>>;

quint32 crc32(QByteArrayView bytes);
QByteArray eventStreamMessage(const EventHeaders &headers, const QByteArray &payload);
// A Bedrock stream event: :event-type, :content-type application/json, :message-type event.
QByteArray bedrockEvent(const QByteArray &eventType, const QByteArray &jsonPayload);
// A Bedrock stream exception: :exception-type, :message-type exception.
QByteArray bedrockException(const QByteArray &exceptionType, const QByteArray &message);

} // namespace Maestro::Test

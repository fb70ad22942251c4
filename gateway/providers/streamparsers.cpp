#include "streamparsers.h"

#include <QByteArrayView>

#include <cstring>

namespace Maestro {

namespace {

// Position of the first '\r' or '\n' at or after from, or -1.
qsizetype findLineEnd(const char *data, qsizetype size, qsizetype from)
{
    for (qsizetype i = from; i < size; ++i) {
        const char c = data[i];
        if (c == '\n' || c == '\r')
            return i;
    }
    return -1;
}

} // namespace

void SseParser::overflow()
{
    m_overflowed = true;
    m_buffer = QByteArray();
    m_current = Event();
    m_hasData = false;
}

QList<SseParser::Event> SseParser::feed(const QByteArray &bytes)
{
    QList<Event> events;
    if (m_overflowed)
        return events;
    const char *data = bytes.constData();
    const qsizetype size = bytes.size();
    qsizetype pos = 0;

    // A "\r\n" split across two feeds: the line already ended at the '\r'.
    // An empty feed decides nothing: the '\n' may still come with the next one.
    if (m_pendingCr && size > 0) {
        m_pendingCr = false;
        if (data[0] == '\n')
            pos = 1;
    }

    while (pos < size) {
        const qsizetype end = findLineEnd(data, size, pos);
        if (end < 0) {
            if (m_buffer.size() + (size - pos) > m_max) {
                overflow();
                break;
            }
            // Only the new bytes are ever scanned: the kept partial line holds no line end.
            m_buffer.append(data + pos, size - pos);
            break;
        }
        const QByteArrayView piece(data + pos, end - pos);
        if (m_buffer.size() + piece.size() > m_max) {
            overflow();
            break;
        }
        if (m_buffer.isEmpty()) {
            processLine(piece, events);
        } else {
            m_buffer.append(piece);
            processLine(m_buffer, events);
            m_buffer.resize(0);
        }
        if (m_overflowed)
            break;
        pos = end + 1;
        if (data[end] == '\r') {
            if (pos < size) {
                if (data[pos] == '\n')
                    ++pos;
            } else {
                m_pendingCr = true;
            }
        }
    }
    return events;
}

QList<SseParser::Event> SseParser::finish()
{
    QList<Event> events;
    if (m_overflowed)
        return events;
    if (!m_buffer.isEmpty()) {
        processLine(m_buffer, events);
        m_buffer.clear();
    }
    if (m_hasData && !m_overflowed)
        events.append(std::move(m_current));
    m_current = Event();
    m_hasData = false;
    m_pendingCr = false;
    return events;
}

void SseParser::processLine(QByteArrayView line, QList<Event> &events)
{
    if (line.isEmpty()) {
        // Per WHATWG, a block without any data field dispatches nothing but still resets the
        // event type.
        if (m_hasData)
            events.append(std::move(m_current));
        m_current = Event();
        m_hasData = false;
        return;
    }
    if (line.front() == ':')
        return;

    QByteArrayView field = line;
    QByteArrayView value;
    const qsizetype colon = line.indexOf(':');
    if (colon >= 0) {
        field = line.first(colon);
        value = line.sliced(colon + 1);
        if (!value.isEmpty() && value.front() == ' ')
            value = value.sliced(1);
    }

    if (field == "data") {
        // The joined event is capped like a line: many short data lines are just as endless.
        if (m_current.data.size() + value.size() + 1 > m_max) {
            overflow();
            return;
        }
        if (m_hasData)
            m_current.data.append('\n');
        m_current.data.append(value);
        m_hasData = true;
    } else if (field == "event") {
        m_current.event = value.toByteArray();
    }
    // "id" and "retry" only matter to reconnecting EventSource clients, which a gateway is not.
}

void NdjsonParser::overflow()
{
    m_overflowed = true;
    m_buffer = QByteArray();
}

QList<QByteArray> NdjsonParser::feed(const QByteArray &bytes)
{
    QList<QByteArray> lines;
    if (m_overflowed)
        return lines;
    const char *data = bytes.constData();
    const qsizetype size = bytes.size();
    qsizetype pos = 0;

    while (pos < size) {
        const void *hit = std::memchr(data + pos, '\n', size_t(size - pos));
        if (!hit) {
            // A trailing '\r' may still turn out to be the line end's.
            qsizetype keep = size - pos;
            if (m_buffer.size() + keep > m_max + 1
                || (m_buffer.size() + keep == m_max + 1 && data[size - 1] != '\r')) {
                overflow();
                break;
            }
            m_buffer.append(data + pos, keep);
            break;
        }
        const qsizetype end = static_cast<const char *>(hit) - data;
        // The length appendLine() keeps: without a '\r' before the '\n'.
        qsizetype length = m_buffer.size() + (end - pos);
        const char last = end > pos ? data[end - 1] : (m_buffer.isEmpty() ? '\0' : m_buffer.back());
        if (last == '\r')
            --length;
        if (length > m_max) {
            overflow();
            break;
        }
        if (m_buffer.isEmpty()) {
            appendLine(bytes, pos, end - pos, lines);
        } else {
            m_buffer.append(data + pos, end - pos);
            appendLine(m_buffer, 0, m_buffer.size(), lines);
            m_buffer.resize(0);
        }
        pos = end + 1;
    }
    return lines;
}

QList<QByteArray> NdjsonParser::finish()
{
    QList<QByteArray> lines;
    if (m_overflowed)
        return lines;
    if (!m_buffer.isEmpty())
        appendLine(m_buffer, 0, m_buffer.size(), lines);
    m_buffer.clear();
    return lines;
}

void NdjsonParser::appendLine(const QByteArray &source, qsizetype from, qsizetype length,
                              QList<QByteArray> &lines)
{
    if (length > 0 && source.at(from + length - 1) == '\r')
        --length;
    if (QByteArrayView(source.constData() + from, length).trimmed().isEmpty())
        return;
    // mid() shares the data instead of copying when the line is the whole array.
    lines.append(source.mid(from, length));
}

} // namespace Maestro

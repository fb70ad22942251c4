#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace Maestro {

// The longest line (NDJSON) or event (SSE) the parsers hold by default. A node that sends an
// endless line must not grow our memory without bound; a real event, even a long tool call or a
// base64 image, stays far below this.
constexpr qsizetype DefaultMaxStreamLineBytes = 16 * 1024 * 1024;

// Incremental Server-Sent Events parser (WHATWG rules: "\n", "\r\n" or "\r" line ends, multi-line
// data joined with "\n", comments ignored). Feed raw body pieces; complete events come out.
class SseParser
{
public:
    struct Event
    {
        QByteArray event; // the "event:" field, empty when absent
        QByteArray data; // the joined "data:" lines
    };

    // A line, or the joined data of one event, longer than this overflows the parser.
    void setMaxEventBytes(qsizetype bytes) { m_max = bytes; }
    qsizetype maxEventBytes() const { return m_max; }
    // After an overflow the parser holds nothing and yields nothing more: the stream is broken.
    bool overflowed() const { return m_overflowed; }

    // The events completed by these bytes (those before an overflow, when one happens).
    QList<Event> feed(const QByteArray &bytes);
    // Whatever complete event is pending when the stream ends without a final blank line.
    QList<Event> finish();

private:
    void processLine(QByteArrayView line, QList<Event> &events);
    void overflow();

    QByteArray m_buffer; // the incomplete last line, never containing a line end
    Event m_current;
    bool m_hasData = false;
    bool m_pendingCr = false; // the previous feed ended with '\r'; a leading '\n' belongs to it
    bool m_overflowed = false;
    qsizetype m_max = DefaultMaxStreamLineBytes;
};

// Incremental newline-delimited JSON splitter: returns complete, non-empty lines.
class NdjsonParser
{
public:
    // A line longer than this (its line end not counted) overflows the parser.
    void setMaxLineBytes(qsizetype bytes) { m_max = bytes; }
    qsizetype maxLineBytes() const { return m_max; }
    // After an overflow the parser holds nothing and yields nothing more: the stream is broken.
    bool overflowed() const { return m_overflowed; }

    // The lines completed by these bytes (those before an overflow, when one happens).
    QList<QByteArray> feed(const QByteArray &bytes);
    QList<QByteArray> finish(); // a last line without a trailing newline

private:
    static void appendLine(const QByteArray &source, qsizetype from, qsizetype length,
                           QList<QByteArray> &lines);
    void overflow();

    QByteArray m_buffer; // the incomplete last line
    bool m_overflowed = false;
    qsizetype m_max = DefaultMaxStreamLineBytes;
};

} // namespace Maestro

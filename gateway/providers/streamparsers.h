#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace Maestro {

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

    QList<Event> feed(const QByteArray &bytes);
    // Whatever complete event is pending when the stream ends without a final blank line.
    QList<Event> finish();

private:
    void processLine(QByteArrayView line, QList<Event> &events);

    QByteArray m_buffer; // the incomplete last line, never containing a line end
    Event m_current;
    bool m_hasData = false;
    bool m_pendingCr = false; // the previous feed ended with '\r'; a leading '\n' belongs to it
};

// Incremental newline-delimited JSON splitter: returns complete, non-empty lines.
class NdjsonParser
{
public:
    QList<QByteArray> feed(const QByteArray &bytes);
    QList<QByteArray> finish(); // a last line without a trailing newline

private:
    static void appendLine(const QByteArray &source, qsizetype from, qsizetype length,
                           QList<QByteArray> &lines);

    QByteArray m_buffer; // the incomplete last line
};

} // namespace Maestro

#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

#include <utility>

namespace Maestro {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// Incremental parser of one HTTP/1.1 response, as a node sends it: status line, headers, then a
// body framed by Content-Length, chunked encoding or the end of the connection. It owns no
// socket, so it can be unit-tested and fuzzed; UpstreamConnection feeds it what it reads.
//
// Everything it keeps is bounded, because the bytes come from a network peer: the head (status
// line, headers and any interim 1xx responses) is at most MaxHeadBytes and MaxHeaderFields
// fields, a chunk-size line at most MaxChunkLineBytes, the trailers at most MaxHeadBytes. Body
// bytes are never held: each call hands out what is there.
class ResponseParser
{
public:
    static constexpr qsizetype MaxHeadBytes = 64 * 1024;
    static constexpr int MaxHeaderFields = 100;
    // Sixteen hex digits plus room for a chunk extension nobody needs.
    static constexpr qsizetype MaxChunkLineBytes = 1024;

    enum class Framing { None, Length, Chunked, UntilClose };
    enum class Event {
        NeedMore, // every byte from pos on is consumed or kept for a line still incomplete
        Head,     // status() and headers() are the final response's (interim ones are skipped)
        Body,     // *piece holds the next body bytes (never empty)
        Done,     // the response is complete; bytes after it are not consumed
        Error,    // errorString() says why; the connection cannot be used any more
    };

    // Starts a new response; a response to HEAD has no body whatever its headers say.
    void reset(bool headRequest = false);

    // Parses buffer from *pos on and advances *pos past what it consumed. When everything from
    // *pos on is body, the whole buffer is moved into *piece (buffer is left empty, *pos 0), so
    // the common case copies nothing. Call again after Head and Body until NeedMore, Done or
    // Error; after Done or Error every call returns the same.
    Event next(QByteArray &buffer, qsizetype *pos, QByteArray *piece);

    // The connection closed: does that end the response properly (a body delimited by close)?
    bool closeCompletes() const { return m_phase == Phase::Body && m_framing == Framing::UntilClose; }
    // Has any byte of the body (or the end of a body-less response) been parsed yet?
    bool bodyStarted() const { return m_bodyStarted; }

    int status() const { return m_status; }
    const HeaderList &headers() const { return m_headers; }
    HeaderList takeHeaders() { return std::exchange(m_headers, {}); }
    Framing framing() const { return m_framing; }
    bool keepAlive() const { return m_keepAlive; }
    QString errorString() const { return m_error; }

    // Strict chunk-size: 1 to 16 hex digits (no sign, no "0x", no leading space), optionally
    // followed by whitespace and a ";extension". Public for the tests.
    static bool parseChunkSize(QByteArrayView line, qint64 *out);

private:
    enum class Phase { StatusLine, Headers, HeadReady, Body, ChunkSize, ChunkData, ChunkDataEnd,
                       Trailers, Done, Failed };

    Event fail(const QString &message);
    Event failAfter(QByteArray &&body, QByteArray *piece, const QString &message);
    bool parseStatusLine(QByteArrayView line);
    bool parseHeaderLine(QByteArrayView line);
    // After the blank line ending a head: false when it failed or was an interim response.
    bool headComplete();

    Phase m_phase = Phase::StatusLine;
    Framing m_framing = Framing::None;
    qint64 m_remaining = 0;
    qsizetype m_headBytes = 0; // of the head so far, interim responses included
    qsizetype m_trailerBytes = 0;
    int m_status = 0;
    bool m_head = false;
    bool m_http10 = false;
    bool m_keepAlive = true;
    bool m_bodyStarted = false;
    HeaderList m_headers;
    QString m_error;
};

} // namespace Maestro

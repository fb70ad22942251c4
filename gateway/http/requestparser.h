#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace Maestro {

// A strict, incremental HTTP/1.1 request parser (RFC 9112) for the front door. It is fed raw
// bytes as they arrive and stops at each point where the caller must act: the head is
// complete (check it, authenticate, answer 100 Continue), the message is complete (hand it on),
// or the request is refused. Nothing ambiguous is guessed at: every framing that two parsers
// could read differently (request smuggling) is refused, and the connection must then close.
//
// It knows nothing of sockets, so it can be tested and fuzzed on its own. Every limit is
// checked on every byte, so how the input is split across reads never changes the outcome.
class RequestParser
{
public:
    struct Limits
    {
        qint64 maxHeaderBytes = 32 * 1024; // request line + header lines (and, again, trailers)
        int maxHeaderFields = 100;
        qint64 maxBodyBytes = 32 * 1024 * 1024; // declared or de-chunked
        int maxChunkLineBytes = 4096; // chunk size with its extensions
    };

    struct Header
    {
        QByteArray name; // as sent
        QByteArray value; // without surrounding whitespace
    };

    struct Head
    {
        QByteArray method;
        QByteArray target;
        int minorVersion = 1; // HTTP/1.0 or HTTP/1.1
        QList<Header> headers;
        bool chunked = false;
        qint64 contentLength = -1; // -1: none declared
        bool expectContinue = false;
        bool keepAlive = true; // what the client asked for (HTTP/1.0 defaults to close)

        bool hasBody() const { return chunked || contentLength > 0; }
        QByteArray value(QByteArrayView lowerCaseName) const; // first one, or empty
    };

    enum class Status {
        NeedMore, // all input consumed, nothing to report
        HeadDone, // head() is complete; body bytes follow (if any)
        MessageDone, // the whole request has been read; call reset() before the next one
        Failed, // refused: errorStatus(), errorMessage(); the connection must close
    };

    RequestParser();
    explicit RequestParser(Limits limits);

    void setLimits(const Limits &limits) { m_limits = limits; }
    const Limits &limits() const { return m_limits; }

    // Consumes bytes from `data` up to the next point to report; `*consumed` says how many.
    // Once Failed or MessageDone, it consumes nothing more until reset().
    Status feed(QByteArrayView data, qsizetype *consumed);

    // Ready for the next request on the same connection.
    void reset();

    const Head &head() const { return m_head; }
    bool headDone() const { return m_state > State::Headers; }
    bool messageDone() const { return m_state == State::Done; }
    bool failed() const { return m_state == State::Failed; }
    // De-chunked body bytes parsed since the last call.
    QByteArray takeBody();
    qint64 bodyBytes() const { return m_bodyTotal; } // of this request so far
    // Bytes of the head received so far (0 before any); for the header timeout.
    bool started() const { return m_state != State::RequestLine || !m_line.isEmpty() || m_headBytes > 0; }

    int errorStatus() const { return m_errorStatus; }
    const QByteArray &errorMessage() const { return m_errorMessage; }

private:
    enum class State {
        RequestLine,
        Headers,
        Body, // Content-Length
        ChunkSize,
        ChunkData,
        ChunkDataCr,
        ChunkDataLf,
        Trailers,
        Done,
        Failed,
    };

    Status fail(int status, const char *message);
    // A complete line (without CRLF) in the state it belongs to.
    Status requestLine(const QByteArray &line);
    Status headerLine(const QByteArray &line, bool trailer);
    Status headComplete();
    Status chunkSizeLine(const QByteArray &line);

    Limits m_limits;
    State m_state = State::RequestLine;
    Head m_head;
    QByteArray m_line; // the line being read
    bool m_sawCr = false; // the last byte of m_line's input was a CR (not stored)
    qint64 m_headBytes = 0; // of the head, or of the trailers
    int m_fields = 0; // header or trailer fields so far
    int m_emptyLines = 0; // before the request line
    qint64 m_remaining = 0; // of the Content-Length body or of the current chunk
    qint64 m_bodyTotal = 0;
    QByteArray m_body;
    int m_errorStatus = 0;
    QByteArray m_errorMessage;
};

} // namespace Maestro

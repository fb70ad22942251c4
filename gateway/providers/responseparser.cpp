#include "responseparser.h"

#include <limits>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

bool equalsNoCase(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}

// Does a comma-separated header value contain token (case-insensitive)?
bool hasToken(QByteArrayView value, QByteArrayView token)
{
    while (!value.isEmpty()) {
        const qsizetype comma = value.indexOf(',');
        const QByteArrayView item = (comma < 0 ? value : value.first(comma)).trimmed();
        if (equalsNoCase(item, token))
            return true;
        if (comma < 0)
            break;
        value = value.sliced(comma + 1);
    }
    return false;
}

// Strict decimal parse: digits only, no sign, no overflow.
bool parseDecimal(QByteArrayView text, qint64 *out)
{
    if (text.isEmpty())
        return false;
    qint64 value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
        if (value > (std::numeric_limits<qint64>::max() - 9) / 10)
            return false;
        value = value * 10 + (c - '0');
    }
    *out = value;
    return true;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

bool ResponseParser::parseChunkSize(QByteArrayView line, qint64 *out)
{
    if (line.size() > MaxChunkLineBytes)
        return false;
    qint64 value = 0;
    qsizetype i = 0;
    for (; i < line.size(); ++i) {
        const int digit = hexValue(line[i]);
        if (digit < 0)
            break;
        // Sixteen digits fill a quint64; the top bit must stay clear for a qint64.
        if (i >= 16 || value > (std::numeric_limits<qint64>::max() >> 4))
            return false;
        value = value * 16 + digit;
    }
    if (i == 0)
        return false;
    const QByteArrayView rest = line.sliced(i).trimmed();
    if (!rest.isEmpty() && rest.front() != ';')
        return false;
    *out = value;
    return true;
}

void ResponseParser::reset(bool headRequest)
{
    m_phase = Phase::StatusLine;
    m_framing = Framing::None;
    m_remaining = 0;
    m_headBytes = 0;
    m_trailerBytes = 0;
    m_status = 0;
    m_head = headRequest;
    m_http10 = false;
    m_keepAlive = true;
    m_bodyStarted = false;
    m_headers.clear();
    m_error.clear();
}

ResponseParser::Event ResponseParser::fail(const QString &message)
{
    m_phase = Phase::Failed;
    m_error = message;
    m_keepAlive = false;
    return Event::Error;
}

ResponseParser::Event ResponseParser::failAfter(QByteArray &&body, QByteArray *piece, const QString &message)
{
    fail(message);
    if (body.isEmpty())
        return Event::Error;
    // The good bytes before the error go out first, as they would have had they come in an
    // earlier read; the error follows on the next call.
    *piece = std::move(body);
    return Event::Body;
}

ResponseParser::Event ResponseParser::next(QByteArray &buffer, qsizetype *pos, QByteArray *piece)
{
    qsizetype &p = *pos;
    for (;;) {
        const char *data = buffer.constData();
        const qsizetype size = buffer.size();

        switch (m_phase) {
        case Phase::Done:
            return Event::Done;
        case Phase::Failed:
            return Event::Error;
        case Phase::HeadReady:
            if (m_framing == Framing::None) {
                m_bodyStarted = true;
                m_phase = Phase::Done;
                return Event::Done;
            }
            m_phase = m_framing == Framing::Chunked ? Phase::ChunkSize : Phase::Body;
            break;
        case Phase::StatusLine:
        case Phase::Headers:
        case Phase::ChunkSize:
        case Phase::Trailers: {
            const bool inHead = m_phase == Phase::StatusLine || m_phase == Phase::Headers;
            const qsizetype nl = p < size ? buffer.indexOf('\n', p) : -1;
            // How many more bytes this line may take before the part it belongs to is too large.
            const qsizetype room = inHead                     ? MaxHeadBytes - m_headBytes
                : m_phase == Phase::ChunkSize ? MaxChunkLineBytes + 2
                                              : MaxHeadBytes - m_trailerBytes;
            if (nl < 0) {
                if (size - p > room)
                    return fail(inHead ? u"Response head larger than %1 bytes"_s.arg(MaxHeadBytes)
                                       : m_phase == Phase::ChunkSize ? u"Chunk size line too long"_s
                                                                     : u"Trailers larger than %1 bytes"_s.arg(MaxHeadBytes));
                return Event::NeedMore;
            }
            const qsizetype lineBytes = nl + 1 - p;
            if (lineBytes > room)
                return fail(inHead ? u"Response head larger than %1 bytes"_s.arg(MaxHeadBytes)
                                   : m_phase == Phase::ChunkSize ? u"Chunk size line too long"_s
                                                                 : u"Trailers larger than %1 bytes"_s.arg(MaxHeadBytes));
            qsizetype end = nl;
            if (end > p && data[end - 1] == '\r')
                --end;
            const QByteArrayView line(data + p, end - p);
            p = nl + 1;

            if (m_phase == Phase::StatusLine) {
                m_headBytes += lineBytes;
                if (line.isEmpty())
                    continue; // tolerated: a stray line end before the status line
                if (!parseStatusLine(line))
                    return fail(u"Malformed status line"_s);
                m_phase = Phase::Headers;
            } else if (m_phase == Phase::Headers) {
                m_headBytes += lineBytes;
                if (!line.isEmpty()) {
                    if (!parseHeaderLine(line))
                        return fail(u"Malformed header line"_s);
                    if (m_headers.size() > MaxHeaderFields)
                        return fail(u"Response head with more than %1 header fields"_s.arg(MaxHeaderFields));
                    continue;
                }
                if (!headComplete()) {
                    if (m_phase == Phase::Failed)
                        return Event::Error;
                    continue; // an interim response skipped: the real one follows
                }
                m_phase = Phase::HeadReady;
                return Event::Head;
            } else if (m_phase == Phase::ChunkSize) {
                qint64 chunk = 0;
                if (!parseChunkSize(line, &chunk))
                    return fail(u"Malformed chunk size"_s);
                m_bodyStarted = true;
                if (chunk == 0) {
                    m_phase = Phase::Trailers;
                } else {
                    m_remaining = chunk;
                    m_phase = Phase::ChunkData;
                }
            } else { // Trailers
                m_trailerBytes += lineBytes;
                if (line.isEmpty()) {
                    m_phase = Phase::Done;
                    return Event::Done;
                }
            }
            break;
        }
        case Phase::Body: {
            const qsizetype available = size - p;
            if (available == 0)
                return Event::NeedMore;
            qsizetype take = available;
            if (m_framing == Framing::Length && m_remaining < take)
                take = qsizetype(m_remaining);
            if (p == 0 && take == size) {
                // The whole buffer is body: hand it over instead of copying it.
                *piece = std::exchange(buffer, QByteArray());
                p = 0;
            } else {
                *piece = buffer.mid(p, take);
                p += take;
            }
            m_bodyStarted = true;
            if (m_framing == Framing::Length) {
                m_remaining -= take;
                if (m_remaining == 0)
                    m_phase = Phase::Done;
            }
            return Event::Body;
        }
        case Phase::ChunkData: {
            // Every chunk already in the buffer goes out as one piece: fewer signals and copies.
            QByteArray out;
            for (;;) {
                const qsizetype available = size - p;
                const qsizetype take = qsizetype(qMin<qint64>(m_remaining, available));
                if (take > 0) {
                    out.append(data + p, take);
                    p += take;
                    m_remaining -= take;
                }
                if (m_remaining > 0)
                    break;
                // CRLF after the chunk data, then possibly the next chunk-size line.
                if (p >= size) {
                    m_phase = Phase::ChunkDataEnd;
                    break;
                }
                qsizetype q = p;
                if (data[q] == '\r') {
                    if (q + 1 >= size) {
                        m_phase = Phase::ChunkDataEnd;
                        break;
                    }
                    ++q;
                }
                if (data[q] != '\n')
                    return failAfter(std::move(out), piece, u"Missing line end after chunk"_s);
                p = q + 1;
                const qsizetype nl = buffer.indexOf('\n', p);
                if (nl < 0) {
                    m_phase = Phase::ChunkSize;
                    break;
                }
                if (nl + 1 - p > MaxChunkLineBytes + 2)
                    return failAfter(std::move(out), piece, u"Chunk size line too long"_s);
                qsizetype end = nl;
                if (end > p && data[end - 1] == '\r')
                    --end;
                qint64 chunk = 0;
                if (!parseChunkSize(QByteArrayView(data + p, end - p), &chunk))
                    return failAfter(std::move(out), piece, u"Malformed chunk size"_s);
                p = nl + 1;
                if (chunk == 0) {
                    m_phase = Phase::Trailers;
                    break;
                }
                m_remaining = chunk;
            }
            if (!out.isEmpty()) {
                *piece = std::move(out);
                return Event::Body;
            }
            if (m_phase == Phase::ChunkData)
                return Event::NeedMore;
            break;
        }
        case Phase::ChunkDataEnd: {
            if (p >= size)
                return Event::NeedMore;
            qsizetype q = p;
            if (data[q] == '\r') {
                if (q + 1 >= size)
                    return Event::NeedMore;
                ++q;
            }
            if (data[q] != '\n')
                return fail(u"Missing line end after chunk"_s);
            p = q + 1;
            m_phase = Phase::ChunkSize;
            break;
        }
        }
    }
}

bool ResponseParser::parseStatusLine(QByteArrayView line)
{
    // "HTTP/1.x SP 3DIGIT [SP reason]"
    if (line.size() < 12 || !line.startsWith("HTTP/1.") || line[8] != ' ')
        return false;
    const char minor = line[7];
    if (minor < '0' || minor > '9')
        return false;
    for (int i = 9; i < 12; ++i) {
        if (line[i] < '0' || line[i] > '9')
            return false;
    }
    if (line.size() > 12 && line[12] != ' ')
        return false;
    m_http10 = minor == '0';
    m_status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    return m_status >= 100;
}

bool ResponseParser::parseHeaderLine(QByteArrayView line)
{
    if (line.front() == ' ' || line.front() == '\t') {
        // Obsolete line folding: the line continues the previous value.
        if (m_headers.isEmpty())
            return false;
        QByteArray &value = m_headers.last().second;
        value.append(' ');
        value.append(line.trimmed());
        return true;
    }
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0)
        return false;
    const QByteArrayView name = line.first(colon);
    if (name.back() == ' ' || name.back() == '\t')
        return false;
    m_headers.append({ name.toByteArray(), line.sliced(colon + 1).trimmed().toByteArray() });
    return true;
}

bool ResponseParser::headComplete()
{
    if (m_status < 200) {
        if (m_status == 101) {
            fail(u"Unexpected protocol switch"_s);
            return false;
        }
        // Interim response (100 Continue, 103 Early Hints): the real one follows.
        m_headers.clear();
        m_status = 0;
        m_phase = Phase::StatusLine;
        return false;
    }

    // Every transfer coding, over all Transfer-Encoding fields, in order (RFC 9112 section 6.1).
    int codings = 0;
    bool chunkedLast = false;
    bool hasLength = false;
    qint64 length = 0;
    bool connectionClose = false;
    bool connectionKeepAlive = false;
    for (const auto &[name, value] : std::as_const(m_headers)) {
        if (equalsNoCase(name, "content-length")) {
            qint64 parsed = 0;
            if (!parseDecimal(value, &parsed) || (hasLength && parsed != length)) {
                fail(u"Invalid Content-Length"_s);
                return false;
            }
            hasLength = true;
            length = parsed;
        } else if (equalsNoCase(name, "transfer-encoding")) {
            for (QByteArrayView rest = value; !rest.isEmpty();) {
                const qsizetype comma = rest.indexOf(',');
                const QByteArrayView item = (comma < 0 ? rest : rest.first(comma)).trimmed();
                rest = comma < 0 ? QByteArrayView() : rest.sliced(comma + 1);
                if (item.isEmpty())
                    continue;
                ++codings;
                chunkedLast = equalsNoCase(item, "chunked");
            }
        } else if (equalsNoCase(name, "connection")) {
            connectionClose = connectionClose || hasToken(value, "close");
            connectionKeepAlive = connectionKeepAlive || hasToken(value, "keep-alive");
        }
    }
    m_keepAlive = m_http10 ? connectionKeepAlive && !connectionClose : !connectionClose;
    if (codings > 0 && hasLength) {
        // Transfer-Encoding overrides Content-Length, but a node that sends both cannot be
        // trusted to frame the next answer on this connection (RFC 9112 section 6.3).
        m_keepAlive = false;
    }

    if (m_head || m_status == 204 || m_status == 304) {
        m_framing = Framing::None;
    } else if (codings > 0) {
        // The gateway decodes no compression: only plain chunked framing is understood. Any
        // other coding (or chunked applied twice) would hand clients bytes no one can read.
        if (codings != 1 || !chunkedLast) {
            fail(u"Unsupported Transfer-Encoding"_s);
            return false;
        }
        m_framing = Framing::Chunked;
    } else if (hasLength) {
        m_framing = length > 0 ? Framing::Length : Framing::None;
        m_remaining = length;
    } else {
        m_framing = Framing::UntilClose;
        m_keepAlive = false;
    }
    return true;
}

} // namespace Maestro

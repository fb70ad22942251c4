#include "requestparser.h"

#include <cstring>
#include <utility>

namespace Maestro {

namespace {

// tchar (RFC 9110 5.6.2): what a method or a field name may contain.
bool isTokenChar(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return true;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
        return true;
    return c && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (!isTokenChar(static_cast<unsigned char>(c)))
            return false;
    }
    return true;
}

// field-vchar, SP and HTAB (obs-text included, as RFC 9110 5.5 allows): no NUL, no other
// control character, no DEL.
bool isFieldText(QByteArrayView text)
{
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

bool isSpaceOrTab(char c)
{
    return c == ' ' || c == '\t';
}

QByteArrayView trimmedOws(QByteArrayView text)
{
    while (!text.isEmpty() && isSpaceOrTab(text.front()))
        text = text.sliced(1);
    while (!text.isEmpty() && isSpaceOrTab(text.back()))
        text.chop(1);
    return text;
}

bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && QByteArrayView(a).compare(b, Qt::CaseInsensitive) == 0;
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

// How many empty lines may precede a request line (RFC 9112 2.2: some clients send a CRLF after
// a POST body).
constexpr int MaxLeadingEmptyLines = 4;
// 18 decimal digits always fit in a qint64.
constexpr int MaxContentLengthDigits = 18;
// 15 hex digits always fit in a qint64.
constexpr int MaxChunkSizeDigits = 15;

} // namespace

QByteArray RequestParser::Head::value(QByteArrayView lowerCaseName) const
{
    for (const Header &header : headers) {
        if (equalsIgnoringCase(header.name, lowerCaseName))
            return header.value;
    }
    return {};
}

RequestParser::RequestParser() = default;

RequestParser::RequestParser(Limits limits)
    : m_limits(limits)
{
}

void RequestParser::reset()
{
    m_state = State::RequestLine;
    m_head = Head();
    m_line.clear();
    m_sawCr = false;
    m_headBytes = 0;
    m_fields = 0;
    m_emptyLines = 0;
    m_remaining = 0;
    m_bodyTotal = 0;
    m_body.clear();
    m_errorStatus = 0;
    m_errorMessage.clear();
}

QByteArray RequestParser::takeBody()
{
    return std::exchange(m_body, QByteArray());
}

RequestParser::Status RequestParser::fail(int status, const char *message)
{
    m_state = State::Failed;
    m_errorStatus = status;
    m_errorMessage = message;
    return Status::Failed;
}

RequestParser::Status RequestParser::feed(QByteArrayView data, qsizetype *consumed)
{
    qsizetype pos = 0;
    const auto finish = [&](Status status) {
        *consumed = pos;
        return status;
    };
    if (m_state == State::Failed)
        return finish(Status::Failed);
    if (m_state == State::Done)
        return finish(Status::MessageDone);

    while (pos < data.size()) {
        switch (m_state) {
        case State::Body: {
            const qint64 take = std::min<qint64>(m_remaining, data.size() - pos);
            m_body.append(data.sliced(pos, take));
            m_bodyTotal += take;
            m_remaining -= take;
            pos += take;
            if (m_remaining == 0) {
                m_state = State::Done;
                return finish(Status::MessageDone);
            }
            break;
        }
        case State::ChunkData: {
            const qint64 take = std::min<qint64>(m_remaining, data.size() - pos);
            m_body.append(data.sliced(pos, take));
            m_bodyTotal += take;
            m_remaining -= take;
            pos += take;
            if (m_remaining == 0)
                m_state = State::ChunkDataCr;
            break;
        }
        case State::ChunkDataCr:
        case State::ChunkDataLf: {
            // Exactly CRLF after the chunk data: anything else means the two ends disagree on
            // where the chunk ended.
            const char expected = m_state == State::ChunkDataCr ? '\r' : '\n';
            if (data.at(pos) != expected) {
                ++pos;
                return finish(fail(400, "Chunk data is not followed by CRLF"));
            }
            ++pos;
            m_state = m_state == State::ChunkDataCr ? State::ChunkDataLf : State::ChunkSize;
            break;
        }
        case State::RequestLine:
        case State::Headers:
        case State::ChunkSize:
        case State::Trailers: {
            const bool inHead = m_state == State::RequestLine || m_state == State::Headers;
            const bool inTrailers = m_state == State::Trailers;
            if (m_sawCr) {
                const bool lf = data.at(pos) == '\n';
                ++pos;
                if (inHead || inTrailers)
                    ++m_headBytes;
                if (!lf)
                    return finish(fail(400, "CR not followed by LF"));
                if ((inHead || inTrailers) && m_headBytes > m_limits.maxHeaderBytes)
                    return finish(fail(431, "Request header fields too large"));
                m_sawCr = false;
                const QByteArray line = std::exchange(m_line, QByteArray());
                Status status = Status::NeedMore;
                switch (m_state) {
                case State::RequestLine:
                    status = requestLine(line);
                    break;
                case State::Headers:
                    status = line.isEmpty() ? headComplete() : headerLine(line, false);
                    break;
                case State::ChunkSize:
                    status = chunkSizeLine(line);
                    break;
                case State::Trailers:
                    if (line.isEmpty()) {
                        m_state = State::Done;
                        status = Status::MessageDone;
                    } else {
                        status = headerLine(line, true);
                    }
                    break;
                default:
                    break;
                }
                if (status != Status::NeedMore)
                    return finish(status);
                break;
            }
            // The text up to the next CR or LF belongs to the current line.
            qsizetype end = pos;
            while (end < data.size() && data.at(end) != '\r' && data.at(end) != '\n')
                ++end;
            const qsizetype length = end - pos;
            if (inHead || inTrailers) {
                if (m_headBytes + length > m_limits.maxHeaderBytes) {
                    pos = end;
                    return finish(fail(431, "Request header fields too large"));
                }
                m_headBytes += length;
            } else if (m_line.size() + length > m_limits.maxChunkLineBytes) {
                pos = end;
                return finish(fail(400, "Chunk size line too long"));
            }
            m_line.append(data.sliced(pos, length));
            pos = end;
            if (pos < data.size()) {
                if (data.at(pos) == '\n') {
                    ++pos;
                    return finish(fail(400, "Line ends in LF without CR"));
                }
                // A CR: the line ends if an LF follows.
                m_sawCr = true;
                ++pos;
                if (inHead || inTrailers) {
                    ++m_headBytes;
                    if (m_headBytes > m_limits.maxHeaderBytes)
                        return finish(fail(431, "Request header fields too large"));
                }
            }
            break;
        }
        case State::Done:
            return finish(Status::MessageDone);
        case State::Failed:
            return finish(Status::Failed);
        }
    }
    if (m_state == State::Done)
        return finish(Status::MessageDone);
    return finish(Status::NeedMore);
}

RequestParser::Status RequestParser::requestLine(const QByteArray &line)
{
    if (line.isEmpty()) {
        if (++m_emptyLines > MaxLeadingEmptyLines)
            return fail(400, "Malformed request line");
        return Status::NeedMore;
    }
    // method SP request-target SP HTTP-version, single spaces, nothing else.
    const qsizetype sp1 = line.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0)
        return fail(400, "Malformed request line");
    const QByteArrayView method = QByteArrayView(line).first(sp1);
    const QByteArrayView target = QByteArrayView(line).sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArrayView version = QByteArrayView(line).sliced(sp2 + 1);
    if (!isToken(method))
        return fail(400, "Malformed request method");
    for (char ch : target) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7f)
            return fail(400, "Malformed request target");
    }
    // origin-form only (and "*" for OPTIONS): this is not a forward proxy.
    const bool asterisk = target == "*" && method == "OPTIONS";
    if (target.isEmpty() || (target.front() != '/' && !asterisk))
        return fail(400, "Request target must be an absolute path");
    const bool wellFormed = version.size() == 8 && version.startsWith("HTTP/") && version.at(5) >= '0'
        && version.at(5) <= '9' && version.at(6) == '.' && version.at(7) >= '0' && version.at(7) <= '9';
    if (!wellFormed)
        return fail(400, "Malformed HTTP version");
    if (version != "HTTP/1.1" && version != "HTTP/1.0")
        return fail(505, "HTTP version not supported");
    m_head.method = method.toByteArray();
    m_head.target = target.toByteArray();
    m_head.minorVersion = version.at(7) - '0';
    m_head.keepAlive = m_head.minorVersion == 1;
    m_state = State::Headers;
    return Status::NeedMore;
}

RequestParser::Status RequestParser::headerLine(const QByteArray &line, bool trailer)
{
    // obs-fold: a line continuing the previous field. Parsers disagree on it; RFC 9112 5.2
    // lets a server refuse it.
    if (isSpaceOrTab(line.front()))
        return fail(400, "Folded header lines are not accepted");
    const qsizetype colon = line.indexOf(':');
    if (colon < 0)
        return fail(400, "Header line without a colon");
    const QByteArrayView name = QByteArrayView(line).first(colon);
    // Also refuses whitespace between the name and the colon (RFC 9112 5.1).
    if (!isToken(name))
        return fail(400, "Malformed header field name");
    const QByteArrayView rawValue = QByteArrayView(line).sliced(colon + 1);
    if (!isFieldText(rawValue))
        return fail(400, "Control character in a header field value");
    if (++m_fields > m_limits.maxHeaderFields)
        return fail(431, "Too many header fields");
    if (!trailer)
        m_head.headers.append({name.toByteArray(), trimmedOws(rawValue).toByteArray()});
    return Status::NeedMore;
}

RequestParser::Status RequestParser::headComplete()
{
    int hosts = 0;
    bool transferEncoding = false;
    QByteArray codings;
    for (const Header &header : std::as_const(m_head.headers)) {
        if (equalsIgnoringCase(header.name, "host")) {
            ++hosts;
        } else if (equalsIgnoringCase(header.name, "content-length")) {
            const QByteArrayView value = header.value;
            if (value.isEmpty() || value.size() > MaxContentLengthDigits)
                return fail(400, "Malformed Content-Length");
            qint64 length = 0;
            for (char c : value) {
                if (c < '0' || c > '9')
                    return fail(400, "Malformed Content-Length");
                length = length * 10 + (c - '0');
            }
            // Identical repeats are harmless (RFC 9112 6.3); differing ones are how bodies are
            // smuggled past a parser that reads the other one.
            if (m_head.contentLength >= 0 && m_head.contentLength != length)
                return fail(400, "Conflicting Content-Length headers");
            m_head.contentLength = length;
        } else if (equalsIgnoringCase(header.name, "transfer-encoding")) {
            if (transferEncoding)
                codings += ", ";
            codings += header.value;
            transferEncoding = true;
        } else if (equalsIgnoringCase(header.name, "expect")) {
            if (m_head.minorVersion == 1 && equalsIgnoringCase(header.value, "100-continue"))
                m_head.expectContinue = true;
        } else if (equalsIgnoringCase(header.name, "connection")) {
            for (const QByteArray &option : header.value.split(',')) {
                const QByteArrayView token = trimmedOws(option);
                if (equalsIgnoringCase(token, "close"))
                    m_head.keepAlive = false;
                else if (equalsIgnoringCase(token, "keep-alive") && m_head.minorVersion == 0)
                    m_head.keepAlive = true;
            }
        }
    }
    // A close asked for by either side wins over a keep-alive in another Connection header.
    for (const Header &header : std::as_const(m_head.headers)) {
        if (equalsIgnoringCase(header.name, "connection")) {
            for (const QByteArray &option : header.value.split(',')) {
                if (equalsIgnoringCase(trimmedOws(option), "close"))
                    m_head.keepAlive = false;
            }
        }
    }
    if (hosts > 1 || (m_head.minorVersion == 1 && hosts != 1))
        return fail(400, "A request needs exactly one Host header");
    if (transferEncoding) {
        if (m_head.contentLength >= 0)
            return fail(400, "Content-Length together with Transfer-Encoding");
        if (m_head.minorVersion == 0)
            return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
        // Only plain chunked: every other coding or list is answered as nginx does.
        if (!equalsIgnoringCase(trimmedOws(codings), "chunked"))
            return fail(501, "Transfer-Encoding other than chunked is not supported");
        m_head.chunked = true;
    }
    if (m_head.contentLength > m_limits.maxBodyBytes)
        return fail(413, "Request body too large");
    if (m_head.chunked) {
        m_state = State::ChunkSize;
    } else if (m_head.contentLength > 0) {
        m_remaining = m_head.contentLength;
        m_state = State::Body;
    } else {
        m_state = State::Done;
    }
    return Status::HeadDone;
}

RequestParser::Status RequestParser::chunkSizeLine(const QByteArray &line)
{
    qsizetype i = 0;
    int significant = 0;
    qint64 size = 0;
    for (; i < line.size(); ++i) {
        const int digit = hexValue(line.at(i));
        if (digit < 0)
            break;
        if (significant > 0 || digit > 0)
            ++significant;
        if (significant > MaxChunkSizeDigits)
            return fail(400, "Chunk size too large");
        size = size * 16 + digit;
    }
    if (i == 0)
        return fail(400, "Malformed chunk size");
    // chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ): ignored, but only after a ";".
    QByteArrayView rest = QByteArrayView(line).sliced(i);
    while (!rest.isEmpty() && isSpaceOrTab(rest.front()))
        rest = rest.sliced(1);
    if (!rest.isEmpty() && (rest.front() != ';' || !isFieldText(rest)))
        return fail(400, "Malformed chunk size");
    if (size > m_limits.maxBodyBytes - m_bodyTotal)
        return fail(413, "Request body too large");
    if (size == 0) {
        m_state = State::Trailers;
        m_headBytes = 0;
        m_fields = 0;
        return Status::NeedMore;
    }
    m_remaining = size;
    m_state = State::ChunkData;
    return Status::NeedMore;
}

} // namespace Maestro

// Fuzzes the parser of upstream HTTP responses (bytes a network peer chose). The first input byte
// sets the options (bit 0: the response answers a HEAD request), the second seeds how the rest is
// split into reads. Checks: no crash or sanitizer report; the parser never holds more than its
// caps allow while it waits for a line end; and the same bytes give the same status, headers,
// body and outcome whether they come whole or in pieces.

#include "fuzzcheck.h"
#include "providers/responseparser.h"

#include <QByteArray>
#include <QList>

#include <cstdint>

using namespace Maestro;

namespace {

struct Outcome
{
    int status = 0;
    HeaderList headers;
    QByteArray body;
    int heads = 0;
    ResponseParser::Event end = ResponseParser::Event::NeedMore;
    QString error;
    bool closeCompletes = false;
};

// An invariant that must hold: a violation is reported like a crash, naming the invariant.
Outcome run(const QList<QByteArray> &reads, bool head)
{
    Outcome outcome;
    ResponseParser parser;
    parser.reset(head);
    QByteArray buffer;
    qsizetype pos = 0;
    for (const QByteArray &read : reads) {
        if (pos > 0) {
            buffer.remove(0, pos);
            pos = 0;
        }
        buffer += read;
        for (;;) {
            QByteArray piece;
            const ResponseParser::Event event = parser.next(buffer, &pos, &piece);
            CHECK(pos >= 0 && pos <= buffer.size());
            if (event == ResponseParser::Event::NeedMore) {
                // What waits for a line end is bounded by the caps, whatever the peer sends.
                CHECK(buffer.size() - pos <= ResponseParser::MaxHeadBytes + 2);
                break;
            }
            if (event == ResponseParser::Event::Head) {
                CHECK(outcome.heads++ == 0);
                outcome.status = parser.status();
                CHECK(outcome.status >= 200 && outcome.status <= 999);
                outcome.headers = parser.takeHeaders();
                CHECK(outcome.headers.size() <= ResponseParser::MaxHeaderFields);
                continue;
            }
            if (event == ResponseParser::Event::Body) {
                CHECK(!piece.isEmpty());
                CHECK(outcome.heads == 1);
                outcome.body += piece;
                continue;
            }
            outcome.end = event;
            outcome.error = parser.errorString();
            CHECK((event == ResponseParser::Event::Error) == !outcome.error.isEmpty());
            // Done and Error are final.
            QByteArray more;
            CHECK(parser.next(buffer, &pos, &more) == event);
            return outcome;
        }
    }
    outcome.closeCompletes = parser.closeCompletes();
    return outcome;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const bool head = data[0] & 1;
    unsigned seed = data[1];
    const QByteArray bytes(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2));

    const Outcome whole = run({bytes}, head);

    QList<QByteArray> reads;
    for (qsizetype pos = 0; pos < bytes.size();) {
        seed = seed * 1103515245u + 12345u;
        const qsizetype n = qMin<qsizetype>(1 + (seed >> 16) % 64, bytes.size() - pos);
        reads.append(bytes.mid(pos, n));
        pos += n;
    }
    const Outcome split = run(reads, head);

    CHECK(whole.status == split.status);
    CHECK(whole.headers == split.headers);
    CHECK(whole.body == split.body);
    CHECK(whole.heads == split.heads);
    CHECK(whole.end == split.end);
    CHECK(whole.error == split.error);
    CHECK(whole.closeCompletes == split.closeCompletes);
    CHECK(whole.body.size() <= bytes.size());
    return 0;
}

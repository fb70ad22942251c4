// libFuzzer target for the front door's request parser. The input is read as a pipelined byte
// stream; the first bytes choose where it is split into reads. Invariants checked:
//  - every feed() makes progress or reports something (never loops without consuming);
//  - no request is accepted with a body over the limit, and a head never exceeds its limit;
//  - the outcome (each request's head and body, or the refusal) is the same whole and split.

#include "fuzzcheck.h"
#include "http/requestparser.h"

#include <cstdint>

using Maestro::RequestParser;

namespace {

struct Trace
{
    QByteArray events; // one line per reported request or refusal
};

RequestParser::Limits limits()
{
    RequestParser::Limits limits;
    limits.maxHeaderBytes = 512;
    limits.maxHeaderFields = 12;
    limits.maxBodyBytes = 256;
    limits.maxChunkLineBytes = 32;
    return limits;
}

// Feeds `input` cut at `cuts` (ascending offsets) and records what the parser reports.
Trace run(QByteArrayView input, const QList<qsizetype> &cuts)
{
    RequestParser parser(limits());
    Trace trace;
    QByteArray body;
    qsizetype start = 0;
    bool stopped = false;
    for (qsizetype c = 0; c <= cuts.size() && !stopped; ++c) {
        const qsizetype end = c < cuts.size() ? cuts.at(c) : input.size();
        QByteArrayView piece = input.sliced(start, end - start);
        start = end;
        int rounds = 0;
        while (!piece.isEmpty()) {
            CHECK(++rounds < 100000);
            qsizetype used = -1;
            const auto status = parser.feed(piece, &used);
            CHECK(used >= 0 && used <= piece.size());
            piece = piece.sliced(used);
            body += parser.takeBody();
            CHECK(parser.bodyBytes() <= limits().maxBodyBytes);
            CHECK(body.size() <= limits().maxBodyBytes);
            if (status == RequestParser::Status::Failed) {
                trace.events += "refused " + QByteArray::number(parser.errorStatus()) + '\n';
                stopped = true;
                break;
            }
            if (status == RequestParser::Status::MessageDone) {
                const RequestParser::Head &head = parser.head();
                CHECK(head.headers.size() <= limits().maxHeaderFields);
                CHECK(!head.chunked || head.contentLength < 0);
                CHECK(head.contentLength <= limits().maxBodyBytes);
                CHECK(head.chunked || body.size() == std::max<qint64>(head.contentLength, 0));
                trace.events += head.method + ' ' + head.target + ' ' + QByteArray::number(head.headers.size()) + ' '
                    + QByteArray::number(body.size()) + ' ' + body.toHex() + '\n';
                body.clear();
                parser.reset();
                continue;
            }
            if (status == RequestParser::Status::NeedMore)
                CHECK(piece.isEmpty());
            // HeadDone: go on with the rest of the piece.
        }
    }
    return trace;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    // First byte: how many cut points follow (0-7), then one byte per cut (a stride).
    const int cutCount = data[0] % 8;
    if (size < size_t(1 + cutCount))
        return 0;
    const QByteArrayView input(reinterpret_cast<const char *>(data + 1 + cutCount), qsizetype(size - 1 - cutCount));
    QList<qsizetype> cuts;
    qsizetype at = 0;
    for (int i = 0; i < cutCount; ++i) {
        at += data[1 + i];
        if (at > input.size())
            break;
        cuts.append(at);
    }
    QList<qsizetype> bytewise;
    for (qsizetype i = 1; i < input.size() && input.size() <= 4096; ++i)
        bytewise.append(i);

    const Trace whole = run(input, {});
    CHECK(run(input, cuts).events == whole.events);
    if (input.size() <= 4096)
        CHECK(run(input, bytewise).events == whole.events);
    return 0;
}

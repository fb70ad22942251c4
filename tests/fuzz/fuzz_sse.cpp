// Fuzzes the Server-Sent Events parser. The first input byte picks the event cap (small caps make
// the overflow path reachable), the second seeds how the rest is split into reads. Checks: no
// crash or sanitizer report; the same events and the same overflow verdict whether the stream
// comes whole or in pieces; no event larger than the cap; no more data out than went in.

#include "fuzzcheck.h"
#include "providers/streamparsers.h"

#include <QByteArray>
#include <QList>

#include <cstdint>

using namespace Maestro;

namespace {

// An invariant that must hold: a violation is reported like a crash, naming the invariant.
struct Outcome
{
    QList<SseParser::Event> events;
    bool overflowed = false;
};

Outcome run(const QList<QByteArray> &reads, qsizetype cap)
{
    SseParser parser;
    parser.setMaxEventBytes(cap);
    Outcome outcome;
    for (const QByteArray &read : reads)
        outcome.events += parser.feed(read);
    outcome.events += parser.finish();
    outcome.overflowed = parser.overflowed();
    return outcome;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const qsizetype caps[] = {1, 2, 8, 16, 64, 1024, DefaultMaxStreamLineBytes};
    const qsizetype cap = caps[data[0] % (sizeof caps / sizeof *caps)];
    unsigned seed = data[1];
    const QByteArray bytes(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2));

    const Outcome whole = run({bytes}, cap);
    QList<QByteArray> reads;
    for (qsizetype pos = 0; pos < bytes.size();) {
        seed = seed * 1103515245u + 12345u;
        const qsizetype n = qMin<qsizetype>((seed >> 16) % 17, bytes.size() - pos); // empty reads too
        reads.append(bytes.mid(pos, n));
        pos += n;
    }
    const Outcome split = run(reads, cap);

    CHECK(whole.overflowed == split.overflowed);
    CHECK(whole.events.size() == split.events.size());
    qsizetype total = 0;
    for (qsizetype i = 0; i < whole.events.size(); ++i) {
        CHECK(whole.events[i].data == split.events[i].data);
        CHECK(whole.events[i].event == split.events[i].event);
        CHECK(whole.events[i].data.size() <= cap);
        total += whole.events[i].data.size();
    }
    CHECK(total <= bytes.size());
    return 0;
}

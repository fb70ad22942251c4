// Fuzzes the NDJSON line splitter. The first input byte picks the line cap, the second seeds how
// the rest is split into reads. Checks: no crash or sanitizer report; the same lines and the same
// overflow verdict whether the stream comes whole or in pieces; no line longer than the cap,
// none empty, none containing a line feed; no more bytes out than went in.

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
    QList<QByteArray> lines;
    bool overflowed = false;
};

Outcome run(const QList<QByteArray> &reads, qsizetype cap)
{
    NdjsonParser parser;
    parser.setMaxLineBytes(cap);
    Outcome outcome;
    for (const QByteArray &read : reads)
        outcome.lines += parser.feed(read);
    outcome.lines += parser.finish();
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
        const qsizetype n = qMin<qsizetype>((seed >> 16) % 17, bytes.size() - pos);
        reads.append(bytes.mid(pos, n));
        pos += n;
    }
    const Outcome split = run(reads, cap);

    CHECK(whole.overflowed == split.overflowed);
    CHECK(whole.lines == split.lines);
    qsizetype total = 0;
    for (const QByteArray &line : whole.lines) {
        CHECK(!line.trimmed().isEmpty());
        CHECK(line.size() <= cap);
        CHECK(!line.contains('\n'));
        total += line.size();
    }
    CHECK(total <= bytes.size());
    return 0;
}

// Fuzzes the AWS event-stream parser (Bedrock's ConverseStream framing) and the Bedrock node's
// stream reader on top of it. The first input byte picks the message cap (small caps make the
// refusal path reachable), the second seeds how the rest is split into reads. Checks: no crash or
// sanitizer report; the same messages and the same verdict whether the stream comes whole or in
// pieces; no message larger than the cap; no more payload out than went in.

#include "fuzzcheck.h"
#include "providers/aws/eventstream.h"
#include "providers/nodetypes/nodeadapter.h"

#include <QByteArray>
#include <QList>

#include <cstdint>

using namespace Maestro;

namespace {

// An invariant that must hold: a violation is reported like a crash, naming the invariant.
struct Outcome
{
    QList<EventStreamParser::Message> messages;
    bool failed = false;
};

Outcome run(const QList<QByteArray> &reads, qsizetype cap)
{
    EventStreamParser parser;
    parser.setMaxMessageBytes(cap);
    Outcome outcome;
    for (const QByteArray &read : reads)
        outcome.messages += parser.feed(read);
    parser.finish();
    outcome.failed = parser.failed();
    return outcome;
}

// The Bedrock node's reader: every event it gives is a chunk, an end or an error.
int readerEvents(const QList<QByteArray> &reads, qsizetype cap)
{
    std::unique_ptr<NodeStream> stream = NodeAdapter::forType(NodeType::Bedrock).openStream(cap);
    int count = 0;
    NodeStream::Event event;
    for (const QByteArray &read : reads) {
        stream->feed(read);
        while (stream->next(&event))
            ++count;
    }
    stream->finish();
    while (stream->next(&event))
        ++count;
    return count;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const qsizetype caps[] = {16, 32, 64, 256, 4096, EventStreamParser::MaxMessageBytes};
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

    CHECK(whole.failed == split.failed);
    CHECK(whole.messages.size() == split.messages.size());
    qsizetype total = 0;
    for (qsizetype i = 0; i < whole.messages.size(); ++i) {
        CHECK(whole.messages[i].payload == split.messages[i].payload);
        CHECK(whole.messages[i].headers.size() == split.messages[i].headers.size());
        CHECK(whole.messages[i].payload.size() + 16 <= cap);
        total += whole.messages[i].payload.size();
    }
    CHECK(total <= bytes.size());
    CHECK(readerEvents({bytes}, cap) == readerEvents(reads, cap));
    return 0;
}

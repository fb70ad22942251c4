// Fuzzes the Anthropic node's stream reader (Messages SSE events to OpenAI chat chunks) and the
// client translations its chunks go through. The first input byte picks the event cap (small caps
// make the overflow path reachable), the second seeds how the rest is split into reads. Checks:
// no crash or sanitizer report; the same events and the same verdict whether the stream comes
// whole or in pieces; nothing after an End or an Error event; every chunk translates in each
// client dialect without a crash.

#include "fuzzcheck.h"
#include "providers/anthropic.h"
#include "providers/nodetypes/nodeadapter.h"
#include "providers/translate.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QList>
#include <QStringList>

#include <cstdint>

using namespace Maestro;
using namespace Qt::StringLiterals;

namespace {

// An invariant that must hold: a violation is reported like a crash, naming the invariant.
struct Outcome
{
    QStringList events; // "chunk <choices and usage>", "end", "error <message>"
    QList<QJsonObject> chunks;
    bool overflowed = false;
};

Outcome run(const QList<QByteArray> &reads, qsizetype cap)
{
    std::unique_ptr<NodeStream> stream = NodeAdapter::forType(NodeType::Anthropic).openStream(cap);
    Outcome outcome;
    bool over = false;
    NodeStream::Event event;
    auto drain = [&] {
        while (stream->next(&event)) {
            // Nothing comes after the stream said it ended or failed.
            CHECK(!over);
            switch (event.kind) {
            case NodeStream::Event::Kind::Chunk: {
                // The id of a stream without message_start is random: compared without it.
                QJsonObject compared = event.object;
                compared.remove(u"id"_s);
                compared.remove(u"created"_s);
                outcome.events.append(
                    u"chunk "_s + QString::fromUtf8(QJsonDocument(compared).toJson(QJsonDocument::Compact)));
                outcome.chunks.append(event.object);
                break;
            }
            case NodeStream::Event::Kind::End:
                outcome.events.append(u"end"_s);
                over = true;
                break;
            case NodeStream::Event::Kind::Error:
                CHECK(!event.message.isEmpty());
                outcome.events.append(u"error "_s + event.message);
                over = true;
                break;
            }
        }
    };
    for (const QByteArray &read : reads) {
        stream->feed(read);
        drain();
    }
    stream->finish();
    drain();
    outcome.overflowed = stream->overflowed();
    return outcome;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const qsizetype caps[] = {16, 64, 256, 4096, 1024 * 1024};
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
    CHECK(whole.events == split.events);
    CHECK(whole.overflowed == split.overflowed);

    // The chunks as each client dialect hears them.
    Anthropic::StreamTranslator anthropic(u"claude"_s);
    const auto openAi = Translate::makeStreamTranslator(Translate::ApiKind::Chat, NodeType::OpenAi,
                                                        Dialect::OpenAi, u"claude"_s, true);
    const auto ollama = Translate::makeStreamTranslator(Translate::ApiKind::Chat, NodeType::OpenAi,
                                                        Dialect::Ollama, u"claude"_s, true);
    for (const QJsonObject &chunk : whole.chunks) {
        anthropic.translate(chunk);
        openAi->translate(chunk);
        ollama->translate(chunk);
    }
    anthropic.finish();
    openAi->finish();
    ollama->finish();
    return 0;
}

// Fuzzes the split of <think> reasoning out of a node's text. The first input byte seeds how the
// text is split into stream pieces; the rest is UTF-8 text. Checks: no crash or sanitizer report;
// the streamed pieces, joined, are the text with its tags taken out left to right (up to the
// blanks dropped next to a tag), however the pieces fall; nothing is held after finish(); the
// whole-text split is no larger than the text; the event filters over OpenAI chunks and Ollama
// lines survive the same text.

#include "fuzzcheck.h"
#include "providers/thinksplit.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <cstdint>

using namespace Maestro;
using Maestro::Fuzz::withoutSpace;
using namespace Maestro::ThinkSplit;

namespace {

// The text with each tag removed where a left-to-right scan finds it.
QString withoutTags(const QString &text)
{
    const QString open = QStringLiteral("<think>");
    const QString close = QStringLiteral("</think>");
    QString out;
    qsizetype position = 0;
    while (true) {
        const qsizetype a = text.indexOf(open, position);
        const qsizetype b = text.indexOf(close, position);
        if (a < 0 && b < 0)
            break;
        const bool opening = a >= 0 && (b < 0 || a < b);
        const qsizetype at = opening ? a : b;
        out += text.mid(position, at - position);
        position = at + (opening ? open.size() : close.size());
    }
    return out + text.mid(position);
}

QList<QString> split(const QString &text, unsigned seed)
{
    QList<QString> pieces;
    for (qsizetype pos = 0; pos < text.size();) {
        seed = seed * 1103515245u + 12345u;
        const qsizetype n = qMin<qsizetype>(1 + (seed >> 16) % 12, text.size() - pos);
        pieces.append(text.mid(pos, n));
        pos += n;
    }
    return pieces;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const unsigned seed = data[0];
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));

    const SplitText whole = splitText(text);
    CHECK(whole.reasoning.size() + whole.content.size() <= text.size());

    const QList<QString> pieces = split(text, seed);
    TextSplitter splitter;
    QString streamed;
    for (const QString &piece : pieces) {
        for (const TextSplitter::Piece &out : splitter.feed(piece))
            streamed += out.text;
    }
    for (const TextSplitter::Piece &out : splitter.finish())
        streamed += out.text;
    CHECK(!splitter.isHolding());
    CHECK(withoutSpace(streamed) == withoutSpace(withoutTags(text)));

    const std::unique_ptr<EventFilter> chunks = makeEventFilter(NodeType::OpenAi);
    const std::unique_ptr<EventFilter> lines = makeEventFilter(NodeType::Ollama);
    for (const QString &piece : pieces) {
        chunks->filter(QJsonObject{{QStringLiteral("id"), QStringLiteral("c")},
                                   {QStringLiteral("choices"),
                                    QJsonArray{QJsonObject{{QStringLiteral("index"), 0},
                                                           {QStringLiteral("delta"), QJsonObject{{QStringLiteral("content"), piece}}}}}}});
        lines->filter(QJsonObject{{QStringLiteral("model"), QStringLiteral("m")},
                                  {QStringLiteral("message"), QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                                                                          {QStringLiteral("content"), piece}}},
                                  {QStringLiteral("done"), false}});
    }
    chunks->finish();
    lines->finish();
    QJsonObject answer{{QStringLiteral("choices"),
                        QJsonArray{QJsonObject{{QStringLiteral("index"), 0},
                                               {QStringLiteral("message"), QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                                                                                       {QStringLiteral("content"), text}}}}}}};
    splitResponse(NodeType::OpenAi, &answer);
    return 0;
}

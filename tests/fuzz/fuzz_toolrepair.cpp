// Fuzzes the repair of tool calls printed as text. The first input byte seeds how the text is
// split into stream pieces; the rest is UTF-8 text. Checks: no crash or sanitizer report; the
// streamed filter yields the same text (up to whitespace next to a section) and the same calls as
// repairText() on the whole text, however the pieces fall; every repaired call has a name and arguments that are a JSON object; output no
// larger than the input; the chunk filters over OpenAI chunks and Ollama lines survive the same
// text.

#include "fuzzcheck.h"
#include "providers/toolrepair.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <cstdint>

using namespace Maestro;
using Maestro::Fuzz::withoutSpace;
using namespace Maestro::ToolRepair;

namespace {

// An invariant that must hold: a violation is reported like a crash, naming the invariant.
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

    const RepairResult whole = repairText(text);
    CHECK(whole.text.size() <= text.size());
    for (const RepairedCall &call : whole.calls) {
        CHECK(!call.name.isEmpty());
        CHECK(QJsonDocument::fromJson(call.arguments.toUtf8()).isObject());
    }

    const QList<QString> pieces = split(text, seed);
    TextFilter filter;
    QString streamedText;
    QList<RepairedCall> streamedCalls;
    const auto take = [&](const QList<TextFilter::Piece> &out) {
        for (const TextFilter::Piece &piece : out) {
            if (piece.isCall)
                streamedCalls.append(piece.call);
            else
                streamedText += piece.text;
        }
    };
    for (const QString &piece : pieces)
        take(filter.feed(piece));
    take(filter.finish());
    CHECK(!filter.isHolding());
    // Whitespace around a section may differ: repairText() trims it, while the stream has
    // already passed on the blank before a marker when the marker begins.
    CHECK(withoutSpace(streamedText) == withoutSpace(whole.text));
    CHECK(streamedCalls.size() == whole.calls.size());
    for (qsizetype i = 0; i < whole.calls.size(); ++i) {
        CHECK(streamedCalls[i].name == whole.calls[i].name);
        CHECK(streamedCalls[i].arguments == whole.calls[i].arguments);
    }

    // The same text as the content of a node's stream and of its non-streamed answer.
    ChunkFilter chunks;
    OllamaLineFilter lines;
    for (const QString &piece : pieces) {
        chunks.filter(QJsonObject{{QStringLiteral("id"), QStringLiteral("c")},
                                  {QStringLiteral("choices"),
                                   QJsonArray{QJsonObject{{QStringLiteral("index"), 0},
                                                          {QStringLiteral("delta"), QJsonObject{{QStringLiteral("content"), piece}}}}}}});
        lines.filter(QJsonObject{{QStringLiteral("model"), QStringLiteral("m")},
                                 {QStringLiteral("message"), QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                                                                         {QStringLiteral("content"), piece}}},
                                 {QStringLiteral("done"), false}});
    }
    chunks.finish();
    lines.finish();
    QJsonObject answer{{QStringLiteral("choices"),
                        QJsonArray{QJsonObject{{QStringLiteral("index"), 0},
                                               {QStringLiteral("message"), QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                                                                                       {QStringLiteral("content"), text}}}}}}};
    repairResponse(NodeType::OpenAi, &answer);
    QJsonObject ollamaAnswer{{QStringLiteral("message"), QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                                                                     {QStringLiteral("content"), text}}}};
    repairResponse(NodeType::Ollama, &ollamaAnswer);
    return 0;
}

// Fuzzes request, response and stream translation for every client dialect and node type. The
// first input byte picks the pair (client dialect and API kind x node type) and options (tool
// repair in front of the stream, the client asking for usage). The rest is lines: the first is
// the client's request body, every further one an event of the node's stream (an OpenAI chunk or
// an Ollama line), and the last also serves as the node's non-streamed answer. Checks: no crash or
// sanitizer report, and output bounded by the input (a translator that repeats what it holds on
// every event would show here as output growing with the square of the input).

#include "fuzzcheck.h"
#include "providers/anthropic.h"
#include "providers/responses.h"
#include "providers/toolrepair.h"
#include "providers/translate.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>

#include <cstdint>

using namespace Maestro;
using Translate::ApiKind;

namespace {

// An invariant that must hold: a violation is reported like a crash, naming the invariant.
struct Pair
{
    Dialect client;
    ApiKind kind;
};

// Ollama and OpenAI clients for each kind, then the chat-only Anthropic and Responses clients.
constexpr Pair Pairs[] = {
    {Dialect::Ollama, ApiKind::Chat},        {Dialect::Ollama, ApiKind::Completion},
    {Dialect::Ollama, ApiKind::Embeddings},  {Dialect::Ollama, ApiKind::LegacyEmbeddings},
    {Dialect::OpenAi, ApiKind::Chat},        {Dialect::OpenAi, ApiKind::Completion},
    {Dialect::OpenAi, ApiKind::Embeddings},  {Dialect::OpenAi, ApiKind::LegacyEmbeddings},
    {Dialect::Anthropic, ApiKind::Chat},     {Dialect::OpenAi, ApiKind::Responses},
};
constexpr int PairCount = sizeof Pairs / sizeof *Pairs;

QJsonObject objectOf(const QByteArray &line)
{
    return QJsonDocument::fromJson(line).object();
}

qsizetype sizeOf(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact).size();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const int choice = data[0];
    const Pair pair = Pairs[choice % PairCount];
    const NodeType node = (choice / PairCount) % 2 ? NodeType::OpenAi : NodeType::Ollama;
    const bool repair = choice & 0x40;
    const bool clientWantsUsage = choice & 0x80;
    const QByteArray input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const QList<QByteArray> lines = input.split('\n');
    const QJsonObject request = objectOf(lines.first());
    const QString model = QStringLiteral("display-model");

    // Requests.
    qsizetype requestOut = 0;
    if (pair.client == Dialect::Anthropic) {
        requestOut = sizeOf(Anthropic::requestForNode(node, request));
        Anthropic::wantsStream(request);
        CHECK(Anthropic::countTokens(request) >= 1);
    } else if (pair.kind == ApiKind::Responses) {
        Responses::validate(request);
        requestOut = sizeOf(Responses::requestForNode(node, request));
        QJsonObject chat = request;
        Responses::inputAsMessages(&chat);
    } else {
        requestOut = sizeOf(Translate::translateRequest(pair.kind, pair.client, node, request));
        Translate::wantsStream(pair.kind, pair.client, request);
    }
    // Translation adds a few fields and restructures, it does not multiply.
    CHECK(requestOut <= 4 * lines.first().size() + 4096);

    // Non-streamed answer.
    const QJsonObject answer = objectOf(lines.last());
    Usage usage;
    QJsonObject response;
    if (pair.client == Dialect::Anthropic)
        response = Anthropic::responseFromNode(node, answer, model, &usage);
    else if (pair.kind == ApiKind::Responses)
        response = Responses::responseFromNode(node, answer, model, &usage);
    else
        response = Translate::translateResponse(pair.kind, node, pair.client, answer, model, &usage);
    if (repair)
        ToolRepair::repairResponse(node, &response);
    if (pair.kind == ApiKind::Embeddings && Translate::wantsBase64Embeddings(pair.client, request))
        Translate::encodeEmbeddingsAsBase64(&response);
    CHECK(sizeOf(response) <= 16 * lines.last().size() + 4096);

    // Stream.
    if (pair.kind == ApiKind::Embeddings || pair.kind == ApiKind::LegacyEmbeddings)
        return 0;
    std::unique_ptr<Translate::StreamTranslator> translator;
    if (pair.client == Dialect::Anthropic)
        translator = Anthropic::makeAnthropicStreamTranslator(node, model);
    else if (pair.kind == ApiKind::Responses)
        translator = Responses::makeResponsesStreamTranslator(node, model);
    else
        translator = Translate::makeStreamTranslator(pair.kind, node, pair.client, model, clientWantsUsage);
    if (repair)
        translator = ToolRepair::withToolRepair(node, std::move(translator));
    qsizetype out = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QJsonObject event = objectOf(lines.at(i));
        if (event.isEmpty() && lines.at(i).trimmed() == "[DONE]")
            break;
        out += translator->translate(event).size();
        translator->usage();
        translator->sawEnd();
    }
    out += translator->finish().size();
    CHECK(out <= 16 * input.size() + 4096 * lines.size());
    return 0;
}

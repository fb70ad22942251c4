#include "clientdialect.h"
#include "anthropicclient.h"
#include "ollamaclient.h"
#include "openaiclient.h"
#include "providers/thinksplit.h"
#include "providers/toolrepair.h"
#include "responsesclient.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

using Translate::ApiKind;

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return u"a boolean"_s;
    case QJsonValue::Double:
        return u"a number"_s;
    case QJsonValue::String:
        return u"a string"_s;
    case QJsonValue::Array:
        return u"an array"_s;
    case QJsonValue::Object:
        return u"an object"_s;
    case QJsonValue::Undefined:
        break;
    }
    return u"missing"_s;
}

// Tool calls a model printed as text are only turned into calls when the client offered tools:
// otherwise it could not answer them, and the text is what it asked for.
bool repairsToolCalls(ApiKind kind, const QJsonObject &request)
{
    return (kind == ApiKind::Chat || kind == ApiKind::Responses)
        && !request.value("tools"_L1).toArray().isEmpty();
}

// Reasoning a node wrote into its text between think tags goes into the reasoning fields of
// every answer with text.
bool splitsThinking(ApiKind kind)
{
    return kind == ApiKind::Chat || kind == ApiKind::Responses || kind == ApiKind::Completion;
}

} // namespace

const ClientDialect &ClientDialect::forRequest(Dialect dialect, ApiKind kind)
{
    static const ResponsesClient responses;
    if (dialect == Dialect::OpenAi && kind == ApiKind::Responses)
        return responses;
    return forDialect(dialect);
}

const ClientDialect &ClientDialect::forDialect(Dialect dialect)
{
    static const OllamaClient ollama;
    static const OpenAiClient openAi;
    static const AnthropicClient anthropic;
    switch (dialect) {
    case Dialect::Ollama:
        return ollama;
    case Dialect::Anthropic:
        return anthropic;
    case Dialect::OpenAi:
    case Dialect::Admin:
        break;
    }
    return openAi;
}

std::unique_ptr<Translate::StreamTranslator>
ClientDialect::streamTranslator(ApiKind kind, NodeType wire, const QString &model,
                                const QJsonObject &request, bool keepThinkTags) const
{
    std::unique_ptr<Translate::StreamTranslator> translator
        = makeStreamTranslator(kind, wire, model, request);
    if (repairsToolCalls(kind, request))
        translator = ToolRepair::withToolRepair(wire, std::move(translator));
    // The split comes first, so that a call printed inside the reasoning is repaired too.
    if (splitsThinking(kind) && !keepThinkTags)
        translator = ThinkSplit::withThinkSplit(wire, std::move(translator));
    return translator;
}

QJsonObject ClientDialect::answer(ApiKind kind, NodeType wire, QJsonObject nodeBody,
                                  const QString &model, const QJsonObject &request,
                                  Usage *usage, bool keepThinkTags) const
{
    if (splitsThinking(kind) && !keepThinkTags)
        ThinkSplit::splitResponse(wire, &nodeBody);
    if (repairsToolCalls(kind, request))
        ToolRepair::repairResponse(wire, &nodeBody);
    return responseFromNode(kind, wire, nodeBody, model, request, usage);
}

QString ClientDialect::missingTokenMessage() const
{
    return u"Missing bearer token: send \"Authorization: Bearer <token>\""_s;
}

ApiError ClientDialect::wrongType(const QString &field, const QString &expected,
                                  const QJsonValue &value)
{
    return ApiError::badRequest(
        u"\"%1\" must be %2, not %3"_s.arg(field, expected, typeName(value)));
}

std::optional<ApiError> ClientDialect::checkCommon(const QJsonObject &body)
{
    const QJsonValue model = body.value("model"_L1);
    if (model.isUndefined())
        return ApiError::badRequest(u"\"model\" is required"_s);
    if (!model.isString() || model.toString().isEmpty())
        return wrongType(u"model"_s, u"a non-empty string"_s, model);
    const QJsonValue stream = body.value("stream"_L1);
    if (!stream.isUndefined() && !stream.isNull() && !stream.isBool())
        return wrongType(u"stream"_s, u"a boolean"_s, stream);
    const QJsonValue options = body.value("options"_L1);
    if (!options.isUndefined() && !options.isNull() && !options.isObject())
        return wrongType(u"options"_s, u"an object"_s, options);
    const QJsonValue tools = body.value("tools"_L1);
    if (!tools.isUndefined() && !tools.isNull() && !tools.isArray())
        return wrongType(u"tools"_s, u"an array"_s, tools);
    return std::nullopt;
}

std::optional<ApiError> ClientDialect::checkMessages(const QJsonObject &body, bool required)
{
    const QJsonValue messages = body.value("messages"_L1);
    if (messages.isUndefined() && !required)
        return std::nullopt;
    if (!messages.isArray())
        return wrongType(u"messages"_s, u"an array"_s, messages);
    for (const QJsonValue &message : messages.toArray()) {
        if (!message.isObject())
            return ApiError::badRequest(u"each entry of \"messages\" must be an object"_s);
        if (!message.toObject().value("role"_L1).isString())
            return ApiError::badRequest(u"each message needs a \"role\" string"_s);
    }
    return std::nullopt;
}

std::optional<ApiError> ClientDialect::checkInput(const QJsonObject &body)
{
    const QJsonValue input = body.value("input"_L1);
    if (!input.isString() && !input.isArray())
        return wrongType(u"input"_s, u"a string or an array"_s, input);
    return std::nullopt;
}

} // namespace Maestro

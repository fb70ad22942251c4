#include "nodeadapter.h"
#include "anthropicnode.h"
#include "bedrocknode.h"
#include "ollamanode.h"
#include "openainode.h"

#include <QJsonDocument>
#include <QJsonParseError>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

ApiError::Kind kindForStatus(int status)
{
    switch (status) {
    case 401:
    case 403:
        return ApiError::Kind::UpstreamFailed; // the node refused the gateway's key, not the user
    case 404:
        return ApiError::Kind::NotFound;
    case 413:
        return ApiError::Kind::PayloadTooLarge;
    case 429:
        return ApiError::Kind::RateLimited;
    default:
        break;
    }
    return ApiError::Kind::BadRequest;
}

// The message of an error body in any of the shapes nodes use (see NodeAdapter::errorMessage()).
QString messageIn(const QByteArray &body, int status)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    const QJsonValue error = object.value("error"_L1);
    QString message;
    if (error.isString())
        message = error.toString();
    else if (error.isObject())
        message = error.toObject().value("message"_L1).toString();
    else if (object.value("detail"_L1).isString())
        message = object.value("detail"_L1).toString();
    if (message.isEmpty())
        message = QString::fromUtf8(body.left(300)).trimmed();
    if (message.isEmpty())
        message = u"HTTP %1"_s.arg(status);
    return message;
}

} // namespace

bool NodeStream::readJsonEvent(const QByteArray &payload, Event *event)
{
    // OpenAI's end marker; taken from either format, as a node that says it means it.
    if (payload == "[DONE]") {
        event->kind = Event::Kind::End;
        return true;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(payload, &parseError);
    if (!document.isObject()) {
        // Not ours to judge a provider's keep-alive noise; skip what is not an event.
        return false;
    }
    event->object = document.object();
    const QJsonObject &object = event->object;
    if (object.contains("error"_L1) && !object.contains("choices"_L1)
        && !object.contains("message"_L1)) {
        event->kind = Event::Kind::Error;
        event->message = messageIn(payload, 200);
        return true;
    }
    event->kind = Event::Kind::Chunk;
    return true;
}

const NodeAdapter &NodeAdapter::forType(NodeType type)
{
    static const OllamaNode ollama;
    static const OpenAiNode openAi;
    static const BedrockNode bedrock;
    static const AnthropicNode anthropic;
    switch (type) {
    case NodeType::Ollama:
        return ollama;
    case NodeType::OpenAi:
        return openAi;
    case NodeType::Bedrock:
        return bedrock;
    case NodeType::Anthropic:
        return anthropic;
    }
    Q_UNREACHABLE();
    return openAi;
}

std::optional<ApiError> NodeAdapter::shapeRequest(const NodeRequestShape &shape,
                                                  QJsonObject *body) const
{
    if (shape.vision == false && NodeRequest::hasImages(*body)) {
        if (shape.settings.images == NodeRequestSettings::Images::Reject)
            return NodeRequest::imagesRefused(shape.model);
        NodeRequest::stripImages(body);
    }
    if (auto error = NodeRequest::foldSystemMessages(body))
        return error;
    NodeRequest::dropNonPositiveLimits(body);
    if (type() != NodeType::Anthropic)
        NodeRequest::dropAnthropicFields(body);
    adjustRequest(shape, body);
    return std::nullopt;
}

void NodeAdapter::adjustRequest(const NodeRequestShape &, QJsonObject *) const { }

QByteArray NodeAdapter::encodeRequest(Translate::ApiKind, const QJsonObject &body) const
{
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

std::optional<QJsonObject> NodeAdapter::decodeAnswer(const QByteArray &body) const
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (!document.isObject())
        return std::nullopt;
    return document.object();
}

QString NodeAdapter::errorMessage(const QByteArray &body, int status) const
{
    return messageIn(body, status);
}

bool NodeAdapter::isContextRefusal(int status, const QByteArray &body) const
{
    if (status == 413)
        return true;
    if (status != 400)
        return false;
    const QString message = errorMessage(body, status).toLower();
    return message.contains("context length"_L1) || message.contains("context_length"_L1)
        || message.contains("context window"_L1) || message.contains("too long"_L1)
        || message.contains("maximum context"_L1);
}

ApiError NodeAdapter::refusal(const Node &node, int status, const QByteArray &body) const
{
    ApiError error { kindForStatus(status), errorMessage(body, status) };
    error.upstreamStatus = status;
    if (status == 401 || status == 403) {
        // The node refused the gateway's credentials: the user can do nothing about it.
        error.upstreamStatus = 502;
        error.message = u"%1 refused the gateway's API key: %2"_s.arg(node.name, error.message);
    } else if (isContextRefusal(status, body)) {
        // Said the way each client recognises, so agents can shorten the conversation and retry.
        error.kind = ApiError::Kind::ContextTooLong;
        error.upstreamStatus = 0;
    }
    return error;
}

bool NodeAdapter::modelListRoot(const QByteArray &body, QJsonObject *root, QString *error)
{
    const QJsonDocument document = QJsonDocument::fromJson(body);
    if (!document.isObject()) {
        *error = u"the model list is not a JSON object"_s;
        return false;
    }
    *root = document.object();
    return true;
}

} // namespace Maestro

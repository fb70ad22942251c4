#include "noderequest.h"
#include "core/modelpolicy.h"

#include <QJsonArray>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro {

UpstreamRequest nodeRequest(const Node &node, const QByteArray &method, const QByteArray &path,
                            const QString &apiKey)
{
    UpstreamRequest request;
    request.method = method;
    QUrl url = node.baseUrl;
    QString base = url.path();
    while (base.endsWith(u'/'))
        base.chop(1);
    QString tail = QString::fromLatin1(path);
    if (base.endsWith("/v1"_L1) && tail.startsWith("/v1/"_L1))
        tail = tail.mid(3);
    url.setPath(base + tail);
    request.url = url;
    if (!apiKey.isEmpty())
        request.headers.append({QByteArrayLiteral("Authorization"), "Bearer " + apiKey.toUtf8()});
    return request;
}

void addNodeHeaders(UpstreamRequest *request, const QList<QPair<QByteArray, QByteArray>> &headers)
{
    for (const auto &header : headers) {
        const bool taken = std::any_of(request->headers.cbegin(), request->headers.cend(), [&](const auto &existing) {
            return existing.first.compare(header.first, Qt::CaseInsensitive) == 0;
        });
        if (!taken)
            request->headers.append(header);
    }
}

NodeRequestSettings NodeRequestSettings::from(const Settings &settings)
{
    NodeRequestSettings out;
    // Ollama reads a keep_alive string as a Go duration, where "-1" has no unit and fails: a
    // whole number goes as the number of seconds it is.
    const QString keepAlive = settings.string(u"ollama_keep_alive"_s).trimmed();
    bool isNumber = false;
    const qint64 seconds = keepAlive.toLongLong(&isNumber);
    if (isNumber)
        out.ollamaKeepAlive = double(seconds);
    else if (!keepAlive.isEmpty())
        out.ollamaKeepAlive = keepAlive;
    out.defaultContextLength = settings.integer(u"default_context_length"_s);
    out.images = settings.string(u"images_for_non_vision_models"_s) == "reject"_L1
        ? Images::Reject
        : Images::Strip;
    return out;
}

namespace {

// "vision" among a list of capabilities; nullopt for a list that says nothing (empty, or not a
// list of strings at all).
std::optional<bool> visionIn(const QJsonArray &capabilities)
{
    bool any = false;
    for (const QJsonValue &capability : capabilities) {
        if (!capability.isString())
            continue;
        any = true;
        if (capability.toString().compare("vision"_L1, Qt::CaseInsensitive) == 0)
            return true;
    }
    return any ? std::optional<bool>(false) : std::nullopt;
}

} // namespace

NodeRequestShape NodeRequestShape::forAttempt(const Catalog &catalog, Translate::ApiKind kind,
                                              const QString &requestedModel, const Attempt &attempt)
{
    NodeRequestShape shape;
    shape.kind = kind;
    shape.model = attempt.displayModel.isEmpty() ? requestedModel : attempt.displayModel;
    shape.config = ModelPolicy::configFor(catalog.modelConfigs(), requestedModel, attempt.realModel);
    shape.mappingContextLength = attempt.contextLength;
    shape.settings = NodeRequestSettings::from(catalog.typedSettings());
    // The administrator's word first: a mapping that lists capabilities without "vision" means a
    // model without it, whatever the node says.
    if (const auto resolved = catalog.resolve(shape.model); resolved && resolved->mapping
        && !resolved->mapping->capabilities.isEmpty()) {
        shape.vision = resolved->mapping->capabilities.contains("vision"_L1, Qt::CaseInsensitive);
    } else if (attempt.node) {
        if (const NodeModel *model = catalog.nodeModel(attempt.node->id, attempt.realModel))
            shape.vision = visionIn(model->details.value("capabilities"_L1).toArray());
    }
    return shape;
}

namespace NodeRequest {

namespace {

bool isSystemRole(const QJsonValue &message)
{
    const QString role = message.toObject().value("role"_L1).toString();
    return role == "system"_L1 || role == "developer"_L1;
}

bool isImagePart(const QJsonValue &part)
{
    const QString type = part.toObject().value("type"_L1).toString();
    return type == "image_url"_L1 || type == "image"_L1 || type == "input_image"_L1;
}

// The text of a content part: OpenAI's {"type":"text","text"}, the Responses names of it, or a
// bare string. Empty for what is not text.
QString partText(const QJsonValue &part)
{
    if (part.isString())
        return part.toString();
    const QJsonObject object = part.toObject();
    const QString type = object.value("type"_L1).toString();
    if (type == "text"_L1 || type == "input_text"_L1 || type == "output_text"_L1)
        return object.value("text"_L1).toString();
    return {};
}

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        return u"a boolean"_s;
    case QJsonValue::Double:
        return u"a number"_s;
    case QJsonValue::Object:
        return u"an object"_s;
    default:
        break;
    }
    return u"something else"_s;
}

const QString ImageRemoved = u"[image removed]"_s;

} // namespace

std::optional<ApiError> foldSystemMessages(QJsonObject *body)
{
    const QJsonValue messagesValue = body->value("messages"_L1);
    if (!messagesValue.isArray())
        return std::nullopt;
    const QJsonArray messages = messagesValue.toArray();
    qsizetype systemCount = 0;
    bool misplaced = false;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        if (isSystemRole(messages.at(i))) {
            ++systemCount;
            misplaced = misplaced || i > 0;
        }
    }
    if (systemCount == 0 || (systemCount == 1 && !misplaced))
        return std::nullopt;

    QStringList texts;
    QJsonArray rest;
    for (const QJsonValue &value : messages) {
        if (!isSystemRole(value)) {
            rest.append(value);
            continue;
        }
        const QJsonValue content = value.toObject().value("content"_L1);
        if (content.isString()) {
            texts.append(content.toString());
        } else if (content.isArray()) {
            QStringList parts;
            for (const QJsonValue &part : content.toArray()) {
                const QString text = partText(part);
                if (!text.isEmpty())
                    parts.append(text);
            }
            texts.append(parts.join("\n\n"_L1));
        } else if (!content.isNull() && !content.isUndefined()) {
            return ApiError::badRequest(
                u"The content of a system message must be a string or an array of text parts, not %1"_s
                    .arg(typeName(content)));
        }
    }
    texts.removeIf([](const QString &text) { return text.trimmed().isEmpty(); });
    if (!texts.isEmpty())
        rest.prepend(QJsonObject{{u"role"_s, u"system"_s}, {u"content"_s, texts.join("\n\n"_L1)}});
    body->insert("messages"_L1, rest);
    return std::nullopt;
}

void dropAnthropicFields(QJsonObject *body)
{
    // Only Anthropic's object: an Ollama message's "thinking" is a string of its own.
    if (body->value("thinking"_L1).isObject())
        body->remove("thinking"_L1);
    QJsonArray messages = body->value("messages"_L1).toArray();
    bool changed = false;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        QJsonObject message = messages.at(i).toObject();
        if (!message.contains("thinking_blocks"_L1))
            continue;
        message.remove("thinking_blocks"_L1);
        messages.replace(i, message);
        changed = true;
    }
    if (changed)
        body->insert("messages"_L1, messages);
}

void dropNonPositiveLimits(QJsonObject *body)
{
    for (const QLatin1StringView key : {"max_tokens"_L1, "max_completion_tokens"_L1, "max_output_tokens"_L1}) {
        const QJsonValue value = body->value(key);
        if (value.isDouble() && !(value.toDouble() > 0))
            body->remove(key);
    }
    const QJsonValue optionsValue = body->value("options"_L1);
    if (!optionsValue.isObject())
        return;
    QJsonObject options = optionsValue.toObject();
    const QJsonValue predict = options.value("num_predict"_L1);
    if (!predict.isDouble())
        return;
    const double limit = predict.toDouble();
    if (limit > 0 || limit == -1 || limit == -2)
        return;
    options.remove("num_predict"_L1);
    if (options.isEmpty())
        body->remove("options"_L1);
    else
        body->insert("options"_L1, options);
}

bool hasImages(const QJsonObject &body)
{
    if (!body.value("images"_L1).toArray().isEmpty())
        return true;
    for (const QJsonValue &value : body.value("messages"_L1).toArray()) {
        const QJsonObject message = value.toObject();
        if (!message.value("images"_L1).toArray().isEmpty())
            return true;
        for (const QJsonValue &part : message.value("content"_L1).toArray()) {
            if (isImagePart(part))
                return true;
        }
    }
    return false;
}

void stripImages(QJsonObject *body)
{
    if (body->contains("images"_L1))
        body->remove("images"_L1); // /api/generate: its prompt goes on alone
    const QJsonValue messagesValue = body->value("messages"_L1);
    if (!messagesValue.isArray())
        return;
    QJsonArray messages = messagesValue.toArray();
    for (qsizetype i = 0; i < messages.size(); ++i) {
        if (!messages.at(i).isObject())
            continue;
        QJsonObject message = messages.at(i).toObject();
        bool changed = false;
        if (message.contains("images"_L1)) {
            // Ollama: the text stays; a message that was only an image says one was there.
            const bool hadImages = !message.value("images"_L1).toArray().isEmpty();
            message.remove("images"_L1);
            if (hadImages && message.value("content"_L1).toString().isEmpty())
                message.insert("content"_L1, ImageRemoved);
            changed = true;
        }
        const QJsonValue content = message.value("content"_L1);
        if (content.isArray()) {
            QJsonArray kept;
            bool removed = false;
            bool textOnly = true;
            QStringList texts;
            for (const QJsonValue &part : content.toArray()) {
                if (isImagePart(part)) {
                    removed = true;
                    continue;
                }
                kept.append(part);
                const QString type = part.toObject().value("type"_L1).toString();
                if (type != "text"_L1)
                    textOnly = false;
                else
                    texts.append(part.toObject().value("text"_L1).toString());
            }
            if (removed) {
                if (kept.isEmpty())
                    message.insert("content"_L1, ImageRemoved);
                else if (textOnly)
                    message.insert("content"_L1, texts.join("\n\n"_L1));
                else
                    message.insert("content"_L1, kept);
                changed = true;
            }
        }
        if (changed)
            messages.replace(i, message);
    }
    body->insert("messages"_L1, messages);
}

ApiError imagesRefused(const QString &model)
{
    return ApiError::badRequest(
        u"The model '%1' does not take images (it has no vision capability); send the request without images or to a model with vision"_s
            .arg(model));
}

} // namespace NodeRequest

} // namespace Maestro

#pragma once

#include "core/apierror.h"
#include "core/catalog.h"
#include "core/entities.h"
#include "core/routeplanner.h"
#include "core/settings.h"
#include "translate.h"
#include "upstreamclient.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace Maestro {

// A request to one of a node's endpoints: the node's base URL joined with `path`, and the node's
// API key as a bearer token when it has one. OpenAI-style base URLs are often given with their
// "/v1" ("https://api.openai.com/v1"); a path starting with "/v1/" is not doubled then.
UpstreamRequest nodeRequest(const Node &node, const QByteArray &method, const QByteArray &path,
                            const QString &apiKey);

// Adds a node's own headers (Catalog::nodeHeaders()) to a request built for it, after the node
// type set its own and signed it: a header the request already has is not sent twice (the
// type's wins), and a Bedrock signature, which lists the headers it covers, does not cover them.
void addNodeHeaders(UpstreamRequest *request, const QList<QPair<QByteArray, QByteArray>> &headers);

// The system settings that shape what is sent to nodes (core/settings.cpp has their defaults).
struct NodeRequestSettings
{
    enum class Images {
        Strip, // images for a model without vision are removed, the text goes on
        Reject, // such a request is refused with 400
    };

    // keep_alive for Ollama chat and generate requests that carry none: a number of seconds or
    // an Ollama duration string; undefined sends none.
    QJsonValue ollamaKeepAlive{QJsonValue::Undefined};
    // options.num_ctx for Ollama chat and generate requests when nothing else sets it; 0: none.
    qint64 defaultContextLength = 0;
    Images images = Images::Strip;

    static NodeRequestSettings from(const Settings &settings);
};

// What shapes the body of one attempt beyond its translation to the node's dialect.
struct NodeRequestShape
{
    Translate::ApiKind kind = Translate::ApiKind::Chat;
    QString model; // as the client knows it (the display name), for messages
    // Whether the model takes images: from the mapping's capabilities when it lists any, else
    // from the capabilities the node reported for the model. Unknown (nullopt): images pass.
    std::optional<bool> vision;
    const ModelConfig *config = nullptr; // the model configuration that applies, or null
    qint64 mappingContextLength = 0; // the mapping's context length, 0 when none
    NodeRequestSettings settings;

    // For `attempt` at a request of `kind` for `requestedModel` (the name the client used), all
    // read from `catalog`: whoever holds the shape holds the catalog (`config` points into it).
    static NodeRequestShape forAttempt(const Catalog &catalog, Translate::ApiKind kind,
                                       const QString &requestedModel, const Attempt &attempt);
};

// The request shaping every node type gets (NodeAdapter::shapeRequest() applies it once per
// attempt, after translation and system prompts): pure functions over a body in a node's wire
// dialect, Ollama or OpenAI chat.
namespace NodeRequest {

// Many chat templates (Gemma's, Mistral's under vLLM or llama.cpp) refuse a system message
// anywhere but first, and Claude Code and Codex send some along the conversation. Every system
// (or OpenAI "developer") message is folded, in order, into one system message at the front,
// its text joined with a blank line; the other messages keep their order. Content may be a
// string, null, or an array of parts: the text parts are kept, the others (an image, which
// neither OpenAI nor any template takes in a system message) are dropped, as are an Ollama
// system message's "images". A body with at most one system message, already first, is left
// as it is. Returns a 400 when a system message to fold has content that is none of those
// (a number, an object); "messages" that is not an array is left to the node.
std::optional<ApiError> foldSystemMessages(QJsonObject *body);

// Removes max_tokens, max_completion_tokens and max_output_tokens of 0 or less (upstreams answer
// them with 400 or nothing), and an Ollama options.num_predict of 0 or below -2 (-1 and -2 are
// Ollama's "no limit" and "fill the context").
void dropNonPositiveLimits(QJsonObject *body);

// Removes what only an Anthropic node reads (providers/anthropicupstream.h): a chat request's
// "thinking" object and its assistant messages' "thinking_blocks". OpenAI's API refuses fields
// it does not know.
void dropAnthropicFields(QJsonObject *body);

// Whether the body carries an image: OpenAI image_url (and image, input_image) parts, Ollama
// "images" on a message or on a generate request.
bool hasImages(const QJsonObject &body);

// Removes every image hasImages() finds. A message left without content gets "[image removed]"
// as its text, so the conversation keeps its turns; OpenAI content left with text parts only
// becomes the string of their text, joined with a blank line, as the translations send it.
void stripImages(QJsonObject *body);

// The 400 for images sent to a model without vision.
ApiError imagesRefused(const QString &model);

} // namespace NodeRequest

} // namespace Maestro

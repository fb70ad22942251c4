#pragma once

#include "core/apierror.h"
#include "core/dialect.h"
#include "core/entities.h"
#include "core/routeplanner.h"
#include "providers/noderequest.h"
#include "providers/translate.h"
#include "providers/upstreamclient.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace Maestro {

// A node's streamed answer, read one event at a time: bytes go in as they arrive, events come out
// in the node's wire dialect (NodeAdapter::wire()). One per streamed attempt. Pull, not push, so
// that the reader may drop the stream between two events (a failover) without pulling the rug
// from under a callback.
class NodeStream
{
public:
    struct Event
    {
        enum class Kind {
            Chunk, // `object` is a chunk for the stream translator
            End, // the node said that its stream is complete (OpenAI's "data: [DONE]")
            Error, // the node reported a failure inside the stream; `message` says which
        };
        Kind kind = Kind::Chunk;
        QJsonObject object;
        QString message;
    };

    virtual ~NodeStream() = default;

    // The next bytes of the node's body; the events they complete come out of next().
    virtual void feed(const QByteArray &bytes) = 0;
    // The body ended: an event still pending (no final line end) comes out of next().
    virtual void finish() = 0;
    // The next complete event, or false until more bytes come. What is not an event (keep-alive
    // comments, lines that are not JSON objects) is skipped.
    virtual bool next(Event *event) = 0;
    // An event over the size limit arrived: nothing more comes out, the stream is broken.
    virtual bool overflowed() const = 0;

protected:
    // The event one JSON payload is (an SSE event's data, an NDJSON line): false when it is none.
    static bool readJsonEvent(const QByteArray &payload, Event *event);
};

// How the gateway talks to one type of node: the request it sends (URL, authentication or
// signature, headers), the stream format it reads back, its error answers and its model list.
// Stateless: one shared instance per type (forType()), per-request state lives in the NodeStream.
//
// The client dialects translate requests to, and answers from, the dialect named by wire(): the
// Ollama API or OpenAI chat completions, the two that the translations in providers/ speak. A
// node type with an API of its own (Anthropic Messages, Bedrock) names the one it converts from
// and to in encodeRequest(), openStream() and decodeAnswer(), and signs in request().
//
// Adding a node type: a NodeType value (core/dialect.h) and its name (core/entities.cpp), a
// NodeAdapter subclass in this folder, one line in forType(), and its tests in
// tests/providers/tst_nodeadapters.cpp.
class NodeAdapter
{
public:
    virtual ~NodeAdapter() = default;

    // The adapter of a node type; lives for the whole process.
    static const NodeAdapter &forType(NodeType type);

    virtual NodeType type() const = 0;
    // NodeType::Ollama or NodeType::OpenAi: see above.
    virtual NodeType wire() const = 0;
    // Whether requests of `kind` can go to this type at all (a chat-only API serves no
    // embeddings); a node that does not is skipped like one that failed. All by default.
    virtual bool serves(Translate::ApiKind kind) const
    {
        Q_UNUSED(kind);
        return true;
    }

    // ---- Requests ------------------------------------------------------------------------------

    // Everything done to a body already in the wire dialect (translated, system prompts merged)
    // before it is encoded, once per attempt: images for a model without vision stripped or
    // refused (shape.settings.images), system messages folded to the front, limits of 0 or less
    // dropped (providers/noderequest.h), then adjustRequest(). The error is the request's 400 in
    // the client's dialect: the body cannot go to this attempt's model.
    std::optional<ApiError> shapeRequest(const NodeRequestShape &shape, QJsonObject *body) const;
    // Settings only this type takes, after what shapeRequest() does for every type (Ollama:
    // options.num_ctx and keep_alive). Nothing by default.
    virtual void adjustRequest(const NodeRequestShape &shape, QJsonObject *body) const;
    // The bytes to send for a body in the wire dialect: compact JSON by default.
    virtual QByteArray encodeRequest(Translate::ApiKind kind, const QJsonObject &body) const;
    // The whole request for `body` (from encodeRequest()) to attempt.node: URL (where an API
    // names the model in its path, from attempt.realModel), credentials or signature, headers.
    // `stream`: the answer is wanted streamed. Timeouts are the caller's.
    virtual UpstreamRequest request(const Attempt &attempt, const QString &apiKey,
                                    Translate::ApiKind kind, const QByteArray &body,
                                    bool stream) const = 0;

    // ---- Answers -------------------------------------------------------------------------------

    // A reader for a streamed answer, holding at most `maxEventBytes` for one event.
    virtual std::unique_ptr<NodeStream> openStream(qsizetype maxEventBytes) const = 0;
    // A whole (non-streamed) successful answer as an object in the wire dialect; nothing when
    // it is not one.
    virtual std::optional<QJsonObject> decodeAnswer(const QByteArray &body) const;

    // ---- Errors --------------------------------------------------------------------------------

    // The message in an error answer of the node, whatever its shape: {"error": "..."},
    // {"error": {"message"}}, {"detail"}, else the start of the body, else "HTTP <status>".
    virtual QString errorMessage(const QByteArray &body, int status) const;
    // Whether an error answer refuses the input as longer than the model's context (413, or a
    // 400 that says so).
    virtual bool isContextRefusal(int status, const QByteArray &body) const;
    // A 4xx answer as the error to relay: its status and message, 502 when the node refused the
    // gateway's own credentials (the user can do nothing about that), and ContextTooLong for a
    // context refusal, worded by each client dialect the way its agents recognise.
    ApiError refusal(const Node &node, int status, const QByteArray &body) const;

    // ---- Models --------------------------------------------------------------------------------

    // The request that lists the node's models (health check and discovery).
    virtual UpstreamRequest modelsRequest(const Node &node, const QString &apiKey) const = 0;
    // The models in the answer to modelsRequest(); false and *error when it cannot be read.
    virtual bool parseModels(qint64 nodeId, const QByteArray &body, QList<NodeModel> *models,
                             QString *error) const = 0;
    // For a model list given in pages: the request for the page after `body` (the answer to
    // modelsRequest() or to an earlier call), or nothing when `body` was the last page. The
    // prober asks for at most MaxModelPages pages. Nothing by default: one answer lists all.
    static constexpr int MaxModelPages = 10;
    virtual std::optional<UpstreamRequest> nextModelsRequest(const Node &node,
                                                             const QString &apiKey,
                                                             const QByteArray &body) const
    {
        Q_UNUSED(node);
        Q_UNUSED(apiKey);
        Q_UNUSED(body);
        return std::nullopt;
    }
    // The models of a node whose type has no model list to ask for (they are configured on the
    // node): health checks and discovery then take these and send nothing. Nothing by default.
    virtual std::optional<QList<NodeModel>> configuredModels(const Node &node) const
    {
        Q_UNUSED(node);
        return std::nullopt;
    }
    // Whether the node answers Ollama's own /api/show and /api/ps.
    virtual bool hasOllamaApi() const { return false; }

protected:
    // The root object of a model list, or false and *error.
    static bool modelListRoot(const QByteArray &body, QJsonObject *root, QString *error);
};

} // namespace Maestro

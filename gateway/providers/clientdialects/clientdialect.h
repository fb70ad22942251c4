#pragma once

#include "core/apierror.h"
#include "core/dialect.h"
#include "providers/translate.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <memory>
#include <optional>

namespace Maestro {

// How the gateway speaks with one kind of client: what it checks in a request, how the request
// becomes one for a node, how the node's answer (streamed or whole) comes back, and how errors
// look. Stateless: one shared instance per dialect (forRequest()); per-request state lives in the
// stream translators it makes.
//
// Node-facing methods take `wire`, the dialect a node's requests and answers are translated to
// and from (NodeAdapter::wire(): NodeType::Ollama or NodeType::OpenAi); the translations
// themselves are the pure functions of providers/translate.h, anthropic.h and responses.h.
class ClientDialect
{
public:
    virtual ~ClientDialect() = default;

    // The dialect of a request of `kind` arriving on an endpoint of `dialect`: /v1/responses is an
    // OpenAI endpoint with a dialect of its own. Lives for the whole process.
    static const ClientDialect &forRequest(Dialect dialect, Translate::ApiKind kind);
    // For what does not depend on the kind of request (error bodies, authentication). Not for
    // Dialect::Admin, which is no client dialect.
    static const ClientDialect &forDialect(Dialect dialect);

    // The family its endpoints, error bodies and model policies belong to.
    virtual Dialect dialect() const = 0;

    // ---- Requests ------------------------------------------------------------------------------

    // Field checks that keep malformed requests from reaching a node, with messages that say what
    // was wrong; nothing when the body may go on.
    virtual std::optional<ApiError> validate(Translate::ApiKind kind,
                                             const QJsonObject &body) const = 0;
    // Whether the client wants the answer streamed.
    virtual bool wantsStream(Translate::ApiKind kind, const QJsonObject &body) const = 0;
    // The client's body (with the real model already set) as a body in the `wire` dialect.
    virtual QJsonObject requestForNode(Translate::ApiKind kind, NodeType wire,
                                       const QJsonObject &body) const = 0;

    // ---- Answers -------------------------------------------------------------------------------

    // A translator from a node's stream events (in `wire`) to this dialect's stream, reporting
    // `model`. `request` is the client's body, as sent on: tool calls the model printed as text
    // are repaired on the way when it offered tools. Reasoning the model wrote between think
    // tags goes into the dialect's reasoning field unless `keepThinkTags` (the model
    // configuration's keep_think_tags).
    std::unique_ptr<Translate::StreamTranslator> streamTranslator(Translate::ApiKind kind,
                                                                  NodeType wire,
                                                                  const QString &model,
                                                                  const QJsonObject &request,
                                                                  bool keepThinkTags = false) const;
    // A node's whole answer (in `wire`) as this dialect's answer reporting `model`; `usage`
    // receives the node's own counts. Repairs printed tool calls and splits reasoning as
    // streamTranslator() does.
    QJsonObject answer(Translate::ApiKind kind, NodeType wire, QJsonObject nodeBody,
                       const QString &model, const QJsonObject &request, Usage *usage,
                       bool keepThinkTags = false) const;
    // The Content-Type of its streams.
    virtual QByteArrayView streamContentType() const = 0;

    // ---- Errors --------------------------------------------------------------------------------

    // The error body in this dialect (http/errorbody.h frames it as a response).
    virtual QJsonObject errorObject(const ApiError &error) const = 0;
    // The bytes that end a stream which failed after it started. `translator` is the stream's
    // own, or null: a dialect whose failure event carries what was streamed so far asks it.
    virtual QByteArray streamError(const QString &message,
                                   Translate::StreamTranslator *translator) const = 0;
    // The 401 message for a request without a token: says where this dialect's clients put it.
    virtual QString missingTokenMessage() const;

protected:
    virtual std::unique_ptr<Translate::StreamTranslator>
    makeStreamTranslator(Translate::ApiKind kind, NodeType wire, const QString &model,
                         const QJsonObject &request) const = 0;
    virtual QJsonObject responseFromNode(Translate::ApiKind kind, NodeType wire,
                                         const QJsonObject &nodeBody, const QString &model,
                                         const QJsonObject &request, Usage *usage) const = 0;

    // ---- Checks the dialects share ---------------------------------------------------------

    // "model" (a non-empty string), "stream" (boolean), "options" (object), "tools" (array), in
    // that order.
    static std::optional<ApiError> checkCommon(const QJsonObject &body);
    // "messages": an array of objects with a "role" string; absent is fine unless `required`.
    static std::optional<ApiError> checkMessages(const QJsonObject &body, bool required);
    // "input" (embeddings): a string or an array.
    static std::optional<ApiError> checkInput(const QJsonObject &body);
    // The 400 for a field of the wrong type.
    static ApiError wrongType(const QString &field, const QString &expected,
                              const QJsonValue &value);
};

} // namespace Maestro

#pragma once

#include "httpcontext.h"
#include "core/catalog.h"
#include "core/routeplanner.h"
#include "providers/translate.h"

#include <QObject>

namespace Maestro {

class Gateway;

// An authenticated request: the user and the catalog snapshot the user was found in. `user`
// points into that snapshot, and the handler makes all its decisions from it, so a request
// never mixes two generations of the catalog and never outlives what it reads.
struct Authenticated
{
    CatalogSnapshot catalog;
    const User *user = nullptr;

    explicit operator bool() const { return user != nullptr; }
};

// The LLM endpoints of the Ollama, OpenAI and Anthropic dialects: authentication, validation (by
// the client's dialect), routing (RoutePlanner), model policy, admission against the limits,
// then a ProxyCall to the planned nodes.
class LlmController final : public QObject
{
    Q_OBJECT

public:
    explicit LlmController(Gateway *gateway);

    // POST /api/chat, /api/generate, /api/embed, /api/embeddings,
    //      /v1/chat/completions, /v1/completions, /v1/embeddings
    // Body: the dialect's own request; "model" is a display name. Streams as the dialect does.
    // `adapt`, when given, rewrites the parsed body first (a client's variant of the dialect).
    void proxy(HttpContext &ctx, Translate::ApiKind kind, void (*adapt)(QJsonObject *body) = nullptr);

    // POST /v1/messages/count_tokens (Anthropic) -> {"input_tokens": n}, an estimate made
    // locally (characters / 4, images ~1600), as no node exposes a tokenizer for it.
    void countTokens(HttpContext &ctx);

    // GET /api/tags -> {"models": [{name, model, modified_at, size, digest, details}]}
    void ollamaTags(HttpContext &ctx);
    // The models the user may use, one list in each client's shape:
    // GET /v1/models -> {"object": "list", "data": [{id, object, created, owned_by, context_length?}]}
    void openAiModels(HttpContext &ctx);
    // GET /claude/v1/models -> {"data": [{type: "model", id, display_name, created_at}],
    //   "has_more": false, first_id, last_id} (Anthropic's models list, all on one page)
    void anthropicModels(HttpContext &ctx);
    // GET /codex/models -> {"models": [{slug, display_name, context_window?, input_modalities,
    //   ...}]}: the fields Codex's model catalog requires
    void codexModels(HttpContext &ctx);
    // POST /api/show {"model"|"name"} -> the node's answer with display names, plus the mapping's
    // context length and capabilities.
    void ollamaShow(HttpContext &ctx);
    // GET /api/ps -> models loaded on the user's nodes right now.
    void ollamaPs(HttpContext &ctx);
    // GET /api/version -> {"version"}
    void ollamaVersion(HttpContext &ctx);

    // POST /api/pull, /api/push, /api/create, /api/copy, DELETE /api/delete (admin token; a user
    // token gets 403). Acts on every active Ollama node, or on ?node=<id> only. Pull, push and
    // create stream NDJSON progress tagged with "node" unless "stream": false.
    void manageModels(HttpContext &ctx, bool streams);

    // The authenticated user with the snapshot that holds it; empty after answering 401.
    Authenticated authenticate(HttpContext &ctx);

private:
    // Routing decisions over `catalog`, which the caller holds.
    RoutePlanner planner(const Catalog &catalog) const;

    Gateway *m_gateway;
};

} // namespace Maestro

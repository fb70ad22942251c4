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

    // POST /v1/messages/count_tokens (Anthropic) -> {"input_tokens": n}: the count of the
    // model's Anthropic node when its first node is one (counttokens.h), else an estimate made
    // locally (characters / 4, images ~1600), as no other node type exposes a tokenizer for it.
    void countTokens(HttpContext &ctx);

    // GET /api/tags -> {"models": [{name, model, modified_at, size, digest, details}]}
    void ollamaTags(HttpContext &ctx);
    // The models the user may use, one list in each client's shape (modellists.cpp):
    // GET /v1/models -> {"object": "list", "data": [{id, object, created, owned_by, context_length?}]};
    //   with an "anthropic-version" header, the Anthropic list below.
    void openAiModels(HttpContext &ctx);
    // GET /v1/models/{id}, /codex/models/{id} -> one object of that list; 404 model_not_found for
    //   a model that does not exist or the user may not use. With "anthropic-version", as below.
    void openAiModel(HttpContext &ctx);
    // GET /claude/v1/models?limit=1000&after_id=|before_id= -> {"data": [{type: "model",
    //   id: "claude-<name>", display_name: <name>, created_at, max_input_tokens, max_tokens}],
    //   has_more, first_id, last_id} (Anthropic's models list, the seed's ids)
    void anthropicModels(HttpContext &ctx);
    // GET /claude/v1/models/{id} -> one object of that list ("claude-<name>" or "<name>"), or 404.
    void anthropicModel(HttpContext &ctx);
    // GET /codex/models -> {"models": [{slug, display_name, context_window?, input_modalities,
    //   ...}]}: the fields Codex's model catalog requires
    void codexModels(HttpContext &ctx);
    // POST /api/show {"model"|"name"} -> the node's answer (Ollama nodes) or one made up from
    // what is known (other nodes), under the name asked for, with capabilities merged from the
    // node's and the mapping's and the context length in model_info (ollamashow.cpp).
    void ollamaShow(HttpContext &ctx);
    // GET /api/ps -> models loaded on the user's nodes right now.
    void ollamaPs(HttpContext &ctx);
    // GET /api/version -> {"version": the ollama_version setting}; without a token when the
    // ollama_version_public setting is on.
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

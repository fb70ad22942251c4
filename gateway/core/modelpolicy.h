#pragma once

#include "apierror.h"
#include "dialect.h"
#include "entities.h"

#include <QJsonObject>
#include <QList>

#include <optional>

namespace Maestro::ModelPolicy {

// The configuration for a request: the first whose pattern matches the requested name, else the
// first matching the real name; exact patterns win over prefixes.
const ModelConfig *configFor(const QList<ModelConfig> &configs, const QString &requested,
                             const QString &real);

// The 503 for a model under maintenance (`model` as the client named it), or nothing.
std::optional<ApiError> maintenanceRefusal(const ModelConfig &config, const QString &model);

// Applies a configuration to a client's request body, in the client's dialect: refuses models
// under maintenance (503, maintenanceRefusal()), removes parameters the upstream does not support, removes tools the
// configuration does not allow, and turns a tool_choice naming a removed tool into "auto".
std::optional<ApiError> apply(const ModelConfig &config, const QList<ToolSet> &toolSets,
                              Dialect client, QJsonObject *body);

// Sets options.num_ctx on a body bound for an Ollama node when the client gave none (or a value
// that is not a positive number, which is dropped): the configuration's default, else the
// context length of the mapping the request went through, else `fallbackLength` (the
// default_context_length setting; 0: none). Ollama would otherwise cut long prompts to its own
// small default without a word. Never above the configuration's maximum. `config` may be null.
void applyContext(const ModelConfig *config, qint64 mappingLength, QJsonObject *ollamaBody,
                  qint64 fallbackLength = 0);

} // namespace Maestro::ModelPolicy

#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace Maestro::ShowAnswer {

// What the gateway knows about a model that POST /api/show is asked about, copied out of the
// catalog (the answer is put together after the node replied, when the snapshot may be gone).
struct Known
{
    QString name;                 // as the client asked: the answer's "name" and "model"
    QStringList capabilities;     // the mapping's ("tools", "vision", ...)
    qint64 contextLength = 0;     // the mapping's; 0 = not set
    qint64 nodeContextLength = 0; // what the node's model list said (vLLM's max_model_len); 0 = nothing
};

// The architecture named in made-up answers and in answers that name none. Clients find the
// context length under "<general.architecture>.context_length"; an OpenAI-compatible server does
// not say what its model is built on, and "llama" is the key clients that skip that indirection
// (they read llama.context_length) look for.
inline constexpr QLatin1StringView PlaceholderArchitecture{"llama"};

// Capabilities in a stable order without repeats: the node's first, then the mapping's.
QStringList mergedCapabilities(const QJsonArray &node, const QStringList &mapping);

// An Ollama node's own /api/show answer, under the asked name, with the mapping's capabilities
// added to the node's and the mapping's context length (else the node's) in model_info.
QJsonObject enriched(QJsonObject nodeAnswer, const Known &known);

// For nodes without /api/show (OpenAI-compatible servers): an answer in Ollama's shape from what
// is known. Such servers take tools on their chat endpoint, so the model can "completion" and
// "tools", plus what the mapping says.
QJsonObject synthesized(const Known &known);

} // namespace Maestro::ShowAnswer

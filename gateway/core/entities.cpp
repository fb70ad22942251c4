#include "entities.h"

using namespace Qt::StringLiterals;

namespace Maestro {

QString healthName(Health health)
{
    switch (health) {
    case Health::Healthy:
        return u"healthy"_s;
    case Health::Unhealthy:
        return u"unhealthy"_s;
    case Health::Unknown:
        break;
    }
    return u"unknown"_s;
}

Health healthFromName(const QString &name)
{
    if (name == "healthy"_L1)
        return Health::Healthy;
    if (name == "unhealthy"_L1)
        return Health::Unhealthy;
    return Health::Unknown;
}

QString nodeTypeName(NodeType type)
{
    switch (type) {
    case NodeType::Ollama:
        return u"ollama"_s;
    case NodeType::OpenAi:
        return u"openai"_s;
    case NodeType::Bedrock:
        return u"bedrock"_s;
    }
    return u"openai"_s;
}

std::optional<NodeType> nodeTypeFromName(const QString &name)
{
    if (name == "ollama"_L1)
        return NodeType::Ollama;
    // vLLM, LM Studio and llama.cpp all speak the OpenAI dialect; accept the seed's spellings.
    if (name == "openai"_L1 || name == "vllm"_L1 || name == "openai_compatible"_L1)
        return NodeType::OpenAi;
    if (name == "bedrock"_L1)
        return NodeType::Bedrock;
    return std::nullopt;
}

namespace {

constexpr std::pair<PromptScope, QLatin1StringView> PromptScopeNames[] = {
    {PromptScope::Global, "global"_L1}, {PromptScope::User, "user"_L1},   {PromptScope::Node, "node"_L1},
    {PromptScope::Group, "group"_L1},   {PromptScope::Model, "model"_L1}, {PromptScope::Mapping, "mapping"_L1},
};

} // namespace

QString promptScopeName(PromptScope scope)
{
    for (const auto &[value, name] : PromptScopeNames) {
        if (value == scope)
            return name;
    }
    return {};
}

std::optional<PromptScope> promptScopeFromName(const QString &name)
{
    for (const auto &[value, text] : PromptScopeNames) {
        if (name == text)
            return value;
    }
    return std::nullopt;
}

} // namespace Maestro

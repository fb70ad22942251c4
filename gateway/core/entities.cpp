#include "entities.h"

#include <algorithm>

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

QString nodeApiKeyName(qint64 nodeId)
{
    return u"node/%1/api_key"_s.arg(nodeId);
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
    case NodeType::Anthropic:
        return u"anthropic"_s;
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
    if (name == "anthropic"_L1)
        return NodeType::Anthropic;
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

std::optional<QList<LogQuery::StatusRange>> LogQuery::parseStatuses(const QString &text)
{
    QList<StatusRange> ranges;
    const QStringList parts = text.split(u',');
    if (parts.size() > 20)
        return std::nullopt;
    for (QString part : parts) {
        part = part.trimmed().toLower();
        if (part.size() != 3)
            return std::nullopt;
        if (part.endsWith(QStringLiteral("xx"))) {
            const int hundred = part.at(0).digitValue();
            if (hundred < 1 || hundred > 5)
                return std::nullopt;
            ranges.append({hundred * 100, hundred * 100 + 99});
            continue;
        }
        bool ok = false;
        const int code = part.toInt(&ok);
        if (!ok || code < 100 || code > 599)
            return std::nullopt;
        ranges.append({code, code});
    }
    return ranges;
}

bool LogQuery::matches(const RequestLogEntry &e) const
{
    if (!username.isEmpty() && e.username != username)
        return false;
    if (!model.isEmpty() && e.model != model && e.realModel != model)
        return false;
    if (!modelContains.isEmpty() && !e.model.contains(modelContains, Qt::CaseInsensitive)
        && !e.realModel.contains(modelContains, Qt::CaseInsensitive))
        return false;
    if (!statuses.isEmpty()
        && std::none_of(statuses.cbegin(), statuses.cend(),
                        [&e](const StatusRange &r) { return e.statusCode >= r.from && e.statusCode <= r.to; }))
        return false;
    if (from.isValid() && e.createdAt < from)
        return false;
    if (to.isValid() && e.createdAt >= to)
        return false;
    if (!endpoint.isEmpty() && e.endpoint != endpoint)
        return false;
    return dialect.isEmpty() || e.dialect == dialect;
}

} // namespace Maestro

#include "dialect.h"

namespace Maestro {

QString dialectName(Dialect dialect)
{
    switch (dialect) {
    case Dialect::Ollama:
        return QStringLiteral("ollama");
    case Dialect::OpenAi:
        return QStringLiteral("openai");
    case Dialect::Anthropic:
        return QStringLiteral("anthropic");
    case Dialect::Admin:
        break;
    }
    return QStringLiteral("admin");
}

Dialect dialectForPath(const QByteArray &path)
{
    if (path.startsWith("/api/"))
        return Dialect::Ollama;
    if (path.startsWith("/v1/messages") || path.startsWith("/claude/") || path == "/claude")
        return Dialect::Anthropic;
    if (path.startsWith("/v1/") || path.startsWith("/codex/") || path.startsWith("/cursor/"))
        return Dialect::OpenAi;
    return Dialect::Admin;
}

Dialect dialectForRequest(Dialect routeDialect, bool routeKnown, const QByteArray &path,
                          bool anthropicVersionHeader)
{
    if (!anthropicVersionHeader || routeDialect != Dialect::OpenAi || !path.startsWith("/v1/"))
        return routeDialect;
    if (!routeKnown || path == "/v1/models" || path.startsWith("/v1/models/"))
        return Dialect::Anthropic;
    return routeDialect;
}

} // namespace Maestro

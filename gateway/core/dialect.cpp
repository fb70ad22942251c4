#include "dialect.h"

namespace Maestro {

Dialect dialectForPath(const QByteArray &path)
{
    if (path.startsWith("/api/"))
        return Dialect::Ollama;
    if (path.startsWith("/v1/messages") || path.startsWith("/claude/"))
        return Dialect::Anthropic;
    if (path.startsWith("/v1/") || path.startsWith("/codex/") || path.startsWith("/cursor/"))
        return Dialect::OpenAi;
    return Dialect::Admin;
}

} // namespace Maestro

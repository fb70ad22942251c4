#include "dialect.h"

namespace Maestro {

Dialect dialectForPath(const QByteArray &path)
{
    if (path.startsWith("/api/"))
        return Dialect::Ollama;
    if (path.startsWith("/v1/messages"))
        return Dialect::Anthropic;
    if (path.startsWith("/v1/"))
        return Dialect::OpenAi;
    return Dialect::Admin;
}

} // namespace Maestro

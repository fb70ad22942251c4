#pragma once

#include "core/apierror.h"
#include "core/dialect.h"

#include <QByteArray>

namespace Maestro {

// The one place where a typed error becomes an error body, whatever the dialect: the client
// dialects say how theirs look (ClientDialect::errorObject(), providers/clientdialects/):
//   Ollama    {"error": "..."}
//   OpenAI    {"error": {"message", "type", "code"}}
//   Anthropic {"type": "error", "error": {"type", "message"}}
// and the admin API has its own:
//   Admin     {"detail": "..."}
QByteArray errorBody(Dialect dialect, const ApiError &error);

// A complete HTTP response carrying errorBody(), with Retry-After for rate limits and
// WWW-Authenticate for 401s.
QByteArray errorResponse(Dialect dialect, const ApiError &error);

} // namespace Maestro

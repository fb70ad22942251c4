#pragma once

#include "core/apierror.h"
#include "core/dialect.h"

#include <QByteArray>

namespace Maestro {

// The one place where a typed error becomes what a client of each dialect expects:
//   Ollama    {"error": "..."}
//   OpenAI    {"error": {"message", "type", "code"}}
//   Anthropic {"type": "error", "error": {"type", "message"}}
//   Admin     {"detail": "..."}
QByteArray errorBody(Dialect dialect, const ApiError &error);

// A complete HTTP response carrying errorBody(), with Retry-After for rate limits and
// WWW-Authenticate for 401s.
QByteArray errorResponse(Dialect dialect, const ApiError &error);

// The event that ends a stream which failed after it started, framed for the dialect
// (an NDJSON line, or SSE events followed by the dialect's terminator).
QByteArray streamErrorEvent(Dialect dialect, const QString &message);

} // namespace Maestro

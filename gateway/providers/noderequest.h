#pragma once

#include "core/entities.h"
#include "upstreamclient.h"

namespace Maestro {

// A request to one of a node's endpoints: the node's base URL joined with `path`, and the node's
// API key as a bearer token when it has one. OpenAI-style base URLs are often given with their
// "/v1" ("https://api.openai.com/v1"); a path starting with "/v1/" is not doubled then.
UpstreamRequest nodeRequest(const Node &node, const QByteArray &method, const QByteArray &path,
                            const QString &apiKey);

} // namespace Maestro

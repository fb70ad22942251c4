#pragma once

#include "core/catalog.h"

#include <QJsonObject>

namespace Maestro {

class Gateway;
class HttpContext;

namespace CountTokens {

// POST /v1/messages/count_tokens for a model whose first node is an Anthropic node: the request
// goes on to the node's own {base}/v1/messages/count_tokens with the real model name (and only
// the fields that endpoint takes), and its input_tokens is the answer. Should the node fail
// (unreachable, an error status, an answer without a count), the local estimate
// (Anthropic::countTokens) answers instead, as it does for every other node type: a client
// asking for a count is never failed by it. Returns false, having answered nothing, when the
// model is no mapped or served model (a group) or its first node is no Anthropic node.
bool passThrough(Gateway *gateway, HttpContext &ctx, const Catalog &catalog, const User &user,
                 const QString &requested, const QJsonObject &body);

} // namespace CountTokens

} // namespace Maestro

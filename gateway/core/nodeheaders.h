#pragma once

#include "entities.h"
#include "store.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>
#include <utility>

namespace Maestro::NodeHeaders {

// The headers an admin adds to every request to a node: plain ones stored with the node, secret
// ones whose values live in the secret store under secretRef() (a JSON object of name -> value),
// never in SQL, never returned, logged or audited.

constexpr int MaxHeaders = 32;          // plain and secret together, per node
constexpr int MaxNameLength = 256;
constexpr int MaxValueBytes = 8 * 1024; // each value, in UTF-8

using Pairs = QList<std::pair<QString, QString>>;
using Wire = QList<QPair<QByteArray, QByteArray>>; // as UpstreamRequest::headers

QString secretRef(qint64 nodeId);
QString encodeSecret(const Pairs &headers);
Pairs decodeSecret(const QString &secret);

// What goes on the wire for `node`: its plain headers, then its secret ones as the secret store
// has them (a secret that cannot be read is left out). Reads the secret store: call it where the
// node's API key is read (Catalog::load, Control), never on an I/O thread.
Wire load(const Node &node, SecretStore *secrets);

// Why a header name cannot be set on `node`, or nothing: not an RFC 9110 token, a name that
// would break the framing of the request or its routing (Host, Content-Length, Connection, ...),
// or one the node's type sets itself (Content-Type, x-api-key, anthropic-version; Authorization
// when the node has an API key or is a Bedrock node; X-Amz-* on Bedrock, whose signature covers
// them).
std::optional<QString> checkName(const QString &name, const Node &node);
// Why a value cannot be sent as `name`'s: CR, LF, NUL or another control character (a second
// header smuggled in), or longer than MaxValueBytes. The message names the header, never the
// value.
std::optional<QString> checkValue(const QString &name, const QString &value);

} // namespace Maestro::NodeHeaders

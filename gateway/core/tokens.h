#pragma once

#include <QByteArray>
#include <QString>

namespace Maestro::Tokens {

// A new random bearer token ("mm-" + 43 url-safe characters, 256 bits from the system CSPRNG).
QString generate();
// The form a token is stored and looked up in: lowercase hex SHA-256. Tokens are random and long,
// so a fast hash is enough (no password stretching), which keeps authentication off the hot path.
QByteArray hash(QByteArrayView token);
// Constant-time comparison for secrets compared directly (the admin token).
bool equal(QByteArrayView a, QByteArrayView b);

} // namespace Maestro::Tokens

#pragma once

// The self-signed test certificate and keys in tests/http/fixtures/tls, for every suite that
// serves or pins HTTPS.

#include <QString>
#include <QtGlobal>

namespace Maestro::Test {

// What `openssl x509 -in tests/http/fixtures/tls/cert.pem -noout -fingerprint -sha256` prints.
inline const QString TlsFixtureFingerprint = QStringLiteral(
    "1C:D7:88:5C:D5:2A:84:BB:70:85:44:C6:2D:A6:B8:55:57:DB:FF:B4:33:50:E8:D0:A3:4C:C0:38:CB:48:67:21");

// The path of one fixture file ("cert.pem", "key.pem", "other-key.pem", "encrypted-key.pem").
inline QString tlsFixture(const QString &name)
{
    return qEnvironmentVariable("MAESTRO_SOURCE_DIR") + QStringLiteral("/tests/http/fixtures/tls/") + name;
}

} // namespace Maestro::Test

#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QSslConfiguration>
#include <QString>

#include <memory>

namespace Maestro {

// The certificate and key the listener serves HTTPS with (--tls-cert, --tls-key), checked once
// at start: a gateway that cannot serve TLS refuses to start instead of failing every handshake.
// Immutable after load(); the I/O threads share one through a shared_ptr.
struct TlsIdentity
{
    // The server configuration every accepted connection gets: the certificate (and any chain
    // that follows it in the file), the key, TLS 1.2 or later, no client certificates asked for.
    QSslConfiguration configuration;
    // SHA-256 of the certificate's DER, as uppercase hex pairs joined by colons (what browsers
    // and `openssl x509 -fingerprint -sha256` show). Public: clients pin it.
    QString fingerprintSha256;
    QString subject;
    QDateTime notAfter;

    // Reads and checks the PEM files: the certificate parses, the key parses and is not
    // encrypted (a passphrase cannot be asked for at start), and the key belongs to the
    // certificate. Returns null with *error (one line naming the file and the fault) otherwise.
    static std::shared_ptr<const TlsIdentity> load(const QString &certificateFile, const QString &keyFile,
                                                   QString *error);

    // Files larger than this are no certificate or key.
    static constexpr qint64 MaxFileBytes = 1024 * 1024;
};

} // namespace Maestro

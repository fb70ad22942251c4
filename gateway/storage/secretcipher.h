#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace Maestro::SecretCipher {

// Authenticated encryption of the secrets several instances share through the database:
// AES-256-GCM (OpenSSL's libcrypto, which Qt's TLS already loads), a random 96-bit nonce per
// value, and the secret's name as additional authenticated data, so that a value copied to
// another name in the table does not decrypt.

constexpr qsizetype KeySize = 32;
constexpr qsizetype NonceSize = 12;
constexpr qsizetype TagSize = 16;

// A new random key (from the operating system's generator); empty when none could be had.
QByteArray generateKey();
// A short public name of a key: the first 16 hex digits of SHA-256 over a label and the key. It
// tells which key encrypted a value without revealing the key.
QByteArray keyId(QByteArrayView key);

// nonce || ciphertext || tag, or nothing when the key is not KeySize bytes or OpenSSL fails.
std::optional<QByteArray> encrypt(QByteArrayView key, QByteArrayView plaintext, QByteArrayView aad);
// The same with a given nonce: for test vectors only (a nonce must never repeat under a key).
std::optional<QByteArray> encryptWithNonce(QByteArrayView key, QByteArrayView nonce,
                                           QByteArrayView plaintext, QByteArrayView aad);
// The plaintext, or nothing when the key, the additional data or any byte of the sealed value is
// not what encrypt() used (the tag does not verify).
std::optional<QByteArray> decrypt(QByteArrayView key, QByteArrayView sealed, QByteArrayView aad);

} // namespace Maestro::SecretCipher

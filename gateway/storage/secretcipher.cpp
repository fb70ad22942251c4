#include "secretcipher.h"

#include <QCryptographicHash>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

namespace Maestro::SecretCipher {

namespace {

struct ContextFree
{
    void operator()(EVP_CIPHER_CTX *context) const { EVP_CIPHER_CTX_free(context); }
};
using Context = std::unique_ptr<EVP_CIPHER_CTX, ContextFree>;

const unsigned char *bytes(QByteArrayView view)
{
    return reinterpret_cast<const unsigned char *>(view.data());
}

unsigned char *bytes(QByteArray &array)
{
    return reinterpret_cast<unsigned char *>(array.data());
}

} // namespace

QByteArray generateKey()
{
    QByteArray key(KeySize, Qt::Uninitialized);
    if (RAND_bytes(bytes(key), int(key.size())) != 1)
        return {};
    return key;
}

QByteArray keyId(QByteArrayView key)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData("model-maestro secret key id\n");
    hash.addData(key);
    return hash.result().toHex().left(16);
}

std::optional<QByteArray> encrypt(QByteArrayView key, QByteArrayView plaintext, QByteArrayView aad)
{
    QByteArray nonce(NonceSize, Qt::Uninitialized);
    if (RAND_bytes(bytes(nonce), int(nonce.size())) != 1)
        return std::nullopt;
    return encryptWithNonce(key, nonce, plaintext, aad);
}

std::optional<QByteArray> encryptWithNonce(QByteArrayView key, QByteArrayView nonce,
                                           QByteArrayView plaintext, QByteArrayView aad)
{
    if (key.size() != KeySize || nonce.size() != NonceSize || plaintext.size() > (1 << 24))
        return std::nullopt;
    const Context context(EVP_CIPHER_CTX_new());
    if (!context)
        return std::nullopt;
    QByteArray sealed(NonceSize + plaintext.size() + TagSize, Qt::Uninitialized);
    std::copy(nonce.begin(), nonce.end(), sealed.begin());
    unsigned char *out = bytes(sealed) + NonceSize;
    int written = 0;
    int finalWritten = 0;
    if (EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(nonce)) != 1
        || (!aad.isEmpty()
            && EVP_EncryptUpdate(context.get(), nullptr, &written, bytes(aad), int(aad.size())) != 1)
        || EVP_EncryptUpdate(context.get(), out, &written, bytes(plaintext), int(plaintext.size())) != 1
        || EVP_EncryptFinal_ex(context.get(), out + written, &finalWritten) != 1
        || written + finalWritten != plaintext.size()
        || EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, int(TagSize),
                               out + plaintext.size())
            != 1) {
        return std::nullopt;
    }
    return sealed;
}

std::optional<QByteArray> decrypt(QByteArrayView key, QByteArrayView sealed, QByteArrayView aad)
{
    if (key.size() != KeySize || sealed.size() < NonceSize + TagSize)
        return std::nullopt;
    const QByteArrayView nonce = sealed.first(NonceSize);
    const QByteArrayView ciphertext = sealed.sliced(NonceSize, sealed.size() - NonceSize - TagSize);
    QByteArray tag = sealed.last(TagSize).toByteArray();
    const Context context(EVP_CIPHER_CTX_new());
    if (!context)
        return std::nullopt;
    QByteArray plaintext(ciphertext.size(), Qt::Uninitialized);
    int written = 0;
    int finalWritten = 0;
    if (EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(nonce)) != 1
        || (!aad.isEmpty()
            && EVP_DecryptUpdate(context.get(), nullptr, &written, bytes(aad), int(aad.size())) != 1)
        || EVP_DecryptUpdate(context.get(), bytes(plaintext), &written, bytes(ciphertext),
                             int(ciphertext.size()))
            != 1
        || EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, int(TagSize), bytes(tag)) != 1
        || EVP_DecryptFinal_ex(context.get(), bytes(plaintext) + written, &finalWritten) != 1) {
        return std::nullopt;
    }
    plaintext.truncate(written + finalWritten);
    return plaintext;
}

} // namespace Maestro::SecretCipher

#include "tlsidentity.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

bool readSmallFile(const QString &path, const QString &what, QByteArray *contents, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"cannot read the TLS %1 %2: %3"_s.arg(what, path, file.errorString());
        return false;
    }
    *contents = file.read(TlsIdentity::MaxFileBytes + 1);
    if (contents->size() > TlsIdentity::MaxFileBytes) {
        *error = u"the TLS %1 %2 is larger than %3 bytes; it is not a PEM file"_s.arg(what, path).arg(TlsIdentity::MaxFileBytes);
        return false;
    }
    return true;
}

// OpenSSL asks this for the passphrase of an encrypted key: there is none to give.
int noPassphrase(char *, int, int, void *)
{
    return -1;
}

struct BioDeleter
{
    void operator()(BIO *bio) const { BIO_free(bio); }
};
struct KeyDeleter
{
    void operator()(EVP_PKEY *key) const { EVP_PKEY_free(key); }
};
struct X509Deleter
{
    void operator()(X509 *certificate) const { X509_free(certificate); }
};

} // namespace

std::shared_ptr<const TlsIdentity> TlsIdentity::load(const QString &certificateFile, const QString &keyFile,
                                                     QString *error)
{
    if (!QSslSocket::supportsSsl()) {
        *error = u"TLS is not available: Qt found no usable OpenSSL library (%1)"_s.arg(QSslSocket::sslLibraryVersionString());
        return nullptr;
    }
    QByteArray certificatePem;
    QByteArray keyPem;
    if (!readSmallFile(certificateFile, u"certificate"_s, &certificatePem, error)
        || !readSmallFile(keyFile, u"key"_s, &keyPem, error)) {
        return nullptr;
    }
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certificatePem, QSsl::Pem);
    if (chain.isEmpty() || chain.first().isNull()) {
        *error = u"the TLS certificate %1 holds no PEM certificate (-----BEGIN CERTIFICATE-----)"_s.arg(certificateFile);
        return nullptr;
    }
    const QSslCertificate &certificate = chain.first();

    // The key: OpenSSL reads every PEM private key format; an encrypted one fails for want of a
    // passphrase, and is named as such.
    if (keyPem.contains("ENCRYPTED")) {
        *error = u"the TLS key %1 is encrypted; give the gateway an unencrypted key (openssl pkey -in %1 -out plain-key.pem)"_s.arg(keyFile);
        return nullptr;
    }
    std::unique_ptr<BIO, BioDeleter> keyBio(BIO_new_mem_buf(keyPem.constData(), int(keyPem.size())));
    std::unique_ptr<EVP_PKEY, KeyDeleter> key(
        keyBio ? PEM_read_bio_PrivateKey(keyBio.get(), nullptr, noPassphrase, nullptr) : nullptr);
    if (!key) {
        *error = u"the TLS key %1 holds no unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)"_s.arg(keyFile);
        return nullptr;
    }
    const QByteArray der = certificate.toDer();
    const auto *derData = reinterpret_cast<const unsigned char *>(der.constData());
    std::unique_ptr<X509, X509Deleter> x509(d2i_X509(nullptr, &derData, long(der.size())));
    if (!x509 || X509_check_private_key(x509.get(), key.get()) != 1) {
        *error = u"the TLS key %1 does not belong to the certificate %2"_s.arg(keyFile, certificateFile);
        return nullptr;
    }

    // Handed to Qt as unencrypted PKCS#8 PEM, in the algorithm Qt expects it to be.
    QSsl::KeyAlgorithm algorithm = QSsl::Opaque;
    switch (EVP_PKEY_base_id(key.get())) {
    case EVP_PKEY_RSA:
        algorithm = QSsl::Rsa;
        break;
    case EVP_PKEY_EC:
        algorithm = QSsl::Ec;
        break;
    case EVP_PKEY_DSA:
        algorithm = QSsl::Dsa;
        break;
    default:
        break;
    }
    QSslKey qtKey;
    if (algorithm == QSsl::Opaque) {
        // Ed25519 and friends: Qt takes the OpenSSL key itself (and owns it from here).
        qtKey = QSslKey(Qt::HANDLE(key.release()), QSsl::PrivateKey);
    } else {
        std::unique_ptr<BIO, BioDeleter> out(BIO_new(BIO_s_mem()));
        if (out && PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1) {
            char *data = nullptr;
            const long size = BIO_get_mem_data(out.get(), &data);
            qtKey = QSslKey(QByteArray(data, size), algorithm, QSsl::Pem, QSsl::PrivateKey);
        }
    }
    if (qtKey.isNull()) {
        *error = u"the TLS key %1 is of a kind this build cannot serve"_s.arg(keyFile);
        return nullptr;
    }

    auto identity = std::make_shared<TlsIdentity>();
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(qtKey);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    identity->configuration = configuration;
    identity->fingerprintSha256 = QString::fromLatin1(certificate.digest(QCryptographicHash::Sha256).toHex(':').toUpper());
    identity->subject = certificate.subjectDisplayName();
    identity->notAfter = certificate.expiryDate().toUTC();
    return identity;
}

} // namespace Maestro

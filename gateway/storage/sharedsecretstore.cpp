#include "sharedsecretstore.h"

#include "database.h"
#include "secretcipher.h"
#include "sqlsupport.h"

#include <QDateTime>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace Maestro {

using SqlSupport::Transaction;

namespace {

// Values are bound to their names: a sealed value moved to another name does not decrypt.
QByteArray additionalData(const QString &name)
{
    return "model-maestro shared secret\n" + name.toUtf8();
}

std::optional<QByteArray> sealed(const QByteArray &key, const QString &name, const QString &value)
{
    return SecretCipher::encrypt(key, value.toUtf8(), additionalData(name));
}

} // namespace

SharedSecretStore::SharedSecretStore(Database *database, QByteArray key)
    : m_database(database)
    , m_key(std::move(key))
    , m_keyId(SecretCipher::keyId(m_key))
{ }

std::optional<QString> SharedSecretStore::read(const QString &name)
{
    QSqlQuery query(m_database->connection());
    if (!SqlSupport::run(query, u"SELECT key_id, sealed FROM shared_secrets WHERE name = ?"_s, { name })
        || !query.next()) {
        return std::nullopt;
    }
    const QByteArray keyId = query.value(0).toString().toLatin1();
    if (keyId != m_keyId) {
        qCWarning(lcStore, "the shared secret %s is encrypted with the key %s, this instance has "
                           "the key %s: give every instance the same MAESTRO_SECRET_KEY",
                  qPrintable(name), keyId.constData(), m_keyId.constData());
        return std::nullopt;
    }
    const auto plain = SecretCipher::decrypt(
        m_key, QByteArray::fromBase64(query.value(1).toString().toLatin1()), additionalData(name));
    if (!plain) {
        qCWarning(lcStore, "the shared secret %s does not decrypt: it was changed in the database",
                  qPrintable(name));
        return std::nullopt;
    }
    return QString::fromUtf8(*plain);
}

bool SharedSecretStore::write(const QString &name, const QString &value)
{
    const auto sealedValue = sealed(m_key, name, value);
    if (!sealedValue)
        return false;
    Transaction transaction(m_database->connection());
    transaction.run(u"INSERT INTO shared_secrets (name, key_id, sealed, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET key_id = excluded.key_id, sealed = excluded.sealed, "
                    "updated_at = excluded.updated_at"_s,
                    { name, QString::fromLatin1(m_keyId), QString::fromLatin1(sealedValue->toBase64()),
                      QDateTime::currentMSecsSinceEpoch() });
    return transaction.commit();
}

bool SharedSecretStore::remove(const QString &name)
{
    Transaction transaction(m_database->connection());
    transaction.run(u"DELETE FROM shared_secrets WHERE name = ?"_s, { name });
    return transaction.commit();
}

QString SharedSecretStore::description() const
{
    return u"the database (encrypted with the key %1)"_s.arg(QString::fromLatin1(m_keyId));
}

std::optional<QHash<QString, QByteArray>> SharedSecretStore::storedKeyIds(Database *database,
                                                                          QString *error)
{
    QSqlQuery query(database->connection());
    if (!SqlSupport::run(query, u"SELECT name, key_id FROM shared_secrets"_s)) {
        *error = u"cannot read the table shared_secrets"_s;
        return std::nullopt;
    }
    QHash<QString, QByteArray> ids;
    while (query.next())
        ids.insert(query.value(0).toString(), query.value(1).toString().toLatin1());
    return ids;
}

bool SharedSecretStore::rotate(Database *database, const QByteArray &oldKey,
                               const QByteArray &newKey, int *count, QString *error)
{
    if (newKey.size() != SecretCipher::KeySize || oldKey == newKey) {
        *error = u"the new key must be a different key of 32 bytes"_s;
        return false;
    }
    Transaction transaction(database->connection());
    // Read inside the transaction, so that what is re-encrypted is what is replaced. PostgreSQL:
    // a value another instance writes meanwhile waits for the row lock, then lands under the old
    // key and is reported by that instance's next start; the rotation is for a quiet moment.
    QSqlQuery query(database->connection());
    if (!SqlSupport::run(query, u"SELECT name, sealed FROM shared_secrets ORDER BY name"_s)) {
        *error = u"cannot read the table shared_secrets"_s;
        return false;
    }
    QList<QVariantList> rows;
    const QString newId = QString::fromLatin1(SecretCipher::keyId(newKey));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    while (query.next()) {
        const QString name = query.value(0).toString();
        const auto plain = SecretCipher::decrypt(
            oldKey, QByteArray::fromBase64(query.value(1).toString().toLatin1()), additionalData(name));
        if (!plain) {
            *error = u"the shared secret %1 does not decrypt with the current key %2: nothing was changed"_s
                         .arg(name, QString::fromLatin1(SecretCipher::keyId(oldKey)));
            return false;
        }
        const auto resealed = SecretCipher::encrypt(newKey, *plain, additionalData(name));
        if (!resealed) {
            *error = u"encryption failed: nothing was changed"_s;
            return false;
        }
        rows.append({ newId, QString::fromLatin1(resealed->toBase64()), now, name });
    }
    query.finish();
    transaction.runEach(u"UPDATE shared_secrets SET key_id = ?, sealed = ?, updated_at = ? WHERE name = ?"_s,
                        rows);
    if (!transaction.commit()) {
        *error = u"the database refused the re-encrypted values: nothing was changed"_s;
        return false;
    }
    *count = int(rows.size());
    return true;
}

SplitSecretStore::SplitSecretStore(SecretStore *local, SecretStore *shared, QString prefix)
    : m_local(local)
    , m_shared(shared)
    , m_prefix(std::move(prefix))
{ }

std::optional<QString> SplitSecretStore::read(const QString &name)
{
    if (!name.startsWith(m_prefix))
        return m_local->read(name);
    if (auto value = m_shared->read(name))
        return value;
    return m_local->read(name);
}

bool SplitSecretStore::write(const QString &name, const QString &value)
{
    if (!name.startsWith(m_prefix))
        return m_local->write(name, value);
    if (!m_shared->write(name, value))
        return false;
    // An older copy kept locally must not come back if the shared one is removed.
    if (m_local->read(name))
        m_local->remove(name);
    return true;
}

bool SplitSecretStore::remove(const QString &name)
{
    if (!name.startsWith(m_prefix))
        return m_local->remove(name);
    const bool shared = m_shared->remove(name);
    if (m_local->read(name))
        return m_local->remove(name) && shared;
    return shared;
}

QString SplitSecretStore::description() const
{
    return u"%1 for node secrets, %2 for the rest"_s.arg(m_shared->description(), m_local->description());
}

namespace SharedSecrets {

QString encodeKey(const QByteArray &key)
{
    return QString::fromLatin1(key.toBase64());
}

std::optional<QByteArray> decodeKey(const QString &text)
{
    const QByteArray trimmed = text.trimmed().toLatin1();
    for (const auto options : { QByteArray::Base64Encoding, QByteArray::Base64UrlEncoding }) {
        const auto decoded = QByteArray::fromBase64Encoding(trimmed, options | QByteArray::AbortOnBase64DecodingErrors);
        if (decoded && decoded.decoded.size() == SecretCipher::KeySize)
            return decoded.decoded;
    }
    return std::nullopt;
}

std::optional<QByteArray> resolveKey(Database *database, SecretStore *local,
                                     const QByteArray &fromEnvironment, bool *generated, QString *error)
{
    *generated = false;
    const auto stored = SharedSecretStore::storedKeyIds(database, error);
    if (!stored)
        return std::nullopt;
    QByteArray key;
    if (!fromEnvironment.trimmed().isEmpty()) {
        const auto decoded = decodeKey(QString::fromLatin1(fromEnvironment));
        if (!decoded) {
            *error = u"MAESTRO_SECRET_KEY must be 32 bytes in base64 (make one with: openssl rand -base64 32)"_s;
            return std::nullopt;
        }
        key = *decoded;
    } else if (const auto kept = local->read(KeyName)) {
        const auto decoded = decodeKey(*kept);
        if (!decoded) {
            *error = u"the secret key kept in %1 is not 32 bytes in base64"_s.arg(local->description());
            return std::nullopt;
        }
        key = *decoded;
    } else if (stored->isEmpty()) {
        key = SecretCipher::generateKey();
        if (key.isEmpty() || !local->write(KeyName, encodeKey(key))) {
            *error = u"cannot keep a new secret key in %1"_s.arg(local->description());
            return std::nullopt;
        }
        *generated = true;
        return key;
    } else {
        *error = u"the database holds node secrets encrypted with the key %1, and this instance has no "
                 "key: set MAESTRO_SECRET_KEY to that key (model-maestro --print-secret-key on an "
                 "instance that has it)"_s.arg(QString::fromLatin1(stored->cbegin().value()));
        return std::nullopt;
    }
    const QByteArray id = SecretCipher::keyId(key);
    for (auto it = stored->cbegin(); it != stored->cend(); ++it) {
        if (it.value() != id) {
            *error = u"the database holds node secrets encrypted with the key %1, and this instance's "
                     "key is %2: give every instance the same MAESTRO_SECRET_KEY (model-maestro "
                     "--print-secret-key on an instance that has the key %1)"_s
                         .arg(QString::fromLatin1(it.value()), QString::fromLatin1(id));
            return std::nullopt;
        }
    }
    return key;
}

std::optional<NodeSecrets> open(Database *database, SecretStore *local, const QByteArray &fromEnvironment,
                                QString *error)
{
    NodeSecrets secrets;
    const auto key = resolveKey(database, local, fromEnvironment, &secrets.keyGenerated, error);
    if (!key)
        return std::nullopt;
    secrets.shared = std::make_unique<SharedSecretStore>(database, *key);
    secrets.store = std::make_unique<SplitSecretStore>(local, secrets.shared.get(), NodePrefix);
    return secrets;
}

int moveToShared(SecretStore *local, SecretStore *shared, const QStringList &names)
{
    int moved = 0;
    for (const QString &name : names) {
        const auto value = local->read(name);
        if (!value || shared->read(name))
            continue;
        if (!shared->write(name, *value))
            return -1;
        local->remove(name);
        ++moved;
    }
    return moved;
}

} // namespace SharedSecrets

} // namespace Maestro

#pragma once

#include "core/store.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace Maestro {

class Database;

// The secrets every instance on one PostgreSQL database must be able to use (node API keys and
// secret header values: whichever instance serves a request calls the node), kept in the table
// shared_secrets, encrypted with AES-256-GCM (SecretCipher) under a key each instance gets from
// MAESTRO_SECRET_KEY or from its own secret store. The table holds the key's id, never the key;
// no value is ever in SQL in clear. Callable from any thread (the database's connection of the
// calling thread); in a write scope, writes join its transaction.
class SharedSecretStore final : public SecretStore
{
public:
    SharedSecretStore(Database *database, QByteArray key);

    std::optional<QString> read(const QString &name) override;
    bool write(const QString &name, const QString &value) override;
    bool remove(const QString &name) override;
    QString description() const override;

    QByteArray key() const { return m_key; }
    QByteArray keyId() const { return m_keyId; }

    // The id of the key each stored value was encrypted with, by name; nothing when the table
    // cannot be read.
    static std::optional<QHash<QString, QByteArray>> storedKeyIds(Database *database, QString *error);
    // Re-encrypts every value from oldKey to newKey in one transaction: all or nothing. False
    // (and *error) when a value does not decrypt with oldKey.
    static bool rotate(Database *database, const QByteArray &oldKey, const QByteArray &newKey,
                       int *count, QString *error);

private:
    Database *m_database;
    QByteArray m_key;
    QByteArray m_keyId;
};

// One secret store over two: names that start with `prefix` are kept in `shared`, the others in
// `local`; a read of a shared name the shared store lacks falls back to `local`, where a secret
// stored before the database was shared still is. Owns neither.
class SplitSecretStore final : public SecretStore
{
public:
    SplitSecretStore(SecretStore *local, SecretStore *shared, QString prefix);

    std::optional<QString> read(const QString &name) override;
    bool write(const QString &name, const QString &value) override;
    bool remove(const QString &name) override;
    QString description() const override;

private:
    SecretStore *m_local;
    SecretStore *m_shared;
    QString m_prefix;
};

namespace SharedSecrets {

// Where node secrets start: "node/<id>/...".
inline const QString NodePrefix = QStringLiteral("node/");
// The name of the key in an instance's own secret store.
inline const QString KeyName = QStringLiteral("secret_key");

// The key from `fromEnvironment` (MAESTRO_SECRET_KEY: 32 bytes, base64), else from `local`. When
// there is none and the table is empty, a new key is generated and kept in `local`
// (*generated = true). Nothing (and *error, naming the key id the stored values need) when the
// key is malformed, when there is none but values are stored, or when stored values were
// encrypted with another key.
std::optional<QByteArray> resolveKey(Database *database, SecretStore *local,
                                     const QByteArray &fromEnvironment, bool *generated,
                                     QString *error);
// A key as MAESTRO_SECRET_KEY takes it, and back.
QString encodeKey(const QByteArray &key);
std::optional<QByteArray> decodeKey(const QString &text);

// The secret store of an instance on a shared database: node secrets encrypted in the database,
// the rest in `local` (see SplitSecretStore).
struct NodeSecrets
{
    std::unique_ptr<SharedSecretStore> shared;
    std::unique_ptr<SplitSecretStore> store; // over `local` and `shared`
    bool keyGenerated = false; // resolveKey() made the key: other instances need it
};
// resolveKey(), then the stores; nothing (and *error) when there is no usable key.
std::optional<NodeSecrets> open(Database *database, SecretStore *local, const QByteArray &fromEnvironment,
                                QString *error);

// Moves each of `names` that `local` holds and `shared` does not into `shared`, then out of
// `local`: what one instance kept in its keychain before its database was shared. The number
// moved; -1 on a failure (what failed stays where it was).
int moveToShared(SecretStore *local, SecretStore *shared, const QStringList &names);

} // namespace SharedSecrets

} // namespace Maestro

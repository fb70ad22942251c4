#pragma once

#include "core/store.h"

#include <QHash>
#include <QMutex>
#include <QThread>

namespace Maestro {

// Secrets in the OS keychain through QtKeychain (the Secret Service on Linux, the Keychain on
// macOS, the Credential Manager on Windows). Keys are scoped per data directory, so several
// instances on one machine keep apart. QtKeychain works with jobs that need an event loop; they
// run on a private thread and callers wait for them, so no caller ever spins a nested event loop
// (which on the gateway's threads would re-enter request handling). Reads are cached.
// Use one instance per process: libsecret ties its connection to the first store's thread, so
// a second instance alive at the same time crashes it and a later one hangs until its timeout.
class KeychainSecretStore final : public SecretStore
{
public:
    explicit KeychainSecretStore(const QString &scope, int timeoutMs = 5000);
    ~KeychainSecretStore() override;

    // Writes, reads back and deletes a probe entry: true when a keychain answers.
    bool probe(QString *error);

    std::optional<QString> read(const QString &key) override;
    bool write(const QString &key, const QString &value) override;
    bool remove(const QString &key) override;
    QString description() const override;

private:
    enum class Op { Read, Write, Remove };
    struct Outcome
    {
        bool ok = false;
        bool notFound = false;
        QString value;
        QString error;
    };
    Outcome run(Op op, const QString &key, const QString &value = QString());

    QString m_service;
    QString m_scope;
    int m_timeoutMs;
    QThread m_thread;
    QObject *m_worker = nullptr;
    QMutex m_cacheMutex;
    QHash<QString, std::optional<QString>> m_cache;
};

} // namespace Maestro

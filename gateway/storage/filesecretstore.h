#pragma once

#include "core/store.h"

#include <QMutex>
#include <QString>
#include <QStringList>

namespace Maestro {

// Secrets in a JSON file readable by the owner only (0600), used when no OS keychain answers.
// The application warns visibly when it falls back to this store.
class FileSecretStore final : public SecretStore
{
public:
    explicit FileSecretStore(const QString &path);

    std::optional<QString> read(const QString &key) override;
    bool write(const QString &key, const QString &value) override;
    bool remove(const QString &key) override;
    QString description() const override;

    QStringList keys();
    // Deletes the file (after its secrets moved to a keychain).
    bool discard();

private:
    QJsonObject load() const;
    bool save(const QJsonObject &object);

    QString m_path;
    QMutex m_mutex;
};

} // namespace Maestro

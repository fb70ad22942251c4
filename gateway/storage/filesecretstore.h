#pragma once

#include "core/store.h"

#include <QMutex>
#include <QString>

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

private:
    QJsonObject load() const;
    bool save(const QJsonObject &object);

    QString m_path;
    QMutex m_mutex;
};

} // namespace Maestro

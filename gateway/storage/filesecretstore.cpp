#include "filesecretstore.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace Maestro {

FileSecretStore::FileSecretStore(const QString &path)
    : m_path(path)
{
}

QJsonObject FileSecretStore::load() const
{
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

bool FileSecretStore::save(const QJsonObject &object)
{
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    // Restrict before any secret is written.
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(QJsonDocument(object).toJson(QJsonDocument::Indented));
    return file.commit();
}

std::optional<QString> FileSecretStore::read(const QString &key)
{
    QMutexLocker lock(&m_mutex);
    const QJsonValue value = load().value(key);
    if (!value.isString())
        return std::nullopt;
    return value.toString();
}

bool FileSecretStore::write(const QString &key, const QString &value)
{
    QMutexLocker lock(&m_mutex);
    QJsonObject object = load();
    object.insert(key, value);
    return save(object);
}

bool FileSecretStore::remove(const QString &key)
{
    QMutexLocker lock(&m_mutex);
    QJsonObject object = load();
    if (!object.contains(key))
        return true;
    object.remove(key);
    return save(object);
}

QString FileSecretStore::description() const
{
    return u"the file %1 (readable by its owner only)"_s.arg(m_path);
}

} // namespace Maestro

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
    const auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    // Create the file owner-only before any secret goes in; QSaveFile keeps the permissions of
    // the file it replaces.
    if (!QFile::exists(m_path)) {
        QFile empty(m_path);
        if (!empty.open(QIODevice::WriteOnly) || !empty.setPermissions(ownerOnly))
            return false;
    }
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(QJsonDocument(object).toJson(QJsonDocument::Indented));
    return file.commit() && QFile::setPermissions(m_path, ownerOnly);
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

QStringList FileSecretStore::keys()
{
    QMutexLocker lock(&m_mutex);
    return load().keys();
}

bool FileSecretStore::discard()
{
    QMutexLocker lock(&m_mutex);
    return !QFile::exists(m_path) || QFile::remove(m_path);
}

QString FileSecretStore::description() const
{
    return u"the file %1 (readable by its owner only)"_s.arg(m_path);
}

} // namespace Maestro

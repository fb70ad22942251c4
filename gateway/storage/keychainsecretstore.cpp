#include "keychainsecretstore.h"
#include "core/handoff.h"

#include <QCryptographicHash>
#include <QMutexLocker>
#include <QSemaphore>

#include <qt6keychain/keychain.h>

#include <memory>

using namespace Qt::StringLiterals;

namespace Maestro {

KeychainSecretStore::KeychainSecretStore(const QString &scope, int timeoutMs)
    : m_service(u"model-maestro"_s)
    , m_scope(QString::fromLatin1(QCryptographicHash::hash(scope.toUtf8(), QCryptographicHash::Sha256).toHex().left(12)))
    , m_timeoutMs(timeoutMs)
{
    m_thread.setObjectName(u"keychain"_s);
    m_worker = new QObject;
    m_worker->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    Handoff::watchEnd(&m_thread);
    m_thread.start();
    // Make sure the thread has its event dispatcher (GLib's, which libsecret needs) before the
    // caller changes the environment that chooses it for later threads.
    Handoff::invokeBlocking(m_worker, [] {});
}

KeychainSecretStore::~KeychainSecretStore()
{
    Handoff::quitAndWait(&m_thread);
}

KeychainSecretStore::Outcome KeychainSecretStore::run(Op op, const QString &key, const QString &value)
{
    // Shared with the worker thread: a job that outlives the wait must not write to freed memory.
    struct Call
    {
        QSemaphore done;
        Outcome outcome;
    };
    auto call = std::make_shared<Call>();
    const QString scopedKey = m_scope + u'/' + key;
    const QString service = m_service;
    QMetaObject::invokeMethod(m_worker, [call, op, scopedKey, value, service] {
        QKeychain::Job *job = nullptr;
        switch (op) {
        case Op::Read:
            job = new QKeychain::ReadPasswordJob(service);
            break;
        case Op::Write: {
            auto *write = new QKeychain::WritePasswordJob(service);
            write->setTextData(value);
            job = write;
            break;
        }
        case Op::Remove:
            job = new QKeychain::DeletePasswordJob(service);
            break;
        }
        job->setAutoDelete(true);
        job->setKey(scopedKey);
        QObject::connect(job, &QKeychain::Job::finished, job, [call, op](QKeychain::Job *finished) {
            const QKeychain::Error error = finished->error();
            call->outcome.ok = error == QKeychain::NoError;
            call->outcome.notFound = error == QKeychain::EntryNotFound;
            if (!call->outcome.ok)
                call->outcome.error = finished->errorString();
            if (op == Op::Read && call->outcome.ok)
                call->outcome.value = static_cast<QKeychain::ReadPasswordJob *>(finished)->textData();
            call->done.release();
        });
        job->start();
    });
    if (!call->done.tryAcquire(1, m_timeoutMs))
        return {false, false, QString(), u"the keychain did not answer within %1 ms"_s.arg(m_timeoutMs)};
    return call->outcome;
}

bool KeychainSecretStore::probe(QString *error)
{
    const QString key = u"probe"_s;
    Outcome outcome = run(Op::Write, key, u"ok"_s);
    if (outcome.ok)
        outcome = run(Op::Read, key);
    if (outcome.ok && outcome.value != "ok"_L1)
        outcome = {false, false, QString(), u"the keychain returned something else than was written"_s};
    if (outcome.ok)
        run(Op::Remove, key);
    if (!outcome.ok && error)
        *error = outcome.error;
    return outcome.ok;
}

std::optional<QString> KeychainSecretStore::read(const QString &key)
{
    {
        QMutexLocker lock(&m_cacheMutex);
        if (const auto it = m_cache.constFind(key); it != m_cache.cend())
            return *it;
    }
    const Outcome outcome = run(Op::Read, key);
    if (!outcome.ok && !outcome.notFound)
        return std::nullopt; // not cached: the keychain may answer next time
    std::optional<QString> value = outcome.ok ? std::optional<QString>(outcome.value) : std::nullopt;
    QMutexLocker lock(&m_cacheMutex);
    m_cache.insert(key, value);
    return value;
}

bool KeychainSecretStore::write(const QString &key, const QString &value)
{
    if (!run(Op::Write, key, value).ok)
        return false;
    QMutexLocker lock(&m_cacheMutex);
    m_cache.insert(key, value);
    return true;
}

bool KeychainSecretStore::remove(const QString &key)
{
    const Outcome outcome = run(Op::Remove, key);
    if (!outcome.ok && !outcome.notFound)
        return false;
    QMutexLocker lock(&m_cacheMutex);
    m_cache.insert(key, std::nullopt);
    return true;
}

QString KeychainSecretStore::description() const
{
    return u"the system keychain (service \"%1\")"_s.arg(m_service);
}

} // namespace Maestro

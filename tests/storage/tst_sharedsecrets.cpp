// Node secrets several instances share through one database: AES-256-GCM against the published
// GCM test vectors, the encrypted table (never a value in clear, values bound to their names),
// the key every instance must hold, rotation, and the split between shared and local secrets.
// Every case runs on SQLite and on PostgreSQL.

#include "testdatabase.h"
#include "storage/database.h"
#include "storage/filesecretstore.h"
#include "storage/secretcipher.h"
#include "storage/sharedsecretstore.h"

#include <QRegularExpression>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Maestro;
using Maestro::Test::TestDatabase;

namespace {

const QString ApiKey = u"sk-live-4f1c9e0b2d7a"_s;

} // namespace

class TestSharedSecrets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cipherMatchesTheGcmVectors_data();
    void cipherMatchesTheGcmVectors();
    void cipherRefusesEveryChange();

    void initTestCase_data();
    void init();
    void cleanup();
    void valuesAreStoredEncrypted();
    void anotherInstanceWithTheKeyReadsThem();
    void aValueMovedToAnotherNameDoesNotDecrypt();
    void anInstanceWithoutTheKeyIsTurnedAway();
    void aKeyIsGeneratedOnlyForAnEmptyTable();
    void aMalformedKeyIsRefused();
    void rotationReencryptsEverything();
    void rotationWithTheWrongKeyChangesNothing();
    void splitStoreKeepsNodeSecretsShared();
    void localSecretsMoveIntoTheDatabase();

private:
    std::unique_ptr<TestDatabase> m_testDatabase;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestSharedSecrets::cipherMatchesTheGcmVectors_data()
{
    // The AES-256 cases (13 to 16) of McGrew and Viega's GCM specification, as NIST SP 800-38D
    // uses them.
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("nonce");
    QTest::addColumn<QByteArray>("plaintext");
    QTest::addColumn<QByteArray>("aad");
    QTest::addColumn<QByteArray>("ciphertext");
    QTest::addColumn<QByteArray>("tag");
    const QByteArray zeroKey(32, '\0');
    const QByteArray zeroNonce(12, '\0');
    const QByteArray key = QByteArray::fromHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
    const QByteArray nonce = QByteArray::fromHex("cafebabefacedbaddecaf888");
    const QByteArray plain64 = QByteArray::fromHex(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
        "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255");
    const QByteArray cipher64 = QByteArray::fromHex(
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
        "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad");
    QTest::newRow("case 13: empty") << zeroKey << zeroNonce << QByteArray() << QByteArray() << QByteArray()
                                    << QByteArray::fromHex("530f8afbc74536b9a963b4f1c4cb738b");
    QTest::newRow("case 14: one zero block")
        << zeroKey << zeroNonce << QByteArray(16, '\0') << QByteArray()
        << QByteArray::fromHex("cea7403d4d606b6e074ec5d3baf39d18")
        << QByteArray::fromHex("d0d1c8a799996bf0265b98b5d48ab919");
    QTest::newRow("case 15: four blocks") << key << nonce << plain64 << QByteArray() << cipher64
                                          << QByteArray::fromHex("b094dac5d93471bdec1a502270e3cc6c");
    QTest::newRow("case 16: additional data")
        << key << nonce << plain64.first(60) << QByteArray::fromHex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        << cipher64.first(60) << QByteArray::fromHex("76fc6ece0f4e1768cddf8853bb2d551b");
}

void TestSharedSecrets::cipherMatchesTheGcmVectors()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, nonce);
    QFETCH(QByteArray, plaintext);
    QFETCH(QByteArray, aad);
    QFETCH(QByteArray, ciphertext);
    QFETCH(QByteArray, tag);
    const auto sealed = SecretCipher::encryptWithNonce(key, nonce, plaintext, aad);
    QVERIFY(sealed);
    QCOMPARE(sealed->toHex(), QByteArray(nonce + ciphertext + tag).toHex());
    const auto opened = SecretCipher::decrypt(key, *sealed, aad);
    QVERIFY(opened);
    QCOMPARE(*opened, plaintext);
}

void TestSharedSecrets::cipherRefusesEveryChange()
{
    const QByteArray key = SecretCipher::generateKey();
    QCOMPARE(key.size(), SecretCipher::KeySize);
    const auto sealed = SecretCipher::encrypt(key, ApiKey.toUtf8(), "node/1/api_key");
    QVERIFY(sealed);
    QVERIFY(!sealed->contains(ApiKey.toUtf8()));
    // Two encryptions of one value differ (a fresh nonce each).
    QVERIFY(*SecretCipher::encrypt(key, ApiKey.toUtf8(), "node/1/api_key") != *sealed);
    for (qsizetype i = 0; i < sealed->size(); ++i) {
        QByteArray changed = *sealed;
        changed[i] = char(changed[i] ^ 0x01);
        QVERIFY2(!SecretCipher::decrypt(key, changed, "node/1/api_key"), qPrintable(u"byte %1"_s.arg(i)));
    }
    QVERIFY(!SecretCipher::decrypt(key, *sealed, "node/2/api_key"));
    QVERIFY(!SecretCipher::decrypt(SecretCipher::generateKey(), *sealed, "node/1/api_key"));
    QVERIFY(!SecretCipher::decrypt(key, sealed->first(SecretCipher::NonceSize + 3), "node/1/api_key"));
    QVERIFY(!SecretCipher::encrypt(key.first(16), "x", {}));
    QVERIFY(SecretCipher::keyId(key) != SecretCipher::keyId(SecretCipher::generateKey()));
    QCOMPARE(SecretCipher::keyId(key).size(), 16);
}

void TestSharedSecrets::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void TestSharedSecrets::init()
{
    QFETCH_GLOBAL(QString, backend);
    const QString reason = TestDatabase::unavailableReason(backend);
    if (!reason.isEmpty())
        QSKIP(qPrintable(reason));
    m_testDatabase = std::make_unique<TestDatabase>(backend);
    QString error;
    QVERIFY2(m_testDatabase->create(&error), qPrintable(error));
    m_database = std::make_unique<Database>(m_testDatabase->config());
    QVERIFY2(m_database->open(&error), qPrintable(error));
    m_dir = std::make_unique<QTemporaryDir>();
}

void TestSharedSecrets::cleanup()
{
    if (m_database)
        m_database->closeThreadConnection();
    m_database.reset();
    m_testDatabase.reset();
    m_dir.reset();
}

void TestSharedSecrets::valuesAreStoredEncrypted()
{
    SharedSecretStore store(m_database.get(), SecretCipher::generateKey());
    QVERIFY(store.write(u"node/1/api_key"_s, ApiKey));
    QCOMPARE(store.read(u"node/1/api_key"_s), ApiKey);
    QVERIFY(!store.read(u"node/2/api_key"_s));
    // Nothing of the value, in clear or as the usual encodings, reaches the database; the key's
    // id does, the key does not.
    const QByteArray contents = m_testDatabase->contents();
    QVERIFY(contents.contains(store.keyId()));
    for (const QByteArray &form : { ApiKey.toUtf8(), ApiKey.toUtf8().toBase64(), ApiKey.toUtf8().toHex() })
        QVERIFY2(!contents.contains(form), form.constData());
    QVERIFY(store.write(u"node/1/api_key"_s, u"sk-second"_s));
    QCOMPARE(store.read(u"node/1/api_key"_s), u"sk-second"_s);
    QVERIFY(store.remove(u"node/1/api_key"_s));
    QVERIFY(!store.read(u"node/1/api_key"_s));
    QVERIFY(store.description().contains(QString::fromLatin1(store.keyId())));
}

void TestSharedSecrets::anotherInstanceWithTheKeyReadsThem()
{
    const QByteArray key = SecretCipher::generateKey();
    SharedSecretStore first(m_database.get(), key);
    QVERIFY(first.write(u"node/7/api_key"_s, ApiKey));
    // A second instance: its own connections, the same key.
    Database other(m_testDatabase->config());
    QString error;
    QVERIFY2(other.open(&error), qPrintable(error));
    SharedSecretStore second(&other, key);
    QCOMPARE(second.read(u"node/7/api_key"_s), ApiKey);
    // One with another key reads nothing (and says why in the log).
    SharedSecretStore stranger(&other, SecretCipher::generateKey());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"node/7/api_key is encrypted with the key"_s));
    QVERIFY(!stranger.read(u"node/7/api_key"_s));
    other.closeThreadConnection();
}

void TestSharedSecrets::aValueMovedToAnotherNameDoesNotDecrypt()
{
    SharedSecretStore store(m_database.get(), SecretCipher::generateKey());
    QVERIFY(store.write(u"node/1/api_key"_s, ApiKey));
    QVERIFY(store.write(u"node/2/api_key"_s, u"sk-other"_s));
    // Someone with write access to the table copies node 1's value over node 2's.
    QSqlQuery query(m_database->connection());
    QVERIFY(query.exec(u"UPDATE shared_secrets SET sealed = (SELECT sealed FROM shared_secrets "
                       "WHERE name = 'node/1/api_key') WHERE name = 'node/2/api_key'"_s));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"node/2/api_key does not decrypt"_s));
    QVERIFY(!store.read(u"node/2/api_key"_s));
    QCOMPARE(store.read(u"node/1/api_key"_s), ApiKey);
}

void TestSharedSecrets::anInstanceWithoutTheKeyIsTurnedAway()
{
    const QByteArray key = SecretCipher::generateKey();
    SharedSecretStore store(m_database.get(), key);
    QVERIFY(store.write(u"node/1/api_key"_s, ApiKey));
    FileSecretStore local(m_dir->filePath(u"secrets.json"_s));
    bool generated = true;
    QString error;
    // No key at all: refused, naming the key the values need.
    QVERIFY(!SharedSecrets::resolveKey(m_database.get(), &local, {}, &generated, &error));
    QVERIFY2(error.contains(QString::fromLatin1(SecretCipher::keyId(key))), qPrintable(error));
    QVERIFY(!local.read(SharedSecrets::KeyName)); // no key made up over stored values
    // Another key: refused, naming both.
    const QByteArray wrong = SecretCipher::generateKey();
    QVERIFY(!SharedSecrets::resolveKey(m_database.get(), &local, SharedSecrets::encodeKey(wrong).toLatin1(),
                                       &generated, &error));
    QVERIFY2(error.contains(QString::fromLatin1(SecretCipher::keyId(wrong))), qPrintable(error));
    // The right key, from the environment or from the instance's own store.
    const auto fromEnvironment = SharedSecrets::resolveKey(
        m_database.get(), &local, SharedSecrets::encodeKey(key).toLatin1(), &generated, &error);
    QVERIFY2(fromEnvironment, qPrintable(error));
    QCOMPARE(*fromEnvironment, key);
    QVERIFY(!generated);
    QVERIFY(local.write(SharedSecrets::KeyName, SharedSecrets::encodeKey(key)));
    QCOMPARE(SharedSecrets::resolveKey(m_database.get(), &local, {}, &generated, &error), key);
}

void TestSharedSecrets::aKeyIsGeneratedOnlyForAnEmptyTable()
{
    FileSecretStore local(m_dir->filePath(u"secrets.json"_s));
    bool generated = false;
    QString error;
    const auto key = SharedSecrets::resolveKey(m_database.get(), &local, {}, &generated, &error);
    QVERIFY2(key, qPrintable(error));
    QVERIFY(generated);
    QCOMPARE(key->size(), SecretCipher::KeySize);
    QCOMPARE(SharedSecrets::decodeKey(local.read(SharedSecrets::KeyName).value_or(QString())), key);
    // The next start takes the kept key.
    QCOMPARE(SharedSecrets::resolveKey(m_database.get(), &local, {}, &generated, &error), key);
    QVERIFY(!generated);
}

void TestSharedSecrets::aMalformedKeyIsRefused()
{
    FileSecretStore local(m_dir->filePath(u"secrets.json"_s));
    bool generated = false;
    QString error;
    for (const QByteArray &bad : { QByteArray("not base64 at all!"), QByteArray(QByteArray(16, 'k').toBase64()),
                                   QByteArray(QByteArray(33, 'k').toBase64()) }) {
        QVERIFY(!SharedSecrets::resolveKey(m_database.get(), &local, bad, &generated, &error));
        QVERIFY2(error.contains(u"MAESTRO_SECRET_KEY must be 32 bytes"_s), qPrintable(error));
    }
    // Both base64 alphabets are taken (openssl rand -base64 32 gives the standard one).
    const QByteArray key = SecretCipher::generateKey();
    QCOMPARE(SharedSecrets::decodeKey(QString::fromLatin1(key.toBase64(QByteArray::Base64UrlEncoding))), key);
    QCOMPARE(SharedSecrets::decodeKey(u"  "_s + SharedSecrets::encodeKey(key) + u"\n"_s), key);
}

void TestSharedSecrets::rotationReencryptsEverything()
{
    const QByteArray oldKey = SecretCipher::generateKey();
    SharedSecretStore before(m_database.get(), oldKey);
    for (int i = 1; i <= 5; ++i)
        QVERIFY(before.write(u"node/%1/api_key"_s.arg(i), u"sk-%1"_s.arg(i)));
    const QByteArray sealedBefore = m_testDatabase->contents();
    const QByteArray newKey = SecretCipher::generateKey();
    int count = 0;
    QString error;
    QVERIFY2(SharedSecretStore::rotate(m_database.get(), oldKey, newKey, &count, &error), qPrintable(error));
    QCOMPARE(count, 5);
    SharedSecretStore after(m_database.get(), newKey);
    for (int i = 1; i <= 5; ++i)
        QCOMPARE(after.read(u"node/%1/api_key"_s.arg(i)), u"sk-%1"_s.arg(i));
    const auto ids = SharedSecretStore::storedKeyIds(m_database.get(), &error);
    QVERIFY(ids);
    for (const QByteArray &id : *ids)
        QCOMPARE(id, SecretCipher::keyId(newKey));
    QVERIFY(m_testDatabase->contents() != sealedBefore);
    // The old key opens nothing any more.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"is encrypted with the key"_s));
    QVERIFY(!before.read(u"node/1/api_key"_s));
}

void TestSharedSecrets::rotationWithTheWrongKeyChangesNothing()
{
    const QByteArray key = SecretCipher::generateKey();
    SharedSecretStore store(m_database.get(), key);
    QVERIFY(store.write(u"node/1/api_key"_s, ApiKey));
    QVERIFY(store.write(u"node/2/api_key"_s, u"sk-two"_s));
    int count = -1;
    QString error;
    QVERIFY(!SharedSecretStore::rotate(m_database.get(), SecretCipher::generateKey(), SecretCipher::generateKey(),
                                       &count, &error));
    QVERIFY2(error.contains(u"nothing was changed"_s), qPrintable(error));
    QCOMPARE(store.read(u"node/1/api_key"_s), ApiKey);
    QCOMPARE(store.read(u"node/2/api_key"_s), u"sk-two"_s);
    QVERIFY(!SharedSecretStore::rotate(m_database.get(), key, key, &count, &error));
}

void TestSharedSecrets::splitStoreKeepsNodeSecretsShared()
{
    FileSecretStore local(m_dir->filePath(u"secrets.json"_s));
    SharedSecretStore shared(m_database.get(), SecretCipher::generateKey());
    SplitSecretStore split(&local, &shared, SharedSecrets::NodePrefix);
    QVERIFY(split.write(u"admin_token"_s, u"admin-secret"_s));
    QVERIFY(split.write(u"node/3/api_key"_s, ApiKey));
    QCOMPARE(local.read(u"admin_token"_s), u"admin-secret"_s);
    QVERIFY(!shared.read(u"admin_token"_s));
    QCOMPARE(shared.read(u"node/3/api_key"_s), ApiKey);
    QVERIFY(!local.read(u"node/3/api_key"_s));
    QCOMPARE(split.read(u"node/3/api_key"_s), ApiKey);
    // A copy an instance kept locally before is read until the shared one exists, and a write
    // or a removal leaves no local copy to come back.
    QVERIFY(local.write(u"node/4/api_key"_s, u"sk-local"_s));
    QCOMPARE(split.read(u"node/4/api_key"_s), u"sk-local"_s);
    QVERIFY(split.write(u"node/4/api_key"_s, u"sk-new"_s));
    QVERIFY(!local.read(u"node/4/api_key"_s));
    QVERIFY(split.remove(u"node/4/api_key"_s));
    QVERIFY(!split.read(u"node/4/api_key"_s));
    QVERIFY(split.description().contains(u"the database"_s));
}

void TestSharedSecrets::localSecretsMoveIntoTheDatabase()
{
    FileSecretStore local(m_dir->filePath(u"secrets.json"_s));
    SharedSecretStore shared(m_database.get(), SecretCipher::generateKey());
    QVERIFY(local.write(u"node/1/api_key"_s, u"sk-one"_s));
    QVERIFY(local.write(u"node/2/api_key"_s, u"sk-two-local"_s));
    QVERIFY(shared.write(u"node/2/api_key"_s, u"sk-two-shared"_s)); // another instance's, newer
    const QStringList names{ u"node/1/api_key"_s, u"node/2/api_key"_s, u"node/9/api_key"_s };
    QCOMPARE(SharedSecrets::moveToShared(&local, &shared, names), 1);
    QCOMPARE(shared.read(u"node/1/api_key"_s), u"sk-one"_s);
    QVERIFY(!local.read(u"node/1/api_key"_s));
    QCOMPARE(shared.read(u"node/2/api_key"_s), u"sk-two-shared"_s);
    QCOMPARE(SharedSecrets::moveToShared(&local, &shared, names), 0);
}

QTEST_GUILESS_MAIN(TestSharedSecrets)
#include "tst_sharedsecrets.moc"

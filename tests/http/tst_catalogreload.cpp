// Catalog reloads: a reload that cannot read the store keeps the catalog the gateway has (and
// says so), and reloads that finish out of order never let an older read replace a newer one.
// On SQLite, and PostgreSQL when MAESTRO_TEST_PG_URL is set.

#include "gatewaystack.h"
#include "core/handoff.h"
#include "core/tokens.h"
#include "http/control.h"
#include "testdatabase.h"

#include <QRegularExpression>
#include <QSemaphore>
#include <QSqlQuery>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>

using namespace Qt::StringLiterals;
using namespace Maestro;
using Maestro::Test::Response;
using Maestro::Test::TestDatabase;

namespace {

const QByteArray AdminToken = QByteArrayLiteral("test-admin");
constexpr int WaitMs = 60'000;

// Node API keys are read in the middle of a catalog load, inside its read transaction: while
// armed, a read on any thread but the test's waits there until released, which holds that load
// half done for as long as the test needs.
class BlockingSecrets final : public SecretStore
{
public:
    std::optional<QString> read(const QString &) override
    {
        if (m_armed.load() && QThread::currentThread() != m_owner) {
            m_entered.release();
            m_release.acquire();
        }
        return u"node-key"_s;
    }
    bool write(const QString &, const QString &) override { return true; }
    bool remove(const QString &) override { return true; }
    QString description() const override { return u"test secrets"_s; }

    void arm() { m_armed = true; }
    bool waitForBlockedRead() { return m_entered.tryAcquire(1, WaitMs); }
    void release()
    {
        m_armed = false;
        m_release.release();
    }

private:
    QThread *m_owner = QThread::currentThread();
    std::atomic<bool> m_armed{false};
    QSemaphore m_entered;
    QSemaphore m_release;
};

} // namespace

class TestCatalogReload : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();

    void failedLoadKeepsTheCurrentCatalog();
    void olderLoadFinishingLaterDoesNotReplaceANewerOne();

private:
    int modelsStatus(const QString &token);

    std::unique_ptr<BlockingSecrets> m_secrets;
    Test::GatewayStack m_stack;
    Control *m_control = nullptr; // the stack's, on this thread: what reloads and publishes
    Database *m_database = nullptr;
    SqlStore *m_store = nullptr;
};

void TestCatalogReload::initTestCase_data()
{
    TestDatabase::addBackendRows();
}

void TestCatalogReload::init()
{
    QFETCH_GLOBAL(QString, backend);
    if (const QString reason = TestDatabase::unavailableReason(backend); !reason.isEmpty())
        QSKIP(qPrintable(reason));
    m_secrets = std::make_unique<BlockingSecrets>();
    Test::StackOptions options;
    options.backend = backend;
    options.config.adminToken = AdminToken;
    options.config.configPollMs = 0;
    options.secrets = m_secrets.get();
    // The control object and a gateway on this thread, so the test calls reload() directly, as an
    // admin change does.
    options.onThisThread = true;
    QString error;
    QVERIFY2(m_stack.start(options, &error), qPrintable(error));
    m_control = m_stack.control();
    m_database = m_stack.database();
    m_store = m_stack.store();
}

void TestCatalogReload::cleanup()
{
    m_control = nullptr;
    m_database = nullptr;
    m_store = nullptr;
    m_stack.stop();
    m_secrets.reset();
}

int TestCatalogReload::modelsStatus(const QString &token)
{
    return m_stack.send("GET", u"/v1/models"_s, {}, token.toUtf8()).status;
}

void TestCatalogReload::failedLoadKeepsTheCurrentCatalog()
{
    const auto alice = m_control->admin()->createUser(u"alice"_s);
    QVERIFY(alice.ok());
    QVERIFY(m_control->admin()->grantAllModels(u"alice"_s).ok());
    QCOMPARE(modelsStatus(alice.value().token), 200);
    const std::shared_ptr<const Catalog> before = m_control->catalog().shared();

    // A table the load reads late: everything before it reads fine, so a load that did not check
    // would publish a catalog without groups (or, with a lost connection, without anything).
    {
        QSqlQuery query(m_database->connection());
        QVERIFY(query.exec(u"DROP TABLE model_group_members"_s));
    }
    QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(u"cannot read the configuration"_s));
    QVERIFY(!m_control->reload());
    QCOMPARE(m_control->catalog().shared(), before);
    QCOMPARE(modelsStatus(alice.value().token), 200);

    // A change made meanwhile is stored but not published: its reload fails the same way.
    QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(u"cannot read the configuration"_s));
    const auto bob = m_control->admin()->createUser(u"bob"_s);
    QVERIFY(bob.ok());
    QCOMPARE(m_control->catalog().shared(), before);
    QCOMPARE(modelsStatus(bob.value().token), 401);
    QCOMPARE(modelsStatus(alice.value().token), 200);
}

void TestCatalogReload::olderLoadFinishingLaterDoesNotReplaceANewerOne()
{
    Node node;
    node.name = u"keyed"_s;
    node.baseUrl = QUrl(u"http://127.0.0.1:9"_s);
    node.hasApiKey = true; // its key is read in the middle of every load
    QVERIFY(m_store->insertNode(node) > 0);
    QVERIFY(m_control->reload());
    QVERIFY(m_control->admin()->createUser(u"alice"_s).ok());

    // The older load: started first, held after it read the users.
    m_secrets->arm();
    std::atomic<bool> olderRead{false};
    QThread *older = QThread::create([&] {
        olderRead = m_control->reload();
        m_database->closeThreadConnection();
    });
    Handoff::watchEnd(older); // its end orders what it did before this test goes on (for TSan)
    older->start();
    QVERIFY(m_secrets->waitForBlockedRead());

    // The newer load, made by an admin change on this thread, finishes first.
    const auto bob = m_control->admin()->createUser(u"bob"_s);
    QVERIFY(bob.ok());
    const CatalogSnapshot newer = m_control->catalog();
    QVERIFY(newer->user(u"bob"_s));

    m_secrets->release();
    QVERIFY(older->wait(WaitMs));
    Handoff::acquire(older);
    delete older;
    QVERIFY(olderRead); // it read the store fine, it is just older
    const CatalogSnapshot now = m_control->catalog();
    QCOMPARE(now.shared(), newer.shared());
    QVERIFY(now->user(u"bob"_s));
    QVERIFY(now->user(u"alice"_s));
}

QTEST_MAIN(TestCatalogReload)
#include "tst_catalogreload.moc"

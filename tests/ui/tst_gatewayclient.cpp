// The desktop application's way to the gateway: GatewayClient's calls run on the gateway's
// control thread, the one that serves the admin API's handlers, so a change made in the window
// and one made over HTTP land in the same place, in order, and each shows up on the other side.

#include "gatewayfixture.h"
#include "inprocessclient.h"
#include "http/control.h"
#include "http/gateway.h"
#include "http/gatewaythread.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Maestro;
using Maestro::Test::GatewayFixture;

class TestGatewayClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void callsRunOnTheControlThread();
    void changesFromTheWindowAndFromHttpBothLand();

private:
    QStringList httpUsernames();

    GatewayFixture m_fixture;
    std::unique_ptr<InProcessGatewayClient> m_client;
};

void TestGatewayClient::initTestCase()
{
    QString error;
    QVERIFY2(m_fixture.start(&error), qPrintable(error));
    m_client = std::make_unique<InProcessGatewayClient>(m_fixture.gateway());
    QTRY_VERIFY(m_client->snapshot().loaded);
}

void TestGatewayClient::cleanupTestCase()
{
    m_client.reset();
    m_fixture.stop();
}

QStringList TestGatewayClient::httpUsernames()
{
    QStringList names;
    const auto answer = m_fixture.admin("GET", u"/admin/users"_s);
    for (const QJsonValue &user : QJsonDocument::fromJson(answer.body).array())
        names.append(user.toObject().value("username"_L1).toString());
    names.sort();
    return names;
}

void TestGatewayClient::callsRunOnTheControlThread()
{
    QThread *ran = nullptr;
    bool answered = false;
    m_client->call(
        this, [](Control *) { return QThread::currentThread(); },
        [&](QThread *thread) {
            ran = thread;
            answered = true;
        });
    QTRY_VERIFY(answered);
    GatewayThread *gateway = m_fixture.gateway();
    QCOMPARE(ran, gateway->control()->thread());
    QCOMPARE(ran->objectName(), u"gateway-control"_s);
    QVERIFY(ran != QThread::currentThread());
    for (Gateway *io : gateway->gateways())
        QVERIFY(ran != io->thread());
}

void TestGatewayClient::changesFromTheWindowAndFromHttpBothLand()
{
    QSignalSpy refreshed(m_client.get(), &GatewayClient::snapshotChanged);
    bool created = false;
    QString token;
    m_client->createUser(u"from-window"_s, this, [&](const Result<GatewayClient::CreatedUser> &result) {
        created = result.ok();
        token = created ? result.value().token : QString();
    });
    // Sent while the window's call may still be on its way: both go through the control thread.
    QCOMPARE(m_fixture.admin("POST", u"/admin/users"_s, {{u"username"_s, u"from-http"_s}}).status, 201);
    QTRY_VERIFY(created);
    QVERIFY(!token.isEmpty());

    QCOMPARE(httpUsernames(), (QStringList{u"from-http"_s, u"from-window"_s}));
    // The window learns of the HTTP change (a catalog reload makes it refresh).
    const auto windowSees = [this] {
        QStringList names;
        for (const User &user : m_client->snapshot().users)
            names.append(user.username);
        names.sort();
        return names;
    };
    QTRY_COMPARE(windowSees(), (QStringList{u"from-http"_s, u"from-window"_s}));
    QVERIFY(refreshed.count() >= 1);

    // A token made in the window works over HTTP at once (the catalog was published first).
    bool granted = false;
    m_client->setUserModels(u"from-window"_s, true, {}, this, [&](const Result<User> &result) { granted = result.ok(); });
    QTRY_VERIFY(granted);
    QCOMPARE(m_fixture.send("GET", u"/v1/models"_s, token.toUtf8()).status, 200);
}

QTEST_MAIN(TestGatewayClient)
#include "tst_gatewayclient.moc"

// The node dialog's request headers, health-check URL and auto-sync switch, and the editor of a
// user's (node, model) pairs, driven offscreen against a real gateway: what the dialogs show, what
// they hand to the admin service, and that a secret header's value never comes back to a widget.

#include "fakeupstream.h"
#include "gatewayfixture.h"
#include "inprocessclient.h"
#include "nodes/nodedialog.h"
#include "uiutil.h"
#include "users/usernodemodelsdialog.h"
#include "users/userspage.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QJsonArray>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QTableWidget>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Maestro;
using Maestro::Test::FakeUpstream;
using Maestro::Test::GatewayFixture;

namespace {

const QString Secret = u"desk-secret-9931"_s;

QLineEdit *cellEdit(QTableWidget *table, int row, int column)
{
    return qobject_cast<QLineEdit *>(table->cellWidget(row, column));
}

QCheckBox *cellBox(QTableWidget *table, int row)
{
    return qobject_cast<QCheckBox *>(table->cellWidget(row, 2));
}

} // namespace

class TestNodeUserDialogs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void nodeDialogShowsAndReturnsTheNewFields();
    void secretHeaderNeverComesBackToTheDialog();
    void userNodeModelsThroughUsersPage();

private:
    template<typename Value>
    Result<Value> wait(std::function<void(GatewayClient::Reply<Value>)> call)
    {
        std::optional<Result<Value>> result;
        call([&result](const Result<Value> &value) { result = value; });
        static_cast<void>(QTest::qWaitFor([&] { return result.has_value(); }, 10000));
        return result.value_or(Result<Value>(ApiError::internal(u"no answer"_s)));
    }

    GatewayFixture m_fixture;
    std::unique_ptr<FakeUpstream> m_ollama;
    std::unique_ptr<GatewayClient> m_client;
};

void TestNodeUserDialogs::initTestCase()
{
    QString error;
    QVERIFY2(m_fixture.start(&error), qPrintable(error));
    m_ollama = std::make_unique<FakeUpstream>(NodeType::Ollama);
    QVERIFY(m_ollama->listen());
    m_client = std::make_unique<InProcessGatewayClient>(m_fixture.gateway());
    QTRY_VERIFY(m_client->snapshot().loaded);
}

void TestNodeUserDialogs::cleanupTestCase()
{
    m_client.reset();
    m_fixture.stop();
}

void TestNodeUserDialogs::nodeDialogShowsAndReturnsTheNewFields()
{
    Node node;
    node.id = 7;
    node.name = u"gpu-7"_s;
    node.baseUrl = QUrl(u"http://10.0.0.7:11434"_s);
    node.headers = {{u"X-Org"_s, u"acme"_s}};
    node.secretHeaderNames = {u"X-Token"_s};
    node.healthCheckUrl = u"http://10.0.0.7:8080/health"_s;
    node.autoSyncEnabled = false;
    NodeDialog dialog(&node);
    dialog.show();
    auto *table = dialog.findChild<QTableWidget *>(u"headers"_s);
    auto *healthUrl = dialog.findChild<QLineEdit *>(u"healthCheckUrl"_s);
    auto *autoSync = dialog.findChild<QCheckBox *>(u"autoSync"_s);
    auto *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(table && healthUrl && autoSync && ok);
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(cellEdit(table, 0, 0)->text(), u"X-Org"_s);
    QCOMPARE(cellEdit(table, 0, 1)->text(), u"acme"_s);
    QVERIFY(!cellBox(table, 0)->isChecked());
    // The stored secret: named, masked, no value.
    QCOMPARE(cellEdit(table, 1, 0)->text(), u"X-Token"_s);
    QVERIFY(cellEdit(table, 1, 0)->isReadOnly());
    QVERIFY(cellEdit(table, 1, 1)->text().isEmpty());
    QCOMPARE(cellEdit(table, 1, 1)->echoMode(), QLineEdit::Password);
    QVERIFY(!cellEdit(table, 1, 1)->placeholderText().isEmpty());
    QVERIFY(cellBox(table, 1)->isChecked());
    QCOMPARE(healthUrl->text(), node.healthCheckUrl);
    QVERIFY(!autoSync->isChecked());

    // Untouched: the plain set as it is, the secret one not mentioned (it keeps its value).
    AdminService::NodeInput input = dialog.input();
    QCOMPARE(input.headers.value_or(QList<std::pair<QString, QString>>()),
             (QList<std::pair<QString, QString>>{{u"X-Org"_s, u"acme"_s}}));
    QVERIFY(!input.secretHeaders);
    QCOMPARE(input.healthCheckUrl.value_or(QString()), node.healthCheckUrl);
    QCOMPARE(input.autoSyncEnabled, std::optional<bool>(false));

    // A value typed replaces the secret.
    QTest::keyClicks(cellEdit(table, 1, 1), u"fresh"_s);
    input = dialog.input();
    QVERIFY(input.secretHeaders);
    QCOMPARE(input.secretHeaders->size(), 1);
    QCOMPARE(input.secretHeaders->first().first, u"X-Token"_s);
    QCOMPARE(input.secretHeaders->first().second, std::optional<QString>(u"fresh"_s));
    cellEdit(table, 1, 1)->clear();

    // A new row made secret is masked and sent; the stored one removed is sent as null.
    QTest::mouseClick(dialog.findChild<QPushButton *>(u"addHeader"_s), Qt::LeftButton);
    QCOMPARE(table->rowCount(), 3);
    QTest::keyClicks(cellEdit(table, 2, 0), u"X-New"_s);
    QTest::keyClicks(cellEdit(table, 2, 1), u"new-value"_s);
    cellBox(table, 2)->setChecked(true);
    QCOMPARE(cellEdit(table, 2, 1)->echoMode(), QLineEdit::Password);
    table->setCurrentCell(1, 0);
    QTest::mouseClick(dialog.findChild<QPushButton *>(u"removeHeader"_s), Qt::LeftButton);
    QCOMPARE(table->rowCount(), 2);
    input = dialog.input();
    QVERIFY(input.secretHeaders);
    QCOMPARE(input.secretHeaders->size(), 2);
    QCOMPARE(input.secretHeaders->at(0).first, u"X-New"_s);
    QCOMPARE(input.secretHeaders->at(0).second, std::optional<QString>(u"new-value"_s));
    QCOMPARE(input.secretHeaders->at(1).first, u"X-Token"_s);
    QVERIFY(!input.secretHeaders->at(1).second);

    // Health-check URLs: http(s) or nothing.
    QVERIFY(ok->isEnabled());
    healthUrl->setText(u"ftp://10.0.0.7/health"_s);
    QVERIFY(!ok->isEnabled());
    healthUrl->clear();
    QVERIFY(ok->isEnabled());
    autoSync->setChecked(true);
    QCOMPARE(dialog.input().autoSyncEnabled, std::optional<bool>(true));
    QCOMPARE(dialog.input().healthCheckUrl, std::optional<QString>(QString()));

    // A new node syncs automatically unless told otherwise.
    NodeDialog fresh;
    QVERIFY(fresh.findChild<QCheckBox *>(u"autoSync"_s)->isChecked());
    QCOMPARE(fresh.findChild<QTableWidget *>(u"headers"_s)->rowCount(), 0);
}

void TestNodeUserDialogs::secretHeaderNeverComesBackToTheDialog()
{
    // Added through the dialog with a secret header.
    NodeDialog adding;
    QTest::keyClicks(adding.findChild<QLineEdit *>(u"name"_s), u"secret-node"_s);
    QTest::keyClicks(adding.findChild<QLineEdit *>(u"baseUrl"_s), m_ollama->baseUrl().toString());
    auto *table = adding.findChild<QTableWidget *>(u"headers"_s);
    QTest::mouseClick(adding.findChild<QPushButton *>(u"addHeader"_s), Qt::LeftButton);
    QTest::keyClicks(cellEdit(table, 0, 0), u"X-Upstream-Token"_s);
    QTest::keyClicks(cellEdit(table, 0, 1), Secret);
    cellBox(table, 0)->setChecked(true);
    QTest::mouseClick(adding.findChild<QPushButton *>(u"addHeader"_s), Qt::LeftButton);
    QTest::keyClicks(cellEdit(table, 1, 0), u"X-Org"_s);
    QTest::keyClicks(cellEdit(table, 1, 1), u"acme"_s);
    const Result<Node> added = wait<Node>([&](GatewayClient::Reply<Node> done) {
        m_client->addNode(adding.input(), this, done);
    });
    QVERIFY2(added.ok(), added.ok() ? "" : qPrintable(added.error().message));
    const qint64 id = added.value().id;
    QCOMPARE(added.value().secretHeaderNames, QStringList{u"X-Upstream-Token"_s});
    QTRY_VERIFY(m_client->snapshot().node(id) != nullptr);

    // Opened again from the desktop's snapshot: the name, never the value.
    NodeDialog editing(m_client->snapshot().node(id));
    editing.show();
    for (const QLineEdit *edit : editing.findChildren<QLineEdit *>())
        QVERIFY2(!edit->text().contains(Secret) && !edit->placeholderText().contains(Secret), qPrintable(edit->objectName()));
    auto *editTable = editing.findChild<QTableWidget *>(u"headers"_s);
    QCOMPARE(editTable->rowCount(), 2);

    // Saved unchanged: the secret stays, and reaches the node.
    const Result<Node> updated = wait<Node>([&](GatewayClient::Reply<Node> done) {
        m_client->updateNode(id, editing.input(), this, done);
    });
    QVERIFY(updated.ok());
    QCOMPARE(updated.value().secretHeaderNames, QStringList{u"X-Upstream-Token"_s});
    m_ollama->clearRequests();
    QCOMPARE(m_fixture.admin("POST", u"/admin/nodes/%1/health-check"_s.arg(id)).status, 200);
    QCOMPARE(m_ollama->lastRequest().header("x-upstream-token"), Secret.toUtf8());
    QCOMPARE(m_ollama->lastRequest().header("x-org"), QByteArray("acme"));
    QCOMPARE(m_fixture.admin("DELETE", u"/admin/nodes/%1"_s.arg(id)).status, 204);
}

void TestNodeUserDialogs::userNodeModelsThroughUsersPage()
{
    const auto node = m_fixture.admin("POST", u"/admin/nodes"_s,
                                      {{u"name"_s, u"pairs-node"_s}, {u"base_url"_s, m_ollama->baseUrl().toString()}});
    QCOMPARE(node.status, 201);
    const qint64 nodeId = qint64(node.json().value("id"_L1).toDouble());
    QCOMPARE(m_fixture.admin("POST", u"/admin/users"_s, {{u"username"_s, u"dora"_s}}).status, 201);
    QTRY_VERIFY(m_client->snapshot().node(nodeId) && !m_client->snapshot().nodeModels.isEmpty());

    UsersPage page(m_client.get());
    page.show();
    QTRY_VERIFY(Ui::rowWithData(page.table(), u"dora"_s) >= 0);
    page.table()->selectRow(Ui::rowWithData(page.table(), u"dora"_s));
    auto *button = page.findChild<QPushButton *>(u"editNodeModels"_s);
    QVERIFY(button && button->isEnabled());
    QTest::mouseClick(button, Qt::LeftButton);
    QPointer<UserNodeModelsDialog> dialog;
    QTRY_VERIFY((dialog = page.findChild<UserNodeModelsDialog *>()) != nullptr);
    auto *table = dialog->findChild<QTableWidget *>(u"nodeModels"_s);
    QCOMPARE(table->rowCount(), 0);
    // A row: the node, and a model it serves from the offered list.
    QTest::mouseClick(dialog->findChild<QPushButton *>(u"addNodeModel"_s), Qt::LeftButton);
    QCOMPARE(table->rowCount(), 1);
    auto *nodeBox = qobject_cast<QComboBox *>(table->cellWidget(0, 0));
    auto *modelBox = qobject_cast<QComboBox *>(table->cellWidget(0, 1));
    nodeBox->setCurrentIndex(nodeBox->findData(nodeId));
    QVERIFY(modelBox->findText(u"llama3.2:latest"_s) >= 0);
    modelBox->setCurrentIndex(modelBox->findText(u"llama3.2:latest"_s));
    // And one typed by hand, plus a repeat that is dropped.
    dialog->addRow(nodeId, u"future:1b"_s);
    dialog->addRow(nodeId, u"future:1b"_s);
    dialog->accept();
    QTRY_VERIFY(!dialog);

    const auto pairs = [this] {
        return m_fixture.admin("GET", u"/admin/users/dora/nodes"_s).json().value("node_models"_L1).toArray();
    };
    const auto pair = [nodeId](const QString &model) {
        return QJsonObject{{u"node_id"_s, double(nodeId)}, {u"node_name"_s, u"pairs-node"_s}, {u"model_name"_s, model}};
    };
    const QJsonArray expected{pair(u"llama3.2:latest"_s), pair(u"future:1b"_s)};
    QTRY_COMPARE(pairs(), expected);
    // The node list stays as it was (every node).
    QCOMPARE(m_fixture.admin("GET", u"/admin/users/dora/nodes"_s).json().value("node_ids"_L1).toArray(), QJsonArray());
    QTRY_VERIFY(page.table()->item(Ui::rowWithData(page.table(), u"dora"_s), 1)->text().contains(u"future:1b"_s));

    // Opened again: the pairs as set; one removed, the other kept.
    QTest::mouseClick(button, Qt::LeftButton);
    QTRY_VERIFY((dialog = page.findChild<UserNodeModelsDialog *>()) != nullptr);
    QCOMPARE(dialog->nodeModels(), (QList<NodeModelGrant>{{nodeId, u"llama3.2:latest"_s}, {nodeId, u"future:1b"_s}}));
    table = dialog->findChild<QTableWidget *>(u"nodeModels"_s);
    table->setCurrentCell(1, 0);
    QTest::mouseClick(dialog->findChild<QPushButton *>(u"removeNodeModel"_s), Qt::LeftButton);
    dialog->accept();
    QTRY_VERIFY(!dialog);
    QTRY_COMPARE(pairs(), (QJsonArray{expected.at(0)}));
}

QTEST_MAIN(TestNodeUserDialogs)
#include "tst_nodeuserdialogs.moc"

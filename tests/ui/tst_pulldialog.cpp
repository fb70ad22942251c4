// Pulling a model onto Ollama nodes from the Nodes page, against a real gateway and fake nodes:
// progress per node, a failing node, cancelling, and the node's model list afterwards.

#include "fakeupstream.h"
#include "gatewayfixture.h"
#include "inprocessclient.h"
#include "mainwindow/mainwindow.h"
#include "nodes/nodespage.h"
#include "nodes/pullmodeldialog.h"
#include "uiutil.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Maestro;
using Maestro::Test::FakeUpstream;
using Maestro::Test::GatewayFixture;

class TestPullDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void pullOntoTheSelectedNode();
    void pullOntoAllNodesShowsTheFailingOne();
    void cancelStopsThePull();
    void onlyOllamaNodesAreOffered();

private:
    qint64 addNode(const QString &name, FakeUpstream *upstream);
    // Selects the node's row and opens the dialog from its context menu.
    PullModelDialog *openDialog(qint64 nodeId);
    QStringList listedModels() const; // the Nodes page's list for the selected node

    GatewayFixture m_fixture;
    std::unique_ptr<FakeUpstream> m_first;
    std::unique_ptr<FakeUpstream> m_second;
    std::unique_ptr<FakeUpstream> m_openAi;
    qint64 m_firstId = 0;
    qint64 m_secondId = 0;
    qint64 m_openAiId = 0;
    std::unique_ptr<GatewayClient> m_client;
    std::unique_ptr<MainWindow> m_window;
    NodesPage *m_page = nullptr;
};

qint64 TestPullDialog::addNode(const QString &name, FakeUpstream *upstream)
{
    const auto answer = m_fixture.admin(
        "POST", u"/admin/nodes"_s,
        {{u"name"_s, name},
         {u"base_url"_s, upstream->baseUrl().toString()},
         {u"node_type"_s, upstream->nodeType() == NodeType::Ollama ? u"ollama"_s : u"openai"_s}});
    return answer.status == 201 ? qint64(answer.json().value("id"_L1).toDouble()) : 0;
}

void TestPullDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    DesktopSettings().clear();
    QString error;
    QVERIFY2(m_fixture.start(&error), qPrintable(error));
    m_first = std::make_unique<FakeUpstream>(NodeType::Ollama);
    m_second = std::make_unique<FakeUpstream>(NodeType::Ollama);
    m_openAi = std::make_unique<FakeUpstream>(NodeType::OpenAi);
    for (FakeUpstream *upstream : {m_first.get(), m_second.get(), m_openAi.get()})
        QVERIFY(upstream->listen());
    m_firstId = addNode(u"gpu-1"_s, m_first.get());
    m_secondId = addNode(u"gpu-2"_s, m_second.get());
    m_openAiId = addNode(u"hosted"_s, m_openAi.get());
    QVERIFY(m_firstId > 0 && m_secondId > 0 && m_openAiId > 0);

    m_client = m_fixture.makeClient(); // in-process, or over HTTP (tst_pulldialog_http)
    m_window = std::make_unique<MainWindow>(m_client.get(), m_fixture.context());
    m_window->show();
    QTRY_COMPARE(m_client->snapshot().nodes.size(), 3);
    m_window->showPage(MainWindow::Nodes);
    m_page = m_window->nodesPage();
    QTRY_COMPARE(m_page->table()->rowCount(), 3);
}

void TestPullDialog::cleanupTestCase()
{
    m_window.reset();
    m_client.reset();
    m_fixture.stop();
}

void TestPullDialog::init()
{
    for (FakeUpstream *upstream : {m_first.get(), m_second.get()}) {
        upstream->setChunkDelay(0);
        upstream->setPullError({});
        upstream->clearRequests();
    }
}

void TestPullDialog::cleanup()
{
    // The next test opens a new dialog: the last one must be gone.
    if (QPointer<PullModelDialog> dialog = m_page->findChild<PullModelDialog *>()) {
        dialog->close(); // cancels a pull still running, and stays until it ended
        QTRY_VERIFY(!dialog || !dialog->isPulling());
        if (dialog)
            dialog->close();
    }
    QTRY_VERIFY(!m_page->findChild<PullModelDialog *>());
}

PullModelDialog *TestPullDialog::openDialog(qint64 nodeId)
{
    m_page->table()->selectRow(Ui::rowWithData(m_page->table(), nodeId));
    QAction *action = m_page->table()->findChild<QAction *>(u"pullModelAction"_s);
    if (!action || !m_page->table()->actions().contains(action) || !action->isEnabled())
        return nullptr;
    action->trigger();
    return m_page->findChild<PullModelDialog *>();
}

QStringList TestPullDialog::listedModels() const
{
    QStringList names;
    for (int row = 0; row < m_page->modelsTable()->rowCount(); ++row)
        names.append(m_page->modelsTable()->item(row, 0)->text());
    return names;
}

void TestPullDialog::pullOntoTheSelectedNode()
{
    m_first->setChunkDelay(150); // so every progress line arrives on its own
    PullModelDialog *dialog = openDialog(m_firstId);
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    auto *target = dialog->findChild<QComboBox *>(u"target"_s);
    QCOMPARE(target->currentData().toLongLong(), m_firstId);
    auto *pull = dialog->findChild<QPushButton *>(u"pull"_s);
    QVERIFY(!pull->isEnabled()); // nothing to pull yet
    QTest::keyClicks(dialog->findChild<QLineEdit *>(u"model"_s), u"qwen3:4b"_s);
    QVERIFY(pull->isEnabled());
    QTest::mouseClick(pull, Qt::LeftButton);
    QVERIFY(dialog->findChild<QPushButton *>(u"cancel"_s)->isVisible());

    // The first line says what the node does; the byte counts follow.
    QTRY_VERIFY(dialog->statusLabel(m_firstId) && dialog->statusLabel(m_firstId)->text() == u"pulling manifest"_s);
    QProgressBar *bar = dialog->progressBar(m_firstId);
    QCOMPARE(bar->maximum(), 0); // busy: the size is not known yet
    QSignalSpy values(bar, &QProgressBar::valueChanged);
    QTRY_VERIFY(!dialog->isPulling());
    QCOMPARE(dialog->statusLabel(m_firstId)->text(), u"success"_s);
    QCOMPARE(bar->value(), bar->maximum());
    QVERIFY(bar->maximum() > 0);
    // The bar followed the bytes: a quarter, half, three quarters on the way.
    QList<int> seen;
    for (const QList<QVariant> &value : std::as_const(values))
        seen.append(value.constFirst().toInt());
    QVERIFY2(seen.contains(bar->maximum() / 2), qPrintable(u"values seen: %1"_s.arg(seen.size())));
    QVERIFY(dialog->findChild<QLabel *>(u"summary"_s)->text().contains(u"qwen3:4b"_s));
    auto *close = dialog->findChild<QPushButton *>(u"close"_s);
    QVERIFY(close->isVisible());
    QVERIFY(!dialog->findChild<QPushButton *>(u"cancel"_s)->isVisible());
    QVERIFY(dialog->progressBar(m_secondId) == nullptr);
    QVERIFY(m_second->requests().isEmpty());

    // The node is re-discovered: the page lists the new model under it.
    QTRY_VERIFY_WITH_TIMEOUT(listedModels().contains(u"qwen3:4b"_s), 10000);
    QTest::mouseClick(close, Qt::LeftButton);
    QVERIFY(!dialog->isVisible());
}

void TestPullDialog::pullOntoAllNodesShowsTheFailingOne()
{
    const QString error = u"pull model manifest: file does not exist"_s;
    m_second->setPullError(error);
    // The page's own button opens it too.
    m_page->table()->selectRow(Ui::rowWithData(m_page->table(), m_openAiId));
    auto *button = m_page->findChild<QPushButton *>(u"pullModel"_s);
    QVERIFY(button->isEnabled());
    QTest::mouseClick(button, Qt::LeftButton);
    auto *dialog = m_page->findChild<PullModelDialog *>();
    QVERIFY(dialog);
    auto *target = dialog->findChild<QComboBox *>(u"target"_s);
    QCOMPARE(target->currentData().toLongLong(), qint64(0)); // every active Ollama node
    QTest::keyClicks(dialog->findChild<QLineEdit *>(u"model"_s), u"mistral:7b"_s);
    QTest::keyClick(dialog->findChild<QLineEdit *>(u"model"_s), Qt::Key_Return); // Pull is the default

    QTRY_VERIFY(!dialog->isPulling() && dialog->progressBar(m_firstId) && dialog->progressBar(m_secondId));
    QCOMPARE(dialog->statusLabel(m_firstId)->text(), u"success"_s);
    QCOMPARE(dialog->progressBar(m_firstId)->value(), dialog->progressBar(m_firstId)->maximum());
    QCOMPARE(dialog->statusLabel(m_secondId)->text(), error);
    QVERIFY(dialog->progressBar(m_secondId)->value() < dialog->progressBar(m_secondId)->maximum());
    QCOMPARE(dialog->progressBar(m_secondId)->text(), u"Failed"_s);
    QVERIFY(dialog->progressBar(m_openAiId) == nullptr);
    QVERIFY(dialog->findChild<QLabel *>(u"summary"_s)->text().contains(u"1 of 2"_s));
    QTRY_VERIFY(m_first->models().contains(u"mistral:7b"_s));
    QVERIFY(!m_second->models().contains(u"mistral:7b"_s));
}

void TestPullDialog::cancelStopsThePull()
{
    m_first->setChunkDelay(400);
    PullModelDialog *dialog = openDialog(m_firstId);
    QVERIFY(dialog);
    QTest::keyClicks(dialog->findChild<QLineEdit *>(u"model"_s), u"llama3.1:405b"_s);
    QTest::mouseClick(dialog->findChild<QPushButton *>(u"pull"_s), Qt::LeftButton);
    QTRY_VERIFY(dialog->statusLabel(m_firstId) && dialog->statusLabel(m_firstId)->text() == u"pulling manifest"_s);

    auto *cancel = dialog->findChild<QPushButton *>(u"cancel"_s);
    QVERIFY(cancel->isVisible());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QTRY_COMPARE(m_first->cancelledStreams(), 1); // the node saw the connection closed
    QTRY_VERIFY(!dialog->isPulling());
    QCOMPARE(dialog->statusLabel(m_firstId)->text(), u"Cancelled"_s);
    QCOMPARE(dialog->progressBar(m_firstId)->text(), u"Cancelled"_s);
    QVERIFY(dialog->findChild<QLabel *>(u"summary"_s)->text().startsWith(u"Cancelled"_s));
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->findChild<QPushButton *>(u"close"_s)->isVisible());
    QVERIFY(!m_first->models().contains(u"llama3.1:405b"_s));
}

void TestPullDialog::onlyOllamaNodesAreOffered()
{
    QTest::mouseClick(m_page->findChild<QPushButton *>(u"pullModel"_s), Qt::LeftButton);
    auto *dialog = m_page->findChild<PullModelDialog *>();
    QVERIFY(dialog);
    auto *target = dialog->findChild<QComboBox *>(u"target"_s);
    QList<qint64> offered;
    for (int i = 0; i < target->count(); ++i)
        offered.append(target->itemData(i).toLongLong());
    QCOMPARE(offered, (QList<qint64>{0, m_firstId, m_secondId}));
    // Escape closes an idle dialog.
    QTest::keyClick(dialog, Qt::Key_Escape);
    QVERIFY(!dialog->isVisible());
}

QTEST_MAIN(TestPullDialog)
#include "tst_pulldialog.moc"

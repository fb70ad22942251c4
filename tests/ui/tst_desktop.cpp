// The desktop application driven as a team lead would drive it, against a real gateway: every
// change goes through the pages and their dialogs, and its effect is checked over HTTP.

#include "fakeupstream.h"
#include "gatewayfixture.h"
#include "connect/connectdialog.h"
#include "inprocessclient.h"
#include "groups/groupdialogs.h"
#include "groups/groupspage.h"
#include "groups/membermodel.h"
#include "logs/logspage.h"
#include "mainwindow/mainwindow.h"
#include "nodes/nodedialog.h"
#include "nodes/nodespage.h"
#include "policies/policiespage.h"
#include "policies/policydialogs.h"
#include "settings/autostart.h"
#include "settings/settingspage.h"
#include "prompts/systempromptdialog.h"
#include "prompts/systempromptspage.h"
#include "tray/trayicon.h"
#include "uiutil.h"
#include "users/tokendialog.h"
#include "users/userdialogs.h"
#include "users/userspage.h"
#include "wizard/firstrunwizard.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDialogButtonBox>
#include <QFile>
#include <QJsonArray>
#include <QLabel>
#include <QMenu>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QScopeGuard>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QTreeView>

using namespace Qt::StringLiterals;
using namespace Maestro;
using Maestro::Test::FakeUpstream;
using Maestro::Test::GatewayFixture;

class TestDesktop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void createUserThroughUsersPage();
    void limitsThroughUsersPage();
    void addNodeThroughNodesPage();
    void nodesThroughUsersPage();
    void bedrockNodeDialog();
    void chatRequestAppearsInLogsLive();
    void logsPageFilters();
    void shortcutsSwitchPages();
    void connectDialogSnippets_data();
    void connectDialogSnippets();
    void wizardAddsNodeAndUser();
    void groupReorderedByDragServesFromNewFirst();
    void maintenanceConfigRefusesChat();
    void systemPromptAddedOnPageReachesNode();
    void trayWithoutHostKeepsWindow();
    void trayShowsErrorsAndStopsGateway();
    void defaultLimitsFromSettingsPageReachNewUsers();
    void nodeRequestSettingsFromSettingsPage();
    void tlsSettingIsCheckedBeforeItIsKept();
    void startOnLoginWritesAutostartEntry();
    void autostartExecQuoting_data();
    void autostartExecQuoting();
    void translationsAreEmbedded_data();
    void translationsAreEmbedded();

private:
    // Dialogs open with open(), not exec(): they appear as children once the gateway answered.
    template<typename T>
    T *waitForChild(QWidget *parent)
    {
        T *found = nullptr;
        static_cast<void>(QTest::qWaitFor([&] { return (found = parent->findChild<T *>()) != nullptr; }, 10000));
        return found;
    }

    GatewayFixture m_fixture;
    std::unique_ptr<FakeUpstream> m_ollama;
    std::unique_ptr<FakeUpstream> m_second;
    std::unique_ptr<GatewayClient> m_client;
    std::unique_ptr<MainWindow> m_window;
    QByteArray m_aliceToken;
};

void TestDesktop::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    DesktopSettings().clear();
    QString error;
    QVERIFY2(m_fixture.start(&error), qPrintable(error));
    m_ollama = std::make_unique<FakeUpstream>(NodeType::Ollama);
    QVERIFY(m_ollama->listen());
    m_second = std::make_unique<FakeUpstream>(NodeType::OpenAi);
    QVERIFY(m_second->listen());

    // The same suite runs with each GatewayClient (see GatewayFixture::makeClient).
    m_client = m_fixture.makeClient();
    m_window = std::make_unique<MainWindow>(m_client.get(), m_fixture.context());
    m_window->show();
    QTRY_VERIFY(m_client->snapshot().loaded);
    QCOMPARE(m_window->size(), QSize(1100, 720));
}

void TestDesktop::cleanupTestCase()
{
    m_window.reset();
    m_client.reset();
    m_fixture.stop();
}

void TestDesktop::createUserThroughUsersPage()
{
    m_window->showPage(MainWindow::Users);
    UsersPage *page = m_window->usersPage();
    QVERIFY(page->isVisible());
    QTest::mouseClick(page->findChild<QPushButton *>(u"newUser"_s), Qt::LeftButton);
    auto *dialog = waitForChild<NewUserDialog>(page);
    QVERIFY(dialog);
    auto *name = dialog->findChild<QLineEdit *>(u"username"_s);
    QTest::keyClicks(name, u"alice"_s);
    QTest::keyClick(name, Qt::Key_Return); // the Create button is the default

    auto *tokenDialog = waitForChild<TokenDialog>(page);
    QVERIFY(tokenDialog);
    const QString token = tokenDialog->token();
    QVERIFY(token.size() >= 20);
    QCOMPARE(tokenDialog->findChild<QLineEdit *>(u"token"_s)->text(), token);
    QTRY_VERIFY(Ui::rowWithData(page->table(), u"alice"_s) >= 0);
    // "Allow every model" was checked: the grant arrives with the next refresh.
    QTRY_COMPARE(page->table()->item(Ui::rowWithData(page->table(), u"alice"_s), 1)->text(), u"All models"_s);
    tokenDialog->accept();

    m_aliceToken = token.toUtf8();
    QCOMPARE(m_fixture.send("GET", u"/v1/models"_s, m_aliceToken).status, 200);
    QCOMPARE(m_fixture.send("GET", u"/v1/models"_s, "not-" + m_aliceToken).status, 401);
}

void TestDesktop::limitsThroughUsersPage()
{
    QVERIFY(!m_aliceToken.isEmpty());
    m_window->showPage(MainWindow::Users);
    UsersPage *page = m_window->usersPage();
    page->table()->selectRow(Ui::rowWithData(page->table(), u"alice"_s));
    QTest::mouseClick(page->findChild<QPushButton *>(u"editLimits"_s), Qt::LeftButton);
    QPointer<UserLimitsDialog> dialog = waitForChild<UserLimitsDialog>(page);
    QVERIFY(dialog);
    auto *perMinute = dialog->findChild<QSpinBox *>(u"requestsPerMinute"_s);
    auto *tokensPerMinute = dialog->findChild<QSpinBox *>(u"tokensPerMinute"_s);
    QVERIFY(perMinute && tokensPerMinute);
    QCOMPARE(perMinute->text(), u"Unlimited"_s);
    perMinute->setValue(2);
    tokensPerMinute->setValue(50'000);
    dialog->accept();
    QTRY_VERIFY(!dialog);

    const auto limited = [this] {
        const QJsonObject limits = m_fixture.admin("GET", u"/admin/users/alice/limits"_s).json();
        return std::pair(limits.value("requests_per_minute"_L1).toInt(), limits.value("tokens_per_minute"_L1).toInt());
    };
    QTRY_COMPARE(limited(), std::pair(2, 50'000));
    QTRY_VERIFY(std::any_of(m_client->snapshot().users.cbegin(), m_client->snapshot().users.cend(), [](const User &user) {
        return user.username == "alice"_L1 && user.requestsPerMinute == 2;
    }));

    // The dialog shows what is set, and back at "Unlimited" it clears it.
    QTest::mouseClick(page->findChild<QPushButton *>(u"editLimits"_s), Qt::LeftButton);
    dialog = waitForChild<UserLimitsDialog>(page);
    QVERIFY(dialog);
    perMinute = dialog->findChild<QSpinBox *>(u"requestsPerMinute"_s);
    QCOMPARE(perMinute->value(), 2);
    QCOMPARE(dialog->findChild<QSpinBox *>(u"tokensPerMinute"_s)->value(), 50'000);
    perMinute->setValue(0);
    dialog->findChild<QSpinBox *>(u"tokensPerMinute"_s)->setValue(0);
    dialog->accept();
    QTRY_VERIFY(!dialog);
    QTRY_COMPARE(limited(), std::pair(0, 0));
    QVERIFY(m_fixture.admin("GET", u"/admin/users/alice/limits"_s).json().value("requests_per_minute"_L1).isNull());
}

void TestDesktop::nodesThroughUsersPage()
{
    QVERIFY(!m_aliceToken.isEmpty());
    m_window->showPage(MainWindow::Users);
    UsersPage *page = m_window->usersPage();
    page->table()->selectRow(Ui::rowWithData(page->table(), u"alice"_s));
    QTest::mouseClick(page->findChild<QPushButton *>(u"editNodes"_s), Qt::LeftButton);
    QPointer<UserNodesDialog> dialog = waitForChild<UserNodesDialog>(page);
    QVERIFY(dialog);
    auto *all = dialog->findChild<QCheckBox *>(u"allNodes"_s);
    auto *list = dialog->findChild<QListWidget *>(u"nodes"_s);
    QVERIFY(all && list);
    QVERIFY(all->isChecked());
    QVERIFY(list->count() >= 1);
    all->setChecked(false);
    list->item(0)->setCheckState(Qt::Checked);
    const qint64 nodeId = list->item(0)->data(Qt::UserRole).toLongLong();
    const QString nodeName = list->item(0)->text();
    dialog->accept();
    QTRY_VERIFY(!dialog);

    const auto nodeIds = [this] {
        return m_fixture.admin("GET", u"/admin/users/alice/nodes"_s).json().value("node_ids"_L1).toArray();
    };
    QTRY_COMPARE(nodeIds(), QJsonArray{double(nodeId)});
    QTRY_VERIFY(page->table()->item(Ui::rowWithData(page->table(), u"alice"_s), 1)->text().contains(nodeName));

    // Back to every node.
    QTest::mouseClick(page->findChild<QPushButton *>(u"editNodes"_s), Qt::LeftButton);
    dialog = waitForChild<UserNodesDialog>(page);
    QVERIFY(dialog);
    QVERIFY(!dialog->findChild<QCheckBox *>(u"allNodes"_s)->isChecked());
    QCOMPARE(dialog->nodeIds(), QList<qint64>{nodeId});
    dialog->findChild<QCheckBox *>(u"allNodes"_s)->setChecked(true);
    dialog->accept();
    QTRY_VERIFY(!dialog);
    QTRY_COMPARE(nodeIds(), QJsonArray());
    QTRY_COMPARE(page->table()->item(Ui::rowWithData(page->table(), u"alice"_s), 1)->text(), u"All models"_s);
}

// The Bedrock fields show for that type only; the address may stay empty once a region is given;
// IAM credentials typed go to the service as such, never as an API key.
void TestDesktop::bedrockNodeDialog()
{
    NodeDialog dialog;
    dialog.show();
    auto *type = dialog.findChild<QComboBox *>(u"nodeType"_s);
    auto *region = dialog.findChild<QLineEdit *>(u"region"_s);
    auto *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(type && region && ok);
    QVERIFY(!region->isVisible());
    type->setCurrentIndex(type->findData(u"bedrock"_s));
    QVERIFY(region->isVisible());
    QTest::keyClicks(dialog.findChild<QLineEdit *>(u"name"_s), u"bedrock-1"_s);
    QVERIFY(!ok->isEnabled()); // no region, no address
    QTest::keyClicks(region, u"eu-west-1"_s);
    QVERIFY(ok->isEnabled());
    QTest::keyClicks(dialog.findChild<QLineEdit *>(u"awsAccessKeyId"_s), u"AKIAEXAMPLE"_s);
    QTest::keyClicks(dialog.findChild<QLineEdit *>(u"awsSecretAccessKey"_s), u"secret"_s);
    dialog.findChild<QPlainTextEdit *>(u"modelIds"_s)->setPlainText(u"amazon.nova-pro-v1:0\n\nmeta.llama3-70b-instruct-v1:0\n"_s);

    const AdminService::NodeInput input = dialog.input();
    QCOMPARE(input.nodeType.value_or(QString()), u"bedrock"_s);
    QCOMPARE(input.region.value_or(QString()), u"eu-west-1"_s);
    QCOMPARE(input.modelIds.value_or(QStringList()),
             (QStringList{u"amazon.nova-pro-v1:0"_s, u"meta.llama3-70b-instruct-v1:0"_s}));
    QCOMPARE(input.awsAccessKeyId.value_or(QString()), u"AKIAEXAMPLE"_s);
    QCOMPARE(input.awsSecretAccessKey.value_or(QString()), u"secret"_s);
    QVERIFY(!input.apiKey);
    QCOMPARE(input.baseUrl.value_or(u"x"_s), QString());

    type->setCurrentIndex(type->findData(u"ollama"_s));
    QVERIFY(!region->isVisible());
    QVERIFY(!ok->isEnabled()); // an Ollama node needs its address
    QCOMPARE(Ui::nodeTypeText(NodeType::Bedrock), u"Amazon Bedrock"_s);
}

void TestDesktop::addNodeThroughNodesPage()
{
    m_window->showPage(MainWindow::Nodes);
    NodesPage *page = m_window->nodesPage();
    // Ctrl+N creates on the current page.
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_N, Qt::ControlModifier);
    auto *dialog = waitForChild<NodeDialog>(page);
    QVERIFY(dialog);
    QTest::keyClicks(dialog->findChild<QLineEdit *>(u"name"_s), u"gpu-1"_s);
    QTest::keyClicks(dialog->findChild<QLineEdit *>(u"baseUrl"_s), m_ollama->baseUrl().toString());
    auto *warmup = dialog->findChild<QCheckBox *>(u"warmup"_s);
    QVERIFY(warmup->isEnabled());
    warmup->setChecked(true);
    dialog->accept();

    QTRY_VERIFY_WITH_TIMEOUT(page->table()->rowCount() == 1, 10000);
    // Warmup was checked: discovery loads each model once.
    QStringList loads;
    QTRY_COMPARE_WITH_TIMEOUT((loads = [this] {
                                  QStringList models;
                                  for (const auto &request : m_ollama->requests()) {
                                      if (request.path == "/api/generate")
                                          models.append(request.body.value("model"_L1).toString());
                                  }
                                  models.sort();
                                  return models;
                              }()).size(), 2, 10000);
    QCOMPARE(loads, (QStringList{u"llama3.2:latest"_s, u"nomic-embed-text:latest"_s}));
    QTRY_COMPARE_WITH_TIMEOUT(page->table()->item(0, 3)->text(), Ui::healthText(Health::Healthy), 10000);
    page->table()->selectRow(0);
    QStringList models;
    QTRY_VERIFY(page->modelsTable()->rowCount() == 2);
    for (int row = 0; row < page->modelsTable()->rowCount(); ++row)
        models.append(page->modelsTable()->item(row, 0)->text());
    models.sort();
    QCOMPARE(models, (QStringList{u"llama3.2:latest"_s, u"nomic-embed-text:latest"_s}));

    // "Sync now" probes the node again through the gateway.
    const int before = m_ollama->requestCount();
    QTest::mouseClick(page->findChild<QPushButton *>(u"syncNow"_s), Qt::LeftButton);
    QTRY_VERIFY(m_ollama->requestCount() > before);
    QTRY_VERIFY(page->findChild<QLabel *>(u"status"_s)->text().contains(u"gpu-1"_s));
}

void TestDesktop::chatRequestAppearsInLogsLive()
{
    QVERIFY(!m_aliceToken.isEmpty());
    m_window->showPage(MainWindow::Logs);
    LogsPage *page = m_window->logsPage();
    QTRY_VERIFY(!m_client->isBusy());
    const int before = page->requestsTable()->rowCount();

    const QJsonObject chat{{u"model"_s, u"llama3.2:latest"_s},
                           {u"stream"_s, false},
                           {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}};
    QCOMPARE(m_fixture.send("POST", u"/api/chat"_s, m_aliceToken, chat).status, 200);

    QTRY_COMPARE_WITH_TIMEOUT(page->requestsTable()->rowCount(), before + 1, 10000);
    QCOMPARE(page->requestsTable()->item(0, 1)->text(), u"alice"_s);
    QCOMPARE(page->requestsTable()->item(0, 2)->text(), u"llama3.2:latest"_s);
    QCOMPARE(page->requestsTable()->item(0, 5)->text(), u"200"_s);
    page->requestsTable()->selectRow(0);
    QVERIFY(page->details()->toPlainText().contains(u"/api/chat"_s));
    QVERIFY(page->details()->toPlainText().contains(u"gpu-1"_s));

    // A user filter that does not match hides new requests. The page hears of each logged
    // request from the client's requestLogged(), before a receiver connected later does.
    page->setUserFilter(u"nobody"_s);
    QTRY_COMPARE(page->requestsTable()->rowCount(), 0);
    QStringList logged;
    QObject context;
    connect(m_client.get(), &GatewayClient::requestLogged, &context,
            [&logged](const RequestLogEntry &entry) { logged.append(entry.username); });
    const qint64 written = m_fixture.usage()->writtenCount();
    QCOMPARE(m_fixture.send("POST", u"/api/chat"_s, m_aliceToken, chat).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(logged, QStringList{u"alice"_s}, 10000);
    QCOMPARE(page->requestsTable()->rowCount(), 0);
    // Another filter reads the request log again, which has the request once it is written there.
    QTRY_VERIFY_WITH_TIMEOUT(m_fixture.usage()->writtenCount() > written, 10000);
    page->setUserFilter(u"alice"_s);
    QTRY_COMPARE(page->requestsTable()->rowCount(), before + 2);
    page->setUserFilter(QString());

    // The Nodes page counts the node's requests of the day as they are logged.
    NodesPage *nodes = m_window->nodesPage();
    QCOMPARE(nodes->table()->item(0, 0)->text(), u"gpu-1"_s);
    QTRY_COMPARE_WITH_TIMEOUT(nodes->table()->item(0, 6)->text(), u"2"_s, 5000);
    QVERIFY(nodes->table()->item(0, 7)->text().endsWith(u" ms"_s));
}

void TestDesktop::logsPageFilters()
{
    QVERIFY(!m_aliceToken.isEmpty());
    m_window->showPage(MainWindow::Logs);
    LogsPage *page = m_window->logsPage();
    QTableWidget *table = page->requestsTable();

    // Entries of a user of their own, as the usage writer writes them.
    const QDateTime at(QDate(2024, 5, 1), QTime(12, 0), Qt::UTC);
    QList<RequestLogEntry> entries;
    const auto add = [&](const QString &model, int status, const QString &endpoint, const QString &dialect, int days) {
        RequestLogEntry e;
        e.userId = 999;
        e.username = u"filtered"_s;
        e.model = model;
        e.statusCode = status;
        e.endpoint = endpoint;
        e.dialect = dialect;
        e.reason = status >= 400 ? u"model_not_allowed"_s : QString();
        e.createdAt = at.addDays(days);
        entries.append(e);
    };
    add(u"llama3:8b"_s, 200, u"/api/chat"_s, u"ollama"_s, 0);
    add(u"Llama3-Instruct"_s, 403, u"/v1/chat/completions"_s, u"openai"_s, 0);
    add(u"qwen2:7b"_s, 429, u"/v1/messages"_s, u"anthropic"_s, 1);
    add(u"qwen2:7b"_s, 503, u"/v1/messages"_s, u"anthropic"_s, 2);
    QVERIFY(m_fixture.store()->insertRequestLogs(entries));

    page->setUserFilter(u"filtered"_s);
    QTRY_COMPARE(table->rowCount(), 4);
    page->setStatusFilter(u"4xx"_s);
    QTRY_COMPARE(table->rowCount(), 2);
    QCOMPARE(table->item(0, 8)->text(), u"model_not_allowed"_s);
    page->setStatusFilter(u"403,5xx"_s);
    QTRY_COMPARE(table->rowCount(), 2);
    page->setStatusFilter(QString());
    page->setDialectFilter(u"anthropic"_s);
    QTRY_COMPARE(table->rowCount(), 2);
    page->setDialectFilter(QString());
    page->setEndpointFilter(u"/v1/chat/completions"_s);
    QTRY_COMPARE(table->rowCount(), 1);
    page->setEndpointFilter(QString());
    page->setModelFilter(u"LLAMA3"_s); // part of the name, in any case
    QTRY_COMPARE(table->rowCount(), 2);
    page->setModelFilter(QString());
    page->setDateFilter(QDate(2024, 5, 2), QDate(2024, 5, 2)); // one day, both ends included
    QTRY_COMPARE(table->rowCount(), 1);
    page->setDateFilter(QDate(2024, 5, 2), QDate());
    QTRY_COMPARE(table->rowCount(), 2);
    page->setDateFilter(QDate(), QDate());
    QTRY_COMPARE(table->rowCount(), 4);

    // A refusal of a known user shows up live under the filters it fits, with its reason.
    page->setUserFilter(u"alice"_s);
    page->setStatusFilter(u"404"_s);
    QTRY_VERIFY(page->currentQuery().statuses.size() == 1 && !m_client->isBusy());
    QTest::qWait(400); // the reload after typing has run
    const int before = table->rowCount();
    const QJsonObject chat{{u"model"_s, u"no-such-model"_s},
                           {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}};
    QCOMPARE(m_fixture.send("POST", u"/api/chat"_s, m_aliceToken, chat).status, 404);
    QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), before + 1, 10000);
    QCOMPARE(table->item(0, 5)->text(), u"404"_s);
    QCOMPARE(table->item(0, 8)->text(), u"unknown_model"_s);
    page->setStatusFilter(QString());
    page->setUserFilter(QString());
}

void TestDesktop::shortcutsSwitchPages()
{
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    for (int page = MainWindow::PageCount - 1; page >= 0; --page) {
        QTest::keyClick(m_window.get(), Qt::Key(Qt::Key_1 + page), Qt::ControlModifier);
        QCOMPARE(m_window->currentPage(), page);
    }
    // Policies follow Groups: Ctrl+6, then System prompts: Ctrl+7; Logs and Settings move up to
    // Ctrl+8 and Ctrl+9.
    QTest::keyClick(m_window.get(), Qt::Key_6, Qt::ControlModifier);
    QCOMPARE(m_window->currentPage(), int(MainWindow::Policies));
    QVERIFY(m_window->policiesPage()->isVisible());
    QTest::keyClick(m_window.get(), Qt::Key_7, Qt::ControlModifier);
    QCOMPARE(m_window->currentPage(), int(MainWindow::SystemPrompts));
    QVERIFY(m_window->systemPromptsPage()->isVisible());
    QTest::keyClick(m_window.get(), Qt::Key_8, Qt::ControlModifier);
    QCOMPARE(m_window->currentPage(), int(MainWindow::Logs));
    QTest::keyClick(m_window.get(), Qt::Key_9, Qt::ControlModifier);
    QCOMPARE(m_window->currentPage(), int(MainWindow::Settings));
    // Connecting a client takes the key after the last page's: Ctrl+0.
    QCOMPARE(int(MainWindow::PageCount), 9);
    QTest::keyClick(m_window.get(), Qt::Key_0, Qt::ControlModifier);
    auto *dialog = waitForChild<ConnectDialog>(m_window.get());
    QVERIFY(dialog);
    QPointer<ConnectDialog> guard(dialog);
    dialog->close();
    QTRY_VERIFY(!guard);
}

void TestDesktop::connectDialogSnippets_data()
{
    QTest::addColumn<int>("tool");
    QTest::addColumn<QStringList>("expected");
    const QString v1 = u"/v1"_s;
    QTest::newRow("Claude Code gets the three ANTHROPIC_ variables")
        << int(ConnectDialog::Tool::ClaudeCode)
        << QStringList{u"ANTHROPIC_BASE_URL="_s, u"ANTHROPIC_AUTH_TOKEN=\"secret-token\""_s, u"ANTHROPIC_MODEL=\"coder\""_s};
    QTest::newRow("Codex gets a provider with the /v1 base URL")
        << int(ConnectDialog::Tool::Codex) << QStringList{u"[model_providers.maestro]"_s, v1, u"secret-token"_s};
    QTest::newRow("Continue gets a config.yaml model entry")
        << int(ConnectDialog::Tool::Continue) << QStringList{u"provider: openai"_s, u"apiKey: secret-token"_s, v1};
    QTest::newRow("Cline is an OpenAI Compatible provider")
        << int(ConnectDialog::Tool::Cline) << QStringList{u"OpenAI Compatible"_s, u"coder"_s};
    QTest::newRow("Cursor overrides the OpenAI base URL")
        << int(ConnectDialog::Tool::Cursor) << QStringList{u"Override OpenAI Base URL"_s, v1};
    QTest::newRow("the Ollama snippet sends the token as a bearer header")
        << int(ConnectDialog::Tool::OllamaSdk) << QStringList{u"Bearer secret-token"_s, u"/api/chat"_s};
    QTest::newRow("the OpenAI SDK snippet uses base_url and api_key")
        << int(ConnectDialog::Tool::OpenAiSdk) << QStringList{u"base_url="_s, u"api_key=\"secret-token\""_s};
}

void TestDesktop::connectDialogSnippets()
{
    QFETCH(int, tool);
    QFETCH(QStringList, expected);
    ConnectDialog *dialog = m_window->openConnectDialog(u"secret-token"_s);
    dialog->setModel(u"coder"_s);
    dialog->setTool(ConnectDialog::Tool(tool));
    const QString snippet = dialog->snippet();
    QVERIFY(snippet.contains(m_client->baseUrl()));
    for (const QString &part : std::as_const(expected))
        QVERIFY2(snippet.contains(part), qPrintable(snippet));
    dialog->close();
}

void TestDesktop::wizardAddsNodeAndUser()
{
    FirstRunWizard wizard(m_client.get(), GatewayFixture::AdminToken, m_window.get());
    wizard.show();
    QCOMPARE(wizard.findChild<QLineEdit *>(u"adminToken"_s)->text(), QString::fromLatin1(GatewayFixture::AdminToken));
    wizard.next();
    auto *name = wizard.findChild<QLineEdit *>(u"nodeName"_s);
    name->setText(u"cloud"_s);
    wizard.findChild<QLineEdit *>(u"nodeUrl"_s)->setText(m_second->baseUrl().toString());
    auto *type = wizard.findChild<QComboBox *>(u"nodeType"_s);
    type->setCurrentIndex(type->findData(u"openai"_s));
    QTest::mouseClick(wizard.findChild<QPushButton *>(u"testConnection"_s), Qt::LeftButton);
    auto *status = wizard.findChild<QLabel *>(u"nodeStatus"_s);
    QTRY_VERIFY_WITH_TIMEOUT(status->property("healthy").isValid(), 10000);
    QVERIFY2(status->property("healthy").toBool(), qPrintable(status->text()));
    QTRY_VERIFY(std::any_of(m_client->snapshot().nodes.cbegin(), m_client->snapshot().nodes.cend(),
                            [](const Node &node) { return node.name == u"cloud"_s; }));

    wizard.next();
    QTest::keyClicks(wizard.findChild<QLineEdit *>(u"username"_s), u"bob"_s);
    QTest::mouseClick(wizard.findChild<QPushButton *>(u"createUser"_s), Qt::LeftButton);
    QTRY_VERIFY(!wizard.userToken().isEmpty());
    const QByteArray token = wizard.userToken().toUtf8();
    const QJsonObject chat{{u"model"_s, u"gpt-4o-mini"_s},
                           {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}};
    // The wizard grants every model right after creating the user.
    QTRY_COMPARE(m_fixture.send("POST", u"/v1/chat/completions"_s, token, chat).status, 200);
    wizard.next();
    QCOMPARE(wizard.currentId(), int(FirstRunWizard::Done));
}

void TestDesktop::groupReorderedByDragServesFromNewFirst()
{
    // gpu-1 (m_ollama) serves llama3.2:latest, cloud (m_second, from the wizard) gpt-4o-mini.
    QVERIFY(!m_aliceToken.isEmpty());
    m_window->showPage(MainWindow::Groups);
    GroupsPage *page = m_window->groupsPage();
    QVERIFY(page->isVisible());
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_N, Qt::ControlModifier);
    QPointer<GroupDialog> groupDialog = waitForChild<GroupDialog>(page);
    QVERIFY(groupDialog);
    QTest::keyClicks(groupDialog->findChild<QLineEdit *>(u"groupName"_s), u"team-chat"_s);
    auto *strategy = groupDialog->findChild<QComboBox *>(u"strategy"_s);
    strategy->setCurrentIndex(strategy->findData(u"priority"_s));
    groupDialog->findChild<QCheckBox *>(u"listInCatalog"_s)->setChecked(true);
    groupDialog->accept();
    QTRY_VERIFY(!groupDialog);
    QTRY_COMPARE(page->selectedGroup(), u"team-chat"_s);

    const auto addMember = [this, page](const QString &model, bool tools) {
        auto *add = page->findChild<QPushButton *>(u"addMember"_s);
        QVERIFY(add->isEnabled());
        QTest::mouseClick(add, Qt::LeftButton);
        QPointer<MemberDialog> dialog = waitForChild<MemberDialog>(page);
        QVERIFY(dialog);
        auto *name = dialog->findChild<QComboBox *>(u"model"_s);
        name->clearEditText();
        QTest::keyClicks(name->lineEdit(), model);
        QCOMPARE(name->currentText(), model);
        dialog->findChild<QCheckBox *>(u"tools"_s)->setChecked(tools);
        dialog->accept();
        QTRY_VERIFY(!dialog);
    };
    addMember(u"llama3.2:latest"_s, false);
    QVERIFY(!QTest::currentTestFailed());
    QTRY_COMPARE(page->memberModel()->rowCount(), 1);
    addMember(u"gpt-4o-mini"_s, true);
    QVERIFY(!QTest::currentTestFailed());
    MemberModel *model = page->memberModel();
    QTRY_COMPARE(model->rowCount(), 2);
    QCOMPARE(model->members().at(0).model, u"llama3.2:latest"_s);
    QCOMPARE(model->index(1, MemberModel::Tags).data().toString(), u"[tools]"_s);

    const QJsonObject chat{{u"model"_s, u"team-chat"_s},
                           {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}};
    int ollama = m_ollama->requestCount();
    int cloud = m_second->requestCount();
    QCOMPARE(m_fixture.send("POST", u"/v1/chat/completions"_s, m_aliceToken, chat).status, 200);
    QCOMPARE(m_ollama->requestCount(), ollama + 1);
    QCOMPARE(m_second->requestCount(), cloud);

    // A drag in the list ends, on the drop, in the view asking its model for the dragged rows'
    // data and handing it back at the drop position (above the first row here). The view only
    // does that for a drag it started itself (InternalMove), which a test cannot start, so the
    // same two calls are made here.
    QTreeView *view = page->membersView();
    QCOMPARE(view->dragDropMode(), QAbstractItemView::InternalMove);
    QVERIFY(model->flags(model->index(1, 0)) & Qt::ItemIsDragEnabled);
    QVERIFY(model->flags(QModelIndex()) & Qt::ItemIsDropEnabled);
    view->selectionModel()->select(model->index(1, 0),
                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    const qint64 dragged = page->selectedMember();
    std::unique_ptr<QMimeData> data(model->mimeData(view->selectionModel()->selectedIndexes()));
    QVERIFY(model->canDropMimeData(data.get(), Qt::MoveAction, 0, 0, QModelIndex()));
    QVERIFY(model->dropMimeData(data.get(), Qt::MoveAction, 0, 0, QModelIndex()));
    QCOMPARE(model->members().at(0).model, u"gpt-4o-mini"_s);

    // The gateway has the new order: the admin API (the AdminService) lists it first...
    QTRY_VERIFY_WITH_TIMEOUT(m_fixture.admin("GET", u"/admin/model-groups/team-chat"_s)
                                     .json().value("members"_L1).toArray().at(0).toObject()
                                     .value("model_display_name"_L1).toString() == u"gpt-4o-mini"_s,
                             5000);
    const QJsonArray members = m_fixture.admin("GET", u"/admin/model-groups/team-chat"_s).json().value("members"_L1).toArray();
    QCOMPARE(members.size(), 2);
    QCOMPARE(members.at(1).toObject().value("model_display_name"_L1).toString(), u"llama3.2:latest"_s);
    // ...the page shows it after the refresh, the dragged member still selected...
    QTRY_COMPARE(m_client->snapshot().group(u"team-chat"_s)->members.at(0).model, u"gpt-4o-mini"_s);
    QCOMPARE(model->members().at(0).priority, 0);
    QCOMPARE(page->selectedMember(), dragged);
    // ...and a chat request for the group is served by the member now first.
    ollama = m_ollama->requestCount();
    cloud = m_second->requestCount();
    QCOMPARE(m_fixture.send("POST", u"/v1/chat/completions"_s, m_aliceToken, chat).status, 200);
    QCOMPARE(m_second->requestCount(), cloud + 1);
    QCOMPARE(m_ollama->requestCount(), ollama);

    // Move down (keyboard: Ctrl+Down in the list) puts it back.
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    view->setFocus();
    QTRY_VERIFY(view->hasFocus());
    QTest::keyClick(view, Qt::Key_Down, Qt::ControlModifier);
    QCOMPARE(model->members().at(1).id, dragged);
    QTRY_COMPARE(m_client->snapshot().group(u"team-chat"_s)->members.at(0).model, u"llama3.2:latest"_s);
    QCOMPARE(m_fixture.send("POST", u"/v1/chat/completions"_s, m_aliceToken, chat).status, 200);
    QCOMPARE(m_ollama->requestCount(), ollama + 1);
}

void TestDesktop::maintenanceConfigRefusesChat()
{
    // gpu-1 (m_ollama) serves llama3.2:latest, and alice may use every model.
    QVERIFY(!m_aliceToken.isEmpty());
    m_window->showPage(MainWindow::Policies);
    PoliciesPage *page = m_window->policiesPage();
    QVERIFY(page->isVisible());

    // A tool set first, through its dialog.
    QTest::mouseClick(page->findChild<QPushButton *>(u"newToolSet"_s), Qt::LeftButton);
    QPointer<ToolSetDialog> setDialog = waitForChild<ToolSetDialog>(page);
    QVERIFY(setDialog);
    QTest::keyClicks(setDialog->findChild<QLineEdit *>(u"toolSetName"_s), u"files"_s);
    QTest::keyClicks(setDialog->findChild<QLineEdit *>(u"description"_s), u"Read and write files"_s);
    setDialog->findChild<QPlainTextEdit *>(u"tools"_s)->setPlainText(u"read_file\nwrite_file\n\nread_file\n"_s);
    setDialog->accept();
    QTRY_VERIFY(!setDialog);
    QTRY_COMPARE(page->toolSetsTable()->rowCount(), 1);
    QCOMPARE(page->toolSetsTable()->item(0, 0)->text(), u"files"_s);
    QCOMPARE(page->toolSetsTable()->item(0, 2)->text(), u"read_file, write_file"_s);

    // Then a configuration for the model with maintenance on (Ctrl+N on this page).
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_N, Qt::ControlModifier);
    QPointer<ModelConfigDialog> dialog = waitForChild<ModelConfigDialog>(page);
    QVERIFY(dialog);
    auto *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled());
    QTest::keyClicks(dialog->findChild<QLineEdit *>(u"pattern"_s), u"llama3.2:latest"_s);
    QVERIFY(ok->isEnabled());
    auto *maintenance = dialog->findChild<QCheckBox *>(u"maintenance"_s);
    auto *message = dialog->findChild<QLineEdit *>(u"maintenanceMessage"_s);
    QVERIFY(!message->isEnabled());
    maintenance->setChecked(true);
    QVERIFY(message->isEnabled());
    QTest::keyClicks(message, u"Back after the driver update"_s);
    dialog->findChild<QCheckBox *>(u"restrictTools"_s)->setChecked(true);
    QTest::keyClicks(dialog->findChild<QLineEdit *>(u"allowedTools"_s), u"search, fetch"_s);
    auto *sets = dialog->findChild<QListWidget *>(u"toolSets"_s);
    QCOMPARE(sets->count(), 1);
    sets->item(0)->setCheckState(Qt::Checked);
    QTest::keyClicks(dialog->findChild<QLineEdit *>(u"strippedParams"_s), u"reasoning_effort"_s);
    // Context lengths: a bad one keeps OK disabled; 32K and 1M are accepted.
    auto *defaultContext = dialog->findChild<QLineEdit *>(u"defaultContext"_s);
    auto *maxContext = dialog->findChild<QLineEdit *>(u"maxContext"_s);
    QTest::keyClicks(defaultContext, u"lots"_s);
    QVERIFY(!ok->isEnabled());
    defaultContext->setText(u"2M"_s);
    QTest::keyClicks(maxContext, u"1M"_s);
    QVERIFY(!ok->isEnabled()); // the default is larger than the maximum
    defaultContext->setText(u"32K"_s);
    QVERIFY(ok->isEnabled());
    dialog->findChild<QCheckBox *>(u"keepThinkTags"_s)->setChecked(true);
    QTest::mouseClick(ok, Qt::LeftButton);
    QTRY_VERIFY(!dialog);

    QTRY_COMPARE(page->configsTable()->rowCount(), 1);
    QTRY_COMPARE(page->selectedConfig(), u"llama3.2:latest"_s);
    QCOMPARE(page->configsTable()->item(0, 1)->text(), u"Maintenance"_s);
    QCOMPARE(page->configsTable()->item(0, 2)->text(), u"only: search, fetch + set files"_s);
    QCOMPARE(page->configsTable()->item(0, 3)->text(), u"reasoning_effort"_s);
    QCOMPARE(page->configsTable()->item(0, 4)->text(), u"32K / 1M"_s);
    const ModelConfig *saved = m_client->snapshot().modelConfig(u"llama3.2:latest"_s);
    QVERIFY(saved);
    QCOMPARE(saved->defaultContextLength, qint64(32768));
    QCOMPARE(saved->maxContextLength, qint64(1024 * 1024));
    QCOMPARE(saved->toolSets, QStringList{u"files"_s});
    QVERIFY(saved->keepThinkTags);

    // The gateway refuses the model with the message.
    const QJsonObject chat{{u"model"_s, u"llama3.2:latest"_s},
                           {u"stream"_s, false},
                           {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}};
    const int before = m_ollama->requestCount();
    const auto refused = m_fixture.send("POST", u"/v1/chat/completions"_s, m_aliceToken, chat);
    QCOMPARE(refused.status, 503);
    QVERIFY2(refused.body.contains("Back after the driver update"), refused.body.constData());
    QCOMPARE(m_ollama->requestCount(), before);

    // Edited back out of maintenance, the model serves again.
    QTest::mouseClick(page->findChild<QPushButton *>(u"editConfig"_s), Qt::LeftButton);
    dialog = waitForChild<ModelConfigDialog>(page);
    QVERIFY(dialog);
    QCOMPARE(dialog->findChild<QLineEdit *>(u"maxContext"_s)->text(), u"1M"_s);
    QVERIFY(dialog->findChild<QListWidget *>(u"toolSets"_s)->item(0)->checkState() == Qt::Checked);
    QVERIFY(dialog->findChild<QCheckBox *>(u"keepThinkTags"_s)->isChecked());
    dialog->findChild<QCheckBox *>(u"maintenance"_s)->setChecked(false);
    // ...with at most one request a minute, for every user together.
    auto *perMinute = dialog->findChild<QSpinBox *>(u"requestsPerMinute"_s);
    QCOMPARE(perMinute->text(), u"Unlimited"_s);
    perMinute->setValue(1);
    dialog->accept();
    QTRY_VERIFY(!dialog);
    QTRY_COMPARE(page->configsTable()->item(0, 1)->text(), u"Serving"_s);
    QTRY_COMPARE(m_client->snapshot().modelConfig(u"llama3.2:latest"_s)->requestsPerMinute, std::optional<qint64>(1));
    QTRY_COMPARE(page->configsTable()->item(0, 5)->text(), u"1 request(s)"_s);
    QCOMPARE(m_fixture.send("POST", u"/v1/chat/completions"_s, m_aliceToken, chat).status, 200);
    const auto limited = m_fixture.send("POST", u"/v1/chat/completions"_s, m_aliceToken, chat);
    QCOMPARE(limited.status, 429);
    QVERIFY2(limited.body.contains("1 request per minute for model 'llama3.2:latest'"), limited.body.constData());

    // Editing a tool set keeps its name.
    page->toolSetsTable()->selectRow(0);
    QTest::mouseClick(page->findChild<QPushButton *>(u"editToolSet"_s), Qt::LeftButton);
    setDialog = waitForChild<ToolSetDialog>(page);
    QVERIFY(setDialog);
    QVERIFY(setDialog->findChild<QLineEdit *>(u"toolSetName"_s)->isReadOnly());
    setDialog->reject();
    QTRY_VERIFY(!setDialog);

    // Later tests chat with this model without its limit.
    QCOMPARE(m_fixture.admin("DELETE", u"/admin/model-configs/llama3.2:latest"_s).status, 204);
}

void TestDesktop::systemPromptAddedOnPageReachesNode()
{
    // gpu-1 (m_ollama) serves llama3.2:latest to alice.
    QVERIFY(!m_aliceToken.isEmpty());
    m_window->showPage(MainWindow::SystemPrompts);
    SystemPromptsPage *page = m_window->systemPromptsPage();
    QVERIFY(page->isVisible());

    QTest::mouseClick(page->findChild<QPushButton *>(u"newPrompt"_s), Qt::LeftButton);
    QPointer<SystemPromptDialog> dialog = waitForChild<SystemPromptDialog>(page);
    QVERIFY(dialog);
    auto *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    auto *scope = dialog->findChild<QComboBox *>(u"scope"_s);
    auto *value = dialog->findChild<QLineEdit *>(u"scopeValue"_s);
    QVERIFY(!value->isEnabled()); // "every request" needs no name
    scope->setCurrentIndex(scope->findData(int(PromptScope::User)));
    QVERIFY(value->isEnabled());
    // The user names are offered as the value is typed.
    QVERIFY(value->completer());
    value->completer()->setCompletionPrefix(u"ali"_s);
    QCOMPARE(value->completer()->currentCompletion(), u"alice"_s);
    QTest::keyClicks(value, u"alice"_s);
    QVERIFY(!ok->isEnabled()); // no prompt yet
    dialog->findChild<QPlainTextEdit *>(u"prompt"_s)->setPlainText(u"You answer for the Acme team.\nBe brief."_s);
    QVERIFY(ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);
    QTRY_VERIFY(!dialog);

    QTRY_COMPARE(page->table()->rowCount(), 1);
    QCOMPARE(page->table()->item(0, 0)->text(), u"User"_s);
    QCOMPARE(page->table()->item(0, 1)->text(), u"alice"_s);
    QCOMPARE(page->table()->item(0, 3)->text(), u"Yes"_s);
    QCOMPARE(page->table()->item(0, 4)->text(), u"You answer for the Acme team."_s);

    const QJsonObject chat{{u"model"_s, u"llama3.2:latest"_s},
                           {u"stream"_s, false},
                           {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}};
    QCOMPARE(m_fixture.send("POST", u"/api/chat"_s, m_aliceToken, chat).status, 200);
    const QJsonArray sent = m_ollama->lastRequest().body.value("messages"_L1).toArray();
    QCOMPARE(sent.size(), 2);
    QCOMPARE(sent.at(0).toObject(), (QJsonObject{{u"role"_s, u"system"_s},
                                                 {u"content"_s, u"You answer for the Acme team.\nBe brief."_s}}));

    // Switched off in its dialog, the prompt no longer reaches the node.
    page->table()->selectRow(0);
    QTest::mouseClick(page->findChild<QPushButton *>(u"editPrompt"_s), Qt::LeftButton);
    dialog = waitForChild<SystemPromptDialog>(page);
    QVERIFY(dialog);
    QCOMPARE(dialog->findChild<QLineEdit *>(u"scopeValue"_s)->text(), u"alice"_s);
    dialog->findChild<QCheckBox *>(u"active"_s)->setChecked(false);
    dialog->accept();
    QTRY_VERIFY(!dialog);
    QTRY_COMPARE(page->table()->item(0, 3)->text(), u"No"_s);
    QCOMPARE(m_fixture.send("POST", u"/api/chat"_s, m_aliceToken, chat).status, 200);
    QCOMPARE(m_ollama->lastRequest().body.value("messages"_L1).toArray().size(), 1);
}

void TestDesktop::trayWithoutHostKeepsWindow()
{
    // The offscreen platform has no tray, like a bare X server: the window stays the way in.
    TrayIcon tray(m_client.get());
    QVERIFY(!tray.isAvailable());
    QTRY_VERIFY(tray.toolTip().contains(u"requests today"_s));
    QCOMPARE(tray.state(), TrayIcon::State::Healthy);
    QVERIFY(tray.connectionSnippet().contains(m_client->baseUrl() + u"/v1"_s));
    m_window->close();
    QVERIFY(!m_window->isVisible());
}

void TestDesktop::trayShowsErrorsAndStopsGateway()
{
    if (GatewayFixture::overHttp())
        QSKIP("A gateway managed over HTTP is stopped through systemd, or not at all: tests/ui/tst_attach");
    QVERIFY(!m_aliceToken.isEmpty());
    TrayIcon tray(m_client.get());
    QTRY_COMPARE(tray.state(), TrayIcon::State::Healthy);
    const QJsonObject chat{{u"model"_s, u"llama3.2:latest"_s},
                           {u"stream"_s, false},
                           {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}};

    // A request the node fails turns the icon red, with the count in the tooltip.
    m_ollama->failNextWith(500, R"({"error":"out of memory"})");
    QCOMPARE(m_fixture.send("POST", u"/api/chat"_s, m_aliceToken, chat).status, 502);
    QTRY_COMPARE(tray.state(), TrayIcon::State::Errors);
    QVERIFY2(tray.toolTip().contains(u"1 failed request"_s), qPrintable(tray.toolTip()));

    // The menu stops the gateway without freezing the window, and starts it again on its port.
    QAction *startStop = nullptr;
    for (QAction *action : tray.menu()->actions())
        startStop = action->text() == u"&Stop gateway"_s ? action : startStop;
    QVERIFY(startStop);
    auto *inProcess = static_cast<InProcessGatewayClient *>(m_client.get());
    const quint16 port = inProcess->port();
    auto *address = m_window->findChild<QLabel *>(u"gatewayAddress"_s);
    startStop->trigger();
    QVERIFY(!m_client->isRunning());
    QTRY_COMPARE(tray.state(), TrayIcon::State::Stopped);
    QTRY_COMPARE(startStop->text(), u"&Start gateway"_s);
    QTRY_VERIFY(startStop->isEnabled());
    QCOMPARE(address->text(), u"Gateway stopped"_s);
    QVERIFY(tray.toolTip().contains(u"Gateway stopped"_s));
    QCOMPARE(m_fixture.send("POST", u"/api/chat"_s, m_aliceToken, chat).status, 0); // refused

    startStop->trigger();
    QTRY_VERIFY(m_client->isRunning());
    QCOMPARE(inProcess->port(), port);
    QTRY_COMPARE(startStop->text(), u"&Stop gateway"_s);
    QCOMPARE(address->text(), u"Gateway at %1"_s.arg(m_client->baseUrl()));
    QCOMPARE(m_fixture.send("POST", u"/api/chat"_s, m_aliceToken, chat).status, 200);
    // The window works with the new gateway objects: a change made there shows up.
    QTRY_VERIFY(m_client->snapshot().loaded);
    const int users = int(m_client->snapshot().users.size());
    QCOMPARE(m_fixture.send("POST", u"/admin/users"_s, GatewayFixture::AdminToken,
                            QJsonObject{{u"username"_s, u"after-restart"_s}}).status, 201);
    QTRY_COMPARE(m_client->snapshot().users.size(), users + 1);
}

void TestDesktop::defaultLimitsFromSettingsPageReachNewUsers()
{
    m_window->showPage(MainWindow::Settings);
    SettingsPage *settings = m_window->settingsPage();
    settings->findChild<QPushButton *>(u"revert"_s)->click();
    auto *requests = settings->findChild<QSpinBox *>(u"defaultRequests"_s);
    auto *tokens = settings->findChild<QSpinBox *>(u"defaultTokens"_s);
    QCOMPARE(requests->value(), 0);
    QCOMPARE(requests->text(), u"Unlimited"_s);
    requests->setValue(40);
    tokens->setValue(90000);
    settings->findChild<QSpinBox *>(u"defaultRequestsPerMinute"_s)->setValue(6);
    settings->apply();
    QTRY_COMPARE(m_fixture.admin("GET", u"/admin/settings"_s).json().value("default_daily_requests"_L1), QJsonValue(40));
    QCOMPARE(m_fixture.admin("GET", u"/admin/settings"_s).json().value("default_daily_tokens"_L1), QJsonValue(90000));
    // A second apply with nothing edited writes nothing (no audit entry).
    QTRY_COMPARE(m_client->snapshot().settings.integer(u"default_daily_requests"_s), 40);
    const auto auditTotal = [this] { return m_fixture.admin("GET", u"/admin/audit-logs?limit=1"_s).json().value("total"_L1).toInt(); };
    const int audits = auditTotal();
    settings->apply();
    // Whatever apply() asked of the gateway counts as busy from the moment it asked.
    QTRY_VERIFY(!m_client->isBusy());
    QCOMPARE(auditTotal(), audits);

    m_window->showPage(MainWindow::Users);
    UsersPage *page = m_window->usersPage();
    QTest::mouseClick(page->findChild<QPushButton *>(u"newUser"_s), Qt::LeftButton);
    auto *dialog = waitForChild<NewUserDialog>(page);
    QVERIFY(dialog);
    auto *name = dialog->findChild<QLineEdit *>(u"username"_s);
    QTest::keyClicks(name, u"limited"_s);
    QTest::keyClick(name, Qt::Key_Return);
    auto *tokenDialog = waitForChild<TokenDialog>(page);
    QVERIFY(tokenDialog);
    tokenDialog->accept();
    const QJsonObject limits = m_fixture.admin("GET", u"/admin/users/limited/limits"_s).json();
    QCOMPARE(limits.value("request_limit"_L1), QJsonValue(40));
    QCOMPARE(limits.value("token_limit"_L1), QJsonValue(90000));
    QCOMPARE(limits.value("requests_per_minute"_L1), QJsonValue(6));
    QCOMPARE(limits.value("tokens_per_minute"_L1), QJsonValue());

    // Later suites expect new users without limits.
    for (const QString &key : {u"default_daily_requests"_s, u"default_daily_tokens"_s, u"default_requests_per_minute"_s})
        QCOMPARE(m_fixture.admin("DELETE", u"/admin/settings/"_s + key).status, 200);
}

// The request defaults for nodes and what Ollama clients are told are edited on the same page,
// shown as the gateway has them, and written only when changed.
void TestDesktop::tlsSettingIsCheckedBeforeItIsKept()
{
    const QString fixtures = qEnvironmentVariable("MAESTRO_SOURCE_DIR") + u"/tests/http/fixtures/tls/"_s;
    m_window->showPage(MainWindow::Settings);
    SettingsPage *settings = m_window->settingsPage();
    settings->findChild<QPushButton *>(u"revert"_s)->click();
    auto *certificate = settings->findChild<QLineEdit *>(u"tlsCertificate"_s);
    auto *key = settings->findChild<QLineEdit *>(u"tlsKey"_s);
    QVERIFY(certificate && key);
    QVERIFY(certificate->text().isEmpty());
    const auto cleanup = qScopeGuard([] {
        DesktopSettings().remove(u"gateway/tlsCertificate"_s);
        DesktopSettings().remove(u"gateway/tlsKey"_s);
    });

    // A key that does not belong to the certificate is refused at once, as the gateway would.
    certificate->setText(fixtures + u"cert.pem"_s);
    key->setText(fixtures + u"other-key.pem"_s);
    settings->apply();
    QVERIFY(!DesktopSettings().contains(u"gateway/tlsCertificate"_s));
    auto *status = settings->findChild<QLabel *>(u"status"_s);
    QVERIFY(status);
    QVERIFY2(status->text().contains(u"does not belong to the certificate"_s), qPrintable(status->text()));

    // The pair the gateway can serve is kept for the next start, and its fingerprint shown.
    key->setText(fixtures + u"key.pem"_s);
    settings->apply();
    QCOMPARE(DesktopSettings().value(u"gateway/tlsCertificate"_s).toString(), fixtures + u"cert.pem"_s);
    QCOMPARE(preferredTls(), (std::pair<QString, QString>(fixtures + u"cert.pem"_s, fixtures + u"key.pem"_s)));
    QVERIFY2(status->text().contains(u"1C:D7:88:5C"_s), qPrintable(status->text()));

    // Emptied: plain HTTP again.
    certificate->clear();
    key->clear();
    settings->apply();
    QCOMPARE(preferredTls(), (std::pair<QString, QString>()));
}

void TestDesktop::nodeRequestSettingsFromSettingsPage()
{
    m_window->showPage(MainWindow::Settings);
    SettingsPage *settings = m_window->settingsPage();
    settings->findChild<QPushButton *>(u"revert"_s)->click();
    auto *keepAlive = settings->findChild<QLineEdit *>(u"keepAlive"_s);
    auto *context = settings->findChild<QSpinBox *>(u"contextLength"_s);
    auto *images = settings->findChild<QComboBox *>(u"images"_s);
    auto *version = settings->findChild<QLineEdit *>(u"ollamaVersion"_s);
    auto *open = settings->findChild<QCheckBox *>(u"versionPublic"_s);
    QVERIFY(keepAlive && context && images && version && open);
    QCOMPARE(keepAlive->text(), u"-1"_s);
    QCOMPARE(context->value(), 32768);
    QCOMPARE(images->currentData().toString(), u"strip"_s);
    QCOMPARE(version->text(), u"0.12.6"_s);
    QVERIFY(!open->isChecked());

    keepAlive->setText(u"10m"_s);
    context->setValue(8192);
    images->setCurrentIndex(images->findData(u"reject"_s));
    version->setText(u"0.13.1"_s);
    open->setChecked(true);
    settings->apply();
    const auto effective = [this] { return m_fixture.admin("GET", u"/admin/settings"_s).json(); };
    QTRY_COMPARE(effective().value("ollama_keep_alive"_L1), QJsonValue(u"10m"_s));
    const QJsonObject saved = effective();
    QCOMPARE(saved.value("default_context_length"_L1), QJsonValue(8192));
    QCOMPARE(saved.value("images_for_non_vision_models"_L1), QJsonValue(u"reject"_s));
    QCOMPARE(saved.value("ollama_version"_L1), QJsonValue(u"0.13.1"_s));
    QCOMPARE(saved.value("ollama_version_public"_L1), QJsonValue(true));
    // Ollama clients see the version without a token now.
    QTRY_COMPARE(m_fixture.send("GET", u"/api/version"_s, QByteArray()).json().value("version"_L1), QJsonValue(u"0.13.1"_s));

    for (const QString &key : {u"ollama_keep_alive"_s, u"default_context_length"_s, u"images_for_non_vision_models"_s,
                               u"ollama_version"_s, u"ollama_version_public"_s})
        QCOMPARE(m_fixture.admin("DELETE", u"/admin/settings/"_s + key).status, 200);
    QTRY_COMPARE(m_client->snapshot().settings.string(u"ollama_version"_s), u"0.12.6"_s);
    settings->findChild<QPushButton *>(u"revert"_s)->click();
    QCOMPARE(version->text(), u"0.12.6"_s);
    QVERIFY(!open->isChecked());
}

void TestDesktop::startOnLoginWritesAutostartEntry()
{
    QTemporaryDir config;
    QVERIFY(config.isValid());
    const QByteArray previous = qgetenv("XDG_CONFIG_HOME");
    qputenv("XDG_CONFIG_HOME", config.path().toLocal8Bit());
    const auto restore = qScopeGuard([&] { qputenv("XDG_CONFIG_HOME", previous); });
    const QString entry = config.filePath(u"autostart/model-maestro.desktop"_s);

    m_window->showPage(MainWindow::Settings);
    SettingsPage *settings = m_window->settingsPage();
    auto *revert = settings->findChild<QPushButton *>(u"revert"_s);
    revert->click();
    auto *startOnLogin = settings->findChild<QCheckBox *>(u"startOnLogin"_s);
    QVERIFY(!startOnLogin->isChecked());

    startOnLogin->setChecked(true);
    settings->apply();
    QVERIFY(QFile::exists(entry));
    QFile file(entry);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    QVERIFY(text.startsWith("[Desktop Entry]\n"_L1));
    QVERIFY2(text.contains(u"\nExec="_s + Autostart::execArgument(QCoreApplication::applicationFilePath()) + u'\n'), qPrintable(text));
    if (const QString validator = QStandardPaths::findExecutable(u"desktop-file-validate"_s); !validator.isEmpty()) {
        QProcess validate;
        validate.start(validator, {entry});
        QVERIFY(validate.waitForFinished(10000));
        const QByteArray output = validate.readAllStandardOutput() + validate.readAllStandardError();
        QVERIFY2(validate.exitCode() == 0 && output.trimmed().isEmpty(), output.constData());
    }
    revert->click();
    QVERIFY(startOnLogin->isChecked());

    startOnLogin->setChecked(false);
    settings->apply();
    QVERIFY(!QFile::exists(entry));
    revert->click();
    QVERIFY(!startOnLogin->isChecked());

    // The page shows what is on disk, whoever wrote it.
    QString error;
    QVERIFY2(Autostart().setEnabled(true, &error), qPrintable(error));
    revert->click();
    QVERIFY(startOnLogin->isChecked());
    QVERIFY(Autostart().setEnabled(false, &error));
}

void TestDesktop::autostartExecQuoting_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QString>("exec");
    QTest::newRow("a plain path stays as it is") << u"/usr/bin/model-maestro"_s << u"/usr/bin/model-maestro"_s;
    QTest::newRow("a space needs double quotes") << u"/opt/Model Maestro/model-maestro"_s << u"\"/opt/Model Maestro/model-maestro\""_s;
    QTest::newRow("a dollar is escaped inside the quotes, the backslash doubled for the string value")
        << u"/home/a$b/mm"_s << u"\"/home/a\\\\$b/mm\""_s;
    QTest::newRow("a percent sign is doubled") << u"/opt/100%/mm"_s << u"/opt/100%%/mm"_s;
}

void TestDesktop::autostartExecQuoting()
{
    QFETCH(QString, program);
    QFETCH(QString, exec);
    QCOMPARE(Autostart::execArgument(program), exec);
    QVERIFY(Autostart::desktopEntry(program).contains(u"\nExec="_s + exec + u'\n'));
    QVERIFY(Autostart::launchAgent(u"/Applications/A&B.app/mm"_s).contains("<string>/Applications/A&amp;B.app/mm</string>"_L1));
}

void TestDesktop::translationsAreEmbedded_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("dashboard");
    QTest::newRow("German") << u"de"_s << u"Übersicht"_s;
    QTest::newRow("Turkish") << u"tr"_s << u"Pano"_s;
}

void TestDesktop::translationsAreEmbedded()
{
    QFETCH(QString, file);
    QFETCH(QString, dashboard);
    QTranslator translator;
    QVERIFY(translator.load(u":/i18n/model-maestro_%1.qm"_s.arg(file)));
    QCOMPARE(translator.translate("Maestro::MainWindow", "Dashboard"), dashboard);
}

QTEST_MAIN(TestDesktop)
#include "tst_desktop.moc"

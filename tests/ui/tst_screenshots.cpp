// Renders every page of the desktop application, the setup wizard and the main dialogs to PNG
// (QWidget::grab() under the offscreen platform), with a populated gateway behind them, so
// that layout regressions can be seen. Output: MAESTRO_SCREENSHOT_DIR.

#include "fakeupstream.h"
#include "gatewayfixture.h"
#include "connect/connectdialog.h"
#include "dashboard/dashboardpage.h"
#include "dashboard/usagechart.h"
#include "inprocessclient.h"
#include "groups/groupdialogs.h"
#include "groups/groupspage.h"
#include "groups/membermodel.h"
#include "logs/logspage.h"
#include "mainwindow/mainwindow.h"
#include "models/mappingdialog.h"
#include "models/modelspage.h"
#include "nodes/nodedialog.h"
#include "nodes/nodespage.h"
#include "nodes/pullmodeldialog.h"
#include "policies/policiespage.h"
#include "policies/policydialogs.h"
#include "prompts/systempromptdialog.h"
#include "prompts/systempromptspage.h"
#include "uiutil.h"
#include "users/tokendialog.h"
#include "users/userspage.h"
#include "wizard/firstrunwizard.h"

#include <QApplication>
#include <QDir>
#include <QJsonArray>
#include <QLabel>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTest>
#include <QTranslator>
#include <QTabWidget>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeView>
#include <QTreeWidget>

using namespace Qt::StringLiterals;
using namespace Maestro;
using Maestro::Test::FakeUpstream;
using Maestro::Test::GatewayFixture;

class TestScreenshots : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void pages_data();
    void pages();
    void dialogs();
    void wizard();

private:
    void save(QWidget *widget, const QString &name);

    GatewayFixture m_fixture;
    std::unique_ptr<FakeUpstream> m_ollama;
    std::unique_ptr<FakeUpstream> m_openai;
    std::unique_ptr<GatewayClient> m_client;
    std::unique_ptr<MainWindow> m_window;
    QDir m_out;
    QByteArray m_token;
};

void TestScreenshots::save(QWidget *widget, const QString &name)
{
    QCoreApplication::processEvents();
    const QPixmap pixmap = widget->grab();
    QVERIFY(!pixmap.isNull());
    const QString path = m_out.filePath(name + u".png"_s);
    QVERIFY2(pixmap.save(path), qPrintable(path));
    qInfo().noquote() << "screenshot:" << path;
}

void TestScreenshots::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    DesktopSettings().clear();
    // English plural forms ("1 model", "2 models") come from the embedded translation.
    auto *english = new QTranslator(this);
    QVERIFY(english->load(u":/i18n/model-maestro_en.qm"_s));
    QCoreApplication::installTranslator(english);
    QVERIFY(QDir().mkpath(QStringLiteral(MAESTRO_SCREENSHOT_DIR)));
    m_out = QDir(QStringLiteral(MAESTRO_SCREENSHOT_DIR));
    QString error;
    QVERIFY2(m_fixture.start(&error), qPrintable(error));

    // A gateway in use: two nodes that answer, one that does not, mappings, users and traffic.
    m_ollama = std::make_unique<FakeUpstream>(NodeType::Ollama);
    m_openai = std::make_unique<FakeUpstream>(NodeType::OpenAi);
    QVERIFY(m_ollama->listen());
    QVERIFY(m_openai->listen());
    m_ollama->setModels({u"llama3.2:latest"_s, u"qwen2.5-coder:32b"_s, u"nomic-embed-text:latest"_s});
    const auto addNode = [this](const QString &name, const QString &url, const QString &type, int priority) {
        const auto answer = m_fixture.admin("POST", u"/admin/nodes"_s,
                                            {{u"name"_s, name}, {u"base_url"_s, url}, {u"node_type"_s, type},
                                             {u"priority"_s, priority}});
        QVERIFY2(answer.status == 201, answer.body.constData());
    };
    addNode(u"gpu-workstation"_s, m_ollama->baseUrl().toString(), u"ollama"_s, 10);
    addNode(u"vllm-cluster"_s, m_openai->baseUrl().toString(), u"openai"_s, 5);
    addNode(u"laptop"_s, u"http://127.0.0.1:9"_s, u"ollama"_s, 0);
    const QList<QJsonObject> mappings{
        {{u"display_name"_s, u"coder"_s}, {u"real_name"_s, u"qwen2.5-coder:32b"_s}, {u"context_length"_s, u"32K"_s},
         {u"capabilities"_s, QJsonArray{u"completion"_s, u"tools"_s}}},
        {{u"display_name"_s, u"chat"_s}, {u"real_name"_s, u"llama3.2:latest"_s}, {u"context_length"_s, u"128K"_s}},
        {{u"display_name"_s, u"cloud"_s}, {u"real_name"_s, u"gpt-4o-mini"_s}},
        {{u"display_name"_s, u"embed"_s}, {u"real_name"_s, u"nomic-embed-text:latest"_s},
         {u"capabilities"_s, QJsonArray{u"embedding"_s}}},
    };
    for (const QJsonObject &mapping : mappings)
        QCOMPARE(m_fixture.admin("POST", u"/admin/model-mappings"_s, mapping).status, 201);
    // A group as a team would set it up: the local coder first, the cloud model when it fails,
    // and the long-context chat model for requests too long for both.
    const QJsonObject group{
        {u"name"_s, u"team-coding"_s},
        {u"description"_s, u"Coding assistants for the whole team"_s},
        {u"strategy"_s, u"priority"_s},
        {u"list_in_catalog"_s, true},
        {u"members"_s, QJsonArray{
            QJsonObject{{u"model_display_name"_s, u"coder"_s}, {u"capability_tags"_s, QJsonArray{u"tools"_s}}},
            QJsonObject{{u"model_display_name"_s, u"cloud"_s}, {u"weight"_s, 50},
                        {u"capability_tags"_s, QJsonArray{u"vision"_s, u"tools"_s}}},
            QJsonObject{{u"model_display_name"_s, u"chat"_s}, {u"weight"_s, 20}, {u"context_fallback"_s, true},
                        {u"capability_tags"_s, QJsonArray{u"long-context"_s}}},
        }}};
    const auto createdGroup = m_fixture.admin("POST", u"/admin/model-groups"_s, group);
    QVERIFY2(createdGroup.status == 201, createdGroup.body.constData());
    QCOMPARE(m_fixture.admin("POST", u"/admin/model-groups"_s,
                             {{u"name"_s, u"embeddings"_s}, {u"strategy"_s, u"round_robin"_s}, {u"is_active"_s, false},
                              {u"members"_s, QJsonArray{QJsonObject{{u"model_display_name"_s, u"embed"_s},
                                                                    {u"capability_tags"_s, QJsonArray{u"embedding"_s}}}}}})
                 .status,
             201);
    QHash<QString, QByteArray> tokens;
    for (const QString &user : {u"alice"_s, u"bob"_s, u"carol"_s, u"ci-bot"_s}) {
        const auto created = m_fixture.admin("POST", u"/admin/users"_s, {{u"username"_s, user}});
        QCOMPARE(created.status, 201);
        tokens.insert(user, created.json().value("token"_L1).toString().toUtf8());
    }
    QCOMPARE(m_fixture.admin("POST", u"/admin/users/alice/models/all"_s).status, 200);
    QCOMPARE(m_fixture.admin("POST", u"/admin/users/bob/models"_s, {{u"models"_s, QJsonArray{u"coder"_s, u"chat"_s}}}).status, 200);
    QCOMPARE(m_fixture.admin("POST", u"/admin/users/ci-bot/models"_s, {{u"models"_s, QJsonArray{u"embed"_s}}}).status, 200);
    QCOMPARE(m_fixture.admin("POST", u"/admin/users/bob/limits"_s, {{u"request_limit"_s, 500}, {u"token_limit"_s, 2000000}}).status, 200);
    m_token = tokens.value(u"alice"_s);

    m_client = std::make_unique<InProcessGatewayClient>(m_fixture.gateway());
    m_window = std::make_unique<MainWindow>(m_client.get(), m_fixture.context());
    m_window->show();
    QTRY_VERIFY(m_client->snapshot().loaded);

    const auto chat = [](const QString &model, const QString &text) {
        return QJsonObject{{u"model"_s, model},
                           {u"stream"_s, false},
                           {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, text}}}}};
    };
    const QList<std::pair<QString, QString>> traffic{
        {u"alice"_s, u"coder"_s}, {u"alice"_s, u"coder"_s}, {u"bob"_s, u"chat"_s},   {u"alice"_s, u"cloud"_s},
        {u"bob"_s, u"coder"_s},   {u"alice"_s, u"chat"_s},  {u"alice"_s, u"coder"_s}, {u"bob"_s, u"coder"_s},
        {u"alice"_s, u"coder"_s}, {u"bob"_s, u"chat"_s},    {u"alice"_s, u"cloud"_s}, {u"bob"_s, u"cloud"_s}};
    for (const auto &[user, model] : traffic)
        m_fixture.send("POST", u"/api/chat"_s, tokens.value(user), chat(model, u"write a function that sorts a list"_s));
    QTRY_VERIFY(m_window->dashboardPage()->requestsToday()->text() != u"0"_s);

    // Policies, after the traffic (a model under maintenance would have refused some of it): tool
    // sets, a restricted coder, a model under maintenance, a prefix with a context limit.
    const QList<QJsonObject> toolSets{
        {{u"name"_s, u"files"_s}, {u"description"_s, u"Read and write the workspace"_s},
         {u"tools"_s, QJsonArray{u"read_file"_s, u"write_file"_s, u"list_directory"_s}}},
        {{u"name"_s, u"web"_s}, {u"description"_s, u"Search and fetch pages"_s},
         {u"tools"_s, QJsonArray{u"web_search"_s, u"fetch_url"_s}}},
    };
    for (const QJsonObject &set : toolSets) {
        ToolSet toolSet;
        toolSet.name = set.value("name"_L1).toString();
        toolSet.description = set.value("description"_L1).toString();
        for (const auto &tool : set.value("tools"_L1).toArray())
            toolSet.tools.append(tool.toString());
        QVERIFY(m_fixture.store()->saveToolSet(toolSet));
    }
    ModelConfig coder;
    coder.pattern = u"qwen2.5-coder*"_s;
    coder.toolsRestricted = true;
    coder.allowedTools = {u"run_tests"_s};
    coder.toolSets = {u"files"_s};
    coder.strippedParams = {u"reasoning_effort"_s};
    coder.defaultContextLength = 32768;
    coder.maxContextLength = 128 * 1024;
    ModelConfig chatConfig;
    chatConfig.pattern = u"llama3.2:latest"_s;
    chatConfig.maintenance = true;
    chatConfig.maintenanceMessage = u"Driver update until 14:00"_s;
    ModelConfig cloudConfig;
    cloudConfig.pattern = u"gpt-4o*"_s;
    cloudConfig.strippedParams = {u"keep_alive"_s, u"num_ctx"_s};
    cloudConfig.maxContextLength = 1024 * 1024;
    for (const ModelConfig &config : {coder, chatConfig, cloudConfig})
        QVERIFY(m_fixture.store()->saveModelConfig(config));
    const QList<SystemPrompt> prompts{
        {0, PromptScope::Global, {}, u"Answer in English unless asked otherwise."_s, 10, true, {}, {}, {}},
        {0, PromptScope::Group, u"team-coding"_s, u"You are the team's coding assistant.\nPrefer small diffs."_s, 5, true,
         u"Coding conventions"_s, {}, {}},
        {0, PromptScope::User, u"bob"_s, u"Bob is on call this week: keep answers short."_s, 0, false, {}, {}, {}},
    };
    for (const SystemPrompt &prompt : prompts)
        QVERIFY(m_fixture.store()->insertSystemPrompt(prompt) > 0);
    m_client->refresh();
}

void TestScreenshots::cleanupTestCase()
{
    m_window.reset();
    m_client.reset();
    m_fixture.stop();
}

void TestScreenshots::pages_data()
{
    QTest::addColumn<int>("page");
    QTest::addColumn<QString>("name");
    QTest::newRow("dashboard") << int(MainWindow::Dashboard) << u"page-dashboard"_s;
    QTest::newRow("users") << int(MainWindow::Users) << u"page-users"_s;
    QTest::newRow("nodes") << int(MainWindow::Nodes) << u"page-nodes"_s;
    QTest::newRow("models") << int(MainWindow::Models) << u"page-models"_s;
    QTest::newRow("groups") << int(MainWindow::Groups) << u"page-groups"_s;
    QTest::newRow("policies") << int(MainWindow::Policies) << u"page-policies"_s;
    QTest::newRow("system prompts") << int(MainWindow::SystemPrompts) << u"page-system-prompts"_s;
    QTest::newRow("logs") << int(MainWindow::Logs) << u"page-logs"_s;
    QTest::newRow("settings") << int(MainWindow::Settings) << u"page-settings"_s;
}

void TestScreenshots::pages()
{
    QFETCH(int, page);
    QFETCH(QString, name);
    m_window->showPage(page);
    if (page == MainWindow::Users) {
        m_window->usersPage()->table()->selectRow(0);
        QTRY_VERIFY(m_window->usersPage()->findChild<QTableWidget *>(u"activity"_s)->rowCount() > 0);
    } else if (page == MainWindow::Logs) {
        QTRY_VERIFY(m_window->logsPage()->requestsTable()->rowCount() > 0);
        m_window->logsPage()->requestsTable()->selectRow(0);
    } else if (page == MainWindow::Models) {
        QTRY_VERIFY(m_window->modelsPage()->mappingsTable()->rowCount() == 4);
    } else if (page == MainWindow::Policies) {
        QTRY_COMPARE(m_window->policiesPage()->configsTable()->rowCount(), 3);
        QTRY_COMPARE(m_window->policiesPage()->toolSetsTable()->rowCount(), 2);
        m_window->policiesPage()->configsTable()->selectRow(1);
    } else if (page == MainWindow::SystemPrompts) {
        QTRY_COMPARE(m_window->systemPromptsPage()->table()->rowCount(), 3);
        m_window->systemPromptsPage()->table()->selectRow(1);
    } else if (page == MainWindow::Groups) {
        QTRY_COMPARE(m_window->groupsPage()->groupsTable()->rowCount(), 2);
        m_window->groupsPage()->selectGroup(u"team-coding"_s);
        QTRY_COMPARE(m_window->groupsPage()->memberModel()->rowCount(), 3);
        QTreeView *members = m_window->groupsPage()->membersView();
        members->selectionModel()->select(members->model()->index(0, 0),
                                          QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    QTRY_VERIFY(!m_client->isBusy());
    save(m_window.get(), name);
}

void TestScreenshots::dialogs()
{
    m_window->showPage(MainWindow::Users);
    TokenDialog token(u"alice"_s, QString::fromUtf8(m_token), m_window.get());
    token.show();
    save(&token, u"dialog-token"_s);

    NodeDialog node(nullptr, m_window.get());
    node.show();
    save(&node, u"dialog-node"_s);

    MappingDialog mapping(m_client->snapshot(), &m_client->snapshot().mappings.first(), m_window.get());
    mapping.show();
    save(&mapping, u"dialog-mapping"_s);

    const ModelGroup *group = m_client->snapshot().group(u"team-coding"_s);
    QVERIFY(group);
    GroupDialog groupDialog(group, m_window.get());
    groupDialog.show();
    save(&groupDialog, u"dialog-group"_s);
    MemberDialog memberDialog(m_client->snapshot(), group->name, &group->members.at(1), m_window.get());
    memberDialog.show();
    save(&memberDialog, u"dialog-group-member"_s);

    const ModelConfig *config = m_client->snapshot().modelConfig(u"qwen2.5-coder*"_s);
    QVERIFY(config);
    ModelConfigDialog configDialog(m_client->snapshot(), config, m_window.get());
    configDialog.show();
    save(&configDialog, u"dialog-model-config"_s);
    ToolSetDialog toolSetDialog(m_client->snapshot(), m_client->snapshot().toolSet(u"files"_s), m_window.get());
    toolSetDialog.show();
    save(&toolSetDialog, u"dialog-tool-set"_s);
    SystemPromptDialog promptDialog(m_client->snapshot(), &m_client->snapshot().systemPrompts.at(1), m_window.get());
    promptDialog.show();
    save(&promptDialog, u"dialog-system-prompt"_s);

    // A pull onto every Ollama node, done.
    PullModelDialog pullDialog(m_client.get(), 0, m_window.get());
    pullDialog.show();
    QTest::keyClicks(pullDialog.findChild<QLineEdit *>(u"model"_s), u"qwen3:4b"_s);
    QTest::mouseClick(pullDialog.findChild<QPushButton *>(u"pull"_s), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!pullDialog.isPulling(), 10000);
    save(&pullDialog, u"dialog-pull-model"_s);

    ConnectDialog *connect = m_window->openConnectDialog(QString::fromUtf8(m_token));
    connect->setModel(u"coder"_s);
    for (auto [tool, name] : {std::pair{ConnectDialog::Tool::ClaudeCode, u"claude-code"_s},
                              std::pair{ConnectDialog::Tool::Continue, u"continue"_s}}) {
        connect->setTool(tool);
        save(connect, u"dialog-connect-"_s + name);
    }
    connect->close();

    m_window->logsPage()->findChild<QTabWidget *>()->setCurrentIndex(1);
    m_window->showPage(MainWindow::Logs);
    QTRY_VERIFY(m_window->logsPage()->auditTable()->rowCount() > 0);
    QTRY_VERIFY(!m_client->isBusy());
    save(m_window.get(), u"page-logs-audit"_s);
}

void TestScreenshots::wizard()
{
    FirstRunWizard wizard(m_client.get(), GatewayFixture::AdminToken, m_window.get());
    wizard.show();
    const QStringList names{u"wizard-1-welcome"_s, u"wizard-2-node"_s, u"wizard-3-user"_s, u"wizard-4-done"_s};
    for (int i = 0; i < names.size(); ++i) {
        if (i == 1) {
            wizard.findChild<QLineEdit *>(u"nodeUrl"_s)->setText(m_ollama->baseUrl().toString());
            wizard.findChild<QLineEdit *>(u"nodeName"_s)->setText(u"workstation-2"_s);
            wizard.testConnection();
            QTRY_VERIFY(wizard.findChild<QLabel *>(u"nodeStatus"_s)->property("healthy").isValid());
        } else if (i == 2) {
            wizard.findChild<QLineEdit *>(u"username"_s)->setText(u"dave"_s);
            wizard.createUser();
            QTRY_VERIFY(!wizard.userToken().isEmpty());
        }
        save(&wizard, names.at(i));
        wizard.next();
    }
}

QTEST_MAIN(TestScreenshots)
#include "tst_screenshots.moc"

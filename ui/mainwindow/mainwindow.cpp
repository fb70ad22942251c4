#include "mainwindow.h"
#include "connect/connectdialog.h"
#include "dashboard/dashboardpage.h"
#include "gatewayclient.h"
#include "groups/groupspage.h"
#include "logs/logspage.h"
#include "models/modelspage.h"
#include "nodes/nodespage.h"
#include "policies/policiespage.h"
#include "prompts/systempromptspage.h"
#include "settings/settingspage.h"
#include "tray/trayicon.h"
#include "users/userspage.h"
#include "uiutil.h"

#include <QAction>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Maestro {

MainWindow::MainWindow(GatewayClient *client, const DesktopContext &context, QWidget *parent)
    : QMainWindow(parent)
    , m_client(client)
    , m_context(context)
    , m_sidebar(new QListWidget(this))
    , m_stack(new QStackedWidget(this))
    , m_dashboard(new DashboardPage(client, this))
    , m_users(new UsersPage(client, this))
    , m_nodes(new NodesPage(client, this))
    , m_models(new ModelsPage(client, this))
    , m_groups(new GroupsPage(client, this))
    , m_policies(new PoliciesPage(client, this))
    , m_systemPrompts(new SystemPromptsPage(client, this))
    , m_logs(new LogsPage(client, this))
    , m_settings(new SettingsPage(client, context, this))
    , m_problem(new QLabel(this))
    , m_address(new QLabel(this))
    , m_activity(new QLabel(this))
    , m_busy(new QProgressBar(this))
{
    setObjectName(u"mainWindow"_s);
    // Which gateway this window manages: the app's own, the service on this computer, or another machine.
    setWindowTitle(tr("Model Maestro — %1").arg(client->gatewayName()));
    setWindowIcon(TrayIcon::icon(TrayIcon::State::Healthy));

    const QStringList titles{tr("Dashboard"), tr("Users"), tr("Nodes"), tr("Models"), tr("Groups"),
                             tr("Policies"), tr("System prompts"), tr("Logs"), tr("Settings")};
    const QList<QWidget *> pages{m_dashboard, m_users, m_nodes, m_models, m_groups, m_policies, m_systemPrompts,
                                 m_logs, m_settings};
    for (int i = 0; i < PageCount; ++i) {
        auto *item = new QListWidgetItem(titles.at(i), m_sidebar);
        item->setToolTip(tr("%1 (Ctrl+%2)").arg(titles.at(i)).arg(i + 1));
        item->setSizeHint(QSize(0, 34));
        m_stack->addWidget(pages.at(i));
    }
    m_sidebar->setObjectName(u"sidebar"_s);
    m_sidebar->setFixedWidth(170);
    m_sidebar->setFrameShape(QFrame::NoFrame);
    m_sidebar->setAutoFillBackground(true);
    m_sidebar->setBackgroundRole(QPalette::AlternateBase);
    m_sidebar->setStyleSheet(u"QListWidget#sidebar { padding-top: 8px; font-size: 11pt; }"
                             u"QListWidget#sidebar::item { border: 0px; padding-left: 14px; }"
                             u"QListWidget#sidebar::item:selected { background: palette(highlight); color: palette(highlighted-text); }"_s);
    connect(m_sidebar, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
    connect(m_stack, &QStackedWidget::currentChanged, this, [this](int index) {
        if (index == Dashboard)
            m_dashboard->reload();
    });

    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_sidebar);
    auto *separator = new QFrame(central);
    separator->setFrameShape(QFrame::VLine);
    separator->setFrameShadow(QFrame::Plain);
    separator->setForegroundRole(QPalette::Mid);
    layout->addWidget(separator);
    auto *content = new QWidget(central);
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(12, 12, 12, 6);
    m_problem->setObjectName(u"problemBanner"_s);
    m_problem->setWordWrap(true);
    m_problem->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem->setStyleSheet(u"QLabel#problemBanner { background: #fdecea; color: #8a1c12; border: 1px solid #f5c2bd;"
                             u" border-radius: 4px; padding: 8px; }"_s);
    m_problem->hide();
    contentLayout->addWidget(m_problem);
    contentLayout->addWidget(m_stack);
    layout->addWidget(content, 1);
    setCentralWidget(central);

    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(90);
    m_busy->setMaximumHeight(12);
    m_busy->setTextVisible(false);
    m_busy->hide();
    m_busy->setObjectName(u"busy"_s);
    m_address->setContentsMargins(8, 0, 8, 0);
    m_address->setObjectName(u"gatewayAddress"_s);
    statusBar()->addWidget(m_address);
    statusBar()->addWidget(m_activity, 1);
    statusBar()->addPermanentWidget(m_busy);
    connect(m_client, &GatewayClient::busyChanged, m_busy, &QWidget::setVisible);
    connect(m_client, &GatewayClient::snapshotChanged, this, &MainWindow::updateStatus);
    connect(m_client, &GatewayClient::callsChanged, this, &MainWindow::updateStatus);
    connect(m_client, &GatewayClient::runningChanged, this, &MainWindow::updateStatus);
    connect(m_client, &GatewayClient::problemChanged, this, &MainWindow::updateStatus);

    createMenus();
    setTabOrder(m_sidebar, m_stack);
    updateStatus();

    resize(1100, 720);
    DesktopSettings settings;
    restoreGeometry(settings.value(u"mainwindow/geometry"_s).toByteArray());
    restoreState(settings.value(u"mainwindow/state"_s).toByteArray());
    showPage(std::clamp(settings.value(u"mainwindow/page"_s, 0).toInt(), 0, PageCount - 1));
}

MainWindow::~MainWindow() = default;

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *create = file->addAction(tr("&New…"), QKeySequence::New, this, [this] {
        if (Page *current = page(currentPage()); current && current->canCreate())
            current->createNew();
    });
    create->setToolTip(tr("Create a user, node, mapping, group, model configuration or system prompt on the current page"));
    // The pages take Ctrl+1 to Ctrl+9; connecting a client takes the key after them, Ctrl+0.
    static_assert(PageCount <= 9, "the pages' shortcuts run out at Ctrl+9");
    file->addAction(tr("&Connect a client…"), QKeySequence(Qt::CTRL | Qt::Key_0), this,
                    [this] { openConnectDialog(); });
    file->addAction(tr("Setup &wizard…"), this, &MainWindow::setupWizardRequested);
    file->addSeparator();
    file->addAction(tr("Connect to &gateway…"), this, &MainWindow::connectGatewayRequested)
        ->setToolTip(tr("Manage a gateway that runs on another machine, over its admin API"));
    m_ownGateway = file->addAction(tr("&This computer's gateway"), this, &MainWindow::ownGatewayRequested);
    m_ownGateway->setVisible(false);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), QKeySequence::Quit, this, &MainWindow::quitRequested);
    quit->setMenuRole(QAction::QuitRole);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < PageCount; ++i) {
        view->addAction(m_sidebar->item(i)->text(), QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), this,
                        [this, i] { showPage(i); });
    }

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Model Maestro"), this, [this] {
        QMessageBox::about(this, tr("About Model Maestro"),
                           tr("<h3>Model Maestro %1</h3><p>One authenticated gateway for every LLM your team uses.</p>")
                               .arg(QStringLiteral(MAESTRO_VERSION)));
    });
}

void MainWindow::showPage(int index)
{
    m_sidebar->setCurrentRow(index);
}

int MainWindow::currentPage() const
{
    return m_stack->currentIndex();
}

Page *MainWindow::page(int index) const
{
    return qobject_cast<Page *>(m_stack->widget(index));
}

ConnectDialog *MainWindow::openConnectDialog(const QString &token)
{
    auto *dialog = new ConnectDialog(m_client, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!token.isEmpty())
        dialog->setToken(token);
    dialog->open();
    return dialog;
}

void MainWindow::setOwnGatewayElsewhere(bool elsewhere)
{
    m_ownGateway->setVisible(elsewhere);
}

QString MainWindow::problemText() const
{
    // isHidden(), not isVisible(): the banner counts while the window itself is hidden.
    return m_problem->isHidden() ? QString() : m_problem->text();
}

void MainWindow::updateStatus()
{
    const GatewaySnapshot &snapshot = m_client->snapshot();
    const QString problem = m_client->problem();
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    m_address->setText(!problem.isEmpty()        ? tr("%1: not reachable").arg(m_client->gatewayName())
                       : m_client->isRunning()   ? tr("Gateway at %1").arg(m_client->baseUrl())
                       : m_client->isSwitching() ? tr("Gateway starting or stopping…")
                                                 : tr("Gateway stopped"));
    const int down = snapshot.downNodes();
    m_activity->setText(tr("%n active request(s)", nullptr, snapshot.activeCalls)
                        + (down > 0 ? u" · "_s + tr("%n node(s) down", nullptr, down) : QString()));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    DesktopSettings settings;
    settings.setValue(u"mainwindow/geometry"_s, saveGeometry());
    settings.setValue(u"mainwindow/state"_s, saveState());
    settings.setValue(u"mainwindow/page"_s, currentPage());
    if (m_hidesToTray) {
        hide();
        event->ignore();
        return;
    }
    QMainWindow::closeEvent(event);
}

} // namespace Maestro

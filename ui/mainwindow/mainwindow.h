#pragma once

#include "desktop.h"

#include <QMainWindow>

class QAction;
class QLabel;
class QListWidget;
class QProgressBar;
class QStackedWidget;

namespace Maestro {

class ConnectDialog;
class DashboardPage;
class GatewayClient;
class GroupsPage;
class LogsPage;
class ModelsPage;
class NodesPage;
class Page;
class PoliciesPage;
class SystemPromptsPage;
class SettingsPage;
class UsersPage;

class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    enum PageIndex { Dashboard, Users, Nodes, Models, Groups, Policies, SystemPrompts, Logs, Settings, PageCount };

    MainWindow(GatewayClient *client, const DesktopContext &context, QWidget *parent = nullptr);
    ~MainWindow() override;

    void showPage(int index);
    int currentPage() const;
    Page *page(int index) const;
    DashboardPage *dashboardPage() const { return m_dashboard; }
    UsersPage *usersPage() const { return m_users; }
    NodesPage *nodesPage() const { return m_nodes; }
    ModelsPage *modelsPage() const { return m_models; }
    GroupsPage *groupsPage() const { return m_groups; }
    PoliciesPage *policiesPage() const { return m_policies; }
    SystemPromptsPage *systemPromptsPage() const { return m_systemPrompts; }
    LogsPage *logsPage() const { return m_logs; }
    SettingsPage *settingsPage() const { return m_settings; }
    ConnectDialog *openConnectDialog(const QString &token = {});
    // When set, closing the window hides it (the tray icon brings it back).
    void setHidesToTray(bool hides) { m_hidesToTray = hides; }
    // When set, the window manages a gateway other than the one on this app's data dir, and
    // File offers the way back to it.
    void setOwnGatewayElsewhere(bool elsewhere);
    // Why the gateway cannot be managed now, as the banner above the pages shows it (empty: hidden).
    QString problemText() const;

Q_SIGNALS:
    void setupWizardRequested();
    void quitRequested();
    // File > Connect to gateway…, and the way back to this computer's gateway.
    void connectGatewayRequested();
    void ownGatewayRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void updateStatus();

    GatewayClient *m_client;
    DesktopContext m_context;
    QListWidget *m_sidebar;
    QStackedWidget *m_stack;
    DashboardPage *m_dashboard;
    UsersPage *m_users;
    NodesPage *m_nodes;
    ModelsPage *m_models;
    GroupsPage *m_groups;
    PoliciesPage *m_policies;
    SystemPromptsPage *m_systemPrompts;
    LogsPage *m_logs;
    SettingsPage *m_settings;
    QLabel *m_problem; // above the pages: the token was refused, the gateway went away
    QAction *m_ownGateway = nullptr;
    QLabel *m_address;
    QLabel *m_activity;
    QProgressBar *m_busy;
    bool m_hidesToTray = false;
};

} // namespace Maestro

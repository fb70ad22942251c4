#include "userspage.h"
#include "gatewayclient.h"
#include "tokendialog.h"
#include "uiutil.h"
#include "userdialogs.h"
#include "usernodemodelsdialog.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace Ui;

UsersPage::UsersPage(GatewayClient *client, QWidget *parent)
    : Page(client, parent)
    , m_table(new QTableWidget(this))
    , m_activity(new QTableWidget(this))
    , m_activityTitle(new QLabel(this))
    , m_rotate(new QPushButton(tr("&Rotate token"), this))
    , m_models(new QPushButton(tr("&Models…"), this))
    , m_limits(new QPushButton(tr("&Limits…"), this))
    , m_nodes(new QPushButton(tr("N&odes…"), this))
    , m_nodeModels(new QPushButton(tr("Mod&els on nodes…"), this))
    , m_delete(new QPushButton(tr("&Delete"), this))
{
    auto *create = new QPushButton(tr("&New user…"), this);
    create->setObjectName(u"newUser"_s);
    m_limits->setObjectName(u"editLimits"_s);
    m_nodes->setObjectName(u"editNodes"_s);
    m_nodes->setToolTip(tr("Limit the nodes this user's requests may go to"));
    m_nodeModels->setObjectName(u"editNodeModels"_s);
    m_nodeModels->setToolTip(tr("Limit which models this user may use on which node"));
    create->setToolTip(tr("Create a user and show their access token (Ctrl+N)"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(create);
    buttons->addSpacing(12);
    buttons->addWidget(m_models);
    buttons->addWidget(m_limits);
    buttons->addWidget(m_nodes);
    buttons->addWidget(m_nodeModels);
    buttons->addWidget(m_rotate);
    buttons->addStretch(1);
    buttons->addWidget(m_delete);

    m_table->setObjectName(u"users"_s);
    setupTable(m_table, {tr("User"), tr("Models"), tr("Requests today"), tr("Tokens today"),
                         tr("Request limit"), tr("Token limit"), tr("Created")});
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_table->horizontalHeader()->setStretchLastSection(false);

    m_activity->setObjectName(u"activity"_s);
    setupTable(m_activity, {tr("Time"), tr("Model"), tr("Endpoint"), tr("Status"), tr("Tokens"),
                            tr("Duration")});
    const int widths[] = {90, 160, 160, 60, 90};
    for (int column = 0; column < int(std::size(widths)); ++column)
        m_activity->setColumnWidth(column, widths[column]);
    auto *activityBox = new QWidget(this);
    auto *activityLayout = new QVBoxLayout(activityBox);
    activityLayout->setContentsMargins(0, 8, 0, 0);
    m_activityTitle->setText(tr("Recent activity"));
    QFont bold = m_activityTitle->font();
    bold.setBold(true);
    m_activityTitle->setFont(bold);
    activityLayout->addWidget(m_activityTitle);
    activityLayout->addWidget(m_activity);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(activityBox);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(splitter, 1);

    connect(create, &QPushButton::clicked, this, &UsersPage::createNew);
    connect(m_rotate, &QPushButton::clicked, this, &UsersPage::rotateToken);
    connect(m_delete, &QPushButton::clicked, this, &UsersPage::deleteUser);
    connect(m_models, &QPushButton::clicked, this, &UsersPage::editModels);
    connect(m_limits, &QPushButton::clicked, this, &UsersPage::editLimits);
    connect(m_nodes, &QPushButton::clicked, this, &UsersPage::editNodes);
    connect(m_nodeModels, &QPushButton::clicked, this, &UsersPage::editNodeModels);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] {
        updateButtons();
        loadActivity();
    });
    connect(m_table, &QTableWidget::cellDoubleClicked, this, &UsersPage::editModels);
    connect(m_client, &GatewayClient::snapshotChanged, this, &UsersPage::rebuild);
    connect(m_client, &GatewayClient::requestLogged, this, [this](const RequestLogEntry &entry) {
        // Today's counters move with every request; the snapshot is refreshed only on changes.
        const int row = rowWithData(m_table, entry.username);
        if (row >= 0) {
            const Store::DayUsage usage = m_client->snapshot().usageToday.value(entry.userId);
            m_table->item(row, 2)->setText(formatCount(usage.requests));
            m_table->item(row, 3)->setText(formatCount(usage.tokens));
        }
        if (entry.username == selectedUser())
            loadActivity();
    });
    rebuild();
}

QString UsersPage::selectedUser() const
{
    const auto rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : m_table->item(rows.first().row(), 0)->text();
}

QString UsersPage::limitText(std::optional<qint64> perDay, std::optional<qint64> perMinute) const
{
    if (!perMinute)
        return formatLimit(perDay);
    return perDay ? tr("%1 a day, %2 a minute").arg(formatCount(*perDay), formatCount(*perMinute))
                  : tr("%1 a minute").arg(formatCount(*perMinute));
}

void UsersPage::rebuild()
{
    const QString selected = selectedUser();
    const GatewaySnapshot &snapshot = m_client->snapshot();
    m_table->setSortingEnabled(false);
    m_table->setRowCount(0);
    for (const User &user : snapshot.users) {
        if (!user.active)
            continue;
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        const Store::DayUsage usage = snapshot.usageToday.value(user.id);
        m_table->setItem(row, 0, cell(user.username, user.username));
        QString models = user.allModels ? tr("All models")
                         : user.models.isEmpty() ? tr("None yet")
                                                 : user.models.join(u", "_s);
        if (!user.nodeIds.isEmpty()) {
            QStringList nodes;
            for (qint64 id : user.nodeIds) {
                const Node *node = snapshot.node(id);
                nodes.append(node ? node->name : tr("deleted node %1").arg(id));
            }
            models = tr("%1 (only on %2)").arg(models, nodes.join(u", "_s));
        }
        if (!user.nodeModels.isEmpty()) {
            QStringList pairs;
            for (const NodeModelGrant &grant : user.nodeModels) {
                const Node *node = snapshot.node(grant.nodeId);
                pairs.append(tr("%1 on %2").arg(grant.model, node ? node->name : tr("deleted node %1").arg(grant.nodeId)));
            }
            models = tr("%1 (only %2)").arg(models, pairs.join(u", "_s));
        }
        m_table->setItem(row, 1, cell(models));
        m_table->setItem(row, 2, cell(formatCount(usage.requests)));
        m_table->setItem(row, 3, cell(formatCount(usage.tokens)));
        m_table->setItem(row, 4, cell(limitText(user.requestLimit, user.requestsPerMinute)));
        m_table->setItem(row, 5, cell(limitText(user.tokenLimit, user.tokensPerMinute)));
        m_table->setItem(row, 6, cell(formatTime(user.createdAt)));
        if (!user.allModels && user.models.isEmpty())
            m_table->item(row, 1)->setForeground(healthColor(Health::Unhealthy));
    }
    m_table->resizeColumnToContents(0);
    m_table->setColumnWidth(0, std::max(m_table->columnWidth(0), 140));
    for (int column = 2; column < m_table->columnCount(); ++column)
        m_table->setColumnWidth(column, 110);
    const int row = rowWithData(m_table, selected);
    if (row >= 0)
        m_table->selectRow(row);
    updateButtons();
}

void UsersPage::updateButtons()
{
    const bool any = !selectedUser().isEmpty();
    for (QPushButton *button : {m_rotate, m_models, m_limits, m_nodes, m_nodeModels, m_delete})
        button->setEnabled(any);
}

void UsersPage::loadActivity()
{
    const QString user = selectedUser();
    if (user.isEmpty()) {
        m_activityTitle->setText(tr("Recent activity (select a user)"));
        m_activity->setRowCount(0);
        return;
    }
    m_activityTitle->setText(tr("Recent activity of %1").arg(user));
    LogQuery query;
    query.username = user;
    query.limit = 50;
    m_client->requestLogs(query, this, [this, user](const GatewayClient::LogPage &page) {
        if (user != selectedUser())
            return;
        m_activity->setRowCount(0);
        for (const RequestLogEntry &entry : page.entries) {
            const int row = m_activity->rowCount();
            m_activity->insertRow(row);
            m_activity->setItem(row, 0, cell(formatTime(entry.createdAt)));
            m_activity->setItem(row, 1, cell(entry.model));
            m_activity->setItem(row, 2, cell(entry.endpoint));
            m_activity->setItem(row, 3, cell(QString::number(entry.statusCode)));
            m_activity->setItem(row, 4, cell(formatCount(entry.totalTokens())));
            m_activity->setItem(row, 5, cell(tr("%1 ms").arg(entry.durationMs)));
        }
    });
}

void UsersPage::createNew()
{
    auto *dialog = new NewUserDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const QString username = dialog->username();
        const bool all = dialog->allModels();
        m_client->createUser(username, this, [this, username, all](const Result<GatewayClient::CreatedUser> &created) {
            if (!created.ok())
                return showError(this, tr("Could not create the user"), created.error());
            const QString token = created.value().token;
            if (all)
                m_client->setUserModels(username, true, {}, this, [](const Result<User> &) {});
            showToken(username, token);
        });
    });
    dialog->open();
}

void UsersPage::showToken(const QString &username, const QString &token)
{
    auto *dialog = new TokenDialog(username, token, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void UsersPage::rotateToken()
{
    const QString user = selectedUser();
    if (user.isEmpty())
        return;
    const auto answer = QMessageBox::question(
        this, tr("Rotate token"),
        tr("Issue a new token for %1? The current token stops working at once.").arg(user));
    if (answer != QMessageBox::Yes)
        return;
    m_client->rotateToken(user, this, [this, user](const Result<GatewayClient::CreatedUser> &rotated) {
        if (!rotated.ok())
            return showError(this, tr("Could not rotate the token"), rotated.error());
        showToken(user, rotated.value().token);
    });
}

void UsersPage::deleteUser()
{
    const QString user = selectedUser();
    if (user.isEmpty())
        return;
    const auto answer = QMessageBox::question(
        this, tr("Delete user"),
        tr("Delete %1? Their token stops working at once; their usage stays in the logs.").arg(user));
    if (answer != QMessageBox::Yes)
        return;
    m_client->deleteUser(user, this, [this](const Result<bool> &deleted) {
        if (!deleted.ok())
            showError(this, tr("Could not delete the user"), deleted.error());
    });
}

void UsersPage::editModels()
{
    const QString username = selectedUser();
    const GatewaySnapshot &snapshot = m_client->snapshot();
    for (const User &user : snapshot.users) {
        if (user.username != username)
            continue;
        auto *dialog = new UserModelsDialog(username, snapshot.modelNames(), user.allModels,
                                            user.models, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this, [this, dialog, username] {
            m_client->setUserModels(username, dialog->allModels(), dialog->models(), this,
                                    [this](const Result<User> &user) {
                                        if (!user.ok())
                                            showError(this, tr("Could not change the models"), user.error());
                                    });
        });
        dialog->open();
        return;
    }
}

void UsersPage::editLimits()
{
    const QString username = selectedUser();
    for (const User &user : m_client->snapshot().users) {
        if (user.username != username)
            continue;
        auto *dialog = new UserLimitsDialog(username, UserLimits::of(user), this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this, [this, dialog, username] {
            m_client->setUserLimits(username, dialog->limits(), this,
                                    [this](const Result<User> &user) {
                                        if (!user.ok())
                                            showError(this, tr("Could not change the limits"), user.error());
                                    });
        });
        dialog->open();
        return;
    }
}

void UsersPage::editNodes()
{
    const QString username = selectedUser();
    const GatewaySnapshot &snapshot = m_client->snapshot();
    for (const User &user : snapshot.users) {
        if (user.username != username)
            continue;
        auto *dialog = new UserNodesDialog(username, snapshot.nodes, user.nodeIds, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this, [this, dialog, username] {
            m_client->setUserNodes(username, dialog->nodeIds(), this, [this](const Result<User> &user) {
                if (!user.ok())
                    showError(this, tr("Could not change the nodes"), user.error());
            });
        });
        dialog->open();
        return;
    }
}

void UsersPage::editNodeModels()
{
    const QString username = selectedUser();
    const GatewaySnapshot &snapshot = m_client->snapshot();
    for (const User &user : snapshot.users) {
        if (user.username != username)
            continue;
        auto *dialog = new UserNodeModelsDialog(username, snapshot.nodes, snapshot.nodeModels, user.nodeModels, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this, [this, dialog, username] {
            m_client->setUserNodeModels(username, dialog->nodeModels(), this, [this](const Result<User> &user) {
                if (!user.ok())
                    showError(this, tr("Could not change the models on nodes"), user.error());
            });
        });
        dialog->open();
        return;
    }
}

} // namespace Maestro

#include "nodespage.h"
#include "gatewayclient.h"
#include "nodedialog.h"
#include "pullmodeldialog.h"
#include "uiutil.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace Ui;

NodesPage::NodesPage(GatewayClient *client, QWidget *parent)
    : Page(client, parent)
    , m_table(new QTableWidget(this))
    , m_models(new QTableWidget(this))
    , m_modelsTitle(new QLabel(this))
    , m_status(new QLabel(this))
    , m_edit(new QPushButton(tr("&Edit…"), this))
    , m_toggle(new QPushButton(tr("Disa&ble"), this))
    , m_check(new QPushButton(tr("&Sync now"), this))
    , m_delete(new QPushButton(tr("&Delete"), this))
    , m_pull(new QPushButton(tr("&Pull model…"), this))
    , m_toggleAction(new QAction(this))
{
    auto *add = new QPushButton(tr("&Add node…"), this);
    add->setObjectName(u"addNode"_s);
    add->setToolTip(tr("Add an Ollama or OpenAI-compatible server (Ctrl+N)"));
    m_check->setObjectName(u"syncNow"_s);
    m_check->setToolTip(tr("Check health and discover models now"));
    m_pull->setObjectName(u"pullModel"_s);
    m_pull->setToolTip(tr("Download a model onto the selected Ollama node or onto all of them"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addSpacing(12);
    buttons->addWidget(m_edit);
    buttons->addWidget(m_toggle);
    buttons->addWidget(m_check);
    buttons->addWidget(m_pull);
    buttons->addStretch(1);
    buttons->addWidget(m_delete);

    m_table->setObjectName(u"nodes"_s);
    setupTable(m_table, {tr("Node"), tr("Type"), tr("Address"), tr("Health"), tr("Models"), tr("Active"),
                         tr("Today"), tr("Avg latency"), tr("Priority"), tr("Weight"), tr("Last check"),
                         tr("Last error")});
    m_table->horizontalHeaderItem(5)->setToolTip(tr("Requests in flight now, model warmups included"));
    m_table->horizontalHeaderItem(6)->setToolTip(tr("Requests served today (UTC), failed ones included"));
    m_table->horizontalHeaderItem(7)->setToolTip(tr("Average duration of today's requests, streams until their end"));
    m_models->setObjectName(u"nodeModels"_s);
    setupTable(m_models, {tr("Model"), tr("Size"), tr("Family"), tr("Parameters"), tr("Quantization")});
    m_models->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_models->horizontalHeader()->setStretchLastSection(false);

    QFont bold = m_modelsTitle->font();
    bold.setBold(true);
    m_modelsTitle->setFont(bold);
    auto *modelsBox = new QWidget(this);
    auto *modelsLayout = new QVBoxLayout(modelsBox);
    modelsLayout->setContentsMargins(0, 8, 0, 0);
    modelsLayout->addWidget(m_modelsTitle);
    modelsLayout->addWidget(m_models);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(modelsBox);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);

    m_status->setObjectName(u"status"_s);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_status);

    connect(add, &QPushButton::clicked, this, &NodesPage::createNew);
    connect(m_edit, &QPushButton::clicked, this, &NodesPage::edit);
    connect(m_toggle, &QPushButton::clicked, this, &NodesPage::toggle);
    connect(m_check, &QPushButton::clicked, this, &NodesPage::checkNow);
    connect(m_delete, &QPushButton::clicked, this, &NodesPage::remove);
    connect(m_pull, &QPushButton::clicked, this, &NodesPage::pullModel);
    connect(m_table, &QTableWidget::cellDoubleClicked, this, &NodesPage::edit);
    // The same operations from the node's context menu (right click, or the menu key).
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_table->addAction(tr("&Edit…"), this, &NodesPage::edit);
    m_table->addAction(tr("&Sync now"), this, &NodesPage::checkNow);
    QAction *pull = m_table->addAction(tr("&Pull model…"), this, &NodesPage::pullModel);
    pull->setObjectName(u"pullModelAction"_s);
    connect(m_toggleAction, &QAction::triggered, this, &NodesPage::toggle);
    m_table->addAction(m_toggleAction);
    m_table->addAction(tr("&Delete"), this, &NodesPage::remove);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] {
        updateButtons();
        rebuildModels();
    });
    connect(m_client, &GatewayClient::snapshotChanged, this, &NodesPage::rebuild);
    // Today's requests per node move with every logged request.
    m_liveRebuild.setSingleShot(true);
    m_liveRebuild.setInterval(1000);
    connect(&m_liveRebuild, &QTimer::timeout, this, &NodesPage::rebuild);
    connect(m_client, &GatewayClient::requestLogged, this, [this] {
        if (!m_liveRebuild.isActive())
            m_liveRebuild.start();
    });
    rebuild();
}

qint64 NodesPage::selectedNode() const
{
    const auto rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? 0 : m_table->item(rows.first().row(), 0)->data(Qt::UserRole).toLongLong();
}

void NodesPage::rebuild()
{
    const qint64 selected = selectedNode();
    const GatewaySnapshot &snapshot = m_client->snapshot();
    QHash<qint64, int> modelCounts;
    for (const NodeModel &model : snapshot.nodeModels)
        ++modelCounts[model.nodeId];
    m_table->setRowCount(0);
    for (const Node &node : snapshot.nodes) {
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        auto *name = cell(node.name, node.id);
        name->setIcon(dotIcon(healthColor(node.health, node.active)));
        m_table->setItem(row, 0, name);
        m_table->setItem(row, 1, cell(nodeTypeText(node.type)));
        m_table->setItem(row, 2, cell(node.baseUrl.toString()));
        m_table->setItem(row, 3, cell(healthText(node.health, node.active)));
        m_table->setItem(row, 4, cell(QString::number(modelCounts.value(node.id))));
        const NodeTraffic traffic = snapshot.nodeTraffic.value(node.id);
        m_table->setItem(row, 5, cell(QString::number(snapshot.nodeLoad.value(node.id))));
        m_table->setItem(row, 6, cell(traffic.errors > 0 ? tr("%1 (%2 failed)").arg(traffic.requests).arg(traffic.errors)
                                                         : QString::number(traffic.requests)));
        m_table->setItem(row, 7, cell(traffic.requests > 0 ? tr("%1 ms").arg(traffic.avgLatencyMs) : QString()));
        m_table->setItem(row, 8, cell(QString::number(node.priority)));
        m_table->setItem(row, 9, cell(QString::number(node.weight)));
        m_table->setItem(row, 10, cell(formatTime(node.lastHealthCheck)));
        m_table->setItem(row, 11, cell(node.lastError));
        m_table->item(row, 11)->setToolTip(node.lastError);
        m_table->item(row, 3)->setForeground(healthColor(node.health, node.active).darker(110));
    }
    m_table->resizeColumnsToContents();
    m_table->setColumnWidth(0, std::max(m_table->columnWidth(0), 130));
    m_table->setColumnWidth(2, std::min(std::max(m_table->columnWidth(2), 180), 320));
    int row = rowWithData(m_table, selected);
    if (row < 0 && m_table->rowCount() > 0)
        row = 0;
    if (row >= 0)
        m_table->selectRow(row);
    updateButtons();
    rebuildModels();
}

void NodesPage::rebuildModels()
{
    const qint64 id = selectedNode();
    const GatewaySnapshot &snapshot = m_client->snapshot();
    const Node *node = snapshot.node(id);
    m_models->setRowCount(0);
    if (!node) {
        m_modelsTitle->setText(snapshot.nodes.isEmpty()
                                   ? tr("No nodes yet. Add the Ollama or OpenAI-compatible servers your team uses.")
                                   : tr("Discovered models"));
        return;
    }
    for (const NodeModel &model : snapshot.nodeModels) {
        if (model.nodeId != id)
            continue;
        const int row = m_models->rowCount();
        m_models->insertRow(row);
        m_models->setItem(row, 0, cell(model.name, model.name));
        m_models->setItem(row, 1, cell(formatBytes(model.size)));
        m_models->setItem(row, 2, cell(model.details.value("family"_L1).toString()));
        m_models->setItem(row, 3, cell(model.details.value("parameter_size"_L1).toString()));
        m_models->setItem(row, 4, cell(model.details.value("quantization_level"_L1).toString()));
    }
    m_modelsTitle->setText(tr("Models discovered on %1 (%n)", nullptr, m_models->rowCount()).arg(node->name));
    for (int column = 1; column < m_models->columnCount(); ++column)
        m_models->setColumnWidth(column, 120);
}

void NodesPage::updateButtons()
{
    const Node *node = m_client->snapshot().node(selectedNode());
    for (QPushButton *button : {m_edit, m_toggle, m_check, m_delete})
        button->setEnabled(node != nullptr);
    m_toggle->setText(node && !node->active ? tr("Ena&ble") : tr("Disa&ble"));
    m_toggleAction->setText(m_toggle->text());
    for (QAction *action : m_table->actions())
        action->setEnabled(node != nullptr);
    const QList<Node> &nodes = m_client->snapshot().nodes;
    m_pull->setEnabled(std::any_of(nodes.cbegin(), nodes.cend(),
                                   [](const Node &candidate) { return candidate.type == NodeType::Ollama; }));
}

void NodesPage::createNew()
{
    auto *dialog = new NodeDialog(nullptr, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const AdminService::NodeInput input = dialog->input();
        m_client->addNode(input, this, [this](const Result<Node> &node) {
            if (!node.ok())
                return showError(this, tr("Could not add the node"), node.error());
            const QString name = node.value().name;
            m_status->setText(tr("Checking %1…").arg(name));
            m_client->checkNode(node.value().id, this, [this, name](bool healthy, const QString &error) {
                m_status->setText(healthy ? tr("%1 answers; its models are listed below.").arg(name)
                                          : tr("%1 does not answer: %2").arg(name, error));
            });
        });
    });
    dialog->open();
}

void NodesPage::edit()
{
    const Node *node = m_client->snapshot().node(selectedNode());
    if (!node)
        return;
    auto *dialog = new NodeDialog(node, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const qint64 id = node->id;
    connect(dialog, &QDialog::accepted, this, [this, dialog, id] {
        m_client->updateNode(id, dialog->input(), this, [this, id](const Result<Node> &node) {
            if (!node.ok())
                return showError(this, tr("Could not change the node"), node.error());
            m_client->checkNode(id, this, [](bool, const QString &) {});
        });
    });
    dialog->open();
}

void NodesPage::toggle()
{
    m_client->toggleNode(selectedNode(), this, [this](const Result<Node> &node) {
        if (!node.ok())
            showError(this, tr("Could not change the node"), node.error());
    });
}

void NodesPage::remove()
{
    const Node *node = m_client->snapshot().node(selectedNode());
    if (!node)
        return;
    const auto answer = QMessageBox::question(
        this, tr("Delete node"),
        tr("Delete %1? Requests stop going to it; its API key is removed from the keychain.").arg(node->name));
    if (answer != QMessageBox::Yes)
        return;
    m_client->deleteNode(node->id, this, [this](const Result<bool> &deleted) {
        if (!deleted.ok())
            showError(this, tr("Could not delete the node"), deleted.error());
    });
}

void NodesPage::pullModel()
{
    if (!m_pull->isEnabled())
        return;
    // The nodes' model lists below follow through the snapshot once they are re-discovered.
    auto *dialog = new PullModelDialog(m_client, selectedNode(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void NodesPage::checkNow()
{
    const Node *node = m_client->snapshot().node(selectedNode());
    if (!node)
        return;
    const QString name = node->name;
    m_status->setText(tr("Checking %1…").arg(name));
    m_check->setEnabled(false);
    m_client->checkNode(node->id, this, [this, name](bool healthy, const QString &error) {
        m_check->setEnabled(true);
        m_status->setText(healthy ? tr("%1 is healthy; models are up to date.").arg(name)
                                  : tr("%1 does not answer: %2").arg(name, error));
    });
}

} // namespace Maestro

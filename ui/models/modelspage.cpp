#include "modelspage.h"
#include "gatewayclient.h"
#include "mappingdialog.h"
#include "uiutil.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace Ui;

namespace {

QLabel *heading(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    return label;
}

} // namespace

ModelsPage::ModelsPage(GatewayClient *client, QWidget *parent)
    : Page(client, parent)
    , m_discovered(new QTreeWidget(this))
    , m_mappings(new QTableWidget(this))
    , m_map(new QPushButton(tr("&Map to a display name…"), this))
    , m_edit(new QPushButton(tr("&Edit…"), this))
    , m_delete(new QPushButton(tr("&Delete"), this))
{
    m_discovered->setObjectName(u"discovered"_s);
    m_discovered->setHeaderLabels({tr("Node / model"), tr("Size"), tr("Parameters"), tr("Mapped as")});
    m_discovered->setAlternatingRowColors(true);
    m_discovered->setRootIsDecorated(true);
    m_discovered->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_discovered->header()->setStretchLastSection(false);

    auto *top = new QWidget(this);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    auto *topRow = new QHBoxLayout;
    topRow->addWidget(heading(tr("Discovered on nodes"), top));
    topRow->addStretch(1);
    topRow->addWidget(m_map);
    topLayout->addLayout(topRow);
    topLayout->addWidget(m_discovered);

    m_mappings->setObjectName(u"mappings"_s);
    setupTable(m_mappings, {tr("Display name"), tr("Real model"), tr("Context"), tr("Capabilities"),
                            tr("Nodes")});
    auto *bottom = new QWidget(this);
    auto *bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 8, 0, 0);
    auto *add = new QPushButton(tr("&New mapping…"), this);
    add->setToolTip(tr("Give a real model a name clients use (Ctrl+N)"));
    auto *bottomRow = new QHBoxLayout;
    bottomRow->addWidget(heading(tr("Display names"), bottom));
    bottomRow->addStretch(1);
    bottomRow->addWidget(add);
    bottomRow->addWidget(m_edit);
    bottomRow->addWidget(m_delete);
    bottomLayout->addLayout(bottomRow);
    bottomLayout->addWidget(m_mappings);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(top);
    splitter->addWidget(bottom);
    splitter->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    connect(add, &QPushButton::clicked, this, &ModelsPage::createNew);
    connect(m_edit, &QPushButton::clicked, this, &ModelsPage::edit);
    connect(m_delete, &QPushButton::clicked, this, &ModelsPage::remove);
    connect(m_mappings, &QTableWidget::cellDoubleClicked, this, &ModelsPage::edit);
    connect(m_map, &QPushButton::clicked, this, [this] {
        QTreeWidgetItem *item = m_discovered->currentItem();
        if (item && item->parent())
            openDialog(nullptr, item->text(0));
    });
    connect(m_discovered, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        m_map->setEnabled(item && item->parent());
    });
    connect(m_mappings, &QTableWidget::itemSelectionChanged, this, [this] {
        m_edit->setEnabled(!selectedMapping().isEmpty());
        m_delete->setEnabled(!selectedMapping().isEmpty());
    });
    connect(m_client, &GatewayClient::snapshotChanged, this, &ModelsPage::rebuild);
    rebuild();
}

void ModelsPage::rebuild()
{
    const GatewaySnapshot &snapshot = m_client->snapshot();
    QHash<QString, QStringList> mappedAs;
    for (const ModelMapping &mapping : snapshot.mappings)
        mappedAs[mapping.realName].append(mapping.displayName);

    m_discovered->clear();
    for (const Node &node : snapshot.nodes) {
        auto *nodeItem = new QTreeWidgetItem(m_discovered, {node.name});
        nodeItem->setIcon(0, dotIcon(healthColor(node.health, node.active)));
        nodeItem->setFirstColumnSpanned(false);
        int count = 0;
        for (const NodeModel &model : snapshot.nodeModels) {
            if (model.nodeId != node.id)
                continue;
            ++count;
            new QTreeWidgetItem(nodeItem, {model.name, formatBytes(model.size),
                                           model.details.value("parameter_size"_L1).toString(),
                                           mappedAs.value(model.name).join(u", "_s)});
        }
        nodeItem->setText(1, tr("%n model(s)", nullptr, count));
        nodeItem->setExpanded(true);
    }
    m_discovered->resizeColumnToContents(1);
    m_discovered->setColumnWidth(1, std::max(m_discovered->columnWidth(1), 110));
    m_discovered->setColumnWidth(2, 110);
    m_discovered->setColumnWidth(3, 180);
    m_map->setEnabled(m_discovered->currentItem() && m_discovered->currentItem()->parent());

    const QString selected = selectedMapping();
    m_mappings->setRowCount(0);
    for (const ModelMapping &mapping : snapshot.mappings) {
        const int row = m_mappings->rowCount();
        m_mappings->insertRow(row);
        QStringList nodes;
        for (qint64 id : mapping.nodeIds) {
            const Node *node = snapshot.node(id);
            nodes.append(node ? node->name : QString::number(id));
        }
        m_mappings->setItem(row, 0, cell(mapping.displayName, mapping.displayName));
        m_mappings->setItem(row, 1, cell(mapping.realName));
        m_mappings->setItem(row, 2, cell(mapping.contextLength > 0 ? formatCount(mapping.contextLength) : u"–"_s));
        m_mappings->setItem(row, 3, cell(mapping.capabilities.join(u", "_s)));
        m_mappings->setItem(row, 4, cell(nodes.isEmpty() ? tr("Any") : nodes.join(u", "_s)));
    }
    m_mappings->resizeColumnsToContents();
    for (int column = 0; column < 4; ++column)
        m_mappings->setColumnWidth(column, std::max(m_mappings->columnWidth(column), 140));
    const int row = rowWithData(m_mappings, selected);
    if (row >= 0)
        m_mappings->selectRow(row);
    m_edit->setEnabled(row >= 0);
    m_delete->setEnabled(row >= 0);
}

QString ModelsPage::selectedMapping() const
{
    const auto rows = m_mappings->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : m_mappings->item(rows.first().row(), 0)->text();
}

void ModelsPage::createNew()
{
    openDialog(nullptr, QString());
}

void ModelsPage::openDialog(const ModelMapping *mapping, const QString &realName)
{
    auto *dialog = new MappingDialog(m_client->snapshot(), mapping, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!realName.isEmpty())
        dialog->setRealName(realName);
    const QString original = mapping ? mapping->displayName : QString();
    connect(dialog, &QDialog::accepted, this, [this, dialog, original] {
        const auto done = [this](const Result<ModelMapping> &mapping) {
            if (!mapping.ok())
                showError(this, tr("Could not save the mapping"), mapping.error());
        };
        if (original.isEmpty())
            m_client->addMapping(dialog->input(), this, done);
        else
            m_client->updateMapping(original, dialog->input(), this, done);
    });
    dialog->open();
}

void ModelsPage::edit()
{
    const QString name = selectedMapping();
    for (const ModelMapping &mapping : m_client->snapshot().mappings) {
        if (mapping.displayName == name)
            return openDialog(&mapping, QString());
    }
}

void ModelsPage::remove()
{
    const QString name = selectedMapping();
    if (name.isEmpty())
        return;
    if (QMessageBox::question(this, tr("Delete mapping"),
                              tr("Delete the display name %1? Clients using it get \"model not found\".").arg(name))
        != QMessageBox::Yes)
        return;
    m_client->deleteMapping(name, this, [this](const Result<bool> &deleted) {
        if (!deleted.ok())
            showError(this, tr("Could not delete the mapping"), deleted.error());
    });
}

} // namespace Maestro

#include "usernodemodelsdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro {

UserNodeModelsDialog::UserNodeModelsDialog(const QString &username, const QList<Node> &nodes,
                                           const QList<NodeModel> &models, const QList<NodeModelGrant> &granted,
                                           QWidget *parent)
    : QDialog(parent)
    , m_nodes(nodes)
    , m_models(models)
    , m_table(new QTableWidget(0, 2, this))
{
    setWindowTitle(tr("Models on nodes for %1").arg(username));
    m_table->setObjectName(u"nodeModels"_s);
    m_table->setHorizontalHeaderLabels({tr("Node"), tr("Model")});
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    for (const NodeModelGrant &grant : granted)
        addRow(grant.nodeId, grant.model);

    auto *add = new QPushButton(tr("&Add"), this);
    auto *remove = new QPushButton(tr("&Remove"), this);
    add->setObjectName(u"addNodeModel"_s);
    remove->setObjectName(u"removeNodeModel"_s);
    add->setEnabled(!m_nodes.isEmpty());
    connect(add, &QPushButton::clicked, this, [this] {
        addRow(m_nodes.first().id, QString());
        m_table->setCurrentCell(m_table->rowCount() - 1, 1);
        m_table->cellWidget(m_table->rowCount() - 1, 1)->setFocus();
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        if (m_table->currentRow() >= 0)
            m_table->removeRow(m_table->currentRow());
    });

    auto *hint = new QLabel(tr("Only these models on these nodes; with no rows, every model on the nodes the "
                               "user may use. Requests never go elsewhere, not even on failover."),
                            this);
    hint->setWordWrap(true);
    auto *rowButtons = new QHBoxLayout;
    rowButtons->addWidget(add);
    rowButtons->addWidget(remove);
    rowButtons->addStretch();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(hint);
    layout->addWidget(m_table, 1);
    layout->addLayout(rowButtons);
    layout->addWidget(buttons);
    resize(520, 420);
}

void UserNodeModelsDialog::addRow(qint64 nodeId, const QString &model)
{
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    auto *node = new QComboBox(m_table);
    auto *name = new QComboBox(m_table);
    node->setObjectName(u"node"_s);
    name->setObjectName(u"model"_s);
    name->setEditable(true);
    name->setInsertPolicy(QComboBox::NoInsert);
    for (const Node &known : std::as_const(m_nodes))
        node->addItem(known.name, known.id);
    // A node deleted since the pair was granted stays visible (and keeps the pair) until removed.
    if (node->findData(nodeId) < 0)
        node->addItem(tr("Deleted node %1").arg(nodeId), nodeId);
    const auto fillModels = [this, node, name] {
        const QString typed = name->currentText();
        name->clear();
        const qint64 id = node->currentData().toLongLong();
        for (const NodeModel &served : std::as_const(m_models)) {
            if (served.nodeId == id)
                name->addItem(served.name);
        }
        name->setCurrentText(typed);
    };
    node->setCurrentIndex(node->findData(nodeId));
    fillModels();
    name->setCurrentText(model);
    connect(node, &QComboBox::currentIndexChanged, this, fillModels);
    m_table->setCellWidget(row, 0, node);
    m_table->setCellWidget(row, 1, name);
}

QList<NodeModelGrant> UserNodeModelsDialog::nodeModels() const
{
    QList<NodeModelGrant> pairs;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const auto *node = qobject_cast<QComboBox *>(m_table->cellWidget(row, 0));
        const auto *name = qobject_cast<QComboBox *>(m_table->cellWidget(row, 1));
        const NodeModelGrant grant{node->currentData().toLongLong(), name->currentText().trimmed()};
        if (!grant.model.isEmpty() && !pairs.contains(grant))
            pairs.append(grant);
    }
    return pairs;
}

} // namespace Maestro

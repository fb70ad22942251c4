#include "mappingdialog.h"
#include "gatewayclient.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

void addCheckable(QListWidget *list, const QString &text, const QVariant &data, bool checked)
{
    auto *item = new QListWidgetItem(text, list);
    item->setData(Qt::UserRole, data);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
    item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
}

} // namespace

MappingDialog::MappingDialog(const GatewaySnapshot &snapshot, const ModelMapping *mapping,
                             QWidget *parent)
    : QDialog(parent)
    , m_display(new QLineEdit(this))
    , m_real(new QComboBox(this))
    , m_context(new QLineEdit(this))
    , m_capabilities(new QListWidget(this))
    , m_nodes(new QListWidget(this))
    , m_problem(new QLabel(this))
{
    setWindowTitle(mapping ? tr("Edit mapping %1").arg(mapping->displayName) : tr("New model mapping"));
    m_display->setObjectName(u"displayName"_s);
    m_real->setObjectName(u"realName"_s);
    m_context->setObjectName(u"contextLength"_s);
    m_display->setPlaceholderText(tr("The name clients use, e.g. coder"));
    m_real->setEditable(true);
    QStringList real;
    for (const NodeModel &model : snapshot.nodeModels) {
        if (!real.contains(model.name))
            real.append(model.name);
    }
    real.sort();
    m_real->addItems(real);
    m_real->setCurrentText(QString());
    m_context->setPlaceholderText(tr("Optional, e.g. 32768, 128K or 1M"));

    QStringList capabilities{u"completion"_s, u"tools"_s, u"vision"_s, u"thinking"_s, u"embedding"_s, u"insert"_s};
    if (mapping) {
        for (const QString &capability : mapping->capabilities) {
            if (!capabilities.contains(capability))
                capabilities.append(capability);
        }
    }
    for (const QString &capability : std::as_const(capabilities))
        addCheckable(m_capabilities, capability, capability, mapping && mapping->capabilities.contains(capability));
    for (const Node &node : snapshot.nodes)
        addCheckable(m_nodes, node.name, node.id, mapping && mapping->nodeIds.contains(node.id));
    m_capabilities->setMaximumHeight(130);
    m_nodes->setMaximumHeight(130);

    if (mapping) {
        m_display->setText(mapping->displayName);
        m_real->setCurrentText(mapping->realName);
        if (mapping->contextLength > 0)
            m_context->setText(QString::number(mapping->contextLength));
    }

    auto *form = new QFormLayout;
    form->addRow(tr("&Display name:"), m_display);
    form->addRow(tr("&Real model:"), m_real);
    form->addRow(tr("&Context length:"), m_context);
    form->addRow(tr("C&apabilities:"), m_capabilities);
    form->addRow(tr("Only on &nodes:"), m_nodes);
    auto *nodesHint = new QLabel(tr("None checked: any node that serves the real model."), this);
    nodesHint->setEnabled(false);
    form->addRow(QString(), nodesHint);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    m_problem->setStyleSheet(u"color: #c0392b"_s);
    layout->addWidget(m_problem);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    connect(m_display, &QLineEdit::textChanged, this, &MappingDialog::validate);
    connect(m_real, &QComboBox::currentTextChanged, this, &MappingDialog::validate);
    connect(m_context, &QLineEdit::textChanged, this, &MappingDialog::validate);
    validate();
    resize(460, sizeHint().height());
}

void MappingDialog::setRealName(const QString &name)
{
    m_real->setCurrentText(name);
    if (m_display->text().isEmpty())
        m_display->setText(name.section(u':', 0, 0));
}

void MappingDialog::validate()
{
    QString problem;
    const QString context = m_context->text().trimmed();
    if (!context.isEmpty() && !parseContextLength(context))
        problem = tr("The context length should look like 32768, 128K or 1M.");
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    m_ok->setEnabled(problem.isEmpty() && !m_display->text().trimmed().isEmpty()
                     && !m_real->currentText().trimmed().isEmpty());
}

AdminService::MappingInput MappingDialog::input() const
{
    AdminService::MappingInput input;
    input.displayName = m_display->text().trimmed();
    input.realName = m_real->currentText().trimmed();
    const QString context = m_context->text().trimmed();
    input.contextLength = context.isEmpty() ? 0 : parseContextLength(context).value_or(0);
    QStringList capabilities;
    for (int i = 0; i < m_capabilities->count(); ++i) {
        if (m_capabilities->item(i)->checkState() == Qt::Checked)
            capabilities.append(m_capabilities->item(i)->data(Qt::UserRole).toString());
    }
    input.capabilities = capabilities;
    QList<qint64> nodes;
    for (int i = 0; i < m_nodes->count(); ++i) {
        if (m_nodes->item(i)->checkState() == Qt::Checked)
            nodes.append(m_nodes->item(i)->data(Qt::UserRole).toLongLong());
    }
    input.nodeIds = nodes;
    return input;
}

} // namespace Maestro

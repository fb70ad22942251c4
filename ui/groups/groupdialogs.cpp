#include "groupdialogs.h"
#include "gatewayclient.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

const QStringList Strategies{u"priority"_s, u"round_robin"_s, u"weighted"_s};
const QStringList KnownTags{u"vision"_s, u"tools"_s, u"embedding"_s};

QDialogButtonBox *addButtons(QDialog *dialog, QVBoxLayout *layout, QPushButton **ok)
{
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    *ok = buttons->button(QDialogButtonBox::Ok);
    QObject::connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    return buttons;
}

QLabel *hint(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setEnabled(false);
    label->setWordWrap(true);
    return label;
}

} // namespace

GroupDialog::GroupDialog(const ModelGroup *group, QWidget *parent)
    : QDialog(parent)
    , m_name(new QLineEdit(this))
    , m_description(new QLineEdit(this))
    , m_strategy(new QComboBox(this))
    , m_explanation(new QLabel(this))
    , m_active(new QCheckBox(tr("Clients can &request this group"), this))
    , m_listInCatalog(new QCheckBox(tr("&List in the model catalog (/api/tags, /v1/models)"), this))
    , m_retries(new QSpinBox(this))
{
    setWindowTitle(group ? tr("Edit group %1").arg(group->name) : tr("New model group"));
    m_name->setObjectName(u"groupName"_s);
    m_description->setObjectName(u"description"_s);
    m_strategy->setObjectName(u"strategy"_s);
    m_active->setObjectName(u"active"_s);
    m_listInCatalog->setObjectName(u"listInCatalog"_s);
    m_retries->setObjectName(u"maxFailoverRetries"_s);
    m_name->setPlaceholderText(tr("The name clients request like a model, e.g. coding"));
    m_description->setPlaceholderText(tr("Optional"));
    for (const QString &strategy : Strategies)
        m_strategy->addItem(strategyText(strategy), strategy);
    m_explanation->setEnabled(false);
    m_explanation->setWordWrap(true);
    m_retries->setRange(0, 20);
    m_retries->setSpecialValueText(tr("Default (5)"));
    m_retries->setToolTip(tr("How many other members a failed request may try; 0 uses the default of 5"));

    const QString strategy = group ? group->strategy : u"priority"_s;
    m_strategy->setCurrentIndex(std::max(0, m_strategy->findData(strategy)));
    m_active->setChecked(!group || group->active);
    m_listInCatalog->setChecked(group && group->listInCatalog);
    if (group) {
        m_name->setText(group->name);
        m_description->setText(group->description);
        m_retries->setValue(group->maxFailoverRetries);
    }

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Description:"), m_description);
    form->addRow(tr("&Strategy:"), m_strategy);
    form->addRow(QString(), m_explanation);
    form->addRow(tr("Max failover &retries:"), m_retries);
    form->addRow(QString(), m_active);
    form->addRow(QString(), m_listInCatalog);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    addButtons(this, layout, &m_ok);

    connect(m_name, &QLineEdit::textChanged, this, &GroupDialog::validate);
    connect(m_strategy, &QComboBox::currentIndexChanged, this, [this] {
        m_explanation->setText(strategyExplanation(m_strategy->currentData().toString()));
    });
    m_explanation->setText(strategyExplanation(m_strategy->currentData().toString()));
    validate();
    resize(500, sizeHint().height());
}

QString GroupDialog::strategyText(const QString &strategy)
{
    if (strategy == "round_robin"_L1)
        return tr("Round robin");
    if (strategy == "weighted"_L1)
        return tr("Weighted");
    if (strategy == "priority"_L1)
        return tr("Priority");
    return strategy;
}

QString GroupDialog::strategyExplanation(const QString &strategy)
{
    if (strategy == "round_robin"_L1)
        return tr("Takes turns: each request goes to the next active member.");
    if (strategy == "weighted"_L1)
        return tr("Picks a member at random, in proportion to its weight.");
    if (strategy == "priority"_L1)
        return tr("Always the first member in the list; the others only when it fails.");
    return {};
}

void GroupDialog::validate()
{
    m_ok->setEnabled(!m_name->text().trimmed().isEmpty());
}

AdminService::GroupInput GroupDialog::input() const
{
    AdminService::GroupInput input;
    input.name = m_name->text().trimmed();
    input.description = m_description->text().trimmed();
    input.strategy = m_strategy->currentData().toString();
    input.active = m_active->isChecked();
    input.listInCatalog = m_listInCatalog->isChecked();
    input.maxFailoverRetries = m_retries->value();
    return input;
}

MemberDialog::MemberDialog(const GatewaySnapshot &snapshot, const QString &group,
                           const GroupMember *member, QWidget *parent)
    : QDialog(parent)
    , m_model(new QComboBox(this))
    , m_weight(new QSpinBox(this))
    , m_vision(new QCheckBox(tr("&vision (images)"), this))
    , m_tools(new QCheckBox(tr("&tools (function calls)"), this))
    , m_embedding(new QCheckBox(tr("&embedding"), this))
    , m_otherTags(new QLineEdit(this))
    , m_active(new QCheckBox(tr("A&ctive"), this))
    , m_contextFallback(new QCheckBox(tr("&Long-context fallback"), this))
    , m_preferredNodes(new QListWidget(this))
{
    setWindowTitle(member ? tr("Edit member %1 of %2").arg(member->model, group)
                          : tr("Add a member to %1").arg(group));
    m_model->setObjectName(u"model"_s);
    m_weight->setObjectName(u"weight"_s);
    m_vision->setObjectName(u"vision"_s);
    m_tools->setObjectName(u"tools"_s);
    m_embedding->setObjectName(u"embedding"_s);
    m_otherTags->setObjectName(u"otherTags"_s);
    m_active->setObjectName(u"active"_s);
    m_contextFallback->setObjectName(u"contextFallback"_s);
    m_preferredNodes->setObjectName(u"preferredNodes"_s);

    m_model->setEditable(true);
    m_model->addItems(snapshot.memberModelNames());
    m_model->setCurrentText(QString());
    m_model->lineEdit()->setPlaceholderText(tr("A display name or a real model name"));
    m_weight->setRange(0, 10000);
    m_weight->setValue(100);
    m_weight->setToolTip(tr("Share of requests under the weighted strategy"));
    m_otherTags->setPlaceholderText(tr("Other tags, separated by commas"));
    m_contextFallback->setToolTip(tr("Takes requests the other members refuse as too long"));
    m_active->setChecked(true);

    if (member) {
        m_model->setCurrentText(member->model);
        m_weight->setValue(member->weight);
        m_vision->setChecked(member->capabilityTags.contains("vision"_L1));
        m_tools->setChecked(member->capabilityTags.contains("tools"_L1));
        m_embedding->setChecked(member->capabilityTags.contains("embedding"_L1));
        QStringList other;
        for (const QString &tag : member->capabilityTags) {
            if (!KnownTags.contains(tag))
                other.append(tag);
        }
        m_otherTags->setText(other.join(u", "_s));
        m_active->setChecked(member->active);
        m_contextFallback->setChecked(member->contextFallback);
    }
    // The preferred nodes first, in the order they are tried, then the other nodes.
    const QList<qint64> preferred = member ? member->preferredNodeIds : QList<qint64>();
    QList<const Node *> nodes;
    for (qint64 id : preferred) {
        if (const Node *node = snapshot.node(id))
            nodes.append(node);
    }
    for (const Node &node : snapshot.nodes) {
        if (!preferred.contains(node.id))
            nodes.append(&node);
    }
    for (const Node *node : std::as_const(nodes)) {
        auto *item = new QListWidgetItem(node->name, m_preferredNodes);
        item->setData(Qt::UserRole, node->id);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
        item->setCheckState(preferred.contains(node->id) ? Qt::Checked : Qt::Unchecked);
    }
    m_preferredNodes->setMaximumHeight(120);

    auto *tags = new QHBoxLayout;
    tags->addWidget(m_vision);
    tags->addWidget(m_tools);
    tags->addWidget(m_embedding);
    tags->addStretch(1);
    auto *form = new QFormLayout;
    form->addRow(tr("&Model:"), m_model);
    form->addRow(tr("&Weight:"), m_weight);
    form->addRow(tr("Capability tags:"), tags);
    form->addRow(tr("&Other tags:"), m_otherTags);
    form->addRow(QString(), hint(tr("Requests with images or tools go to members tagged vision or tools first."), this));
    form->addRow(QString(), m_active);
    form->addRow(QString(), m_contextFallback);
    form->addRow(QString(), hint(tr("A long-context fallback takes over when another member refuses a request as too long."), this));
    form->addRow(tr("&Preferred nodes:"), m_preferredNodes);
    form->addRow(QString(), hint(tr("Checked nodes are tried first, in this order; the member's other nodes follow."), this));
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    addButtons(this, layout, &m_ok);

    connect(m_model, &QComboBox::currentTextChanged, this, &MemberDialog::validate);
    validate();
    resize(480, sizeHint().height());
}

void MemberDialog::validate()
{
    m_ok->setEnabled(!m_model->currentText().trimmed().isEmpty());
}

AdminService::MemberInput MemberDialog::input() const
{
    AdminService::MemberInput input;
    input.model = m_model->currentText().trimmed();
    input.weight = m_weight->value();
    QStringList tags;
    for (QCheckBox *box : {m_vision, m_tools, m_embedding}) {
        if (box->isChecked())
            tags.append(box->objectName());
    }
    for (const QString &tag : m_otherTags->text().split(u',', Qt::SkipEmptyParts)) {
        const QString trimmed = tag.trimmed();
        if (!trimmed.isEmpty() && !tags.contains(trimmed))
            tags.append(trimmed);
    }
    input.capabilityTags = tags;
    input.active = m_active->isChecked();
    input.contextFallback = m_contextFallback->isChecked();
    QList<qint64> preferred;
    for (int i = 0; i < m_preferredNodes->count(); ++i) {
        if (m_preferredNodes->item(i)->checkState() == Qt::Checked)
            preferred.append(m_preferredNodes->item(i)->data(Qt::UserRole).toLongLong());
    }
    input.preferredNodeIds = preferred;
    return input;
}

} // namespace Maestro

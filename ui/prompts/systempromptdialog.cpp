#include "systempromptdialog.h"

#include "gatewayclient.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStringListModel>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

// The names a prompt of that scope can be matched against, as the snapshot knows them.
QStringList namesFor(PromptScope scope, const GatewaySnapshot &snapshot)
{
    QStringList names;
    switch (scope) {
    case PromptScope::Global:
        break;
    case PromptScope::User:
        for (const User &user : snapshot.users) {
            if (user.active)
                names.append(user.username);
        }
        break;
    case PromptScope::Mapping:
        for (const ModelMapping &mapping : snapshot.mappings)
            names.append(mapping.displayName);
        break;
    case PromptScope::Model:
        for (const ModelMapping &mapping : snapshot.mappings)
            names.append(mapping.realName);
        for (const NodeModel &model : snapshot.nodeModels)
            names.append(model.name);
        break;
    case PromptScope::Group:
        for (const ModelGroup &group : snapshot.groups)
            names.append(group.name);
        break;
    case PromptScope::Node:
        for (const Node &node : snapshot.nodes)
            names.append(node.name);
        break;
    }
    names.removeDuplicates();
    names.sort(Qt::CaseInsensitive);
    return names;
}

} // namespace

SystemPromptDialog::SystemPromptDialog(const GatewaySnapshot &snapshot, const SystemPrompt *prompt, QWidget *parent)
    : QDialog(parent)
    , m_snapshot(snapshot)
    , m_scope(new QComboBox(this))
    , m_value(new QLineEdit(this))
    , m_completer(new QCompleter(new QStringListModel(this), this))
    , m_prompt(new QPlainTextEdit(this))
    , m_priority(new QSpinBox(this))
    , m_active(new QCheckBox(tr("&Active"), this))
    , m_description(new QLineEdit(this))
    , m_problem(new QLabel(this))
{
    setWindowTitle(prompt ? tr("Edit system prompt") : tr("New system prompt"));
    m_scope->setObjectName(u"scope"_s);
    m_value->setObjectName(u"scopeValue"_s);
    m_prompt->setObjectName(u"prompt"_s);
    m_priority->setObjectName(u"priority"_s);
    m_active->setObjectName(u"active"_s);
    m_description->setObjectName(u"description"_s);

    const QList<std::pair<PromptScope, QString>> scopes{
        {PromptScope::Global, tr("Every request")}, {PromptScope::User, tr("User")},
        {PromptScope::Mapping, tr("Mapping")},     {PromptScope::Model, tr("Model")},
        {PromptScope::Group, tr("Group")},         {PromptScope::Node, tr("Node")},
    };
    for (const auto &[scope, text] : scopes)
        m_scope->addItem(text, int(scope));
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchContains);
    m_value->setCompleter(m_completer);
    m_prompt->setPlaceholderText(tr("e.g. Answer in English. Never reveal internal host names."));
    m_prompt->setTabChangesFocus(true);
    m_priority->setRange(-100000, 100000);
    m_priority->setToolTip(tr("Prompts with a higher priority come first"));
    m_description->setPlaceholderText(tr("Optional"));
    m_active->setChecked(true);
    m_problem->setWordWrap(true);
    QPalette palette = m_problem->palette();
    palette.setColor(QPalette::WindowText, QColor(0xc0, 0x39, 0x2b));
    m_problem->setPalette(palette);

    if (prompt) {
        m_scope->setCurrentIndex(m_scope->findData(int(prompt->scope)));
        m_value->setText(prompt->scopeValue);
        m_prompt->setPlainText(prompt->prompt);
        m_priority->setValue(prompt->priority);
        m_active->setChecked(prompt->active);
        m_description->setText(prompt->description);
    }

    auto *hint = new QLabel(tr("The value must equal the user name, the mapping's display name, the real model name sent "
                               "to the node, the group name, or the node's name or id."),
                            this);
    hint->setWordWrap(true);
    hint->setEnabled(false);
    auto *form = new QFormLayout;
    form->addRow(tr("Applies &to:"), m_scope);
    form->addRow(tr("&Value:"), m_value);
    form->addRow(QString(), hint);
    form->addRow(tr("&Prompt:"), m_prompt);
    form->addRow(tr("P&riority:"), m_priority);
    form->addRow(QString(), m_active);
    form->addRow(tr("&Description:"), m_description);
    form->addRow(QString(), m_problem);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(m_scope, &QComboBox::currentIndexChanged, this, &SystemPromptDialog::scopeChanged);
    connect(m_value, &QLineEdit::textChanged, this, &SystemPromptDialog::validate);
    connect(m_prompt, &QPlainTextEdit::textChanged, this, &SystemPromptDialog::validate);
    scopeChanged();
    resize(520, 440);
}

PromptScope SystemPromptDialog::scope() const
{
    return PromptScope(m_scope->currentData().toInt());
}

void SystemPromptDialog::scopeChanged()
{
    const bool global = scope() == PromptScope::Global;
    m_value->setEnabled(!global);
    m_value->setPlaceholderText(global ? QString() : tr("Start typing to pick a name"));
    static_cast<QStringListModel *>(m_completer->model())->setStringList(namesFor(scope(), m_snapshot));
    validate();
}

void SystemPromptDialog::validate()
{
    QString problem;
    if (scope() != PromptScope::Global && m_value->text().trimmed().isEmpty())
        problem = tr("Name the %1 the prompt applies to.").arg(m_scope->currentText().toLower());
    else if (m_prompt->toPlainText().trimmed().isEmpty())
        problem = tr("Write the prompt.");
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    m_ok->setEnabled(problem.isEmpty());
}

AdminService::PromptInput SystemPromptDialog::input() const
{
    AdminService::PromptInput input;
    input.scopeType = promptScopeName(scope());
    input.scopeValue = scope() == PromptScope::Global ? QString() : m_value->text().trimmed();
    input.prompt = m_prompt->toPlainText();
    input.priority = m_priority->value();
    input.active = m_active->isChecked();
    input.description = m_description->text().trimmed();
    return input;
}

} // namespace Maestro

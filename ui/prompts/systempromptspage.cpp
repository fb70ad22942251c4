#include "systempromptspage.h"
#include "gatewayclient.h"
#include "systempromptdialog.h"
#include "uiutil.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTableWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace Ui;

namespace {

QString scopeText(PromptScope scope)
{
    switch (scope) {
    case PromptScope::Global:
        return SystemPromptsPage::tr("Every request");
    case PromptScope::User:
        return SystemPromptsPage::tr("User");
    case PromptScope::Node:
        return SystemPromptsPage::tr("Node");
    case PromptScope::Group:
        return SystemPromptsPage::tr("Group");
    case PromptScope::Model:
        return SystemPromptsPage::tr("Model");
    case PromptScope::Mapping:
        return SystemPromptsPage::tr("Mapping");
    }
    return {};
}

} // namespace

SystemPromptsPage::SystemPromptsPage(GatewayClient *client, QWidget *parent)
    : Page(client, parent)
    , m_table(new QTableWidget(this))
    , m_edit(new QPushButton(tr("&Edit…"), this))
    , m_up(new QPushButton(tr("Move &up"), this))
    , m_down(new QPushButton(tr("Move d&own"), this))
    , m_delete(new QPushButton(tr("&Delete"), this))
{
    auto *create = new QPushButton(tr("&New prompt…"), this);
    create->setObjectName(u"newPrompt"_s);
    create->setToolTip(tr("Add text the gateway puts in front of matching requests (Ctrl+N)"));
    m_edit->setObjectName(u"editPrompt"_s);
    m_up->setObjectName(u"moveUp"_s);
    m_up->setToolTip(tr("Apply this prompt before the one above it"));
    m_down->setObjectName(u"moveDown"_s);
    m_down->setToolTip(tr("Apply this prompt after the one below it"));
    m_delete->setObjectName(u"deletePrompt"_s);

    m_table->setObjectName(u"systemPrompts"_s);
    setupTable(m_table, {tr("Applies to"), tr("Value"), tr("Priority"), tr("Active"), tr("Prompt")});
    m_table->horizontalHeader()->setSectionResizeMode(4, QHeaderView::Stretch);
    m_table->horizontalHeader()->setStretchLastSection(false);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(create);
    buttons->addWidget(m_edit);
    buttons->addWidget(m_up);
    buttons->addWidget(m_down);
    buttons->addStretch(1);
    buttons->addWidget(m_delete);
    auto *orderHint = new QLabel(tr("Matching prompts are joined top to bottom and put in front of the request's own "
                                    "system prompt. Prompts of equal priority go from the broadest scope to the most "
                                    "specific."),
                                 this);
    orderHint->setWordWrap(true);
    orderHint->setEnabled(false);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);
    layout->addWidget(orderHint);

    connect(create, &QPushButton::clicked, this, &SystemPromptsPage::createNew);
    connect(m_edit, &QPushButton::clicked, this, &SystemPromptsPage::editPrompt);
    connect(m_delete, &QPushButton::clicked, this, &SystemPromptsPage::deletePrompt);
    connect(m_up, &QPushButton::clicked, this, [this] { move(-1); });
    connect(m_down, &QPushButton::clicked, this, [this] { move(1); });
    connect(m_table, &QTableWidget::cellDoubleClicked, this, &SystemPromptsPage::editPrompt);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &SystemPromptsPage::updateButtons);
    connect(m_client, &GatewayClient::snapshotChanged, this, &SystemPromptsPage::rebuild);
    rebuild();
}

qint64 SystemPromptsPage::selectedPrompt() const
{
    const auto rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? 0 : m_table->item(rows.first().row(), 0)->data(Qt::UserRole).toLongLong();
}

void SystemPromptsPage::rebuild()
{
    const qint64 selected = m_pending ? m_pending : selectedPrompt();
    {
        const QSignalBlocker blocker(m_table);
        m_table->setRowCount(0);
        for (const SystemPrompt &prompt : m_client->snapshot().systemPrompts) {
            const int row = m_table->rowCount();
            m_table->insertRow(row);
            m_table->setItem(row, 0, cell(scopeText(prompt.scope), prompt.id));
            m_table->setItem(row, 1, cell(prompt.scope == PromptScope::Global ? u"–"_s : prompt.scopeValue));
            m_table->setItem(row, 2, cell(QString::number(prompt.priority)));
            m_table->setItem(row, 3, cell(prompt.active ? tr("Yes") : tr("No")));
            m_table->setItem(row, 4, cell(prompt.prompt.trimmed().section(u'\n', 0, 0)));
            m_table->item(row, 4)->setToolTip(prompt.description.isEmpty() ? prompt.prompt : prompt.description);
        }
        for (int column : {0, 1, 2, 3})
            m_table->resizeColumnToContents(column);
        const int row = rowWithData(m_table, selected);
        if (row >= 0) {
            m_table->selectRow(row);
            m_pending = 0;
        }
    }
    updateButtons();
}

void SystemPromptsPage::updateButtons()
{
    const auto rows = m_table->selectionModel()->selectedRows();
    const int row = rows.isEmpty() ? -1 : rows.first().row();
    m_edit->setEnabled(row >= 0);
    m_delete->setEnabled(row >= 0);
    m_up->setEnabled(row > 0);
    m_down->setEnabled(row >= 0 && row < m_table->rowCount() - 1);
}

void SystemPromptsPage::createNew()
{
    openDialog(nullptr);
}

void SystemPromptsPage::openDialog(const SystemPrompt *prompt)
{
    auto *dialog = new SystemPromptDialog(m_client->snapshot(), prompt, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const qint64 id = prompt ? prompt->id : 0;
    connect(dialog, &QDialog::accepted, this, [this, dialog, id] {
        const auto done = [this](const Result<SystemPrompt> &saved) {
            if (!saved.ok())
                return showError(this, tr("Could not save the system prompt"), saved.error());
            m_pending = saved.value().id;
        };
        if (id)
            m_client->updateSystemPrompt(id, dialog->input(), this, done);
        else
            m_client->addSystemPrompt(dialog->input(), this, done);
    });
    dialog->open();
}

void SystemPromptsPage::editPrompt()
{
    if (const SystemPrompt *prompt = m_client->snapshot().systemPrompt(selectedPrompt()))
        openDialog(prompt);
}

void SystemPromptsPage::deletePrompt()
{
    const SystemPrompt *prompt = m_client->snapshot().systemPrompt(selectedPrompt());
    if (!prompt)
        return;
    const QString what = prompt->scope == PromptScope::Global
        ? tr("the prompt for every request")
        : tr("the prompt for %1 %2").arg(scopeText(prompt->scope).toLower(), prompt->scopeValue);
    if (QMessageBox::question(this, tr("Delete system prompt"),
                              tr("Delete %1? Requests no longer get its text.").arg(what))
        != QMessageBox::Yes)
        return;
    m_client->deleteSystemPrompt(prompt->id, this, [this](const Result<bool> &deleted) {
        if (!deleted.ok())
            showError(this, tr("Could not delete the system prompt"), deleted.error());
    });
}

void SystemPromptsPage::move(int offset)
{
    const QList<SystemPrompt> &prompts = m_client->snapshot().systemPrompts;
    QList<qint64> ids;
    for (const SystemPrompt &prompt : prompts)
        ids.append(prompt.id);
    const qint64 id = selectedPrompt();
    const qsizetype from = ids.indexOf(id);
    const qsizetype to = from + offset;
    if (from < 0 || to < 0 || to >= ids.size())
        return;
    ids.move(from, to);
    m_pending = id;
    m_client->reorderSystemPrompts(ids, this, [this](const Result<QList<SystemPrompt>> &reordered) {
        if (!reordered.ok())
            showError(this, tr("Could not change the order of the system prompts"), reordered.error());
    });
}

} // namespace Maestro

#include "groupspage.h"
#include "gatewayclient.h"
#include "groupdialogs.h"
#include "membermodel.h"
#include "uiutil.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStyle>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QTreeView>
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

// Rows as tall as those of the tables on every page.
class RowHeightDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        const QSize size = QStyledItemDelegate::sizeHint(option, index);
        return {size.width(), std::max(size.height(), 26)};
    }
};

} // namespace

GroupsPage::GroupsPage(GatewayClient *client, QWidget *parent)
    : Page(client, parent)
    , m_groups(new QTableWidget(this))
    , m_members(new QTreeView(this))
    , m_memberModel(new MemberModel(this))
    , m_membersTitle(heading(QString(), this))
    , m_edit(new QPushButton(tr("&Edit…"), this))
    , m_toggle(new QPushButton(tr("Disa&ble"), this))
    , m_delete(new QPushButton(tr("&Delete"), this))
    , m_addMember(new QPushButton(tr("&Add member…"), this))
    , m_editMember(new QPushButton(tr("Edi&t member…"), this))
    , m_removeMember(new QPushButton(tr("&Remove member"), this))
    , m_up(new QPushButton(style()->standardIcon(QStyle::SP_ArrowUp), tr("Move &up"), this))
    , m_down(new QPushButton(style()->standardIcon(QStyle::SP_ArrowDown), tr("Move do&wn"), this))
{
    auto *create = new QPushButton(tr("&New group…"), this);
    create->setObjectName(u"newGroup"_s);
    create->setToolTip(tr("Create a name clients request like a model, served by several models (Ctrl+N)"));
    m_toggle->setObjectName(u"toggleGroup"_s);
    m_addMember->setObjectName(u"addMember"_s);
    m_editMember->setObjectName(u"editMember"_s);
    m_removeMember->setObjectName(u"removeMember"_s);
    m_up->setObjectName(u"moveUp"_s);
    m_down->setObjectName(u"moveDown"_s);
    m_up->setToolTip(tr("Try this member earlier (Ctrl+Up)"));
    m_down->setToolTip(tr("Try this member later (Ctrl+Down)"));

    m_groups->setObjectName(u"groups"_s);
    setupTable(m_groups, {tr("Group"), tr("Strategy"), tr("Members"), tr("State"), tr("Catalog")});
    m_groups->horizontalHeaderItem(4)->setToolTip(tr("Listed in the model catalog (/api/tags, /v1/models)"));
    m_groups->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_groups->horizontalHeader()->setStretchLastSection(false);

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 6, 0);
    auto *groupButtons = new QHBoxLayout;
    groupButtons->addWidget(create);
    groupButtons->addWidget(m_edit);
    groupButtons->addWidget(m_toggle);
    groupButtons->addStretch(1);
    groupButtons->addWidget(m_delete);
    // Same height as the members' title row, whose buttons make it taller than a label.
    auto *groupsTitle = heading(tr("Model groups"), left);
    groupsTitle->setMinimumHeight(m_up->sizeHint().height());
    leftLayout->addWidget(groupsTitle);
    leftLayout->addWidget(m_groups, 1);
    leftLayout->addLayout(groupButtons);

    m_members->setObjectName(u"members"_s);
    m_members->setModel(m_memberModel);
    m_members->setItemDelegate(new RowHeightDelegate(m_members));
    m_members->setRootIsDecorated(false);
    m_members->setItemsExpandable(false);
    m_members->setUniformRowHeights(true);
    m_members->setAlternatingRowColors(true);
    m_members->setAllColumnsShowFocus(true);
    m_members->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_members->setSelectionMode(QAbstractItemView::SingleSelection);
    m_members->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_members->setDragDropMode(QAbstractItemView::InternalMove);
    m_members->setDefaultDropAction(Qt::MoveAction);
    m_members->setDragDropOverwriteMode(false);
    m_members->setDropIndicatorShown(true);
    m_members->header()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_members->header()->setStretchLastSection(false);
    m_members->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_members->header()->setSectionResizeMode(MemberModel::Model, QHeaderView::Stretch);
    m_members->header()->setMinimumSectionSize(60);

    // Keyboard users reorder with the same shortcuts as the buttons' tooltips say, from the list.
    auto *upAction = new QAction(m_members);
    upAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Up));
    upAction->setShortcutContext(Qt::WidgetShortcut);
    m_members->addAction(upAction);
    auto *downAction = new QAction(m_members);
    downAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Down));
    downAction->setShortcutContext(Qt::WidgetShortcut);
    m_members->addAction(downAction);

    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(6, 0, 0, 0);
    // The order buttons sit by the title so that both lists keep the same height.
    auto *titleRow = new QHBoxLayout;
    titleRow->addWidget(m_membersTitle, 1);
    titleRow->addWidget(m_up);
    titleRow->addWidget(m_down);
    auto *memberButtons = new QHBoxLayout;
    memberButtons->addWidget(m_addMember);
    memberButtons->addWidget(m_editMember);
    memberButtons->addStretch(1);
    memberButtons->addWidget(m_removeMember);
    rightLayout->addLayout(titleRow);
    rightLayout->addWidget(m_members, 1);
    rightLayout->addLayout(memberButtons);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 5);
    splitter->setSizes({400, 500});
    splitter->setChildrenCollapsible(false);
    auto *dragHint = new QLabel(tr("Requests try the members from the top down. Drag a member to change the order."), this);
    dragHint->setEnabled(false);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter, 1);
    layout->addWidget(dragHint);

    connect(create, &QPushButton::clicked, this, &GroupsPage::createNew);
    connect(m_edit, &QPushButton::clicked, this, &GroupsPage::editGroup);
    connect(m_toggle, &QPushButton::clicked, this, &GroupsPage::toggleGroup);
    connect(m_delete, &QPushButton::clicked, this, &GroupsPage::deleteGroup);
    connect(m_groups, &QTableWidget::cellDoubleClicked, this, &GroupsPage::editGroup);
    connect(m_groups, &QTableWidget::itemSelectionChanged, this, &GroupsPage::showMembers);
    connect(m_addMember, &QPushButton::clicked, this, [this] { openMemberDialog(nullptr); });
    connect(m_editMember, &QPushButton::clicked, this, &GroupsPage::editMember);
    connect(m_removeMember, &QPushButton::clicked, this, &GroupsPage::removeMember);
    connect(m_members, &QTreeView::doubleClicked, this, &GroupsPage::editMember);
    connect(m_up, &QPushButton::clicked, this, [this] { moveMember(-1); });
    connect(m_down, &QPushButton::clicked, this, [this] { moveMember(1); });
    connect(upAction, &QAction::triggered, this, [this] { moveMember(-1); });
    connect(downAction, &QAction::triggered, this, [this] { moveMember(1); });
    connect(m_members->selectionModel(), &QItemSelectionModel::selectionChanged, this, &GroupsPage::updateButtons);
    // Covers every reorder, the drop of a drag as much as the buttons.
    connect(m_memberModel, &MemberModel::orderChanged, this, &GroupsPage::sendOrder);
    connect(m_memberModel, &QAbstractItemModel::rowsMoved, this, &GroupsPage::updateButtons);
    connect(m_client, &GatewayClient::snapshotChanged, this, &GroupsPage::rebuild);
    rebuild();
}

QString GroupsPage::selectedGroup() const
{
    const auto rows = m_groups->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : m_groups->item(rows.first().row(), 0)->data(Qt::UserRole).toString();
}

qint64 GroupsPage::selectedMember() const
{
    const auto rows = m_members->selectionModel()->selectedRows();
    return rows.isEmpty() ? 0 : rows.first().data(MemberModel::IdRole).toLongLong();
}

void GroupsPage::selectGroup(const QString &name)
{
    const int row = rowWithData(m_groups, name);
    if (row >= 0)
        m_groups->selectRow(row);
}

void GroupsPage::rebuild()
{
    const GatewaySnapshot &snapshot = m_client->snapshot();
    {
        // Refilling the table clears its selection; the shown group stays until rebuilt below.
        const QSignalBlocker blocker(m_groups);
        m_groups->setRowCount(0);
        for (const ModelGroup &group : snapshot.groups) {
            const int row = m_groups->rowCount();
            m_groups->insertRow(row);
            m_groups->setItem(row, 0, cell(group.name, group.name));
            if (!group.description.isEmpty())
                m_groups->item(row, 0)->setToolTip(group.description);
            m_groups->setItem(row, 1, cell(GroupDialog::strategyText(group.strategy)));
            m_groups->setItem(row, 2, cell(formatCount(group.members.size())));
            m_groups->setItem(row, 3, cell(group.active ? tr("Active") : tr("Disabled")));
            m_groups->item(row, 3)->setIcon(dotIcon(healthColor(Health::Healthy, group.active)));
            m_groups->setItem(row, 4, cell(group.listInCatalog ? tr("Listed") : tr("Hidden")));
            m_groups->item(row, 2)->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        }
        for (int column = 1; column < m_groups->columnCount(); ++column)
            m_groups->resizeColumnToContents(column);
        const int row = rowWithData(m_groups, m_shownGroup);
        if (row >= 0)
            m_groups->selectRow(row);
        else if (m_groups->rowCount() > 0 && m_shownGroup.isEmpty())
            m_groups->selectRow(0);
    }
    showMembers();
}

void GroupsPage::showMembers()
{
    const QString name = selectedGroup();
    const qint64 member = name == m_shownGroup ? selectedMember() : 0;
    m_shownGroup = name;
    const ModelGroup *group = m_client->snapshot().group(name);
    m_memberModel->setMembers(group ? group->members : QList<GroupMember>());
    if (!group)
        m_membersTitle->setText(tr("Members (select a group)"));
    else
        m_membersTitle->setText(tr("Members of %1 in fallback order").arg(name));
    const int row = m_memberModel->rowOf(member);
    if (row >= 0)
        m_members->selectionModel()->select(m_memberModel->index(row, 0),
                                            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    if (row >= 0)
        m_members->setCurrentIndex(m_memberModel->index(row, 0));
    updateButtons();
}

void GroupsPage::updateButtons()
{
    const ModelGroup *group = m_client->snapshot().group(selectedGroup());
    for (QPushButton *button : {m_edit, m_toggle, m_delete, m_addMember})
        button->setEnabled(group);
    m_toggle->setText(!group || group->active ? tr("Disa&ble") : tr("Ena&ble"));
    const int row = m_memberModel->rowOf(selectedMember());
    m_editMember->setEnabled(row >= 0);
    m_removeMember->setEnabled(row >= 0);
    m_up->setEnabled(row > 0);
    m_down->setEnabled(row >= 0 && row < m_memberModel->rowCount() - 1);
}

void GroupsPage::createNew()
{
    openGroupDialog(nullptr);
}

void GroupsPage::openGroupDialog(const ModelGroup *group)
{
    auto *dialog = new GroupDialog(group, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QString original = group ? group->name : QString();
    connect(dialog, &QDialog::accepted, this, [this, dialog, original] {
        const auto done = [this](const Result<ModelGroup> &saved) {
            if (!saved.ok())
                return showError(this, tr("Could not save the group"), saved.error());
            // Shown once the refreshed snapshot lists it (a new group, or a renamed one).
            m_shownGroup = saved.value().name;
            selectGroup(m_shownGroup);
        };
        if (original.isEmpty())
            m_client->addGroup(dialog->input(), {}, this, done);
        else
            m_client->updateGroup(original, dialog->input(), this, done);
    });
    dialog->open();
}

void GroupsPage::editGroup()
{
    if (const ModelGroup *group = m_client->snapshot().group(selectedGroup()))
        openGroupDialog(group);
}

void GroupsPage::toggleGroup()
{
    const ModelGroup *group = m_client->snapshot().group(selectedGroup());
    if (!group)
        return;
    AdminService::GroupInput input;
    input.active = !group->active;
    m_client->updateGroup(group->name, input, this, [this](const Result<ModelGroup> &saved) {
        if (!saved.ok())
            showError(this, tr("Could not change the group"), saved.error());
    });
}

void GroupsPage::deleteGroup()
{
    const QString name = selectedGroup();
    if (name.isEmpty())
        return;
    if (QMessageBox::question(this, tr("Delete group"),
                              tr("Delete the group %1? Clients requesting it get \"model not found\"; its members stay available under their own names.").arg(name))
        != QMessageBox::Yes)
        return;
    m_client->deleteGroup(name, this, [this](const Result<bool> &deleted) {
        if (!deleted.ok())
            showError(this, tr("Could not delete the group"), deleted.error());
    });
}

void GroupsPage::openMemberDialog(const GroupMember *member)
{
    const QString group = selectedGroup();
    if (group.isEmpty())
        return;
    auto *dialog = new MemberDialog(m_client->snapshot(), group, member, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const qint64 id = member ? member->id : 0;
    connect(dialog, &QDialog::accepted, this, [this, dialog, group, id] {
        const auto done = [this](const Result<ModelGroup> &saved) {
            if (!saved.ok())
                showError(this, tr("Could not save the member"), saved.error());
        };
        if (id == 0)
            m_client->addMember(group, dialog->input(), this, done);
        else
            m_client->updateMember(group, id, dialog->input(), this, done);
    });
    dialog->open();
}

void GroupsPage::editMember()
{
    const int row = m_memberModel->rowOf(selectedMember());
    if (row >= 0)
        openMemberDialog(&m_memberModel->members().at(row));
}

void GroupsPage::removeMember()
{
    const QString group = selectedGroup();
    const int row = m_memberModel->rowOf(selectedMember());
    if (group.isEmpty() || row < 0)
        return;
    const GroupMember &member = m_memberModel->members().at(row);
    if (QMessageBox::question(this, tr("Remove member"),
                              tr("Remove %1 from the group %2?").arg(member.model, group))
        != QMessageBox::Yes)
        return;
    m_client->deleteMember(group, member.id, this, [this](const Result<ModelGroup> &saved) {
        if (!saved.ok())
            showError(this, tr("Could not remove the member"), saved.error());
    });
}

void GroupsPage::moveMember(int delta)
{
    const int row = m_memberModel->rowOf(selectedMember());
    const int target = row + delta;
    if (row < 0 || target < 0 || target >= m_memberModel->rowCount())
        return;
    // moveRow() counts the destination before the move: one further when moving down.
    m_memberModel->moveRow({}, row, {}, delta > 0 ? target + 1 : target);
}

void GroupsPage::sendOrder(const QList<qint64> &memberIds)
{
    const QString group = m_shownGroup;
    if (group.isEmpty())
        return;
    m_client->reorderMembers(group, memberIds, this, [this](const Result<ModelGroup> &saved) {
        if (saved.ok())
            return;
        showError(this, tr("Could not change the order"), saved.error());
        // Back to the order the gateway has.
        showMembers();
    });
}

} // namespace Maestro

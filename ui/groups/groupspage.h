#pragma once

#include "core/entities.h"
#include "page.h"

class QLabel;
class QPushButton;
class QTableWidget;
class QTreeView;

namespace Maestro {

class MemberModel;

// Model groups on the left; the selected group's members on the right, in the order a request
// tries them, reordered by dragging or with Move up / Move down.
class GroupsPage final : public Page
{
    Q_OBJECT

public:
    explicit GroupsPage(GatewayClient *client, QWidget *parent = nullptr);

    bool canCreate() const override { return true; }
    void createNew() override;

    QTableWidget *groupsTable() const { return m_groups; }
    QTreeView *membersView() const { return m_members; }
    MemberModel *memberModel() const { return m_memberModel; }
    QString selectedGroup() const;
    qint64 selectedMember() const;
    void selectGroup(const QString &name);

private:
    void rebuild();
    void showMembers();
    void updateButtons();
    void openGroupDialog(const ModelGroup *group);
    void editGroup();
    void toggleGroup();
    void deleteGroup();
    void openMemberDialog(const GroupMember *member);
    void editMember();
    void removeMember();
    void moveMember(int delta);
    void sendOrder(const QList<qint64> &memberIds);

    QTableWidget *m_groups;
    QTreeView *m_members;
    MemberModel *m_memberModel;
    QLabel *m_membersTitle;
    QPushButton *m_edit;
    QPushButton *m_toggle;
    QPushButton *m_delete;
    QPushButton *m_addMember;
    QPushButton *m_editMember;
    QPushButton *m_removeMember;
    QPushButton *m_up;
    QPushButton *m_down;
    QString m_shownGroup;
};

} // namespace Maestro

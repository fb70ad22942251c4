#pragma once

#include "core/entities.h"

#include <QAbstractTableModel>

namespace Maestro {

// A group's members in fallback order. Rows are reordered by dragging (the view's InternalMove
// ends in dropMimeData) or by moveRows(); both emit orderChanged() with the new order, which the
// page sends to the gateway. The model shows the new order at once; the gateway's answer then
// replaces it whole through setMembers().
class MemberModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Model, Priority, Weight, Tags, Active, ContextFallback, ColumnCount };
    static constexpr int IdRole = Qt::UserRole;

    explicit MemberModel(QObject *parent = nullptr);

    void setMembers(const QList<GroupMember> &members);
    const QList<GroupMember> &members() const { return m_members; }
    QList<qint64> memberIds() const;
    int rowOf(qint64 memberId) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    Qt::DropActions supportedDropActions() const override;
    Qt::DropActions supportedDragActions() const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    bool canDropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                         const QModelIndex &parent) const override;
    bool dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                      const QModelIndex &parent) override;
    bool moveRows(const QModelIndex &sourceParent, int sourceRow, int count,
                  const QModelIndex &destinationParent, int destinationChild) override;

    // How a member's capability tags read in the list: the ones routing looks at first.
    static QString tagsText(const QStringList &tags);

Q_SIGNALS:
    void orderChanged(const QList<qint64> &memberIds);

private:
    QList<GroupMember> m_members;
};

} // namespace Maestro

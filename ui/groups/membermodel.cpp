#include "membermodel.h"
#include "uiutil.h"

#include <QDataStream>
#include <QIODevice>
#include <QMimeData>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

const QString MimeType = u"application/x-maestro-group-members"_s;

QList<qint64> decodeIds(const QMimeData *data)
{
    QList<qint64> ids;
    if (!data || !data->hasFormat(MimeType))
        return ids;
    QDataStream stream(data->data(MimeType));
    stream >> ids;
    return stream.status() == QDataStream::Ok ? ids : QList<qint64>();
}

} // namespace

MemberModel::MemberModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void MemberModel::setMembers(const QList<GroupMember> &members)
{
    beginResetModel();
    m_members = members;
    endResetModel();
}

QList<qint64> MemberModel::memberIds() const
{
    QList<qint64> ids;
    ids.reserve(m_members.size());
    for (const GroupMember &member : m_members)
        ids.append(member.id);
    return ids;
}

int MemberModel::rowOf(qint64 memberId) const
{
    for (int row = 0; row < m_members.size(); ++row) {
        if (m_members.at(row).id == memberId)
            return row;
    }
    return -1;
}

int MemberModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_members.size());
}

int MemberModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString MemberModel::tagsText(const QStringList &tags)
{
    // Routing prefers members tagged vision or tools for requests that need them, so those
    // lead as badges; other tags follow as plain words.
    QStringList badges;
    QStringList rest;
    for (const QString &tag : tags) {
        if (tag == "vision"_L1 || tag == "tools"_L1)
            badges.append(u"[%1]"_s.arg(tag));
        else
            rest.append(tag);
    }
    return (badges + rest).join(u' ');
}

QVariant MemberModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_members.size())
        return {};
    const GroupMember &member = m_members.at(index.row());
    if (role == IdRole)
        return member.id;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Model:
            return member.model;
        case Priority:
            return member.priority;
        case Weight:
            return member.weight;
        case Tags:
            return tagsText(member.capabilityTags);
        case Active:
            return member.active ? tr("Active") : tr("Disabled");
        case ContextFallback:
            return member.contextFallback ? tr("Long context") : QString();
        }
    }
    if (role == Qt::DecorationRole && index.column() == Active)
        return Ui::dotIcon(Ui::healthColor(Health::Healthy, member.active));
    if (role == Qt::ForegroundRole && !member.active && index.column() == Model)
        return Ui::healthColor(Health::Unknown, false);
    if (role == Qt::ToolTipRole && index.column() == ContextFallback && member.contextFallback)
        return tr("Takes requests the other members refuse as too long");
    if (role == Qt::TextAlignmentRole && (index.column() == Priority || index.column() == Weight))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant MemberModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole && section == ContextFallback)
        return tr("Long-context fallback: takes requests the other members refuse as too long");
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Model:
        return tr("Model");
    case Priority:
        return tr("Priority");
    case Weight:
        return tr("Weight");
    case Tags:
        return tr("Capability tags");
    case Active:
        return tr("State");
    case ContextFallback:
        return tr("Fallback");
    }
    return {};
}

Qt::ItemFlags MemberModel::flags(const QModelIndex &index) const
{
    // Drops land between rows only: dropping onto a member would mean nothing.
    if (!index.isValid())
        return Qt::ItemIsDropEnabled;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled;
}

Qt::DropActions MemberModel::supportedDropActions() const
{
    return Qt::MoveAction;
}

Qt::DropActions MemberModel::supportedDragActions() const
{
    return Qt::MoveAction;
}

QStringList MemberModel::mimeTypes() const
{
    return {MimeType};
}

QMimeData *MemberModel::mimeData(const QModelIndexList &indexes) const
{
    QList<qint64> ids;
    for (const QModelIndex &index : indexes) {
        const qint64 id = index.data(IdRole).toLongLong();
        if (index.isValid() && !ids.contains(id))
            ids.append(id);
    }
    QByteArray encoded;
    QDataStream stream(&encoded, QIODevice::WriteOnly);
    stream << ids;
    auto *data = new QMimeData;
    data->setData(MimeType, encoded);
    return data;
}

bool MemberModel::canDropMimeData(const QMimeData *data, Qt::DropAction action, int, int,
                                  const QModelIndex &) const
{
    return action == Qt::MoveAction && decodeIds(data).size() == 1;
}

bool MemberModel::dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int,
                               const QModelIndex &parent)
{
    if (!canDropMimeData(data, action, row, 0, parent))
        return false;
    const int source = rowOf(decodeIds(data).constFirst());
    if (source < 0)
        return false;
    // Dropped onto a row (the view allows it between rows only, but other callers may not):
    // take its place.
    int destination = parent.isValid() ? parent.row() : row;
    if (destination < 0 || destination > m_members.size())
        destination = int(m_members.size());
    // The row moves here. After an accepted move the view asks the model to remove the dragged
    // rows, as if they had gone to another model; this model removes no rows, so they stay.
    moveRows({}, source, 1, {}, destination);
    return true;
}

bool MemberModel::moveRows(const QModelIndex &sourceParent, int sourceRow, int count,
                           const QModelIndex &destinationParent, int destinationChild)
{
    if (sourceParent.isValid() || destinationParent.isValid() || count != 1 || sourceRow < 0
        || sourceRow >= m_members.size() || destinationChild < 0 || destinationChild > m_members.size())
        return false;
    // destinationChild counts rows before the move: sourceRow and sourceRow + 1 leave it in place.
    if (destinationChild == sourceRow || destinationChild == sourceRow + 1)
        return false;
    if (!beginMoveRows({}, sourceRow, sourceRow, {}, destinationChild))
        return false;
    const int to = destinationChild > sourceRow ? destinationChild - 1 : destinationChild;
    m_members.move(sourceRow, to);
    endMoveRows();
    Q_EMIT orderChanged(memberIds());
    return true;
}

} // namespace Maestro

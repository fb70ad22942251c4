#pragma once

#include "core/entities.h"

#include <QDialog>

class QTableWidget;

namespace Maestro {

// Which models a user may use on which node: a table of (node, model) rows. Empty: every model on
// the nodes the user may reach. The model box offers what the chosen node serves and takes any
// other name (a model the node will serve later).
class UserNodeModelsDialog final : public QDialog
{
    Q_OBJECT

public:
    UserNodeModelsDialog(const QString &username, const QList<Node> &nodes, const QList<NodeModel> &models,
                         const QList<NodeModelGrant> &granted, QWidget *parent = nullptr);

    // In table order, without empty or repeated rows.
    QList<NodeModelGrant> nodeModels() const;

    // Adds a row for that node and model (for the Add button, and for tests).
    void addRow(qint64 nodeId, const QString &model);

private:
    QList<Node> m_nodes;
    QList<NodeModel> m_models;
    QTableWidget *m_table;
};

} // namespace Maestro

#pragma once

#include "core/entities.h"
#include "page.h"

class QPushButton;
class QTableWidget;
class QTreeWidget;

namespace Maestro {

class ModelsPage final : public Page
{
    Q_OBJECT

public:
    explicit ModelsPage(GatewayClient *client, QWidget *parent = nullptr);

    bool canCreate() const override { return true; }
    void createNew() override;

    QTableWidget *mappingsTable() const { return m_mappings; }
    QTreeWidget *discoveredTree() const { return m_discovered; }

private:
    void rebuild();
    void openDialog(const ModelMapping *mapping, const QString &realName);
    QString selectedMapping() const;
    void edit();
    void remove();

    QTreeWidget *m_discovered;
    QTableWidget *m_mappings;
    QPushButton *m_map;
    QPushButton *m_edit;
    QPushButton *m_delete;
};

} // namespace Maestro

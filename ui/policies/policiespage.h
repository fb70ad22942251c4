#pragma once

#include "core/entities.h"
#include "page.h"

class QPushButton;
class QTableWidget;

namespace Maestro {

// Model configurations on top (maintenance, tools, stripped parameters, context lengths per
// model or model prefix); below them the tool sets those configurations can allow.
class PoliciesPage final : public Page
{
    Q_OBJECT

public:
    explicit PoliciesPage(GatewayClient *client, QWidget *parent = nullptr);

    bool canCreate() const override { return true; }
    void createNew() override;

    QTableWidget *configsTable() const { return m_configs; }
    QTableWidget *toolSetsTable() const { return m_toolSets; }
    QString selectedConfig() const;
    QString selectedToolSet() const;

    // How a configuration's tool rule reads in the table, e.g. "only: a, b + set X" or "all".
    static QString toolsText(const ModelConfig &config);

private:
    void rebuild();
    void updateButtons();
    void openConfigDialog(const ModelConfig *config);
    void editConfig();
    void deleteConfig();
    void openToolSetDialog(const ToolSet *set);
    void editToolSet();
    void deleteToolSet();

    QTableWidget *m_configs;
    QTableWidget *m_toolSets;
    QPushButton *m_editConfig;
    QPushButton *m_deleteConfig;
    QPushButton *m_editToolSet;
    QPushButton *m_deleteToolSet;
    QString m_pendingConfig; // saved, selected once the table lists it
};

} // namespace Maestro

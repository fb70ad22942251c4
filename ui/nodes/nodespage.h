#pragma once

#include "page.h"

#include <QTimer>

class QAction;
class QLabel;
class QPushButton;
class QTableWidget;

namespace Maestro {

class NodesPage final : public Page
{
    Q_OBJECT

public:
    explicit NodesPage(GatewayClient *client, QWidget *parent = nullptr);

    bool canCreate() const override { return true; }
    void createNew() override;

    QTableWidget *table() const { return m_table; }
    QTableWidget *modelsTable() const { return m_models; }
    qint64 selectedNode() const;

private:
    void rebuild();
    void rebuildModels();
    void updateButtons();
    void edit();
    void toggle();
    void remove();
    void checkNow();
    void pullModel();

    QTableWidget *m_table;
    QTableWidget *m_models;
    QLabel *m_modelsTitle;
    QLabel *m_status;
    QPushButton *m_edit;
    QPushButton *m_toggle;
    QPushButton *m_check;
    QPushButton *m_delete;
    QTimer m_liveRebuild; // at most once a second while requests are logged
    QPushButton *m_pull;
    QAction *m_toggleAction;
};

} // namespace Maestro

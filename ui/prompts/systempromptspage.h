#pragma once

#include "core/entities.h"
#include "page.h"

class QPushButton;
class QTableWidget;

namespace Maestro {

// The system prompts the gateway puts in front of requests, in the order they are applied:
// add, edit, delete, and move up or down to change that order.
class SystemPromptsPage final : public Page
{
    Q_OBJECT

public:
    explicit SystemPromptsPage(GatewayClient *client, QWidget *parent = nullptr);

    bool canCreate() const override { return true; }
    void createNew() override;

    QTableWidget *table() const { return m_table; }
    qint64 selectedPrompt() const; // 0 when none is selected

private:
    void rebuild();
    void updateButtons();
    void openDialog(const SystemPrompt *prompt);
    void editPrompt();
    void deletePrompt();
    void move(int offset);

    QTableWidget *m_table;
    QPushButton *m_edit;
    QPushButton *m_up;
    QPushButton *m_down;
    QPushButton *m_delete;
    qint64 m_pending = 0; // saved or moved, selected once the table lists it
};

} // namespace Maestro

#pragma once

#include "core/adminservice.h"
#include "core/entities.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QCompleter;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace Maestro {

struct GatewaySnapshot;

// A system prompt: where it applies (a scope and the name it must equal), its text, priority,
// whether it is on, and a note for the administrator.
class SystemPromptDialog final : public QDialog
{
    Q_OBJECT

public:
    SystemPromptDialog(const GatewaySnapshot &snapshot, const SystemPrompt *prompt, QWidget *parent = nullptr);

    AdminService::PromptInput input() const;

private:
    void scopeChanged();
    void validate();
    PromptScope scope() const;

    const GatewaySnapshot &m_snapshot;
    QComboBox *m_scope;
    QLineEdit *m_value;
    QCompleter *m_completer;
    QPlainTextEdit *m_prompt;
    QSpinBox *m_priority;
    QCheckBox *m_active;
    QLineEdit *m_description;
    QLabel *m_problem;
    QPushButton *m_ok = nullptr;
};

} // namespace Maestro

#pragma once

#include "core/entities.h"

#include <QDialog>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace Maestro {

struct GatewaySnapshot;

// A model configuration: maintenance, which tools pass, parameters removed, context lengths and
// per-minute limits for every model its pattern matches.
class ModelConfigDialog final : public QDialog
{
    Q_OBJECT

public:
    ModelConfigDialog(const GatewaySnapshot &snapshot, const ModelConfig *config, QWidget *parent = nullptr);

    ModelConfig config() const;
    // A length as the dialog shows it and accepts it back: 32768 as "32K", 1048576 as "1M".
    static QString contextText(qint64 length);

private:
    void validate();

    QLineEdit *m_pattern;
    QCheckBox *m_maintenance;
    QLineEdit *m_message;
    QCheckBox *m_restrict;
    QLineEdit *m_allowedTools;
    QListWidget *m_toolSets;
    QLineEdit *m_strippedParams;
    QLineEdit *m_defaultContext;
    QLineEdit *m_maxContext;
    QCheckBox *m_keepThinkTags;
    QSpinBox *m_requestsPerMinute;
    QSpinBox *m_tokensPerMinute;
    QLabel *m_problem;
    QPushButton *m_ok = nullptr;
    QStringList m_taken; // patterns of the other configurations
};

// A named list of tools; the name is its key and stays as it is when editing.
class ToolSetDialog final : public QDialog
{
    Q_OBJECT

public:
    ToolSetDialog(const GatewaySnapshot &snapshot, const ToolSet *set, QWidget *parent = nullptr);

    ToolSet toolSet() const;

private:
    void validate();

    QLineEdit *m_name;
    QLineEdit *m_description;
    QPlainTextEdit *m_tools;
    QLabel *m_problem;
    QPushButton *m_ok = nullptr;
    QStringList m_taken; // names of the other tool sets
};

} // namespace Maestro

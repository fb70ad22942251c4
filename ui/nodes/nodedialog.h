#pragma once

#include "core/adminservice.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTableWidget;

namespace Maestro {

// Adds a node, or edits one (then `node` is set and an empty API key field keeps the stored key).
// Its request headers are a table of name, value and "secret"; a stored secret header shows no
// value (the desktop never has it) and keeps it unless a new one is typed.
class NodeDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit NodeDialog(const Node *node = nullptr, QWidget *parent = nullptr);

    AdminService::NodeInput input() const;

private:
    bool m_editing;
    QLineEdit *m_name;
    QLineEdit *m_url;
    QComboBox *m_type;
    QLineEdit *m_apiKey;
    QSpinBox *m_priority;
    QSpinBox *m_weight;
    QCheckBox *m_warmup;
    // Bedrock nodes only.
    QWidget *m_bedrock;
    QLineEdit *m_region;
    QLineEdit *m_accessKeyId;
    QLineEdit *m_secretAccessKey;
    QLineEdit *m_sessionToken;
    QPlainTextEdit *m_modelIds;
    // Every node.
    QTableWidget *m_headers;
    QStringList m_storedSecretHeaders; // the node's secret headers when the dialog opened
    QLineEdit *m_healthUrl;
    QCheckBox *m_autoSync;

    void addHeaderRow(const QString &name, const QString &value, bool secret, bool stored);
};

} // namespace Maestro

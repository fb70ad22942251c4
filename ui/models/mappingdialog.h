#pragma once

#include "core/adminservice.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;

namespace Maestro {

struct GatewaySnapshot;

// A display name for a real model, with optional context length, capabilities and node restriction.
class MappingDialog final : public QDialog
{
    Q_OBJECT

public:
    MappingDialog(const GatewaySnapshot &snapshot, const ModelMapping *mapping,
                  QWidget *parent = nullptr);

    void setRealName(const QString &name);
    AdminService::MappingInput input() const;

private:
    void validate();

    QLineEdit *m_display;
    QComboBox *m_real;
    QLineEdit *m_context;
    QListWidget *m_capabilities;
    QListWidget *m_nodes;
    QLabel *m_problem;
    QPushButton *m_ok = nullptr;
};

} // namespace Maestro

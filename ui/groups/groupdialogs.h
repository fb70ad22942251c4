#pragma once

#include "core/adminservice.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace Maestro {

struct GatewaySnapshot;

// A model group's own settings; members are edited on the page.
class GroupDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit GroupDialog(const ModelGroup *group, QWidget *parent = nullptr);

    AdminService::GroupInput input() const;
    // How a strategy reads in the list and what it does, in one line each.
    static QString strategyText(const QString &strategy);
    static QString strategyExplanation(const QString &strategy);

private:
    void validate();

    QLineEdit *m_name;
    QLineEdit *m_description;
    QComboBox *m_strategy;
    QLabel *m_explanation;
    QCheckBox *m_active;
    QCheckBox *m_listInCatalog;
    QSpinBox *m_retries;
    QPushButton *m_ok = nullptr;
};

// One member of a group: the model it sends to and how routing treats it.
class MemberDialog final : public QDialog
{
    Q_OBJECT

public:
    MemberDialog(const GatewaySnapshot &snapshot, const QString &group, const GroupMember *member,
                 QWidget *parent = nullptr);

    AdminService::MemberInput input() const;

private:
    void validate();

    QComboBox *m_model;
    QSpinBox *m_weight;
    QCheckBox *m_vision;
    QCheckBox *m_tools;
    QCheckBox *m_embedding;
    QLineEdit *m_otherTags;
    QCheckBox *m_active;
    QCheckBox *m_contextFallback;
    QListWidget *m_preferredNodes;
    QPushButton *m_ok = nullptr;
};

} // namespace Maestro

#pragma once

#include "core/entities.h"

#include <QDialog>

class QCheckBox;
class QLineEdit;
class QListWidget;
class QSpinBox;

namespace Maestro {

class NewUserDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit NewUserDialog(QWidget *parent = nullptr);

    QString username() const;
    bool allModels() const;

private:
    QLineEdit *m_username;
    QCheckBox *m_allModels;
};

// Which models a user may request: everything, or a checked list of known names.
class UserModelsDialog final : public QDialog
{
    Q_OBJECT

public:
    UserModelsDialog(const QString &username, const QStringList &known, bool all,
                     const QStringList &granted, QWidget *parent = nullptr);

    bool allModels() const;
    QStringList models() const;

private:
    QCheckBox *m_all;
    QListWidget *m_list;
};

// Which nodes a user's requests may go to: every node, or a checked list of nodes.
class UserNodesDialog final : public QDialog
{
    Q_OBJECT

public:
    UserNodesDialog(const QString &username, const QList<Node> &nodes, const QList<qint64> &allowed,
                    QWidget *parent = nullptr);

    // Empty: every node.
    QList<qint64> nodeIds() const;

private:
    QCheckBox *m_all;
    QListWidget *m_list;
};

class UserLimitsDialog final : public QDialog
{
    Q_OBJECT

public:
    UserLimitsDialog(const QString &username, const UserLimits &limits, QWidget *parent = nullptr);

    UserLimits limits() const;

private:
    QSpinBox *m_requests;
    QSpinBox *m_tokens;
    QSpinBox *m_requestsPerMinute;
    QSpinBox *m_tokensPerMinute;
};

} // namespace Maestro

#pragma once

#include "page.h"

class QLabel;
class QPushButton;
class QTableWidget;

namespace Maestro {

class UsersPage final : public Page
{
    Q_OBJECT

public:
    explicit UsersPage(GatewayClient *client, QWidget *parent = nullptr);

    bool canCreate() const override { return true; }
    void createNew() override;

    QTableWidget *table() const { return m_table; }
    QString selectedUser() const;

private:
    void rebuild();
    QString limitText(std::optional<qint64> perDay, std::optional<qint64> perMinute) const;
    void updateButtons();
    void loadActivity();
    void rotateToken();
    void deleteUser();
    void editModels();
    void editLimits();
    void editNodes();
    void editNodeModels();
    void showToken(const QString &username, const QString &token);

    QTableWidget *m_table;
    QTableWidget *m_activity;
    QLabel *m_activityTitle;
    QPushButton *m_rotate;
    QPushButton *m_models;
    QPushButton *m_limits;
    QPushButton *m_nodes;
    QPushButton *m_nodeModels;
    QPushButton *m_delete;
};

} // namespace Maestro

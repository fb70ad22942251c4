#pragma once

#include <QWizard>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace Maestro {

class GatewayClient;

// The first start: the admin token, a first node (tested for real), a first user with a token.
class FirstRunWizard final : public QWizard
{
    Q_OBJECT

public:
    enum PageId { Welcome, FirstNode, FirstUser, Done };

    FirstRunWizard(GatewayClient *client, const QByteArray &adminToken, QWidget *parent = nullptr);

    // Adds the node (or changes the one added before) and checks it.
    void testConnection();
    void createUser();
    QString userToken() const;

Q_SIGNALS:
    void connectClientRequested(const QString &token);

private:
    QWizardPage *welcomePage(const QByteArray &adminToken);
    QWizardPage *nodePage();
    QWizardPage *userPage();
    QWizardPage *donePage();

    GatewayClient *m_client;
    QLineEdit *m_nodeName = nullptr;
    QLineEdit *m_nodeUrl = nullptr;
    QComboBox *m_nodeType = nullptr;
    QLineEdit *m_nodeKey = nullptr;
    QPushButton *m_test = nullptr;
    QLabel *m_nodeStatus = nullptr;
    qint64 m_nodeId = 0;
    QLineEdit *m_username = nullptr;
    QPushButton *m_create = nullptr;
    QLineEdit *m_token = nullptr;
    QPushButton *m_copyToken = nullptr;
    QLabel *m_userStatus = nullptr;
};

} // namespace Maestro

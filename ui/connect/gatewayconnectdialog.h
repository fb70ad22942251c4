#pragma once

#include "remote/adminconnection.h"

#include <QDialog>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QUrl>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace Maestro {

class SecretStore;

// "Connect to gateway…": the address and admin token of a gateway to manage over its admin API.
// Connect checks them with AdminConnection::probe (the dialog stays responsive meanwhile) and
// accepts only when the gateway answered, took the token and runs this app's version. A
// self-signed certificate can be trusted here by its fingerprint (the pin).
//
// Recent gateways (address and pin, most recent first) are kept in DesktopSettings under
// "gateways/recent"; an admin token only ever in the SecretStore, under
// "gateway/<url>/admin_token", and only when the user asks for it.
class GatewayConnectDialog final : public QDialog
{
    Q_OBJECT

public:
    static constexpr int MaxRecentGateways = 10;

    // `secrets` (not owned) holds remembered tokens; nullptr: no token is remembered.
    explicit GatewayConnectDialog(SecretStore *secrets, QWidget *parent = nullptr);
    ~GatewayConnectDialog() override;

    // After accept: the gateway connected to, and its GET /admin/status.
    GatewayEndpoint endpoint() const { return m_endpoint; }
    QJsonObject status() const { return m_status; }

    // The recent gateways, most recent first, with their stored tokens filled in.
    static QList<GatewayEndpoint> recentGateways(SecretStore *secrets);
    // Puts the gateway first among the recent ones (with its pin). Its token is stored when
    // keepToken (and removed from the store otherwise). Gateways beyond the tenth are forgotten,
    // their tokens with them. False when the token could not be stored.
    static bool remember(const GatewayEndpoint &endpoint, SecretStore *secrets, bool keepToken);
    // Removes the gateway from the recent ones and its token from the store.
    static void forget(const QUrl &url, SecretStore *secrets);

    // Also abandons a connection attempt still under way.
    void reject() override;

private:
    void connectToGateway();
    void probed(const GatewayEndpoint &endpoint, const QJsonObject &status, const AdminFailure &failure);
    void reloadRecent();
    void useRecent(int index);
    void forgetSelected();
    void setBusy(bool busy);
    void showMessage(const QString &text);

    SecretStore *m_secrets;
    QComboBox *m_recent;
    QPushButton *m_forget;
    QLineEdit *m_url;
    QLineEdit *m_token;
    QCheckBox *m_remember;
    QLabel *m_message;
    QPushButton *m_trust;
    QProgressBar *m_busy;
    QPushButton *m_connect;
    QPointer<AdminConnection> m_connection;

    // The certificate the user trusts for one address (from a recent gateway or "Trust").
    QUrl m_pinnedUrl;
    QString m_pin;
    // What the last failure offered to trust.
    QUrl m_offeredUrl;
    QString m_offeredPin;

    GatewayEndpoint m_endpoint;
    QJsonObject m_status;
};

} // namespace Maestro

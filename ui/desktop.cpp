#include "desktop.h"
#include "connect/gatewayconnectdialog.h"
#include "inprocessclient.h"
#include "mainwindow/mainwindow.h"
#include "remote/remoteclient.h"
#include "tray/trayicon.h"
#include "uiutil.h"
#include "wizard/firstrunwizard.h"

#include <QApplication>
#include <QHostAddress>
#include <QLibraryInfo>
#include <QLocale>
#include <QPointer>
#include <QTranslator>

using namespace Qt::StringLiterals;

namespace Maestro {

std::unique_ptr<QCoreApplication> createDesktopApplication(int &argc, char **argv)
{
    auto app = std::make_unique<QApplication>(argc, argv);
    QApplication::setApplicationDisplayName(u"Model Maestro"_s);
    QApplication::setDesktopFileName(u"model-maestro"_s);
    const QString chosen = DesktopSettings().value(u"ui/language"_s).toString();
    const QLocale locale = chosen.isEmpty() ? QLocale::system() : QLocale(chosen);
    QLocale::setDefault(locale);
    auto *own = new QTranslator(app.get());
    if (own->load(locale, u"model-maestro"_s, u"_"_s, u":/i18n"_s))
        QCoreApplication::installTranslator(own);
    // Standard buttons and dialogs of Qt itself.
    auto *qt = new QTranslator(app.get());
    if (qt->load(locale, u"qtbase"_s, u"_"_s, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    return app;
}

QString preferredListenAddress()
{
    return DesktopSettings().value(u"gateway/listen"_s).toString();
}

std::pair<QString, QString> preferredTls()
{
    const DesktopSettings settings;
    return {settings.value(u"gateway/tlsCertificate"_s).toString(), settings.value(u"gateway/tlsKey"_s).toString()};
}

AttachedGateway attachedGateway(const QJsonObject &instance, const QByteArray &adminToken)
{
    // A gateway listening on every address is reached on loopback.
    QHostAddress address(instance.value("address"_L1).toString());
    if (address.isNull() || address == QHostAddress::AnyIPv4)
        address = QHostAddress::LocalHost;
    else if (address == QHostAddress::AnyIPv6 || address == QHostAddress::Any)
        address = QHostAddress::LocalHostIPv6;
    QUrl url;
    url.setScheme(instance.value("scheme"_L1).toString(u"http"_s));
    url.setHost(address.toString());
    url.setPort(instance.value("port"_L1).toInt());
    AttachedGateway attached;
    attached.endpoint.url = url;
    attached.endpoint.adminToken = adminToken;
    attached.endpoint.pinnedFingerprint = instance.value("tls_fingerprint_sha256"_L1).toString();
    attached.service = ServiceUnit::fromInstance(instance);
    return attached;
}

namespace {

// One window and one tray icon over the gateway they manage; "Connect to gateway…" replaces
// all three at once, so that no page ever holds a client that is gone.
class DesktopSession final : public QObject
{
public:
    explicit DesktopSession(const DesktopContext &context)
        : m_context(context)
    {
    }

    ~DesktopSession() override
    {
        delete m_wizard;
        m_window.reset();
        m_tray.reset();
        m_client.reset();
    }

    void manageOwn()
    {
        if (m_context.attached)
            manage(std::make_unique<RemoteGatewayClient>(m_context.attached->endpoint, true, m_context.attached->service),
                   m_context.adminToken);
        else
            manage(std::make_unique<InProcessGatewayClient>(m_context.gateway), m_context.adminToken);
    }

    void manage(std::unique_ptr<GatewayClient> client, const QByteArray &adminToken)
    {
        const bool wasVisible = !m_window || m_window->isVisible();
        delete m_wizard;
        m_window.reset();
        m_tray.reset();
        m_client = std::move(client);
        m_adminToken = adminToken;

        m_tray = std::make_unique<TrayIcon>(m_client.get());
        QApplication::setQuitOnLastWindowClosed(!m_tray->isAvailable());
        m_window = std::make_unique<MainWindow>(m_client.get(), m_context);
        m_window->setHidesToTray(m_tray->isAvailable());
        m_window->setOwnGatewayElsewhere(dynamic_cast<RemoteGatewayClient *>(m_client.get()) != nullptr
                                         && !isOwn());
        MainWindow *window = m_window.get();
        connect(m_tray.get(), &TrayIcon::openRequested, window, [window] {
            window->show();
            window->raise();
            window->activateWindow();
        });
        connect(m_tray.get(), &TrayIcon::quitRequested, qApp, &QCoreApplication::quit);
        connect(window, &MainWindow::quitRequested, qApp, &QCoreApplication::quit);
        connect(window, &MainWindow::setupWizardRequested, this, &DesktopSession::openWizard);
        connect(window, &MainWindow::connectGatewayRequested, this, &DesktopSession::connectGateway);
        connect(window, &MainWindow::ownGatewayRequested, this, [this] {
            // Queued: the window that asked goes away with the switch.
            QMetaObject::invokeMethod(this, [this] { manageOwn(); }, Qt::QueuedConnection);
        });
        if (wasVisible)
            window->show();
    }

    bool isOwn() const
    {
        const auto *remote = dynamic_cast<RemoteGatewayClient *>(m_client.get());
        if (!remote)
            return true;
        return m_context.attached && remote->endpoint().url == m_context.attached->endpoint.url;
    }

    void offerWizardOnFirstRun()
    {
        // The first start is an empty gateway: offer the wizard once the first snapshot says so.
        if (DesktopSettings().value(u"setup/done"_s, false).toBool())
            return;
        auto firstSnapshot = std::make_shared<QMetaObject::Connection>();
        *firstSnapshot = connect(m_client.get(), &GatewayClient::snapshotChanged, this, [this, firstSnapshot] {
            QObject::disconnect(*firstSnapshot);
            if (m_client->snapshot().users.isEmpty() && m_client->snapshot().nodes.isEmpty())
                openWizard();
            else
                DesktopSettings().setValue(u"setup/done"_s, true);
        });
    }

    bool startsHidden() const
    {
        return m_tray->isAvailable() && DesktopSettings().value(u"setup/done"_s, false).toBool()
            && DesktopSettings().value(u"ui/startMinimized"_s, false).toBool();
    }

    MainWindow *window() const { return m_window.get(); }

private:
    void openWizard()
    {
        if (m_wizard) {
            m_wizard->raise();
            return;
        }
        MainWindow *window = m_window.get();
        m_wizard = new FirstRunWizard(m_client.get(), m_adminToken, window);
        m_wizard->setAttribute(Qt::WA_DeleteOnClose);
        connect(m_wizard, &FirstRunWizard::connectClientRequested, window,
                [window](const QString &token) { window->openConnectDialog(token); });
        connect(m_wizard, &QWizard::finished, window, [] { DesktopSettings().setValue(u"setup/done"_s, true); });
        m_wizard->open();
    }

    void connectGateway()
    {
        auto *dialog = new GatewayConnectDialog(m_context.secrets, m_window.get());
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this, [this, dialog] {
            const GatewayEndpoint endpoint = dialog->endpoint();
            // After the dialog is gone: the window it belongs to is replaced.
            QMetaObject::invokeMethod(
                this,
                [this, endpoint] {
                    const bool own = m_context.attached && endpoint.url == m_context.attached->endpoint.url;
                    manage(std::make_unique<RemoteGatewayClient>(endpoint, own,
                                                                 own ? m_context.attached->service : ServiceUnit()),
                           endpoint.adminToken);
                },
                Qt::QueuedConnection);
        });
        dialog->open();
    }

    DesktopContext m_context;
    std::unique_ptr<GatewayClient> m_client;
    std::unique_ptr<TrayIcon> m_tray;
    std::unique_ptr<MainWindow> m_window;
    QPointer<FirstRunWizard> m_wizard;
    QByteArray m_adminToken;
};

} // namespace

int runDesktop(const DesktopContext &context)
{
    DesktopSession session(context);
    session.manageOwn();
    session.offerWizardOnFirstRun();
    if (session.startsHidden())
        session.window()->hide();
    return QCoreApplication::exec();
}

} // namespace Maestro

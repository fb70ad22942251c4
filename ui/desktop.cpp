#include "desktop.h"
#include "gatewayclient.h"
#include "mainwindow/mainwindow.h"
#include "tray/trayicon.h"
#include "uiutil.h"
#include "wizard/firstrunwizard.h"

#include <QApplication>
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

int runDesktop(const DesktopContext &context)
{
    GatewayClient client(context.gateway);
    TrayIcon tray(&client);
    QApplication::setQuitOnLastWindowClosed(!tray.isAvailable());

    MainWindow window(&client, context);
    window.setHidesToTray(tray.isAvailable());
    QObject::connect(&tray, &TrayIcon::openRequested, &window, [&window] {
        window.show();
        window.raise();
        window.activateWindow();
    });
    QObject::connect(&tray, &TrayIcon::quitRequested, qApp, &QCoreApplication::quit);
    QObject::connect(&window, &MainWindow::quitRequested, qApp, &QCoreApplication::quit);

    QPointer<FirstRunWizard> wizard;
    const auto openWizard = [&] {
        if (wizard) {
            wizard->raise();
            return;
        }
        wizard = new FirstRunWizard(&client, context.adminToken, &window);
        wizard->setAttribute(Qt::WA_DeleteOnClose);
        QObject::connect(wizard, &FirstRunWizard::connectClientRequested, &window,
                         [&window](const QString &token) { window.openConnectDialog(token); });
        QObject::connect(wizard, &QWizard::finished, &window, [] {
            DesktopSettings().setValue(u"setup/done"_s, true);
        });
        wizard->open();
    };
    QObject::connect(&window, &MainWindow::setupWizardRequested, &window, openWizard);

    // The first start is an empty gateway: offer the wizard once the first snapshot says so.
    const bool setupDone = DesktopSettings().value(u"setup/done"_s, false).toBool();
    auto firstSnapshot = std::make_shared<QMetaObject::Connection>();
    if (!setupDone) {
        *firstSnapshot = QObject::connect(&client, &GatewayClient::snapshotChanged, &window, [&, firstSnapshot] {
            QObject::disconnect(*firstSnapshot);
            if (client.snapshot().users.isEmpty() && client.snapshot().nodes.isEmpty())
                openWizard();
            else
                DesktopSettings().setValue(u"setup/done"_s, true);
        });
    }

    const bool startHidden = tray.isAvailable() && setupDone
        && DesktopSettings().value(u"ui/startMinimized"_s, false).toBool();
    if (!startHidden)
        window.show();
    const int code = QCoreApplication::exec();
    delete wizard;
    return code;
}

} // namespace Maestro

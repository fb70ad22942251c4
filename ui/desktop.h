#pragma once

#include <QByteArray>
#include <QString>

#include <memory>

class QCoreApplication;

namespace Maestro {

class GatewayThread;
class Store;

// What the composition root hands to the desktop application.
struct DesktopContext
{
    Store *store = nullptr;
    GatewayThread *gateway = nullptr;
    QByteArray adminToken;
    QString dataDir;
    QString databaseUrl;   // for display, without a password
    QString listenAddress; // HOST:PORT as the gateway was started
};

// A QApplication with translations for the chosen (or the system's) language installed.
std::unique_ptr<QCoreApplication> createDesktopApplication(int &argc, char **argv);
// The listen address chosen in Settings, or empty; the command line wins over it.
QString preferredListenAddress();
// Main window, tray icon and, on the first run, the setup wizard; returns the exit code.
int runDesktop(const DesktopContext &context);

} // namespace Maestro

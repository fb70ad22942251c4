#pragma once

#include "remote/adminconnection.h"
#include "remote/serviceunit.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <memory>
#include <optional>
#include <utility>

class QCoreApplication;

namespace Maestro {

class GatewayThread;
class SecretStore;
class Store;

// A gateway that already serves the app's data dir, as its instance.json describes it.
struct AttachedGateway
{
    GatewayEndpoint endpoint; // a wildcard listen address is reached on loopback
    ServiceUnit service;      // set when systemd runs it
};
// `instance`: what readRunningInstance() returned; `adminToken`: the data dir's.
AttachedGateway attachedGateway(const QJsonObject &instance, const QByteArray &adminToken);

// What the composition root hands to the desktop application: either the gateway it started in
// this process, or (`attached`) the one another process runs on the same data dir.
struct DesktopContext
{
    Store *store = nullptr;           // this process's gateway's; null when attached
    GatewayThread *gateway = nullptr; // null when attached
    // The data dir's secret store: where admin tokens of gateways connected to are remembered.
    SecretStore *secrets = nullptr;
    QByteArray adminToken;
    QString dataDir;
    QString databaseUrl;   // for display, without a password
    QString listenAddress; // HOST:PORT as the gateway was started
    std::optional<AttachedGateway> attached;
};

// A QApplication with translations for the chosen (or the system's) language installed.
std::unique_ptr<QCoreApplication> createDesktopApplication(int &argc, char **argv);
// The listen address chosen in Settings, or empty; the command line wins over it.
QString preferredListenAddress();
// The TLS certificate and key files chosen in Settings, or empty; --tls-cert wins over them.
std::pair<QString, QString> preferredTls();
// Main window, tray icon and, on the first run, the setup wizard; returns the exit code. "Connect
// to gateway…" replaces the window's gateway with another one; the app's own keeps serving.
int runDesktop(const DesktopContext &context);

} // namespace Maestro

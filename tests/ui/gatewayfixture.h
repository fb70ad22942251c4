#pragma once

// A real gateway for widget tests: a GatewayStack (tests/support), so GatewayThread on port 0
// over a temporary SQLite database, with a plain HTTP client for what a user's tool would do.

#include "desktop.h"
#include "gatewaystack.h"
#include "inprocessclient.h"
#include "remote/remoteclient.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Maestro::Test {

struct HttpAnswer
{
    int status = 0;
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

class GatewayFixture
{
public:
    static inline const QByteArray AdminToken = QByteArrayLiteral("ui-test-admin");

    bool start(QString *error)
    {
        StackOptions options;
        options.config.ioThreads = 2;
        options.config.adminToken = AdminToken;
        return m_stack.start(options, error);
    }

    // The gateway and the usage writer; the database stays for the windows still open.
    void stop() { m_stack.stopGateway(); }

    DesktopContext context() const
    {
        using namespace Qt::StringLiterals;
        DesktopContext context;
        context.store = m_stack.store();
        context.gateway = m_stack.gatewayThread();
        context.adminToken = AdminToken;
        context.dataDir = m_stack.dataDir();
        context.databaseUrl = m_stack.database()->config().displayUrl();
        context.listenAddress = u"127.0.0.1:%1"_s.arg(m_stack.port());
        return context;
    }

    // MAESTRO_TEST_DESKTOP_CLIENT=http: the window manages the gateway over its admin API
    // (RemoteGatewayClient) instead of in-process; ctest runs such suites both ways, since no page
    // may know which client it talks to.
    static bool overHttp() { return qEnvironmentVariable("MAESTRO_TEST_DESKTOP_CLIENT") == QLatin1StringView("http"); }

    std::unique_ptr<GatewayClient> makeClient() const
    {
        if (!overHttp())
            return std::make_unique<InProcessGatewayClient>(gateway());
        GatewayEndpoint endpoint;
        endpoint.url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_stack.port()));
        endpoint.adminToken = AdminToken;
        return std::make_unique<RemoteGatewayClient>(endpoint, false, ServiceUnit());
    }

    GatewayThread *gateway() const { return m_stack.gatewayThread(); }
    Store *store() const { return m_stack.store(); }
    UsageWriter *usage() const { return m_stack.usage(); }

    HttpAnswer send(const QByteArray &method, const QString &path, const QByteArray &token,
                    const QJsonObject &body = {})
    {
        const Response response = m_stack.send(method, path, body.isEmpty() ? QByteArray() : toJson(body), token);
        return {response.status, response.body};
    }

    HttpAnswer admin(const QByteArray &method, const QString &path, const QJsonObject &body = {})
    {
        return send(method, path, AdminToken, body);
    }

private:
    GatewayStack m_stack;
};

} // namespace Maestro::Test

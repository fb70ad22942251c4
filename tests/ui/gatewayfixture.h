#pragma once

// A real gateway for widget tests: GatewayThread on port 0 over a temporary SQLite database,
// with a plain HTTP client for what a user's tool would do.

#include "desktop.h"
#include "core/clock.h"
#include "http/gatewaythread.h"
#include "storage/database.h"
#include "storage/filesecretstore.h"
#include "storage/sqlstore.h"
#include "storage/usagewriter.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <memory>

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
        using namespace Qt::StringLiterals;
        m_nam.setProxy(QNetworkProxy::NoProxy);
        if (!m_dir.isValid()) {
            *error = u"no temporary directory"_s;
            return false;
        }
        m_database = std::make_unique<Database>(DatabaseConfig::sqliteFile(m_dir.filePath(u"maestro.db"_s)));
        if (!m_database->open(error))
            return false;
        m_store = std::make_unique<SqlStore>(m_database.get());
        m_secrets = std::make_unique<FileSecretStore>(m_dir.filePath(u"secrets.json"_s));
        m_usage = std::make_unique<UsageWriter>(m_store.get(), m_database.get());
        m_usage->start();
        GatewayConfig config;
        config.port = 0;
        config.ioThreads = 2;
        config.adminToken = AdminToken;
        config.healthIntervalMs = 0;
        m_gateway = std::make_unique<GatewayThread>(config, m_store.get(), m_secrets.get(), m_usage.get(),
                                                    &m_clock, m_database.get());
        return m_gateway->start(error);
    }

    void stop()
    {
        if (m_gateway)
            m_gateway->stop(1000);
        if (m_usage)
            m_usage->stop();
        m_gateway.reset();
        m_usage.reset();
    }

    DesktopContext context() const
    {
        using namespace Qt::StringLiterals;
        DesktopContext context;
        context.store = m_store.get();
        context.gateway = m_gateway.get();
        context.adminToken = AdminToken;
        context.dataDir = m_dir.path();
        context.databaseUrl = m_database->config().displayUrl();
        context.listenAddress = u"127.0.0.1:%1"_s.arg(m_gateway->port());
        return context;
    }

    GatewayThread *gateway() const { return m_gateway.get(); }
    Store *store() const { return m_store.get(); }

    HttpAnswer send(const QByteArray &method, const QString &path, const QByteArray &token,
                    const QJsonObject &body = {})
    {
        using namespace Qt::StringLiterals;
        QNetworkRequest request(QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_gateway->port()).arg(path)));
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token);
        QByteArray payload;
        if (!body.isEmpty()) {
            payload = QJsonDocument(body).toJson(QJsonDocument::Compact);
            request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        }
        std::unique_ptr<QNetworkReply> reply(m_nam.sendCustomRequest(request, method, payload));
        if (!reply->isFinished()) {
            QSignalSpy finished(reply.get(), &QNetworkReply::finished);
            finished.wait(15000);
        }
        return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll()};
    }

    HttpAnswer admin(const QByteArray &method, const QString &path, const QJsonObject &body = {})
    {
        return send(method, path, AdminToken, body);
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<SqlStore> m_store;
    std::unique_ptr<FileSecretStore> m_secrets;
    std::unique_ptr<UsageWriter> m_usage;
    Clock m_clock;
    std::unique_ptr<GatewayThread> m_gateway;
    QNetworkAccessManager m_nam;
};

} // namespace Maestro::Test

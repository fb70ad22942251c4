// The admin routes served on the I/O thread, from memory: GET /admin/status and the live request
// log. Neither waits for the control thread or the database.

#include "gateway.h"
#include "errorbody.h"
#include "httpcontext.h"
#include "tlsidentity.h"

#include <QCoreApplication>
#include <QHttpServerResponder>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Maestro {

void Gateway::serveStatus(HttpContext &ctx)
{
    if (!checkAdmin(ctx))
        return;
    const InstanceInfo &instance = m_shared->instance;
    const CatalogSnapshot catalog = this->catalog();
    int healthy = 0;
    int active = 0;
    for (const Node &node : catalog->nodes()) {
        active += node.active ? 1 : 0;
        healthy += node.active && node.health == Health::Healthy ? 1 : 0;
    }
    const TlsIdentity *tls = m_config.tls.get();
    QJsonObject tlsJson{{u"enabled"_s, tls != nullptr},
                        {u"fingerprint_sha256"_s, tls ? QJsonValue(tls->fingerprintSha256) : QJsonValue()}};
    if (tls) {
        tlsJson.insert(u"subject"_s, tls->subject);
        tlsJson.insert(u"not_after"_s, tls->notAfter.toString(Qt::ISODate));
    }
    const QDateTime now = m_clock->nowUtc();
    ctx.sendJson(200, QJsonObject{
        {u"version"_s, QStringLiteral(MAESTRO_VERSION)},
        {u"instance_id"_s, instance.id},
        {u"pid"_s, double(QCoreApplication::applicationPid())},
        {u"data_dir"_s, instance.dataDir.isEmpty() ? QJsonValue() : QJsonValue(instance.dataDir)},
        {u"data_dir_id"_s, instance.dataDirId.isEmpty() ? QJsonValue() : QJsonValue(instance.dataDirId)},
        {u"database"_s, instance.database},
        {u"started_at"_s, instance.startedAt.toString(Qt::ISODateWithMs)},
        {u"uptime_seconds"_s, double(instance.startedAt.secsTo(now))},
        {u"scheme"_s, tls ? u"https"_s : u"http"_s},
        {u"address"_s, m_config.address.toString()},
        {u"port"_s, m_port},
        {u"tls"_s, tlsJson},
        {u"io_threads"_s, instance.ioThreads},
        {u"active_requests"_s, m_shared->activeCalls.load()},
        {u"open_connections"_s, m_shared->door.connections.load()},
        {u"nodes"_s, QJsonObject{{u"total"_s, int(catalog->nodes().size())}, {u"active"_s, active}, {u"healthy"_s, healthy}}},
        {u"healthy_nodes"_s, healthy},
        {u"log_stream_subscribers"_s, m_shared->logStream.subscriberCount()},
    });
}

void Gateway::streamRequestLogs(HttpContext &ctx)
{
    if (!checkAdmin(ctx))
        return;
    // The filters of GET /admin/request-logs that apply to entries as they come (a period does
    // not): checked here, with the same messages.
    LogQuery filter;
    filter.username = ctx.query(u"username"_s);
    filter.model = ctx.query(u"model"_s);
    if (filter.model.isEmpty())
        filter.model = ctx.query(u"model_name"_s);
    filter.modelContains = ctx.query(u"model_contains"_s);
    if (filter.modelContains.size() > 200)
        return ctx.fail(ApiError::badRequest(u"\"model_contains\" must be at most 200 characters"_s));
    const QString statusName = ctx.query(u"status"_s).isEmpty() ? u"status_code"_s : u"status"_s;
    const QString statusText = ctx.query(statusName);
    if (!statusText.isEmpty()) {
        const auto statuses = LogQuery::parseStatuses(statusText);
        if (!statuses) {
            return ctx.fail(ApiError::badRequest(
                u"\"%1\" must be a status code (404), a class (4xx) or a comma-separated list of them"_s.arg(statusName)));
        }
        filter.statuses = *statuses;
    }
    filter.endpoint = ctx.query(u"endpoint"_s);
    if (!filter.endpoint.isEmpty() && (!filter.endpoint.startsWith(u'/') || filter.endpoint.size() > 200))
        return ctx.fail(ApiError::badRequest(u"\"endpoint\" must be a path such as /api/chat"_s));
    filter.dialect = ctx.query(u"dialect"_s).toLower();
    if (!filter.dialect.isEmpty() && filter.dialect != u"ollama"_s && filter.dialect != u"openai"_s
        && filter.dialect != u"anthropic"_s) {
        return ctx.fail(ApiError::badRequest(u"\"dialect\" must be ollama, openai or anthropic"_s));
    }
    if (m_shared->logStream.subscriberCount() >= m_shared->logStream.limits().maxSubscribers) {
        return ctx.fail(ApiError::unavailable(u"Too many live request log subscribers (at most %1); try again later"_s
                                                  .arg(m_shared->logStream.limits().maxSubscribers)));
    }
    const QPointer<QTcpSocket> socket = ctx.socket();
    auto *subscriber = new LogStreamSubscriber(&m_shared->logStream, socket,
                                               std::make_unique<QHttpServerResponder>(std::move(ctx.responder())),
                                               m_config.logStreamHeartbeatMs, m_config.logStreamMaxUnsent, this);
    if (!subscriber->start(std::move(filter))) {
        delete subscriber;
        // Another thread took the last place since the check above (or the client went).
        if (socket && socket->state() == QAbstractSocket::ConnectedState) {
            socket->write(errorResponse(Dialect::Admin, ApiError::unavailable(
                u"Too many live request log subscribers (at most %1); try again later"_s.arg(m_shared->logStream.limits().maxSubscribers))));
        }
    }
}

} // namespace Maestro

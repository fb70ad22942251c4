#include "nodejobs.h"
#include "control.h"
#include "core/clock.h"
#include "providers/noderequest.h"
#include "providers/upstreamclient.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

#include <memory>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcGateway)

namespace Maestro {

namespace {

constexpr int IdlePollMs = 100;
constexpr int ScheduleTickMs = 1000;

} // namespace

NodeJobs::NodeJobs(Control *control, int deferLimitMs, QObject *parent)
    : QObject(parent)
    , m_control(control)
    , m_deferLimitMs(deferLimitMs)
{
    m_poll.setInterval(IdlePollMs);
    connect(&m_poll, &QTimer::timeout, this, &NodeJobs::poll);
    m_schedule.setInterval(ScheduleTickMs);
    m_schedule.setTimerType(Qt::VeryCoarseTimer);
    connect(&m_schedule, &QTimer::timeout, this, &NodeJobs::onScheduleTick);
}

bool NodeJobs::canWarm(const Node &node)
{
    return node.type == NodeType::Ollama && node.active && node.health != Health::Unhealthy;
}

void NodeJobs::stop()
{
    m_schedule.stop();
    m_poll.stop();
    m_probesWaiting.clear();
    m_warmups.clear();
}

qint64 NodeJobs::nowMs() const
{
    return m_control->clock()->nowUtc().toMSecsSinceEpoch();
}

qint64 NodeJobs::elapsedSince(qint64 &since) const
{
    const qint64 now = nowMs();
    if (now < since)
        since = now;
    return now - since;
}

bool NodeJobs::mayStart(qint64 nodeId, qint64 &since, bool *busy)
{
    *busy = m_control->balancer().active(nodeId) > 0;
    if (!*busy)
        return true;
    if (since == NotWaiting)
        since = nowMs();
    if (elapsedSince(since) >= m_deferLimitMs)
        return true;
    if (!m_poll.isActive())
        m_poll.start();
    return false;
}

void NodeJobs::probeAll()
{
    const int intervalMs = m_control->healthIntervalMs();
    const CatalogSnapshot catalog = m_control->catalog();
    for (const Node &node : catalog->nodes()) {
        // A probe already waiting stands for the ones that fall due meanwhile, and one that ran
        // late (after waiting) moves the node's next probe a whole interval on.
        if (!node.active || m_probesWaiting.contains(node.id))
            continue;
        const auto last = m_lastProbe.find(node.id);
        if (last != m_lastProbe.end() && elapsedSince(*last) < intervalMs / 2)
            continue;
        qint64 since = NotWaiting;
        bool busy = false;
        if (mayStart(node.id, since, &busy))
            startProbe(node.id, busy);
        else
            m_probesWaiting.insert(node.id, since);
    }
}

void NodeJobs::startProbe(qint64 nodeId, bool busy)
{
    m_lastProbe.insert(nodeId, nowMs());
    m_control->checkNode(nodeId, this, [](bool, QString) {}, true, busy);
}

void NodeJobs::startSchedule()
{
    m_lastScheduledWarmup = nowMs();
    m_schedule.start();
}

void NodeJobs::onScheduleTick()
{
    const int intervalMs = m_control->warmupSettings().intervalMs;
    if (intervalMs <= 0 || elapsedSince(m_lastScheduledWarmup) < intervalMs)
        return;
    m_lastScheduledWarmup = nowMs();
    queueWarmupAll();
}

void NodeJobs::queueWarmupAll()
{
    const CatalogSnapshot catalog = m_control->catalog();
    QHash<qint64, QStringList> models;
    for (const NodeModel &model : catalog->nodeModels())
        models[model.nodeId].append(model.name);
    for (auto it = models.cbegin(); it != models.cend(); ++it)
        queueWarmup(it.key(), it.value());
}

void NodeJobs::queueWarmup(qint64 nodeId, const QStringList &models)
{
    const CatalogSnapshot catalog = m_control->catalog();
    const Node *node = catalog->node(nodeId);
    if (!node || !node->warmupEnabled || !canWarm(*node) || models.isEmpty())
        return;
    WarmQueue &queue = m_warmups[nodeId];
    for (const QString &model : models) {
        if (!queue.models.contains(model))
            queue.models.append(model);
    }
    pumpWarmup(nodeId);
}

void NodeJobs::pumpWarmup(qint64 nodeId)
{
    const auto it = m_warmups.find(nodeId);
    if (it == m_warmups.end() || it->loading)
        return;
    // The node may have changed while its models waited. `current` and its key come from one
    // snapshot, held until load() has built the request.
    const CatalogSnapshot catalog = m_control->catalog();
    const Node *current = catalog->node(nodeId);
    if (!current || !current->warmupEnabled || !canWarm(*current) || it->models.isEmpty()) {
        m_warmups.erase(it);
        return;
    }
    bool busy = false;
    if (!mayStart(nodeId, it->waitingSince, &busy))
        return;
    it->waitingSince = NotWaiting;
    it->loading = true;
    const QString model = it->models.takeFirst();
    load(*current, catalog->apiKey(nodeId), catalog->nodeHeaders(nodeId), model, [this, nodeId, model](bool ok, const QString &error) {
        if (!ok)
            qCWarning(lcGateway).noquote() << "warmup of" << model << "on node" << nodeId << "failed:" << error;
        const auto it = m_warmups.find(nodeId);
        if (it != m_warmups.end())
            it->loading = false;
        pumpWarmup(nodeId);
    });
}

void NodeJobs::poll()
{
    const CatalogSnapshot catalog = m_control->catalog();
    for (auto it = m_probesWaiting.begin(); it != m_probesWaiting.end();) {
        const Node *node = catalog->node(it.key());
        bool busy = false;
        if (!node || !node->active) {
            it = m_probesWaiting.erase(it); // disabled or deleted while it waited
        } else if (mayStart(it.key(), it.value(), &busy)) {
            const qint64 nodeId = it.key();
            it = m_probesWaiting.erase(it);
            startProbe(nodeId, busy);
        } else {
            ++it;
        }
    }
    bool warmupWaits = false;
    for (const qint64 nodeId : m_warmups.keys()) {
        pumpWarmup(nodeId);
        const auto it = m_warmups.constFind(nodeId);
        warmupWaits = warmupWaits || (it != m_warmups.cend() && it->waitingSince != NotWaiting);
    }
    if (m_probesWaiting.isEmpty() && !warmupWaits)
        m_poll.stop();
}

void NodeJobs::warmNow(const Node &node, const QStringList &models, QObject *context, WarmDone done)
{
    auto run = std::make_shared<WarmRun>();
    run->node = node;
    run->models = models;
    run->context = context;
    run->done = std::move(done);
    warmNext(run);
}

void NodeJobs::warmNext(const std::shared_ptr<WarmRun> &run)
{
    if (run->outcomes.size() == run->models.size()) {
        if (run->context)
            run->done(run->outcomes);
        return;
    }
    const QString model = run->models.at(run->outcomes.size());
    QElapsedTimer timer;
    timer.start();
    // The run holds a copy of the node; its key is the current one.
    const CatalogSnapshot catalog = m_control->catalog();
    load(run->node, catalog->apiKey(run->node.id), catalog->nodeHeaders(run->node.id), model, [this, run, model, timer](bool ok, const QString &error) {
        run->outcomes.append({model, ok, error, timer.elapsed()});
        warmNext(run);
    });
}

void NodeJobs::load(const Node &node, const QString &apiKey, const QList<QPair<QByteArray, QByteArray>> &headers,
                    const QString &model, std::function<void(bool, QString)> done)
{
    const QJsonObject body{{u"model"_s, model}, {u"keep_alive"_s, m_control->warmupSettings().keepAlive}};
    UpstreamRequest request = nodeRequest(node, QByteArrayLiteral("POST"), QByteArrayLiteral("/api/generate"), apiKey);
    request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    // Loading a large model from disk takes a while before Ollama says anything: the first-byte
    // timeout covers it.
    m_control->applyUpstreamTimeouts(node, &request);
    request.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    addNodeHeaders(&request, headers);

    Balancer &balancer = m_control->balancer();
    const qint64 nodeId = node.id;
    balancer.started(nodeId);
    UpstreamReply *reply = m_control->upstream()->send(request);
    auto answer = std::make_shared<QByteArray>();
    auto finish = [reply, nodeId, &balancer, done](bool ok, const QString &error) {
        reply->disconnect();
        reply->deleteLater();
        balancer.finished(nodeId);
        done(ok, error);
    };
    // Connected in this object's context: the replies outlive it when the control object goes away.
    connect(reply, &UpstreamReply::dataReceived, this, [answer](const QByteArray &piece) {
        if (answer->size() < 64 * 1024)
            answer->append(piece);
    });
    connect(reply, &UpstreamReply::failed, this, [finish](UpstreamError, const QString &message) {
        finish(false, message);
    });
    connect(reply, &UpstreamReply::finished, this, [reply, answer, finish] {
        if (reply->status() == 200) {
            finish(true, QString());
            return;
        }
        // Ollama explains a refusal ("model not found") in {"error": "..."}.
        const QString message = QJsonDocument::fromJson(*answer).object().value("error"_L1).toString();
        finish(false, message.isEmpty() ? u"HTTP %1"_s.arg(reply->status()) : u"HTTP %1: %2"_s.arg(reply->status()).arg(message));
    });
}

} // namespace Maestro

#include "gatewayclient.h"

#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro {

QStringList GatewaySnapshot::modelNames() const
{
    QStringList names;
    QSet<QString> seen;
    for (const ModelMapping &mapping : mappings) {
        if (!seen.contains(mapping.displayName)) {
            seen.insert(mapping.displayName);
            names.append(mapping.displayName);
        }
    }
    for (const ModelGroup &group : groups) {
        if (!seen.contains(group.name)) {
            seen.insert(group.name);
            names.append(group.name);
        }
    }
    QStringList real;
    for (const NodeModel &model : nodeModels) {
        if (!seen.contains(model.name)) {
            seen.insert(model.name);
            real.append(model.name);
        }
    }
    real.sort();
    return names + real;
}

QStringList GatewaySnapshot::memberModelNames() const
{
    QStringList names;
    QSet<QString> seen;
    for (const ModelMapping &mapping : mappings) {
        if (!seen.contains(mapping.displayName)) {
            seen.insert(mapping.displayName);
            names.append(mapping.displayName);
        }
    }
    QStringList real;
    for (const NodeModel &model : nodeModels) {
        if (!seen.contains(model.name)) {
            seen.insert(model.name);
            real.append(model.name);
        }
    }
    real.sort();
    return names + real;
}

namespace {

// The entry of `list` whose `field` equals `value`, or null.
template<typename T, typename Field, typename Value>
const T *findBy(const QList<T> &list, Field T::*field, const Value &value)
{
    const auto it = std::find_if(list.cbegin(), list.cend(), [&](const T &entry) { return entry.*field == value; });
    return it == list.cend() ? nullptr : &*it;
}

} // namespace

const ModelGroup *GatewaySnapshot::group(const QString &name) const
{
    return findBy(groups, &ModelGroup::name, name);
}

const ToolSet *GatewaySnapshot::toolSet(const QString &name) const
{
    return findBy(toolSets, &ToolSet::name, name);
}

const SystemPrompt *GatewaySnapshot::systemPrompt(qint64 id) const
{
    return findBy(systemPrompts, &SystemPrompt::id, id);
}

const ModelConfig *GatewaySnapshot::modelConfig(const QString &pattern) const
{
    return findBy(modelConfigs, &ModelConfig::pattern, pattern);
}

const Node *GatewaySnapshot::node(qint64 id) const
{
    return findBy(nodes, &Node::id, id);
}

int GatewaySnapshot::healthyNodes() const
{
    int count = 0;
    for (const Node &node : nodes)
        count += node.active && node.health == Health::Healthy ? 1 : 0;
    return count;
}

int GatewaySnapshot::downNodes() const
{
    int count = 0;
    for (const Node &node : nodes)
        count += node.active && node.health == Health::Unhealthy ? 1 : 0;
    return count;
}

// --- ModelPullJob ---

ModelPullJob::ModelPullJob(std::function<void()> cancel, QObject *parent)
    : QObject(parent)
    , m_cancel(std::move(cancel))
{
}

ModelPullJob::~ModelPullJob()
{
    cancel();
}

void ModelPullJob::cancel()
{
    if (m_running && m_cancel)
        m_cancel();
}

void ModelPullJob::end(bool ok)
{
    if (!m_running)
        return;
    m_running = false;
    Q_EMIT finished(ok);
}

// --- GatewayClient ---

GatewayClient::GatewayClient(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<Maestro::RequestLogEntry>();
}

GatewayClient::~GatewayClient() = default;

void GatewayClient::replaceSnapshot(const GatewaySnapshot &snapshot)
{
    m_snapshot = snapshot;
    Q_EMIT snapshotChanged();
}

void GatewayClient::noteLogged(const RequestLogEntry &entry)
{
    if (entry.userId != 0) {
        Store::DayUsage &usage = m_snapshot.usageToday[entry.userId];
        ++usage.requests;
        usage.tokens += entry.totalTokens();
    }
    if (entry.nodeId != 0) {
        NodeTraffic &traffic = m_snapshot.nodeTraffic[entry.nodeId];
        traffic.avgLatencyMs = (traffic.avgLatencyMs * traffic.requests + entry.durationMs) / (traffic.requests + 1);
        ++traffic.requests;
        traffic.errors += entry.statusCode >= 400 ? 1 : 0;
        traffic.lastRequestAt = entry.createdAt;
    }
    Q_EMIT requestLogged(entry);
}

void GatewayClient::noteCalls(int active)
{
    m_snapshot.activeCalls = active;
    Q_EMIT callsChanged(active);
}

void GatewayClient::setProblem(const QString &problem)
{
    if (problem == m_problem)
        return;
    m_problem = problem;
    Q_EMIT problemChanged(problem);
}

void GatewayClient::beginBusy()
{
    if (m_pending++ == 0)
        Q_EMIT busyChanged(true);
}

void GatewayClient::endBusy()
{
    if (m_pending > 0 && --m_pending == 0)
        Q_EMIT busyChanged(false);
}

void GatewayClient::resetBusy()
{
    if (m_pending == 0)
        return;
    m_pending = 0;
    Q_EMIT busyChanged(false);
}

} // namespace Maestro

#include "balancer.h"

#include <QMutexLocker>
#include <QJsonArray>
#include <QRandomGenerator>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro {

std::optional<RoutingStrategy> routingStrategyFromName(const QString &name)
{
    if (name == "round_robin"_L1)
        return RoutingStrategy::RoundRobin;
    if (name == "weighted"_L1)
        return RoutingStrategy::Weighted;
    if (name == "priority"_L1)
        return RoutingStrategy::Priority;
    if (name == "least_busy"_L1 || name == "least-busy"_L1 || name == "least_loaded"_L1)
        return RoutingStrategy::LeastBusy;
    return std::nullopt;
}

QString routingStrategyName(RoutingStrategy strategy)
{
    switch (strategy) {
    case RoutingStrategy::RoundRobin:
        return u"round_robin"_s;
    case RoutingStrategy::Weighted:
        return u"weighted"_s;
    case RoutingStrategy::Priority:
        return u"priority"_s;
    case RoutingStrategy::LeastBusy:
        break;
    }
    return u"least_busy"_s;
}

Balancer::Balancer()
    : m_random([](quint32 bound) { return QRandomGenerator::global()->bounded(bound); })
{
}

void Balancer::started(qint64 nodeId)
{
    QMutexLocker lock(&m_mutex);
    ++m_active[nodeId];
}

int Balancer::active(qint64 nodeId) const
{
    QMutexLocker lock(&m_mutex);
    return m_active.value(nodeId);
}

void Balancer::finished(qint64 nodeId)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_active.find(nodeId);
    if (it != m_active.end() && --it.value() <= 0)
        m_active.erase(it);
}

int Balancer::activeTotal() const
{
    QMutexLocker lock(&m_mutex);
    int total = 0;
    for (int n : m_active)
        total += n;
    return total;
}

qsizetype Balancer::pickWeighted(const QList<int> &weights) const
{
    quint64 total = 0;
    for (int weight : weights)
        total += quint64(std::max(weight, 0));
    if (total == 0)
        return 0;
    quint64 ticket = m_random(quint32(std::min<quint64>(total, 0xffffffffu)));
    for (qsizetype i = 0; i < weights.size(); ++i) {
        const quint64 weight = quint64(std::max(weights.at(i), 0));
        if (ticket < weight)
            return i;
        ticket -= weight;
    }
    return 0;
}

Balancer::Needs Balancer::needsOf(const QJsonObject &body)
{
    Needs needs;
    needs.tools = !body.value("tools"_L1).toArray().isEmpty();
    const QJsonArray messages = body.value("messages"_L1).toArray();
    for (const QJsonValue &value : messages) {
        const QJsonObject message = value.toObject();
        if (!message.value("images"_L1).toArray().isEmpty()) {
            needs.vision = true;
            break;
        }
        for (const QJsonValue &part : message.value("content"_L1).toArray()) {
            const QString type = part.toObject().value("type"_L1).toString();
            if (type == "image_url"_L1 || type == "image"_L1 || type == "input_image"_L1) {
                needs.vision = true;
                break;
            }
        }
    }
    if (!body.value("images"_L1).toArray().isEmpty()) // /api/generate
        needs.vision = true;
    return needs;
}

QList<const GroupMember *> Balancer::orderMembers(const ModelGroup &group, const Needs &needs)
{
    QList<const GroupMember *> active;
    for (const GroupMember &member : group.members) {
        if (member.active)
            active.append(&member);
    }
    QList<const GroupMember *> capable;
    for (const GroupMember *member : std::as_const(active)) {
        if ((!needs.vision || member->capabilityTags.contains("vision"_L1))
            && (!needs.tools || member->capabilityTags.contains("tools"_L1)))
            capable.append(member);
    }
    QList<const GroupMember *> members = capable.isEmpty() ? active : capable;
    std::stable_sort(members.begin(), members.end(), [](const GroupMember *a, const GroupMember *b) {
        return a->priority < b->priority;
    });
    if (members.size() <= 1)
        return members;
    qsizetype pick = 0;
    QMutexLocker lock(&m_mutex);
    if (group.strategy == "weighted"_L1) {
        QList<int> weights;
        for (const GroupMember *member : std::as_const(members))
            weights.append(member->weight);
        pick = pickWeighted(weights);
    } else if (group.strategy != "priority"_L1) {
        // round_robin, and unknown strategies as the seed treats them.
        pick = qsizetype(m_roundRobin[u"group:"_s + group.name]++ % quint64(members.size()));
    }
    if (pick > 0)
        members.move(pick, 0);
    return members;
}

QList<const Node *> Balancer::order(QList<const Node *> candidates, RoutingStrategy strategy,
                                    const QString &modelKey)
{
    if (candidates.size() <= 1)
        return candidates;
    QMutexLocker lock(&m_mutex);
    const auto active = [this](qint64 id) { return m_active.value(id); };

    // Failover order, and the base every strategy picks from: priority, then fewest in flight,
    // then id for a stable order.
    std::stable_sort(candidates.begin(), candidates.end(), [&active](const Node *a, const Node *b) {
        if (a->priority != b->priority)
            return a->priority > b->priority;
        const int la = active(a->id);
        const int lb = active(b->id);
        if (la != lb)
            return la < lb;
        return a->id < b->id;
    });

    qsizetype pick = 0;
    switch (strategy) {
    case RoutingStrategy::Priority:
        break;
    case RoutingStrategy::RoundRobin: {
        // Ordered by id so the rotation does not depend on load.
        QList<const Node *> byId = candidates;
        std::sort(byId.begin(), byId.end(),
                  [](const Node *a, const Node *b) { return a->id < b->id; });
        const Node *chosen = byId.at(m_roundRobin[modelKey]++ % quint64(byId.size()));
        pick = candidates.indexOf(chosen);
        break;
    }
    case RoutingStrategy::Weighted: {
        QList<int> weights;
        for (const Node *node : std::as_const(candidates))
            weights.append(node->weight);
        pick = pickWeighted(weights);
        break;
    }
    case RoutingStrategy::LeastBusy: {
        // Fewest requests in flight relative to weight; priority breaks ties (already sorted).
        double best = 0;
        for (qsizetype i = 0; i < candidates.size(); ++i) {
            const Node *node = candidates.at(i);
            const double score = double(active(node->id)) / double(std::max(node->weight, 1));
            if (i == 0 || score < best) {
                best = score;
                pick = i;
            }
        }
        break;
    }
    }
    if (pick > 0)
        candidates.move(pick, 0);
    return candidates;
}

} // namespace Maestro

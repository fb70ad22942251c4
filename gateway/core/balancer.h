#pragma once

#include "entities.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QString>

#include <functional>
#include <optional>

namespace Maestro {

enum class RoutingStrategy { RoundRobin, Weighted, Priority, LeastBusy };

std::optional<RoutingStrategy> routingStrategyFromName(const QString &name);
QString routingStrategyName(RoutingStrategy strategy);

// Orders the nodes that can serve a request: the first is the strategy's pick, the rest are the
// failover order (highest priority first, then least busy). Tracks requests in flight per node
// for least-busy. Thread-safe: the gateway's I/O threads share one balancer.
class Balancer
{
public:
    using RandomSource = std::function<quint32(quint32 bound)>; // uniform in [0, bound)

    Balancer();
    void setRandomSource(RandomSource random) { m_random = std::move(random); }

    QList<const Node *> order(QList<const Node *> candidates, RoutingStrategy strategy,
                              const QString &modelKey);

    // What a request needs from a model, for choosing among a group's members.
    struct Needs
    {
        bool vision = false;
        bool tools = false;
    };
    // Images in the messages (Ollama "images", OpenAI "image_url" parts, Anthropic "image"
    // blocks) need vision; a non-empty "tools" needs tools.
    static Needs needsOf(const QJsonObject &body);

    // A group's active members in the order to try them: those with the needed capability tags
    // (all of them when none has the tags), the strategy's pick first, then by priority. The
    // pointers point into `group`: valid while the caller holds the catalog snapshot it came from.
    QList<const GroupMember *> orderMembers(const ModelGroup &group, const Needs &needs);

    void started(qint64 nodeId);
    void finished(qint64 nodeId);
    int active(qint64 nodeId) const;
    int activeTotal() const;

private:
    // An index drawn with probability proportional to its weight (negative counts as 0); the
    // caller holds m_mutex.
    qsizetype pickWeighted(const QList<int> &weights) const;

    mutable QMutex m_mutex;
    QHash<QString, quint64> m_roundRobin; // per model, so each model's traffic alternates
    QHash<qint64, int> m_active;
    RandomSource m_random;
};

} // namespace Maestro

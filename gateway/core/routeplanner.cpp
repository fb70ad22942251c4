#include "routeplanner.h"
#include "modelpolicy.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

qint64 contextOf(const Catalog::Resolved &model)
{
    return model.mapping ? model.mapping->contextLength : 0;
}

ApiError noAccess(const QString &name)
{
    return ApiError::forbidden(u"You have no access to the model '%1'"_s.arg(name)).withReason(u"model_not_allowed"_s);
}

ApiError unknownModel(const QString &name)
{
    return ApiError::notFound(u"Model '%1' is not available"_s.arg(name)).withReason(u"unknown_model"_s);
}

// `nodes` (in failover order) with the preferred ones first, in the order they are preferred.
QList<const Node *> preferredFirst(const QList<const Node *> &nodes, const QList<qint64> &preferred)
{
    if (preferred.isEmpty())
        return nodes;
    QList<const Node *> ordered;
    for (qint64 id : preferred) {
        for (const Node *node : nodes) {
            if (node->id == id && !ordered.contains(node))
                ordered.append(node);
        }
    }
    for (const Node *node : nodes) {
        if (!ordered.contains(node))
            ordered.append(node);
    }
    return ordered;
}

const auto PinPrefix = "node:"_L1;

} // namespace

std::optional<std::pair<QString, QString>> RoutePlanner::splitPin(const QString &requested)
{
    if (!requested.startsWith(PinPrefix))
        return std::nullopt;
    // The first two ':' only: the model part keeps its own ("llama3:8b"). "node:latest" (one
    // ':') is an ordinary model name.
    const qsizetype second = requested.indexOf(u':', PinPrefix.size());
    if (second < 0)
        return std::nullopt;
    return std::pair{requested.mid(PinPrefix.size(), second - PinPrefix.size()), requested.mid(second + 1)};
}

RoutePlanner::RoutePlanner(const Catalog &catalog, Balancer &balancer, RoutingStrategy strategy)
    : m_catalog(catalog)
    , m_balancer(balancer)
    , m_strategy(strategy)
{ }

Result<RoutePlan> RoutePlanner::plan(const User &user, const QString &requested,
                                     const QJsonObject &request)
{
    if (const auto pin = splitPin(requested))
        return planPin(user, pin->first, pin->second);
    if (const ModelGroup *group = m_catalog.group(requested))
        return planGroup(user, *group, request);
    return planModel(user, requested);
}

Result<RoutePlanner::Pin> RoutePlanner::resolvePin(const User &user, const QString &nodeName,
                                                   const QString &model) const
{
    const Node *node = m_catalog.nodeByName(nodeName);
    if (!node)
        return ApiError::notFound(u"Node '%1' not found"_s.arg(nodeName));
    const auto resolved = m_catalog.resolve(model);
    if (!resolved)
        return unknownModel(model);
    if (!m_catalog.mayUse(user, resolved->display))
        return noAccess(resolved->display);
    if (!user.mayReach(node->id, resolved->real)) {
        return ApiError::forbidden(
            u"You have no access to the model '%1' on the node '%2'"_s.arg(resolved->display, nodeName));
    }
    if (!m_catalog.nodesFor(*resolved, true).contains(node)) {
        return ApiError::notFound(
            u"Model '%1' is not available on the node '%2'"_s.arg(resolved->display, nodeName));
    }
    return Pin{node, *resolved};
}

Result<RoutePlan> RoutePlanner::planPin(const User &user, const QString &nodeName, const QString &model)
{
    const auto resolved = resolvePin(user, nodeName, model);
    if (!resolved.ok())
        return resolved.error();
    const Pin &pin = resolved.value();
    if (!pin.node->active || pin.node->health == Health::Unhealthy) {
        return ApiError::unavailable(
            u"The node '%1' is not available right now (inactive or failing its health checks)"_s.arg(nodeName));
    }
    RoutePlan plan;
    plan.attempts.append({ pin.node, pin.model.real, contextOf(pin.model), pin.model.display });
    plan.displayModel = pin.model.display;
    plan.pinnedNode = pin.node->name;
    plan.config = ModelPolicy::configFor(m_catalog.modelConfigs(), pin.model.display, pin.model.real);
    if (plan.config) {
        if (auto refused = ModelPolicy::maintenanceRefusal(*plan.config, pin.model.display))
            return *refused;
    }
    return plan;
}

Result<RoutePlan> RoutePlanner::planGroup(const User &user, const ModelGroup &group,
                                          const QJsonObject &request)
{
    if (!m_catalog.mayUse(user, group.name))
        return noAccess(group.name);
    RoutePlan plan;
    const QList<const GroupMember *> members
        = m_balancer.orderMembers(group, Balancer::needsOf(request));
    const int tries
        = group.maxFailoverRetries > 0 ? group.maxFailoverRetries : DefaultMaxFailoverRetries;
    int used = 0;
    // The group's own configuration: a group under maintenance refuses, whatever its members.
    plan.config = ModelPolicy::configFor(m_catalog.modelConfigs(), group.name, group.name);
    if (plan.config) {
        if (auto refused = ModelPolicy::maintenanceRefusal(*plan.config, group.name))
            return *refused;
    }
    for (const GroupMember *member : members) {
        if (used >= tries)
            break;
        const auto resolved = m_catalog.resolve(member->model);
        if (!resolved)
            continue;
        // A member under maintenance is passed over rather than failing the group.
        const ModelConfig *memberConfig
            = ModelPolicy::configFor(m_catalog.modelConfigs(), resolved->display, resolved->real);
        if (memberConfig && memberConfig->maintenance)
            continue;
        const QList<const Node *> nodes = preferredFirst(
            m_balancer.order(m_catalog.nodesFor(*resolved, user), m_strategy, resolved->real),
            member->preferredNodeIds);
        QList<Attempt> &into = member->contextFallback ? plan.contextFallback : plan.attempts;
        for (const Node *node : nodes)
            into.append({ node, resolved->real, contextOf(*resolved), resolved->display, member });
        if (!nodes.isEmpty() && !member->contextFallback)
            ++used;
    }
    if (plan.attempts.isEmpty())
        std::swap(plan.attempts, plan.contextFallback);
    if (plan.attempts.isEmpty()) {
        return ApiError::unavailable(u"No member of the group '%1' has a healthy node right now"_s.arg(group.name))
            .withReason(u"no_healthy_node"_s);
    }
    plan.displayModel = group.name;
    plan.group = group.name;
    return plan;
}

Result<RoutePlan> RoutePlanner::planModel(const User &user, const QString &requested)
{
    const auto model = m_catalog.resolve(requested);
    if (!model)
        return unknownModel(requested);
    if (!m_catalog.mayUse(user, model->display))
        return noAccess(model->display);
    const QList<const Node *> nodes = m_catalog.nodesFor(*model, user);
    if (nodes.isEmpty()) {
        // A restricted user hears only that none of the nodes it may use can serve: the others
        // are not its business, not even by name.
        return ApiError::unavailable(
            user.nodeRestricted()
                ? u"No healthy node you may use serves the model '%1' right now"_s.arg(model->display)
                : u"No healthy node serves the model '%1' right now"_s.arg(model->display))
            .withReason(u"no_healthy_node"_s);
    }
    RoutePlan plan;
    for (const Node *node : m_balancer.order(nodes, m_strategy, model->real))
        plan.attempts.append({ node, model->real, contextOf(*model), model->display });
    plan.displayModel = model->display;
    plan.config = ModelPolicy::configFor(m_catalog.modelConfigs(), model->display, model->real);
    if (plan.config) {
        if (auto refused = ModelPolicy::maintenanceRefusal(*plan.config, requested))
            return *refused;
    }
    return plan;
}

Result<QString> RoutePlanner::access(const User &user, const QString &requested) const
{
    if (const auto pin = splitPin(requested)) {
        const auto resolved = resolvePin(user, pin->first, pin->second);
        if (!resolved.ok())
            return resolved.error();
        return resolved.value().model.display;
    }
    QString name = requested;
    if (!m_catalog.group(requested)) {
        const auto model = m_catalog.resolve(requested);
        if (!model)
            return unknownModel(requested);
        name = model->display;
    }
    if (!m_catalog.mayUse(user, name))
        return noAccess(name);
    return name;
}

QString RoutePlanner::withoutClaudePrefix(const QString &requested) const
{
    static const QLatin1StringView prefix("claude-");
    const auto known = [this](const QString &name) { return m_catalog.group(name) || m_catalog.resolve(name); };
    if (!requested.startsWith(prefix) || requested.size() == prefix.size() || known(requested))
        return requested;
    const QString rest = requested.mid(prefix.size());
    return known(rest) ? rest : requested;
}

QList<const ModelGroup *> RoutePlanner::listedGroups(const User &user) const
{
    QList<const ModelGroup *> listed;
    for (const ModelGroup &group : m_catalog.groups()) {
        if (!group.active || !group.listInCatalog || !m_catalog.mayUse(user, group.name))
            continue;
        const bool usable = std::any_of(
            group.members.cbegin(), group.members.cend(), [&](const GroupMember &member) {
                const auto resolved = m_catalog.resolve(member.model);
                return member.active && resolved && !m_catalog.nodesFor(*resolved, user).isEmpty();
            });
        if (usable)
            listed.append(&group);
    }
    return listed;
}

} // namespace Maestro

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
    return ApiError::forbidden(u"You have no access to the model '%1'"_s.arg(name));
}

ApiError unknownModel(const QString &name)
{
    return ApiError::notFound(u"Model '%1' is not available"_s.arg(name));
}

} // namespace

RoutePlanner::RoutePlanner(const Catalog &catalog, Balancer &balancer, RoutingStrategy strategy)
    : m_catalog(catalog)
    , m_balancer(balancer)
    , m_strategy(strategy)
{ }

Result<RoutePlan> RoutePlanner::plan(const User &user, const QString &requested,
                                     const QJsonObject &request)
{
    if (const ModelGroup *group = m_catalog.group(requested))
        return planGroup(user, *group, request);
    return planModel(user, requested);
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
        const QList<const Node *> nodes
            = m_balancer.order(m_catalog.nodesFor(*resolved), m_strategy, resolved->real);
        QList<Attempt> &into = member->contextFallback ? plan.contextFallback : plan.attempts;
        for (const Node *node : nodes)
            into.append({ node, resolved->real, contextOf(*resolved), resolved->display, member });
        if (!nodes.isEmpty() && !member->contextFallback)
            ++used;
    }
    if (plan.attempts.isEmpty())
        std::swap(plan.attempts, plan.contextFallback);
    if (plan.attempts.isEmpty()) {
        return ApiError::unavailable(
            u"No member of the group '%1' has a healthy node right now"_s.arg(group.name));
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
    const QList<const Node *> nodes = m_catalog.nodesFor(*model);
    if (nodes.isEmpty()) {
        return ApiError::unavailable(
            u"No healthy node serves the model '%1' right now"_s.arg(model->display));
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
                return member.active && resolved && !m_catalog.nodesFor(*resolved).isEmpty();
            });
        if (usable)
            listed.append(&group);
    }
    return listed;
}

} // namespace Maestro

#pragma once

#include "apierror.h"
#include "balancer.h"
#include "catalog.h"
#include "entities.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

namespace Maestro {

// One way to serve a request: a node and the real model name to ask it for.
struct Attempt
{
    const Node *node = nullptr;
    QString realModel;
    qint64 contextLength = 0; // the mapping's, when the model was reached through one
    QString displayModel; // the display name behind realModel (a group member's, in a group)
    const GroupMember *member = nullptr; // the group member it serves; null outside groups
};

// Where a request goes, decided before anything is sent. The pointers point into the catalog the
// plan was made from: valid while a snapshot of it is held.
struct RoutePlan
{
    QString displayModel; // the group's name, or the display name the requested model resolved to
    QString group; // the group the client asked for; empty when it named a model
    QString pinnedNode; // the node a "node:<name>:<model>" pin named; empty otherwise
    QList<Attempt> attempts; // in the order to try them
    // The nodes of group members flagged to take requests the others refuse as too long (413,
    // context length exceeded): tried once, when that happens.
    QList<Attempt> contextFallback;
    // The model configuration that applies: its parameter and tool rules rewrite the request and
    // its per-minute limits count it. Null when none matches.
    const ModelConfig *config = nullptr;
};

// Group resolution, capability filtering and failover planning: the decisions about where a
// request goes, made from one catalog snapshot and the balancer's view of the nodes, with no I/O.
// The HTTP layer asks it and then only carries the plan out, so every routing rule can be tested
// without sockets.
//
// A requested name is an active group's name, else a display name or real model name
// (Catalog::resolve). A model's attempts are the nodes that serve it (active, not known to be
// down, allowed by the mapping), the strategy's pick first and then the failover order. A
// group's are those of its members, member after member, in the order Balancer::orderMembers()
// gives for what the request needs (images need "vision", tools need "tools"): members without a
// usable node or under maintenance are passed over, and at most max_failover_retries members
// (default 5) that have nodes are planned; members flagged context_fallback are kept apart, and
// serve first only when no other member can.
//
// A member's preferred nodes (GroupMember::preferredNodeIds) come first among its attempts, in
// their order; its other nodes follow in the usual order.
//
// A user limited to some nodes (User::nodeIds, User::nodeModels) is planned only onto those:
// every attempt, failover and group fallback alike, so nothing the HTTP layer does afterwards
// can reach another node. When none of them can serve, the answer is 503 naming no node.
//
// "node:<node name>:<model>" pins a request to one node: only that node is tried (no failover,
// no group fallback). It is split at the first two ':' only, so "node:gpu-1:llama3:8b" pins
// "llama3:8b". Access is checked on <model>, which is also what limits and the usage log count.
//
// Planning moves the balancer's rotation (round robin, per model and per group), as choosing
// did before it was taken apart from the HTTP layer. Not thread-safe itself; the balancer is.
class RoutePlanner
{
public:
    // A "node:<node name>:<model>" name split in two; nullopt for any other name.
    static std::optional<std::pair<QString, QString>> splitPin(const QString &requested);

    static constexpr int DefaultMaxFailoverRetries = 5;

    RoutePlanner(const Catalog &catalog, Balancer &balancer, RoutingStrategy strategy);

    // The attempts for `requested` on behalf of `user`, or the error to answer: 404 an unknown
    // model, 403 a model or group not on the user's allowlist, 503 no healthy node (no member of
    // a group with one) or a model configuration under maintenance. `request` is the client's
    // body: what it carries (images, tools) decides which members of a group can take it; it is
    // read only when a group is asked for. A pin answers 404 for an unknown node or a model the
    // node does not serve, 403 for a node the user may not reach, 503 for an inactive or
    // unhealthy node.
    Result<RoutePlan> plan(const User &user, const QString &requested, const QJsonObject &request);

    // The name access is granted under (the group's, or the display name `requested` resolves
    // to), or 404/403 as plan() answers them: for requests that need no node (count_tokens).
    Result<QString> access(const User &user, const QString &requested) const;

    // Anthropic clients set up for the seed name models "claude-<display name>" (the ids its
    // Anthropic model list gave them): `requested` without that prefix when `requested` itself is
    // no active group or known model and the rest is; otherwise `requested` unchanged. Access and
    // limits are then decided for the name returned.
    QString withoutClaudePrefix(const QString &requested) const;

    // The groups model lists show to `user`: active, flagged list_in_catalog, on the user's
    // allowlist, with an active member that has a usable node. In catalog order.
    QList<const ModelGroup *> listedGroups(const User &user) const;

private:
    Result<RoutePlan> planGroup(const User &user, const ModelGroup &group,
                                const QJsonObject &request);
    Result<RoutePlan> planModel(const User &user, const QString &requested);
    Result<RoutePlan> planPin(const User &user, const QString &nodeName, const QString &model);
    // The pinned node and the model part of a pin, or 403/404 as plan() answers them.
    struct Pin
    {
        const Node *node = nullptr;
        Catalog::Resolved model;
    };
    Result<Pin> resolvePin(const User &user, const QString &nodeName, const QString &model) const;

    const Catalog &m_catalog;
    Balancer &m_balancer;
    RoutingStrategy m_strategy;
};

} // namespace Maestro

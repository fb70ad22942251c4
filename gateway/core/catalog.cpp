#include "catalog.h"
#include "nodeheaders.h"

#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro {

std::shared_ptr<const Catalog> Catalog::load(Store &store, SecretStore *secrets, QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return nullptr;
    };
    if (!store.beginRead())
        return fail(u"cannot start a read transaction"_s);
    auto catalog = std::make_shared<Catalog>();
    catalog->m_settings = store.settings();
    catalog->m_typedSettings = Settings(catalog->m_settings);
    if (store.isShared())
        catalog->m_configVersion = store.configVersion();
    const QHash<QString, qint64> digests = store.tokenHashes();
    const QHash<QString, RevokedToken> revoked = store.revokedTokens();
    catalog->m_users = store.users();
    QHash<qint64, qsizetype> indexById;
    for (qsizetype i = 0; i < catalog->m_users.size(); ++i) {
        const User &user = catalog->m_users.at(i);
        indexById.insert(user.id, i);
        if (user.active)
            catalog->m_userByName.insert(user.username, i);
    }
    for (auto it = digests.cbegin(); it != digests.cend(); ++it) {
        const auto index = indexById.constFind(it.value());
        if (index != indexById.cend())
            catalog->m_userByDigest.insert(it.key().toLatin1(), *index);
    }
    for (auto it = revoked.cbegin(); it != revoked.cend(); ++it)
        catalog->m_revokedTokens.insert(it.key().toLatin1(), it.value());

    catalog->m_nodes = store.nodes();
    if (secrets) {
        for (const Node &node : std::as_const(catalog->m_nodes)) {
            if (node.hasApiKey) {
                if (const auto key = secrets->read(nodeApiKeyName(node.id)))
                    catalog->m_apiKeys.insert(node.id, *key);
            }
        }
    }
    for (const Node &node : std::as_const(catalog->m_nodes)) {
        if (!node.headers.isEmpty() || !node.secretHeaderNames.isEmpty())
            catalog->m_nodeHeaders.insert(node.id, NodeHeaders::load(node, secrets));
    }
    catalog->m_nodeModels = store.nodeModels();
    for (qsizetype i = 0; i < catalog->m_nodeModels.size(); ++i)
        catalog->m_modelsByName[catalog->m_nodeModels.at(i).name].append(i);
    catalog->m_groups = store.groups();
    catalog->m_toolSets = store.toolSets();
    catalog->m_modelConfigs = store.modelConfigs();
    for (const SystemPrompt &prompt : store.systemPrompts()) {
        if (prompt.active)
            catalog->m_systemPrompts.append(prompt);
    }
    catalog->m_mappingList = store.mappings();
    for (qsizetype i = 0; i < catalog->m_mappingList.size(); ++i)
        catalog->m_mappingByDisplay.insert(catalog->m_mappingList.at(i).displayName, i);
    if (!store.endRead())
        return fail(u"a read of the configuration failed (see the storage messages above)"_s);
    return catalog;
}

const User *Catalog::userByTokenHash(const QByteArray &digest) const
{
    const auto it = m_userByDigest.constFind(digest);
    return it == m_userByDigest.cend() ? nullptr : &m_users.at(*it);
}

const RevokedToken *Catalog::revokedToken(const QByteArray &digest) const
{
    const auto it = m_revokedTokens.constFind(digest);
    return it == m_revokedTokens.cend() ? nullptr : &*it;
}

const User *Catalog::user(const QString &username) const
{
    const auto it = m_userByName.constFind(username);
    return it == m_userByName.cend() ? nullptr : &m_users.at(*it);
}

const NodeModel *Catalog::nodeModel(qint64 nodeId, const QString &name) const
{
    for (const qsizetype index : m_modelsByName.value(name)) {
        const NodeModel &model = m_nodeModels.at(index);
        if (model.nodeId == nodeId)
            return &model;
    }
    return nullptr;
}

const Node *Catalog::node(qint64 id) const
{
    for (const Node &node : m_nodes) {
        if (node.id == id)
            return &node;
    }
    return nullptr;
}

std::optional<Catalog::Resolved> Catalog::resolve(const QString &requested) const
{
    if (requested.isEmpty())
        return std::nullopt;
    if (const auto it = m_mappingByDisplay.constFind(requested); it != m_mappingByDisplay.cend()) {
        const ModelMapping &mapping = m_mappingList.at(*it);
        return Resolved{requested, mapping.realName, &mapping};
    }
    if (m_modelsByName.contains(requested))
        return Resolved{requested, requested, nullptr};
    if (!requested.contains(u':')) {
        const QString tagged = requested + ":latest"_L1;
        if (m_modelsByName.contains(tagged))
            return Resolved{requested, tagged, nullptr};
    }
    return std::nullopt;
}

const ModelGroup *Catalog::group(const QString &name) const
{
    for (const ModelGroup &group : m_groups) {
        if (group.name == name && group.active)
            return &group;
    }
    return nullptr;
}

bool Catalog::mayUse(const User &user, const QString &displayName) const
{
    return user.allModels || user.models.contains(displayName);
}

QList<const Node *> Catalog::nodesFor(const Resolved &model, bool anyState) const
{
    QList<const Node *> result;
    const QList<qsizetype> holders = m_modelsByName.value(model.real);
    for (const Node &node : m_nodes) {
        if (!anyState && (!node.active || node.health == Health::Unhealthy))
            continue;
        if (model.mapping && !model.mapping->nodeIds.isEmpty()
            && !model.mapping->nodeIds.contains(node.id))
            continue;
        const bool serves = std::any_of(holders.cbegin(), holders.cend(), [&](qsizetype i) {
            return m_nodeModels.at(i).nodeId == node.id;
        });
        if (serves)
            result.append(&node);
    }
    return result;
}

QList<const Node *> Catalog::nodesFor(const Resolved &model, const User &user, bool anyState) const
{
    QList<const Node *> result = nodesFor(model, anyState);
    if (user.nodeRestricted()) {
        result.removeIf([&](const Node *node) { return !user.mayReach(node->id, model.real); });
    }
    return result;
}

const Node *Catalog::nodeByName(const QString &name) const
{
    for (const Node &node : m_nodes) {
        if (node.name == name)
            return &node;
    }
    return nullptr;
}

QList<Catalog::ListedModel> Catalog::modelsFor(const User &user) const
{
    QSet<qint64> usableNodes;
    for (const Node &node : m_nodes) {
        if (node.active && node.health != Health::Unhealthy)
            usableNodes.insert(node.id);
    }
    QHash<QString, ListedModel> byName;
    QSet<QString> mappedReal;
    for (const ModelMapping &mapping : m_mappingList) {
        for (qsizetype i : m_modelsByName.value(mapping.realName)) {
            const NodeModel &model = m_nodeModels.at(i);
            if (!usableNodes.contains(model.nodeId))
                continue;
            if (!mapping.nodeIds.isEmpty() && !mapping.nodeIds.contains(model.nodeId))
                continue;
            mappedReal.insert(mapping.realName);
            if (!user.mayReach(model.nodeId, model.name))
                continue;
            if (mayUse(user, mapping.displayName) && !byName.contains(mapping.displayName))
                byName.insert(mapping.displayName, {mapping.displayName, &model, &mapping});
        }
    }
    for (const NodeModel &model : m_nodeModels) {
        if (!usableNodes.contains(model.nodeId) || byName.contains(model.name)
            || !user.mayReach(model.nodeId, model.name))
            continue;
        // A real name hidden behind a mapping is still reachable under its own name, but only
        // users granted that exact name see it.
        if (mappedReal.contains(model.name) && !user.models.contains(model.name))
            continue;
        if (mayUse(user, model.name))
            byName.insert(model.name, {model.name, &model, nullptr});
    }
    QList<ListedModel> result = byName.values();
    std::sort(result.begin(), result.end(),
              [](const ListedModel &a, const ListedModel &b) { return a.name < b.name; });
    return result;
}

} // namespace Maestro

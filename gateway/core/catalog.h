#pragma once

#include "entities.h"
#include "settings.h"
#include "store.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

#include <memory>
#include <optional>

namespace Maestro {

// An immutable snapshot of everything the request path needs: users by token, grants, limits,
// nodes with their keys and models, mappings, settings. Built from the store after every change
// and swapped in whole, so a request never sees half an update and never waits for the database.
//
// Lifetime rule: the references and pointers the accessors return (users, nodes, groups,
// mappings, Resolved, ListedModel) point into the catalog and are valid only while a snapshot
// holding it lives. The control thread may publish a new catalog at any moment, and this one is
// freed once its last holder lets go. So reach a catalog only through a named CatalogSnapshot, keep it
// for as long as anything read from it is used, make every decision of a request from that one
// snapshot, and let callbacks that run later capture the snapshot (or copies of values), never
// a pointer into it.
class Catalog
{
public:
    // Reads everything in one read transaction of the store, so the lists agree with each other.
    // nullptr (and *error) when a read failed: a catalog missing users or nodes that still exist
    // must not replace a good one.
    static std::shared_ptr<const Catalog> load(Store &store, SecretStore *secrets, QString *error = nullptr);

    const User *userByTokenHash(const QByteArray &digest) const;
    // The user a revoked token (rotated, or its user deleted) belonged to; null if unknown.
    const RevokedToken *revokedToken(const QByteArray &digest) const;
    const User *user(const QString &username) const;

    const QList<Node> &nodes() const { return m_nodes; }
    const Node *node(qint64 id) const;
    QString apiKey(qint64 nodeId) const { return m_apiKeys.value(nodeId); }
    // The headers the node's admin set, secret values included (read from the secret store with
    // the API keys), to add to every request to the node (addNodeHeaders()).
    QList<QPair<QByteArray, QByteArray>> nodeHeaders(qint64 nodeId) const { return m_nodeHeaders.value(nodeId); }
    const QList<NodeModel> &nodeModels() const { return m_nodeModels; }
    // What a node reported about one of its models when it was last discovered; nullptr when the
    // node does not list it.
    const NodeModel *nodeModel(qint64 nodeId, const QString &name) const;
    const QList<ModelMapping> &mappings() const { return m_mappingList; }

    struct Resolved
    {
        QString display;
        QString real;
        const ModelMapping *mapping = nullptr;
    };
    // What a requested name means: a mapping's display name, or a model some node serves under
    // its own name ("llama3" also finds "llama3:latest", as Ollama does). Empty when unknown.
    std::optional<Resolved> resolve(const QString &requested) const;

    bool mayUse(const User &user, const QString &displayName) const;

    const QList<ModelGroup> &groups() const { return m_groups; }
    const QList<ToolSet> &toolSets() const { return m_toolSets; }
    const QList<ModelConfig> &modelConfigs() const { return m_modelConfigs; }
    // The active system prompts, highest priority first.
    const QList<SystemPrompt> &systemPrompts() const { return m_systemPrompts; }
    // The active group of that name, or nullptr.
    const ModelGroup *group(const QString &name) const;

    // The system settings as read with the rest (string values; Settings gives typed access).
    const QHash<QString, QString> &settings() const { return m_settings; }
    // The same settings typed, parsed once with the snapshot for the request path to read.
    const Settings &typedSettings() const { return m_typedSettings; }
    // The store's configuration version read with the rest; -1 for a store only one process uses.
    qint64 configVersion() const { return m_configVersion; }

    // Active nodes that are not known to be down, serve the real model, and are allowed by the
    // mapping's node restriction. `anyState` also returns inactive and unhealthy ones (to tell
    // "no healthy node" from "nobody has it").
    QList<const Node *> nodesFor(const Resolved &model, bool anyState = false) const;
    // nodesFor() less the nodes `user` may not be sent to for the model (User::mayReach).
    QList<const Node *> nodesFor(const Resolved &model, const User &user, bool anyState = false) const;
    // The node of that name, active or not, or nullptr.
    const Node *nodeByName(const QString &name) const;

    struct ListedModel
    {
        QString name; // as the user sees it
        const NodeModel *source = nullptr;
        const ModelMapping *mapping = nullptr;
    };
    // The models a user may use, under display names, one entry per name, sorted by name. A
    // model only nodes the user may not reach serve is left out (User::mayReach).
    QList<ListedModel> modelsFor(const User &user) const;

private:
    QList<User> m_users;
    QHash<QByteArray, qsizetype> m_userByDigest;
    QHash<QByteArray, RevokedToken> m_revokedTokens;
    QHash<QString, qsizetype> m_userByName;
    QList<Node> m_nodes;
    QHash<qint64, QString> m_apiKeys;
    QHash<qint64, QList<QPair<QByteArray, QByteArray>>> m_nodeHeaders;
    QList<NodeModel> m_nodeModels;
    QHash<QString, QList<qsizetype>> m_modelsByName; // real name -> indexes into m_nodeModels
    QList<ModelMapping> m_mappingList;
    QList<ModelGroup> m_groups;
    QList<ToolSet> m_toolSets;
    QList<ModelConfig> m_modelConfigs;
    QList<SystemPrompt> m_systemPrompts;
    QHash<QString, qsizetype> m_mappingByDisplay;
    QHash<QString, QString> m_settings;
    Settings m_typedSettings;
    qint64 m_configVersion = -1;
};

// A held catalog: what Gateway::catalog() returns. It can be dereferenced only as a named object,
// so the dangling forms do not compile:
//     gateway->catalog()->user(name)              // the temporary frees a replaced catalog at ';'
//     for (const Node &n : gateway->catalog()->nodes())  // ... before the loop body runs (C++20)
// Write instead:
//     const CatalogSnapshot catalog = gateway->catalog();
//     for (const Node &node : catalog->nodes()) ...
class CatalogSnapshot
{
public:
    CatalogSnapshot() = default;
    // Implicit, so a freshly loaded catalog is a snapshot wherever one is expected.
    CatalogSnapshot(std::shared_ptr<const Catalog> catalog)
        : m_catalog(std::move(catalog))
    {
    }

    const Catalog *operator->() const & { return m_catalog.get(); }
    const Catalog &operator*() const & { return *m_catalog; }
    const Catalog *operator->() const && = delete;
    const Catalog &operator*() const && = delete;

    explicit operator bool() const { return bool(m_catalog); }
    // Shared ownership for a holder that outlives this snapshot (a call keeping its nodes alive).
    std::shared_ptr<const Catalog> shared() const { return m_catalog; }

private:
    std::shared_ptr<const Catalog> m_catalog;
};

} // namespace Maestro

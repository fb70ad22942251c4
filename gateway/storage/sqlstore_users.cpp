// Users, their token digests, allowlists and limits.

#include "sqlstore.h"
#include "sqlsupport.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace SqlSupport;

QList<User> SqlStore::selectUsers(const QString &where, const QVariantList &bindings)
{
    QSqlDatabase db = m_database->connection();
    QSqlQuery query(db);
    QList<User> users;
    if (!run(query,
             u"SELECT u.id, u.username, u.is_active, u.has_all_models, u.created_at, u.updated_at, "
             "l.request_limit, l.token_limit, l.requests_per_minute, l.tokens_per_minute, "
             "u.node_ids, u.node_models "
             "FROM users u LEFT JOIN user_limits l ON l.user_id = u.id "_s
                 + where + u" ORDER BY u.username"_s,
             bindings))
        return users;
    QHash<qint64, qsizetype> index;
    while (query.next()) {
        User user;
        user.id = query.value(0).toLongLong();
        user.username = query.value(1).toString();
        user.active = query.value(2).toInt() != 0;
        user.allModels = query.value(3).toInt() != 0;
        user.createdAt = fromMs(query.value(4));
        user.updatedAt = fromMs(query.value(5));
        user.requestLimit = optionalInt(query.value(6));
        user.tokenLimit = optionalInt(query.value(7));
        user.requestsPerMinute = optionalInt(query.value(8));
        user.tokensPerMinute = optionalInt(query.value(9));
        for (const QJsonValue &id : jsonArray(query.value(10)))
            user.nodeIds.append(qint64(id.toDouble()));
        for (const QJsonValue &pair : jsonArray(query.value(11))) {
            const QJsonObject grant = pair.toObject();
            user.nodeModels.append({qint64(grant.value("node_id"_L1).toDouble()),
                                    grant.value("model_name"_L1).toString()});
        }
        index.insert(user.id, users.size());
        users.append(user);
    }
    if (users.isEmpty())
        return users;
    QSqlQuery models(db);
    const QString filter = users.size() == 1 ? u" WHERE user_id = ?"_s : QString();
    const QVariantList modelBindings = users.size() == 1 ? QVariantList{users.first().id} : QVariantList{};
    if (run(models, u"SELECT user_id, model_name FROM user_models"_s + filter + u" ORDER BY model_name"_s,
            modelBindings)) {
        while (models.next()) {
            const auto it = index.constFind(models.value(0).toLongLong());
            if (it != index.cend())
                users[*it].models.append(models.value(1).toString());
        }
    }
    return users;
}

QList<User> SqlStore::users()
{
    return selectUsers(u"WHERE u.is_active = 1"_s, {});
}

std::optional<User> SqlStore::user(const QString &username)
{
    const QList<User> found = selectUsers(u"WHERE u.username = ?"_s, {username});
    if (found.isEmpty())
        return std::nullopt;
    return found.first();
}

QHash<QString, qint64> SqlStore::tokenHashes()
{
    QSqlQuery query(m_database->connection());
    QHash<QString, qint64> result;
    if (run(query, u"SELECT token_hash, id FROM users WHERE is_active = 1 AND token_hash IS NOT NULL"_s)) {
        while (query.next())
            result.insert(query.value(0).toString(), query.value(1).toLongLong());
    }
    return result;
}

qint64 SqlStore::createUser(const QString &username, const QByteArray &tokenHash)
{
    Transaction tx(m_database->connection());
    const qint64 now = nowMs();
    // A deleted user keeps its row (its usage log points at it) and comes back with a new token.
    const qint64 id = tx.insertReturningId(
        u"INSERT INTO users (username, token_hash, is_active, has_all_models, created_at, updated_at) "
        "VALUES (?, ?, 1, 0, ?, ?) ON CONFLICT (username) DO UPDATE SET "
        "token_hash = excluded.token_hash, is_active = 1, has_all_models = 0, updated_at = excluded.updated_at, "
        "node_ids = '[]', node_models = '[]' "
        "RETURNING id"_s,
        {username, QString::fromLatin1(tokenHash), now, now});
    if (id == 0 || !tx.run(u"DELETE FROM user_models WHERE user_id = ?"_s, {id})
        || !tx.run(u"DELETE FROM user_limits WHERE user_id = ?"_s, {id}))
        return 0;
    return tx.commit() ? id : 0;
}

QHash<QString, RevokedToken> SqlStore::revokedTokens()
{
    QSqlQuery query(m_database->connection());
    QHash<QString, RevokedToken> result;
    // Bounded: the catalog holds them in memory and is reloaded at every change.
    if (run(query, u"SELECT r.token_hash, r.user_id, u.username FROM revoked_tokens r "
                   "JOIN users u ON u.id = r.user_id WHERE r.revoked_at >= ? "
                   "ORDER BY r.revoked_at DESC LIMIT ?"_s,
            {nowMs() - RevokedTokenDays * 86'400'000LL, RevokedTokenMax})) {
        while (query.next())
            result.insert(query.value(0).toString(), {query.value(1).toLongLong(), query.value(2).toString()});
    }
    return result;
}

namespace {

// Keeps the token a user is about to lose, so that a client still sending it can be logged under
// its user. Only the digest, as in users.
bool keepRevokedToken(Transaction &tx, qint64 userId, qint64 now)
{
    return tx.run(u"INSERT INTO revoked_tokens (token_hash, user_id, revoked_at) "
                  "SELECT token_hash, id, ? FROM users WHERE id = ? AND token_hash IS NOT NULL "
                  "ON CONFLICT (token_hash) DO NOTHING"_s,
                  {now, userId});
}

} // namespace

bool SqlStore::setTokenHash(qint64 userId, const QByteArray &tokenHash)
{
    Transaction tx(m_database->connection());
    const qint64 now = nowMs();
    return keepRevokedToken(tx, userId, now)
        && tx.runOne(u"UPDATE users SET token_hash = ?, updated_at = ? WHERE id = ?"_s,
                     {QString::fromLatin1(tokenHash), now, userId})
        && tx.commit();
}

bool SqlStore::deactivateUser(qint64 userId)
{
    Transaction tx(m_database->connection());
    return keepRevokedToken(tx, userId, nowMs())
        && tx.run(u"UPDATE users SET is_active = 0, token_hash = NULL, updated_at = ? WHERE id = ?"_s,
                  {nowMs(), userId})
        && tx.run(u"DELETE FROM user_models WHERE user_id = ?"_s, {userId}) && tx.commit();
}

bool SqlStore::setUserModels(qint64 userId, const QStringList &models, bool allModels)
{
    QList<QVariantList> rows;
    for (const QString &model : models)
        rows.append({userId, model});
    Transaction tx(m_database->connection());
    return tx.run(u"UPDATE users SET has_all_models = ?, updated_at = ? WHERE id = ?"_s,
                  {flag(allModels), nowMs(), userId})
        && tx.run(u"DELETE FROM user_models WHERE user_id = ?"_s, {userId})
        && tx.runEach(u"INSERT INTO user_models (user_id, model_name) VALUES (?, ?)"_s, rows) && tx.commit();
}

bool SqlStore::setUserNodes(qint64 userId, const QList<qint64> &nodeIds,
                            const QList<NodeModelGrant> &nodeModels)
{
    QJsonArray ids;
    for (qint64 id : nodeIds)
        ids.append(double(id));
    QJsonArray pairs;
    for (const NodeModelGrant &grant : nodeModels)
        pairs.append(QJsonObject{{u"node_id"_s, double(grant.nodeId)}, {u"model_name"_s, grant.model}});
    QSqlQuery query(m_database->connection());
    return runOne(query, u"UPDATE users SET node_ids = ?, node_models = ?, updated_at = ? WHERE id = ?"_s,
                  {jsonText(ids), jsonText(pairs), nowMs(), userId});
}

bool SqlStore::setUserLimits(qint64 userId, const UserLimits &limits)
{
    QSqlQuery query(m_database->connection());
    if (!limits.any())
        return run(query, u"DELETE FROM user_limits WHERE user_id = ?"_s, {userId});
    return run(query,
               u"INSERT INTO user_limits (user_id, request_limit, token_limit, requests_per_minute, "
               "tokens_per_minute, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (user_id) DO UPDATE SET request_limit = excluded.request_limit, "
               "token_limit = excluded.token_limit, requests_per_minute = excluded.requests_per_minute, "
               "tokens_per_minute = excluded.tokens_per_minute, updated_at = excluded.updated_at"_s,
               {userId, nullableInt(limits.requestLimit), nullableInt(limits.tokenLimit),
                nullableInt(limits.requestsPerMinute), nullableInt(limits.tokensPerMinute), nowMs()});
}

} // namespace Maestro

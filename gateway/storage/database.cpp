#include "database.h"

#include <QAtomicInt>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

// The schema, as a list of migrations. Each statement is written once for both backends; the
// only differences are spelled as placeholders: {ID} for an auto-increment primary key.
// Timestamps are integer milliseconds since the epoch (UTC) and booleans are 0/1 integers in
// both backends, which keeps queries and code identical.
const QList<QStringList> &migrations()
{
    static const QList<QStringList> steps = {
        // 1: the gateway core
        {
            u"CREATE TABLE users ("
            "id {ID}, username TEXT NOT NULL UNIQUE, token_hash TEXT, "
            "is_active INTEGER NOT NULL DEFAULT 1, has_all_models INTEGER NOT NULL DEFAULT 0, "
            "created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)"_s,
            u"CREATE UNIQUE INDEX users_token_hash ON users(token_hash)"_s,
            u"CREATE TABLE user_models ("
            "user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE, "
            "model_name TEXT NOT NULL, PRIMARY KEY (user_id, model_name))"_s,
            u"CREATE TABLE user_limits ("
            "user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE, "
            "request_limit BIGINT, token_limit BIGINT, updated_at BIGINT NOT NULL)"_s,
            u"CREATE TABLE nodes ("
            "id {ID}, name TEXT NOT NULL UNIQUE, base_url TEXT NOT NULL, "
            "node_type TEXT NOT NULL DEFAULT 'ollama', has_api_key INTEGER NOT NULL DEFAULT 0, "
            "priority INTEGER NOT NULL DEFAULT 0, weight INTEGER NOT NULL DEFAULT 100, "
            "is_active INTEGER NOT NULL DEFAULT 1, health_status TEXT NOT NULL DEFAULT 'unknown', "
            "last_error TEXT, last_health_check BIGINT, "
            "created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)"_s,
            u"CREATE TABLE node_models ("
            "node_id BIGINT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE, name TEXT NOT NULL, "
            "size BIGINT NOT NULL DEFAULT 0, digest TEXT, modified_at TEXT, details TEXT, "
            "PRIMARY KEY (node_id, name))"_s,
            u"CREATE TABLE model_mappings ("
            "display_name TEXT PRIMARY KEY, real_name TEXT NOT NULL, "
            "context_length BIGINT NOT NULL DEFAULT 0, capabilities TEXT NOT NULL DEFAULT '[]', "
            "node_ids TEXT NOT NULL DEFAULT '[]', "
            "created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)"_s,
            u"CREATE TABLE model_groups ("
            "id {ID}, name TEXT NOT NULL UNIQUE, description TEXT, "
            "strategy TEXT NOT NULL DEFAULT 'round_robin', is_active INTEGER NOT NULL DEFAULT 1, "
            "list_in_catalog INTEGER NOT NULL DEFAULT 0, priority INTEGER NOT NULL DEFAULT 0, "
            "max_failover_retries INTEGER, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)"_s,
            u"CREATE TABLE model_group_members ("
            "id {ID}, group_id BIGINT NOT NULL REFERENCES model_groups(id) ON DELETE CASCADE, "
            "model_display_name TEXT NOT NULL, priority INTEGER NOT NULL DEFAULT 0, "
            "weight INTEGER NOT NULL DEFAULT 100, capability_tags TEXT NOT NULL DEFAULT '[]', "
            "is_active INTEGER NOT NULL DEFAULT 1, created_at BIGINT NOT NULL)"_s,
            u"CREATE TABLE request_logs ("
            "id {ID}, user_id BIGINT, username TEXT, endpoint TEXT NOT NULL, model TEXT, "
            "real_model TEXT, node_id BIGINT, status_code INTEGER NOT NULL, "
            "duration_ms BIGINT NOT NULL DEFAULT 0, ttfb_ms BIGINT, "
            "prompt_tokens BIGINT NOT NULL DEFAULT 0, completion_tokens BIGINT NOT NULL DEFAULT 0, "
            "total_tokens BIGINT NOT NULL DEFAULT 0, streamed INTEGER NOT NULL DEFAULT 0, "
            "error_message TEXT, created_at BIGINT NOT NULL)"_s,
            u"CREATE INDEX request_logs_created ON request_logs(created_at)"_s,
            u"CREATE INDEX request_logs_user_created ON request_logs(user_id, created_at)"_s,
            u"CREATE TABLE audit_logs ("
            "id {ID}, action TEXT NOT NULL, entity_type TEXT NOT NULL, entity_id TEXT, "
            "details TEXT, created_at BIGINT NOT NULL)"_s,
            u"CREATE INDEX audit_logs_created ON audit_logs(created_at)"_s,
            u"CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT, updated_at BIGINT NOT NULL)"_s,
        },
        // 2: a group member can be the one that takes over requests too long for the others
        {
            u"ALTER TABLE model_group_members ADD COLUMN context_fallback INTEGER NOT NULL DEFAULT 0"_s,
            u"CREATE INDEX model_group_members_group ON model_group_members(group_id)"_s,
        },
        // 3: tool sets and per-model configuration
        {
            u"CREATE TABLE tool_sets (id {ID}, name TEXT NOT NULL UNIQUE, description TEXT, "
            "tools TEXT NOT NULL DEFAULT '[]', updated_at BIGINT NOT NULL)"_s,
            u"CREATE TABLE model_configs (id {ID}, pattern TEXT NOT NULL UNIQUE, "
            "tools_restricted INTEGER NOT NULL DEFAULT 0, allowed_tools TEXT NOT NULL DEFAULT '[]', "
            "tool_sets TEXT NOT NULL DEFAULT '[]', stripped_params TEXT NOT NULL DEFAULT '[]', "
            "default_context BIGINT NOT NULL DEFAULT 0, max_context BIGINT NOT NULL DEFAULT 0, "
            "maintenance INTEGER NOT NULL DEFAULT 0, maintenance_message TEXT, updated_at BIGINT NOT NULL)"_s,
        },
        // 4: several gateway processes on one database: limit counters they share (one row per
        // limited user and UTC day, 'yyyy-MM-dd'), and a number every configuration change
        // moves so the others notice it
        {
            u"CREATE TABLE usage_counters ("
            "user_id BIGINT NOT NULL, day TEXT NOT NULL, requests BIGINT NOT NULL DEFAULT 0, "
            "tokens BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (user_id, day))"_s,
            u"CREATE TABLE config_version (id INTEGER PRIMARY KEY, version BIGINT NOT NULL)"_s,
            u"INSERT INTO config_version (id, version) VALUES (1, 0)"_s,
        },
        // 5: per-minute limits, per user and per model configuration
        {
            u"ALTER TABLE user_limits ADD COLUMN requests_per_minute BIGINT"_s,
            u"ALTER TABLE user_limits ADD COLUMN tokens_per_minute BIGINT"_s,
            u"ALTER TABLE model_configs ADD COLUMN requests_per_minute BIGINT"_s,
            u"ALTER TABLE model_configs ADD COLUMN tokens_per_minute BIGINT"_s,
        },
        // 6: model warmup per node, and each node's traffic of the day read from the request
        // log (the admin API's node load) without scanning other nodes' rows
        {
            u"ALTER TABLE nodes ADD COLUMN warmup_enabled INTEGER NOT NULL DEFAULT 0"_s,
            u"CREATE INDEX request_logs_node_created ON request_logs(node_id, created_at)"_s,
        },
        // 7: system prompts put in front of requests by user, node, group, model or mapping
        {
            u"CREATE TABLE system_prompts ("
            "id {ID}, scope_type TEXT NOT NULL, scope_value TEXT NOT NULL DEFAULT '', prompt TEXT NOT NULL, "
            "priority INTEGER NOT NULL DEFAULT 0, is_active INTEGER NOT NULL DEFAULT 1, description TEXT, "
            "created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)"_s,
            u"CREATE INDEX system_prompts_scope ON system_prompts(scope_type, scope_value)"_s,
        },
        // 8: upstream timeouts per node, in seconds; 0 follows the gateway's settings
        {
            u"ALTER TABLE nodes ADD COLUMN connect_timeout_seconds INTEGER NOT NULL DEFAULT 0"_s,
            u"ALTER TABLE nodes ADD COLUMN first_byte_timeout_seconds INTEGER NOT NULL DEFAULT 0"_s,
            u"ALTER TABLE nodes ADD COLUMN idle_timeout_seconds INTEGER NOT NULL DEFAULT 0"_s,
        },
        // 9: limits shared by several gateway processes: requests of a daily limit leased to an
        // instance (counted as used until it gives back what it did not use), and per-minute
        // windows of users (kind 1, the user's id) and model configurations (kind 2, a digest of
        // the pattern), one bucket per second
        {
            u"ALTER TABLE usage_counters ADD COLUMN leased BIGINT NOT NULL DEFAULT 0"_s,
            u"ALTER TABLE usage_counters ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0"_s,
            u"CREATE TABLE limit_windows ("
            "kind INTEGER NOT NULL, subject BIGINT NOT NULL, second BIGINT NOT NULL, "
            "requests BIGINT NOT NULL DEFAULT 0, tokens BIGINT NOT NULL DEFAULT 0, "
            "requests_at BIGINT NOT NULL DEFAULT 0, tokens_at BIGINT NOT NULL DEFAULT 0, "
            "PRIMARY KEY (kind, subject, second))"_s,
        },
        // 10: model configurations that relay <think> tags as the model wrote them
        {
            u"ALTER TABLE model_configs ADD COLUMN keep_think_tags INTEGER NOT NULL DEFAULT 0"_s,
        },
        // 11: the request log tells refusals too: the client's dialect, why a request was refused
        // before it went to a node (NULL for the others), how many refusals of the same user were
        // left out before the entry (the log's flood cap), indexes for the status and endpoint
        // filters; and the tokens a user had before a rotation or deletion, so a client still
        // sending one is logged under its user (and told its token was revoked)
        {
            u"ALTER TABLE request_logs ADD COLUMN dialect TEXT"_s,
            u"ALTER TABLE request_logs ADD COLUMN reason TEXT"_s,
            u"ALTER TABLE request_logs ADD COLUMN suppressed BIGINT NOT NULL DEFAULT 0"_s,
            u"CREATE INDEX request_logs_status_created ON request_logs(status_code, created_at)"_s,
            u"CREATE INDEX request_logs_endpoint_created ON request_logs(endpoint, created_at)"_s,
            u"CREATE TABLE revoked_tokens (token_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL, "
            "revoked_at BIGINT NOT NULL)"_s,
        },
        // 12: routing a team can steer: the nodes a user may be sent to (node ids) and the
        // (node id, real model) pairs, both JSON arrays, empty = unrestricted; the nodes a group
        // member tries first
        {
            u"ALTER TABLE users ADD COLUMN node_ids TEXT NOT NULL DEFAULT '[]'"_s,
            u"ALTER TABLE users ADD COLUMN node_models TEXT NOT NULL DEFAULT '[]'"_s,
            u"ALTER TABLE model_group_members ADD COLUMN preferred_node_ids TEXT NOT NULL DEFAULT '[]'"_s,
        },
        // 13: Bedrock nodes: their AWS region and the model ids they serve (a JSON array), as
        // Bedrock has no model list to discover
        {
            u"ALTER TABLE nodes ADD COLUMN region TEXT NOT NULL DEFAULT ''"_s,
            u"ALTER TABLE nodes ADD COLUMN model_ids TEXT NOT NULL DEFAULT '[]'"_s,
        },
        // 14: node secrets every instance on one database can use, encrypted (SharedSecretStore):
        // the id of the key, never the key
        {
            u"CREATE TABLE shared_secrets (name TEXT PRIMARY KEY, key_id TEXT NOT NULL, "
            "sealed TEXT NOT NULL, updated_at BIGINT NOT NULL)"_s,
        },
        // 15: per-node request headers (a JSON array of [name, value] pairs), the names of the
        // secret ones (their values are in the secret store), a health-check URL and whether the
        // periodic probe may replace the model list
        {
            u"ALTER TABLE nodes ADD COLUMN headers TEXT NOT NULL DEFAULT '[]'"_s,
            u"ALTER TABLE nodes ADD COLUMN secret_header_names TEXT NOT NULL DEFAULT '[]'"_s,
            u"ALTER TABLE nodes ADD COLUMN health_check_url TEXT NOT NULL DEFAULT ''"_s,
            u"ALTER TABLE nodes ADD COLUMN auto_sync_enabled INTEGER NOT NULL DEFAULT 1"_s,
        },
    };
    return steps;
}

QAtomicInt s_instanceCounter;
QAtomicInteger<quint64> s_threadCounter;

// A per-thread tag: thread ids are reused by the OS, so they cannot name a connection.
QString threadTag()
{
    thread_local const quint64 tag = s_threadCounter.fetchAndAddRelaxed(1);
    return QString::number(tag);
}

} // namespace

std::optional<DatabaseConfig> DatabaseConfig::fromUrl(const QString &text, QString *error)
{
    DatabaseConfig config;
    if (text.startsWith("sqlite:"_L1)) {
        QString path = text.mid(7);
        if (path.startsWith("///"_L1))
            path = path.mid(2); // sqlite:///abs -> /abs
        else if (path.startsWith("//"_L1))
            path = path.mid(2);
        if (path.isEmpty()) {
            *error = u"the sqlite URL names no file (use sqlite:///path/to/file.db)"_s;
            return std::nullopt;
        }
        const QFileInfo info(path);
        if (!info.absoluteDir().exists()) {
            *error = u"the directory of %1 does not exist"_s.arg(info.absoluteFilePath());
            return std::nullopt;
        }
        config.path = info.absoluteFilePath();
        return config;
    }
    if (text.startsWith("postgresql://"_L1) || text.startsWith("postgres://"_L1)) {
        const QUrl url(text, QUrl::StrictMode);
        const QString database = url.path().mid(1);
        if (!url.isValid() || url.host().isEmpty() || database.isEmpty()) {
            *error = u"a PostgreSQL URL looks like postgresql://user:password@host:5432/dbname"_s;
            return std::nullopt;
        }
        config.kind = Kind::Postgres;
        config.host = url.host();
        config.port = url.port(5432);
        config.user = url.userName();
        config.password = url.password();
        config.database = database;
        return config;
    }
    *error = u"unsupported database URL (use sqlite:///path/to/file.db or postgresql://user:password@host:port/dbname)"_s;
    return std::nullopt;
}

DatabaseConfig DatabaseConfig::sqliteFile(const QString &path)
{
    DatabaseConfig config;
    config.path = path;
    return config;
}

QString DatabaseConfig::displayUrl() const
{
    if (kind == Kind::Sqlite)
        return u"sqlite://"_s + path;
    return u"postgresql://%1@%2:%3/%4"_s.arg(user, host).arg(port).arg(database);
}

Database::Database(DatabaseConfig config)
    : m_config(std::move(config))
    , m_prefix(u"maestro-%1-"_s.arg(s_instanceCounter.fetchAndAddRelaxed(1)))
{
}

Database::~Database()
{
    closeThreadConnection();
}

int Database::latestSchemaVersion()
{
    return int(migrations().size());
}

QSqlDatabase Database::openConnection(const QString &name, QString *error)
{
    const bool pg = isPostgres();
    QSqlDatabase db = QSqlDatabase::addDatabase(pg ? u"QPSQL"_s : u"QSQLITE"_s, name);
    if (pg) {
        db.setHostName(m_config.host);
        db.setPort(m_config.port);
        db.setUserName(m_config.user);
        db.setPassword(m_config.password);
        db.setDatabaseName(m_config.database);
        db.setConnectOptions(u"connect_timeout=5"_s);
    } else {
        db.setDatabaseName(m_config.path);
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
    }
    if (!db.open()) {
        if (error)
            *error = db.lastError().text();
        return db;
    }
    QSqlQuery query(db);
    if (pg) {
        // Keeps notices such as "relation already exists, skipping" out of the log.
        query.exec(u"SET client_min_messages TO WARNING"_s);
    } else {
        query.exec(u"PRAGMA journal_mode=WAL"_s);
        query.exec(u"PRAGMA synchronous=NORMAL"_s);
        query.exec(u"PRAGMA foreign_keys=ON"_s);
    }
    return db;
}

QSqlDatabase Database::connection()
{
    const QString name = m_prefix + threadTag();
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (db.isOpen())
            return db;
        db.open();
        return db;
    }
    return openConnection(name, nullptr);
}

void Database::closeThreadConnection()
{
    const QString name = m_prefix + threadTag();
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase::database(name, false).close();
        QSqlDatabase::removeDatabase(name);
    }
}

namespace {

bool isSqliteFile(const QString &path)
{
    return !path.isEmpty() && path != ":memory:"_L1 && !path.startsWith("file:"_L1);
}

// The SQLite file holds user names, token hashes and request logs: owner-only (0600) whatever
// the umask. SQLite gives its -wal and -shm files the mode of the database file, so creating
// that one 0600 (an empty file is a valid new database) covers them; files a looser umask made
// before are tightened.
void restrictSqliteFiles(const QString &path)
{
    const auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    if (!QFileInfo::exists(path)) {
        QFile file(path);
        if (file.open(QIODevice::WriteOnly | QIODevice::NewOnly, ownerOnly))
            file.close();
    }
    for (const QString &file : QStringList{path, path + "-wal"_L1, path + "-shm"_L1, path + "-journal"_L1}) {
        if (QFileInfo::exists(file))
            QFile::setPermissions(file, ownerOnly);
    }
}

} // namespace

bool Database::open(QString *error)
{
    const bool sqliteFile = !isPostgres() && isSqliteFile(m_config.path);
    if (sqliteFile)
        restrictSqliteFiles(m_config.path);
    const QString name = m_prefix + threadTag();
    QSqlDatabase db = openConnection(name, error);
    if (!db.isOpen()) {
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
        return false;
    }
    const bool migrated = migrate(db, error);
    // Journal files an older version left with the umask's mode.
    if (sqliteFile)
        restrictSqliteFiles(m_config.path);
    return migrated;
}

int Database::schemaVersion()
{
    QSqlQuery query(connection());
    if (query.exec(u"SELECT version FROM schema_version"_s) && query.next())
        return query.value(0).toInt();
    return 0;
}

bool Database::migrate(QSqlDatabase &db, QString *error)
{
    QSqlQuery query(db);
    // Gateways that start together on one PostgreSQL database would each create the schema and
    // all but one fail; this session lock makes the others wait, then find it up to date.
    constexpr qint64 MigrationLock = 0x6d61657374726f; // "maestro"
    if (isPostgres() && !query.exec(u"SELECT pg_advisory_lock(%1)"_s.arg(MigrationLock))) {
        *error = query.lastError().text();
        return false;
    }
    const auto unlock = qScopeGuard([&] {
        if (isPostgres())
            QSqlQuery(db).exec(u"SELECT pg_advisory_unlock(%1)"_s.arg(MigrationLock));
    });
    if (!query.exec(u"CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"_s)) {
        *error = query.lastError().text();
        return false;
    }
    int version = 0;
    if (query.exec(u"SELECT version FROM schema_version"_s) && query.next())
        version = query.value(0).toInt();
    else
        query.exec(u"INSERT INTO schema_version (version) VALUES (0)"_s);
    if (version > latestSchemaVersion()) {
        *error = u"the database has schema version %1, newer than this program knows (%2)"_s.arg(version).arg(latestSchemaVersion());
        return false;
    }
    const QString idType = isPostgres() ? u"BIGSERIAL PRIMARY KEY"_s
                                        : u"INTEGER PRIMARY KEY AUTOINCREMENT"_s;
    for (int step = version; step < latestSchemaVersion(); ++step) {
        if (!db.transaction()) {
            *error = db.lastError().text();
            return false;
        }
        for (QString statement : migrations().at(step)) {
            statement.replace("{ID}"_L1, idType);
            if (!query.exec(statement)) {
                *error = u"migration %1 failed: %2"_s.arg(step + 1).arg(query.lastError().text());
                db.rollback();
                return false;
            }
        }
        query.prepare(u"UPDATE schema_version SET version = ?"_s);
        query.addBindValue(step + 1);
        if (!query.exec() || !db.commit()) {
            *error = db.lastError().text();
            db.rollback();
            return false;
        }
    }
    return true;
}

} // namespace Maestro

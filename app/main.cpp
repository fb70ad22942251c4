// The composition root: the only place that creates the concrete classes and wires them up.

#include "instance.h"
#include "options.h"
#include "core/clock.h"
#include "core/nodeheaders.h"
#include "core/tokens.h"
#include "http/gatewaythread.h"
#include "http/tlsidentity.h"
#include "storage/database.h"
#include "storage/filesecretstore.h"
#include "storage/keychainsecretstore.h"
#include "storage/migration.h"
#include "storage/secretcipher.h"
#include "storage/sharedsecretstore.h"
#include "storage/sqlstore.h"
#include "storage/usagewriter.h"
#ifdef MAESTRO_WITH_GUI
#include "desktop.h"
#endif

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QSocketNotifier>
#include <QStandardPaths>

#include <algorithm>
#include <csignal>
#include <memory>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace Maestro;

namespace {

int s_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(s_signalPipe[1], &byte, 1);
}

void printLine(FILE *stream, const QString &line)
{
    std::fputs(qPrintable(line + u'\n'), stream);
    std::fflush(stream);
}

// Exit codes of the contract (CONTRACT.md): 2 bad flags or an unusable database or data dir,
// 3 the port or the data dir is in use by another running process.
constexpr int ExitUnusable = 2;
constexpr int ExitInUse = 3;

int fail(const QString &message, int code = ExitUnusable)
{
    printLine(stderr, u"model-maestro: "_s + message);
    return code;
}

QString defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

// The OS keychain when one answers, else a 0600 file in the data dir with a visible warning.
// MAESTRO_SECRET_STORE=file or =keychain forces the choice. Secrets a previous run had to keep in
// the file move into the keychain once it is available.
std::unique_ptr<SecretStore> openSecretStore(const QString &dataDir)
{
    const QByteArray choice = qgetenv("MAESTRO_SECRET_STORE");
    auto file = std::make_unique<FileSecretStore>(dataDir + "/secrets.json"_L1);
    QString why = u"MAESTRO_SECRET_STORE=file"_s;
#ifdef Q_OS_LINUX
    const bool keychainPossible = !qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS");
    if (!keychainPossible)
        why = u"there is no D-Bus session for the Secret Service"_s;
#else
    const bool keychainPossible = true;
#endif
    if (choice != "file" && (keychainPossible || choice == "keychain")) {
        auto keychain = std::make_unique<KeychainSecretStore>(dataDir);
        if (keychain->probe(&why)) {
            const QStringList moved = file->keys();
            bool all = true;
            for (const QString &key : moved)
                all = keychain->write(key, file->read(key).value_or(QString())) && all;
            if (!moved.isEmpty() && all)
                file->discard();
            return keychain;
        }
    }
    printLine(stderr, u"model-maestro: warning: no OS keychain answered (%1); secrets are kept in %2"_s.arg(why, file->description()));
    return file;
}

// --rotate-secret-key: re-encrypts the shared node secrets with a new key and keeps it where the
// old one came from (this instance's secret store, or prints it when MAESTRO_SECRET_KEY gave it).
int rotateSecretKey(Database *database, SecretStore *local, const QByteArray &oldKey)
{
    const QByteArray newKey = SecretCipher::generateKey();
    if (newKey.isEmpty())
        return fail(u"the system's random generator gave no new key"_s);
    const bool fromEnvironment = !qEnvironmentVariableIsEmpty("MAESTRO_SECRET_KEY");
    // Kept first: a key stored without a rotation is harmless (the old values fail loudly and the
    // rotation can be repeated with MAESTRO_SECRET_KEY set to the old key), values rotated to a
    // key that was never kept would be lost.
    const std::optional<QString> previous = local->read(SharedSecrets::KeyName);
    if (!fromEnvironment && !local->write(SharedSecrets::KeyName, SharedSecrets::encodeKey(newKey)))
        return fail(u"cannot keep the new key in %1: nothing was changed"_s.arg(local->description()));
    int count = 0;
    QString error;
    if (!SharedSecretStore::rotate(database, oldKey, newKey, &count, &error)) {
        if (!fromEnvironment && previous)
            local->write(SharedSecrets::KeyName, *previous);
        return fail(error);
    }
    printLine(stderr, u"model-maestro: re-encrypted %1 node secret(s) with the key %2 (was %3); restart every other instance on this database with it"_s
                          .arg(count)
                          .arg(QString::fromLatin1(SecretCipher::keyId(newKey)), QString::fromLatin1(SecretCipher::keyId(oldKey))));
    if (fromEnvironment) {
        printLine(stderr, u"model-maestro: MAESTRO_SECRET_KEY gave the old key; set it to the new one, printed below, on every instance"_s);
        printLine(stdout, SharedSecrets::encodeKey(newKey));
    }
    return 0;
}

// The desktop application runs unless --headless is given or there is no display to show it on.
bool wantsDesktop(int argc, char *argv[])
{
#ifdef MAESTRO_WITH_GUI
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    QString error;
    const auto options = Options::parse(arguments, &error);
    const bool display = qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY")
        || qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
    return options && options->action == Options::Action::Run && !options->headless && display;
#else
    Q_UNUSED(argc);
    Q_UNUSED(argv);
    return false;
#endif
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication::setApplicationName(u"model-maestro"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(MAESTRO_VERSION));
    [[maybe_unused]] const bool desktop = wantsDesktop(argc, argv); // never without the GUI
#ifdef MAESTRO_WITH_GUI
    const auto application = desktop ? createDesktopApplication(argc, argv)
                                     : std::make_unique<QCoreApplication>(argc, argv);
#else
    const auto application = std::make_unique<QCoreApplication>(argc, argv);
#endif
    QCoreApplication &app = *application;

    QString error;
    auto options = Options::parse(app.arguments(), &error);
#ifdef MAESTRO_WITH_GUI
    // A listen address and a TLS certificate chosen in Settings apply unless the command line
    // names its own.
    QStringList preferredArguments;
    const auto given = [&app](const QString &flag) {
        const QStringList arguments = app.arguments();
        return std::any_of(arguments.cbegin(), arguments.cend(),
                           [&flag](const QString &argument) { return argument.startsWith(flag); });
    };
    const QString preferred = desktop ? preferredListenAddress() : QString();
    if (!preferred.isEmpty() && !given(u"--listen"_s))
        preferredArguments << u"--listen"_s << preferred;
    const auto [certificate, key] = desktop ? preferredTls() : std::pair<QString, QString>();
    if (!certificate.isEmpty() && !given(u"--tls-cert"_s))
        preferredArguments << u"--tls-cert"_s << certificate << u"--tls-key"_s << key;
    if (options && !preferredArguments.isEmpty()) {
        if (auto withPreferred = Options::parse(app.arguments() + preferredArguments, &error))
            options = withPreferred;
    }
#endif
    if (!options)
        return fail(error + u" (see --help)"_s);
    if (options->action == Options::Action::Help) {
        printLine(stdout, options->helpText);
        return 0;
    }
    if (options->action == Options::Action::Version) {
        printLine(stdout, u"model-maestro "_s + QStringLiteral(MAESTRO_VERSION));
        return 0;
    }

    if (options->action == Options::Action::Migrate) {
        // Exit codes: 0 copied, 2 the target holds data already (or bad arguments), 1 otherwise.
        const DatabaseConfig from = *DatabaseConfig::fromUrl(options->migrateFrom, &error);
        const DatabaseConfig to = *DatabaseConfig::fromUrl(options->databaseUrl, &error);
        if (from.kind == DatabaseConfig::Kind::Sqlite && !QFileInfo::exists(from.path))
            return fail(u"the source database %1 does not exist"_s.arg(from.path));
        Database source(from);
        Database target(to);
        const DatabaseCopy copy = DatabaseCopy::run(source, target);
        if (copy.status == DatabaseCopy::Status::TargetNotEmpty)
            return fail(copy.message);
        if (copy.status != DatabaseCopy::Status::Copied) {
            printLine(stderr, u"model-maestro: migration failed: "_s + copy.message);
            return 1;
        }
        printLine(stdout, u"migrated %1 rows from %2 to %3"_s.arg(copy.rows).arg(from.displayUrl(), to.displayUrl()));
        return 0;
    }

    // Checked before anything is opened: a certificate the gateway cannot serve is a bad flag.
    std::shared_ptr<const TlsIdentity> tls;
    if (options->action == Options::Action::Run && !options->tlsCertificate.isEmpty()) {
        tls = TlsIdentity::load(options->tlsCertificate, options->tlsKey, &error);
        if (!tls)
            return fail(error);
    }

    const QString dataDir = QDir::cleanPath(options->dataDir.isEmpty() ? defaultDataDir() : options->dataDir);
    DatabaseConfig dbConfig;
    if (!options->databaseUrl.isEmpty())
        dbConfig = *DatabaseConfig::fromUrl(options->databaseUrl, &error);
    else
        dbConfig = DatabaseConfig::sqliteFile(dataDir + "/maestro.db"_L1);

    // Raised before any thread starts, so they all see it; logged once serving, so that a
    // refusal below stays the one line the contract promises.
    const QString openFileLimit = options->action == Options::Action::Run ? raiseOpenFileLimit() : QString();

    // The data dir holds the fallback secret file even when the database is elsewhere.
    QString warning;
    if (!prepareDataDir(dataDir, &error, &warning))
        return fail(error);
    if (!warning.isEmpty())
        printLine(stderr, u"model-maestro: warning: "_s + warning);
#ifdef MAESTRO_WITH_GUI
    // A gateway already serves this data dir (the systemd service, a headless run): the app
    // manages that one through its admin API instead of starting a second one on the same files,
    // and quitting the app leaves it running.
    if (desktop && options->action == Options::Action::Run) {
        if (const std::optional<QJsonObject> running = readRunningInstance(dataDir)) {
            const std::unique_ptr<SecretStore> secrets = openSecretStore(dataDir);
            QByteArray adminToken = qgetenv("MAESTRO_ADMIN_TOKEN").trimmed();
            if (adminToken.isEmpty())
                adminToken = secrets->read(u"admin_token"_s).value_or(QString()).toUtf8();
            const AttachedGateway attached = attachedGateway(*running, adminToken);
            printLine(stderr, u"model-maestro: the gateway at %1 (pid %2) already serves %3; the app manages it"_s
                                  .arg(attached.endpoint.url.toString())
                                  .arg(qint64(running->value("pid"_L1).toDouble()))
                                  .arg(dataDir));
            DesktopContext context;
            context.secrets = secrets.get();
            context.adminToken = adminToken;
            context.dataDir = dataDir;
            context.databaseUrl = running->value("database"_L1).toString();
            context.listenAddress = attached.endpoint.displayName();
            context.attached = attached;
            return runDesktop(context);
        }
    }
#endif
    // One gateway per data dir: two would share the SQLite file, the secret file and the logs.
    // Only the gateway takes the lock; --print-admin-token (and --help, --version, --migrate-from,
    // handled above) only read, so they work while a gateway runs.
    DataDirLock lock(dataDir);
    if (options->action == Options::Action::Run || options->action == Options::Action::RotateSecretKey) {
        bool inUse = false;
        if (!lock.tryLock(&error, &inUse))
            return fail(error, inUse ? ExitInUse : ExitUnusable);
    }
    const std::unique_ptr<SecretStore> secretStore = openSecretStore(dataDir);
    SecretStore &secrets = *secretStore;

    if (options->action == Options::Action::PrintAdminToken) {
        const auto token = secrets.read(u"admin_token"_s);
        if (!token)
            return fail(u"no admin token has been generated in %1 yet"_s.arg(dataDir));
        printLine(stdout, *token);
        return 0;
    }
    if (options->action == Options::Action::PrintSecretKey) {
        const QByteArray fromEnvironment = qgetenv("MAESTRO_SECRET_KEY").trimmed();
        const auto key = fromEnvironment.isEmpty() ? secrets.read(SharedSecrets::KeyName)
                                                   : std::optional<QString>(QString::fromLatin1(fromEnvironment));
        if (!key)
            return fail(u"no secret key has been generated in %1 yet (one is made when the gateway first starts on PostgreSQL)"_s.arg(dataDir));
        printLine(stdout, *key);
        return 0;
    }

    // Threads started from here on (the gateway's I/O threads, the usage writer) serve sockets
    // with Qt's UNIX event dispatcher, which needs fewer system calls than the GLib one. The main
    // thread and the keychain's thread keep GLib: desktop integration and libsecret need it.
    qputenv("QT_NO_THREADED_GLIB", "1");

    Database database(dbConfig);
    if (!database.open(&error))
        return fail(u"cannot use the database %1: %2"_s.arg(dbConfig.displayUrl(), error));
    SqlStore store(&database);

    // On PostgreSQL, several instances may serve one database: node secrets (API keys, secret
    // header values) live in it, encrypted, so that each instance can call every node.
    std::optional<SharedSecrets::NodeSecrets> nodeSecrets;
    SecretStore *gatewaySecrets = &secrets;
    if (database.isPostgres()) {
        nodeSecrets = SharedSecrets::open(&database, &secrets, qgetenv("MAESTRO_SECRET_KEY"), &error);
        if (!nodeSecrets)
            return fail(error);
        SharedSecretStore *shared = nodeSecrets->shared.get();
        if (options->action == Options::Action::RotateSecretKey)
            return rotateSecretKey(&database, &secrets, shared->key());
        gatewaySecrets = nodeSecrets->store.get();
        if (nodeSecrets->keyGenerated)
            printLine(stderr, u"model-maestro: generated the key %1 that encrypts node secrets in the database; other instances on it need the same key: model-maestro --print-secret-key --data-dir %2"_s
                                  .arg(QString::fromLatin1(shared->keyId()), dataDir));
        QStringList names;
        for (const Node &node : store.nodes())
            names << nodeApiKeyName(node.id) << NodeHeaders::secretRef(node.id);
        const int moved = SharedSecrets::moveToShared(&secrets, shared, names);
        if (moved > 0)
            printLine(stderr, u"model-maestro: moved %1 node secret(s) from %2 into the database, encrypted"_s.arg(moved).arg(secrets.description()));
        else if (moved < 0)
            printLine(stderr, u"model-maestro: warning: node secrets in %1 could not all be moved into the database"_s.arg(secrets.description()));
    } else if (options->action == Options::Action::RotateSecretKey) {
        return fail(u"--rotate-secret-key applies to a PostgreSQL database (--database postgresql://...): with SQLite, node secrets stay in %1"_s.arg(secrets.description()));
    }

    QByteArray adminToken = qgetenv("MAESTRO_ADMIN_TOKEN").trimmed();
    if (adminToken.isEmpty()) {
        if (const auto stored = secrets.read(u"admin_token"_s)) {
            adminToken = stored->toUtf8();
        } else {
            const QString generated = Tokens::generate();
            if (!secrets.write(u"admin_token"_s, generated))
                return fail(u"cannot store the generated admin token in %1"_s.arg(secrets.description()));
            adminToken = generated.toUtf8();
            printLine(stderr, u"model-maestro: generated an admin token; show it with: model-maestro --print-admin-token --data-dir %1"_s.arg(dataDir));
        }
    }

    Clock clock;
    UsageWriter usage(&store, &database);
    usage.start();

    GatewayConfig config;
    config.address = options->address;
    config.port = options->port;
    config.adminToken = adminToken;
    config.tls = tls;
    config.dataDir = QFileInfo(dataDir).absoluteFilePath();
    GatewayThread gateway(config, &store, gatewaySecrets, &usage, &clock, &database);
    if (!gateway.start(&error)) {
        usage.stop();
        return fail(error, gateway.addressInUse() ? ExitInUse : ExitUnusable);
    }

    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, s_signalPipe) == 0) {
        struct sigaction action = {};
        action.sa_handler = onSignal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        sigaction(SIGINT, &action, nullptr);
        sigaction(SIGTERM, &action, nullptr);
    }
    QSocketNotifier notifier(s_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [&app] {
        char byte = 0;
        [[maybe_unused]] const auto got = ::read(s_signalPipe[0], &byte, 1);
        app.quit();
    });

    const QString host = options->address.protocol() == QAbstractSocket::IPv6Protocol
        ? u"[%1]"_s.arg(options->address.toString())
        : options->address.toString();
    const QString scheme = tls ? u"https"_s : u"http"_s;
    if (tls) {
        // Public: clients that pin a self-signed certificate compare it.
        printLine(stderr, u"model-maestro: serving HTTPS; certificate %1, SHA-256 fingerprint %2"_s.arg(tls->subject, tls->fingerprintSha256));
    }
    // Before the line that says it serves: whoever waits for that line finds the file.
    {
        const GatewayShared *shared = gateway.shared();
        QJsonObject info{{u"pid"_s, double(QCoreApplication::applicationPid())},
                         {u"scheme"_s, scheme},
                         {u"address"_s, options->address.toString()},
                         {u"port"_s, gateway.port()},
                         {u"url"_s, u"%1://%2:%3"_s.arg(scheme, host).arg(gateway.port())},
                         {u"instance_id"_s, shared->instance.id},
                         {u"version"_s, QStringLiteral(MAESTRO_VERSION)},
                         {u"started_at"_s, shared->instance.startedAt.toString(Qt::ISODateWithMs)},
                         {u"database"_s, shared->instance.database},
                         {u"headless"_s, !desktop}};
        if (tls)
            info.insert(u"tls_fingerprint_sha256"_s, tls->fingerprintSha256);
        // Started by systemd (which sets INVOCATION_ID): the unit, so the app can stop and start it.
        if (qEnvironmentVariableIsSet("INVOCATION_ID")) {
            QFile cgroup(u"/proc/self/cgroup"_s);
            if (cgroup.open(QIODevice::ReadOnly)) {
                const QJsonObject unit = systemdUnitFromCgroup(QString::fromUtf8(cgroup.read(64 * 1024)));
                for (auto it = unit.begin(); it != unit.end(); ++it)
                    info.insert(it.key(), it.value());
            }
        }
        if (!writeInstanceFile(dataDir, info, &error))
            printLine(stderr, u"model-maestro: warning: "_s + error);
    }
    printLine(stdout, u"Model Maestro listening on %1://%2:%3"_s.arg(scheme, host).arg(gateway.port()));
    if (!openFileLimit.isEmpty())
        printLine(stderr, u"model-maestro: "_s + openFileLimit);

#ifdef MAESTRO_WITH_GUI
    int code = 0;
    if (desktop) {
        DesktopContext context;
        context.store = &store;
        context.gateway = &gateway;
        context.secrets = &secrets;
        context.adminToken = adminToken;
        context.dataDir = dataDir;
        context.databaseUrl = dbConfig.displayUrl();
        context.listenAddress = u"%1:%2"_s.arg(host).arg(gateway.port());
        code = runDesktop(context);
    } else {
        code = app.exec();
    }
#else
    const int code = app.exec();
#endif
    gateway.stop(5000);
    removeInstanceFile(dataDir);
    usage.stop();
    return code;
}

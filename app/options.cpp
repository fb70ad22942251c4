#include "options.h"

#include <QCommandLineParser>
#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace Maestro {

std::optional<Options> Options::parse(const QStringList &arguments, QString *error)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Model Maestro: one authenticated gateway for the Ollama and OpenAI-compatible LLM servers a team uses."_s);
    const QCommandLineOption help({u"h"_s, u"help"_s}, u"Show this help and exit."_s);
    const QCommandLineOption version({u"v"_s, u"version"_s}, u"Show the version and exit."_s);
    const QCommandLineOption listen(u"listen"_s, u"Gateway address; port 0 picks a free port (default 127.0.0.1:8000)."_s, u"HOST:PORT"_s);
    const QCommandLineOption dataDir(u"data-dir"_s, u"Where the SQLite database, logs and the fallback secret file live."_s, u"DIR"_s);
    const QCommandLineOption database(u"database"_s, u"sqlite:///path/to.db or postgresql://user:pass@host:port/dbname (default: SQLite in the data dir)."_s, u"URL"_s);
    const QCommandLineOption headless(u"headless"_s, u"Run the gateway only, without windows (works with no display)."_s);
    const QCommandLineOption printToken(u"print-admin-token"_s, u"Print the admin token kept in the secret store and exit."_s);
    const QCommandLineOption printSecretKey(u"print-secret-key"_s, u"Print the key that encrypts node secrets in a shared PostgreSQL database (give it to other instances as MAESTRO_SECRET_KEY) and exit."_s);
    const QCommandLineOption rotateSecretKey(u"rotate-secret-key"_s, u"Re-encrypt the node secrets in the PostgreSQL database given by --database with a new key, keep it, and exit."_s);
    const QCommandLineOption migrateFrom(u"migrate-from"_s, u"Copy every table of this database into the empty one given by --database, then exit."_s, u"URL"_s);
    const QCommandLineOption tlsCert(u"tls-cert"_s, u"Serve HTTPS with this PEM certificate (with --tls-key); its chain may follow it in the file."_s, u"FILE"_s);
    const QCommandLineOption tlsKey(u"tls-key"_s, u"The certificate's PEM private key, unencrypted (with --tls-cert)."_s, u"FILE"_s);
    parser.addOptions({help, version, listen, dataDir, database, headless, printToken, printSecretKey,
                       rotateSecretKey, migrateFrom, tlsCert, tlsKey});

    Options options;
    options.helpText = parser.helpText();
    if (!parser.parse(arguments)) {
        *error = parser.errorText();
        return std::nullopt;
    }
    if (!parser.positionalArguments().isEmpty()) {
        *error = u"unexpected argument: %1"_s.arg(parser.positionalArguments().first());
        return std::nullopt;
    }
    if (parser.isSet(help)) {
        options.action = Action::Help;
        return options;
    }
    if (parser.isSet(version)) {
        options.action = Action::Version;
        return options;
    }
    if (int(parser.isSet(printToken)) + int(parser.isSet(printSecretKey)) + int(parser.isSet(rotateSecretKey)) > 1) {
        *error = u"--print-admin-token, --print-secret-key and --rotate-secret-key exclude each other"_s;
        return std::nullopt;
    }
    if (parser.isSet(printToken))
        options.action = Action::PrintAdminToken;
    if (parser.isSet(printSecretKey))
        options.action = Action::PrintSecretKey;
    if (parser.isSet(rotateSecretKey))
        options.action = Action::RotateSecretKey;
    if (parser.isSet(listen)) {
        const QString value = parser.value(listen);
        const qsizetype colon = value.lastIndexOf(u':');
        bool ok = false;
        const uint port = colon > 0 ? value.mid(colon + 1).toUInt(&ok) : 0;
        QString host = colon > 0 ? value.left(colon) : QString();
        if (host.startsWith(u'[') && host.endsWith(u']'))
            host = host.mid(1, host.size() - 2);
        if (host == "localhost"_L1)
            host = u"127.0.0.1"_s;
        QHostAddress address;
        if (!ok || port > 65535 || !address.setAddress(host)) {
            *error = u"--listen expects HOST:PORT with a numeric address, e.g. 127.0.0.1:8000 or 0.0.0.0:0 (got \"%1\")"_s.arg(value);
            return std::nullopt;
        }
        options.address = address;
        options.port = quint16(port);
    }
    options.dataDir = parser.value(dataDir);
    if (parser.isSet(dataDir) && options.dataDir.isEmpty()) {
        *error = u"--data-dir needs a directory"_s;
        return std::nullopt;
    }
    options.databaseUrl = parser.value(database);
    if (parser.isSet(database)) {
        QString dbError;
        if (!DatabaseConfig::fromUrl(options.databaseUrl, &dbError)) {
            *error = u"--database: %1"_s.arg(dbError);
            return std::nullopt;
        }
    }
    if (parser.isSet(migrateFrom)) {
        options.migrateFrom = parser.value(migrateFrom);
        QString dbError;
        if (!DatabaseConfig::fromUrl(options.migrateFrom, &dbError)) {
            *error = u"--migrate-from: %1"_s.arg(dbError);
            return std::nullopt;
        }
        if (!parser.isSet(database)) {
            *error = u"--migrate-from needs --database with the (empty) target database"_s;
            return std::nullopt;
        }
        options.action = Action::Migrate;
    }
    options.tlsCertificate = parser.value(tlsCert);
    options.tlsKey = parser.value(tlsKey);
    if (parser.isSet(tlsCert) != parser.isSet(tlsKey) || (parser.isSet(tlsCert) && (options.tlsCertificate.isEmpty() || options.tlsKey.isEmpty()))) {
        *error = u"--tls-cert and --tls-key go together, each with a file"_s;
        return std::nullopt;
    }
    options.headless = parser.isSet(headless);
    return options;
}

} // namespace Maestro

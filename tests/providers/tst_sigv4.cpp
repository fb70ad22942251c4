#include "providers/aws/sigv4.h"
#include "providers/upstreamclient.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Maestro;
using namespace Qt::StringLiterals;

namespace {

QString fixtureDir()
{
    return qEnvironmentVariable("MAESTRO_SOURCE_DIR") + u"/tests/providers/fixtures/sigv4"_s;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return file.readAll();
}

// request.txt of the suite: a request line, "Name:value" lines (a line starting with blanks
// continues the value before), an empty line, the body.
SigV4::Request parseRequest(const QByteArray &text)
{
    SigV4::Request request;
    const qsizetype headEnd = text.indexOf("\n\n");
    const QByteArray head = headEnd < 0 ? text : text.left(headEnd);
    request.body = headEnd < 0 ? QByteArray() : text.mid(headEnd + 2);
    const QList<QByteArray> lines = head.split('\n');
    const QByteArray requestLine = lines.first();
    const qsizetype firstSpace = requestLine.indexOf(' ');
    const qsizetype lastSpace = requestLine.lastIndexOf(' ');
    request.method = requestLine.left(firstSpace);
    const QByteArray target = requestLine.mid(firstSpace + 1, lastSpace - firstSpace - 1);
    const qsizetype question = target.indexOf('?');
    request.path = question < 0 ? target : target.left(question);
    request.query = question < 0 ? QByteArray() : target.mid(question + 1);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        if (line.isEmpty())
            continue;
        if (line.startsWith(' ') && !request.headers.isEmpty()) {
            request.headers.last().second += ' ' + line;
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        request.headers.append({ line.left(colon), line.mid(colon + 1) });
    }
    return request;
}

QByteArray signedAuthorization(const QByteArray &signedRequest)
{
    for (const QByteArray &line : signedRequest.split('\n')) {
        if (line.startsWith("Authorization:"))
            return line.mid(int(qstrlen("Authorization:")));
    }
    return {};
}

} // namespace

class TestSigV4 : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void awsTestSuite_data();
    void awsTestSuite();
    void encodesEverythingButUnreservedCharacters();
    void signsAnUpstreamRequestWithItsHostAndPath();
    void aDifferentSecretOrBodyChangesTheSignature();
};

void TestSigV4::awsTestSuite_data()
{
    QTest::addColumn<QString>("dir");
    const QStringList cases = QDir(fixtureDir()).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QVERIFY2(cases.size() >= 20, "the SigV4 fixtures are missing");
    for (const QString &name : cases)
        QTest::newRow(qPrintable(name)) << fixtureDir() + u'/' + name;
}

// Canonical request, string to sign and Authorization as AWS's own suite expects them.
void TestSigV4::awsTestSuite()
{
    QFETCH(QString, dir);
    const QJsonObject context = QJsonDocument::fromJson(readFile(dir + u"/context.json"_s)).object();
    const QJsonObject credentialsJson = context.value("credentials"_L1).toObject();
    SigV4::Credentials credentials;
    credentials.accessKeyId = credentialsJson.value("access_key_id"_L1).toString().toUtf8();
    credentials.secretAccessKey = credentialsJson.value("secret_access_key"_L1).toString().toUtf8();
    credentials.sessionToken = credentialsJson.value("token"_L1).toString().toUtf8();
    SigV4::Options options;
    options.region = context.value("region"_L1).toString().toUtf8();
    options.service = context.value("service"_L1).toString().toUtf8();
    options.time = QDateTime::fromString(context.value("timestamp"_L1).toString(), Qt::ISODate);
    options.signBody = context.value("sign_body"_L1).toBool();
    options.normalizePath = context.value("normalize"_L1).toBool(true);
    QVERIFY(options.time.isValid());

    const SigV4::Request request = parseRequest(readFile(dir + u"/request.txt"_s));
    const SigV4::Signature signature = SigV4::sign(request, credentials, options);
    QCOMPARE(signature.canonicalRequest, readFile(dir + u"/header-canonical-request.txt"_s));
    QCOMPARE(signature.stringToSign, readFile(dir + u"/header-string-to-sign.txt"_s));
    QCOMPARE(signature.authorization,
             signedAuthorization(readFile(dir + u"/header-signed-request.txt"_s)));
}

void TestSigV4::encodesEverythingButUnreservedCharacters()
{
    QCOMPARE(SigV4::uriEncode("AZaz09-._~"), QByteArray("AZaz09-._~"));
    QCOMPARE(SigV4::uriEncode("a b/c:d"), QByteArray("a%20b%2Fc%3Ad"));
    QCOMPARE(SigV4::uriEncode("a b/c", true), QByteArray("a%20b/c"));
    QCOMPARE(SigV4::uriEncode("%3A"), QByteArray("%253A"));
    QCOMPARE(SigV4::uriEncode("\xe1\x88\xb4"), QByteArray("%E1%88%B4"));
}

// The model id's ':' is sent as %3A and signed as %253A, as AWS's SDKs do for Bedrock; the Host
// signed is the one the client sends, with a non-default port.
void TestSigV4::signsAnUpstreamRequestWithItsHostAndPath()
{
    UpstreamRequest upstream;
    upstream.url = QUrl(u"http://127.0.0.1:8123/model/anthropic.claude-v2%3A1/converse"_s);
    upstream.body = R"({"messages":[]})";
    upstream.headers.append({ QByteArray("Content-Type"), QByteArray("application/json") });
    SigV4::Credentials credentials { "AKIDEXAMPLE", "secret", "token-1" };
    SigV4::Options options { "eu-west-1", "bedrock",
                             QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5), Qt::UTC) };
    QCOMPARE(upstream.url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority),
             QByteArray("/model/anthropic.claude-v2%3A1/converse"));
    SigV4::signRequest(&upstream, credentials, options);

    QByteArray authorization, date, token;
    for (const auto &[name, value] : std::as_const(upstream.headers)) {
        if (name == "Authorization")
            authorization = value;
        else if (name == "X-Amz-Date")
            date = value;
        else if (name == "X-Amz-Security-Token")
            token = value;
    }
    QCOMPARE(date, QByteArray("20260102T030405Z"));
    QCOMPARE(token, QByteArray("token-1"));
    QVERIFY(authorization.startsWith(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/eu-west-1/bedrock/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature="));

    SigV4::Request request { "POST", "/model/anthropic.claude-v2%3A1/converse", {},
                             { { "content-type", "application/json" },
                               { "host", "127.0.0.1:8123" } },
                             upstream.body };
    const SigV4::Signature direct = SigV4::sign(request, credentials, options);
    QVERIFY(direct.canonicalRequest.startsWith(
        "POST\n/model/anthropic.claude-v2%253A1/converse\n\ncontent-type:application/json\n"
        "host:127.0.0.1:8123\n"));
    QVERIFY(authorization.endsWith(direct.signature));
}

void TestSigV4::aDifferentSecretOrBodyChangesTheSignature()
{
    SigV4::Request request { "POST", "/model/m/converse", {}, { { "Host", "h" } }, "{}" };
    SigV4::Options options { "us-east-1", "bedrock",
                             QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5), Qt::UTC) };
    const QByteArray base = SigV4::sign(request, { "AK", "one", {} }, options).signature;
    QVERIFY(base != SigV4::sign(request, { "AK", "two", {} }, options).signature);
    request.body = "{ }";
    QVERIFY(base != SigV4::sign(request, { "AK", "one", {} }, options).signature);
    QCOMPARE(base.size(), 64);
}

QTEST_GUILESS_MAIN(TestSigV4)
#include "tst_sigv4.moc"

#include "sigv4.h"
#include "providers/upstreamclient.h"

#include <QByteArrayList>
#include <QCryptographicHash>
#include <QMap>
#include <QMessageAuthenticationCode>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro::SigV4 {

namespace {

QByteArray sha256Hex(QByteArrayView bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
}

QByteArray hmac(const QByteArray &key, const QByteArray &message)
{
    return QMessageAuthenticationCode::hash(message, key, QCryptographicHash::Sha256);
}

bool isUnreserved(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
        || c == '.' || c == '_' || c == '~';
}

// The canonical URI: the wire path, normalised unless asked not to, each segment encoded once
// more (a "%3A" on the wire is "%253A" here, which is what non-S3 services compare against).
QByteArray canonicalUri(const QByteArray &path, bool normalize)
{
    if (path.isEmpty())
        return QByteArrayLiteral("/");
    if (!normalize)
        return uriEncode(path, true);
    QByteArrayList kept;
    const QByteArrayList segments = path.split('/');
    for (const QByteArray &segment : segments) {
        if (segment.isEmpty() || segment == ".")
            continue;
        if (segment == "..") {
            if (!kept.isEmpty())
                kept.removeLast();
            continue;
        }
        kept.append(uriEncode(segment));
    }
    QByteArray uri = '/' + kept.join('/');
    if (!kept.isEmpty() && path.endsWith('/'))
        uri += '/';
    return uri;
}

// Parameters decoded, then encoded AWS's way, sorted by name and then by value.
QByteArray canonicalQuery(const QByteArray &query)
{
    if (query.isEmpty())
        return {};
    QList<QPair<QByteArray, QByteArray>> parameters;
    for (const QByteArray &pair : query.split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype equals = pair.indexOf('=');
        const QByteArray name = equals < 0 ? pair : pair.left(equals);
        const QByteArray value = equals < 0 ? QByteArray() : pair.mid(equals + 1);
        parameters.append({ uriEncode(QByteArray::fromPercentEncoding(name)),
                            uriEncode(QByteArray::fromPercentEncoding(value)) });
    }
    std::sort(parameters.begin(), parameters.end());
    QByteArray canonical;
    for (const auto &[name, value] : std::as_const(parameters)) {
        if (!canonical.isEmpty())
            canonical += '&';
        canonical += name + '=' + value;
    }
    return canonical;
}

// Leading and trailing blanks dropped, every run of blanks inside made one space.
QByteArray trimmedValue(const QByteArray &value)
{
    QByteArray out;
    out.reserve(value.size());
    bool blank = false;
    for (const char c : value) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            blank = true;
            continue;
        }
        if (blank && !out.isEmpty())
            out += ' ';
        blank = false;
        out += c;
    }
    return out;
}

} // namespace

QByteArray uriEncode(QByteArrayView bytes, bool keepSlash)
{
    static constexpr char Hex[] = "0123456789ABCDEF";
    QByteArray out;
    out.reserve(bytes.size() * 3);
    for (const char c : bytes) {
        if (isUnreserved(c) || (keepSlash && c == '/')) {
            out += c;
        } else {
            const auto byte = static_cast<unsigned char>(c);
            out += '%';
            out += Hex[byte >> 4];
            out += Hex[byte & 0xf];
        }
    }
    return out;
}

Signature sign(const Request &request, const Credentials &credentials, const Options &options)
{
    Signature result;
    const QDateTime utc = options.time.toUTC();
    const QByteArray amzDate = utc.toString(u"yyyyMMdd'T'HHmmss'Z'"_s).toLatin1();
    const QByteArray date = amzDate.left(8);
    const QByteArray payloadHash = sha256Hex(request.body);

    result.addedHeaders.append({ QByteArrayLiteral("X-Amz-Date"), amzDate });
    if (!credentials.sessionToken.isEmpty())
        result.addedHeaders.append({ QByteArrayLiteral("X-Amz-Security-Token"),
                                     credentials.sessionToken });
    if (options.signBody)
        result.addedHeaders.append({ QByteArrayLiteral("X-Amz-Content-Sha256"), payloadHash });

    // Lowercased names, values of a repeated name joined with ',' in the order they came.
    QMap<QByteArray, QByteArrayList> headers;
    for (const auto &[name, value] : request.headers)
        headers[name.toLower()].append(trimmedValue(value));
    for (const auto &[name, value] : std::as_const(result.addedHeaders))
        headers[name.toLower()] = { value };

    QByteArray canonicalHeaders;
    QByteArrayList signedNames;
    for (auto it = headers.cbegin(); it != headers.cend(); ++it) {
        canonicalHeaders += it.key() + ':' + it.value().join(',') + '\n';
        signedNames.append(it.key());
    }
    const QByteArray signedHeaders = signedNames.join(';');

    result.canonicalRequest = request.method + '\n'
        + canonicalUri(request.path, options.normalizePath) + '\n' + canonicalQuery(request.query)
        + '\n' + canonicalHeaders + '\n' + signedHeaders + '\n' + payloadHash;

    const QByteArray scope = date + '/' + options.region + '/' + options.service + "/aws4_request";
    result.stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + '\n' + scope + '\n'
        + sha256Hex(result.canonicalRequest);

    const QByteArray dateKey = hmac("AWS4" + credentials.secretAccessKey, date);
    const QByteArray regionKey = hmac(dateKey, options.region);
    const QByteArray serviceKey = hmac(regionKey, options.service);
    const QByteArray signingKey = hmac(serviceKey, QByteArrayLiteral("aws4_request"));
    result.signature = hmac(signingKey, result.stringToSign).toHex();

    result.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.accessKeyId + '/' + scope
        + ", SignedHeaders=" + signedHeaders + ", Signature=" + result.signature;
    return result;
}

void signRequest(UpstreamRequest *upstream, const Credentials &credentials, const Options &options)
{
    const QUrl &url = upstream->url;
    const bool tls = url.scheme() == "https"_L1;
    // Host exactly as UpstreamClient writes it.
    QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']';
    if (url.port() >= 0 && url.port() != (tls ? 443 : 80))
        host += ':' + QByteArray::number(url.port());

    Request request;
    request.method = upstream->method;
    request.path = url.path(QUrl::FullyEncoded).toLatin1();
    request.query = url.query(QUrl::FullyEncoded).toLatin1();
    request.headers = upstream->headers;
    request.headers.append({ QByteArrayLiteral("Host"), host });
    request.body = upstream->body;

    const Signature signature = sign(request, credentials, options);
    upstream->headers.append(signature.addedHeaders);
    upstream->headers.append({ QByteArrayLiteral("Authorization"), signature.authorization });
}

} // namespace Maestro::SigV4

#pragma once

#include "providers/responseparser.h"

#include <QByteArray>
#include <QDateTime>

namespace Maestro {

struct UpstreamRequest;

// AWS Signature Version 4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html),
// header-signed, for services other than S3: each path segment is URI-encoded once more, query
// parameters sorted, headers lowercased, trimmed and sorted. Pure functions, no I/O; tested
// against AWS's published test suite (tests/providers/fixtures/sigv4/).
namespace SigV4 {

struct Credentials
{
    QByteArray accessKeyId;
    QByteArray secretAccessKey;
    QByteArray sessionToken; // empty for long-term keys
};

struct Request
{
    QByteArray method;
    QByteArray path;  // as sent on the wire (already percent-encoded), without the query
    QByteArray query; // as sent on the wire, without '?'
    HeaderList headers; // must include Host
    QByteArray body;
};

struct Options
{
    QByteArray region;
    QByteArray service;
    QDateTime time; // UTC
    bool signBody = false;     // add and sign x-amz-content-sha256
    bool normalizePath = true; // remove "." and ".." segments and empty ones (not for S3)
};

struct Signature
{
    QByteArray canonicalRequest;
    QByteArray stringToSign;
    QByteArray signature; // hex
    QByteArray authorization; // the Authorization header's value
    // The headers that the signature covers and the request must carry besides its own:
    // X-Amz-Date, X-Amz-Security-Token, X-Amz-Content-Sha256 when asked for.
    HeaderList addedHeaders;
};

// RFC 3986 percent-encoding as AWS wants it: everything but A-Z a-z 0-9 - . _ ~ (and '/' when
// `keepSlash`) as %XY with upper-case hex.
QByteArray uriEncode(QByteArrayView bytes, bool keepSlash = false);

Signature sign(const Request &request, const Credentials &credentials, const Options &options);

// Signs an upstream request in place: adds Host's value as the client will send it, the
// X-Amz-* headers and Authorization.
void signRequest(UpstreamRequest *request, const Credentials &credentials, const Options &options);

} // namespace SigV4

} // namespace Maestro

#include "apierror.h"

namespace Maestro {

int ApiError::httpStatus() const
{
    if (upstreamStatus >= 400)
        return upstreamStatus;
    switch (kind) {
    case Kind::BadRequest:
    case Kind::ContextTooLong:
        return 400;
    case Kind::Unauthorized:
        return 401;
    case Kind::Forbidden:
        return 403;
    case Kind::NotFound:
        return 404;
    case Kind::Conflict:
        return 400; // the seed (and its clients) expect 400 for "already exists"
    case Kind::PayloadTooLarge:
        return 413;
    case Kind::RateLimited:
        return 429;
    case Kind::UpstreamFailed:
        return 502;
    case Kind::Unavailable:
        return 503;
    case Kind::Internal:
        return 500;
    }
    return 500;
}

QString ApiError::logReason() const
{
    if (!reason.isEmpty())
        return reason;
    switch (kind) {
    case Kind::BadRequest:
    case Kind::Conflict:
        return QStringLiteral("bad_request");
    case Kind::ContextTooLong:
        return QStringLiteral("context_too_long");
    case Kind::Unauthorized:
        return QStringLiteral("unauthorized");
    case Kind::Forbidden:
        return QStringLiteral("forbidden");
    case Kind::NotFound:
        return QStringLiteral("not_found");
    case Kind::PayloadTooLarge:
        return QStringLiteral("body_too_large");
    case Kind::RateLimited:
        return QStringLiteral("limit");
    case Kind::UpstreamFailed:
        return QStringLiteral("upstream_failed");
    case Kind::Unavailable:
        return QStringLiteral("unavailable");
    case Kind::Internal:
        break;
    }
    return QStringLiteral("internal");
}

} // namespace Maestro

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

} // namespace Maestro

#pragma once

#include <QString>

namespace Maestro {

// A failure a client can be told about. The HTTP layer turns it into the status and error body of
// the client's dialect in one place (http/errorbody.cpp).
struct ApiError
{
    enum class Kind {
        BadRequest,       // 400 malformed JSON, missing or mistyped field
        Unauthorized,     // 401 missing or unknown token
        Forbidden,        // 403 model not allowed, admin-only endpoint
        NotFound,         // 404 unknown model, user, node...
        Conflict,         // 400/409 already exists (the seed answers 400)
        PayloadTooLarge,  // 413 body over the limit
        ContextTooLong,   // 400 the node refused the input as longer than the model's context
        RateLimited,      // 429 daily limit reached
        UpstreamFailed,   // 502 every node failed
        Unavailable,      // 503 no healthy node
        Internal,         // 500
    };

    Kind kind = Kind::Internal;
    QString message;
    int retryAfterSeconds = -1; // for RateLimited
    int upstreamStatus = 0;     // when the error is an upstream's own 4xx, relayed with its status
    // Why, in a short code for the request log (no secret, no request data): "unknown_model",
    // "limit:daily_requests"... Empty: logReason() derives one from the kind.
    QString reason;
    // A machine-readable code that says more than the kind, for dialects that carry one
    // (OpenAI's "code"); empty: the dialect's code for the kind.
    QString code;

    static ApiError badRequest(const QString &m) { return {Kind::BadRequest, m}; }
    static ApiError unauthorized(const QString &m) { return {Kind::Unauthorized, m}; }
    static ApiError forbidden(const QString &m) { return {Kind::Forbidden, m}; }
    static ApiError notFound(const QString &m) { return {Kind::NotFound, m}; }
    // A path no route serves: a 404 that is not about a model (OpenAI's "model_not_found" would
    // send clients looking for a model that was never asked for).
    static ApiError noSuchEndpoint(const QString &m)
    {
        ApiError error{Kind::NotFound, m};
        error.code = QStringLiteral("not_found");
        return error;
    }
    static ApiError conflict(const QString &m) { return {Kind::Conflict, m}; }
    static ApiError tooLarge(const QString &m) { return {Kind::PayloadTooLarge, m}; }
    static ApiError rateLimited(const QString &m, int retryAfter)
    {
        return {Kind::RateLimited, m, retryAfter};
    }
    static ApiError upstream(const QString &m) { return {Kind::UpstreamFailed, m}; }
    static ApiError unavailable(const QString &m) { return {Kind::Unavailable, m}; }
    static ApiError internal(const QString &m) { return {Kind::Internal, m}; }

    int httpStatus() const;
    QString logReason() const;
    ApiError withReason(const QString &code) const
    {
        ApiError copy = *this;
        copy.reason = code;
        return copy;
    }
};

// A value or an ApiError, for services shared by the admin API and the desktop UI.
template<typename T>
class Result
{
public:
    Result(T value) : m_value(std::move(value)), m_ok(true) {}
    Result(ApiError error) : m_error(std::move(error)), m_ok(false) {}

    bool ok() const { return m_ok; }
    const T &value() const { return m_value; }
    T &value() { return m_value; }
    const ApiError &error() const { return m_error; }

private:
    T m_value{};
    ApiError m_error;
    bool m_ok;
};

} // namespace Maestro

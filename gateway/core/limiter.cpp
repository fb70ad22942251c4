#include "limiter.h"
#include "sharedcounters.h"

#include <QMutexLocker>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace LimitRefusal {

ApiError daily(const User &user, bool requests, const QDateTime &now)
{
    const int retryAfter = int(now.secsTo(QDateTime(now.date().addDays(1), QTime(0, 0), Qt::UTC)));
    if (requests) {
        return ApiError::rateLimited(
                   u"Daily request limit reached (%1 requests per UTC day); it resets at 00:00 UTC"_s.arg(
                       user.requestLimit.value_or(0)),
                   retryAfter)
            .withReason(u"limit:daily_requests"_s);
    }
    return ApiError::rateLimited(
               u"Daily token limit reached (%1 tokens per UTC day); it resets at 00:00 UTC"_s.arg(
                   user.tokenLimit.value_or(0)),
               retryAfter)
        .withReason(u"limit:daily_tokens"_s);
}

QString userSubject(const QString &username)
{
    return u"user "_s + username;
}

QString modelSubject(const QString &pattern)
{
    return pattern.endsWith(u'*') ? u"models matching '%1'"_s.arg(pattern) : u"model '%1'"_s.arg(pattern);
}

ApiError minute(bool requests, qint64 limit, const QString &subject, qint64 waitMs)
{
    const int retryAfter = int(std::max<qint64>(1, (waitMs + 999) / 1000));
    // The request log names the limit: whose (the subjects above) and of what.
    const QString reason = u"limit:%1_%2_per_minute"_s.arg(subject.startsWith(u"user "_s) ? u"user"_s : u"model"_s,
                                                            requests ? u"requests"_s : u"tokens"_s);
    return ApiError::rateLimited(
        (requests ? u"Request limit reached: %1 %2 per minute for %3; retry in %4 s"_s
                  : u"Token limit reached: %1 %2 per minute for %3; retry in %4 s"_s)
            .arg(limit)
            .arg(requests ? (limit == 1 ? u"request"_s : u"requests"_s) : (limit == 1 ? u"token"_s : u"tokens"_s))
            .arg(subject)
            .arg(retryAfter),
        retryAfter).withReason(reason);
}

} // namespace LimitRefusal

Limiter::Limiter(const Clock *clock)
    : m_clock(clock)
    , m_day(clock->nowUtc().date())
{
}

Limiter::~Limiter()
{
    closeSharing();
}

void Limiter::closeSharing()
{
    // Unused leases go back and the last token reports are written: the other instances go on
    // counting without this one. Closing twice does nothing.
    if (m_shared)
        m_shared->close();
}

QDate Limiter::currentDay() const
{
    return m_clock->nowUtc().date();
}

void Limiter::rollOver()
{
    const QDate day = currentDay();
    if (day != m_day) {
        m_day = day;
        m_usage.clear();
    }
}

void Limiter::restore(QDate day, const QHash<qint64, Store::DayUsage> &usage)
{
    QMutexLocker lock(&m_mutex);
    rollOver();
    if (day == m_day)
        m_usage = usage;
}

void Limiter::shareCounters(Store *store, Executor executor)
{
    QMutexLocker lock(&m_mutex);
    rollOver();
    m_shared = std::make_shared<SharedCounters>(m_clock, store, std::move(executor), m_day, m_usage);
}

std::shared_ptr<SharedCounters> Limiter::shared() const
{
    QMutexLocker lock(&m_mutex);
    return m_shared;
}

bool Limiter::isShared() const
{
    return shared() != nullptr;
}

Limiter::Stats Limiter::stats() const
{
    const auto counters = shared();
    return counters ? counters->stats() : Stats{};
}

Limiter::Verdict Limiter::admitNow(const User &user, const ModelConfig *model)
{
    if (const auto counters = shared())
        return counters->admitNow(user, model);
    if (auto refused = admit(user, model))
        return {Verdict::Kind::Refused, std::move(*refused)};
    return {};
}

void Limiter::admitLater(const User &user, const ModelConfig *model, QObject *context, Decided decided)
{
    if (const auto counters = shared()) {
        counters->admitLater(user, model, context, std::move(decided));
        return;
    }
    decided(admit(user, model));
}

std::optional<ApiError> Limiter::admit(const User &user, const ModelConfig *model)
{
    const bool perMinute = hasMinuteLimit(user, model);
    const qint64 now = perMinute ? m_clock->nowUtc().toMSecsSinceEpoch() : 0;
    QMutexLocker lock(&m_mutex);
    rollOver();
    if (perMinute) {
        sweep(now);
        if (auto refused = refuseMinute(user, model, now))
            return refused;
    }
    Store::DayUsage &usage = m_usage[user.id];
    if (user.requestLimit && usage.requests >= *user.requestLimit)
        return LimitRefusal::daily(user, true, m_clock->nowUtc());
    if (user.tokenLimit && usage.tokens >= *user.tokenLimit)
        return LimitRefusal::daily(user, false, m_clock->nowUtc());
    if (perMinute)
        countMinute(user, model, now);
    ++usage.requests;
    return std::nullopt;
}

bool Limiter::hasMinuteLimit(const User &user, const ModelConfig *model)
{
    return user.requestsPerMinute || user.tokensPerMinute
        || (model && (model->requestsPerMinute || model->tokensPerMinute));
}

void Limiter::Window::prune(qint64 now)
{
    const qint64 cutoff = now - WindowMs;
    while (!admitted.empty() && admitted.front() <= cutoff)
        admitted.pop_front();
    while (!tokens.empty() && tokens.front().first <= cutoff) {
        tokenSum -= tokens.front().second;
        tokens.pop_front();
    }
}

qint64 Limiter::Window::msUntilRequestsBelow(qint64 limit, qint64 now) const
{
    const qint64 count = qint64(admitted.size());
    if (count < limit)
        return 0;
    if (limit <= 0)
        return WindowMs;
    // The entry whose leaving brings the count below the limit.
    return admitted[size_t(count - limit)] + WindowMs - now;
}

qint64 Limiter::Window::msUntilTokensBelow(qint64 limit, qint64 now) const
{
    qint64 sum = tokenSum;
    if (sum < limit)
        return 0;
    for (const auto &[at, count] : tokens) {
        sum -= count;
        if (sum < limit)
            return at + WindowMs - now;
    }
    return WindowMs;
}

std::optional<ApiError> Limiter::refuseMinute(const User &user, const ModelConfig *model, qint64 now)
{
    const auto check = [now](Window &window, std::optional<qint64> requests,
                             std::optional<qint64> tokens, const QString &subject) -> std::optional<ApiError> {
        window.prune(now);
        if (requests) {
            if (const qint64 wait = window.msUntilRequestsBelow(*requests, now); wait > 0)
                return LimitRefusal::minute(true, *requests, subject, wait);
        }
        if (tokens) {
            if (const qint64 wait = window.msUntilTokensBelow(*tokens, now); wait > 0)
                return LimitRefusal::minute(false, *tokens, subject, wait);
        }
        return std::nullopt;
    };
    if (user.requestsPerMinute || user.tokensPerMinute) {
        if (auto refused = check(m_minute.users[user.id], user.requestsPerMinute, user.tokensPerMinute,
                                 LimitRefusal::userSubject(user.username)))
            return refused;
    }
    if (model && (model->requestsPerMinute || model->tokensPerMinute)) {
        if (auto refused = check(m_minute.models[model->pattern], model->requestsPerMinute,
                                 model->tokensPerMinute, LimitRefusal::modelSubject(model->pattern)))
            return refused;
    }
    return std::nullopt;
}

void Limiter::countMinute(const User &user, const ModelConfig *model, qint64 now)
{
    const auto count = [now](Window &window) {
        window.admitted.push_back(now);
        ++window.running;
    };
    if (user.requestsPerMinute || user.tokensPerMinute)
        count(m_minute.users[user.id]);
    if (model && (model->requestsPerMinute || model->tokensPerMinute))
        count(m_minute.models[model->pattern]);
}

void Limiter::sweep(qint64 now)
{
    // Windows of users and models that went quiet are dropped, so memory follows what was
    // used in the last minute rather than everything ever seen.
    if (now - m_lastSweep < WindowMs)
        return;
    m_lastSweep = now;
    const auto sweepHash = [now](auto &windows) {
        for (auto it = windows.begin(); it != windows.end();) {
            it->prune(now);
            if (it->empty() && it->running <= 0)
                it = windows.erase(it);
            else
                ++it;
        }
    };
    sweepHash(m_minute.users);
    sweepHash(m_minute.models);
}

void Limiter::addTokens(qint64 userId, qint64 tokens, const QString &modelPattern)
{
    if (const auto counters = shared()) {
        counters->addTokens(userId, tokens, modelPattern);
        return;
    }
    QMutexLocker lock(&m_mutex);
    if (!m_minute.users.isEmpty() || !m_minute.models.isEmpty())
        endMinute(userId, tokens, modelPattern);
    if (tokens <= 0)
        return;
    rollOver();
    m_usage[userId].tokens += tokens;
}

void Limiter::endMinute(qint64 userId, qint64 tokens, const QString &modelPattern)
{
    const qint64 now = m_clock->nowUtc().toMSecsSinceEpoch();
    const auto add = [now, tokens](Window &window) {
        --window.running;
        if (tokens <= 0)
            return;
        window.prune(now);
        window.tokenSum += tokens;
        if (!window.tokens.empty() && window.tokens.back().first / 1000 == now / 1000) {
            window.tokens.back().first = now;
            window.tokens.back().second += tokens;
        } else {
            window.tokens.emplace_back(now, tokens);
        }
    };
    if (const auto it = m_minute.users.find(userId); it != m_minute.users.end())
        add(*it);
    if (modelPattern.isEmpty())
        return;
    if (const auto it = m_minute.models.find(modelPattern); it != m_minute.models.end())
        add(*it);
}

Store::DayUsage Limiter::lastMinute(qint64 userId)
{
    if (const auto counters = shared())
        return counters->lastMinute(userId);
    const qint64 now = m_clock->nowUtc().toMSecsSinceEpoch();
    QMutexLocker lock(&m_mutex);
    const auto it = m_minute.users.find(userId);
    if (it == m_minute.users.end())
        return {};
    it->prune(now);
    return {qint64(it->admitted.size()), it->tokenSum};
}

Store::DayUsage Limiter::today(qint64 userId)
{
    if (const auto counters = shared())
        return counters->today(userId);
    QMutexLocker lock(&m_mutex);
    rollOver();
    return m_usage.value(userId);
}

} // namespace Maestro

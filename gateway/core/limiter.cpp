#include "limiter.h"

#include <QLoggingCategory>
#include <QMutexLocker>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcLimiter, "maestro.limiter")

namespace Maestro {

Limiter::Limiter(const Clock *clock)
    : m_clock(clock)
    , m_day(clock->nowUtc().date())
{
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

void Limiter::shareCounters(Store *store)
{
    m_store = store;
}

ApiError Limiter::refusal(const User &user, bool requests) const
{
    const QDateTime now = m_clock->nowUtc();
    const int retryAfter = int(now.secsTo(QDateTime(now.date().addDays(1), QTime(0, 0), Qt::UTC)));
    if (requests) {
        return ApiError::rateLimited(
            u"Daily request limit reached (%1 requests per UTC day); it resets at 00:00 UTC"_s.arg(
                *user.requestLimit),
            retryAfter);
    }
    return ApiError::rateLimited(
        u"Daily token limit reached (%1 tokens per UTC day); it resets at 00:00 UTC"_s.arg(
            *user.tokenLimit),
        retryAfter);
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
    Store *store = m_store.load();
    if (store && (user.requestLimit || user.tokenLimit)) {
        // The windows are counted before the database decides, so that requests arriving
        // meanwhile see this one, and taken back if it refuses: nothing is counted then.
        if (perMinute)
            countMinute(user, model, now);
        lock.unlock();
        const Store::Admission admission =
            store->countRequest(user.id, currentDay(), user.requestLimit, user.tokenLimit);
        lock.relock();
        rollOver();
        switch (admission) {
        case Store::Admission::Admitted:
            m_counted.insert(user.id);
            ++m_usage[user.id].requests;
            return std::nullopt;
        case Store::Admission::RequestLimitReached:
        case Store::Admission::TokenLimitReached:
            if (perMinute)
                uncountMinute(user, model, now);
            return refusal(user, admission == Store::Admission::RequestLimitReached);
        case Store::Admission::Failed:
            // The database is away: limits hold per process until it is back, rather than
            // refusing everyone.
            qCWarning(lcLimiter) << "shared limit counters unavailable; counting in this process only";
            if (perMinute) {
                uncountMinute(user, model, now);
                if (auto refused = refuseMinute(user, model, now))
                    return refused;
            }
            break;
        }
    }
    Store::DayUsage &usage = m_usage[user.id];
    if (user.requestLimit && usage.requests >= *user.requestLimit)
        return refusal(user, true);
    if (user.tokenLimit && usage.tokens >= *user.tokenLimit)
        return refusal(user, false);
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

namespace {

int retrySeconds(qint64 ms)
{
    return int(std::max<qint64>(1, (ms + 999) / 1000));
}

QString modelSubject(const QString &pattern)
{
    return pattern.endsWith(u'*') ? u"models matching '%1'"_s.arg(pattern) : u"model '%1'"_s.arg(pattern);
}

ApiError minuteRefusal(bool requests, qint64 limit, const QString &subject, qint64 waitMs)
{
    const int retryAfter = retrySeconds(waitMs);
    return ApiError::rateLimited(
        (requests ? u"Request limit reached: %1 %2 per minute for %3; retry in %4 s"_s
                  : u"Token limit reached: %1 %2 per minute for %3; retry in %4 s"_s)
            .arg(limit)
            .arg(requests ? (limit == 1 ? u"request"_s : u"requests"_s) : (limit == 1 ? u"token"_s : u"tokens"_s))
            .arg(subject)
            .arg(retryAfter),
        retryAfter);
}

} // namespace

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
                return minuteRefusal(true, *requests, subject, wait);
        }
        if (tokens) {
            if (const qint64 wait = window.msUntilTokensBelow(*tokens, now); wait > 0)
                return minuteRefusal(false, *tokens, subject, wait);
        }
        return std::nullopt;
    };
    if (user.requestsPerMinute || user.tokensPerMinute) {
        if (auto refused = check(m_minute.users[user.id], user.requestsPerMinute, user.tokensPerMinute,
                                 u"user "_s + user.username))
            return refused;
    }
    if (model && (model->requestsPerMinute || model->tokensPerMinute)) {
        if (auto refused = check(m_minute.models[model->pattern], model->requestsPerMinute,
                                 model->tokensPerMinute, modelSubject(model->pattern)))
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

void Limiter::uncountMinute(const User &user, const ModelConfig *model, qint64 now)
{
    const auto uncount = [now](Window &window) {
        const auto it = std::find(window.admitted.rbegin(), window.admitted.rend(), now);
        if (it != window.admitted.rend())
            window.admitted.erase(std::next(it).base());
        --window.running;
    };
    if (user.requestsPerMinute || user.tokensPerMinute)
        uncount(m_minute.users[user.id]);
    if (model && (model->requestsPerMinute || model->tokensPerMinute))
        uncount(m_minute.models[model->pattern]);
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
    QMutexLocker lock(&m_mutex);
    if (!m_minute.users.isEmpty() || !m_minute.models.isEmpty())
        endMinute(userId, tokens, modelPattern);
    if (tokens <= 0)
        return;
    rollOver();
    m_usage[userId].tokens += tokens;
    Store *store = m_store.load();
    if (!store || !m_counted.contains(userId))
        return;
    const QDate day = m_day;
    lock.unlock();
    store->addCountedTokens(userId, day, tokens);
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
    if (Store *store = m_store.load()) {
        if (const auto counted = store->countedUsage(userId, currentDay()))
            return *counted;
    }
    QMutexLocker lock(&m_mutex);
    rollOver();
    return m_usage.value(userId);
}

} // namespace Maestro

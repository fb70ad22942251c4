#include "limiter.h"

#include <QLoggingCategory>
#include <QMutexLocker>

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

std::optional<ApiError> Limiter::admit(const User &user)
{
    Store *store = m_store.load();
    if (store && (user.requestLimit || user.tokenLimit)) {
        switch (store->countRequest(user.id, currentDay(), user.requestLimit, user.tokenLimit)) {
        case Store::Admission::Admitted: {
            QMutexLocker lock(&m_mutex);
            rollOver();
            m_counted.insert(user.id);
            ++m_usage[user.id].requests;
            return std::nullopt;
        }
        case Store::Admission::RequestLimitReached:
            return refusal(user, true);
        case Store::Admission::TokenLimitReached:
            return refusal(user, false);
        case Store::Admission::Failed:
            // The database is away: limits hold per process until it is back, rather than
            // refusing everyone.
            qCWarning(lcLimiter) << "shared limit counters unavailable; counting in this process only";
            break;
        }
    }
    QMutexLocker lock(&m_mutex);
    rollOver();
    Store::DayUsage &usage = m_usage[user.id];
    if (user.requestLimit && usage.requests >= *user.requestLimit)
        return refusal(user, true);
    if (user.tokenLimit && usage.tokens >= *user.tokenLimit)
        return refusal(user, false);
    ++usage.requests;
    return std::nullopt;
}

void Limiter::addTokens(qint64 userId, qint64 tokens)
{
    if (tokens <= 0)
        return;
    QMutexLocker lock(&m_mutex);
    rollOver();
    m_usage[userId].tokens += tokens;
    Store *store = m_store.load();
    if (!store || !m_counted.contains(userId))
        return;
    const QDate day = m_day;
    lock.unlock();
    store->addCountedTokens(userId, day, tokens);
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

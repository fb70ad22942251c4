#include "limiter.h"

#include <QMutexLocker>

using namespace Qt::StringLiterals;

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

std::optional<ApiError> Limiter::admit(const User &user)
{
    QMutexLocker lock(&m_mutex);
    rollOver();
    Store::DayUsage &usage = m_usage[user.id];
    const QDateTime now = m_clock->nowUtc();
    const int retryAfter = int(now.secsTo(QDateTime(m_day.addDays(1), QTime(0, 0), Qt::UTC)));
    if (user.requestLimit && usage.requests >= *user.requestLimit) {
        return ApiError::rateLimited(
            u"Daily request limit reached (%1 requests per UTC day); it resets at 00:00 UTC"_s.arg(
                *user.requestLimit),
            retryAfter);
    }
    if (user.tokenLimit && usage.tokens >= *user.tokenLimit) {
        return ApiError::rateLimited(
            u"Daily token limit reached (%1 tokens per UTC day); it resets at 00:00 UTC"_s.arg(
                *user.tokenLimit),
            retryAfter);
    }
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
}

Store::DayUsage Limiter::today(qint64 userId)
{
    QMutexLocker lock(&m_mutex);
    rollOver();
    return m_usage.value(userId);
}

} // namespace Maestro

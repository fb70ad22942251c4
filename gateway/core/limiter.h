#pragma once

#include "apierror.h"
#include "clock.h"
#include "entities.h"
#include "store.h"

#include <QDate>
#include <QHash>
#include <QMutex>

#include <optional>

namespace Maestro {

// Per-user daily request and token counters (UTC day), kept in memory and restored from the
// usage log on start. A request is admitted, and counted, before it goes upstream, so parallel
// requests cannot overshoot the request limit; tokens are added when the upstream reports them.
// Thread-safe.
class Limiter
{
public:
    explicit Limiter(const Clock *clock);

    void restore(QDate day, const QHash<qint64, Store::DayUsage> &usage);

    // Counts the request and returns nothing, or the 429 error to send.
    std::optional<ApiError> admit(const User &user);
    void addTokens(qint64 userId, qint64 tokens);
    Store::DayUsage today(qint64 userId);
    QDate currentDay() const;

private:
    void rollOver();

    const Clock *m_clock;
    QMutex m_mutex;
    QDate m_day;
    QHash<qint64, Store::DayUsage> m_usage;
};

} // namespace Maestro

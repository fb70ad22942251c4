#pragma once

#include "core/clock.h"

#include <QDateTime>

#include <atomic>

namespace Maestro::Test {

// A clock that moves only when the test moves it: day changes, minute windows and the deadlines
// of node jobs (probe deferral, the warmup interval) come when the test says, not after a sleep.
// The gateway's threads may read it while the test sets or advances it.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(const QDateTime &start = QDateTime::currentDateTimeUtc())
        : m_ms(start.toMSecsSinceEpoch())
    { }

    QDateTime nowUtc() const override
    {
        return QDateTime::fromMSecsSinceEpoch(m_ms.load(), Qt::UTC);
    }

    void set(const QDateTime &now) { m_ms.store(now.toMSecsSinceEpoch()); }
    void advance(qint64 ms) { m_ms.fetch_add(ms); }

private:
    std::atomic<qint64> m_ms;
};

} // namespace Maestro::Test

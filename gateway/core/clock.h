#pragma once

#include <QDateTime>

namespace Maestro {

// Wall-clock time, replaceable in tests (daily limits roll over at UTC midnight).
class Clock
{
public:
    virtual ~Clock() = default;
    virtual QDateTime nowUtc() const { return QDateTime::currentDateTimeUtc(); }
};

} // namespace Maestro

#pragma once

#include "store.h"

#include <functional>

namespace Maestro {

// Runs database work on the one thread that owns the connection used for it (the gateway's
// control thread), for code on threads that must never wait for the database, such as the I/O
// threads. The work runs later, in the order posted; whoever needs its result posts it back.
class StoreExecutor
{
public:
    virtual ~StoreExecutor() = default;

    // Thread-safe. Queues `work`, which runs on the owning thread with its Store. Returns false
    // (and drops the work) once that thread has stopped.
    virtual bool post(std::function<void(Store *)> work) = 0;
};

} // namespace Maestro

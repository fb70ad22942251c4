#pragma once

#include <QMetaObject>
#include <QObject>
#include <QThread>

#include <type_traits>
#include <utility>

// ThreadSanitizer sees the synchronisation of code it instruments and of the C library, but not
// Qt's: Debian's Qt is not built for it, and its QMutex, QSemaphore and thread exit hand-offs are
// futex calls TSan cannot see. A blocking queued call or a QThread::wait() therefore orders
// nothing in TSan's eyes, and every object handed across one looks raced. The helpers below
// make those hand-offs as visible as a mutex would be, and cost nothing without TSan.

#if defined(__SANITIZE_THREAD__)
#define MAESTRO_TSAN_HANDOFFS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MAESTRO_TSAN_HANDOFFS 1
#endif
#endif

#ifdef MAESTRO_TSAN_HANDOFFS
extern "C" void __tsan_acquire(void *addr);
extern "C" void __tsan_release(void *addr);
#endif

namespace Maestro::Handoff {

// What one thread did before release(x) happens before what another does after acquire(x).
inline void release([[maybe_unused]] const void *token)
{
#ifdef MAESTRO_TSAN_HANDOFFS
    __tsan_release(const_cast<void *>(token));
#endif
}

inline void acquire([[maybe_unused]] const void *token)
{
#ifdef MAESTRO_TSAN_HANDOFFS
    __tsan_acquire(const_cast<void *>(token));
#endif
}

// Runs `function` on the thread of `target` and waits for it (a blocking queued call): what the
// caller did before happens before the function, and the function before what follows. Never call
// it from the target's own thread (it would deadlock), nor from an I/O thread.
template <typename Function>
void invokeBlocking(QObject *target, Function &&function)
{
    int token = 0;
    release(&token);
    QMetaObject::invokeMethod(
        target,
        [&] {
            acquire(&token);
            function();
            release(&token);
        },
        Qt::BlockingQueuedConnection);
    acquire(&token);
}

// Wraps a functor connected across threads (a queued connection whose sender lives on another
// thread): Qt counts the references to a connected functor in its own code, so the thread that
// drops the last one (the sender's, when the sender is destroyed) frees it after the receiver's
// thread ran it, in an order TSan cannot see. Each call releases, the destruction acquires.
template <typename Function>
class CrossThread
{
public:
    explicit CrossThread(Function function) : m_function(std::move(function)) { release(this); }
    CrossThread(CrossThread &&other) noexcept : m_function(std::move(other.m_function)) { release(this); }
    CrossThread(const CrossThread &other) : m_function(other.m_function) { release(this); }
    CrossThread &operator=(const CrossThread &) = delete;
    CrossThread &operator=(CrossThread &&) = delete;
    ~CrossThread() { acquire(this); }

    template <typename... Args>
    auto operator()(Args &&...args) const -> decltype(std::declval<const Function &>()(std::forward<Args>(args)...))
    {
        struct Released
        {
            const void *token;
            ~Released() { release(token); }
        } released{this};
        return m_function(std::forward<Args>(args)...);
    }

private:
    Function m_function;
};

template <typename Function>
CrossThread<std::decay_t<Function>> crossThread(Function &&function)
{
    return CrossThread<std::decay_t<Function>>(std::forward<Function>(function));
}

// Ends a thread's event loop and waits for the thread; what it ran happens before the return.
// Work that must be ordered before the caller's next step runs in an invokeBlocking() call first
// (Qt's own end of a thread is not visible to TSan).
inline void quitAndWait(QThread *thread)
{
    thread->quit();
    thread->wait();
    acquire(thread);
}

// Makes the end of `thread` visible to quitAndWait(): call once, before the thread starts.
inline void watchEnd(QThread *thread)
{
    QObject::connect(thread, &QThread::finished, thread, [thread] { release(thread); },
                     Qt::DirectConnection);
}

} // namespace Maestro::Handoff

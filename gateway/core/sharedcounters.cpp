#include "sharedcounters.h"
#include "handoff.h"

#include <QCryptographicHash>
#include <QLoggingCategory>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <algorithm>
#include <cstring>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSharedLimits, "maestro.limiter")

namespace Maestro {

namespace {

// A request that found the limit reached while other instances held unused leases asks again
// this often, until they were used or given back.
constexpr qint64 WaitRetryMs = 100;
// Retries after a failed transaction: doubling from the first to the last.
constexpr qint64 FirstRetryMs = 100;
constexpr qint64 LastRetryMs = 1000;
// A lease counts as given out in the database a little longer than the instance uses it:
// the instance starts its clock before it asks, the database when it grants.
constexpr qint64 LeaseGraceMs = 250;
// Token reports no limit depends on (only the figures shown) wait at most this long for a
// transaction that would run anyway.
constexpr qint64 LazyReportMs = 1000;
// Parked requests decided in one transaction, and transactions per turn on the executor's
// thread before other work there gets its turn.
constexpr size_t MaxBatchRequests = 500;
constexpr int MaxBatchesPerTurn = 8;

ApiError unavailable()
{
    return ApiError::unavailable(
        u"The usage limits shared by the gateway's instances could not be checked in time (the database "
        "did not answer); try again shortly"_s).withReason(u"shared_limits_timeout"_s);
}

// Entries (time, count) of a window; what leaves it at time + WindowMs.
using Entries = std::vector<std::pair<qint64, qint64>>;

qint64 total(const Entries &entries)
{
    qint64 sum = 0;
    for (const auto &entry : entries)
        sum += entry.second;
    return sum;
}

// Milliseconds until the window holds less than `limit`: 0 when it does already.
qint64 msUntilBelow(Entries entries, qint64 limit, qint64 now)
{
    qint64 sum = total(entries);
    if (sum < limit)
        return 0;
    std::sort(entries.begin(), entries.end());
    for (const auto &[at, count] : entries) {
        sum -= count;
        if (sum < limit)
            return std::max<qint64>(1, at + Limiter::WindowMs - now);
    }
    return Limiter::WindowMs;
}

} // namespace

// A parked request: what it needs decided (copied, as the catalog it came from may go), and the
// way its answer reaches the thread of its receiver.
struct SharedCounters::Ticket
{
    User user;
    QString modelPattern; // empty without a model configuration that has per-minute limits
    std::optional<qint64> modelRequestsPerMinute;
    std::optional<qint64> modelTokensPerMinute;
    bool leasable = false;
    qint64 parkedAtMs = 0;  // monotonic
    qint64 notBeforeMs = 0; // monotonic; set while it waits for other instances' leases

    bool daily() const { return user.requestLimit || user.tokenLimit; }
    bool userWindow() const { return user.requestsPerMinute || user.tokensPerMinute; }
    bool modelWindow() const { return !modelPattern.isEmpty(); }

    // Posts the answer to the receiver's thread; false when the request no longer waits for
    // one (it timed out, or its receiver is gone), so that an admission can be given back.
    bool answer(std::optional<ApiError> refusal)
    {
        std::lock_guard lock(mutex);
        if (state != State::Waiting || !receiver)
            return false;
        state = State::Answered;
        // Qt's event queue orders the call after this, invisibly to ThreadSanitizer: say so.
        Handoff::release(this);
        QMetaObject::invokeMethod(
            receiver,
            [this, decided = decided, refusal = std::move(refusal)] {
                Handoff::acquire(this);
                decided(refusal);
            },
            Qt::QueuedConnection);
        return true;
    }
    // On the receiver's thread: true when no answer was posted yet, and none will be.
    bool abandon()
    {
        std::lock_guard lock(mutex);
        if (state != State::Waiting)
            return false;
        state = State::Abandoned;
        return true;
    }
    // The receiver is being destroyed: nothing may be posted to it from now on.
    void release()
    {
        std::lock_guard lock(mutex);
        receiver = nullptr;
        if (state == State::Waiting)
            state = State::Abandoned;
    }
    bool waiting()
    {
        std::lock_guard lock(mutex);
        return state == State::Waiting;
    }

    enum class State { Waiting, Answered, Abandoned };
    std::mutex mutex;
    QObject *receiver = nullptr;
    Limiter::Decided decided;
    State state = State::Waiting;
};

// One transaction: what it decides, and what it decided.
struct SharedCounters::Batch
{
    enum class Outcome { Admitted, Refused, Wait };
    struct LeaseWant
    {
        qint64 requests = 0; // beyond the parked ones
        qint64 limit = 0;
    };

    QDate day;
    qint64 startedMs = 0; // monotonic, before the database was asked
    std::vector<std::shared_ptr<Ticket>> tickets;
    QHash<qint64, Report> reports;
    QHash<Store::WindowKey, qint64> windowTokens;
    QHash<qint64, LeaseWant> leaseWants;
    QList<qint64> users;
    QList<Store::WindowKey> windows;

    std::vector<std::pair<Outcome, ApiError>> outcomes; // one per ticket
    QHash<qint64, qint64> grants;

    bool empty() const { return tickets.empty() && reports.isEmpty() && windowTokens.isEmpty(); }
};

SharedCounters::SharedCounters(const Clock *clock, Store *reader, Limiter::Executor executor, QDate day,
                               QHash<qint64, Store::DayUsage> usage)
    : m_clock(clock)
    , m_reader(reader)
    , m_executor(std::move(executor))
    , m_day(day)
    , m_usage(std::move(usage))
{
    m_monotonic.start();
}

SharedCounters::~SharedCounters()
{
    // Whichever thread drops the last reference runs this: the lock orders it after what the
    // others did under it, visibly to ThreadSanitizer too.
    std::lock_guard lock(m_mutex);
}

Store::WindowKey SharedCounters::modelWindow(const QString &pattern)
{
    const QByteArray digest = QCryptographicHash::hash(pattern.toUtf8(), QCryptographicHash::Sha256);
    quint64 id = 0;
    std::memcpy(&id, digest.constData(), sizeof id);
    return {Store::WindowKey::Model, qint64(id & 0x7fffffffffffffffULL)};
}

Limiter::Stats SharedCounters::stats() const
{
    std::unique_lock lock(m_mutex);
    return m_stats;
}

void SharedCounters::rollOver()
{
    const QDate day = m_clock->nowUtc().date();
    if (day == m_day)
        return;
    // Yesterday's leases and reports belong to a row nobody reads any more.
    m_day = day;
    m_usage.clear();
    m_counted.clear();
    m_windowUsers.clear();
    m_modelWindows.clear();
    m_leases.clear();
    m_reports.clear();
}

void SharedCounters::noteDemand(qint64 userId, qint64 now)
{
    Demand &demand = m_demand[userId];
    const qint64 second = now / 1000;
    if (second != demand.second) {
        demand.previous = second == demand.second + 1 ? demand.count : 0;
        demand.second = second;
        demand.count = 0;
    }
    ++demand.count;
}

qint64 SharedCounters::demand(qint64 userId, qint64 now) const
{
    const auto it = m_demand.constFind(userId);
    if (it == m_demand.cend())
        return 0;
    const qint64 second = now / 1000;
    if (second == it->second)
        return std::max(it->count, it->previous);
    return second == it->second + 1 ? it->count : 0;
}

bool SharedCounters::takeLease(qint64 userId, qint64 now)
{
    const auto it = m_leases.find(userId);
    if (it == m_leases.end() || it->left <= 0 || it->expiresMs <= now)
        return false;
    --it->left;
    ++it->used;
    ++m_usage[userId].requests;
    ++m_stats.leaseAdmitted;
    return true;
}

void SharedCounters::countAdmission(const Ticket &ticket)
{
    ++m_usage[ticket.user.id].requests;
    if (ticket.daily())
        m_counted.insert(ticket.user.id, ticket.user.tokenLimit.has_value());
    if (ticket.userWindow())
        m_windowUsers.insert(ticket.user.id, ticket.user.tokensPerMinute.has_value());
    if (ticket.modelWindow())
        m_modelWindows.insert(ticket.modelPattern, ticket.modelTokensPerMinute.has_value());
}

Limiter::Verdict SharedCounters::admitNow(const User &user, const ModelConfig *model)
{
    const bool modelWindow = model && (model->requestsPerMinute || model->tokensPerMinute);
    const bool userWindow = user.requestsPerMinute || user.tokensPerMinute;
    std::unique_lock lock(m_mutex);
    rollOver();
    if (!user.requestLimit && !user.tokenLimit && !userWindow && !modelWindow) {
        ++m_usage[user.id].requests;
        return {};
    }
    // Nothing to ask the database about a limit of zero.
    if (user.requestLimit && *user.requestLimit <= 0)
        return {Limiter::Verdict::Kind::Refused, LimitRefusal::daily(user, true, m_clock->nowUtc())};
    if (user.tokenLimit && *user.tokenLimit <= 0)
        return {Limiter::Verdict::Kind::Refused, LimitRefusal::daily(user, false, m_clock->nowUtc())};
    if (user.requestLimit && !user.tokenLimit && !userWindow && !modelWindow) {
        const qint64 now = monotonicMs();
        noteDemand(user.id, now);
        if (takeLease(user.id, now)) {
            const bool spent = m_leases.value(user.id).left == 0;
            lock.unlock();
            // What the lease admitted is reported at once, so that the other instances see it.
            if (spent)
                schedule();
            return {};
        }
    }
    return {Limiter::Verdict::Kind::Pending, {}};
}

void SharedCounters::admitLater(const User &user, const ModelConfig *model, QObject *context,
                                Limiter::Decided decided)
{
    auto ticket = std::make_shared<Ticket>();
    ticket->user = user;
    if (model && (model->requestsPerMinute || model->tokensPerMinute)) {
        ticket->modelPattern = model->pattern;
        ticket->modelRequestsPerMinute = model->requestsPerMinute;
        ticket->modelTokensPerMinute = model->tokensPerMinute;
    }
    ticket->leasable = user.requestLimit && !user.tokenLimit && !ticket->userWindow() && !ticket->modelWindow();
    ticket->receiver = context;
    ticket->decided = decided;
    // Ready before anyone can answer it: the receiver's end, and the bound on the wait.
    QObject::connect(context, &QObject::destroyed, context, [ticket] { ticket->release(); });
    QTimer::singleShot(Limiter::ParkTimeoutMs, Qt::PreciseTimer, context,
                       [ticket, decided = std::move(decided), weak = weak_from_this()] {
                           if (!ticket->abandon())
                               return; // the answer is on its way
                           if (const auto self = weak.lock()) {
                               std::lock_guard lock(self->m_mutex);
                               ++self->m_stats.timedOut;
                           }
                           decided(unavailable());
                       });
    {
        std::unique_lock lock(m_mutex);
        if (m_closed) {
            ticket->answer(unavailable());
            return;
        }
        ticket->parkedAtMs = monotonicMs();
        m_waiting.push_back(ticket);
        ++m_stats.parked;
    }
    schedule();
}

void SharedCounters::addTokens(qint64 userId, qint64 tokens, const QString &modelPattern)
{
    if (tokens <= 0)
        return;
    {
        std::unique_lock lock(m_mutex);
        rollOver();
        m_usage[userId].tokens += tokens;
        bool queued = false;
        bool urgent = false;
        if (const auto it = m_counted.constFind(userId); it != m_counted.cend()) {
            m_reports[userId].tokens += tokens;
            queued = true;
            urgent = urgent || *it;
        }
        if (const auto it = m_windowUsers.constFind(userId); it != m_windowUsers.cend()) {
            m_windowTokens[{Store::WindowKey::User, userId}] += tokens;
            queued = true;
            urgent = urgent || *it;
        }
        if (!modelPattern.isEmpty()) {
            m_windowTokens[modelWindow(modelPattern)] += tokens;
            queued = true;
            urgent = urgent || m_modelWindows.value(modelPattern, true);
        }
        if (!queued)
            return;
        // A token limit is only as exact as the reports that reached the database: those go at
        // once. The others are written within LazyReportMs.
        if (urgent) {
            m_urgentReports = true;
        } else if (m_lazySinceMs == 0) {
            m_lazySinceMs = std::max<qint64>(1, monotonicMs());
        } else {
            return; // a write of the reports that may wait is on its way already
        }
    }
    schedule();
}

Store::DayUsage SharedCounters::today(qint64 userId)
{
    Store::DayUsage local;
    qint64 unreported = 0;
    qint64 unreportedTokens = 0;
    QDate day;
    {
        std::unique_lock lock(m_mutex);
        rollOver();
        local = m_usage.value(userId);
        unreported = m_leases.value(userId).used + m_reports.value(userId).used;
        unreportedTokens = m_reports.value(userId).tokens;
        day = m_day;
    }
    if (m_reader) {
        if (auto counted = m_reader->countedUsage(userId, day)) {
            counted->requests += unreported; // used from this instance's lease, not written yet
            counted->tokens += unreportedTokens;
            return *counted;
        }
    }
    return local;
}

Store::DayUsage SharedCounters::lastMinute(qint64 userId)
{
    if (!m_reader)
        return {};
    return m_reader->windowUsage({Store::WindowKey::User, userId}).value_or(Store::DayUsage{});
}

void SharedCounters::schedule()
{
    {
        std::unique_lock lock(m_mutex);
        if (m_drainScheduled || m_closed)
            return;
        m_drainScheduled = true;
    }
    const bool posted = m_executor([weak = weak_from_this()](Store *store) {
        if (const auto self = weak.lock())
            self->drain(store);
    });
    if (posted)
        return;
    std::unique_lock lock(m_mutex);
    m_drainScheduled = false;
    failWaiting(u"the thread that owns the database connection has stopped"_s);
}

void SharedCounters::failWaiting(const QString &why)
{
    if (!m_waiting.empty() || !m_reports.isEmpty() || !m_windowTokens.isEmpty())
        qCWarning(lcSharedLimits).noquote() << "shared limit counters unavailable:" << why;
    for (const auto &ticket : m_waiting)
        ticket->answer(unavailable());
    m_waiting.clear();
    m_reports.clear();
    m_windowTokens.clear();
}

void SharedCounters::close()
{
    {
        std::unique_lock lock(m_mutex);
        if (m_closed)
            return;
        m_closed = true;
    }
    const bool posted = m_executor([self = shared_from_this()](Store *store) { self->flush(store); });
    if (!posted) {
        std::unique_lock lock(m_mutex);
        failWaiting(u"unused leases cannot be given back: the database thread has stopped"_s);
    }
}

bool SharedCounters::collect(Batch *batch)
{
    rollOver();
    const qint64 now = monotonicMs();
    if (m_closed || now < m_retryAtMs)
        return false;
    // Leases that ran out or expired: reported, and what is left given back.
    bool leases = false;
    for (auto it = m_leases.begin(); it != m_leases.end();) {
        if (it->left > 0 && it->expiresMs > now) {
            ++it;
            continue;
        }
        Report &report = m_reports[it.key()];
        report.used += it->used;
        report.returned += it->left;
        it = m_leases.erase(it);
        leases = true;
    }
    // Demand older than a second says nothing about the next lease.
    for (auto it = m_demand.begin(); it != m_demand.end();) {
        if (it->second < now / 1000 - 1)
            it = m_demand.erase(it);
        else
            ++it;
    }
    std::deque<std::shared_ptr<Ticket>> later;
    QHash<qint64, qint64> parkedOf;
    for (auto &ticket : m_waiting) {
        if (!ticket->waiting())
            continue; // timed out, or its request is gone
        // A lease granted since it parked admits it without asking again.
        if (ticket->leasable && takeLease(ticket->user.id, now)) {
            if (ticket->answer(std::nullopt)) {
                m_stats.parkedMs += now - ticket->parkedAtMs;
            } else {
                Lease &lease = m_leases[ticket->user.id];
                ++lease.left;
                --lease.used;
                --m_usage[ticket->user.id].requests;
            }
            continue;
        }
        if (ticket->notBeforeMs > now || batch->tickets.size() >= MaxBatchRequests) {
            later.push_back(std::move(ticket));
            continue;
        }
        if (ticket->leasable)
            ++parkedOf[ticket->user.id];
        batch->tickets.push_back(std::move(ticket));
    }
    m_waiting = std::move(later);
    // Reports only the figures need wait a little for company.
    if (batch->tickets.empty() && !leases && !m_urgentReports && m_lazySinceMs > 0 && now - m_lazySinceMs < LazyReportMs)
        return false;
    batch->reports = std::move(m_reports);
    m_reports.clear();
    batch->windowTokens = std::move(m_windowTokens);
    m_windowTokens.clear();
    m_urgentReports = false;
    m_lazySinceMs = 0;
    if (batch->empty())
        return false;

    QSet<qint64> users;
    QSet<Store::WindowKey> windows;
    for (const auto &ticket : batch->tickets) {
        if (ticket->daily())
            users.insert(ticket->user.id);
        if (ticket->userWindow())
            windows.insert({Store::WindowKey::User, ticket->user.id});
        if (ticket->modelWindow())
            windows.insert(modelWindow(ticket->modelPattern));
        // A user who keeps this instance busy gets a lease: about the requests of the last
        // second, beyond those parked now, which are decided one by one.
        if (ticket->leasable && !batch->leaseWants.contains(ticket->user.id)) {
            const qint64 wanted = demand(ticket->user.id, now) - parkedOf.value(ticket->user.id);
            if (wanted > 0)
                batch->leaseWants.insert(ticket->user.id, {wanted, *ticket->user.requestLimit});
        }
    }
    for (auto it = batch->reports.cbegin(); it != batch->reports.cend(); ++it)
        users.insert(it.key());
    batch->users = users.values();
    std::sort(batch->users.begin(), batch->users.end());
    batch->windows = windows.values();
    batch->day = m_day;
    batch->startedMs = now;
    return true;
}

Store::CounterChanges SharedCounters::decide(Batch *batch, const Store::CounterState &state) const
{
    const qint64 now = state.nowMs;
    batch->outcomes.clear();
    batch->grants.clear();
    Store::CounterChanges changes;
    QHash<qint64, Store::CounterRow> rows = state.users;
    const auto change = [&](qint64 userId, const Store::CounterRow &delta) {
        Store::CounterRow &row = rows[userId];
        Store::CounterRow &sum = changes.users[userId];
        row.requests += delta.requests;
        row.tokens += delta.tokens;
        row.leased += delta.leased;
        sum.requests += delta.requests;
        sum.tokens += delta.tokens;
        sum.leased += delta.leased;
        if (delta.leaseUntilMs > sum.leaseUntilMs)
            sum.leaseUntilMs = delta.leaseUntilMs;
    };

    // What this instance reports first: the requests parked after a report see it.
    for (auto it = batch->reports.cbegin(); it != batch->reports.cend(); ++it) {
        const Store::CounterRow &row = rows[it.key()];
        Store::CounterRow delta;
        delta.tokens = it->tokens;
        delta.leased = -std::min(it->used + it->returned, row.leased);
        delta.requests = -std::min(it->returned + it->givenBack, row.requests);
        change(it.key(), delta);
    }
    // The windows as the database holds them, with what this transaction adds.
    struct Tally
    {
        Entries requests;
        Entries tokens;
    };
    QHash<Store::WindowKey, Tally> tallies;
    for (auto it = state.windows.cbegin(); it != state.windows.cend(); ++it) {
        Tally &tally = tallies[it.key()];
        for (const Store::WindowBucket &bucket : it.value()) {
            if (bucket.requests > 0 && bucket.requestsAtMs > now - Limiter::WindowMs)
                tally.requests.emplace_back(bucket.requestsAtMs, bucket.requests);
            if (bucket.tokens > 0 && bucket.tokensAtMs > now - Limiter::WindowMs)
                tally.tokens.emplace_back(bucket.tokensAtMs, bucket.tokens);
        }
    }
    for (auto it = batch->windowTokens.cbegin(); it != batch->windowTokens.cend(); ++it) {
        changes.windows[it.key()].tokens += it.value();
        tallies[it.key()].tokens.emplace_back(now, it.value());
    }
    const auto refuseMinute = [&](const Store::WindowKey &key, std::optional<qint64> requests,
                                  std::optional<qint64> tokens, const QString &subject) -> std::optional<ApiError> {
        const Tally &tally = tallies[key];
        if (requests) {
            if (const qint64 wait = msUntilBelow(tally.requests, *requests, now); wait > 0)
                return LimitRefusal::minute(true, *requests, subject, wait);
        }
        if (tokens) {
            if (const qint64 wait = msUntilBelow(tally.tokens, *tokens, now); wait > 0)
                return LimitRefusal::minute(false, *tokens, subject, wait);
        }
        return std::nullopt;
    };

    // The parked requests, in the order they came, as the local limiter decides them.
    for (const auto &ticket : batch->tickets) {
        const User &user = ticket->user;
        const Store::WindowKey userKey{Store::WindowKey::User, user.id};
        const Store::WindowKey modelKey = ticket->modelWindow() ? modelWindow(ticket->modelPattern) : Store::WindowKey{};
        std::optional<ApiError> refused;
        if (ticket->userWindow())
            refused = refuseMinute(userKey, user.requestsPerMinute, user.tokensPerMinute,
                                   LimitRefusal::userSubject(user.username));
        if (!refused && ticket->modelWindow())
            refused = refuseMinute(modelKey, ticket->modelRequestsPerMinute, ticket->modelTokensPerMinute,
                                   LimitRefusal::modelSubject(ticket->modelPattern));
        if (!refused && ticket->daily()) {
            const Store::CounterRow &row = rows[user.id];
            if (user.requestLimit && row.requests >= *user.requestLimit) {
                // Reached only with leases other instances may still give back: ask again soon.
                if (row.leased > 0 && now < row.leaseUntilMs) {
                    batch->outcomes.emplace_back(Batch::Outcome::Wait, ApiError{});
                    continue;
                }
                refused = LimitRefusal::daily(user, true, m_clock->nowUtc());
            } else if (user.tokenLimit && row.tokens >= *user.tokenLimit) {
                refused = LimitRefusal::daily(user, false, m_clock->nowUtc());
            }
        }
        if (refused) {
            batch->outcomes.emplace_back(Batch::Outcome::Refused, std::move(*refused));
            continue;
        }
        if (ticket->daily())
            change(user.id, {1, 0, 0, 0});
        if (ticket->userWindow()) {
            changes.windows[userKey].requests += 1;
            tallies[userKey].requests.emplace_back(now, 1);
        }
        if (ticket->modelWindow()) {
            changes.windows[modelKey].requests += 1;
            tallies[modelKey].requests.emplace_back(now, 1);
        }
        batch->outcomes.emplace_back(Batch::Outcome::Admitted, ApiError{});
    }

    // Leases, from what remains once the parked requests are counted.
    for (auto it = batch->leaseWants.cbegin(); it != batch->leaseWants.cend(); ++it) {
        const qint64 remaining = it->limit - rows[it.key()].requests;
        const qint64 granted = std::min({it->requests, Limiter::LeaseMaxRequests, remaining / Limiter::LeaseShare});
        if (granted <= 0)
            continue;
        change(it.key(), {granted, 0, granted, now + Limiter::LeaseTtlMs + LeaseGraceMs});
        batch->grants.insert(it.key(), granted);
    }
    return changes;
}

void SharedCounters::settle(Batch &batch)
{
    ++m_stats.batches;
    m_failures = 0;
    m_retryAtMs = 0;
    const qint64 now = monotonicMs();
    const bool sameDay = batch.day == m_day;
    for (auto it = batch.grants.cbegin(); it != batch.grants.cend() && sameDay; ++it) {
        Lease &lease = m_leases[it.key()];
        lease.left += it.value();
        lease.expiresMs = batch.startedMs + Limiter::LeaseTtlMs;
        if (!m_counted.contains(it.key()))
            m_counted.insert(it.key(), false); // leased only without a token limit
    }
    std::deque<std::shared_ptr<Ticket>> waitAgain;
    for (size_t i = 0; i < batch.tickets.size(); ++i) {
        const std::shared_ptr<Ticket> &ticket = batch.tickets.at(i);
        if (i >= batch.outcomes.size()) { // the store committed without asking: nothing was counted
            ticket->answer(unavailable());
            continue;
        }
        auto &[outcome, refusal] = batch.outcomes.at(i);
        switch (outcome) {
        case Batch::Outcome::Admitted:
            if (ticket->answer(std::nullopt)) {
                countAdmission(*ticket);
                m_stats.parkedMs += now - ticket->parkedAtMs;
            } else if (ticket->daily() && sameDay) {
                ++m_reports[ticket->user.id].givenBack; // nobody took it
                m_counted.insert(ticket->user.id, ticket->user.tokenLimit.has_value());
                m_urgentReports = true;
            }
            break;
        case Batch::Outcome::Refused:
            if (ticket->answer(std::move(refusal)))
                m_stats.parkedMs += now - ticket->parkedAtMs;
            break;
        case Batch::Outcome::Wait:
            ticket->notBeforeMs = now + WaitRetryMs;
            waitAgain.push_back(ticket);
            break;
        }
    }
    // Ahead of those that parked meanwhile, in their order.
    m_waiting.insert(m_waiting.begin(), waitAgain.begin(), waitAgain.end());
}

void SharedCounters::requeue(Batch &batch)
{
    ++m_stats.failedBatches;
    const qint64 now = monotonicMs();
    m_waiting.insert(m_waiting.begin(), batch.tickets.begin(), batch.tickets.end());
    if (batch.day == m_day) {
        for (auto it = batch.reports.cbegin(); it != batch.reports.cend(); ++it) {
            Report &report = m_reports[it.key()];
            report.tokens += it->tokens;
            report.used += it->used;
            report.returned += it->returned;
            report.givenBack += it->givenBack;
        }
        for (auto it = batch.windowTokens.cbegin(); it != batch.windowTokens.cend(); ++it)
            m_windowTokens[it.key()] += it.value();
        m_urgentReports = m_urgentReports || !batch.reports.isEmpty() || !batch.windowTokens.isEmpty();
    }
    const qint64 delay = std::min(LastRetryMs, FirstRetryMs << std::min(m_failures, 4));
    if (m_failures++ == 0)
        qCWarning(lcSharedLimits) << "the shared limit counters could not be updated; retrying, parked requests wait"
                                  << Limiter::ParkTimeoutMs << "ms at most";
    m_retryAtMs = now + delay;
}

void SharedCounters::armTimer()
{
    const qint64 now = monotonicMs();
    qint64 due = std::numeric_limits<qint64>::max();
    for (const Lease &lease : std::as_const(m_leases))
        due = std::min(due, lease.left > 0 ? lease.expiresMs : now);
    for (const auto &ticket : m_waiting)
        due = std::min(due, std::max(ticket->notBeforeMs, m_retryAtMs));
    if (!m_reports.isEmpty() || !m_windowTokens.isEmpty())
        due = std::min(due, std::max(m_urgentReports ? now : m_lazySinceMs + LazyReportMs, m_retryAtMs));
    if (due == std::numeric_limits<qint64>::max() || (m_timerArmed && m_timerDueMs <= due))
        return;
    m_timerArmed = true;
    m_timerDueMs = due;
    // On the executor's thread, which runs an event loop (see Limiter::Executor).
    QTimer::singleShot(int(std::clamp<qint64>(due - now + 1, 0, Limiter::LeaseTtlMs + LeaseGraceMs)),
                       [weak = weak_from_this(), due] {
                           const auto self = weak.lock();
                           if (!self)
                               return;
                           {
                               std::lock_guard lock(self->m_mutex);
                               if (self->m_timerDueMs == due)
                                   self->m_timerArmed = false;
                           }
                           self->schedule();
                       });
}

void SharedCounters::drain(Store *store)
{
    for (int turn = 0; turn < MaxBatchesPerTurn; ++turn) {
        Batch batch;
        {
            std::unique_lock lock(m_mutex);
            if (!collect(&batch)) {
                m_drainScheduled = false;
                if (!m_closed)
                    armTimer();
                return;
            }
        }
        const bool ok = store->updateCounters(batch.day, batch.users, batch.windows, Limiter::BatchTimeoutMs,
                                              [&](const Store::CounterState &state) { return decide(&batch, state); });
        std::unique_lock lock(m_mutex);
        if (!ok) {
            requeue(batch);
            m_drainScheduled = false;
            armTimer();
            return;
        }
        settle(batch);
    }
    // More is waiting: queued again, behind whatever else the thread has to do.
    {
        std::unique_lock lock(m_mutex);
        m_drainScheduled = false;
    }
    schedule();
}

void SharedCounters::flush(Store *store)
{
    Batch batch;
    {
        std::unique_lock lock(m_mutex);
        rollOver();
        for (auto it = m_leases.cbegin(); it != m_leases.cend(); ++it) {
            Report &report = m_reports[it.key()];
            report.used += it->used;
            report.returned += it->left;
        }
        m_leases.clear();
        for (const auto &ticket : m_waiting)
            ticket->answer(unavailable());
        m_waiting.clear();
        batch.reports = std::move(m_reports);
        m_reports.clear();
        batch.windowTokens = std::move(m_windowTokens);
        m_windowTokens.clear();
        batch.users = batch.reports.keys();
        std::sort(batch.users.begin(), batch.users.end());
        batch.day = m_day;
    }
    if (batch.empty())
        return;
    if (!store->updateCounters(batch.day, batch.users, {}, Limiter::BatchTimeoutMs,
                               [&](const Store::CounterState &state) { return decide(&batch, state); })) {
        qCWarning(lcSharedLimits) << "could not give back the unused leases and last token reports of"
                                  << batch.users.size() << "users; they count as used until the day ends";
    }
}

} // namespace Maestro

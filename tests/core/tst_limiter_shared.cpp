// Two limiters sharing their counters through one store, as two gateway instances on one
// database: each decides on a thread of its own (the executor), the requests wait on the test's
// thread (the I/O thread) with its event loop running. The store is a small in-memory model of
// the database's transaction (one at a time, as the row locks make them), so that outages,
// locks and slow answers can be staged exactly; tst_sharedlimits runs the same against
// PostgreSQL.

#include "core/handoff.h"
#include "core/limiter.h"

#include <QElapsedTimer>
#include <QTest>
#include <QThread>

#include <memory>
#include <mutex>
#include <semaphore>

using namespace Maestro;
using namespace Qt::StringLiterals;

namespace {

// The shared part of Store, in memory; the rest of the interface is not used by the limiter.
class CounterStore final : public Store
{
public:
    enum class Mode { Works, Fails, Hangs };

    QList<User> users() override { return {}; }
    std::optional<User> user(const QString &) override { return std::nullopt; }
    QHash<QString, qint64> tokenHashes() override { return {}; }
    qint64 createUser(const QString &, const QByteArray &) override { return 0; }
    bool setTokenHash(qint64, const QByteArray &) override { return false; }
    bool deactivateUser(qint64) override { return false; }
    bool setUserModels(qint64, const QStringList &, bool) override { return false; }
    bool setUserLimits(qint64, const UserLimits &) override { return false; }
    bool setUserNodes(qint64, const QList<qint64> &, const QList<NodeModelGrant> &) override { return false; }
    QList<Node> nodes() override { return {}; }
    std::optional<Node> node(qint64) override { return std::nullopt; }
    qint64 insertNode(const Node &) override { return 0; }
    bool updateNode(const Node &) override { return false; }
    bool deleteNode(qint64) override { return false; }
    bool setNodeHealth(qint64, Health, const QString &, const QDateTime &) override { return false; }
    QList<NodeModel> nodeModels() override { return {}; }
    bool replaceNodeModels(qint64, const QList<NodeModel> &) override { return false; }
    QList<ModelMapping> mappings() override { return {}; }
    bool insertMapping(const ModelMapping &) override { return false; }
    bool updateMapping(const QString &, const ModelMapping &) override { return false; }
    bool deleteMapping(const QString &) override { return false; }
    QList<ModelGroup> groups() override { return {}; }
    qint64 insertGroup(const ModelGroup &) override { return 0; }
    bool updateGroup(const ModelGroup &) override { return false; }
    bool deleteGroup(qint64) override { return false; }
    qint64 insertMember(const GroupMember &) override { return 0; }
    bool updateMember(const GroupMember &) override { return false; }
    bool deleteMember(qint64) override { return false; }
    QList<ToolSet> toolSets() override { return {}; }
    bool saveToolSet(const ToolSet &) override { return false; }
    bool deleteToolSet(const QString &) override { return false; }
    QList<ModelConfig> modelConfigs() override { return {}; }
    bool saveModelConfig(const ModelConfig &) override { return false; }
    bool deleteModelConfig(const QString &) override { return false; }
    QList<SystemPrompt> systemPrompts() override { return {}; }
    qint64 insertSystemPrompt(const SystemPrompt &) override { return 0; }
    bool updateSystemPrompt(const SystemPrompt &) override { return false; }
    bool deleteSystemPrompt(qint64) override { return false; }
    bool setSystemPromptPriorities(const QHash<qint64, int> &) override { return false; }
    bool insertRequestLogs(const QList<RequestLogEntry> &) override { return false; }
    QList<RequestLogEntry> requestLogs(const LogQuery &, qint64 *) override { return {}; }
    QHash<qint64, DayUsage> usageOn(QDate) override { return {}; }
    QHash<qint64, NodeTraffic> nodeTraffic(QDate) override { return {}; }
    QList<ModelUsage> usageByModel(qint64, const QDateTime &, const QDateTime &) override { return {}; }
    QList<UserUsage> usageByUser(const QDateTime &, const QDateTime &) override { return {}; }
    bool insertAudit(const AuditEntry &) override { return false; }
    QList<AuditEntry> auditLogs(const LogQuery &, qint64 *) override { return {}; }
    QHash<QString, QString> settings() override { return {}; }
    bool writeSettings(const QHash<QString, std::optional<QString>> &) override { return false; }

    bool isShared() const override { return true; }

    bool updateCounters(QDate day, const QList<qint64> &users, const QList<WindowKey> &windows, int timeoutMs,
                        const std::function<CounterChanges(const CounterState &)> &decide) override
    {
        switch (mode()) {
        case Mode::Works:
            break;
        case Mode::Fails:
            return false;
        case Mode::Hangs: // a lock nobody releases: the transaction gives up after its timeout
            QThread::msleep(timeoutMs);
            return false;
        }
        std::lock_guard lock(m_mutex);
        ++m_transactions;
        CounterState state;
        state.nowMs = QDateTime::currentMSecsSinceEpoch();
        for (qint64 id : users)
            state.users.insert(id, m_rows[{id, day}]);
        for (const WindowKey &key : windows)
            state.windows.insert(key, m_windows.value(key).values());
        const CounterChanges changes = decide(state);
        for (auto it = changes.users.cbegin(); it != changes.users.cend(); ++it) {
            CounterRow &row = m_rows[{it.key(), day}];
            row.requests += it->requests;
            row.tokens += it->tokens;
            row.leased += it->leased;
            row.leaseUntilMs = std::max(row.leaseUntilMs, it->leaseUntilMs);
        }
        for (auto it = changes.windows.cbegin(); it != changes.windows.cend(); ++it) {
            WindowBucket &bucket = m_windows[it.key()][state.nowMs / 1000];
            bucket.requests += it->requests;
            bucket.tokens += it->tokens;
            if (it->requests > 0)
                bucket.requestsAtMs = state.nowMs;
            if (it->tokens > 0)
                bucket.tokensAtMs = state.nowMs;
        }
        return true;
    }

    std::optional<DayUsage> countedUsage(qint64 userId, QDate day) override
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_rows.constFind({userId, day});
        if (it == m_rows.cend())
            return std::nullopt;
        return DayUsage{it->requests - it->leased, it->tokens};
    }

    std::optional<DayUsage> windowUsage(const WindowKey &window) override
    {
        std::lock_guard lock(m_mutex);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        DayUsage usage;
        for (const WindowBucket &bucket : m_windows.value(window)) {
            if (bucket.requestsAtMs > now - Limiter::WindowMs)
                usage.requests += bucket.requests;
            if (bucket.tokensAtMs > now - Limiter::WindowMs)
                usage.tokens += bucket.tokens;
        }
        return usage;
    }

    CounterRow row(qint64 userId, QDate day)
    {
        std::lock_guard lock(m_mutex);
        return m_rows.value({userId, day});
    }
    int transactions()
    {
        std::lock_guard lock(m_mutex);
        return m_transactions;
    }
    Mode mode()
    {
        std::lock_guard lock(m_mutex);
        return m_mode;
    }
    void setMode(Mode mode)
    {
        std::lock_guard lock(m_mutex);
        m_mode = mode;
    }

private:
    std::mutex m_mutex;
    Mode m_mode = Mode::Works;
    QHash<std::pair<qint64, QDate>, CounterRow> m_rows;
    QHash<WindowKey, QMap<qint64, WindowBucket>> m_windows;
    int m_transactions = 0;
};

// A thread with an event loop that runs posted work with the store: what owns a connection in
// the gateway. stop() makes it refuse work, as a stopped writer does.
class StoreThread
{
public:
    explicit StoreThread(Store *store) : m_store(store)
    {
        Handoff::watchEnd(&m_thread);
        m_thread.start();
        m_anchor.moveToThread(&m_thread);
    }
    ~StoreThread() { stop(); }

    Limiter::Executor executor()
    {
        return [this](std::function<void(Store *)> work) {
            std::lock_guard lock(m_mutex);
            if (!m_running)
                return false;
            Handoff::release(&m_anchor);
            QMetaObject::invokeMethod(
                &m_anchor,
                [this, work = std::move(work)] {
                    Handoff::acquire(&m_anchor);
                    work(m_store);
                },
                Qt::QueuedConnection);
            return true;
        };
    }
    // Keeps the thread busy until the returned semaphore is released.
    std::shared_ptr<std::binary_semaphore> hold()
    {
        auto gate = std::make_shared<std::binary_semaphore>(0);
        QMetaObject::invokeMethod(&m_anchor, [gate] { gate->acquire(); }, Qt::QueuedConnection);
        return gate;
    }
    // Waits until everything posted so far has run.
    void sync()
    {
        Handoff::invokeBlocking(&m_anchor, [] {});
    }
    void stop()
    {
        {
            std::lock_guard lock(m_mutex);
            if (!m_running)
                return;
            m_running = false;
        }
        Handoff::invokeBlocking(&m_anchor, [this] { m_anchor.moveToThread(QCoreApplication::instance()->thread()); });
        Handoff::quitAndWait(&m_thread);
    }

private:
    Store *m_store;
    QThread m_thread;
    QObject m_anchor;
    std::mutex m_mutex;
    bool m_running = true;
};

// One gateway instance: its limiter, deciding on its own store thread. The limiter goes first,
// as in a gateway shutdown: its last reports run on the thread before it stops.
struct Instance
{
    Instance(CounterStore *store, const Clock *clock)
        : thread(store)
        , limiter(std::make_unique<Limiter>(clock))
    {
        limiter->shareCounters(store, thread.executor());
    }
    Limiter &operator*() { return *limiter; }
    Limiter *operator->() { return limiter.get(); }

    StoreThread thread;
    std::unique_ptr<Limiter> limiter;
};

// The answers to requests made through admitNow()/admitLater(), as an I/O thread sees them.
struct Answers
{
    int admitted = 0;
    int refused = 0;    // 429
    int unavailable = 0; // 503
    int pending = 0;
    QStringList messages;

    void note(const std::optional<ApiError> &refusal)
    {
        if (!refusal)
            ++admitted;
        else if (refusal->kind == ApiError::Kind::RateLimited)
            ++refused;
        else
            ++unavailable;
        if (refusal)
            messages.append(refusal->message);
    }
    int total() const { return admitted + refused + unavailable; }
};

// Asks `limiter` about one request; the answer lands in `answers` now or once the event loop
// delivered it.
void request(Limiter &limiter, const User &user, Answers &answers, QObject *context, const ModelConfig *model = nullptr)
{
    const Limiter::Verdict verdict = limiter.admitNow(user, model);
    switch (verdict.kind) {
    case Limiter::Verdict::Kind::Admitted:
        answers.note(std::nullopt);
        return;
    case Limiter::Verdict::Kind::Refused:
        answers.note(verdict.refusal);
        return;
    case Limiter::Verdict::Kind::Pending:
        break;
    }
    ++answers.pending;
    limiter.admitLater(user, model, context, [&answers](const std::optional<ApiError> &refusal) {
        --answers.pending;
        answers.note(refusal);
    });
}

User limitedUser(qint64 id, std::optional<qint64> requests, std::optional<qint64> tokens = {})
{
    User user;
    user.id = id;
    user.username = u"user%1"_s.arg(id);
    user.requestLimit = requests;
    user.tokenLimit = tokens;
    return user;
}

} // namespace

class TestLimiterShared final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requestLimitIsExactAcrossInstances_data();
    void requestLimitIsExactAcrossInstances();
    void busyUsersAreServedFromLeases();
    void anUnusedLeaseGoesBackAndTheOtherInstanceUsesIt();
    void aLeaseLeftAtShutdownGoesBack();
    void tokenLimitSeesTheOtherInstancesReports();
    void minuteWindowsAreShared();
    void outageAnswersParkedRequestsInBoundedTime_data();
    void outageAnswersParkedRequestsInBoundedTime();
    void aLeaseKeepsAdmittingWhileTheDatabaseIsAway();
    void aStoppedExecutorAnswersAtOnce();
    void leavingRequestsGiveTheirAdmissionBack();

private:
    Clock m_clock;
};

void TestLimiterShared::requestLimitIsExactAcrossInstances_data()
{
    QTest::addColumn<int>("limit");
    QTest::addColumn<int>("requests");
    QTest::newRow("limit 10, 40 requests at once over two instances: 10 admitted") << 10 << 40;
    QTest::newRow("limit 1, 20 requests at once: 1 admitted") << 1 << 20;
    QTest::newRow("limit 57, 200 requests at once: 57 admitted") << 57 << 200;
}

void TestLimiterShared::requestLimitIsExactAcrossInstances()
{
    QFETCH(int, limit);
    QFETCH(int, requests);
    CounterStore store;
    Instance a(&store, &m_clock);
    Instance b(&store, &m_clock);
    const User user = limitedUser(1, limit);
    QObject context;
    Answers answers;
    for (int i = 0; i < requests; ++i)
        request(i % 2 ? *b : *a, user, answers, &context);
    QTRY_COMPARE_WITH_TIMEOUT(answers.total(), requests, 10000);
    QCOMPARE(answers.admitted, limit);
    QCOMPARE(answers.refused, requests - limit);
    QCOMPARE(answers.unavailable, 0);
    QVERIFY(answers.messages.contains(
        u"Daily request limit reached (%1 requests per UTC day); it resets at 00:00 UTC"_s.arg(limit)));
    QCOMPARE(store.row(user.id, a->currentDay()).requests, qint64(limit));
    QCOMPARE(a->today(user.id).requests, qint64(limit));
    QCOMPARE(b->today(user.id).requests, qint64(limit));
}

void TestLimiterShared::busyUsersAreServedFromLeases()
{
    CounterStore store;
    Instance a(&store, &m_clock);
    const User user = limitedUser(2, 1000);
    QObject context;
    Answers answers;
    // One request after the other, as a busy client sends them.
    constexpr int Requests = 200;
    for (int i = 0; i < Requests; ++i) {
        request(*a, user, answers, &context);
        QTRY_COMPARE_WITH_TIMEOUT(answers.total(), i + 1, 5000);
    }
    QCOMPARE(answers.admitted, Requests);
    const Limiter::Stats stats = a->stats();
    qInfo("%d requests: %lld parked, %lld from leases, %lld transactions", Requests, stats.parked,
          stats.leaseAdmitted, stats.batches);
    QCOMPARE(stats.parked + stats.leaseAdmitted, qint64(Requests));
    QVERIFY2(stats.leaseAdmitted > Requests / 2, "most requests of a busy user need no database round trip");
    QVERIFY(stats.batches < Requests / 4);
    // What the row holds beyond the admitted requests is leased to this instance.
    const Store::CounterRow row = store.row(user.id, a->currentDay());
    QVERIFY(row.requests >= Requests);
    QVERIFY(row.requests - Requests <= Limiter::LeaseMaxRequests);
    QCOMPARE(a->today(user.id).requests, qint64(Requests));
}

void TestLimiterShared::anUnusedLeaseGoesBackAndTheOtherInstanceUsesIt()
{
    CounterStore store;
    Instance a(&store, &m_clock);
    Instance b(&store, &m_clock);
    constexpr int Limit = 40;
    const User user = limitedUser(3, Limit);
    QObject context;
    Answers onA;
    // A burst on A, one after the other, until A holds a lease it does not use up.
    int sent = 0;
    while (store.row(user.id, a->currentDay()).leased == 0 && sent < 30) {
        request(*a, user, onA, &context);
        ++sent;
        QTRY_COMPARE_WITH_TIMEOUT(onA.total(), sent, 5000);
    }
    const Store::CounterRow leasedOut = store.row(user.id, a->currentDay());
    QVERIFY2(leasedOut.leased > 0, "A holds a lease");
    QCOMPARE(onA.admitted, sent);

    // B asks for everything that is left: it is told the truth only once A's lease came back,
    // within the lease's lifetime, and then gets exactly what A did not use.
    QElapsedTimer waited;
    waited.start();
    Answers onB;
    const int rest = Limit - sent;
    for (int i = 0; i < rest + 5; ++i)
        request(*b, user, onB, &context);
    QTRY_COMPARE_WITH_TIMEOUT(onB.total(), rest + 5, 5000);
    qInfo("B was answered after %lld ms; A had %lld requests leased", waited.elapsed(), leasedOut.leased);
    QCOMPARE(onB.admitted, rest);
    QCOMPARE(onB.refused, 5);
    QVERIFY(waited.elapsed() < Limiter::LeaseTtlMs + 1000);
    const Store::CounterRow row = store.row(user.id, a->currentDay());
    QCOMPARE(row.requests, qint64(Limit));
    QCOMPARE(row.leased, qint64(0));
}

void TestLimiterShared::aLeaseLeftAtShutdownGoesBack()
{
    CounterStore store;
    Instance a(&store, &m_clock);
    const QDate day = a->currentDay();
    const User user = limitedUser(4, 1000);
    QObject context;
    Answers answers;
    int sent = 0;
    while (store.row(user.id, day).leased == 0 && sent < 30) {
        request(*a, user, answers, &context);
        ++sent;
        QTRY_COMPARE_WITH_TIMEOUT(answers.total(), sent, 5000);
    }
    QVERIFY(store.row(user.id, day).leased > 0);
    // The limiter goes (the gateway stops) while its thread still runs.
    a.limiter.reset();
    a.thread.sync();
    const Store::CounterRow row = store.row(user.id, day);
    QCOMPARE(row.leased, qint64(0));
    QCOMPARE(row.requests, qint64(sent));
}

void TestLimiterShared::tokenLimitSeesTheOtherInstancesReports()
{
    CounterStore store;
    Instance a(&store, &m_clock);
    Instance b(&store, &m_clock);
    const User user = limitedUser(5, {}, 100);
    QObject context;
    Answers answers;
    request(*a, user, answers, &context);
    QTRY_COMPARE_WITH_TIMEOUT(answers.admitted, 1, 5000);
    a->addTokens(user.id, 80);
    a.thread.sync();
    QTRY_COMPARE_WITH_TIMEOUT(store.row(user.id, a->currentDay()).tokens, qint64(80), 5000);
    // Below the limit on B too: admitted, and B's report takes the user over it.
    request(*b, user, answers, &context);
    QTRY_COMPARE_WITH_TIMEOUT(answers.admitted, 2, 5000);
    b->addTokens(user.id, 30);
    // The next request on A is decided after B's report reached the database.
    QTRY_COMPARE_WITH_TIMEOUT(store.row(user.id, a->currentDay()).tokens, qint64(110), 5000);
    request(*a, user, answers, &context);
    QTRY_COMPARE_WITH_TIMEOUT(answers.refused, 1, 5000);
    QCOMPARE(answers.messages.last(), u"Daily token limit reached (100 tokens per UTC day); it resets at 00:00 UTC"_s);
    QCOMPARE(a->today(user.id).tokens, qint64(110));
}

void TestLimiterShared::minuteWindowsAreShared()
{
    CounterStore store;
    Instance a(&store, &m_clock);
    Instance b(&store, &m_clock);
    User alice = limitedUser(6, {});
    alice.username = u"alice"_s;
    alice.requestsPerMinute = 5;
    User bob = limitedUser(7, {});
    ModelConfig model;
    model.pattern = u"qwen*"_s;
    model.requestsPerMinute = 8;
    QObject context;

    Answers answers;
    for (int i = 0; i < 20; ++i)
        request(i % 2 ? *b : *a, alice, answers, &context);
    QTRY_COMPARE_WITH_TIMEOUT(answers.total(), 20, 5000);
    QCOMPARE(answers.admitted, 5);
    QCOMPARE(answers.refused, 15);
    const QString refusal = answers.messages.first();
    QVERIFY2(refusal.startsWith(u"Request limit reached: 5 requests per minute for user alice; retry in "_s), qPrintable(refusal));
    QCOMPARE(a->lastMinute(alice.id).requests, qint64(5));
    QCOMPARE(b->lastMinute(alice.id).requests, qint64(5));
    QCOMPARE(a->today(alice.id).requests + b->today(alice.id).requests, qint64(5));

    // A model's window counts the requests of every user on every instance; bob has no limit
    // of his own and costs nothing elsewhere.
    Answers modelAnswers;
    for (int i = 0; i < 20; ++i)
        request(i % 2 ? *b : *a, bob, modelAnswers, &context, &model);
    QTRY_COMPARE_WITH_TIMEOUT(modelAnswers.total(), 20, 5000);
    QCOMPARE(modelAnswers.admitted, 8);
    QVERIFY(modelAnswers.messages.first().startsWith(u"Request limit reached: 8 requests per minute for models matching 'qwen*'"_s));
    Answers unlimited;
    request(*a, bob, unlimited, &context);
    QCOMPARE(unlimited.admitted, 1); // decided at once
    QCOMPARE(unlimited.pending, 0);
}

void TestLimiterShared::outageAnswersParkedRequestsInBoundedTime_data()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("the database refuses: 503 within the park timeout") << int(CounterStore::Mode::Fails);
    QTest::newRow("the database hangs on a lock: 503 within the park timeout") << int(CounterStore::Mode::Hangs);
}

void TestLimiterShared::outageAnswersParkedRequestsInBoundedTime()
{
    QFETCH(int, mode);
    CounterStore store;
    Instance a(&store, &m_clock);
    const User limited = limitedUser(8, 100);
    const User unlimited = limitedUser(9, {});
    QObject context;
    store.setMode(CounterStore::Mode(mode));
    Answers answers;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 5; ++i)
        request(*a, limited, answers, &context);
    // Unlimited users are not held up at all.
    Answers free;
    request(*a, unlimited, free, &context);
    QCOMPARE(free.admitted, 1);
    QTRY_COMPARE_WITH_TIMEOUT(answers.total(), 5, Limiter::ParkTimeoutMs + 2000);
    const qint64 elapsed = timer.elapsed();
    qInfo("parked requests answered 503 after %lld ms", elapsed);
    QCOMPARE(answers.unavailable, 5);
    QVERIFY(elapsed >= Limiter::ParkTimeoutMs - 50);
    QVERIFY(elapsed < Limiter::ParkTimeoutMs + 1000);
    QVERIFY(answers.messages.first().contains(u"could not be checked in time"_s));
    QCOMPARE(a->stats().timedOut, qint64(5));

    // Back again: requests are decided, and nothing was counted for those that timed out.
    store.setMode(CounterStore::Mode::Works);
    Answers after;
    request(*a, limited, after, &context);
    QTRY_COMPARE_WITH_TIMEOUT(after.admitted, 1, 5000);
    a.thread.sync();
    QCOMPARE(store.row(limited.id, a->currentDay()).requests, qint64(1));
}

void TestLimiterShared::aLeaseKeepsAdmittingWhileTheDatabaseIsAway()
{
    CounterStore store;
    Instance a(&store, &m_clock);
    const User user = limitedUser(12, 1000);
    QObject context;
    Answers answers;
    int sent = 0;
    while (store.row(user.id, a->currentDay()).leased < 2 && sent < 30) {
        request(*a, user, answers, &context);
        ++sent;
        QTRY_COMPARE_WITH_TIMEOUT(answers.total(), sent, 5000);
    }
    const qint64 leased = store.row(user.id, a->currentDay()).leased;
    QVERIFY(leased >= 2);
    store.setMode(CounterStore::Mode::Fails);
    // What the lease holds is admitted at once, without the database; then requests wait again.
    for (qint64 i = 0; i < leased; ++i)
        QVERIFY(a->admitNow(user).kind == Limiter::Verdict::Kind::Admitted);
    QVERIFY(a->admitNow(user).kind == Limiter::Verdict::Kind::Pending);
    store.setMode(CounterStore::Mode::Works);
    // The slots used while it was away are reported once it is back.
    QTRY_COMPARE_WITH_TIMEOUT(store.row(user.id, a->currentDay()).leased, qint64(0), 5000);
    QCOMPARE(store.row(user.id, a->currentDay()).requests, qint64(sent) + leased);
}

void TestLimiterShared::aStoppedExecutorAnswersAtOnce()
{
    CounterStore store;
    Instance a(&store, &m_clock);
    a.thread.stop();
    QObject context;
    Answers answers;
    QElapsedTimer timer;
    timer.start();
    request(*a, limitedUser(10, 5), answers, &context);
    QTRY_COMPARE_WITH_TIMEOUT(answers.unavailable, 1, 1000);
    QVERIFY(timer.elapsed() < 500);
}

void TestLimiterShared::leavingRequestsGiveTheirAdmissionBack()
{
    CounterStore store;
    Instance a(&store, &m_clock);
    const User user = limitedUser(11, 3);
    Answers answers;
    // The requests' contexts are gone before the decision arrives: nothing is called, and what
    // was admitted for them is given back.
    const auto busy = a.thread.hold();
    {
        QObject context;
        for (int i = 0; i < 3; ++i)
            request(*a, user, answers, &context);
    }
    busy->release();
    a.thread.sync();
    QTRY_COMPARE_WITH_TIMEOUT(store.row(user.id, a->currentDay()).requests, qint64(0), 5000);
    QCOMPARE(answers.total(), 0);
    QObject context;
    for (int i = 0; i < 4; ++i)
        request(*a, user, answers, &context);
    QTRY_COMPARE_WITH_TIMEOUT(answers.total(), 4, 5000);
    QCOMPARE(answers.admitted, 3);
}

QTEST_GUILESS_MAIN(TestLimiterShared)
#include "tst_limiter_shared.moc"

#include "core/limiter.h"

#include <QMutex>
#include <QMutexLocker>
#include <QTest>
#include <QThread>
#include <QTimeZone>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

using namespace Maestro;
using namespace Qt::StringLiterals;

namespace {

// A clock the test sets by hand.
class FakeClock final : public Clock
{
public:
    explicit FakeClock(const QDateTime &now)
        : m_now(now)
    { }
    QDateTime nowUtc() const override
    {
        QMutexLocker lock(&m_mutex);
        return m_now;
    }
    void set(const QDateTime &now)
    {
        QMutexLocker lock(&m_mutex);
        m_now = now;
    }

private:
    mutable QMutex m_mutex;
    QDateTime m_now;
};

QDateTime utc(int y, int mo, int d, int h = 12, int mi = 0, int s = 0)
{
    return QDateTime(QDate(y, mo, d), QTime(h, mi, s), Qt::UTC);
}

User makeUser(qint64 id, std::optional<qint64> requests, std::optional<qint64> tokens = {})
{
    User user;
    user.id = id;
    user.username = u"user%1"_s.arg(id);
    user.requestLimit = requests;
    user.tokenLimit = tokens;
    return user;
}

} // namespace

Q_DECLARE_METATYPE(std::optional<qint64>)

class TestLimiter final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requestLimit_data();
    void requestLimit();
    void tokenLimit_data();
    void tokenLimit();
    void usersAreCountedSeparately();
    void rollsOverAtUtcMidnight_data();
    void rollsOverAtUtcMidnight();
    void restore_data();
    void restore();
    void concurrentAdmitsNeverOvershoot();
};

void TestLimiter::requestLimit_data()
{
    QTest::addColumn<std::optional<qint64>>("limit");
    QTest::addColumn<QDateTime>("now");
    QTest::addColumn<int>("admitted");
    QTest::addColumn<int>("retryAfter");

    QTest::newRow("a limit of 3 admits exactly 3 requests")
        << std::optional<qint64>(3) << utc(2024, 5, 1, 12) << 3 << 12 * 3600;
    QTest::newRow("a limit of 1 at 23:59:30 UTC says retry after 30 seconds")
        << std::optional<qint64>(1) << utc(2024, 5, 1, 23, 59, 30) << 1 << 30;
    QTest::newRow("a limit reached at 00:00:00 UTC says retry after a full day")
        << std::optional<qint64>(2) << utc(2024, 5, 1, 0, 0, 0) << 2 << 86400;
    QTest::newRow("a limit of 0 refuses the first request")
        << std::optional<qint64>(0) << utc(2024, 5, 1, 18) << 0 << 6 * 3600;
    QTest::newRow("the last day of a leap February rolls over into March")
        << std::optional<qint64>(5) << utc(2024, 2, 29, 23) << 5 << 3600;
    QTest::newRow("no limit admits every request")
        << std::optional<qint64>() << utc(2024, 5, 1, 12) << 500 << -1;
}

void TestLimiter::requestLimit()
{
    QFETCH(std::optional<qint64>, limit);
    QFETCH(QDateTime, now);
    QFETCH(int, admitted);
    QFETCH(int, retryAfter);

    FakeClock clock(now);
    Limiter limiter(&clock);
    const User user = makeUser(1, limit);
    for (int i = 0; i < admitted; ++i) {
        const auto refused = limiter.admit(user);
        QVERIFY2(!refused, qPrintable(u"request %1 was refused"_s.arg(i + 1)));
    }
    QCOMPARE(limiter.today(user.id).requests, qint64(admitted));
    if (!limit)
        return;
    for (int i = 0; i < 3; ++i) {
        const auto refused = limiter.admit(user);
        QVERIFY(refused);
        QCOMPARE(refused->kind, ApiError::Kind::RateLimited);
        QCOMPARE(refused->httpStatus(), 429);
        QCOMPARE(refused->retryAfterSeconds, retryAfter);
        QVERIFY(refused->message.contains(u"request limit"_s));
    }
    // Refused requests are not counted.
    QCOMPARE(limiter.today(user.id).requests, qint64(admitted));
}

void TestLimiter::tokenLimit_data()
{
    QTest::addColumn<qint64>("limit");
    QTest::addColumn<QList<qint64>>("reported"); // tokens reported after each admitted request
    QTest::addColumn<bool>("nextAdmitted");

    QTest::newRow("tokens below the limit still admit")
        << qint64(100) << QList<qint64> { 40, 59 } << true;
    QTest::newRow("reaching the token limit exactly refuses the next request")
        << qint64(100) << QList<qint64> { 40, 60 } << false;
    QTest::newRow("one request overshooting the token limit refuses the next")
        << qint64(100) << QList<qint64> { 250 } << false;
    QTest::newRow("zero and negative token reports change nothing")
        << qint64(10) << QList<qint64> { 0, -50, 9 } << true;
    QTest::newRow("a token limit of 0 refuses the first request")
        << qint64(0) << QList<qint64> {} << false;
}

void TestLimiter::tokenLimit()
{
    QFETCH(qint64, limit);
    QFETCH(QList<qint64>, reported);
    QFETCH(bool, nextAdmitted);

    FakeClock clock(utc(2024, 5, 1, 22, 0, 0));
    Limiter limiter(&clock);
    const User user = makeUser(7, {}, limit);
    qint64 sum = 0;
    for (qint64 tokens : std::as_const(reported)) {
        QVERIFY(!limiter.admit(user));
        limiter.addTokens(user.id, tokens);
        sum += std::max<qint64>(tokens, 0);
    }
    QCOMPARE(limiter.today(user.id).tokens, sum);
    const auto refused = limiter.admit(user);
    QCOMPARE(!refused, nextAdmitted);
    if (refused) {
        QCOMPARE(refused->kind, ApiError::Kind::RateLimited);
        QCOMPARE(refused->retryAfterSeconds, 2 * 3600);
        QVERIFY(refused->message.contains(u"token limit"_s));
    }
}

void TestLimiter::usersAreCountedSeparately()
{
    FakeClock clock(utc(2024, 5, 1));
    Limiter limiter(&clock);
    const User alice = makeUser(1, 2);
    const User bob = makeUser(2, 2);
    QVERIFY(!limiter.admit(alice));
    QVERIFY(!limiter.admit(alice));
    QVERIFY(limiter.admit(alice));
    QVERIFY(!limiter.admit(bob));
    QVERIFY(!limiter.admit(bob));
    QVERIFY(limiter.admit(bob));
    limiter.addTokens(alice.id, 10);
    QCOMPARE(limiter.today(bob.id).tokens, qint64(0));
}

void TestLimiter::rollsOverAtUtcMidnight_data()
{
    QTest::addColumn<QDateTime>("first");
    QTest::addColumn<QDateTime>("later");
    QTest::addColumn<bool>("reset");

    QTest::newRow("one second before midnight the day has not ended")
        << utc(2024, 5, 1, 23, 59, 58) << utc(2024, 5, 1, 23, 59, 59) << false;
    QTest::newRow("at 00:00:00 UTC the counters start again")
        << utc(2024, 5, 1, 23, 59, 59) << utc(2024, 5, 2, 0, 0, 0) << true;
    QTest::newRow("after several idle days the counters start again")
        << utc(2024, 5, 1, 8) << utc(2024, 5, 9, 8) << true;
    QTest::newRow("the new year is a new day")
        << utc(2023, 12, 31, 23, 30) << utc(2024, 1, 1, 0, 10) << true;
    QTest::newRow("midnight in a UTC+2 zone is not a UTC day boundary")
        << QDateTime(QDate(2024, 5, 1), QTime(21, 30), Qt::UTC)
        << QDateTime(QDate(2024, 5, 2), QTime(0, 30), QTimeZone(2 * 3600)).toUTC() << false;
}

void TestLimiter::rollsOverAtUtcMidnight()
{
    QFETCH(QDateTime, first);
    QFETCH(QDateTime, later);
    QFETCH(bool, reset);

    FakeClock clock(first);
    Limiter limiter(&clock);
    const User user = makeUser(3, 2, 1000);
    QVERIFY(!limiter.admit(user));
    QVERIFY(!limiter.admit(user));
    limiter.addTokens(user.id, 700);
    QVERIFY(limiter.admit(user));

    clock.set(later);
    QCOMPARE(limiter.currentDay(), later.date());
    const auto usage = limiter.today(user.id);
    QCOMPARE(usage.requests, qint64(reset ? 0 : 2));
    QCOMPARE(usage.tokens, qint64(reset ? 0 : 700));
    const auto refused = limiter.admit(user);
    QCOMPARE(!refused, reset);
    if (reset)
        QCOMPARE(limiter.today(user.id).requests, qint64(1));
}

void TestLimiter::restore_data()
{
    QTest::addColumn<QDate>("day");
    QTest::addColumn<qint64>("requests");
    QTest::addColumn<qint64>("tokens");
    QTest::addColumn<int>("admittedAfterRestore");

    // The user's limits: 5 requests and 1000 tokens a day; today is 2024-05-01.
    QTest::newRow("today's usage counts against today's limit")
        << QDate(2024, 5, 1) << qint64(3) << qint64(10) << 2;
    QTest::newRow("a fully used request limit admits nothing more")
        << QDate(2024, 5, 1) << qint64(5) << qint64(0) << 0;
    QTest::newRow("a fully used token limit admits nothing more")
        << QDate(2024, 5, 1) << qint64(1) << qint64(1000) << 0;
    QTest::newRow("yesterday's usage is ignored")
        << QDate(2024, 4, 30) << qint64(5) << qint64(5000) << 5;
}

void TestLimiter::restore()
{
    QFETCH(QDate, day);
    QFETCH(qint64, requests);
    QFETCH(qint64, tokens);
    QFETCH(int, admittedAfterRestore);

    FakeClock clock(utc(2024, 5, 1, 15));
    Limiter limiter(&clock);
    const User user = makeUser(9, 5, 1000);
    QHash<qint64, Store::DayUsage> usage;
    usage.insert(user.id, { requests, tokens });
    usage.insert(10, { 1, 1 });
    limiter.restore(day, usage);

    const bool today = day == QDate(2024, 5, 1);
    QCOMPARE(limiter.today(user.id).requests, today ? requests : qint64(0));
    QCOMPARE(limiter.today(user.id).tokens, today ? tokens : qint64(0));
    int admitted = 0;
    while (!limiter.admit(user) && admitted < 100)
        ++admitted;
    QCOMPARE(admitted, admittedAfterRestore);
}

void TestLimiter::concurrentAdmitsNeverOvershoot()
{
    FakeClock clock(utc(2024, 5, 1));
    Limiter limiter(&clock);
    const User user = makeUser(1, 10);
    constexpr int threadCount = 50;

    std::mutex gateMutex;
    std::condition_variable gate;
    bool open = false;
    std::atomic<int> admitted { 0 };
    std::atomic<int> refused { 0 };
    std::vector<std::unique_ptr<QThread>> threads;
    for (int i = 0; i < threadCount; ++i) {
        threads.emplace_back(QThread::create([&] {
            {
                std::unique_lock lock(gateMutex);
                gate.wait(lock, [&] { return open; });
            }
            if (limiter.admit(user))
                ++refused;
            else
                ++admitted;
        }));
        threads.back()->start();
    }
    {
        std::lock_guard lock(gateMutex);
        open = true;
    }
    gate.notify_all();
    for (auto &thread : threads)
        QVERIFY(thread->wait(10000));

    QCOMPARE(admitted.load(), 10);
    QCOMPARE(refused.load(), threadCount - 10);
    QCOMPARE(limiter.today(user.id).requests, qint64(10));
}

QTEST_GUILESS_MAIN(TestLimiter)
#include "tst_limiter.moc"

#include "core/limiter.h"
#include "manualclock.h"

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
using FakeClock = Maestro::Test::ManualClock;

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
Q_DECLARE_METATYPE(Maestro::User)
Q_DECLARE_METATYPE(Maestro::ModelConfig)

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
    void requestsPerMinute_data();
    void requestsPerMinute();
    void tokensPerMinute_data();
    void tokensPerMinute();
    void modelLimitIsSharedByAllUsers();
    void refusalCountsNothing_data();
    void refusalCountsNothing();
    void windowsForgetWhatLeftThem();
    void concurrentAdmitsNeverOvershootAMinuteLimit();
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

namespace {

User minuteUser(qint64 id, std::optional<qint64> requestsPerMinute, std::optional<qint64> tokensPerMinute = {})
{
    User user = makeUser(id, {});
    user.username = id == 1 ? u"alice"_s : u"bob"_s;
    user.requestsPerMinute = requestsPerMinute;
    user.tokensPerMinute = tokensPerMinute;
    return user;
}

ModelConfig minuteModel(const QString &pattern, std::optional<qint64> requestsPerMinute,
                        std::optional<qint64> tokensPerMinute = {})
{
    ModelConfig config;
    config.pattern = pattern;
    config.requestsPerMinute = requestsPerMinute;
    config.tokensPerMinute = tokensPerMinute;
    return config;
}

} // namespace

void TestLimiter::requestsPerMinute_data()
{
    QTest::addColumn<qint64>("limit");
    QTest::addColumn<QList<int>>("at");        // ms after 12:00:59.000 UTC, one request each
    QTest::addColumn<QString>("outcome");      // A = admitted, R = refused
    QTest::addColumn<QList<int>>("retryAfter"); // of each refusal, in seconds

    QTest::newRow("a burst gets exactly the limit, then waits the whole minute")
        << qint64(3) << QList<int> { 0, 0, 0, 0, 0 } << u"AAARR"_s << QList<int> { 60, 60 };
    QTest::newRow("a minute boundary in between does not let twice the limit through")
        << qint64(2) << QList<int> { 0, 500, 1500, 2000 } << u"AARR"_s << QList<int> { 59, 58 };
    QTest::newRow("a slot frees exactly 60 s after the request that took it")
        << qint64(2) << QList<int> { 0, 10'000, 59'999, 60'000, 60'000 } << u"AARAR"_s << QList<int> { 1, 10 };
    QTest::newRow("retry-after rounds up to whole seconds")
        << qint64(1) << QList<int> { 0, 500, 30'001 } << u"ARR"_s << QList<int> { 60, 30 };
    QTest::newRow("requests spread wider than the window are all admitted")
        << qint64(1) << QList<int> { 0, 60'000, 120'000, 180'000 } << u"AAAA"_s << QList<int> {};
    QTest::newRow("the oldest of several leaving decides the wait")
        << qint64(3) << QList<int> { 0, 20'000, 40'000, 45'000, 61'000 } << u"AAARA"_s << QList<int> { 15 };
}

void TestLimiter::requestsPerMinute()
{
    QFETCH(qint64, limit);
    QFETCH(QList<int>, at);
    QFETCH(QString, outcome);
    QFETCH(QList<int>, retryAfter);

    const QDateTime start = utc(2024, 5, 1, 12, 0, 59);
    FakeClock clock(start);
    Limiter limiter(&clock);
    const User alice = minuteUser(1, limit);
    QList<int> retries;
    QString seen;
    for (int ms : std::as_const(at)) {
        clock.set(start.addMSecs(ms));
        const auto refused = limiter.admit(alice);
        seen += refused ? u'R' : u'A';
        if (refused) {
            QCOMPARE(refused->httpStatus(), 429);
            QCOMPARE(refused->message,
                     u"Request limit reached: %1 %2 per minute for user alice; retry in %3 s"_s.arg(limit)
                         .arg(limit == 1 ? u"request"_s : u"requests"_s)
                         .arg(refused->retryAfterSeconds));
            retries.append(refused->retryAfterSeconds);
        }
    }
    QCOMPARE(seen, outcome);
    QCOMPARE(retries, retryAfter);
}

void TestLimiter::tokensPerMinute_data()
{
    QTest::addColumn<qint64>("limit");
    QTest::addColumn<QList<int>>("at");      // ms after the start: a request, then its tokens
    QTest::addColumn<QList<qint64>>("tokens"); // reported by each admitted request
    QTest::addColumn<int>("checkAt");        // ms after the start: one more request
    QTest::addColumn<int>("retryAfter");     // -1: admitted

    QTest::newRow("tokens below the limit still admit")
        << qint64(100) << QList<int> { 0, 1000 } << QList<qint64> { 40, 59 } << 2000 << -1;
    QTest::newRow("reaching the limit exactly refuses until the first report leaves")
        << qint64(100) << QList<int> { 0, 10'000 } << QList<qint64> { 40, 60 } << 20'000 << 40;
    QTest::newRow("one report over the limit refuses until it leaves")
        << qint64(100) << QList<int> { 0 } << QList<qint64> { 500 } << 30'000 << 30;
    QTest::newRow("only as many reports leave as needed to get below the limit")
        << qint64(100) << QList<int> { 0, 5000, 10'000 } << QList<qint64> { 10, 10, 90 } << 15'000 << 50;
    QTest::newRow("tokens reported over a minute ago no longer count")
        << qint64(100) << QList<int> { 0 } << QList<qint64> { 500 } << 60'000 << -1;
}

void TestLimiter::tokensPerMinute()
{
    QFETCH(qint64, limit);
    QFETCH(QList<int>, at);
    QFETCH(QList<qint64>, tokens);
    QFETCH(int, checkAt);
    QFETCH(int, retryAfter);

    const QDateTime start = utc(2024, 5, 1, 9);
    FakeClock clock(start);
    Limiter limiter(&clock);
    const User alice = minuteUser(1, {}, limit);
    for (qsizetype i = 0; i < at.size(); ++i) {
        clock.set(start.addMSecs(at.at(i)));
        QVERIFY(!limiter.admit(alice));
        limiter.addTokens(alice.id, tokens.at(i));
    }
    clock.set(start.addMSecs(checkAt));
    const auto refused = limiter.admit(alice);
    QCOMPARE(refused ? refused->retryAfterSeconds : -1, retryAfter);
    if (refused) {
        QCOMPARE(refused->message, u"Token limit reached: %1 %2 per minute for user alice; retry in %3 s"_s.arg(limit)
                                       .arg(limit == 1 ? u"token"_s : u"tokens"_s)
                                       .arg(retryAfter));
    }
}

void TestLimiter::modelLimitIsSharedByAllUsers()
{
    const QDateTime start = utc(2024, 5, 1, 9);
    FakeClock clock(start);
    Limiter limiter(&clock);
    const User alice = minuteUser(1, {});
    const User bob = minuteUser(2, {});
    const ModelConfig qwen = minuteModel(u"qwen*"_s, 3, 1000);
    const ModelConfig llama = minuteModel(u"llama3"_s, 1);
    QVERIFY(!limiter.admit(alice, &qwen));
    QVERIFY(!limiter.admit(bob, &qwen));
    QVERIFY(!limiter.admit(alice, &qwen));
    const auto refused = limiter.admit(bob, &qwen);
    QVERIFY(refused);
    QCOMPARE(refused->message, u"Request limit reached: 3 requests per minute for models matching 'qwen*'; retry in 60 s"_s);
    // Other models, and requests matching no configuration, are not affected.
    QVERIFY(!limiter.admit(bob, &llama));
    QVERIFY(!limiter.admit(bob));
    const auto second = limiter.admit(alice, &llama);
    QVERIFY(second);
    QCOMPARE(second->message, u"Request limit reached: 1 request per minute for model 'llama3'; retry in 60 s"_s);

    // Tokens count for the model across users.
    clock.set(start.addSecs(61));
    QVERIFY(!limiter.admit(alice, &qwen));
    limiter.addTokens(alice.id, 1200, qwen.pattern);
    clock.set(start.addSecs(71));
    const auto tokens = limiter.admit(bob, &qwen);
    QVERIFY(tokens);
    QCOMPARE(tokens->message, u"Token limit reached: 1000 tokens per minute for models matching 'qwen*'; retry in 50 s"_s);
}

void TestLimiter::refusalCountsNothing_data()
{
    QTest::addColumn<User>("user");
    QTest::addColumn<ModelConfig>("model");
    QTest::addColumn<QString>("refusedBy");

    User daily = minuteUser(1, 5);
    daily.requestLimit = 1;
    QTest::newRow("a full daily limit does not take a slot of the minute windows")
        << daily << minuteModel(u"qwen*"_s, 5) << u"Daily request limit"_s;
    User roomy = minuteUser(1, 5);
    roomy.requestLimit = 10;
    QTest::newRow("a full model limit does not consume the user's daily or minute requests")
        << roomy << minuteModel(u"qwen*"_s, 1) << u"for models matching 'qwen*'"_s;
    User tight = minuteUser(1, 1);
    tight.requestLimit = 10;
    QTest::newRow("a full user minute limit does not consume the model's or the daily requests")
        << tight << minuteModel(u"qwen*"_s, 5) << u"for user alice"_s;
}

void TestLimiter::refusalCountsNothing()
{
    QFETCH(User, user);
    QFETCH(ModelConfig, model);
    QFETCH(QString, refusedBy);

    FakeClock clock(utc(2024, 5, 1, 9));
    Limiter limiter(&clock);
    // Fill the one limit that is to refuse, through another user or another model.
    const User other = minuteUser(2, {});
    const ModelConfig elsewhere = minuteModel(u"other"_s, {});
    if (refusedBy.contains("qwen"_L1))
        QVERIFY(!limiter.admit(other, &model));
    else
        QVERIFY(!limiter.admit(user, &elsewhere));
    const qint64 dailyBefore = limiter.today(user.id).requests;
    const qint64 minuteBefore = limiter.lastMinute(user.id).requests;

    for (int i = 0; i < 3; ++i) {
        const auto refused = limiter.admit(user, &model);
        QVERIFY(refused);
        QVERIFY2(refused->message.contains(refusedBy), qPrintable(refused->message));
    }
    QCOMPARE(limiter.today(user.id).requests, dailyBefore);
    QCOMPARE(limiter.lastMinute(user.id).requests, minuteBefore);
    // The model's window is untouched too: another user still gets what was left of it.
    if (!refusedBy.contains("qwen"_L1)) {
        for (qint64 i = 0; i < *model.requestsPerMinute; ++i)
            QVERIFY(!limiter.admit(other, &model));
        QVERIFY(limiter.admit(other, &model));
    }
}

void TestLimiter::windowsForgetWhatLeftThem()
{
    // A busy user for ten minutes: the window only ever holds the last 60 s (token reports of
    // one second are kept together, so up to a second more of them).
    const QDateTime start = utc(2024, 5, 1, 9);
    FakeClock clock(start);
    Limiter limiter(&clock);
    const User alice = minuteUser(1, 1000, 1'000'000);
    const ModelConfig model = minuteModel(u"qwen*"_s, {}, 1'000'000);
    for (int i = 0; i < 600 * 4; ++i) {
        clock.set(start.addMSecs(i * 250));
        QVERIFY(!limiter.admit(alice, &model));
        limiter.addTokens(alice.id, 10, model.pattern);
        const auto window = limiter.lastMinute(alice.id);
        QVERIFY(window.requests <= 240);
        QVERIFY(window.tokens <= 2400 + 40);
    }
    QCOMPARE(limiter.lastMinute(alice.id).requests, qint64(240));
    QVERIFY(limiter.lastMinute(alice.id).tokens >= 2400);
    clock.set(start.addSecs(600 + 60));
    QCOMPARE(limiter.lastMinute(alice.id).requests, qint64(0));
    QCOMPARE(limiter.lastMinute(alice.id).tokens, qint64(0));
}

void TestLimiter::concurrentAdmitsNeverOvershootAMinuteLimit()
{
    FakeClock clock(utc(2024, 5, 1));
    Limiter limiter(&clock);
    const User alice = minuteUser(1, 10);
    const User bob = minuteUser(2, {});
    const ModelConfig model = minuteModel(u"qwen*"_s, 15);
    std::atomic<int> admitted { 0 };
    std::vector<std::unique_ptr<QThread>> threads;
    for (int i = 0; i < 40; ++i) {
        const User *user = i % 2 ? &alice : &bob;
        threads.emplace_back(QThread::create([&, user] {
            if (!limiter.admit(*user, &model))
                ++admitted;
        }));
        threads.back()->start();
    }
    for (auto &thread : threads)
        QVERIFY(thread->wait(10000));
    // The model allows 15 in all, of which alice may take at most 10.
    QCOMPARE(admitted.load(), 15);
    QVERIFY(limiter.lastMinute(alice.id).requests <= 10);
}

QTEST_GUILESS_MAIN(TestLimiter)
#include "tst_limiter.moc"

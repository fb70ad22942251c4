// RequestParser without sockets: each rule of the front door's strict HTTP/1.1 reading, whole
// and split into single bytes (the outcome must not depend on how the bytes arrive).

#include "http/requestparser.h"

#include <QTest>

using namespace Maestro;

namespace {

struct Outcome
{
    int status = 0; // 0: a complete request; otherwise the refusal
    RequestParser::Head head;
    QByteArray body;
    qsizetype consumed = 0; // bytes of the input that belong to the request
    bool complete = false;
};

RequestParser::Limits smallLimits()
{
    RequestParser::Limits limits;
    limits.maxHeaderBytes = 1024;
    limits.maxHeaderFields = 10;
    limits.maxBodyBytes = 100;
    limits.maxChunkLineBytes = 64;
    return limits;
}

// Feeds `input` in pieces of `step` bytes (0: whole) until the first request completes or is refused.
Outcome parse(const QByteArray &input, qsizetype step, RequestParser::Limits limits = smallLimits())
{
    RequestParser parser(limits);
    Outcome outcome;
    qsizetype pos = 0;
    while (pos < input.size()) {
        const qsizetype length = step > 0 ? std::min(step, input.size() - pos) : input.size() - pos;
        QByteArrayView piece = QByteArrayView(input).sliced(pos, length);
        while (!piece.isEmpty()) {
            qsizetype used = 0;
            const auto status = parser.feed(piece, &used);
            piece = piece.sliced(used);
            pos += used;
            outcome.body += parser.takeBody();
            if (status == RequestParser::Status::Failed) {
                outcome.status = parser.errorStatus();
                outcome.consumed = pos;
                return outcome;
            }
            if (status == RequestParser::Status::MessageDone) {
                outcome.complete = true;
                outcome.head = parser.head();
                outcome.consumed = pos;
                return outcome;
            }
            if (status == RequestParser::Status::NeedMore)
                break;
        }
    }
    qsizetype used = 0;
    if (parser.feed({}, &used) == RequestParser::Status::MessageDone) {
        outcome.complete = true;
        outcome.head = parser.head();
    }
    outcome.consumed = pos;
    return outcome;
}

QByteArray manyHeaders(int count)
{
    QByteArray out = "GET / HTTP/1.1\r\nHost: a\r\n";
    for (int i = 1; i < count; ++i)
        out += "X-" + QByteArray::number(i) + ": v\r\n";
    return out + "\r\n";
}

} // namespace

class TestRequestParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void outcome_data();
    void outcome();
    void pipelinedRequestsStopAtEachEnd();
    void limitsHoldHoweverTheBytesArrive();
};

void TestRequestParser::outcome_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");

    const QByteArray post = "POST /api/chat HTTP/1.1\r\nHost: a\r\n";
    QTest::newRow("a plain GET is accepted") << QByteArray("GET /health HTTP/1.1\r\nHost: a\r\n\r\n") << 0 << QByteArray();
    QTest::newRow("HTTP/1.0 without Host is accepted") << QByteArray("GET / HTTP/1.0\r\n\r\n") << 0 << QByteArray();
    QTest::newRow("a Content-Length body is read to its length") << post + "Content-Length: 5\r\n\r\nhelloX" << 0 << QByteArray("hello");
    QTest::newRow("identical duplicate Content-Length values are folded")
        << post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello" << 0 << QByteArray("hello");
    QTest::newRow("a chunked body is de-chunked, extensions and trailers ignored")
        << post + "Transfer-Encoding: chunked\r\n\r\n3;a=b\r\nabc\r\n02\r\nde\r\n0\r\nX-T: 1\r\n\r\n" << 0 << QByteArray("abcde");
    QTest::newRow("Transfer-Encoding is matched without regard to case and surrounding spaces")
        << post + "Transfer-Encoding:  Chunked \r\n\r\n1\r\nz\r\n0\r\n\r\n" << 0 << QByteArray("z");
    QTest::newRow("empty lines before the request line are skipped") << QByteArray("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n") << 0 << QByteArray();

    QTest::newRow("chunked: a signed chunk size is refused") << post + "Transfer-Encoding: chunked\r\n\r\n-5\r\n" << 400 << QByteArray();
    QTest::newRow("chunked: a plus sign is refused") << post + "Transfer-Encoding: chunked\r\n\r\n+5\r\n" << 400 << QByteArray();
    QTest::newRow("chunked: a 0x prefix is refused") << post + "Transfer-Encoding: chunked\r\n\r\n0x5\r\n" << 400 << QByteArray();
    QTest::newRow("chunked: a blank chunk size is refused") << post + "Transfer-Encoding: chunked\r\n\r\n\r\n" << 400 << QByteArray();
    QTest::newRow("chunked: a space before the size is refused") << post + "Transfer-Encoding: chunked\r\n\r\n 5\r\n" << 400 << QByteArray();
    QTest::newRow("chunked: junk after the size is refused") << post + "Transfer-Encoding: chunked\r\n\r\n5z\r\n" << 400 << QByteArray();
    QTest::newRow("chunked: 16 significant hex digits are refused")
        << post + "Transfer-Encoding: chunked\r\n\r\n1000000000000000\r\n" << 400 << QByteArray();
    QTest::newRow("chunked: leading zeros do not count as significant")
        << post + "Transfer-Encoding: chunked\r\n\r\n00000000000000000001\r\nz\r\n0\r\n\r\n" << 0 << QByteArray("z");
    QTest::newRow("chunked: a chunk size over the body limit is refused with 413")
        << post + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\n" << 413 << QByteArray();
    QTest::newRow("chunked: chunks summing past the body limit are refused with 413")
        << post + "Transfer-Encoding: chunked\r\n\r\n40\r\n" + QByteArray(64, 'a') + "\r\n40\r\n" << 413 << QByteArray();
    QTest::newRow("chunked: an overlong chunk-size line is refused")
        << post + "Transfer-Encoding: chunked\r\n\r\n1;" + QByteArray(100, 'e') + "\r\n" << 400 << QByteArray();
    QTest::newRow("chunked: chunk data not followed by CRLF is refused")
        << post + "Transfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n" << 400 << QByteArray();
    QTest::newRow("chunked: a trailer without a colon is refused")
        << post + "Transfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n" << 400 << QByteArray();
    QTest::newRow("Content-Length with Transfer-Encoding is refused")
        << post + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n" << 400 << QByteArray();
    QTest::newRow("Transfer-Encoding chunked, identity is refused with 501")
        << post + "Transfer-Encoding: chunked, identity\r\n\r\n" << 501 << QByteArray();
    QTest::newRow("Transfer-Encoding gzip is refused with 501") << post + "Transfer-Encoding: gzip\r\n\r\n" << 501 << QByteArray();
    QTest::newRow("two Transfer-Encoding headers are refused with 501")
        << post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" << 501 << QByteArray();
    QTest::newRow("differing Content-Length values are refused")
        << post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n" << 400 << QByteArray();
    QTest::newRow("a Content-Length list is refused") << post + "Content-Length: 5, 5\r\n\r\n" << 400 << QByteArray();
    QTest::newRow("a signed Content-Length is refused") << post + "Content-Length: +5\r\n\r\n" << 400 << QByteArray();
    QTest::newRow("an overflowing Content-Length is refused")
        << post + "Content-Length: 99999999999999999999\r\n\r\n" << 400 << QByteArray();
    QTest::newRow("a Content-Length over the body limit is refused with 413") << post + "Content-Length: 101\r\n\r\n" << 413 << QByteArray();
    QTest::newRow("a header line without a colon is refused") << post + "NoColon\r\n\r\n" << 400 << QByteArray();
    QTest::newRow("a space before the colon is refused") << post + "X-A : b\r\n\r\n" << 400 << QByteArray();
    QTest::newRow("an empty header name is refused") << post + ": b\r\n\r\n" << 400 << QByteArray();
    QTest::newRow("a folded header line is refused") << post + "X-A: b\r\n  c\r\n\r\n" << 400 << QByteArray();
    QTest::newRow("a bare CR is refused") << QByteArray("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n") << 400 << QByteArray();
    QTest::newRow("a bare LF is refused") << QByteArray("GET / HTTP/1.1\nHost: a\r\n\r\n") << 400 << QByteArray();
    QTest::newRow("a NUL in a header value is refused") << (QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX: a") + '\0' + "b\r\n\r\n") << 400 << QByteArray();
    QTest::newRow("HTTP/1.1 without Host is refused") << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400 << QByteArray();
    QTest::newRow("two Host headers are refused") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400 << QByteArray();
    QTest::newRow("HTTP/2.0 is refused with 505") << QByteArray("GET / HTTP/2.0\r\nHost: a\r\n\r\n") << 505 << QByteArray();
    QTest::newRow("a malformed version is refused") << QByteArray("GET / HTTP/1.1x\r\nHost: a\r\n\r\n") << 400 << QByteArray();
    QTest::newRow("an absolute-form target is refused") << QByteArray("GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << QByteArray();
    QTest::newRow("two spaces in the request line are refused") << QByteArray("GET  / HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << QByteArray();
    QTest::newRow("a method that is not a token is refused") << QByteArray("G(T / HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << QByteArray();
    QTest::newRow("more header fields than the limit are refused with 431") << manyHeaders(11) << 431 << QByteArray();
    QTest::newRow("as many header fields as the limit are accepted") << manyHeaders(10) << 0 << QByteArray();
    QTest::newRow("a head over the byte limit is refused with 431")
        << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX: " + QByteArray(1100, 'a') + "\r\n\r\n") << 431 << QByteArray();
    QTest::newRow("an endless request line is refused with 431") << QByteArray("GET /" + QByteArray(2000, 'a')) << 431 << QByteArray();
}

void TestRequestParser::outcome()
{
    QFETCH(QByteArray, input);
    QFETCH(int, status);
    QFETCH(QByteArray, body);

    for (const qsizetype step : {qsizetype(0), qsizetype(1), qsizetype(7)}) {
        const Outcome got = parse(input, step);
        QVERIFY2(got.status == status, qPrintable(QStringLiteral("step %1: status %2").arg(step).arg(got.status)));
        if (status == 0) {
            QVERIFY2(got.complete, qPrintable(QStringLiteral("step %1").arg(step)));
            QCOMPARE(got.body, body);
        }
    }
}

void TestRequestParser::pipelinedRequestsStopAtEachEnd()
{
    const QByteArray first = "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc";
    const QByteArray second = "GET /b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
    const QByteArray input = first + second;
    RequestParser parser(smallLimits());
    qsizetype used = 0;
    QCOMPARE(parser.feed(input, &used), RequestParser::Status::HeadDone);
    QCOMPARE(parser.head().target, QByteArray("/a"));
    qsizetype more = 0;
    QCOMPARE(parser.feed(QByteArrayView(input).sliced(used), &more), RequestParser::Status::MessageDone);
    QCOMPARE(used + more, first.size());
    QCOMPARE(parser.takeBody(), QByteArray("abc"));
    // Nothing more is taken until reset.
    qsizetype none = 1;
    QCOMPARE(parser.feed(QByteArrayView(input).sliced(used + more), &none), RequestParser::Status::MessageDone);
    QCOMPARE(none, 0);
    parser.reset();
    QCOMPARE(parser.feed(QByteArrayView(input).sliced(used + more), &none), RequestParser::Status::HeadDone);
    QCOMPARE(parser.head().target, QByteArray("/b"));
    QVERIFY(!parser.head().keepAlive);
    QVERIFY(parser.messageDone());
}

void TestRequestParser::limitsHoldHoweverTheBytesArrive()
{
    // Exactly at the limit passes, one byte more fails, whole or byte by byte.
    RequestParser::Limits limits = smallLimits();
    const QByteArray head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    limits.maxHeaderBytes = head.size();
    QCOMPARE(parse(head, 0, limits).status, 0);
    QCOMPARE(parse(head, 1, limits).status, 0);
    limits.maxHeaderBytes = head.size() - 1;
    QCOMPARE(parse(head, 0, limits).status, 431);
    QCOMPARE(parse(head, 1, limits).status, 431);
}

QTEST_APPLESS_MAIN(TestRequestParser)
#include "tst_requestparser.moc"

#include "providers/streamparsers.h"

#include <QTest>

using namespace Maestro;
using namespace Qt::StringLiterals;

namespace {

using Events = QList<SseParser::Event>;

QByteArray describe(const Events &events)
{
    QByteArray text;
    for (const auto &event : events)
        text += '[' + event.event + '|' + event.data + ']';
    return text;
}

// Feeds the stream cut into pieces of the given sizes (the last size repeats).
Events feedSse(const QByteArray &stream, const QList<int> &cuts)
{
    SseParser parser;
    Events events;
    qsizetype pos = 0;
    int index = 0;
    while (pos < stream.size()) {
        const int size
            = cuts.isEmpty() ? int(stream.size()) : cuts.at(qMin(index, int(cuts.size()) - 1));
        events += parser.feed(stream.mid(pos, size));
        pos += size;
        ++index;
    }
    events += parser.finish();
    return events;
}

} // namespace

class TestStreamParsers final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sseEvents_data();
    void sseEvents();
    void sseEveryTwoWaySplit_data();
    void sseEveryTwoWaySplit();
    void sseCrLfSplitAcrossFeeds();
    void sseEmptyFeedsChangeNothing_data();
    void sseEmptyFeedsChangeNothing();
    void sseFinishFlushesPendingEvent();
    void sseParserIsReusableAfterFinish();
    void ndjsonLines_data();
    void ndjsonLines();
    void ndjsonPartialLinesAcrossFeeds();
    void overflowAtTheCap_data();
    void overflowAtTheCap();
    void endlessLineKeepsMemoryBounded();
};

void TestStreamParsers::sseEvents_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("a single data line is one event")
        << QByteArray("data: hello\n\n") << QByteArray("[|hello]");
    QTest::newRow("multi-line data is joined with newlines")
        << QByteArray("data: one\ndata: two\ndata:three\n\n") << QByteArray("[|one\ntwo\nthree]");
    QTest::newRow("only one space after the colon is stripped")
        << QByteArray("data:  two spaces\n\n") << QByteArray("[| two spaces]");
    QTest::newRow("comment lines are ignored")
        << QByteArray(": keep-alive\ndata: x\n: another\n\n") << QByteArray("[|x]");
    QTest::newRow("a comment-only block emits nothing") << QByteArray(": ping\n\n") << QByteArray();
    QTest::newRow("the event field names the event")
        << QByteArray("event: message_start\ndata: {}\n\n") << QByteArray("[message_start|{}]");
    QTest::newRow("the event type resets after each dispatch")
        << QByteArray("event: a\ndata: 1\n\ndata: 2\n\n") << QByteArray("[a|1][|2]");
    QTest::newRow("a block without data is not emitted and resets the event type")
        << QByteArray("event: a\n\ndata: 2\n\n") << QByteArray("[|2]");
    QTest::newRow("an empty data field gives an event with empty data")
        << QByteArray("data\n\n") << QByteArray("[|]");
    QTest::newRow("CRLF line ends")
        << QByteArray("event: e\r\ndata: x\r\n\r\n") << QByteArray("[e|x]");
    QTest::newRow("bare CR line ends")
        << QByteArray("data: x\rdata: y\r\r") << QByteArray("[|x\ny]");
    QTest::newRow("mixed line ends")
        << QByteArray("data: a\r\n\ndata: b\r\rdata: c\n\r\n") << QByteArray("[|a][|b][|c]");
    QTest::newRow("id and retry fields are ignored")
        << QByteArray("id: 7\nretry: 100\ndata: x\n\n") << QByteArray("[|x]");
    QTest::newRow("a data value may contain colons")
        << QByteArray("data: {\"a\":1}\n\n") << QByteArray("[|{\"a\":1}]");
    QTest::newRow("several events in a row")
        << QByteArray("data: 1\n\ndata: 2\n\ndata: [DONE]\n\n") << QByteArray("[|1][|2][|[DONE]]");
}

void TestStreamParsers::sseEvents()
{
    QFETCH(QByteArray, stream);
    QFETCH(QByteArray, expected);

    QCOMPARE(describe(feedSse(stream, {})), expected);
    QCOMPARE(describe(feedSse(stream, { 1 })), expected);
    QCOMPARE(describe(feedSse(stream, { 2 })), expected);
    QCOMPARE(describe(feedSse(stream, { 3, 1 })), expected);
}

void TestStreamParsers::sseEveryTwoWaySplit_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("an OpenAI style stream with CRLF")
        << QByteArray("data: {\"x\":1}\r\n\r\n: c\r\nevent: done\r\ndata: a\r\ndata: b\r\n\r\n")
        << QByteArray("[|{\"x\":1}][done|a\nb]");
    QTest::newRow("a stream with bare CR line ends")
        << QByteArray("data: 1\r\rdata: 2\r\r") << QByteArray("[|1][|2]");
}

void TestStreamParsers::sseEveryTwoWaySplit()
{
    QFETCH(QByteArray, stream);
    QFETCH(QByteArray, expected);

    for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
        SseParser parser;
        Events events = parser.feed(stream.first(cut));
        events += parser.feed(stream.sliced(cut));
        events += parser.finish();
        QVERIFY2(describe(events) == expected,
                 QByteArray("cut at " + QByteArray::number(cut)).constData());
    }
}

void TestStreamParsers::sseEmptyFeedsChangeNothing_data()
{
    QTest::addColumn<QList<QByteArray>>("feeds");
    QTest::addColumn<QByteArray>("expected");

    // Found by fuzz_sse: the empty feed cleared the pending '\r', so the '\n' after it ended the
    // event early as a blank line of its own, and "event: b" lost its data.
    QTest::newRow("an empty feed between the CR and LF of one line end")
        << QList<QByteArray>{"event: b\r", "", "\ndata: x\n\n"} << QByteArray("[b|x]");
    QTest::newRow("empty feeds everywhere")
        << QList<QByteArray>{"", "data: a\r", "", "", "\n\r", "", "\n"} << QByteArray("[|a]");
}

void TestStreamParsers::sseEmptyFeedsChangeNothing()
{
    QFETCH(QList<QByteArray>, feeds);
    QFETCH(QByteArray, expected);

    SseParser parser;
    Events events;
    for (const QByteArray &feed : feeds)
        events += parser.feed(feed);
    events += parser.finish();
    QCOMPARE(describe(events), expected);
}

void TestStreamParsers::sseCrLfSplitAcrossFeeds()
{
    SseParser parser;
    QVERIFY(parser.feed("data: a\r").isEmpty());
    // The '\n' completes the CRLF; it must not count as the blank line ending the event.
    QVERIFY(parser.feed("\n").isEmpty());
    QVERIFY(parser.feed("data: b\r").isEmpty());
    const Events events = parser.feed("\n\r\n");
    QCOMPARE(describe(events), QByteArray("[|a\nb]"));
}

void TestStreamParsers::sseFinishFlushesPendingEvent()
{
    SseParser parser;
    QVERIFY(parser.feed("data: 1\n\nevent: last\ndata: tail").size() == 1);
    QCOMPARE(describe(parser.finish()), QByteArray("[last|tail]"));
    QVERIFY(parser.finish().isEmpty());
}

void TestStreamParsers::sseParserIsReusableAfterFinish()
{
    SseParser parser;
    parser.feed("event: x\ndata: a\r");
    parser.finish();
    QCOMPARE(describe(parser.feed("\ndata: b\n\n")), QByteArray("[|b]"));
}

void TestStreamParsers::ndjsonLines_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QList<QByteArray>>("expected");

    QTest::newRow("lines end with LF")
        << QByteArray("{\"a\":1}\n{\"b\":2}\n") << QList<QByteArray> { "{\"a\":1}", "{\"b\":2}" };
    QTest::newRow("a trailing CR is stripped") << QByteArray("{\"a\":1}\r\n{\"b\":2}\r\n")
                                               << QList<QByteArray> { "{\"a\":1}", "{\"b\":2}" };
    QTest::newRow("empty lines are skipped")
        << QByteArray("\n{}\n\r\n\n[]\n") << QList<QByteArray> { "{}", "[]" };
    QTest::newRow("a last line without newline comes out at the end")
        << QByteArray("{}\n{\"done\":true}") << QList<QByteArray> { "{}", "{\"done\":true}" };
}

void TestStreamParsers::ndjsonLines()
{
    QFETCH(QByteArray, stream);
    QFETCH(QList<QByteArray>, expected);

    for (int pieceSize : { int(stream.size()), 1, 2, 5 }) {
        NdjsonParser parser;
        QList<QByteArray> lines;
        for (qsizetype pos = 0; pos < stream.size(); pos += pieceSize)
            lines += parser.feed(stream.mid(pos, pieceSize));
        lines += parser.finish();
        QCOMPARE(lines, expected);
    }
}

void TestStreamParsers::ndjsonPartialLinesAcrossFeeds()
{
    NdjsonParser parser;
    QVERIFY(parser.feed("{\"mess").isEmpty());
    QVERIFY(parser.feed("age\":\"hi\"}\r").isEmpty());
    QCOMPARE(parser.feed("\n{\"done\"").value(0), QByteArray("{\"message\":\"hi\"}"));
    QCOMPARE(parser.feed(":true}\n"), QList<QByteArray> { "{\"done\":true}" });
    QVERIFY(parser.finish().isEmpty());
}

void TestStreamParsers::overflowAtTheCap_data()
{
    QTest::addColumn<bool>("sse");
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<bool>("overflows");
    QTest::addColumn<int>("itemsBefore"); // events or lines delivered before the overflow

    const QByteArray line16(16, 'x');
    QTest::newRow("sse: a data line of exactly the cap is accepted")
        << true << QByteArray("data:" + QByteArray(11, 'x') + "\n\n") << false << 1;
    QTest::newRow("sse: a line one byte over the cap overflows")
        << true << QByteArray("data:" + QByteArray(12, 'x') + "\n\n") << true << 0;
    QTest::newRow("sse: a line that never ends overflows")
        << true << QByteArray(1000, 'x') << true << 0;
    QTest::newRow("sse: a comment line is capped as well")
        << true << QByteArray(":" + QByteArray(40, 'x') + "\n") << true << 0;
    QTest::newRow("sse: many short data lines of one event overflow")
        << true << QByteArray("data:abcde\ndata:abcde\ndata:abcde\n\n") << true << 0;
    QTest::newRow("sse: events before the long line are delivered")
        << true << QByteArray("data:1\n\ndata:2\n\n" + QByteArray(100, 'x') + "\n\ndata:3\n\n") << true << 2;
    QTest::newRow("ndjson: a line of exactly the cap is accepted")
        << false << QByteArray(line16 + "\r\n") << false << 1;
    QTest::newRow("ndjson: a line one byte over the cap overflows")
        << false << QByteArray(line16 + "x\n") << true << 0;
    QTest::newRow("ndjson: a line that never ends overflows")
        << false << QByteArray(1000, 'x') << true << 0;
    QTest::newRow("ndjson: lines before the long one are delivered")
        << false << QByteArray("{}\n{}\n" + QByteArray(100, 'x') + "\n{}\n") << true << 2;
}

// Every split of the stream gives the same verdict and the same items: the cap is on lines and
// events, not on how the bytes arrived.
void TestStreamParsers::overflowAtTheCap()
{
    QFETCH(bool, sse);
    QFETCH(QByteArray, stream);
    QFETCH(bool, overflows);
    QFETCH(int, itemsBefore);

    for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
        const QList<QByteArray> parts { stream.first(cut), stream.sliced(cut) };
        int items = 0;
        bool overflowed = false;
        if (sse) {
            SseParser parser;
            parser.setMaxEventBytes(16);
            for (const QByteArray &part : parts)
                items += int(parser.feed(part).size());
            items += int(parser.finish().size());
            overflowed = parser.overflowed();
            // Nothing comes out of a broken stream any more.
            QVERIFY(parser.feed("data:late\n\n").isEmpty() || !overflowed);
        } else {
            NdjsonParser parser;
            parser.setMaxLineBytes(16);
            for (const QByteArray &part : parts)
                items += int(parser.feed(part).size());
            items += int(parser.finish().size());
            overflowed = parser.overflowed();
            QVERIFY(parser.feed("{}\n").isEmpty() || !overflowed);
        }
        QVERIFY2(overflowed == overflows, qPrintable(QString::number(cut)));
        QVERIFY2(items == itemsBefore, qPrintable(u"cut %1: %2 items"_s.arg(cut).arg(items)));
    }
}

void TestStreamParsers::endlessLineKeepsMemoryBounded()
{
    // 256 MiB of one line in 64 KiB reads: with a 1 MiB cap the parser stops holding it at once.
    // Without the cap this test would need 256 MiB of memory and report no overflow.
    SseParser sse;
    sse.setMaxEventBytes(1024 * 1024);
    NdjsonParser ndjson;
    ndjson.setMaxLineBytes(1024 * 1024);
    const QByteArray piece(64 * 1024, 'x');
    int sseOverflowAt = -1;
    int ndjsonOverflowAt = -1;
    for (int i = 0; i < 4096; ++i) {
        QVERIFY(sse.feed(i == 0 ? "data: " + piece : piece).isEmpty());
        QVERIFY(ndjson.feed(piece).isEmpty());
        if (sse.overflowed() && sseOverflowAt < 0)
            sseOverflowAt = i;
        if (ndjson.overflowed() && ndjsonOverflowAt < 0)
            ndjsonOverflowAt = i;
    }
    // The read that takes the line past 1 MiB: "data: " plus sixteen reads, seventeen reads.
    QCOMPARE(sseOverflowAt, 15);
    QCOMPARE(ndjsonOverflowAt, 16);
}

QTEST_GUILESS_MAIN(TestStreamParsers)
#include "tst_streamparsers.moc"

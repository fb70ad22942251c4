// The upstream HTTP response parser on its own, without sockets: what it yields for whole
// responses, that every split of the bytes yields the same, and the cases fuzz_upstreamresponse
// found.

#include "providers/responseparser.h"

#include <QTest>

using namespace Maestro;
using namespace Qt::StringLiterals;

namespace {

struct Outcome
{
    int status = 0;
    QByteArray body;
    QString end; // "done", "error: <message>" or "more"

    QByteArray describe() const
    {
        return QByteArray::number(status) + " [" + body + "] " + end.toUtf8();
    }
};

Outcome parse(const QList<QByteArray> &reads)
{
    Outcome outcome;
    ResponseParser parser;
    parser.reset();
    QByteArray buffer;
    qsizetype pos = 0;
    outcome.end = u"more"_s;
    for (const QByteArray &read : reads) {
        buffer.remove(0, pos);
        pos = 0;
        buffer += read;
        for (;;) {
            QByteArray piece;
            const ResponseParser::Event event = parser.next(buffer, &pos, &piece);
            if (event == ResponseParser::Event::Head) {
                outcome.status = parser.status();
            } else if (event == ResponseParser::Event::Body) {
                outcome.body += piece;
            } else if (event == ResponseParser::Event::Done) {
                outcome.end = u"done"_s;
                return outcome;
            } else if (event == ResponseParser::Event::Error) {
                outcome.end = u"error: "_s + parser.errorString();
                return outcome;
            } else {
                break;
            }
        }
    }
    return outcome;
}

} // namespace

class TestResponseParser final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everySplitGivesTheSameOutcome_data();
    void everySplitGivesTheSameOutcome();
    void chunkSizes_data();
    void chunkSizes();
    void bothFramingsEndTheConnection();
};

void TestResponseParser::everySplitGivesTheSameOutcome_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<QByteArray>("expected");

    const QByteArray chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    QTest::newRow("a chunked body with an extension and trailers")
        << QByteArray(chunked + "5;x=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n")
        << QByteArray("200 [hello world] done");
    QTest::newRow("an interim response before the real one")
        << QByteArray("HTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope")
        << QByteArray("404 [nope] done");
    // Found by fuzz_upstreamresponse: a bad chunk size after good chunk data in the same read
    // dropped that data, which a read boundary between the two would have delivered.
    QTest::newRow("the good chunk before a malformed chunk size is still delivered")
        << QByteArray(chunked + "5\r\nhello\r\n+1\r\nx\r\n0\r\n\r\n")
        << QByteArray("200 [hello] error: Malformed chunk size");
    QTest::newRow("the good chunk before a missing line end is still delivered")
        << QByteArray(chunked + "5\r\nhelloXX")
        << QByteArray("200 [hello] error: Missing line end after chunk");
    QTest::newRow("the good chunk before an overlong chunk size line is still delivered")
        << QByteArray(chunked + "5\r\nhello\r\n1;" + QByteArray(2000, 'e') + "\r\nx\r\n")
        << QByteArray("200 [hello] error: Chunk size line too long");
    // Transfer-Encoding (RFC 9112 section 6): only plain chunked framing is understood, and it
    // overrides Content-Length.
    QTest::newRow("chunked wins over Content-Length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
        << QByteArray("200 [ok] done");
    QTest::newRow("a compressed chunked body is refused")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
        << QByteArray("0 [] error: Unsupported Transfer-Encoding");
    QTest::newRow("chunked applied twice over two fields is refused")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
        << QByteArray("0 [] error: Unsupported Transfer-Encoding");
    QTest::newRow("a coding after chunked is refused")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\nxx")
        << QByteArray("0 [] error: Unsupported Transfer-Encoding");
    QTest::newRow("a head of exactly 100 fields is accepted")
        << [] {
               QByteArray head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n";
               for (int i = 1; i < 100; ++i)
                   head += "X-" + QByteArray::number(i) + ": v\r\n";
               return QByteArray(head + "\r\nok");
           }()
        << QByteArray("200 [ok] done");
}

void TestResponseParser::everySplitGivesTheSameOutcome()
{
    QFETCH(QByteArray, response);
    QFETCH(QByteArray, expected);

    QCOMPARE(parse({response}).describe(), expected);
    for (qsizetype cut = 0; cut <= response.size(); ++cut) {
        const QByteArray got = parse({response.first(cut), response.sliced(cut)}).describe();
        QVERIFY2(got == expected, QByteArray("cut at " + QByteArray::number(cut) + ": " + got).constData());
    }
}

void TestResponseParser::chunkSizes_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<qint64>("size"); // -1: refused

    QTest::newRow("lower-case hex") << QByteArray("1f") << qint64(31);
    QTest::newRow("upper-case hex with an extension") << QByteArray("1F;name=value") << qint64(31);
    QTest::newRow("whitespace before the extension") << QByteArray("a ;x") << qint64(10);
    QTest::newRow("sixteen digits with the top bit clear") << QByteArray("7fffffffffffffff") << qint64(0x7fffffffffffffff);
    QTest::newRow("sixteen digits with the top bit set") << QByteArray("8000000000000000") << qint64(-1);
    QTest::newRow("seventeen digits, even with leading zeros") << QByteArray("00000000000000001") << qint64(-1);
    QTest::newRow("a plus sign") << QByteArray("+1") << qint64(-1);
    QTest::newRow("a minus sign") << QByteArray("-1") << qint64(-1);
    QTest::newRow("a 0x prefix") << QByteArray("0x1") << qint64(-1);
    QTest::newRow("leading whitespace") << QByteArray(" 1") << qint64(-1);
    QTest::newRow("nothing") << QByteArray("") << qint64(-1);
    QTest::newRow("garbage after the digits") << QByteArray("1z") << qint64(-1);
}

void TestResponseParser::chunkSizes()
{
    QFETCH(QByteArray, line);
    QFETCH(qint64, size);

    qint64 parsed = -1;
    const bool ok = ResponseParser::parseChunkSize(line, &parsed);
    QCOMPARE(ok, size >= 0);
    if (ok)
        QCOMPARE(parsed, size);
}

void TestResponseParser::bothFramingsEndTheConnection()
{
    // A node that frames one answer two ways may frame the next one either way: the connection
    // is not used again.
    for (const bool both : {false, true}) {
        ResponseParser parser;
        parser.reset();
        QByteArray response = QByteArray("HTTP/1.1 200 OK\r\n") + (both ? "Content-Length: 9\r\n" : "")
            + "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
        qsizetype pos = 0;
        QByteArray piece;
        ResponseParser::Event event;
        while ((event = parser.next(response, &pos, &piece)) != ResponseParser::Event::Done)
            QVERIFY(event != ResponseParser::Event::Error && event != ResponseParser::Event::NeedMore);
        QCOMPARE(parser.keepAlive(), !both);
    }
}

QTEST_GUILESS_MAIN(TestResponseParser)
#include "tst_responseparser.moc"

#include "awseventstream.h"
#include "providers/aws/eventstream.h"

#include <QTest>
#include <QtEndian>

using namespace Maestro;
using namespace Qt::StringLiterals;

namespace {

using Message = EventStreamParser::Message;

QByteArray u32(quint32 value)
{
    char bytes[4];
    qToBigEndian(value, bytes);
    return QByteArray(bytes, 4);
}

// A message with the given header section as is, and CRCs that match.
QByteArray frameWithHeaderBytes(const QByteArray &headerBytes, const QByteArray &payload)
{
    QByteArray message = u32(quint32(16 + headerBytes.size() + payload.size()))
        + u32(quint32(headerBytes.size()));
    message += u32(Test::crc32(message));
    message += headerBytes + payload;
    message += u32(Test::crc32(message));
    return message;
}

// A message whose prelude is `prelude` (total, headers length) with a correct prelude CRC,
// followed by `rest` as given.
QByteArray withPrelude(quint32 total, quint32 headersLength, const QByteArray &rest)
{
    QByteArray message = u32(total) + u32(headersLength);
    message += u32(Test::crc32(message));
    return message + rest;
}

QString describe(const QList<Message> &messages)
{
    QStringList out;
    for (const Message &message : messages)
        out << QString::fromUtf8(message.eventType() + '|' + message.messageType() + '|'
                                 + message.payload);
    return out.join(u'\n');
}

} // namespace

class TestEventStream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsAwsPublishedMessages();
    void readsMessagesSplitAtEveryByte();
    void readsEveryHeaderType();
    void malformedInputStopsTheStream_data();
    void malformedInputStopsTheStream();
    void anOversizedMessageIsRefusedFromItsPrelude();
    void aBodyEndingInsideAMessageFails();
};

// The messages of aws-c-event-stream's tests (tests/message_deserializer_test.c, Apache-2.0):
// bytes and CRCs written by AWS, not by our own encoder.
void TestEventStream::readsAwsPublishedMessages()
{
    const QByteArray noOp = QByteArray::fromHex("000000100000000005c248eb7d98c8ff");
    const QByteArray noHeaders
        = QByteArray::fromHex("0000001d00000000fd528c5a7b27666f6f273a27626172277dc3653936");
    const QByteArray oneHeader = QByteArray::fromHex(
        "0000003d0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e"
        "7b27666f6f273a27626172277d8d9c08b1");
    EventStreamParser parser;
    const QList<Message> messages = parser.feed(QByteArray(noOp + noHeaders + oneHeader));
    QVERIFY2(!parser.failed(), qPrintable(parser.error()));
    QCOMPARE(messages.size(), 3);
    QVERIFY(messages.at(0).headers.isEmpty());
    QVERIFY(messages.at(0).payload.isEmpty());
    QCOMPARE(messages.at(1).payload, QByteArray("{'foo':'bar'}"));
    QCOMPARE(messages.at(2).headers.size(), 1);
    QCOMPARE(messages.at(2).header("content-type"), QByteArray("application/json"));
    QCOMPARE(messages.at(2).payload, QByteArray("{'foo':'bar'}"));
}

void TestEventStream::readsMessagesSplitAtEveryByte()
{
    const QByteArray stream = Test::bedrockEvent("messageStart", R"({"role":"assistant"})")
        + Test::bedrockEvent("contentBlockDelta", R"({"delta":{"text":"Hi"},"contentBlockIndex":0})")
        + Test::bedrockException("throttlingException", "slow down");
    EventStreamParser whole;
    const QString expected = describe(whole.feed(stream));
    QCOMPARE(expected.count(u'\n'), 2);
    QVERIFY(expected.endsWith(u"|exception|{\"message\":\"slow down\"}"_s));
    QVERIFY(expected.startsWith(u"messageStart|event|{\"role\":\"assistant\"}"_s));

    // Every split point of two reads, and one byte per read.
    for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
        EventStreamParser parser;
        QList<Message> messages = parser.feed(stream.left(cut));
        messages += parser.feed(stream.mid(cut));
        parser.finish();
        QVERIFY2(!parser.failed(), qPrintable(parser.error()));
        QCOMPARE(describe(messages), expected);
    }
    EventStreamParser bytewise;
    QList<Message> messages;
    for (const char c : stream)
        messages += bytewise.feed(QByteArrayView(&c, 1));
    QCOMPARE(describe(messages), expected);
    QCOMPARE(messages.last().exceptionType(), QByteArray("throttlingException"));
    QCOMPARE(messages.first().contentType(), QByteArray("application/json"));
}

void TestEventStream::readsEveryHeaderType()
{
    QByteArray headers;
    auto name = [&headers](const QByteArray &n, char type) {
        headers += char(n.size()) + n + type;
    };
    name("t", 0);
    name("f", 1);
    name("b", 2);
    headers += char(-5);
    name("s", 3);
    headers += QByteArray::fromHex("fffe");
    name("i", 4);
    headers += u32(70000);
    name("l", 5);
    headers += QByteArray::fromHex("0000010000000000");
    name("y", 6);
    headers += QByteArray::fromHex("0003") + QByteArray("\x00\x01\x02", 3);
    name("str", 7);
    headers += QByteArray::fromHex("0002") + "ok";
    name("ts", 8);
    headers += QByteArray::fromHex("0000018c00000000");
    name("u", 9);
    headers += QByteArray(16, 'u');

    EventStreamParser parser;
    const QList<Message> messages = parser.feed(frameWithHeaderBytes(headers, "body"));
    QVERIFY2(!parser.failed(), qPrintable(parser.error()));
    QCOMPARE(messages.size(), 1);
    const QList<EventStreamParser::Header> &h = messages.first().headers;
    QCOMPARE(h.size(), 10);
    QCOMPARE(h.at(0).number, 1);
    QCOMPARE(h.at(1).number, 0);
    QCOMPARE(h.at(2).number, -5);
    QCOMPARE(h.at(3).number, -2);
    QCOMPARE(h.at(4).number, 70000);
    QCOMPARE(h.at(5).number, qint64(1) << 40);
    QCOMPARE(h.at(6).bytes, QByteArray("\x00\x01\x02", 3));
    QCOMPARE(messages.first().header("str"), QByteArray("ok"));
    QCOMPARE(h.at(8).type, EventStreamParser::Header::Timestamp);
    QCOMPARE(h.at(9).bytes, QByteArray(16, 'u'));
    QCOMPARE(messages.first().payload, QByteArray("body"));
}

void TestEventStream::malformedInputStopsTheStream_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("error");

    const QByteArray good = Test::bedrockEvent("messageStop", R"({"stopReason":"end_turn"})");
    QByteArray badPrelude = good;
    badPrelude[9] = char(badPrelude[9] ^ 0x01);
    QTest::newRow("a prelude CRC that does not match") << badPrelude << u"prelude CRC"_s;

    QByteArray badMessage = good;
    badMessage[good.size() - 6] = 'X'; // in the payload
    QTest::newRow("a message CRC that does not match (payload changed)")
        << badMessage << u"message CRC"_s;

    QTest::newRow("a total length below the 16 bytes of prelude and CRC")
        << withPrelude(15, 0, QByteArray(8, '\0')) << u"a message of 15 bytes"_s;
    QTest::newRow("a headers length past the end of the message")
        << withPrelude(40, 30, QByteArray(28, '\0')) << u"headers of 30 bytes"_s;
    QTest::newRow("a header value length past the headers")
        << frameWithHeaderBytes(QByteArray("\x01x\x07\x00\x09", 5) + "abc", "{}")
        << u"runs past the headers"_s;
    QTest::newRow("a header name past the headers")
        << frameWithHeaderBytes(QByteArray("\x09xy", 3), "{}") << u"name runs past"_s;
    QTest::newRow("an empty header name")
        << frameWithHeaderBytes(QByteArray("\x00\x00", 2), "{}") << u"name runs past"_s;
    QTest::newRow("a fixed-size header value past the headers")
        << frameWithHeaderBytes(QByteArray("\x01x\x05\x00\x00", 5), "{}")
        << u"runs past the headers"_s;
    QTest::newRow("an unknown header type")
        << frameWithHeaderBytes(QByteArray("\x01x\x0a", 3), "{}") << u"unknown type 10"_s;
    QTest::newRow("good then garbage: the good one comes out, then nothing")
        << QByteArray(good + QByteArray(16, '\xff')) << u"prelude CRC"_s;
}

void TestEventStream::malformedInputStopsTheStream()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, error);
    EventStreamParser parser;
    const QList<Message> messages = parser.feed(bytes);
    QVERIFY(parser.failed());
    QVERIFY2(parser.error().contains(error), qPrintable(parser.error()));
    QVERIFY(messages.size() <= 1);
    // Nothing more comes out, not even a valid message.
    QVERIFY(parser.feed(Test::bedrockEvent("messageStart", "{}")).isEmpty());
    QVERIFY(parser.failed());
}

void TestEventStream::anOversizedMessageIsRefusedFromItsPrelude()
{
    EventStreamParser parser;
    QVERIFY(parser.feed(withPrelude(EventStreamParser::MaxMessageBytes + 1, 0, "x")).isEmpty());
    QVERIFY2(parser.error().contains(u"a message of 16777217 bytes"_s), qPrintable(parser.error()));

    // A lower cap holds too, and a message at it passes.
    EventStreamParser capped;
    capped.setMaxMessageBytes(100);
    const QByteArray fits = Test::eventStreamMessage({}, QByteArray(84, 'a'));
    QCOMPARE(fits.size(), 100);
    QCOMPARE(capped.feed(fits).size(), 1);
    QVERIFY(capped.feed(Test::eventStreamMessage({}, QByteArray(85, 'a'))).isEmpty());
    QVERIFY(capped.failed());

    // Headers over 128 KiB are refused even in a message under the cap.
    EventStreamParser headers;
    QVERIFY(headers.feed(withPrelude(200'000, 140'000, "x")).isEmpty());
    QVERIFY2(headers.error().contains(u"headers of 140000 bytes"_s), qPrintable(headers.error()));
}

void TestEventStream::aBodyEndingInsideAMessageFails()
{
    const QByteArray message = Test::bedrockEvent("messageStart", "{}");
    EventStreamParser parser;
    QVERIFY(parser.feed(message.left(message.size() - 1)).isEmpty());
    QVERIFY(!parser.failed()); // it may still come
    parser.finish();
    QVERIFY(parser.failed());
    QVERIFY2(parser.error().contains(u"ended inside a message"_s), qPrintable(parser.error()));

    EventStreamParser clean;
    QCOMPARE(clean.feed(message).size(), 1);
    clean.finish();
    QVERIFY(!clean.failed());
}

QTEST_GUILESS_MAIN(TestEventStream)
#include "tst_eventstream.moc"

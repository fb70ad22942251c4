#include "providers/noderequest.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Maestro;

class TestNodeRequest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void joinsBaseUrlAndPath_data();
    void joinsBaseUrlAndPath();
    void sendsTheApiKeyOnlyWhenThereIsOne();
};

void TestNodeRequest::joinsBaseUrlAndPath_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QString>("expected");

    QTest::newRow("an Ollama node at its root")
        << u"http://10.0.0.5:11434"_s << QByteArray("/api/tags") << u"http://10.0.0.5:11434/api/tags"_s;
    QTest::newRow("a trailing slash on the base is not doubled")
        << u"http://10.0.0.5:11434/"_s << QByteArray("/api/chat") << u"http://10.0.0.5:11434/api/chat"_s;
    QTest::newRow("a base given with /v1 does not get a second /v1")
        << u"https://api.example.com/v1"_s << QByteArray("/v1/models") << u"https://api.example.com/v1/models"_s;
    QTest::newRow("a base with /v1/ and a trailing slash")
        << u"https://api.example.com/v1/"_s << QByteArray("/v1/chat/completions")
        << u"https://api.example.com/v1/chat/completions"_s;
    QTest::newRow("a base behind a path prefix keeps it")
        << u"http://proxy.lan/llm"_s << QByteArray("/v1/chat/completions") << u"http://proxy.lan/llm/v1/chat/completions"_s;
    QTest::newRow("an Ollama path on a /v1 base is appended as is")
        << u"http://host/v1"_s << QByteArray("/api/tags") << u"http://host/v1/api/tags"_s;
}

void TestNodeRequest::joinsBaseUrlAndPath()
{
    QFETCH(QString, base);
    QFETCH(QByteArray, path);
    QFETCH(QString, expected);
    Node node;
    node.baseUrl = QUrl(base);
    const UpstreamRequest request = nodeRequest(node, QByteArrayLiteral("GET"), path, QString());
    QCOMPARE(request.url.toString(), expected);
    QCOMPARE(request.method, QByteArray("GET"));
}

void TestNodeRequest::sendsTheApiKeyOnlyWhenThereIsOne()
{
    Node node;
    node.baseUrl = QUrl(u"http://host:8000"_s);
    const UpstreamRequest withKey = nodeRequest(node, QByteArrayLiteral("POST"), QByteArrayLiteral("/v1/models"), u"sk-test"_s);
    QCOMPARE(withKey.headers.size(), 1);
    QCOMPARE(withKey.headers.first().first, QByteArray("Authorization"));
    QCOMPARE(withKey.headers.first().second, QByteArray("Bearer sk-test"));
    QVERIFY(nodeRequest(node, QByteArrayLiteral("POST"), QByteArrayLiteral("/v1/models"), QString()).headers.isEmpty());
}

QTEST_GUILESS_MAIN(TestNodeRequest)
#include "tst_noderequest.moc"

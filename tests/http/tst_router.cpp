#include "http/router.h"

#include <QTest>

using namespace Maestro;
using namespace Qt::StringLiterals;

namespace {

// A handler that says which route it belongs to; the router only stores and returns it.
struct Tagged
{
    int id = 0;
    void operator()(HttpContext &) const { }
};

using Method = Router::Method;
using Params = QHash<QString, QString>;

} // namespace

Q_DECLARE_METATYPE(Maestro::Dialect)

class TestRouter final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void match_data();
    void match();

private:
    Router m_router;
};

void TestRouter::initTestCase()
{
    m_router.add(Method::Get, u"/api/tags"_s, Dialect::Ollama, Tagged { 1 });
    m_router.add(Method::Post, u"/api/chat"_s, Dialect::Ollama, Tagged { 2 });
    m_router.add(Method::Post, u"/v1/chat/completions"_s, Dialect::OpenAi, Tagged { 3 });
    m_router.add(Method::Get, u"/admin/users"_s, Dialect::Admin, Tagged { 4 });
    m_router.add(Method::Post, u"/admin/users"_s, Dialect::Admin, Tagged { 5 });
    m_router.add(Method::Get, u"/admin/users/{username}"_s, Dialect::Admin, Tagged { 6 });
    m_router.add(Method::Delete, u"/admin/users/{username}"_s, Dialect::Admin, Tagged { 7 });
    m_router.add(Method::Put, u"/admin/users/{username}/token"_s, Dialect::Admin, Tagged { 8 });
    m_router.add(Method::Post, u"/admin/model-groups/{name}/members/{id}"_s, Dialect::Admin,
                 Tagged { 9 });
    m_router.add(Method::Get, u"/admin/model-mappings/{display_name*}"_s, Dialect::Admin,
                 Tagged { 10 });
    m_router.add(Method::Put, u"/admin/model-mappings/{display_name*}"_s, Dialect::Admin,
                 Tagged { 11 });
    m_router.add(Method::Get, u"/admin/users/me"_s, Dialect::Admin, Tagged { 12 });
}

void TestRouter::match_data()
{
    QTest::addColumn<Method>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("route"); // 0: no handler
    QTest::addColumn<Dialect>("dialect");
    QTest::addColumn<Params>("params");
    QTest::addColumn<bool>("pathKnown");

    const auto A = Dialect::Admin;
    QTest::newRow("a literal route matches its exact path")
        << Method::Get << u"/api/tags"_s << 1 << Dialect::Ollama << Params {} << false;
    QTest::newRow("a literal route keeps its own dialect")
        << Method::Post << u"/v1/chat/completions"_s << 3 << Dialect::OpenAi << Params {} << false;
    QTest::newRow("the method selects between routes of one literal path")
        << Method::Post << u"/admin/users"_s << 5 << A << Params {} << false;
    QTest::newRow("a literal path with a trailing slash does not match")
        << Method::Get << u"/api/tags/"_s << 0 << A << Params {} << false;
    QTest::newRow("a literal path is case-sensitive")
        << Method::Get << u"/API/TAGS"_s << 0 << A << Params {} << false;
    QTest::newRow("a literal route wins over a parameter route")
        << Method::Get << u"/admin/users/me"_s << 12 << A << Params {} << false;
    QTest::newRow("a {param} segment captures one segment")
        << Method::Get << u"/admin/users/alice"_s << 6 << A
        << Params { { u"username"_s, u"alice"_s } } << false;
    QTest::newRow("the method selects between routes of one parameter pattern")
        << Method::Delete << u"/admin/users/alice"_s << 7 << A
        << Params { { u"username"_s, u"alice"_s } } << false;
    QTest::newRow("a {param} in the middle of a pattern")
        << Method::Put << u"/admin/users/bob/token"_s << 8 << A
        << Params { { u"username"_s, u"bob"_s } } << false;
    QTest::newRow("two {param}s are both captured")
        << Method::Post << u"/admin/model-groups/coders/members/17"_s << 9 << A
        << Params { { u"name"_s, u"coders"_s }, { u"id"_s, u"17"_s } } << false;
    QTest::newRow("a {param} is percent-decoded")
        << Method::Get << u"/admin/users/a%40b.com"_s << 6 << A
        << Params { { u"username"_s, u"a@b.com"_s } } << false;
    QTest::newRow("an encoded slash in a {param} stays inside the parameter")
        << Method::Get << u"/admin/users/a%2Fb"_s << 6 << A
        << Params { { u"username"_s, u"a/b"_s } } << false;
    QTest::newRow("a {param} does not take further segments")
        << Method::Get << u"/admin/users/alice/extra"_s << 0 << A << Params {} << false;
    QTest::newRow("an empty {param} segment does not match")
        << Method::Put << u"/admin/users//token"_s << 0 << A << Params {} << false;
    QTest::newRow("greedy {name*} takes a plain name")
        << Method::Get << u"/admin/model-mappings/chat"_s << 10 << A
        << Params { { u"display_name"_s, u"chat"_s } } << false;
    QTest::newRow("greedy {name*} keeps colons")
        << Method::Get << u"/admin/model-mappings/llama3:latest"_s << 10 << A
        << Params { { u"display_name"_s, u"llama3:latest"_s } } << false;
    QTest::newRow("greedy {name*} takes slashes and colons")
        << Method::Put << u"/admin/model-mappings/library/qwen2:7b"_s << 11 << A
        << Params { { u"display_name"_s, u"library/qwen2:7b"_s } } << false;
    QTest::newRow("greedy {name*} takes several slashes")
        << Method::Get << u"/admin/model-mappings/hf.co/org/model:Q4_K_M"_s << 10 << A
        << Params { { u"display_name"_s, u"hf.co/org/model:Q4_K_M"_s } } << false;
    QTest::newRow("greedy {name*} is percent-decoded")
        << Method::Get << u"/admin/model-mappings/my%20model%2Fv2%3A1"_s << 10 << A
        << Params { { u"display_name"_s, u"my model/v2:1"_s } } << false;
    QTest::newRow("greedy {name*} decodes UTF-8")
        << Method::Get << u"/admin/model-mappings/mod%C3%A8le"_s << 10 << A
        << Params { { u"display_name"_s, u"mod\u00e8le"_s } } << false;
    QTest::newRow("greedy {name*} needs at least one segment")
        << Method::Get << u"/admin/model-mappings"_s << 0 << A << Params {} << false;
    QTest::newRow("a wrong method on a literal path marks the path known")
        << Method::Delete << u"/api/tags"_s << 0 << A << Params {} << true;
    QTest::newRow("GET on a POST-only endpoint marks the path known")
        << Method::Get << u"/api/chat"_s << 0 << A << Params {} << true;
    QTest::newRow("a wrong method on a parameter path marks the path known")
        << Method::Post << u"/admin/users/alice"_s << 0 << A << Params {} << true;
    QTest::newRow("a wrong method on a greedy path marks the path known")
        << Method::Delete << u"/admin/model-mappings/library/qwen2:7b"_s << 0 << A << Params {}
        << true;
    QTest::newRow("an unknown path is not known")
        << Method::Get << u"/nope"_s << 0 << A << Params {} << false;
    QTest::newRow("the root path is not a route here")
        << Method::Get << u"/"_s << 0 << A << Params {} << false;
}

void TestRouter::match()
{
    QFETCH(Method, method);
    QFETCH(QString, path);
    QFETCH(int, route);
    QFETCH(Dialect, dialect);
    QFETCH(Params, params);
    QFETCH(bool, pathKnown);

    const Router::Match match = m_router.match(method, path);
    if (route == 0) {
        QVERIFY(!match.handler);
        QCOMPARE(match.pathKnown, pathKnown);
        return;
    }
    QVERIFY(match.handler);
    const Tagged *tagged = match.handler->target<Tagged>();
    QVERIFY(tagged);
    QCOMPARE(tagged->id, route);
    QCOMPARE(match.dialect, dialect);
    QCOMPARE(match.params, params);
}

QTEST_GUILESS_MAIN(TestRouter)
#include "tst_router.moc"

// The settings registry: which values each setting takes (JSON-typed or as strings), what an
// unknown key or a bad value says, and how stored strings become effective typed values.

#include "core/settings.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Maestro;

class TestSettings final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data();
    void parse();
    void stringSettingsTakeStringsOnly();
    void unknownKeyNamesTheKnownOnes();
    void effectiveValuesFallBackToDefaults();
    void schemaDescribesEverySetting();
};

void TestSettings::parse_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonValue>("input");
    QTest::addColumn<QJsonValue>("expected"); // undefined: refused
    QTest::addColumn<QString>("error");        // part of the message when refused

    const QJsonValue refused(QJsonValue::Undefined);
    QTest::newRow("bool: a JSON boolean is taken") << u"metrics_public"_s << QJsonValue(true) << QJsonValue(true) << QString();
    QTest::newRow("bool: the string \"true\" is taken") << u"metrics_public"_s << QJsonValue(u"true"_s) << QJsonValue(true) << QString();
    QTest::newRow("bool: the string \"FALSE\" is taken") << u"metrics_public"_s << QJsonValue(u"FALSE"_s) << QJsonValue(false) << QString();
    QTest::newRow("bool: a number is refused") << u"metrics_public"_s << QJsonValue(1) << refused << u"metrics_public must be true or false"_s;
    QTest::newRow("bool: \"yes\" is refused") << u"metrics_public"_s << QJsonValue(u"yes"_s) << refused << u"true or false"_s;
    QTest::newRow("integer: a JSON number is taken") << u"health_failure_threshold"_s << QJsonValue(5) << QJsonValue(5) << QString();
    QTest::newRow("integer: the string \"120\" is taken") << u"health_check_interval_seconds"_s << QJsonValue(u"120"_s) << QJsonValue(120) << QString();
    QTest::newRow("integer: the lower bound is inside") << u"max_body_bytes"_s << QJsonValue(1024) << QJsonValue(1024) << QString();
    QTest::newRow("integer: below the lower bound is refused")
        << u"max_body_bytes"_s << QJsonValue(1023) << refused << u"max_body_bytes must be a whole number from 1024 to 4294967296"_s;
    QTest::newRow("integer: above the upper bound is refused")
        << u"health_failure_threshold"_s << QJsonValue(101) << refused << u"health_failure_threshold must be a whole number from 1 to 100"_s;
    QTest::newRow("integer: a fraction is refused") << u"health_failure_threshold"_s << QJsonValue(2.5) << refused << u"whole number"_s;
    QTest::newRow("integer: a word is refused") << u"default_daily_requests"_s << QJsonValue(u"many"_s) << refused << u"default_daily_requests"_s;
    QTest::newRow("integer: a negative limit is refused") << u"default_daily_tokens"_s << QJsonValue(-1) << refused << u"from 0"_s;
    QTest::newRow("integer: null is refused") << u"default_daily_tokens"_s << QJsonValue(QJsonValue::Null) << refused << u"default_daily_tokens"_s;
    QTest::newRow("integer: 0 (unlimited) is taken") << u"default_daily_tokens"_s << QJsonValue(0) << QJsonValue(0) << QString();
    QTest::newRow("choice: a listed choice is taken") << u"routing_strategy"_s << QJsonValue(u"weighted"_s) << QJsonValue(u"weighted"_s) << QString();
    QTest::newRow("choice: another word is refused")
        << u"routing_strategy"_s << QJsonValue(u"random"_s) << refused
        << u"routing_strategy must be one of least_busy, round_robin, weighted, priority"_s;
    QTest::newRow("choice: a number is refused") << u"routing_strategy"_s << QJsonValue(1) << refused << u"must be one of"_s;
    QTest::newRow("version: a release is taken") << u"ollama_version"_s << QJsonValue(u"0.12.6"_s) << QJsonValue(u"0.12.6"_s) << QString();
    QTest::newRow("version: blanks around it are dropped")
        << u"ollama_version"_s << QJsonValue(u" 1.0.0-rc2 "_s) << QJsonValue(u"1.0.0-rc2"_s) << QString();
    QTest::newRow("version: a word is refused, the rule named")
        << u"ollama_version"_s << QJsonValue(u"latest"_s) << refused << u"ollama_version must be a version such as 0.12.6"_s;
    QTest::newRow("version: text after it is refused") << u"ollama_version"_s << QJsonValue(u"0.12.6 beta"_s) << refused << u"ollama_version"_s;
    QTest::newRow("version: a number is refused") << u"ollama_version"_s << QJsonValue(0.12) << refused << u"ollama_version"_s;
}

void TestSettings::parse()
{
    QFETCH(QString, key);
    QFETCH(QJsonValue, input);
    QFETCH(QJsonValue, expected);
    QFETCH(QString, error);

    const auto parsed = Settings::parse(key, input);
    if (expected.isUndefined()) {
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().httpStatus(), 400);
        QVERIFY2(parsed.error().message.contains(error), qPrintable(parsed.error().message));
        return;
    }
    QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
    QCOMPARE(parsed.value(), expected);
    // What the store keeps reads back as the same value.
    QCOMPARE(Settings({{key, storedSettingForm(parsed.value())}}).value(key), expected);
}

void TestSettings::stringSettingsTakeStringsOnly()
{
    const SettingSpec spec{.key = u"greeting"_s, .type = SettingSpec::Type::String, .defaultValue = u"hello"_s};
    QCOMPARE(parseSetting(spec, QJsonValue(u"hi there"_s)).value(), QJsonValue(u"hi there"_s));
    QVERIFY(!parseSetting(spec, QJsonValue(3)).ok());
    QCOMPARE(spec.schema().value("type"_L1).toString(), u"string"_s);
    // With a pattern, the whole trimmed value must match it.
    const SettingSpec code{.key = u"code"_s, .type = SettingSpec::Type::String, .defaultValue = u"ab"_s,
                           .pattern = u"[a-z]{2}"_s, .patternHint = u"two letters"_s};
    QCOMPARE(parseSetting(code, QJsonValue(u"xy"_s)).value(), QJsonValue(u"xy"_s));
    QVERIFY(!parseSetting(code, QJsonValue(u"xyz"_s)).ok());
    QCOMPARE(parseSetting(code, QJsonValue(u"x"_s)).error().message, u"code must be two letters"_s);
}

void TestSettings::unknownKeyNamesTheKnownOnes()
{
    const auto parsed = Settings::parse(u"max_body"_s, QJsonValue(2048));
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().httpStatus(), 400);
    QVERIFY(parsed.error().message.contains("max_body"_L1));
    for (const QString &key : Settings::keys())
        QVERIFY2(parsed.error().message.contains(key), qPrintable(key));
}

void TestSettings::effectiveValuesFallBackToDefaults()
{
    // Stored strings, one of them no longer valid and one the registry does not know.
    const Settings settings({{u"routing_strategy"_s, u"priority"_s},
                             {u"metrics_public"_s, u"true"_s},
                             {u"health_failure_threshold"_s, u"0"_s},
                             {u"retired_setting"_s, u"x"_s}});
    QCOMPARE(settings.string(u"routing_strategy"_s), u"priority"_s);
    QCOMPARE(settings.flag(u"metrics_public"_s), true);
    QCOMPARE(settings.integer(u"health_failure_threshold"_s), 2);
    QCOMPARE(settings.integer(u"max_body_bytes"_s), 32 * 1024 * 1024);
    QCOMPARE(settings.integer(u"default_daily_requests"_s), 0);
    const QJsonObject json = settings.toJson();
    QCOMPARE(json.keys().size(), Settings::keys().size());
    QVERIFY(!json.contains("retired_setting"_L1));
    QVERIFY(json.value("max_body_bytes"_L1).isDouble());
    QVERIFY(json.value("metrics_public"_L1).isBool());
    QCOMPARE(Settings().toJson().value("routing_strategy"_L1).toString(), u"least_busy"_s);
}

void TestSettings::schemaDescribesEverySetting()
{
    const QJsonArray schema = Settings::schema();
    QCOMPARE(schema.size(), Settings::keys().size());
    for (const QJsonValue &item : schema) {
        const QJsonObject entry = item.toObject();
        const QString key = entry.value("key"_L1).toString();
        QVERIFY2(!entry.value("description"_L1).toString().isEmpty(), qPrintable(key));
        QVERIFY2(entry.value("restart_required"_L1).isBool(), qPrintable(key));
        // Every default passes its own rule.
        QVERIFY2(Settings::parse(key, entry.value("default"_L1)).ok(), qPrintable(key));
        const QString type = entry.value("type"_L1).toString();
        QCOMPARE(entry.contains("minimum"_L1), type == "integer"_L1);
        QCOMPARE(entry.contains("choices"_L1), type == "choice"_L1);
    }
    QCOMPARE(Settings::find(u"max_body_bytes"_s)->schema(),
             QJsonDocument::fromJson(R"({"key":"max_body_bytes","type":"integer","default":33554432,
                 "minimum":1024,"maximum":4294967296,"restart_required":false,
                 "description":"Largest request body in bytes; larger ones are refused with 413."})").object());
}

QTEST_GUILESS_MAIN(TestSettings)
#include "tst_settings.moc"

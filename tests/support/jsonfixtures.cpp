#include "jsonfixtures.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Maestro::Test {

QJsonValue loadJsonFixture(const QString &relativePath)
{
    QString root = qEnvironmentVariable("MAESTRO_SOURCE_DIR");
    if (root.isEmpty())
        root = QString::fromUtf8(MAESTRO_SOURCE_DIR_FALLBACK);
    QFile file(root + u"/tests/"_s + relativePath);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot open fixture %s", qPrintable(file.fileName()));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("fixture %s: %s", qPrintable(relativePath), qPrintable(error.errorString()));
    return document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
}

QString compactJson(const QJsonValue &value)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).chopped(1).mid(1));
}

namespace {

bool isWholeNumber(const QJsonValue &value)
{
    return value.isDouble() && value.toDouble() == double(value.toInteger());
}

bool isPlaceholder(const QString &text)
{
    return text == "<created_at>"_L1 || text == "<unix-time>"_L1 || text == "<nanoseconds>"_L1
        || text == "<number>"_L1 || (text.startsWith("<id:"_L1) && text.endsWith(u'>'));
}

QString checkPlaceholder(const QString &placeholder, const QJsonValue &actual, const QString &path)
{
    bool ok = false;
    if (placeholder == "<created_at>"_L1) {
        const QString text = actual.toString();
        ok = text.endsWith(u'Z') && QDateTime::fromString(text, Qt::ISODateWithMs).isValid();
    } else if (placeholder == "<unix-time>"_L1) {
        ok = isWholeNumber(actual) && actual.toInteger() > 1'700'000'000;
    } else if (placeholder == "<nanoseconds>"_L1) {
        ok = isWholeNumber(actual) && actual.toInteger() >= 0;
    } else if (placeholder == "<number>"_L1) {
        ok = actual.isDouble();
    } else {
        const QString prefix = placeholder.mid(4).chopped(1);
        ok = actual.isString() && actual.toString().startsWith(prefix) && actual.toString().size() > prefix.size();
    }
    return ok ? QString() : path + u": "_s + compactJson(actual) + u" is not "_s + placeholder;
}

} // namespace

QString jsonDifference(const QJsonValue &actual, const QJsonValue &expected, const QString &path)
{
    if (expected.isString() && isPlaceholder(expected.toString()))
        return checkPlaceholder(expected.toString(), actual, path);
    if (expected.isObject()) {
        if (!actual.isObject())
            return path + u": expected an object, got "_s + compactJson(actual);
        const QJsonObject actualObject = actual.toObject();
        const QJsonObject expectedObject = expected.toObject();
        for (auto it = expectedObject.begin(); it != expectedObject.end(); ++it) {
            if (!actualObject.contains(it.key()))
                return path + u"."_s + it.key() + u": missing"_s;
            const QString difference = jsonDifference(actualObject.value(it.key()), it.value(), path + u'.' + it.key());
            if (!difference.isEmpty())
                return difference;
        }
        for (auto it = actualObject.begin(); it != actualObject.end(); ++it) {
            if (!expectedObject.contains(it.key()))
                return path + u"."_s + it.key() + u": unexpected "_s + compactJson(it.value());
        }
        return {};
    }
    if (expected.isArray()) {
        if (!actual.isArray())
            return path + u": expected an array, got "_s + compactJson(actual);
        const QJsonArray actualArray = actual.toArray();
        const QJsonArray expectedArray = expected.toArray();
        if (actualArray.size() != expectedArray.size()) {
            return path + u": expected "_s + QString::number(expectedArray.size()) + u" elements, got "_s
                + compactJson(actualArray);
        }
        for (qsizetype i = 0; i < expectedArray.size(); ++i) {
            const QString difference = jsonDifference(actualArray.at(i), expectedArray.at(i),
                                                      path + u'[' + QString::number(i) + u']');
            if (!difference.isEmpty())
                return difference;
        }
        return {};
    }
    if (actual != expected)
        return path + u": expected "_s + compactJson(expected) + u", got "_s + compactJson(actual);
    return {};
}

} // namespace Maestro::Test

// The XML-like tool call formats DeepSeek models print when served without a tool parser (and the
// ones Cursor's and Claude's tool formats taught other fine-tunes):
//   <tool_calls><invoke name="X"><parameter name="k">v</parameter></invoke></tool_calls>
//   <|DSML|tool_calls>…</|DSML|tool_calls> with ASCII or fullwidth pipes around DSML, every tag
//       inside spelled the same way (DeepSeek V3.2 also says function_calls)
//   <CallMcpTool><serverName>S</serverName><toolName>T</toolName><arguments>…</arguments></CallMcpTool>
//   <tool_call name="X"><parameter name="k">v</parameter></tool_call>, and <tool_call>Name
//       {json}</tool_call>
// A parameter's value is JSON when it parses as JSON, a CDATA section's text, nested elements
// (<item> children make an array, other children an object), or else the text itself.

#include "providers/toolrepair_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Maestro::ToolRepair::Detail {

namespace {

// Nesting deeper than this is not a tool call but an attack on the stack.
constexpr int MaxDepth = 32;

struct Element
{
    QStringView name;
    QStringView attributes;
    QStringView body;
};

bool isNameEnd(QChar c)
{
    return c.isSpace() || c == u'>' || c == u'/';
}

// The element at the start of `text` (after blanks): its name, attributes and the text up to its
// matching closing tag. `*end` is where the element ends.
std::optional<Element> nextElement(QStringView text, qsizetype *end)
{
    qsizetype at = 0;
    while (at < text.size() && text.at(at).isSpace())
        ++at;
    if (at >= text.size() || text.at(at) != u'<')
        return std::nullopt;
    const qsizetype close = text.indexOf(u'>', at);
    if (close < 0)
        return std::nullopt;
    QStringView tag = text.mid(at + 1, close - at - 1);
    qsizetype nameLength = 0;
    while (nameLength < tag.size() && !isNameEnd(tag.at(nameLength)))
        ++nameLength;
    if (nameLength == 0 || tag.startsWith(u'/') || tag.startsWith(u'!') || tag.startsWith(u'?'))
        return std::nullopt;
    Element element;
    element.name = tag.left(nameLength);
    if (tag.endsWith(u'/')) {
        element.attributes = tag.mid(nameLength).chopped(1);
        *end = close + 1;
        return element;
    }
    element.attributes = tag.mid(nameLength);

    // The matching closing tag: elements of the same name may nest (an <item> in an <item>).
    const QString opening = u"<"_s + element.name;
    const QString closing = u"</"_s + element.name + u">"_s;
    int depth = 1;
    qsizetype position = close + 1;
    while (true) {
        const qsizetype nextClose = text.indexOf(closing, position);
        if (nextClose < 0)
            return std::nullopt;
        qsizetype nextOpen = text.indexOf(opening, position);
        while (nextOpen >= 0 && nextOpen < nextClose
               && (nextOpen + opening.size() >= text.size()
                   || !isNameEnd(text.at(nextOpen + opening.size()))))
            nextOpen = text.indexOf(opening, nextOpen + 1);
        if (nextOpen >= 0 && nextOpen < nextClose) {
            if (++depth > MaxDepth)
                return std::nullopt;
            position = nextOpen + opening.size();
            continue;
        }
        if (--depth == 0) {
            element.body = text.mid(close + 1, nextClose - close - 1);
            *end = nextClose + closing.size();
            return element;
        }
        position = nextClose + closing.size();
    }
}

// The elements `text` consists of, with nothing but blanks around them; nothing when there is
// other text, or no element at all.
std::optional<QList<Element>> childrenOf(QStringView text)
{
    QList<Element> children;
    while (!text.trimmed().isEmpty()) {
        qsizetype end = 0;
        const std::optional<Element> element = nextElement(text, &end);
        if (!element)
            return std::nullopt;
        children.append(*element);
        text = text.mid(end);
    }
    if (children.isEmpty())
        return std::nullopt;
    return children;
}

QString attribute(QStringView attributes, QLatin1StringView name)
{
    static const QRegularExpression pattern(
        uR"re((?:^|\s)([A-Za-z_][\w\-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))re"_s);
    QRegularExpressionMatchIterator matches = pattern.globalMatch(attributes);
    while (matches.hasNext()) {
        const QRegularExpressionMatch match = matches.next();
        if (match.capturedView(1) == name) {
            for (int group = 2; group <= 4; ++group) {
                if (match.capturedStart(group) >= 0)
                    return match.captured(group);
            }
        }
    }
    return {};
}

// Any JSON value (QJsonDocument only parses objects and arrays on their own).
std::optional<QJsonValue> jsonValue(QStringView text)
{
    const QString trimmed = text.trimmed().toString();
    if (trimmed.isEmpty())
        return std::nullopt;
    QJsonParseError error;
    const QByteArray wrapped = QByteArrayLiteral("[") + trimmed.toUtf8() + QByteArrayLiteral("]");
    const QJsonDocument document = QJsonDocument::fromJson(wrapped, &error);
    if (error.error != QJsonParseError::NoError || document.array().size() != 1)
        return std::nullopt;
    return document.array().at(0);
}

// A value's text without the line breaks a model puts after the opening and before the closing
// tag; what is inside stays as it was (file contents keep their last line break).
QString stripEdges(QStringView text)
{
    if (text.startsWith(u"\r\n"))
        text = text.mid(2);
    else if (text.startsWith(u'\n'))
        text = text.mid(1);
    if (text.endsWith(u"\r\n"))
        text.chop(2);
    else if (text.endsWith(u'\n'))
        text.chop(1);
    return text.toString();
}

void insertValue(QJsonObject *object, const QString &key, const QJsonValue &value)
{
    // A key given twice is a list.
    if (!object->contains(key)) {
        object->insert(key, value);
        return;
    }
    QJsonValue existing = object->value(key);
    QJsonArray list = existing.isArray() ? existing.toArray() : QJsonArray { existing };
    list.append(value);
    object->insert(key, list);
}

QJsonValue xmlValue(QStringView text, bool asString, int depth)
{
    const QStringView trimmed = text.trimmed();
    if (trimmed.startsWith(u"<![CDATA[") && trimmed.endsWith(u"]]>")) {
        const QStringView inside = trimmed.mid(9).chopped(3);
        if (!asString) {
            if (const std::optional<QJsonValue> json = jsonValue(inside))
                return *json;
        }
        return inside.toString();
    }
    if (asString)
        return stripEdges(text);
    if (const std::optional<QJsonValue> json = jsonValue(trimmed))
        return *json;
    if (depth < MaxDepth && trimmed.startsWith(u'<') && trimmed.endsWith(u'>')) {
        if (const std::optional<QList<Element>> children = childrenOf(trimmed)) {
            bool allItems = true;
            for (const Element &child : *children)
                allItems = allItems && child.name == u"item";
            if (allItems) {
                QJsonArray array;
                for (const Element &child : *children)
                    array.append(xmlValue(child.body, false, depth + 1));
                return array;
            }
            QJsonObject object;
            for (const Element &child : *children)
                insertValue(&object, child.name.toString(), xmlValue(child.body, false, depth + 1));
            return object;
        }
    }
    return stripEdges(text);
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// The arguments of an <invoke> or a named <tool_call>: <parameter name="k"> elements (unnamed
// ones are numbered), other elements by their tag name, JSON, or plain text.
std::optional<QString> elementArguments(QStringView body)
{
    if (body.trimmed().isEmpty())
        return u"{}"_s;
    if (const std::optional<QList<Element>> children = childrenOf(body)) {
        QJsonObject arguments;
        int unnamed = 0;
        for (const Element &child : *children) {
            QString key = child.name.toString();
            if (child.name == u"parameter") {
                key = attribute(child.attributes, "name"_L1);
                if (key.isEmpty())
                    key = QString::number(unnamed++);
            }
            const bool asString = attribute(child.attributes, "string"_L1) == "true"_L1;
            insertValue(&arguments, key, xmlValue(child.body, asString, 0));
        }
        return compact(arguments);
    }
    // A parameter that did not parse as an element is a broken call, not plain text.
    if (body.contains(u"<parameter"))
        return std::nullopt;
    if (body.trimmed().startsWith(u'{'))
        return objectJson(body);
    return plainTextArguments(body);
}

std::optional<RepairedCall> namedCall(const Element &element)
{
    const QString name = attribute(element.attributes, "name"_L1).trimmed();
    if (name.isEmpty())
        return std::nullopt;
    const std::optional<QString> arguments = elementArguments(element.body);
    if (!arguments)
        return std::nullopt;
    return RepairedCall { name, *arguments };
}

std::optional<RepairedCall> mcpCall(QStringView body)
{
    const std::optional<QList<Element>> children = childrenOf(body);
    if (!children)
        return std::nullopt;
    QString server;
    QString tool;
    QStringView arguments;
    for (const Element &child : *children) {
        if (child.name == u"serverName")
            server = child.body.trimmed().toString();
        else if (child.name == u"toolName")
            tool = child.body.trimmed().toString();
        else if (child.name == u"arguments")
            arguments = child.body;
    }
    if (tool.isEmpty())
        return std::nullopt;
    const QString name = server.isEmpty() ? tool : server + u"_"_s + tool;
    QStringView raw = arguments.trimmed();
    if (raw.startsWith(u"<![CDATA[") && raw.endsWith(u"]]>"))
        raw = raw.mid(9).chopped(3).trimmed();
    if (raw.isEmpty())
        return RepairedCall { name, u"{}"_s };
    if (const std::optional<QJsonValue> json = jsonValue(raw)) {
        if (json->isObject())
            return RepairedCall { name, compact(json->toObject()) };
        return RepairedCall { name, compact(QJsonObject { { u"input"_s, *json } }) };
    }
    return RepairedCall { name, plainTextArguments(raw) };
}

std::optional<RepairedCall> hermesJsonCall(QStringView body)
{
    QStringView text = body.trimmed();
    // Some templates wrap the JSON in a ```json fence.
    if (text.startsWith(u"```")) {
        const qsizetype lineEnd = text.indexOf(u'\n');
        text = lineEnd < 0 ? QStringView() : text.mid(lineEnd + 1).trimmed();
        if (text.endsWith(u"```"))
            text.chop(3);
    }
    const QJsonObject object = QJsonDocument::fromJson(text.toString().toUtf8()).object();
    const QString name = object.value("name"_L1).toString();
    if (name.isEmpty())
        return std::nullopt;
    QJsonValue arguments = object.value("arguments"_L1);
    if (arguments.isUndefined())
        arguments = object.value("parameters"_L1);
    if (arguments.isUndefined() || arguments.isNull())
        return RepairedCall { name, u"{}"_s };
    if (arguments.isObject())
        return RepairedCall { name, compact(arguments.toObject()) };
    if (arguments.isString()) {
        if (const std::optional<QString> json = objectJson(arguments.toString()))
            return RepairedCall { name, *json };
    }
    return std::nullopt;
}

std::optional<QList<RepairedCall>> callsIn(QStringView text, int depth);

std::optional<QList<RepairedCall>> callsOf(const Element &element, int depth)
{
    if (element.name == u"tool_calls" || element.name == u"function_calls") {
        if (depth >= MaxDepth)
            return std::nullopt;
        return callsIn(element.body, depth + 1); // nested wrappers are unwrapped
    }
    std::optional<RepairedCall> call;
    if (element.name == u"invoke")
        call = namedCall(element);
    else if (element.name == u"CallMcpTool")
        call = mcpCall(element.body);
    else if (element.name == u"tool_call" && !attribute(element.attributes, "name"_L1).isEmpty())
        call = namedCall(element);
    else if (element.name == u"tool_call")
        return parseToolCallBody(element.body);
    if (!call)
        return std::nullopt;
    return QList<RepairedCall> { *call };
}

std::optional<QList<RepairedCall>> callsIn(QStringView text, int depth)
{
    const std::optional<QList<Element>> children = childrenOf(text);
    if (!children)
        return std::nullopt;
    QList<RepairedCall> calls;
    for (const Element &child : *children) {
        const std::optional<QList<RepairedCall>> found = callsOf(child, depth);
        if (!found)
            return std::nullopt;
        calls += *found;
    }
    if (calls.isEmpty())
        return std::nullopt;
    return calls;
}

} // namespace

std::optional<QList<RepairedCall>> parseXmlSection(QStringView section)
{
    // DSML spells every tag of the section with the prefix: <|DSML|invoke name=...>.
    QString normalised = section.toString();
    for (const QString &prefix : { u"|DSML|"_s, u"\uFF5CDSML\uFF5C"_s }) {
        normalised.replace(u"</"_s + prefix, u"</"_s);
        normalised.replace(u"<"_s + prefix, u"<"_s);
    }
    return callsIn(normalised, 0);
}

std::optional<QList<RepairedCall>> parseToolCallBody(QStringView body)
{
    if (const std::optional<RepairedCall> call = hermesJsonCall(body))
        return QList<RepairedCall> { *call };
    const QStringView text = body.trimmed();
    if (text.startsWith(u'<'))
        return callsIn(text, 1);
    // "Name\n{json}": the name on the first line, JSON arguments after it. A body without that
    // shape is left as text (prose that happens to sit in tags is not a call).
    const qsizetype lineEnd = text.indexOf(u'\n');
    if (lineEnd < 0)
        return std::nullopt;
    const QStringView name = text.left(lineEnd).trimmed();
    static const QRegularExpression namePattern(u"^[A-Za-z_][\\w.\\-]*$"_s);
    if (!namePattern.match(name).hasMatch())
        return std::nullopt;
    const std::optional<QString> arguments = objectJson(text.mid(lineEnd + 1));
    if (!arguments)
        return std::nullopt;
    return QList<RepairedCall> { RepairedCall { name.toString(), *arguments } };
}

QString plainTextArguments(QStringView text)
{
    static const QRegularExpression pair(
        uR"re(([A-Za-z_][\w\-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+)))re"_s);
    QJsonObject arguments;
    QRegularExpressionMatchIterator matches = pair.globalMatch(text);
    while (matches.hasNext()) {
        const QRegularExpressionMatch match = matches.next();
        for (int group = 2; group <= 4; ++group) {
            if (match.capturedStart(group) >= 0) {
                arguments.insert(match.captured(1), match.captured(group));
                break;
            }
        }
    }
    if (!arguments.isEmpty())
        return compact(arguments);

    // A command line: words (quotes keep spaces), without the label a model puts first.
    QStringList words;
    QString word;
    QChar quote;
    bool inWord = false;
    for (const QChar c : text) {
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
            else
                word += c;
        } else if (c == u'"' || c == u'\'') {
            quote = c;
            inWord = true;
        } else if (c.isSpace()) {
            if (inWord)
                words.append(word);
            word.clear();
            inWord = false;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (inWord)
        words.append(word);
    static const QStringList labels { u"command"_s, u"run"_s,  u"execute"_s, u"tool"_s,
                                      u"toolrun"_s, u"bash"_s, u"shell"_s };
    while (!words.isEmpty() && labels.contains(words.first().toLower()))
        words.removeFirst();
    if (words.isEmpty())
        return u"{}"_s;
    return compact(QJsonObject { { u"command"_s, words.join(u' ') } });
}

void sanitizeArguments(RepairedCall *call)
{
    if (call->name != "Read"_L1)
        return;
    QJsonObject arguments = QJsonDocument::fromJson(call->arguments.toUtf8()).object();
    bool changed = false;
    const auto number = [](const QJsonValue &value) -> std::optional<double> {
        if (value.isDouble())
            return value.toDouble();
        bool ok = false;
        const double parsed = value.toString().trimmed().toDouble(&ok);
        return ok && value.isString() ? std::optional<double>(parsed) : std::nullopt;
    };
    for (const QLatin1StringView key : { "offset"_L1, "limit"_L1 }) {
        if (!arguments.contains(key))
            continue;
        const std::optional<double> value = number(arguments.value(key));
        changed = true;
        if (!value) {
            arguments.remove(key);
        } else if (*value < 1) {
            // A limit of 0 or below: a sensible page of lines instead of an error.
            const qint64 magnitude = qAbs(qint64(*value));
            arguments.insert(key, key == "offset"_L1 ? 1 : qBound(qint64(100), magnitude, qint64(500)));
        } else {
            arguments.insert(key, arguments.value(key).isDouble() ? arguments.value(key)
                                                                   : QJsonValue(*value));
        }
    }
    if (changed)
        call->arguments = compact(arguments);
}

} // namespace Maestro::ToolRepair::Detail

#include "nodeheaders.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Maestro::NodeHeaders {

QString secretRef(qint64 nodeId)
{
    return u"node/%1/headers"_s.arg(nodeId);
}

QString encodeSecret(const Pairs &headers)
{
    QJsonObject object;
    for (const auto &[name, value] : headers)
        object.insert(name, value);
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

Pairs decodeSecret(const QString &secret)
{
    Pairs headers;
    const QJsonObject object = QJsonDocument::fromJson(secret.toUtf8()).object();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it)
        headers.append({it.key(), it.value().toString()});
    return headers;
}

Wire load(const Node &node, SecretStore *secrets)
{
    Wire wire;
    for (const auto &[name, value] : node.headers)
        wire.append({name.toLatin1(), value.toUtf8()});
    if (node.secretHeaderNames.isEmpty() || !secrets)
        return wire;
    const Pairs stored = decodeSecret(secrets->read(secretRef(node.id)).value_or(QString()));
    // Only the names the node records: a value left behind by a failed removal is not sent.
    for (const auto &[name, value] : stored) {
        if (node.secretHeaderNames.contains(name, Qt::CaseInsensitive))
            wire.append({name.toLatin1(), value.toUtf8()});
    }
    return wire;
}

std::optional<QString> checkName(const QString &name, const Node &node)
{
    if (name.isEmpty() || name.size() > MaxNameLength)
        return u"header names must be 1 to %1 characters"_s.arg(MaxNameLength);
    for (const QChar c : name) {
        // RFC 9110 token characters.
        const bool tchar = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
            || u"!#$%&'*+-.^_`|~"_s.contains(c);
        if (!tchar)
            return u"header name \"%1\" is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only)"_s.arg(name.left(100));
    }
    const QString lower = name.toLower();
    static const QStringList framing{u"host"_s, u"content-length"_s, u"transfer-encoding"_s, u"connection"_s,
                                     u"keep-alive"_s, u"upgrade"_s, u"te"_s, u"trailer"_s};
    if (framing.contains(lower) || lower.startsWith("proxy-"_L1))
        return u"header %1 cannot be set on a node: the gateway sets it for each connection"_s.arg(name);
    static const QStringList typeSet{u"content-type"_s, u"x-api-key"_s, u"anthropic-version"_s};
    if (typeSet.contains(lower))
        return u"header %1 cannot be set on a node: the node type sets it"_s.arg(name);
    if (lower == "authorization"_L1 && (node.hasApiKey || node.type == NodeType::Bedrock)) {
        return node.type == NodeType::Bedrock
            ? u"header Authorization cannot be set on a bedrock node: its credentials sign each request"_s
            : u"header Authorization cannot be set on a node with an api_key: the key is sent as Authorization"_s;
    }
    if (lower.startsWith("x-amz-"_L1) && node.type == NodeType::Bedrock)
        return u"header %1 cannot be set on a bedrock node: AWS requires X-Amz-* headers to be signed"_s.arg(name);
    return std::nullopt;
}

std::optional<QString> checkValue(const QString &name, const QString &value)
{
    for (const QChar c : value) {
        if ((c.unicode() < 0x20 && c != u'\t') || c.unicode() == 0x7f)
            return u"the value of header %1 contains CR, LF, NUL or another control character"_s.arg(name);
    }
    if (value.toUtf8().size() > MaxValueBytes)
        return u"the value of header %1 is longer than %2 bytes"_s.arg(name).arg(MaxValueBytes);
    return std::nullopt;
}

} // namespace Maestro::NodeHeaders

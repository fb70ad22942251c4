#include "noderequest.h"

using namespace Qt::StringLiterals;

namespace Maestro {

UpstreamRequest nodeRequest(const Node &node, const QByteArray &method, const QByteArray &path,
                            const QString &apiKey)
{
    UpstreamRequest request;
    request.method = method;
    QUrl url = node.baseUrl;
    QString base = url.path();
    while (base.endsWith(u'/'))
        base.chop(1);
    QString tail = QString::fromLatin1(path);
    if (base.endsWith("/v1"_L1) && tail.startsWith("/v1/"_L1))
        tail = tail.mid(3);
    url.setPath(base + tail);
    request.url = url;
    if (!apiKey.isEmpty())
        request.headers.append({QByteArrayLiteral("Authorization"), "Bearer " + apiKey.toUtf8()});
    return request;
}

} // namespace Maestro

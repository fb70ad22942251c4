#include "router.h"

#include <QUrl>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

QString literalKey(QHttpServerRequest::Method method, const QString &path)
{
    return QString::number(int(method)) + u' ' + path;
}

} // namespace

void Router::add(Method method, const QString &pattern, Dialect dialect, Handler handler)
{
    m_routes.append({method, pattern.split(u'/'), dialect, std::move(handler)});
    if (!pattern.contains(u'{'))
        m_literal.insert(literalKey(method, pattern), m_routes.size() - 1);
}

Router::Match Router::match(Method method, const QString &path) const
{
    Match result;
    if (const auto it = m_literal.constFind(literalKey(method, path)); it != m_literal.cend()) {
        const Route &route = m_routes.at(*it);
        result.handler = &route.handler;
        result.dialect = route.dialect;
        return result;
    }
    const QStringList segments = path.split(u'/');
    for (const Route &route : m_routes) {
        QHash<QString, QString> params;
        bool ok = true;
        qsizetype i = 0;
        for (; i < route.segments.size() && ok; ++i) {
            const QString &pattern = route.segments.at(i);
            if (pattern.startsWith(u'{') && pattern.endsWith("*}"_L1)) {
                if (i >= segments.size()) {
                    ok = false;
                    break;
                }
                const QString rest = segments.mid(i).join(u'/');
                params.insert(pattern.mid(1, pattern.size() - 3),
                              QUrl::fromPercentEncoding(rest.toUtf8()));
                i = segments.size();
                break;
            }
            if (i >= segments.size()) {
                ok = false;
            } else if (pattern.startsWith(u'{')) {
                if (segments.at(i).isEmpty())
                    ok = false;
                else
                    params.insert(pattern.mid(1, pattern.size() - 2),
                                  QUrl::fromPercentEncoding(segments.at(i).toUtf8()));
            } else if (pattern != segments.at(i)) {
                ok = false;
            }
        }
        if (!ok || (i < segments.size() && !(route.segments.last().endsWith("*}"_L1))))
            continue;
        if (i != segments.size() && !route.segments.last().endsWith("*}"_L1))
            continue;
        if (route.method != method) {
            result.pathKnown = true;
            continue;
        }
        result.handler = &route.handler;
        result.dialect = route.dialect;
        result.params = std::move(params);
        return result;
    }
    return result;
}

} // namespace Maestro

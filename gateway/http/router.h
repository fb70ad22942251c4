#pragma once

#include "core/dialect.h"
#include "httpcontext.h"

#include <QHttpServerRequest>
#include <QList>
#include <QString>

#include <functional>

namespace Maestro {

// Method + path -> handler. Patterns are literal paths or contain {name} segments; a last
// segment {name*} takes the rest of the path, slashes included (model names such as
// "library/qwen:7b" contain them). Literal routes are found by hash, so the LLM endpoints cost
// one lookup.
class Router
{
public:
    using Method = QHttpServerRequest::Method;
    using Handler = std::function<void(HttpContext &)>;

    void add(Method method, const QString &pattern, Dialect dialect, Handler handler);

    struct Match
    {
        const Handler *handler = nullptr;
        Dialect dialect = Dialect::Admin;
        QHash<QString, QString> params;
        bool pathKnown = false; // the path exists for another method (405)
    };
    Match match(Method method, const QString &path) const;

private:
    struct Route
    {
        Method method;
        QStringList segments;
        Dialect dialect;
        Handler handler;
    };
    QHash<QString, qsizetype> m_literal; // "METHOD path" -> index
    QList<Route> m_routes;
};

} // namespace Maestro

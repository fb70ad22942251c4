#pragma once

#include "core/apierror.h"
#include "core/entityjson.h"

#include <QByteArray>
#include <QHash>
#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QUrlQuery>

#include <atomic>
#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace Maestro {

// What an admin handler needs of a request, copied on the I/O thread that received it, so the
// handler can run on the control thread after the QHttpServerRequest is gone.
struct AdminRequest
{
    QHttpServerRequest::Method method = QHttpServerRequest::Method::Get;
    QString path;
    QHash<QString, QString> params; // of the route pattern, percent-decoded
    QUrlQuery query;
    QByteArray body;
};

// The way back from the control thread to the I/O thread that holds an admin request's
// connection. Copies share the request. Nothing here waits: each call queues a message to that
// I/O thread, which writes the answer if its client is still there, and drops it when the client
// left or the request timed out meanwhile. Answer once.
class AdminReply
{
public:
    enum class Event {
        Answer,  // the whole response
        Waiting, // the handler waits on nodes, whose requests have timeouts of their own:
                 // the I/O thread stops timing the request
        Resumed, // the handler goes back to the database: timed again
    };
    using Sink = std::function<void(Event event, const QByteArray &response)>;

    AdminReply() = default;
    explicit AdminReply(Sink sink) : m_state(std::make_shared<State>(std::move(sink))) {}

    // The first answer goes out; any later one is dropped.
    void send(const QByteArray &wholeResponse) const
    {
        if (m_state && !m_state->answered.exchange(true))
            m_state->sink(Event::Answer, wholeResponse);
    }
    void waitOnNodes() const { notify(Event::Waiting); }
    void resume() const { notify(Event::Resumed); }
    bool isAnswered() const { return m_state && m_state->answered; }

private:
    struct State
    {
        explicit State(Sink s) : sink(std::move(s)) {}
        const Sink sink;
        std::atomic<bool> answered{false};
    };

    void notify(Event event) const
    {
        if (m_state && !m_state->answered)
            m_state->sink(event, {});
    }

    std::shared_ptr<State> m_state;
};

// One admin request on the control thread, as its handler sees it: the copied request, its
// route parameters, and ways to answer at once or, for a handler that waits on nodes, later
// through defer(). Errors are {"detail": "..."}.
class AdminContext
{
public:
    AdminContext(AdminRequest request, AdminReply reply);

    const AdminRequest &request() const { return m_request; }
    const QByteArray &body() const { return m_request.body; }
    QString param(const QString &name) const { return m_request.params.value(name); }
    QString query(const QString &name) const;
    // The body as a JSON object, or the 400 to send.
    Result<QJsonObject> jsonBody() const;
    // The route parameter `name` as a positive integer, the id of a `what` ("node"...). Anything
    // else ("abc", "1x", "-1", an overflow) is answered 400 naming it, and nullopt returned.
    std::optional<qint64> id(const QString &what, const QString &name = QStringLiteral("id"));

    void send(const QByteArray &wholeResponse);
    void sendJson(int status, const QJsonObject &object);
    void sendJson(int status, const QJsonArray &array);
    void sendNoContent();
    void fail(const ApiError &error);

    // Answers the error of a failed result and returns true: `if (ctx.failed(user)) return;`
    template<typename T>
    bool failed(const Result<T> &result)
    {
        if (result.ok())
            return false;
        fail(result.error());
        return true;
    }
    // The body read by `read` (a reader of core/entityjson.h), or nullopt once the 400 of a body
    // that is no JSON object, or that `read` refused, is answered:
    // `const auto input = ctx.readBody(promptInputFromJson); if (!input) return;`
    template<typename Read>
    auto readBody(Read read) -> std::optional<std::decay_t<decltype(read(QJsonObject()).value())>>
    {
        const auto body = jsonBody();
        if (failed(body))
            return std::nullopt;
        auto value = read(body.value());
        if (failed(value))
            return std::nullopt;
        return std::move(value.value());
    }
    // The body read by several readers, in order: the first that refuses it is answered.
    // `const auto read = ctx.readBody(groupInputFromJson, membersFromJson); if (!read) return;
    //  const auto &[group, members] = *read;`
    template<typename... Read>
        requires(sizeof...(Read) > 1)
    auto readBody(Read... read)
        -> std::optional<std::tuple<std::decay_t<decltype(read(QJsonObject()).value())>...>>
    {
        const auto body = jsonBody();
        if (failed(body))
            return std::nullopt;
        const std::tuple results{read(body.value())...};
        // || stops at the first refusal, which failed() answers.
        // (`self`, not `this`: clang 14 does not see `this` used in the fold and warns.)
        const auto refused = [self = this](const auto &...result) {
            return (self->failed(result) || ...);
        };
        if (std::apply(refused, results))
            return std::nullopt;
        return std::apply([](const auto &...result) { return std::tuple{result.value()...}; },
                          results);
    }
    // `status` with the value as its mapper writes it (toJson of core/entityjson.h), or the error.
    template<typename T>
    void answer(const Result<T> &result, int status = 200)
    {
        if (!failed(result))
            sendJson(status, toJson(result.value()));
    }
    // `status` with toJson(the value), or the error.
    template<typename T, std::invocable<const T &> ToJson>
    void answer(const Result<T> &result, ToJson toJson, int status = 200)
    {
        if (!failed(result))
            sendJson(status, toJson(result.value()));
    }
    // 204, or the error.
    template<typename T>
    void answerNoContent(const Result<T> &result)
    {
        if (!failed(result))
            sendNoContent();
    }

    // For a handler that answers after waiting on nodes: it returns without answering and
    // answers through the returned reply later (on the control thread).
    AdminReply defer();
    bool isAnswered() const { return m_reply.isAnswered(); }
    bool isDeferred() const { return m_deferred; }

private:
    AdminRequest m_request;
    AdminReply m_reply;
    bool m_deferred = false;
};

} // namespace Maestro

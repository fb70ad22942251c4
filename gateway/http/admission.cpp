#include "admission.h"
#include "errorbody.h"
#include "gateway.h"

#include <QElapsedTimer>

namespace Maestro {

namespace {

// A request waiting for the shared limit counters. It counts as a call in flight, so shutdown
// waits for its answer as it waits for streams.
class ParkedRequest final : public QObject
{
public:
    ParkedRequest(Gateway *gateway, ProxyPlan plan, QHttpServerResponder &&responder)
        : QObject(gateway)
        , m_gateway(gateway)
        , m_plan(std::move(plan))
        , m_responder(std::move(responder))
        , m_socket(m_responder.socket())
    {
        m_waited.start();
        m_gateway->callStarted(this);
    }
    ~ParkedRequest() override { m_gateway->callEnded(this); }

    void decided(const std::optional<ApiError> &refusal)
    {
        if (!refusal) {
            // A client that left meanwhile is noticed there, and its admission logged as 499.
            auto *call = new ProxyCall(m_gateway, std::move(m_plan), std::move(m_responder));
            call->start();
        } else {
            if (m_socket)
                m_socket->write(errorResponse(m_plan.client->dialect(), *refusal));
            // Refusals are counted in the metrics as the router counts those it answers itself,
            // and logged as Gateway::dispatch logs them.
            RequestLogEntry entry;
            entry.endpoint = m_plan.endpoint;
            entry.statusCode = refusal->httpStatus();
            m_gateway->metrics().record(entry, QString());
            entry.userId = m_plan.userId;
            entry.username = m_plan.username;
            entry.model = m_plan.displayModel;
            entry.dialect = dialectName(m_plan.client->dialect());
            entry.reason = refusal->logReason();
            entry.errorMessage = refusal->message;
            entry.durationMs = m_waited.elapsed();
            m_gateway->logRefusal(entry);
        }
        deleteLater();
    }

private:
    Gateway *m_gateway;
    ProxyPlan m_plan;
    QHttpServerResponder m_responder;
    QPointer<QTcpSocket> m_socket;
    QElapsedTimer m_waited;
};

} // namespace

void admitAndProxy(Gateway *gateway, HttpContext &ctx, const User &user, const ModelConfig *config, ProxyPlan plan)
{
    Limiter &limiter = gateway->limiter();
    const Limiter::Verdict verdict = limiter.admitNow(user, config);
    switch (verdict.kind) {
    case Limiter::Verdict::Kind::Refused:
        ctx.fail(verdict.refusal);
        return;
    case Limiter::Verdict::Kind::Admitted:
        (new ProxyCall(gateway, std::move(plan), std::move(ctx.responder())))->start();
        return;
    case Limiter::Verdict::Kind::Pending:
        break;
    }
    auto *parked = new ParkedRequest(gateway, std::move(plan), std::move(ctx.responder()));
    limiter.admitLater(user, config, parked, [parked](const std::optional<ApiError> &refusal) { parked->decided(refusal); });
}

} // namespace Maestro

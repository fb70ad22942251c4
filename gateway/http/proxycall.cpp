#include "proxycall.h"
#include "providers/noderequest.h"
#include "errorbody.h"
#include "gateway.h"
#include "httpwire.h"
#include "core/modelpolicy.h"
#include "providers/systemprompts.h"
#include "storage/usagewriter.h"

#include <QJsonDocument>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcGateway)

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

// Backpressure: unsent bytes for the client above which the node is paused, and below which it
// goes on. The gap keeps pause/resume from flapping on every write.
constexpr qint64 HighWaterBytes = 1024 * 1024;
constexpr qint64 LowWaterBytes = 256 * 1024;

QString seconds(int ms)
{
    return QString::number(ms / 1000.0);
}

} // namespace

ProxyCall::ProxyCall(Gateway *gateway, ProxyPlan plan, QHttpServerResponder &&responder)
    : QObject(gateway)
    , m_gateway(gateway)
    , m_plan(std::move(plan))
    , m_responder(std::move(responder))
    , m_socket(m_responder.socket())
{
    m_timer.start();
    m_gateway->callStarted(this);
}

ProxyCall::~ProxyCall()
{
    releaseReply();
    m_gateway->callEnded(this);
}

void ProxyCall::start()
{
    if (!m_socket) {
        complete(499, u"client went away before the request started"_s);
        return;
    }
    connect(m_socket, &QTcpSocket::disconnected, this, &ProxyCall::onClientGone);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &ProxyCall::onClientWritten);
    tryNext();
}

Result<QByteArray> ProxyCall::upstreamBody(const Attempt &attempt)
{
    const NodeType type = attempt.node->type;
    // Decided per attempt: node-scoped prompts depend on which node failover reached, and so
    // does what the node reported about the model (its capabilities).
    const SystemPrompts::Target target{m_plan.username, attempt.displayModel, attempt.realModel,
                                       m_plan.group, attempt.node->name, attempt.node->id};
    const QString prompts = SystemPrompts::block(m_plan.catalog->systemPrompts(), target);
    const NodeRequestShape shape = NodeRequestShape::forAttempt(*m_plan.catalog, m_plan.kind, m_plan.displayModel,
                                                                attempt);
    const auto make = [&]() -> Result<QByteArray> {
        const NodeAdapter &node = NodeAdapter::forType(type);
        const NodeType wire = node.wire();
        QJsonObject body = m_plan.body;
        body.insert(u"model"_s, attempt.realModel);
        body = m_plan.client->requestForNode(m_plan.kind, wire, body);
        // After translation, so that Anthropic and Responses requests are merged as the chat
        // messages they became, with their own system text already in place.
        SystemPrompts::inject(m_plan.kind, wire, prompts, &body);
        // After the prompts, so that the system message they made is folded with the others.
        if (auto refused = node.shapeRequest(shape, &body))
            return *refused;
        return node.encodeRequest(m_plan.kind, body);
    };
    // A plan that can ask one node only (most requests) makes one body: nothing to keep.
    if (m_plan.attempts.size() == 1 && m_plan.contextFallback.isEmpty())
        return make();
    const int vision = shape.vision ? int(*shape.vision) : -1;
    // One concatenation: a chain of arg() calls makes a string per step.
    const QString key = QString::number(int(type)) + u' ' + QString::number(attempt.contextLength) + u' '
        + QString::number(vision) + u' ' + attempt.realModel + u' ' + shape.model + u'\n' + prompts;
    auto it = m_bodies.find(key);
    if (it == m_bodies.end())
        it = m_bodies.insert(key, make());
    return *it;
}

void ProxyCall::tryNext()
{
    releaseReply();
    if (m_nextAttempt >= m_plan.attempts.size()) {
        if (m_shapeRefusal && m_lastError.isEmpty()) {
            // No node was asked: the request itself is at fault, and the client is told why.
            failBeforeStart(*m_shapeRefusal);
            return;
        }
        ApiError error{m_lastErrorKind, m_plan.attempts.size() > 1
                                            ? u"All %1 nodes serving %2 failed; last error: %3"_s.arg(m_plan.attempts.size()).arg(m_plan.displayModel, m_lastError)
                                            : u"The node serving %1 failed: %2"_s.arg(m_plan.displayModel, m_lastError)};
        failBeforeStart(error);
        return;
    }
    const Attempt attempt = m_plan.attempts.at(m_nextAttempt++);
    m_node = attempt.node;
    m_nodeAdapter = &NodeAdapter::forType(m_node->type);
    if (!m_nodeAdapter->serves(m_plan.kind)) {
        m_lastError = u"%1 (node type %2) serves chat only"_s.arg(m_node->name, nodeTypeName(m_node->type));
        m_lastErrorKind = ApiError::Kind::BadRequest;
        tryNext();
        return;
    }
    m_realModel = attempt.realModel;
    const ModelConfig *config
        = ModelPolicy::configFor(m_plan.catalog->modelConfigs(), m_plan.displayModel, attempt.realModel);
    m_keepThinkTags = config && config->keepThinkTags;
    m_upstreamStatus = 0;
    m_buffer.clear();
    m_translator.reset();
    m_nodeStream.reset();
    m_paused = false;

    const Result<QByteArray> body = upstreamBody(attempt);
    if (!body.ok()) {
        // This attempt's model cannot take the request; another member of a group may.
        if (!m_shapeRefusal)
            m_shapeRefusal = body.error();
        tryNext();
        return;
    }
    UpstreamRequest request = m_nodeAdapter->request(attempt, m_plan.catalog->apiKey(m_node->id), m_plan.kind,
                                                     body.value(), m_plan.stream);
    addNodeHeaders(&request, m_plan.catalog->nodeHeaders(m_node->id));
    m_gateway->applyUpstreamTimeouts(*m_node, &request);
    m_firstByteTimeoutMs = request.firstByteTimeoutMs;
    m_idleTimeoutMs = request.idleTimeoutMs;
    m_gateway->balancer().started(m_node->id);
    m_reply = m_gateway->upstream()->send(request);
    connect(m_reply, &UpstreamReply::headReceived, this, &ProxyCall::onHead);
    connect(m_reply, &UpstreamReply::dataReceived, this, &ProxyCall::onData);
    connect(m_reply, &UpstreamReply::finished, this, &ProxyCall::onFinished);
    connect(m_reply, &UpstreamReply::failed, this, &ProxyCall::onFailed);
}

void ProxyCall::releaseReply()
{
    if (m_reply) {
        m_reply->disconnect(this);
        if (!m_reply->isFinished())
            m_reply->abort();
        m_reply->deleteLater();
        m_reply = nullptr;
        if (m_node)
            m_gateway->balancer().finished(m_node->id);
    }
}

void ProxyCall::onHead()
{
    m_upstreamStatus = m_reply->status();
    if (m_upstreamStatus >= 200 && m_upstreamStatus < 300 && m_plan.stream) {
        m_translator = m_plan.client->streamTranslator(m_plan.kind, m_nodeAdapter->wire(), m_plan.answerModel(),
                                                       m_plan.body, m_keepThinkTags);
        m_nodeStream = m_nodeAdapter->openStream(m_gateway->maxUpstreamLineBytes());
    }
}

void ProxyCall::onData(const QByteArray &piece)
{
    if (!m_translator) {
        const qint64 limit = m_gateway->maxUpstreamBodyBytes();
        if (m_buffer.size() + piece.size() > limit) {
            releaseReply();
            failBeforeStart(ApiError::upstream(u"The response of %1 is larger than %2 bytes (max_upstream_body_bytes)"_s.arg(m_node->name).arg(limit)));
            return;
        }
        m_buffer += piece;
        return;
    }
    QByteArray out;
    m_nodeStream->feed(piece);
    NodeStream::Event event;
    while (m_nodeStream->next(&event)) {
        // Nothing of the stream is touched once an event ended the call or moved it on.
        if (!handleStreamEvent(event, &out))
            return;
    }
    writeStream(out);
    if (m_nodeStream->overflowed()) {
        // An endless line must not grow our memory: the parser dropped it, and the call ends.
        upstreamFailed(u"sent a stream line longer than %1 bytes (max_upstream_line_bytes)"_s
                           .arg(m_gateway->maxUpstreamLineBytes()));
    }
}

// Returns false when the call ended (failure relayed or retried).
bool ProxyCall::handleStreamEvent(const NodeStream::Event &event, QByteArray *out)
{
    if (m_streamEnded)
        return true;
    switch (event.kind) {
    case NodeStream::Event::Kind::Chunk:
        *out += m_translator->translate(event.object);
        return true;
    case NodeStream::Event::Kind::End:
        *out += m_translator->finish();
        m_streamEnded = true;
        return true;
    case NodeStream::Event::Kind::Error:
        break;
    }
    const QString message = event.message;
    writeStream(*out);
    out->clear();
    if (!m_headSent) {
        m_lastError = u"%1: %2"_s.arg(m_node->name, message);
        tryNext();
        return false;
    }
    if (m_socket)
        m_socket->write(Wire::chunk(streamFailure(message)) + Wire::lastChunk());
    m_usage = m_translator->usage();
    complete(502, message);
    return false;
}

void ProxyCall::writeStream(const QByteArray &bytes)
{
    if (bytes.isEmpty() || !m_socket)
        return;
    m_socket->write(streamHeadOnce() + Wire::chunk(bytes));
    if (!m_paused && m_reply && m_socket->bytesToWrite() > HighWaterBytes) {
        m_paused = true;
        m_reply->setPaused(true);
    }
}

void ProxyCall::onClientWritten()
{
    if (m_paused && m_socket && m_socket->bytesToWrite() < LowWaterBytes) {
        m_paused = false;
        if (m_reply)
            m_reply->setPaused(false);
    }
}

QByteArray ProxyCall::streamHeadOnce()
{
    if (m_headSent)
        return {};
    m_headSent = true;
    m_ttfbMs = m_timer.elapsed();
    // From here on no other attempt is made: the bodies kept for failover can go, rather than
    // stay with the stream for as long as it lasts.
    m_bodies.clear();
    return Wire::streamHead(200, m_plan.client->streamContentType());
}

void ProxyCall::finishStream()
{
    QByteArray out;
    m_nodeStream->finish();
    NodeStream::Event event;
    while (m_nodeStream->next(&event)) {
        if (!handleStreamEvent(event, &out))
            return;
    }
    if (!m_streamEnded) {
        out += m_translator->finish();
        m_streamEnded = true;
    }
    m_usage = m_translator->usage();
    if (!m_socket) {
        complete(499, u"client went away"_s);
        return;
    }
    m_socket->write(streamHeadOnce() + Wire::chunk(out) + Wire::lastChunk());
    complete(200, QString());
}

void ProxyCall::onFinished()
{
    const int status = m_upstreamStatus;
    if (status >= 500) {
        m_lastError = u"%1 answered %2: %3"_s.arg(m_node->name).arg(status).arg(m_nodeAdapter->errorMessage(m_buffer, status));
        m_lastErrorKind = ApiError::Kind::UpstreamFailed;
        tryNext();
        return;
    }
    if (status < 200 || status >= 300) {
        if (!m_usedContextFallback && !m_plan.contextFallback.isEmpty()
            && m_nodeAdapter->isContextRefusal(status, m_buffer)) {
            // Hand the request to the member meant for long inputs, before failing.
            m_usedContextFallback = true;
            m_lastError = u"%1 refused the request as too long"_s.arg(m_node->name);
            m_plan.attempts = m_plan.contextFallback;
            m_nextAttempt = 0;
            tryNext();
            return;
        }
        failBeforeStart(m_nodeAdapter->refusal(*m_node, status, m_buffer));
        return;
    }
    if (m_translator) {
        finishStream();
        return;
    }
    std::optional<QJsonObject> nodeBody = m_nodeAdapter->decodeAnswer(m_buffer);
    if (!nodeBody) {
        m_lastError = u"%1 returned a body that is not a JSON object"_s.arg(m_node->name);
        m_lastErrorKind = ApiError::Kind::UpstreamFailed;
        tryNext();
        return;
    }
    const QJsonObject response = m_plan.client->answer(m_plan.kind, m_nodeAdapter->wire(), std::move(*nodeBody),
                                                       m_plan.answerModel(), m_plan.body, &m_usage, m_keepThinkTags);
    m_ttfbMs = m_timer.elapsed();
    if (m_socket)
        m_socket->write(Wire::jsonResponse(200, QJsonDocument(response).toJson(QJsonDocument::Compact)));
    complete(200, QString());
}

void ProxyCall::onFailed(UpstreamError error, const QString &message)
{
    switch (error) {
    case UpstreamError::FirstByteTimeout:
        upstreamFailed(u"sent nothing for %1 s (first-byte timeout)"_s.arg(seconds(m_firstByteTimeoutMs)));
        return;
    case UpstreamError::Timeout:
        upstreamFailed(u"sent nothing for %1 s in the middle of its answer (idle timeout)"_s.arg(seconds(m_idleTimeoutMs)));
        return;
    default:
        break;
    }
    upstreamFailed(message);
}

void ProxyCall::upstreamFailed(const QString &reason)
{
    if (!m_headSent) {
        qCWarning(lcGateway).noquote() << u"node %1: %2; trying the next node for %3"_s.arg(m_node->name, reason,
                                                                                          m_plan.displayModel);
        m_lastError = u"%1: %2"_s.arg(m_node->name, reason);
        m_lastErrorKind = ApiError::Kind::UpstreamFailed;
        tryNext();
        return;
    }
    // The stream had started: end it in the client's dialect, then close the response cleanly.
    if (m_translator)
        m_usage = m_translator->usage();
    const QString text = u"The upstream stream from %1 broke off: %2"_s.arg(m_node->name, reason);
    if (m_socket)
        m_socket->write(Wire::chunk(streamFailure(text)) + Wire::lastChunk());
    complete(502, text);
}

void ProxyCall::onClientGone()
{
    releaseReply();
    if (m_translator)
        m_usage = m_translator->usage();
    complete(499, u"client closed the connection"_s);
}

QByteArray ProxyCall::streamFailure(const QString &message)
{
    return m_plan.client->streamError(message, m_translator.get());
}

void ProxyCall::failBeforeStart(const ApiError &error)
{
    if (m_headSent) {
        if (m_socket)
            m_socket->write(Wire::chunk(streamFailure(error.message)) + Wire::lastChunk());
    } else if (m_socket) {
        m_socket->write(errorResponse(m_plan.client->dialect(), error));
    }
    complete(error.httpStatus(), error.message);
}

void ProxyCall::complete(int status, const QString &error)
{
    if (m_done)
        return;
    m_done = true;
    if (m_socket)
        disconnect(m_socket, nullptr, this, nullptr);
    releaseReply();

    RequestLogEntry entry;
    entry.userId = m_plan.userId;
    entry.username = m_plan.username;
    entry.endpoint = m_plan.endpoint;
    entry.model = m_plan.displayModel;
    entry.realModel = m_realModel;
    entry.nodeId = m_node ? m_node->id : 0;
    entry.statusCode = status;
    entry.durationMs = m_timer.elapsed();
    entry.ttfbMs = m_ttfbMs;
    entry.promptTokens = std::max<qint64>(m_usage.promptTokens, 0);
    entry.completionTokens = std::max<qint64>(m_usage.completionTokens, 0);
    entry.streamed = m_plan.stream;
    entry.errorMessage = error;
    entry.createdAt = m_gateway->clock()->nowUtc();
    entry.dialect = dialectName(m_plan.client->dialect());
    m_gateway->limiter().addTokens(m_plan.userId, entry.totalTokens(), m_plan.limitedModel);
    m_gateway->metrics().record(entry, m_node ? m_node->name : QString());
    m_gateway->logRequest(std::move(entry));
    deleteLater();
}

} // namespace Maestro

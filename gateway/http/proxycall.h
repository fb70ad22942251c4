#pragma once

#include "core/apierror.h"
#include "core/catalog.h"
#include "core/entities.h"
#include "core/routeplanner.h"
#include "providers/clientdialects/clientdialect.h"
#include "providers/nodetypes/nodeadapter.h"
#include "providers/translate.h"
#include "providers/upstreamclient.h"

#include <QElapsedTimer>
#include <QHttpServerResponder>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>

#include <memory>
#include <optional>

namespace Maestro {

class Gateway;

// Everything decided about a request before it goes upstream.
struct ProxyPlan
{
    Translate::ApiKind kind = Translate::ApiKind::Chat;
    const ClientDialect *client = nullptr; // how the client is spoken to (ClientDialect::forRequest())
    QString endpoint;        // the client's path, for the log
    qint64 userId = 0;
    QString username;
    QString displayModel;    // as the client asked: a display name, real name or group
    // The name the client sent when it used an alias of displayModel ("claude-<name>"): the
    // answer carries it back. Empty: displayModel.
    QString clientModel;
    const QString &answerModel() const { return clientModel.isEmpty() ? displayModel : clientModel; }
    QString limitedModel;    // the pattern of the model configuration whose per-minute limits counted it
    QString group;           // the group the client asked for, empty when it named a model
    QJsonObject body;        // the client's body; "model" is set per attempt
    bool stream = false;
    QList<Attempt> attempts; // in the order to try them (RoutePlan::attempts)
    QList<Attempt> contextFallback; // tried once, when a node refuses the input as too long
    std::shared_ptr<const Catalog> catalog; // keeps the nodes alive for the call
};

// One proxied request: tries the planned nodes in order until one answers, relays the answer
// (translated to the client's dialect, streamed piece by piece as it arrives) and logs it. What
// is said to the client is its ClientDialect's business, what is said to a node its
// NodeAdapter's; this class only carries the exchange.
// A node that fails to connect or answers 5xx before anything reached the client is skipped
// for the next; after the first byte, a failure ends the stream with an error event. A client
// that goes away aborts the upstream request at once. A client that reads slower than the node
// writes holds the node back: past a high-water mark of unsent bytes the upstream reply is
// paused, so memory stays bounded whatever the client does. Deletes itself when done.
class ProxyCall final : public QObject
{
    Q_OBJECT

public:
    ProxyCall(Gateway *gateway, ProxyPlan plan, QHttpServerResponder &&responder);
    ~ProxyCall() override;

    void start();

private:
    void tryNext();
    void onHead();
    void onData(const QByteArray &piece);
    void onFinished();
    void onFailed(UpstreamError error, const QString &message);
    void onClientGone();
    void onClientWritten();
    // The node failed, or sent what cannot be relayed: the next node, or the stream's error end.
    // `reason` does not name the node; the messages built from it do.
    void upstreamFailed(const QString &reason);

    bool handleStreamEvent(const NodeStream::Event &event, QByteArray *out);
    void writeStream(const QByteArray &bytes);
    // The response head, the first time a stream writes (it also marks the time to first byte).
    QByteArray streamHeadOnce();
    void finishStream();
    void failBeforeStart(const ApiError &error);
    // The bytes that end a stream already under way with an error, in the client's dialect.
    QByteArray streamFailure(const QString &message);
    void complete(int status, const QString &error);
    void releaseReply();
    // The bytes to send for `attempt`, or why its model cannot take the request (a 400 in the
    // client's dialect: images to a model without vision under the "reject" setting, ...).
    Result<QByteArray> upstreamBody(const Attempt &attempt);

    Gateway *m_gateway;
    ProxyPlan m_plan;
    QHttpServerResponder m_responder;
    QPointer<QTcpSocket> m_socket;
    QElapsedTimer m_timer;

    qsizetype m_nextAttempt = 0;
    const Node *m_node = nullptr;
    const NodeAdapter *m_nodeAdapter = nullptr; // of m_node's type
    QString m_realModel;
    bool m_keepThinkTags = false; // the model configuration of the current attempt says so
    bool m_usedContextFallback = false;
    UpstreamReply *m_reply = nullptr;
    // Translated and shaped body per node type, real model, system prompts and vision.
    QHash<QString, Result<QByteArray>> m_bodies;
    // The first attempt refused before sending (upstreamBody()); answered when no node was tried.
    std::optional<ApiError> m_shapeRefusal;
    int m_upstreamStatus = 0;
    QByteArray m_buffer;
    QString m_lastError;
    ApiError::Kind m_lastErrorKind = ApiError::Kind::UpstreamFailed;

    // A streamed answer's reader and translator, made when its head arrives.
    std::unique_ptr<Translate::StreamTranslator> m_translator;
    std::unique_ptr<NodeStream> m_nodeStream;
    bool m_paused = false; // the upstream reply, for backpressure
    int m_firstByteTimeoutMs = 0;
    int m_idleTimeoutMs = 0;
    bool m_headSent = false;
    bool m_streamEnded = false;
    qint64 m_ttfbMs = -1;
    Usage m_usage;
    bool m_done = false;
};

} // namespace Maestro

#pragma once

#include "core/dialect.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QStringList>
#include <QUrl>

#include <atomic>
#include <memory>
#include <optional>

class QThread;

namespace Maestro::Test {

class FakeUpstreamServer;
class FakeUpstreamWorker;
class FakeUpstreamConnection;

struct RecordedRequest
{
    QByteArray method;
    QByteArray path; // as sent, query included
    QHash<QByteArray, QByteArray> headers; // lower-cased names; repeated headers joined by ", "
    QByteArray rawBody;
    QJsonObject body; // empty when the body is not a JSON object

    QByteArray header(const QByteArray &lowerCaseName) const
    {
        return headers.value(lowerCaseName);
    }
};

// A stand-in for an Ollama or OpenAI-compatible LLM server, speaking HTTP/1.1 on a raw
// QTcpServer so that tests control the exact bytes and timing (chunk boundaries, delays,
// mid-stream drops) and so that it stays much faster than the gateway it is measured against.
//
// Every request is answered from canned, deterministic content: the reply text streamed one word
// per event, prompt tokens = words in the request's content/prompt/text/input/system strings,
// completion tokens = number of streamed pieces. An Ollama /api/generate without a prompt only
// loads the model, as Ollama does: one JSON object with "done_reason": "load".
//
// The setters may be called at any time from the thread that owns the object; they apply to
// requests that arrive afterwards. With setThreadCount(n > 1) connections are served on worker
// threads and the signals are emitted from those threads (queued to receivers elsewhere).
class FakeUpstream final : public QObject
{
    Q_OBJECT

public:
    explicit FakeUpstream(NodeType type, QObject *parent = nullptr);
    ~FakeUpstream() override;

    NodeType nodeType() const { return m_type; }

    // Before listen(): serve connections on n worker threads (1 = the owner's thread).
    void setThreadCount(int n);

    // port 0 picks a free one. Listening again on the port of a previous session simulates a
    // node that comes back.
    bool listen(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0);
    // Stops listening and aborts every open connection, streams included (they count as
    // dropped, not cancelled): the node is gone, pooled keep-alive connections too.
    void close();
    bool isListening() const;
    quint16 port() const;
    QUrl baseUrl() const; // http://127.0.0.1:PORT, no trailing slash
    QString errorString() const;

    // --- Knobs ---
    void setModels(const QStringList &models);
    QStringList models() const;
    // Ollama: /api/tags lists these capabilities with the model, as newer Ollama versions do
    // ("completion", "vision", "tools"); empty lists none.
    void setModelCapabilities(const QString &model, const QStringList &capabilities);
    void setReplyText(const QString &text);
    void setReplyWords(int count); // deterministic text of that many words
    QString replyText() const;
    void setChunkDelay(int ms); // between stream events (pull progress lines too); 0 writes the whole stream at once
    // The next `count` requests (any path but the /__ ones) get `status` and the dialect's error
    // body, before any other byte.
    void failNext(int status, int count = 1);
    // The next request (any path but the /__ ones) gets `status` with exactly this JSON body,
    // before any other byte: for the error messages of particular servers.
    void failNextWith(int status, const QByteArray &body);
    // The next `count` streamed responses are cut after `events` stream events: the TCP
    // connection is closed without the terminating chunk.
    void dropAfterChunks(int events, int count = 1);
    // Ways a node can go wrong that only time or memory shows. Each applies to POST requests.
    enum class Misbehaviour {
        NeverAnswer,      // reads the request, then sends nothing at all
        StallAfterEvents, // a streamed answer stops after `amount` events (0: after the head)
                          // and the connection stays open, silent
        Flood,            // a streamed answer of at least `amount` bytes of events, written as
                          // fast as the socket takes them (see floodPiece)
        EndlessLine,      // after the stream head, `amount` bytes without a line end, then silence
    };
    // The next `count` POST requests misbehave so.
    void misbehaveNext(Misbehaviour how, qint64 amount = 0, int count = 1);
    // The content of event `index` of a Flood: 1000 bytes, different for every index.
    static QByteArray floodPiece(qint64 index);
    // While held, every stream stops before its last event (the end of the answer) and stays
    // open, counted as active, for as long as a test needs a node busy; releaseStreams() lets the
    // held ones finish. Held streams are written event by event even without a chunk delay.
    void holdStreams();
    void releaseStreams();

    // Chat answers become one tool call. argumentsJson is a JSON object text.
    void setToolCall(const QString &name, const QByteArray &argumentsJson);
    void clearToolCall();
    // With a tool call set: a chat whose last message is a tool result ("role": "tool") gets the
    // reply text instead, as a model answers once it has what it asked for.
    void setToolCallUntilResult(bool enabled);
    void setHealthy(bool healthy); // false: the model list endpoints answer 500
    // A request to exactly this path (query included) gets `status` with a small JSON body, any
    // method; 0 removes the rule. For the health-check URLs of nodes.
    void setPathStatus(const QByteArray &path, int status);
    // Non-empty: /api/pull fails as Ollama does for a model it cannot find (a streamed pull sends
    // "pulling manifest", then {"error": message}; an unstreamed one answers 500) and the model
    // list stays as it was.
    void setPullError(const QString &message);
    // Non-empty: /api/show of a model the node serves answers exactly this body (a real
    // server's recorded answer); empty: the canned llama answer.
    void setShowAnswer(const QByteArray &json);
    void setApiKey(const QString &key); // empty: no authentication
    // -1 restores the computed counts.
    void setTokenCounts(int promptTokens, int completionTokens);
    void setReportUsage(bool report); // false: no usage fields at all (some servers omit them)
    void setEmbeddingDimensions(int dimensions);
    // Recording (on by default) parses every body into RecordedRequest; the standalone
    // benchmark mode turns it off to stay on the fast path.
    void setRecording(bool enabled);

    // --- Observation ---
    int requestCount() const { return m_requestCount.load(); }
    QList<RecordedRequest> requests() const;
    RecordedRequest lastRequest() const;
    void clearRequests(); // also resets the counters below
    int activeStreams() const { return m_activeStreams.load(); }
    int maxConcurrentStreams() const { return m_maxConcurrentStreams.load(); }
    int completedStreams() const { return m_completedStreams.load(); }
    int cancelledStreams() const { return m_cancelledStreams.load(); } // client went away
    int droppedStreams() const { return m_droppedStreams.load(); } // dropAfterChunks or close()
    int openConnections() const { return m_openConnections.load(); }
    int acceptedConnections() const { return m_acceptedConnections.load(); }

Q_SIGNALS:
    void requestReceived(const QByteArray &method, const QByteArray &path);
    void streamStarted();
    void streamFinished();
    void streamCancelled();
    void streamDropped();
    void streamsReleased(); // after releaseStreams(), for the connections that wait for it

private:
    friend class FakeUpstreamServer;
    friend class FakeUpstreamWorker;
    friend class FakeUpstreamConnection;

    // Shared with the connection handlers; immutable once published, so a request in flight
    // keeps the settings it started with.
    struct Config
    {
        QList<QByteArray> models;
        QHash<QByteArray, QByteArray> capabilities; // model -> JSON array text, for /api/tags
        QByteArray replyText; // UTF-8
        QList<QByteArray> pieces; // JSON-escaped words, leading space kept
        QByteArray escapedReplyText;
        int chunkDelayMs = 0;
        QByteArray apiKey;
        bool healthy = true;
        QHash<QByteArray, int> pathStatus;
        QByteArray pullError; // UTF-8; empty: pulls succeed
        QByteArray showAnswer; // empty: the canned /api/show answer
        bool reportUsage = true;
        int promptTokens = -1;
        int completionTokens = -1;
        QByteArray toolName; // empty: no tool call
        QByteArray toolArguments; // JSON object text
        QList<QByteArray> toolArgumentPieces; // JSON-escaped string pieces
        bool toolCallUntilResult = false;
        int embeddingDimensions = 8;
        bool record = true;
    };

    struct Admission
    {
        std::shared_ptr<const Config> config;
        int failStatus = 0;
        QByteArray failBody; // empty: the dialect's error body
        qint64 serial = 0;
    };

    Admission admit(RecordedRequest *record);
    int takeDrop();
    struct Misbehaving
    {
        std::optional<Misbehaviour> how;
        qint64 amount = 0;
    };
    Misbehaving takeMisbehaviour();
    void noteModelLoaded(const QByteArray &model);
    QList<QByteArray> loadedModels() const;
    void onStreamStarted();
    void onStreamEnded(int how); // 0 completed, 1 cancelled, 2 dropped
    void onConnectionOpened();
    void onConnectionClosed();
    void handOff(qintptr descriptor);
    QByteArray statsJson() const;
    QByteArray requestsJson() const;

    template<typename Fn> void mutateConfig(Fn fn);

    const NodeType m_type;
    int m_threadCount = 1;
    FakeUpstreamServer *m_server = nullptr;
    QList<FakeUpstreamWorker *> m_workers;
    QList<QThread *> m_threads;
    int m_nextWorker = 0;

    std::atomic<bool> m_record { true };
    std::atomic<bool> m_holdStreams { false };
    mutable QMutex m_mutex; // guards everything below up to the other atomics
    std::shared_ptr<const Config> m_config;
    int m_failStatus = 0;
    int m_failRemaining = 0;
    QByteArray m_failBody;
    int m_dropEvents = -1;
    int m_dropRemaining = 0;
    Misbehaviour m_misbehaviour = Misbehaviour::NeverAnswer;
    qint64 m_misbehaviourAmount = 0;
    int m_misbehaviourRemaining = 0;
    QList<RecordedRequest> m_requests;
    QList<QByteArray> m_loaded;
    qint64 m_serial = 0;

    std::atomic<int> m_requestCount { 0 };
    std::atomic<int> m_activeStreams { 0 };
    std::atomic<int> m_maxConcurrentStreams { 0 };
    std::atomic<int> m_completedStreams { 0 };
    std::atomic<int> m_cancelledStreams { 0 };
    std::atomic<int> m_droppedStreams { 0 };
    std::atomic<int> m_openConnections { 0 };
    std::atomic<int> m_acceptedConnections { 0 };
};

} // namespace Maestro::Test

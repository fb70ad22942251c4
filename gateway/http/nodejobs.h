#pragma once

#include "core/entities.h"

#include <QHash>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <memory>

namespace Maestro {

class Control;

// Background work on nodes: the periodic probe (health and model discovery) and model warmup.
// It stays out of the way of user traffic: while a node has requests in flight, its background
// work waits and runs as soon as the node is idle, each node on its own. It never waits longer
// than `deferLimitMs`: a node streaming for an hour still gets checked, but a failed probe while
// its requests run does not take it down (bytes flowing are better evidence than a lost probe).
// What an admin asks for (check now, warm up now) is not deferred. Lives on the control thread.
// Its waits (the deferral, the probe and warmup intervals) are measured on the gateway's Clock, so
// tests move them on by advancing a clock of their own.
class NodeJobs final : public QObject
{
    Q_OBJECT

public:
    NodeJobs(Control *control, int deferLimitMs, QObject *parent = nullptr);

    // Warmup loads models on Ollama nodes that are active and not known to be down.
    static bool canWarm(const Node &node);

    // The periodic probe of every active node.
    void probeAll();
    // Loads every discovered model of each node with warmup enabled once per the interval of
    // the warmup settings (which an admin change may replace, so they are read at each tick).
    void startSchedule();
    // Queues models of a node for warmup when the node has it enabled (after discovery found
    // them); they load one at a time, when the node is idle.
    void queueWarmup(qint64 nodeId, const QStringList &models);
    // Every discovered model of every node with warmup enabled.
    void queueWarmupAll();
    void stop();

    struct WarmOutcome
    {
        QString model;
        bool ok = false;
        QString error;
        qint64 durationMs = 0;
    };
    using WarmDone = std::function<void(const QList<WarmOutcome> &)>;
    // Loads the models now, one after the other, whatever the node's traffic; done gets each
    // model's outcome (unless context is gone by then).
    void warmNow(const Node &node, const QStringList &models, QObject *context, WarmDone done);

private:
    static constexpr qint64 NotWaiting = -1; // for a time on the clock

    struct WarmQueue
    {
        QStringList models;
        qint64 waitingSince = NotWaiting; // since when it waits for the node to be idle
        bool loading = false;
    };
    struct WarmRun
    {
        Node node;
        QStringList models;
        QList<WarmOutcome> outcomes;
        QPointer<QObject> context;
        WarmDone done;
    };

    qint64 nowMs() const; // on the gateway's clock
    // Milliseconds on the gateway's clock since `since` (a time it gave). It is wall time: when it
    // went back, `since` moves back with it, so a wait starts over instead of lasting until the
    // clock is where it was.
    qint64 elapsedSince(qint64 &since) const;
    // Whether background work on the node may start now: the node is idle, or the work has
    // waited since `since` for the limit (then *busy). Otherwise starts the wait.
    bool mayStart(qint64 nodeId, qint64 &since, bool *busy);
    void startProbe(qint64 nodeId, bool busy);
    void pumpWarmup(qint64 nodeId);
    void warmNext(const std::shared_ptr<WarmRun> &run);
    void poll();
    void onScheduleTick();
    // POST /api/generate {"model", "keep_alive"} without a prompt: Ollama loads the model and
    // answers without generating. Counts as a request in flight on the node while it runs.
    // `node` is read only before load() returns.
    void load(const Node &node, const QString &apiKey, const QList<QPair<QByteArray, QByteArray>> &headers,
              const QString &model, std::function<void(bool ok, QString error)> done);

    Control *m_control;
    int m_deferLimitMs;
    QHash<qint64, qint64> m_probesWaiting; // since when
    QHash<qint64, qint64> m_lastProbe;
    QHash<qint64, WarmQueue> m_warmups;
    qint64 m_lastScheduledWarmup = 0;
    QTimer m_poll;     // runs while work waits for idle nodes
    QTimer m_schedule; // the warmup schedule
};

} // namespace Maestro

#pragma once

#include "entities.h"

#include <QHash>
#include <QMutex>
#include <QString>

#include <array>

namespace Maestro {

// Request figures for GET /metrics (Prometheus text format). Every finished request is recorded
// once, from any I/O thread; rendering takes a consistent copy. Labels are bounded by the number
// of endpoints, models and nodes an administrator configured.
class Metrics
{
public:
    void record(const RequestLogEntry &entry, const QString &nodeName);

    struct Gauges
    {
        int activeRequests = 0;
        struct NodeState
        {
            QString name;
            bool up = false;
            int inFlight = 0;
        };
        QList<NodeState> nodes;
    };
    QByteArray render(const Gauges &gauges) const;

private:
    static constexpr std::array<double, 12> Buckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                       0.5,   1,    2.5,   5,    10,  30};
    struct Histogram
    {
        std::array<quint64, Buckets.size()> counts{};
        quint64 count = 0;
        double sum = 0;
        void observe(double seconds);
    };
    struct Series
    {
        quint64 requests = 0;
        quint64 errors = 0;
        quint64 promptTokens = 0;
        quint64 completionTokens = 0;
        Histogram firstByte;
        Histogram duration;
    };

    mutable QMutex m_mutex;
    QHash<QString, Series> m_byModel;          // model (as requested)
    QHash<QString, Series> m_byNode;           // node name
    QHash<QString, quint64> m_byStatus;        // "endpoint\tstatus"
};

} // namespace Maestro

#include "metrics.h"

#include <QMutexLocker>

#include <map>

namespace Maestro {

namespace {

// Prometheus label values escape backslash, quote and newline.
QByteArray label(const QString &value)
{
    QByteArray out = value.toUtf8();
    out.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return out;
}

template<typename V>
std::map<QString, V> sorted(const QHash<QString, V> &hash)
{
    std::map<QString, V> map;
    for (auto it = hash.cbegin(); it != hash.cend(); ++it)
        map.emplace(it.key(), it.value());
    return map;
}

QByteArray number(double value)
{
    return QByteArray::number(value, 'g', 12);
}

} // namespace

void Metrics::Histogram::observe(double seconds)
{
    for (size_t i = 0; i < Buckets.size(); ++i) {
        if (seconds <= Buckets[i])
            ++counts[i];
    }
    ++count;
    sum += seconds;
}

void Metrics::record(const RequestLogEntry &entry, const QString &nodeName)
{
    const bool error = entry.statusCode >= 400;
    QMutexLocker lock(&m_mutex);
    ++m_byStatus[entry.endpoint + u'\t' + QString::number(entry.statusCode)];
    auto update = [&](Series &series) {
        ++series.requests;
        series.errors += error ? 1 : 0;
        series.promptTokens += quint64(std::max<qint64>(entry.promptTokens, 0));
        series.completionTokens += quint64(std::max<qint64>(entry.completionTokens, 0));
        if (entry.ttfbMs >= 0 && !error)
            series.firstByte.observe(double(entry.ttfbMs) / 1000.0);
        series.duration.observe(double(entry.durationMs) / 1000.0);
    };
    update(m_byModel[entry.model]);
    if (!nodeName.isEmpty())
        update(m_byNode[nodeName]);
}

QByteArray Metrics::render(const Gauges &gauges) const
{
    QMutexLocker lock(&m_mutex);
    QByteArray out;
    out.reserve(8192);
    auto help = [&out](const QByteArray &name, const char *type, const char *text) {
        out += "# HELP ";
        out += name;
        out += ' ';
        out += text;
        out += "\n# TYPE ";
        out += name;
        out += ' ';
        out += type;
        out += '\n';
    };
    // Sorted output keeps scrapes stable and diffs readable.
    const std::map<QString, quint64> statuses = sorted(m_byStatus);
    help("maestro_requests_total", "counter", "Requests answered, by endpoint and HTTP status.");
    for (const auto &[key, count] : statuses) {
        const qsizetype tab = key.indexOf(u'\t');
        out += "maestro_requests_total{endpoint=\"" + label(key.left(tab)) + "\",status=\""
            + label(key.mid(tab + 1)) + "\"} " + QByteArray::number(count) + '\n';
    }
    auto series = [&](const char *prefix, const char *labelName, const QHash<QString, Series> &map) {
        const std::map<QString, Series> ordered = sorted(map);
        const QByteArray base = QByteArray("maestro_") + prefix;
        help(QByteArray(base + "_requests_total"), "counter", "Requests, by model or node.");
        for (const auto &[name, s] : ordered)
            out += base + "_requests_total{" + labelName + "=\"" + label(name) + "\"} " + QByteArray::number(s.requests) + '\n';
        help(QByteArray(base + "_errors_total"), "counter", "Requests that ended with status 400 or more.");
        for (const auto &[name, s] : ordered)
            out += base + "_errors_total{" + labelName + "=\"" + label(name) + "\"} " + QByteArray::number(s.errors) + '\n';
        help(QByteArray(base + "_tokens_total"), "counter", "Tokens as the upstream counted them.");
        for (const auto &[name, s] : ordered) {
            out += base + "_tokens_total{" + labelName + "=\"" + label(name) + "\",type=\"prompt\"} " + QByteArray::number(s.promptTokens) + '\n';
            out += base + "_tokens_total{" + labelName + "=\"" + label(name) + "\",type=\"completion\"} " + QByteArray::number(s.completionTokens) + '\n';
        }
        auto histogram = [&](const QByteArray &name, const char *text, Histogram Series::*member) {
            help(name, "histogram", text);
            for (const auto &[key, s] : ordered) {
                const Histogram &h = s.*member;
                const QByteArray labels = QByteArray(labelName) + "=\"" + label(key) + "\"";
                for (size_t i = 0; i < Buckets.size(); ++i)
                    out += name + "_bucket{" + labels + ",le=\"" + number(Buckets[i]) + "\"} " + QByteArray::number(h.counts[i]) + '\n';
                out += name + "_bucket{" + labels + ",le=\"+Inf\"} " + QByteArray::number(h.count) + '\n';
                out += name + "_sum{" + labels + "} " + number(h.sum) + '\n';
                out += name + "_count{" + labels + "} " + QByteArray::number(h.count) + '\n';
            }
        };
        histogram(QByteArray(base + "_time_to_first_byte_seconds"), "Time until the first byte reached the client.", &Series::firstByte);
        histogram(QByteArray(base + "_duration_seconds"), "Whole request duration, upstream included.", &Series::duration);
    };
    series("model", "model", m_byModel);
    series("node", "node", m_byNode);
    help("maestro_active_requests", "gauge", "Requests in flight (streams included).");
    out += "maestro_active_requests " + QByteArray::number(gauges.activeRequests) + '\n';
    help("maestro_node_up", "gauge", "1 when the node is active and its last health check passed.");
    for (const auto &node : gauges.nodes)
        out += "maestro_node_up{node=\"" + label(node.name) + "\"} " + (node.up ? "1" : "0") + '\n';
    help("maestro_node_in_flight", "gauge", "Requests in flight per node.");
    for (const auto &node : gauges.nodes)
        out += "maestro_node_in_flight{node=\"" + label(node.name) + "\"} " + QByteArray::number(node.inFlight) + '\n';
    return out;
}

} // namespace Maestro

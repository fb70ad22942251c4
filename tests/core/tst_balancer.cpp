#include "core/balancer.h"

#include <QTest>

#include <memory>

using namespace Maestro;
using namespace Qt::StringLiterals;

namespace {

struct NodeSpec
{
    qint64 id = 0;
    int priority = 0;
    int weight = 100;
    int inFlight = 0;
};

using NodeSpecs = QList<NodeSpec>;
using Ids = QList<qint64>;
using Tickets = QList<quint32>;

NodeSpec spec(qint64 id, int priority = 0, int weight = 100, int inFlight = 0)
{
    return { id, priority, weight, inFlight };
}

} // namespace

Q_DECLARE_METATYPE(NodeSpecs)
Q_DECLARE_METATYPE(Maestro::RoutingStrategy)

class TestBalancer final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void strategyNames_data();
    void strategyNames();
    void pick_data();
    void pick();
    void failoverOrder_data();
    void failoverOrder();
    void roundRobinIsPerModel_data();
    void roundRobinIsPerModel();
    void weightedFollowsWeights_data();
    void weightedFollowsWeights();
    void inFlightCounting();

private:
    // Builds the nodes, sets their requests in flight on m_balancer and returns them in the
    // order given (the candidates as the catalog would hand them over).
    QList<const Node *> setUp(const NodeSpecs &specs);
    static Ids ids(const QList<const Node *> &nodes);

    std::unique_ptr<Balancer> m_balancer = std::make_unique<Balancer>();
    QList<Node> m_nodes;
};

QList<const Node *> TestBalancer::setUp(const NodeSpecs &specs)
{
    m_balancer = std::make_unique<Balancer>();
    m_nodes.clear();
    m_nodes.reserve(specs.size()); // the pointers handed out must stay valid
    for (const NodeSpec &s : specs) {
        Node node;
        node.id = s.id;
        node.name = u"node-%1"_s.arg(s.id);
        node.priority = s.priority;
        node.weight = s.weight;
        m_nodes.append(node);
        for (int i = 0; i < s.inFlight; ++i)
            m_balancer->started(s.id);
    }
    QList<const Node *> candidates;
    for (const Node &node : std::as_const(m_nodes))
        candidates.append(&node);
    return candidates;
}

Ids TestBalancer::ids(const QList<const Node *> &nodes)
{
    Ids result;
    for (const Node *node : nodes)
        result.append(node->id);
    return result;
}

void TestBalancer::strategyNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("known");
    QTest::addColumn<RoutingStrategy>("strategy");
    QTest::addColumn<QString>("canonical");

    QTest::newRow("round_robin is the round-robin strategy")
        << u"round_robin"_s << true << RoutingStrategy::RoundRobin << u"round_robin"_s;
    QTest::newRow("weighted is the weighted strategy")
        << u"weighted"_s << true << RoutingStrategy::Weighted << u"weighted"_s;
    QTest::newRow("priority is the priority strategy")
        << u"priority"_s << true << RoutingStrategy::Priority << u"priority"_s;
    QTest::newRow("least_busy is the least-busy strategy")
        << u"least_busy"_s << true << RoutingStrategy::LeastBusy << u"least_busy"_s;
    QTest::newRow("least-busy with a dash is accepted and named least_busy")
        << u"least-busy"_s << true << RoutingStrategy::LeastBusy << u"least_busy"_s;
    QTest::newRow("least_loaded is accepted as least_busy")
        << u"least_loaded"_s << true << RoutingStrategy::LeastBusy << u"least_busy"_s;
    QTest::newRow("an empty name is not a strategy")
        << QString() << false << RoutingStrategy::RoundRobin << QString();
    QTest::newRow("random is not a strategy")
        << u"random"_s << false << RoutingStrategy::RoundRobin << QString();
    QTest::newRow("a name with surrounding spaces is not a strategy")
        << u" weighted "_s << false << RoutingStrategy::RoundRobin << QString();
}

void TestBalancer::strategyNames()
{
    QFETCH(QString, name);
    QFETCH(bool, known);
    QFETCH(RoutingStrategy, strategy);
    QFETCH(QString, canonical);

    const auto parsed = routingStrategyFromName(name);
    QCOMPARE(parsed.has_value(), known);
    if (!known)
        return;
    QCOMPARE(*parsed, strategy);
    QCOMPARE(routingStrategyName(*parsed), canonical);
    // The canonical name parses back to the same strategy.
    QCOMPARE(routingStrategyFromName(routingStrategyName(strategy)), std::optional(strategy));
}

void TestBalancer::pick_data()
{
    QTest::addColumn<NodeSpecs>("nodes");
    QTest::addColumn<RoutingStrategy>("strategy");
    QTest::addColumn<Tickets>("tickets"); // what the random source returns, in turn
    QTest::addColumn<bool>("countPicks"); // call started() on each pick, as the gateway does
    QTest::addColumn<Ids>("expectedPicks");

    const auto RR = RoutingStrategy::RoundRobin;
    const auto W = RoutingStrategy::Weighted;
    const auto P = RoutingStrategy::Priority;
    const auto LB = RoutingStrategy::LeastBusy;

    QTest::newRow("priority: the node with the highest priority is picked")
        << NodeSpecs { spec(1, 0), spec(2, 5), spec(3, 1) } << P << Tickets {} << false
        << Ids { 2, 2, 2 };
    QTest::newRow("priority: a negative priority loses to the default")
        << NodeSpecs { spec(1, -3), spec(2, 0) } << P << Tickets {} << false << Ids { 2 };
    QTest::newRow("priority: equal priorities go to the node with fewer requests in flight")
        << NodeSpecs { spec(1, 0, 100, 2), spec(2, 0, 100, 0) } << P << Tickets {} << false
        << Ids { 2 };
    QTest::newRow("priority: equal priority and load pick the lowest id")
        << NodeSpecs { spec(7), spec(3), spec(5) } << P << Tickets {} << false << Ids { 3 };
    QTest::newRow("priority: a higher priority wins even when it is busier")
        << NodeSpecs { spec(1, 0, 100, 0), spec(2, 1, 100, 9) } << P << Tickets {} << false
        << Ids { 2 };

    QTest::newRow("round_robin: alternates over the nodes of one model")
        << NodeSpecs { spec(1), spec(2), spec(3) } << RR << Tickets {} << false
        << Ids { 1, 2, 3, 1, 2, 3, 1 };
    QTest::newRow("round_robin: rotates by id whatever order the candidates come in")
        << NodeSpecs { spec(3), spec(1), spec(2) } << RR << Tickets {} << false
        << Ids { 1, 2, 3, 1 };
    QTest::newRow("round_robin: ignores priority and load when rotating")
        << NodeSpecs { spec(1, 0, 100, 3), spec(2, 9) } << RR << Tickets {} << true
        << Ids { 1, 2, 1, 2 };

    QTest::newRow("weighted: the ticket falls into the weight ranges in failover order")
        << NodeSpecs { spec(1, 0, 30), spec(2, 0, 70) } << W << Tickets { 0, 29, 30, 99 } << false
        << Ids { 1, 1, 2, 2 };
    QTest::newRow("weighted: a node with weight 0 is never picked")
        << NodeSpecs { spec(1, 0, 0), spec(2, 0, 50), spec(3, 0, 50) } << W
        << Tickets { 0, 49, 50, 99 } << false << Ids { 2, 2, 3, 3 };
    QTest::newRow("weighted: ranges follow the priority order, not the id order")
        << NodeSpecs { spec(1, 0, 10), spec(2, 1, 90) } << W << Tickets { 0, 89, 90, 99 } << false
        << Ids { 2, 2, 1, 1 };
    QTest::newRow("weighted: when every weight is 0 the failover order's first node is picked")
        << NodeSpecs { spec(1, 0, 0), spec(2, 1, 0) } << W << Tickets {} << false << Ids { 2, 2 };

    QTest::newRow("least_busy: the node with the fewest requests in flight is picked")
        << NodeSpecs { spec(1, 0, 100, 3), spec(2, 0, 100, 1), spec(3, 0, 100, 2) } << LB
        << Tickets {} << false << Ids { 2 };
    QTest::newRow("least_busy: requests in flight count relative to weight")
        << NodeSpecs { spec(1, 0, 100, 2), spec(2, 0, 300, 3) } << LB << Tickets {} << false
        << Ids { 2 };
    QTest::newRow("least_busy: ties go to the higher priority")
        << NodeSpecs { spec(1, 0), spec(2, 3) } << LB << Tickets {} << false << Ids { 2 };
    QTest::newRow("least_busy: a busy high-priority node loses to an idle one")
        << NodeSpecs { spec(1, 0, 100, 0), spec(2, 5, 100, 1) } << LB << Tickets {} << false
        << Ids { 1 };
    QTest::newRow("least_busy: concurrent requests spread over equal nodes")
        << NodeSpecs { spec(1), spec(2), spec(3) } << LB << Tickets {} << true
        << Ids { 1, 2, 3, 1, 2, 3 };
    QTest::newRow("least_busy: a node with twice the weight takes twice the requests")
        << NodeSpecs { spec(1, 0, 200), spec(2, 0, 100) } << LB << Tickets {} << true
        << Ids { 1, 2, 1, 2, 1, 1 };

    QTest::newRow("any strategy: a single candidate is picked")
        << NodeSpecs { spec(4, 0, 0) } << W << Tickets {} << false << Ids { 4 };
}

void TestBalancer::pick()
{
    QFETCH(NodeSpecs, nodes);
    QFETCH(RoutingStrategy, strategy);
    QFETCH(Tickets, tickets);
    QFETCH(bool, countPicks);
    QFETCH(Ids, expectedPicks);

    const QList<const Node *> candidates = setUp(nodes);
    qsizetype next = 0;
    QList<quint32> bounds;
    m_balancer->setRandomSource([&](quint32 bound) {
        bounds.append(bound);
        return tickets.isEmpty() ? 0u : tickets.at(next++ % tickets.size());
    });

    Ids picks;
    for (qsizetype i = 0; i < expectedPicks.size(); ++i) {
        const QList<const Node *> order = m_balancer->order(candidates, strategy, u"model"_s);
        QCOMPARE(order.size(), candidates.size());
        picks.append(order.first()->id);
        if (countPicks)
            m_balancer->started(order.first()->id);
    }
    QCOMPARE(picks, expectedPicks);

    // The weighted strategy draws from the sum of the weights, once per request.
    quint32 totalWeight = 0;
    for (const NodeSpec &s : std::as_const(nodes))
        totalWeight += quint32(std::max(s.weight, 0));
    if (strategy == RoutingStrategy::Weighted && nodes.size() > 1 && totalWeight > 0) {
        QCOMPARE(bounds.size(), expectedPicks.size());
        for (quint32 bound : std::as_const(bounds))
            QCOMPARE(bound, totalWeight);
    }
}

void TestBalancer::failoverOrder_data()
{
    QTest::addColumn<NodeSpecs>("nodes");
    QTest::addColumn<RoutingStrategy>("strategy");
    QTest::addColumn<Tickets>("tickets");
    QTest::addColumn<Ids>("expectedOrder");

    QTest::newRow("failover: after a round-robin pick the others follow by priority")
        << NodeSpecs { spec(1, 0), spec(2, 5), spec(3, 3) } << RoutingStrategy::RoundRobin
        << Tickets {} << Ids { 1, 2, 3 };
    QTest::newRow("failover: among equal priorities the less busy node comes first")
        << NodeSpecs { spec(1, 0, 100, 2), spec(2, 0, 100, 0), spec(3, 1, 100, 5) }
        << RoutingStrategy::Priority << Tickets {} << Ids { 3, 2, 1 };
    QTest::newRow("failover: a weighted pick moves to the front, the rest keep priority order")
        << NodeSpecs { spec(1, 2, 10), spec(2, 1, 10), spec(3, 0, 10) } << RoutingStrategy::Weighted
        << Tickets { 25 } << Ids { 3, 1, 2 };
    QTest::newRow("failover: a least-busy pick moves to the front, the rest keep priority order")
        << NodeSpecs { spec(1, 5, 100, 4), spec(2, 0, 100, 0), spec(3, 1, 100, 1) }
        << RoutingStrategy::LeastBusy << Tickets {} << Ids { 2, 1, 3 };
    QTest::newRow("failover: a weight-0 node is still a failover target")
        << NodeSpecs { spec(1, 9, 0), spec(2, 0, 100) } << RoutingStrategy::Weighted
        << Tickets { 0 } << Ids { 2, 1 };
    QTest::newRow("failover: no candidates give an empty order")
        << NodeSpecs {} << RoutingStrategy::Priority << Tickets {} << Ids {};
}

void TestBalancer::failoverOrder()
{
    QFETCH(NodeSpecs, nodes);
    QFETCH(RoutingStrategy, strategy);
    QFETCH(Tickets, tickets);
    QFETCH(Ids, expectedOrder);

    const QList<const Node *> candidates = setUp(nodes);
    qsizetype next = 0;
    m_balancer->setRandomSource(
        [&](quint32) { return tickets.isEmpty() ? 0u : tickets.at(next++ % tickets.size()); });
    QCOMPARE(ids(m_balancer->order(candidates, strategy, u"model"_s)), expectedOrder);
}

void TestBalancer::roundRobinIsPerModel_data()
{
    QTest::addColumn<QStringList>("models");
    QTest::addColumn<Ids>("expectedPicks");

    QTest::newRow("round_robin: each model keeps its own rotation")
        << QStringList { u"a"_s, u"a"_s, u"b"_s, u"b"_s, u"a"_s, u"b"_s }
        << Ids { 1, 2, 1, 2, 1, 1 };
    QTest::newRow("round_robin: interleaved models both alternate")
        << QStringList { u"a"_s, u"b"_s, u"a"_s, u"b"_s } << Ids { 1, 1, 2, 2 };
}

void TestBalancer::roundRobinIsPerModel()
{
    QFETCH(QStringList, models);
    QFETCH(Ids, expectedPicks);

    const QList<const Node *> candidates = setUp({ spec(1), spec(2) });
    Ids picks;
    for (const QString &model : std::as_const(models))
        picks.append(m_balancer->order(candidates, RoutingStrategy::RoundRobin, model).first()->id);
    QCOMPARE(picks, expectedPicks);
}

void TestBalancer::weightedFollowsWeights_data()
{
    QTest::addColumn<QList<int>>("weights");

    QTest::newRow("weighted: weights 1:3 give one pick in four to the first node")
        << QList<int> { 25, 75 };
    QTest::newRow("weighted: three nodes share by 50:30:20") << QList<int> { 50, 30, 20 };
    QTest::newRow("weighted: a node with weight 0 is never picked") << QList<int> { 0, 10, 30 };
}

void TestBalancer::weightedFollowsWeights()
{
    QFETCH(QList<int>, weights);

    NodeSpecs nodes;
    int total = 0;
    for (qsizetype i = 0; i < weights.size(); ++i) {
        nodes.append(spec(i + 1, 0, weights.at(i)));
        total += weights.at(i);
    }
    const QList<const Node *> candidates = setUp(nodes);
    // Walk every ticket once: each node must be picked exactly as often as its weight says.
    quint32 ticket = 0;
    m_balancer->setRandomSource([&](quint32 bound) { return ticket++ % bound; });
    QHash<qint64, int> picks;
    for (int i = 0; i < total; ++i)
        ++picks[m_balancer->order(candidates, RoutingStrategy::Weighted, u"m"_s).first()->id];
    for (qsizetype i = 0; i < weights.size(); ++i)
        QCOMPARE(picks.value(i + 1), weights.at(i));
}

void TestBalancer::inFlightCounting()
{
    Balancer balancer;
    QCOMPARE(balancer.activeTotal(), 0);
    balancer.started(1);
    balancer.started(1);
    balancer.started(2);
    QCOMPARE(balancer.active(1), 2);
    QCOMPARE(balancer.active(2), 1);
    QCOMPARE(balancer.activeTotal(), 3);
    balancer.finished(1);
    balancer.finished(1);
    QCOMPARE(balancer.active(1), 0);
    // A stray finished() (a node deleted mid-request) never makes a count negative.
    balancer.finished(1);
    balancer.finished(3);
    QCOMPARE(balancer.active(1), 0);
    QCOMPARE(balancer.active(3), 0);
    QCOMPARE(balancer.activeTotal(), 1);
}

QTEST_GUILESS_MAIN(TestBalancer)
#include "tst_balancer.moc"

#include "dashboardpage.h"
#include "gatewayclient.h"
#include "uiutil.h"
#include "usagechart.h"

#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace Ui;

namespace {

QLabel *heading(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    return label;
}

struct Ranked
{
    QString name;
    qint64 requests = 0;
    qint64 tokens = 0;
};

QList<Ranked> rank(const QHash<QString, Ranked> &totals, int count)
{
    QList<Ranked> list = totals.values();
    std::sort(list.begin(), list.end(), [](const Ranked &a, const Ranked &b) {
        return a.requests != b.requests ? a.requests > b.requests : a.name < b.name;
    });
    return list.mid(0, count);
}

} // namespace

DashboardPage::DashboardPage(GatewayClient *client, QWidget *parent)
    : Page(client, parent)
    , m_chart(new UsageChart(this))
    , m_topUsers(new QTableWidget(this))
    , m_topModels(new QTableWidget(this))
{
    auto *cards = new QHBoxLayout;
    cards->setSpacing(12);
    m_nodes = addCard(tr("Nodes"), this, cards, &m_nodesCaption);
    m_requestsToday = addCard(tr("Requests today"), this, cards, &m_requestsCaption);
    m_tokensToday = addCard(tr("Tokens today"), this, cards, &m_tokensCaption);
    m_streams = addCard(tr("Active requests"), this, cards, &m_streamsCaption);
    m_nodes->setObjectName(u"nodesValue"_s);
    m_requestsToday->setObjectName(u"requestsToday"_s);
    m_tokensToday->setObjectName(u"tokensToday"_s);
    m_streams->setObjectName(u"activeStreams"_s);

    m_topUsers->setObjectName(u"topUsers"_s);
    m_topModels->setObjectName(u"topModels"_s);
    for (QTableWidget *table : {m_topUsers, m_topModels}) {
        setupTable(table, {table == m_topUsers ? tr("User") : tr("Model"), tr("Requests"), tr("Tokens")});
        table->setSelectionMode(QAbstractItemView::NoSelection);
        table->setFocusPolicy(Qt::NoFocus);
        table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
        table->horizontalHeader()->setStretchLastSection(false);
        table->setColumnWidth(1, 90);
        table->setColumnWidth(2, 110);
    }

    auto *grid = new QGridLayout;
    grid->setHorizontalSpacing(16);
    grid->addWidget(heading(tr("Top users (24 h)"), this), 0, 0);
    grid->addWidget(heading(tr("Top models (24 h)"), this), 0, 1);
    grid->addWidget(m_topUsers, 1, 0);
    grid->addWidget(m_topModels, 1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(cards);
    layout->addSpacing(8);
    layout->addWidget(heading(tr("Requests per hour, last 24 hours"), this));
    layout->addWidget(m_chart, 3);
    layout->addSpacing(8);
    layout->addLayout(grid, 2);

    connect(m_client, &GatewayClient::snapshotChanged, this, &DashboardPage::updateNodes);
    connect(m_client, &GatewayClient::callsChanged, this, &DashboardPage::updateNodes);
    connect(m_client, &GatewayClient::requestLogged, this, [this](const RequestLogEntry &entry) {
        if (entry.refused())
            return; // refused before a node: in the request log, not in the usage figures
        m_recent.prepend(entry);
        recompute();
    });
    // Hours roll over and old requests leave the window even when nothing happens.
    m_reloadTimer.setInterval(5 * 60 * 1000);
    connect(&m_reloadTimer, &QTimer::timeout, this, &DashboardPage::reload);
    m_reloadTimer.start();
    updateNodes();
    recompute();
    reload();
}

QLabel *DashboardPage::addCard(const QString &title, QWidget *parent, QHBoxLayout *row, QLabel **caption)
{
    auto *card = new QFrame(parent);
    card->setFrameShape(QFrame::StyledPanel);
    card->setAutoFillBackground(true);
    card->setBackgroundRole(QPalette::Base);
    auto *layout = new QVBoxLayout(card);
    layout->setContentsMargins(14, 10, 14, 10);
    auto *name = new QLabel(title, card);
    QPalette muted = name->palette();
    muted.setColor(QPalette::WindowText, muted.color(QPalette::PlaceholderText));
    name->setPalette(muted);
    auto *value = new QLabel(u"–"_s, card);
    QFont big = value->font();
    big.setPointSizeF(big.pointSizeF() * 1.9);
    big.setBold(true);
    value->setFont(big);
    *caption = new QLabel(card);
    (*caption)->setPalette(muted);
    layout->addWidget(name);
    layout->addWidget(value);
    layout->addWidget(*caption);
    row->addWidget(card, 1);
    return value;
}

void DashboardPage::reload()
{
    m_client->requestsSince(QDateTime::currentDateTimeUtc().addSecs(-24 * 3600), this,
                            [this](const QList<RequestLogEntry> &entries) {
                                m_recent = entries;
                                recompute();
                            });
}

void DashboardPage::updateNodes()
{
    const GatewaySnapshot &snapshot = m_client->snapshot();
    int active = 0;
    for (const Node &node : snapshot.nodes)
        active += node.active ? 1 : 0;
    const int healthy = snapshot.healthyNodes();
    const int down = snapshot.downNodes();
    m_nodes->setText(tr("%1 of %2").arg(healthy).arg(active));
    m_nodesCaption->setText(snapshot.nodes.isEmpty() ? tr("No nodes yet")
                            : down > 0               ? tr("%n down", nullptr, down)
                                                     : tr("healthy"));
    QPalette palette = m_nodes->palette();
    palette.setColor(QPalette::WindowText, down > 0 ? healthColor(Health::Unhealthy)
                                           : healthy > 0 ? healthColor(Health::Healthy)
                                                         : m_requestsToday->palette().color(QPalette::WindowText));
    m_nodes->setPalette(palette);
    m_streams->setText(formatCount(snapshot.activeCalls));
    m_streamsCaption->setText(tr("in flight now"));
}

void DashboardPage::recompute()
{
    const QDateTime now = QDateTime::currentDateTime();
    const QDateTime startOfDay = now.date().startOfDay();
    // Buckets end at the next full hour, so the last bar is the current hour.
    const QDateTime end = QDateTime(now.date(), QTime(now.time().hour(), 0)).addSecs(3600);
    const QDateTime start = end.addSecs(-24 * 3600);
    QList<qint64> requests(24, 0);
    QList<qint64> tokens(24, 0);
    qint64 requestsToday = 0;
    qint64 tokensToday = 0;
    QHash<QString, Ranked> users;
    QHash<QString, Ranked> models;
    for (const RequestLogEntry &entry : std::as_const(m_recent)) {
        const QDateTime at = entry.createdAt.toLocalTime();
        if (at < start)
            continue;
        const int bucket = std::clamp(int(start.secsTo(at) / 3600), 0, 23);
        ++requests[bucket];
        tokens[bucket] += entry.totalTokens();
        if (at >= startOfDay) {
            ++requestsToday;
            tokensToday += entry.totalTokens();
        }
        Ranked &user = users[entry.username];
        user.name = entry.username;
        ++user.requests;
        user.tokens += entry.totalTokens();
        Ranked &model = models[entry.model];
        model.name = entry.model;
        ++model.requests;
        model.tokens += entry.totalTokens();
    }
    m_chart->setData(requests, tokens, end);
    m_requestsToday->setText(formatCount(requestsToday));
    m_requestsCaption->setText(tr("since midnight"));
    m_tokensToday->setText(formatCount(tokensToday));
    m_tokensCaption->setText(tr("prompt and completion"));

    const auto fill = [](QTableWidget *table, const QList<Ranked> &rows) {
        table->setRowCount(int(rows.size()));
        for (int row = 0; row < rows.size(); ++row) {
            table->setItem(row, 0, cell(rows.at(row).name));
            table->setItem(row, 1, cell(formatCount(rows.at(row).requests)));
            table->setItem(row, 2, cell(formatCount(rows.at(row).tokens)));
        }
    };
    fill(m_topUsers, rank(users, 8));
    fill(m_topModels, rank(models, 8));
}

} // namespace Maestro

#pragma once

#include "core/entities.h"
#include "page.h"

#include <QTimer>

class QHBoxLayout;
class QLabel;
class QTableWidget;

namespace Maestro {

class UsageChart;

class DashboardPage final : public Page
{
    Q_OBJECT

public:
    explicit DashboardPage(GatewayClient *client, QWidget *parent = nullptr);

    void reload();
    QLabel *requestsToday() const { return m_requestsToday; }
    UsageChart *chart() const { return m_chart; }

private:
    void updateNodes();
    void recompute();
    QLabel *addCard(const QString &title, QWidget *parent, QHBoxLayout *row, QLabel **caption);

    QLabel *m_nodes;
    QLabel *m_nodesCaption = nullptr;
    QLabel *m_requestsToday;
    QLabel *m_requestsCaption = nullptr;
    QLabel *m_tokensToday;
    QLabel *m_tokensCaption = nullptr;
    QLabel *m_streams;
    QLabel *m_streamsCaption = nullptr;
    UsageChart *m_chart;
    QTableWidget *m_topUsers;
    QTableWidget *m_topModels;
    QList<RequestLogEntry> m_recent; // the last 24 h, newest first
    QTimer m_reloadTimer;
};

} // namespace Maestro

#include "trayicon.h"
#include "gatewayclient.h"

#include <QApplication>
#include <QClipboard>
#include <QDate>
#include <QMenu>
#include <QPainter>
#include <QSystemTrayIcon>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Maestro {

QIcon TrayIcon::icon(State state)
{
    QIcon icon;
    for (int size : {16, 22, 32, 48, 64, 128}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        const qreal s = size;
        // A rounded tile with three "routes" fanning out: the gateway.
        painter.setPen(Qt::NoPen);
        painter.setBrush(QColor(0x2b, 0x3a, 0x55));
        painter.drawRoundedRect(QRectF(0, 0, s, s), s * 0.22, s * 0.22);
        QPen line(QColor(0xe8, 0xec, 0xf3), std::max(1.5, s * 0.09), Qt::SolidLine, Qt::RoundCap);
        painter.setPen(line);
        const QPointF from(s * 0.26, s * 0.5);
        for (qreal y : {0.28, 0.5, 0.72})
            painter.drawLine(from, QPointF(s * 0.62, s * y));
        const QColor dot = state == State::Healthy  ? QColor(0x3c, 0xc7, 0x6a)
                         : state == State::Errors   ? QColor(0xe0, 0x3e, 0x3e)
                         : state == State::Degraded ? QColor(0xf0, 0xa2, 0x2e)
                                                    : QColor(0x9e, 0x9e, 0x9e);
        painter.setPen(QPen(QColor(0x2b, 0x3a, 0x55), s * 0.05));
        painter.setBrush(dot);
        painter.drawEllipse(QPointF(s * 0.72, s * 0.72), s * 0.2, s * 0.2);
        icon.addPixmap(pixmap);
    }
    return icon;
}

TrayIcon::TrayIcon(GatewayClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
    connect(m_client, &GatewayClient::snapshotChanged, this, &TrayIcon::update);
    connect(m_client, &GatewayClient::callsChanged, this, &TrayIcon::update);
    connect(m_client, &GatewayClient::runningChanged, this, &TrayIcon::update);
    connect(m_client, &GatewayClient::requestLogged, this, [this](const RequestLogEntry &entry) {
        if (entry.refused())
            return; // refused before a node: in the request log, not a request served
        if (m_day != QDate::currentDate().toJulianDay()) {
            m_day = int(QDate::currentDate().toJulianDay());
            m_requestsToday = 0;
        }
        ++m_requestsToday;
        // What the gateway or its nodes failed at; a client's bad request or limit is not an
        // error of this installation.
        if (entry.statusCode >= 500)
            m_failures.append(QDateTime::currentDateTimeUtc());
        update();
    });
    m_day = int(QDate::currentDate().toJulianDay());
    m_client->requestsSince(QDate::currentDate().startOfDay().toUTC(), this,
                            [this](const QList<RequestLogEntry> &today) {
                                m_requestsToday += today.size();
                                update();
                            });

    m_menu = std::make_unique<QMenu>();
    m_menu->addAction(tr("&Open Model Maestro"), this, &TrayIcon::openRequested);
    m_startStop = m_menu->addAction(tr("&Stop gateway"), this, [this] {
        if (m_client->isRunning())
            m_client->stopGateway();
        else
            m_client->startGateway();
    });
    m_menu->addAction(tr("&Copy connection snippet"), this, [this] {
        QApplication::clipboard()->setText(connectionSnippet());
    });
    m_menu->addSeparator();
    m_menu->addAction(tr("&Quit"), this, &TrayIcon::quitRequested);

    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(this);
        m_tray->setContextMenu(m_menu.get());
        connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                Q_EMIT openRequested();
        });
        connect(m_client, &GatewayClient::nodeHealthChanged, this,
                [this](qint64, const QString &name, bool healthy) {
                    if (healthy)
                        m_tray->showMessage(tr("Node back"), tr("%1 answers again.").arg(name),
                                            QSystemTrayIcon::Information);
                    else
                        m_tray->showMessage(tr("Node down"),
                                            tr("%1 does not answer; requests go to the other nodes.").arg(name),
                                            QSystemTrayIcon::Warning);
                });
    }
    connect(m_client, &GatewayClient::problemChanged, this, &TrayIcon::update);
    // Failures age out of the window without any event to say so.
    auto *ageing = new QTimer(this);
    ageing->start(30'000);
    connect(ageing, &QTimer::timeout, this, &TrayIcon::update);
    update();
    if (m_tray)
        m_tray->show();
}

TrayIcon::~TrayIcon()
{
    delete m_tray; // before the menu it shows
}

QString TrayIcon::connectionSnippet() const
{
    return u"OPENAI_BASE_URL=%1/v1\nOPENAI_API_KEY=<your token>\nOLLAMA_HOST=%1\n"_s.arg(m_client->baseUrl());
}

int TrayIcon::recentFailures()
{
    const QDateTime since = QDateTime::currentDateTimeUtc().addSecs(-ErrorWindowSecs);
    while (!m_failures.isEmpty() && m_failures.first() < since)
        m_failures.removeFirst();
    return int(m_failures.size());
}

void TrayIcon::update()
{
    const GatewaySnapshot &snapshot = m_client->snapshot();
    const int failures = recentFailures();
    m_state = !m_client->isRunning()   ? State::Stopped
            : snapshot.downNodes() > 0 ? State::Degraded
            : failures > 0             ? State::Errors
                                       : State::Healthy;
    QString status;
    switch (m_state) {
    case State::Stopped:
        status = m_client->isSwitching()          ? tr("Gateway starting or stopping…")
               : !m_client->problem().isEmpty()   ? m_client->problem()
               : m_client->startError().isEmpty() ? tr("Gateway stopped")
                                                  : tr("Gateway could not start: %1").arg(m_client->startError());
        break;
    case State::Degraded:
        status = tr("%n node(s) down", nullptr, snapshot.downNodes());
        break;
    case State::Errors:
        status = tr("%n failed request(s) in the last 5 minutes", nullptr, failures);
        break;
    case State::Healthy:
        status = tr("All nodes healthy");
        break;
    }
    m_toolTip = tr("Model Maestro — %1\n%2\n%3 active requests, %4 requests today")
                    .arg(m_client->gatewayName(), status)
                    .arg(snapshot.activeCalls)
                    .arg(m_requestsToday);
    m_startStop->setText(m_client->isRunning() ? tr("&Stop gateway") : tr("&Start gateway"));
    // A gateway on another machine, or one systemd does not run, is not this app's to stop.
    m_startStop->setVisible(m_client->canStartStop());
    m_startStop->setEnabled(!m_client->isSwitching());
    if (m_tray) {
        m_tray->setIcon(icon(m_state));
        m_tray->setToolTip(m_toolTip);
    }
}

} // namespace Maestro

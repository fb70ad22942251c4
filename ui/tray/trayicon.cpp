#include "trayicon.h"
#include "gatewayclient.h"

#include <QApplication>
#include <QClipboard>
#include <QDate>
#include <QMenu>
#include <QPainter>
#include <QSystemTrayIcon>

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
        QColor dot = state == State::Healthy ? QColor(0x3c, 0xc7, 0x6a)
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
    connect(m_client, &GatewayClient::requestLogged, this, [this](const RequestLogEntry &) {
        if (m_day != QDate::currentDate().toJulianDay()) {
            m_day = int(QDate::currentDate().toJulianDay());
            m_requestsToday = 0;
        }
        ++m_requestsToday;
        update();
    });
    m_day = int(QDate::currentDate().toJulianDay());
    m_client->requestsSince(QDate::currentDate().startOfDay().toUTC(), this,
                            [this](const QList<RequestLogEntry> &today) {
                                m_requestsToday += today.size();
                                update();
                            });

    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(this);
        auto *menu = new QMenu;
        menu->addAction(tr("&Open Model Maestro"), this, &TrayIcon::openRequested);
        menu->addAction(tr("&Copy connection snippet"), this, [this] {
            QApplication::clipboard()->setText(connectionSnippet());
        });
        menu->addSeparator();
        menu->addAction(tr("&Quit"), this, &TrayIcon::quitRequested);
        connect(this, &QObject::destroyed, menu, &QObject::deleteLater);
        m_tray->setContextMenu(menu);
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
    update();
    if (m_tray)
        m_tray->show();
}

TrayIcon::~TrayIcon() = default;

QString TrayIcon::connectionSnippet() const
{
    return u"OPENAI_BASE_URL=%1/v1\nOPENAI_API_KEY=<your token>\nOLLAMA_HOST=%1\n"_s.arg(m_client->baseUrl());
}

void TrayIcon::update()
{
    const GatewaySnapshot &snapshot = m_client->snapshot();
    m_state = !m_client->isRunning()   ? State::Stopped
            : snapshot.downNodes() > 0 ? State::Degraded
                                       : State::Healthy;
    const QString status = m_state == State::Stopped  ? tr("Gateway stopped")
                         : m_state == State::Degraded ? tr("%n node(s) down", nullptr, snapshot.downNodes())
                                                      : tr("All nodes healthy");
    m_toolTip = tr("Model Maestro — %1\n%2 active requests, %3 requests today")
                    .arg(status)
                    .arg(snapshot.activeCalls)
                    .arg(m_requestsToday);
    if (m_tray) {
        m_tray->setIcon(icon(m_state));
        m_tray->setToolTip(m_toolTip);
    }
}

} // namespace Maestro

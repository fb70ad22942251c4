#pragma once

#include <QDateTime>
#include <QIcon>
#include <QList>
#include <QObject>

#include <memory>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace Maestro {

class GatewayClient;

// The tray icon, when the desktop has a tray: gateway state at a glance, the way back to the
// window, start and stop, and notices when a node goes down or comes back. Without a tray the
// state is still kept (the main window stays the way in).
class TrayIcon final : public QObject
{
    Q_OBJECT

public:
    // Worst first: stopped, then nodes down, then requests failing on the nodes that are up.
    enum class State { Healthy, Errors, Degraded, Stopped };
    // How far back failed requests turn the icon to Errors.
    static constexpr int ErrorWindowSecs = 5 * 60;

    TrayIcon(GatewayClient *client, QObject *parent = nullptr);
    ~TrayIcon() override;

    bool isAvailable() const { return m_tray != nullptr; }
    State state() const { return m_state; }
    QString toolTip() const { return m_toolTip; }
    QMenu *menu() const { return m_menu.get(); }
    static QIcon icon(State state);
    // Environment lines an OpenAI-compatible client needs, with a token placeholder.
    QString connectionSnippet() const;

Q_SIGNALS:
    void openRequested();
    void quitRequested();

private:
    void update();
    int recentFailures();

    GatewayClient *m_client;
    std::unique_ptr<QMenu> m_menu;
    QAction *m_startStop = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    QList<QDateTime> m_failures; // when requests failed on the gateway's side, oldest first
    State m_state = State::Stopped;
    QString m_toolTip;
    qint64 m_requestsToday = 0;
    int m_day = 0;
};

} // namespace Maestro

#pragma once

#include <QIcon>
#include <QObject>

class QAction;
class QSystemTrayIcon;

namespace Maestro {

class GatewayClient;

// The tray icon, when the desktop has a tray: gateway state at a glance, the way back to the
// window, and notices when a node goes down or comes back. Without a tray it does nothing and
// the main window stays the way in.
class TrayIcon final : public QObject
{
    Q_OBJECT

public:
    enum class State { Healthy, Degraded, Stopped };

    TrayIcon(GatewayClient *client, QObject *parent = nullptr);
    ~TrayIcon() override;

    bool isAvailable() const { return m_tray != nullptr; }
    State state() const { return m_state; }
    QString toolTip() const { return m_toolTip; }
    static QIcon icon(State state);
    // Environment lines an OpenAI-compatible client needs, with a token placeholder.
    QString connectionSnippet() const;

Q_SIGNALS:
    void openRequested();
    void quitRequested();

private:
    void update();

    GatewayClient *m_client;
    QSystemTrayIcon *m_tray = nullptr;
    State m_state = State::Stopped;
    QString m_toolTip;
    qint64 m_requestsToday = 0;
    int m_day = 0;
};

} // namespace Maestro

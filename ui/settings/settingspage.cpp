#include "settingspage.h"
#include "gatewayclient.h"
#include "uiutil.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSettings>
#include <QSpinBox>
#include <QSystemTrayIcon>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

QLabel *note(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setEnabled(false);
    label->setWordWrap(true);
    return label;
}

} // namespace

SettingsPage::SettingsPage(GatewayClient *client, const DesktopContext &context, QWidget *parent)
    : Page(client, parent)
    , m_listen(new QLineEdit(this))
    , m_database(new QLabel(context.databaseUrl, this))
    , m_strategy(new QComboBox(this))
    , m_maxBody(new QSpinBox(this))
    , m_language(new QComboBox(this))
    , m_startMinimized(new QCheckBox(tr("Start minimized to the tray"), this))
    , m_status(new QLabel(this))
{
    m_listen->setObjectName(u"listen"_s);
    m_strategy->setObjectName(u"strategy"_s);
    m_maxBody->setObjectName(u"maxBody"_s);
    m_language->setObjectName(u"language"_s);
    m_listen->setPlaceholderText(context.listenAddress);
    m_listen->setValidator(new QRegularExpressionValidator(QRegularExpression(u"[0-9a-fA-F.:\\[\\]]*:[0-9]{1,5}"_s), this));
    m_database->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_strategy->addItem(tr("Least busy"), u"least_busy"_s);
    m_strategy->addItem(tr("Round robin"), u"round_robin"_s);
    m_strategy->addItem(tr("Weighted"), u"weighted"_s);
    m_strategy->addItem(tr("Priority"), u"priority"_s);
    m_maxBody->setRange(1, 4096);
    m_maxBody->setSuffix(tr(" MiB"));
    m_language->addItem(tr("System default"), QString());
    m_language->addItem(u"English"_s, u"en"_s);
    m_language->addItem(u"Deutsch"_s, u"de"_s);
    m_language->addItem(u"Türkçe"_s, u"tr"_s);
    if (!QSystemTrayIcon::isSystemTrayAvailable()) {
        m_startMinimized->setEnabled(false);
        m_startMinimized->setToolTip(tr("This desktop has no system tray."));
    }

    auto *gateway = new QGroupBox(tr("Gateway"), this);
    auto *gatewayForm = new QFormLayout(gateway);
    gatewayForm->addRow(tr("&Listen address:"), m_listen);
    gatewayForm->addRow(QString(), note(tr("HOST:PORT, e.g. 0.0.0.0:8000 to serve the LAN. Takes effect after a restart; --listen on the command line wins."), gateway));
    gatewayForm->addRow(tr("Database:"), m_database);
    gatewayForm->addRow(tr("&Routing strategy:"), m_strategy);
    gatewayForm->addRow(QString(), note(tr("How the first node is picked; the others are the failover order."), gateway));
    gatewayForm->addRow(tr("&Largest request body:"), m_maxBody);

    auto *desktop = new QGroupBox(tr("Desktop"), this);
    auto *desktopForm = new QFormLayout(desktop);
    desktopForm->addRow(tr("Lan&guage:"), m_language);
    desktopForm->addRow(QString(), note(tr("Applied after a restart."), desktop));
    desktopForm->addRow(QString(), m_startMinimized);

    auto *applyButton = new QPushButton(tr("&Apply"), this);
    applyButton->setObjectName(u"apply"_s);
    auto *revert = new QPushButton(tr("Re&vert"), this);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_status, 1);
    buttons->addWidget(revert);
    buttons->addWidget(applyButton);

    auto *column = new QVBoxLayout;
    column->addWidget(gateway);
    column->addWidget(desktop);
    column->addLayout(buttons);
    column->addStretch(1);
    auto *layout = new QHBoxLayout(this);
    layout->addLayout(column, 3);
    layout->addStretch(1);

    connect(applyButton, &QPushButton::clicked, this, &SettingsPage::apply);
    connect(revert, &QPushButton::clicked, this, &SettingsPage::load);
    connect(m_client, &GatewayClient::snapshotChanged, this, [this] {
        // Load the gateway's values once they arrive; later refreshes must not undo edits.
        if (!m_loaded && m_client->snapshot().loaded) {
            m_loaded = true;
            load();
        }
    });
    load();
}

void SettingsPage::load()
{
    DesktopSettings settings;
    m_listen->setText(settings.value(u"gateway/listen"_s).toString());
    const GatewaySnapshot &snapshot = m_client->snapshot();
    m_strategy->setCurrentIndex(std::max(0, m_strategy->findData(routingStrategyName(snapshot.strategy))));
    m_maxBody->setValue(int(std::max<qint64>(1, (snapshot.maxBodyBytes + (1 << 20) - 1) >> 20)));
    m_language->setCurrentIndex(std::max(0, m_language->findData(settings.value(u"ui/language"_s).toString())));
    m_startMinimized->setChecked(settings.value(u"ui/startMinimized"_s, false).toBool());
    m_status->clear();
}

void SettingsPage::apply()
{
    DesktopSettings settings;
    const QString listen = m_listen->text().trimmed();
    bool restart = listen != settings.value(u"gateway/listen"_s).toString()
        || m_language->currentData().toString() != settings.value(u"ui/language"_s).toString();
    if (listen.isEmpty())
        settings.remove(u"gateway/listen"_s);
    else
        settings.setValue(u"gateway/listen"_s, listen);
    settings.setValue(u"ui/language"_s, m_language->currentData().toString());
    settings.setValue(u"ui/startMinimized"_s, m_startMinimized->isChecked());

    const GatewaySnapshot &snapshot = m_client->snapshot();
    const QString strategy = m_strategy->currentData().toString();
    const auto done = [this](const Result<bool> &saved) {
        if (!saved.ok())
            Ui::showError(this, tr("Could not save the settings"), saved.error());
    };
    if (strategy != routingStrategyName(snapshot.strategy))
        m_client->setSetting(u"routing_strategy"_s, strategy, this, done);
    const qint64 maxBody = qint64(m_maxBody->value()) << 20;
    if ((snapshot.maxBodyBytes + (1 << 20) - 1) >> 20 != m_maxBody->value())
        m_client->setSetting(u"max_body_bytes"_s, QString::number(maxBody), this, done);
    m_status->setText(restart ? tr("Saved. Some changes take effect after a restart.") : tr("Saved."));
}

} // namespace Maestro

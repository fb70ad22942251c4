#include "settingspage.h"
#include "autostart.h"
#include "gatewayclient.h"
#include "http/tlsidentity.h"
#include "uiutil.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QSystemTrayIcon>
#include <QVBoxLayout>

#include <limits>

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

// A daily limit; 0 reads "Unlimited".
QSpinBox *limitBox(const QString &name, QWidget *parent)
{
    auto *box = new QSpinBox(parent);
    box->setObjectName(name);
    box->setRange(0, std::numeric_limits<int>::max());
    box->setGroupSeparatorShown(true);
    box->setSpecialValueText(SettingsPage::tr("Unlimited"));
    return box;
}

int shownLimit(qint64 value)
{
    return int(std::min<qint64>(value, std::numeric_limits<int>::max()));
}

qint64 mebibytesUp(qint64 bytes)
{
    return std::max<qint64>(1, (bytes + (1 << 20) - 1) >> 20);
}

} // namespace

SettingsPage::SettingsPage(GatewayClient *client, const DesktopContext &context, QWidget *parent)
    : Page(client, parent)
    , m_listen(new QLineEdit(this))
    , m_tlsCertificate(new QLineEdit(this))
    , m_tlsKey(new QLineEdit(this))
    , m_database(new QLabel(context.databaseUrl, this))
    , m_strategy(new QComboBox(this))
    , m_maxBody(new QSpinBox(this))
    , m_defaultRequests(limitBox(u"defaultRequests"_s, this))
    , m_defaultTokens(limitBox(u"defaultTokens"_s, this))
    , m_defaultRequestsPerMinute(limitBox(u"defaultRequestsPerMinute"_s, this))
    , m_defaultTokensPerMinute(limitBox(u"defaultTokensPerMinute"_s, this))
    , m_keepAlive(new QLineEdit(this))
    , m_contextLength(new QSpinBox(this))
    , m_images(new QComboBox(this))
    , m_ollamaVersion(new QLineEdit(this))
    , m_versionPublic(new QCheckBox(tr("Answer the version without a token, as Ollama does"), this))
    , m_language(new QComboBox(this))
    , m_startMinimized(new QCheckBox(tr("Start minimized to the tray"), this))
    , m_startOnLogin(new QCheckBox(tr("Start when I log in"), this))
    , m_status(new QLabel(this))
{
    m_listen->setObjectName(u"listen"_s);
    m_status->setObjectName(u"status"_s);
    m_tlsCertificate->setObjectName(u"tlsCertificate"_s);
    m_tlsKey->setObjectName(u"tlsKey"_s);
    m_tlsCertificate->setPlaceholderText(tr("none: plain HTTP"));
    m_tlsKey->setPlaceholderText(tr("PEM file, not encrypted"));
    m_strategy->setObjectName(u"strategy"_s);
    m_maxBody->setObjectName(u"maxBody"_s);
    m_language->setObjectName(u"language"_s);
    m_keepAlive->setObjectName(u"keepAlive"_s);
    m_contextLength->setObjectName(u"contextLength"_s);
    m_images->setObjectName(u"images"_s);
    m_ollamaVersion->setObjectName(u"ollamaVersion"_s);
    m_versionPublic->setObjectName(u"versionPublic"_s);
    // The gateway checks both texts again; these only keep typing within reach of a valid value.
    m_keepAlive->setValidator(new QRegularExpressionValidator(QRegularExpression(u"-?[0-9a-z.]{0,32}"_s), this));
    m_keepAlive->setPlaceholderText(tr("none (Ollama's 5 minutes)"));
    m_ollamaVersion->setValidator(new QRegularExpressionValidator(QRegularExpression(u"[0-9A-Za-z.-]{0,48}"_s), this));
    m_contextLength->setRange(0, 16 * 1024 * 1024);
    m_contextLength->setSingleStep(1024);
    m_contextLength->setGroupSeparatorShown(true);
    m_contextLength->setSpecialValueText(tr("Ollama's default"));
    m_images->addItem(tr("Remove the images"), u"strip"_s);
    m_images->addItem(tr("Refuse the request (400)"), u"reject"_s);
    m_startOnLogin->setObjectName(u"startOnLogin"_s);
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
    gatewayForm->addRow(tr("TLS &certificate:"), m_tlsCertificate);
    gatewayForm->addRow(tr("TLS &key:"), m_tlsKey);
    gatewayForm->addRow(QString(), note(tr("PEM files: the gateway serves HTTPS on the listen address, so that tokens do not cross the LAN in clear. Takes effect after a restart; --tls-cert on the command line wins."), gateway));
    gatewayForm->addRow(tr("Database:"), m_database);
    gatewayForm->addRow(tr("&Routing strategy:"), m_strategy);
    gatewayForm->addRow(QString(), note(tr("How the first node is picked; the others are the failover order."), gateway));
    gatewayForm->addRow(tr("&Largest request body:"), m_maxBody);

    auto *limits = new QGroupBox(tr("Default limits for new users"), this);
    auto *limitsForm = new QFormLayout(limits);
    limitsForm->addRow(tr("Re&quests per day:"), m_defaultRequests);
    limitsForm->addRow(tr("&Tokens per day:"), m_defaultTokens);
    limitsForm->addRow(tr("Requests per &minute:"), m_defaultRequestsPerMinute);
    limitsForm->addRow(tr("Tokens per m&inute:"), m_defaultTokensPerMinute);
    limitsForm->addRow(QString(), note(tr("Given to each user created from now on, unless the creation names limits. Existing users keep theirs."), limits));

    auto *requests = new QGroupBox(tr("Requests to nodes"), this);
    auto *requestsForm = new QFormLayout(requests);
    requestsForm->addRow(tr("Ollama &keep_alive:"), m_keepAlive);
    requestsForm->addRow(QString(), note(tr("Sent to Ollama nodes when the client sends none: 30m, 1h30m, seconds, or -1 to keep the model loaded."), requests));
    requestsForm->addRow(tr("Default &context length:"), m_contextLength);
    requestsForm->addRow(QString(), note(tr("num_ctx for Ollama nodes when neither the client, the model configuration nor the mapping sets one."), requests));
    requestsForm->addRow(tr("Images for models &without vision:"), m_images);
    requestsForm->addRow(tr("Ollama &version reported:"), m_ollamaVersion);
    requestsForm->addRow(QString(), m_versionPublic);
    requestsForm->addRow(QString(), note(tr("Ollama clients such as VS Code's Copilot check the version first, without a token."), requests));

    auto *desktop = new QGroupBox(tr("Desktop"), this);
    auto *desktopForm = new QFormLayout(desktop);
    desktopForm->addRow(tr("Lan&guage:"), m_language);
    desktopForm->addRow(QString(), note(tr("Applied after a restart."), desktop));
    desktopForm->addRow(QString(), m_startMinimized);
    desktopForm->addRow(QString(), m_startOnLogin);
    desktopForm->addRow(QString(), note(tr("With \"Start minimized to the tray\" the app starts in the tray."), desktop));

    auto *applyButton = new QPushButton(tr("&Apply"), this);
    applyButton->setObjectName(u"apply"_s);
    auto *revert = new QPushButton(tr("Re&vert"), this);
    revert->setObjectName(u"revert"_s);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_status, 1);
    buttons->addWidget(revert);
    buttons->addWidget(applyButton);

    auto *column = new QVBoxLayout;
    column->addWidget(gateway);
    column->addWidget(limits);
    column->addWidget(requests);
    column->addWidget(desktop);
    column->addLayout(buttons);
    column->addStretch(1);
    // The groups scroll when the window is shorter than they are; the page sets no minimum height.
    auto *content = new QWidget(this);
    auto *row = new QHBoxLayout(content);
    row->addLayout(column, 3);
    row->addStretch(1);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll);

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
    m_tlsCertificate->setText(settings.value(u"gateway/tlsCertificate"_s).toString());
    m_tlsKey->setText(settings.value(u"gateway/tlsKey"_s).toString());
    const GatewaySnapshot &snapshot = m_client->snapshot();
    m_strategy->setCurrentIndex(std::max(0, m_strategy->findData(snapshot.settings.string(u"routing_strategy"_s))));
    m_maxBody->setValue(int(mebibytesUp(snapshot.settings.integer(u"max_body_bytes"_s))));
    m_defaultRequests->setValue(shownLimit(snapshot.settings.integer(u"default_daily_requests"_s)));
    m_defaultTokens->setValue(shownLimit(snapshot.settings.integer(u"default_daily_tokens"_s)));
    m_defaultRequestsPerMinute->setValue(shownLimit(snapshot.settings.integer(u"default_requests_per_minute"_s)));
    m_defaultTokensPerMinute->setValue(shownLimit(snapshot.settings.integer(u"default_tokens_per_minute"_s)));
    m_keepAlive->setText(snapshot.settings.string(u"ollama_keep_alive"_s));
    m_contextLength->setValue(shownLimit(snapshot.settings.integer(u"default_context_length"_s)));
    m_images->setCurrentIndex(std::max(0, m_images->findData(snapshot.settings.string(u"images_for_non_vision_models"_s))));
    m_ollamaVersion->setText(snapshot.settings.string(u"ollama_version"_s));
    m_versionPublic->setChecked(snapshot.settings.value(u"ollama_version_public"_s).toBool());
    m_language->setCurrentIndex(std::max(0, m_language->findData(settings.value(u"ui/language"_s).toString())));
    m_startMinimized->setChecked(settings.value(u"ui/startMinimized"_s, false).toBool());
    m_startOnLogin->setChecked(Autostart().isEnabled());
    m_status->clear();
}

void SettingsPage::apply()
{
    DesktopSettings settings;
    // Checked now, as the gateway would at its start: a pair it cannot serve is not kept.
    const QString certificate = m_tlsCertificate->text().trimmed();
    const QString key = m_tlsKey->text().trimmed();
    QString tlsNote;
    if (certificate.isEmpty() != key.isEmpty()) {
        m_status->setText(tr("Give both the TLS certificate and its key, or neither."));
        return;
    }
    if (!certificate.isEmpty()) {
        QString error;
        const auto identity = TlsIdentity::load(certificate, key, &error);
        if (!identity) {
            m_status->setText(tr("Not saved: %1").arg(error));
            return;
        }
        tlsNote = u" "_s + tr("Certificate fingerprint (SHA-256): %1").arg(identity->fingerprintSha256);
    }
    const bool tlsChanged = certificate != settings.value(u"gateway/tlsCertificate"_s).toString()
        || key != settings.value(u"gateway/tlsKey"_s).toString();
    if (certificate.isEmpty()) {
        settings.remove(u"gateway/tlsCertificate"_s);
        settings.remove(u"gateway/tlsKey"_s);
    } else {
        settings.setValue(u"gateway/tlsCertificate"_s, certificate);
        settings.setValue(u"gateway/tlsKey"_s, key);
    }
    const QString listen = m_listen->text().trimmed();
    bool restart = tlsChanged || listen != settings.value(u"gateway/listen"_s).toString()
        || m_language->currentData().toString() != settings.value(u"ui/language"_s).toString();
    if (listen.isEmpty())
        settings.remove(u"gateway/listen"_s);
    else
        settings.setValue(u"gateway/listen"_s, listen);
    settings.setValue(u"ui/language"_s, m_language->currentData().toString());
    settings.setValue(u"ui/startMinimized"_s, m_startMinimized->isChecked());

    // Only what was edited is sent, all in one call: nothing is written unless all of it is valid.
    const Settings &current = m_client->snapshot().settings;
    QJsonObject changes;
    if (const QString strategy = m_strategy->currentData().toString(); strategy != current.string(u"routing_strategy"_s))
        changes.insert(u"routing_strategy"_s, strategy);
    if (mebibytesUp(current.integer(u"max_body_bytes"_s)) != m_maxBody->value())
        changes.insert(u"max_body_bytes"_s, qint64(m_maxBody->value()) << 20);
    if (shownLimit(current.integer(u"default_daily_requests"_s)) != m_defaultRequests->value())
        changes.insert(u"default_daily_requests"_s, m_defaultRequests->value());
    if (shownLimit(current.integer(u"default_daily_tokens"_s)) != m_defaultTokens->value())
        changes.insert(u"default_daily_tokens"_s, m_defaultTokens->value());
    if (shownLimit(current.integer(u"default_requests_per_minute"_s)) != m_defaultRequestsPerMinute->value())
        changes.insert(u"default_requests_per_minute"_s, m_defaultRequestsPerMinute->value());
    if (shownLimit(current.integer(u"default_tokens_per_minute"_s)) != m_defaultTokensPerMinute->value())
        changes.insert(u"default_tokens_per_minute"_s, m_defaultTokensPerMinute->value());
    if (const QString keepAlive = m_keepAlive->text().trimmed(); keepAlive != current.string(u"ollama_keep_alive"_s))
        changes.insert(u"ollama_keep_alive"_s, keepAlive);
    if (shownLimit(current.integer(u"default_context_length"_s)) != m_contextLength->value())
        changes.insert(u"default_context_length"_s, m_contextLength->value());
    if (const QString images = m_images->currentData().toString(); images != current.string(u"images_for_non_vision_models"_s))
        changes.insert(u"images_for_non_vision_models"_s, images);
    if (const QString version = m_ollamaVersion->text().trimmed(); version != current.string(u"ollama_version"_s))
        changes.insert(u"ollama_version"_s, version);
    if (m_versionPublic->isChecked() != current.value(u"ollama_version_public"_s).toBool())
        changes.insert(u"ollama_version_public"_s, m_versionPublic->isChecked());
    if (!changes.isEmpty()) {
        m_client->updateSettings(changes, this, [this](const Result<QJsonObject> &saved) {
            if (!saved.ok())
                Ui::showError(this, tr("Could not save the settings"), saved.error());
        });
    }

    Autostart autostart;
    if (m_startOnLogin->isChecked() != autostart.isEnabled()) {
        QString error;
        if (!autostart.setEnabled(m_startOnLogin->isChecked(), &error)) {
            Ui::showError(this, tr("Could not change starting on login"), ApiError::internal(error));
            m_startOnLogin->setChecked(autostart.isEnabled());
        }
    }
    m_status->setText((restart ? tr("Saved. Some changes take effect after a restart.") : tr("Saved.")) + tlsNote);
}

} // namespace Maestro

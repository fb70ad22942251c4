#include "gatewayconnectdialog.h"

#include "core/store.h"
#include "uiutil.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

const QString RecentKey = u"gateways/recent"_s;

struct RecentGateway
{
    QUrl url;
    QString pin;
};

// scheme://host[:port] and nothing else: the form recent gateways and token keys use, so one
// gateway typed two ways is one entry.
QUrl canonicalUrl(const QUrl &url)
{
    return url.adjusted(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment
                        | QUrl::StripTrailingSlash);
}

// What the user typed: http(s)://host:port, or a bare host:port that means http. Invalid when it
// is neither, or has a path (the admin API is at the root).
QUrl parseGatewayUrl(const QString &text)
{
    QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return {};
    if (!trimmed.contains("://"_L1))
        trimmed.prepend("http://"_L1);
    const QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != "http"_L1 && url.scheme() != "https"_L1) || url.host().isEmpty()
        || !url.userInfo().isEmpty() || (!url.path().isEmpty() && url.path() != "/"_L1) || url.hasQuery()
        || url.hasFragment()) {
        return {};
    }
    return canonicalUrl(url);
}

QString tokenKey(const QUrl &url)
{
    return u"gateway/%1/admin_token"_s.arg(canonicalUrl(url).toString());
}

QList<RecentGateway> readRecent()
{
    DesktopSettings settings;
    QList<RecentGateway> out;
    const int count = settings.beginReadArray(RecentKey);
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        const QUrl url = parseGatewayUrl(settings.value(u"url"_s).toString());
        if (url.isValid())
            out.append({url, settings.value(u"fingerprint"_s).toString()});
    }
    settings.endArray();
    return out;
}

void writeRecent(const QList<RecentGateway> &gateways)
{
    DesktopSettings settings;
    settings.remove(RecentKey);
    settings.beginWriteArray(RecentKey, int(gateways.size()));
    for (int i = 0; i < gateways.size(); ++i) {
        settings.setArrayIndex(i);
        settings.setValue(u"url"_s, gateways.at(i).url.toString());
        if (!gateways.at(i).pin.isEmpty())
            settings.setValue(u"fingerprint"_s, gateways.at(i).pin);
    }
    settings.endArray();
}

} // namespace

QList<GatewayEndpoint> GatewayConnectDialog::recentGateways(SecretStore *secrets)
{
    QList<GatewayEndpoint> out;
    for (const RecentGateway &recent : readRecent()) {
        GatewayEndpoint endpoint;
        endpoint.url = recent.url;
        endpoint.pinnedFingerprint = recent.pin;
        if (secrets)
            endpoint.adminToken = secrets->read(tokenKey(recent.url)).value_or(QString()).toUtf8();
        out.append(endpoint);
    }
    return out;
}

bool GatewayConnectDialog::remember(const GatewayEndpoint &endpoint, SecretStore *secrets, bool keepToken)
{
    const QUrl url = canonicalUrl(endpoint.url);
    QList<RecentGateway> gateways = readRecent();
    gateways.removeIf([&url](const RecentGateway &recent) { return recent.url == url; });
    gateways.prepend({url, endpoint.pinnedFingerprint});
    while (gateways.size() > MaxRecentGateways) {
        const RecentGateway dropped = gateways.takeLast();
        if (secrets)
            secrets->remove(tokenKey(dropped.url));
    }
    writeRecent(gateways);
    if (!secrets)
        return !keepToken;
    if (keepToken && !endpoint.adminToken.isEmpty())
        return secrets->write(tokenKey(url), QString::fromUtf8(endpoint.adminToken));
    secrets->remove(tokenKey(url));
    return true;
}

void GatewayConnectDialog::forget(const QUrl &url, SecretStore *secrets)
{
    const QUrl canonical = canonicalUrl(url);
    QList<RecentGateway> gateways = readRecent();
    gateways.removeIf([&canonical](const RecentGateway &recent) { return recent.url == canonical; });
    writeRecent(gateways);
    if (secrets)
        secrets->remove(tokenKey(canonical));
}

GatewayConnectDialog::GatewayConnectDialog(SecretStore *secrets, QWidget *parent)
    : QDialog(parent)
    , m_secrets(secrets)
    , m_recent(new QComboBox(this))
    , m_forget(new QPushButton(tr("&Forget"), this))
    , m_url(new QLineEdit(this))
    , m_token(new QLineEdit(this))
    , m_remember(new QCheckBox(tr("&Remember the token in the keychain"), this))
    , m_message(new QLabel(this))
    , m_trust(new QPushButton(tr("Trust t&his certificate"), this))
    , m_busy(new QProgressBar(this))
    , m_connect(new QPushButton(tr("&Connect"), this))
{
    setWindowTitle(tr("Connect to gateway"));
    m_recent->setObjectName(u"recent"_s);
    m_recent->setPlaceholderText(tr("No recent gateway"));
    m_recent->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_recent->setMinimumContentsLength(24);
    m_forget->setObjectName(u"forget"_s);
    m_forget->setToolTip(tr("Remove this gateway from the list, and its token from the keychain"));
    m_url->setObjectName(u"url"_s);
    m_url->setPlaceholderText(tr("e.g. https://192.168.1.10:8443"));
    m_token->setObjectName(u"token"_s);
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("The gateway's admin token"));
    m_token->setToolTip(tr("On the gateway's machine: model-maestro --print-admin-token"));
    m_remember->setObjectName(u"rememberToken"_s);
    m_remember->setEnabled(secrets != nullptr);
    if (secrets)
        m_remember->setToolTip(tr("Kept in %1, never in the settings file").arg(secrets->description()));

    m_message->setObjectName(u"message"_s);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette palette = m_message->palette();
    palette.setColor(QPalette::WindowText, QColor(0xc0, 0x39, 0x2b));
    m_message->setPalette(palette);
    m_message->hide();
    m_trust->setObjectName(u"trust"_s);
    m_trust->setToolTip(tr("Remember this certificate's fingerprint for this address and connect"));
    m_trust->hide();
    m_busy->setObjectName(u"busy"_s);
    m_busy->setRange(0, 0);
    m_busy->setTextVisible(false);
    m_busy->setMaximumHeight(m_busy->fontMetrics().height());
    m_busy->hide();

    auto *recentRow = new QHBoxLayout;
    recentRow->addWidget(m_recent, 1);
    recentRow->addWidget(m_forget);
    auto *form = new QFormLayout;
    form->addRow(tr("Recent &gateways:"), recentRow);
    form->addRow(tr("Gateway &URL:"), m_url);
    form->addRow(tr("Admin &token:"), m_token);
    form->addRow(QString(), m_remember);

    auto *intro = new QLabel(tr("Manage a Model Maestro gateway that runs elsewhere, e.g. on a server of your "
                                "LAN, through its admin API. It must run the same version as this app."),
                             this);
    intro->setWordWrap(true);
    auto *trustRow = new QHBoxLayout;
    trustRow->addStretch();
    trustRow->addWidget(m_trust);

    m_connect->setObjectName(u"connect"_s);
    m_connect->setDefault(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    buttons->addButton(m_connect, QDialogButtonBox::ActionRole);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_message);
    layout->addLayout(trustRow);
    layout->addWidget(m_busy);
    layout->addStretch();
    layout->addWidget(buttons);

    connect(m_connect, &QPushButton::clicked, this, &GatewayConnectDialog::connectToGateway);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_recent, &QComboBox::activated, this, &GatewayConnectDialog::useRecent);
    connect(m_forget, &QPushButton::clicked, this, &GatewayConnectDialog::forgetSelected);
    connect(m_trust, &QPushButton::clicked, this, [this] {
        m_pinnedUrl = m_offeredUrl;
        m_pin = m_offeredPin;
        connectToGateway();
    });
    const auto edited = [this] {
        // A new address or token: the last failure no longer applies.
        m_message->hide();
        m_trust->hide();
    };
    connect(m_url, &QLineEdit::textChanged, this, edited);
    connect(m_token, &QLineEdit::textChanged, this, edited);

    reloadRecent();
    if (m_recent->count() > 0) {
        m_recent->setCurrentIndex(0);
        useRecent(0);
    }
    (m_url->text().isEmpty() ? m_url : m_token)->setFocus();
    resize(520, sizeHint().height());
}

GatewayConnectDialog::~GatewayConnectDialog() = default;

void GatewayConnectDialog::reject()
{
    // A probe still running must not accept the dialog after it was cancelled.
    delete m_connection;
    setBusy(false);
    QDialog::reject();
}

void GatewayConnectDialog::reloadRecent()
{
    m_recent->clear();
    for (const RecentGateway &recent : readRecent()) {
        const QString text = recent.url.toString();
        m_recent->addItem(recent.pin.isEmpty() ? text : tr("%1 (trusted certificate)").arg(text), recent.url);
        m_recent->setItemData(m_recent->count() - 1, recent.pin, Qt::UserRole + 1);
    }
    m_recent->setEnabled(m_recent->count() > 0);
    m_forget->setEnabled(m_recent->count() > 0);
}

void GatewayConnectDialog::useRecent(int index)
{
    const QUrl url = m_recent->itemData(index).toUrl();
    if (!url.isValid())
        return;
    m_pinnedUrl = url;
    m_pin = m_recent->itemData(index, Qt::UserRole + 1).toString();
    m_url->setText(url.toString());
    const std::optional<QString> token = m_secrets ? m_secrets->read(tokenKey(url)) : std::nullopt;
    m_token->setText(token.value_or(QString()));
    m_remember->setChecked(token.has_value());
}

void GatewayConnectDialog::forgetSelected()
{
    const QUrl url = m_recent->currentData().toUrl();
    if (!url.isValid())
        return;
    forget(url, m_secrets);
    if (parseGatewayUrl(m_url->text()) == url) {
        m_url->clear();
        m_token->clear();
        m_remember->setChecked(false);
    }
    if (m_pinnedUrl == url) {
        m_pinnedUrl.clear();
        m_pin.clear();
    }
    reloadRecent();
    m_recent->setCurrentIndex(-1);
}

void GatewayConnectDialog::setBusy(bool busy)
{
    m_busy->setVisible(busy);
    for (QWidget *widget : {static_cast<QWidget *>(m_recent), static_cast<QWidget *>(m_forget),
                            static_cast<QWidget *>(m_url), static_cast<QWidget *>(m_token),
                            static_cast<QWidget *>(m_connect), static_cast<QWidget *>(m_trust)}) {
        widget->setEnabled(!busy);
    }
    m_remember->setEnabled(!busy && m_secrets != nullptr);
    if (!busy) {
        m_recent->setEnabled(m_recent->count() > 0);
        m_forget->setEnabled(m_recent->count() > 0);
    }
}

void GatewayConnectDialog::showMessage(const QString &text)
{
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
}

void GatewayConnectDialog::connectToGateway()
{
    const QUrl url = parseGatewayUrl(m_url->text());
    if (!url.isValid()) {
        showMessage(tr("Type the gateway's address as http://host:port or https://host:port."));
        return;
    }
    const QByteArray token = m_token->text().trimmed().toUtf8();
    if (token.isEmpty()) {
        showMessage(tr("Type the gateway's admin token."));
        return;
    }
    GatewayEndpoint endpoint;
    endpoint.url = url;
    endpoint.adminToken = token;
    if (m_pinnedUrl == url)
        endpoint.pinnedFingerprint = m_pin;
    // A connection per attempt: the answer of an earlier one (another address) is not waited for.
    delete m_connection;
    m_connection = new AdminConnection(endpoint, this);
    AdminConnection *connection = m_connection;
    m_trust->hide();
    showMessage(QString());
    setBusy(true);
    connection->probe(connection, [this, endpoint](const QJsonObject &status, const AdminFailure &failure) {
        probed(endpoint, status, failure);
    });
}

void GatewayConnectDialog::probed(const GatewayEndpoint &endpoint, const QJsonObject &status, const AdminFailure &failure)
{
    setBusy(false);
    if (failure.failed()) {
        QString text = failure.message;
        if (failure.kind == AdminFailure::Kind::Certificate && !failure.fingerprint.isEmpty()) {
            m_offeredUrl = endpoint.url;
            m_offeredPin = failure.fingerprint;
            text += u' '
                + tr("Trust it only if the gateway's machine shows the same fingerprint (it prints it at start, "
                     "and openssl x509 -fingerprint -sha256 shows it).");
            m_trust->show();
        }
        showMessage(text);
        return;
    }
    m_endpoint = endpoint;
    m_status = status;
    if (!remember(endpoint, m_secrets, m_remember->isChecked()))
        qWarning("The admin token of %s could not be stored", qPrintable(endpoint.displayName()));
    accept();
}

} // namespace Maestro

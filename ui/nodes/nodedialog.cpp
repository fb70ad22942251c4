#include "nodedialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QUrl>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Maestro {

NodeDialog::NodeDialog(const Node *node, QWidget *parent)
    : QDialog(parent)
    , m_editing(node != nullptr)
    , m_name(new QLineEdit(this))
    , m_url(new QLineEdit(this))
    , m_type(new QComboBox(this))
    , m_apiKey(new QLineEdit(this))
    , m_priority(new QSpinBox(this))
    , m_weight(new QSpinBox(this))
    , m_warmup(new QCheckBox(tr("Load the node's models &before they are asked for"), this))
    , m_bedrock(new QWidget(this))
    , m_region(new QLineEdit(m_bedrock))
    , m_accessKeyId(new QLineEdit(m_bedrock))
    , m_secretAccessKey(new QLineEdit(m_bedrock))
    , m_sessionToken(new QLineEdit(m_bedrock))
    , m_modelIds(new QPlainTextEdit(m_bedrock))
    , m_headers(new QTableWidget(0, 3, this))
    , m_healthUrl(new QLineEdit(this))
    , m_autoSync(new QCheckBox(tr("&Update the node's models on each periodic check"), this))
{
    setWindowTitle(node ? tr("Edit node %1").arg(node->name) : tr("Add node"));
    m_name->setObjectName(u"name"_s);
    m_url->setObjectName(u"baseUrl"_s);
    m_type->setObjectName(u"nodeType"_s);
    m_apiKey->setObjectName(u"apiKey"_s);
    m_name->setPlaceholderText(tr("e.g. gpu-1"));
    m_url->setPlaceholderText(tr("e.g. http://10.0.0.5:11434"));
    m_type->addItem(tr("Ollama"), u"ollama"_s);
    m_type->addItem(tr("OpenAI-compatible (vLLM, LM Studio, llama.cpp, hosted)"), u"openai"_s);
    m_type->addItem(tr("Amazon Bedrock"), u"bedrock"_s);
    m_type->addItem(tr("Anthropic"), u"anthropic"_s);
    m_region->setObjectName(u"region"_s);
    m_accessKeyId->setObjectName(u"awsAccessKeyId"_s);
    m_secretAccessKey->setObjectName(u"awsSecretAccessKey"_s);
    m_sessionToken->setObjectName(u"awsSessionToken"_s);
    m_modelIds->setObjectName(u"modelIds"_s);
    m_region->setPlaceholderText(tr("e.g. us-east-1"));
    m_accessKeyId->setPlaceholderText(node && node->hasApiKey ? tr("Stored; type to replace")
                                                              : tr("IAM credentials, or an API key above"));
    m_secretAccessKey->setEchoMode(QLineEdit::Password);
    m_sessionToken->setEchoMode(QLineEdit::Password);
    m_sessionToken->setPlaceholderText(tr("Only for temporary credentials"));
    m_modelIds->setPlaceholderText(tr("One model id or inference profile per line, e.g.\n"
                                      "anthropic.claude-3-5-sonnet-20240620-v1:0"));
    m_modelIds->setTabChangesFocus(true);
    m_apiKey->setEchoMode(QLineEdit::Password);
    m_apiKey->setPlaceholderText(node && node->hasApiKey ? tr("Stored; type to replace") : tr("Optional"));
    m_priority->setRange(-1000, 1000);
    m_priority->setToolTip(tr("Higher is preferred by the priority strategy and for failover"));
    m_weight->setRange(0, 10000);
    m_weight->setValue(100);
    m_weight->setToolTip(tr("Share of requests under the weighted strategy; 0 never picks this node"));
    m_warmup->setObjectName(u"warmup"_s);
    m_warmup->setToolTip(tr("Ollama nodes: load each discovered model when it is found and on the warmup "
                            "schedule, while the node has no requests to serve"));
    const auto ollamaOnly = [this] {
        m_warmup->setEnabled(m_type->currentData().toString() == "ollama"_L1);
        m_bedrock->setVisible(m_type->currentData().toString() == "bedrock"_L1);
    };
    connect(m_type, &QComboBox::currentIndexChanged, this, ollamaOnly);
    if (node) {
        m_name->setText(node->name);
        m_url->setText(node->baseUrl.toString());
        m_type->setCurrentIndex(qMax(0, m_type->findData(nodeTypeName(node->type))));
        m_region->setText(node->region);
        m_modelIds->setPlainText(node->modelIds.join(u'\n'));
        m_priority->setValue(node->priority);
        m_weight->setValue(node->weight);
        m_warmup->setChecked(node->warmupEnabled);
    }
    ollamaOnly();

    m_headers->setObjectName(u"headers"_s);
    m_headers->setHorizontalHeaderLabels({tr("Header"), tr("Value"), tr("Secret")});
    m_headers->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_headers->verticalHeader()->hide();
    m_headers->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_headers->setMinimumHeight(110);
    m_headers->setMaximumHeight(180);
    m_headers->setToolTip(tr("Sent on every request to the node: chats, model lists, health checks, pulls"));
    if (node) {
        for (const auto &[name, value] : node->headers)
            addHeaderRow(name, value, false, false);
        m_storedSecretHeaders = node->secretHeaderNames;
        for (const QString &name : node->secretHeaderNames)
            addHeaderRow(name, QString(), true, true);
    }
    auto *addHeader = new QPushButton(tr("A&dd header"), this);
    auto *removeHeader = new QPushButton(tr("Remo&ve header"), this);
    addHeader->setObjectName(u"addHeader"_s);
    removeHeader->setObjectName(u"removeHeader"_s);
    connect(addHeader, &QPushButton::clicked, this, [this] {
        addHeaderRow(QString(), QString(), false, false);
        m_headers->setCurrentCell(m_headers->rowCount() - 1, 0);
        m_headers->cellWidget(m_headers->rowCount() - 1, 0)->setFocus();
    });
    connect(removeHeader, &QPushButton::clicked, this, [this] {
        if (m_headers->currentRow() >= 0)
            m_headers->removeRow(m_headers->currentRow());
    });
    m_healthUrl->setObjectName(u"healthCheckUrl"_s);
    m_healthUrl->setPlaceholderText(tr("Optional; e.g. http://10.0.0.5:8080/health (2xx is healthy)"));
    m_healthUrl->setToolTip(tr("Empty: the node's model list is its health check"));
    m_autoSync->setObjectName(u"autoSync"_s);
    m_autoSync->setToolTip(tr("Off: the models stay as they are until you sync them by hand"));
    m_autoSync->setChecked(!node || node->autoSyncEnabled);
    if (node)
        m_healthUrl->setText(node->healthCheckUrl);

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Address:"), m_url);
    form->addRow(tr("&Type:"), m_type);
    form->addRow(tr("API &key:"), m_apiKey);
    form->addRow(tr("&Priority:"), m_priority);
    form->addRow(tr("&Weight:"), m_weight);
    form->addRow(tr("Warmup:"), m_warmup);
    form->addRow(tr("Hea&lth check:"), m_healthUrl);
    form->addRow(tr("Model sync:"), m_autoSync);
    auto *bedrockForm = new QFormLayout(m_bedrock);
    bedrockForm->setContentsMargins(0, 0, 0, 0);
    bedrockForm->addRow(tr("&Region:"), m_region);
    bedrockForm->addRow(tr("Access key &ID:"), m_accessKeyId);
    bedrockForm->addRow(tr("&Secret access key:"), m_secretAccessKey);
    bedrockForm->addRow(tr("Session &token:"), m_sessionToken);
    bedrockForm->addRow(tr("&Models:"), m_modelIds);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_bedrock);
    layout->addWidget(new QLabel(tr("Request headers:"), this));
    layout->addWidget(m_headers);
    auto *headerButtons = new QHBoxLayout;
    headerButtons->addWidget(addHeader);
    headerButtons->addWidget(removeHeader);
    headerButtons->addStretch();
    layout->addLayout(headerButtons);
    auto *hint = new QLabel(tr("API keys and secret header values are kept in the system keychain, never in "
                               "the database."), this);
    hint->setEnabled(false);
    hint->setWordWrap(true);
    layout->addWidget(hint);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    if (!node)
        buttons->button(QDialogButtonBox::Ok)->setText(tr("Add"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    const auto validate = [this, buttons] {
        const QUrl url(m_url->text().trimmed());
        const bool urlOk = url.isValid() && (url.scheme() == "http"_L1 || url.scheme() == "https"_L1)
            && !url.host().isEmpty();
        // A Bedrock node's address follows from its region unless one is given.
        const bool bedrock = m_type->currentData().toString() == "bedrock"_L1;
        const bool addressOk = bedrock ? (m_url->text().trimmed().isEmpty() || urlOk)
                                             && !m_region->text().trimmed().isEmpty()
                                       : urlOk;
        const QUrl health(m_healthUrl->text().trimmed());
        const bool healthOk = m_healthUrl->text().trimmed().isEmpty()
            || (health.isValid() && (health.scheme() == "http"_L1 || health.scheme() == "https"_L1)
                && !health.host().isEmpty());
        buttons->button(QDialogButtonBox::Ok)->setEnabled(!m_name->text().trimmed().isEmpty() && addressOk && healthOk);
    };
    connect(m_name, &QLineEdit::textChanged, this, validate);
    connect(m_url, &QLineEdit::textChanged, this, validate);
    connect(m_region, &QLineEdit::textChanged, this, validate);
    connect(m_type, &QComboBox::currentIndexChanged, this, validate);
    connect(m_healthUrl, &QLineEdit::textChanged, this, validate);
    validate();
    resize(520, sizeHint().height());
}

void NodeDialog::addHeaderRow(const QString &name, const QString &value, bool secret, bool stored)
{
    const int row = m_headers->rowCount();
    m_headers->insertRow(row);
    auto *nameEdit = new QLineEdit(name, m_headers);
    auto *valueEdit = new QLineEdit(value, m_headers);
    auto *secretBox = new QCheckBox(m_headers);
    nameEdit->setObjectName(u"headerName"_s);
    valueEdit->setObjectName(u"headerValue"_s);
    secretBox->setObjectName(u"headerSecret"_s);
    nameEdit->setPlaceholderText(tr("e.g. X-Org"));
    secretBox->setChecked(secret);
    const auto mask = [valueEdit](bool on) {
        valueEdit->setEchoMode(on ? QLineEdit::Password : QLineEdit::Normal);
    };
    mask(secret);
    connect(secretBox, &QCheckBox::toggled, valueEdit, mask);
    if (stored) {
        // The value is in the keychain of the gateway only: it shows as stored and stays unless
        // a new one is typed. Another name or a plain header is a new row.
        nameEdit->setReadOnly(true);
        secretBox->setEnabled(false);
        valueEdit->setPlaceholderText(tr("Stored; type to replace"));
        nameEdit->setProperty("stored", true);
    }
    m_headers->setCellWidget(row, 0, nameEdit);
    m_headers->setCellWidget(row, 1, valueEdit);
    m_headers->setCellWidget(row, 2, secretBox);
}

AdminService::NodeInput NodeDialog::input() const
{
    AdminService::NodeInput input;
    input.name = m_name->text().trimmed();
    input.baseUrl = m_url->text().trimmed();
    input.nodeType = m_type->currentData().toString();
    if (!m_apiKey->text().isEmpty() || !m_editing)
        input.apiKey = m_apiKey->text();
    input.priority = m_priority->value();
    input.weight = m_weight->value();
    input.warmupEnabled = m_warmup->isEnabled() && m_warmup->isChecked();
    input.healthCheckUrl = m_healthUrl->text().trimmed();
    input.autoSyncEnabled = m_autoSync->isChecked();
    // The plain headers as a whole; of the secret ones only what changed: a value typed sets it,
    // a stored one no longer in the table is removed, an untouched stored one is not mentioned.
    input.headers.emplace();
    QList<std::pair<QString, std::optional<QString>>> secrets;
    QStringList keptSecrets;
    for (int row = 0; row < m_headers->rowCount(); ++row) {
        const auto *nameEdit = qobject_cast<QLineEdit *>(m_headers->cellWidget(row, 0));
        const auto *valueEdit = qobject_cast<QLineEdit *>(m_headers->cellWidget(row, 1));
        const auto *secretBox = qobject_cast<QCheckBox *>(m_headers->cellWidget(row, 2));
        const QString name = nameEdit->text().trimmed();
        if (name.isEmpty())
            continue;
        if (!secretBox->isChecked())
            input.headers->append({name, valueEdit->text()});
        else if (!valueEdit->text().isEmpty())
            secrets.append({name, valueEdit->text()});
        if (secretBox->isChecked() && nameEdit->property("stored").toBool())
            keptSecrets.append(name);
    }
    for (const QString &name : m_storedSecretHeaders) {
        if (!keptSecrets.contains(name))
            secrets.append({name, std::nullopt});
    }
    if (!secrets.isEmpty())
        input.secretHeaders = secrets;
    if (input.nodeType == "bedrock"_L1) {
        input.region = m_region->text().trimmed();
        input.modelIds = m_modelIds->toPlainText().split(u'\n', Qt::SkipEmptyParts);
        // IAM credentials replace the stored ones only when typed (the service checks the pair).
        if (!m_accessKeyId->text().isEmpty() || !m_secretAccessKey->text().isEmpty()) {
            input.awsAccessKeyId = m_accessKeyId->text().trimmed();
            input.awsSecretAccessKey = m_secretAccessKey->text();
            input.awsSessionToken = m_sessionToken->text().trimmed();
            input.apiKey.reset();
        }
    }
    return input;
}

} // namespace Maestro

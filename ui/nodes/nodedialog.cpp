#include "nodedialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
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

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Address:"), m_url);
    form->addRow(tr("&Type:"), m_type);
    form->addRow(tr("API &key:"), m_apiKey);
    form->addRow(tr("&Priority:"), m_priority);
    form->addRow(tr("&Weight:"), m_weight);
    form->addRow(tr("Warmup:"), m_warmup);
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
    auto *hint = new QLabel(tr("API keys are kept in the system keychain, never in the database."), this);
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
        buttons->button(QDialogButtonBox::Ok)->setEnabled(!m_name->text().trimmed().isEmpty() && addressOk);
    };
    connect(m_name, &QLineEdit::textChanged, this, validate);
    connect(m_url, &QLineEdit::textChanged, this, validate);
    connect(m_region, &QLineEdit::textChanged, this, validate);
    connect(m_type, &QComboBox::currentIndexChanged, this, validate);
    validate();
    resize(480, sizeHint().height());
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

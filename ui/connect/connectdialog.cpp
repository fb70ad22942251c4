#include "connectdialog.h"
#include "gatewayclient.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Maestro {

QString ConnectDialog::snippetFor(Tool tool, const QString &baseUrl, const QString &token,
                                  const QString &model)
{
    const QString v1 = baseUrl + u"/v1"_s;
    switch (tool) {
    case Tool::ClaudeCode:
        return uR"(export ANTHROPIC_BASE_URL="%1"
export ANTHROPIC_AUTH_TOKEN="%2"
export ANTHROPIC_MODEL="%3"
claude)"_s.arg(baseUrl, token, model);
    case Tool::Codex:
        return uR"(# ~/.codex/config.toml
model = "%3"
model_provider = "maestro"

[model_providers.maestro]
name = "Model Maestro"
base_url = "%1"
env_key = "MAESTRO_API_KEY"
wire_api = "chat"

# in your shell profile
export MAESTRO_API_KEY="%2")"_s.arg(v1, token, model);
    case Tool::Cursor:
        return uR"(Cursor → Settings → Models
  OpenAI API Key:            %2
  Override OpenAI Base URL:  %1
  Add model:                 %3
Then enable only "%3" in the model list and click Verify.)"_s.arg(v1, token, model);
    case Tool::Continue:
        return uR"(# ~/.continue/config.yaml
name: Model Maestro
version: 0.0.1
schema: v1
models:
  - name: %3
    provider: openai
    model: %3
    apiBase: %1
    apiKey: %2
    roles:
      - chat
      - edit
      - apply)"_s.arg(v1, token, model);
    case Tool::Cline:
        return uR"(Cline → Settings → API Configuration
  API Provider:  OpenAI Compatible
  Base URL:      %1
  API Key:       %2
  Model ID:      %3)"_s.arg(v1, token, model);
    case Tool::OpenAiSdk:
        return uR"(# pip install openai
from openai import OpenAI

client = OpenAI(base_url="%1", api_key="%2")
reply = client.chat.completions.create(
    model="%3",
    messages=[{"role": "user", "content": "Hello!"}],
)
print(reply.choices[0].message.content))"_s.arg(v1, token, model);
    case Tool::OllamaSdk:
        return uR"(# pip install ollama
from ollama import Client

client = Client(host="%1", headers={"Authorization": "Bearer %2"})
reply = client.chat(model="%3", messages=[{"role": "user", "content": "Hello!"}])
print(reply["message"]["content"])

# or with curl
curl %1/api/chat -H "Authorization: Bearer %2" \
     -d '{"model":"%3","messages":[{"role":"user","content":"Hello!"}]}')"_s.arg(baseUrl, token, model);
    }
    return {};
}

ConnectDialog::ConnectDialog(GatewayClient *client, QWidget *parent)
    : QDialog(parent)
    , m_client(client)
    , m_token(new QLineEdit(this))
    , m_model(new QComboBox(this))
    , m_tools(new QListWidget(this))
    , m_where(new QLabel(this))
    , m_snippet(new QPlainTextEdit(this))
{
    setWindowTitle(tr("Connect a client"));
    m_token->setObjectName(u"token"_s);
    m_model->setObjectName(u"model"_s);
    m_tools->setObjectName(u"tools"_s);
    m_snippet->setObjectName(u"snippet"_s);
    m_token->setPlaceholderText(tr("Paste the user's token"));
    m_token->setClearButtonEnabled(true);
    m_model->setEditable(true);
    m_model->addItems(client->snapshot().modelNames());
    m_model->setMinimumContentsLength(20);

    const struct
    {
        Tool tool;
        QString name;
    } tools[] = {{Tool::ClaudeCode, tr("Claude Code")}, {Tool::Codex, tr("Codex CLI")},
                 {Tool::Cursor, tr("Cursor")},          {Tool::Continue, tr("Continue")},
                 {Tool::Cline, tr("Cline")},            {Tool::OpenAiSdk, tr("OpenAI SDK (Python)")},
                 {Tool::OllamaSdk, tr("Ollama SDK and curl")}};
    for (const auto &entry : tools) {
        auto *item = new QListWidgetItem(entry.name, m_tools);
        item->setData(Qt::UserRole, int(entry.tool));
    }
    m_tools->setCurrentRow(0);
    m_tools->setMaximumWidth(200);
    m_tools->setSpacing(3);
    m_snippet->setReadOnly(true);
    m_snippet->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_snippet->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_where->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("&Token:"), m_token);
    form->addRow(tr("&Model:"), m_model);
    auto *copy = new QPushButton(tr("&Copy"), this);
    copy->setObjectName(u"copy"_s);
    auto *right = new QVBoxLayout;
    right->addWidget(m_where);
    right->addWidget(m_snippet, 1);
    auto *copyRow = new QHBoxLayout;
    auto *copied = new QLabel(this);
    copyRow->addWidget(copied, 1);
    copyRow->addWidget(copy);
    right->addLayout(copyRow);
    auto *body = new QHBoxLayout;
    body->addWidget(m_tools);
    body->addLayout(right, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(body, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(m_token, &QLineEdit::textChanged, this, &ConnectDialog::update);
    connect(m_model, &QComboBox::currentTextChanged, this, &ConnectDialog::update);
    connect(m_tools, &QListWidget::currentRowChanged, this, &ConnectDialog::update);
    connect(copy, &QPushButton::clicked, this, [this, copied] {
        QApplication::clipboard()->setText(m_snippet->toPlainText());
        copied->setText(tr("Copied to the clipboard."));
    });
    update();
    resize(820, 520);
}

void ConnectDialog::setToken(const QString &token)
{
    m_token->setText(token);
}

void ConnectDialog::setModel(const QString &model)
{
    m_model->setCurrentText(model);
}

void ConnectDialog::setTool(Tool tool)
{
    for (int row = 0; row < m_tools->count(); ++row) {
        if (m_tools->item(row)->data(Qt::UserRole).toInt() == int(tool))
            m_tools->setCurrentRow(row);
    }
}

QString ConnectDialog::snippet() const
{
    return m_snippet->toPlainText();
}

void ConnectDialog::update()
{
    const Tool tool = m_tools->currentItem() ? Tool(m_tools->currentItem()->data(Qt::UserRole).toInt())
                                             : Tool::ClaudeCode;
    const QString token = m_token->text().trimmed().isEmpty() ? u"<token>"_s : m_token->text().trimmed();
    const QString model = m_model->currentText().trimmed().isEmpty() ? u"<model>"_s : m_model->currentText().trimmed();
    m_snippet->setPlainText(snippetFor(tool, m_client->baseUrl(), token, model));
    switch (tool) {
    case Tool::ClaudeCode:
    case Tool::OllamaSdk:
    case Tool::OpenAiSdk:
        m_where->setText(tr("Run in a terminal, or put into a script:"));
        break;
    case Tool::Codex:
    case Tool::Continue:
        m_where->setText(tr("Add to the configuration file named in the first line:"));
        break;
    case Tool::Cursor:
    case Tool::Cline:
        m_where->setText(tr("Enter in the tool's settings:"));
        break;
    }
}

} // namespace Maestro

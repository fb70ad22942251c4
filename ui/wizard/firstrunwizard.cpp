#include "firstrunwizard.h"
#include "gatewayclient.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

QLabel *paragraph(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setTextFormat(Qt::RichText);
    return label;
}

QLineEdit *secretField(const QString &text, QWidget *parent)
{
    auto *edit = new QLineEdit(text, parent);
    edit->setReadOnly(true);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return edit;
}

} // namespace

FirstRunWizard::FirstRunWizard(GatewayClient *client, const QByteArray &adminToken, QWidget *parent)
    : QWizard(parent)
    , m_client(client)
{
    setWindowTitle(tr("Set up Model Maestro"));
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    setPage(Welcome, welcomePage(adminToken));
    setPage(FirstNode, nodePage());
    setPage(FirstUser, userPage());
    setPage(Done, donePage());
    resize(640, 480);
}

QWizardPage *FirstRunWizard::welcomePage(const QByteArray &adminToken)
{
    auto *page = new QWizardPage(this);
    page->setTitle(tr("Welcome to Model Maestro"));
    page->setSubTitle(tr("One authenticated gateway for every LLM your team uses."));
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(paragraph(tr("The gateway is running at <b>%1</b>. In the next steps you add the first "
                                   "server that runs models (a <i>node</i>) and the first user.")
                                    .arg(m_client->baseUrl()),
                                page));
    layout->addSpacing(8);
    layout->addWidget(paragraph(tr("Scripts and the admin API authenticate with the <b>admin token</b>. "
                                   "Keep it private; it is stored in the system keychain."),
                                page));
    auto *token = secretField(QString::fromUtf8(adminToken), page);
    token->setObjectName(u"adminToken"_s);
    token->setEchoMode(QLineEdit::Password);
    auto *show = new QPushButton(tr("&Show"), page);
    show->setCheckable(true);
    auto *copy = new QPushButton(tr("&Copy"), page);
    connect(show, &QPushButton::toggled, token, [token](bool on) {
        token->setEchoMode(on ? QLineEdit::Normal : QLineEdit::Password);
    });
    connect(copy, &QPushButton::clicked, token, [token] { QApplication::clipboard()->setText(token->text()); });
    auto *row = new QHBoxLayout;
    row->addWidget(token, 1);
    row->addWidget(show);
    row->addWidget(copy);
    layout->addLayout(row);
    layout->addStretch(1);
    return page;
}

QWizardPage *FirstRunWizard::nodePage()
{
    auto *page = new QWizardPage(this);
    page->setTitle(tr("Add a first node"));
    page->setSubTitle(tr("An Ollama server or an OpenAI-compatible one (vLLM, LM Studio, llama.cpp). You can skip this and add nodes later."));
    m_nodeName = new QLineEdit(u"local"_s, page);
    m_nodeName->setObjectName(u"nodeName"_s);
    m_nodeUrl = new QLineEdit(u"http://127.0.0.1:11434"_s, page);
    m_nodeUrl->setObjectName(u"nodeUrl"_s);
    m_nodeType = new QComboBox(page);
    m_nodeType->setObjectName(u"nodeType"_s);
    m_nodeType->addItem(tr("Ollama"), u"ollama"_s);
    m_nodeType->addItem(tr("OpenAI-compatible"), u"openai"_s);
    m_nodeKey = new QLineEdit(page);
    m_nodeKey->setEchoMode(QLineEdit::Password);
    m_nodeKey->setPlaceholderText(tr("Optional"));
    m_test = new QPushButton(tr("&Test connection"), page);
    m_test->setObjectName(u"testConnection"_s);
    m_nodeStatus = new QLabel(page);
    m_nodeStatus->setObjectName(u"nodeStatus"_s);
    m_nodeStatus->setWordWrap(true);

    auto *form = new QFormLayout(page);
    form->addRow(tr("&Name:"), m_nodeName);
    form->addRow(tr("&Address:"), m_nodeUrl);
    form->addRow(tr("&Type:"), m_nodeType);
    form->addRow(tr("API &key:"), m_nodeKey);
    auto *row = new QHBoxLayout;
    row->addWidget(m_test);
    row->addWidget(m_nodeStatus, 1);
    form->addRow(QString(), row);
    connect(m_test, &QPushButton::clicked, this, &FirstRunWizard::testConnection);
    return page;
}

void FirstRunWizard::testConnection()
{
    AdminService::NodeInput input;
    input.name = m_nodeName->text().trimmed();
    input.baseUrl = m_nodeUrl->text().trimmed();
    input.nodeType = m_nodeType->currentData().toString();
    if (!m_nodeKey->text().isEmpty())
        input.apiKey = m_nodeKey->text();
    m_test->setEnabled(false);
    m_nodeStatus->setText(tr("Connecting…"));
    const auto check = [this](const Result<Node> &node) {
        if (!node.ok()) {
            m_test->setEnabled(true);
            m_nodeStatus->setText(node.error().message);
            return;
        }
        m_nodeId = node.value().id;
        m_client->checkNode(m_nodeId, this, [this](bool healthy, const QString &error) {
            m_test->setEnabled(true);
            m_nodeStatus->setText(healthy ? tr("Connected. The node answers.")
                                          : tr("No answer: %1").arg(error));
            m_nodeStatus->setProperty("healthy", healthy);
        });
    };
    if (m_nodeId == 0)
        m_client->addNode(input, this, check);
    else
        m_client->updateNode(m_nodeId, input, this, check);
}

QWizardPage *FirstRunWizard::userPage()
{
    auto *page = new QWizardPage(this);
    page->setTitle(tr("Create a first user"));
    page->setSubTitle(tr("Each person or tool gets a user with its own token, model list and limits."));
    m_username = new QLineEdit(page);
    m_username->setObjectName(u"username"_s);
    m_username->setPlaceholderText(tr("e.g. alice"));
    m_create = new QPushButton(tr("C&reate user"), page);
    m_create->setObjectName(u"createUser"_s);
    m_token = secretField(QString(), page);
    m_token->setObjectName(u"userToken"_s);
    m_token->setPlaceholderText(tr("The token appears here, once."));
    m_copyToken = new QPushButton(tr("&Copy"), page);
    m_copyToken->setEnabled(false);
    m_userStatus = new QLabel(page);
    m_userStatus->setWordWrap(true);

    auto *form = new QFormLayout(page);
    auto *nameRow = new QHBoxLayout;
    nameRow->addWidget(m_username, 1);
    nameRow->addWidget(m_create);
    form->addRow(tr("&Username:"), nameRow);
    auto *tokenRow = new QHBoxLayout;
    tokenRow->addWidget(m_token, 1);
    tokenRow->addWidget(m_copyToken);
    form->addRow(tr("Token:"), tokenRow);
    form->addRow(QString(), m_userStatus);
    connect(m_create, &QPushButton::clicked, this, &FirstRunWizard::createUser);
    connect(m_username, &QLineEdit::returnPressed, this, &FirstRunWizard::createUser);
    connect(m_copyToken, &QPushButton::clicked, this, [this] {
        QApplication::clipboard()->setText(m_token->text());
        m_userStatus->setText(tr("Copied to the clipboard."));
    });
    return page;
}

void FirstRunWizard::createUser()
{
    const QString username = m_username->text().trimmed();
    if (username.isEmpty())
        return;
    m_create->setEnabled(false);
    m_client->createUser(username, this, [this, username](const Result<GatewayClient::CreatedUser> &created) {
        m_create->setEnabled(true);
        if (!created.ok()) {
            m_userStatus->setText(created.error().message);
            return;
        }
        m_token->setText(created.value().token);
        m_copyToken->setEnabled(true);
        m_userStatus->setText(tr("%1 may use every model. Copy the token now: it is not shown again.").arg(username));
        m_client->setUserModels(username, true, {}, this, [](const Result<User> &) {});
    });
}

QString FirstRunWizard::userToken() const
{
    return m_token->text();
}

QWizardPage *FirstRunWizard::donePage()
{
    auto *page = new QWizardPage(this);
    page->setTitle(tr("Ready"));
    page->setSubTitle(tr("The gateway keeps running while this window is closed."));
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(paragraph(tr("Point a tool at the gateway with the user's token: Claude Code, Codex, "
                                   "Cursor, Continue, Cline or any Ollama or OpenAI client."),
                                page));
    auto *connectButton = new QPushButton(tr("Connect a &client…"), page);
    connect(connectButton, &QPushButton::clicked, this, [this] { Q_EMIT connectClientRequested(userToken()); });
    auto *row = new QHBoxLayout;
    row->addWidget(connectButton);
    row->addStretch(1);
    layout->addLayout(row);
    layout->addStretch(1);
    return page;
}

} // namespace Maestro

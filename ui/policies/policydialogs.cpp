#include "policydialogs.h"

#include "core/adminservice.h"
#include "gatewayclient.h"
#include "uiutil.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

QDialogButtonBox *addButtons(QDialog *dialog, QVBoxLayout *layout, QPushButton **ok)
{
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    *ok = buttons->button(QDialogButtonBox::Ok);
    QObject::connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    return buttons;
}

QLabel *hint(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setEnabled(false);
    label->setWordWrap(true);
    return label;
}

QStringList splitList(const QString &text, QChar separator)
{
    QStringList items;
    for (const QString &item : text.split(separator, Qt::SkipEmptyParts)) {
        const QString trimmed = item.trimmed();
        if (!trimmed.isEmpty() && !items.contains(trimmed))
            items.append(trimmed);
    }
    return items;
}

// Empty means "not set" (0); anything else must parse.
std::optional<qint64> readContext(const QLineEdit *edit)
{
    const QString text = edit->text().trimmed();
    if (text.isEmpty())
        return 0;
    return parseContextLength(text);
}

void setProblemStyle(QLabel *label)
{
    label->setWordWrap(true);
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, QColor(0xc0, 0x39, 0x2b));
    label->setPalette(palette);
    label->hide();
}

} // namespace

ModelConfigDialog::ModelConfigDialog(const GatewaySnapshot &snapshot, const ModelConfig *config, QWidget *parent)
    : QDialog(parent)
    , m_pattern(new QLineEdit(this))
    , m_maintenance(new QCheckBox(tr("&Under maintenance: refuse requests"), this))
    , m_message(new QLineEdit(this))
    , m_restrict(new QCheckBox(tr("&Restrict tools"), this))
    , m_allowedTools(new QLineEdit(this))
    , m_toolSets(new QListWidget(this))
    , m_strippedParams(new QLineEdit(this))
    , m_defaultContext(new QLineEdit(this))
    , m_maxContext(new QLineEdit(this))
    , m_keepThinkTags(new QCheckBox(tr("&Keep <think> tags in answers"), this))
    , m_requestsPerMinute(Ui::limitBox(this, config ? config->requestsPerMinute : std::nullopt))
    , m_tokensPerMinute(Ui::limitBox(this, config ? config->tokensPerMinute : std::nullopt))
    , m_problem(new QLabel(this))
{
    setWindowTitle(config ? tr("Edit configuration %1").arg(config->pattern) : tr("New model configuration"));
    m_pattern->setObjectName(u"pattern"_s);
    m_maintenance->setObjectName(u"maintenance"_s);
    m_message->setObjectName(u"maintenanceMessage"_s);
    m_restrict->setObjectName(u"restrictTools"_s);
    m_allowedTools->setObjectName(u"allowedTools"_s);
    m_toolSets->setObjectName(u"toolSets"_s);
    m_strippedParams->setObjectName(u"strippedParams"_s);
    m_defaultContext->setObjectName(u"defaultContext"_s);
    m_maxContext->setObjectName(u"maxContext"_s);
    m_keepThinkTags->setObjectName(u"keepThinkTags"_s);
    m_keepThinkTags->setToolTip(tr("Reasoning the model writes between <think> and </think> normally reaches each "
                                   "client in its own reasoning field; checked, the text is relayed as written."));
    m_requestsPerMinute->setObjectName(u"requestsPerMinute"_s);
    m_tokensPerMinute->setObjectName(u"tokensPerMinute"_s);
    m_tokensPerMinute->setSingleStep(1'000);
    m_problem->setObjectName(u"problem"_s);

    m_pattern->setPlaceholderText(tr("e.g. llama3.2:latest or qwen*"));
    m_message->setPlaceholderText(tr("Optional, e.g. Back at 14:00"));
    m_allowedTools->setPlaceholderText(tr("Tool names, separated by commas"));
    m_strippedParams->setPlaceholderText(tr("e.g. reasoning_effort, parallel_tool_calls"));
    m_defaultContext->setPlaceholderText(tr("Not set"));
    m_maxContext->setPlaceholderText(tr("Not set"));
    m_defaultContext->setToolTip(tr("Context length (Ollama num_ctx) when the client gives none: 32768, 32K or 1M"));
    m_maxContext->setToolTip(tr("Largest context length (Ollama num_ctx) a client may ask for: 32768, 32K or 1M"));
    m_toolSets->setMaximumHeight(110);
    const QList<ToolSet> &toolSets = snapshot.toolSets;
    for (const ToolSet &set : toolSets) {
        auto *item = new QListWidgetItem(set.name, m_toolSets);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(config && config->toolSets.contains(set.name) ? Qt::Checked : Qt::Unchecked);
        item->setToolTip(set.tools.join(u", "_s));
    }
    if (toolSets.isEmpty()) {
        auto *item = new QListWidgetItem(tr("No tool sets yet"), m_toolSets);
        item->setFlags(Qt::NoItemFlags);
    }
    setProblemStyle(m_problem);
    if (!config) {
        for (const ModelConfig &other : snapshot.modelConfigs)
            m_taken.append(other.pattern);
    }

    if (config) {
        m_pattern->setText(config->pattern);
        // The pattern is the configuration's key.
        m_pattern->setReadOnly(true);
        m_pattern->setToolTip(tr("A configuration keeps its pattern; create a new one for another."));
        m_maintenance->setFocus();
        m_maintenance->setChecked(config->maintenance);
        m_message->setText(config->maintenanceMessage);
        m_restrict->setChecked(config->toolsRestricted);
        m_allowedTools->setText(config->allowedTools.join(u", "_s));
        m_strippedParams->setText(config->strippedParams.join(u", "_s));
        m_defaultContext->setText(contextText(config->defaultContextLength));
        m_maxContext->setText(contextText(config->maxContextLength));
        m_keepThinkTags->setChecked(config->keepThinkTags);
    }

    auto *form = new QFormLayout;
    form->addRow(tr("&Model pattern:"), m_pattern);
    form->addRow(QString(), hint(tr("An exact name, or a prefix ending with *"), this));
    form->addRow(QString(), m_maintenance);
    form->addRow(tr("Maintenance messa&ge:"), m_message);
    form->addRow(QString(), m_restrict);
    form->addRow(tr("&Allowed tools:"), m_allowedTools);
    form->addRow(tr("Tool &sets:"), m_toolSets);
    form->addRow(QString(), hint(tr("When tools are restricted, only the allowed tools and those of the checked sets reach the model."), this));
    form->addRow(tr("S&tripped parameters:"), m_strippedParams);
    form->addRow(QString(), hint(tr("Request parameters removed before the request reaches the model, separated by commas."), this));
    form->addRow(tr("&Default context:"), m_defaultContext);
    form->addRow(tr("Ma&ximum context:"), m_maxContext);
    form->addRow(QString(), m_keepThinkTags);
    form->addRow(tr("Re&quests per minute:"), m_requestsPerMinute);
    form->addRow(tr("Tokens per m&inute:"), m_tokensPerMinute);
    form->addRow(QString(), hint(tr("For all users together, in any 60 seconds."), this));
    form->addRow(QString(), m_problem);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    addButtons(this, layout, &m_ok);

    for (QLineEdit *edit : {m_pattern, m_defaultContext, m_maxContext})
        connect(edit, &QLineEdit::textChanged, this, &ModelConfigDialog::validate);
    connect(m_maintenance, &QCheckBox::toggled, this, &ModelConfigDialog::validate);
    connect(m_restrict, &QCheckBox::toggled, this, &ModelConfigDialog::validate);
    validate();
    resize(540, sizeHint().height());
}

QString ModelConfigDialog::contextText(qint64 length)
{
    if (length <= 0)
        return {};
    if (length % (1024 * 1024) == 0)
        return u"%1M"_s.arg(length / (1024 * 1024));
    if (length % 1024 == 0)
        return u"%1K"_s.arg(length / 1024);
    return QString::number(length);
}

void ModelConfigDialog::validate()
{
    m_message->setEnabled(m_maintenance->isChecked());
    m_allowedTools->setEnabled(m_restrict->isChecked());
    m_toolSets->setEnabled(m_restrict->isChecked());

    const QString pattern = m_pattern->text().trimmed();
    const auto defaultContext = readContext(m_defaultContext);
    const auto maxContext = readContext(m_maxContext);
    QString problem;
    if (m_taken.contains(pattern))
        problem = tr("There is a configuration for %1 already; edit that one instead.").arg(pattern);
    else if (pattern == "*"_L1)
        problem = tr("A pattern of * alone would match every model; name a prefix before it.");
    else if (!defaultContext)
        problem = tr("The default context is not a length (32768, 32K or 1M).");
    else if (!maxContext)
        problem = tr("The maximum context is not a length (32768, 32K or 1M).");
    else if (*maxContext > 0 && *defaultContext > *maxContext)
        problem = tr("The default context is larger than the maximum.");
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    m_ok->setEnabled(!pattern.isEmpty() && problem.isEmpty());
}

ModelConfig ModelConfigDialog::config() const
{
    ModelConfig config;
    config.pattern = m_pattern->text().trimmed();
    config.maintenance = m_maintenance->isChecked();
    config.maintenanceMessage = m_message->text().trimmed();
    config.keepThinkTags = m_keepThinkTags->isChecked();
    config.toolsRestricted = m_restrict->isChecked();
    config.allowedTools = splitList(m_allowedTools->text(), u',');
    for (int row = 0; row < m_toolSets->count(); ++row) {
        const QListWidgetItem *item = m_toolSets->item(row);
        if ((item->flags() & Qt::ItemIsUserCheckable) && item->checkState() == Qt::Checked)
            config.toolSets.append(item->text());
    }
    config.strippedParams = splitList(m_strippedParams->text(), u',');
    config.defaultContextLength = readContext(m_defaultContext).value_or(0);
    config.maxContextLength = readContext(m_maxContext).value_or(0);
    config.requestsPerMinute = Ui::limitValue(m_requestsPerMinute);
    config.tokensPerMinute = Ui::limitValue(m_tokensPerMinute);
    return config;
}

ToolSetDialog::ToolSetDialog(const GatewaySnapshot &snapshot, const ToolSet *set, QWidget *parent)
    : QDialog(parent)
    , m_name(new QLineEdit(this))
    , m_description(new QLineEdit(this))
    , m_tools(new QPlainTextEdit(this))
    , m_problem(new QLabel(this))
{
    setWindowTitle(set ? tr("Edit tool set %1").arg(set->name) : tr("New tool set"));
    m_name->setObjectName(u"toolSetName"_s);
    m_description->setObjectName(u"description"_s);
    m_tools->setObjectName(u"tools"_s);
    m_name->setPlaceholderText(tr("e.g. file-access"));
    m_description->setPlaceholderText(tr("Optional"));
    m_tools->setPlaceholderText(u"read_file\nwrite_file\nlist_directory"_s);
    m_tools->setTabChangesFocus(true);
    setProblemStyle(m_problem);
    if (!set) {
        for (const ToolSet &other : snapshot.toolSets)
            m_taken.append(other.name);
    }
    if (set) {
        m_name->setText(set->name);
        // The name is the set's key: model configurations refer to it.
        m_name->setReadOnly(true);
        m_name->setToolTip(tr("A tool set keeps its name; create a new one to use another."));
        m_description->setFocus();
        m_description->setText(set->description);
        m_tools->setPlainText(set->tools.join(u'\n'));
    }

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Description:"), m_description);
    form->addRow(tr("&Tools:"), m_tools);
    form->addRow(QString(), hint(tr("One tool name per line."), this));
    form->addRow(QString(), m_problem);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    addButtons(this, layout, &m_ok);

    connect(m_name, &QLineEdit::textChanged, this, &ToolSetDialog::validate);
    validate();
    resize(460, 360);
}

void ToolSetDialog::validate()
{
    const QString name = m_name->text().trimmed();
    const bool taken = m_taken.contains(name);
    m_problem->setText(taken ? tr("There is a tool set named %1 already; edit that one instead.").arg(name) : QString());
    m_problem->setVisible(taken);
    m_ok->setEnabled(!name.isEmpty() && !taken);
}

ToolSet ToolSetDialog::toolSet() const
{
    ToolSet set;
    set.name = m_name->text().trimmed();
    set.description = m_description->text().trimmed();
    set.tools = splitList(m_tools->toPlainText(), u'\n');
    return set;
}

} // namespace Maestro

#include "policiespage.h"
#include "gatewayclient.h"
#include "policydialogs.h"
#include "uiutil.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace Ui;

namespace {

QLabel *heading(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    return label;
}

QString selectedKey(QTableWidget *table)
{
    const auto rows = table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : table->item(rows.first().row(), 0)->data(Qt::UserRole).toString();
}

} // namespace

PoliciesPage::PoliciesPage(GatewayClient *client, QWidget *parent)
    : Page(client, parent)
    , m_configs(new QTableWidget(this))
    , m_toolSets(new QTableWidget(this))
    , m_editConfig(new QPushButton(tr("&Edit…"), this))
    , m_deleteConfig(new QPushButton(tr("&Delete"), this))
    , m_editToolSet(new QPushButton(tr("Edi&t…"), this))
    , m_deleteToolSet(new QPushButton(tr("De&lete"), this))
{
    auto *createConfig = new QPushButton(tr("&New configuration…"), this);
    createConfig->setObjectName(u"newConfig"_s);
    createConfig->setToolTip(tr("Set maintenance, tools, parameters and context lengths for a model or a model prefix (Ctrl+N)"));
    m_editConfig->setObjectName(u"editConfig"_s);
    m_deleteConfig->setObjectName(u"deleteConfig"_s);
    auto *createToolSet = new QPushButton(tr("New tool &set…"), this);
    createToolSet->setObjectName(u"newToolSet"_s);
    createToolSet->setToolTip(tr("Name a list of tools that model configurations can allow together"));
    m_editToolSet->setObjectName(u"editToolSet"_s);
    m_deleteToolSet->setObjectName(u"deleteToolSet"_s);

    m_configs->setObjectName(u"modelConfigs"_s);
    setupTable(m_configs, {tr("Pattern"), tr("Maintenance"), tr("Tools"), tr("Stripped parameters"),
                           tr("Context default / max"), tr("Per minute")});
    m_configs->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_configs->horizontalHeader()->setStretchLastSection(false);
    m_toolSets->setObjectName(u"toolSetsTable"_s);
    setupTable(m_toolSets, {tr("Name"), tr("Description"), tr("Tools")});
    m_toolSets->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_toolSets->horizontalHeader()->setStretchLastSection(false);

    auto *top = new QWidget(this);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 6);
    auto *configButtons = new QHBoxLayout;
    configButtons->addWidget(createConfig);
    configButtons->addWidget(m_editConfig);
    configButtons->addStretch(1);
    configButtons->addWidget(m_deleteConfig);
    topLayout->addWidget(heading(tr("Model configuration"), top));
    topLayout->addWidget(m_configs, 1);
    topLayout->addLayout(configButtons);

    auto *bottom = new QWidget(this);
    auto *bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 6, 0, 0);
    auto *toolSetButtons = new QHBoxLayout;
    toolSetButtons->addWidget(createToolSet);
    toolSetButtons->addWidget(m_editToolSet);
    toolSetButtons->addStretch(1);
    toolSetButtons->addWidget(m_deleteToolSet);
    bottomLayout->addWidget(heading(tr("Tool sets"), bottom));
    bottomLayout->addWidget(m_toolSets, 1);
    bottomLayout->addLayout(toolSetButtons);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(top);
    splitter->addWidget(bottom);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({360, 240});
    splitter->setChildrenCollapsible(false);
    auto *matchHint = new QLabel(tr("A configuration applies to the model it names, or to every model starting with a prefix ending in *."), this);
    matchHint->setEnabled(false);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter, 1);
    layout->addWidget(matchHint);

    connect(createConfig, &QPushButton::clicked, this, &PoliciesPage::createNew);
    connect(m_editConfig, &QPushButton::clicked, this, &PoliciesPage::editConfig);
    connect(m_deleteConfig, &QPushButton::clicked, this, &PoliciesPage::deleteConfig);
    connect(m_configs, &QTableWidget::cellDoubleClicked, this, &PoliciesPage::editConfig);
    connect(m_configs, &QTableWidget::itemSelectionChanged, this, &PoliciesPage::updateButtons);
    connect(createToolSet, &QPushButton::clicked, this, [this] { openToolSetDialog(nullptr); });
    connect(m_editToolSet, &QPushButton::clicked, this, &PoliciesPage::editToolSet);
    connect(m_deleteToolSet, &QPushButton::clicked, this, &PoliciesPage::deleteToolSet);
    connect(m_toolSets, &QTableWidget::cellDoubleClicked, this, &PoliciesPage::editToolSet);
    connect(m_toolSets, &QTableWidget::itemSelectionChanged, this, &PoliciesPage::updateButtons);
    connect(m_client, &GatewayClient::snapshotChanged, this, &PoliciesPage::rebuild);
    rebuild();
}

QString PoliciesPage::selectedConfig() const
{
    return selectedKey(m_configs);
}

QString PoliciesPage::selectedToolSet() const
{
    return selectedKey(m_toolSets);
}

QString PoliciesPage::toolsText(const ModelConfig &config)
{
    if (!config.toolsRestricted)
        return tr("all");
    QStringList parts;
    if (!config.allowedTools.isEmpty())
        parts.append(config.allowedTools.join(u", "_s));
    for (const QString &set : config.toolSets)
        parts.append(tr("set %1").arg(set));
    if (parts.isEmpty())
        return tr("none");
    return tr("only: %1").arg(parts.join(u" + "_s));
}

void PoliciesPage::rebuild()
{
    const GatewaySnapshot &snapshot = m_client->snapshot();
    {
        const QString selected = m_pendingConfig.isEmpty() ? selectedConfig() : m_pendingConfig;
        const QSignalBlocker blocker(m_configs);
        m_configs->setRowCount(0);
        for (const ModelConfig &config : snapshot.modelConfigs) {
            const int row = m_configs->rowCount();
            m_configs->insertRow(row);
            m_configs->setItem(row, 0, cell(config.pattern, config.pattern));
            m_configs->setItem(row, 1, cell(config.maintenance ? tr("Maintenance") : tr("Serving")));
            m_configs->item(row, 1)->setIcon(dotIcon(config.maintenance ? healthColor(Health::Unhealthy)
                                                                        : healthColor(Health::Healthy)));
            if (config.maintenance && !config.maintenanceMessage.isEmpty())
                m_configs->item(row, 1)->setToolTip(config.maintenanceMessage);
            m_configs->setItem(row, 2, cell(toolsText(config)));
            m_configs->setItem(row, 3, cell(config.strippedParams.isEmpty() ? u"–"_s
                                                                            : config.strippedParams.join(u", "_s)));
            const auto length = [](qint64 value) {
                return value > 0 ? ModelConfigDialog::contextText(value) : u"–"_s;
            };
            m_configs->setItem(row, 4, cell(u"%1 / %2"_s.arg(length(config.defaultContextLength),
                                                               length(config.maxContextLength))));
            QStringList perMinute;
            if (config.requestsPerMinute)
                perMinute.append(tr("%n request(s)", nullptr, int(std::min<qint64>(*config.requestsPerMinute, INT_MAX))));
            if (config.tokensPerMinute)
                perMinute.append(tr("%n token(s)", nullptr, int(std::min<qint64>(*config.tokensPerMinute, INT_MAX))));
            m_configs->setItem(row, 5, cell(perMinute.isEmpty() ? tr("Unlimited") : perMinute.join(u", "_s)));
        }
        for (int column : {0, 1, 3, 4, 5})
            m_configs->resizeColumnToContents(column);
        const int row = rowWithData(m_configs, selected);
        if (row >= 0) {
            m_configs->selectRow(row);
            m_pendingConfig.clear();
        }
    }
    {
        const QString selected = selectedToolSet();
        const QSignalBlocker blocker(m_toolSets);
        m_toolSets->setRowCount(0);
        for (const ToolSet &set : snapshot.toolSets) {
            const int row = m_toolSets->rowCount();
            m_toolSets->insertRow(row);
            m_toolSets->setItem(row, 0, cell(set.name, set.name));
            m_toolSets->setItem(row, 1, cell(set.description));
            m_toolSets->setItem(row, 2, cell(set.tools.join(u", "_s)));
        }
        for (int column : {0, 1})
            m_toolSets->resizeColumnToContents(column);
        const int row = rowWithData(m_toolSets, selected);
        if (row >= 0)
            m_toolSets->selectRow(row);
    }
    updateButtons();
}

void PoliciesPage::updateButtons()
{
    const bool config = m_client->snapshot().modelConfig(selectedConfig());
    m_editConfig->setEnabled(config);
    m_deleteConfig->setEnabled(config);
    const bool set = m_client->snapshot().toolSet(selectedToolSet());
    m_editToolSet->setEnabled(set);
    m_deleteToolSet->setEnabled(set);
}

void PoliciesPage::createNew()
{
    openConfigDialog(nullptr);
}

void PoliciesPage::openConfigDialog(const ModelConfig *config)
{
    auto *dialog = new ModelConfigDialog(m_client->snapshot(), config, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_client->saveModelConfig(dialog->config(), this, [this](const Result<ModelConfig> &saved) {
            if (!saved.ok())
                return showError(this, tr("Could not save the model configuration"), saved.error());
            // Selected now if the table lists it already, else once the refreshed snapshot does.
            const int row = rowWithData(m_configs, saved.value().pattern);
            if (row >= 0)
                m_configs->selectRow(row);
            else
                m_pendingConfig = saved.value().pattern;
        });
    });
    dialog->open();
}

void PoliciesPage::editConfig()
{
    if (const ModelConfig *config = m_client->snapshot().modelConfig(selectedConfig()))
        openConfigDialog(config);
}

void PoliciesPage::deleteConfig()
{
    const QString pattern = selectedConfig();
    if (pattern.isEmpty())
        return;
    if (QMessageBox::question(this, tr("Delete model configuration"),
                              tr("Delete the configuration for %1? Matching models are served without it.").arg(pattern))
        != QMessageBox::Yes)
        return;
    m_client->deleteModelConfig(pattern, this, [this](const Result<bool> &deleted) {
        if (!deleted.ok())
            showError(this, tr("Could not delete the model configuration"), deleted.error());
    });
}

void PoliciesPage::openToolSetDialog(const ToolSet *set)
{
    auto *dialog = new ToolSetDialog(m_client->snapshot(), set, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_client->saveToolSet(dialog->toolSet(), this, [this](const Result<ToolSet> &saved) {
            if (!saved.ok())
                showError(this, tr("Could not save the tool set"), saved.error());
        });
    });
    dialog->open();
}

void PoliciesPage::editToolSet()
{
    if (const ToolSet *set = m_client->snapshot().toolSet(selectedToolSet()))
        openToolSetDialog(set);
}

void PoliciesPage::deleteToolSet()
{
    const QString name = selectedToolSet();
    if (name.isEmpty())
        return;
    if (QMessageBox::question(this, tr("Delete tool set"),
                              tr("Delete the tool set %1? Configurations that allow it no longer pass its tools.").arg(name))
        != QMessageBox::Yes)
        return;
    m_client->deleteToolSet(name, this, [this](const Result<bool> &deleted) {
        if (!deleted.ok())
            showError(this, tr("Could not delete the tool set"), deleted.error());
    });
}

} // namespace Maestro

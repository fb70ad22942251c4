#include "logspage.h"
#include "gatewayclient.h"
#include "uiutil.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateEdit>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace Ui;

namespace {

constexpr int MaxRows = 500;
constexpr int TypingPauseMs = 300;
// A date edit at this date means "no bound" (it shows "Any").
const QDate NoDate(2000, 1, 1);

QDateEdit *dateBox(const QString &name, QWidget *parent)
{
    auto *box = new QDateEdit(parent);
    box->setObjectName(name);
    box->setCalendarPopup(true);
    box->setMinimumDate(NoDate);
    box->setSpecialValueText(QCoreApplication::translate("Maestro::LogsPage", "Any"));
    box->setDate(NoDate);
    box->setDisplayFormat(u"yyyy-MM-dd"_s);
    return box;
}

QComboBox *filterBox(const QString &all, QWidget *parent)
{
    auto *box = new QComboBox(parent);
    box->setEditable(true);
    box->setInsertPolicy(QComboBox::NoInsert);
    box->setMinimumContentsLength(16);
    box->lineEdit()->setPlaceholderText(all);
    box->lineEdit()->setClearButtonEnabled(true);
    return box;
}

} // namespace

LogsPage::LogsPage(GatewayClient *client, QWidget *parent)
    : Page(client, parent)
    , m_tabs(new QTabWidget(this))
    , m_user(filterBox(tr("All users"), this))
    , m_model(filterBox(tr("Any model"), this))
    , m_status(filterBox(tr("Any status"), this))
    , m_endpoint(filterBox(tr("Any endpoint"), this))
    , m_dialect(new QComboBox(this))
    , m_from(dateBox(u"fromFilter"_s, this))
    , m_to(dateBox(u"toFilter"_s, this))
    , m_reloadDelay(new QTimer(this))
    , m_live(new QCheckBox(tr("&Live"), this))
    , m_total(new QLabel(this))
    , m_requests(new QTableWidget(this))
    , m_details(new QPlainTextEdit(this))
    , m_audit(new QTableWidget(this))
{
    m_user->setObjectName(u"userFilter"_s);
    m_model->setObjectName(u"modelFilter"_s);
    m_model->setToolTip(tr("Part of the model's name, in any case"));
    m_status->setObjectName(u"statusFilter"_s);
    m_status->setMinimumContentsLength(8);
    m_status->setToolTip(tr("A status (404), a class (4xx) or a list of them (401,403,5xx)"));
    m_status->addItems({QString(), u"2xx"_s, u"4xx"_s, u"5xx"_s, u"401"_s, u"403"_s, u"404"_s, u"413"_s,
                        u"429"_s, u"503"_s});
    m_endpoint->setObjectName(u"endpointFilter"_s);
    m_endpoint->addItems({QString(), u"/api/chat"_s, u"/api/generate"_s, u"/api/embed"_s,
                          u"/v1/chat/completions"_s, u"/v1/completions"_s, u"/v1/embeddings"_s,
                          u"/v1/responses"_s, u"/v1/messages"_s});
    m_dialect->setObjectName(u"dialectFilter"_s);
    m_dialect->addItem(tr("Any client"), QString());
    m_dialect->addItem(u"Ollama"_s, u"ollama"_s);
    m_dialect->addItem(u"OpenAI"_s, u"openai"_s);
    m_dialect->addItem(u"Anthropic"_s, u"anthropic"_s);
    m_reloadDelay->setSingleShot(true);
    m_reloadDelay->setInterval(TypingPauseMs);
    m_live->setChecked(true);
    m_live->setToolTip(tr("Show new requests as they finish"));
    auto *refresh = new QPushButton(tr("&Refresh"), this);

    auto *filters = new QHBoxLayout;
    auto *userLabel = new QLabel(tr("&User:"), this);
    userLabel->setBuddy(m_user);
    auto *modelLabel = new QLabel(tr("M&odel:"), this);
    modelLabel->setBuddy(m_model);
    filters->addWidget(userLabel);
    filters->addWidget(m_user);
    filters->addSpacing(8);
    filters->addWidget(modelLabel);
    filters->addWidget(m_model);
    filters->addSpacing(8);
    auto *statusLabel = new QLabel(tr("&Status:"), this);
    statusLabel->setBuddy(m_status);
    filters->addWidget(statusLabel);
    filters->addWidget(m_status);
    filters->addSpacing(8);
    filters->addWidget(m_live);
    filters->addStretch(1);
    filters->addWidget(m_total);
    filters->addWidget(refresh);

    // A second row: where the requests came from and when.
    auto *filters2 = new QHBoxLayout;
    auto *endpointLabel = new QLabel(tr("&Endpoint:"), this);
    endpointLabel->setBuddy(m_endpoint);
    auto *dialectLabel = new QLabel(tr("&Client:"), this);
    dialectLabel->setBuddy(m_dialect);
    auto *fromLabel = new QLabel(tr("&From:"), this);
    fromLabel->setBuddy(m_from);
    auto *toLabel = new QLabel(tr("&To:"), this);
    toLabel->setBuddy(m_to);
    filters2->addWidget(endpointLabel);
    filters2->addWidget(m_endpoint);
    filters2->addSpacing(8);
    filters2->addWidget(dialectLabel);
    filters2->addWidget(m_dialect);
    filters2->addSpacing(8);
    filters2->addWidget(fromLabel);
    filters2->addWidget(m_from);
    filters2->addWidget(toLabel);
    filters2->addWidget(m_to);
    filters2->addStretch(1);

    m_requests->setObjectName(u"requests"_s);
    setupTable(m_requests, {tr("Time"), tr("User"), tr("Model"), tr("Node"), tr("Endpoint"),
                            tr("Status"), tr("Tokens"), tr("Duration"), tr("Reason")});
    // Fixed widths: rows arrive one by one, so fitting to the contents would fit the first row only.
    const int widths[] = {92, 70, 90, 100, 90, 48, 95};
    for (int column = 0; column < int(std::size(widths)); ++column)
        m_requests->setColumnWidth(column, widths[column]);
    m_details->setObjectName(u"details"_s);
    m_details->setReadOnly(true);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_details->setPlaceholderText(tr("Select a request to see its details."));

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_requests);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    splitter->setSizes({640, 240});

    auto *requestsTab = new QWidget(this);
    auto *requestsLayout = new QVBoxLayout(requestsTab);
    requestsLayout->addLayout(filters);
    requestsLayout->addLayout(filters2);
    requestsLayout->addWidget(splitter, 1);

    m_audit->setObjectName(u"audit"_s);
    setupTable(m_audit, {tr("Time"), tr("Action"), tr("Kind"), tr("Subject"), tr("Details")});
    auto *auditTab = new QWidget(this);
    auto *auditLayout = new QVBoxLayout(auditTab);
    auto *auditHint = new QLabel(tr("Every administrative change, newest first. Secrets are never recorded."), auditTab);
    auditHint->setEnabled(false);
    auditLayout->addWidget(auditHint);
    auditLayout->addWidget(m_audit, 1);

    m_tabs->addTab(requestsTab, tr("Requests"));
    m_tabs->addTab(auditTab, tr("Audit log"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);

    connect(refresh, &QPushButton::clicked, this, &LogsPage::reload);
    // Typed filters reload once the typing pauses, picked ones at once; the query runs on the
    // gateway's control thread, so the window never waits for it.
    for (QComboBox *box : {m_user, m_model, m_status, m_endpoint})
        connect(box, &QComboBox::currentTextChanged, this, &LogsPage::filtersChanged);
    connect(m_dialect, &QComboBox::currentIndexChanged, this, &LogsPage::reload);
    connect(m_from, &QDateEdit::dateChanged, this, &LogsPage::filtersChanged);
    connect(m_to, &QDateEdit::dateChanged, this, &LogsPage::filtersChanged);
    connect(m_reloadDelay, &QTimer::timeout, this, &LogsPage::reload);
    connect(m_requests, &QTableWidget::itemSelectionChanged, this, &LogsPage::showDetails);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (index == 1)
            reloadAudit();
    });
    connect(m_client, &GatewayClient::requestLogged, this, [this](const RequestLogEntry &entry) {
        if (!m_live->isChecked() || !matches(entry))
            return;
        m_entries.prepend(entry);
        m_total->setText(tr("%n request(s) in total", nullptr, int(++m_totalCount)));
        m_requests->insertRow(0);
        insertEntry(0, entry);
        if (m_requests->rowCount() > MaxRows) {
            m_requests->removeRow(m_requests->rowCount() - 1);
            m_entries.removeLast();
        }
    });
    connect(m_client, &GatewayClient::snapshotChanged, this, [this] {
        updateFilterChoices();
        if (m_tabs->currentIndex() == 1)
            reloadAudit();
    });
    updateFilterChoices();
    reload();
}

LogQuery LogsPage::currentQuery() const
{
    LogQuery query;
    query.limit = MaxRows;
    query.username = m_user->currentText().trimmed();
    query.modelContains = m_model->currentText().trimmed();
    if (const QString statuses = m_status->currentText().trimmed(); !statuses.isEmpty())
        query.statuses = LogQuery::parseStatuses(statuses).value_or(QList<LogQuery::StatusRange>{{0, -1}});
    query.endpoint = m_endpoint->currentText().trimmed();
    query.dialect = m_dialect->currentData().toString();
    if (m_from->date() > NoDate)
        query.from = QDateTime(m_from->date(), QTime(0, 0), Qt::UTC);
    if (m_to->date() > NoDate)
        query.to = QDateTime(m_to->date().addDays(1), QTime(0, 0), Qt::UTC);
    return query;
}

void LogsPage::filtersChanged()
{
    // A status being typed ("4", "40") is not read until it is one.
    const QString statuses = m_status->currentText().trimmed();
    const bool readable = statuses.isEmpty() || LogQuery::parseStatuses(statuses).has_value();
    m_status->setToolTip(readable ? tr("A status (404), a class (4xx) or a list of them (401,403,5xx)")
                                   : tr("Not a status: use 404, 4xx or a list such as 401,403,5xx"));
    m_reloadDelay->start();
}

void LogsPage::setStatusFilter(const QString &statuses)
{
    m_status->setCurrentText(statuses);
}

void LogsPage::setEndpointFilter(const QString &endpoint)
{
    m_endpoint->setCurrentText(endpoint);
}

void LogsPage::setDialectFilter(const QString &dialect)
{
    m_dialect->setCurrentIndex(std::max(0, m_dialect->findData(dialect)));
}

void LogsPage::setDateFilter(QDate from, QDate to)
{
    m_from->setDate(from.isValid() ? from : NoDate);
    m_to->setDate(to.isValid() ? to : NoDate);
}

void LogsPage::setUserFilter(const QString &username)
{
    m_user->setCurrentText(username);
}

void LogsPage::setModelFilter(const QString &model)
{
    m_model->setCurrentText(model);
}

bool LogsPage::matches(const RequestLogEntry &entry) const
{
    // The rows shown, not what is being typed: a live entry joins the list it fits.
    return m_shown.matches(entry);
}

void LogsPage::updateFilterChoices()
{
    const GatewaySnapshot &snapshot = m_client->snapshot();
    QStringList users;
    for (const User &user : snapshot.users)
        users.append(user.username);
    const auto refill = [](QComboBox *box, const QStringList &items) {
        const QString current = box->currentText();
        const QSignalBlocker blocker(box);
        box->clear();
        box->addItem(QString());
        box->addItems(items);
        box->setCurrentText(current);
    };
    refill(m_user, users);
    refill(m_model, snapshot.modelNames());
}

void LogsPage::insertEntry(int row, const RequestLogEntry &entry)
{
    const GatewaySnapshot &snapshot = m_client->snapshot();
    const Node *node = snapshot.node(entry.nodeId);
    const bool failed = entry.statusCode >= 400 || entry.statusCode == 0;
    auto *time = cell(formatTime(entry.createdAt));
    time->setIcon(dotIcon(failed ? healthColor(Health::Unhealthy) : healthColor(Health::Healthy)));
    m_requests->setItem(row, 0, time);
    m_requests->setItem(row, 1, cell(entry.username));
    m_requests->setItem(row, 2, cell(entry.model));
    m_requests->setItem(row, 3, cell(node ? node->name : entry.nodeId ? QString::number(entry.nodeId) : u"–"_s));
    m_requests->setItem(row, 4, cell(entry.endpoint));
    m_requests->setItem(row, 5, cell(QString::number(entry.statusCode)));
    m_requests->setItem(row, 6, cell(tr("%1 in / %2 out").arg(formatCount(entry.promptTokens), formatCount(entry.completionTokens))));
    m_requests->setItem(row, 7, cell(tr("%1 ms").arg(entry.durationMs)));
    m_requests->setItem(row, 8, cell(entry.reason));
}

void LogsPage::reload()
{
    m_reloadDelay->stop();
    const LogQuery query = currentQuery();
    m_client->requestLogs(query, this, [this, query](const GatewayClient::LogPage &page) {
        const LogQuery now = currentQuery();
        if (query.username != now.username || query.modelContains != now.modelContains
            || query.statuses != now.statuses || query.endpoint != now.endpoint || query.dialect != now.dialect
            || query.from != now.from || query.to != now.to)
            return; // the filters changed while this was on its way
        m_shown = query;
        m_entries = page.entries;
        m_requests->setRowCount(0);
        m_requests->setRowCount(int(m_entries.size()));
        for (int row = 0; row < m_entries.size(); ++row)
            insertEntry(row, m_entries.at(row));
        m_totalCount = page.total;
        m_total->setText(tr("%n request(s) in total", nullptr, int(m_totalCount)));
    });
}

void LogsPage::reloadAudit()
{
    LogQuery query;
    query.limit = MaxRows;
    m_client->auditLogs(query, this, [this](const QList<AuditEntry> &entries) {
        m_audit->setRowCount(0);
        m_audit->setRowCount(int(entries.size()));
        for (int row = 0; row < entries.size(); ++row) {
            const AuditEntry &entry = entries.at(row);
            m_audit->setItem(row, 0, cell(formatTime(entry.createdAt), entry.id));
            m_audit->setItem(row, 1, cell(entry.action));
            m_audit->setItem(row, 2, cell(entry.entityType));
            m_audit->setItem(row, 3, cell(entry.entityId));
            const QString details = QString::fromUtf8(QJsonDocument(entry.details).toJson(QJsonDocument::Compact));
            m_audit->setItem(row, 4, cell(entry.details.isEmpty() ? QString() : details));
        }
        m_audit->resizeColumnsToContents();
    });
}

void LogsPage::showDetails()
{
    const auto rows = m_requests->selectionModel()->selectedRows();
    if (rows.isEmpty() || rows.first().row() >= m_entries.size()) {
        m_details->clear();
        return;
    }
    const RequestLogEntry &entry = m_entries.at(rows.first().row());
    const Node *node = m_client->snapshot().node(entry.nodeId);
    QStringList lines;
    const auto add = [&lines](const QString &label, const QString &value) {
        lines.append(u"%1  %2"_s.arg(label + u':', -14).arg(value));
    };
    add(tr("Time"), QLocale().toString(entry.createdAt.toLocalTime(), QLocale::ShortFormat));
    add(tr("User"), entry.username);
    add(tr("Endpoint"), entry.endpoint);
    add(tr("Model"), entry.model);
    add(tr("Real model"), entry.realModel);
    add(tr("Node"), node ? node->name : QString::number(entry.nodeId));
    add(tr("Status"), QString::number(entry.statusCode));
    if (!entry.dialect.isEmpty())
        add(tr("Client"), entry.dialect);
    if (!entry.reason.isEmpty())
        add(tr("Refused"), entry.reason);
    if (entry.suppressed > 0)
        add(tr("Not logged"), tr("%n more refusal(s) of this user just before", nullptr, int(entry.suppressed)));
    add(tr("Streamed"), entry.streamed ? tr("yes") : tr("no"));
    add(tr("Prompt"), tr("%1 tokens").arg(entry.promptTokens));
    add(tr("Completion"), tr("%1 tokens").arg(entry.completionTokens));
    add(tr("Duration"), tr("%1 ms").arg(entry.durationMs));
    add(tr("First byte"), entry.ttfbMs >= 0 ? tr("%1 ms").arg(entry.ttfbMs) : u"–"_s);
    if (!entry.errorMessage.isEmpty())
        add(tr("Error"), entry.errorMessage);
    m_details->setPlainText(lines.join(u'\n'));
}

} // namespace Maestro

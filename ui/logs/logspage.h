#pragma once

#include "core/entities.h"
#include "page.h"

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QPlainTextEdit;
class QTableWidget;
class QTabWidget;
class QTimer;

namespace Maestro {

class LogsPage final : public Page
{
    Q_OBJECT

public:
    explicit LogsPage(GatewayClient *client, QWidget *parent = nullptr);

    QTableWidget *requestsTable() const { return m_requests; }
    QTableWidget *auditTable() const { return m_audit; }
    QPlainTextEdit *details() const { return m_details; }
    void setUserFilter(const QString &username);
    void setModelFilter(const QString &model);
    // Status: "404", "4xx" or a list ("401,403,5xx"); dialect: "ollama", "openai", "anthropic"
    // or empty; dates: an invalid date is no bound (the "to" date is included).
    void setStatusFilter(const QString &statuses);
    void setEndpointFilter(const QString &endpoint);
    void setDialectFilter(const QString &dialect);
    void setDateFilter(QDate from, QDate to);
    // What the filters select now (the Live view and the reload use it); an unreadable status
    // text selects nothing but is shown as such.
    LogQuery currentQuery() const;

    void reload();
    void reloadAudit();

private:
    bool matches(const RequestLogEntry &entry) const;
    void filtersChanged();
    void insertEntry(int row, const RequestLogEntry &entry);
    void showDetails();
    void updateFilterChoices();

    QTabWidget *m_tabs;
    QComboBox *m_user;
    QComboBox *m_model;
    QComboBox *m_status;
    QComboBox *m_endpoint;
    QComboBox *m_dialect;
    QDateEdit *m_from;
    QDateEdit *m_to;
    QTimer *m_reloadDelay; // typing in a filter reloads once the typing pauses
    LogQuery m_shown;      // the filters of the rows shown
    QCheckBox *m_live;
    QLabel *m_total;
    QTableWidget *m_requests;
    QPlainTextEdit *m_details;
    QTableWidget *m_audit;
    QList<RequestLogEntry> m_entries; // one per row of m_requests
    qint64 m_totalCount = 0;
};

} // namespace Maestro

#pragma once

#include "core/entities.h"
#include "page.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QTableWidget;
class QTabWidget;

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

    void reload();
    void reloadAudit();

private:
    QString userFilter() const;
    QString modelFilter() const;
    bool matches(const RequestLogEntry &entry) const;
    void insertEntry(int row, const RequestLogEntry &entry);
    void showDetails();
    void updateFilterChoices();

    QTabWidget *m_tabs;
    QComboBox *m_user;
    QComboBox *m_model;
    QCheckBox *m_live;
    QLabel *m_total;
    QTableWidget *m_requests;
    QPlainTextEdit *m_details;
    QTableWidget *m_audit;
    QList<RequestLogEntry> m_entries; // one per row of m_requests
    qint64 m_totalCount = 0;
};

} // namespace Maestro

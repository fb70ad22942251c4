#pragma once

#include <QDateTime>
#include <QList>
#include <QWidget>

namespace Maestro {

// Requests per hour over the last 24 hours as bars, with the hour's tokens in the tooltip.
class UsageChart final : public QWidget
{
    Q_OBJECT

public:
    explicit UsageChart(QWidget *parent = nullptr);

    // `requests` and `tokens` hold one value per hour, oldest first; `end` is the end of the last hour.
    void setData(const QList<qint64> &requests, const QList<qint64> &tokens, const QDateTime &end);
    const QList<qint64> &requests() const { return m_requests; }

    QSize sizeHint() const override { return {600, 220}; }
    QSize minimumSizeHint() const override { return {300, 160}; }

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    QRectF plotArea() const;
    int barAt(const QPoint &pos) const;

    QList<qint64> m_requests;
    QList<qint64> m_tokens;
    QDateTime m_end;
};

} // namespace Maestro

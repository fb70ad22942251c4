#include "usagechart.h"

#include <QHelpEvent>
#include <QLocale>
#include <QPainter>
#include <QToolTip>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

// A round axis maximum (1, 2, 5 × 10^n) at or above the largest value.
qint64 niceCeiling(qint64 value)
{
    qint64 step = 1;
    while (true) {
        for (qint64 factor : {1, 2, 5}) {
            if (step * factor >= value)
                return step * factor;
        }
        step *= 10;
    }
}

} // namespace

UsageChart::UsageChart(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"usageChart"_s);
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void UsageChart::setData(const QList<qint64> &requests, const QList<qint64> &tokens, const QDateTime &end)
{
    m_requests = requests;
    m_tokens = tokens;
    m_end = end;
    update();
}

QRectF UsageChart::plotArea() const
{
    const int labelWidth = fontMetrics().horizontalAdvance(u"00000"_s) + 8;
    const int labelHeight = fontMetrics().height() + 6;
    return QRectF(labelWidth, 10, width() - labelWidth - 10, height() - 10 - labelHeight);
}

int UsageChart::barAt(const QPoint &pos) const
{
    const QRectF area = plotArea();
    if (m_requests.isEmpty() || !area.contains(pos))
        return -1;
    return std::clamp(int((pos.x() - area.left()) / (area.width() / m_requests.size())), 0,
                      int(m_requests.size()) - 1);
}

bool UsageChart::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int bar = barAt(help->pos());
        if (bar < 0) {
            QToolTip::hideText();
            return true;
        }
        const QDateTime start = m_end.addSecs(-3600LL * (m_requests.size() - bar));
        const QLocale locale;
        QToolTip::showText(help->globalPos(),
                           tr("%1–%2: %n request(s), %3 tokens", nullptr, int(m_requests.at(bar)))
                               .arg(locale.toString(start.time(), QLocale::ShortFormat),
                                    locale.toString(start.addSecs(3600).time(), QLocale::ShortFormat),
                                    locale.toString(m_tokens.value(bar))),
                           this);
        return true;
    }
    return QWidget::event(event);
}

void UsageChart::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    painter.fillRect(rect(), pal.base());
    const QRectF area = plotArea();
    const qint64 largest = m_requests.isEmpty() ? 0 : *std::max_element(m_requests.cbegin(), m_requests.cend());
    const qint64 top = niceCeiling(std::max<qint64>(largest, 4));

    QColor grid = pal.color(QPalette::Text);
    grid.setAlpha(35);
    QColor label = pal.color(QPalette::Text);
    label.setAlpha(150);
    painter.setFont(font());
    const QLocale locale;
    for (int i = 0; i <= 4; ++i) {
        const qreal y = area.bottom() - area.height() * i / 4.0;
        painter.setPen(QPen(grid, 1));
        painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y));
        painter.setPen(label);
        painter.drawText(QRectF(0, y - 10, area.left() - 6, 20), Qt::AlignRight | Qt::AlignVCenter,
                         locale.toString(top * i / 4));
    }

    const int count = int(m_requests.size());
    if (count == 0)
        return;
    const qreal slot = area.width() / count;
    const qreal barWidth = std::max<qreal>(2, slot * 0.7);
    const QColor bar = pal.color(QPalette::Highlight);
    for (int i = 0; i < count; ++i) {
        const qreal h = area.height() * m_requests.at(i) / qreal(top);
        if (h <= 0)
            continue;
        const QRectF rect(area.left() + i * slot + (slot - barWidth) / 2, area.bottom() - h, barWidth, h);
        painter.setPen(Qt::NoPen);
        painter.setBrush(bar);
        painter.drawRoundedRect(rect, 2, 2);
    }
    // Hour labels every 3 hours, at the start of each slot.
    painter.setPen(label);
    for (int i = 0; i < count; ++i) {
        const QDateTime start = m_end.addSecs(-3600LL * (count - i));
        if (start.time().hour() % 3 != 0)
            continue;
        const QRectF text(area.left() + i * slot - 20, area.bottom() + 3, slot + 40, fontMetrics().height());
        painter.drawText(text, Qt::AlignHCenter | Qt::AlignTop, locale.toString(start.time(), u"HH:mm"_s));
    }
    if (largest == 0) {
        painter.setPen(label);
        painter.drawText(area, Qt::AlignCenter, tr("No requests in the last 24 hours"));
    }
}

} // namespace Maestro

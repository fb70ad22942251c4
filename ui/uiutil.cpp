#include "uiutil.h"

#include <QCoreApplication>
#include <QHeaderView>
#include <QLocale>
#include <QMessageBox>
#include <QPainter>
#include <QPixmap>
#include <QSpinBox>
#include <QTableWidget>

using namespace Qt::StringLiterals;

namespace Maestro {
namespace Ui {

namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(Maestro::Ui)
};

} // namespace

QIcon dotIcon(const QColor &color)
{
    QPixmap pixmap(16, 16);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(color.darker(130), 1));
    painter.setBrush(color);
    painter.drawEllipse(QRectF(3.5, 3.5, 9, 9));
    return QIcon(pixmap);
}

QColor healthColor(Health health, bool active)
{
    if (!active)
        return QColor(0x9e, 0x9e, 0x9e);
    switch (health) {
    case Health::Healthy:
        return QColor(0x2e, 0x9d, 0x4f);
    case Health::Unhealthy:
        return QColor(0xd3, 0x3f, 0x3f);
    case Health::Unknown:
        break;
    }
    return QColor(0xe0, 0xa1, 0x2b);
}

QString healthText(Health health, bool active)
{
    if (!active)
        return Text::tr("Disabled");
    switch (health) {
    case Health::Healthy:
        return Text::tr("Healthy");
    case Health::Unhealthy:
        return Text::tr("Down");
    case Health::Unknown:
        break;
    }
    return Text::tr("Not checked yet");
}

QString formatCount(qint64 value)
{
    return QLocale().toString(value);
}

QString formatBytes(qint64 bytes)
{
    return bytes > 0 ? QLocale().formattedDataSize(bytes) : u"–"_s;
}

QString formatTime(const QDateTime &time)
{
    if (!time.isValid())
        return u"–"_s;
    const QDateTime local = time.toLocalTime();
    if (local.date() == QDate::currentDate())
        return QLocale().toString(local.time(), QLocale::ShortFormat);
    return QLocale().toString(local, QLocale::ShortFormat);
}

QString formatLimit(const std::optional<qint64> &limit)
{
    return limit ? formatCount(*limit) : Text::tr("Unlimited");
}

QSpinBox *limitBox(QWidget *parent, std::optional<qint64> value)
{
    auto *box = new QSpinBox(parent);
    box->setRange(0, std::numeric_limits<int>::max());
    box->setSpecialValueText(Text::tr("Unlimited"));
    box->setGroupSeparatorShown(true);
    box->setValue(value ? int(std::min<qint64>(*value, std::numeric_limits<int>::max())) : 0);
    return box;
}

std::optional<qint64> limitValue(const QSpinBox *box)
{
    return box->value() > 0 ? std::optional<qint64>(box->value()) : std::nullopt;
}

QString nodeTypeText(NodeType type)
{
    switch (type) {
    case NodeType::Ollama:
        return Text::tr("Ollama");
    case NodeType::OpenAi:
        break;
    case NodeType::Bedrock:
        return Text::tr("Amazon Bedrock");
    case NodeType::Anthropic:
        return Text::tr("Anthropic");
    }
    return Text::tr("OpenAI-compatible");
}

void showError(QWidget *parent, const QString &what, const ApiError &error)
{
    QMessageBox::warning(parent, what, error.message.isEmpty() ? what : error.message);
}

QTableWidgetItem *cell(const QString &text, const QVariant &data)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    if (data.isValid())
        item->setData(Qt::UserRole, data);
    return item;
}

void setupTable(QTableWidget *table, const QStringList &headers)
{
    table->setColumnCount(int(headers.size()));
    table->setHorizontalHeaderLabels(headers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setAlternatingRowColors(true);
    table->setShowGrid(false);
    table->setWordWrap(false);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(26);
    table->horizontalHeader()->setHighlightSections(false);
    table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
}

int rowWithData(QTableWidget *table, const QVariant &data)
{
    for (int row = 0; row < table->rowCount(); ++row) {
        if (table->item(row, 0) && table->item(row, 0)->data(Qt::UserRole) == data)
            return row;
    }
    return -1;
}

} // namespace Ui
} // namespace Maestro

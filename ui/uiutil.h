#pragma once

#include "core/apierror.h"
#include "core/entities.h"

#include <QColor>
#include <QIcon>
#include <QString>

class QSpinBox;
class QWidget;
class QTableWidget;
class QTableWidgetItem;

namespace Maestro {
namespace Ui {

// Small pieces every page shares, so the windows look and speak alike.
QIcon dotIcon(const QColor &color);
QColor healthColor(Health health, bool active = true);
QString healthText(Health health, bool active = true);
QString formatCount(qint64 value);
QString formatBytes(qint64 bytes);
QString formatTime(const QDateTime &time);
QString formatLimit(const std::optional<qint64> &limit);
// A spin box for a limit whose 0 shows "Unlimited" and reads back as no limit.
QSpinBox *limitBox(QWidget *parent, std::optional<qint64> value);
std::optional<qint64> limitValue(const QSpinBox *box);
QString nodeTypeText(NodeType type);
void showError(QWidget *parent, const QString &what, const ApiError &error);
// A read-only cell; `data` is kept under Qt::UserRole for finding the row again.
QTableWidgetItem *cell(const QString &text, const QVariant &data = {});
// Sensible defaults for the data tables of every page.
void setupTable(QTableWidget *table, const QStringList &headers);
int rowWithData(QTableWidget *table, const QVariant &data);

} // namespace Ui
} // namespace Maestro

#include <QSettings>

namespace Maestro {

// The desktop's own preferences (window state, language, tray). Named explicitly rather than
// through the application's organization, which would move the gateway's data directory.
class DesktopSettings final : public QSettings
{
public:
    DesktopSettings()
        : QSettings(QStringLiteral("model-maestro"), QStringLiteral("desktop"))
    {
    }
};

} // namespace Maestro

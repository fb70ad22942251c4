#include "userdialogs.h"

#include "uiutil.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro {

using namespace Ui;

namespace {

QDialogButtonBox *okCancel(QDialog *dialog)
{
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    QObject::connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    return buttons;
}

} // namespace

NewUserDialog::NewUserDialog(QWidget *parent)
    : QDialog(parent)
    , m_username(new QLineEdit(this))
    , m_allModels(new QCheckBox(tr("Allow every model (can be narrowed later)"), this))
{
    setWindowTitle(tr("New user"));
    m_username->setObjectName(u"username"_s);
    m_username->setPlaceholderText(tr("e.g. alice"));
    m_username->setValidator(new QRegularExpressionValidator(QRegularExpression(u"[A-Za-z0-9._@-]{1,64}"_s), this));
    m_allModels->setObjectName(u"allModels"_s);
    m_allModels->setChecked(true);

    auto *form = new QFormLayout;
    form->addRow(tr("&Username:"), m_username);
    form->addRow(QString(), m_allModels);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    auto *hint = new QLabel(tr("The access token is shown once, right after the user is created."), this);
    hint->setWordWrap(true);
    hint->setEnabled(false);
    layout->addWidget(hint);
    auto *buttons = okCancel(this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Create"));
    buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    connect(m_username, &QLineEdit::textChanged, this, [buttons](const QString &text) {
        buttons->button(QDialogButtonBox::Ok)->setEnabled(!text.trimmed().isEmpty());
    });
    layout->addWidget(buttons);
    resize(420, sizeHint().height());
}

QString NewUserDialog::username() const
{
    return m_username->text().trimmed();
}

bool NewUserDialog::allModels() const
{
    return m_allModels->isChecked();
}

UserModelsDialog::UserModelsDialog(const QString &username, const QStringList &known, bool all,
                                   const QStringList &granted, QWidget *parent)
    : QDialog(parent)
    , m_all(new QCheckBox(tr("&All models, including ones added later"), this))
    , m_list(new QListWidget(this))
{
    setWindowTitle(tr("Models for %1").arg(username));
    m_all->setChecked(all);
    QStringList names = known;
    for (const QString &name : granted) {
        if (!names.contains(name))
            names.append(name); // granted before the model disappeared: keep it visible
    }
    for (const QString &name : std::as_const(names)) {
        auto *item = new QListWidgetItem(name, m_list);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
        item->setCheckState(granted.contains(name) ? Qt::Checked : Qt::Unchecked);
    }
    m_list->setEnabled(!all);
    connect(m_all, &QCheckBox::toggled, m_list, [this](bool on) { m_list->setEnabled(!on); });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_all);
    layout->addWidget(new QLabel(tr("Or only these (display names first, then models as nodes name them):"), this));
    layout->addWidget(m_list, 1);
    layout->addWidget(okCancel(this));
    resize(420, 420);
}

bool UserModelsDialog::allModels() const
{
    return m_all->isChecked();
}

QStringList UserModelsDialog::models() const
{
    QStringList checked;
    for (int i = 0; i < m_list->count(); ++i) {
        if (m_list->item(i)->checkState() == Qt::Checked)
            checked.append(m_list->item(i)->text());
    }
    return checked;
}

UserNodesDialog::UserNodesDialog(const QString &username, const QList<Node> &nodes,
                                 const QList<qint64> &allowed, QWidget *parent)
    : QDialog(parent)
    , m_all(new QCheckBox(tr("&All nodes, including ones added later"), this))
    , m_list(new QListWidget(this))
{
    setWindowTitle(tr("Nodes for %1").arg(username));
    m_all->setObjectName(u"allNodes"_s);
    m_list->setObjectName(u"nodes"_s);
    m_all->setChecked(allowed.isEmpty());
    for (const Node &node : nodes) {
        auto *item = new QListWidgetItem(node.name, m_list);
        item->setData(Qt::UserRole, node.id);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
        item->setCheckState(allowed.contains(node.id) ? Qt::Checked : Qt::Unchecked);
    }
    // Nodes deleted since they were allowed keep the user limited (to nothing there) until the
    // list is saved again; they are shown so that is visible.
    for (qint64 id : allowed) {
        const bool known = std::any_of(nodes.cbegin(), nodes.cend(), [id](const Node &node) { return node.id == id; });
        if (!known) {
            auto *item = new QListWidgetItem(tr("Deleted node %1").arg(id), m_list);
            item->setData(Qt::UserRole, id);
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
            item->setCheckState(Qt::Checked);
        }
    }
    m_list->setEnabled(!allowed.isEmpty());
    connect(m_all, &QCheckBox::toggled, m_list, [this](bool on) { m_list->setEnabled(!on); });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_all);
    layout->addWidget(new QLabel(tr("Or only these; requests never go to other nodes, not even on failover:"), this));
    layout->addWidget(m_list, 1);
    auto *buttons = okCancel(this);
    layout->addWidget(buttons);
    // Checking no node at all would be "every node" to the gateway: refuse it instead of
    // widening the user's access by surprise.
    const auto validate = [this, buttons] {
        bool any = false;
        for (int i = 0; i < m_list->count(); ++i)
            any = any || m_list->item(i)->checkState() == Qt::Checked;
        buttons->button(QDialogButtonBox::Ok)->setEnabled(m_all->isChecked() || any);
    };
    connect(m_all, &QCheckBox::toggled, this, validate);
    connect(m_list, &QListWidget::itemChanged, this, validate);
    validate();
    resize(420, 420);
}

QList<qint64> UserNodesDialog::nodeIds() const
{
    QList<qint64> ids;
    if (m_all->isChecked())
        return ids;
    for (int i = 0; i < m_list->count(); ++i) {
        if (m_list->item(i)->checkState() == Qt::Checked)
            ids.append(m_list->item(i)->data(Qt::UserRole).toLongLong());
    }
    return ids;
}

UserLimitsDialog::UserLimitsDialog(const QString &username, const UserLimits &limits, QWidget *parent)
    : QDialog(parent)
    , m_requests(limitBox(this, limits.requestLimit))
    , m_tokens(limitBox(this, limits.tokenLimit))
    , m_requestsPerMinute(limitBox(this, limits.requestsPerMinute))
    , m_tokensPerMinute(limitBox(this, limits.tokensPerMinute))
{
    setWindowTitle(tr("Limits for %1").arg(username));
    m_requests->setObjectName(u"requestLimit"_s);
    m_tokens->setObjectName(u"tokenLimit"_s);
    m_requestsPerMinute->setObjectName(u"requestsPerMinute"_s);
    m_tokensPerMinute->setObjectName(u"tokensPerMinute"_s);
    m_tokens->setSingleStep(10'000);
    m_tokensPerMinute->setSingleStep(1'000);
    auto *form = new QFormLayout;
    form->addRow(tr("&Requests per day:"), m_requests);
    form->addRow(tr("&Tokens per day:"), m_tokens);
    form->addRow(tr("Requests per &minute:"), m_requestsPerMinute);
    form->addRow(tr("T&okens per minute:"), m_tokensPerMinute);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    auto *hint = new QLabel(tr("Days are counted in UTC; a minute is any 60 seconds. 0 means unlimited."), this);
    hint->setEnabled(false);
    hint->setWordWrap(true);
    layout->addWidget(hint);
    layout->addWidget(okCancel(this));
    resize(380, sizeHint().height());
}

UserLimits UserLimitsDialog::limits() const
{
    return {limitValue(m_requests), limitValue(m_tokens), limitValue(m_requestsPerMinute),
            limitValue(m_tokensPerMinute)};
}

} // namespace Maestro

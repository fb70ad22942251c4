#include "pullmodeldialog.h"
#include "gatewayclient.h"
#include "uiutil.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

// Progress bars count in thousandths: byte counts of large models do not fit an int.
constexpr int BarMaximum = 1000;

} // namespace

PullModelDialog::PullModelDialog(GatewayClient *client, qint64 nodeId, QWidget *parent)
    : QDialog(parent)
    , m_client(client)
    , m_model(new QLineEdit(this))
    , m_target(new QComboBox(this))
    , m_rowsBox(new QWidget)
    , m_rows(new QGridLayout(m_rowsBox))
    , m_summary(new QLabel(this))
    , m_pull(new QPushButton(tr("&Pull"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_close(new QPushButton(tr("Close"), this))
{
    setWindowTitle(tr("Pull model"));
    m_model->setObjectName(u"model"_s);
    m_model->setPlaceholderText(tr("e.g. llama3.2:3b"));
    m_target->setObjectName(u"target"_s);

    // Only Ollama nodes can pull; "all" means the active ones, as the gateway sends it.
    const GatewaySnapshot &snapshot = m_client->snapshot();
    int active = 0;
    for (const Node &node : snapshot.nodes)
        active += node.type == NodeType::Ollama && node.active ? 1 : 0;
    if (active > 0)
        m_target->addItem(tr("All active Ollama nodes (%n)", nullptr, active), qint64(0));
    for (const Node &node : snapshot.nodes) {
        if (node.type != NodeType::Ollama)
            continue;
        m_target->addItem(node.active ? node.name : tr("%1 (disabled)").arg(node.name), node.id);
        if (node.id == nodeId)
            m_target->setCurrentIndex(m_target->count() - 1);
    }

    auto *form = new QFormLayout;
    form->addRow(tr("&Model:"), m_model);
    form->addRow(tr("&Onto:"), m_target);
    auto *hint = new QLabel(tr("Each node downloads the model from its registry (ollama.com unless the "
                               "name says otherwise). Large models take a while."), this);
    hint->setWordWrap(true);

    m_rows->setColumnStretch(1, 1);
    m_rows->setAlignment(Qt::AlignTop);
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_rowsBox);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    m_summary->setObjectName(u"summary"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    if (m_target->count() == 0)
        m_summary->setText(tr("There is no Ollama node: only Ollama nodes can pull models."));

    m_pull->setObjectName(u"pull"_s);
    m_pull->setDefault(true);
    m_cancel->setObjectName(u"cancel"_s);
    m_close->setObjectName(u"close"_s);
    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_pull, QDialogButtonBox::ActionRole);
    buttons->addButton(m_cancel, QDialogButtonBox::RejectRole);
    buttons->addButton(m_close, QDialogButtonBox::RejectRole);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(hint);
    layout->addWidget(scroll, 1);
    layout->addWidget(m_summary);
    layout->addWidget(buttons);

    connect(m_model, &QLineEdit::textChanged, this, &PullModelDialog::updateButtons);
    connect(m_pull, &QPushButton::clicked, this, &PullModelDialog::pull);
    connect(m_cancel, &QPushButton::clicked, this, &PullModelDialog::cancel);
    connect(m_close, &QPushButton::clicked, this, &QDialog::accept);
    resize(560, 380);
    updateButtons();
}

bool PullModelDialog::isPulling() const
{
    return m_job && m_job->isRunning();
}

QProgressBar *PullModelDialog::progressBar(qint64 nodeId) const
{
    return m_rowOf.value(nodeId).bar;
}

QLabel *PullModelDialog::statusLabel(qint64 nodeId) const
{
    return m_rowOf.value(nodeId).status;
}

void PullModelDialog::reject()
{
    // Escape or the window's close button while pulling stops the pull; the dialog stays to show
    // how far each node got.
    if (isPulling())
        return cancel();
    QDialog::reject();
}

void PullModelDialog::pull()
{
    const QString model = m_model->text().trimmed();
    if (model.isEmpty() || m_target->count() == 0 || isPulling())
        return;
    const qint64 target = m_target->currentData().toLongLong();
    clearRows();
    m_pulling = model;
    m_failures = 0;
    m_cancelled = false;
    m_summary->setText(tr("Starting…"));
    delete m_job;
    m_job = m_client->pullModel(model, target > 0 ? std::optional<qint64>(target) : std::nullopt, this);
    connect(m_job, &ModelPullJob::started, this, &PullModelDialog::showNodes);
    connect(m_job, &ModelPullJob::progress, this,
            [this](qint64 nodeId, const QString &, const QString &status, qint64 completed, qint64 total) {
                showProgress(nodeId, status, completed, total);
            });
    connect(m_job, &ModelPullJob::nodeFinished, this, &PullModelDialog::showNodeFinished);
    connect(m_job, &ModelPullJob::refused, m_summary, &QLabel::setText);
    connect(m_job, &ModelPullJob::finished, this, &PullModelDialog::showFinished);
    updateButtons();
}

void PullModelDialog::cancel()
{
    if (!isPulling() || m_cancelled)
        return;
    m_cancelled = true;
    m_summary->setText(tr("Cancelling…"));
    m_job->cancel();
    updateButtons();
}

void PullModelDialog::clearRows()
{
    while (QLayoutItem *item = m_rows->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    m_rowOf.clear();
}

void PullModelDialog::showNodes(const QList<Node> &nodes)
{
    m_summary->setText(tr("Pulling %1…").arg(m_pulling));
    for (const Node &node : nodes) {
        const int line = m_rows->rowCount();
        auto *name = new QLabel(node.name, m_rowsBox);
        QFont bold = name->font();
        bold.setBold(true);
        name->setFont(bold);
        Row row;
        row.bar = new QProgressBar(m_rowsBox);
        row.bar->setObjectName(u"progress-%1"_s.arg(node.id));
        row.bar->setRange(0, 0); // busy until the node says how much there is
        row.status = new QLabel(tr("Waiting for the node…"), m_rowsBox);
        row.status->setObjectName(u"status-%1"_s.arg(node.id));
        row.status->setWordWrap(true);
        row.status->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_rows->addWidget(name, line, 0);
        m_rows->addWidget(row.bar, line, 1);
        m_rows->addWidget(row.status, line + 1, 1);
        m_rowOf.insert(node.id, row);
    }
}

void PullModelDialog::showProgress(qint64 nodeId, const QString &status, qint64 completed, qint64 total)
{
    const Row row = m_rowOf.value(nodeId);
    if (!row.bar)
        return;
    row.status->setText(status);
    if (total > 0) {
        row.bar->setRange(0, BarMaximum);
        row.bar->setValue(int(std::clamp(completed, qint64(0), total) * BarMaximum / total));
        row.bar->setFormat(tr("%1 of %2").arg(Ui::formatBytes(completed), Ui::formatBytes(total)));
    } else {
        row.bar->setRange(0, 0);
    }
}

void PullModelDialog::showNodeFinished(qint64 nodeId, bool ok, const QString &error)
{
    const Row row = m_rowOf.value(nodeId);
    if (!row.bar)
        return;
    if (ok) {
        row.bar->setRange(0, BarMaximum);
        row.bar->setValue(BarMaximum);
        row.bar->setFormat(tr("Done"));
        return;
    }
    ++m_failures;
    // A stopped bar keeps how far it got; a busy one has nothing to show.
    if (row.bar->maximum() == 0) {
        row.bar->setRange(0, BarMaximum);
        row.bar->setValue(0);
    }
    row.bar->setFormat(m_cancelled ? tr("Cancelled") : tr("Failed"));
    row.status->setText(m_cancelled ? tr("Cancelled") : error);
    if (!m_cancelled) {
        QPalette palette = row.status->palette();
        palette.setColor(QPalette::WindowText, Ui::healthColor(Health::Unhealthy).darker(110));
        row.status->setPalette(palette);
    }
}

void PullModelDialog::showFinished(bool ok)
{
    if (m_cancelled)
        m_summary->setText(tr("Cancelled: %1 was not pulled.").arg(m_pulling));
    else if (ok)
        m_summary->setText(tr("%1 is on %n node(s); their model lists are being refreshed.", nullptr,
                              int(m_rowOf.size())).arg(m_pulling));
    else if (!m_rowOf.isEmpty())
        m_summary->setText(tr("Pulling %1 failed on %2 of %n node(s).", nullptr, int(m_rowOf.size()))
                               .arg(m_pulling).arg(m_failures));
    updateButtons();
    m_close->setFocus();
}

void PullModelDialog::updateButtons()
{
    const bool pulling = isPulling();
    m_model->setEnabled(!pulling);
    m_target->setEnabled(!pulling);
    m_pull->setEnabled(!pulling && m_target->count() > 0 && !m_model->text().trimmed().isEmpty());
    m_cancel->setVisible(pulling);
    m_cancel->setEnabled(pulling && !m_cancelled);
    m_close->setVisible(!pulling);
}

} // namespace Maestro

#include "tokendialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Maestro {

TokenDialog::TokenDialog(const QString &username, const QString &token, QWidget *parent)
    : QDialog(parent)
    , m_token(new QLineEdit(token, this))
    , m_copy(new QPushButton(tr("&Copy"), this))
{
    setWindowTitle(tr("Token for %1").arg(username));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("This is <b>%1</b>'s access token. Copy it now and hand it over safely: "
                                "Model Maestro stores only a fingerprint and cannot show it again.")
                                 .arg(username.toHtmlEscaped()),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    m_token->setObjectName(u"token"_s);
    m_token->setReadOnly(true);
    m_token->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_token->setMinimumWidth(m_token->fontMetrics().horizontalAdvance(token) + 24);
    auto *row = new QHBoxLayout;
    row->addWidget(m_token, 1);
    row->addWidget(m_copy);
    layout->addLayout(row);

    auto *copied = new QLabel(this);
    copied->setObjectName(u"copied"_s);
    layout->addWidget(copied);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::accept);
    connect(m_copy, &QPushButton::clicked, this, [this, copied] {
        QApplication::clipboard()->setText(m_token->text());
        copied->setText(tr("Copied to the clipboard."));
    });
    m_copy->setDefault(true);
    m_copy->setFocus();
}

QString TokenDialog::token() const
{
    return m_token->text();
}

} // namespace Maestro

#pragma once

#include <QDialog>

class QLineEdit;
class QPushButton;

namespace Maestro {

// Shows a freshly issued token. The gateway keeps only its digest, so this is the one chance to
// copy it.
class TokenDialog final : public QDialog
{
    Q_OBJECT

public:
    TokenDialog(const QString &username, const QString &token, QWidget *parent = nullptr);

    QString token() const;

private:
    QLineEdit *m_token;
    QPushButton *m_copy;
};

} // namespace Maestro

#pragma once

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;

namespace Maestro {

class GatewayClient;

// Ready-to-paste settings that point a coding tool or SDK at the gateway with one user's token.
class ConnectDialog final : public QDialog
{
    Q_OBJECT

public:
    enum class Tool { ClaudeCode, Codex, Cursor, Continue, Cline, OpenAiSdk, OllamaSdk };

    explicit ConnectDialog(GatewayClient *client, QWidget *parent = nullptr);

    void setToken(const QString &token);
    void setModel(const QString &model);
    void setTool(Tool tool);
    QString snippet() const;

    static QString snippetFor(Tool tool, const QString &baseUrl, const QString &token, const QString &model);

private:
    void update();

    GatewayClient *m_client;
    QLineEdit *m_token;
    QComboBox *m_model;
    QListWidget *m_tools;
    QLabel *m_where;
    QPlainTextEdit *m_snippet;
};

} // namespace Maestro

#pragma once

#include "desktop.h"
#include "page.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace Maestro {

class SettingsPage final : public Page
{
    Q_OBJECT

public:
    SettingsPage(GatewayClient *client, const DesktopContext &context, QWidget *parent = nullptr);

    void apply();

private:
    void load();

    QLineEdit *m_listen;
    QLineEdit *m_tlsCertificate;
    QLineEdit *m_tlsKey;
    QLabel *m_database;
    QComboBox *m_strategy;
    QSpinBox *m_maxBody;
    QSpinBox *m_defaultRequests;
    QSpinBox *m_defaultTokens;
    QSpinBox *m_defaultRequestsPerMinute;
    QSpinBox *m_defaultTokensPerMinute;
    QLineEdit *m_keepAlive;
    QSpinBox *m_contextLength;
    QComboBox *m_images;
    QLineEdit *m_ollamaVersion;
    QCheckBox *m_versionPublic;
    QComboBox *m_language;
    QCheckBox *m_startMinimized;
    QCheckBox *m_startOnLogin;
    QLabel *m_status;
    bool m_loaded = false;
};

} // namespace Maestro

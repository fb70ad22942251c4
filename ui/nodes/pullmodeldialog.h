#pragma once

#include <QDialog>
#include <QHash>
#include <QPointer>

class QComboBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace Maestro {

class GatewayClient;
class ModelPullJob;
struct Node;

// Pulls a model onto one Ollama node or all active ones, with a row per node: Ollama's status
// text, a progress bar over the bytes of the layer being downloaded (busy while the node does
// not say how much), and the node's error if it fails. Closing it while pulling cancels the pull.
class PullModelDialog final : public QDialog
{
    Q_OBJECT

public:
    // `nodeId` is preselected when it is an Ollama node.
    PullModelDialog(GatewayClient *client, qint64 nodeId, QWidget *parent = nullptr);

    bool isPulling() const;
    QProgressBar *progressBar(qint64 nodeId) const;
    QLabel *statusLabel(qint64 nodeId) const;

    void reject() override;

private:
    struct Row
    {
        QProgressBar *bar = nullptr;
        QLabel *status = nullptr;
    };

    void pull();
    void cancel();
    void showNodes(const QList<Node> &nodes);
    void showProgress(qint64 nodeId, const QString &status, qint64 completed, qint64 total);
    void showNodeFinished(qint64 nodeId, bool ok, const QString &error);
    void showFinished(bool ok);
    void clearRows();
    void updateButtons();

    GatewayClient *m_client;
    QLineEdit *m_model;
    QComboBox *m_target;
    QWidget *m_rowsBox;
    QGridLayout *m_rows;
    QLabel *m_summary;
    QPushButton *m_pull;
    QPushButton *m_cancel;
    QPushButton *m_close;
    QPointer<ModelPullJob> m_job;
    QHash<qint64, Row> m_rowOf;
    QString m_pulling; // the model of the running or last pull
    int m_failures = 0;
    bool m_cancelled = false;
};

} // namespace Maestro

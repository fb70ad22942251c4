#pragma once

#include <QWidget>

namespace Maestro {

class GatewayClient;

// One page of the main window. Pages read the client's snapshot and change things through it.
class Page : public QWidget
{
    Q_OBJECT

public:
    explicit Page(GatewayClient *client, QWidget *parent = nullptr)
        : QWidget(parent)
        , m_client(client)
    {
    }

    // What Ctrl+N does on this page; false when the page has nothing to create.
    virtual bool canCreate() const { return false; }
    virtual void createNew() {}

protected:
    GatewayClient *m_client;
};

} // namespace Maestro

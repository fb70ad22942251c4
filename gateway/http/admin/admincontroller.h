#pragma once

#include "admincontext.h"
#include "http/control.h"

namespace Maestro {

class AdminService;

// What the admin API's controllers share. They run on the control thread only (Control::runAdmin),
// where the AdminService and the database connection live; every change goes through the
// AdminService, which audits it. Errors are {"detail": "..."} as the seed's API answered.
class AdminController
{
public:
    explicit AdminController(Control *control) : m_control(control) {}

protected:
    Control *control() const { return m_control; }
    AdminService *admin() const { return m_control->admin(); }
    Store *store() const { return m_control->store(); }
    [[nodiscard]] CatalogSnapshot catalog() const { return m_control->catalog(); }

private:
    Control *m_control;
};

} // namespace Maestro

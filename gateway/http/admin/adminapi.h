#pragma once

#include "backupcontroller.h"
#include "logscontroller.h"
#include "modelscontroller.h"
#include "nodescontroller.h"
#include "overviewcontroller.h"
#include "policiescontroller.h"
#include "userscontroller.h"

#include <tuple>

namespace Maestro {

// The admin API's controllers, one per area, owned by the control object and used on its thread
// only. The route table (routes.cpp) names a controller's handler; Control::runAdmin finds the
// controller here.
class AdminApi
{
public:
    explicit AdminApi(Control *control)
        : m_controllers(UsersController(control), NodesController(control), ModelsController(control),
                        PoliciesController(control), LogsController(control), BackupController(control),
                        OverviewController(control))
    {
    }

    template<typename Controller>
    Controller &get()
    {
        return std::get<Controller>(m_controllers);
    }

private:
    std::tuple<UsersController, NodesController, ModelsController, PoliciesController, LogsController,
               BackupController, OverviewController>
        m_controllers;
};

} // namespace Maestro

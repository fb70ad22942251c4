#pragma once

#include "admincontroller.h"

namespace Maestro {

// GET /admin/overview: everything the desktop app shows, in one answer read at one moment, so
// that an app managing the gateway over HTTP refreshes with one request instead of one per page
// and per node.
class OverviewController final : public AdminController
{
public:
    using AdminController::AdminController;

    // -> {"version", "users": [user], "usage_today": {"<user id>": {"requests","tokens"}},
    //   "nodes": [node with "load" and "models": [discovered model]], "model_mappings": [mapping],
    //   "model_groups": [group], "tool_sets": [tool set], "model_configs": [configuration],
    //   "system_prompts": [prompt], "settings": {key: effective value}, "active_requests"}
    //   Usage and load are this gateway's figures, as GET /admin/users/{username}/limits and
    //   GET /admin/nodes show them.
    void overview(AdminContext &ctx);
};

} // namespace Maestro

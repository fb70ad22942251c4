#pragma once

#include "admincontroller.h"

namespace Maestro {

// A copy of the configuration to move between installations (not the logs).
class BackupController final : public AdminController
{
public:
    using AdminController::AdminController;

    // GET /admin/export -> {version, nodes, users, mappings, settings}: no tokens, no API keys
    void exportBackup(AdminContext &ctx);
    // POST /admin/import {backup} -> {imported: {nodes, users, mappings, settings},
    //   created_users: [{username, token}]} (tokens of users the import created, shown once)
    void importBackup(AdminContext &ctx);
};

} // namespace Maestro

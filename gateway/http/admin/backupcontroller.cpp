#include "backupcontroller.h"
#include "core/adminservice.h"

namespace Maestro {

void BackupController::exportBackup(AdminContext &ctx)
{
    ctx.sendJson(200, admin()->exportBackup());
}

void BackupController::importBackup(AdminContext &ctx)
{
    const auto body = ctx.jsonBody();
    if (!ctx.failed(body))
        ctx.answer(admin()->importBackup(body.value()));
}

} // namespace Maestro

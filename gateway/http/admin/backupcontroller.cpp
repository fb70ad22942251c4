#include "backupcontroller.h"
#include "core/adminservice.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Maestro {

void BackupController::exportBackup(AdminContext &ctx)
{
    ctx.sendJson(200, admin()->exportBackup());
}

void BackupController::importBackup(AdminContext &ctx)
{
    auto body = ctx.jsonBody();
    if (ctx.failed(body))
        return;
    ctx.answer(admin()->importBackup(body.value()), [](const AdminService::ImportOutcome &outcome) {
        QJsonArray created;
        for (const auto &[username, token] : std::as_const(outcome.createdUsers))
            created.append(QJsonObject{{u"username"_s, username}, {u"token"_s, token}});
        return QJsonObject{{u"imported"_s, outcome.counts}, {u"created_users"_s, created}};
    });
}

} // namespace Maestro

#pragma once

#include "admincontroller.h"

namespace Maestro {

struct User;

// /admin/users/...: users, their tokens, model grants and daily and per-minute limits.
class UsersController final : public AdminController
{
public:
    using AdminController::AdminController;

    // POST /admin/users {"username", "request_limit"?, "token_limit"?} -> 201 user with "token"
    // (the only time it is shown). A limit left out comes from default_daily_requests/_tokens;
    // null is unlimited.
    void createUser(AdminContext &ctx);
    // GET /admin/users -> [user]
    void listUsers(AdminContext &ctx);
    // GET /admin/users/{username} -> user
    void getUser(AdminContext &ctx);
    // DELETE /admin/users/{username} -> 204; the token stops working at once
    void deleteUser(AdminContext &ctx);
    // PUT /admin/users/{username}/token -> user with the new "token"
    void rotateToken(AdminContext &ctx);
    // POST /admin/users/{username}/models {"models": [display names]} (replaces the list)
    void setModels(AdminContext &ctx);
    // POST /admin/users/{username}/models/all
    void grantAllModels(AdminContext &ctx);
    // GET /admin/users/{username}/models -> {username, has_all_models, models}
    void getModels(AdminContext &ctx);
    // DELETE /admin/users/{username}/models/{model} -> 204; "all" takes every grant away (the
    //   all-models one too); 400 when the model was not granted
    void revokeModel(AdminContext &ctx);
    // POST /admin/users/{username}/limits {"request_limit": N|null, "token_limit": N|null,
    //   "requests_per_minute": N|null, "tokens_per_minute": N|null}
    void setLimits(AdminContext &ctx);
    // GET /admin/users/{username}/limits -> limits, today's usage (UTC day) and the last 60 s
    void getLimits(AdminContext &ctx);
    // DELETE /admin/users/{username}/limits -> 204
    void deleteLimits(AdminContext &ctx);

private:
    void sendLimits(AdminContext &ctx, const User &user);
};

} // namespace Maestro

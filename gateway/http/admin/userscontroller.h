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

    // Where the user's requests may go. Each answers {"username","has_restriction","node_ids",
    // "nodes":[{"id","name"}],"node_models":[{"node_id","node_name","model_name"}]}; empty lists
    // are unrestricted. 400 names a node that does not exist.
    // GET /admin/users/{username}/nodes (and .../node-models)
    void getNodes(AdminContext &ctx);
    // PUT /admin/users/{username}/nodes {"node_ids"?: [ids], "node_models"?: [{"node_id",
    //   "model_name"}]}: replaces the lists present
    void setNodes(AdminContext &ctx);
    // POST /admin/users/{username}/nodes {"node_id"} (the seed's: adds one node) or {"node_ids"}
    //   (replaces the list)
    void addNode(AdminContext &ctx);
    // DELETE /admin/users/{username}/nodes/{node_id}: takes one node off the list; 400 when it
    //   was not on it
    void removeNode(AdminContext &ctx);
    // POST /admin/users/{username}/nodes/all: every node again (the node list emptied)
    void allowAllNodes(AdminContext &ctx);
    // POST /admin/users/{username}/node-models {"node_id","model_name"} (adds one pair) or
    //   {"node_models": [...]} (replaces them)
    void addNodeModel(AdminContext &ctx);
    // DELETE /admin/users/{username}/node-models {"node_id","model_name"}: takes one pair off
    void removeNodeModel(AdminContext &ctx);
    // POST or DELETE /admin/users/{username}/node-models/all: every model of the allowed nodes
    void allowAllNodeModels(AdminContext &ctx);

private:
    void sendLimits(AdminContext &ctx, const User &user);
    void answerNodes(AdminContext &ctx, const Result<User> &user);
};

} // namespace Maestro

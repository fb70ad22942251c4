#pragma once

#include "admincontroller.h"

namespace Maestro {

// Model mappings (display name -> real name) and model groups with their members.
class ModelsController final : public AdminController
{
public:
    using AdminController::AdminController;

    // POST /admin/model-mappings {"display_name","real_name","context_length"?,"capabilities"?,"node_ids"?}
    void addMapping(AdminContext &ctx);
    // GET /admin/model-mappings -> [mapping]
    void listMappings(AdminContext &ctx);
    // GET /admin/model-mappings/{display_name}
    void getMapping(AdminContext &ctx);
    // PUT /admin/model-mappings/{display_name} (rename allowed)
    void updateMapping(AdminContext &ctx);
    // DELETE /admin/model-mappings/{display_name} -> 204
    void deleteMapping(AdminContext &ctx);

    // POST /admin/model-groups {"name","strategy"?,"description"?,"is_active"?,"list_in_catalog"?,
    //   "priority"?,"max_failover_retries"?,"members"?: [member]} -> 201 group
    void addGroup(AdminContext &ctx);
    // GET /admin/model-groups -> {"groups": [group], "total"}
    void listGroups(AdminContext &ctx);
    // GET /admin/model-groups/{name}
    void getGroup(AdminContext &ctx);
    // PUT /admin/model-groups/{name} (any of the create fields; rename allowed)
    void updateGroup(AdminContext &ctx);
    // DELETE /admin/model-groups/{name} -> 204
    void deleteGroup(AdminContext &ctx);
    // POST /admin/model-groups/{name}/members {"model_display_name","priority"?,"weight"?,
    //   "capability_tags"?,"is_active"?,"context_fallback"? (or the seed's "is_fallback_413")}
    //   -> 201 group
    void addMember(AdminContext &ctx);
    // PUT /admin/model-groups/{name}/members/{id} -> group (400 unless id is a positive integer)
    void updateMember(AdminContext &ctx);
    // DELETE /admin/model-groups/{name}/members/{id} -> group
    void deleteMember(AdminContext &ctx);
    // PUT /admin/model-groups/{name}/reorder, POST|PUT .../members/reorder
    //   {"member_ids": [ids in fallback order]} or {"members": [{"id", "priority"}]} (lowest
    //   priority first) -> group; every member must be named once
    void reorderMembers(AdminContext &ctx);
};

} // namespace Maestro

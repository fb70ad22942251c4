#pragma once

#include "admincontroller.h"

namespace Maestro {

// What a request may do and what it is sent with: tool sets, per-model configurations and
// system prompts.
class PoliciesController final : public AdminController
{
public:
    using AdminController::AdminController;

    // POST /admin/tool-sets {"name","description"?,"tools":[...]} -> 201; PUT /admin/tool-sets/{name}
    void saveToolSet(AdminContext &ctx);
    // GET /admin/tool-sets -> [tool set]; GET /admin/tool-sets/{name}
    void listToolSets(AdminContext &ctx);
    void getToolSet(AdminContext &ctx);
    // DELETE /admin/tool-sets/{name} -> 204
    void deleteToolSet(AdminContext &ctx);

    // POST /admin/model-configs {"model_pattern", ...} -> 201; PUT /admin/model-configs/{pattern}
    //   The seed's "model_prefix", "unsupported_params" and "maintenance_mode" are read as
    //   "model_pattern", "stripped_params" and "maintenance".
    void saveModelConfig(AdminContext &ctx);
    // GET /admin/model-configs -> [config]; GET /admin/model-configs/{pattern}
    void listModelConfigs(AdminContext &ctx);
    void getModelConfig(AdminContext &ctx);
    // DELETE /admin/model-configs/{pattern} -> 204
    void deleteModelConfig(AdminContext &ctx);

    // GET /admin/system-prompts -> [prompt] by priority (highest first)
    //   prompt: {id, scope_type, scope_value, prompt, priority, is_active, description,
    //            created_at, updated_at}
    void listSystemPrompts(AdminContext &ctx);
    // POST /admin/system-prompts {"scope_type": global|user|mapping|model|group|node,
    //   "scope_value" (empty for global), "prompt", "priority"=0, "is_active"=true,
    //   "description"?} -> 201 prompt
    void addSystemPrompt(AdminContext &ctx);
    // GET /admin/system-prompts/{id} -> prompt (400 unless id is a positive integer)
    void getSystemPrompt(AdminContext &ctx);
    // PATCH /admin/system-prompts/{id} (any of the create fields) -> prompt
    void updateSystemPrompt(AdminContext &ctx);
    // DELETE /admin/system-prompts/{id} -> 204
    void deleteSystemPrompt(AdminContext &ctx);
    // PUT /admin/system-prompts/reorder {"ids": [ids, the first applied first]} -> [prompt]
    void reorderSystemPrompts(AdminContext &ctx);
};

} // namespace Maestro

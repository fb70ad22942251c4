#pragma once

namespace Maestro {

class Router;
class Gateway;
class LlmController;
class AdminController;

// The whole HTTP surface in one table (routes.cpp).
void registerRoutes(Router &router, Gateway *gateway, LlmController *llm, AdminController *admin);

} // namespace Maestro

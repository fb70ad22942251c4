#pragma once

namespace Maestro {

class Router;
class LlmController;
class AdminController;

// The whole HTTP surface in one table (routes.cpp).
void registerRoutes(Router &router, LlmController *llm, AdminController *admin);

} // namespace Maestro

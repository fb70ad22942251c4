#pragma once

namespace Maestro {

class Router;
class Gateway;
class LlmController;

// The whole HTTP surface in one table (routes.cpp).
void registerRoutes(Router &router, Gateway *gateway, LlmController *llm);

} // namespace Maestro

#include "overviewcontroller.h"
#include "nodescontroller.h"
#include "core/adminservice.h"
#include "core/entityjson.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Maestro {

void OverviewController::overview(AdminContext &ctx)
{
    Store *store = this->store();
    const CatalogSnapshot catalog = this->catalog();

    QJsonArray users;
    QJsonObject usageToday;
    for (const User &user : store->users()) {
        users.append(toJson(user));
        const Store::DayUsage today = control()->limiter().today(user.id);
        usageToday.insert(QString::number(user.id),
                          QJsonObject{{u"requests"_s, double(today.requests)}, {u"tokens"_s, double(today.tokens)}});
    }

    const auto traffic = NodesController::trafficToday(control());
    QJsonArray nodes;
    for (const Node &node : store->nodes()) {
        QJsonObject json = NodesController::nodeJson(node, control(), traffic);
        json.insert(u"models"_s, NodesController::modelsOf(*catalog, node.id));
        nodes.append(json);
    }

    QJsonArray mappings;
    for (const ModelMapping &mapping : store->mappings())
        mappings.append(toJson(mapping, *catalog));
    QJsonArray groups;
    for (const ModelGroup &group : store->groups())
        groups.append(toJson(group));
    QJsonArray toolSets;
    for (const ToolSet &set : store->toolSets())
        toolSets.append(toJson(set));
    QJsonArray modelConfigs;
    for (const ModelConfig &config : store->modelConfigs())
        modelConfigs.append(toJson(config));

    ctx.sendJson(200, QJsonObject{{u"version"_s, QStringLiteral(MAESTRO_VERSION)},
                                  {u"users"_s, users},
                                  {u"usage_today"_s, usageToday},
                                  {u"nodes"_s, nodes},
                                  {u"model_mappings"_s, mappings},
                                  {u"model_groups"_s, groups},
                                  {u"tool_sets"_s, toolSets},
                                  {u"model_configs"_s, modelConfigs},
                                  {u"system_prompts"_s, toJson(store->systemPrompts())},
                                  {u"settings"_s, admin()->settings()},
                                  {u"active_requests"_s, control()->activeCallsTotal()}});
}

} // namespace Maestro

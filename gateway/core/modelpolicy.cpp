#include "modelpolicy.h"

#include <QJsonArray>
#include <QSet>

#include <limits>

using namespace Qt::StringLiterals;

namespace Maestro::ModelPolicy {

const ModelConfig *configFor(const QList<ModelConfig> &configs, const QString &requested,
                             const QString &real)
{
    for (const QString &name : {requested, real}) {
        const ModelConfig *prefix = nullptr;
        for (const ModelConfig &config : configs) {
            if (config.pattern == name)
                return &config;
            if (!prefix && config.pattern.endsWith(u'*') && config.matches(name))
                prefix = &config;
        }
        if (prefix)
            return prefix;
    }
    return nullptr;
}

namespace {

QString toolName(const QJsonObject &tool)
{
    // OpenAI and Ollama: {"type":"function","function":{"name"}}; Anthropic: {"name"};
    // OpenAI Responses: {"type":"function","name"}.
    const QJsonObject function = tool.value("function"_L1).toObject();
    return function.isEmpty() ? tool.value("name"_L1).toString() : function.value("name"_L1).toString();
}

QString chosenTool(const QJsonValue &choice)
{
    const QJsonObject object = choice.toObject();
    if (object.isEmpty())
        return {};
    const QJsonObject function = object.value("function"_L1).toObject();
    return function.isEmpty() ? object.value("name"_L1).toString() : function.value("name"_L1).toString();
}

} // namespace

std::optional<ApiError> maintenanceRefusal(const ModelConfig &config, const QString &model)
{
    if (!config.maintenance)
        return std::nullopt;
    return ApiError::unavailable(config.maintenanceMessage.isEmpty()
                                     ? u"The model '%1' is under maintenance"_s.arg(model)
                                     : u"The model '%1' is under maintenance: %2"_s.arg(model, config.maintenanceMessage))
        .withReason(u"maintenance"_s);
}

std::optional<ApiError> apply(const ModelConfig &config, const QList<ToolSet> &toolSets,
                              Dialect client, QJsonObject *body)
{
    if (auto refused = maintenanceRefusal(config, body->value("model"_L1).toString()))
        return refused;
    for (const QString &param : config.strippedParams) {
        body->remove(param);
        if (body->contains("options"_L1)) {
            QJsonObject options = body->value("options"_L1).toObject();
            options.remove(param);
            body->insert(u"options"_s, options);
        }
    }
    if (!config.toolsRestricted || !body->contains("tools"_L1))
        return std::nullopt;
    QSet<QString> allowed(config.allowedTools.cbegin(), config.allowedTools.cend());
    for (const ToolSet &set : toolSets) {
        if (config.toolSets.contains(set.name)) {
            for (const QString &tool : set.tools)
                allowed.insert(tool);
        }
    }
    QJsonArray kept;
    for (const QJsonValue &tool : body->value("tools"_L1).toArray()) {
        if (allowed.contains(toolName(tool.toObject())))
            kept.append(tool);
    }
    if (kept.isEmpty()) {
        body->remove("tools"_L1);
        body->remove("tool_choice"_L1);
        return std::nullopt;
    }
    body->insert(u"tools"_s, kept);
    const QString chosen = chosenTool(body->value("tool_choice"_L1));
    if (!chosen.isEmpty() && !allowed.contains(chosen)) {
        if (client == Dialect::Anthropic)
            body->insert(u"tool_choice"_s, QJsonObject{{u"type"_s, u"auto"_s}});
        else
            body->insert(u"tool_choice"_s, u"auto"_s);
    }
    return std::nullopt;
}

namespace {

// A client's num_ctx is any JSON number: converting one beyond qint64 (1e300) to an integer is
// undefined behaviour, so it is clamped first. 0 for NaN and values that are not positive.
qint64 clientContextLength(const QJsonValue &value)
{
    const double requested = value.toDouble();
    if (!(requested > 0))
        return 0;
    if (requested >= 9.0e18)
        return std::numeric_limits<qint64>::max();
    return qint64(requested);
}

} // namespace

void applyContext(const ModelConfig *config, qint64 mappingLength, QJsonObject *ollamaBody,
                  qint64 fallbackLength)
{
    qint64 defaultLength = config && config->defaultContextLength > 0 ? config->defaultContextLength
                                                                      : mappingLength;
    if (defaultLength <= 0)
        defaultLength = fallbackLength;
    const qint64 maxLength = config ? config->maxContextLength : 0;
    QJsonObject options = ollamaBody->value("options"_L1).toObject();
    const QJsonValue requested = options.value("num_ctx"_L1);
    if (!requested.isUndefined() && !requested.isDouble())
        return; // not a number: the node says what it makes of it
    qint64 context = clientContextLength(requested);
    if (requested.isDouble() && context <= 0) {
        // 0 or negative: Ollama refuses it or misreads it; the defaults below stand in as they
        // do for a client that gave none.
        options.remove("num_ctx"_L1);
        if (options.isEmpty())
            ollamaBody->remove("options"_L1);
        else
            ollamaBody->insert(u"options"_s, options);
    }
    if (context <= 0)
        context = defaultLength;
    if (context > 0 && maxLength > 0)
        context = std::min(context, maxLength);
    if (context <= 0)
        return;
    options.insert(u"num_ctx"_s, double(context));
    ollamaBody->insert(u"options"_s, options);
}

} // namespace Maestro::ModelPolicy

// Fuzzes the per-model policy applied to a client's request body (gateway/core/modelpolicy):
// the bytes are what a client sent, parsed as the gateway parses a body; the policy then strips
// parameters, filters tools, rewrites tool_choice and clamps options.num_ctx.
// The first byte picks the client's dialect and which parts of the configuration are on, so one
// corpus covers every branch; the rest is the body.

#include "core/modelpolicy.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>

using namespace Qt::StringLiterals;
using namespace Maestro;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t flags = data[0];
    const QByteArray bytes(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return 0;
    QJsonObject body = document.object();

    static const Dialect dialects[] = {Dialect::Ollama, Dialect::OpenAi, Dialect::Anthropic, Dialect::Admin};
    const Dialect dialect = dialects[flags & 3];

    QList<ModelConfig> configs(3);
    configs[0].pattern = u"llama3:8b"_s;
    configs[1].pattern = u"qwen*"_s;
    configs[2].pattern = u"*"_s;
    for (ModelConfig &config : configs) {
        config.maintenance = flags & 0x04;
        config.toolsRestricted = flags & 0x08;
        config.allowedTools = {u"get_weather"_s, u"search"_s};
        config.toolSets = {u"files"_s};
        if (flags & 0x10)
            config.strippedParams = {u"temperature"_s, u"top_p"_s, u"seed"_s, u"options"_s};
        if (flags & 0x20)
            config.defaultContextLength = 8192;
        if (flags & 0x40)
            config.maxContextLength = 32768;
    }
    const QList<ToolSet> toolSets = {{1, u"files"_s, {}, {u"read_file"_s, u"write_file"_s}},
                                     {2, u"shell"_s, {}, {u"run"_s}}};

    const QString model = body.value("model"_L1).toString();
    const ModelConfig *config = ModelPolicy::configFor(configs, model, model + u"-real"_s);
    if (config) {
        const auto refused = ModelPolicy::apply(*config, toolSets, dialect, &body);
        if (refused)
            return 0;
    }
    const qint64 mappingLength = (flags & 0x80) ? body.value("context_length"_L1).toInteger() : 0;
    ModelPolicy::applyContext(config, mappingLength, &body);
    // The body is sent on upstream: serialising it must work whatever the policy did to it.
    (void)QJsonDocument(body).toJson(QJsonDocument::Compact);
    return 0;
}

#include "showanswer.h"

using namespace Qt::StringLiterals;

namespace Maestro::ShowAnswer {

namespace {

// Puts the context length where clients read it: model_info["<arch>.context_length"], with
// general.architecture naming <arch>. The mapping's length wins over the node's.
QJsonObject withContext(QJsonObject info, const Known &known)
{
    QString arch = info.value("general.architecture"_L1).toString();
    if (arch.isEmpty()) {
        arch = PlaceholderArchitecture;
        info.insert(u"general.architecture"_s, arch);
    }
    const QString key = arch + ".context_length"_L1;
    if (known.contextLength > 0)
        info.insert(key, double(known.contextLength));
    else if (!info.contains(key) && known.nodeContextLength > 0)
        info.insert(key, double(known.nodeContextLength));
    return info;
}

} // namespace

QStringList mergedCapabilities(const QJsonArray &node, const QStringList &mapping)
{
    QStringList merged;
    const auto add = [&merged](const QString &capability) {
        if (!capability.isEmpty() && !merged.contains(capability))
            merged.append(capability);
    };
    for (const QJsonValue &value : node)
        add(value.toString());
    for (const QString &capability : mapping)
        add(capability);
    return merged;
}

QJsonObject enriched(QJsonObject nodeAnswer, const Known &known)
{
    const QStringList capabilities
        = mergedCapabilities(nodeAnswer.value("capabilities"_L1).toArray(), known.capabilities);
    nodeAnswer.insert(u"capabilities"_s, QJsonArray::fromStringList(capabilities));
    nodeAnswer.insert(u"model_info"_s, withContext(nodeAnswer.value("model_info"_L1).toObject(), known));
    nodeAnswer.insert(u"name"_s, known.name);
    nodeAnswer.insert(u"model"_s, known.name);
    return nodeAnswer;
}

QJsonObject synthesized(const Known &known)
{
    const QStringList capabilities
        = mergedCapabilities(QJsonArray{u"completion"_s, u"tools"_s}, known.capabilities);
    return {{u"name"_s, known.name},
            {u"model"_s, known.name},
            {u"modelfile"_s, QString()},
            {u"parameters"_s, QString()},
            {u"template"_s, QString()},
            {u"details"_s, QJsonObject{{u"parent_model"_s, QString()},
                                       {u"format"_s, QString()},
                                       {u"family"_s, QString()},
                                       {u"families"_s, QJsonArray()},
                                       {u"parameter_size"_s, QString()},
                                       {u"quantization_level"_s, QString()}}},
            {u"model_info"_s, withContext(QJsonObject(), known)},
            {u"capabilities"_s, QJsonArray::fromStringList(capabilities)}};
}

} // namespace Maestro::ShowAnswer

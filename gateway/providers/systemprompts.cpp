#include "systemprompts.h"

#include <QJsonArray>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Maestro::SystemPrompts {

namespace {

QString joined(const QString &block, const QString &existing)
{
    return existing.trimmed().isEmpty() ? block : block + "\n\n"_L1 + existing;
}

} // namespace

bool matches(const SystemPrompt &prompt, const Target &target)
{
    switch (prompt.scope) {
    case PromptScope::Global:
        return true;
    case PromptScope::User:
        return prompt.scopeValue == target.username;
    case PromptScope::Node:
        return !target.nodeName.isEmpty()
            && (prompt.scopeValue == target.nodeName || prompt.scopeValue == QString::number(target.nodeId));
    case PromptScope::Group:
        return !target.group.isEmpty() && prompt.scopeValue == target.group;
    case PromptScope::Model:
        return prompt.scopeValue == target.model;
    case PromptScope::Mapping:
        return prompt.scopeValue == target.mapping;
    }
    return false;
}

QString block(const QList<SystemPrompt> &prompts, const Target &target)
{
    QList<const SystemPrompt *> selected;
    for (const SystemPrompt &prompt : prompts) {
        if (prompt.active && !prompt.prompt.trimmed().isEmpty() && matches(prompt, target))
            selected.append(&prompt);
    }
    std::sort(selected.begin(), selected.end(), [](const SystemPrompt *a, const SystemPrompt *b) {
        if (a->priority != b->priority)
            return a->priority > b->priority;
        if (a->scope != b->scope)
            return a->scope < b->scope;
        return a->id < b->id;
    });
    QStringList texts;
    for (const SystemPrompt *prompt : std::as_const(selected))
        texts.append(prompt->prompt);
    return texts.join("\n\n"_L1);
}

void mergeIntoMessages(const QString &block, QJsonObject *body)
{
    QJsonArray messages = body->value("messages"_L1).toArray();
    for (qsizetype i = 0; i < messages.size(); ++i) {
        QJsonObject message = messages.at(i).toObject();
        if (message.value("role"_L1).toString() != "system"_L1)
            continue;
        const QJsonValue content = message.value("content"_L1);
        if (!content.isString())
            break;
        message.insert("content"_L1, joined(block, content.toString()));
        messages.replace(i, message);
        body->insert("messages"_L1, messages);
        return;
    }
    messages.prepend(QJsonObject{{u"role"_s, u"system"_s}, {u"content"_s, block}});
    body->insert("messages"_L1, messages);
}

void mergeIntoSystem(const QString &block, QJsonObject *body)
{
    body->insert("system"_L1, joined(block, body->value("system"_L1).toString()));
}

void inject(Translate::ApiKind kind, NodeType node, const QString &block, QJsonObject *body)
{
    if (block.isEmpty())
        return;
    // An Ollama chat without messages or generate without a prompt only loads the model.
    switch (kind) {
    case Translate::ApiKind::Chat:
    case Translate::ApiKind::Responses:
        if (body->value("messages"_L1).isArray())
            mergeIntoMessages(block, body);
        return;
    case Translate::ApiKind::Completion:
        if (node == NodeType::Ollama && body->contains("prompt"_L1))
            mergeIntoSystem(block, body);
        return;
    case Translate::ApiKind::Embeddings:
    case Translate::ApiKind::LegacyEmbeddings:
        return;
    }
}

} // namespace Maestro::SystemPrompts

#pragma once

#include "core/entities.h"
#include "providers/translate.h"

#include <QJsonObject>
#include <QList>
#include <QString>

// System prompts configured by the administrator, put in front of what a client asked: pure
// functions over the catalog's prompts and the JSON sent to a node, no I/O.
namespace Maestro::SystemPrompts {

// What one attempt at a request is about, for matching prompt scopes by exact equality.
struct Target
{
    QString username;
    QString mapping; // the display name the request resolved to, after group resolution
    QString model;   // the real model name sent upstream
    QString group;   // the group the client asked for; empty when it named a model
    QString nodeName;
    qint64 nodeId = 0;
};

bool matches(const SystemPrompt &prompt, const Target &target);

// The active prompts that match, by priority (highest first), then from the broadest scope to
// the most specific (global, user, node, group, model, mapping), then oldest first, joined with
// a blank line. Empty when none matches.
QString block(const QList<SystemPrompt> &prompts, const Target &target);

// Chat messages (OpenAI or Ollama): the first system message, when its content is a string,
// becomes block + "\n\n" + content; otherwise a system message with the block goes first.
void mergeIntoMessages(const QString &block, QJsonObject *body);
// An Ollama /api/generate body: "system" becomes block + "\n\n" + system, or the block.
void mergeIntoSystem(const QString &block, QJsonObject *body);

// Merges the block into a body already in the dialect of the node (`kind` as the client asked,
// sent to `node`). Anthropic Messages and Responses requests reach nodes as chat messages and are
// merged there. OpenAI /v1/completions and embeddings have no place for instructions and are
// left as they are: prefixing a raw prompt would break code completion. So is a request that
// only loads a model (an Ollama chat without messages, a generate without a prompt).
void inject(Translate::ApiKind kind, NodeType node, const QString &block, QJsonObject *body);

} // namespace Maestro::SystemPrompts

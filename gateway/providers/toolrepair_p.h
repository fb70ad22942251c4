#pragma once

// What the marker formats of toolrepair.cpp and the XML-like formats of toolrepairxml.cpp share.

#include "providers/toolrepair.h"

#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

namespace Maestro::ToolRepair::Detail {

// Compact JSON of an object given as JSON text, or nothing when it is not one. Empty text is an
// empty object: models write calls of parameterless tools that way.
std::optional<QString> objectJson(QStringView text);

// The calls of one whole XML-like section, its own tags included: a <tool_calls> or
// <function_calls> wrapper (DSML spellings normalised), a <CallMcpTool> or a singular
// <tool_call name="X">. Nothing unless every call in it parses.
std::optional<QList<RepairedCall>> parseXmlSection(QStringView section);

// The inside of a <tool_call> that is not Hermes JSON: "Name\n{json}", or <invoke> blocks.
std::optional<QList<RepairedCall>> parseToolCallBody(QStringView body);

// "key=value" pairs, or a command line: what a model writes when it gives no JSON.
QString plainTextArguments(QStringView text);

// The seed gateway's fix of repaired Read calls, kept for the same clients: an offset below 1
// becomes 1, a limit below 1 becomes min(500, max(100, |limit|)), a non-numeric one is removed.
void sanitizeArguments(RepairedCall *call);

} // namespace Maestro::ToolRepair::Detail

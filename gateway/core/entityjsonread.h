#pragma once

#include "adminservice.h"
#include "entities.h"
#include "store.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

// The admin API's answers read back into entities, and AdminService inputs written as the request
// bodies the API reads: what the desktop app needs to manage a gateway over HTTP. Each reader is
// the inverse of the writer in entityjson.h (readJson(toJson(x)) gives x back, field for field,
// except for what the writer leaves out, such as API keys and secret header values); each writer
// is the inverse of the matching *FromJson reader there. Readers take untrusted input (an answer
// from the network): a missing or mistyped field is an error naming it, never a crash; unknown
// fields are ignored, so that a newer gateway's additions do not break an older app.

namespace Maestro {

// --- Answers -> entities. false with *error ("node: \"id\" must be an integer") on bad input. ---

bool readJson(const QJsonObject &json, User *out, QString *error);
bool readJson(const QJsonObject &json, AdminService::CreatedUser *out, QString *error);
// A node object of GET /admin/nodes: the node, and what it carries besides ("model_count" and
// "load"), when asked for.
struct NodeExtras
{
    int modelCount = 0;
    int activeRequests = 0;
    NodeTraffic today;
};
bool readJson(const QJsonObject &json, Node *out, QString *error, NodeExtras *extras = nullptr);
bool readJson(const QJsonObject &json, NodeModel *out, QString *error);
bool readJson(const QJsonObject &json, ModelMapping *out, QString *error);
bool readJson(const QJsonObject &json, ModelGroup *out, QString *error);
bool readJson(const QJsonObject &json, ToolSet *out, QString *error);
bool readJson(const QJsonObject &json, ModelConfig *out, QString *error);
bool readJson(const QJsonObject &json, SystemPrompt *out, QString *error);
bool readJson(const QJsonObject &json, RequestLogEntry *out, QString *error);
bool readJson(const QJsonObject &json, AuditEntry *out, QString *error);
// {"requests","tokens"}
bool readJson(const QJsonObject &json, Store::DayUsage *out, QString *error);

// Every element of `array` (each must be an object); false at the first bad one, whose position
// the error names.
template<typename T>
bool readJsonList(const QJsonArray &array, QList<T> *out, QString *error)
{
    out->clear();
    out->reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array.at(i).isObject()) {
            *error = QStringLiteral("element %1 is not an object").arg(i);
            return false;
        }
        T value;
        if (!readJson(array.at(i).toObject(), &value, error)) {
            *error = QStringLiteral("element %1: %2").arg(i).arg(*error);
            return false;
        }
        out->append(std::move(value));
    }
    return true;
}

// --- Inputs -> request bodies: the inverse of nodeInputFromJson() and its siblings. ---

// Only the fields set in `input` (a PATCH body); for a new node, what POST /admin/nodes takes.
// The API key and secret header values are written when present: these bodies go to the gateway
// only, never to a log.
QJsonObject inputToJson(const AdminService::NodeInput &input);
QJsonObject inputToJson(const AdminService::MappingInput &input);
QJsonObject inputToJson(const AdminService::GroupInput &input);
QJsonObject inputToJson(const AdminService::MemberInput &input);
QJsonObject inputToJson(const AdminService::PromptInput &input);
// The body of PUT /admin/users/{username}/limits (limitsFromJson reads it back to `limits`).
QJsonObject limitsInputToJson(const UserLimits &limits);

} // namespace Maestro

// Fuzzes the readers of admin API answers (core/entityjsonread.h), which the desktop app runs on
// what a gateway sends over the network, and the request bodies it writes for AdminService
// inputs. The input is a JSON document: an object goes through every reader, an array through
// readJsonList of every type. Checks: no crash or sanitizer report; a refusal always says why;
// whatever a reader accepts, the writer writes and the reader accepts again, giving the same JSON
// (so an entity the app edits and shows does not drift); the same for every input body and the
// API's own reader of it.

#include "core/catalog.h"
#include "core/entityjson.h"
#include "core/entityjsonread.h"
#include "fuzzcheck.h"

#include <QByteArray>
#include <QJsonDocument>

#include <cstdint>

using namespace Maestro;
using namespace Qt::StringLiterals;

namespace {

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject write(const User &user) { return toJson(user); }
QJsonObject write(const AdminService::CreatedUser &created) { return toJson(created); }
QJsonObject write(const NodeModel &model) { return toJson(model); }
QJsonObject write(const ModelMapping &mapping)
{
    static const Catalog empty;
    return toJson(mapping, empty);
}
QJsonObject write(const ModelGroup &group) { return toJson(group); }
QJsonObject write(const ToolSet &set) { return toJson(set); }
QJsonObject write(const ModelConfig &config) { return toJson(config); }
QJsonObject write(const SystemPrompt &prompt) { return toJson(prompt); }
QJsonObject write(const RequestLogEntry &entry) { return toJson(entry); }
QJsonObject write(const AuditEntry &entry) { return toJson(entry); }
QJsonObject write(const Store::DayUsage &usage)
{
    return {{u"requests"_s, double(usage.requests)}, {u"tokens"_s, double(usage.tokens)}};
}

// Read, write, read again: the second reading accepts and writes the same JSON.
template<typename T>
void checkEntity(const QJsonObject &json)
{
    T first;
    QString error;
    if (!readJson(json, &first, &error)) {
        CHECK(!error.isEmpty());
        return;
    }
    const QJsonObject written = write(first);
    T second;
    CHECK(readJson(written, &second, &error));
    CHECK(compact(write(second)) == compact(written));
}

void checkNode(const QJsonObject &json)
{
    Node first;
    NodeExtras extras;
    QString error;
    const bool plain = readJson(json, &first, &error);
    CHECK(plain || !error.isEmpty());
    if (!readJson(json, &first, &error, &extras)) {
        CHECK(!error.isEmpty());
        return;
    }
    CHECK(plain); // what carries the extras is a node without them
    const QJsonObject written = toJson(first, extras.modelCount, nodeLoadToJson(extras.activeRequests, extras.today));
    Node second;
    NodeExtras again;
    CHECK(readJson(written, &second, &error, &again));
    CHECK(compact(toJson(second, again.modelCount, nodeLoadToJson(again.activeRequests, again.today))) == compact(written));
}

template<typename T>
void checkList(const QJsonArray &array)
{
    QList<T> list;
    QString error;
    if (!readJsonList(array, &list, &error)) {
        CHECK(error.startsWith(u"element "_s));
        return;
    }
    CHECK(list.size() == array.size());
    for (const T &value : std::as_const(list)) {
        T again;
        CHECK(readJson(write(value), &again, &error));
    }
}

// A body the API's reader accepts is written by inputToJson() into one it reads to the same input.
template<typename Read, typename Write>
void checkInput(const QJsonObject &json, Read read, Write writeBody)
{
    const auto first = read(json);
    if (!first.ok()) {
        CHECK(!first.error().message.isEmpty());
        return;
    }
    const QJsonObject written = writeBody(first.value());
    const auto second = read(written);
    CHECK(second.ok());
    CHECK(compact(writeBody(second.value())) == compact(written));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (document.isObject()) {
        const QJsonObject json = document.object();
        checkEntity<User>(json);
        checkEntity<AdminService::CreatedUser>(json);
        checkNode(json);
        checkEntity<NodeModel>(json);
        checkEntity<ModelMapping>(json);
        checkEntity<ModelGroup>(json);
        checkEntity<ToolSet>(json);
        checkEntity<ModelConfig>(json);
        checkEntity<SystemPrompt>(json);
        checkEntity<RequestLogEntry>(json);
        checkEntity<AuditEntry>(json);
        checkEntity<Store::DayUsage>(json);

        const auto inputJson = [](const auto &input) { return inputToJson(input); };
        checkInput(json, [](const QJsonObject &b) { return nodeInputFromJson(b, false); }, inputJson);
        checkInput(json, [](const QJsonObject &b) { return mappingInputFromJson(b); }, inputJson);
        checkInput(json, [](const QJsonObject &b) { return groupInputFromJson(b); }, inputJson);
        checkInput(json, [](const QJsonObject &b) { return memberInputFromJson(b); }, inputJson);
        checkInput(json, [](const QJsonObject &b) { return promptInputFromJson(b); }, inputJson);
        checkInput(json, [](const QJsonObject &b) { return limitsFromJson(b); },
                   [](const UserLimits &limits) { return limitsInputToJson(limits); });
    } else if (document.isArray()) {
        const QJsonArray array = document.array();
        checkList<User>(array);
        checkList<NodeModel>(array);
        checkList<ModelMapping>(array);
        checkList<ModelGroup>(array);
        checkList<ToolSet>(array);
        checkList<ModelConfig>(array);
        checkList<SystemPrompt>(array);
        checkList<RequestLogEntry>(array);
        checkList<AuditEntry>(array);
        checkList<Store::DayUsage>(array);
        for (const QJsonValue &value : array) {
            if (value.isObject())
                checkNode(value.toObject());
        }
        QList<Node> nodes;
        QString error;
        if (!readJsonList(array, &nodes, &error))
            CHECK(!error.isEmpty());
    }
    return 0;
}

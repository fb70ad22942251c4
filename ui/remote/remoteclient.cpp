#include "remoteclient.h"

#include "core/entityjson.h"
#include "core/entityjsonread.h"

#include <QJsonArray>
#include <QNetworkReply>
#include <QProcess>
#include <QSet>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace Maestro {

namespace {

// What the gateway refused, as the pages show errors of the in-process gateway.
ApiError toApiError(const AdminFailure &failure)
{
    ApiError::Kind kind = ApiError::Kind::Internal;
    switch (failure.status) {
    case 400:
    case 409:
    case 422:
        kind = ApiError::Kind::BadRequest;
        break;
    case 401:
        kind = ApiError::Kind::Unauthorized;
        break;
    case 403:
        kind = ApiError::Kind::Forbidden;
        break;
    case 404:
        kind = ApiError::Kind::NotFound;
        break;
    case 503:
        kind = ApiError::Kind::Unavailable;
        break;
    default:
        break;
    }
    return ApiError{kind, failure.message};
}

QString segment(const QString &value)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(value));
}

template<typename T>
bool readObject(const QJsonValue &answer, T *out, QString *error)
{
    if (!answer.isObject()) {
        *error = u"the answer is not an object"_s;
        return false;
    }
    return readJson(answer.toObject(), out, error);
}

bool readNothing(const QJsonValue &, bool *out, QString *)
{
    *out = true;
    return true;
}

// {"logs": [...], "total": n}
template<typename T>
bool readLogPage(const QJsonValue &answer, QList<T> *out, qint64 *total, QString *error)
{
    const QJsonObject page = answer.toObject();
    if (!page.value("logs"_L1).isArray()) {
        *error = u"\"logs\" must be an array"_s;
        return false;
    }
    if (total)
        *total = qint64(page.value("total"_L1).toDouble());
    return readJsonList(page.value("logs"_L1).toArray(), out, error);
}

// GET /admin/overview read into what the pages show.
bool readOverview(const QJsonObject &json, GatewaySnapshot *snapshot, QString *error)
{
    const auto list = [&](const char *key, auto *out) {
        if (!json.value(QLatin1StringView(key)).isArray()) {
            *error = u"\"%1\" must be an array"_s.arg(QLatin1StringView(key));
            return false;
        }
        if (!readJsonList(json.value(QLatin1StringView(key)).toArray(), out, error)) {
            *error = u"%1: %2"_s.arg(QLatin1StringView(key), *error);
            return false;
        }
        return true;
    };
    if (!list("users", &snapshot->users) || !list("model_mappings", &snapshot->mappings)
        || !list("model_groups", &snapshot->groups) || !list("tool_sets", &snapshot->toolSets)
        || !list("model_configs", &snapshot->modelConfigs) || !list("system_prompts", &snapshot->systemPrompts))
        return false;

    const QJsonArray nodes = json.value("nodes"_L1).toArray();
    for (qsizetype i = 0; i < nodes.size(); ++i) {
        const QJsonObject object = nodes.at(i).toObject();
        Node node;
        NodeExtras extras;
        if (!readJson(object, &node, error, &extras)) {
            *error = u"nodes: element %1: %2"_s.arg(i).arg(*error);
            return false;
        }
        QList<NodeModel> models;
        if (!readJsonList(object.value("models"_L1).toArray(), &models, error)) {
            *error = u"nodes: element %1: models: %2"_s.arg(i).arg(*error);
            return false;
        }
        for (NodeModel &model : models) {
            model.nodeId = node.id;
            snapshot->nodeModels.append(std::move(model));
        }
        snapshot->nodeLoad.insert(node.id, extras.activeRequests);
        snapshot->nodeTraffic.insert(node.id, extras.today);
        snapshot->nodes.append(std::move(node));
    }

    const QJsonObject usage = json.value("usage_today"_L1).toObject();
    for (auto it = usage.begin(); it != usage.end(); ++it) {
        Store::DayUsage today;
        if (!readJson(it.value().toObject(), &today, error)) {
            *error = u"usage_today: %1"_s.arg(*error);
            return false;
        }
        snapshot->usageToday.insert(it.key().toLongLong(), today);
    }
    // Effective values, JSON-typed: the stored forms Settings reads ("true", "120", text).
    QHash<QString, QString> settings;
    const QJsonObject values = json.value("settings"_L1).toObject();
    for (auto it = values.begin(); it != values.end(); ++it) {
        if (!it.value().isNull() && !it.value().isUndefined())
            settings.insert(it.key(), it.value().toVariant().toString());
    }
    snapshot->settings = Settings(settings);
    snapshot->activeCalls = json.value("active_requests"_L1).toInt();
    snapshot->loaded = true;
    return true;
}

} // namespace

RemoteGatewayClient::RemoteGatewayClient(const GatewayEndpoint &endpoint, bool local, const ServiceUnit &service,
                                         QObject *parent)
    : GatewayClient(parent)
    , m_connection(new AdminConnection(endpoint, this))
    , m_local(local)
    , m_service(service)
{
    connect(m_connection, &AdminConnection::logEvent, this, &RemoteGatewayClient::onLogEvent);
    connect(m_connection, &AdminConnection::failed, this, &RemoteGatewayClient::onFailure);
    connect(m_connection, &AdminConnection::logStreamConnectedChanged, this, [this](bool connected) {
        if (connected) {
            setReachable(true);
            refresh(); // what happened while the stream was down
        }
    });
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(100);
    connect(&m_refreshTimer, &QTimer::timeout, this, &RemoteGatewayClient::refresh);
    // Node load and changes other admins make have no event of their own.
    m_pollTimer.setInterval(15000);
    connect(&m_pollTimer, &QTimer::timeout, this, &RemoteGatewayClient::refresh);
    m_pollTimer.start();
    // A gateway that is restarting, or a network that comes back, is managed again without the
    // user connecting anew; a refused token or another version wait for the user.
    m_retryTimer.setSingleShot(true);
    m_retryTimer.setInterval(5000);
    connect(&m_retryTimer, &QTimer::timeout, this, &RemoteGatewayClient::connectToGateway);
    connectToGateway();
}

void RemoteGatewayClient::connectToGateway()
{
    m_connection->probe(this, [this](const QJsonObject &status, const AdminFailure &failure) {
        if (failure.failed()) {
            onFailure(failure);
            return;
        }
        m_status = status;
        setReachable(true);
        m_connection->openLogStream();
        refresh();
    });
}

RemoteGatewayClient::~RemoteGatewayClient()
{
    if (m_systemctl)
        m_systemctl->kill();
}

QString RemoteGatewayClient::gatewayName() const
{
    if (m_local)
        return m_service.isValid() ? tr("the service on this computer (%1)").arg(endpoint().displayName())
                                   : tr("the gateway on this computer (%1)").arg(endpoint().displayName());
    return endpoint().displayName();
}

QString RemoteGatewayClient::baseUrl() const
{
    return endpoint().url.toString(QUrl::RemovePath | QUrl::StripTrailingSlash);
}

void RemoteGatewayClient::setReachable(bool reachable)
{
    if (reachable)
        setProblem(QString());
    if (reachable == m_reachable)
        return;
    m_reachable = reachable;
    if (!m_switching)
        Q_EMIT runningChanged(reachable);
}

void RemoteGatewayClient::onFailure(const AdminFailure &failure)
{
    // A page's own refusal (a name taken, a bad value) is the page's to show.
    if (failure.kind == AdminFailure::Kind::Refused || failure.kind == AdminFailure::Kind::Malformed)
        return;
    setProblem(failure.message);
    if (failure.kind == AdminFailure::Kind::Token || failure.kind == AdminFailure::Kind::Version
        || failure.kind == AdminFailure::Kind::Certificate) {
        m_connection->closeLogStream(); // nothing to manage until the user connects again
        m_pollTimer.stop();
    } else if (!m_switching) {
        m_retryTimer.start();
    }
    setReachable(false);
}

void RemoteGatewayClient::onLogEvent(const QByteArray &name, const QJsonObject &data)
{
    if (name == "request") {
        RequestLogEntry entry;
        QString error;
        if (readJson(data, &entry, &error))
            noteLogged(entry);
        return;
    }
    if (name == "node") {
        const qint64 id = qint64(data.value("node_id"_L1).toDouble());
        Q_EMIT nodeHealthChanged(id, data.value("node_name"_L1).toString(),
                                 data.value("health_status"_L1).toString() == "healthy"_L1);
        m_refreshTimer.start();
        return;
    }
    if (name == "catalog") // a change made here, by another admin, or models discovered
        m_refreshTimer.start();
}

void RemoteGatewayClient::refresh()
{
    if (!m_reachable && m_retryTimer.isActive())
        return; // the retry asks first
    m_connection->send("GET", u"/admin/overview"_s, QJsonValue(), this,
                       [this](const QJsonValue &answer, const AdminFailure &failure) {
                           if (failure.failed())
                               return; // the connection reported it
                           GatewaySnapshot snapshot;
                           QString error;
                           if (!readOverview(answer.toObject(), &snapshot, &error)) {
                               setProblem(tr("The gateway's answer could not be read: %1").arg(error));
                               return;
                           }
                           setReachable(true);
                           replaceSnapshot(snapshot);
                       });
}

template<typename T>
void RemoteGatewayClient::request(const QByteArray &method, const QString &path, const QJsonValue &body,
                                  QObject *context, std::function<bool(const QJsonValue &, T *, QString *)> read,
                                  Reply<T> done, bool changes)
{
    QPointer<RemoteGatewayClient> self(this);
    QPointer<QObject> guard(context);
    beginBusy();
    m_connection->send(method, path, body, this,
                       [self, guard, read = std::move(read), done = std::move(done), changes](
                           const QJsonValue &answer, const AdminFailure &failure) {
                           if (!self)
                               return;
                           self->endBusy();
                           if (changes && !failure.failed())
                               self->m_refreshTimer.start();
                           if (!guard)
                               return;
                           if (failure.failed()) {
                               done(Result<T>(toApiError(failure)));
                               return;
                           }
                           T value{};
                           QString error;
                           if (!read(answer, &value, &error)) {
                               done(Result<T>(ApiError::internal(
                                   tr("The gateway's answer could not be read: %1").arg(error))));
                               return;
                           }
                           done(Result<T>(std::move(value)));
                       });
}

void RemoteGatewayClient::changeUser(const QByteArray &method, const QString &path, const QJsonValue &body,
                                     const QString &username, QObject *context, Reply<User> done)
{
    QPointer<RemoteGatewayClient> self(this);
    request<bool>(method, path, body, context, readNothing,
                  [self, username, context, done = std::move(done)](const Result<bool> &changed) {
                      if (!changed.ok()) {
                          done(changed.error());
                          return;
                      }
                      if (self)
                          self->request<User>("GET", u"/admin/users/"_s + segment(username), QJsonValue(), context,
                                              readObject<User>, done, false);
                  });
}

// --- Users ---

void RemoteGatewayClient::createUser(const QString &username, QObject *context, Reply<CreatedUser> done)
{
    request<CreatedUser>("POST", u"/admin/users"_s, QJsonObject{{u"username"_s, username}}, context,
                         readObject<CreatedUser>, std::move(done));
}

void RemoteGatewayClient::rotateToken(const QString &username, QObject *context, Reply<CreatedUser> done)
{
    request<CreatedUser>("PUT", u"/admin/users/%1/token"_s.arg(segment(username)), QJsonValue(), context,
                         readObject<CreatedUser>, std::move(done));
}

void RemoteGatewayClient::deleteUser(const QString &username, QObject *context, Reply<bool> done)
{
    request<bool>("DELETE", u"/admin/users/"_s + segment(username), QJsonValue(), context, readNothing,
                  std::move(done));
}

void RemoteGatewayClient::setUserModels(const QString &username, bool all, const QStringList &models,
                                        QObject *context, Reply<User> done)
{
    const QString path = u"/admin/users/%1/models"_s.arg(segment(username));
    if (all)
        changeUser("POST", path + u"/all"_s, QJsonValue(), username, context, std::move(done));
    else
        changeUser("POST", path, QJsonObject{{u"models"_s, QJsonArray::fromStringList(models)}}, username, context,
                   std::move(done));
}

void RemoteGatewayClient::setUserLimits(const QString &username, const UserLimits &limits, QObject *context,
                                        Reply<User> done)
{
    changeUser("POST", u"/admin/users/%1/limits"_s.arg(segment(username)), limitsInputToJson(limits), username,
               context, std::move(done));
}

void RemoteGatewayClient::setUserNodes(const QString &username, const QList<qint64> &nodeIds, QObject *context,
                                       Reply<User> done)
{
    QJsonArray ids;
    for (qint64 id : nodeIds)
        ids.append(double(id));
    // Without "node_models" the pairs stay as they are.
    changeUser("PUT", u"/admin/users/%1/nodes"_s.arg(segment(username)), QJsonObject{{u"node_ids"_s, ids}}, username,
               context, std::move(done));
}

void RemoteGatewayClient::setUserNodeModels(const QString &username, const QList<NodeModelGrant> &pairs,
                                            QObject *context, Reply<User> done)
{
    QJsonArray list;
    for (const NodeModelGrant &pair : pairs)
        list.append(QJsonObject{{u"node_id"_s, double(pair.nodeId)}, {u"model_name"_s, pair.model}});
    changeUser("PUT", u"/admin/users/%1/nodes"_s.arg(segment(username)), QJsonObject{{u"node_models"_s, list}},
               username, context, std::move(done));
}

// --- Nodes ---

void RemoteGatewayClient::addNode(const AdminService::NodeInput &input, QObject *context, Reply<Node> done)
{
    request<Node>("POST", u"/admin/nodes"_s, inputToJson(input), context,
                  [](const QJsonValue &answer, Node *node, QString *error) { return readObject(answer, node, error); },
                  std::move(done));
}

void RemoteGatewayClient::updateNode(qint64 id, const AdminService::NodeInput &input, QObject *context,
                                     Reply<Node> done)
{
    request<Node>("PATCH", u"/admin/nodes/%1"_s.arg(id), inputToJson(input), context,
                  [](const QJsonValue &answer, Node *node, QString *error) { return readObject(answer, node, error); },
                  std::move(done));
}

void RemoteGatewayClient::toggleNode(qint64 id, QObject *context, Reply<Node> done)
{
    request<Node>("PATCH", u"/admin/nodes/%1/toggle"_s.arg(id), QJsonValue(), context,
                  [](const QJsonValue &answer, Node *node, QString *error) { return readObject(answer, node, error); },
                  std::move(done));
}

void RemoteGatewayClient::deleteNode(qint64 id, QObject *context, Reply<bool> done)
{
    request<bool>("DELETE", u"/admin/nodes/%1"_s.arg(id), QJsonValue(), context, readNothing, std::move(done));
}

void RemoteGatewayClient::checkNode(qint64 id, QObject *context, std::function<void(bool, const QString &)> done)
{
    // A sync checks health and discovers the models, as "Check now" does in the app's own gateway.
    request<Node>("POST", u"/admin/nodes/%1/sync-models"_s.arg(id), QJsonValue(), context,
                  [](const QJsonValue &answer, Node *node, QString *error) { return readObject(answer, node, error); },
                  [done = std::move(done)](const Result<Node> &node) {
                      if (!node.ok())
                          done(false, node.error().message);
                      else
                          done(node.value().health == Health::Healthy, node.value().lastError);
                  });
}

// --- Mappings and groups ---

void RemoteGatewayClient::addMapping(const AdminService::MappingInput &input, QObject *context,
                                     Reply<ModelMapping> done)
{
    request<ModelMapping>("POST", u"/admin/model-mappings"_s, inputToJson(input), context,
                          readObject<ModelMapping>, std::move(done));
}

void RemoteGatewayClient::updateMapping(const QString &displayName, const AdminService::MappingInput &input,
                                        QObject *context, Reply<ModelMapping> done)
{
    request<ModelMapping>("PUT", u"/admin/model-mappings/"_s + segment(displayName), inputToJson(input), context,
                          readObject<ModelMapping>, std::move(done));
}

void RemoteGatewayClient::deleteMapping(const QString &displayName, QObject *context, Reply<bool> done)
{
    request<bool>("DELETE", u"/admin/model-mappings/"_s + segment(displayName), QJsonValue(), context, readNothing,
                  std::move(done));
}

void RemoteGatewayClient::addGroup(const AdminService::GroupInput &input,
                                   const QList<AdminService::MemberInput> &members, QObject *context,
                                   Reply<ModelGroup> done)
{
    QJsonObject body = inputToJson(input);
    QJsonArray list;
    for (const AdminService::MemberInput &member : members)
        list.append(inputToJson(member));
    body.insert(u"members"_s, list);
    request<ModelGroup>("POST", u"/admin/model-groups"_s, body, context, readObject<ModelGroup>, std::move(done));
}

void RemoteGatewayClient::updateGroup(const QString &name, const AdminService::GroupInput &input, QObject *context,
                                      Reply<ModelGroup> done)
{
    request<ModelGroup>("PUT", u"/admin/model-groups/"_s + segment(name), inputToJson(input), context,
                        readObject<ModelGroup>, std::move(done));
}

void RemoteGatewayClient::deleteGroup(const QString &name, QObject *context, Reply<bool> done)
{
    request<bool>("DELETE", u"/admin/model-groups/"_s + segment(name), QJsonValue(), context, readNothing,
                  std::move(done));
}

void RemoteGatewayClient::addMember(const QString &group, const AdminService::MemberInput &input, QObject *context,
                                    Reply<ModelGroup> done)
{
    request<ModelGroup>("POST", u"/admin/model-groups/%1/members"_s.arg(segment(group)), inputToJson(input), context,
                        readObject<ModelGroup>, std::move(done));
}

void RemoteGatewayClient::updateMember(const QString &group, qint64 memberId, const AdminService::MemberInput &input,
                                       QObject *context, Reply<ModelGroup> done)
{
    request<ModelGroup>("PUT", u"/admin/model-groups/%1/members/%2"_s.arg(segment(group)).arg(memberId),
                        inputToJson(input), context, readObject<ModelGroup>, std::move(done));
}

void RemoteGatewayClient::deleteMember(const QString &group, qint64 memberId, QObject *context,
                                       Reply<ModelGroup> done)
{
    request<ModelGroup>("DELETE", u"/admin/model-groups/%1/members/%2"_s.arg(segment(group)).arg(memberId),
                        QJsonValue(), context, readObject<ModelGroup>, std::move(done));
}

void RemoteGatewayClient::reorderMembers(const QString &group, const QList<qint64> &memberIds, QObject *context,
                                         Reply<ModelGroup> done)
{
    QJsonArray ids;
    for (qint64 id : memberIds)
        ids.append(double(id));
    request<ModelGroup>("PUT", u"/admin/model-groups/%1/members/reorder"_s.arg(segment(group)),
                        QJsonObject{{u"member_ids"_s, ids}}, context, readObject<ModelGroup>, std::move(done));
}

// --- Policies and settings ---

void RemoteGatewayClient::saveToolSet(const ToolSet &set, QObject *context, Reply<ToolSet> done)
{
    // PUT replaces one that exists; POST creates.
    const bool exists = snapshot().toolSet(set.name) != nullptr;
    request<ToolSet>(exists ? "PUT" : "POST", exists ? u"/admin/tool-sets/"_s + segment(set.name) : u"/admin/tool-sets"_s,
                     toJson(set), context, readObject<ToolSet>, std::move(done));
}

void RemoteGatewayClient::deleteToolSet(const QString &name, QObject *context, Reply<bool> done)
{
    request<bool>("DELETE", u"/admin/tool-sets/"_s + segment(name), QJsonValue(), context, readNothing,
                  std::move(done));
}

void RemoteGatewayClient::saveModelConfig(const ModelConfig &config, QObject *context, Reply<ModelConfig> done)
{
    const bool exists = snapshot().modelConfig(config.pattern) != nullptr;
    request<ModelConfig>(exists ? "PUT" : "POST",
                         exists ? u"/admin/model-configs/"_s + segment(config.pattern) : u"/admin/model-configs"_s,
                         toJson(config), context, readObject<ModelConfig>, std::move(done));
}

void RemoteGatewayClient::deleteModelConfig(const QString &pattern, QObject *context, Reply<bool> done)
{
    request<bool>("DELETE", u"/admin/model-configs/"_s + segment(pattern), QJsonValue(), context, readNothing,
                  std::move(done));
}

void RemoteGatewayClient::updateSettings(const QJsonObject &values, QObject *context, Reply<QJsonObject> done)
{
    request<QJsonObject>(
        "PUT", u"/admin/settings"_s, values, context,
        [](const QJsonValue &answer, QJsonObject *out, QString *error) {
            if (!answer.isObject()) {
                *error = u"the settings are not an object"_s;
                return false;
            }
            *out = answer.toObject();
            return true;
        },
        std::move(done));
}

void RemoteGatewayClient::addSystemPrompt(const AdminService::PromptInput &input, QObject *context,
                                          Reply<SystemPrompt> done)
{
    request<SystemPrompt>("POST", u"/admin/system-prompts"_s, inputToJson(input), context, readObject<SystemPrompt>,
                          std::move(done));
}

void RemoteGatewayClient::updateSystemPrompt(qint64 id, const AdminService::PromptInput &input, QObject *context,
                                             Reply<SystemPrompt> done)
{
    request<SystemPrompt>("PATCH", u"/admin/system-prompts/%1"_s.arg(id), inputToJson(input), context,
                          readObject<SystemPrompt>, std::move(done));
}

void RemoteGatewayClient::deleteSystemPrompt(qint64 id, QObject *context, Reply<bool> done)
{
    request<bool>("DELETE", u"/admin/system-prompts/%1"_s.arg(id), QJsonValue(), context, readNothing,
                  std::move(done));
}

void RemoteGatewayClient::reorderSystemPrompts(const QList<qint64> &ids, QObject *context,
                                               Reply<QList<SystemPrompt>> done)
{
    QJsonArray list;
    for (qint64 id : ids)
        list.append(double(id));
    request<QList<SystemPrompt>>(
        "PUT", u"/admin/system-prompts/reorder"_s, QJsonObject{{u"ids"_s, list}}, context,
        [](const QJsonValue &answer, QList<SystemPrompt> *out, QString *error) {
            return readJsonList(answer.toArray(), out, error);
        },
        std::move(done));
}

// --- Pulls ---

ModelPullJob *RemoteGatewayClient::pullModel(const QString &model, std::optional<qint64> nodeId, QObject *context)
{
    auto reply = std::make_shared<QPointer<QNetworkReply>>();
    auto *job = new ModelPullJob(
        [reply] {
            if (*reply)
                (*reply)->abort();
        },
        context);
    // The nodes the gateway pulls onto, as the snapshot knows them: the one asked for, or every
    // active Ollama node.
    QList<Node> nodes;
    QHash<QString, qint64> ids;
    for (const Node &node : snapshot().nodes) {
        if (nodeId ? node.id == *nodeId : (node.active && node.type == NodeType::Ollama)) {
            nodes.append(node);
            ids.insert(node.name, node.id);
        }
    }
    QString path = u"/api/pull"_s;
    if (nodeId)
        path += u"?node=%1"_s.arg(*nodeId);
    QPointer<ModelPullJob> guard(job);
    auto announced = std::make_shared<bool>(false);
    auto finished = std::make_shared<QSet<qint64>>();
    *reply = m_connection->streamLines(
        "POST", path, QJsonObject{{u"model"_s, model}, {u"stream"_s, true}}, job,
        [guard, nodes, ids, announced, finished](const QJsonObject &line) {
            if (!guard)
                return;
            if (!*announced) {
                *announced = true;
                Q_EMIT guard->started(nodes);
            }
            if (line.contains("nodes"_L1)) { // the last line: each node's outcome
                for (const QJsonValue &value : line.value("nodes"_L1).toArray()) {
                    const QJsonObject outcome = value.toObject();
                    finished->insert(qint64(outcome.value("node_id"_L1).toDouble()));
                    Q_EMIT guard->nodeFinished(qint64(outcome.value("node_id"_L1).toDouble()),
                                               outcome.value("status"_L1).toString() == "success"_L1,
                                               outcome.value("error"_L1).toString());
                }
                guard->end(!line.contains("error"_L1));
                return;
            }
            const QString name = line.value("node"_L1).toString();
            if (line.contains("error"_L1))
                return; // its outcome comes with the last line
            Q_EMIT guard->progress(ids.value(name), name, line.value("status"_L1).toString(),
                                   qint64(line.value("completed"_L1).toDouble()),
                                   qint64(line.value("total"_L1).toDouble()));
        },
        [guard, nodes, announced, finished](const AdminFailure &failure) {
            if (!guard || !guard->isRunning())
                return;
            // Refused before it began (no such node, not an Ollama node, no model...).
            if (!*announced) {
                Q_EMIT guard->refused(failure.failed() ? failure.message : tr("The gateway ended the pull before it began."));
                guard->end(false);
                return;
            }
            // Cut off (cancelled here, or the gateway went away): every node still pulling failed.
            for (const Node &node : nodes) {
                if (!finished->contains(node.id))
                    Q_EMIT guard->nodeFinished(node.id, false,
                                               failure.failed() ? failure.message : tr("The gateway ended the pull."));
            }
            guard->end(false);
        });
    // The pulled models arrive with the nodes' next discovery (a catalog event); and once more
    // when the job ends, for a gateway whose log stream is down.
    connect(job, &ModelPullJob::finished, this, [this] { m_refreshTimer.start(); });
    return job;
}

// --- Logs ---

QString RemoteGatewayClient::logQueryString(const LogQuery &query)
{
    QUrlQuery url;
    url.addQueryItem(u"limit"_s, QString::number(query.limit));
    url.addQueryItem(u"offset"_s, QString::number(query.offset));
    const auto add = [&url](const QString &key, const QString &value) {
        if (!value.isEmpty())
            url.addQueryItem(key, QString::fromLatin1(QUrl::toPercentEncoding(value)));
    };
    add(u"username"_s, query.username);
    add(u"model"_s, query.model);
    add(u"model_contains"_s, query.modelContains);
    add(u"endpoint"_s, query.endpoint);
    add(u"dialect"_s, query.dialect);
    add(u"action"_s, query.action);
    add(u"entity_type"_s, query.entityType);
    QStringList statuses;
    for (const LogQuery::StatusRange &range : query.statuses) {
        if (range.from == range.to)
            statuses << QString::number(range.from);
        else if (range.from % 100 == 0 && range.to == range.from + 99)
            statuses << u"%1xx"_s.arg(range.from / 100);
    }
    add(u"status"_s, statuses.join(u','));
    if (query.from.isValid())
        add(u"from"_s, query.from.toUTC().toString(Qt::ISODateWithMs));
    if (query.to.isValid())
        add(u"to"_s, query.to.toUTC().toString(Qt::ISODateWithMs));
    return url.query(QUrl::FullyEncoded);
}

void RemoteGatewayClient::requestLogs(const LogQuery &query, QObject *context,
                                      std::function<void(const LogPage &)> done)
{
    request<LogPage>(
        "GET", u"/admin/request-logs?"_s + logQueryString(query), QJsonValue(), context,
        [](const QJsonValue &answer, LogPage *page, QString *error) {
            return readLogPage(answer, &page->entries, &page->total, error);
        },
        [done = std::move(done)](const Result<LogPage> &page) { done(page.ok() ? page.value() : LogPage()); }, false);
}

void RemoteGatewayClient::auditLogs(const LogQuery &query, QObject *context,
                                    std::function<void(const QList<AuditEntry> &)> done)
{
    request<QList<AuditEntry>>(
        "GET", u"/admin/audit-logs?"_s + logQueryString(query), QJsonValue(), context,
        [](const QJsonValue &answer, QList<AuditEntry> *entries, QString *error) {
            return readLogPage(answer, entries, nullptr, error);
        },
        [done = std::move(done)](const Result<QList<AuditEntry>> &entries) {
            done(entries.ok() ? entries.value() : QList<AuditEntry>());
        },
        false);
}

void RemoteGatewayClient::requestsSince(const QDateTime &since, QObject *context,
                                        std::function<void(const QList<RequestLogEntry> &)> done)
{
    // Newest first, a page at a time, as the in-process gateway reads them (at most 50 pages).
    struct Walk
    {
        LogQuery query;
        QList<RequestLogEntry> recent;
        int pages = 0;
    };
    auto walk = std::make_shared<Walk>();
    walk->query.limit = 1000;
    walk->query.from = since;
    QPointer<RemoteGatewayClient> self(this);
    // Only the request out holds the walk's next step (strongly), so a walk whose answer is
    // dropped (its context went away) frees everything.
    auto next = std::make_shared<std::function<void()>>();
    *next = [self, walk, context, done, weakNext = std::weak_ptr<std::function<void()>>(next)] {
        const std::shared_ptr<std::function<void()>> next = weakNext.lock();
        if (!self || !next)
            return;
        self->request<LogPage>(
            "GET", u"/admin/request-logs?"_s + logQueryString(walk->query), QJsonValue(), context,
            [](const QJsonValue &answer, LogPage *page, QString *error) {
                return readLogPage(answer, &page->entries, &page->total, error);
            },
            [walk, done, next](const Result<LogPage> &page) {
                if (!page.ok()) {
                    done(walk->recent);
                    return;
                }
                for (const RequestLogEntry &entry : page.value().entries) {
                    if (!entry.refused()) // refusals are in the log, not in the usage figures
                        walk->recent.append(entry);
                }
                walk->query.offset += walk->query.limit;
                if (page.value().entries.size() < walk->query.limit || ++walk->pages >= 50) {
                    done(walk->recent);
                    return;
                }
                (*next)();
            },
            false);
    };
    (*next)();
}

// --- The service ---

void RemoteGatewayClient::stopGateway()
{
    if (m_service.isValid() && !m_switching)
        runService(u"stop"_s);
}

void RemoteGatewayClient::startGateway()
{
    if (m_service.isValid() && !m_switching)
        runService(u"start"_s);
}

void RemoteGatewayClient::runService(const QString &verb)
{
    m_switching = true;
    m_startError.clear();
    Q_EMIT runningChanged(false);
    auto *process = new QProcess(this);
    m_systemctl = process;
    const bool starting = verb == "start"_L1;
    if (!starting)
        m_connection->closeLogStream();
    connect(process, &QProcess::finished, this, [this, process, starting](int code, QProcess::ExitStatus status) {
        process->deleteLater();
        if (status != QProcess::NormalExit || code != 0) {
            const QString output = QString::fromLocal8Bit(process->readAllStandardError()).trimmed();
            m_startError = tr("systemctl failed: %1").arg(output.isEmpty() ? tr("exit code %1").arg(code) : output);
            m_switching = false;
            Q_EMIT runningChanged(m_reachable);
            return;
        }
        awaitService(starting, 60); // up to 15 s
    });
    connect(process, &QProcess::errorOccurred, this, [this, process](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return;
        process->deleteLater();
        m_startError = tr("systemctl could not be run: %1").arg(process->errorString());
        m_switching = false;
        Q_EMIT runningChanged(m_reachable);
    });
    process->start(u"systemctl"_s, m_service.systemctlArguments(verb));
}

void RemoteGatewayClient::awaitService(bool running, int attemptsLeft)
{
    m_connection->probe(this, [this, running, attemptsLeft](const QJsonObject &status, const AdminFailure &failure) {
        const bool up = !failure.failed();
        if (up == running || attemptsLeft <= 0) {
            m_switching = false;
            if (up != running)
                m_startError = running ? tr("The service did not answer after it was started: %1").arg(failure.message)
                                       : tr("The service still answers after it was stopped.");
            if (up) {
                m_status = status;
                m_reachable = true;
                m_retryTimer.stop();
                setProblem(QString());
                m_connection->openLogStream();
                refresh();
            } else {
                m_reachable = false;
                setProblem(tr("The gateway is stopped."));
            }
            Q_EMIT runningChanged(up);
            return;
        }
        QTimer::singleShot(250, this, [this, running, attemptsLeft] { awaitService(running, attemptsLeft - 1); });
    });
}

} // namespace Maestro

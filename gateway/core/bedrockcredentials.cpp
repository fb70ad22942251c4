#include "bedrockcredentials.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Maestro {

QString BedrockCredentials::toSecret() const
{
    if (!isIam())
        return apiKey;
    QJsonObject object { { u"aws_access_key_id"_s, accessKeyId },
                         { u"aws_secret_access_key"_s, secretAccessKey } };
    if (!sessionToken.isEmpty())
        object.insert("aws_session_token"_L1, sessionToken);
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

BedrockCredentials BedrockCredentials::fromSecret(const QString &secret)
{
    BedrockCredentials credentials;
    if (secret.startsWith(u'{')) {
        const QJsonObject object = QJsonDocument::fromJson(secret.toUtf8()).object();
        credentials.accessKeyId = object.value("aws_access_key_id"_L1).toString();
        credentials.secretAccessKey = object.value("aws_secret_access_key"_L1).toString();
        credentials.sessionToken = object.value("aws_session_token"_L1).toString();
        if (credentials.isIam())
            return credentials;
        credentials = {};
    }
    credentials.apiKey = secret;
    return credentials;
}

} // namespace Maestro

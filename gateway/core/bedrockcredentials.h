#pragma once

#include <QString>

#include <optional>

namespace Maestro {

// What a Bedrock node authenticates with, kept as the node's one secret in the secret store (never
// in SQL, never returned, logged or audited): IAM credentials (access key id, secret access key,
// and a session token for temporary ones) that sign each request with SigV4, or a Bedrock API key
// sent as a bearer token. The secret is a small JSON object for IAM credentials and the key
// itself otherwise.
struct BedrockCredentials
{
    QString accessKeyId;
    QString secretAccessKey;
    QString sessionToken;
    QString apiKey;

    bool isIam() const { return !accessKeyId.isEmpty() && !secretAccessKey.isEmpty(); }

    QString toSecret() const;
    static BedrockCredentials fromSecret(const QString &secret);
};

} // namespace Maestro

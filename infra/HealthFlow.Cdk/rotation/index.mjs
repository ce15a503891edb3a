// Secrets Manager rotation of auth-api's JWT signing key (the four-step protocol: createSecret, setSecret,
// testSecret, finishSecret). The new key becomes AWSCURRENT and the old one AWSPREVIOUS; ECS gives auth-api
// both (Jwt__SigningKey, Jwt__PreviousSigningKey), so the JWKS can publish the previous public key until the
// tokens it signed have expired. The last step rolls auth-api's tasks, because ECS reads secrets only when a
// task starts.
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { assertSigningKey, newSigningKey } from "./signing-key.mjs";

const secrets = new SecretsManagerClient({});
const ecs = new ECSClient({});

export async function handler({ SecretId: secretId, ClientRequestToken: token, Step: step }) {
  const metadata = await secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
  if (!metadata.RotationEnabled) {
    throw new Error(`Rotation is not enabled on ${secretId}.`);
  }

  const stages = metadata.VersionIdsToStages?.[token] ?? [];
  if (!stages.includes("AWSCURRENT") && !stages.includes("AWSPENDING")) {
    throw new Error(`Version ${token} of ${secretId} is neither pending nor current.`);
  }

  console.log(JSON.stringify({ step, secretId, token }));
  switch (step) {
    case "createSecret":
      return stages.includes("AWSCURRENT") ? undefined : createSecret(secretId, token);
    case "setSecret":
      // Nothing holds a copy of the key to update: auth-api reads the secret when a task starts.
      return undefined;
    case "testSecret":
      return stages.includes("AWSCURRENT") ? undefined : testSecret(secretId, token);
    case "finishSecret":
      return finishSecret(secretId, token, metadata.VersionIdsToStages);
    default:
      throw new Error(`Unknown rotation step ${step}.`);
  }
}

async function createSecret(secretId, token) {
  try {
    await secrets.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: "AWSPENDING" }));
    return; // A retried step: the pending key already exists.
  } catch (error) {
    if (error.name !== "ResourceNotFoundException") {
      throw error;
    }
  }

  await secrets.send(new PutSecretValueCommand({
    SecretId: secretId,
    ClientRequestToken: token,
    SecretString: newSigningKey(),
    VersionStages: ["AWSPENDING"],
  }));
}

async function testSecret(secretId, token) {
  const pending = await secrets.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: "AWSPENDING" }));
  assertSigningKey(pending.SecretString);
}

async function finishSecret(secretId, token, versions) {
  const current = Object.entries(versions).find(([, stages]) => stages.includes("AWSCURRENT"))?.[0];
  if (current !== token) {
    // Secrets Manager moves AWSPREVIOUS to the version AWSCURRENT leaves.
    await secrets.send(new UpdateSecretVersionStageCommand({
      SecretId: secretId,
      VersionStage: "AWSCURRENT",
      MoveToVersionId: token,
      RemoveFromVersionId: current,
    }));
  }

  // A rolling deployment (minimum healthy 100 %): new tasks sign with the new key before old ones stop.
  await ecs.send(new UpdateServiceCommand({
    cluster: process.env.AUTH_API_CLUSTER,
    service: process.env.AUTH_API_SERVICE,
    forceNewDeployment: true,
  }));
}

// auth-api's signing key: an ES256 (P-256) private key, PKCS#8 PEM, as `openssl genpkey -algorithm EC
// -pkeyopt ec_paramgen_curve:P-256` writes it and auth-api's SigningKeyProvider reads it.
import { createPrivateKey, generateKeyPairSync } from "node:crypto";

export function newSigningKey() {
  return generateKeyPairSync("ec", {
    namedCurve: "P-256",
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
}

/** Throws unless the PEM is a P-256 private key. */
export function assertSigningKey(pem) {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new Error("The pending signing key is not an EC P-256 private key.");
  }
}

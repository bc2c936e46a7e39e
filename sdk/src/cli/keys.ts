/**
 * Signing keys for the write commands: `HASHWORK_PRIVATE_KEY` (hex), or `--key-file FILE`
 * holding either a hex key or an Ethereum V3 JSON keystore (scrypt or pbkdf2, aes-128-ctr),
 * whose password comes from `HASHWORK_KEYSTORE_PASSWORD`. Keys are never printed: error
 * messages name the source, never the value.
 */
import { createDecipheriv, pbkdf2Sync, scryptSync } from "node:crypto";
import { readFile } from "node:fs/promises";

import { bytesToHex, concat, hexToBytes, keccak256, type Hex } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";

import { UsageError } from "./args.ts";
import { CliError } from "./errors.ts";

export const KEY_ENV = "HASHWORK_PRIVATE_KEY";
export const KEYSTORE_PASSWORD_ENV = "HASHWORK_KEYSTORE_PASSWORD";
/** A key file named by the environment (set from a profile's key file by `hashwork init`). */
export const KEY_FILE_ENV = "HASHWORK_KEY_FILE";

export const keyOptions = {
  "key-file": {
    type: "string",
    placeholder: "FILE",
    description: `signing key: a file with a hex key or a V3 JSON keystore (password in ${KEYSTORE_PASSWORD_ENV}); default: ${KEY_ENV}`,
  },
} as const;

/** The private key, from `--key-file` or the environment (for handing to a child process; never print it). */
export async function loadPrivateKeyHex(
  options: { "key-file"?: string | string[] | boolean | undefined },
  env: NodeJS.ProcessEnv = process.env,
): Promise<Hex> {
  const file = options["key-file"];
  if (typeof file === "string") return readKeyFile(file, env);
  const raw = env[KEY_ENV];
  if (raw === undefined || raw === "") {
    if (env[KEY_FILE_ENV]) return readKeyFile(env[KEY_FILE_ENV], env);
    throw new UsageError(
      `this command signs transactions: set ${KEY_ENV} or pass --key-file FILE (or save one with hashwork init --key-file FILE)`,
    );
  }
  return parseHexKey(raw, KEY_ENV);
}

/** The account to sign with, from `--key-file` or the environment. */
export async function loadAccount(
  options: { "key-file"?: string | string[] | boolean | undefined },
  env: NodeJS.ProcessEnv = process.env,
): Promise<PrivateKeyAccount> {
  return privateKeyToAccount(await loadPrivateKeyHex(options, env));
}

async function readKeyFile(file: string, env: NodeJS.ProcessEnv): Promise<Hex> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read key file ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return parseHexKey(trimmed, `key file ${file}`);
  let keystore: unknown;
  try {
    keystore = JSON.parse(trimmed);
  } catch {
    throw new UsageError(`key file ${file} is neither a hex key nor a JSON keystore`);
  }
  const password = env[KEYSTORE_PASSWORD_ENV];
  if (password === undefined) throw new UsageError(`key file ${file} is a keystore: set ${KEYSTORE_PASSWORD_ENV} to its password`);
  return decryptKeystore(keystore, password, file);
}

/** secp256k1's group order: a private key is in [1, n - 1]. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function parseHexKey(raw: string, source: string): Hex {
  const hex = raw.trim().replace(/^(0x)?/i, "0x");
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new UsageError(`${source} does not hold a 32-byte hex private key`);
  const value = BigInt(hex);
  if (value === 0n || value >= SECP256K1_N)
    throw new UsageError(`${source} is not a usable private key (zero, or not below the curve order)`);
  return hex.toLowerCase() as Hex;
}

type KeystoreV3 = {
  version?: number;
  crypto?: KeystoreCrypto;
  Crypto?: KeystoreCrypto;
};
type KeystoreCrypto = {
  cipher: string;
  ciphertext: string;
  cipherparams: { iv: string };
  kdf: string;
  kdfparams: Record<string, unknown>;
  mac: string;
};

/** Decrypts an Ethereum V3 keystore (the format geth, ethers and MetaMask export). */
export function decryptKeystore(keystore: unknown, password: string, source = "keystore"): Hex {
  const ks = keystore as KeystoreV3;
  const c = ks?.crypto ?? ks?.Crypto;
  if (ks?.version !== 3 || !c || typeof c.ciphertext !== "string" || typeof c.mac !== "string") {
    throw new UsageError(`${source} is not a V3 keystore`);
  }
  if (c.cipher !== "aes-128-ctr") throw new UsageError(`${source}: unsupported cipher ${c.cipher}`);
  const p = c.kdfparams;
  const salt = Buffer.from(String(p.salt).replace(/^0x/, ""), "hex");
  const dklen = Number(p.dklen ?? 32);
  let derived: Buffer;
  if (c.kdf === "scrypt") {
    const N = Number(p.n);
    const r = Number(p.r);
    derived = scryptSync(password.normalize("NFKC"), salt, dklen, { N, r, p: Number(p.p), maxmem: 256 * N * r + 1024 * 1024 });
  } else if (c.kdf === "pbkdf2") {
    if (p.prf !== "hmac-sha256") throw new UsageError(`${source}: unsupported pbkdf2 prf ${String(p.prf)}`);
    derived = pbkdf2Sync(password.normalize("NFKC"), salt, Number(p.c), dklen, "sha256");
  } else {
    throw new UsageError(`${source}: unsupported kdf ${c.kdf}`);
  }
  const ciphertext = hexToBytes(`0x${c.ciphertext.replace(/^0x/, "")}`);
  const mac = keccak256(concat([new Uint8Array(derived.subarray(16, 32)), ciphertext]));
  if (mac.slice(2).toLowerCase() !== c.mac.replace(/^0x/, "").toLowerCase()) {
    throw new CliError(`wrong password for ${source} (${KEYSTORE_PASSWORD_ENV})`);
  }
  const decipher = createDecipheriv("aes-128-ctr", derived.subarray(0, 16), Buffer.from(c.cipherparams.iv.replace(/^0x/, ""), "hex"));
  const key = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  return bytesToHex(new Uint8Array(key));
}

// The policy rule `recipes.signers` (docs/policy.md, "Signed recipes"): under
// a policy that lists signers, a recipe runs only with a signature beside it
// (RECIPE.sig, as `ssh-keygen -Y sign -n pvm -f KEY RECIPE` writes it) that
// verifies over the very bytes pvm parses, made in the namespace `pvm`, by a
// key every such policy lists. Keys are compared by their blobs, never by
// their comments. A recipe that is not a file (-e, standard input, the REPL)
// cannot be signed, and is refused. Decided once, before the recipe runs
// against anything; the signer is then recorded by the journal, the audit
// log and the report.
import { existsSync } from 'node:fs';
import { DeniedError } from '../errors.ts';
import { readBoundedFile } from '../regular-file.ts';
import type { Rule } from './decide.ts';
import type { LoadedPolicy } from './load.ts';
import { fingerprint, keyKind, parseKeyLine, sameBytes } from './ssh-keys.ts';
import { parseArmoredSignature, SignatureProblem, type SshSignature, verifySignature } from './sshsig.ts';

/** The namespace a recipe's signature must be made in (ssh-keygen -Y sign -n pvm). */
export const SIGNATURE_NAMESPACE = 'pvm';
/** An armored signature is a few hundred bytes (RSA-16384: ~3 KiB). */
const MAX_SIGNATURE_BYTES = 64 << 10;

/** A recipe as the rule judges it. */
export interface RecipeToVerify {
  /** As the user named it: its path, or `<-e>`, `<stdin>`, `<repl>`. */
  readonly name: string;
  /** The bytes pvm parses, as read once from the file; undefined for a recipe that is no file (-e, stdin, the REPL). */
  readonly bytes: Uint8Array | undefined;
  /** The signature's armored text, and what to call it (`the signature recorded in r.json`), when the caller has it; else NAME.sig is read. */
  readonly signature?: { readonly text: string; readonly from: string } | undefined;
}

/** Who signed a recipe the rule let run. */
export interface RecipeSigner {
  /** `SHA256:…`, as `ssh-keygen -l` prints it. */
  readonly fingerprint: string;
  /** ED25519, ECDSA or RSA, as `ssh-keygen -l` names it. */
  readonly kind: string;
  /** The armored signature it was verified by (a report keeps it, for pvm verify). */
  readonly signature: string;
  /** Each policy's rule that let it run, naming the key of its list that signed (for the audit log). */
  readonly rules: readonly Rule[];
}

/** The policies that list signers: each must be satisfied. */
export function signingPolicies(policies: readonly LoadedPolicy[]): LoadedPolicy[] {
  return policies.filter((p) => p.policy.recipes?.signers !== undefined);
}

/** The signer when the policies list signers (undefined when none does); else the refusal thrown (exit 3). */
export function requireSignedRecipe(policies: readonly LoadedPolicy[], recipe: RecipeToVerify): RecipeSigner | undefined {
  const verdict = judgeRecipeSignature(policies, recipe);
  if (verdict !== undefined && 'refusal' in verdict) throw verdict.refusal;
  return verdict;
}

/** A recipe the rule refuses: the error pvm run throws, and its parts, for pvm check. */
export interface SignatureRefusal {
  readonly refusal: DeniedError;
  readonly why: string;
  /** The policy that refuses it. */
  readonly policy: string;
  /** The fingerprint of the key that signed it, when there is a signature pvm could read. */
  readonly signer: string | undefined;
}

/** The same verdict, given rather than thrown (pvm check prints it). */
export function judgeRecipeSignature(policies: readonly LoadedPolicy[], recipe: RecipeToVerify): RecipeSigner | SignatureRefusal | undefined {
  const demanding = signingPolicies(policies);
  if (demanding.length === 0) return undefined;
  const first = demanding[0]!;
  /** `signer`: of a signature pvm could read. */
  const deny = (why: string, fix: string, signer?: string, policy: LoadedPolicy = first): SignatureRefusal => ({
    refusal: new DeniedError('recipe-signature', `denied: recipe ${recipe.name}: ${why} — recipes.signers in ${policy.path}`, { hint: fix }),
    why,
    policy: policy.path,
    signer,
  });
  const sign = (name: string) => `ssh-keygen -Y sign -n ${SIGNATURE_NAMESPACE} -f KEY ${name}`;
  if (recipe.bytes === undefined) {
    const what = recipe.name === '<-e>'
      ? 'a recipe given with -e is no file, so it cannot be signed'
      : recipe.name === '<stdin>'
      ? 'a recipe read from standard input is no file, so it cannot be signed'
      : recipe.name === '<repl>'
      ? 'the statements of pvm repl are no file, so they cannot be signed'
      : 'a recipe given to run() as text is no file, so it cannot be signed';
    return deny(
      `${what}, and the policy runs only recipes its signers signed`,
      `save the recipe to a file, sign it (${sign('FILE')}, with a key the policy lists) and run that file${recipe.name.startsWith('<') ? '' : ": run({ file: 'FILE' })"}`,
    );
  }

  // Bytes that are not UTF-8 are parsed as U+FFFD: what runs is then no longer text the signer could read.
  if (!isUtf8(recipe.bytes)) return deny('it is not UTF-8 text, and the policy runs only recipes read as the text that was signed', 'save the recipe as UTF-8, then sign it again: ' + sign(recipe.name));

  const from = recipe.signature?.from ?? `${recipe.name}.sig`;
  let text = recipe.signature?.text;
  if (text === undefined) {
    if (!existsSync(from)) return deny(`it has no signature (${from} does not exist), and the policy runs only recipes its signers signed`, `sign it with a key the policy lists: ${sign(recipe.name)} (writes ${from})`);
    try {
      text = readBoundedFile(from, MAX_SIGNATURE_BYTES, ({ why }) => new Error(why));
    } catch (error) {
      return deny(`${from} cannot be read: ${(error as Error).message}`, `give the signature as ${sign(recipe.name)} writes it: a regular file beside the recipe`);
    }
  }

  let signature: SshSignature;
  try {
    signature = parseArmoredSignature(text);
  } catch (error) {
    if (!(error instanceof SignatureProblem)) throw error;
    return deny(`${from} is not an SSH signature pvm can read: ${error.message}`, `make it again: ${sign(recipe.name)}`);
  }
  const signer = fingerprint(signature.key.blob);
  const kind = keyKind(signature.key.type);
  if (signature.namespace !== SIGNATURE_NAMESPACE) {
    return deny(
      `${from} was made for the namespace "${signature.namespace}", not "${SIGNATURE_NAMESPACE}": a signature made for another use (git's is "git") never passes for a recipe`,
      `sign it for pvm: ${sign(recipe.name)}`,
      signer,
    );
  }
  let holds: boolean;
  try {
    holds = verifySignature(signature, recipe.bytes, SIGNATURE_NAMESPACE);
  } catch (error) {
    if (!(error instanceof SignatureProblem)) throw error;
    return deny(`${from} cannot be checked: ${error.message}`, `make it again: ${sign(recipe.name)}`, signer);
  }
  if (!holds) {
    return deny(
      `it is not what ${from} signed: the signature (by ${signer}, ${kind}) does not hold over its bytes, so the recipe changed after it was signed, or the signature is another file's`,
      `review the recipe, then sign it again: ${sign(recipe.name)}`,
      signer,
    );
  }

  const rules: Rule[] = [];
  for (const policy of demanding) {
    const signers = policy.policy.recipes!.signers!;
    const listed = signers.find((line) => sameBytes(parseKeyLine(line).key.blob, signature.key.blob));
    if (listed === undefined) {
      return deny(
        signers.length === 0 ? `it is signed by ${signer} (${kind}), and the policy lists no signer: it runs no recipe` : `it is signed by ${signer} (${kind}), which is not among the signers`,
        `sign it with a key ${policy.path} lists (${sign(recipe.name)}), or ask for ${signer} to be added to its recipes.signers`,
        signer,
        policy,
      );
    }
    rules.push({ file: policy.path, path: 'recipes.signers', value: listed });
  }
  return { fingerprint: signer, kind, signature: text, rules };
}

/** pvm check's line of the verdict: `fix.pvm: signature: allowed: signed by SHA256:… (ED25519) — recipes.signers in ops.json`, or its JSON. */
export function formatSignatureVerdict(recipe: string, verdict: RecipeSigner | SignatureRefusal, json: boolean): string {
  const denied = 'refusal' in verdict;
  const policies = denied ? [verdict.policy] : verdict.rules.map((rule) => rule.file);
  if (json) {
    return JSON.stringify({
      type: 'signature',
      verdict: denied ? 'denied' : 'allowed',
      signer: denied ? verdict.signer ?? null : verdict.fingerprint,
      rule: 'recipes.signers',
      policies,
      why: denied ? verdict.why : null,
    });
  }
  const what = denied ? `denied: ${verdict.why}` : `allowed: signed by ${verdict.fingerprint} (${verdict.kind})`;
  return `${recipe}: signature: ${what} — recipes.signers in ${policies.join(' and ')}`;
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

// The slow path of `pith-tex check`: the full verifier, which check.ts imports dynamically only
// when the lean lock check does not say "verified" (or for --trust-key). In the CLI's bundles
// (scripts/bundle.mjs) check.ts's dynamic imports of the modules below resolve to this one
// module, so it exports what those imports take; test/bundle.test.ts runs the slow path through
// the CLI.
export { assertLock, verifyLock } from '../core/lock.js';
export { ShapeError } from '../core/record.js';
export { failedCheckLines } from '../core/verify.js';
export { loadTrustedKeys } from '../io/trust.js';
// A signature not remembered as verified (a new or changed lock): node:crypto's Ed25519, then
// the memory written.
export { leanVerifyEd25519 } from '../core/ed25519-node.js';
export { rememberVerified } from '../io/signature-memo.js';

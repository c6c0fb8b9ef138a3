export { ZAP_ENDPOINT, CURVE_ALLOW_ANY } from "./constants.js"
export type { Mechanism, StatusCode } from "./constants.js"
export { ZapProtocolError, CertificateError, AuthenticatorError } from "./errors.js"
export type { ZmqAuthErrorCode } from "./errors.js"
export { parseZapRequest } from "./zap/request.js"
export type { ZapRequest } from "./zap/request.js"
export { encodeZapReply } from "./zap/reply.js"
export type { ZapReply } from "./zap/reply.js"
export { encodeMetadata, decodeMetadata } from "./zap/metadata.js"
export { z85 } from "./zap/z85.js"
export { Authenticator, DEFAULT_CALLBACK_TIMEOUT_MS } from "./policy/authenticator.js"
export type {
  AuthenticatorOptions,
  AuthenticateOptions,
  AuthenticatorEvents,
  DecisionEvent,
} from "./policy/authenticator.js"
export type { ConfigureCurveOptions } from "./policy/curve-domains.js"
export { DEFAULT_MAX_PENDING_CHECKS } from "./policy/pending-checks.js"
export { FailureGuard, DEFAULT_GUARD_MAX_ENTRIES, DEFAULT_GUARD_STATUS_TEXT } from "./policy/failure-guard.js"
export type { FailureGuardOptions, GuardBlock } from "./policy/failure-guard.js"
export type { CertificateReloadEvent } from "./certs/certificate-key-set.js"
export type { WatchOptions } from "./certs/directory-watcher.js"
export type { CurveKeyCallback } from "./policy/curve-policy.js"
export type { CustomCheck, CustomCheckContext, CustomCheckStage, AddCheckOptions } from "./policy/custom-check.js"
export type { CredentialVerdict, CredentialCheck, CredentialStore } from "./policy/credential-store.js"
export { STORE_EVENTS } from "./policy/store-events.js"
export type { StoreEventName, CredentialRevokedEvent } from "./policy/store-events.js"
export { normalizeCurveKey } from "./policy/curve-key.js"
export { ZapHandler } from "./handler/zap-handler.js"
export type { ZapHandlerOptions, ZapHandlerEvents } from "./handler/zap-handler.js"
export { createCertificates } from "./certs/create.js"
export { loadCertificate, loadCertificates, readCertificateDirectory } from "./certs/load.js"
export type { Certificate, CertificateDirectory } from "./certs/load.js"
export { requireZap } from "./harden.js"
export type {
  ChangeReceipt,
  FleetReport,
  WaitForFleetOptions,
  CurveKeyEntryOptions,
  CredentialAdministration,
} from "./policy/credential-store-admin.js"
export { MemoryCredentialStore } from "./policy/memory-credential-store.js"
export type { MemoryCredentialStoreOptions, MemoryCredentialStoreEvents } from "./policy/memory-credential-store.js"
export { redactRequest } from "./policy/redact.js"

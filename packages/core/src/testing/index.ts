export { describeCredentialStore } from "./describe-credential-store.js"
export type {
  ConformanceTestApi,
  ConformanceTestContext,
  CredentialStoreConformanceOptions,
  CredentialStoreFactory,
  CredentialStoreSubject,
} from "./conformance-types.js"

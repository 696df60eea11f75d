import { ConnexeaseAuthError } from '@connexease-kit/auth-core';
import { assertNamespace } from '@connexease-kit/auth-core/store';

// PostgreSQL-specific checks. The contract's own argument checks (leases, records, quota requests,
// blocks, durations) come from auth-core's store-input assertions.

/** Unquoted-identifier characters only, so names never need escaping and never change case. */
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const MAX_SCHEMA_LENGTH = 32;
const MAX_PREFIX_LENGTH = 20;
const MAX_NAMESPACE_LENGTH = 256;

export function invalid(message: string): ConnexeaseAuthError {
  return new ConnexeaseAuthError('CONFIG_INVALID', `PostgreSQL token store: ${message}`);
}

/** A namespace: auth-core's check plus a length limit (it is a primary key and a NOTIFY payload). */
export function assertRowNamespace(ns: unknown): asserts ns is string {
  assertNamespace(ns);
  if (ns.length > MAX_NAMESPACE_LENGTH) {
    throw invalid(`the namespace must be at most ${MAX_NAMESPACE_LENGTH} characters`);
  }
}

export function assertSchemaName(schema: unknown): asserts schema is string {
  if (typeof schema !== 'string' || schema.length > MAX_SCHEMA_LENGTH || !IDENTIFIER.test(schema)) {
    throw invalid(
      `schema must be 1-${MAX_SCHEMA_LENGTH} lower-case letters, digits and _, starting with a letter or _`,
    );
  }
}

export function assertTablePrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string' || prefix.length > MAX_PREFIX_LENGTH || !IDENTIFIER.test(prefix)) {
    throw invalid(
      `tablePrefix must be 1-${MAX_PREFIX_LENGTH} lower-case letters, digits and _, starting with a letter or _`,
    );
  }
}

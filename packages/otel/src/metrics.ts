import type {
  Attributes,
  BatchObservableCallback,
  BatchObservableResult,
  Counter,
  Meter,
  Observable,
  ObservableGauge,
} from '@opentelemetry/api';
import { ATTR } from './attributes.ts';
import type { ObservedEvent } from './channel-names.ts';
import { type NamespaceState, NamespaceStates } from './namespace-state.ts';

/** The metric names this package records (see the README for units and attributes). */
export const METRIC_NAMES = {
  quotaUsed: 'connexease.quota.used',
  quotaLimit: 'connexease.quota.limit',
  quotaRemaining: 'connexease.quota.remaining',
  jwtAttempts: 'connexease.jwt.attempts',
  tokenRefreshIn: 'connexease.token.refresh_in',
  tokenExpiresIn: 'connexease.token.expires_in',
  waitDuration: 'connexease.wait.duration',
  blocked: 'connexease.blocked',
  storeErrors: 'connexease.store.errors',
  storeResets: 'connexease.store.resets',
} as const;

/** Histogram buckets of `connexease.wait.duration`, in seconds. */
const WAIT_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The metrics side of an instrumentation: fed by events and waits, read by the gauges' callback. */
export interface MetricsRecorder {
  event(event: ObservedEvent): void;
  wait(seconds: number, attributes: Attributes): void;
  /** Stops the gauges' callback (the counter and histogram just stop being fed). */
  dispose(): void;
}

export function createMetrics(meter: Meter, now: () => number = Date.now): MetricsRecorder {
  const states = new NamespaceStates();
  const gauges = createGauges(meter);
  const counters = createCounters(meter);
  const waits = meter.createHistogram(METRIC_NAMES.waitDuration, {
    description: 'How long callers waited for a token (no usable token in memory, or a 401 being recovered)',
    unit: 's',
    // The SDK's default buckets are meant for milliseconds; a wait is a few ms to waitTimeoutMs (60 s).
    advice: { explicitBucketBoundaries: WAIT_BUCKETS_S },
  });
  const { quotaUsed, quotaLimit, quotaRemaining, refreshIn, expiresIn, blocked } = gauges;
  const observables: Observable[] = [quotaUsed, quotaLimit, quotaRemaining, refreshIn, expiresIn, blocked];
  const observe: BatchObservableCallback = (result) => {
    const at = now();
    for (const [ns, state] of states.entries()) observeNamespace(result, gauges, ns, state, at);
  };
  meter.addBatchObservableCallback(observe, observables);

  return {
    event(event) {
      states.apply(event);
      countEvent(counters, event);
    },
    wait(seconds, attributes) {
      waits.record(seconds, attributes);
    },
    dispose() {
      meter.removeBatchObservableCallback(observe, observables);
    },
  };
}

interface Counters {
  attempts: Counter;
  storeErrors: Counter;
  storeResets: Counter;
}

function createCounters(meter: Meter): Counters {
  return {
    attempts: meter.createCounter(METRIC_NAMES.jwtAttempts, {
      description: 'POST /jwt/ attempts, by outcome: issued, or the error code',
      unit: '{attempt}',
    }),
    storeErrors: meter.createCounter(METRIC_NAMES.storeErrors, {
      description: 'Token store calls that failed (the store is down or refused), by store operation',
      unit: '{error}',
    }),
    storeResets: meter.createCounter(METRIC_NAMES.storeResets, {
      description:
        'Times the token store was found to have forgotten quota records or the token (an empty restart, a lossy failover, eviction); the fleet re-added what it remembered',
      unit: '{reset}',
    }),
  };
}

function countEvent(counters: Counters, event: ObservedEvent): void {
  const ns = { [ATTR.namespace]: event.ns };
  switch (event.type) {
    case 'issued':
      counters.attempts.add(1, { ...ns, [ATTR.outcome]: 'issued' });
      break;
    case 'issue-failed':
      counters.attempts.add(1, { ...ns, [ATTR.outcome]: event.code });
      break;
    case 'store-error':
      counters.storeErrors.add(1, { ...ns, [ATTR.storeOperation]: event.operation });
      break;
    case 'store-reset':
      counters.storeResets.add(1, {
        ...ns,
        [ATTR.resetDetectedBy]: event.detectedBy,
        [ATTR.resetQuotaLost]: event.quotaLost,
      });
      break;
  }
}

interface Gauges {
  quotaUsed: ObservableGauge;
  quotaLimit: ObservableGauge;
  quotaRemaining: ObservableGauge;
  refreshIn: ObservableGauge;
  expiresIn: ObservableGauge;
  blocked: ObservableGauge;
}

function createGauges(meter: Meter): Gauges {
  const issues = '{issue}';
  return {
    quotaUsed: meter.createObservableGauge(METRIC_NAMES.quotaUsed, {
      description: 'POST /jwt/ reservations in the sliding quota window, per API user',
      unit: issues,
    }),
    quotaLimit: meter.createObservableGauge(METRIC_NAMES.quotaLimit, {
      description: 'The configured JWT issue limit per window, per API user',
      unit: issues,
    }),
    quotaRemaining: meter.createObservableGauge(METRIC_NAMES.quotaRemaining, {
      description: 'JWT issues left in the window, per API user',
      unit: issues,
    }),
    refreshIn: meter.createObservableGauge(METRIC_NAMES.tokenRefreshIn, {
      description: 'Seconds until the held JWT is due for refresh (negative once due)',
      unit: 's',
    }),
    expiresIn: meter.createObservableGauge(METRIC_NAMES.tokenExpiresIn, {
      description: 'Seconds until the held JWT expires (negative once expired)',
      unit: 's',
    }),
    blocked: meter.createObservableGauge(METRIC_NAMES.blocked, {
      description:
        '1 while a block stops JWT issues for the API user (bad password, ban, inactive account), else 0',
    }),
  };
}

function observeNamespace(
  result: BatchObservableResult,
  gauges: Gauges,
  ns: string,
  state: NamespaceState,
  at: number,
): void {
  const attributes = { [ATTR.namespace]: ns };
  if (state.quota !== undefined) {
    result.observe(gauges.quotaUsed, state.quota.used, attributes);
    result.observe(gauges.quotaLimit, state.quota.limit, attributes);
    result.observe(gauges.quotaRemaining, state.quota.remaining, attributes);
  }
  if (state.token !== undefined) {
    if (state.token.refreshAt !== undefined) {
      result.observe(gauges.refreshIn, (state.token.refreshAt - at) / 1000, attributes);
    }
    result.observe(gauges.expiresIn, (state.token.expiresAt - at) / 1000, attributes);
  }
  const { block } = state;
  const activeCode = block != null && (block.until === undefined || at < block.until) ? block.code : null;
  for (const code of state.blockCodes ?? []) {
    result.observe(gauges.blocked, code === activeCode ? 1 : 0, { ...attributes, [ATTR.blockCode]: code });
  }
}

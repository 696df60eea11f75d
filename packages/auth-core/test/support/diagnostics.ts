import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { DIAGNOSTICS_CHANNELS } from '@connexease-kit/auth-core/diagnostics';

/** One message seen on a diagnostics channel. */
export interface Published {
  /** The full channel name, e.g. `tracing:connexease-kit:jwt-issue:start`. */
  channel: string;
  message: unknown;
}

const TRACING_EVENTS = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const;

/** Every channel name connexease-kit publishes on: the event channel and each tracing sub-channel. */
export function allChannelNames(): string[] {
  const { event, jwtIssue, wait, store } = DIAGNOSTICS_CHANNELS;
  return [
    event,
    ...[jwtIssue, wait, store].flatMap((name) => TRACING_EVENTS.map((kind) => `tracing:${name}:${kind}`)),
  ];
}

/** Subscribes to every connexease-kit channel; `stop()` unsubscribes. */
export function recordChannels(): { published: Published[]; on(channel: string): unknown[]; stop(): void } {
  const published: Published[] = [];
  const listeners = allChannelNames().map((channel) => {
    const listener = (message: unknown): void => {
      published.push({ channel, message });
    };
    subscribe(channel, listener);
    return { channel, listener };
  });
  return {
    published,
    on: (channel) => published.filter((entry) => entry.channel === channel).map((entry) => entry.message),
    stop: () => {
      for (const { channel, listener } of listeners) unsubscribe(channel, listener);
    },
  };
}

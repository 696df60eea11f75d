import type { ProgressSnapshot } from './scenario.ts';

/** Progress of the runs on a stream: one line updated in place on a terminal, plain lines otherwise. */
export interface Progress {
  /** Starts a run named `label`; returns the callback for `runScenario({ onProgress })`. */
  begin(label: string): (snapshot: ProgressSnapshot) => void;
  /** Ends the current run's line. */
  end(): void;
}

export function createProgress(stream: NodeJS.WriteStream): Progress {
  const live = stream.isTTY === true;
  let label = '';
  let last = '';
  return {
    begin(name) {
      label = name;
      if (!live) stream.write(`running ${name}…\n`);
      return (snapshot) => {
        last = describe(label, snapshot);
        if (live) stream.write(`\r\x1b[2K${last}`);
      };
    },
    end() {
      if (live) stream.write(`\r\x1b[2K${last}\n`);
      else if (last !== '') stream.write(`${last}\n`);
      last = '';
    },
  };
}

function describe(label: string, s: ProgressSnapshot): string {
  const quota = s.quota === null ? '' : ` · quota ${s.quota.used}/${s.quota.limit}`;
  return (
    `${label.padEnd(15)} ${s.answered}/${s.total} requests · ${s.failed} failed · ` +
    `POST /jwt/ ${s.postJwt} (${s.issued} issued)${quota}${s.banned ? ' · BANNED' : ''}`
  );
}

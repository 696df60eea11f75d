import type { ScenarioResult } from './scenario.ts';

/** One promise of connexease-kit, checked against a run. */
export interface Guarantee {
  id: 'issues' | 'no-failed-requests' | 'quota' | 'never-banned' | 'crash-reuse';
  ok: boolean;
  text: string;
}

/** JWTs the fleet may issue in the scenario: one at start, one after the server revokes the token. */
export const EXPECTED_ISSUES = 2;

/** What connexease-kit promises, against what the run measured. The demo exits non-zero if one fails. */
export function checkGuarantees(kit: ScenarioResult): Guarantee[] {
  const crashes = kit.timeline.filter((entry) => entry.kind === 'crash');
  const crashJwt = crashes.reduce((sum, entry) => sum + entry.postJwt.total, 0);
  const replacementsIssued = crashes.filter((entry) => entry.crash?.firstToken === 'issued');
  const { quota, api, requests } = kit;
  return [
    {
      id: 'issues',
      ok: kit.issued <= EXPECTED_ISSUES,
      text: `at most ${EXPECTED_ISSUES} JWTs issued for the whole fleet (1 at start, 1 after the revocation): ${kit.issued}`,
    },
    {
      id: 'no-failed-requests',
      ok: requests.failed === 0,
      text:
        `no failed requests: ${requests.failed} of ${requests.total}` +
        (requests.rerouted > 0
          ? ` (${requests.rerouted} lost in flight by a crash were re-sent to another replica)`
          : ''),
    },
    {
      id: 'quota',
      ok: quota !== null && quota.used <= quota.limit && api.used <= api.limit,
      text:
        `quota never exceeded: ${quota?.used ?? '?'} of the fleet's ${quota?.limit ?? '?'} attempts used, ` +
        `${api.used} of the API's ${api.limit} issues`,
    },
    {
      id: 'never-banned',
      ok: !api.banned && kit.bannedAt === null,
      text: api.banned ? 'never banned: the API banned the user' : 'never banned',
    },
    {
      id: 'crash-reuse',
      ok: crashJwt === 0 && replacementsIssued.length === 0,
      text: `replacements of crashed replicas reused the shared token: ${crashJwt} POST /jwt/ after ${crashes.length} crashes`,
    },
  ];
}

import ky, { type KyInstance } from 'ky';
import { type ApiTarget, type Fleet, timedCall } from './fleet.ts';

/** The naive client of one replica: its token lives in a variable of this process. */
export interface NaiveClient {
  api: KyInstance;
  /** `POST /jwt/` and keep the token. */
  login(): Promise<void>;
}

/**
 * The code people actually write: log in at start-up, keep the token in a variable, and when the API
 * answers 401, log in again and retry. The 401 part is ky's own README example for refreshing a token.
 *
 * Nothing here is wrong for one process that never restarts. Its costs appear in a fleet: every
 * replica and every restart logs in (the token is not shared), and after the server revokes a token
 * every request in flight gets a 401 and logs in on its own (there is no single flight). Nothing counts
 * the 30 logins a day the API allows before it bans the user.
 */
export function createNaiveClient(target: ApiTarget): NaiveClient {
  let token = '';

  async function login(): Promise<void> {
    const body = await ky
      .post('jwt/', {
        baseUrl: target.baseUrl,
        json: { username: target.username, password: target.password },
      })
      .json<{ token: string }>();
    token = body.token;
  }

  const api = ky.create({
    baseUrl: target.baseUrl,
    hooks: {
      beforeRequest: [
        ({ request }) => {
          request.headers.set('Authorization', `JWT ${token}`);
        },
      ],
      afterResponse: [
        async ({ request, response, retryCount }) => {
          if (response.status === 401 && retryCount === 0) {
            await login();
            const headers = new Headers(request.headers);
            headers.set('Authorization', `JWT ${token}`);
            return ky.retry({ request: new Request(request, { headers }), code: 'TOKEN_REFRESHED' });
          }
        },
      ],
    },
  });

  return { api, login };
}

/** Replicas running the naive client, each with its own token (in one process: they share nothing anyway). */
export function createNaiveFleet(target: ApiTarget): Fleet {
  return {
    description: 'naive: each replica logs in at start and on every 401, token kept in a variable',
    events: null,

    async start(name) {
      const client = createNaiveClient(target);
      await client.login(); // At boot, before serving. If it throws, the replica does not come up.
      const alive = new AbortController();
      return {
        name,
        call: (path) => timedCall(() => client.api.get(path, { signal: alive.signal }).json(), alive.signal),
        crash: () => alive.abort(),
      };
    },

    quota: async () => null,
    close: async () => {},
  };
}

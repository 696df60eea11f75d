import type { CommandContext } from '../context.ts';
import { withNamespace } from '../context.ts';
import { obtainPassword } from '../password.ts';
import { renderStatus } from '../render-status.ts';
import { resolveSettings } from '../settings.ts';
import { collectStatus, type StatusReport } from '../status-report.ts';

/**
 * `connexease-auth status [--json] [--check-password]`: prints the namespace's quota, token times,
 * lease and block, and exits 0 (healthy), 3 (a block applies) or 4 (quota spent). Reads only.
 */
export async function statusCommand(context: CommandContext): Promise<number> {
  const { io, output, line } = context;
  const settings = resolveSettings(line, io.env);
  const report = await withNamespace(context, settings, { mustExist: true }, ({ store, description, ns }) =>
    collectStatus({
      store,
      description,
      ns,
      settings,
      now: context.now,
      password: async () => {
        const fromEnv = io.env.CONNEXEASE_PASSWORD;
        if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
        if (!line.checkPassword) return undefined;
        const password = await obtainPassword(io, settings.username, '--check-password needs the password');
        output.addSecret(password);
        return password;
      },
    }),
  );
  output.out(line.json ? `${JSON.stringify(report, null, 2)}\n` : renderStatus(report));
  if (isEmpty(report)) {
    output.note(
      'nothing is stored for this API user: check that the store, --username and --base-url are the ones your services use',
    );
  }
  return report.exitCode;
}

function isEmpty(report: StatusReport): boolean {
  return report.quota.used === 0 && report.token === null && report.lease === null && report.block === null;
}

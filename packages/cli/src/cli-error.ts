/**
 * A failure the CLI itself decided on (bad usage, a refused confirmation, nothing cached): printed as
 * one line, with an optional hint line, and ending the process with `exitCode`.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;
  /** A second line saying what to do, e.g. `Run 'connexease-auth status --help' for usage.` */
  readonly hint: string | undefined;

  constructor(exitCode: number, message: string, hint?: string) {
    super(message);
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** Written on stderr by the preload once a snippet listens for SIGTERM. */
export const SIGTERM_READY_MARKER = 'cxk-snippet: SIGTERM listener installed';

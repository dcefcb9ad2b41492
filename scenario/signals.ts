/**
 * SIGINT and SIGTERM stop a run at its next clean point (between two calls, two polls, two sinks)
 * instead of in the middle of anything; a second signal exits at once (the state is still safe:
 * every write is atomic).
 */
export async function withInterruptSignals<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`jeelinky: ${name} again: exiting now\n`);
      process.exit(name === 'SIGINT' ? 130 : 143);
    }
    process.stderr.write(`jeelinky: ${name} received: stopping at the next clean point (send it again to exit at once)\n`);
    controller.abort(name);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

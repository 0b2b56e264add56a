/**
 * Runs `round` every `tickMs` on a timer that does not keep the process alive, never two rounds at once.
 * `stop` clears the timer and waits for a round in progress; a round sees `stopped()` turn true and ends early.
 */
export function startRounds(
  round: (stopped: () => boolean) => Promise<void>,
  tickMs: number,
): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (!running) running = round(() => stopped).finally(() => (running = undefined));
  }, tickMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * `jeelinky pair`: the whole pairing at a terminal: device code, URL and code to approve, then
 * polling as RFC 8628 and the proxy say, with a countdown, until the tokens arrive or the code expires.
 */
import type { CommandModule } from 'yargs';
import { LinkySession } from '../../plugin/enedis/session.js';
import { maskSecret } from '../../plugin/secrets.js';
import { printJson } from '../output.js';
import { withInterruptSignals } from '../signals.js';
import { terminalEvents } from '../render.js';
import { tokenSummary, waitForTokens, withState } from '../../plugin/runner/run.js';
import { configFromArgs, withCommonOptions, type CommonArgs } from './common.js';

export const pairCommand: CommandModule<object, CommonArgs> = {
  command: 'pair',
  describe: 'Pair with your Linky in one go: show the URL and code, then wait for your consent',
  builder: (y) =>
    withCommonOptions(y).example('$0 pair', 'Open the URL it prints, sign in to Enedis, accept; it waits and saves the tokens'),
  handler: async (argv) => {
    const config = configFromArgs(argv);
    const events = terminalEvents(config.tz, false);
    const tokens = await withInterruptSignals(
      (signal) =>
        withState(config, async (store) => {
          const session = new LinkySession(config, store, { signal });
          const pairing = await session.startPairing();
          if (argv.json)
            process.stderr.write(
              `${JSON.stringify({ userCode: pairing.userCode, verificationUriComplete: pairing.verificationUriComplete, expiresAt: pairing.expiresAt })}\n`,
            );
          events.pairingCode?.(pairing);
          return waitForTokens(session, pairing, { config, events, signal });
        }),
      { beforeLine: events.interrupted },
    );
    if (process.stderr.isTTY) process.stderr.write('\n');
    if (argv.json) printJson(tokenSummary(tokens));
    else {
      process.stdout.write(
        `Paired. PDL: ${tokens.usagePoints.join(', ') || '(not announced: set JEELINKY_USAGE_POINT_ID)'}; refresh token ${maskSecret(tokens.refreshToken)} saved in ${config.stateDir}.\n` +
          'Next: "jeelinky run" fetches your readings (schedule it once a day, after 08:00).\n',
      );
    }
  },
};

/**
 * The command tree as a user discovers it: `jeelinky --help`, then `--help` of every command it
 * lists (and of their subcommands). Tests that loop over every command read the tree from here, so
 * they see what the built CLI offers, not what a source file declares.
 */
import { runCli } from './core.js';

export interface HelpCommand {
  /** "jeelinky jeedom setup" */
  path: string;
  /** Long flags without "--", in the order of the help (yargs' own --help and --version included). */
  flags: string[];
  /** The command takes positional arguments (its help has a "Positionals:" section). */
  positionals: boolean;
}

interface HelpPage {
  subcommands: string[];
  flags: string[];
  positionals: boolean;
}

/** Reads one help page: the "Commands:" entries one level below `path`, the flags, the positionals. */
function parseHelp(text: string, path: string): HelpPage {
  const page: HelpPage = { subcommands: [], flags: [], positionals: false };
  let section = '';
  for (const line of text.split('\n')) {
    const heading = /^([A-Z][A-Za-z ]*):$/.exec(line);
    if (heading) {
      section = heading[1]!;
      if (section === 'Positionals') page.positionals = true;
      continue;
    }
    if (section === 'Commands') {
      const m = new RegExp(`^  ${path} ([a-z][a-z-]*)`).exec(line);
      if (m) page.subcommands.push(m[1]!);
    } else if (section !== 'Positionals' && section !== 'Examples') {
      // "Options:" and the named groups some commands use (e.g. "Jeedom:", "MQTT:").
      const m = /^\s+(?:-\w, )?--([a-z][a-z0-9-]*)/.exec(line);
      if (m) page.flags.push(m[1]!);
    }
  }
  return page;
}

/** Every leaf command of the CLI with its flags, read from the help pages of the built CLI. */
export async function commandsFromHelp(env: Record<string, string>, words: string[] = []): Promise<HelpCommand[]> {
  const path = ['jeelinky', ...words].join(' ');
  const r = await runCli([...words, '--help'], env);
  if (r.code !== 0) throw new Error(`${path} --help exited ${r.code}: ${r.stderr}`);
  const page = parseHelp(r.stdout, path);
  if (page.subcommands.length === 0) return [{ path, flags: page.flags, positionals: page.positionals }];
  const below = await Promise.all(page.subcommands.map((name) => commandsFromHelp(env, [...words, name])));
  return below.flat();
}

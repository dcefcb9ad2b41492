/**
 * The command line is checked before yargs runs any handler: an unknown or misspelt flag, an
 * unknown command, a number that is not one or a value outside a flag's choices stops jeelinky with
 * one line and exit 64, before any call or write. (yargs' own strict mode reports such mistakes
 * but, with async handlers, only alongside a handler that has already started.)
 *
 * The flags each command knows are read from the command modules themselves: their builders are
 * run once against a recorder that notes every .option(), .positional() and .command(), so this
 * check cannot drift from what yargs is told.
 */
import type { CommandModule } from 'yargs';
import { UsageError } from '../plugin/errors.js';
import { closest } from '../plugin/suggest.js';

export interface FlagSpec {
  name: string;
  type?: 'boolean' | 'number' | 'string' | 'count' | 'array';
  array: boolean;
  choices?: readonly string[];
  aliases: string[];
}

export interface CommandSpec {
  /** "jeelinky jeedom setup" */
  path: string;
  name: string;
  flags: Map<string, FlagSpec>;
  /** The command takes positional arguments (date and stats take expressions). */
  positionals: boolean;
  subcommands: CommandSpec[];
}

/** A rule for a numeric flag, checked on the text the user typed (yargs would turn "abc" into NaN). */
export interface NumberRule {
  min: number;
  max?: number;
  /** What to write, e.g. "a whole number, 0 or more". */
  expect: string;
}

// biome-ignore lint/suspicious/noExplicitAny: commands differ in their argv types; only their option tables are read here.
type AnyCommand = CommandModule<any, any>;

/** Options every command accepts (yargs' own). */
const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'help', type: 'boolean', array: false, aliases: ['h'] },
  { name: 'version', type: 'boolean', array: false, aliases: [] },
];

function addFlag(flags: Map<string, FlagSpec>, name: string, opt: Record<string, unknown> = {}): void {
  const alias = opt.alias === undefined ? [] : ([] as string[]).concat(opt.alias as string | string[]);
  const choices = Array.isArray(opt.choices) ? (opt.choices as unknown[]).map(String) : undefined;
  flags.set(name, { name, type: opt.type as FlagSpec['type'], array: Boolean(opt.array) || opt.type === 'array', choices, aliases: alias });
}

/** Runs a command's builder against a recorder (no yargs involved) and returns what it declared. */
export function commandSpec(module: AnyCommand, parentPath = 'jeelinky'): CommandSpec {
  const words = String(Array.isArray(module.command) ? module.command[0] : module.command)
    .trim()
    .split(/\s+/);
  const name = words[0]!;
  const path = `${parentPath} ${name}`;
  const flags = new Map<string, FlagSpec>();
  for (const f of GLOBAL_FLAGS) flags.set(f.name, f);
  const subcommands: CommandSpec[] = [];
  let positionals = words.length > 1 && !words.slice(1).every((w) => /^<command>$/.test(w));
  const recorder: object = new Proxy(
    {},
    {
      get(_target, prop) {
        if (prop === 'then') return undefined; // not a promise
        if (prop === 'option' || prop === 'options') {
          return (key: string | Record<string, Record<string, unknown>>, opt?: Record<string, unknown>) => {
            if (typeof key === 'string') addFlag(flags, key, opt);
            else for (const [k, o] of Object.entries(key)) addFlag(flags, k, o);
            return recorder;
          };
        }
        if (prop === 'positional') {
          return () => {
            positionals = true;
            return recorder;
          };
        }
        if (prop === 'command') {
          return (sub: AnyCommand) => {
            if (typeof sub === 'object' && sub) subcommands.push(commandSpec(sub, path));
            return recorder;
          };
        }
        return () => recorder; // describe, example, demandCommand…: nothing to check
      },
    },
  );
  const builder = module.builder;
  if (typeof builder === 'function') (builder as (y: unknown) => unknown)(recorder);
  else if (builder && typeof builder === 'object')
    for (const [k, o] of Object.entries(builder)) addFlag(flags, k, o as Record<string, unknown>);
  if (subcommands.length) positionals = false;
  return { path, name, flags, positionals, subcommands };
}

export function rootSpec(commands: AnyCommand[]): CommandSpec {
  const flags = new Map<string, FlagSpec>();
  for (const f of GLOBAL_FLAGS) flags.set(f.name, f);
  return { path: 'jeelinky', name: 'jeelinky', flags, positionals: false, subcommands: commands.map((c) => commandSpec(c)) };
}

const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The flag `name` names in `spec`, as yargs reads it: kebab or camelCase, an alias, or --no-<flag>. */
function lookup(spec: CommandSpec, name: string): { flag: FlagSpec; negated: boolean } | undefined {
  const direct = (n: string): FlagSpec | undefined => {
    for (const f of spec.flags.values()) {
      if (f.name === n || camel(f.name) === n || f.aliases.includes(n)) return f;
    }
    return undefined;
  };
  const f = direct(name) ?? direct(kebab(name));
  if (f) return { flag: f, negated: false };
  const m = /^no-?(.+)$/.exec(name);
  if (m) {
    const rest = m[1]!.replace(/^[A-Z]/, (c) => c.toLowerCase());
    const g = direct(rest) ?? direct(kebab(rest));
    if (g) return { flag: g, negated: true };
  }
  return undefined;
}

// ------------------------------------------------------------------ the check

/** yargs-parser's own test: "-5" and "-1.5" are values, not flags. */
const NEGATIVE_NUMBER = /^-([0-9]+(\.[0-9]+)?|\.[0-9]+)$/;
const isFlagToken = (t: string) => t.startsWith('-') && t !== '-' && !NEGATIVE_NUMBER.test(t);

function unknownFlag(typed: string, spec: CommandSpec, root: CommandSpec): UsageError {
  const name = typed.replace(/^-+/, '');
  const names = [...spec.flags.values()].filter((f) => f.name !== 'version').map((f) => f.name);
  const near = closest(name, names) ?? (name.startsWith('no-') ? closest(name.slice(3), names) : undefined);
  if (near) return new UsageError(`unknown flag ${typed}: did you mean --${near}?`, 'unknown_flag');
  const elsewhere = allSpecs(root)
    .filter((s) => s !== spec && s.subcommands.length === 0 && lookup(s, name))
    .map((s) => s.path.replace(/^jeelinky /, ''));
  const hint = elsewhere.length ? ` (it is a flag of ${elsewhere.join(', ')})` : '';
  return new UsageError(`unknown flag ${typed} for ${spec.path}${hint}: "${spec.path} --help" lists its flags`, 'unknown_flag');
}

function allSpecs(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.subcommands.flatMap(allSpecs)];
}

function checkValue(typed: string, flag: FlagSpec, value: string, numberRules: Record<string, NumberRule>): void {
  if (flag.type === 'number') {
    const rule = numberRules[flag.name];
    const n = Number(value);
    const isNumber = /^-?\d+(\.\d+)?$/.test(value.trim());
    if (!isNumber || (rule && (n < rule.min || (rule.max !== undefined && n > rule.max) || !Number.isInteger(n)))) {
      throw new UsageError(`${typed} ${JSON.stringify(value)}: give ${rule?.expect ?? 'a number'}`, 'bad_flag');
    }
  }
  if (flag.choices) {
    for (const v of flag.array ? value.split(',') : [value]) {
      if (!flag.choices.includes(v)) {
        const near = closest(v, flag.choices);
        const list =
          flag.choices.length === 2 ? flag.choices.join(' or ') : `${flag.choices.slice(0, -1).join(', ')} or ${flag.choices.at(-1)}`;
        throw new UsageError(`${typed} ${JSON.stringify(v)}: give ${list}${near ? ` (did you mean ${near}?)` : ''}`, 'bad_flag');
      }
    }
  }
}

/**
 * Checks `argv` (as given to yargs, after glueDashedValues) against the commands. Throws a
 * UsageError naming what was wrong and what to write instead; returns quietly when yargs may run.
 * Everything after `--` is an expression and is not looked at.
 */
export function checkArgv(argv: string[], root: CommandSpec, numberRules: Record<string, NumberRule> = {}): void {
  const stop = argv.indexOf('--');
  const tokens = stop < 0 ? argv : argv.slice(0, stop);
  // 1. The command path: the first words that name a command (flags may come before, as yargs allows).
  const { spec, commandWords } = readCommandPath(tokens, root);
  requireCommandNamed(spec, tokens);
  // 2. Every flag against the command's flags, every value as typed.
  const line: ArgvLine = { tokens, commandWords, spec, root, numberRules };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (commandWords.has(i)) continue;
    if (!isFlagToken(t) || (t.startsWith('-') && !t.startsWith('--') && /\s/.test(t))) checkArgument(t, spec);
    else if (!t.startsWith('--')) checkShortFlag(t, spec, root);
    else i = checkLongFlag(line, i);
  }
}

/** The command named by the first words, and which of the tokens named it. */
function readCommandPath(tokens: string[], root: CommandSpec): { spec: CommandSpec; commandWords: Set<number> } {
  let spec = root;
  const commandWords = new Set<number>();
  for (let i = 0; i < tokens.length && spec.subcommands.length; i++) {
    const t = tokens[i]!;
    if (isFlagToken(t)) {
      if (['--help', '-h', '--version'].includes(t)) continue;
      // yargs would read "--json status" as --json=status: a command's flags come after its name.
      const next = tokens.slice(i + 1).find((w) => !isFlagToken(w));
      const name = t.split('=')[0]!;
      const example =
        next && spec.subcommands.some((s) => s.name === next) ? `${spec.path} ${next} ${name}` : `${spec.path} <command> ${name}`;
      throw new UsageError(`${name} comes before the command: write it after, e.g. ${example}`, 'flag_before_command');
    }
    const sub = spec.subcommands.find((s) => s.name === t);
    if (!sub) {
      const near = closest(
        t,
        spec.subcommands.map((s) => s.name),
      );
      const where = spec === root ? 'command' : `${spec.path.replace(/^jeelinky /, '')} command`;
      throw new UsageError(
        `unknown ${where} ${JSON.stringify(t)}${near ? `: did you mean ${near}?` : ''}${near ? '' : `: "${spec.path} --help" lists them`}`,
        'unknown_command',
      );
    }
    commandWords.add(i);
    spec = sub;
  }
  return { spec, commandWords };
}

/** A command that only groups others (jeelinky, jeedom…) needs one of them named, unless help or version is asked. */
function requireCommandNamed(spec: CommandSpec, tokens: string[]): void {
  if (spec.subcommands.length && !tokens.some((t) => t === '--help' || t === '-h' || t === '--version')) {
    const names = spec.subcommands.map((s) => s.name);
    throw new UsageError(
      `name a command: ${spec.path} ${names.length > 1 ? `<${names.join('|')}>` : names[0]}; "${spec.path} --help" tells what each does`,
      'missing_command',
    );
  }
}

/** What the flag checks read besides the token at hand. */
interface ArgvLine {
  tokens: string[];
  /** Indexes of the tokens that named the command. */
  commandWords: Set<number>;
  spec: CommandSpec;
  root: CommandSpec;
  numberRules: Record<string, NumberRule>;
}

/** A word that is not a flag: an expression where the command takes them, refused where it does not. */
function checkArgument(t: string, spec: CommandSpec): void {
  if (t.startsWith('-') && spec.positionals) {
    // "-7 days": yargs would read flags -7, -d, -a…
    throw new UsageError(
      `${JSON.stringify(t)} starts with "-": put -- before the expressions, e.g. ${spec.path} -- ${JSON.stringify(t)}`,
      'dashed_expression',
    );
  }
  if (!spec.positionals) {
    if (spec.subcommands.length) return; // no command named yet: yargs says which to name
    throw new UsageError(
      `${spec.path} takes no argument ${JSON.stringify(t)}: "${spec.path} --help" lists its flags`,
      'unexpected_argument',
    );
  }
}

/** Short flags: only -h exists; "-dry-run" is a long flag with one dash too few. */
function checkShortFlag(t: string, spec: CommandSpec, root: CommandSpec): void {
  if (t === '-h') return;
  if (spec.positionals) {
    throw new UsageError(
      `${JSON.stringify(t)} starts with "-": put -- before the expressions, e.g. ${spec.path} -- ${JSON.stringify(t)}`,
      'dashed_expression',
    );
  }
  throw unknownFlag(t, spec, root);
}

/** Checks the long flag at `i` and its value(s); returns the index of the last token it read. */
function checkLongFlag({ tokens, commandWords, spec, root, numberRules }: ArgvLine, i: number): number {
  const t = tokens[i]!;
  const eq = t.indexOf('=');
  const name = t.slice(2, eq < 0 ? undefined : eq);
  const typed = `--${name}`;
  const found = lookup(spec, name);
  if (!found) throw unknownFlag(typed, spec, root);
  const { flag, negated } = found;
  if (eq >= 0) {
    checkValue(typed, flag, t.slice(eq + 1), numberRules);
    return i;
  }
  if (negated) return i;
  if (flag.type === 'boolean') {
    // yargs also reads "--json true" / "--json false".
    if (tokens[i + 1] === 'true' || tokens[i + 1] === 'false') i++;
    return i;
  }
  // The value(s): the next word, or for an array flag every word up to the next flag.
  let taken = 0;
  while (i + 1 < tokens.length && !isFlagToken(tokens[i + 1]!) && !commandWords.has(i + 1) && (flag.array || taken === 0)) {
    checkValue(typed, flag, tokens[++i]!, numberRules);
    taken++;
  }
  if (taken === 0) {
    // The next word is not shown: it may be a password that starts with "-".
    const dashed = i + 1 < tokens.length && tokens[i + 1]!.startsWith('-');
    const what =
      flag.type === 'number'
        ? `: give ${numberRules[flag.name]?.expect ?? 'a number'}`
        : dashed
          ? `: a value that starts with "-" is written ${typed}=<value>`
          : '';
    throw new UsageError(`${typed} needs a value${what}`, 'missing_value');
  }
  return i;
}

/**
 * Commands addressed the way Jeedom users write them — `#[Objet][Équipement][Commande]#`, accents and
 * spaces included — or by numeric id. Exact names win; otherwise a match that ignores case, accents
 * and repeated spaces is accepted when it is unique (MySQL's utf8_general_ci, which Jeedom's own
 * `cmd::byString` relies on, compares names that way). No match, or several, is an error that lists
 * the close candidates.
 */
import { ConfigError } from '../errors.js';
import type { JeedomClient } from './client.js';
import type { JeedomCmd, JeedomEqLogic, JeedomObject } from './wire.js';
import { JeedomAmbiguousError, JeedomNotFoundError } from './errors.js';

/** How Jeedom names the "no object" pseudo-object in human names. */
export const NO_OBJECT_NAMES = ['Aucun', 'None'];

export interface EquipmentAddress {
  object: string;
  equipment: string;
}
export interface CmdAddress extends EquipmentAddress {
  command: string;
}

const clean = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim();
/** The loose key: no accents, no case, single spaces. */
export const looseKey = (s: string) =>
  clean(s)
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();

function parts(input: string): string[] | undefined {
  const s = input.trim().replace(/^#/, '').replace(/#$/, '').trim();
  const m = s.match(/^\[([^\]]*)\]\s*\[([^\]]*)\](?:\s*\[([^\]]*)\])?$/);
  if (!m) return undefined;
  return m
    .slice(1)
    .filter((x): x is string => x !== undefined)
    .map(clean);
}

/** `[Objet][Équipement]` (with or without the # marks). */
export function parseEquipmentAddress(input: string): EquipmentAddress {
  const p = parts(input);
  if (p?.length !== 2 || !p[0] || !p[1]) {
    throw new ConfigError(`equipment "${input}" is not of the form "[Objet][Équipement]" (e.g. "[Maison][Linky]")`, 'jeedom_bad_name');
  }
  return { object: p[0], equipment: p[1] };
}

/** `#[Objet][Équipement][Commande]#`, or a numeric command id. */
export function parseCmdAddress(input: string | number): CmdAddress | { id: number } {
  if (typeof input === 'number' || /^\s*\d+\s*$/.test(input)) {
    const id = Number(input);
    if (!Number.isSafeInteger(id) || id <= 0) throw new ConfigError(`command id "${input}" is not a positive integer`, 'jeedom_bad_name');
    return { id };
  }
  const p = parts(input);
  if (p?.length !== 3 || !p[0] || !p[1] || !p[2]) {
    throw new ConfigError(
      `command "${input}" is neither a numeric id nor of the form "#[Objet][Équipement][Commande]#"`,
      'jeedom_bad_name',
    );
  }
  return { object: p[0], equipment: p[1], command: p[2] };
}

export const humanEquipment = (objectName: string, eq: { name: string }) => `[${objectName}][${eq.name}]`;
export const humanCmd = (objectName: string, eq: { name: string }, cmd: { name: string }) => `#[${objectName}][${eq.name}][${cmd.name}]#`;

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** Up to `n` candidates closest to `wanted` (loosely compared), best first. */
export function closeMatches(wanted: string, candidates: string[], n = 5): string[] {
  const w = looseKey(wanted);
  return candidates
    .map((c) => {
      const k = looseKey(c);
      const d = k.includes(w) || w.includes(k) ? Math.abs(k.length - w.length) / 4 : levenshtein(w, k);
      return { c, d };
    })
    .filter(({ d }) => d <= Math.max(3, w.length / 2))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, n)
    .map(({ c }) => c);
}

const suggestionText = (s: string[]) => (s.length ? `; close matches: ${s.join(', ')}` : '');

export interface ResolvedEquipment {
  eqLogic: JeedomEqLogic;
  objectName: string;
  humanName: string;
}

export interface ResolvedCmd extends ResolvedEquipment {
  cmd: JeedomCmd;
  humanName: string;
}

function objectNameOf(objects: Map<number, JeedomObject>, eq: JeedomEqLogic): string {
  return eq.object_id === null ? NO_OBJECT_NAMES[0]! : (objects.get(eq.object_id)?.name ?? NO_OBJECT_NAMES[0]!);
}

/** Every device whose `[object][name]` matches (exact first, then loose); may be empty. */
export function matchEquipments(objects: JeedomObject[], eqLogics: JeedomEqLogic[], address: EquipmentAddress): ResolvedEquipment[] {
  const byId = new Map(objects.map((o) => [o.id, o]));
  const all = eqLogics.map((eqLogic) => {
    const objectName = objectNameOf(byId, eqLogic);
    return { eqLogic, objectName, humanName: humanEquipment(objectName, eqLogic) };
  });
  const wantNoObject = NO_OBJECT_NAMES.some((n) => looseKey(n) === looseKey(address.object));
  const exact = all.filter(
    (r) =>
      clean(r.eqLogic.name) === clean(address.equipment) &&
      (clean(r.objectName) === clean(address.object) || (wantNoObject && r.eqLogic.object_id === null)),
  );
  if (exact.length) return exact;
  return all.filter(
    (r) =>
      looseKey(r.eqLogic.name) === looseKey(address.equipment) &&
      (looseKey(r.objectName) === looseKey(address.object) || (wantNoObject && r.eqLogic.object_id === null)),
  );
}

export async function resolveEquipment(client: JeedomClient, input: string): Promise<ResolvedEquipment> {
  const address = parseEquipmentAddress(input);
  const [objects, eqLogics] = await Promise.all([client.objects(), client.eqLogics()]);
  const found = matchEquipments(objects, eqLogics, address);
  const wanted = `[${address.object}][${address.equipment}]`;
  if (found.length === 1) return found[0]!;
  if (found.length > 1) {
    const list = found.map((f) => `${f.humanName} (id ${f.eqLogic.id})`);
    throw new JeedomAmbiguousError(
      `equipment ${wanted} matches ${found.length} devices in Jeedom: ${list.join(', ')}; rename one in Jeedom`,
      list,
    );
  }
  const byId = new Map(objects.map((o) => [o.id, o]));
  const names = eqLogics.map((e) => humanEquipment(objectNameOf(byId, e), e));
  const s = closeMatches(wanted, names);
  throw new JeedomNotFoundError(`no equipment ${wanted} in Jeedom${suggestionText(s)}`, undefined, s);
}

/** Resolves `#[Objet][Équipement][Commande]#` or a numeric id to one command. */
export async function resolveCmd(client: JeedomClient, input: string | number): Promise<ResolvedCmd> {
  const address = parseCmdAddress(input);
  if ('id' in address) {
    const cmd = await client.cmdById(address.id);
    const eqLogic = await client.eqLogicById(cmd.eqLogic_id);
    const objects = await client.objects();
    const objectName = objectNameOf(new Map(objects.map((o) => [o.id, o])), eqLogic);
    return { cmd, eqLogic, objectName, humanName: humanCmd(objectName, eqLogic, cmd) };
  }
  const wanted = `#[${address.object}][${address.equipment}][${address.command}]#`;
  const [objects, eqLogics] = await Promise.all([client.objects(), client.eqLogics()]);
  const devices = matchEquipments(objects, eqLogics, address);
  if (devices.length === 0) {
    const byId = new Map(objects.map((o) => [o.id, o]));
    const s = closeMatches(
      `[${address.object}][${address.equipment}]`,
      eqLogics.map((e) => humanEquipment(objectNameOf(byId, e), e)),
    );
    throw new JeedomNotFoundError(
      `no equipment [${address.object}][${address.equipment}] in Jeedom for ${wanted}${suggestionText(s)}`,
      undefined,
      s,
    );
  }
  const withCmds = await Promise.all(devices.map(async (d) => ({ d, cmds: await client.cmdsByEqLogic(d.eqLogic.id) })));
  const exact: ResolvedCmd[] = [];
  const loose: ResolvedCmd[] = [];
  for (const { d, cmds } of withCmds) {
    for (const cmd of cmds) {
      const r = { ...d, cmd, humanName: humanCmd(d.objectName, d.eqLogic, cmd) };
      if (clean(cmd.name) === clean(address.command)) exact.push(r);
      else if (looseKey(cmd.name) === looseKey(address.command)) loose.push(r);
    }
  }
  const found = exact.length ? exact : loose;
  if (found.length === 1) return found[0]!;
  if (found.length > 1) {
    const list = found.map((f) => `${f.humanName} (id ${f.cmd.id})`);
    throw new JeedomAmbiguousError(`${wanted} matches ${found.length} commands: ${list.join(', ')}; use the numeric id instead`, list);
  }
  // Compare command names only: the object and device parts already matched.
  const all = withCmds.flatMap(({ d, cmds }) => cmds.map((c) => ({ name: c.name, human: humanCmd(d.objectName, d.eqLogic, c) })));
  const close = new Set(
    closeMatches(
      address.command,
      all.map((a) => a.name),
    ),
  );
  const s = all.filter((a) => close.has(a.name)).map((a) => a.human);
  throw new JeedomNotFoundError(`no command ${wanted} in Jeedom${suggestionText(s)}`, undefined, s);
}

/**
 * The calendar FILE source of Tempo colours (JEELINKY_TEMPO_FILE): a JSON object
 * `{"2023-09-01":"BLUE","2023-09-02":"WHITE",…}`, one entry per Tempo day (the date its 06:00 →
 * 06:00 starts on). Colours are read by parseColour (BLUE/BLEU/TEMPO_BLEU, 1/2/3…). A day not in
 * the file has no colour (reported as such, never guessed). The network sources live in
 * plugin/tempo/; this is only the offline file, read once per command.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { isDay } from '../time/local.js';
import { parseColour, type ColourOf, type TempoColour } from '../tempo/colours.js';

/** Reads the calendar file; a file that cannot be read or holds a bad entry is a ConfigError naming `name`. */
export function loadTempoCalendarFile(name: string, file: string): ColourOf {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${name}: cannot read the Tempo calendar file ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'tempo_file');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`${name}: ${file} is not JSON: write it as {"2023-09-01":"BLUE","2023-09-02":"WHITE",…}`, 'tempo_file');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(`${name}: ${file} must hold one JSON object {"YYYY-MM-DD":"BLUE"|"WHITE"|"RED",…}`, 'tempo_file');
  const colours = new Map<string, TempoColour>();
  for (const [day, raw] of Object.entries(json as Record<string, unknown>)) {
    const colour = parseColour(raw);
    if (!isDay(day) || !colour) throw new ConfigError(`${name}: ${file}: entry "${day}": ${JSON.stringify(raw)} is not a day and a colour (BLUE, WHITE or RED)`, 'tempo_file');
    colours.set(day, colour);
  }
  return (day) => colours.get(day);
}

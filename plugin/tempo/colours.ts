/**
 * Tempo's vocabulary, shared by the calendar sources (plugin/tempo/) and the split and costs
 * (plugin/tariff/tempo.ts). Pure: no I/O here.
 *
 * A Tempo day runs from 06:00 to 06:00 local time and is named by the date it starts on; its colour
 * is set by RTE. A season runs from 1 September to 31 August: 22 red days, 43 white days and the
 * rest blue (300, or 301 in a season holding a 29 February).
 */
export const TEMPO_COLOURS = ['BLUE', 'WHITE', 'RED'] as const;
export type TempoColour = (typeof TEMPO_COLOURS)[number];

/** Days of each colour a season holds (blue: every other day of the season). */
export const SEASON_QUOTA: Readonly<Record<'WHITE' | 'RED', number>> = { WHITE: 43, RED: 22 };

/** The colour of the Tempo day that starts at 06:00 on `day` (YYYY-MM-DD), or undefined when not known. */
export type ColourOf = (day: string) => TempoColour | undefined;

/** The season a Tempo day belongs to, named by its first year: "2023-2024" for 2023-09-01 … 2024-08-31. */
export function seasonOf(day: string): string {
  const year = Number(day.slice(0, 4));
  const month = Number(day.slice(5, 7));
  const first = month >= 9 ? year : year - 1;
  return `${first}-${first + 1}`;
}

/** First and last day (inclusive) of a season named as seasonOf names it. */
export function seasonBounds(season: string): { first: string; last: string } {
  const first = Number(season.slice(0, 4));
  return { first: `${first}-09-01`, last: `${first + 1}-08-31` };
}

/** Reads a colour as RTE and the community APIs write it (BLUE/BLEU/TEMPO_BLEU, 1/2/3…); undefined if unknown. */
export function parseColour(raw: unknown): TempoColour | undefined {
  if (raw === 1 || raw === '1') return 'BLUE';
  if (raw === 2 || raw === '2') return 'WHITE';
  if (raw === 3 || raw === '3') return 'RED';
  if (typeof raw !== 'string') return undefined;
  const v = raw
    .trim()
    .toUpperCase()
    .replace(/^TEMPO_/, '');
  if (v === 'BLUE' || v === 'BLEU') return 'BLUE';
  if (v === 'WHITE' || v === 'BLANC') return 'WHITE';
  if (v === 'RED' || v === 'ROUGE') return 'RED';
  return undefined;
}

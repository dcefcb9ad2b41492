/**
 * Which PDL (usage point) a command works on, decided in one place: the configured one
 * (--usage-point, JEELINKY_USAGE_POINT_ID, usagePoint in config.json), which must then be in the
 * consent when the consent names its PDLs; else the only PDL of the consent. Several and none are
 * errors; each caller may word them for its own flags (report says --pdl, stats masks the PDLs).
 */
import { ConfigError } from './errors.js';

export interface UsagePointWording {
  /** How a PDL is shown in the messages (default: in full). */
  show?: (pdl: string) => string;
  /** The error when the consent covers several PDLs and none is configured; gets the PDLs shown. */
  several?: (shown: string) => Error;
  /** The error when no PDL is configured nor named by the consent (or there is no consent). */
  unknown?: () => Error;
}

/** The PDL when it is decided (configured, or the only one of the consent); undefined otherwise. Never throws. */
export function chooseUsagePoint(configured: string | undefined, announced: readonly string[] | undefined): string | undefined {
  if (configured) return configured;
  return announced?.length === 1 ? announced[0] : undefined;
}

/** The PDL to use, or a ConfigError (exit 78) saying how to choose one. */
export function resolveUsagePoint(
  configured: string | undefined,
  announced: readonly string[] | undefined,
  wording: UsagePointWording = {},
): string {
  const points = announced ?? [];
  const show = wording.show ?? ((pdl: string) => pdl);
  if (configured) {
    if (points.length && !points.includes(configured)) {
      throw new ConfigError(
        `PDL ${show(configured)} (JEELINKY_USAGE_POINT_ID) is not in your consent, which covers ${points.map(show).join(', ')}: pick one of those or pair again`,
        'usage_point_not_in_consent',
      );
    }
    return configured;
  }
  if (points.length === 1) return points[0]!;
  if (points.length > 1) {
    const shown = points.map(show).join(', ');
    throw (
      wording.several?.(shown) ??
      new ConfigError(
        `your consent covers several PDLs (${shown}): choose one with JEELINKY_USAGE_POINT_ID or --usage-point`,
        'usage_point_ambiguous',
      )
    );
  }
  throw (
    wording.unknown?.() ??
    new ConfigError(
      'the proxy did not say which PDL your consent covers: set JEELINKY_USAGE_POINT_ID to your 14-digit PDL',
      'usage_point_unknown',
    )
  );
}

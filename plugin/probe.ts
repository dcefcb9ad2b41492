/**
 * The durability probe: the moments where a crash or a full disk matters, observable from outside.
 *
 * The library calls the probe at each such moment; by default it does nothing. A program that
 * wants to watch (or, like the fault suite in test/support/fault-hooks.mjs, kill the process or
 * make a write fail as on a full disk) installs its own with `setDurabilityProbe`. The probe runs
 * synchronously at that exact point: a throw from `beforeDurableWrite` is the write's failure.
 */
export interface DurabilityProbe {
  /** Just before a durable write of `key` (the state store's reserve file is `.reserve`); a throw fails the write. */
  beforeDurableWrite?(key: string): void;
  /** Just after the write of `key` reached the disk (atomic rename done). */
  afterDurableWrite?(key: string): void;
  /** An HTTP answer arrived from `service`, before anything is done with it. */
  afterHttpResponse?(service: 'enedis' | 'jeedom'): void;
  /** The state store deleted its reserve file to make room on a full disk. */
  spaceFreed?(): void;
}

let current: DurabilityProbe = {};

/** Installs `probe` for the whole process (replacing the previous one); no argument restores the no-op. */
export function setDurabilityProbe(probe: DurabilityProbe = {}): void {
  current = probe;
}

/** The calls the library makes; each is a no-op unless a probe is installed. */
export const durability = {
  beforeWrite: (key: string): void => current.beforeDurableWrite?.(key),
  afterWrite: (key: string): void => current.afterDurableWrite?.(key),
  afterHttpResponse: (service: 'enedis' | 'jeedom'): void => current.afterHttpResponse?.(service),
  spaceFreed: (): void => current.spaceFreed?.(),
};

/**
 * A tiny longest-match lexer generator, so that the PHP date scanner (timelib's re2c grammar
 * `parse_date.re`) can be ported rule for rule with re2c's exact semantics: at each position the
 * longest match over all rules wins, and among equally long matches the rule listed first wins.
 * JavaScript regular expressions cannot do that (alternation is leftmost-first), hence this.
 *
 * Patterns are built with combinators, compiled to one Thompson NFA, and run as a lazily built
 * DFA (state sets are cached), which keeps scanning fast for the benchmark. Input is a string of
 * byte values (latin1), like re2c's `unsigned char` input.
 */

export type Pattern =
  | { k: 'set'; test: Uint8Array }
  | { k: 'seq'; items: Pattern[] }
  | { k: 'alt'; items: Pattern[] }
  | { k: 'rep'; item: Pattern; min: number; max: number };

function setOf(pred: (c: number) => boolean): Pattern {
  const test = new Uint8Array(256);
  for (let c = 0; c < 256; c++) test[c] = pred(c) ? 1 : 0;
  return { k: 'set', test };
}

/** A character class in re2c's `[...]` syntax, without the brackets: `0-9`, ` \t.-`. */
export function cls(spec: string): Pattern {
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < spec.length; i++) {
    const a = spec.charCodeAt(i);
    if (spec[i + 1] === '-' && i + 2 < spec.length) {
      ranges.push([a, spec.charCodeAt(i + 2)]);
      i += 2;
    } else ranges.push([a, a]);
  }
  return setOf((c) => ranges.some(([lo, hi]) => c >= lo && c <= hi));
}

/** re2c `"..."`: case-sensitive literal. */
export function str(s: string): Pattern {
  return seq(...[...s].map((ch) => setOf((c) => c === ch.charCodeAt(0))));
}

/** re2c `'...'`: literal where ASCII letters match in either case. */
export function istr(s: string): Pattern {
  return seq(
    ...[...s].map((ch) => {
      // Only ASCII letters fold, as in re2c; bytes >= 0x80 must match exactly.
      const isLetter = /[A-Za-z]/.test(ch);
      const lo = (isLetter ? ch.toLowerCase() : ch).charCodeAt(0);
      const up = (isLetter ? ch.toUpperCase() : ch).charCodeAt(0);
      return setOf((c) => c === lo || c === up);
    }),
  );
}

export function seq(...items: Pattern[]): Pattern {
  return items.length === 1 ? items[0]! : { k: 'seq', items };
}
export function alt(...items: Pattern[]): Pattern {
  return items.length === 1 ? items[0]! : { k: 'alt', items };
}
export function opt(item: Pattern): Pattern {
  return { k: 'rep', item, min: 0, max: 1 };
}
export function star(item: Pattern): Pattern {
  return { k: 'rep', item, min: 0, max: Infinity };
}
export function plus(item: Pattern): Pattern {
  return { k: 'rep', item, min: 1, max: Infinity };
}
export function rep(item: Pattern, min: number, max: number): Pattern {
  return { k: 'rep', item, min, max };
}

interface NState {
  /** Byte test of the single outgoing consuming edge, if any. */
  test?: Uint8Array;
  next?: number;
  eps: number[];
  /** Rule index accepted in this state, -1 if none. */
  accept: number;
}

interface DState {
  states: number[];
  accept: number;
  trans: Array<DState | null | undefined>;
}

export class Lexer {
  private readonly nfa: NState[] = [];
  private readonly start: DState;
  private readonly cache = new Map<string, DState>();

  constructor(rules: Pattern[]) {
    const starts: number[] = [];
    rules.forEach((p, ruleIndex) => {
      const [s, e] = this.build(p);
      this.nfa[e]!.accept = ruleIndex;
      starts.push(s);
    });
    const root = this.newState();
    this.nfa[root]!.eps.push(...starts);
    this.start = this.dstate(this.closure([root]));
  }

  private newState(): number {
    this.nfa.push({ eps: [], accept: -1 });
    return this.nfa.length - 1;
  }

  /** Thompson construction: returns [start, end] of a fragment. */
  private build(p: Pattern): [number, number] {
    switch (p.k) {
      case 'set': {
        const s = this.newState();
        const e = this.newState();
        this.nfa[s]!.test = p.test;
        this.nfa[s]!.next = e;
        return [s, e];
      }
      case 'seq': {
        const s = this.newState();
        let cur = s;
        for (const item of p.items) {
          const [is, ie] = this.build(item);
          this.nfa[cur]!.eps.push(is);
          cur = ie;
        }
        return [s, cur];
      }
      case 'alt': {
        const s = this.newState();
        const e = this.newState();
        for (const item of p.items) {
          const [is, ie] = this.build(item);
          this.nfa[s]!.eps.push(is);
          this.nfa[ie]!.eps.push(e);
        }
        return [s, e];
      }
      case 'rep': {
        const s = this.newState();
        let cur = s;
        for (let i = 0; i < p.min; i++) {
          const [is, ie] = this.build(p.item);
          this.nfa[cur]!.eps.push(is);
          cur = ie;
        }
        const e = this.newState();
        if (p.max === Infinity) {
          const [is, ie] = this.build(p.item);
          this.nfa[cur]!.eps.push(is, e);
          this.nfa[ie]!.eps.push(is, e);
        } else {
          for (let i = p.min; i < p.max; i++) {
            const [is, ie] = this.build(p.item);
            this.nfa[cur]!.eps.push(e, is);
            cur = ie;
          }
          this.nfa[cur]!.eps.push(e);
        }
        return [s, e];
      }
    }
  }

  private closure(seed: number[]): number[] {
    const seen = new Set<number>(seed);
    const stack = [...seed];
    while (stack.length) {
      const n = stack.pop()!;
      for (const m of this.nfa[n]!.eps) {
        if (!seen.has(m)) {
          seen.add(m);
          stack.push(m);
        }
      }
    }
    return [...seen].sort((a, b) => a - b);
  }

  private dstate(states: number[]): DState {
    const key = states.join(',');
    let d = this.cache.get(key);
    if (!d) {
      let accept = -1;
      for (const n of states) {
        const a = this.nfa[n]!.accept;
        if (a >= 0 && (accept < 0 || a < accept)) accept = a;
      }
      d = { states, accept, trans: new Array(256) };
      this.cache.set(key, d);
    }
    return d;
  }

  private step(d: DState, c: number): DState | null {
    const cached = d.trans[c];
    if (cached !== undefined) return cached;
    const next: number[] = [];
    for (const n of d.states) {
      const st = this.nfa[n]!;
      if (st.test?.[c]) next.push(st.next!);
    }
    const result = next.length ? this.dstate(this.closure(next)) : null;
    d.trans[c] = result;
    return result;
  }

  /**
   * Longest match at `pos` over all rules; ties go to the rule listed first. Bytes past the end
   * of `input` read as NUL, like re2c's zero padding (some PHP patterns consume that NUL).
   */
  match(input: string, pos: number, padding: number): { rule: number; length: number } | null {
    let d: DState | null = this.start;
    let best: { rule: number; length: number } | null = null;
    const limit = input.length + padding;
    for (let i = pos; d && i < limit; i++) {
      d = this.step(d, i < input.length ? input.charCodeAt(i) & 0xff : 0);
      if (d && d.accept >= 0) best = { rule: d.accept, length: i + 1 - pos };
    }
    return best;
  }
}

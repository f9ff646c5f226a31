/** A tiny check recorder shared by the verify scripts: one line per check, a summary, an exit code. */
export class Checks {
  passed = 0;
  failed = 0;
  readonly failures: string[] = [];

  constructor(private readonly name: string) {}

  ok(cond: boolean, what: string, detail = ''): boolean {
    if (cond) this.passed++;
    else {
      this.failed++;
      this.failures.push(what);
    }
    console.log(`${cond ? '✓' : '✗'} ${what}${detail ? ` — ${detail}` : ''}`);
    return cond;
  }

  async step(what: string, fn: () => Promise<string | void>): Promise<void> {
    try {
      const detail = await fn();
      this.ok(true, what, detail ?? '');
    } catch (err) {
      this.ok(false, what, err instanceof Error ? err.message : String(err));
    }
  }

  summary(): number {
    console.log(`${this.name}: ${this.passed} passed, ${this.failed} failed`);
    return this.failed === 0 ? 0 : 1;
  }
}

export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

/**
 * Node prints process warnings on stderr, and a function's stderr is its log (on FC and on the
 * local host). An SDK that trips a deprecation we cannot fix (tablestore 5.x calls `Buffer()`:
 * DEP0005) would put that warning in every fresh instance's log; this drops exactly that code
 * and leaves every other warning alone.
 */
type EmitWarning = (warning: string | Error, ...rest: unknown[]) => void;

const muted = new Set<string>();

/** Stops warnings with this `code` (e.g. `DEP0005`) from being emitted by this process. */
export function muteWarning(code: string): void {
  if (muted.size === 0) {
    const emit = process.emitWarning as EmitWarning;
    // emitWarning(warning, type?, code?, ctor?) or emitWarning(warning, {type, code, detail})
    process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
      const [opts, second] = rest;
      const c =
        opts !== null && typeof opts === 'object'
          ? (opts as { code?: unknown }).code
          : warning instanceof Error
            ? (warning as Error & { code?: unknown }).code
            : second;
      if (typeof c === 'string' && muted.has(c)) return;
      emit.call(process, warning, ...rest);
    }) as typeof process.emitWarning;
  }
  muted.add(code);
}

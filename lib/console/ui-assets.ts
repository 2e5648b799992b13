/**
 * The console's browser assets. Run from source (tsx: tests, tools) they are compiled on first
 * use; in a function bundle, lib/build replaces this module with the compiled assets, so the
 * bundle carries their text and no compiler.
 */
import { compileConsoleUi, type UiAsset } from './ui-compile';

let compiled: UiAsset[] | undefined;

export function consoleAssets(): UiAsset[] {
  compiled ??= compileConsoleUi().assets;
  return compiled;
}

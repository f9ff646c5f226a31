import picomatch from 'picomatch/posix';
import type { HubModelFile } from '@sokhan/common';

/** Patterns typed one per line or separated by commas; blanks dropped. */
export function parsePatterns(text: string): string[] {
  return text
    .split(/[\n,\u060C]/)
    .map((p) => p.trim())
    .filter(Boolean);
}

/**
 * The files a download with these patterns will take: the same picomatch rules (dot files included) the server
 * applies, so the preview and the transfer agree. `exclude` wins over `include`; no `include` means every file.
 */
export function selectFiles(files: readonly HubModelFile[], include: string[], exclude: string[]): HubModelFile[] {
  const inc = include.length > 0 ? picomatch(include, { dot: true }) : () => true;
  const exc = exclude.length > 0 ? picomatch(exclude, { dot: true }) : () => false;
  return files.filter((f) => inc(f.path) && !exc(f.path));
}

/**
 * restic's --exclude-file / --iexclude-file lines: each line trimmed, empty lines and
 * lines starting with `#` skipped, and `$VAR` / `${VAR}` replaced by the environment's
 * value (Go's os.Expand, with `$$` for a literal dollar).
 */
export function patternFileLines(text: string, env: Readonly<Record<string, string | undefined>>): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    out.push(expandVariables(line, env));
  }
  return out;
}

const VARIABLE = /\$(?:\{([^}]*)\}|([*#$@!?\-0-9])|([A-Za-z0-9_]+))/g;

function expandVariables(line: string, env: Readonly<Record<string, string | undefined>>): string {
  return line.replace(VARIABLE, (_all, braced?: string, special?: string, plain?: string) => {
    const name = braced ?? special ?? plain ?? '';
    if (name === '$') return '$';
    return env[name] ?? '';
  });
}

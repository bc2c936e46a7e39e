/**
 * A small command-line parser: commands are word paths (`provider start`), options are
 * `--name value`, `--name=value` or boolean `--flag`. Unknown options and missing values are
 * usage errors (`UsageError`, exit code 2).
 */
export type OptionSpec = { type: "string" | "boolean"; description: string; required?: boolean; placeholder?: string };

export type Command = {
  /** Words after `hashwork`, e.g. ["provider", "start"]. */
  path: readonly string[];
  summary: string;
  options: Record<string, OptionSpec>;
  run(options: Record<string, string | boolean | undefined>): Promise<number>;
};

export class UsageError extends Error {
  override name = "UsageError";
}

export type ParsedArgs =
  | { kind: "help"; command: Command | undefined; prefix: string[] }
  | { kind: "run"; command: Command; options: Record<string, string | boolean | undefined> };

export function parseArgs(commands: readonly Command[], argv: readonly string[]): ParsedArgs {
  const words: string[] = [];
  let i = 0;
  for (; i < argv.length && !argv[i]!.startsWith("-"); i++) words.push(argv[i]!);
  const command = commands.find((c) => c.path.length === words.length && c.path.every((w, j) => w === words[j]));
  const rest = argv.slice(i);
  if (rest.includes("--help") || rest.includes("-h") || words.length === 0 || (words[0] === "help" && !command)) {
    return { kind: "help", command, prefix: words[0] === "help" ? words.slice(1) : words };
  }
  if (!command) {
    const known = commands.some((c) => c.path[0] === words[0]);
    throw new UsageError(`unknown command "${words.join(" ")}"${known ? "" : ""}; see hashwork --help`);
  }
  const options: Record<string, string | boolean | undefined> = {};
  for (let j = 0; j < rest.length; j++) {
    const arg = rest[j]!;
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument "${arg}"`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const spec = Object.hasOwn(command.options, name) ? command.options[name] : undefined;
    if (!spec) throw new UsageError(`unknown option --${name} for "${command.path.join(" ")}"`);
    if (spec.type === "boolean") {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
    } else {
      const value = inline ?? rest[++j];
      if (value === undefined || (inline === undefined && value.startsWith("--"))) throw new UsageError(`--${name} needs a value`);
      options[name] = value;
    }
  }
  for (const [name, spec] of Object.entries(command.options)) {
    if (spec.required && options[name] === undefined) throw new UsageError(`"${command.path.join(" ")}" needs --${name}`);
  }
  return { kind: "run", command, options };
}

export function helpText(commands: readonly Command[], command: Command | undefined, prefix: readonly string[] = []): string {
  if (command) {
    const lines = [`Usage: hashwork ${command.path.join(" ")} ${Object.entries(command.options)
      .map(([n, s]) => {
        const text = s.type === "boolean" ? `--${n}` : `--${n} ${s.placeholder ?? "VALUE"}`;
        return s.required ? text : `[${text}]`;
      })
      .join(" ")}`.trimEnd(), "", command.summary, ""];
    if (Object.keys(command.options).length > 0) lines.push("Options:");
    for (const [n, s] of Object.entries(command.options)) {
      lines.push(`  --${(s.type === "boolean" ? n : `${n} ${s.placeholder ?? "VALUE"}`).padEnd(22)} ${s.description}`);
    }
    return `${lines.join("\n")}\n`;
  }
  const listed = commands.filter((c) => prefix.every((w, j) => c.path[j] === w));
  const shown = listed.length > 0 ? listed : commands;
  return [
    "Usage: hashwork <command> [options]",
    "",
    "Commands:",
    ...shown.map((c) => `  ${c.path.join(" ").padEnd(24)} ${c.summary}`),
    "",
    "Run `hashwork <command> --help` for a command's options.",
    "",
  ].join("\n");
}

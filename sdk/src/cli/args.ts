/**
 * A small command-line parser: commands are word paths (`job status`), followed by positional
 * arguments (`ID`) and options `--name value`, `--name=value`, a short `-o value`, or a boolean
 * `--flag`, in any order. The longest command path that matches the leading words wins, so
 * `audit` and `audit provider ADDR` can both exist. Unknown options, missing values and
 * missing or extra arguments are usage errors (`UsageError`, exit code 2).
 */
export type OptionSpec = {
  type: "string" | "boolean";
  description: string;
  required?: boolean;
  placeholder?: string;
  /** A one-letter alias used as `-x`. */
  short?: string;
  /** May be given many times: the value is then a `string[]`, in order. */
  multiple?: boolean;
};

/** A positional argument after the command words. */
export type ArgumentSpec = { name: string; description: string; optional?: boolean };

export type OptionValues = Record<string, string | string[] | boolean | undefined>;

export type Command = {
  /** Words after `hashwork`, e.g. ["provider", "start"]. */
  path: readonly string[];
  summary: string;
  /** Positional arguments, in order (e.g. `[{ name: "ID", … }]`). */
  args?: readonly ArgumentSpec[];
  options: Record<string, OptionSpec>;
  /** Extra help text (examples, notes) printed after the options. */
  notes?: string;
  run(options: OptionValues, args: Record<string, string | undefined>): Promise<number>;
};

export class UsageError extends Error {
  override name = "UsageError";
}

export type ParsedArgs =
  | { kind: "help"; command: Command | undefined; prefix: string[] }
  | { kind: "run"; command: Command; options: OptionValues; args: Record<string, string | undefined> };

/** The command whose path is the longest prefix of `words`, and how many words it took. */
function matchCommand(commands: readonly Command[], words: readonly string[]): Command | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.length <= words.length && c.path.every((w, j) => w === words[j]) && (!best || c.path.length > best.path.length)) {
      best = c;
    }
  }
  return best;
}

export function parseArgs(commands: readonly Command[], argv: readonly string[]): ParsedArgs {
  const helpAsked = argv.includes("--help") || argv.includes("-h");
  // Command words: the leading words that are not options.
  const leading: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith("-")) break;
    leading.push(arg);
  }
  if (leading[0] === "help") return { kind: "help", command: matchCommand(commands, leading.slice(1)), prefix: leading.slice(1) };
  const command = matchCommand(commands, leading);
  const isGroup = (words: readonly string[]) =>
    words.length > 0 && commands.some((c) => c.path.length > words.length && words.every((w, j) => c.path[j] === w));
  if (helpAsked)
    return { kind: "help", command: isGroup(leading) && command?.path.length !== leading.length ? undefined : command, prefix: leading };
  if (leading.length === 0) return { kind: "help", command: undefined, prefix: [] };
  const unknown = () => {
    const group = leading.filter((_, j) => isGroup(leading.slice(0, j + 1)));
    return new UsageError(`unknown command "${leading.join(" ")}"; see hashwork ${group.length > 0 ? `${group.join(" ")} ` : ""}--help`);
  };
  if (!command) {
    // `hashwork job` alone lists the job commands.
    if (isGroup(leading)) return { kind: "help", command: undefined, prefix: leading };
    throw unknown();
  }
  if (command.path.length < leading.length && !command.args?.length && isGroup(command.path)) throw unknown();
  const name = command.path.join(" ");
  const rest = argv.slice(command.path.length);
  const options: OptionValues = {};
  const positionals: string[] = [];
  const shortNames = new Map(Object.entries(command.options).flatMap(([n, s]) => (s.short ? [[s.short, n] as const] : [])));
  for (let j = 0; j < rest.length; j++) {
    const arg = rest[j]!;
    if (arg === "--") {
      positionals.push(...rest.slice(j + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-" || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    let optionName: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      [optionName, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    } else {
      const long = shortNames.get(arg.slice(1, 2));
      if (!long) throw new UsageError(`unknown option ${arg} for "${name}"`);
      optionName = long;
      inline = arg.length > 2 ? arg.slice(2).replace(/^=/, "") : undefined;
    }
    const spec = Object.hasOwn(command.options, optionName) ? command.options[optionName] : undefined;
    // `--profile NAME` belongs to every command (main takes it out before parsing; ./profiles.ts).
    if (!spec && optionName === "profile") {
      if (inline === undefined) j++;
      continue;
    }
    if (!spec) throw new UsageError(`unknown option --${optionName} for "${name}"; see hashwork ${name} --help`);
    if (spec.type === "boolean") {
      if (inline !== undefined) throw new UsageError(`--${optionName} takes no value`);
      options[optionName] = true;
    } else {
      const value = inline ?? rest[++j];
      if (value === undefined || (inline === undefined && value.startsWith("--"))) throw new UsageError(`--${optionName} needs a value`);
      if (spec.multiple) options[optionName] = [...((options[optionName] as string[] | undefined) ?? []), value];
      else options[optionName] = value;
    }
  }
  for (const [optionName, spec] of Object.entries(command.options)) {
    if (spec.required && options[optionName] === undefined) throw new UsageError(`"${name}" needs --${optionName}`);
  }
  const specs = command.args ?? [];
  const args: Record<string, string | undefined> = {};
  specs.forEach((spec, j) => {
    const value = positionals[j];
    if (value === undefined && !spec.optional) throw new UsageError(`"${name}" needs ${spec.name}; see hashwork ${name} --help`);
    args[spec.name] = value;
  });
  if (positionals.length > specs.length) throw new UsageError(`unexpected argument "${positionals[specs.length]}" for "${name}"`);
  return { kind: "run", command, options, args };
}

function commandWords(c: Command): string {
  return [...c.path, ...(c.args ?? []).map((a) => (a.optional ? `[${a.name}]` : a.name))].join(" ");
}

function usageLine(command: Command): string {
  const args = (command.args ?? []).map((a) => (a.optional ? `[${a.name}]` : a.name));
  const options = Object.entries(command.options).map(([n, s]) => {
    const text = s.type === "boolean" ? `--${n}` : `--${n} ${s.placeholder ?? "VALUE"}${s.multiple ? "…" : ""}`;
    return s.required ? text : `[${text}]`;
  });
  return `Usage: hashwork ${[...command.path, ...args, ...options].join(" ")}`;
}

export function helpText(commands: readonly Command[], command: Command | undefined, prefix: readonly string[] = []): string {
  if (command) {
    const lines = [usageLine(command), "", command.summary, ""];
    if (command.args?.length) {
      lines.push("Arguments:");
      for (const a of command.args) lines.push(`  ${a.name.padEnd(24)} ${a.description}`);
      lines.push("");
    }
    if (Object.keys(command.options).length > 0) lines.push("Options:");
    for (const [n, s] of Object.entries(command.options)) {
      const flag = `${s.short ? `-${s.short}, ` : ""}--${s.type === "boolean" ? n : `${n} ${s.placeholder ?? "VALUE"}`}`;
      lines.push(`  ${flag.padEnd(24)} ${s.description}${s.required ? " (required)" : ""}`);
    }
    lines.push("  -h, --help               this help");
    const sub = commands.filter((c) => c.path.length > command.path.length && command.path.every((w, j) => c.path[j] === w));
    if (sub.length > 0) lines.push("", "Subcommands:", ...sub.map((c) => `  ${commandWords(c).padEnd(30)} ${c.summary}`));
    if (command.notes) lines.push("", command.notes.trimEnd());
    return `${lines.join("\n")}\n`;
  }
  const listed = commands.filter((c) => prefix.every((w, j) => c.path[j] === w));
  const shown = listed.length > 0 ? listed : commands;
  const title = listed.length > 0 && prefix.length > 0 ? `hashwork ${prefix.join(" ")}` : "hashwork";
  return [
    `Usage: ${title} <command> [arguments] [options]`,
    "",
    "Commands:",
    ...shown.map((c) => `  ${commandWords(c).padEnd(30)} ${c.summary}`),
    "",
    "Run `hashwork <command> --help` for a command's options; every command takes --profile NAME (see `hashwork init`).",
    "Exit codes: 0 ok, 1 failed, 2 bad usage.",
    "",
  ].join("\n");
}

import type { CommandRunner } from 'nest-commander';
import { quoted } from '../common/invalid-input.error';
import { CliInputError } from './cli-error';

/** The value of an option the command cannot do without. */
export function requiredOption(value: string | undefined, flags: string): string {
  if (value === undefined) throw new CliInputError(`${flags} is required`);
  return value;
}

/** commander checks `<required>` arguments; this also refuses an empty one (`""`). */
export function requiredArgument(value: string | undefined, what: string): string {
  if (value === undefined || value.trim() === '') throw new CliInputError(`${what} is required`);
  return value;
}

/** A comma-separated option: `a, b,` is `['a', 'b']`, and `""` is no item at all. */
export function listOption(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * Commander ignores extra arguments by default; an operator who typed two key ids must not
 * see only the first one acted on.
 */
export function noExtraArguments(args: readonly string[], expected: number): void {
  if (args.length > expected) throw new CliInputError(`unexpected argument ${quoted(args[expected])}`);
}

/** commander's Command, named through nest-commander: commander is only its dependency. */
type CommanderCommand = Parameters<CommandRunner['setCommand']>[0];

/**
 * What a command group (`keys`, `orgs`…) does when run without one of its subcommands: its
 * help, or an error for a word that is no subcommand (commander hands those to the group).
 */
export function commandGroupHelp(group: CommanderCommand, args: readonly string[]): never {
  if (args.length > 0) throw new CliInputError(`unknown command ${quoted(`${group.name()} ${args[0]}`)}`);
  group.help();
}
/** A whole-number option as typed: `24`, not `24h`, `-1` or `1e3`. Its range is the service's to check. */
export function wholeNumber(value: string, flags: string): number {
  if (!/^\d{1,9}$/.test(value.trim())) throw new CliInputError(`${flags} must be a whole number, got ${quoted(value)}`);
  return Number(value.trim());
}

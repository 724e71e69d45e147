/**
 * Where commands print: standard output for their results, standard error for a failure's one
 * line and commander's usage errors. The process's own streams, or a test's capture (runCli).
 */
export class CliOutput {
  constructor(
    readonly stdout: (text: string) => void,
    readonly stderr: (text: string) => void,
  ) {}

  static ofProcess(): CliOutput {
    return new CliOutput(
      (text) => process.stdout.write(text),
      (text) => process.stderr.write(text),
    );
  }

  /** One line of a command's result. */
  line(text: string): void {
    this.stdout(`${text}\n`);
  }
}

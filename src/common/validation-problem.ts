import { validateSync } from 'class-validator';

/** What is wrong with an input: the path to the field at fault, and class-validator's message. */
export interface ValidationProblem {
  path: string[];
  problem: string;
}

/**
 * The first problem of an input built by class-transformer (`plainToInstance`), validated
 * strictly: every decorated rule, and no field the class does not declare. Null when valid.
 */
export function firstValidationProblem(input: object): ValidationProblem | null {
  const [error] = validateSync(input, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (!error) return null;
  // The first failing leaf of the error tree.
  const path: string[] = [];
  let node = error;
  for (;;) {
    path.push(node.property);
    if (node.constraints || !node.children?.length) break;
    node = node.children[0];
  }
  return { path, problem: Object.values(node.constraints ?? {})[0] ?? 'is invalid' };
}

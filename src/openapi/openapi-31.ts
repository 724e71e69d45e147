import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * `@nestjs/swagger` writes OpenAPI 3.0's `nullable: true`; OpenAPI 3.1 (JSON Schema 2020-12)
 * spells it as a `null` type. Rewrites every schema of the document in place.
 */
export function useOpenApi31Nullability(document: OpenAPIObject): void {
  visitObjects(document, (node) => {
    if (node.nullable !== true) return;
    delete node.nullable;
    if (typeof node.type === 'string') {
      node.type = [node.type, 'null'];
    } else {
      // A reference (`allOf: [{ $ref }]`) or composition: "that, or null".
      const schema = { ...node };
      for (const key of Object.keys(node)) if (key !== 'description') delete node[key];
      node.oneOf = [stripDescription(schema), { type: 'null' }];
    }
  });
}

function stripDescription(schema: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...schema };
  delete copy.description;
  return copy;
}

function visitObjects(value: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item) => visitObjects(item, visit));
  } else if (typeof value === 'object' && value !== null) {
    const node = value as Record<string, unknown>;
    visit(node);
    Object.values(node).forEach((child) => visitObjects(child, visit));
  }
}

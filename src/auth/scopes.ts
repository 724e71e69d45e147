/** Every scope an API key can carry. Routes require some of them (see `partner-routes.ts`). */
export const SCOPES = ['encounters:read', 'patients:read', 'documents:read', 'recordings:read'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

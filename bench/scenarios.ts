import type { Log } from './clock';
import type { DataInfo } from './database';
import { httpGetJson, type ManagedProcess } from './processes';

export interface Scenario {
  id: string;
  title: string;
  /** Cycled through by every connection's requests. */
  paths: string[];
}

export function buildScenarios(data: DataInfo): Scenario[] {
  const list = '/external/v1/encounters';
  // 20 one-week windows of 2025 (Monday to Monday, two weeks apart), cycled through.
  const weeks = Array.from({ length: 20 }, (_, k) => {
    const start = new Date(Date.UTC(2025, 0, 6 + 14 * k));
    const end = new Date(start.getTime() + 7 * 86_400_000);
    return `${list}?start_at=${start.toISOString().replace('.000Z', 'Z')}&end_at=${end.toISOString().replace('.000Z', 'Z')}`;
  });
  return [
    { id: 'list', title: 'List, default page (largest organization)', paths: [list] },
    { id: 'list_window', title: 'List, one-week window of 2025', paths: weeks },
    { id: 'list_offset_10000', title: 'List at offset=10000 (largest organization)', paths: [`${list}?offset=10000`] },
    { id: 'detail', title: 'Encounter detail', paths: data.encounterIds.map((id) => `${list}/${id}`) },
    { id: 'document', title: 'Document fetch (notes and transcripts)', paths: data.documents.map((d) => `${list}/${d.encounterId}/documents/${d.documentId}`) },
  ];
}

/** Both servers must give the same status and the same JSON for the same request. */
export async function compareResponses(service: ManagedProcess, baseline: ManagedProcess, token: string, scenarios: Scenario[], log: Log): Promise<void> {
  const headers = { authorization: `Bearer ${token}` };
  for (const scenario of scenarios) {
    for (const urlPath of scenario.paths.slice(0, 3)) {
      const [ours, theirs] = await Promise.all([httpGetJson(service.port, urlPath, headers), httpGetJson(baseline.port, urlPath, headers)]);
      if (ours.status !== 200 || theirs.status !== 200) {
        throw new Error(`GET ${urlPath}: service ${ours.status} ${ours.body.slice(0, 300)}; baseline ${theirs.status} ${theirs.body.slice(0, 300)}`);
      }
      if (JSON.stringify(JSON.parse(ours.body)) !== JSON.stringify(JSON.parse(theirs.body))) {
        throw new Error(`GET ${urlPath}: the service and the baseline answer different JSON:\n${ours.body.slice(0, 500)}\n${theirs.body.slice(0, 500)}`);
      }
    }
  }
  log('service and baseline answer the same JSON for every scenario');
}

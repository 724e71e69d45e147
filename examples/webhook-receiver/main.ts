/**
 * Receives ChartHero webhooks and fetches each ready transcript with the typed client:
 *
 *   CHARTHERO_WEBHOOK_SECRET=whsec_… CHARTHERO_API_URL=http://localhost:3000 \
 *   CHARTHERO_API_KEY=ch_sk_… PORT=4000 npx ts-node examples/webhook-receiver/main.ts
 *
 * During a secret rotation, give both secrets comma-separated, the new one first.
 */
import { PartnerClient } from '../partner-sync/partner-client';
import { createWebhookReceiver } from './receiver';

const secrets = (process.env.CHARTHERO_WEBHOOK_SECRET ?? '').split(',').filter((secret) => secret !== '');
const apiKey = process.env.CHARTHERO_API_KEY;
if (secrets.length === 0 || !apiKey) {
  console.error('Set CHARTHERO_WEBHOOK_SECRET (whsec_…) and CHARTHERO_API_KEY (ch_sk_…).');
  process.exit(2);
}
const client = new PartnerClient({ baseUrl: process.env.CHARTHERO_API_URL ?? 'http://localhost:3000', apiKey });
const port = Number(process.env.PORT ?? 4000);

createWebhookReceiver({
  secrets,
  onEvent: async (event) => {
    const { encounter_id: encounterId, document_id: documentId } = event.resources;
    const transcript = await client.getTranscript(encounterId, documentId);
    console.log(`${event.id}: transcript of ${encounterId}/${documentId} ready, ${transcript.transcript.turns.length} turn(s) from ${transcript.transcript.provider}`);
  },
}).listen(port, () => console.log(`Receiving ChartHero webhooks on http://localhost:${port}/`));

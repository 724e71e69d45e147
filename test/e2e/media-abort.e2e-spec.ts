/**
 * A client that goes away during a recording's download: the access line says the status that
 * was decided (206 for a range) and that the client aborted, also when it left before the first
 * byte, while the fetch's audit record was being written.
 */
import { type CallHandler, type ExecutionContext, Injectable, Module, type NestInterceptor } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { request as httpRequest, type ClientRequest } from 'node:http';
import type pino from 'pino';
import { finalize, type Observable } from 'rxjs';
import { PhiAccessLog } from '../../src/audit/phi-access-log';
import { ROOT_LOGGER } from '../../src/logging/logging.module';
import type { IdentifiedRequest } from '../../src/common/response-headers.middleware';
import { CapturingLogger } from '../support/capturing-logger';
import { apiKey, bearer, encounter, organization, patient, transcriptDocument } from '../support/fixtures';
import { pollUntil } from '../support/real-time';
import { recordingFiles, type RecordingFiles } from '../support/recordings';
import { startTestApp, type TestApp } from '../support/test-app';

const TOKEN = 'ch_sk_abort_full_access';

/** The request ids whose handler has settled (returned or thrown): after that, nothing more of theirs is logged. */
const settledHandlers = new Set<string>();

@Injectable()
class HandlerSettledInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const { requestId } = context.switchToHttp().getRequest<IdentifiedRequest>();
    return next.handle().pipe(finalize(() => settledHandlers.add(requestId)));
  }
}

@Module({ providers: [{ provide: APP_INTERCEPTOR, useClass: HandlerSettledInterceptor }] })
class HandlerSettledModule {}
const SIZE = 8 * 1024 * 1024;

describe('a client that aborts a media download', () => {
  let t: TestApp;
  let files: RecordingFiles;
  let mediaUrl: URL;
  /** What the root logger was given: access lines and anything else. */
  const logged: { level: string; line: Record<string, unknown> }[] = [];
  const accessLineOf = (requestId: string) => logged.find(({ line }) => line.request_id === requestId);
  /** What the service's Nest loggers were given (ErrorBodyFilter's lines among them). */
  const events = new CapturingLogger();

  beforeAll(async () => {
    files = await recordingFiles();
    const { path } = await files.write('long.wav', SIZE);
    t = await startTestApp({ env: { LOG_LEVEL: 'debug' }, logger: events, modules: [HandlerSettledModule] });
    const root = t.app.get<pino.Logger>(ROOT_LOGGER);
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      jest.spyOn(root, level).mockImplementation((line: unknown) => {
        if (typeof line === 'object' && line !== null) logged.push({ level, line: line as Record<string, unknown> });
      });
    }
    await t.load({
      organizations: [organization('org_abort')],
      api_keys: [apiKey('key_abort', 'org_abort', TOKEN)],
      patients: [patient('pat_abort', 'org_abort')],
      encounters: [encounter('enc_abort', 'org_abort', 'pat_abort', '2026-05-25T14:00:00Z')],
      documents: [transcriptDocument('doc_abort', 'enc_abort', { recording: { file: path, content_type: 'audio/wav' } })],
    });
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as { port: number };
    const response = await t.http().get('/external/v1/encounters/enc_abort/documents/doc_abort/audio').set('Authorization', bearer(TOKEN));
    mediaUrl = new URL(response.body.audio_url);
    mediaUrl.host = `127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await t.close();
    await files.remove();
  });

  /** Sends a ranged GET of the recording; the caller destroys it when it likes. */
  function fetchRange(requestId: string, onResponse: (request: ClientRequest) => void = () => undefined): ClientRequest {
    const request = httpRequest(mediaUrl, { headers: { Range: 'bytes=0-', 'X-Request-Id': requestId } }, () => onResponse(request));
    request.on('error', () => undefined);
    request.end();
    return request;
  }

  it('in the middle of the bytes: the access line says 206, and aborted', async () => {
    fetchRange('rq-abort-middle', (request) => request.destroy());
    const { level, line } = await pollUntil(
      () => accessLineOf('rq-abort-middle'),
      (found) => found !== undefined,
    ).then((found) => found!);
    expect({ level, status: line.status, aborted: line.aborted }).toEqual({ level: 'info', status: 206, aborted: true });
  });

  it('before the first byte, while the audit record is written: the same, and the handler then stops without an error', async () => {
    const audit = t.app.get(PhiAccessLog);
    const append = audit.append.bind(audit);
    let entered!: () => void;
    const inAudit = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const written = jest.spyOn(audit, 'append').mockImplementationOnce(async (record) => {
      entered();
      await held;
      return append(record);
    });
    const request = fetchRange('rq-abort-early');
    await inAudit;
    request.destroy();
    // The server has seen the client go: the connection's close wrote the access line.
    await pollUntil(
      () => accessLineOf('rq-abort-early'),
      (found) => found !== undefined,
    );
    release();
    await written.mock.results[0].value;
    const { level, line } = accessLineOf('rq-abort-early')!;
    expect({ level, status: line.status, aborted: line.aborted }).toEqual({ level: 'info', status: 206, aborted: true });
    // The handler goes on once the record is written: it finds the client gone and sends nothing.
    await pollUntil(
      () => settledHandlers.has('rq-abort-early'),
      (settled) => settled,
    );
    // An exception filter runs in the turn the handler settles in.
    await new Promise((resolve) => setImmediate(resolve));
    expect(events.lines.filter((event) => /Unexpected error|rq-abort-early/.test(event))).toEqual([]);
  });
});

import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { PhiAccessLog } from '../audit/phi-access-log';
import { MEDIA_FETCH_ROUTE } from '../audit/phi-access-record';
import { phiAccessRecordOf } from '../audit/phi-access-request';
import { ApiError } from '../common/api-error';
import { rawQueryOf } from '../common/query/parse-query';
import type { IdentifiedRequest } from '../common/response-headers.middleware';
import { MediaAccessService, type MediaAccess } from './media-access.service';
import { MEDIA_ROUTE } from './media-url-signer';
import { sendRecording } from './send-recording';

/**
 * Media URLs of the local store (docs/api.md "Audio URLs"): `GET` and `HEAD`, no API key — the
 * signed URL is the credential. Not a partner route, so not in the OpenAPI description: its
 * URLs are only ever obtained from the audio route.
 *
 * Every fetch of a URL that is still honoured is a disclosure, audited like a partner route
 * (route `media.fetch`): the recording's bytes leave only once the record is committed. A
 * URL that is not honoured (`media_url_invalid`, `media_url_expired`) discloses nothing and is
 * logged and counted like a failed authentication.
 */
@ApiExcludeController()
@Controller(MEDIA_ROUTE)
export class MediaController {
  constructor(
    private readonly access: MediaAccessService,
    private readonly audit: PhiAccessLog,
  ) {}

  /** Express answers HEAD with the GET route; `sendRecording` then writes no body. */
  @Get(':recording_id')
  async serve(@Param('recording_id') recordingId: string, @Req() request: IdentifiedRequest, @Res() response: Response): Promise<void> {
    const access = await this.access.authorize(recordingId, rawQueryOf(request.originalUrl));
    await sendRecording(request, response, access.path, access.recording, (status) => this.record(request, access, status));
  }

  private async record(request: IdentifiedRequest, { caller, recording }: MediaAccess, status: number): Promise<void> {
    const disclosed =
      status < 300 ? [{ encounter_id: recording.encounterId, patient_id: recording.patientId, document_ids: [recording.documentId], recording_id: recording.recordingId }] : [];
    const reasonCode = status === 416 ? 'range_not_satisfiable' : null;
    try {
      await this.audit.append(phiAccessRecordOf(request, caller, { routeId: MEDIA_FETCH_ROUTE, status, reasonCode, disclosed }));
    } catch {
      // Logged and counted by PhiAccessLog.
      throw new ApiError('service_unavailable');
    }
  }
}

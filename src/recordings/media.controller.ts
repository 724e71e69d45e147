import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { PhiAccessLog } from '../audit/phi-access-log';
import { MEDIA_FETCH_ROUTE } from '../audit/phi-access-record';
import { phiAccessRecordOf } from '../audit/phi-access-request';
import { ApiError } from '../common/api-error';
import { ApiErrorResponses } from '../common/openapi/api-error-responses.decorator';
import { rawQueryOf } from '../common/query/parse-query';
import type { IdentifiedRequest } from '../common/response-headers.middleware';
import { MediaAccessService, type MediaAccess } from './media-access.service';
import { MEDIA_ROUTE } from './media-url-signer';
import { sendRecording } from './send-recording';

/** The headers of a recording's bytes, whole (200) or a range (206). */
const RECORDING_HEADERS = {
  'Content-Type': { required: true, description: "The recording's audio media type.", schema: { type: 'string' } },
  'Content-Length': { required: true, description: 'Bytes in this response.', schema: { type: 'integer' } },
  'Content-Disposition': { required: true, description: 'inline; filename="<document_id>.<ext>"', schema: { type: 'string' } },
  'Accept-Ranges': { required: true, description: 'Ranges of bytes may be asked for.', schema: { type: 'string', enum: ['bytes'] } },
};
const AUDIO = { 'audio/*': { schema: { type: 'string', contentMediaType: 'audio/*' } } };

/**
 * Media URLs of the local store (docs/api.md "Audio URLs"): `GET` and `HEAD`, no API key — the
 * signed URL is the credential. In the OpenAPI description for the clients that fetch it, but
 * not a partner route: its URLs are only ever obtained from the audio route.
 *
 * Every fetch of a URL that is still honoured is a disclosure, audited like a partner route
 * (route `media.fetch`): the recording's bytes leave only once the record is committed. A
 * URL that is not honoured (`media_url_invalid`, `media_url_expired`) discloses nothing and is
 * logged and counted like a failed authentication.
 */
@ApiTags('Recordings')
@Controller(MEDIA_ROUTE)
export class MediaController {
  constructor(
    private readonly access: MediaAccessService,
    private readonly audit: PhiAccessLog,
  ) {}

  /** Express answers HEAD with the GET route; `sendRecording` then writes no body. */
  @Get(':recording_id')
  @ApiOperation({
    operationId: MEDIA_FETCH_ROUTE,
    summary: 'Fetch a recording through a signed media URL',
    description:
      'The URL is the credential: use it exactly as the audio route (`documents.audio`) gave it, before `expires_at`, and send no API key. ' +
      'Its query parameters are opaque. Each fetch is recorded in the PHI access audit.',
    security: [],
  })
  @ApiParam({ name: 'recording_id', description: 'The recording, as named in the URL the audio route gave.', example: 'rec_4Jk9' })
  @ApiQuery({ name: 'expires', required: true, description: 'Part of the signed URL.', schema: { type: 'string' } })
  @ApiQuery({ name: 'key', required: true, description: 'Part of the signed URL.', schema: { type: 'string' } })
  @ApiQuery({ name: 'signature', required: true, description: 'Part of the signed URL.', schema: { type: 'string' } })
  @ApiHeader({ name: 'Range', required: false, description: 'One range of bytes (`bytes=0-1023`, `bytes=1024-`, `bytes=-1024`); any other is ignored.' })
  @ApiResponse({ status: 200, description: 'The whole recording.', content: AUDIO, headers: RECORDING_HEADERS })
  @ApiResponse({
    status: 206,
    description: 'The range asked for.',
    content: AUDIO,
    headers: { ...RECORDING_HEADERS, 'Content-Range': { required: true, description: 'bytes <first>-<last>/<size>', schema: { type: 'string' } } },
  })
  @ApiErrorResponses(['media_url_invalid', 'media_url_expired', 'range_not_satisfiable', 'service_unavailable', 'internal_error'])
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

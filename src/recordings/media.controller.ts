import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { rawQueryOf } from '../common/query/parse-query';
import { MediaAccessService } from './media-access.service';
import { MEDIA_ROUTE } from './media-url-signer';
import { sendRecording } from './send-recording';

/**
 * Media URLs of the local store (docs/api.md "Audio"): `GET` and `HEAD`, no API key — the
 * signed URL is the credential. Not a partner route, so not in the OpenAPI description: its
 * URLs are only ever obtained from the audio route.
 */
@ApiExcludeController()
@Controller(MEDIA_ROUTE)
export class MediaController {
  constructor(private readonly access: MediaAccessService) {}

  /** Express answers HEAD with the GET route; `sendRecording` then writes no body. */
  @Get(':recording_id')
  async serve(@Param('recording_id') recordingId: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const { recording, path } = await this.access.authorize(recordingId, rawQueryOf(request.originalUrl));
    await sendRecording(request, response, path, recording);
  }
}

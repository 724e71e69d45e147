import { Injectable } from '@nestjs/common';
import { ApiKeyAuthenticator } from '../auth/api-key-authenticator.service';
import type { Caller } from '../auth/caller';
import { ApiError } from '../common/api-error';
import { Clock } from '../common/clock';
import { PartnerAccessService } from '../partner/partner-access.service';
import { PARTNER_ROUTES } from '../partner/partner-routes';
import { LocalRecordingStore } from './local-recording-store';
import { MediaUrlSigner } from './media-url-signer';
import { RecordingStore } from './recording-store';
import { RecordingsService, type ServedRecording } from './recordings.service';

const AUDIO_ROUTE = 'documents.audio';

/** A media fetch allowed: the key it was issued to, the recording, and the file the local store keeps it in. */
export interface MediaAccess {
  caller: Caller;
  recording: ServedRecording;
  path: string;
}

/**
 * Who may fetch a media URL: anyone holding one that this service signed, that has not
 * expired, and whose key could still ask the audio route for it now. The key and allowlist are
 * read through the same caches as a partner request (a change elsewhere is seen within a
 * second), so a revoked or disabled key, or an organization that lost `documents.audio`,
 * stops its URLs within the contract's 2 s.
 */
@Injectable()
export class MediaAccessService {
  constructor(
    private readonly signer: MediaUrlSigner,
    private readonly store: RecordingStore,
    private readonly keys: ApiKeyAuthenticator,
    private readonly partnerAccess: PartnerAccessService,
    private readonly recordings: RecordingsService,
    private readonly clock: Clock,
  ) {}

  /**
   * @throws ApiError `media_url_invalid` (not a URL we signed, or no longer honoured) or
   *   `media_url_expired`.
   */
  async authorize(recordingId: string, query: URLSearchParams): Promise<MediaAccess> {
    const grant = this.signer.verify(recordingId, query, this.clock.now());
    // Only the local store's recordings are served here; S3 serves its own.
    if (!(this.store instanceof LocalRecordingStore)) throw new ApiError('media_url_invalid');

    const caller = await this.keys.callerOfKey(grant.keyId);
    const required = PARTNER_ROUTES[AUDIO_ROUTE].scopes;
    if (!caller || caller.scopeType !== 'organization' || !required.every((scope) => caller.scopes.includes(scope))) {
      throw new ApiError('media_url_invalid');
    }
    const enabledRoutes = await this.partnerAccess.enabledRoutesOf(caller.organizationId);
    if (!enabledRoutes?.includes(AUDIO_ROUTE)) throw new ApiError('media_url_invalid');

    // The recording may have been replaced, or its encounter moved out of the key's sight.
    const recording = await this.recordings.findServed(grant.recordingId);
    if (!recording || recording.organizationId !== caller.organizationId || !recording.listed) throw new ApiError('media_url_invalid');
    return { caller, recording, path: this.store.pathOf(recording.recordingId) };
  }
}

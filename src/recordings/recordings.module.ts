import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { EncountersModule } from '../encounters/encounters.module';
import { PartnerModule } from '../partner/partner.module';
import { AudioController } from './audio.controller';
import { AudioService } from './audio.service';
import { RecordingEntity } from './entities/recording.entity';
import { LocalRecordingStore } from './local-recording-store';
import { MediaAccessService } from './media-access.service';
import { MediaUrlSigner } from './media-url-signer';
import { MediaController } from './media.controller';
import { RecordingStore } from './recording-store';
import { RecordingsService } from './recordings.service';

/**
 * Recordings of ambient transcripts: where their bytes are kept (`RECORDINGS_STORE`), the audio
 * route that hands out short-lived URLs to them, and the media URLs of the local store.
 */
@Module({
  // The audio route checks documents as the document routes do (EncountersModule), behind
  // the partner guards (PartnerModule).
  imports: [TypeOrmModule.forFeature([RecordingEntity]), EncountersModule, PartnerModule],
  controllers: [AudioController, MediaController],
  providers: [
    MediaUrlSigner,
    {
      provide: RecordingStore,
      inject: [AppConfig, MediaUrlSigner],
      useFactory: async (config: AppConfig, signer: MediaUrlSigner): Promise<RecordingStore> => {
        const store = config.recordings.store;
        if (store.kind === 'local') return new LocalRecordingStore(config, store.dir, signer);
        // Loaded only when configured: the AWS SDK adds about 0.3 s to every start (server, CLI, test).
        const { S3RecordingStore } = await import('./s3-recording-store');
        return new S3RecordingStore(store);
      },
    },
    RecordingsService,
    AudioService,
    MediaAccessService,
  ],
  // For the fixture loader and the operator CLI.
  exports: [RecordingsService],
})
export class RecordingsModule {}

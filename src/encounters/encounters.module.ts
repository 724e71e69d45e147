import { Module } from '@nestjs/common';
import { PartnerModule } from '../partner/partner.module';
import { DocumentsController } from './documents.controller';
import { DocumentsService } from './documents.service';
import { EncounterRepository } from './encounter.repository';
import { EncountersController } from './encounters.controller';
import { EncountersService } from './encounters.service';
import { ListedEncounterCountsRepository } from './listed-encounter-counts.repository';
import { TranscriptsService } from './transcripts.service';

/** The partner routes over encounters and their documents. */
@Module({
  imports: [PartnerModule],
  controllers: [EncountersController, DocumentsController],
  providers: [EncounterRepository, EncountersService, DocumentsService, ListedEncounterCountsRepository, TranscriptsService],
  // The audio route checks documents as the document routes do; the operator CLI recounts and writes transcripts.
  exports: [DocumentsService, ListedEncounterCountsRepository, TranscriptsService],
})
export class EncountersModule {}

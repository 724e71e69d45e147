import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ERROR_CATEGORIES, type ErrorCategory, NOT_READY_REASONS, type NotReadyReason, REASON_CODES, type ReasonCode } from './reason-codes';

/** The public error body of every error response (docs/api.md "Errors"). */
@ApiSchema({ name: 'ErrorBody' })
export class ErrorBodyDto {
  @ApiProperty({ enum: ERROR_CATEGORIES, description: 'Coarse category, derived from the HTTP status.' })
  error: ErrorCategory;

  @ApiProperty({ enum: Object.keys(REASON_CODES), description: 'What clients branch on.' })
  reason_code: ReasonCode;

  @ApiProperty({ description: 'For people; may change.' })
  message: string;

  @ApiProperty({ type: 'string', nullable: true, description: 'The query parameter at fault (for unsupported_filter, the first unsupported key), or null.' })
  field: string | null;

  @ApiProperty({ description: 'Same value as the X-Request-Id response header.' })
  request_id: string;

  @ApiPropertyOptional({ type: [String], description: 'Only with missing_scope: the scopes the key lacks, sorted.' })
  missing_scopes?: readonly string[];

  @ApiPropertyOptional({ enum: NOT_READY_REASONS, description: 'Only on the readiness probes (503 service_unavailable): why this instance is not ready.' })
  not_ready?: NotReadyReason;
}

import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** `GET …/documents/{document_id}/audio`. */
@ApiSchema({ name: 'AudioUrl' })
export class AudioUrlDto {
  @ApiProperty({
    format: 'uri',
    description:
      'A short-lived URL to the recording, fetched without an Authorization header. A temporary access artifact: ' +
      'never store it as an identifier, never log it where others can read it, never use it after `expires_at`.',
    example:
      'https://api.charthero.example/media/v1/recordings/rec_3nQmY0x7b2cVd9LkPq1sT4uW?expires=1779722100&key=Xk2T9fQ0bL7mN4pR8sV1wY3zA6cE5gH0jK&signature=q7Vd2mE9xR4tY1uI8oP3aS6dF0gH5jK2lZ7cX4vB9nM',
  })
  audio_url: string;

  @ApiProperty({ format: 'date-time', description: 'When the URL stops working: `AUDIO_URL_TTL_SECONDS` after it was issued, in whole seconds.', example: '2026-05-25T15:15:00Z' })
  expires_at: string;
}

import { applyDecorators } from '@nestjs/common';
import { ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { CLIENT_ERROR_CODES } from '../client-error';
import { ErrorBodyDto } from '../error-body.dto';
import { errorCategoryOf, REASON_CODES, type ReasonCode } from '../reason-codes';

/**
 * Documents the error responses a handler can give: one response per HTTP status, whose
 * `reason_code` is the enum of exactly the given codes with that status, and those of a
 * request the server refuses before any route (CLIENT_ERROR_CODES), which any operation may get.
 */
export function ApiErrorResponses(codes: readonly ReasonCode[]): MethodDecorator {
  const byStatus = new Map<number, ReasonCode[]>();
  for (const code of new Set([...codes, ...CLIENT_ERROR_CODES])) {
    const status = REASON_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ...[...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, statusCodes]) =>
        ApiResponse({
          status,
          description: statusCodes.map((code) => `\`${code}\`: ${REASON_CODES[code].message}`).join('\n\n'),
          schema: {
            allOf: [
              { $ref: getSchemaPath(ErrorBodyDto) },
              {
                type: 'object',
                properties: { error: { type: 'string', enum: [errorCategoryOf(status)] }, reason_code: { type: 'string', enum: statusCodes } },
              },
            ],
          },
        }),
      ),
  );
}

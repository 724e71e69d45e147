import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { ApiErrorResponses } from '../common/openapi/api-error-responses.decorator';
import { ApiError } from '../common/api-error';
import { DatabaseReadiness, notReadyReasonOf } from './database-readiness';

/** `{ "status": "ok" }`, and terminus' details beside it. */
const okSchema = () => ({ type: 'object' as const, properties: { status: { type: 'string' as const, enum: ['ok'] } }, required: ['status'] });
const READY = 'The database answers and has every migration this version needs.';

/**
 * Probes for load balancers and orchestrators; they need no key. Documented here rather than
 * by terminus: a failed check is answered with the public error body (503 service_unavailable),
 * whose `not_ready` says why.
 */
@ApiTags('Operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseReadiness,
  ) {}

  @Get('live')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ operationId: 'health.live', summary: 'Liveness: the process answers (restart it when it does not)', security: [] })
  @ApiOkResponse({ description: 'The process is up, whatever the state of its database.', schema: okSchema() })
  @ApiErrorResponses([])
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ operationId: 'health.ready', summary: 'Readiness: this instance may be sent traffic', security: [] })
  @ApiOkResponse({ description: READY, schema: okSchema() })
  @ApiErrorResponses(['service_unavailable'])
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.database.check('database')]);
    } catch (failure) {
      const reason = notReadyReasonOf(failure);
      throw reason === null ? failure : new ApiError('service_unavailable', { notReady: reason });
    }
  }

  @Get()
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ operationId: 'health', summary: 'Readiness, as /health/ready', security: [] })
  @ApiOkResponse({ description: READY, schema: okSchema() })
  @ApiErrorResponses(['service_unavailable'])
  check(): Promise<HealthCheckResult> {
    return this.ready();
  }
}

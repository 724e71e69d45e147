import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ApiErrorResponses } from '../common/openapi/api-error-responses.decorator';

/** Liveness and database reachability for load balancers. Needs no key. */
@ApiTags('Operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
  ) {}

  @Get()
  // Documented here, not by terminus: a failed check is answered with the public error body.
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ operationId: 'health', summary: 'Liveness and database reachability', security: [] })
  @ApiOkResponse({ description: 'The service and its database answer.', schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'] } })
  @ApiErrorResponses(['service_unavailable'])
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.database.pingCheck('database', { timeout: 2_000 })]);
  }
}

import {
  Body,
  CanActivate,
  Controller,
  Get,
  InternalServerErrorException,
  MethodNotAllowedException,
  MiddlewareConsumer,
  Module,
  NestModule,
  Post,
  ServiceUnavailableException,
  UseGuards,
  ValidationPipe,
} from '@nestjs/common';
import { IsString } from 'class-validator';
import express from 'express';
import request from 'supertest';
import { CapturingLogger } from '../support/capturing-logger';
import { expectError } from '../support/error-body';
import { startTestApp, TestApp } from '../support/test-app';

class NewThing {
  @IsString()
  name: string;
}

class ClosedGuard implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

/**
 * A route of the kind a later issue adds (a body, a validation pipe, a guard that answers
 * false), mounted beside the real app: what Nest and Express refuse on it must reach the
 * caller as a documented reason code, never as 500.
 */
@Controller('future')
class FutureController {
  @Post()
  create(@Body(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true })) body: NewThing): NewThing {
    return { name: body.name };
  }

  @Get('closed')
  @UseGuards(ClosedGuard)
  closed(): void {}

  @Get('read-only')
  readOnly(): void {
    throw new MethodNotAllowedException();
  }

  @Get('broken')
  broken(): void {
    throw new InternalServerErrorException('a bug of the future route');
  }

  @Get('unavailable')
  unavailable(): void {
    throw new ServiceUnavailableException();
  }
}

@Module({ controllers: [FutureController], providers: [ClosedGuard] })
class FutureModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(express.json({ limit: 64 })).forRoutes(FutureController);
  }
}

describe('what the framework refuses', () => {
  let t: TestApp;
  const logger = new CapturingLogger();
  const post = (body: string, contentType = 'application/json') =>
    request(t.app.getHttpServer()).post('/future').set('Content-Type', contentType).set('X-Request-Id', 'req-future').send(body);

  beforeAll(async () => {
    t = await startTestApp({ logger, modules: [FutureModule] });
  });
  afterAll(() => t.close());

  it('serves the route when nothing is wrong (the refusals below are not a broken route)', async () => {
    const response = await post('{"name":"ok"}');
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ name: 'ok' });
  });

  it.each([
    ['a body over the parser limit', 413, 'payload_too_large', () => post(JSON.stringify({ name: 'x'.repeat(100) }))],
    ['a body the parser cannot read', 400, 'invalid_request', () => post('{"name":')],
    ['a body the validation pipe refuses', 400, 'invalid_request', () => post('{"name":5}')],
    ['a charset the parser does not take', 415, 'unsupported_media_type', () => post('{"name":"ok"}', 'application/json; charset=latin1')],
    ['a guard that answers false', 404, 'route_not_found', () => request(t.app.getHttpServer()).get('/future/closed').set('X-Request-Id', 'req-future')],
    ['a 405 thrown by a handler', 404, 'route_not_found', () => request(t.app.getHttpServer()).get('/future/read-only').set('X-Request-Id', 'req-future')],
    ['a method the path has no handler for', 404, 'route_not_found', () => request(t.app.getHttpServer()).put('/future').set('X-Request-Id', 'req-future')],
  ] as const)('%s: %i %s, in the public error body, logged as nothing', async (_case, status, reasonCode, send) => {
    const linesBefore = logger.lines.length;
    const response = await send();
    expectError(response, status, reasonCode);
    expect(response.headers['x-request-id']).toBe('req-future');
    expect(logger.lines.slice(linesBefore)).toEqual([]);
  });

  it('answers a server fault 500 internal_error and logs it with the request id, never its message to the caller', async () => {
    const response = await request(t.app.getHttpServer()).get('/future/broken').set('X-Request-Id', 'req-future-500');
    expectError(response, 500, 'internal_error');
    expect(JSON.stringify(response.body)).not.toContain('a bug of the future route');
    expect(logger.lines.join('\n')).toMatch(/Unexpected error on GET \/future\/broken \[req-future-500\]/);
  });

  it('answers a ServiceUnavailableException 503 service_unavailable with Retry-After', async () => {
    expectError(await request(t.app.getHttpServer()).get('/future/unavailable'), 503, 'service_unavailable');
  });
});

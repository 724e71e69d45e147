/**
 * One read route four ways, for `npm run bench:adapters`: bare `node:http`, Nest on Express out
 * of the box, Nest on Express as the service runs it (its adapter, `JsonExpressAdapter`: requests
 * made with Express's prototypes, JSON written in one step) and Nest on Fastify. The same bearer
 * check (a guard in Nest), the same one-row query, the same JSON; only the HTTP layer differs.
 *
 *   PROBE_SERVER=node-http|nest-express|nest-express-service|nest-fastify DATABASE_URL=… PORT=… node -r ts-node/register/transpile-only bench/adapter-probe-server.ts
 */
import 'reflect-metadata';
import { type CanActivate, Controller, type ExecutionContext, Get, Injectable, Module, Param, UnauthorizedException, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { createServer } from 'node:http';
import { Pool } from 'pg';
import express from 'express';
import { JsonExpressAdapter } from '../src/common/json-express-adapter';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const port = Number(process.env.PORT);

/** A database round trip with a row to map, like a detail read, without needing a data set. */
async function readItem(id: string): Promise<{ item: unknown }> {
  const { rows } = await pool.query(`SELECT $1::text AS id, 'completed' AS status, now() AS read_at`, [id]);
  return { item: { ...rows[0], read_at: (rows[0] as { read_at: Date }).read_at.toISOString() } };
}

const hasBearer = (authorization: string | undefined) => authorization?.startsWith('Bearer ') ?? false;

@Injectable()
class BearerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (!hasBearer(context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization)) throw new UnauthorizedException();
    return true;
  }
}

@Controller()
class ProbeController {
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('probe/:id')
  @UseGuards(BearerGuard)
  read(@Param('id') id: string) {
    return readItem(id);
  }
}

@Module({ controllers: [ProbeController], providers: [BearerGuard] })
class ProbeModule {}

function serveWithNodeHttp(): void {
  createServer((request, response) => {
    const send = (status: number, body: unknown) => {
      const json = JSON.stringify(body);
      response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) });
      response.end(json);
    };
    const path = request.url ?? '/';
    if (path === '/health') return send(200, { status: 'ok' });
    if (!path.startsWith('/probe/')) return send(404, { status: 'not found' });
    if (!hasBearer(request.headers.authorization)) return send(401, { status: 'unauthorized' });
    readItem(decodeURIComponent(path.slice('/probe/'.length))).then(
      (body) => send(200, body),
      () => send(500, { status: 'error' }),
    );
  }).listen(port, '127.0.0.1');
}

/** The service's adapter, with a reply gate that holds nothing: the probe discloses no PHI. */
function serviceExpressAdapter(): JsonExpressAdapter {
  const adapter = new JsonExpressAdapter(express());
  adapter.useReplyGate({ heldBodyOf: () => undefined, release: () => Promise.resolve() });
  return adapter;
}

async function serveWithNest(adapter: ExpressAdapter | FastifyAdapter): Promise<void> {
  const app = await NestFactory.create(ProbeModule, adapter, { logger: false });
  await app.listen(port, '127.0.0.1');
}

switch (process.env.PROBE_SERVER) {
  case 'node-http':
    serveWithNodeHttp();
    break;
  case 'nest-express':
    void serveWithNest(new ExpressAdapter());
    break;
  case 'nest-express-service':
    void serveWithNest(serviceExpressAdapter());
    break;
  case 'nest-fastify':
    void serveWithNest(new FastifyAdapter());
    break;
  default:
    throw new Error('PROBE_SERVER must be node-http, nest-express, nest-express-service or nest-fastify');
}

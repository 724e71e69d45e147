import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiError } from '../common/api-error';
import { type ByteRange, parseByteRange } from './byte-range';
import { inlineContentDisposition } from './recording-media-types';
import type { RecordingRef } from './recording-store';

const logger = new Logger('MediaController');

/**
 * Writes a recording's file as a media URL answers (docs/api.md "Audio URLs"): the whole file
 * (`200`) or one byte range (`206`, `Range: bytes=a-b`, `a-`, `-n`), streamed from disk in
 * chunks however large the file is. `HEAD` gets the same headers and no body. Nothing is
 * written before `beforeAnswer`, given the status about to be sent, has resolved (the audit).
 *
 * A Range the server may ignore (RFC 9110 §14.2) is ignored, and the whole file sent: one that
 * is not a valid byte range, several ranges, or one with `If-Range` (we send no validator it
 * could match). A range that starts past the end is `416`, whose `Content-Range` gives the size
 * (`parseByteRange`).
 */
export async function sendRecording(request: Request, response: Response, path: string, recording: RecordingRef, beforeAnswer: (status: number) => Promise<void>): Promise<void> {
  // Opened first: the size read is the size of the very file streamed, even if it is replaced meanwhile.
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const range = singleRange(request, size);
    // The answer is decided, and nothing of it is written yet. Its status is set already, so that
    // a client that leaves during `beforeAnswer` is logged with it, not with Express's default 200.
    const status = range === 'unsatisfiable' ? 416 : range ? 206 : 200;
    response.status(status);
    await beforeAnswer(status);
    // A client that left meanwhile is sent nothing: its access line says aborted, with that status.
    if (response.destroyed) return;
    response.setHeader('Accept-Ranges', 'bytes');
    if (range === 'unsatisfiable') {
      response.setHeader('Content-Range', `bytes */${size}`);
      throw new ApiError('range_not_satisfiable');
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    if (range) response.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    response.setHeader('Content-Type', recording.contentType);
    response.setHeader('Content-Length', end - start + 1);
    response.setHeader('Content-Disposition', inlineContentDisposition(recording.documentId, recording.contentType));
    response.setHeader('X-Content-Type-Options', 'nosniff');
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    await pipeline(file.createReadStream({ start, end, autoClose: false }), response).catch((error: unknown) => {
      // A client that went away is nothing wrong on our side (its access line says aborted).
      if ((error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
      if (!response.headersSent) throw error;
      // Once the status line is out, the response can only be cut short (pipeline destroys
      // it): a failing disk is worth a line.
      logger.warn(`Recording ${recording.recordingId} cut short: ${(error as Error).name} (${(error as NodeJS.ErrnoException).code ?? 'no code'})`);
    });
  } finally {
    await file.close();
  }
}

function singleRange(request: Request, size: number): ByteRange | 'unsatisfiable' | null {
  const header = request.headers.range;
  if (header === undefined || request.headers['if-range'] !== undefined) return null;
  return parseByteRange(header, size);
}

// Renders every failure as the Wire error envelope. AppErrors carry their own code and
// status; Fastify's parser and validation errors are mapped here; anything else is a 500
// whose details stay in the log.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

import { AppError, type ValidationIssue } from '../errors/index.js';

interface AjvIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** Ajv's error list as `{path, message}` issues, unknown fields named by their path. */
export function issuesFromAjv(errors: readonly AjvIssue[], part: string): ValidationIssue[] {
  const prefix = part === 'body' ? '' : `/${part}`;
  return errors.map((e) => {
    if (e.keyword === 'additionalProperties') {
      const name = String(e.params.additionalProperty);
      return { path: `${prefix}${e.instancePath}/${name}`, message: `unknown field '${name}'` };
    }
    if (e.keyword === 'required') {
      const name = String(e.params.missingProperty);
      return { path: `${prefix}${e.instancePath}/${name}`, message: `'${name}' is required` };
    }
    if (e.keyword === 'minProperties') {
      const limit = Number(e.params.limit);
      return {
        path: `${prefix}${e.instancePath}`,
        message: `must have at least ${limit} field${limit === 1 ? '' : 's'}`,
      };
    }
    return { path: `${prefix}${e.instancePath}`, message: e.message ?? 'is invalid' };
  });
}

function toAppError(error: FastifyError): AppError {
  if (error instanceof AppError) return error;
  if (error.validation) {
    const part = error.validationContext ?? 'body';
    const issues = issuesFromAjv(error.validation, part);
    const where = part === 'body' ? 'request body' : part;
    return new AppError(
      'BAD_REQUEST',
      400,
      `The ${where} is invalid: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`,
      {
        details: issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; '),
        issues,
      },
    );
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(
        'BAD_REQUEST',
        400,
        `The request body is not valid JSON: ${error.message}`,
        {
          details: error.message,
          issues: [{ path: '/', message: 'must be valid JSON' }],
        },
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(
        'PAYLOAD_TOO_LARGE',
        413,
        'The request body is larger than this server accepts.',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        415,
        'Send the request body as application/json.',
      );
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('BAD_REQUEST', 400, error.message, { details: error.message, issues: [] });
  }
  return new AppError('INTERNAL_ERROR', 500, 'Something went wrong on our side. Please try again.');
}

export function renderError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const appError = toAppError(error);
  if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
  if (appError.code === 'RATE_LIMITED' && typeof appError.extras.retry_after === 'number') {
    void reply.header('Retry-After', String(appError.extras.retry_after));
  }
  const extras = Object.fromEntries(
    Object.entries(appError.extras).filter(([k]) => k !== 'retry_after'),
  );
  return reply.status(appError.status).send({
    status: 'error',
    error: { code: appError.code, message: appError.message, ...extras },
  });
}

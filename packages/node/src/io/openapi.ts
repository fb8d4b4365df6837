/**
 * The OpenAPI 3.1 document of SPEC section 2, served at `/openapi.json` and rendered at `/docs`. Every
 * body schema is generated from the protocol's zod schemas (`z.toJSONSchema`, JSON Schema 2020-12, which
 * is OpenAPI 3.1's dialect), so the document cannot drift from what the decoders accept and the edges send.
 */
import {
  AddNodeResult,
  consistencyLevels,
  DeleteResult,
  ErrorEnvelope,
  errorStatus,
  GetNodeResult,
  HealthResult,
  limits,
  NodesResult,
  nodeAddressPattern,
  RecordResult,
  RemoveNodeResult,
  ReplicaReadResult,
  RingResult,
  ValueBody,
} from '@ringkv/protocol';
import { type ZodType, z } from 'zod';

type ErrorCode = keyof typeof errorStatus;
type Json = Record<string, unknown>;

function schemaOf(schema: ZodType, io: 'input' | 'output' = 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

const components = {
  ValueBody: schemaOf(ValueBody, 'input'),
  RecordResult: schemaOf(RecordResult),
  DeleteResult: schemaOf(DeleteResult),
  GetNodeResult: schemaOf(GetNodeResult),
  ReplicaReadResult: schemaOf(ReplicaReadResult),
  AddNodeResult: schemaOf(AddNodeResult),
  RemoveNodeResult: schemaOf(RemoveNodeResult),
  NodesResult: schemaOf(NodesResult),
  RingResult: schemaOf(RingResult),
  HealthResult: schemaOf(HealthResult),
  Error: schemaOf(ErrorEnvelope),
};
type ComponentName = keyof typeof components;

const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });
const jsonContent = (name: ComponentName) => ({ 'application/json': { schema: ref(name) } });

const keyParameter = {
  name: 'key',
  in: 'path',
  required: true,
  description: `Any UTF-8 string of ${limits.keyBytesMin} to ${limits.keyBytesMax} bytes, percent-encoded (\`/\` is \`%2F\`).`,
  schema: { type: 'string', minLength: 1 },
};
const nodeParameter = {
  name: 'node',
  in: 'path',
  required: true,
  description: 'A node: a running `ringkv node` process addressed as HOST:PORT, e.g. 127.0.0.1:7004.',
  schema: { type: 'string', pattern: nodeAddressPattern.source, maxLength: limits.nodeAddressBytesMax },
};
const consistencyParameter = {
  name: 'consistency',
  in: 'query',
  required: false,
  description: 'How many replicas must answer: one, a quorum (the default), or all.',
  schema: { type: 'string', enum: [...consistencyLevels], default: 'quorum' },
};

const errorDescriptions: Record<ErrorCode, string> = {
  BAD_REQUEST: 'Malformed input; the message names the field.',
  UNAUTHORIZED: 'Missing or wrong token (the node runs with --token).',
  FORBIDDEN: 'Disallowed browser origin.',
  KEY_NOT_FOUND: 'No such key.',
  NODE_NOT_FOUND: 'No such node.',
  KEY_EXISTS: 'The key exists already.',
  NODE_EXISTS: 'The node is a member already.',
  CONFLICT: "The request cannot apply to the cluster's current state.",
  TOO_LARGE: 'Key, value or body over its limit.',
  INTERNAL: 'A bug, logged with the request id given in the message.',
  NODE_UNREACHABLE: 'Nothing answers at that address.',
  UNAVAILABLE: 'Too few replicas answered, or the node is not serving.',
  TIMEOUT: 'Replicas did not answer in time.',
};

interface OperationSpec {
  summary: string;
  tag: string;
  parameters?: Json[];
  body?: boolean;
  success: [number, string, Json];
  errors?: ErrorCode[];
}

function operation(spec: OperationSpec): Json {
  const responses: Json = { [spec.success[0]]: { description: spec.success[1], content: spec.success[2] } };
  // Every request may meet a bad input or a missing token; each error status lists its codes.
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of ['BAD_REQUEST', 'UNAUTHORIZED', ...(spec.errors ?? [])] as ErrorCode[]) {
    byStatus.set(errorStatus[code], [...(byStatus.get(errorStatus[code]) ?? []), code]);
  }
  for (const [status, codes] of byStatus) {
    responses[status] = {
      description: codes.map((code) => `${code}: ${errorDescriptions[code]}`).join(' '),
      content: jsonContent('Error'),
    };
  }
  return {
    summary: spec.summary,
    tags: [spec.tag],
    parameters: spec.parameters ?? [],
    ...(spec.body ? { requestBody: { required: true, content: jsonContent('ValueBody') } } : {}),
    responses,
  };
}

const dataErrors: ErrorCode[] = ['TOO_LARGE', 'UNAVAILABLE', 'TIMEOUT'];
const keyed = [keyParameter, consistencyParameter];
const html = { 'text/html': { schema: { type: 'string' } } };

const paths = {
  '/create/{key}': {
    post: operation({
      summary: 'Create a key; fails if it exists',
      tag: 'data',
      parameters: keyed,
      body: true,
      success: [201, 'Created', jsonContent('RecordResult')],
      errors: ['KEY_EXISTS', ...dataErrors],
    }),
  },
  '/read/{key}': {
    get: operation({
      summary: "Read a key's value and version",
      tag: 'data',
      parameters: keyed,
      success: [200, 'The record', jsonContent('RecordResult')],
      errors: ['KEY_NOT_FOUND', ...dataErrors],
    }),
  },
  '/update/{key}': {
    put: operation({
      summary: 'Replace the value of an existing key',
      tag: 'data',
      parameters: keyed,
      body: true,
      success: [200, 'Updated', jsonContent('RecordResult')],
      errors: ['KEY_NOT_FOUND', ...dataErrors],
    }),
  },
  '/delete/{key}': {
    delete: operation({
      summary: 'Delete a key (leaves a tombstone)',
      tag: 'data',
      parameters: keyed,
      success: [200, 'Deleted', jsonContent('DeleteResult')],
      errors: ['KEY_NOT_FOUND', ...dataErrors],
    }),
  },
  '/read_replica/{key}': {
    get: operation({
      summary: "This node's own copy of a key, as one replica (extension: no quorum, no read repair)",
      tag: 'data',
      parameters: [keyParameter],
      success: [
        200,
        'The write this node holds, if it is a replica of the key',
        jsonContent('ReplicaReadResult'),
      ],
      errors: ['TOO_LARGE'],
    }),
  },
  '/get_node/{key}': {
    get: operation({
      summary: "The key's primary owner and its preference list",
      tag: 'cluster',
      parameters: [keyParameter],
      success: [200, 'Owners, primary first', jsonContent('GetNodeResult')],
      errors: ['TOO_LARGE'],
    }),
  },
  '/add_node/{node}': {
    post: operation({
      summary: 'Admit a running node into the cluster',
      tag: 'cluster',
      parameters: [nodeParameter],
      success: [200, 'The ring includes the node', jsonContent('AddNodeResult')],
      errors: ['NODE_EXISTS', 'CONFLICT', 'NODE_UNREACHABLE'],
    }),
  },
  '/remove_node/{node}': {
    delete: operation({
      summary: 'Make a node leave; its data streams to the new owners first',
      tag: 'cluster',
      parameters: [nodeParameter],
      success: [202, 'Leaving', jsonContent('RemoveNodeResult')],
      errors: ['NODE_NOT_FOUND', 'CONFLICT'],
    }),
  },
  '/nodes': {
    get: operation({
      summary: 'Members with their status and key counts',
      tag: 'cluster',
      success: [200, 'Members', jsonContent('NodesResult')],
    }),
  },
  '/ring': {
    get: operation({
      summary: 'The ring: epoch, vnodes, replication factor, tokens',
      tag: 'cluster',
      success: [200, 'The ring', jsonContent('RingResult')],
    }),
  },
  '/health': {
    get: operation({
      summary: 'Whether this node serves requests',
      tag: 'operations',
      success: [200, 'Serving', jsonContent('HealthResult')],
      errors: ['UNAVAILABLE'],
    }),
  },
  '/metrics': {
    get: operation({
      summary: 'Prometheus metrics',
      tag: 'operations',
      success: [200, 'Prometheus text format', { 'text/plain': { schema: { type: 'string' } } }],
    }),
  },
  '/openapi.json': {
    get: operation({
      summary: 'This document',
      tag: 'operations',
      success: [200, 'OpenAPI 3.1', { 'application/json': { schema: { type: 'object' } } }],
    }),
  },
  '/docs': {
    get: operation({
      summary: 'Interactive API documentation',
      tag: 'operations',
      success: [200, 'An HTML page', html],
    }),
  },
  '/': {
    get: operation({ summary: 'The dashboard', tag: 'operations', success: [200, 'An HTML page', html] }),
  },
};

let cached: string | undefined;

/** The document as JSON text, built once per process. */
export function openApiDocumentText(): string {
  cached ??= JSON.stringify(openApiDocument());
  return cached;
}

export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'ringkv',
      version: '0.1.0',
      description:
        'A decentralized key-value store on a consistent-hash ring. Every node serves this API and, on the same port, the WebSocket API at `/ws` (JSON text frames; see the README). Errors have the body `{"error":{"code","message"}}`.',
    },
    tags: [
      { name: 'data', description: 'Keys and values' },
      { name: 'cluster', description: 'Nodes and the ring' },
      { name: 'operations', description: 'Health, metrics, documentation' },
    ],
    paths,
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The --token of the node' } },
    },
    // The token is optional: it applies only when the node runs with --token.
    security: [{}, { bearer: [] }],
  };
}

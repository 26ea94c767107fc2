// Type declarations for switchboard.js (the Switchboard JavaScript client).

export declare const CloseCodes: Readonly<{
  NORMAL: 1000; GOING_AWAY: 1001; UNSUPPORTED_DATA: 1003; INVALID_PAYLOAD: 1007; POLICY_VIOLATION: 1008;
  TOO_BIG: 1009; SERVER_ERROR: 1011; SERVICE_RESTART: 1012; TRY_AGAIN_LATER: 1013; HEARTBEAT_TIMEOUT: 4000;
  CREDENTIALS_EXPIRED: 4001; SLOW_CONSUMER: 4008; RATE_LIMITED: 4029; UNAUTHENTICATED: 4401; FORBIDDEN: 4403;
}>;

export declare const NO_RECONNECT: readonly number[];

export type StateName = 'connecting' | 'open' | 'reconnecting' | 'closed';
export declare const State: Readonly<{ CONNECTING: 'connecting'; OPEN: 'open'; RECONNECTING: 'reconnecting'; CLOSED: 'closed' }>;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Options {
  protocols?: string[];
  connectTimeoutMs?: number;
  reconnectInitialDelayMs?: number;
  reconnectMaxDelayMs?: number;
  reconnectMinUptimeMs?: number;
  requestTimeoutMs?: number;
  offlineQueueSize?: number;
  pingIntervalMs?: number;
  WebSocket?: unknown;
  /**
   * Asked before every connection attempt: 'bearer.<jwt>' or 'ticket.<ticket>' (offered as a subprotocol); and ahead
   * of the credentials' expiry, to refresh them over the open connection.
   */
  credentials?: () => string | Promise<string>;
  /** Share of the credentials' remaining lifetime after which they are refreshed (default 0.75; at least 1 s before). */
  refreshAheadRatio?: number;
  /**
   * 'sse' (default): where WebSocket cannot connect (no attempt ever opened after `fallbackAfterAttempts`, or no
   * WebSocket at all), receive over Server-Sent Events and publish over the HTTP API; false: never.
   */
  fallback?: 'sse' | false;
  fallbackAfterAttempts?: number;
  /** The event stream's URL; default 'sse' next to the WebSocket URL. */
  sseUrl?: string;
  /** The HTTP API's base URL; default 'api/' next to the WebSocket URL. */
  apiUrl?: string;
  EventSource?: unknown;
  fetch?: unknown;
}

export declare const DEFAULTS: Readonly<Required<Omit<Options, 'WebSocket' | 'credentials' | 'sseUrl' | 'apiUrl' | 'EventSource' | 'fetch'>>>
  & { WebSocket: undefined; credentials: undefined; sseUrl: undefined; apiUrl: undefined; EventSource: undefined; fetch: undefined };

export declare class SwitchboardError extends Error {
  readonly code: string;
  readonly details?: Record<string, string>;
}

export interface Member { user: string; connections: number }
/** Tag name -> accepted value, or any of several. */
export type TagFilter = Record<string, string | string[]>;
export interface Message { data: Json; from?: string; offset: number; ts: number; tags?: Record<string, string> }
export interface Welcome { session: string; user: string; heartbeatMs: number; protocol: string; limits: { maxMessageBytes: number; maxIdLength: number }; expiresInMs?: number }

declare class Emitter<Events> {
  on<K extends keyof Events>(type: K, listener: (payload: Events[K]) => void): () => void;
  off<K extends keyof Events>(type: K, listener: (payload: Events[K]) => void): void;
}

export interface RoomEvents {
  message: Message;
  presence: Map<string, number>;
  joined: { recovered: boolean | null; epoch: string; offset: number };
  reset: { epoch: string; offset: number };
  /** An administrator removed this connection from the room (`left` without `re`): it is not rejoined. */
  removed: { room: string };
  error: SwitchboardError;
}

export declare class Room extends Emitter<RoomEvents> {
  readonly name: string;
  readonly epoch: string | null;
  readonly offset: number | null;
  readonly members: Map<string, number>;
  readonly joined: boolean;
  ready: Promise<unknown>;
  publish(data: Json, options?: { tags?: Record<string, string> }): Promise<{ room: string; offset: number }>;
  presence(): Promise<Member[]>;
  history(options?: HistoryOptions): Promise<HistoryPage>;
  leave(): Promise<unknown>;
}

export interface ClientEvents {
  statechange: { from: StateName; to: StateName };
  open: Welcome;
  close: { code: number; reason: string; willReconnect: boolean };
  direct: { from?: string; data: Json };
  refreshed: { expiresInMs?: number };
  error: SwitchboardError;
  /** The client fell back from WebSocket to Server-Sent Events. */
  transport: { transport: 'sse' };
}

export declare class SwitchboardClient extends Emitter<ClientEvents> {
  readonly state: StateName;
  /** 'websocket', or 'sse' after the fallback (receive only; publish and history over the HTTP API). */
  readonly transport: 'websocket' | 'sse';
  readonly user: string | null;
  readonly session: string | null;
  readonly rooms: Map<string, Room>;
  join(room: string, options?: { since?: { epoch: string; offset: number }; rewind?: number; filter?: TagFilter }): Room;
  history(room: string, options?: HistoryOptions): Promise<HistoryPage>;
  occupancy(room: string): Promise<{ users: number; connections: number }>;
  joinPersonal(user: string, options?: { since?: { epoch: string; offset: number }; rewind?: number; filter?: TagFilter }): Room;
  leave(room: string): Promise<unknown>;
  publish(room: string, data: Json, options?: { tags?: Record<string, string> }): Promise<{ room: string; offset: number }>;
  send(user: string, data: Json, options?: { recoverable?: boolean }): Promise<unknown>;
  request(method: string, data?: Json, options?: { timeoutMs?: number }): Promise<Json>;
  presence(room: string): Promise<Member[]>;
  handle(method: string, handler: (data: Json) => Json | Promise<Json>): () => void;
  close(): void;
}

export declare function endpointUrl(url?: string): string;
export declare function backoffDelay(attempt: number, initialMs: number, maxMs: number, random?: () => number): number;
/** A random idempotency key, as set on every publish. */
export declare function publishKey(): string;
export declare function connect(url?: string, options?: Options): SwitchboardClient;

export interface HistoryOptions {
  limit?: number;
  since?: { epoch: string; offset: number };
  reverse?: boolean;
  filter?: TagFilter;
}

export interface HistoryEntry {
  offset: number;
  ts: number;
  from?: string;
  data: unknown;
  tags?: Record<string, string>;
}

export interface HistoryPage {
  room: string;
  epoch: string;
  offset: number;
  recovered?: boolean;
  publications: HistoryEntry[];
}

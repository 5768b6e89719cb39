// The part of the sharedb@7 browser client that Plenary uses (the package
// ships no types).
declare module 'sharedb/lib/client/index.js' {
  import type { TextOp } from '../lib/textops';

  export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'closed' | 'stopped';

  export interface ShareError extends Error {
    code?: string;
  }

  type Callback = (err?: ShareError | null) => void;

  export interface SocketLike {
    readyState: number;
    send(data: string): void;
    close(code?: number, reason?: string): void;
    onopen: ((ev?: unknown) => void) | null;
    onmessage: ((ev: { data: unknown }) => void) | null;
    onclose: ((ev?: unknown) => void) | null;
    onerror: ((ev?: unknown) => void) | null;
  }

  export interface OTType {
    name: string;
    uri: string;
    transformSelection(sel: number | [number, number], op: TextOp): number | [number, number];
    transformPresence?: (value: unknown, op: TextOp, isOwnOp: boolean) => unknown;
  }

  export class Doc {
    readonly id: string;
    readonly collection: string;
    readonly version: number | null;
    readonly type: OTType | null;
    readonly data: unknown;
    readonly inflightOp: unknown;
    readonly pendingOps: unknown[];
    subscribe(cb?: Callback): void;
    unsubscribe(cb?: Callback): void;
    submitOp(op: TextOp, options?: { source?: unknown }, cb?: Callback): void;
    hasPending(): boolean;
    hasWritePending(): boolean;
    whenNothingPending(cb: () => void): void;
    destroy(cb?: Callback): void;
    on(event: 'op', fn: (op: TextOp, source: unknown) => void): this;
    on(event: 'load' | 'no write pending' | 'nothing pending' | 'before op', fn: () => void): this;
    on(event: 'error', fn: (err: ShareError) => void): this;
    off(event: string, fn: (...args: never[]) => void): this;
  }

  export interface LocalPresence {
    submit(value: unknown, cb?: Callback): void;
    destroy(cb?: Callback): void;
  }

  export interface DocPresence {
    readonly remotePresences: Record<string, unknown>;
    subscribe(cb?: Callback): void;
    create(id?: string): LocalPresence;
    destroy(cb?: Callback): void;
    on(event: 'receive', fn: (id: string, value: unknown) => void): this;
    on(event: 'error', fn: (err: ShareError) => void): this;
    off(event: string, fn: (...args: never[]) => void): this;
  }

  export interface Snapshot {
    id: string;
    v: number;
    type: string | null;
    data?: unknown;
  }

  export class Connection {
    constructor(socket: SocketLike);
    readonly state: ConnectionState;
    readonly canSend: boolean;
    socket: SocketLike;
    bindToSocket(socket: SocketLike): void;
    get(collection: string, id: string): Doc;
    getDocPresence(collection: string, id: string): DocPresence;
    /** Fetches a document at a version (the `nf` request); data is absent before creation. */
    fetchSnapshot(collection: string, id: string, version: number | null, callback: (err: ShareError | null, snapshot?: Snapshot) => void): void;
    close(): void;
    on(event: 'state', fn: (state: ConnectionState, reason: unknown) => void): this;
    on(event: 'error', fn: (err: ShareError) => void): this;
    off(event: string, fn: (...args: never[]) => void): this;
  }

  export const types: { register(type: OTType): void; map: Record<string, OTType> };

  const ShareDB: { Connection: typeof Connection; types: typeof types };
  export default ShareDB;
}

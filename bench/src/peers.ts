/**
 * The systems the peers scenarios put side by side, each started once and shared by the scenario:
 * Cabinet embedded (SQLite + local disk), Cabinet on PostgreSQL + Ceph RGW, Ceph RGW used
 * directly (presigned S3 requests), and `@tus/server` + `@tus/file-store`. Each names the processes
 * whose CPU is its cost.
 */
import { authHeaders, newScaleOutStore, startCabinet, startScaleOutCabinet } from './cabinet.js';
import type { Cabinet } from './cabinet.js';
import type { Context } from './context.js';
import type { ProcessGroups } from './cpu.js';
import { createBucket } from './s3.js';
import type { Backend } from './services.js';
import { startTus } from './tus.js';
import type { Tus } from './tus.js';

export const EMBEDDED = 'Cabinet (embedded)';
export const SCALE_OUT = 'Cabinet on PostgreSQL + RGW';
/** The same with CABINET_SMALL_FILES_IN_DATABASE=false: every file, however small, is an S3 object. */
export const SCALE_OUT_OBJECTS = 'Cabinet on PostgreSQL + RGW, small files as objects';
export const RGW = 'RGW alone';
export const TUS = 'tus';

export interface Peers {
  backend: Backend;
  embedded: Cabinet;
  scaleOut: Cabinet;
  tus: Tus;
  /** The bucket RGW's own figures use. */
  bucket: string;
  /** Process groups per system (CPU is read for these). */
  cpu: Record<string, ProcessGroups>;
  headers(cabinet: Cabinet): Record<string, string>;
  stop(): Promise<void>;
}

export async function startPeers(ctx: Context): Promise<Peers> {
  const backend = await ctx.backend();
  const bucket = `bench-rgw-${Date.now().toString(36)}`;
  await createBucket(backend.s3, bucket);
  const embedded = await startCabinet();
  const store = await newScaleOutStore(backend);
  const scaleOut = await startScaleOutCabinet(backend, store).catch(async (err: unknown) => {
    await embedded.stop();
    throw err;
  });
  const tus = await startTus(ctx.workDir).catch(async (err: unknown) => {
    await embedded.stop();
    await scaleOut.stop();
    throw err;
  });
  const ceph = (): number[] => backend.cephPids();
  return {
    backend,
    embedded,
    scaleOut,
    tus,
    bucket,
    cpu: {
      [EMBEDDED]: { Cabinet: () => [embedded.child.pid ?? 0] },
      [SCALE_OUT]: { Cabinet: () => [scaleOut.child.pid ?? 0], PostgreSQL: () => backend.postgresPids(), Ceph: ceph },
      [RGW]: { Ceph: ceph },
      [TUS]: { tus: () => [tus.pid] },
    },
    headers: authHeaders,
    async stop() {
      await embedded.stop();
      await scaleOut.stop();
      await tus.stop();
    },
  };
}

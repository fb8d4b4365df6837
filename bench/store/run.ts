/**
 * `pnpm bench:store`: puts/s, gets/s and scan rates of both store engines over 100,000 records of 100-byte
 * values, and scan pages/s of the memory engine holding 1,000,000 records. Prints a table and rewrites the
 * `## Store` section of BENCHMARKS.md. Bounded: about a minute on a 2-core machine.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbStore } from '../../packages/node/src/store/lmdb-store.js';
import { MemoryStore } from '../../packages/node/src/store/memory-store.js';
import type { Store } from '../../packages/node/src/store/store.js';
import { writeBenchmarksSection } from '../lib/benchmarks-md.js';
import { describeRun, machineInfo } from '../lib/machine.js';
import { type Column, markdownTable, terminalTable } from '../lib/table.js';
import { gets, putManyBatches, putsInFlight, putsOneByOne, scanEverything } from './measure.js';

const recordCount = 100_000;
const inflightMax = 1_000;
const batchSize = 1_000;
const oneByOneCount = 2_000;
const getPasses = 3;
const pageSize = 1_000;
const largeRecordCount = 1_000_000;

interface Row {
  engine: string;
  workload: string;
  rate: number;
  unit: string;
}

async function measureEngine(engine: string, store: Store): Promise<Row[]> {
  const row = (workload: string, rate: number, unit = 'ops/s') => ({ engine, workload, rate, unit });
  const rows: Row[] = [];
  rows.push(
    row(`put new keys, ${inflightMax} in flight`, await putsInFlight(store, recordCount, inflightMax, 1)),
  );
  rows.push(
    row(`putMany updates, batches of ${batchSize}`, await putManyBatches(store, recordCount, batchSize, 2)),
  );
  rows.push(row('put updates one by one (each awaited)', await putsOneByOne(store, oneByOneCount, 3)));
  rows.push(row('get (random order, best of 3)', gets(store, recordCount, getPasses)));
  const scan = scanEverything(store, pageSize);
  rows.push(row(`scan whole ring, pages of ${pageSize}`, scan.recordsPerSecond, 'records/s'));
  return rows;
}

async function measureLargeMemoryScan(): Promise<Row> {
  const store = new MemoryStore();
  await putManyBatches(store, largeRecordCount, 10_000, 1);
  const scan = scanEverything(store, pageSize);
  return {
    engine: 'memory',
    workload: `scan ${largeRecordCount.toLocaleString('en-US')} records, pages of ${pageSize}`,
    rate: scan.pagesPerSecond,
    unit: 'pages/s',
  };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const startMs = performance.now();
  const rows = await measureEngine('memory', new MemoryStore());
  const dir = await mkdtemp(join(tmpdir(), 'ringkv-bench-store-'));
  try {
    const lmdb = await LmdbStore.open(dir);
    rows.push(...(await measureEngine('lmdb', lmdb)));
    await lmdb.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  rows.push(await measureLargeMemoryScan());
  const columns: Column<Row>[] = [
    { header: 'engine', cell: (row) => row.engine, alignRight: false },
    { header: 'workload', cell: (row) => row.workload, alignRight: false },
    { header: 'rate', cell: (row) => Math.round(row.rate) },
    { header: 'unit', cell: (row) => row.unit, alignRight: false },
  ];
  console.log(terminalTable(rows, columns));
  const seconds = ((performance.now() - startMs) / 1000).toFixed(1);
  const notes = [
    '',
    `${recordCount.toLocaleString('en-US')} keys \`bench:N\` with 100-byte values; LMDB in a temp dir on the ` +
      `machine's disk, every commit fsynced (lmdb-js batches the writes of one event turn into one commit). ` +
      `"One by one" awaits each put (${oneByOneCount.toLocaleString('en-US')} puts), so it measures one ` +
      `commit + fsync per put. Whole run ${seconds} s.` +
      (machine.loadAverageAtStart > machine.nproc
        ? ' The machine was busy with other work during the run (load average above nproc): expect higher rates on an idle one.'
        : ''),
    '',
    markdownTable(rows, columns),
  ];
  writeBenchmarksSection('## Store', describeRun('pnpm bench:store', machine, notes));
}

await main();

/** A worker thread of parallel-parse.ts: claims pieces, parses them, hands back plain documents. */
import { parentPort, workerData } from 'node:worker_threads';
import {
  claimPieces,
  type Piece,
  parsePiece,
  type WorkerInput,
  type WorkerMessage,
} from './parallel-parse.js';

const send = (message: WorkerMessage, transfer: ArrayBuffer[] = []) =>
  parentPort?.postMessage(message, transfer);

const input = workerData as WorkerInput;
for (const piece of claimPieces(input)) {
  const documents = parsePiece(input.texts, input.pieces[piece] as Piece);
  // A piece's position tables share one buffer per segment: move them rather than copy them.
  const buffers = new Set(
    documents.flatMap((segment) => segment.flatMap((d) => (d.offsets ? [d.offsets.buffer] : []))),
  );
  send({ piece, documents }, [...buffers] as ArrayBuffer[]);
}
send({ done: true });

import { MemoryTable } from '../../../lambda/store/memory-store';
import { directoryContract } from '../../store/directory-contract';

/** The directories contract on the in-memory store: one MemoryTable, a MemoryDirectory per directory. */
directoryContract('in-memory store', async () => {
  const table = new MemoryTable();
  return { stores: (id) => table.directory(id), data: table, close: () => undefined };
});

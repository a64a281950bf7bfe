import { MemoryDirectory } from '../../../lambda/store/memory-store';
import { storeContract } from '../../store/contract';

/** The same store contract on the in-memory store: the fake the service tests use cannot drift. */
storeContract('in-memory store', async () => {
  const directory = new MemoryDirectory();
  return { users: directory.users, groups: directory.groups, audit: directory.audit, close: () => undefined };
});

import { buildLocalBundle, LOCAL_BUNDLE } from '../lib/local/bundle';

/** `npm start`'s build step (prestart): the local endpoint as one bundle, as the functions are built. */
buildLocalBundle().then(
  () => process.stderr.write(`built ${LOCAL_BUNDLE}\n`),
  (error: Error) => {
    process.stderr.write(`the local endpoint could not be bundled: ${error.message}\n`);
    process.exit(1);
  },
);

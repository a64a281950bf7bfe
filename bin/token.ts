#!/usr/bin/env node
/** `npm run token -- <create|list|revoke|rotate>`: manages the bearer tokens of a deployed stack or the local endpoint. */
import { runTokenCli } from '../lib/tokens/cli';

runTokenCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
}).then((code) => {
  process.exitCode = code;
});

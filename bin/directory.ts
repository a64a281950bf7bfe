#!/usr/bin/env node
/** `npm run directory -- <create|list|delete>`: the directories of a deployed stack or of the local endpoint. */
import { runDirectoryCli } from '../lib/directories/cli';

runDirectoryCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
}).then((code) => {
  process.exitCode = code;
});

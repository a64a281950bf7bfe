#!/usr/bin/env node
/** `npm run audit -- (--local | --stack S | --table T)`: the audit trail, newest first (lib/audit/cli.ts). */
import { runAuditCli } from '../lib/audit/cli';

runAuditCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
}).then((code) => {
  process.exitCode = code;
});

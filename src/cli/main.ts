/** The admin CLI: `npm run cli -- <command>` (see ./commands.ts). Reads DATABASE_URL. */
import { loadConfigOrExit } from '../config.js';
import { openDatabase } from '../runtime.js';
import { runCli, USAGE } from './commands.js';

const argv = process.argv.slice(2);
if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
  console.log(USAGE);
  process.exit(argv.length === 0 ? 2 : 0);
}
const config = loadConfigOrExit('cli');
const db = await openDatabase(config.DATABASE_URL, 1);
try {
  process.exitCode = await runCli(argv, db, { out: (l) => console.log(l), err: (l) => console.error(l) });
} finally {
  await db.destroy();
}

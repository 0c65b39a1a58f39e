/**
 * Run as a child process by kill-resume.test.ts: pulls a model against the test Hub, so the test can
 * SIGKILL it mid-download. Arguments: <endpoint> <dataDir> <repo>.
 */
import { pullModel } from '../../../electron/services/models';
import { fakeConvert } from './fixtures';

const [endpoint, dataDir, repo] = process.argv.slice(2);
const r = await pullModel({ repo, endpoint, dataDir, convert: fakeConvert(), retryBaseMs: 1 });
process.stdout.write(`${r.dir}\n`);

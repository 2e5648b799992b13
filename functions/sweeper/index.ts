/** sweeper: every minute, resumes stalled builds and scans. Nothing to sweep until those exist. */
import { notBuiltHandler } from '../../lib/fc/not-built';

export const handler = notBuiltHandler('the sweeper', [['sweeper.run']], () => ({ resumed: 0 }));

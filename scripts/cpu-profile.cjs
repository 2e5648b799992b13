/**
 * A CPU profiler for the local host's function instances, preloaded through NODE_OPTIONS (node
 * refuses `--cpu-prof` there): `BENCH_SCAN_NODE_OPTIONS='--require ./scripts/cpu-profile.cjs'`.
 * Each instance writes `<function>-<pid>.cpuprofile` into the OS temp dir (a function's environment
 * is exactly s.yaml's, so no directory can be passed) when it exits (the worker exits cleanly on
 * the host's SIGTERM); open it in Chrome DevTools.
 */
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { tmpdir } = require('node:os');

const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.start');
process.on('exit', () => {
  // An in-thread session answers synchronously, so this runs before the process is gone.
  session.post('Profiler.stop', (err, res) => {
    if (err) return;
    const name = `${process.env.FC_FUNCTION_NAME || 'node'}-${process.pid}.cpuprofile`;
    writeFileSync(join(tmpdir(), name), JSON.stringify(res.profile));
  });
});

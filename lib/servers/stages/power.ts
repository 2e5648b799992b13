/**
 * Power actions as short jobs: `start`, `stop` or `reboot` the instance, then wait until it is in
 * the state asked for. Safe to repeat: an instance already there is done; a reboot is sent once
 * (remembered as the stage's progress) and done when the instance runs again.
 */
import { waitFor } from '../waits';
import type { ServerStage } from './common';
import { rejected } from './common';

export const powerStage: ServerStage = {
  name: 'power',
  async run(c) {
    const act = await c.act();
    const { ecs } = act.cloud;
    const op = c.record.operation;
    const instanceId = c.record.resources.instanceId;
    if (!instanceId) throw rejected('InvalidInstanceId.NotFound', 'the server has no instance', 'build it first');
    const [i] = await ecs.describeInstances({ instanceIds: [instanceId] });
    if (!i)
      throw rejected(
        'InvalidInstanceId.NotFound',
        `instance ${instanceId} is gone`,
        'it was deleted outside this product; delete the server',
      );
    const status = i.status;
    if (op === 'start') {
      if (status === 'Running') return { done: { instanceStatus: status } };
      if (status === 'Stopped') await ecs.startInstance({ instanceId });
      return waitFor('instanceStarted', c.attempt, `instance ${status === 'Stopped' ? 'Starting' : status}`);
    }
    if (op === 'stop') {
      if (status === 'Stopped') return { done: { instanceStatus: status } };
      if (status === 'Running') await ecs.stopInstance({ instanceId });
      return waitFor('instanceStopped', c.attempt, `instance ${status === 'Running' ? 'Stopping' : status}`);
    }
    // reboot
    const sent = (c.progress as { sent?: boolean } | undefined)?.sent === true;
    if (sent && status === 'Running') return { done: { instanceStatus: status } };
    if (!sent) {
      if (status !== 'Running')
        throw rejected(
          'IncorrectInstanceStatus',
          `the instance is ${status}, not Running`,
          'start it instead of rebooting it',
        );
      await ecs.rebootInstance({ instanceId });
    }
    return {
      wait: {
        ...waitFor('instanceStarted', c.attempt, `instance rebooting (${status})`).wait,
        progress: { sent: true },
      },
    };
  },
};

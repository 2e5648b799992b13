export type * from './types';
export { Registry, runStep, parseStep, dispatch, taskIdOf, dueAt, type JobsDeps, type StepResult } from './runner';
export { startJob, resumeFailedJob, type JobStartFields } from './start';
export { sweepJobs, type SweepResult } from './sweep';
export { newJob, resumeJob, advance, stageOf, jobError, type Outcome } from './advance';
export { dueKeyOf, dueRows, putDue, removeDue } from './due';
